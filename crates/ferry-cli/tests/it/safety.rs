//! Target backup, restore, rollback and the audit log against the real servers: a migrated
//! database is backed up (pg_dump / mariadb-dump and Ferry's own dump), changed, and restored
//! into a fresh database with every table's rows equal to the original; a rollback leaves the
//! target exactly as before the run; each action is in the audit log, whose CSV parses back;
//! a full disk stops a backup with its own message and leaves no file behind.

use crate::common::*;
use rusqlite::Connection;
use serde_json::Value as J;
use sqlx::Row;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A small shop: keys, a foreign key, text with quotes and newlines, reals, blobs, decimals,
/// NULLs, timestamps, a view.
fn build_source(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, name TEXT, score REAL, photo BLOB, joined DATETIME);
         CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), qty INTEGER NOT NULL CHECK (qty > 0), price NUMERIC(10,2), note TEXT);
         CREATE INDEX orders_customer ON orders(customer_id);
         CREATE VIEW big_orders AS SELECT id, customer_id, qty FROM orders WHERE qty > 5;",
    )
    .unwrap();
    for i in 1..=40i64 {
        let name = match i % 4 {
            0 => None,
            1 => Some(format!("O'Brien, {i}")),
            2 => Some(format!("line one\nline \"two\" {i}")),
            _ => Some(format!("Zoë {i}\t✓")),
        };
        let photo: Option<Vec<u8>> = (i % 3 == 0).then(|| (0..(i as u8)).map(|b| b.wrapping_mul(37)).collect());
        conn.execute(
            "INSERT INTO customers (id, email, name, score, photo, joined) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![i, format!("c{i}@example.com"), name, (i % 5 != 0).then(|| i as f64 / 7.0), photo, format!("2024-0{}-1{} 10:2{}:0{}", 1 + i % 9, i % 10, i % 6, i % 10)],
        )
        .unwrap();
        for s in 0..3 {
            let id = i * 10 + s;
            conn.execute(
                "INSERT INTO orders (id, customer_id, qty, price, note) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![id, i, (i + s) % 9 + 1, format!("{}.{:02}", i * 3 + s, s * 7), (s != 1).then(|| format!("note {id}, \"quoted\""))],
            )
            .unwrap();
        }
    }
}

/// Every table of the target (PostgreSQL: of `schema`) with its row count and a checksum of
/// its rows, order-independent.
async fn fingerprint(db: &TestDb, schema: &str) -> BTreeMap<String, (i64, String)> {
    let mut out = BTreeMap::new();
    match db.kind {
        Kind::Pg => {
            let mut c = db.pg().await;
            let tables: Vec<String> = sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1")
                .bind(schema)
                .fetch_all(&mut c)
                .await
                .unwrap();
            for t in tables {
                let sql = format!("SELECT count(*), md5(coalesce(string_agg(r, '|' ORDER BY r), '')) FROM (SELECT x::text AS r FROM \"{schema}\".\"{t}\" x) s");
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut c).await.unwrap();
                out.insert(t, (row.get::<i64, _>(0), row.get::<String, _>(1)));
            }
        }
        Kind::My => {
            let mut c = db.my().await;
            sqlx::raw_sql("SET SESSION group_concat_max_len = 1073741824").execute(&mut c).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar("SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1")
                .fetch_all(&mut c)
                .await
                .unwrap();
            for t in tables {
                let cols: Vec<String> = sqlx::query_scalar("SELECT CAST(column_name AS CHAR) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position")
                    .bind(&t)
                    .fetch_all(&mut c)
                    .await
                    .unwrap();
                let parts: Vec<String> = cols.iter().map(|c| format!("QUOTE(`{c}`)")).collect();
                let sql = format!("SELECT COUNT(*), MD5(COALESCE(GROUP_CONCAT(r ORDER BY r SEPARATOR '|'), '')) FROM (SELECT CONCAT_WS(',', {}) AS r FROM `{t}`) s", parts.join(", "));
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut c).await.unwrap();
                out.insert(t, (row.get::<i64, _>(0), row.get::<String, _>(1)));
            }
        }
    }
    out
}

/// Every table and view of the database outside the system schemas, as `schema.name`.
async fn all_objects(db: &TestDb) -> Vec<String> {
    let sql = match db.kind {
        Kind::Pg => "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
        Kind::My => "SELECT CAST(CONCAT(table_schema, '.', table_name) AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1",
    };
    db.texts(sql).await.into_iter().flatten().collect()
}

/// One integer from a query.
async fn scalar(db: &TestDb, sql: &str) -> i64 {
    match db.kind {
        Kind::Pg => sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT ({sql})::bigint"))).fetch_one(&mut db.pg().await).await.unwrap(),
        Kind::My => sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT CAST(({sql}) AS SIGNED)"))).fetch_one(&mut db.my().await).await.unwrap(),
    }
}

fn audit_arg(log: &Path) -> [&str; 2] {
    ["--audit-log", log.to_str().unwrap()]
}

/// Runs `ferry` with the audit log given.
fn ferry_logged(log: &Path, args: &[&str]) -> Run {
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&audit_arg(log));
    ferry(&all)
}

/// The `.json` record a `ferry backup --to` run wrote (its second output line).
fn record_of(run: &Run) -> PathBuf {
    let line = run.stdout.lines().find_map(|l| l.strip_prefix("record: ")).unwrap_or_else(|| panic!("no record line in {}", run.stdout));
    PathBuf::from(line.trim())
}

/// A small RFC 4180 reader, independent of the writer.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (vec![], vec![], String::new());
    let mut chars = s.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && row.is_empty(), "the CSV ends with a line end");
    rows
}

async fn backup_change_restore(kind: Kind) {
    let dir = Scratch::new();
    let log = dir.path("audit.jsonl");
    let src = dir.path("shop.sqlite");
    build_source(&src);
    let db = TestDb::new(kind, "safety_src").await;
    let report = dir.path("run.json");
    let r = ferry_logged(&log, &["migrate", src.to_str().unwrap(), "--to", &db.url, "--report", report.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let original = fingerprint(&db, "public").await;
    assert_eq!(original.keys().cloned().collect::<Vec<_>>(), vec!["customers", "orders"]);
    assert_eq!(original["orders"].0, 120);

    let out = dir.path("backups");
    let mut records = vec![];
    for engine in ["native", "ferry"] {
        let r = ferry_logged(&log, &["backup", "--to", &db.url, "--out", out.to_str().unwrap(), "--engine", engine]);
        assert_eq!(r.code, 0, "{engine}: {}", r.stderr);
        let rec = record_of(&r);
        let record: J = serde_json::from_str(&std::fs::read_to_string(&rec).unwrap()).unwrap();
        let dump = PathBuf::from(record["path"].as_str().unwrap());
        assert_eq!(record["engine"], engine);
        assert_eq!(record["sha256"], sha256(&dump), "{engine}");
        assert_eq!((mode(&dump), mode(&rec)), (0o600, 0o600), "{engine}: a backup and its record are the owner's alone");
        assert_eq!(record["bytes"], std::fs::metadata(&dump).unwrap().len());
        assert_eq!(record["tables"], serde_json::json!(["customers", "orders"]), "{engine}: {record}");
        assert_eq!(record["views"], serde_json::json!(["big_orders"]), "{engine}");
        records.push((engine, rec));
    }
    let leftovers: Vec<_> = std::fs::read_dir(&out).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".partial")).collect();
    assert!(leftovers.is_empty());

    // Change the target: update a row, drop a table, add a table.
    let (orders, customers) = (db.q("orders"), db.q("customers"));
    db.exec(&format!("UPDATE {customers} SET name = 'changed' WHERE id = 7")).await.unwrap();
    db.exec(&format!("DROP VIEW {}", db.q("big_orders"))).await.unwrap();
    db.exec(&format!("DROP TABLE {orders}")).await.unwrap();
    db.exec(&format!("CREATE TABLE {} (x INT)", db.q("added"))).await.unwrap();
    assert_ne!(fingerprint(&db, "public").await, original);

    for (engine, rec) in &records {
        // Into a fresh database: every table equal to the original.
        let fresh = TestDb::new(kind, "safety_restore").await;
        let r = ferry_logged(&log, &["restore", rec.to_str().unwrap(), "--to", &fresh.url]);
        assert_eq!(r.code, 0, "{engine}: {}{}", r.stdout, r.stderr);
        assert_eq!(fingerprint(&fresh, "public").await, original, "{engine}");
        let in_view = scalar(&fresh, &format!("SELECT COUNT(*) FROM {}", fresh.q("big_orders"))).await;
        assert_eq!(in_view, scalar(&fresh, &format!("SELECT COUNT(*) FROM {orders} WHERE qty > 5")).await, "{engine}: the view is back");
        assert!(in_view > 0);
        // Identity continues above the restored rows.
        fresh.exec(&format!("INSERT INTO {customers} (email) VALUES ('new@example.com')")).await.unwrap_or_else(|e| panic!("{engine}: identity after restore: {e}"));
        assert_eq!(scalar(&fresh, &format!("SELECT MAX(id) FROM {customers}")).await, 41, "{engine}");
    }

    // Into the changed database: refused without --replace, then the backup's objects
    // replaced and the added table left alone.
    let (_, rec) = &records[1];
    let r = ferry_logged(&log, &["restore", rec.to_str().unwrap(), "--to", &db.url]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("is not empty") && r.stderr.contains("--replace") && r.stderr.trim_end().lines().count() == 1, "{}", r.stderr);
    assert!(r.stderr.contains("it holds 2 tables: ") && !r.stderr.contains("(s)"), "what is there, in words: {}", r.stderr);
    let r = ferry_logged(&log, &["restore", rec.to_str().unwrap(), "--to", &db.url, "--replace"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("left as they were (not in the backup): added"), "{}", r.stdout);
    let mut now = fingerprint(&db, "public").await;
    assert_eq!(now.remove("added").map(|x| x.0), Some(0));
    assert_eq!(now, original);

    // The audit log has each action, with its outcome, and its CSV parses back.
    let csv = ferry(&["audit", "--csv", "--audit-log", log.to_str().unwrap()]);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let rows = parse_csv(&csv.stdout);
    assert_eq!(rows[0], ["at", "action", "outcome", "message", "source", "source_sha256", "target", "options", "seconds"]);
    let got: Vec<(String, String)> = rows[1..].iter().map(|r| (r[1].clone(), r[2].clone())).collect();
    let want: Vec<(&str, &str)> = vec![("migrate", "ok"), ("backup", "ok"), ("backup", "ok"), ("restore", "ok"), ("restore", "ok"), ("restore", "failed"), ("restore", "ok")];
    assert_eq!(got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>(), want);
    for r in &rows[1..] {
        assert_eq!(r.len(), 9);
        assert!(!r[6].is_empty() && r[6].starts_with(match kind { Kind::Pg => "postgres://", Kind::My => "mysql://" }), "{r:?}");
        assert!(r[8].parse::<f64>().is_ok());
    }
    assert_eq!(rows[1][4], src.display().to_string());
    assert_eq!(rows[1][5], sha256(&src), "the source's SHA-256");
    assert!(rows[6][3].contains("is not empty"), "{:?}", rows[6]);
    let opts: J = serde_json::from_str(&rows[7][7]).unwrap();
    assert_eq!(opts["replace"], true);
}

#[tokio::test]
async fn postgres_backup_change_restore() {
    backup_change_restore(Kind::Pg).await;
}

#[tokio::test]
async fn mariadb_backup_change_restore() {
    backup_change_restore(Kind::My).await;
}

/// Ferry's own PostgreSQL dump carries the extensions its tables need: restored into a fresh
/// database (which has none), a `citext` column (the extension in a schema of its own) and a
/// trigram index come back, and an extension nothing in the schema uses is not asked for.
/// Before, the restore stopped at the first table: "type ext.citext does not exist".
#[tokio::test]
async fn postgres_ferrys_dump_carries_the_extensions_its_tables_need() {
    let dir = Scratch::new();
    let db = TestDb::new(Kind::Pg, "dump_ext").await;
    db.exec(
        "CREATE SCHEMA ext; CREATE EXTENSION citext WITH SCHEMA ext; CREATE EXTENSION pg_trgm;
         CREATE SCHEMA other; CREATE EXTENSION \"uuid-ossp\" WITH SCHEMA other;
         CREATE TABLE notes (id int PRIMARY KEY, tag ext.citext NOT NULL, body text);
         CREATE INDEX notes_body_trgm ON notes USING gin (body gin_trgm_ops);
         INSERT INTO notes SELECT i, CASE WHEN i % 3 = 0 THEN 'Alpha' ELSE 'beta' END, 'note number ' || i FROM generate_series(1, 300) i;",
    )
    .await
    .unwrap();
    let out = dir.path("backups");
    let r = ferry(&["backup", "--to", &db.url, "--out", out.to_str().unwrap(), "--engine", "ferry"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let rec = record_of(&r);
    let record: J = serde_json::from_str(&std::fs::read_to_string(&rec).unwrap()).unwrap();
    let dump = std::fs::read_to_string(record["path"].as_str().unwrap()).unwrap();
    let header: J = serde_json::from_str(dump.lines().next().unwrap()).unwrap();
    let made: Vec<&str> = header["header"]["objects"]["extensions"].as_array().unwrap_or_else(|| panic!("{header}")).iter().filter_map(J::as_str).collect();
    assert_eq!(made, ["CREATE SCHEMA IF NOT EXISTS \"ext\"", "CREATE EXTENSION IF NOT EXISTS \"citext\" WITH SCHEMA \"ext\"", "CREATE EXTENSION IF NOT EXISTS \"pg_trgm\" WITH SCHEMA \"public\""]);

    let fresh = TestDb::new(Kind::Pg, "dump_ext_rst").await;
    let r = ferry(&["restore", rec.to_str().unwrap(), "--to", &fresh.url]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let got = fresh.texts("SELECT string_agg(extname::text, ',' ORDER BY extname) FROM pg_extension WHERE extname <> 'plpgsql'").await;
    assert_eq!(got, [Some("citext,pg_trgm".to_string())]);
    // The rows, compared without regard to case as before; the trigram index is there.
    assert_eq!(fresh.texts("SELECT count(*)::text FROM notes WHERE tag OPERATOR(ext.=) 'ALPHA'").await, [Some("100".to_string())]);
    let ix = fresh.texts("SELECT indexdef FROM pg_indexes WHERE indexname = 'notes_body_trgm'").await;
    assert!(ix.len() == 1 && ix[0].as_deref().unwrap_or("").contains("gin_trgm_ops"), "{ix:?}");
}

#[tokio::test]
async fn postgres_rollback_leaves_the_target_as_before() {
    let dir = Scratch::new();
    let log = dir.path("audit.jsonl");
    let src = dir.path("shop.sqlite");
    build_source(&src);
    let db = TestDb::new(Kind::Pg, "safety_rb").await;
    db.exec("CREATE TABLE public.keep (id int PRIMARY KEY, v text); INSERT INTO public.keep VALUES (1, 'one'), (2, 'two, \"2\"')").await.unwrap();
    let before = all_objects(&db).await;
    let keep = fingerprint(&db, "public").await;
    let report = dir.path("run.json");
    let r = ferry_logged(&log, &["migrate", src.to_str().unwrap(), "--to", &db.url, "--schema", "staging", "--report", report.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let rep: J = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let created: Vec<String> = rep["created"].as_array().unwrap().iter().map(|c| format!("{} {}", c["kind"].as_str().unwrap(), c["name"].as_str().unwrap())).collect();
    assert_eq!(created, ["schema staging", "table customers", "table orders", "view big_orders"]);
    assert!(all_objects(&db).await.contains(&"staging.orders".to_string()));
    // Validation is an action of its own in the log, and so is a pre-flight (with its verdict).
    let r = ferry_logged(&log, &["validate", src.to_str().unwrap(), "--to", &db.url, "--schema", "staging"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let pf = ferry_logged(&log, &["preflight", src.to_str().unwrap(), "--to", &db.url]);
    assert!(pf.code == 0 || pf.code == 2, "{}", pf.stderr);

    // Someone writes to a table the run made: refused unless forced.
    db.exec("INSERT INTO staging.customers (email) VALUES ('late@example.com')").await.unwrap();
    let r = ferry_logged(&log, &["rollback", report.to_str().unwrap(), "--to", &db.url]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("customers holds 41 rows, the run wrote 40") && r.stderr.contains("--force"), "{}", r.stderr);
    assert!(all_objects(&db).await.contains(&"staging.orders".to_string()), "nothing was dropped");
    // A report of another database is refused.
    let other = TestDb::new(Kind::Pg, "safety_rb_other").await;
    let r = ferry(&["rollback", report.to_str().unwrap(), "--to", &other.url]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("is of a run into"), "{}", r.stderr);

    let r = ferry_logged(&log, &["rollback", report.to_str().unwrap(), "--to", &db.url, "--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("dropped view big_orders") && r.stdout.contains("dropped schema staging"), "{}", r.stdout);
    assert_eq!(all_objects(&db).await, before);
    assert_eq!(fingerprint(&db, "public").await, keep);
    assert!(db.texts("SELECT nspname::text FROM pg_namespace WHERE nspname = 'staging'").await.is_empty());

    let entries: Vec<J> = std::fs::read_to_string(&log).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let got: Vec<(&str, &str)> = entries.iter().map(|e| (e["action"].as_str().unwrap(), e["outcome"].as_str().unwrap())).collect();
    // A migration is written when it starts too (`ferry audit` pairs the two lines).
    assert_eq!(got, [("migrate", "started"), ("migrate", "ok"), ("validate", "ok"), ("preflight", "ok"), ("rollback", "failed"), ("rollback", "ok")]);
    assert_eq!(entries[0]["id"], entries[1]["id"]);
    assert_eq!(entries[3]["options"]["ready"], pf.code == 0, "{}", entries[3]);
    assert_eq!(entries[1]["options"]["schema"], "staging");
    assert_eq!(entries[2]["options"]["schema"], "staging");
    assert!(entries[2]["source_sha256"].as_str().is_some_and(|h| h.len() == 64), "{}", entries[2]);
    assert_eq!(entries[5]["options"]["force"], true);
}

#[tokio::test]
async fn mariadb_rollback_empties_a_fresh_database() {
    let dir = Scratch::new();
    let log = dir.path("audit.jsonl");
    let src = dir.path("shop.sqlite");
    build_source(&src);
    let db = TestDb::new(Kind::My, "safety_rb").await;
    let report = dir.path("run.json");
    let r = ferry_logged(&log, &["migrate", src.to_str().unwrap(), "--to", &db.url, "--report", report.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(all_objects(&db).await.len(), 3);
    // A view already dropped by hand is reported, not fatal.
    db.exec("DROP VIEW big_orders").await.unwrap();
    let r = ferry_logged(&log, &["rollback", report.to_str().unwrap(), "--to", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("already gone: view big_orders"), "{}", r.stdout);
    assert!(r.stdout.contains("dropped table orders") && r.stdout.contains("dropped table customers"), "{}", r.stdout);
    assert!(all_objects(&db).await.is_empty(), "{:?}", all_objects(&db).await);
    // Rolling back to a backup instead: what it holds comes back as it was.
    let r = ferry_logged(&log, &["migrate", src.to_str().unwrap(), "--to", &db.url, "--report", report.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let original = fingerprint(&db, "").await;
    let out = dir.path("backups");
    let b = ferry_logged(&log, &["backup", "--to", &db.url, "--out", out.to_str().unwrap()]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    db.exec("DELETE FROM orders WHERE qty > 3; UPDATE customers SET name = NULL").await.unwrap();
    assert_ne!(fingerprint(&db, "").await, original);
    let r = ferry_logged(&log, &["rollback", "--backup", record_of(&b).to_str().unwrap(), "--to", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(fingerprint(&db, "").await, original);
    let audit = ferry(&["audit", "--audit-log", log.to_str().unwrap()]);
    assert!(audit.stdout.contains("5 entries"), "{}", audit.stdout);
    let actions: Vec<&str> = audit.stdout.lines().skip(1).filter_map(|l| l.split_whitespace().nth(1)).collect();
    assert_eq!(&actions[..5], ["migrate", "rollback", "migrate", "backup", "rollback"]);
}

#[tokio::test]
async fn a_full_disk_stops_the_backup_and_leaves_nothing() {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    build_source(&src);
    let conn = Connection::open(&src).unwrap();
    conn.execute_batch("CREATE TABLE bulk (id INTEGER PRIMARY KEY, payload TEXT)").unwrap();
    // Hardly compressible, so that pg_dump's compressed output fills the disk too.
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for i in 0..400 {
        let payload: String = (0..1000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'!' + (x % 90) as u8)
            })
            .collect();
        conn.execute("INSERT INTO bulk (payload) VALUES (?1)", [format!("{i}-{payload}")]).unwrap();
    }
    drop(conn);
    let mnt = dir.path("full");
    std::fs::create_dir_all(&mnt).unwrap();
    let mounted = std::process::Command::new("mount").args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"]).arg(&mnt).status().map(|s| s.success()).unwrap_or(false);
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root and mount permission)");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    for kind in Kind::all() {
        let db = TestDb::new(kind, "safety_full").await;
        let r = ferry(&["migrate", src.to_str().unwrap(), "--to", &db.url]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        for engine in ["ferry", "native"] {
            let r = ferry(&["backup", "--to", &db.url, "--out", mnt.to_str().unwrap(), "--engine", engine]);
            assert_eq!(r.code, 1, "{kind:?} {engine}: {}", r.stdout);
            assert!(r.stderr.contains("the disk is full") && r.stderr.contains("choose another folder"), "{kind:?} {engine}: {}", r.stderr);
            assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
            let files: Vec<_> = std::fs::read_dir(&mnt).unwrap().flatten().map(|e| e.file_name()).collect();
            assert!(files.is_empty(), "{kind:?} {engine}: left behind {files:?}");
        }
    }
}

#[tokio::test]
async fn a_data_only_run_rolls_back_to_empty_tables() {
    let dir = Scratch::new();
    let log = dir.path("audit.jsonl");
    let src = dir.path("shop.sqlite");
    build_source(&src);
    let db = TestDb::new(Kind::Pg, "safety_rb_data").await;
    let r = ferry_logged(&log, &["migrate", src.to_str().unwrap(), "--to", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    db.exec("DELETE FROM orders; DELETE FROM customers").await.unwrap();
    let before = all_objects(&db).await;
    let report = dir.path("data.json");
    let r = ferry_logged(&log, &["migrate", src.to_str().unwrap(), "--to", &db.url, "--data-only", "--report", report.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let rep: J = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let kinds: Vec<&str> = rep["created"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["rows", "rows"], "a data-only run creates nothing, it records the tables it loaded");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM orders").await, 120);
    let r = ferry_logged(&log, &["rollback", report.to_str().unwrap(), "--to", &db.url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("emptied table orders") && r.stdout.contains("emptied table customers"), "{}", r.stdout);
    assert_eq!(all_objects(&db).await, before, "the tables stay");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM orders").await + scalar(&db, "SELECT COUNT(*) FROM customers").await, 0);
}

/// A MariaDB dump is SQL the client runs: a `\! command` planted in it (with its record's
/// checksum made to match) must not run on the machine that restores it.
#[tokio::test]
async fn a_command_planted_in_a_dump_does_not_run() {
    let dir = Scratch::new();
    let db = TestDb::new(Kind::My, "planted").await;
    db.exec(&format!("CREATE TABLE {} (id INT PRIMARY KEY)", db.q("t"))).await.unwrap();
    let out = dir.path("backups");
    let r = ferry(&["backup", "--to", &db.url, "--out", out.to_str().unwrap(), "--engine", "native"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rec = record_of(&r);
    let mut record: J = serde_json::from_str(&std::fs::read_to_string(&rec).unwrap()).unwrap();
    let dump = PathBuf::from(record["path"].as_str().unwrap());
    let marker = dir.path("ran");
    // mariadb-dump starts its dumps with a line that turns the client's sandbox on; one who
    // plants a command takes that line out.
    let sql = std::fs::read_to_string(&dump).unwrap();
    let mut sql: String = sql.lines().filter(|l| !l.contains("sandbox")).map(|l| format!("{l}\n")).collect();
    sql.push_str(&format!("\\! touch {}\n", marker.display()));
    std::fs::write(&dump, &sql).unwrap();
    record["sha256"] = sha256(&dump).into();
    record["bytes"] = std::fs::metadata(&dump).unwrap().len().into();
    std::fs::write(&rec, record.to_string()).unwrap();
    let fresh = TestDb::new(Kind::My, "planted_restore").await;
    let r = ferry(&["restore", rec.to_str().unwrap(), "--to", &fresh.url]);
    assert!(!marker.exists(), "the planted command ran: {}{}", r.stdout, r.stderr);
    assert_ne!(r.code, 0, "a dump the client refuses is a failed restore: {}", r.stdout);
}
