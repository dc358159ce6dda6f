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

use crate::schema::{Check, Generated, IndexPart};

/// What the `CREATE TABLE` text says beyond the PRAGMAs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedTable {
    /// The table's name, unquoted, without a schema qualifier.
    pub name: String,
    /// The column definitions, in order (generated columns included).
    pub columns: Vec<ParsedColumn>,
    /// Table-level and column-level CHECKs, in source order.
    pub checks: Vec<Check>,
    /// `AUTOINCREMENT` appears (on a column's or the table's PRIMARY KEY).
    pub autoincrement: bool,
    pub without_rowid: bool,
    pub strict: bool,
    /// The `CONSTRAINT name` of the PRIMARY KEY, column- or table-level.
    pub pk_name: Option<String>,
    /// `(columns, CONSTRAINT name)` for each named UNIQUE.
    pub unique_names: Vec<(Vec<String>, String)>,
    /// `(columns, CONSTRAINT name)` for each named FOREIGN KEY / REFERENCES.
    pub fk_names: Vec<(Vec<String>, String)>,
}

/// One column definition of a `CREATE TABLE`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedColumn {
    pub name: String,
    /// The declared type as SQLite records it; empty when there is none.
    pub declared_type: String,
    /// `COLLATE name`, unquoted.
    pub collation: Option<String>,
    /// `GENERATED ALWAYS AS (expr) [STORED|VIRTUAL]` or `AS (expr) …`.
    pub generated: Option<Generated>,
}

/// What the `CREATE INDEX` text says beyond the PRAGMAs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedIndex {
    /// One per indexed term. A term that is a bare column name (optionally with `COLLATE`) is a
    /// `Column`; anything else is an `Expr` whose text keeps any `COLLATE` it carries.
    pub parts: Vec<IndexPart>,
    /// The predicate of a partial index, SQLite text.
    pub where_clause: Option<String>,
}

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
    if p.is_punct(i, b'(') {
        i = p.matching(i)? + 1;
    }
    i = p.expect_kw(i, "AS")?;
    if i >= n {
        return Err("a view without a SELECT".into());
    }
    Ok(p.span(i, n).to_string())
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A bare word: an identifier or a keyword.
    Word,
    /// `"x"`, `[x]` or `` `x` ``.
    Quoted,
    /// `'x'`.
    Str,
    /// `X'00ff'`.
    Blob,
    Number,
    /// `?1`, `:name`, `@name`, `$name`.
    Variable,
    /// Any other single byte (operators are split into bytes; only `( ) , . ;` matter here).
    Punct(u8),
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: Kind,
    start: usize,
    end: usize,
}

fn is_id_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn tokenize(sql: &str) -> Result<Vec<Tok>, String> {
    let b = sql.as_bytes();
    let len = b.len();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < len {
        let c = b[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0c => {
                i += 1;
                continue;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < len && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                // SQLite accepts a comment left open at the end of the text.
                i = match sql[i + 2..].find("*/") {
                    Some(k) => i + 2 + k + 2,
                    None => len,
                };
                continue;
            }
            b'\'' | b'"' | b'`' => {
                let mut j = i + 1;
                loop {
                    if j >= len {
                        return Err(format!("unterminated quote starting at byte {start}"));
                    }
                    if b[j] == c {
                        if b.get(j + 1) == Some(&c) {
                            j += 2;
                            continue;
                        }
                        j += 1;
                        break;
                    }
                    j += 1;
                }
                i = j;
                if c == b'\'' {
                    Kind::Str
                } else {
                    Kind::Quoted
                }
            }
            b'[' => {
                let k = sql[i + 1..]
                    .find(']')
                    .ok_or_else(|| format!("unterminated `[` starting at byte {start}"))?;
                i = i + 1 + k + 1;
                Kind::Quoted
            }
            b'x' | b'X' if b.get(i + 1) == Some(&b'\'') => {
                let k = sql[i + 2..]
                    .find('\'')
                    .ok_or_else(|| format!("unterminated blob literal at byte {start}"))?;
                i = i + 2 + k + 1;
                Kind::Blob
            }
            b'0'..=b'9' => {
                i = scan_number(b, i);
                Kind::Number
            }
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = scan_number(b, i);
                Kind::Number
            }
            b'?' | b':' | b'@' | b'$' => {
                i += 1;
                while i < len && is_id_char(b[i]) {
                    i += 1;
                }
                Kind::Variable
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                while i < len && is_id_char(b[i]) {
                    i += 1;
                }
                Kind::Word
            }
            c => {
                i += 1;
                Kind::Punct(c)
            }
        };
        toks.push(Tok {
            kind,
            start,
            end: i,
        });
    }
    // A trailing `;` is not part of the statement.
    while toks.last().is_some_and(|t| t.kind == Kind::Punct(b';')) {
        toks.pop();
    }
    Ok(toks)
}

/// Scans a numeric literal (decimal, with fraction and exponent, or hexadecimal).
fn scan_number(b: &[u8], mut i: usize) -> usize {
    let hex = b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X'));
    while i < b.len() {
        let c = b[i];
        if !hex && (c == b'e' || c == b'E') && matches!(b.get(i + 1), Some(b'+' | b'-')) {
            i += 2;
        } else if c.is_ascii_alphanumeric() || c == b'.' || c == b'_' {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// SQLite's `sqlite3Dequote`: when `s` starts with a quote, the text up to its closing quote,
/// doubled quotes made single; otherwise `s` unchanged.
fn dequote(s: &str) -> String {
    let b = s.as_bytes();
    let close = match b.first() {
        Some(b'"') => b'"',
        Some(b'\'') => b'\'',
        Some(b'`') => b'`',
        Some(b'[') => b']',
        _ => return s.to_string(),
    };
    let mut out = Vec::with_capacity(b.len());
    let mut i = 1;
    while i < b.len() {
        if b[i] == close {
            if b.get(i + 1) == Some(&close) {
                out.push(close);
                i += 2;
                continue;
            }
            break;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The type SQLite stores for a column whose type tokens span `raw` (see `sqlite3AddColumn`).
fn declared_type(raw: &str) -> String {
    let mut s = raw;
    // SQLite's grammar reads `GENERATED ALWAYS` as part of the type and trims it off again;
    // this scanner stops before it, but the same trimming applies to any type ending in them.
    let ends_ci = |s: &str, w: &str| {
        s.len() >= w.len() && s.as_bytes()[s.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes())
    };
    if s.len() >= 16 && ends_ci(s, "always") {
        s = s[..s.len() - 6].trim_end();
        if s.len() >= 9 && ends_ci(s, "generated") {
            s = s[..s.len() - 9].trim_end();
        }
    }
    dequote(s)
}

// ---------------------------------------------------------------------------------------------
// Scanner

struct Parser<'a> {
    sql: &'a str,
    toks: Vec<Tok>,
}

/// Words that end a column's type name: the starts of column constraints (SQLite's `ccons`).
const COLUMN_CONSTRAINT_WORDS: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "AS",
    "DEFERRABLE",
];

/// Words that start a table constraint (SQLite's `tcons`).
const TABLE_CONSTRAINT_WORDS: &[&str] = &["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

impl<'a> Parser<'a> {
    fn new(sql: &'a str) -> Result<Self, String> {
        Ok(Parser {
            sql,
            toks: tokenize(sql)?,
        })
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    fn text(&self, i: usize) -> &'a str {
        let t = self.toks[i];
        &self.sql[t.start..t.end]
    }

    /// The source text from token `a` to token `b - 1`, both included.
    fn span(&self, a: usize, b: usize) -> &'a str {
        &self.sql[self.toks[a].start..self.toks[b - 1].end]
    }

    fn describe(&self, i: usize) -> String {
        if i < self.toks.len() {
            format!("`{}`", self.text(i))
        } else {
            "the end of the statement".to_string()
        }
    }

    fn is_kw(&self, i: usize, kw: &str) -> bool {
        self.kind(i) == Some(Kind::Word) && self.text(i).eq_ignore_ascii_case(kw)
    }

    fn is_any_kw(&self, i: usize, kws: &[&str]) -> bool {
        kws.iter().any(|k| self.is_kw(i, k))
    }

    fn is_punct(&self, i: usize, c: u8) -> bool {
        self.kind(i) == Some(Kind::Punct(c))
    }

    fn expect_kw(&self, i: usize, kw: &str) -> Result<usize, String> {
        if self.is_kw(i, kw) {
            Ok(i + 1)
        } else {
            Err(format!("expected {kw}, found {}", self.describe(i)))
        }
    }

    fn is_name(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Word | Kind::Quoted | Kind::Str))
    }

    /// An identifier, unquoted (SQLite accepts a single-quoted string where a name goes).
    fn ident(&self, i: usize) -> Result<String, String> {
        if self.is_name(i) {
            Ok(dequote(self.text(i)))
        } else {
            Err(format!("expected a name, found {}", self.describe(i)))
        }
    }

    fn skip_if_not_exists(&self, i: usize) -> usize {
        if self.is_kw(i, "IF") && self.is_kw(i + 1, "NOT") && self.is_kw(i + 2, "EXISTS") {
            i + 3
        } else {
            i
        }
    }

    /// `[schema.]name` → (name, index after it).
    fn qualified_name(&self, i: usize) -> Result<(String, usize), String> {
        let first = self.ident(i)?;
        if self.is_punct(i + 1, b'.') {
            Ok((self.ident(i + 2)?, i + 3))
        } else {
            Ok((first, i + 1))
        }
    }

    /// The index of the `)` matching the `(` at `open`.
    fn matching(&self, open: usize) -> Result<usize, String> {
        let mut depth = 0usize;
        for j in open..self.toks.len() {
            match self.toks[j].kind {
                Kind::Punct(b'(') => depth += 1,
                Kind::Punct(b')') => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(j);
                    }
                }
                _ => {}
            }
        }
        Err("unbalanced parentheses".into())
    }

    /// The index after the token at `i`, or after the parenthesised group it opens.
    fn skip_item(&self, i: usize) -> Result<usize, String> {
        if self.is_punct(i, b'(') {
            Ok(self.matching(i)? + 1)
        } else {
            Ok(i + 1)
        }
    }

    /// The text between the parentheses `open` and `close`, which must not be empty.
    fn inner(&self, open: usize, close: usize) -> Result<&'a str, String> {
        if close <= open + 1 {
            return Err("empty parentheses".into());
        }
        Ok(self.span(open + 1, close))
    }

    /// `(` at `i` → (its inner text, index after its `)`).
    fn paren_expr(&self, i: usize, what: &str) -> Result<(&'a str, usize), String> {
        if !self.is_punct(i, b'(') {
            return Err(format!(
                "expected `(` after {what}, found {}",
                self.describe(i)
            ));
        }
        let close = self.matching(i)?;
        Ok((self.inner(i, close)?, close + 1))
    }

    /// Splits tokens `lo..hi` at top-level commas into `(start, end)` ranges.
    fn split_items(&self, lo: usize, hi: usize) -> Result<Vec<(usize, usize)>, String> {
        let mut items = Vec::new();
        let mut a = lo;
        let mut j = lo;
        while j < hi {
            if self.is_punct(j, b',') {
                items.push((a, j));
                a = j + 1;
                j += 1;
            } else {
                j = self.skip_item(j)?;
            }
        }
        if a < hi || !items.is_empty() {
            items.push((a, hi));
        }
        if items.iter().any(|(a, b)| a >= b) {
            return Err("an empty item in a comma-separated list".into());
        }
        Ok(items)
    }

    /// The body of `CREATE TABLE ( … )`: column definitions, then table constraints.
    fn table_body(&self, lo: usize, hi: usize, t: &mut ParsedTable) -> Result<(), String> {
        let mut i = lo;
        while i < hi {
            if self.is_any_kw(i, TABLE_CONSTRAINT_WORDS) {
                // Table constraints come last; SQLite lets them follow each other without commas.
                while i < hi {
                    i = self.table_constraint(i, hi, t)?;
                }
                break;
            }
            let mut end = i;
            while end < hi && !self.is_punct(end, b',') {
                end = self.skip_item(end)?;
            }
            if end == i {
                return Err("an empty column definition".into());
            }
            self.column(i, end, t)?;
            i = end + 1;
            if end + 1 == hi {
                return Err("a trailing comma in the table body".into());
            }
        }
        if t.columns.is_empty() {
            return Err("a table without columns".into());
        }
        Ok(())
    }

    /// One column definition in tokens `lo..hi`.
    fn column(&self, lo: usize, hi: usize, t: &mut ParsedTable) -> Result<(), String> {
        let name = self.ident(lo)?;
        let mut col = ParsedColumn {
            name: name.clone(),
            ..ParsedColumn::default()
        };

        // The type: names up to a constraint keyword, then an optional `( … )`.
        let ty_start = lo + 1;
        let mut ty_end = ty_start;
        let mut j = ty_start;
        while j < hi {
            let generated_always = self.is_kw(j, "GENERATED") && self.is_kw(j + 1, "ALWAYS");
            if self.is_name(j) && !self.is_any_kw(j, COLUMN_CONSTRAINT_WORDS) && !generated_always {
                j += 1;
                ty_end = j;
            } else if self.is_punct(j, b'(') && ty_end > ty_start {
                j = self.matching(j)? + 1;
                ty_end = j;
            } else {
                break;
            }
        }
        if ty_end > ty_start {
            col.declared_type = declared_type(self.span(ty_start, ty_end));
        }

        // Column constraints. A `CONSTRAINT name` names the constraint right after it.
        let mut pending: Option<String> = None;
        while j < hi {
            if self.is_kw(j, "CONSTRAINT") {
                pending = Some(self.ident(j + 1)?);
                j += 2;
            } else if self.is_kw(j, "PRIMARY") {
                if let Some(n) = pending.take() {
                    t.pk_name = Some(n);
                }
                j += 1;
            } else if self.is_kw(j, "AUTOINCREMENT") {
                t.autoincrement = true;
                j += 1;
            } else if self.is_kw(j, "UNIQUE") {
                if let Some(n) = pending.take() {
                    t.unique_names.push((vec![name.clone()], n));
                }
                j += 1;
            } else if self.is_kw(j, "REFERENCES") {
                if let Some(n) = pending.take() {
                    t.fk_names.push((vec![name.clone()], n));
                }
                j += 1;
            } else if self.is_kw(j, "CHECK") {
                let (expr, next) = self.paren_expr(j + 1, "CHECK")?;
                t.checks.push(Check {
                    name: pending.take(),
                    expr: expr.to_string(),
                });
                j = next;
            } else if self.is_kw(j, "DEFAULT") && !self.is_kw(j - 1, "SET") {
                // DEFAULT [+|-] term, or DEFAULT ( expr ). (`ON DELETE SET DEFAULT` is not one.)
                pending = None;
                j += 1;
                while self.is_punct(j, b'+') || self.is_punct(j, b'-') {
                    j += 1;
                }
                if j >= hi {
                    return Err(format!("DEFAULT without a value for column `{name}`"));
                }
                j = self.skip_item(j)?;
            } else if self.is_kw(j, "COLLATE") {
                col.collation = Some(self.ident(j + 1)?);
                pending = None;
                j += 2;
            } else if self.is_kw(j, "AS")
                || (self.is_kw(j, "GENERATED")
                    && self.is_kw(j + 1, "ALWAYS")
                    && self.is_kw(j + 2, "AS"))
            {
                let open = if self.is_kw(j, "AS") { j + 1 } else { j + 3 };
                let (expr, mut next) = self.paren_expr(open, "AS")?;
                let stored = self.is_kw(next, "STORED");
                if stored || self.is_kw(next, "VIRTUAL") {
                    next += 1;
                }
                col.generated = Some(Generated {
                    expr: expr.to_string(),
                    stored,
                });
                pending = None;
                j = next;
            } else {
                if self.is_any_kw(j, &["NOT", "NULL", "DEFERRABLE"]) {
                    pending = None;
                }
                j = self.skip_item(j)?;
            }
        }
        t.columns.push(col);
        Ok(())
    }

    /// One table constraint starting at `i` (leading commas skipped); returns the index after it.
    fn table_constraint(
        &self,
        mut i: usize,
        hi: usize,
        t: &mut ParsedTable,
    ) -> Result<usize, String> {
        while i < hi && self.is_punct(i, b',') {
            i += 1;
        }
        if i >= hi {
            return if i == hi && self.is_punct(i - 1, b',') {
                Err("a trailing comma in the table body".into())
            } else {
                Ok(i)
            };
        }
        let mut name = None;
        if self.is_kw(i, "CONSTRAINT") {
            name = Some(self.ident(i + 1)?);
            i += 2;
        }
        if self.is_kw(i, "PRIMARY") && self.is_kw(i + 1, "KEY") {
            let (_, next) = self.key_columns(i + 2, "PRIMARY KEY", t)?;
            if name.is_some() {
                t.pk_name = name;
            }
            i = next;
        } else if self.is_kw(i, "UNIQUE") {
            let (cols, next) = self.key_columns(i + 1, "UNIQUE", t)?;
            if let Some(n) = name {
                t.unique_names.push((cols, n));
            }
            i = next;
        } else if self.is_kw(i, "CHECK") {
            let (expr, next) = self.paren_expr(i + 1, "CHECK")?;
            t.checks.push(Check {
                name,
                expr: expr.to_string(),
            });
            i = next;
        } else if self.is_kw(i, "FOREIGN") && self.is_kw(i + 1, "KEY") {
            let (cols, next) = self.key_columns(i + 2, "FOREIGN KEY", t)?;
            if let Some(n) = name {
                t.fk_names.push((cols, n));
            }
            i = next;
        } else {
            return Err(format!(
                "expected a table constraint, found {}",
                self.describe(i)
            ));
        }
        // The rest: ON CONFLICT …, REFERENCES … ON DELETE … DEFERRABLE …
        while i < hi && !self.is_punct(i, b',') && !self.is_any_kw(i, TABLE_CONSTRAINT_WORDS) {
            i = self.skip_item(i)?;
        }
        Ok(i)
    }

    /// `( col [COLLATE c] [ASC|DESC], … [AUTOINCREMENT] )` at `i` → (column names, index after).
    fn key_columns(
        &self,
        i: usize,
        what: &str,
        t: &mut ParsedTable,
    ) -> Result<(Vec<String>, usize), String> {
        if !self.is_punct(i, b'(') {
            return Err(format!(
                "expected `(` after {what}, found {}",
                self.describe(i)
            ));
        }
        let close = self.matching(i)?;
        let mut cols = Vec::new();
        for (a, mut b) in self.split_items(i + 1, close)? {
            if self.is_kw(b - 1, "AUTOINCREMENT") {
                t.autoincrement = true;
                b -= 1;
            }
            if b > a + 1 && (self.is_kw(b - 1, "ASC") || self.is_kw(b - 1, "DESC")) {
                b -= 1;
            }
            if b > a + 2 && self.is_kw(b - 2, "COLLATE") {
                b -= 2;
            }
            cols.push(if b == a + 1 {
                self.ident(a)?
            } else {
                self.span(a, b).to_string()
            });
        }
        if cols.is_empty() {
            return Err(format!("{what} without columns"));
        }
        Ok((cols, close + 1))
    }

    /// One indexed term in tokens `a..b`.
    fn index_part(&self, a: usize, b: usize) -> Result<IndexPart, String> {
        let mut e = b;
        let mut desc = false;
        if e > a + 1 && self.is_kw(e - 1, "DESC") {
            desc = true;
            e -= 1;
        } else if e > a + 1 && self.is_kw(e - 1, "ASC") {
            e -= 1;
        }
        let (core, collation) = if e > a + 2 && self.is_kw(e - 2, "COLLATE") {
            (e - 2, Some(self.ident(e - 1)?))
        } else {
            (e, None)
        };
        // A bare name, or a name in redundant parentheses, is a column.
        let name_at = if core == a + 1 && self.is_name(a) {
            Some(a)
        } else if core == a + 3
            && self.is_punct(a, b'(')
            && self.is_name(a + 1)
            && self.is_punct(a + 2, b')')
        {
            Some(a + 1)
        } else {
            None
        };
        Ok(match name_at {
            Some(k) => IndexPart::Column {
                name: self.ident(k)?,
                desc,
                collation,
            },
            None => IndexPart::Expr {
                expr: self.span(a, e).to_string(),
                desc,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, ty: &str) -> ParsedColumn {
        ParsedColumn {
            name: name.into(),
            declared_type: ty.into(),
            ..ParsedColumn::default()
        }
    }

    fn coll(name: &str, ty: &str, c: &str) -> ParsedColumn {
        ParsedColumn {
            collation: Some(c.into()),
            ..col(name, ty)
        }
    }

    fn gen(name: &str, ty: &str, expr: &str, stored: bool) -> ParsedColumn {
        ParsedColumn {
            generated: Some(Generated {
                expr: expr.into(),
                stored,
            }),
            ..col(name, ty)
        }
    }

    fn check(name: Option<&str>, expr: &str) -> Check {
        Check {
            name: name.map(Into::into),
            expr: expr.into(),
        }
    }

    fn table(name: &str, columns: Vec<ParsedColumn>) -> ParsedTable {
        ParsedTable {
            name: name.into(),
            columns,
            ..ParsedTable::default()
        }
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// (SQL, expected parse). Every statement here is also run through SQLite itself in
    /// `table_cases_agree_with_sqlite`, unless it is listed in `NOT_FOR_SQLITE`.
    fn table_cases() -> Vec<(&'static str, ParsedTable)> {
        vec![
            ("CREATE TABLE t(a, b)", table("t", vec![col("a", ""), col("b", "")])),
            (
                "create table t (id integer primary key, name text not null)",
                table("t", vec![col("id", "integer"), col("name", "text")]),
            ),
            // Odd types.
            (
                r#"CREATE TABLE double(x "double precision", y real, s short integer, u smallint unsigned not null)"#,
                table(
                    "double",
                    vec![
                        col("x", "double precision"),
                        col("y", "real"),
                        col("s", "short integer"),
                        col("u", "smallint unsigned"),
                    ],
                ),
            ),
            (
                "CREATE TABLE t548(foo numeric(20, 6), bar numeric(12,4), d DOUBLE(10,2) NOT NULL, i INT(11) DEFAULT 0, v varchar(255), n NUMERIC( 10 , -2 ))",
                table(
                    "t548",
                    vec![
                        col("foo", "numeric(20, 6)"),
                        col("bar", "numeric(12,4)"),
                        col("d", "DOUBLE(10,2)"),
                        col("i", "INT(11)"),
                        col("v", "varchar(255)"),
                        col("n", "NUMERIC( 10 , -2 )"),
                    ],
                ),
            ),
            (
                "CREATE TABLE typenames(id integer primary key autoincrement, is_public integer default '\"0\"', name text nocase)",
                ParsedTable {
                    autoincrement: true,
                    ..table(
                        "typenames",
                        vec![col("id", "integer"), col("is_public", "integer"), col("name", "text nocase")],
                    )
                },
            ),
            (
                "CREATE TABLE autoinc(id integer auto_increment primary key, ticket text)",
                table("autoinc", vec![col("id", "integer auto_increment"), col("ticket", "text")]),
            ),
            (
                "CREATE TABLE q(a 'text', b [my type], c `big int`, d \"x\"\"y\", e [my type] [x])",
                table(
                    "q",
                    vec![
                        col("a", "text"),
                        col("b", "my type"),
                        col("c", "big int"),
                        col("d", "x\"y"),
                        // As SQLite records it: the first quoted word only.
                        col("e", "my type"),
                    ],
                ),
            ),
            // Quoted and keyword names.
            (
                r#"CREATE TABLE "references"(id integer, "references" text, "order" int, key int, "a b" int, [c d] int, `e``f` int, 'g' int, "h""i" int)"#,
                table(
                    "references",
                    vec![
                        col("id", "integer"),
                        col("references", "text"),
                        col("order", "int"),
                        col("key", "int"),
                        col("a b", "int"),
                        col("c d", "int"),
                        col("e`f", "int"),
                        col("g", "int"),
                        col("h\"i", "int"),
                    ],
                ),
            ),
            ("CREATE TABLE user(id integer primary key autoincrement, name text)", ParsedTable {
                autoincrement: true,
                ..table("user", vec![col("id", "integer"), col("name", "text")])
            }),
            (
                "CREATE TABLE IF NOT EXISTS main.\"My Table\" (x int)",
                table("My Table", vec![col("x", "int")]),
            ),
            ("CREATE TEMP TABLE [tmp](x)", table("tmp", vec![col("x", "")])),
            ("CREATE TABLE key(action, replace text, if int)", table("key", vec![col("action", ""), col("replace", "text"), col("if", "int")])),
            // Reserved words as bare column names: SQLite refuses them, the parser still copes.
            (
                "CREATE TABLE bare_kw(order int, group text, user int)",
                table("bare_kw", vec![col("order", "int"), col("group", "text"), col("user", "int")]),
            ),
            // Comments anywhere.
            (
                "CREATE TABLE /* c1 */ t -- c2\n( -- the id\n id /* c3 */ INTEGER /* c4 */ PRIMARY KEY, -- more\n v varchar /* inside */ (10) -- last\n) /* end */",
                table("t", vec![col("id", "INTEGER"), col("v", "varchar /* inside */ (10)")]),
            ),
            // DEFAULTs followed by other constraints, and values that look like keywords.
            (
                "CREATE TABLE d(a int DEFAULT 0 NOT NULL, b text DEFAULT 'x, (y)' COLLATE NOCASE, c int DEFAULT -1 CHECK (c < 0), d text DEFAULT (lower('A,B')) UNIQUE, e DEFAULT CURRENT_TIMESTAMP, f default NULL, g text default \"\" collate rtrim, h default x'00ff', i real default +1.5e-3 not null)",
                ParsedTable {
                    checks: vec![check(None, "c < 0")],
                    ..table(
                        "d",
                        vec![
                            col("a", "int"),
                            coll("b", "text", "NOCASE"),
                            col("c", "int"),
                            col("d", "text"),
                            col("e", ""),
                            col("f", ""),
                            coll("g", "text", "rtrim"),
                            col("h", ""),
                            col("i", "real"),
                        ],
                    )
                },
            ),
            (
                "CREATE TABLE datetime_default(i integer, foo datetime default(DATETIME('now', 'localtime')), t TIMESTAMP DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')))",
                table(
                    "datetime_default",
                    vec![col("i", "integer"), col("foo", "datetime"), col("t", "TIMESTAMP")],
                ),
            ),
            // CHECKs: nested parentheses, strings with commas and parentheses, names.
            (
                "CREATE TABLE c(a int CHECK (a > 0 AND (a < 10 OR a = 100)), b text CONSTRAINT b_ok CHECK( b IN ('x,y', ')', '(''') ), c int, CHECK (c <> a), CONSTRAINT c_pos CHECK(c >= 0), constraint \"weird name\" check (length(b) > 0 -- trailing\n))",
                ParsedTable {
                    checks: vec![
                        check(None, "a > 0 AND (a < 10 OR a = 100)"),
                        check(Some("b_ok"), "b IN ('x,y', ')', '(''')"),
                        check(None, "c <> a"),
                        check(Some("c_pos"), "c >= 0"),
                        check(Some("weird name"), "length(b) > 0"),
                    ],
                    ..table("c", vec![col("a", "int"), col("b", "text"), col("c", "int")])
                },
            ),
            // Named constraints, table-level and column-level, with and without commas.
            (
                "CREATE TABLE n(id int CONSTRAINT pk_n PRIMARY KEY, e text CONSTRAINT uq_e UNIQUE, p int CONSTRAINT fk_p REFERENCES parent(id) ON DELETE SET DEFAULT CHECK (p > 0), q int, r int, CONSTRAINT uq_qr UNIQUE (q, \"r\" COLLATE nocase DESC), UNIQUE(r) CONSTRAINT fk_qr FOREIGN KEY (q, r) REFERENCES other (a, b) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED, FOREIGN KEY (r) REFERENCES x(y) CHECK (q <> r))",
                ParsedTable {
                    checks: vec![check(None, "p > 0"), check(None, "q <> r")],
                    pk_name: Some("pk_n".into()),
                    unique_names: vec![
                        (names(&["e"]), "uq_e".into()),
                        (names(&["q", "r"]), "uq_qr".into()),
                    ],
                    fk_names: vec![
                        (names(&["p"]), "fk_p".into()),
                        (names(&["q", "r"]), "fk_qr".into()),
                    ],
                    ..table(
                        "n",
                        vec![col("id", "int"), col("e", "text"), col("p", "int"), col("q", "int"), col("r", "int")],
                    )
                },
            ),
            (
                "CREATE TABLE [Album]\n(\n    [AlbumId] INTEGER  NOT NULL,\n    [Title] NVARCHAR(160)  NOT NULL,\n    [ArtistId] INTEGER  NOT NULL,\n    CONSTRAINT [PK_Album] PRIMARY KEY  ([AlbumId]),\n    FOREIGN KEY ([ArtistId]) REFERENCES [Artist] ([ArtistId]) \n\t\tON DELETE NO ACTION ON UPDATE NO ACTION\n)",
                ParsedTable {
                    pk_name: Some("PK_Album".into()),
                    ..table(
                        "Album",
                        vec![col("AlbumId", "INTEGER"), col("Title", "NVARCHAR(160)"), col("ArtistId", "INTEGER")],
                    )
                },
            ),
            (
                "CREATE TABLE pk2(a int, b int, CONSTRAINT pk2_pk PRIMARY KEY (a, b) ON CONFLICT REPLACE)",
                ParsedTable {
                    pk_name: Some("pk2_pk".into()),
                    ..table("pk2", vec![col("a", "int"), col("b", "int")])
                },
            ),
            (
                "CREATE TABLE pk3(id INTEGER NOT NULL, PRIMARY KEY (id AUTOINCREMENT))",
                ParsedTable { autoincrement: true, ..table("pk3", vec![col("id", "INTEGER")]) },
            ),
            (
                "CREATE TABLE pk4(id INTEGER PRIMARY KEY ASC ON CONFLICT FAIL AUTOINCREMENT)",
                ParsedTable { autoincrement: true, ..table("pk4", vec![col("id", "INTEGER")]) },
            ),
            // Generated columns.
            (
                "CREATE TABLE g(a int, b int GENERATED ALWAYS AS (a * 2) STORED, c text generated always as (printf('%d,(%d)', a, b)) virtual, d AS (a + 1), e int as(upper('x')) stored NOT NULL, f generated always as (1))",
                table(
                    "g",
                    vec![
                        col("a", "int"),
                        gen("b", "int", "a * 2", true),
                        gen("c", "text", "printf('%d,(%d)', a, b)", false),
                        gen("d", "", "a + 1", false),
                        gen("e", "int", "upper('x')", true),
                        gen("f", "", "1", false),
                    ],
                ),
            ),
            (
                "CREATE TABLE g2(x, a int generated as (1), b int COLLATE nocase GENERATED ALWAYS AS (x || 'y'))",
                table(
                    "g2",
                    vec![
                        col("x", ""),
                        gen("a", "int generated", "1", false),
                        ParsedColumn {
                            collation: Some("nocase".into()),
                            ..gen("b", "int", "x || 'y'", false)
                        },
                    ],
                ),
            ),
            // Table options.
            (
                "CREATE TABLE w(k text primary key, v) WITHOUT ROWID",
                ParsedTable { without_rowid: true, ..table("w", vec![col("k", "text"), col("v", "")]) },
            ),
            (
                "CREATE TABLE s(k integer primary key, v text) strict",
                ParsedTable { strict: true, ..table("s", vec![col("k", "integer"), col("v", "text")]) },
            ),
            (
                "CREATE TABLE ws(k text primary key, v any) STRICT, WITHOUT ROWID",
                ParsedTable {
                    strict: true,
                    without_rowid: true,
                    ..table("ws", vec![col("k", "text"), col("v", "any")])
                },
            ),
            (
                "CREATE TABLE ws2(k text primary key) WITHOUT ROWID, STRICT;",
                ParsedTable { strict: true, without_rowid: true, ..table("ws2", vec![col("k", "text")]) },
            ),
            // Column-level REFERENCES with refargs that contain DEFAULT and NULL.
            (
                "CREATE TABLE f(a int REFERENCES p(id) ON DELETE SET NULL ON UPDATE SET DEFAULT NOT DEFERRABLE, b int REFERENCES \"p q\" MATCH FULL COLLATE binary)",
                table("f", vec![col("a", "int"), coll("b", "int", "binary")]),
            ),
            // Unicode names and types.
            ("CREATE TABLE ünï(名前 テキスト, \"é\" int)", table("ünï", vec![col("名前", "テキスト"), col("é", "int")])),
        ]
    }

    /// Cases SQLite itself refuses (or that need a parent schema), so only the parser sees them.
    const NOT_FOR_SQLITE: &[&str] = &["CREATE TEMP TABLE", "CREATE TABLE bare_kw"];

    #[test]
    fn parse_table_cases() {
        for (sql, want) in table_cases() {
            let got = parse_create_table(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            assert_eq!(got, want, "\n{sql}");
        }
    }

    #[test]
    fn parse_table_errors() {
        for sql in [
            "CREATE VIRTUAL TABLE v USING fts5(a, b)",
            "CREATE TABLE t AS SELECT 1",
            "CREATE TABLE t(a int",
            "CREATE TABLE t(a 'oops)",
            "CREATE TABLE t()",
            "CREATE TABLE t(a,)",
            "CREATE TABLE t(a, PRIMARY KEY(a),)",
            "CREATE TABLE t(a CHECK ())",
            "CREATE TABLE t(a) WITH ROWID",
            "CREATE INDEX i ON t(a)",
            "",
        ] {
            assert!(parse_create_table(sql).is_err(), "{sql} should fail");
        }
    }

    /// Runs each table case through SQLite and compares with what its PRAGMA says.
    #[test]
    fn parse_table_cases_agree_with_sqlite() {
        let mut ran = 0;
        for (sql, want) in table_cases() {
            if NOT_FOR_SQLITE.iter().any(|p| sql.starts_with(p)) {
                continue;
            }
            let db = rusqlite::Connection::open_in_memory().unwrap();
            db.execute_batch(sql)
                .unwrap_or_else(|e| panic!("SQLite refuses {sql}: {e}"));
            let name: String = db
                .query_row(
                    "SELECT name FROM sqlite_master WHERE type = 'table'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(name, want.name, "{sql}");
            compare_with_pragma(&db, &name, &want);
            ran += 1;
        }
        assert!(ran > 20);
    }

    /// More odd but valid statements, checked only against what SQLite itself records.
    #[test]
    fn parse_odd_tables_agree_with_sqlite() {
        for sql in [
            "CREATE TABLE t(a int CONSTRAINT c)",
            "CREATE TABLE t(a timestamp with time zone, b character varying(255), c unsigned big int, d long varchar, e double precision not null)",
            "CREATE TABLE t(a numeric(10,\n 2), b varchar ( 20 ) , c decimal(+10, -2))",
            "CREATE TABLE t(a, b, PRIMARY KEY(a) ON CONFLICT IGNORE UNIQUE(b) CHECK(a<>b))",
            "CREATE TABLE t(a INT DEFAULT(1)NOT NULL,b TEXT DEFAULT'x'COLLATE\"nocase\")",
            "CREATE TABLE t(a INT/**/PRIMARY/**/KEY,b/**/)",
            "CREATE TABLE t(a text default 'it''s, (ok)' check(a <> ')'), b)",
            "CREATE TABLE \"x.y\"(a)",
            "CREATE TABLE t(x, a AS (1) stored, b)",
            "CREATE TABLE t(a int, b int as (a) VIRTUAL NOT NULL UNIQUE)",
            "CREATE TABLE t(a xxxxxxxxxx always, b generated int)",
            "CREATE TABLE t(rowid int, oid text, _rowid_ blob)",
            "CREATE TABLE t(a integer primary key asc, b text unique on conflict replace, c references p on delete cascade deferrable initially deferred)",
            "CREATE TABLE t(\"a\" [text], b '', c \"\", d ```q`` r`)",
            "CREATE TABLE t(a int -- c, d\n, b -- (\n)",
            "CREATE TABLE t(a int NOT NULL ON CONFLICT ABORT DEFAULT -5 CHECK(a<0) COLLATE BINARY REFERENCES p(x) MATCH SIMPLE)",
            "CREATE TABLE t(a DEFAULT TRUE, b DEFAULT CURRENT_DATE, c DEFAULT 0x10, d DEFAULT .5)",
            "CREATE TABLE t(a, b, FOREIGN KEY(a, b) REFERENCES p ON DELETE SET DEFAULT, CONSTRAINT k UNIQUE(a COLLATE nocase, b DESC))",
            "CREATE TABLE t(a text PRIMARY KEY, b) WITHOUT ROWID",
            "CREATE TABLE t(a INTEGER PRIMARY KEY, b INT, c REAL, d TEXT, e BLOB, f ANY) STRICT",
        ] {
            let parsed = parse_create_table(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            let db = rusqlite::Connection::open_in_memory().unwrap();
            db.execute_batch(sql).unwrap_or_else(|e| panic!("SQLite refuses {sql}: {e}"));
            compare_with_pragma(&db, &parsed.name, &parsed);
        }
        // A few of the above in detail.
        let t = parse_create_table("CREATE TABLE t(a int CONSTRAINT c)").unwrap();
        assert_eq!(
            (t.pk_name, t.unique_names.len(), t.checks.len()),
            (None, 0, 0)
        );
        let t = parse_create_table(
            "CREATE TABLE t(a, b, FOREIGN KEY(a, b) REFERENCES p ON DELETE SET DEFAULT, CONSTRAINT k UNIQUE(a COLLATE nocase, b DESC))",
        )
        .unwrap();
        assert_eq!(t.unique_names, vec![(names(&["a", "b"]), "k".to_string())]);
        let t = parse_create_table(
            "CREATE TABLE t(a INT DEFAULT(1)NOT NULL,b TEXT DEFAULT'x'COLLATE\"nocase\")",
        )
        .unwrap();
        assert_eq!(t.columns[1].collation.as_deref(), Some("nocase"));
    }

    #[derive(Debug)]
    struct XInfo {
        name: String,
        ty: String,
        hidden: i64,
    }

    fn table_xinfo(db: &rusqlite::Connection, table: &str) -> Vec<XInfo> {
        let mut st = db
            .prepare("SELECT name, type, hidden FROM pragma_table_xinfo(?1) ORDER BY cid")
            .unwrap();
        st.query_map([table], |r| {
            Ok(XInfo {
                name: r.get(0)?,
                ty: r.get(1)?,
                hidden: r.get(2)?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// Column names, declared types and generated kinds of `parsed` against `PRAGMA table_xinfo`.
    fn compare_with_pragma(db: &rusqlite::Connection, table: &str, parsed: &ParsedTable) {
        let info = table_xinfo(db, table);
        let got: Vec<&str> = parsed.columns.iter().map(|c| c.name.as_str()).collect();
        let want: Vec<&str> = info.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(got, want, "column names of {table}");
        for (c, x) in parsed.columns.iter().zip(&info) {
            // SQLite upper-cases the standard type names (INT, INTEGER, REAL, TEXT, BLOB, ANY).
            assert!(
                c.declared_type.eq_ignore_ascii_case(&x.ty),
                "type of {table}.{}: parsed `{}`, SQLite `{}`",
                c.name,
                c.declared_type,
                x.ty
            );
            let kind = match &c.generated {
                None => 0,
                Some(g) if g.stored => 3,
                Some(_) => 2,
            };
            // hidden: 0 normal, 1 hidden (virtual tables), 2 virtual generated, 3 stored generated.
            if x.hidden != 1 {
                assert_eq!(kind, x.hidden, "generated kind of {table}.{}", c.name);
            }
        }
    }

    fn cpart(name: &str, desc: bool, collation: Option<&str>) -> IndexPart {
        IndexPart::Column {
            name: name.into(),
            desc,
            collation: collation.map(Into::into),
        }
    }

    fn epart(expr: &str, desc: bool) -> IndexPart {
        IndexPart::Expr {
            expr: expr.into(),
            desc,
        }
    }

    fn index_cases() -> Vec<(&'static str, ParsedIndex)> {
        let idx = |parts: Vec<IndexPart>, w: Option<&str>| ParsedIndex {
            parts,
            where_clause: w.map(Into::into),
        };
        vec![
            ("CREATE INDEX i ON t(a)", idx(vec![cpart("a", false, None)], None)),
            (
                "CREATE UNIQUE INDEX IF NOT EXISTS main.i ON t (lower(email), a DESC, b COLLATE NOCASE, c COLLATE \"rtrim\" ASC)",
                idx(
                    vec![
                        epart("lower(email)", false),
                        cpart("a", true, None),
                        cpart("b", false, Some("NOCASE")),
                        cpart("c", false, Some("rtrim")),
                    ],
                    None,
                ),
            ),
            (
                "CREATE INDEX active ON t(a) WHERE status = 'x' AND deleted_at IS NULL",
                idx(vec![cpart("a", false, None)], Some("status = 'x' AND deleted_at IS NULL")),
            ),
            (
                "CREATE INDEX [IFK_AlbumArtistId] ON [Album] ([ArtistId])",
                idx(vec![cpart("ArtistId", false, None)], None),
            ),
            (
                "create index \"i x\" on \"t t\"(\"a b\", `c`, [d e] desc, 'f', (g), a + b DESC, substr(c, 1, 2) COLLATE nocase, json_extract(d, '$.a,b'))",
                idx(
                    vec![
                        cpart("a b", false, None),
                        cpart("c", false, None),
                        cpart("d e", true, None),
                        cpart("f", false, None),
                        cpart("g", false, None),
                        epart("a + b", true),
                        epart("substr(c, 1, 2) COLLATE nocase", false),
                        epart("json_extract(d, '$.a,b')", false),
                    ],
                    None,
                ),
            ),
            (
                "CREATE INDEX /* c */ i ON t ( a /* x */ ) -- y\n WHERE /* z */ a > 0 -- trailing\n",
                idx(vec![cpart("a", false, None)], Some("a > 0")),
            ),
            ("CREATE INDEX i ON t(a) WHERE b IN ('(', ',');", idx(vec![cpart("a", false, None)], Some("b IN ('(', ',')"))),
        ]
    }

    #[test]
    fn parse_index_cases() {
        for (sql, want) in index_cases() {
            let got = parse_create_index(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            assert_eq!(got, want, "\n{sql}");
        }
        for sql in [
            "CREATE INDEX i ON t()",
            "CREATE INDEX i ON t(a) WHERE",
            "CREATE INDEX i ON t(a) garbage",
            "CREATE INDEX i ON t(a",
            "CREATE TABLE t(a)",
        ] {
            assert!(parse_create_index(sql).is_err(), "{sql} should fail");
        }
    }

    /// Index cases against SQLite's `index_xinfo`, on a table that has the columns they use.
    #[test]
    fn parse_index_cases_agree_with_sqlite() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE t(a, b, c, d, email, status, deleted_at, f, g);
             CREATE TABLE [Album]([ArtistId]);
             CREATE TABLE \"t t\"(\"a b\", c, [d e], f, g, a, b, d);",
        )
        .unwrap();
        for (k, (sql, _)) in index_cases().into_iter().enumerate() {
            // Give each index a fresh name so all fit in one database.
            let p = parse_create_index(sql).unwrap();
            let renamed = rename_index(sql, k);
            db.execute_batch(&renamed)
                .unwrap_or_else(|e| panic!("SQLite refuses {renamed}: {e}"));
            let name = format!("ix{k}");
            compare_index_with_pragma(&db, &name, &p);
        }
    }

    fn rename_index(sql: &str, k: usize) -> String {
        let p = Parser::new(sql).unwrap();
        let mut i = 1;
        while !p.is_kw(i, "INDEX") {
            i += 1;
        }
        i = p.skip_if_not_exists(i + 1);
        let (_, next) = p.qualified_name(i).unwrap();
        format!(
            "{}ix{k}{}",
            &sql[..p.toks[i].start],
            &sql[p.toks[next - 1].end..]
        )
    }

    fn compare_index_with_pragma(db: &rusqlite::Connection, index: &str, parsed: &ParsedIndex) {
        let mut st = db
            .prepare("SELECT cid, name, desc, coll FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno")
            .unwrap();
        let rows: Vec<(i64, Option<String>, bool, Option<String>)> = st
            .query_map([index], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows.len(), parsed.parts.len(), "terms of {index}");
        for (part, (cid, name, desc, coll)) in parsed.parts.iter().zip(rows) {
            match part {
                IndexPart::Column {
                    name: n,
                    desc: d,
                    collation,
                } => {
                    assert!(cid >= 0, "{index}: {n} should be an expression");
                    assert_eq!(Some(n.as_str()), name.as_deref(), "{index}");
                    assert_eq!(*d, desc, "{index}.{n} desc");
                    if let Some(c) = collation {
                        assert!(
                            coll.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(c)),
                            "{index}.{n} collation"
                        );
                    }
                }
                IndexPart::Expr { expr, desc: d } => {
                    assert_eq!(cid, -2, "{index}: `{expr}` should be a column");
                    assert_eq!(*d, desc, "{index}: `{expr}` desc");
                }
            }
        }
        let partial: bool = db
            .query_row(
                "SELECT partial FROM pragma_index_list((SELECT tbl_name FROM sqlite_master WHERE name = ?1)) WHERE name = ?1",
                [index],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(partial, parsed.where_clause.is_some(), "{index} partial");
    }

    #[test]
    fn parse_view_select() {
        for (sql, want) in [
            ("CREATE VIEW v AS SELECT 1", "SELECT 1"),
            (
                "CREATE TEMP VIEW IF NOT EXISTS main.\"v v\" (a, b) AS\n  SELECT x AS a, y AS b FROM t -- c\n;",
                "SELECT x AS a, y AS b FROM t",
            ),
            ("create view [as] as /* c */ with r as (select 1) select * from r", "with r as (select 1) select * from r"),
        ] {
            assert_eq!(view_select(sql).unwrap(), want, "{sql}");
        }
        assert!(view_select("CREATE VIEW v").is_err());
        assert!(view_select("CREATE VIEW v AS").is_err());
        assert!(view_select("CREATE TABLE v(a)").is_err());
    }

    #[test]
    fn parse_tokenizer_details() {
        let p = Parser::new("x'0a' 1.5e-3 0x1F .5 ?1 :n a.b 'it''s' -- c\n /* d */ [a]").unwrap();
        let kinds: Vec<Kind> = p.toks.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            vec![
                Kind::Blob,
                Kind::Number,
                Kind::Number,
                Kind::Number,
                Kind::Variable,
                Kind::Variable,
                Kind::Word,
                Kind::Punct(b'.'),
                Kind::Word,
                Kind::Str,
                Kind::Quoted,
            ]
        );
        assert_eq!(p.text(1), "1.5e-3");
        assert_eq!(dequote("'it''s'"), "it's");
        assert_eq!(dequote("[a\"b]"), "a\"b");
        assert_eq!(dequote("plain"), "plain");
        // An unterminated comment runs to the end, as in SQLite.
        assert_eq!(Parser::new("a /* b").unwrap().toks.len(), 1);
    }

    /// Every table and index of every database in the shared conformance corpus parses, and
    /// agrees with SQLite's PRAGMAs. The files are opened read-only.
    #[test]
    fn parse_corpus() {
        let root = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus"
        ));
        if !root.is_dir() {
            println!("skipped: no corpus at {}", root.display());
            return;
        }
        let mut files = Vec::new();
        let mut dirs = vec![root.to_path_buf()];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if is_sqlite_file(&path) {
                    files.push(path);
                }
            }
        }
        files.sort();
        assert!(
            !files.is_empty(),
            "no SQLite files under {}",
            root.display()
        );
        let (mut tables, mut indexes) = (0, 0);
        for path in &files {
            let db = rusqlite::Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mut st = db
                .prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL")
                .unwrap();
            let rows: Vec<(String, String, String)> = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            for (kind, name, sql) in rows {
                let at = format!("{}: {kind} {name}", path.display());
                if kind == "table" {
                    if sql
                        .get(..14)
                        .is_some_and(|s| s.eq_ignore_ascii_case("CREATE VIRTUAL"))
                    {
                        continue;
                    }
                    let t = parse_create_table(&sql).unwrap_or_else(|e| panic!("{at}: {e}\n{sql}"));
                    assert_eq!(t.name, name, "{at}");
                    compare_with_pragma(&db, &name, &t);
                    tables += 1;
                } else {
                    let i = parse_create_index(&sql).unwrap_or_else(|e| panic!("{at}: {e}\n{sql}"));
                    compare_index_with_pragma(&db, &name, &i);
                    indexes += 1;
                }
            }
        }
        println!(
            "corpus: {} files, {tables} tables, {indexes} indexes parsed",
            files.len()
        );
        assert!(tables > 0);
    }

    /// A file whose first 16 bytes are SQLite's header.
    fn is_sqlite_file(path: &std::path::Path) -> bool {
        use std::io::Read;
        let mut head = [0u8; 16];
        std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut head))
            .is_ok()
            && &head == b"SQLite format 3\0"
    }
}
