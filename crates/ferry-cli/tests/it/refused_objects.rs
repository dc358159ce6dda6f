//! A schema object the target refuses never stops the run, and pre-flight finds what it can
//! first: a literal DEFAULT the column's planned type cannot hold is left off and named (by
//! `preflight` and by `migrate`), and a generated column whose expression the server refuses
//! arrives as a plain column holding the values SQLite computed.

use crate::common::*;
use rusqlite::Connection;
use serde_json::Value as J;

/// Source columns whose literal DEFAULT the planned type cannot hold, with a word of the
/// reason each is named with; `n`'s DEFAULT fits and is kept.
const REFUSED_DEFAULTS: [(&str, &str); 5] = [
    ("qty", "out of range"),
    ("code", "longer than 5 characters"),
    ("price", "does not fit"),
    ("due", "date"),
    ("ok", "boolean"),
];

fn warnings_about<'a>(list: &'a J, object: &str) -> Vec<&'a J> {
    list.as_array().map(|a| a.iter().filter(|w| w["object"].as_str().is_some_and(|o| o.contains(object))).collect()).unwrap_or_default()
}

/// `SMALLINT DEFAULT 70000`, `VARCHAR(5) DEFAULT 'toolong'`, `NUMERIC(5,2) DEFAULT 12345.6`,
/// `DATE DEFAULT 'not a date'`, `BOOLEAN DEFAULT 'maybe'`: PostgreSQL takes the first three at
/// CREATE TABLE and refuses the application's first INSERT that leaves the column out;
/// MariaDB refuses them at CREATE. Each is listed by pre-flight, left off by migrate and named
/// in its report, while every row arrives and the DEFAULT that fits stays.
#[tokio::test]
async fn a_default_the_planned_type_cannot_hold_is_found_first_and_left_off() {
    let dir = Scratch::new();
    let src = dir.path("defaults.sqlite");
    let c = Connection::open(&src).unwrap();
    c.execute_batch(
        "CREATE TABLE item (
            id INTEGER PRIMARY KEY,
            qty SMALLINT DEFAULT 70000,
            code VARCHAR(5) DEFAULT 'toolong',
            price NUMERIC(5,2) DEFAULT 12345.6,
            due DATE DEFAULT 'not a date',
            ok BOOLEAN DEFAULT 'maybe',
            n INTEGER DEFAULT 5);",
    )
    .unwrap();
    // Every row gives each column a value its type holds.
    for i in 1..=40 {
        c.execute("INSERT INTO item (id, qty, code, price, due, ok, n) VALUES (?1, ?1, 'c' || ?1, ?1 * 1.25, '2024-01-' || printf('%02d', ?1 % 28 + 1), ?1 % 2, ?1)", [i]).unwrap();
    }
    drop(c);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "dflt_fit").await;
        // Pre-flight lists each one among the objects not carried as they are.
        let pf = ferry(&["preflight", src.to_str().unwrap(), "--to", &db.url, "--json"]);
        let pf: J = serde_json::from_str(&pf.stdout).unwrap_or_else(|e| panic!("{kind:?}: preflight --json: {e}: {}{}", pf.stdout, pf.stderr));
        for (col, why) in REFUSED_DEFAULTS {
            let found = warnings_about(&pf["objects"], &format!("of column {col}"));
            assert!(found.len() == 1 && found[0]["table"] == "item" && found[0]["object"].as_str().unwrap().starts_with("DEFAULT ") && found[0]["reason"].as_str().unwrap().contains(why), "{kind:?}: preflight names the DEFAULT of {col}: {}", pf["objects"]);
        }
        assert!(warnings_about(&pf["objects"], "of column n").is_empty(), "{kind:?}: {}", pf["objects"]);
        // Migrate: every row, the same DEFAULTs named.
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 2, "{kind:?}: objects left behind make exit 2: {}{}", run.stdout, run.stderr);
        assert_eq!((rep["tables"]["item"]["rows_written"].as_u64(), rep["tables"]["item"]["rejected_total"].as_u64()), (Some(40), Some(0)), "{kind:?}: {rep}");
        for (col, why) in REFUSED_DEFAULTS {
            let found = warnings_about(&rep["warnings"], &format!("of column {col}"));
            assert!(found.len() == 1 && found[0]["reason"].as_str().unwrap().contains(why), "{kind:?}: the report names the DEFAULT of {col}: {}", rep["warnings"]);
            assert!(run.stdout.contains(&format!("of column {col}")), "{kind:?}: {}", run.stdout);
        }
        let qty = warnings_about(&rep["warnings"], "of column qty")[0];
        assert_eq!(qty["object"], "DEFAULT 70000 of column qty", "{kind:?}");
        assert!(qty["reason"].as_str().unwrap().contains("70000 is out of range for a 16-bit integer (smallint"), "{kind:?}: {qty}");
        // The target holds only the DEFAULT that fits.
        let here = match kind {
            Kind::Pg => "current_schema()",
            Kind::My => "DATABASE()",
        };
        let with_default = db
            .texts(&format!("SELECT TRIM(CAST(column_name AS CHAR(64))) FROM information_schema.columns WHERE table_schema = {here} AND table_name = 'item' AND column_default IS NOT NULL AND column_default <> 'NULL' AND column_name <> 'id' ORDER BY column_name"))
            .await;
        assert_eq!(with_default, [Some("n".to_string())], "{kind:?}");
        // An INSERT that leaves those columns out works, and takes the DEFAULT that is there.
        db.exec("INSERT INTO item (id) VALUES (100)").await.unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(db.texts("SELECT TRIM(CAST(n AS CHAR(10))) FROM item WHERE id = 100").await, [Some("5".to_string())], "{kind:?}");
        assert_eq!(db.texts("SELECT TRIM(CAST(qty AS CHAR(10))) FROM item WHERE id = 40").await, [Some("40".to_string())], "{kind:?}");
    }
}

/// SQLite takes generated columns either target refuses at CREATE TABLE: PostgreSQL refuses
/// one that uses another generated column (`doubled`) and an expression whose type is not the
/// column's (`num`, text into bigint); MariaDB a STORED one that uses the AUTO_INCREMENT
/// column (`code`). Each arrives as a plain column holding the values SQLite computed, named
/// with its expression and the server's reason; the run goes on, every row arrives, the
/// columns the server took stay generated, and validate compares the plain ones clean.
#[tokio::test]
async fn a_generated_column_the_server_refuses_arrives_as_a_plain_column() {
    let dir = Scratch::new();
    let src = dir.path("generated.sqlite");
    let c = Connection::open(&src).unwrap();
    c.execute_batch(
        "CREATE TABLE e (
            id INTEGER PRIMARY KEY,
            qty INTEGER NOT NULL,
            price REAL NOT NULL,
            name TEXT NOT NULL,
            total REAL GENERATED ALWAYS AS (qty * price) STORED,
            doubled REAL GENERATED ALWAYS AS (total * 2) VIRTUAL,
            code TEXT GENERATED ALWAYS AS ('N' || id) STORED,
            num INTEGER GENERATED ALWAYS AS (substr(name, 2)) STORED);",
    )
    .unwrap();
    const ROWS: i64 = 60;
    for i in 1..=ROWS {
        c.execute("INSERT INTO e (qty, price, name) VALUES (?1 % 7 + 1, (?1 % 9) * 0.25, 'x' || (?1 * 3))", [i]).unwrap();
    }
    // What SQLite computed, by row id.
    let sqlite_values = |col: &str| -> Vec<(i64, String)> {
        let mut st = c.prepare(&format!("SELECT id, CAST({col} AS TEXT) FROM e ORDER BY id")).unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    let refused: &[(Kind, &[(&str, &str)])] = &[
        (Kind::Pg, &[("doubled", "cannot use generated column"), ("num", "is of type bigint but")]),
        (Kind::My, &[("code", "AUTO_INCREMENT")]),
    ];
    for kind in Kind::all() {
        let db = TestDb::new(kind, "gen_refused").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 2, "{kind:?}: the run goes on, objects left behind make exit 2: {}{}", run.stdout, run.stderr);
        assert_eq!((rep["tables"]["e"]["rows_written"].as_i64(), rep["tables"]["e"]["rejected_total"].as_u64()), (Some(ROWS), Some(0)), "{kind:?}: {rep}");
        let plain: &[(&str, &str)] = refused.iter().find(|(k, _)| *k == kind).unwrap().1;
        let here = match kind {
            Kind::Pg => "current_schema()",
            Kind::My => "DATABASE()",
        };
        for col in ["total", "doubled", "code", "num"] {
            let refusal = plain.iter().find(|(c, _)| *c == col);
            let named = warnings_about(&rep["warnings"], &format!("generated column {col}"));
            match refusal {
                Some((_, why)) => {
                    assert_eq!(named.len(), 1, "{kind:?}: {col} is named: {}", rep["warnings"]);
                    let reason = named[0]["reason"].as_str().unwrap();
                    assert!(reason.contains("plain column holding the values SQLite computed") && reason.contains("GENERATED ALWAYS AS (") && reason.contains(why), "{kind:?} {col}: {reason}");
                    assert!(run.stdout.contains(&format!("generated column {col}")), "{kind:?}: {}", run.stdout);
                }
                None => assert!(named.is_empty(), "{kind:?}: {col} is carried generated: {}", rep["warnings"]),
            }
            let generated = db.texts(&format!("SELECT TRIM(CAST(is_generated AS CHAR(10))) FROM information_schema.columns WHERE table_schema = {here} AND table_name = 'e' AND column_name = '{col}'")).await;
            assert_eq!(generated, [Some(if refusal.is_some() { "NEVER" } else { "ALWAYS" }.to_string())], "{kind:?}: {col}");
            // The values are SQLite's, compared as numbers where they are numbers.
            let as_text = match kind {
                Kind::Pg => format!("SELECT id::text || ':' || {col}::text FROM e ORDER BY id"),
                Kind::My => format!("SELECT CONCAT(id, ':', {col}) FROM e ORDER BY id"),
            };
            let target: Vec<(i64, String)> = db
                .texts(&as_text)
                .await
                .into_iter()
                .map(|s| {
                    let s = s.unwrap();
                    let (id, v) = s.split_once(':').unwrap();
                    (id.parse().unwrap(), v.to_string())
                })
                .collect();
            let want = sqlite_values(col);
            assert_eq!(target.len(), want.len(), "{kind:?}: {col}");
            for ((ti, tv), (wi, wv)) in target.iter().zip(&want) {
                let same = match (tv.parse::<f64>(), wv.parse::<f64>()) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => tv == wv,
                };
                assert!(ti == wi && same, "{kind:?}: {col} of row {wi}: target {tv:?}, SQLite {wv:?}");
            }
        }
        let v = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url, "--json"]);
        let v: J = serde_json::from_str(&v.stdout).unwrap_or_else(|e| panic!("{kind:?}: validate --json: {e}: {}", v.stderr));
        assert_eq!((v["clean"].as_bool(), v["mismatches"].as_u64()), (Some(true), Some(0)), "{kind:?}: {v}");
        // The plain columns were compared; only those the target computes were not.
        let notes = v["tables"][0]["notes"].to_string();
        for (col, _) in plain {
            assert!(!notes.contains(col), "{kind:?}: {col} is compared: {notes}");
        }
        assert!(notes.contains("total"), "{kind:?}: {notes}");
    }
}

/// A DEFAULT only the server knows it refuses is still left off at CREATE and named, and the
/// table and its rows arrive: a plan that makes a column MariaDB's `tinyint` (-128 to 127; the
/// plan reads it as a 16-bit integer) with `DEFAULT 200`.
#[tokio::test]
async fn a_default_the_server_refuses_at_create_is_left_off_and_named() {
    let dir = Scratch::new();
    let src = dir.path("tiny.sqlite");
    Connection::open(&src).unwrap().execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, level INTEGER DEFAULT 200, n INTEGER DEFAULT 5); INSERT INTO t (id, level) VALUES (1, 1), (2, 100);").unwrap();
    let db = TestDb::new(Kind::My, "dflt_create").await;
    let plan = plan_with_type(&src, &db.url, "level", "tinyint", &dir.path("plan.toml"));
    let (run, rep) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(rep["tables"]["t"]["rows_written"], 2, "{rep}");
    let named = warnings_about(&rep["warnings"], "of column level");
    assert!(named.len() == 1 && named[0]["object"] == "DEFAULT 200 of column level" && named[0]["reason"].as_str().unwrap().starts_with("not created: "), "{}", rep["warnings"]);
    db.exec("INSERT INTO t (id) VALUES (3)").await.unwrap();
    assert_eq!(db.texts("SELECT CONCAT(COALESCE(level, 'NULL'), ',', n) FROM t WHERE id = 3").await, [Some("NULL,5".to_string())]);
    assert_eq!(db.texts("SELECT TRIM(CAST(column_type AS CHAR(20))) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 't' AND column_name = 'level'").await, [Some("tinyint(4)".to_string())]);
}
