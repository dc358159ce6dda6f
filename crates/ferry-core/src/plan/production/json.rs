//! `[[production]]` proposals of kind `json_index` (see mod.rs): an index over a JSON column
//! the plan carries as JSON, where most of its documents are objects.
//!
//! The evidence is the column's: how many documents are objects, and each top-level key's
//! documents, JSON kind and longest value, as the profile counted them (`profile_stats`), or
//! where it did not, from one pass of SQLite's `json_each` over the column (`read_stats`). PostgreSQL gets a GIN index over the whole document (`using` = its operator class:
//! `jsonb_path_ops` when the documents share their keys, so the question is a value, asked
//! by containment; `jsonb_ops` when keys come and go, so `?` is a question too). MySQL and
//! MariaDB index one scalar key (`key` = `$.name`, the commonest; MySQL's `using` =
//! `char(n)`, the cast that holds twice the longest value).
//!
//! Parameters read: `columns` (one JSON column), `using`, `key`.

use super::proposal::{Proposal, ProposalKind};
use crate::dialect::json_index::JsonIndexForm;
use crate::dialect::{derived_name, Dialect, Names};
use crate::error::{FerryError, Result};
use crate::plan::model::Plan;
use crate::plan::planned::{table_mut, PlannedTable};
use crate::schema::{ColumnProfile, LogicalType, Schema, Table, JSON_KINDS};
use crate::value::group_thousands as n;
use std::path::Path;

/// Documents a table must hold before an index is taken without asking: below this a scan
/// of the column is as quick, and the index only costs writes.
pub const MIN_DOCUMENTS: u64 = 1000;
/// A key held by at least this share of the objects is "in most documents".
const MOST: f64 = 0.5;
/// The documents share their keys when every key held by at least `COMMON` of them is
/// held by at least `SHARED` of them.
const COMMON: f64 = 0.1;
const SHARED: f64 = 0.9;
/// The longest key value a MySQL/MariaDB key index is made for (characters).
const MAX_KEY_CHARS: u64 = 255;

/// One top-level key of a column's object documents.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyStat {
    pub key: String,
    /// Documents holding it.
    pub docs: u64,
    /// Its JSON kinds (`text`, `integer`, `real`, `true`, `false`, `null`, `object`, `array`)
    /// with their documents, commonest first.
    pub kinds: Vec<(String, u64)>,
    /// Its longest value, in characters as SQLite writes it.
    pub max_len: u64,
}

impl KeyStat {
    /// Every value is a scalar (not an object or an array) and no `null`.
    pub fn scalar(&self) -> bool {
        self.kinds.iter().all(|(k, _)| matches!(k.as_str(), "text" | "integer" | "real" | "true" | "false"))
    }
    fn kind_words(&self) -> String {
        self.kinds.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join("/")
    }
}

/// What a JSON column holds, read from the source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocStats {
    /// Valid JSON documents (NULL and invalid text aside).
    pub docs: u64,
    pub objects: u64,
    /// The keys, the commonest first.
    pub keys: Vec<KeyStat>,
}

fn qi(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The column's documents and keys: two passes over that one column.
pub fn read_stats(conn: &rusqlite::Connection, table: &str, column: &str) -> rusqlite::Result<DocStats> {
    let (t, c) = (qi(table), qi(column));
    let (docs, objects): (i64, i64) = conn.query_row(
        &format!("SELECT count(*), coalesce(sum(CASE WHEN json_type({c}) = 'object' THEN 1 ELSE 0 END), 0) FROM {t} WHERE CASE WHEN {c} IS NOT NULL AND typeof({c}) = 'text' THEN json_valid({c}) ELSE 0 END"),
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT j.key, j.type, count(*), max(length(j.value)) FROM {t} AS s, json_each(CASE WHEN typeof(s.{c}) = 'text' AND json_valid(s.{c}) THEN CASE WHEN json_type(s.{c}) = 'object' THEN s.{c} END END) AS j GROUP BY j.key, j.type"
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<i64>>(3)?.unwrap_or(0))))?;
    let mut keys: Vec<KeyStat> = vec![];
    for row in rows {
        let (key, kind, count, len) = row?;
        match keys.iter_mut().find(|k| k.key == key) {
            Some(k) => {
                k.docs += count as u64;
                k.kinds.push((kind, count as u64));
                k.max_len = k.max_len.max(len as u64);
            }
            None => keys.push(KeyStat { key, docs: count as u64, kinds: vec![(kind, count as u64)], max_len: len as u64 }),
        }
    }
    for k in keys.iter_mut() {
        k.kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    keys.sort_by(|a, b| b.docs.cmp(&a.docs).then(a.key.cmp(&b.key)));
    Ok(DocStats { docs: docs as u64, objects: objects as u64, keys })
}

/// The column's documents and keys as its profile counted them, in `read_stats`'s terms;
/// None where the profile did not count them all (a sampled profile, one made before keys
/// were counted, more keys than it follows, text that is not UTF-8): then `read_stats` asks.
pub fn profile_stats(t: &Table, p: &ColumnProfile) -> Option<DocStats> {
    let k = p.json_keys.as_ref().filter(|k| !k.many && t.profile_sample.is_none() && p.invalid_utf8 == 0)?;
    let mut keys: Vec<KeyStat> = k
        .keys
        .iter()
        .map(|x| {
            let mut kinds: Vec<(String, u64)> = JSON_KINDS.iter().zip(x.kinds).filter(|(_, n)| *n > 0).map(|(k, n)| (k.to_string(), n)).collect();
            kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            KeyStat { key: x.key.clone(), docs: x.kinds.iter().sum(), kinds, max_len: x.max_len }
        })
        .collect();
    keys.sort_by(|a, b| b.docs.cmp(&a.docs).then(a.key.cmp(&b.key)));
    Some(DocStats { docs: p.text_json, objects: k.objects, keys })
}

/// A key a `$.name` path can name without quoting.
pub fn plain_key(k: &str) -> bool {
    let mut ch = k.chars();
    ch.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && ch.all(|c| c.is_ascii_alphanumeric() || c == '_') && k.len() <= 64
}

/// `$.name` → `name`, where the path is one plain key.
pub fn path_key(path: &str) -> Option<&str> {
    path.strip_prefix("$.").filter(|k| plain_key(k))
}

/// The operator class for these documents: `jsonb_path_ops` when they share their keys
/// (every key held by at least 10% of them is held by at least 90%), else `jsonb_ops`.
pub fn opclass_for(s: &DocStats) -> &'static str {
    let common = s.keys.iter().filter(|k| k.docs as f64 >= COMMON * s.objects as f64);
    if common.clone().all(|k| k.docs as f64 >= SHARED * s.objects as f64) { "jsonb_path_ops" } else { "jsonb_ops" }
}

/// The key a one-key index is for: the commonest scalar key with a plain name, held by most
/// documents, no value longer than 255 characters; of equally common ones a text key (what
/// a lookup by value asks for: `source`, `status`) before a number.
pub fn index_key(s: &DocStats) -> Option<&KeyStat> {
    let text = |k: &KeyStat| k.kinds.first().is_some_and(|(kind, _)| kind == "text");
    s.keys
        .iter()
        .filter(|k| k.scalar() && plain_key(&k.key) && k.docs as f64 >= MOST * s.objects as f64 && k.max_len <= MAX_KEY_CHARS)
        .min_by(|a, b| b.docs.cmp(&a.docs).then(text(b).cmp(&text(a))))
}

/// MySQL's cast length for a key: twice its longest value, 16 to 255.
pub fn cast_len(max_len: u64) -> u32 {
    (max_len * 2).clamp(16, MAX_KEY_CHARS) as u32
}

fn pct(a: u64, b: u64) -> String {
    if b == 0 {
        return "0%".into();
    }
    let p = a as f64 * 100.0 / b as f64;
    if p > 99.0 && a < b { "99%".into() } else { format!("{}%", p.round() as u64) }
}

/// "9,412 of 10,000 documents (94%) are objects; keys in most: source in 9,412 (100%, text, up to 12 characters), …"
pub fn evidence(s: &DocStats) -> String {
    let mut e = format!("{} of {} documents ({}) are objects", n(s.objects), n(s.docs), pct(s.objects, s.docs));
    let say = |k: &KeyStat| format!("{} in {} ({}, {}, up to {})", k.key, n(k.docs), pct(k.docs, s.objects), k.kind_words(), crate::value::plural(k.max_len, "character", "characters"));
    let most: Vec<String> = s.keys.iter().filter(|k| k.docs as f64 >= MOST * s.objects as f64).take(5).map(say).collect();
    if most.is_empty() {
        let top: Vec<String> = s.keys.iter().take(3).map(say).collect();
        e.push_str(&format!("; no key is in most of them ({} keys in all", s.keys.len()));
        if !top.is_empty() {
            e.push_str(&format!("; the commonest: {}", top.join(", ")));
        }
        e.push(')');
    } else {
        e.push_str(&format!("; keys in most: {}", most.join(", ")));
        let rest = s.keys.iter().filter(|k| (k.docs as f64) < MOST * s.objects as f64).count();
        if rest > 0 {
            e.push_str(&format!("; {rest} other {}", if rest == 1 { "key" } else { "keys" }));
        }
    }
    e
}

/// A value of `key` for the note's example query (the first one found), as JSON.
fn example_value(conn: &rusqlite::Connection, table: &str, column: &str, key: &str) -> serde_json::Value {
    let c = qi(column);
    let sql = format!(
        "SELECT v FROM (SELECT CASE WHEN typeof({c}) = 'text' AND json_valid({c}) THEN CASE WHEN json_type({c}) = 'object' THEN {c} -> ?1 END END AS v FROM {}) WHERE v IS NOT NULL LIMIT 1",
        qi(table)
    );
    conn.query_row(&sql, [format!("$.{key}")], |r| r.get::<_, String>(0)).ok().and_then(|v| serde_json::from_str(&v).ok()).unwrap_or(serde_json::Value::Null)
}

/// Why a one-key target gets no JSON index on these documents.
pub fn no_key_note(dialect: Dialect) -> String {
    format!(
        "not proposed: {} indexes a JSON column one key at a time, and no key here is in most documents with scalar values (no object, array or null), a plain name and at most {MAX_KEY_CHARS} characters; an index on a rarer key serves only the queries for that key: to take one, set key = \"$.name\" and accept = true",
        dialect.name()
    )
}

/// The proposals for this schema; `conn` reads the source (`path` names it in messages).
pub fn propose(schema: &Schema, plan: &Plan, dialect: Dialect, conn: &rusqlite::Connection, path: &Path) -> Result<Vec<Proposal>> {
    let mut out = vec![];
    for tp in plan.tables.iter().filter(|t| !t.skip) {
        let Some(t) = schema.table(&tp.source) else { continue };
        for cp in &tp.columns {
            if !matches!(cp.logical(dialect), Ok(LogicalType::Json)) || !dialect.json_indexable_type(&cp.target_type) {
                continue;
            }
            let Some(col) = t.column(&cp.source) else { continue };
            if col.profile.as_ref().is_some_and(|p| p.rows == p.nulls) {
                continue;
            }
            let s = match col.profile.as_ref().and_then(|p| profile_stats(t, p)) {
                Some(s) => s,
                None => read_stats(conn, &t.name, &col.name).map_err(|e| FerryError::SourceUnreadable { path: path.to_path_buf(), detail: format!("the JSON keys of {}.{}: {e}", t.name, col.name) })?,
            };
            if s.objects == 0 || (s.objects as f64) < MOST * s.docs as f64 {
                continue;
            }
            let mut p = Proposal::new(&t.name, ProposalKind::JsonIndex, evidence(&s));
            p.columns = vec![col.name.clone()];
            let (ix, example_key) = match dialect.json_index_form() {
                JsonIndexForm::Documents => {
                    let opclass = opclass_for(&s);
                    p.using = Some(opclass.into());
                    let name = derived_name(dialect, &[&tp.target, &cp.target], "gin");
                    let key = s.keys.iter().find(|k| k.scalar() && plain_key(&k.key)).or_else(|| s.keys.iter().find(|k| plain_key(&k.key))).map(|k| k.key.clone());
                    (dialect.json_index(&name, &cp.target, Some(opclass), None, 0), key)
                }
                JsonIndexForm::Key => {
                    let Some(k) = index_key(&s) else {
                        // Said, not left out: no key one index would serve.
                        p.accept = false;
                        p.note = Some(no_key_note(dialect));
                        out.push(p);
                        continue;
                    };
                    let len = cast_len(k.max_len);
                    p.key = Some(format!("$.{}", k.key));
                    p.using = dialect.json_key_cast(len);
                    let name = derived_name(dialect, &[&tp.target, &cp.target, &k.key], "idx");
                    (dialect.json_index(&name, &cp.target, None, p.key.as_deref(), len), Some(k.key.clone()))
                }
            };
            let key = example_key.unwrap_or_else(|| "key".into());
            let value = example_value(conn, &t.name, &col.name, &key);
            let mut note = dialect.json_index_note(&tp.target, &cp.target, &ix, (&key, &value));
            p.accept = s.objects >= MIN_DOCUMENTS;
            if !p.accept {
                note = format!("only {} documents: a scan of the column is as quick, and the index would only cost writes. {note}", n(s.objects));
            }
            p.note = Some(note);
            p.sql = dialect.json_index_sql(&tp.target, &ix);
            out.push(p);
        }
    }
    Ok(out)
}

/// What is wrong with one proposal's parameters.
pub fn check(p: &Proposal, plan: &Plan, _schema: &Schema) -> Vec<String> {
    let dialect = plan.dialect;
    let mut out = vec![];
    let [col] = p.columns.as_slice() else {
        return vec![format!("a json_index is over one column; columns = {:?}", p.columns)];
    };
    if let Some(cp) = plan.table(&p.table).and_then(|tp| tp.columns.iter().find(|c| c.source.eq_ignore_ascii_case(col))) {
        if !matches!(cp.logical(dialect), Ok(LogicalType::Json)) || !dialect.json_indexable_type(&cp.target_type) {
            out.push(format!("column {}.{col} is carried as {}, not as JSON the index can read", p.table, cp.target_type));
        }
    }
    match dialect.json_index_form() {
        JsonIndexForm::Documents => {
            let ok = dialect.json_opclasses();
            if let Some(u) = p.using.as_deref().filter(|u| !ok.contains(u)) {
                out.push(format!("using = {u:?} is not an operator class for a {} JSON index (one of {})", dialect.name(), ok.join(", ")));
            }
            if p.key.is_some() {
                out.push(format!("key is for a one-key index; a {} JSON index covers every key of the documents", dialect.name()));
            }
        }
        JsonIndexForm::Key => {
            match p.key.as_deref() {
                // A proposal that says why there is none.
                None if !p.accept => {}
                None => out.push(format!("key is missing: a {} JSON index is over one key (key = \"$.name\")", dialect.name())),
                Some(k) if path_key(k).is_none() => out.push(format!("key = {k:?} is not a path to one plain key ($. then letters, digits and _)")),
                _ => {}
            }
            if let Some(u) = p.using.as_deref().filter(|u| dialect.json_cast_len(u).is_none()) {
                out.push(format!("using = {u:?} is not the cast of a {} key index (char(1) to char(255))", dialect.name()));
            }
        }
    }
    out
}

/// One accepted proposal applied to the planned tables.
pub fn apply(p: &Proposal, tables: &mut [PlannedTable], _schema: &Schema, dialect: Dialect, names: &mut Names) -> Result<()> {
    let Some(t) = table_mut(tables, &p.table) else { return Ok(()) };
    let Some(col) = p.columns.first().and_then(|c| t.column(c)).map(|c| c.name.clone()) else { return Ok(()) };
    let ix = match dialect.json_index_form() {
        JsonIndexForm::Documents => {
            let name = names.take(&derived_name(dialect, &[&t.name, &col], "gin"));
            dialect.json_index(&name, &col, p.using.as_deref(), None, 0)
        }
        JsonIndexForm::Key => {
            let Some(key) = p.key.as_deref().and_then(path_key) else { return Ok(()) };
            let len = p.using.as_deref().and_then(|u| dialect.json_cast_len(u)).unwrap_or(MAX_KEY_CHARS as u32);
            let name = names.take(&derived_name(dialect, &[&t.name, &col, key], "idx"));
            dialect.json_index(&name, &col, None, p.key.as_deref(), len)
        }
    };
    t.indexes.push(ix);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str, docs: u64, kinds: &[&str], max_len: u64) -> KeyStat {
        KeyStat { key: k.into(), docs, kinds: kinds.iter().map(|k| (k.to_string(), docs)).collect(), max_len }
    }

    #[test]
    fn the_operator_class_follows_how_the_documents_share_their_keys() {
        let cases: Vec<(Vec<KeyStat>, &str)> = vec![
            (vec![key("source", 1000, &["text"], 5), key("ip", 950, &["text"], 15)], "jsonb_path_ops"),
            // A rare key (under 10%) does not count against sharing.
            (vec![key("source", 1000, &["text"], 5), key("promo", 50, &["text"], 8)], "jsonb_path_ops"),
            (vec![key("source", 1000, &["text"], 5), key("promo", 400, &["text"], 8)], "jsonb_ops"),
            (vec![], "jsonb_path_ops"),
        ];
        for (keys, want) in cases {
            let s = DocStats { docs: 1000, objects: 1000, keys };
            assert_eq!(opclass_for(&s), want, "{:?}", s.keys);
        }
    }

    #[test]
    fn the_key_index_is_on_the_commonest_plain_scalar_key() {
        let cases: Vec<(Vec<KeyStat>, Option<&str>)> = vec![
            (vec![key("source", 900, &["text"], 6), key("n", 800, &["integer"], 3)], Some("source")),
            (vec![key("n", 900, &["integer"], 3), key("source", 900, &["text"], 6)], Some("source")),
            (vec![key("n", 950, &["integer"], 3), key("source", 900, &["text"], 6)], Some("n")),
            (vec![key("tags", 1000, &["array"], 60), key("source", 900, &["text"], 6)], Some("source")),
            (vec![key("bad key", 1000, &["text"], 6), key("ok", 600, &["text"], 6)], Some("ok")),
            (vec![key("note", 1000, &["text"], 900)], None),
            (vec![key("rare", 400, &["text"], 6)], None),
            (vec![key("maybe", 1000, &["text", "null"], 6)], None),
        ];
        for (keys, want) in cases {
            let s = DocStats { docs: 1000, objects: 1000, keys };
            assert_eq!(index_key(&s).map(|k| k.key.as_str()), want, "{:?}", s.keys);
        }
    }

    #[test]
    fn paths_and_casts() {
        for (p, want) in [("$.source", Some("source")), ("$.a_1", Some("a_1")), ("$.1a", None), ("$.a.b", None), ("source", None), ("$.a'b", None), ("$.", None)] {
            assert_eq!(path_key(p), want, "{p}");
        }
        for (len, want) in [(0, 16), (6, 16), (20, 40), (200, 255)] {
            assert_eq!(cast_len(len), want, "{len}");
        }
    }

    #[test]
    fn evidence_reads_from_the_figures() {
        let s = DocStats { docs: 10_000, objects: 9_412, keys: vec![key("source", 9_412, &["text"], 12), key("promo", 100, &["text"], 8)] };
        assert_eq!(evidence(&s), "9,412 of 10,000 documents (94%) are objects; keys in most: source in 9,412 (100%, text, up to 12 characters); 1 other key");
    }

    #[test]
    fn stats_come_from_the_column_only() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, doc TEXT, other TEXT);
             INSERT INTO t (doc) VALUES ('{\"source\":\"web\",\"n\":1}'), ('{\"source\":\"mobile\",\"tags\":[1]}'), ('[1,2]'), ('not json'), (NULL), (x'00'), ('{\"source\":null}');",
        )
        .unwrap();
        let s = read_stats(&c, "t", "doc").unwrap();
        assert_eq!((s.docs, s.objects), (4, 3));
        let src = s.keys.iter().find(|k| k.key == "source").unwrap();
        assert_eq!((src.docs, src.max_len, src.scalar()), (3, 6, false), "{src:?}");
        assert_eq!(s.keys[0].key, "source");
    }

    /// MySQL/MariaDB index one key: documents with no key in most of them get a proposal
    /// that says so (not accepted, no SQL), which the plan check lets stand, refuses accepted
    /// as it is, and takes with a key named.
    #[test]
    fn a_one_key_target_says_why_it_gets_no_index() {
        let dir = std::env::temp_dir().join(format!("ferry-json-nokey-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("s.sqlite");
        let _ = std::fs::remove_file(&src);
        let c = rusqlite::Connection::open(&src).unwrap();
        c.execute_batch("CREATE TABLE items (id INTEGER PRIMARY KEY, attrs JSON NOT NULL)").unwrap();
        for i in 0..2_000 {
            // Each document its own key (a third of them each), and a nested one in all.
            c.execute("INSERT INTO items (attrs) VALUES (?1)", [format!("{{\"k{}\": {i}, \"dims\": {{\"w\": {i}}}}}", i % 3)]).unwrap();
        }
        drop(c);
        let schema = crate::source::sqlite::read_source(&src, true, 1).unwrap();
        for dialect in [Dialect::MySql, Dialect::MariaDb, Dialect::Postgres] {
            let mut plan = crate::plan::propose(&schema, &src.display().to_string(), dialect);
            let ps = super::super::propose(&schema, &plan, &src).unwrap();
            let js: Vec<&Proposal> = ps.iter().filter(|p| p.kind == Some(ProposalKind::JsonIndex)).collect();
            assert_eq!(js.len(), 1, "{dialect:?}: {ps:#?}");
            let p = js[0].clone();
            assert!(p.evidence.starts_with("2,000 of 2,000 documents (100%) are objects; keys in most: dims in 2,000 (100%, object"), "{dialect:?}: {}", p.evidence);
            if dialect == Dialect::Postgres {
                assert!(p.accept && !p.sql.is_empty(), "{p:?}");
                continue;
            }
            assert!(!p.accept && p.sql.is_empty() && p.key.is_none(), "{dialect:?}: {p:?}");
            assert!(p.note.as_deref().unwrap().starts_with(&format!("not proposed: {} indexes a JSON column one key at a time", dialect.name())), "{p:?}");
            plan.production = vec![p.clone()];
            assert_eq!(super::super::problems(&plan, &schema), Vec::<String>::new());
            plan.production[0].accept = true;
            assert!(super::super::problems(&plan, &schema).iter().any(|m| m.contains("key is missing")), "{dialect:?}");
            plan.production[0].key = Some("$.k1".into());
            assert_eq!(super::super::problems(&plan, &schema), Vec::<String>::new());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The profile's count of a column's keys says what `json_each` says: documents, objects,
    /// each key's documents, kinds and longest value (strings escaped or not, numbers as SQLite
    /// writes them, containers minified, a key written twice, NULs, blobs, invalid text). And
    /// past `JSON_KEYS` distinct keys, or on a sampled profile, it does not say.
    #[test]
    fn the_profile_counts_the_keys_json_each_reads() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, doc TEXT, wide TEXT)").unwrap();
        let docs = [
            r#"{"s":"web","n":1,"r":19.99,"b":true}"#,
            r#"  { "s" : "mobile" , "n" : -0 , "r" : 1.50, "b" : false, "o" : { "a" : [1, 2 , "x y"] } }  "#,
            r#"{"s":"caf\u00e9 \"q\"","n":12345678901234567890,"r":1e5,"b":null,"o":{"k":"\u00e9"}}"#,
            r#"{"s":"été","n":9223372036854775807,"r":-2.5E-7,"a":[ ],"o":{}}"#,
            r#"{"s":"a\u0000b","r":0.30000000000000004,"r2":123456789012345678,"s":"dup"}"#,
            r#"{"bad key":1, "n": -9223372036854775808, "r": 1.0e+20, "r3": 100000000000000.0, "r4": 0.0001}"#,
            r#"[1, 2]"#,
            r#"42"#,
            r#""text""#,
            r#"{"unclosed": 1"#,
            r#"not json"#,
            r#"{}"#,
        ];
        for d in docs {
            c.execute("INSERT INTO t (doc) VALUES (?1)", [d]).unwrap();
        }
        c.execute_batch(r#"INSERT INTO t (doc) VALUES (NULL), (x'7b7d'), (42), ('{"s":"x"}');"#).unwrap();
        // `wide`: one more key than the profile follows.
        for i in 0..=crate::schema::JSON_KEYS {
            c.execute("INSERT INTO t (wide) VALUES (?1)", [format!("{{\"k{i}\": {i}}}")]).unwrap();
        }
        let mut t = crate::schema::Table {
            name: "t".into(),
            columns: ["id", "doc", "wide"].iter().map(|n| crate::schema::Column { name: n.to_string(), ..Default::default() }).collect(),
            ..Default::default()
        };
        crate::source::sqlite::profile::profile_table(&c, std::path::Path::new("t.sqlite"), &mut t).unwrap();
        let want = read_stats(&c, "t", "doc").unwrap();
        let got = profile_stats(&t, t.columns[1].profile.as_ref().unwrap()).expect("counted");
        assert_eq!(got, want);
        assert_eq!((got.docs, got.objects), (12, 8), "{got:?}");
        assert!(want.keys.iter().any(|k| k.kinds.iter().any(|(kind, _)| kind == "real") && k.max_len > 5), "{want:?}");

        assert_eq!(profile_stats(&t, t.columns[2].profile.as_ref().unwrap()), None, "more keys than the profile follows");
        assert_eq!(read_stats(&c, "t", "wide").unwrap().keys.len(), crate::schema::JSON_KEYS + 1);
        t.profile_sample = Some(10);
        assert_eq!(profile_stats(&t, t.columns[1].profile.as_ref().unwrap()), None, "a sampled profile");
    }
}
