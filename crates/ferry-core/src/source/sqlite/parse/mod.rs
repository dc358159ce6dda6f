//! Reads the `sql` text SQLite keeps in `sqlite_master` for what its PRAGMAs do not tell.
//!
//! `PRAGMA table_xinfo`, `foreign_key_list`, `index_list` and `index_xinfo` give most of a
//! schema, but not column collations, generated-column expressions, CHECK constraints (with
//! their names), AUTOINCREMENT, `WITHOUT ROWID` / `STRICT`, the names of PRIMARY KEY / UNIQUE /
//! FOREIGN KEY constraints, nor the expression parts and the `WHERE` of an index. This module
//! recovers them from the `CREATE TABLE` / `CREATE INDEX` / `CREATE VIEW` text.
//!
//! SQLite accepts far more than standard SQL (four quoting styles, keywords as names, types
//! of any number of words, table constraints without separating commas, …), so this is a
//! small hand-written tokenizer and scanner that follows SQLite's own grammar (`parse.y`)
//! rather than a general SQL parser. Expressions (CHECK bodies, generated expressions, index
//! expressions, partial-index predicates, a view's SELECT) are returned as the exact original
//! source text, trimmed of surrounding whitespace and comments, for another module to parse
//! and translate. Identifiers are returned unquoted.
//!
//! A column's `declared_type` is computed the way SQLite computes the type it stores (and that
//! `PRAGMA table_xinfo` reports, apart from SQLite upper-casing the six standard type names):
//! the source text from the first to the last token of the type, dequoted when it starts with
//! a quote (`"double precision"` → `double precision`, `numeric(20, 6)` kept as written).

mod lex;
mod parsed;
mod parser;
#[cfg(test)]
mod tests;

pub use parsed::{ParsedColumn, ParsedIndex, ParsedTable};
use parser::Parser;

/// Parses `CREATE [TEMP] TABLE [IF NOT EXISTS] [schema.]name ( … ) [options]`.
///
/// Virtual tables (`CREATE VIRTUAL TABLE … USING …`) and `CREATE TABLE … AS SELECT` are
/// rejected with an error: they carry no column definitions.
pub fn parse_create_table(sql: &str) -> Result<ParsedTable, String> {
    let p = Parser::new(sql)?;
    let n = p.toks.len();
    let mut i = p.expect_kw(0, "CREATE")?;
    if p.is_kw(i, "TEMP") || p.is_kw(i, "TEMPORARY") {
        i += 1;
    }
    if p.is_kw(i, "VIRTUAL") {
        return Err("a virtual table (CREATE VIRTUAL TABLE) has no column definitions".into());
    }
    i = p.expect_kw(i, "TABLE")?;
    i = p.skip_if_not_exists(i);
    let (name, next) = p.qualified_name(i)?;
    i = next;
    if p.is_kw(i, "AS") {
        return Err("CREATE TABLE … AS SELECT has no column definitions".into());
    }
    if !p.is_punct(i, b'(') {
        return Err(format!(
            "expected `(` after the table name, found {}",
            p.describe(i)
        ));
    }
    let close = p.matching(i)?;
    let mut t = ParsedTable {
        name,
        ..ParsedTable::default()
    };
    p.table_body(i + 1, close, &mut t)?;

    // Table options: WITHOUT ROWID, STRICT, separated by commas.
    let mut j = close + 1;
    while j < n {
        if p.is_punct(j, b',') {
            j += 1;
        } else if p.is_kw(j, "WITHOUT") && p.is_kw(j + 1, "ROWID") {
            t.without_rowid = true;
            j += 2;
        } else if p.is_kw(j, "STRICT") {
            t.strict = true;
            j += 1;
        } else {
            return Err(format!(
                "unexpected {} after the table's columns",
                p.describe(j)
            ));
        }
    }
    Ok(t)
}

/// Parses `CREATE [UNIQUE] INDEX [IF NOT EXISTS] [schema.]name ON table ( terms ) [WHERE expr]`.
pub fn parse_create_index(sql: &str) -> Result<ParsedIndex, String> {
    let p = Parser::new(sql)?;
    let n = p.toks.len();
    let mut i = p.expect_kw(0, "CREATE")?;
    if p.is_kw(i, "UNIQUE") {
        i += 1;
    }
    i = p.expect_kw(i, "INDEX")?;
    i = p.skip_if_not_exists(i);
    let (_, next) = p.qualified_name(i)?;
    i = p.expect_kw(next, "ON")?;
    let (_, next) = p.qualified_name(i)?;
    i = next;
    if !p.is_punct(i, b'(') {
        return Err(format!(
            "expected `(` after the indexed table, found {}",
            p.describe(i)
        ));
    }
    let close = p.matching(i)?;
    let mut parts = Vec::new();
    for (a, b) in p.split_items(i + 1, close)? {
        parts.push(p.index_part(a, b)?);
    }
    if parts.is_empty() {
        return Err("an index without terms".into());
    }
    let where_clause = if close + 1 == n {
        None
    } else if p.is_kw(close + 1, "WHERE") {
        if close + 2 >= n {
            return Err("WHERE without a predicate".into());
        }
        Some(p.span(close + 2, n).to_string())
    } else {
        return Err(format!(
            "unexpected {} after the index terms",
            p.describe(close + 1)
        ));
    };
    Ok(ParsedIndex {
        parts,
        where_clause,
    })
}

/// `CREATE [TEMP] VIEW [IF NOT EXISTS] [schema.]name [(cols)] AS select` → the SELECT text.
pub fn view_select(sql: &str) -> Result<String, String> {
    parse_create_view(sql).map(|(_, select)| select)
}

/// `CREATE [TEMP] VIEW [IF NOT EXISTS] [schema.]name [(cols)] AS select` → the names the
/// view gives its columns (empty without a list; SQLite takes bare names only, a COLLATE or
/// ASC after one is its syntax error) and the SELECT text.
pub fn parse_create_view(sql: &str) -> Result<(Vec<String>, String), String> {
    let p = Parser::new(sql)?;
    let n = p.toks.len();
    let mut i = p.expect_kw(0, "CREATE")?;
    if p.is_kw(i, "TEMP") || p.is_kw(i, "TEMPORARY") {
        i += 1;
    }
    i = p.expect_kw(i, "VIEW")?;
    i = p.skip_if_not_exists(i);
    let (_, next) = p.qualified_name(i)?;
    i = next;
    let mut columns = Vec::new();
    if p.is_punct(i, b'(') {
        let close = p.matching(i)?;
        for (a, b) in p.split_items(i + 1, close)? {
            if b != a + 1 {
                return Err(format!("expected a column name in the view's column list, found `{}`", p.span(a, b)));
            }
            columns.push(p.ident(a)?);
        }
        i = close + 1;
    }
    i = p.expect_kw(i, "AS")?;
    if i >= n {
        return Err("a view without a SELECT".into());
    }
    Ok((columns, p.span(i, n).to_string()))
}
