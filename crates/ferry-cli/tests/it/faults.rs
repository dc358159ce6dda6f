//! A run that meets a fault part way — the connection cut under it, the server restarted
//! mid-load, the process killed while it builds indexes — says so in one line with the command
//! that goes on, and `ferry migrate --resume` then brings the target to every row of the
//! source, once, validated clean. The source stays byte-identical throughout.
//!
//! The faults are real: a TCP proxy the test runs between `ferry` and the server (cut by
//! shutting every socket it carries), a PostgreSQL cluster and a MariaDB server of the test's
//! own (restarted under the run; the shared servers are never touched), and `kill -9`.

use crate::common::*;
use crate::pg_cluster::{Certs, PgCluster, Setup, PASSWORD};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A TCP proxy on 127.0.0.1 to `upstream`, on threads of its own (so it keeps carrying while
/// the test waits on a process). `cut` shuts every connection it carries at that moment, as a
/// dropped network does; it goes on accepting new ones, as a network that comes back does.
struct Proxy {
    port: u16,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let keep = open.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else { continue };
                let mut held = keep.lock().unwrap();
                held.push(client.try_clone().unwrap());
                held.push(server.try_clone().unwrap());
                drop(held);
                for (mut from, mut to) in [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)] {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 64 * 1024];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 || to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(Shutdown::Both);
                        let _ = from.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Proxy { port, open }
    }

    /// Shuts every connection the proxy carries now; returns how many there were.
    fn cut(&self) -> usize {
        let mut held = self.open.lock().unwrap();
        for s in held.iter() {
            let _ = s.shutdown(Shutdown::Both);
        }
        let n = held.len() / 2;
        held.clear();
        n
    }
}

/// `url` with its `127.0.0.1:PORT` moved to `port`.
fn through(url: &str, port: u16) -> String {
    let mut u = url::Url::parse(url).unwrap();
    u.set_port(Some(port)).unwrap();
    u.to_string()
}

/// `ferry migrate SRC --to URL --report REPORT --jobs 2`, started.
fn start_migrate(src: &Path, url: &str, report: &Path, audit: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["migrate", src.to_str().unwrap(), "--to", url, "--jobs", "2", "--report", report.to_str().unwrap()])
        .env("FERRY_AUDIT_LOG", audit)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Polls `ready` every 30 ms until it says yes or `child` ends (at most 90 s); whether the
/// child was still running when it did.
fn wait_for(child: &mut Child, what: &str, mut ready: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if ready() {
            return true;
        }
        assert!(started.elapsed() < Duration::from_secs(90), "{what}: not seen within 90 s");
        std::thread::sleep(Duration::from_millis(30));
    }
    false
}

/// Waits at most 90 s for `child` to end; its exit code and standard error.
fn ended(mut child: Child, what: &str) -> (i32, String) {
    let started = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            return (st.code().unwrap_or(-1), err);
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("{what}: the run did not end within 90 s of the fault");
        }
        std::thread::sleep(Duration::from_millis(30));
    }
}

/// The journal's states (2: loading, 3: rows in, keys not yet) from "name|state" lines.
fn states(lines: &str) -> Vec<(String, i64)> {
    lines.lines().filter_map(|l| l.rsplit_once('|')).map(|(t, s)| (t.trim().to_string(), s.trim().parse().unwrap_or(-1))).collect()
}

/// The journal's states in a shared server's test database; none before the run makes it.
fn journal_states(rt: &tokio::runtime::Handle, db: &TestDb) -> Vec<(String, i64)> {
    let exists = match db.kind {
        Kind::Pg => "SELECT count(*)::text FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'ferry_run_journal'",
        Kind::My => "SELECT CAST(count(*) AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'ferry_run_journal'",
    };
    if rt.block_on(db.texts(exists)).first().cloned().flatten().as_deref() != Some("1") {
        return vec![];
    }
    states(&rt.block_on(db.texts(JOURNAL)).into_iter().flatten().collect::<Vec<_>>().join("\n"))
}

const JOURNAL: &str = "SELECT CONCAT(table_name, '|', CAST(state AS CHAR(4))) FROM ferry_run_journal WHERE kind = 'table' ORDER BY table_name";

/// What a run stopped by a fault says: one line, what stopped it, and both ways on.
fn assert_one_line_that_goes_on(what: &str, code: i32, stderr: &str, src: &Path, report: &Path) {
    assert_eq!(code, 1, "{what}: {stderr}");
    let last = stderr.trim_end().lines().last().unwrap_or_default();
    assert!(last.starts_with("ferry: "), "{what}: {stderr}");
    let goes_on = format!("The target keeps the run's journal: continue it with `ferry migrate {} --to ", src.display());
    assert!(last.contains(&goes_on) && last.contains("--resume` once the target answers again"), "{what}: {last}");
    assert!(last.ends_with(&format!("or take it back with `ferry rollback {} --to {}`", report.display(), last.rsplit_once("--to ").unwrap().1.trim_end_matches('`'))), "{what}: {last}");
    let rep: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    assert_eq!(rep["completed"], false, "{what}");
    assert_eq!(rep["resumable"], true, "{what}: {rep}");
}

/// `--resume` to the end, then validate: every row once, clean.
fn resume_and_validate(what: &str, src: &Path, url: &str, audit: &Path, counts: &[(String, i64)], count: impl Fn(&str) -> i64) {
    let env = [("FERRY_AUDIT_LOG", audit.to_str().unwrap())];
    let limit = Duration::from_secs(300);
    let report = src.with_file_name(format!("resumed-{}.json", unique_name("r")));
    let (run, took) = ferry_within(&["migrate", src.to_str().unwrap(), "--to", url, "--resume", "--report", report.to_str().unwrap()], &env, limit);
    assert!(run.code == 0 || run.code == 2, "{what} (resume, after {took:?}): {}{}", run.stdout, run.stderr);
    let rep: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(rep["completed"], true, "{what}: {}", rep["error"]);
    for (t, n) in counts {
        assert_eq!(count(t), *n, "{what}: every row of {t}, once");
        assert_eq!(rep["tables"][t]["rows_written"].as_i64(), Some(*n), "{what}: the report covers {t}");
    }
    let valid = ferry_within(&["validate", src.to_str().unwrap(), "--to", url], &env, limit).0;
    assert_eq!(valid.code, 0, "{what}: {}{}", valid.stdout, valid.stderr);
}

/// A run into `url` meets `fault` while the journal (`states_now`) shows a table loading;
/// then: one line that says how to go on, and `--resume` to a clean validate with every row
/// once (`count`: a target table's rows); the source byte-identical.
fn fault_mid_load(what: &str, url: &str, states_now: impl Fn() -> Vec<(String, i64)>, fault: impl FnOnce(), count: impl Fn(&str) -> i64) {
    let dir = Scratch::new();
    let src = demo_of(&dir, 300_000);
    let before = sha256(&src);
    let counts = source_counts(&src);
    let audit = dir.path("audit.jsonl");
    let report = dir.path("stopped.json");
    let mut child = start_migrate(&src, url, &report, &audit);
    if !wait_for(&mut child, what, || states_now().iter().any(|(_, s)| *s == 2)) {
        panic!("{what}: the run ended before the fault: {:?}", ended(child, what));
    }
    std::thread::sleep(Duration::from_millis(200));
    fault();
    let (code, err) = ended(child, what);
    assert_one_line_that_goes_on(what, code, &err, &src, &report);
    resume_and_validate(what, &src, url, &audit, &counts, count);
    assert_eq!(sha256(&src), before, "{what}: the source is byte-identical");
}

/// The network drops mid-load (every connection `ferry` has to the server cut at once), on
/// both targets: one line says so and how to go on; `--resume`, once the network is back,
/// completes the run, clean.
#[test]
fn a_connection_cut_mid_load_is_continued() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let rt = runtime.handle();
    for kind in Kind::all() {
        let what = format!("{kind:?}");
        let db = rt.block_on(TestDb::new(kind, "fault_cut"));
        let upstream = url::Url::parse(&db.url).unwrap().port().unwrap_or(if kind == Kind::Pg { 5432 } else { 3306 });
        let proxy = Proxy::start(upstream);
        let cut = || {
            let carried = proxy.cut();
            assert!(carried >= 2, "{what}: the run had {carried} connections open");
        };
        let count = |t: &str| -> i64 { rt.block_on(db.texts(&format!("SELECT CONCAT(count(*), '') FROM {}", db.q(t))))[0].as_deref().unwrap().parse().unwrap() };
        fault_mid_load(&what, &through(&db.url, proxy.port), || journal_states(rt, &db), cut, count);
    }
}

/// PostgreSQL restarted (`pg_ctl restart -m fast`) while the run copies: one line, then
/// `--resume` on the restarted server completes it, clean.
#[test]
fn a_postgres_restart_mid_copy_is_continued() {
    let cluster = PgCluster::start(Setup::default());
    cluster.psql("CREATE DATABASE shop");
    let mut url = url::Url::parse(&cluster.url(&format!("postgres:{PASSWORD}"), "127.0.0.1", "")).unwrap();
    url.set_path("/shop");
    let sql = |q: &str| -> String { cluster.psql_in("shop", q) };
    let states_now = || if sql("SELECT to_regclass('ferry_run_journal') IS NOT NULL").trim() == "t" { states(&sql(JOURNAL)) } else { vec![] };
    fault_mid_load("PostgreSQL", url.as_str(), states_now, || cluster.restart(), |t| sql(&format!("SELECT count(*) FROM \"{t}\"")).trim().parse().unwrap());
}

/// MariaDB shut down and started again while the run loads: one line, then `--resume`
/// completes it, clean.
#[test]
fn a_mariadb_restart_mid_load_is_continued() {
    let dir = Scratch::new();
    let certs = Certs::new(&dir.path("certs"));
    let ca = certs.ca("ferry-test-ca");
    let server = certs.server("server", &ca, "DNS:localhost,IP:127.0.0.1");
    let my = std::cell::RefCell::new(crate::my_server::MyServer::start(&server, &ca));
    my.borrow().sql("CREATE DATABASE shop").unwrap();
    let url = format!("mysql://root@127.0.0.1:{}/shop", my.borrow().port);
    let states_now = || my.borrow().sql(&format!("USE shop; {JOURNAL}")).map(|out| states(&out)).unwrap_or_default();
    let count = |t: &str| my.borrow().sql(&format!("SELECT count(*) FROM shop.`{t}`")).unwrap().trim().parse().unwrap();
    fault_mid_load("MariaDB", &url, states_now, || my.borrow_mut().restart(), count);
}

/// `kill -9` while the run builds a table's keys and indexes (its rows all in, the journal
/// at "loaded"): `--resume` reloads that table whole, says so, and completes, clean.
#[test]
fn a_run_killed_while_it_builds_indexes_is_continued() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let rt = runtime.handle();
    let dir = Scratch::new();
    let src = demo_of(&dir, 300_000);
    let before = sha256(&src);
    let counts = source_counts(&src);
    let audit = dir.path("audit.jsonl");
    for kind in Kind::all() {
        let what = format!("{kind:?}");
        let db = rt.block_on(TestDb::new(kind, "fault_idx"));
        let report = dir.path(&format!("idx-{what}.json"));
        let mut child = start_migrate(&src, &db.url, &report, &audit);
        let mut at_kill = vec![];
        let building = wait_for(&mut child, &what, || {
            at_kill = journal_states(rt, &db);
            at_kill.iter().any(|(_, s)| *s == 3)
        });
        if !building {
            panic!("{what}: the run ended before any table's indexes were built: {:?}", ended(child, &what));
        }
        let _ = Command::new("kill").args(["-9", &child.id().to_string()]).status();
        let _ = ended(child, &what);
        let loaded: Vec<&String> = at_kill.iter().filter(|(_, s)| *s == 3).map(|(t, _)| t).collect();

        let count = |t: &str| -> i64 {
            let n = rt.block_on(db.texts(&format!("SELECT CONCAT(count(*), '') FROM {}", db.q(t))));
            n[0].as_deref().unwrap().parse().unwrap()
        };
        let resumed = dir.path(&format!("idx-{what}-resumed.json"));
        let env = [("FERRY_AUDIT_LOG", audit.to_str().unwrap())];
        let run = ferry_within(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--resume", "--report", resumed.to_str().unwrap()], &env, Duration::from_secs(300)).0;
        assert!(run.code == 0 || run.code == 2, "{what}: {}{}", run.stdout, run.stderr);
        let rep: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&resumed).unwrap()).unwrap();
        let notes = rep["notes"].to_string();
        for t in &loaded {
            // Killed at "loaded" it may have got on to "finished" before the kill landed.
            let reloaded = notes.contains(&format!("\"table {t}\",\"reason\":\"reloaded whole: its rows were in, but not its keys and indexes, when the run stopped\""));
            let kept = notes.contains(&format!("\"table {t}\",\"reason\":\"kept: the interrupted run had finished it\""));
            assert!(reloaded || kept, "{what}: {t} is reloaded or kept: {notes}");
        }
        for (t, n) in &counts {
            assert_eq!(count(t), *n, "{what}: every row of {t}, once");
        }
        let valid = ferry_within(&["validate", src.to_str().unwrap(), "--to", &db.url], &env, Duration::from_secs(300)).0;
        assert_eq!(valid.code, 0, "{what}: {}{}", valid.stdout, valid.stderr);
        assert_eq!(sha256(&src), before, "{what}: the source is byte-identical");
    }
}

/// Stopped after it made its views and triggers but before it removed its journal (a moment
/// too short to hit with `kill -9`; `FERRY_TEST_ABORT_AT` aborts the process there):
/// `--resume` makes them again — none "already exists" — and the target validates clean.
#[test]
fn a_run_stopped_after_its_views_and_triggers_is_continued() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let rt = runtime.handle();
    let dir = Scratch::new();
    let src = demo_of(&dir, 2_000);
    // A trigger both targets carry (the demo's own updates its table, which MySQL refuses).
    rusqlite::Connection::open(&src)
        .unwrap()
        .execute_batch("CREATE TABLE tenant_log (id INTEGER PRIMARY KEY, name TEXT); CREATE TRIGGER trg_tenant_log AFTER INSERT ON tenants BEGIN INSERT INTO tenant_log (name) VALUES (NEW.name); END;")
        .unwrap();
    let counts = source_counts(&src);
    let audit = dir.path("audit.jsonl");
    for kind in Kind::all() {
        let what = format!("{kind:?}");
        let db = rt.block_on(TestDb::new(kind, "fault_views"));
        let (views_sql, triggers_sql) = match kind {
            Kind::Pg => (
                "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.views WHERE table_schema = 'public'",
                "SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname = 'public'",
            ),
            Kind::My => (
                "SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.views WHERE table_schema = DATABASE()",
                "SELECT GROUP_CONCAT(trigger_name ORDER BY trigger_name) FROM information_schema.triggers WHERE trigger_schema = DATABASE()",
            ),
        };
        let objects = || (rt.block_on(db.texts(views_sql)).remove(0).unwrap_or_default(), rt.block_on(db.texts(triggers_sql)).remove(0).unwrap_or_default());
        let env = [("FERRY_AUDIT_LOG", audit.to_str().unwrap()), ("FERRY_TEST_ABORT_AT", "before_journal_removed")];
        let (stopped, _) = ferry_within(&["migrate", src.to_str().unwrap(), "--to", &db.url], &env, Duration::from_secs(300));
        assert_ne!(stopped.code, 0, "{what}: the run stops at the failpoint: {}{}", stopped.stdout, stopped.stderr);
        assert!(!journal_states(rt, &db).is_empty(), "{what}: the journal is left");
        let made = objects();
        assert!(!made.0.is_empty() && !made.1.is_empty(), "{what}: the stopped run made views and triggers: {made:?}");

        let report = dir.path(&format!("views-{what}.json"));
        let env = [("FERRY_AUDIT_LOG", audit.to_str().unwrap())];
        let (run, _) = ferry_within(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--resume", "--report", report.to_str().unwrap()], &env, Duration::from_secs(300));
        assert!(run.code == 0 || run.code == 2, "{what}: {}{}", run.stdout, run.stderr);
        let rep: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        assert_eq!(rep["completed"], true, "{what}: {}", rep["error"]);
        let warnings = rep["warnings"].to_string();
        assert!(!warnings.contains("already exists"), "{what}: {warnings}");
        assert_eq!(objects(), made, "{what}: the same views and triggers, once each");
        assert!(journal_states(rt, &db).is_empty(), "{what}: the journal is gone");
        for (t, n) in &counts {
            let got = rt.block_on(db.texts(&format!("SELECT CONCAT(count(*), '') FROM {}", db.q(t))));
            assert_eq!(got[0].as_deref().unwrap().parse::<i64>().unwrap(), *n, "{what}: every row of {t}, once");
        }
        let valid = ferry_within(&["validate", src.to_str().unwrap(), "--to", &db.url], &env, Duration::from_secs(300)).0;
        assert_eq!(valid.code, 0, "{what}: {}{}", valid.stdout, valid.stderr);
    }
}

/// Stopped just after it made a foreign key (PostgreSQL: added NOT VALID, not yet validated;
/// MySQL/MariaDB: in the phase that makes them all): `--resume` makes the keys again — none
/// said "not created" because it "already exists", none left unchecked — and the target
/// holds the same keys as an uninterrupted run's.
#[test]
fn a_run_stopped_while_making_its_foreign_keys_is_continued() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let rt = runtime.handle();
    let dir = Scratch::new();
    let src = demo_of(&dir, 2_000);
    let counts = source_counts(&src);
    let audit = dir.path("audit.jsonl");
    let env = [("FERRY_AUDIT_LOG", audit.to_str().unwrap())];
    for kind in Kind::all() {
        let what = format!("{kind:?}");
        let keys_sql = match kind {
            Kind::Pg => "SELECT c.conrelid::regclass::text || '.' || c.conname || CASE WHEN c.convalidated THEN '' ELSE ' NOT VALID' END FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = 'public' ORDER BY 1",
            Kind::My => "SELECT CONCAT(table_name, '.', constraint_name) FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE() ORDER BY 1",
        };
        // What an uninterrupted run makes.
        let whole = rt.block_on(TestDb::new(kind, "fault_fk_whole"));
        let (run, _) = ferry_within(&["migrate", src.to_str().unwrap(), "--to", &whole.url], &env, Duration::from_secs(300));
        assert!(run.code == 0 || run.code == 2, "{what}: {}{}", run.stdout, run.stderr);
        let keys: Vec<String> = rt.block_on(whole.texts(keys_sql)).into_iter().flatten().collect();
        assert!(keys.len() >= 5 && keys.iter().all(|k| !k.ends_with("NOT VALID")), "{what}: {keys:?}");
        drop(whole);

        let db = rt.block_on(TestDb::new(kind, "fault_fk"));
        let stop = [("FERRY_AUDIT_LOG", audit.to_str().unwrap()), ("FERRY_TEST_ABORT_AT", "foreign_key_made")];
        let (stopped, _) = ferry_within(&["migrate", src.to_str().unwrap(), "--to", &db.url], &stop, Duration::from_secs(300));
        assert_ne!(stopped.code, 0, "{what}: the run stops at the failpoint: {}{}", stopped.stdout, stopped.stderr);
        assert!(!journal_states(rt, &db).is_empty(), "{what}: the journal is left");
        let made: Vec<String> = rt.block_on(db.texts(keys_sql)).into_iter().flatten().collect();
        // Tables make their keys side by side, so another may have landed beside the one the
        // failpoint followed; some, never all.
        assert!(!made.is_empty() && made.len() < keys.len(), "{what}: the stopped run made some keys, not all: {made:?}");

        let report = dir.path(&format!("fk-{what}.json"));
        let (run, _) = ferry_within(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--resume", "--report", report.to_str().unwrap()], &env, Duration::from_secs(300));
        assert!(run.code == 0 || run.code == 2, "{what}: {}{}", run.stdout, run.stderr);
        let rep: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        assert_eq!(rep["completed"], true, "{what}: {}", rep["error"]);
        let warnings = rep["warnings"].to_string();
        assert!(!warnings.contains("not created") && !warnings.contains("already exists"), "{what}: {warnings}");
        let got: Vec<String> = rt.block_on(db.texts(keys_sql)).into_iter().flatten().collect();
        assert_eq!(got, keys, "{what}: the keys of an uninterrupted run, each checked");
        assert!(journal_states(rt, &db).is_empty(), "{what}: the journal is gone");
        for (t, n) in &counts {
            let got = rt.block_on(db.texts(&format!("SELECT CONCAT(count(*), '') FROM {}", db.q(t))));
            assert_eq!(got[0].as_deref().unwrap().parse::<i64>().unwrap(), *n, "{what}: every row of {t}, once");
        }
        let valid = ferry_within(&["validate", src.to_str().unwrap(), "--to", &db.url], &env, Duration::from_secs(300)).0;
        assert_eq!(valid.code, 0, "{what}: {}{}", valid.stdout, valid.stderr);
    }
}
