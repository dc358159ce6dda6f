//! `ferry sync`: after a migration the source goes on changing (inserts, updates of every
//! column type, deletes, a parent deleted with its children, a key changed, a table without a
//! key, a value the plan refuses); a sync brings the target level, `ferry validate` finds it
//! clean, a second sync finds nothing to do, a dry run writes nothing, a sync killed part way
//! and run again ends clean, and the source file is never written.

use crate::common::*;
use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

const SCHEMA: &str = "
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), note TEXT);
CREATE TABLE things (code TEXT PRIMARY KEY NOT NULL, n INTEGER, price DECIMAL(10,2), ratio REAL, flag BOOLEAN, data BLOB, uid UUID, day DATE, at DATETIME, doc JSON, level INTEGER);
CREATE TABLE log (msg TEXT, n INTEGER);
";

fn build(src: &Path) {
    let c = Connection::open(src).unwrap();
    c.execute_batch(SCHEMA).unwrap();
    for i in 1..=5 {
        c.execute("INSERT INTO customers VALUES (?1, ?2)", rusqlite::params![i, format!("customer {i}")]).unwrap();
    }
    for i in 1..=10 {
        c.execute("INSERT INTO orders VALUES (?1, ?2, ?3)", rusqlite::params![i, (i - 1) % 5 + 1, format!("order {i}")]).unwrap();
    }
    for (i, code) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        c.execute(
            "INSERT INTO things VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            rusqlite::params![code, i as i64 * 10, format!("{}.25", i + 1), 0.5 + i as f64, (i % 2) as i64, vec![i as u8, 0xff], format!("0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c1{i}"), format!("2024-01-0{}", i + 1), format!("2024-01-0{} 10:00:00", i + 1), format!("{{\"k\": {i}}}"), i as i64],
        )
        .unwrap();
    }
    c.execute_batch("INSERT INTO log VALUES ('start', 1), ('same', 2), ('same', 2);").unwrap();
}

/// What the application does to the file after the migration.
const CHANGES: &str = "
INSERT INTO customers VALUES (6, 'new six'), (7, 'new seven');
INSERT INTO orders VALUES (11, 6, 'for the new customer');
UPDATE customers SET name = 'renamed \\ two''s' WHERE id = 2;
UPDATE customers SET name = 'plain one' WHERE id = 1;
DELETE FROM orders WHERE id = 3;
DELETE FROM orders WHERE customer_id = 5;
DELETE FROM customers WHERE id = 5;
UPDATE things SET n = -7, price = '99.99', ratio = 1e300, flag = 1, data = x'00010203', uid = '0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9cff', day = '1999-12-31', at = '2030-06-01 23:59:58.5', doc = '{\"k\": [1, 2], \"it''s\": null}', level = 3 WHERE code = 'a';
UPDATE things SET code = 'bb' WHERE code = 'b';
UPDATE things SET level = 100000 WHERE code = 'c';
UPDATE things SET n = NULL, price = NULL, ratio = NULL, flag = NULL, data = NULL, uid = NULL, day = NULL, at = NULL, doc = NULL WHERE code = 'd';
UPDATE things SET ratio = -0.0, data = x'', doc = '\"\\\\ tab\\t\"' WHERE code = 'e';
INSERT INTO log VALUES ('later', 3);
DELETE FROM log WHERE msg = 'start';
";

fn sync(src: &Path, db: &TestDb, plan: &Path, extra: &[&str]) -> (Run, serde_json::Value) {
    let mut args = vec!["sync", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let (run, _) = ferry_within(&args, &[], Duration::from_secs(120));
    let rep = serde_json::from_str(&run.stdout).unwrap_or(serde_json::Value::Null);
    (run, rep)
}

fn table<'a>(rep: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    rep["tables"].as_array().and_then(|t| t.iter().find(|t| t["table"] == name)).unwrap_or_else(|| panic!("{name} in {rep}"))
}

/// (inserted, updated, deleted) of a table in a sync report.
fn counts(rep: &serde_json::Value, name: &str) -> (u64, u64, u64) {
    let t = table(rep, name);
    (t["inserted"].as_u64().unwrap(), t["updated"].as_u64().unwrap(), t["deleted"].as_u64().unwrap())
}

fn validate_clean(src: &Path, db: &TestDb, plan: &Path) {
    let (run, _) = ferry_within(&["validate", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap()], &[], Duration::from_secs(120));
    assert_eq!(run.code, 0, "{:?}: validate after sync: {}{}", db.kind, run.stdout, run.stderr);
}

async fn count_rows(db: &TestDb, t: &str) -> i64 {
    let sql = match db.kind {
        Kind::Pg => format!("SELECT count(*)::text FROM {}", db.q(t)),
        Kind::My => format!("SELECT CAST(count(*) AS CHAR) FROM {}", db.q(t)),
    };
    db.texts(&sql).await[0].as_deref().unwrap().parse().unwrap()
}

fn source_rows(src: &Path, t: &str) -> i64 {
    Connection::open(src).unwrap().query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn a_sync_brings_the_target_level_with_the_source() {
    for kind in Kind::all() {
        let dir = Scratch::new();
        let src = dir.path("app.sqlite");
        build(&src);
        let db = TestDb::new(kind, "sync").await;
        let plan = plan_with_type(&src, &db.url, "level", "smallint", &dir.path("plan.toml"));
        let (run, _) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        Connection::open(&src).unwrap().execute_batch(CHANGES).unwrap();

        // A dry run counts and writes nothing.
        let before = sha256(&src);
        let (dry, rep) = sync(&src, &db, &plan, &["--dry-run"]);
        assert_eq!(dry.code, 2, "{kind:?}: {}{}", dry.stdout, dry.stderr);
        assert_eq!(counts(&rep, "customers"), (2, 2, 1), "{kind:?}: {rep}");
        assert_eq!((count_rows(&db, "customers").await, count_rows(&db, "orders").await, count_rows(&db, "log").await), (5, 10, 3), "{kind:?}: the dry run wrote");

        let (run, rep) = sync(&src, &db, &plan, &[]);
        assert_eq!(run.code, 2, "{kind:?}: the refused row is listed: {}{}", run.stdout, run.stderr);
        // 1 and 2 updated in one statement, a backslash in one name and none in the other.
        assert_eq!(counts(&rep, "customers"), (2, 2, 1), "{kind:?}: {rep}");
        // Order 3, and customer 5's orders 5 and 10, deleted; 11 inserted.
        assert_eq!(counts(&rep, "orders"), (1, 0, 3), "{kind:?}: {rep}");
        // 'a' updated in every column, 'd' to NULLs and 'e' to edge values, together; 'b' became
        // 'bb'; 'c' now holds a value the plan refuses: its old row goes, as a migration now
        // would not carry it.
        assert_eq!(counts(&rep, "things"), (1, 3, 2), "{kind:?}: {rep}");
        let things = table(&rep, "things");
        assert_eq!(things["rejected_total"], 1, "{kind:?}: {things}");
        assert_eq!((things["rejected"][0]["row"]["code"].as_str(), things["rejected"][0]["column"].as_str()), (Some("c"), Some("level")), "{kind:?}: {things}");
        let log = table(&rep, "log");
        assert_eq!((log["method"].as_str(), log["reloaded"].as_bool()), (Some("multiset"), Some(true)), "{kind:?}: {log}");
        assert!(log["notes"][0].as_str().unwrap().contains("emptied and loaded again"), "{kind:?}: {log}");
        assert_eq!(sha256(&src), before, "{kind:?}: the source was written");
        validate_clean(&src, &db, &plan);
        for t in ["customers", "orders", "log"] {
            assert_eq!(count_rows(&db, t).await, source_rows(&src, t), "{kind:?}: {t}");
        }
        assert_eq!(count_rows(&db, "things").await, source_rows(&src, "things") - 1, "{kind:?}: all but the refused row");

        // Right after: nothing to do.
        let (again, rep) = sync(&src, &db, &plan, &[]);
        assert_eq!(again.code, 2, "{kind:?}: {}{}", again.stdout, again.stderr);
        for t in ["customers", "orders", "things", "log"] {
            assert_eq!(counts(&rep, t), (0, 0, 0), "{kind:?}: {t}: {rep}");
        }
        let (words, _) = ferry_within(&["sync", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap()], &[], Duration::from_secs(120));
        assert!(words.stdout.contains("nothing to do"), "{kind:?}: {}", words.stdout);
        assert_eq!(sha256(&src), before, "{kind:?}: the source was written");
        // The identity moved above the rows the sync inserted (7): the application's next row is 8.
        db.exec(&format!("INSERT INTO {} (name) VALUES ('next')", db.q("customers"))).await.unwrap();
        let max = match kind {
            Kind::Pg => "SELECT max(id)::text FROM customers",
            Kind::My => "SELECT CAST(max(id) AS CHAR) FROM customers",
        };
        assert_eq!(db.texts(max).await, [Some("8".to_string())], "{kind:?}");
    }
}

/// A sync killed with -9 part way leaves each table as it was or synced (one transaction
/// each); the next sync ends clean.
#[tokio::test]
async fn a_sync_killed_part_way_is_run_again_and_ends_clean() {
    for kind in Kind::all() {
        let dir = Scratch::new();
        let src = dir.path("app.sqlite");
        build(&src);
        let db = TestDb::new(kind, "sync_kill").await;
        let plan = plan_with_type(&src, &db.url, "level", "smallint", &dir.path("plan.toml"));
        let (run, _) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        {
            let c = Connection::open(&src).unwrap();
            c.execute_batch("BEGIN").unwrap();
            for i in 100..20_100 {
                c.execute("INSERT INTO customers VALUES (?1, ?2)", rusqlite::params![i, format!("bulk {i}")]).unwrap();
                c.execute("INSERT INTO orders VALUES (?1, ?2, 'bulk')", rusqlite::params![i, i]).unwrap();
            }
            c.execute_batch("UPDATE customers SET name = name || '!' WHERE id <= 3; COMMIT").unwrap();
        }
        let before = sha256(&src);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args(["sync", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap()])
            .env("FERRY_AUDIT_LOG", dir.path("audit.jsonl"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Killed once its first table is written (customers, the parent, committed) and
        // before the next is (orders, its own transaction): polled for at most 20 s.
        let started = Instant::now();
        let mut caught = false;
        while started.elapsed() < Duration::from_secs(20) && child.try_wait().unwrap().is_none() {
            if count_rows(&db, "customers").await > 5 {
                caught = child.try_wait().unwrap().is_none();
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(caught, "{kind:?}: the sync was still running when its first table was written");
        assert_eq!(count_rows(&db, "customers").await, source_rows(&src, "customers"), "{kind:?}: the first table is whole");
        assert_eq!(count_rows(&db, "orders").await, 10, "{kind:?}: the table being written when it was killed is as it was");
        let (run, rep) = sync(&src, &db, &plan, &[]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert_eq!(table(&rep, "customers")["error"], serde_json::Value::Null, "{kind:?}: {rep}");
        validate_clean(&src, &db, &plan);
        for t in ["customers", "orders"] {
            assert_eq!(count_rows(&db, t).await, source_rows(&src, t), "{kind:?}: {t}");
        }
        assert_eq!(sha256(&src), before, "{kind:?}: the source was written");
    }
}

/// A table the target no longer holds is named and not synced (exit 1); the others are.
#[tokio::test]
async fn a_table_that_cannot_be_synced_is_named_and_the_others_are_synced() {
    for kind in Kind::all() {
        let dir = Scratch::new();
        let src = dir.path("app.sqlite");
        build(&src);
        let db = TestDb::new(kind, "sync_gone").await;
        let plan = plan_with_type(&src, &db.url, "level", "smallint", &dir.path("plan.toml"));
        let (run, _) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        db.exec(&format!("DROP TABLE {}", db.q("log"))).await.unwrap();
        Connection::open(&src).unwrap().execute_batch("INSERT INTO customers VALUES (6, 'six'); INSERT INTO log VALUES ('x', 9);").unwrap();
        let (run, rep) = sync(&src, &db, &plan, &[]);
        assert_eq!(run.code, 1, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert!(table(&rep, "log")["error"].as_str().is_some_and(|e| e.starts_with("not synced: ")), "{kind:?}: {rep}");
        assert_eq!(counts(&rep, "log"), (0, 0, 0), "{kind:?}: {rep}");
        assert_eq!(counts(&rep, "customers"), (1, 0, 0), "{kind:?}: {rep}");
        assert_eq!(count_rows(&db, "customers").await, 6, "{kind:?}");
        let (words, _) = ferry_within(&["sync", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap()], &[], Duration::from_secs(120));
        assert!(words.stdout.contains("NOT synced: 1 table could not be synced"), "{kind:?}: {}", words.stdout);
    }
}

/// The application goes on writing (WAL, a commit every few milliseconds) while the sync
/// runs: the sync reads one consistent copy and ends; once the writes stop, one more sync
/// brings the target level and validation is clean.
#[tokio::test]
async fn a_sync_while_the_application_writes() {
    for kind in Kind::all() {
        let dir = Scratch::new();
        let src = dir.path("app.sqlite");
        build(&src);
        Connection::open(&src).unwrap().execute_batch("PRAGMA journal_mode = WAL").unwrap();
        let db = TestDb::new(kind, "sync_busy").await;
        let plan = plan_with_type(&src, &db.url, "level", "smallint", &dir.path("plan.toml"));
        let (run, _) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (src, stop) = (src.clone(), stop.clone());
            std::thread::spawn(move || {
                let c = Connection::open(&src).unwrap();
                c.busy_timeout(Duration::from_secs(5)).unwrap();
                let started = Instant::now();
                let mut n = 0i64;
                // At most 2,000 commits or 60 s.
                while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 2_000 && started.elapsed() < Duration::from_secs(60) {
                    c.execute_batch(&format!("BEGIN; INSERT INTO customers VALUES ({}, 'busy'); UPDATE orders SET note = 'touched {n}' WHERE id = {}; COMMIT;", 1000 + n, n % 10 + 1)).unwrap();
                    n += 1;
                    std::thread::sleep(Duration::from_millis(3));
                }
                n
            })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (during, rep) = sync(&src, &db, &plan, &[]);
        assert_eq!(during.code, 0, "{kind:?}: {}{}", during.stdout, during.stderr);
        assert!(counts(&rep, "customers").0 > 0, "{kind:?}: the rows written before the copy went over: {rep}");
        // Commits came while the file was read: it was compared again from a consistent copy.
        let again = |rep: &serde_json::Value| rep["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("compared again from a copy of it taken at "));
        assert!(again(&rep), "{kind:?}: {rep}");
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let written = writer.join().unwrap();
        assert!(written > 0, "{kind:?}");
        let (after, rep) = sync(&src, &db, &plan, &[]);
        assert_eq!(after.code, 0, "{kind:?}: {}{}", after.stdout, after.stderr);
        assert!(!again(&rep), "{kind:?}: nothing wrote meanwhile: the file itself was read: {rep}");
        validate_clean(&src, &db, &plan);
        assert_eq!(count_rows(&db, "customers").await, 5 + written, "{kind:?}");
    }
}

/// A row the target refuses while the sync writes (a UNIQUE the application's team added on
/// the target, which a change in the source now breaks) is reported as `migrate` reports a
/// row the target refused — its key, column and the server's words — and the table's other
/// changes go in: the sync is consistent, the refused row as it was (exit 2: listed).
#[tokio::test]
async fn a_row_the_target_refuses_is_reported_and_the_rest_written() {
    for kind in Kind::all() {
        let dir = Scratch::new();
        let src = dir.path("app.sqlite");
        build(&src);
        let db = TestDb::new(kind, "sync_refused").await;
        let plan = plan_with_type(&src, &db.url, "level", "smallint", &dir.path("plan.toml"));
        let (run, _) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        db.exec(&format!("CREATE UNIQUE INDEX customers_name_uq ON {} ({})", db.q("customers"), db.q("name"))).await.unwrap();
        Connection::open(&src)
            .unwrap()
            .execute_batch("UPDATE customers SET name = 'customer 1' WHERE id = 2; UPDATE customers SET name = 'renamed' WHERE id = 3; INSERT INTO customers VALUES (6, 'six'), (7, 'customer 4'); INSERT INTO orders VALUES (11, 6, 'for six');")
            .unwrap();
        let before = sha256(&src);
        let (run, rep) = sync(&src, &db, &plan, &[]);
        assert_eq!(run.code, 2, "{kind:?}: the refused rows are listed: {}{}", run.stdout, run.stderr);
        let customers = table(&rep, "customers");
        assert_eq!(customers["error"], serde_json::Value::Null, "{kind:?}: {customers}");
        assert_eq!(counts(&rep, "customers"), (1, 1, 0), "{kind:?}: 6 inserted, 3 renamed: {rep}");
        assert_eq!(customers["rejected_total"], 2, "{kind:?}: {customers}");
        let mut refused: Vec<(i64, String)> = customers["rejected"].as_array().unwrap().iter().map(|r| (r["row"]["id"].as_i64().unwrap(), r["reason"].as_str().unwrap().to_string())).collect();
        refused.sort();
        assert_eq!(refused.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 7], "{kind:?}: {customers}");
        for (id, reason) in &refused {
            assert!(reason.starts_with("refused by the target: ") && reason.to_lowercase().contains("dup"), "{kind:?}: row {id}: {reason}");
        }
        assert_eq!(counts(&rep, "orders"), (1, 0, 0), "{kind:?}: {rep}");
        let names = match kind {
            Kind::Pg => "SELECT string_agg(id::text || '=' || name, ',' ORDER BY id) FROM customers",
            Kind::My => "SELECT GROUP_CONCAT(CONCAT(id, '=', name) ORDER BY id) FROM customers",
        };
        assert_eq!(db.texts(names).await, [Some("1=customer 1,2=customer 2,3=renamed,4=customer 4,5=customer 5,6=six".to_string())], "{kind:?}: the refused rows as they were, the rest written");
        assert_eq!(count_rows(&db, "orders").await, 11, "{kind:?}");
        assert_eq!(sha256(&src), before, "{kind:?}: the source was written");
        // Once the team drops its index, the next sync carries the two rows.
        db.exec(&match kind {
            Kind::Pg => "DROP INDEX customers_name_uq".to_string(),
            Kind::My => format!("DROP INDEX customers_name_uq ON {}", db.q("customers")),
        })
        .await
        .unwrap();
        let (again, rep) = sync(&src, &db, &plan, &[]);
        assert_eq!(again.code, 0, "{kind:?}: {}{}", again.stdout, again.stderr);
        assert_eq!(counts(&rep, "customers"), (1, 1, 0), "{kind:?}: {rep}");
        validate_clean(&src, &db, &plan);
    }
}
