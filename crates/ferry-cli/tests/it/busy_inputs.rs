//! The engine's whole list of bad inputs, each through the CLI: one clear line, a non-zero
//! exit, and within a bound of seconds — on an idle machine, then again with every core kept
//! busy by a burner (threads spinning until a flag or a deadline). None hangs, none aborts.
//! (`bad_input.rs` checks each message's words and that nothing was written; this checks the
//! time and that a loaded machine changes nothing.)

use crate::common::*;
use rusqlite::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Keeps every core busy until dropped, or `deadline` at most.
struct Burner {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<u64>>,
}

impl Burner {
    fn start(deadline: Duration) -> Burner {
        let stop = Arc::new(AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let threads = (0..cores)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let started = Instant::now();
                    let mut x = 1u64;
                    while !stop.load(Ordering::Relaxed) && started.elapsed() < deadline {
                        for _ in 0..100_000 {
                            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        }
                    }
                    x
                })
            })
            .collect();
        Burner { stop, threads }
    }
}

impl Drop for Burner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn small_db(path: &std::path::Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO t SELECT i, printf('value %d', i) FROM n;").unwrap();
}

/// How long a case may take, idle or busy; a run still going at `BOUND` is killed.
const WITHIN: Duration = Duration::from_secs(15);
const BOUND: Duration = Duration::from_secs(30);

#[tokio::test]
async fn every_bad_input_is_one_line_within_seconds_even_on_a_busy_machine() {
    let dir = Scratch::new();
    let p = |n: &str| dir.path(n).to_str().unwrap().to_string();
    // Sources.
    small_db(&dir.path("good.sqlite"));
    let good = std::fs::read(dir.path("good.sqlite")).unwrap();
    std::fs::write(dir.path("truncated.sqlite"), &good[..good.len() / 2]).unwrap();
    // The first table page's cells point past its end.
    let mut corrupt = good.clone();
    let page = u16::from_be_bytes([good[16], good[17]]) as usize;
    for b in &mut corrupt[page + 8..page + 400] {
        *b = 0xA5;
    }
    std::fs::write(dir.path("corrupt.sqlite"), &corrupt).unwrap();
    std::fs::write(dir.path("empty.sqlite"), b"").unwrap();
    std::fs::write(dir.path("locked.sqlite"), &good).unwrap();
    let holder = Connection::open(dir.path("locked.sqlite")).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE; UPDATE t SET v = v WHERE id = 1;").unwrap();
    let wal_writer = Connection::open(dir.path("wal.sqlite")).unwrap();
    wal_writer.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3);").unwrap();
    // Targets.
    let empty = TestDb::new(Kind::Pg, "busyempty").await;
    let full: Vec<TestDb> = futures_all(Kind::all().map(|k| TestDb::new(k, "busyfull"))).await;
    for db in &full {
        db.exec("CREATE TABLE existing (id int)").await.unwrap();
    }
    let role = unique_name("nocreate");
    let pg_nc = TestDb::new(Kind::Pg, "busync").await;
    pg_nc.exec(&format!("CREATE ROLE {role} LOGIN")).await.unwrap();
    let pg_nc_url = pg_nc.url.replacen("postgres@", &format!("{role}@"), 1);
    let my_nc = TestDb::new(Kind::My, "busync").await;
    my_nc.exec(&format!("CREATE USER '{role}'@'%'; GRANT SELECT ON `{}`.* TO '{role}'@'%'", my_nc.name)).await.unwrap();
    let my_nc_url = my_nc.url.replacen("root@", &format!("{role}@"), 1);
    let mut pg_missing = url::Url::parse(&pg_base()).unwrap();
    pg_missing.set_path("/ferry_missing_nope");

    // (case, arguments, exit code, words the one line holds); each within `WITHIN`, a locked
    // file within its one wait for the lock (5 s for a read; 3 s for a backup, set below).
    let migrate_to = |src: &str, url: &str| vec!["migrate".to_string(), p(src), "--to".into(), url.to_string()];
    let good_to = |url: &str| migrate_to("good.sqlite", url);
    let cases: Vec<(&str, Vec<String>, i32, Vec<&str>)> = vec![
        ("truncated file", migrate_to("truncated.sqlite", &empty.url), 1, vec!["truncated.sqlite", "damaged"]),
        ("corrupt file", migrate_to("corrupt.sqlite", &empty.url), 1, vec!["corrupt.sqlite", "damaged"]),
        ("zero-length file", migrate_to("empty.sqlite", &empty.url), 1, vec!["empty.sqlite", "empty"]),
        ("locked file, inspect", vec!["inspect".into(), p("locked.sqlite")], 1, vec!["locked.sqlite", "locked by another program"]),
        ("locked file, migrate", migrate_to("locked.sqlite", &empty.url), 1, vec!["locked.sqlite", "locked by another program"]),
        ("locked file, backup", vec!["backup".into(), p("locked.sqlite"), "--out".into(), p("backups")], 1, vec!["locked.sqlite", "locked by another program"]),
        ("WAL-mode file, open elsewhere", vec!["inspect".into(), p("wal.sqlite")], 0, vec![]),
        ("wrong port, PostgreSQL", good_to("postgres://postgres@127.0.0.1:1/x"), 1, vec!["cannot reach", "127.0.0.1:1"]),
        ("wrong port, MariaDB", good_to("mysql://root@127.0.0.1:1/x"), 1, vec!["cannot reach", "127.0.0.1:1"]),
        ("unknown host", good_to("postgres://postgres@no-such-host.invalid/x"), 1, vec!["cannot reach", "no-such-host.invalid"]),
        ("missing database", good_to(pg_missing.as_str()), 1, vec!["does not exist", "ferry_missing_nope"]),
        ("no CREATE privilege, PostgreSQL", good_to(&pg_nc_url), 1, vec!["refused", "permission denied"]),
        ("no CREATE privilege, MariaDB", good_to(&my_nc_url), 1, vec!["refused", "denied"]),
        ("non-empty target, PostgreSQL", good_to(&full[0].url), 1, vec!["not empty", "existing"]),
        ("non-empty target, MariaDB", good_to(&full[1].url), 1, vec!["not empty", "existing"]),
        ("malformed URL, port", good_to("postgres://postgres@127.0.0.1:notaport/x"), 1, vec!["not valid"]),
        ("malformed URL, no scheme", good_to("://nothing"), 1, vec!["not valid"]),
        ("unknown scheme", good_to("sqlserver://x/y"), 1, vec!["not valid"]),
    ];
    let lock_wait = [("FERRY_LOCK_WAIT_SECONDS", "3")];
    for busy in [false, true] {
        let _burner = busy.then(|| Burner::start(Duration::from_secs(300)));
        let load = if busy { "busy" } else { "idle" };
        for (case, args, code, words) in &cases {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (run, took) = ferry_within(&args, &lock_wait, BOUND);
            println!("{load} {:>6.2} s  {case}", took.as_secs_f64());
            assert_eq!(run.code, *code, "{load}, {case}: exit {} after {took:?}: {}", run.code, run.stderr);
            let within = match *case {
                "locked file, inspect" => Duration::from_secs(9),
                "locked file, backup" => Duration::from_secs(8),
                _ => WITHIN,
            };
            assert!(took < within, "{load}, {case}: {took:?}, more than {within:?}");
            assert!(!run.stderr.contains("panicked"), "{load}, {case}: {}", run.stderr);
            if *code != 0 {
                let line = run.stderr.trim_end();
                assert_eq!(line.lines().count(), 1, "{load}, {case}: one line on stderr: {line:?}");
                for w in words {
                    assert!(line.contains(w), "{load}, {case}: {line:?} should mention {w:?}");
                }
            }
        }
    }
    drop(holder);
    drop(wal_writer);
    let _ = pg_nc.exec(&format!("DROP ROLE {role}")).await;
    let _ = my_nc.exec(&format!("DROP USER '{role}'@'%'")).await;
}

async fn futures_all<F: std::future::Future<Output = TestDb>>(fs: [F; 2]) -> Vec<TestDb> {
    let mut out = vec![];
    for f in fs {
        out.push(f.await);
    }
    out
}
