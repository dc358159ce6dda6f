//! Foreign-key orphans arrive by default (#13): a row whose key names no parent row loads with
//! the rest, under a foreign key that refuses new orphans but is not checked against the rows
//! already there (PostgreSQL `NOT VALID`; MySQL/MariaDB made with checks off). The report gives
//! each key's orphan count and rows, the rejects file lists them all, validate compares clean,
//! `--strict` stops at them unless the plan chose to keep them, and rejecting them stays a
//! choice — into both targets.

use crate::common::*;
use rusqlite::Connection;
use serde_json::Value as J;
use std::path::Path;

/// More orphans than the report keeps, and a cycle of keys (each table references the other,
/// so neither can wait for the other's key), each side with an orphan.
const MANY: i64 = 1_200;

fn build(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
         INSERT INTO customers VALUES (1, 'ann'), (2, 'bob');
         CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total REAL);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MANY})
         INSERT INTO orders SELECT i, CASE WHEN i <= 2 THEN i ELSE 1000 + i END, i * 1.5 FROM n;
         INSERT INTO orders VALUES ({MANY} + 1, NULL, 0);
         CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id));
         CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));
         INSERT INTO a VALUES (1, 1), (2, 77);
         INSERT INTO b VALUES (1, 1), (2, 88);"
    ))
    .unwrap();
}

fn unchecked(rep: &J, table: &str) -> Vec<J> {
    rep["tables"][table]["unchecked_keys"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn orphans_arrive_under_a_key_that_guards_new_writes() {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    build(&src);
    let before = sha256(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "orphans").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 2, "{kind:?}: the unchecked keys are reported: {}{}", run.stdout, run.stderr);
        assert_eq!(rep["completed"], true, "{kind:?}");
        let state = if kind == Kind::Pg { "left NOT VALID" } else { "created with foreign_key_checks off" };
        // The summary says every row arrived, and that the three keys are not as in a clean
        // database (they are made, not left behind).
        assert!(run.stdout.contains("every row arrived exactly") && run.stdout.contains("3 objects not carried exactly"), "{kind:?}: {}", run.stdout);
        // Every row is there, and nothing was rejected.
        for (table, rows) in [("orders", MANY + 1), ("a", 2), ("b", 2), ("customers", 2)] {
            let t = &rep["tables"][table];
            assert_eq!((t["rows_written"].as_i64(), t["rejected_total"].as_u64()), (Some(rows), Some(0)), "{kind:?} {table}: {t}");
            assert_eq!(db.texts(&format!("SELECT CONCAT(COUNT(*), '') FROM {table}")).await, vec![Some(rows.to_string())], "{kind:?} {table}");
        }
        // The report counts every orphan and keeps the first 1,000 with their keys and values.
        let keys = unchecked(&rep, "orders");
        assert_eq!(keys.len(), 1, "{kind:?}: {keys:?}");
        let k = &keys[0];
        assert_eq!((k["orphans"].as_i64(), k["parent"].as_str(), k["state"].as_str()), (Some(MANY - 2), Some("customers"), Some(state)), "{kind:?}: {k}");
        let rows = k["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1_000, "{kind:?}");
        assert!(rows.iter().any(|r| r["row"] == serde_json::json!({"id": 3}) && r["value"] == 1003), "{kind:?}: {:?}", &rows[..3]);
        // The cycle: each side's key made, each with its one orphan.
        for (table, id, value) in [("a", 2, 77), ("b", 2, 88)] {
            let keys = unchecked(&rep, table);
            assert_eq!(keys.len(), 1, "{kind:?} {table}: {keys:?}");
            assert_eq!((keys[0]["orphans"].as_u64(), keys[0]["rows"][0]["row"]["id"].as_i64(), keys[0]["rows"][0]["value"].as_i64()), (Some(1), Some(id), Some(value)), "{kind:?} {table}");
        }
        // The rejects file lists every orphan, as "orphan_kept".
        let rejects = std::fs::read_to_string(rep["rejects_file"].as_str().expect("a rejects file")).unwrap();
        let kept = rejects.lines().filter(|l| l.contains("\"orphan_kept\"") && l.contains("\"orders\"")).count();
        assert_eq!(kept as i64, MANY - 2, "{kind:?}");
        // Each key refuses a new orphan and takes a row with a parent.
        assert!(db.exec("INSERT INTO orders (id, customer_id, total) VALUES (9000, 424242, 1)").await.is_err(), "{kind:?}: the key guards new writes");
        db.exec("INSERT INTO orders (id, customer_id, total) VALUES (9001, 2, 1)").await.unwrap();
        assert!(db.exec("INSERT INTO a (id, b_id) VALUES (9, 4242)").await.is_err(), "{kind:?}: the cycle's key guards new writes");
        db.exec("DELETE FROM orders WHERE id = 9001").await.unwrap();
        if kind == Kind::Pg {
            let keys = db.texts("SELECT string_agg(conname || '=' || convalidated::text, ',' ORDER BY conname) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace").await;
            assert_eq!(keys, vec![Some("a_b_id_fkey=false,b_a_id_fkey=false,orders_customer_id_fkey=false".into())], "every key exists, each left NOT VALID");
        } else {
            let n = db.texts(&format!("SELECT CONCAT(COUNT(*), '') FROM information_schema.referential_constraints WHERE constraint_schema = '{}'", db.name)).await;
            assert_eq!(n, vec![Some("3".into())], "every key exists");
        }
        // Validate compares the run clean: every row is on both sides.
        let run_report = src.with_extension(format!("{}.report.json", db.name));
        let v = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url, "--run-report", run_report.to_str().unwrap()]);
        assert_eq!(v.code, 0, "{kind:?}: {}{}", v.stdout, v.stderr);
        // The HTML report shows each key's orphans.
        let html_path = dir.path(&format!("{kind:?}.html"));
        let db2 = TestDb::new(kind, "orphanshtml").await;
        let r = ferry(&["migrate", src.to_str().unwrap(), "--to", &db2.url, "--report", html_path.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        let html = std::fs::read_to_string(&html_path).unwrap();
        assert!(html.contains("Orphans kept under foreign key") && html.contains(state) && html.contains("the rejects file lists all 1,198"), "{kind:?}");
    }
    assert_eq!(sha256(&src), before, "the source is never written to");
}

/// `--strict` stops at an orphan no one chose to keep; a plan that chose `keep_unchecked` lets
/// it through; `reject_rows` takes the orphans out, reported, and validates the key.
#[tokio::test]
async fn strict_and_the_choices_for_orphans() {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    build(&src);
    for (kind, url) in [(Kind::Pg, "postgres://nobody@127.0.0.1:1/none"), (Kind::My, "mysql://nobody@127.0.0.1:1/none")] {
        let db = TestDb::new(kind, "orphstrict").await;
        let (run, _) = migrate(&src, &db, &["--strict"]);
        assert_eq!(run.code, 1, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("orphan: no"), "{kind:?}: {}", run.stderr);
        drop(db);

        // Pre-flight: nothing to decide by default; the choices recorded in a plan.
        let pf = ferry(&["preflight", src.to_str().unwrap(), "--to", url]);
        assert_eq!(pf.code, 0, "{kind:?}: orphans are kept by default: {}", pf.stdout);
        let plan_with = |name: &str, choose: &[&str]| {
            let plan = dir.path(&format!("{kind:?}-{name}.toml"));
            let mut args = vec!["preflight", src.to_str().unwrap(), "--to", url, "--out", plan.to_str().unwrap()];
            for c in choose {
                args.extend(["--choose", c]);
            }
            let pf = ferry(&args);
            assert_eq!(pf.code, 0, "{kind:?}: {}{}", pf.stdout, pf.stderr);
            plan
        };
        let keep = plan_with("keep", &["orders.customer_id:orphan=keep_unchecked", "a.b_id:orphan=keep_unchecked", "b.a_id:orphan=keep_unchecked"]);
        let db = TestDb::new(kind, "orphkeep").await;
        let (run, rep) = migrate(&src, &db, &["--strict", "--plan", keep.to_str().unwrap()]);
        assert_eq!((run.code, rep["completed"].as_bool()), (2, Some(true)), "{kind:?}: chosen, the orphans pass --strict: {}", run.stderr);
        assert_eq!(unchecked(&rep, "orders")[0]["orphans"].as_i64(), Some(MANY - 2));
        drop(db);

        let reject = plan_with("reject", &["a.b_id:orphan=reject_rows"]);
        let db = TestDb::new(kind, "orphrej").await;
        let (run, rep) = migrate(&src, &db, &["--plan", reject.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{kind:?}: {}", run.stderr);
        assert_eq!(rep["tables"]["a"]["rejected_total"], 1, "{kind:?}: {}", rep["tables"]["a"]);
        assert_eq!(rep["tables"]["a"]["rejected"][0]["row"]["id"], 2);
        assert!(unchecked(&rep, "a").is_empty(), "{kind:?}");
        assert_eq!(unchecked(&rep, "b")[0]["orphans"].as_u64(), Some(1), "{kind:?}");
        assert_eq!(db.texts("SELECT CONCAT(COUNT(*), '') FROM a").await, vec![Some("1".into())]);
    }
}
