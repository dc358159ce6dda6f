//! `ferry backup`: a consistent snapshot while another connection keeps writing (WAL), its
//! record beside it, and nothing half-written left behind on failure.

use crate::common::*;
use rusqlite::{params, Connection};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[test]
fn snapshot_while_another_connection_writes() {
    let dir = Scratch::new();
    let src = dir.path("busy.sqlite");
    let c = Connection::open(&src).unwrap();
    c.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE INDEX t_v ON t (v);").unwrap();
    for i in 0..20_000 {
        c.execute("INSERT INTO t (v) VALUES (?1)", params![format!("row {i} {}", "x".repeat(i % 50))]).unwrap();
    }
    drop(c);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (src, stop) = (src.clone(), stop.clone());
        std::thread::spawn(move || {
            let c = Connection::open(&src).unwrap();
            c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
            // Bounded in commits and seconds: a slow backup must not let the file grow
            // without end (an unbounded writer once filled the disk).
            let started = std::time::Instant::now();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) && n < 1_000 && started.elapsed() < std::time::Duration::from_secs(30) {
                c.execute_batch("BEGIN; INSERT INTO t (v) SELECT 'more ' || id FROM t ORDER BY id DESC LIMIT 200; COMMIT;").unwrap();
                n += 1;
            }
            n
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    let out = dir.path("backups");
    let mut snapshots = vec![];
    for _ in 0..3 {
        let r = ferry(&["backup", src.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        snapshots.push(r.stdout.split(':').next().unwrap().to_string());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    stop.store(true, Ordering::Relaxed);
    let commits = writer.join().unwrap();
    assert!(commits > 0, "the writer kept writing during the backups");
    for snap in &snapshots {
        let c = Connection::open_with_flags(snap, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok", "{snap}");
        let n: i64 = c.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert!(n >= 20_000, "{snap}: {n} rows");
        // Committed transactions only: the writer adds 200 rows at a time.
        assert_eq!((n - 20_000) % 200, 0, "{snap}: {n} rows is not a committed state");
        let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(std::path::Path::new(snap).with_extension("json")).unwrap()).unwrap();
        assert_eq!(record["sha256"], sha256(std::path::Path::new(snap)));
        assert_eq!(record["bytes"], std::fs::metadata(snap).unwrap().len());
        let snap = std::path::Path::new(snap);
        assert_eq!((mode(snap), mode(&snap.with_extension("json"))), (0o600, 0o600), "a snapshot and its record are the owner's alone");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&out).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".partial")).collect();
    assert!(leftovers.is_empty(), "no half-written file is left");
}

#[test]
fn a_failed_backup_leaves_nothing_behind() {
    let dir = Scratch::new();
    let bad = dir.path("not-a-db.sqlite");
    std::fs::write(&bad, "hello").unwrap();
    let out = dir.path("backups");
    let r = ferry(&["backup", bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not a SQLite database") && r.stderr.trim_end().lines().count() == 1, "{}", r.stderr);
    let files: Vec<_> = std::fs::read_dir(&out).map(|d| d.filter_map(|e| e.ok()).collect()).unwrap_or_default();
    assert!(files.is_empty(), "{files:?}");
}
