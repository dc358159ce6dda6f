//! Expression DEFAULTs (`DEFAULT (1+2)`, `DEFAULT (lower(hex(randomblob(16))))`,
//! `DEFAULT (strftime('%s','now'))`) carried as the target's own: an INSERT on the target
//! that leaves the column out gets what SQLite would give it. One with no equivalent
//! (`random()`) is reported with its SQL and the reason.

use crate::common::*;
use rusqlite::Connection;

#[tokio::test]
async fn an_insert_that_omits_the_column_gets_the_default() {
    let dir = Scratch::new();
    let src = dir.path("defaults.sqlite");
    Connection::open(&src)
        .unwrap()
        .execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT,
                three INTEGER DEFAULT (1+2),
                token TEXT DEFAULT (lower(hex(randomblob(16)))),
                raw BLOB DEFAULT (randomblob(8)),
                created INTEGER DEFAULT (strftime('%s','now')),
                created_text TEXT DEFAULT (strftime('%s','now')),
                r INTEGER DEFAULT (random()));
             INSERT INTO t (name) VALUES ('a'), ('b');",
        )
        .unwrap();
    let s = src.to_str().unwrap();
    for kind in Kind::all() {
        let db = TestDb::new(kind, "exprdflt").await;
        let (run, rep) = migrate(&src, &db, &[]);
        // Exit 2: random() is not carried, and says so.
        assert_eq!(run.code, 2, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        let warnings: Vec<String> = rep["warnings"].as_array().unwrap().iter().map(|w| w.to_string()).collect();
        let dflt: Vec<&String> = warnings.iter().filter(|w| w.contains("DEFAULT")).collect();
        assert!(dflt.len() == 1 && dflt[0].contains("DEFAULT random() of column r") && dflt[0].contains("random"), "{kind:?}: {warnings:?}");

        let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        db.exec("INSERT INTO t (id, name) VALUES (100, 'x')").await.unwrap();
        db.exec("INSERT INTO t (id, name) VALUES (101, 'y')").await.unwrap();
        let after = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let one = |col: &'static str, id: i64| {
            let sql = match kind {
                Kind::Pg => format!("SELECT {col}::text FROM t WHERE id = {id}"),
                Kind::My => format!("SELECT CAST({col} AS CHAR) FROM t WHERE id = {id}"),
            };
            let db = &db;
            async move { db.texts(&sql).await.remove(0).unwrap_or_else(|| panic!("{kind:?}: {col} is NULL")) }
        };
        assert_eq!(one("three", 100).await, "3", "{kind:?}");
        let (t1, t2) = (one("token", 100).await, one("token", 101).await);
        for t in [&t1, &t2] {
            assert!(t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{kind:?}: {t}");
        }
        assert_ne!(t1, t2, "{kind:?}: each row draws its own");
        let raw_len = match kind {
            Kind::Pg => one("length(raw)", 100).await,
            Kind::My => one("LENGTH(raw)", 100).await,
        };
        assert_eq!(raw_len, "8", "{kind:?}");
        for col in ["created", "created_text"] {
            let secs: i64 = one(col, 100).await.parse().unwrap_or_else(|e| panic!("{kind:?}: {col}: {e}"));
            assert!(secs >= before - 1 && secs <= after + 1, "{kind:?}: {col} = {secs}, now {before}..{after}");
        }
        // The copied rows keep SQLite's own values; validate compares them.
        db.exec("DELETE FROM t WHERE id >= 100").await.unwrap();
        let v = ferry(&["validate", s, "--to", &db.url]);
        assert_eq!(v.code, 0, "{kind:?}: {}\n{}", v.stdout, v.stderr);
    }
}
