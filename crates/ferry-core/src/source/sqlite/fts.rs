//! FTS3/4/5 virtual tables read as tables of their documents: the row id as the key, then
//! each column as text, and what the table searches (`schema::Fts`) for the target's own
//! full-text index. The shadow tables SQLite keeps the index in are not read.
//!
//! An external-content table (`content='posts'`) reads its documents from the content
//! table through itself, by its row id, so its rows are the content table's rows as the
//! search sees them. A contentless one (`content=''`) keeps no documents at all: it is not
//! carried, and says why.

use crate::schema::{Column, Fts, PrimaryKey, Table};
use rusqlite::Connection;

/// The name the FTS table's row id is carried under.
pub const ROWID: &str = "rowid";

/// The modules read this way.
pub fn is_fts(module: &str) -> bool {
    matches!(module.to_ascii_lowercase().as_str(), "fts3" | "fts4" | "fts5")
}

/// What the arguments of `CREATE VIRTUAL TABLE … USING ftsN (…)` say.
#[derive(Debug, Default, PartialEq)]
pub struct FtsArgs {
    /// Column names in order, each with whether it is searched.
    pub columns: Vec<(String, bool)>,
    pub tokenizer: String,
    /// `content=…`: None when absent, `Some("")` for a contentless table.
    pub content: Option<String>,
}

/// Splits the arguments at the commas that are not inside quotes or parentheses.
fn split_args(s: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0i32;
    for c in s.chars() {
        match quote {
            Some(q) => {
                cur.push(c);
                if c == q || (q == '[' && c == ']') {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' | '`' | '[' => {
                    quote = Some(c);
                    cur.push(c);
                }
                '(' => {
                    depth += 1;
                    cur.push(c);
                }
                ')' => {
                    depth -= 1;
                    cur.push(c);
                }
                ',' if depth == 0 => out.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            },
        }
    }
    out.push(cur);
    out.into_iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect()
}

/// An identifier or value without its quotes (`'a''b'` → `a'b`, `[x]` → `x`).
fn unquote(s: &str) -> String {
    let s = s.trim();
    let mut ch = s.chars();
    match (ch.next(), s.chars().last()) {
        (Some(q @ ('\'' | '"' | '`')), Some(e)) if e == q && s.len() >= 2 => s[1..s.len() - 1].replace(&format!("{q}{q}"), &q.to_string()),
        (Some('['), Some(']')) => s[1..s.len() - 1].to_string(),
        _ => s.to_string(),
    }
}

/// The position of the first `=` outside quotes.
fn option_eq(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '\'' | '"' | '`') => quote = Some(c),
            None if c == '=' => return Some(i),
            None => {}
        }
    }
    None
}

/// Reads the arguments of an FTS table's `CREATE VIRTUAL TABLE` statement.
pub fn parse_args(sql: &str) -> FtsArgs {
    let mut a = FtsArgs::default();
    let (Some(open), Some(close)) = (sql.find('('), sql.rfind(')')) else { return a };
    if close <= open {
        return a;
    }
    let mut notindexed = vec![];
    for arg in split_args(&sql[open + 1..close]) {
        let key_end = option_eq(&arg).filter(|&i| arg[..i].trim().chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if let Some(i) = key_end {
            let (key, value) = (arg[..i].trim().to_ascii_lowercase(), arg[i + 1..].trim());
            match key.as_str() {
                "tokenize" => a.tokenizer = unquote(value),
                "content" => a.content = Some(unquote(value)),
                "notindexed" => notindexed.push(unquote(value)),
                _ => {}
            }
            continue;
        }
        // FTS3's older spelling: `tokenize porter`.
        let lower = arg.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("tokenize ").map(|_| &arg[9..]) {
            a.tokenizer = rest.trim().to_string();
            continue;
        }
        let (name, rest) = match arg.chars().next() {
            Some(q @ ('\'' | '"' | '`' | '[')) => {
                let end_q = if q == '[' { ']' } else { q };
                let mut end = arg.len();
                let mut it = arg.char_indices().skip(1).peekable();
                while let Some((i, c)) = it.next() {
                    if c == end_q {
                        if end_q != ']' && it.peek().is_some_and(|(_, n)| *n == end_q) {
                            it.next();
                            continue;
                        }
                        end = i + 1;
                        break;
                    }
                }
                (unquote(&arg[..end]), arg[end..].to_string())
            }
            _ => {
                let end = arg.find(char::is_whitespace).unwrap_or(arg.len());
                (arg[..end].to_string(), arg[end..].to_string())
            }
        };
        let unindexed = rest.split_whitespace().any(|w| w.eq_ignore_ascii_case("UNINDEXED"));
        a.columns.push((name, !unindexed));
    }
    for n in notindexed {
        if let Some(c) = a.columns.iter_mut().find(|(c, _)| c.eq_ignore_ascii_case(&n)) {
            c.1 = false;
        }
    }
    a
}

/// The FTS table `name` as a table of its documents, or why it cannot be one.
pub fn read(conn: &Connection, name: &str, module: &str, sql: &str, shadow_tables: Vec<String>, count: bool) -> rusqlite::Result<Result<Table, String>> {
    let args = parse_args(sql);
    if args.content.as_deref() == Some("") {
        return Ok(Err("not carried: a contentless FTS table (content='') keeps only its search index, not the documents, so it has no rows to carry; index the table that holds the documents on the target".into()));
    }
    // The visible columns, as SQLite reads them (hidden ones: the table's own name, rank, docid).
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_xinfo(?1) WHERE hidden = 0 ORDER BY cid")?;
    let names: Vec<String> = stmt.query_map([name], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    if names.iter().any(|n| n.eq_ignore_ascii_case(ROWID)) {
        return Ok(Err(format!("not carried: it has a column named {ROWID}, the name its row id is carried under")));
    }
    let mut columns = vec![Column { name: ROWID.into(), declared_type: "INTEGER".into(), not_null: true, ..Default::default() }];
    let mut unindexed = vec![];
    for n in &names {
        let searched = args.columns.iter().find(|(c, _)| c.eq_ignore_ascii_case(n)).is_none_or(|(_, s)| *s);
        if !searched {
            unindexed.push(n.clone());
        }
        columns.push(Column { name: n.clone(), declared_type: "TEXT".into(), ..Default::default() });
    }
    let row_count = if count { conn.query_row(&format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\"")), [], |r| r.get::<_, i64>(0))? as u64 } else { 0 };
    Ok(Ok(Table {
        name: name.into(),
        columns,
        primary_key: Some(PrimaryKey { name: None, columns: vec![ROWID.into()], autoincrement: false }),
        rowid_alias: Some(ROWID.into()),
        row_count,
        sql: sql.into(),
        fts: Some(Fts { module: module.to_ascii_lowercase(), tokenizer: args.tokenizer, unindexed, content: args.content, shadow_tables }),
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arguments_say_columns_tokenizer_and_content() {
        let cols = |v: &[(&str, bool)]| v.iter().map(|(n, s)| (n.to_string(), *s)).collect::<Vec<_>>();
        let cases: Vec<(&str, FtsArgs)> = vec![
            ("CREATE VIRTUAL TABLE d USING fts5(title, body)", FtsArgs { columns: cols(&[("title", true), ("body", true)]), ..Default::default() }),
            (
                "CREATE VIRTUAL TABLE d USING fts5(title, body UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 1')",
                FtsArgs { columns: cols(&[("title", true), ("body", false)]), tokenizer: "porter unicode61 remove_diacritics 1".into(), content: None },
            ),
            (
                "CREATE VIRTUAL TABLE d USING fts5(\"the title\", [b,c], content='posts', content_rowid='id', prefix='2 3')",
                FtsArgs { columns: cols(&[("the title", true), ("b,c", true)]), tokenizer: String::new(), content: Some("posts".into()) },
            ),
            ("create virtual table d using FTS5(a, content='')", FtsArgs { columns: cols(&[("a", true)]), tokenizer: String::new(), content: Some(String::new()) }),
            (
                "CREATE VIRTUAL TABLE d USING fts4(title TEXT, body, notindexed=body, tokenize=unicode61 \"remove_diacritics=0\")",
                FtsArgs { columns: cols(&[("title", true), ("body", false)]), tokenizer: "unicode61 \"remove_diacritics=0\"".into(), content: None },
            ),
            ("CREATE VIRTUAL TABLE d USING fts3(a, b, tokenize porter)", FtsArgs { columns: cols(&[("a", true), ("b", true)]), tokenizer: "porter".into(), content: None }),
            ("CREATE VIRTUAL TABLE d USING fts4(content=\"posts\", a)", FtsArgs { columns: cols(&[("a", true)]), tokenizer: String::new(), content: Some("posts".into()) }),
        ];
        for (sql, want) in cases {
            assert_eq!(parse_args(sql), want, "{sql}");
        }
    }

    #[test]
    fn the_tokenizer_is_named_without_its_options() {
        let f = |module: &str, tok: &str| Fts { module: module.into(), tokenizer: tok.into(), ..Default::default() };
        let cases = [
            (f("fts5", ""), "unicode61", false),
            (f("fts4", ""), "simple", false),
            (f("fts5", "porter unicode61 remove_diacritics 1"), "porter unicode61", true),
            (f("fts5", "porter"), "porter", true),
            (f("fts4", "porter"), "porter", true),
            (f("fts5", "'trigram' 'case_sensitive' 0"), "trigram", false),
            (f("fts4", "unicode61 \"remove_diacritics=0\""), "unicode61", false),
        ];
        for (fts, name, stems) in cases {
            assert_eq!((fts.tokenizer_name(), fts.stems()), (name.to_string(), stems), "{fts:?}");
        }
    }
}
