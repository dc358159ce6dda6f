//! A migration starts loading on a plan made from a sample of each table's rows, and profiles
//! every row as it loads. Where the plan of every row turns out different, or a value does
//! not fit the sampled plan, the table is made and loaded again: the result is exactly what
//! a plan from every row gives, nothing is reported twice, and the report says which tables
//! were loaded twice.

use crate::common::*;

const ROWS: i64 = 20_000;

/// Tables whose odd rows sit near the end, where no sample of a few thousand rows looks:
/// - `late_text`: UUIDs, but row 19,999 is not one (the sampled plan says uuid; a value
///   does not fit it, so the load stops early);
/// - `late_values`: no declared type and NULL everywhere but row 19,998 (the sampled plan
///   says text, which takes the 42 without complaint; the plan of every row says integer);
/// - `late_null_key`: a TEXT primary key, NULL in row 19,997 (SQLite allows it; the server
///   refuses the row under the sampled plan's key; the plan of every row makes no key);
/// - `plain`: nothing odd (loaded once).
fn build(path: &std::path::Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(&format!(
        "CREATE TABLE late_text (id INTEGER PRIMARY KEY, u TEXT NOT NULL);
         CREATE TABLE late_values (id INTEGER PRIMARY KEY, v);
         CREATE TABLE late_null_key (code TEXT PRIMARY KEY, n INTEGER);
         CREATE TABLE plain (id INTEGER PRIMARY KEY, name TEXT);
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {ROWS})
         INSERT INTO late_text SELECT i, CASE i WHEN 19999 THEN 'not-a-uuid' ELSE lower(printf('%08x-0000-4000-8000-%012x', i, i * 7)) END FROM k;
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {ROWS})
         INSERT INTO late_values SELECT i, CASE i WHEN 19998 THEN 42 END FROM k;
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {ROWS})
         INSERT INTO late_null_key SELECT CASE i WHEN 19997 THEN NULL ELSE printf('c%05d', i) END, i FROM k;
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {ROWS})
         INSERT INTO plain SELECT i, printf('name %d', i) FROM k;"
    ))
    .unwrap();
}

#[tokio::test]
async fn what_the_sample_missed_is_loaded_again_on_the_plan_of_every_row() {
    let dir = Scratch::new();
    let src = dir.path("late.sqlite");
    build(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "sampled").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 2, "{kind:?} (the key not made is a warning): {}\n{}", run.stdout, run.stderr);

        // The plan the run recorded is the plan of every row, as `ferry plan` makes it.
        let plan_file = dir.path(&format!("{kind:?}.plan.toml"));
        assert_eq!(ferry(&["plan", src.to_str().unwrap(), "--to", &db.url, "--out", plan_file.to_str().unwrap()]).code, 0);
        let full = ferry_core::plan::Plan::load(&plan_file).unwrap();
        let recorded: ferry_core::plan::Plan = serde_json::from_value(rep["plan"].clone()).unwrap();
        assert_eq!(recorded.tables, full.tables, "{kind:?}");

        // Every row arrived once, nothing rejected, changed or reported twice.
        for t in ["late_text", "late_values", "late_null_key", "plain"] {
            let tr = &rep["tables"][t];
            assert_eq!((tr["rows_read"].as_i64(), tr["rows_written"].as_i64()), (Some(ROWS), Some(ROWS)), "{kind:?} {t}: {tr}");
            assert_eq!((tr["rejected"].as_array().unwrap().len(), tr["changed"].as_array().unwrap().len()), (0, 0), "{kind:?} {t}: {tr}");
            let count = db.texts(&format!("SELECT CAST(count(*) AS {}) FROM {}", if kind == Kind::Pg { "text" } else { "CHAR" }, t)).await;
            assert_eq!(count, vec![Some(ROWS.to_string())], "{kind:?} {t}");
        }
        let twice: Vec<&str> = rep["notes"].as_array().unwrap().iter().filter(|n| n["reason"].as_str().unwrap().starts_with("loaded twice")).map(|n| n["table"].as_str().unwrap()).collect();
        let mut twice = twice;
        twice.sort();
        assert_eq!(twice, ["late_null_key", "late_text", "late_values"], "{kind:?}: {}", rep["notes"]);
        let key_warnings = rep["warnings"].as_array().unwrap().iter().filter(|w| w["table"] == "late_null_key" && w["object"] == "primary key").count();
        assert_eq!(key_warnings, 1, "{kind:?}: the key not made is said once: {}", rep["warnings"]);

        // The values, in the types of the plan of every row.
        let column_type = |t: &str, c: &str| match kind {
            Kind::Pg => format!("SELECT data_type::text FROM information_schema.columns WHERE table_name = '{t}' AND column_name = '{c}'"),
            Kind::My => format!("SELECT CAST(data_type AS CHAR) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '{t}' AND column_name = '{c}'"),
        };
        let (text, bigint) = if kind == Kind::Pg { ("text", "bigint") } else { ("longtext", "bigint") };
        assert_eq!(db.texts(&column_type("late_text", "u")).await, vec![Some(text.into())], "{kind:?}");
        assert_eq!(db.texts(&column_type("late_values", "v")).await, vec![Some(bigint.into())], "{kind:?}");
        assert_eq!(db.texts("SELECT u FROM late_text WHERE id = 19999").await, vec![Some("not-a-uuid".into())]);
        assert_eq!(db.texts("SELECT u FROM late_text WHERE id = 1").await, vec![Some("00000001-0000-4000-8000-000000000007".into())]);
        let cast = if kind == Kind::Pg { "text" } else { "CHAR" };
        assert_eq!(db.texts(&format!("SELECT CAST(v AS {cast}) FROM late_values WHERE v IS NOT NULL")).await, vec![Some("42".into())]);
        assert_eq!(db.texts(&format!("SELECT CAST(n AS {cast}) FROM late_null_key WHERE code IS NULL")).await, vec![Some("19997".into())]);
    }
}

/// Rows that fail a CHECK in the target (SQLite took them with its CHECKs switched off): a
/// speculative PostgreSQL load carries the CHECK in the table and so stops at the first;
/// loaded again, the CHECK comes after the rows, and each failing row is taken out and
/// reported, once. MariaDB refuses each at its INSERT. Either way the others all arrive and
/// the CHECK holds.
#[tokio::test]
async fn rows_failing_a_check_are_reported_once() {
    let dir = Scratch::new();
    let src = dir.path("checks.sqlite");
    let c = rusqlite::Connection::open(&src).unwrap();
    c.execute_batch(&format!(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL CHECK (qty > 0), note TEXT);
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {ROWS})
         INSERT INTO items SELECT i, 1 + i % 7, printf('item %d', i) FROM k;
         PRAGMA ignore_check_constraints = ON;
         UPDATE items SET qty = -1 WHERE id IN (7, 19990);"
    ))
    .unwrap();
    drop(c);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "checks").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 2, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        let tr = &rep["tables"]["items"];
        assert_eq!((tr["rows_read"].as_i64(), tr["rows_written"].as_i64(), tr["rejected_total"].as_i64()), (Some(ROWS), Some(ROWS - 2), Some(2)), "{kind:?}: {tr}");
        let mut ids: Vec<i64> = tr["rejected"].as_array().unwrap().iter().map(|r| r["row"]["id"].as_i64().unwrap()).collect();
        ids.sort();
        assert_eq!(ids, [7, 19990], "{kind:?}: {tr}");
        let cast = if kind == Kind::Pg { "text" } else { "CHAR" };
        assert_eq!(db.texts(&format!("SELECT CAST(count(*) AS {cast}) FROM items")).await, vec![Some((ROWS - 2).to_string())], "{kind:?}");
        assert!(db.exec("INSERT INTO items (id, qty) VALUES (100000, -5)").await.is_err(), "{kind:?}: the CHECK holds");
    }
}
