//! Pre-flight's schema rehearsal (issue #13): with a reachable target, every DEFAULT, CHECK,
//! index and view the server refuses is listed with its reason and SQL before anything is
//! written; the target is left as it was; `migrate` then leaves exactly those off and still
//! loads every row.

use crate::common::*;
use rusqlite::Connection;
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::path::Path;

/// A shop's file with objects each server refuses (found by running `migrate` on them):
/// PostgreSQL refuses a CASE mixing text and integers in a CHECK, a column listed twice in a
/// view and a bare column in a GROUP BY; MariaDB refuses `date('now')` in a CHECK, an index
/// on two expressions (two 768-character virtual columns are past its 3072-byte key limit)
/// and the view listing a column twice. Both refuse an index on `date('now')`. The `ev`
/// table has no rows: SQLite itself refuses a row under a CHECK with `date('now')`.
fn shop(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT, qty INTEGER, price REAL,
           CONSTRAINT ck_stock CHECK (CASE WHEN qty > 0 THEN 'in stock' ELSE 0 END IS NOT NULL),
           CONSTRAINT ck_price CHECK (price > 0));
         CREATE INDEX ix_name_city ON item (lower(name), lower(city));
         CREATE INDEX ix_name ON item (name);
         CREATE TABLE ev (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES item(id), d DATE,
           CONSTRAINT ck_past CHECK (d <= date('now')));
         CREATE INDEX ix_today ON ev (d, date('now'));
         CREATE VIEW v_pairs AS SELECT a.id, b.id FROM item a JOIN ev b ON b.item_id = a.id;
         CREATE VIEW v_by_qty AS SELECT name, qty, count(*) AS n FROM item GROUP BY qty;
         CREATE VIEW v_names AS SELECT name FROM item;
         INSERT INTO item VALUES (1, 'Anvil', 'Oslo', 3, 10.5), (2, 'Rope', 'Bergen', 0, 2.25), (3, 'Lamp', NULL, 7, 30);",
    )
    .unwrap();
}

/// (table, object, a piece of the server's message, a piece of the SQL) each server refuses.
fn refused_by(kind: Kind) -> Vec<(Option<&'static str>, &'static str, &'static str, &'static str)> {
    match kind {
        Kind::Pg => vec![
            (Some("item"), "CHECK (CASE WHEN qty > 0 THEN 'in stock' ELSE 0 END IS NOT NULL)", "invalid input syntax for type", "ADD CONSTRAINT \"ck_stock\" CHECK"),
            (Some("ev"), "index ix_today", "must be marked IMMUTABLE", "CREATE INDEX \"ix_today\" ON \"public\".\"ev\""),
            (None, "view v_pairs", "specified more than once", "CREATE VIEW \"public\".\"v_pairs\""),
            (None, "view v_by_qty", "must appear in the GROUP BY clause", "CREATE VIEW \"public\".\"v_by_qty\""),
        ],
        Kind::My => vec![
            (Some("item"), "index ix_name_city", "key was too long", "ADD INDEX `ix_name_city`"),
            (Some("ev"), "CHECK (d <= date('now'))", "cannot be used in the CHECK clause", "ADD CONSTRAINT `ck_past` CHECK"),
            (Some("ev"), "index ix_today", "key was too long", "ADD INDEX `ix_today`"),
            (None, "view v_pairs", "Duplicate column name", "CREATE VIEW `v_pairs`"),
        ],
    }
}

/// What the test database holds that a rehearsal must not leave: its tables and views, and
/// on PostgreSQL its schemas.
async fn contents(db: &TestDb) -> Vec<Option<String>> {
    match db.kind {
        Kind::Pg => db.texts("SELECT nspname::text FROM pg_namespace UNION ALL SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1").await,
        Kind::My => db.texts("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1").await,
    }
}

/// The server's message inside a rehearsal's reason.
fn message(reason: &str) -> &str {
    let rest = reason.strip_prefix("the target refuses it: ").unwrap_or_else(|| panic!("a refusal: {reason}"));
    rest.split_once("; migrate leaves it off").unwrap_or_else(|| panic!("says what migrate does: {reason}")).0
}

#[tokio::test]
async fn preflight_rehearses_the_schema_and_migrate_leaves_off_the_same_objects() {
    for kind in Kind::all() {
        let db = TestDb::new(kind, "rehearse").await;
        let dir = Scratch::new();
        let src = dir.path("shop.sqlite");
        shop(&src);
        let before = contents(&db).await;

        let run = ferry(&["preflight", src.to_str().unwrap(), "--to", &db.url, "--json"]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        let pf: J = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
        let note = pf["rehearsal"].as_str().unwrap_or_else(|| panic!("{kind:?}: a rehearsal note in {pf}"));
        assert!(note.starts_with("schema rehearsed on ") && note.contains("taken away after: 4 objects refused"), "{kind:?}: {note}");

        // Each refusal, with the server's reason and the SQL migrate would send; nothing else.
        let refusals: BTreeMap<(Option<String>, String), String> = pf["objects"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["reason"].as_str().unwrap().starts_with("the target refuses it: "))
            .map(|o| ((o["table"].as_str().map(String::from), o["object"].as_str().unwrap().to_string()), o["reason"].as_str().unwrap().to_string()))
            .collect();
        let want = refused_by(kind);
        assert_eq!(refusals.len(), want.len(), "{kind:?}: {refusals:#?}");
        for (table, object, said, sql) in &want {
            let reason = refusals.get(&(table.map(String::from), object.to_string())).unwrap_or_else(|| panic!("{kind:?}: {object} refused, in {refusals:#?}"));
            assert!(message(reason).contains(said), "{kind:?} {object}: {reason}");
            assert!(reason.split_once("; migrate leaves it off. SQL: ").is_some_and(|(_, s)| s.contains(sql)), "{kind:?} {object}: {reason}");
        }

        // The target as it was: no tables, no scratch schema or database left.
        assert_eq!(contents(&db).await, before, "{kind:?}: the target is left as it was");
        let scratch = note.split_whitespace().find(|w| w.starts_with("ferry_rehearsal_")).unwrap_or_else(|| panic!("the scratch place is named: {note}"));
        let left = match kind {
            Kind::Pg => db.texts(&format!("SELECT nspname::text FROM pg_namespace WHERE nspname = '{scratch}'")).await,
            Kind::My => db.texts(&format!("SELECT schema_name FROM information_schema.schemata WHERE schema_name = '{scratch}'")).await,
        };
        assert!(left.is_empty(), "{kind:?}: {scratch} left behind");

        // migrate: every row, and the same objects left off for the same reasons.
        let (run, rep) = migrate(&src, &db, &[]);
        // 2: not exact, for the objects left off; every row is in.
        assert_eq!(run.code, 2, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert_eq!(rep["completed"], true, "{kind:?}: {}", run.stdout);
        assert_eq!(rep["tables"]["item"]["rows_written"], 3, "{kind:?}: {}", rep["tables"]);
        let not_created: BTreeMap<(Option<String>, String), String> = rep["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| Some(((w["table"].as_str().map(String::from), w["object"].as_str()?.to_string()), w["reason"].as_str()?.strip_prefix("not created: ")?.to_string())))
            .collect();
        for ((table, object), reason) in &refusals {
            let got = not_created.get(&(table.clone(), object.clone())).unwrap_or_else(|| panic!("{kind:?}: migrate names {object}: {not_created:#?}"));
            assert_eq!(got, message(reason), "{kind:?}: {object}");
        }
        assert_eq!(not_created.len(), refusals.len(), "{kind:?}: nothing else left off: {not_created:#?}");
    }
}

/// An unreachable target: one line says the schema was not rehearsed and why; the rest of
/// the pre-flight is there and the exit code is what it would be.
#[test]
fn an_unreachable_target_is_said_in_one_line() {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    shop(&src);
    for url in ["postgres://nobody@127.0.0.1:1/none", "mysql://nobody@127.0.0.1:1/none"] {
        let run = ferry(&["preflight", src.to_str().unwrap(), "--to", url]);
        assert_eq!(run.code, 0, "{url}: {}{}", run.stdout, run.stderr);
        let lines: Vec<&str> = run.stdout.lines().filter(|l| l.contains("rehearsed")).collect();
        assert_eq!(lines.len(), 1, "{url}: {}", run.stdout);
        assert!(lines[0].starts_with("schema not rehearsed: cannot reach") && lines[0].contains("127.0.0.1:1"), "{url}: {}", lines[0]);
        assert!(run.stdout.starts_with("3 rows checked for "), "{url}: {}", run.stdout);
        assert!(run.stdout.contains("ready to migrate"), "{url}: {}", run.stdout);
        let run = ferry(&["preflight", src.to_str().unwrap(), "--to", url, "--json"]);
        let pf: J = serde_json::from_str(&run.stdout).unwrap();
        assert!(pf["rehearsal"].as_str().unwrap().starts_with("schema not rehearsed: "), "{url}: {}", pf["rehearsal"]);
        assert_eq!(pf["rows_checked"], 3);
    }
}

/// A user who may not make the scratch schema or database: pre-flight says it could not
/// rehearse and why, and is otherwise whole.
#[tokio::test]
async fn no_right_to_a_scratch_place_is_said_not_fatal() {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    shop(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "rehearse_priv").await;
        let (_login, url) = Login::confined_to(&db).await;
        let run = ferry(&["preflight", src.to_str().unwrap(), "--to", &url, "--json"]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        let pf: J = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
        let note = pf["rehearsal"].as_str().unwrap_or_default();
        let place = if kind == Kind::Pg { "schema" } else { "database" };
        assert!(note.starts_with(&format!("schema not rehearsed: could not make the scratch {place} ferry_rehearsal_")), "{kind:?}: {note}");
        assert!(note.contains("denied"), "{kind:?}: the server's reason: {note}");
        assert_eq!(pf["rows_checked"], 3, "{kind:?}");
        assert!(!pf["objects"].as_array().unwrap().iter().any(|o| o["reason"].as_str().unwrap().starts_with("the target refuses it")), "{kind:?}: {pf}");
        assert!(contents(&db).await.iter().all(|n| !n.as_deref().unwrap_or_default().contains("ferry_rehearsal_")), "{kind:?}");
    }
}

/// A DEFAULT the planned type cannot hold (`SMALLINT DEFAULT 70000`) is named by the plan
/// itself on both targets, in pre-flight and by `migrate`, and not again by the rehearsal. One
/// only the server knows it refuses — a plan that makes a column MariaDB's `tinyint` (-128 to
/// 127; the plan reads it as a 16-bit integer) with `DEFAULT 200` — is found by the rehearsal
/// (the table made without its DEFAULTs, then each alone) and is exactly what `migrate` then
/// leaves off.
#[tokio::test]
async fn a_refused_default_is_found_before_migrate_leaves_it_off() {
    let dir = Scratch::new();
    let src = dir.path("dflt.sqlite");
    Connection::open(&src)
        .unwrap()
        .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, s SMALLINT NOT NULL DEFAULT 70000, level INTEGER DEFAULT 200, n INTEGER DEFAULT 5); INSERT INTO t (id, s, level) VALUES (1, 1, 1), (2, 2, 100);")
        .unwrap();
    let defaults = |list: &J| -> BTreeMap<String, String> {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|w| w["object"].as_str().is_some_and(|o| o.starts_with("DEFAULT ")))
            .filter_map(|w| Some((w["object"].as_str()?.to_string(), w["reason"].as_str()?.to_string())))
            .collect()
    };
    for kind in Kind::all() {
        let db = TestDb::new(kind, "rehearse_dflt").await;
        let mut extra: Vec<String> = vec![];
        if kind == Kind::My {
            let plan = plan_with_type(&src, &db.url, "level", "tinyint", &dir.path("tiny.toml"));
            extra = vec!["--plan".into(), plan.to_str().unwrap().into()];
        }
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let mut args = vec!["preflight", src.to_str().unwrap(), "--to", &db.url, "--json"];
        args.extend(&extra);
        let run = ferry(&args);
        let pf: J = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
        let found = defaults(&pf["objects"]);
        let (run, rep) = migrate(&src, &db, &extra);
        assert_eq!(rep["tables"]["t"]["rows_written"], 2, "{kind:?}: {}{}", run.stdout, run.stderr);
        let left_off = defaults(&rep["warnings"]);
        let want: &[&str] = if kind == Kind::My { &["DEFAULT 200 of column level", "DEFAULT 70000 of column s"] } else { &["DEFAULT 70000 of column s"] };
        assert_eq!(found.keys().collect::<Vec<_>>(), want, "{kind:?}: {found:#?}");
        assert_eq!(left_off.keys().collect::<Vec<_>>(), want, "{kind:?}: {left_off:#?}");
        // The plan's own finding, the same words in both.
        assert!(found["DEFAULT 70000 of column s"].starts_with("not carried: ") && found["DEFAULT 70000 of column s"] == left_off["DEFAULT 70000 of column s"], "{kind:?}: {found:#?}");
        if kind == Kind::My {
            let said = left_off["DEFAULT 200 of column level"].strip_prefix("not created: ").expect("migrate's words");
            let rehearsed = found["DEFAULT 200 of column level"].strip_prefix("the target refuses it: ").expect("the rehearsal's words");
            assert!(rehearsed.starts_with(&format!("{said}; migrate leaves it off. SQL: ALTER TABLE `t` ALTER COLUMN `level` SET DEFAULT 200")), "{rehearsed}");
        }
    }
}

/// A foreign key to a column no key covers: SQLite takes the definition (and only complains
/// when it checks a row); both servers refuse it. The rehearsal makes every table first, then
/// the foreign keys, as `migrate` does, and names the same refusal `migrate` then reports.
#[tokio::test]
async fn a_foreign_key_to_an_unkeyed_column_is_found_before_migrate() {
    let dir = Scratch::new();
    let src = dir.path("fk.sqlite");
    Connection::open(&src)
        .unwrap()
        .execute_batch(
            "PRAGMA foreign_keys = OFF;
             CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT);
             CREATE TABLE child (id INTEGER PRIMARY KEY, pcode TEXT REFERENCES parent(code), pid INTEGER REFERENCES parent(id));
             INSERT INTO parent VALUES (1, 'a'), (2, 'b'); INSERT INTO child VALUES (1, 'a', 1), (2, 'b', 2);",
        )
        .unwrap();
    for (kind, said) in [(Kind::Pg, "no unique constraint matching given keys"), (Kind::My, "Missing index for constraint")] {
        let db = TestDb::new(kind, "rehearse_fk").await;
        let run = ferry(&["preflight", src.to_str().unwrap(), "--to", &db.url, "--json"]);
        let pf: J = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
        let keys = |list: &J, prefix: &str| -> BTreeMap<String, String> {
            list.as_array()
                .unwrap()
                .iter()
                .filter(|w| w["object"].as_str().is_some_and(|o| o.starts_with("foreign key ")))
                .filter_map(|w| Some((w["object"].as_str()?.to_string(), w["reason"].as_str()?.strip_prefix(prefix)?.to_string())))
                .collect()
        };
        let found: BTreeMap<_, _> = keys(&pf["objects"], "").into_iter().filter(|(_, r)| r.starts_with("the target refuses it: ")).collect();
        assert_eq!(found.keys().collect::<Vec<_>>(), ["foreign key child_pcode_fkey (pcode) → parent"], "{kind:?}: only the unkeyed one: {found:#?}");
        let reason = found.values().next().unwrap();
        assert!(message(reason).contains(said) && reason.contains("FOREIGN KEY"), "{kind:?}: {reason}");
        assert!(contents(&db).await.iter().all(|n| !n.as_deref().unwrap_or_default().contains("parent")), "{kind:?}: nothing left");

        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!((&rep["tables"]["parent"]["rows_written"], &rep["tables"]["child"]["rows_written"]), (&J::from(2), &J::from(2)), "{kind:?}: {}{}", run.stdout, run.stderr);
        let left_off = keys(&rep["warnings"], "not created: ");
        assert_eq!(left_off.len(), 1, "{kind:?}: {left_off:#?}");
        for (object, said) in &left_off {
            assert_eq!(message(&found[object]), said, "{kind:?}: {object}");
        }
    }
}

/// Ctrl-C while the schema is rehearsed on MariaDB (whose scratch place is a database, not a
/// transaction): the rehearsal stops before its next statement, the scratch database is
/// dropped, and the rest of the pre-flight is printed with the line saying why the schema
/// was not rehearsed.
#[tokio::test]
async fn ctrl_c_during_a_rehearsal_takes_the_scratch_database_away() {
    use std::io::Read;
    use std::time::{Duration, Instant};
    let db = TestDb::new(Kind::My, "rehearse_int").await;
    let dir = Scratch::new();
    let src = dir.path("many.sqlite");
    // Enough tables (each with a CHECK and an index) that the rehearsal takes seconds.
    let first = format!("rh_int_{}_t000", std::process::id());
    let mut sql = String::new();
    for i in 0..300 {
        let t = format!("rh_int_{}_t{i:03}", std::process::id());
        sql.push_str(&format!("CREATE TABLE {t} (id INTEGER PRIMARY KEY, n INTEGER CHECK (n > 0), s TEXT); CREATE INDEX {t}_s ON {t} (s);"));
    }
    Connection::open(&src).unwrap().execute_batch(&sql).unwrap();
    let audit = std::env::temp_dir().join(format!("ferry-test-audit-{}.jsonl", std::process::id()));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["preflight", src.to_str().unwrap(), "--to", &db.url])
        .env("FERRY_AUDIT_LOG", audit)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The scratch database holding the first table, once it is made (at most 60 s).
    let started = Instant::now();
    let scratch = loop {
        let found = db.texts(&format!("SELECT table_schema FROM information_schema.tables WHERE table_name = '{first}'")).await;
        if let Some(Some(s)) = found.into_iter().next() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(60) || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!("no scratch database with {first} seen while the rehearsal ran");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(scratch.starts_with("ferry_rehearsal_"), "{scratch}");
    std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("ferry did not end after Ctrl-C");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let (mut out, mut err) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(0), "{out}{err}");
    assert!(err.contains("interrupted: taking the rehearsal's scratch"), "{err}");
    assert!(out.contains("schema not rehearsed: the rehearsal stopped: interrupted"), "{out}");
    assert!(out.starts_with("0 rows checked for MariaDB"), "{out}");
    let left = db.texts(&format!("SELECT schema_name FROM information_schema.schemata WHERE schema_name = '{scratch}'")).await;
    assert!(left.is_empty(), "{scratch} is left behind");
}
