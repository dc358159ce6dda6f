//! `ferry backup`: a consistent snapshot while another connection keeps writing (WAL and
//! rollback journal), a lock held too long named, its record beside it, and nothing
//! half-written left behind on failure.

use crate::common::*;
use rusqlite::Connection;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A source with a counter and a log that every write changes together: a snapshot that
/// holds one commit's state has `counter.n` = the log's row count.
fn counted_source(path: &std::path::Path, wal: bool) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(if wal { "PRAGMA journal_mode = WAL;" } else { "PRAGMA journal_mode = DELETE;" }).unwrap();
    c.execute_batch(
        "CREATE TABLE counter (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
         CREATE TABLE log (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE INDEX log_v ON log (v);
         BEGIN;
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 20000) INSERT INTO log (v) SELECT printf('row %d %.*c', i, i % 50, 'x') FROM k;
         INSERT INTO counter VALUES (1, 20000);
         COMMIT;",
    )
    .unwrap();
}

/// Commits 200 log rows and the counter in one transaction, again and again, until `stop`,
/// 3,000 commits or 30 s, whichever comes first (an unbounded writer once grew the file to
/// 9.9 GB). A commit refused for a lock is rolled back and tried again. Returns the commits.
fn writer(src: std::path::PathBuf, stop: Arc<AtomicBool>, commits: Arc<AtomicU64>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let c = Connection::open(&src).unwrap();
        c.busy_timeout(Duration::from_secs(10)).unwrap();
        let started = Instant::now();
        while !stop.load(Ordering::Relaxed) && commits.load(Ordering::Relaxed) < 3_000 && started.elapsed() < Duration::from_secs(30) {
            let r = c.execute_batch("BEGIN IMMEDIATE; INSERT INTO log (v) SELECT 'more ' || id FROM log ORDER BY id DESC LIMIT 200; UPDATE counter SET n = n + 200; COMMIT;");
            match r {
                Ok(()) => _ = commits.fetch_add(1, Ordering::Relaxed),
                Err(_) => _ = c.execute_batch("ROLLBACK"),
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        commits.load(Ordering::Relaxed)
    })
}

/// `ferry backup` of a file another connection keeps writing to finishes in seconds, for a
/// WAL-mode and a rollback-journal source: each snapshot passes `integrity_check` and holds
/// one commit's state (the counter and the log agree), while commits went on around it.
#[test]
fn snapshot_while_another_connection_writes() {
    for wal in [true, false] {
        let kind = if wal { "WAL" } else { "rollback journal" };
        let dir = Scratch::new();
        let src = dir.path("busy.sqlite");
        counted_source(&src, wal);
        let stop = Arc::new(AtomicBool::new(false));
        let commits = Arc::new(AtomicU64::new(0));
        let w = writer(src.clone(), stop.clone(), commits.clone());
        // The writer is under way (bounded: 10 s).
        let t = Instant::now();
        while commits.load(Ordering::Relaxed) < 5 && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        let out = dir.path("backups");
        let mut snapshots = vec![];
        for _ in 0..3 {
            let before = commits.load(Ordering::Relaxed);
            let t = Instant::now();
            let r = ferry(&["backup", src.to_str().unwrap(), "--out", out.to_str().unwrap()]);
            let took = t.elapsed();
            assert_eq!(r.code, 0, "{kind}: {}", r.stderr);
            assert!(took < Duration::from_secs(15), "{kind}: the backup took {took:?}, well past the writer's pace");
            assert!(commits.load(Ordering::Relaxed) > before || w.is_finished(), "{kind}: the writer committed while the backup ran");
            snapshots.push(r.stdout.split(':').next().unwrap().to_string());
        }
        stop.store(true, Ordering::Relaxed);
        let total = w.join().unwrap();
        assert!(total >= 5, "{kind}: the writer kept writing during the backups ({total} commits)");
        for snap in &snapshots {
            let c = Connection::open_with_flags(snap, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
            assert_eq!(check, "ok", "{kind}: {snap}");
            let (n, logged): (i64, i64) = c.query_row("SELECT (SELECT n FROM counter), (SELECT count(*) FROM log)", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            assert_eq!(n, logged, "{kind}: {snap} holds one commit's state");
            assert!(n > 20_000, "{kind}: {snap} holds the writer's commits ({n} rows)");
            let journal: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
            assert_eq!(journal, "delete", "{kind}: {snap} is self-contained");
            let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(std::path::Path::new(snap).with_extension("json")).unwrap()).unwrap();
            assert_eq!(record["sha256"], sha256(std::path::Path::new(snap)));
            assert_eq!(record["bytes"], std::fs::metadata(snap).unwrap().len());
            let snap = std::path::Path::new(snap);
            assert_eq!((mode(snap), mode(&snap.with_extension("json"))), (0o600, 0o600), "a snapshot and its record are the owner's alone");
        }
        let leftovers: Vec<_> = std::fs::read_dir(&out).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".partial")).collect();
        assert!(leftovers.is_empty(), "{kind}: no half-written file is left");
    }
}

/// A program that holds the file's write lock past the backup's wait (here 2 s, set by
/// `FERRY_LOCK_WAIT_SECONDS`): the backup says so in one line, soon, and leaves nothing.
#[test]
fn a_lock_held_past_the_wait_is_named() {
    let dir = Scratch::new();
    let src = dir.path("held.sqlite");
    counted_source(&src, false);
    let holder = Connection::open(&src).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE; UPDATE counter SET n = n + 1;").unwrap();
    let out = dir.path("backups");
    let (r, took) = ferry_within(&["backup", src.to_str().unwrap(), "--out", out.to_str().unwrap()], &[("FERRY_LOCK_WAIT_SECONDS", "2")], Duration::from_secs(30));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("held.sqlite") && r.stderr.contains("locked by another program") && r.stderr.contains("2 s"), "{}", r.stderr);
    assert!(took >= Duration::from_secs(2) && took < Duration::from_secs(12), "waited the bound, then stopped: {took:?}");
    let files: Vec<_> = std::fs::read_dir(&out).map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect()).unwrap_or_default();
    assert!(files.is_empty(), "{files:?}");
    holder.execute_batch("ROLLBACK").unwrap();
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
