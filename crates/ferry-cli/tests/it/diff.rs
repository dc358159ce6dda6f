//! `ferry diff` and `ferry migrate --data-only` against the real servers: an empty target is
//! all "create"; after `ferry migrate` all "equal" (what inspect reads back agrees with what
//! the plan makes); each drift is reported as what it is, destructive steps apart; data-only
//! loads into emptied tables and refuses a drifted or non-empty target.

use crate::common::*;
use rusqlite::Connection;
use serde_json::Value as J;
use std::path::Path;

/// Several types, defaults, a composite primary key, a foreign key, a UNIQUE, a CHECK, a
/// partial and an expression index; AUTOINCREMENT with sqlite_sequence above max(id).
fn build_source(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (
           id INTEGER PRIMARY KEY AUTOINCREMENT,
           email TEXT NOT NULL UNIQUE,
           name VARCHAR(40) DEFAULT 'anon',
           active BOOLEAN NOT NULL DEFAULT 1,
           created DATETIME DEFAULT CURRENT_TIMESTAMP,
           score REAL DEFAULT 0.5
         );
         CREATE TABLE orders (
           customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
           seq INTEGER NOT NULL,
           qty INTEGER NOT NULL DEFAULT 1 CHECK (qty > 0),
           price NUMERIC(10,2),
           note TEXT,
           PRIMARY KEY (customer_id, seq)
         );
         CREATE INDEX orders_big ON orders(price) WHERE qty > 10;
         CREATE INDEX customers_lower_email ON customers(lower(email));",
    )
    .unwrap();
    for i in 1..=50 {
        conn.execute(
            "INSERT INTO customers (id, email, name, active, created, score) VALUES (?1, ?2, ?3, ?4, '2024-03-05 14:22:01', ?5)",
            rusqlite::params![i, format!("c{i}@example.com"), format!("Name {i}"), i % 2, i as f64 / 4.0],
        )
        .unwrap();
        for s in 1..=4 {
            conn.execute(
                "INSERT INTO orders (customer_id, seq, qty, price, note) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![i, s, (i + s) % 15 + 1, format!("{}.{:02}", i * 3 + s, s * 7), if s == 2 { None } else { Some(format!("note {i}/{s}")) }],
            )
            .unwrap();
        }
    }
    // sqlite_sequence stays at 50: the target's identity must continue above it.
    conn.execute_batch("DELETE FROM orders WHERE customer_id > 45; DELETE FROM customers WHERE id > 45").unwrap();
}

fn diff(src: &Path, db: &TestDb) -> (Run, J) {
    let run = ferry(&["diff", src.to_str().unwrap(), "--to", &db.url, "--json"]);
    let json = serde_json::from_str(&run.stdout).unwrap_or(J::Null);
    (run, json)
}

fn table<'a>(d: &'a J, name: &str) -> &'a J {
    d["tables"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("table {name} in {d:#}"))
}

fn item<'a>(d: &'a J, t: &str, kind: &str, name: &str) -> &'a J {
    table(d, t)["items"].as_array().unwrap().iter().find(|i| i["kind"] == kind && i["name"] == name).unwrap_or_else(|| panic!("{t} {kind} {name} in {:#}", table(d, t)))
}

/// Every item of every table, with its status, for messages.
fn not_equal(d: &J) -> Vec<String> {
    let mut out = vec![];
    for t in d["tables"].as_array().unwrap() {
        if t["status"] != "equal" {
            out.push(format!("table {} {}", t["name"], t["status"]));
        }
        for i in t["items"].as_array().unwrap() {
            if i["status"] != "equal" {
                out.push(format!("{}.{} {} {}: {}", t["name"], i["kind"], i["name"], i["status"], i["differences"]));
            }
        }
    }
    out
}

async fn count(db: &TestDb, table: &str) -> i64 {
    db.texts(&format!("SELECT CAST(COUNT(*) AS CHAR(20)) FROM {}", db.q(table))).await[0].as_ref().unwrap().trim().parse().unwrap()
}

#[tokio::test]
async fn diff_empty_then_equal_then_drifted() {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    build_source(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "diff").await;
        // Empty target: everything to create, exit 0.
        let (run, d) = diff(&src, &db);
        assert_eq!(run.code, 0, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        for t in d["tables"].as_array().unwrap() {
            assert_eq!(t["status"], "create", "{kind:?}: {t}");
        }
        assert_eq!(d["tables"].as_array().unwrap().len(), 2);
        let text = ferry(&["diff", src.to_str().unwrap(), "--to", &db.url]);
        assert_eq!(text.code, 0);
        assert!(text.stdout.contains("create") && text.stdout.contains("table customers"), "{}", text.stdout);

        // After migrate: everything equal.
        let (run, _) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 0, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        let (run, d) = diff(&src, &db);
        assert_eq!(not_equal(&d), Vec::<String>::new(), "{kind:?}: {}", run.stderr);
        assert_eq!(run.code, 0, "{kind:?}");
        assert!(d["destructive"].as_array().unwrap().is_empty());
        // Every kind of object was compared, not just found.
        for (t, k, n) in [("customers", "column", "email"), ("orders", "primary_key", if kind == Kind::Pg { "orders_pkey" } else { "PRIMARY" }), ("orders", "index", "orders_big"), ("customers", "index", "customers_lower_email")] {
            assert_eq!(item(&d, t, k, n)["status"], "equal", "{kind:?} {t} {k} {n}");
        }
        for k in ["unique", "foreign_key", "check"] {
            let any = d["tables"].as_array().unwrap().iter().flat_map(|t| t["items"].as_array().unwrap()).any(|i| i["kind"] == k && i["status"] == "equal");
            assert!(any, "{kind:?}: a {k} compared equal");
        }

        // Drift, one change of each kind.
        let (q, qi) = (|s: &str| db.q(s), kind);
        let drift: Vec<String> = match qi {
            Kind::Pg => vec![
                "ALTER TABLE orders ALTER COLUMN note TYPE varchar(500)".into(),
                "ALTER TABLE customers ALTER COLUMN score DROP DEFAULT, ALTER COLUMN score TYPE text USING score::text".into(),
                "ALTER TABLE customers DROP COLUMN name".into(),
                "ALTER TABLE orders ADD COLUMN extra_col integer".into(),
                "CREATE TABLE leftover (x integer)".into(),
                "ALTER TABLE customers ALTER COLUMN active DROP NOT NULL".into(),
                "ALTER TABLE orders ALTER COLUMN qty SET DEFAULT 5".into(),
                "DROP INDEX orders_big".into(),
            ],
            Kind::My => vec![
                format!("ALTER TABLE {} MODIFY note varchar(500) COLLATE utf8mb4_nopad_bin", q("orders")),
                "ALTER TABLE customers MODIFY score longtext COLLATE utf8mb4_nopad_bin".into(),
                "ALTER TABLE customers DROP COLUMN name".into(),
                "ALTER TABLE orders ADD COLUMN extra_col int".into(),
                "CREATE TABLE leftover (x int)".into(),
                "ALTER TABLE customers MODIFY active tinyint(1) NULL DEFAULT 1".into(),
                "ALTER TABLE orders ALTER COLUMN qty SET DEFAULT 5".into(),
                "DROP INDEX orders_big ON orders".into(),
            ],
        };
        for sql in &drift {
            db.exec(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        let (run, d) = diff(&src, &db);
        assert_eq!(run.code, 2, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        let status = |t: &str, k: &str, n: &str| item(&d, t, k, n)["status"].as_str().unwrap().to_string();
        assert_eq!(status("orders", "column", "note"), "different", "{kind:?}: text → varchar(500) widens back");
        assert_eq!(status("customers", "column", "score"), "destructive", "{kind:?}: text → double can lose values");
        assert_eq!(status("customers", "column", "name"), "create", "{kind:?}");
        assert_eq!(status("orders", "column", "extra_col"), "extra", "{kind:?}");
        assert_eq!(table(&d, "leftover")["status"], "extra", "{kind:?}");
        let active = item(&d, "customers", "column", "active");
        assert_eq!(active["status"], "different", "{kind:?}");
        assert!(active["differences"].to_string().contains("nullability"), "{kind:?}: {active}");
        let qty = item(&d, "orders", "column", "qty");
        assert_eq!(qty["status"], "different", "{kind:?}");
        assert!(qty["differences"].to_string().contains("default"), "{kind:?}: {qty}");
        assert_eq!(status("orders", "index", "orders_big"), "create", "{kind:?}");
        let check = table(&d, "orders")["items"].as_array().unwrap().iter().find(|i| i["kind"] == "check").cloned().unwrap();
        assert_eq!(check["status"], "equal", "{kind:?}: an untouched CHECK stays equal");
        // Destructive steps apart: the extra table, the extra column, the narrowing.
        let steps = d["destructive"].to_string();
        for want in ["drop table", "leftover", "drop column", "extra_col", "change type", "score"] {
            assert!(steps.contains(want), "{kind:?}: {want} in {steps}");
        }
        assert_eq!(d["destructive"].as_array().unwrap().len(), 3, "{kind:?}: {steps}");
        // The text output marks them and changes nothing.
        let text = ferry(&["diff", src.to_str().unwrap(), "--to", &db.url]);
        assert_eq!(text.code, 2);
        assert!(text.stdout.contains("DESTRUCTIVE") && text.stdout.contains("never run"), "{}", text.stdout);
        assert_eq!(count(&db, "leftover").await, 0);
        assert!(db.texts("SELECT CAST(extra_col AS CHAR(10)) FROM orders").await.len() == 180, "{kind:?}: the extra column is still there");
        // --data-only refuses the drifted schema and names what differs.
        let (run, _) = migrate(&src, &db, &["--data-only"]);
        assert_eq!(run.code, 1, "{kind:?}: {}", run.stdout);
        assert!(run.stderr.contains("do not match the plan") && run.stderr.contains("column name is missing"), "{kind:?}: {}", run.stderr);
        assert!(!run.stderr.contains("leftover"), "{kind:?}: extra tables are fine: {}", run.stderr);
    }
}

#[tokio::test]
async fn data_only_loads_into_emptied_tables() {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    build_source(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "dataonly").await;
        let (run, _) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 0, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        // Without --data-only a non-empty target is still refused.
        let (run, _) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 1);
        assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
        // With it, tables holding rows are refused by name.
        let (run, _) = migrate(&src, &db, &["--data-only"]);
        assert_eq!(run.code, 1, "{kind:?}: {}", run.stdout);
        assert!(run.stderr.contains("already hold rows") && run.stderr.contains("customers") && run.stderr.contains("orders"), "{kind:?}: {}", run.stderr);
        // Emptied (identity reset where the server allows it), then loaded again.
        match kind {
            Kind::Pg => db.exec("TRUNCATE customers, orders RESTART IDENTITY").await.unwrap(),
            Kind::My => db.exec("DELETE FROM orders; DELETE FROM customers; ALTER TABLE customers AUTO_INCREMENT = 1").await.unwrap(),
        }
        assert_eq!(count(&db, "orders").await, 0);
        let (run, rep) = migrate(&src, &db, &["--data-only", "--jobs", "2"]);
        assert_eq!(run.code, 0, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(count(&db, "customers").await, 45);
        assert_eq!(count(&db, "orders").await, 180);
        assert_eq!(rep["tables"]["orders"]["rows_written"], 180);
        crate::compare::assert_same_rows(&src, &db, &rep).await;
        let email = db.texts("SELECT email FROM customers WHERE id = 7").await;
        assert_eq!(email, vec![Some("c7@example.com".into())]);
        let price = db.texts("SELECT TRIM(CAST(price AS CHAR(20))) FROM orders WHERE customer_id = 3 AND seq = 2").await;
        assert_eq!(price, vec![Some("11.14".into())]);
        // The schema is untouched and still equal; the next id continues above sqlite_sequence (50).
        let (d_run, d) = diff(&src, &db);
        assert_eq!(d_run.code, 0, "{kind:?}: {:?}", not_equal(&d));
        let next = match kind {
            Kind::Pg => db.texts("INSERT INTO customers (email) VALUES ('new@example.com') RETURNING id::text").await,
            Kind::My => {
                db.exec("INSERT INTO customers (email) VALUES ('new@example.com')").await.unwrap();
                db.texts("SELECT CAST(id AS CHAR) FROM customers WHERE email = 'new@example.com'").await
            }
        };
        assert_eq!(next, vec![Some("51".into())], "{kind:?}");
    }
}

#[tokio::test]
async fn demo_diff_is_equal_after_migrate() {
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    assert_eq!(ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "1500"]).code, 0);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "demodiff").await;
        let (run, d) = diff(&src, &db);
        assert_eq!(run.code, 0, "{kind:?}: {}", run.stderr);
        assert!(d["tables"].as_array().unwrap().iter().all(|t| t["status"] == "create"));
        let (run, _) = migrate(&src, &db, &["--jobs", "2"]);
        assert!(run.code == 0 || run.code == 2, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        let (run, d) = diff(&src, &db);
        assert_eq!(not_equal(&d), Vec::<String>::new(), "{kind:?}: {}", run.stderr);
        assert_eq!(run.code, 0, "{kind:?}");
    }
}

#[tokio::test]
async fn diff_reads_the_named_postgres_schema_and_says_when_it_cannot_connect() {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    build_source(&src);
    let db = TestDb::new(Kind::Pg, "diffschema").await;
    let (run, _) = migrate(&src, &db, &["--schema", "sales"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let in_sales = ferry(&["diff", src.to_str().unwrap(), "--to", &db.url, "--schema", "sales", "--json"]);
    assert_eq!(in_sales.code, 0, "{}", in_sales.stderr);
    let d: J = serde_json::from_str(&in_sales.stdout).unwrap();
    assert_eq!(not_equal(&d), Vec::<String>::new());
    assert!(d["place"].as_str().unwrap().contains("sales"));
    // public holds nothing of it.
    let (run, d) = diff(&src, &db);
    assert_eq!(run.code, 0);
    assert!(d["tables"].as_array().unwrap().iter().all(|t| t["status"] == "create"), "{d:#}");
    // A server that is not there: one line, what to check, no password.
    let bad = ferry(&["diff", src.to_str().unwrap(), "--to", "postgres://bob:s3cret@127.0.0.1:1/x"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("cannot reach") && !bad.stderr.contains("s3cret"), "{}", bad.stderr);
}

/// MariaDB deadlocks for good when ALTER TABLEs on two tables that reference each other commit
/// at once, so Ferry's AUTO_INCREMENT changes take turns: twenty rounds of two at once, on two
/// connections, each round bounded (a regression fails here instead of hanging the suite).
#[tokio::test]
async fn auto_increment_changes_on_a_foreign_key_cycle_take_turns() {
    let db = TestDb::new(Kind::My, "ai_turns").await;
    db.exec(
        "SET foreign_key_checks = 0;
         CREATE TABLE a (id BIGINT PRIMARY KEY AUTO_INCREMENT, b_id BIGINT, FOREIGN KEY (b_id) REFERENCES b (id)) ENGINE = InnoDB;
         CREATE TABLE b (id BIGINT PRIMARY KEY AUTO_INCREMENT, a_id BIGINT, FOREIGN KEY (a_id) REFERENCES a (id)) ENGINE = InnoDB",
    )
    .await
    .unwrap();
    let (mut ca, mut cb) = (db.my().await, db.my().await);
    for round in 0..20i64 {
        let both = async {
            let (ra, rb) = tokio::join!(
                ferry_core::dialect::mysql::constraints::continue_auto_increment(&mut ca, "a", 10 + round),
                ferry_core::dialect::mysql::constraints::continue_auto_increment(&mut cb, "b", 10 + round),
            );
            ra.and(rb)
        };
        let done = tokio::time::timeout(std::time::Duration::from_secs(20), both).await;
        assert!(matches!(done, Ok(Ok(()))), "round {round}: {done:?}");
    }
    let next = db.texts("SELECT CAST(AUTO_INCREMENT AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME").await;
    assert_eq!(next, vec![Some("29".to_string()), Some("29".to_string())]);
}

/// Tables whose foreign keys form a cycle, loaded into existing tables: they load together
/// (neither waits for the other) and every row is accounted for, written or reported.
#[tokio::test]
async fn data_only_loads_a_foreign_key_cycle() {
    let dir = Scratch::new();
    let src = dir.path("cycle.sqlite");
    let c = rusqlite::Connection::open(&src).unwrap();
    c.execute_batch(
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id));
         CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));
         INSERT INTO a VALUES (1, NULL), (2, 1);
         INSERT INTO b VALUES (1, 1), (2, NULL);",
    )
    .unwrap();
    drop(c);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "cycle").await;
        let (run, _) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 0, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        match kind {
            Kind::Pg => db.exec("TRUNCATE a, b").await.unwrap(),
            Kind::My => db.exec("SET foreign_key_checks = 0; DELETE FROM a; DELETE FROM b").await.unwrap(),
        }
        let report = dir.path(&format!("{kind:?}.json"));
        // `timeout`: a run that waits for itself would hang the test instead of failing it.
        let out = std::process::Command::new("timeout")
            .args(["60", env!("CARGO_BIN_EXE_ferry"), "migrate", src.to_str().unwrap(), "--to", &db.url, "--data-only", "--jobs", "2", "--report", report.to_str().unwrap()])
            .env("FERRY_AUDIT_LOG", dir.path("audit.jsonl"))
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        assert!(code == 0 || code == 2, "{kind:?}: exit {code}: {}", String::from_utf8_lossy(&out.stderr));
        let rep: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        for t in ["a", "b"] {
            let tr = &rep["tables"][t];
            assert_eq!(tr["rows_read"], 2, "{kind:?} {t}: {tr}");
            assert_eq!(tr["rows_written"].as_u64().unwrap() + tr["rejected_total"].as_u64().unwrap(), 2, "{kind:?} {t}: {tr}");
        }
    }
}
