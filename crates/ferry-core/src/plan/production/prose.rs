//! `[[production]]` proposals of kind `search`: full-text search over the text columns of a
//! table that read as prose (descriptions, notes) or names (people's, products', e-mail
//! addresses). The profile rules out what is not words (UUIDs, instants, JSON, numbers,
//! enum-like columns, keys); the words the profile counted in the first 5,000 rows of the
//! remaining text columns then tell how long the values are and how many words they hold
//! (where it did not count them, one aggregate per table over those rows). PostgreSQL gets a stored
//! generated `tsvector` and a GIN index (as FTS tables do, `plan::search`), under `english`
//! when a column reads as prose and `simple` when all are names; MySQL/MariaDB a stored
//! generated column of their text under a case-insensitive collation, with a `FULLTEXT` index.
//!
//! Parameters: `columns` (the searched columns, source names, all planned as text) and
//! `using` (PostgreSQL's text search configuration; none on MySQL/MariaDB).

use super::proposal::{Proposal, ProposalKind};
use crate::dialect::{derived_name, Dialect, Names};
use crate::error::{FerryError, Result};
use crate::events::Warning;
use crate::plan::model::Plan;
use crate::plan::planned::{table_mut, PlannedTable};
use crate::plan::search::{vector_name, PlannedSearch};
use crate::schema::{Column, LogicalType, Schema, Table};
use std::path::Path;

/// The configurations a PostgreSQL server has built in; a plan naming another is refused.
const CONFIGS: &[&str] = &[
    "simple", "arabic", "armenian", "basque", "catalan", "danish", "dutch", "english", "finnish", "french", "german", "greek", "hindi", "hungarian", "indonesian", "irish",
    "italian", "lithuanian", "nepali", "norwegian", "portuguese", "romanian", "russian", "serbian", "spanish", "swedish", "tamil", "turkish", "yiddish",
];

/// What one aggregate over a column's text values says.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TextStats {
    /// Non-empty text values.
    pub values: u64,
    pub avg_chars: f64,
    pub avg_words: f64,
    /// Values holding a digit, values holding an `@`.
    pub with_digit: u64,
    pub with_at: u64,
}

/// How a column's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// Sentences: five words or more on average.
    Prose,
    /// A few words without digits (people's or products' names), or e-mail addresses.
    Names,
    /// Codes, single words, numbers: nothing to search by words.
    Neither,
}

/// Prose: at least this many words and characters on average.
const PROSE_WORDS: f64 = 5.0;
const PROSE_CHARS: f64 = 24.0;
/// Names: at least this many words on average (a first and a last name), at most this long.
const NAME_WORDS: f64 = 1.5;
const NAME_CHARS: f64 = 80.0;

pub fn reads_as(s: &TextStats) -> Reads {
    if s.values == 0 {
        return Reads::Neither;
    }
    let share = |n: u64| n as f64 / s.values as f64;
    if s.avg_words >= PROSE_WORDS && s.avg_chars >= PROSE_CHARS {
        Reads::Prose
    } else if share(s.with_at) >= 0.9 && s.avg_words < NAME_WORDS {
        Reads::Names
    } else if s.avg_words >= NAME_WORDS && s.avg_chars <= NAME_CHARS && share(s.with_digit) <= 0.1 {
        Reads::Names
    } else {
        Reads::Neither
    }
}

/// Values a searched column needs before a search index is worth its cost.
const MIN_VALUES: u64 = 100;

fn is_address(s: &TextStats) -> bool {
    s.with_at * 10 >= s.values * 9
}

/// Whether a table's columns that read as words earn it a search: one of prose or names
/// (e-mail addresses alone are looked up whole, not searched) that most of the `rows` read
/// fill, with `MIN_VALUES` values at least (an error column of a few rows is not searched).
pub fn worth_searching(read: &[(TextStats, Reads)], rows: u64) -> bool {
    read.iter().any(|(s, r)| *r != Reads::Neither && !is_address(s) && s.values >= MIN_VALUES && s.values * 2 >= rows)
}

/// Why the profile rules a text column out of search, or None when it may hold words.
pub fn ruled_out(t: &Table, c: &Column) -> Option<&'static str> {
    let key = |cols: &[String]| cols.iter().any(|k| k.eq_ignore_ascii_case(&c.name));
    if t.primary_key.as_ref().is_some_and(|p| key(&p.columns)) || t.foreign_keys.iter().any(|f| key(&f.columns)) {
        return Some("a key");
    }
    if t.uniques.iter().any(|u| u.columns.len() == 1 && key(&u.columns)) {
        return Some("unique");
    }
    if c.generated.is_some() {
        return Some("generated");
    }
    let Some(p) = &c.profile else { return Some("not profiled") };
    let texts = p.texts + p.blob_utf8;
    if texts == 0 || texts * 10 < p.non_null() * 9 {
        return Some("not text");
    }
    let most = |n: u64| n * 2 > texts;
    if most(p.text_uuid_any_case) {
        Some("UUIDs")
    } else if most(p.text_iso_timestamp + p.text_iso_date) {
        Some("instants")
    } else if most(p.text_json.saturating_sub(p.text_json_scalar)) {
        Some("JSON")
    } else if most(p.text_numeric) {
        Some("numbers")
    } else if !p.many_texts && !p.distinct_texts.is_empty() && p.distinct_texts.len() as u64 * 4 <= texts && listed_words(&p.distinct_texts) < 3.0 {
        // A few values, repeated, of a word or two: a status. Canned sentences repeated are
        // still words to search.
        Some("enum-like")
    } else if p.max_text_chars < 3 {
        Some("too short")
    } else {
        None
    }
}

/// The average number of words of the distinct values a profile lists.
fn listed_words(values: &[String]) -> f64 {
    values.iter().map(|v| v.split_whitespace().count() as f64).sum::<f64>() / values.len().max(1) as f64
}

fn q(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A column's `TextStats` as its profile counted them over the first `SAMPLE` rows; None
/// where it did not (a sampled profile, one made before words were counted, a value it could
/// not read as SQLite does): then `stats` asks the source.
pub fn profile_stats(t: &Table, c: &Column) -> Option<TextStats> {
    let p = c.profile.as_ref()?;
    let w = p.words.as_ref().filter(|w| t.profile_sample.is_none() && !w.other && w.rows == p.rows.min(SAMPLE))?;
    let avg = |n: u64| if w.values == 0 { 0.0 } else { n as f64 / w.values as f64 };
    Some(TextStats { values: w.values, avg_chars: avg(w.chars), avg_words: avg(w.words), with_digit: w.with_digit, with_at: w.with_at })
}

/// One aggregate over the candidate columns of a table: their `TextStats`, in order.
fn stats(conn: &rusqlite::Connection, table: &str, columns: &[&str], path: &Path) -> Result<Vec<TextStats>> {
    // Each value read once (the subquery under an aggregate is not flattened), and no more
    // than `SAMPLE` rows: what a column reads as shows in its first rows already.
    let inner: Vec<String> = columns.iter().enumerate().map(|(i, c)| format!("NULLIF(trim({}), '') AS c{i}", q(c))).collect();
    let mut sel = vec![];
    for i in 0..columns.len() {
        let v = format!("c{i}");
        sel.push(format!(
            "count({v}), coalesce(avg(length({v})), 0), coalesce(avg(length({v}) - length(replace(replace({v}, char(10), ''), ' ', '')) + 1), 0), coalesce(sum({v} GLOB '*[0-9]*'), 0), coalesce(sum(instr({v}, '@') > 0), 0)"
        ));
    }
    let sql = format!("SELECT {} FROM (SELECT {} FROM {} LIMIT {SAMPLE})", sel.join(", "), inner.join(", "), q(table));
    let fail = |e: rusqlite::Error| FerryError::SourceUnreadable { path: path.to_path_buf(), detail: format!("reading the text of {table} for search: {e}") };
    conn.query_row(&sql, [], |r| {
        (0..columns.len())
            .map(|i| {
                let at = i * 5;
                Ok(TextStats { values: r.get::<_, i64>(at)? as u64, avg_chars: r.get(at + 1)?, avg_words: r.get(at + 2)?, with_digit: r.get::<_, i64>(at + 3)? as u64, with_at: r.get::<_, i64>(at + 4)? as u64 })
            })
            .collect::<rusqlite::Result<Vec<_>>>()
    })
    .map_err(fail)
}

/// Rows read at most per table to tell how its text reads (the profile counts their words).
const SAMPLE: u64 = crate::schema::WORD_ROWS;

/// 8120 → "8,120".
pub(super) fn figure(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn is_text(dialect: Dialect, type_sql: &str) -> bool {
    matches!(dialect.read_plan_type(type_sql), Ok(LogicalType::Text { .. }))
}

/// The proposals for this schema; `conn` reads the source (`path` names it in messages).
pub fn propose(schema: &Schema, plan: &Plan, dialect: Dialect, conn: &rusqlite::Connection, path: &Path) -> Result<Vec<Proposal>> {
    let mut out = vec![];
    let mut names = Names::new(dialect);
    for t in &schema.tables {
        let Some(tp) = plan.table(&t.name).filter(|tp| !tp.skip) else { continue };
        if t.fts.is_some() || t.row_count == 0 {
            continue;
        }
        let candidates: Vec<&Column> = t
            .columns
            .iter()
            .filter(|c| tp.columns.iter().any(|pc| pc.source == c.name && is_text(dialect, &pc.target_type)))
            .filter(|c| ruled_out(t, c).is_none())
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let cols: Vec<&str> = candidates.iter().map(|c| c.name.as_str()).collect();
        let from_profile: Option<Vec<TextStats>> = candidates.iter().map(|c| profile_stats(t, c)).collect();
        let found = match from_profile {
            Some(found) => found,
            None => stats(conn, &t.name, &cols, path)?,
        };
        // The averages are the sample's; beyond it the number of values is the profile's.
        let sampled = t.row_count > SAMPLE;
        let counted = |c: &str, s: &TextStats| if sampled { t.column(c).and_then(|c| c.profile.as_ref()).map_or(s.values, |p| p.texts) } else { s.values };
        let read: Vec<(&str, TextStats, Reads)> = cols.iter().zip(found).map(|(c, s)| (*c, s, reads_as(&s))).filter(|(_, _, r)| *r != Reads::Neither).collect();
        if !worth_searching(&read.iter().map(|(_, s, r)| (*s, *r)).collect::<Vec<_>>(), t.row_count.min(SAMPLE)) {
            continue;
        }
        let prose = read.iter().any(|(_, _, r)| *r == Reads::Prose);
        let evidence: Vec<String> = read
            .iter()
            .map(|(c, s, r)| match r {
                Reads::Names if is_address(s) => format!("{c}: {} e-mail addresses", figure(counted(c, s))),
                _ => format!("{c}: {} values, {:.0} words on average ({})", figure(counted(c, s)), s.avg_words, if *r == Reads::Prose { "prose" } else { "names" }),
            })
            .collect();
        let config = dialect.search_config(prose);
        let targets: Vec<String> = tp.columns.iter().map(|c| c.target.clone()).collect();
        let searched: Vec<String> = read.iter().map(|(c, _, _)| tp.columns.iter().find(|pc| pc.source == *c).map_or(c.to_string(), |pc| pc.target.clone())).collect();
        let vector = vector_name(dialect, &targets);
        let index = names.take(&derived_name(dialect, &[&tp.target, "search"], "idx"));
        let (sql, note) = dialect.search_proposal(&tp.target, &searched, config, &vector, &index);
        let first = if sampled { format!(" (words counted in the first {})", figure(SAMPLE)) } else { String::new() };
        let mut p = Proposal::new(&t.name, ProposalKind::Search, format!("{} rows{first}; {}", figure(t.row_count), evidence.join("; ")));
        p.accept = false;
        p.columns = read.iter().map(|(c, _, _)| c.to_string()).collect();
        p.using = config.map(str::to_string);
        p.note = Some(note);
        p.sql = sql;
        out.push(p);
    }
    Ok(out)
}

/// What is wrong with one proposal's parameters.
pub fn check(p: &Proposal, plan: &Plan, schema: &Schema) -> Vec<String> {
    let mut out = vec![];
    let Some(t) = schema.table(&p.table) else { return out };
    if p.columns.is_empty() {
        out.push("columns is empty: name the text columns to search".into());
    }
    if t.fts.is_some() {
        out.push(format!("{} is an FTS table: it is searched already", t.name));
    }
    if let Some(tp) = plan.table(&t.name) {
        for c in &p.columns {
            if let Some(pc) = tp.columns.iter().find(|pc| pc.source.eq_ignore_ascii_case(c)) {
                if !is_text(plan.dialect, &pc.target_type) {
                    out.push(format!("column {}.{c} is planned as {}, not text: only text is searched", t.name, pc.target_type));
                }
            }
        }
    }
    match (plan.dialect.search_config(true), p.using.as_deref()) {
        (Some(_), None) => out.push(format!("using is missing: a text search configuration ({})", CONFIGS.join(", "))),
        (Some(_), Some(u)) if !CONFIGS.contains(&u) => out.push(format!("using = {u:?} is not a text search configuration the server has built in ({})", CONFIGS.join(", "))),
        (None, Some(u)) => out.push(format!("using = {u:?}: FULLTEXT on MySQL/MariaDB has no text search configuration; leave using out")),
        _ => {}
    }
    out
}

/// One accepted proposal applied to the planned tables: the table gets a `PlannedSearch`
/// (its generated column and index, or its FULLTEXT index), and a note that says it.
pub fn apply(p: &Proposal, tables: &mut [PlannedTable], _schema: &Schema, dialect: Dialect, names: &mut Names) -> Result<()> {
    let Some(t) = table_mut(tables, &p.table) else { return Ok(()) };
    let refuse = |detail: String| FerryError::PlanMismatch { path: String::new(), detail: format!("[[production]] search on {}: {detail}", p.subject()) };
    if t.search.is_some() {
        return Err(refuse(format!("table {} is searched already", p.table)));
    }
    let mut columns = vec![];
    for c in &p.columns {
        let pc = t.column(c).ok_or_else(|| refuse(format!("column {c} is not planned")))?;
        if !matches!(pc.logical, LogicalType::Text { .. }) {
            return Err(refuse(format!("column {c} is not planned as text")));
        }
        columns.push(pc.name.clone());
    }
    let mut taken: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
    taken.extend(t.added.iter().map(|a| a.name.clone()));
    let vector = vector_name(dialect, &taken);
    let index = names.take(&derived_name(dialect, &[&t.name, "search"], "idx"));
    let config = dialect.search_config(true).and(p.using.clone());
    let (_, note) = dialect.search_proposal(&t.name, &columns, config.as_deref(), &vector, &index);
    t.notes.push(Warning { table: Some(p.table.clone()), object: format!("search over {}", p.columns.join(", ")), reason: note });
    t.search = Some(PlannedSearch { vector, index, columns, config });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ColumnProfile;

    #[test]
    fn values_read_as_prose_names_or_neither() {
        let s = |values, avg_chars, avg_words, with_digit, with_at| TextStats { values, avg_chars, avg_words, with_digit, with_at };
        let cases = [
            (s(8120, 92.0, 14.0, 300, 0), Reads::Prose, "notes"),
            (s(100, 18.0, 2.1, 0, 0), Reads::Names, "full names"),
            (s(100, 22.0, 3.0, 4, 0), Reads::Names, "product names, a few with a digit"),
            (s(100, 21.0, 1.0, 30, 100), Reads::Names, "e-mail addresses"),
            (s(100, 9.0, 1.0, 100, 0), Reads::Neither, "SKUs"),
            (s(100, 12.0, 3.0, 100, 0), Reads::Neither, "phone numbers with spaces"),
            (s(100, 7.0, 1.0, 0, 0), Reads::Neither, "single words"),
            (s(100, 200.0, 1.2, 0, 0), Reads::Neither, "long tokens"),
            (s(100, 30.0, 6.0, 0, 0), Reads::Prose, "short sentences"),
            (s(100, 12.0, 6.0, 0, 0), Reads::Names, "many tiny words are not prose"),
            (s(0, 0.0, 0.0, 0, 0), Reads::Neither, "no values"),
        ];
        for (stats, want, what) in cases {
            assert_eq!(reads_as(&stats), want, "{what}: {stats:?}");
        }
    }

    #[test]
    fn the_profile_rules_out_what_is_not_words() {
        let col = |name: &str, p: ColumnProfile| Column { name: name.into(), declared_type: "TEXT".into(), not_null: false, default: None, collation: None, key_collation: None, generated: None, profile: Some(p) };
        let texts = |n: u64| ColumnProfile { rows: n, texts: n, max_text_chars: 40, many_texts: true, ..Default::default() };
        let mut t = Table { name: "customers".into(), ..Default::default() };
        t.primary_key = Some(crate::schema::PrimaryKey { columns: vec!["id".into()], ..Default::default() });
        t.foreign_keys = vec![crate::schema::ForeignKey { columns: vec!["tenant_id".into()], ..Default::default() }];
        let cases: Vec<(Column, Option<&str>)> = vec![
            (col("notes", texts(100)), None),
            (col("id", texts(100)), Some("a key")),
            (col("tenant_id", texts(100)), Some("a key")),
            (col("uid", ColumnProfile { text_uuid_any_case: 90, ..texts(100) }), Some("UUIDs")),
            (col("seen", ColumnProfile { text_iso_timestamp: 100, ..texts(100) }), Some("instants")),
            (col("doc", ColumnProfile { text_json: 100, ..texts(100) }), Some("JSON")),
            (col("label", ColumnProfile { text_json: 100, text_json_scalar: 100, ..texts(100) }), None),
            (col("zip", ColumnProfile { text_numeric: 100, ..texts(100) }), Some("numbers")),
            (col("status", ColumnProfile { many_texts: false, distinct_texts: vec!["paid".into(), "pending".into()], ..texts(100) }), Some("enum-like")),
            (col("canned", ColumnProfile { many_texts: false, distinct_texts: vec!["Said: leave it at the door".into(), "Plain description here.".into()], ..texts(100) }), None),
            (col("nick", ColumnProfile { many_texts: false, distinct_texts: (0..10).map(|i| i.to_string()).collect(), ..texts(10) }), None),
            (col("n", ColumnProfile { integers: 100, texts: 0, ..texts(100) }), Some("not text")),
            (col("cc", ColumnProfile { max_text_chars: 2, ..texts(100) }), Some("too short")),
            (Column { profile: None, ..col("x", texts(1)) }, Some("not profiled")),
        ];
        for (c, want) in cases {
            assert_eq!(ruled_out(&t, &c), want, "{}", c.name);
        }
    }

    #[test]
    fn a_table_earns_a_search_with_prose_or_names() {
        let s = |values, with_at| TextStats { values, avg_chars: 20.0, avg_words: 2.0, with_digit: 0, with_at };
        let cases = [
            (vec![(s(1000, 0), Reads::Names)], 1000, true, "names"),
            (vec![(s(1000, 1000), Reads::Names)], 1000, false, "e-mail addresses alone"),
            (vec![(s(1000, 1000), Reads::Names), (s(900, 0), Reads::Prose)], 1000, true, "addresses beside prose"),
            (vec![(s(1000, 1000), Reads::Names), (s(190, 0), Reads::Prose)], 1000, false, "addresses beside a few error messages"),
            (vec![(s(1000, 0), Reads::Names), (s(190, 0), Reads::Prose)], 1000, true, "names beside a few notes"),
            (vec![(s(3, 0), Reads::Names)], 3, false, "three tenants"),
            (vec![(s(10, 0), Reads::Prose)], 10, false, "ten error messages"),
            (vec![], 0, false, "nothing"),
        ];
        for (read, rows, want, what) in cases {
            assert_eq!(worth_searching(&read, rows), want, "{what}");
        }
    }

    /// The words the profile counts are what the aggregate over the first 5,000 rows says:
    /// integers as SQLite writes them, text trimmed of spaces (not tabs), words split at spaces
    /// and line feeds, characters not bytes, empty values left out. A blob or a real (which
    /// the aggregate reads as SQLite's text of it) leaves the profile silent.
    #[test]
    fn the_profile_counts_the_words_the_aggregate_reads() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, a, b TEXT, d, e)").unwrap();
        let texts = ["  Anna Maria  Lopez ", "line one\nline two", "tab\there", "", "   ", "née Müller", "x@example.com", "Order 42 shipped", "a"];
        let tx = c.unchecked_transaction().unwrap();
        for i in 0..6_000i64 {
            let a: rusqlite::types::Value = match i % 13 {
                0 => rusqlite::types::Value::Null,
                1 => rusqlite::types::Value::Integer(-i * 1_000),
                2 => rusqlite::types::Value::Integer(i),
                _ => rusqlite::types::Value::Text(texts[(i % 9) as usize].to_string()),
            };
            // After the first 5,000 rows, only what the aggregate does not read.
            let b = if i < 5_000 { texts[(i % 7) as usize].to_string() } else { "x y z w v u t s r q p o n m l k j i h g f e d c b a 1 2 3".into() };
            let d: rusqlite::types::Value = if i == 77 { rusqlite::types::Value::Blob(b"a b".to_vec()) } else { rusqlite::types::Value::Text("word".into()) };
            let e: rusqlite::types::Value = if i == 4_999 { rusqlite::types::Value::Real(1e20) } else { rusqlite::types::Value::Text("some words".into()) };
            tx.execute("INSERT INTO t (a, b, d, e) VALUES (?1, ?2, ?3, ?4)", rusqlite::params![a, b, d, e]).unwrap();
        }
        tx.commit().unwrap();
        let mut t = Table { name: "t".into(), columns: ["id", "a", "b", "d", "e"].iter().map(|n| Column { name: n.to_string(), ..Default::default() }).collect(), ..Default::default() };
        crate::source::sqlite::profile::profile_table(&c, Path::new("t.sqlite"), &mut t).unwrap();
        let want = stats(&c, "t", &["a", "b", "d"], Path::new("t.sqlite")).unwrap();
        for (i, w) in want.iter().enumerate().take(2) {
            assert_eq!(profile_stats(&t, &t.columns[i + 1]).as_ref(), Some(w), "{}", t.columns[i + 1].name);
        }
        assert!(want[0].values > 3_000 && want[0].with_at > 0 && want[0].avg_words > 1.0, "{:?}", want[0]);
        assert_eq!(profile_stats(&t, &t.columns[3]), None, "a blob");
        assert_eq!(profile_stats(&t, &t.columns[4]), None, "a real");
        t.profile_sample = Some(100);
        assert_eq!(profile_stats(&t, &t.columns[1]), None, "a sampled profile");
    }

    #[test]
    fn figures_are_grouped_by_thousands() {
        for (n, want) in [(0, "0"), (999, "999"), (1000, "1,000"), (8120, "8,120"), (1234567, "1,234,567")] {
            assert_eq!(figure(n), want);
        }
    }
}
