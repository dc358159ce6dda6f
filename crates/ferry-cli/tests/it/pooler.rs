//! Through a connection pooler, as a hosted PostgreSQL's "pooled" URL leads: Debian's
//! `pgbouncer` of the test's own, in front of the shared server, with 4 server connections
//! kept open and lent in rotation (`min_pool_size`, `server_round_robin`), so that in transaction mode each transaction may
//! run on another server connection and nothing set for a session is sure to last. The demo
//! goes through it with `--schema shop`, and every command that talks to a target succeeds.
//!
//! PgBouncer refuses to run as root: it runs as the `postgres` OS user (`runuser`), in a
//! folder of its own, on a free port, with no startup parameter ignored (a client that sends
//! one PgBouncer does not know is refused, as on a host). It is stopped, by the pid it
//! wrote, and its folder removed when the `Pooler` is dropped, also when the test fails.
//! Each test makes and drops its own database directly on the server, not through the
//! pooler. Every wait is bounded.

use crate::common::{cleanup, ferry, ferry_within, pg_base, unique_name, Kind, Scratch, TestDb};
use crate::pg_cluster::run;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Server connections in the pool: the transactions of Ferry's sessions share them.
const POOL_SIZE: u32 = 4;

/// A running PgBouncer of the test's own.
pub struct Pooler {
    root: PathBuf,
    pub port: u16,
}

impl Pooler {
    /// PgBouncer in `mode` (`transaction` or `session`) in front of the shared PostgreSQL,
    /// for `postgres` and `users` (trusted, as the server trusts them).
    pub fn start(mode: &str, users: &[&str]) -> Pooler {
        let root = std::env::temp_dir().join(unique_name("pgbouncer"));
        std::fs::create_dir_all(&root).unwrap();
        // Dropped from here on, so a failure below still removes the folder.
        let mut pooler = Pooler { root, port: 0 };
        let server = url::Url::parse(&pg_base()).expect("FERRY_TEST_PG_URL");
        let (host, server_port) = (server.host_str().unwrap_or("127.0.0.1").to_string(), server.port().unwrap_or(5432));
        let list: String = std::iter::once("postgres").chain(users.iter().copied()).map(|u| format!("\"{u}\" \"\"\n")).collect();
        std::fs::write(pooler.root.join("users.txt"), list).unwrap();
        run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&pooler.root), 30);
        // A free port, taken again by PgBouncer a moment later; another test may take it in
        // between, so a failed start tries the next one (at most five).
        for attempt in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let (ini, log) = (pooler.root.join(format!("pgbouncer{attempt}.ini")), pooler.root.join(format!("log{attempt}")));
            let conf = format!(
                "[databases]\n* = host={host} port={server_port}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
                 auth_type = trust\nauth_file = {users}\npool_mode = {mode}\ndefault_pool_size = {POOL_SIZE}\nmin_pool_size = {POOL_SIZE}\nserver_round_robin = 1\n\
                 max_client_conn = 100\nlogfile = {log}\npidfile = {pid}\n",
                users = pooler.root.join("users.txt").display(),
                log = log.display(),
                pid = pooler.pid_file().display(),
            );
            std::fs::write(&ini, conf).unwrap();
            run(Command::new("chown").args(["postgres:postgres"]).arg(&ini), 30);
            // `-d`: into the background once listening (its pid in the pid file).
            let started = Command::new("runuser")
                .args(["-u", "postgres", "--", "pgbouncer", "-d"])
                .arg(&ini)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("pgbouncer (scripts/setup.sh installs it)")
                .success();
            if started && pooler.answers(port) {
                pooler.port = port;
                return pooler;
            }
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            assert!(text.contains("Address already in use") || text.contains("bind"), "pgbouncer did not start: {text}");
        }
        panic!("pgbouncer found no free port in five tries");
    }

    fn pid_file(&self) -> PathBuf {
        self.root.join("pgbouncer.pid")
    }

    /// Waits (at most 10 s) until the port takes connections.
    fn answers(&self, port: u16) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(500)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// A URL of database `db` through the pooler, as `user`.
    pub fn url_as(&self, user: &str, db: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/{db}", self.port)
    }

    /// A URL of database `db` through the pooler, as `postgres`.
    pub fn url(&self, db: &str) -> String {
        self.url_as("postgres", db)
    }
}

impl Drop for Pooler {
    fn drop(&mut self) {
        stop_by_pid_file(&self.pid_file());
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Stops the process a test started, by the pid file it wrote: asked to stop, given 5 s,
/// then killed. Nothing when the file is missing or holds no pid.
pub fn stop_by_pid_file(file: &std::path::Path) {
    let Some(pid) = std::fs::read_to_string(file).ok().and_then(|p| p.trim().parse::<u32>().ok()) else { return };
    let alive = || Command::new("kill").args(["-0", &pid.to_string()]).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let started = Instant::now();
    while alive() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    if alive() {
        let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
    }
}

/// The demo through PgBouncer in `mode` into schema `shop`: connect, preflight, migrate,
/// validate, diff, monitor and backup succeed; every table lands in `shop`, none in `public`;
/// validate compares clean.
async fn demo_through(mode: &str) {
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    let r = ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "20000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = TestDb::new(Kind::Pg, "pooler").await;
    let pooler = Pooler::start(mode, &[]);
    let url = pooler.url(&db.name);
    let (src_s, report, backups) = (src.to_str().unwrap(), dir.path("run.json"), dir.path("backups"));
    let steps: Vec<(&str, Vec<&str>)> = vec![
        ("connect", vec!["connect", "--to", &url, "--schema", "shop"]),
        ("preflight", vec!["preflight", src_s, "--to", &url]),
        ("migrate", vec!["migrate", src_s, "--to", &url, "--schema", "shop", "--report", report.to_str().unwrap()]),
        ("validate", vec!["validate", src_s, "--to", &url, "--schema", "shop", "--run-report", report.to_str().unwrap()]),
        ("diff", vec!["diff", src_s, "--to", &url, "--schema", "shop"]),
        ("monitor", vec!["monitor", "--to", &url, "--schema", "shop"]),
        ("backup", vec!["backup", "--to", &url, "--schema", "shop", "--out", backups.to_str().unwrap()]),
        // The commands the open issues added talk to the target too.
        ("sync", vec!["sync", src_s, "--to", &url, "--schema", "shop", "--run-report", report.to_str().unwrap()]),
        ("advise", vec!["advise", &url]),
    ];
    for (what, args) in &steps {
        let (r, took) = ferry_within(args, &[], Duration::from_secs(180));
        // migrate: 2, with the one object the demo leaves behind (its trigger), checked below.
        let ok = r.code == 0 || (*what == "migrate" && r.code == 2);
        assert!(ok, "{what} through pgbouncer ({mode} mode) failed (exit {}) after {took:?}:\n{}\n{}", r.code, r.stdout, r.stderr);
        match *what {
            "connect" => {
                assert!(r.stdout.contains("empty: ready for a migration"), "{}", r.stdout);
                // Transaction mode with connections in rotation: the backend changes; session
                // mode: the server's port is not the URL's.
                let sign = if mode == "transaction" { "pooler in transaction mode" } else { "pooler or proxy" };
                assert!(r.stdout.contains(sign), "connect says: {}", r.stdout);
            }
            "migrate" => assert!(r.stdout.contains("every row arrived exactly"), "{}", r.stdout),
            "validate" => assert!(r.stdout.contains("valid: every row matches"), "{}", r.stdout),
            "diff" => assert!(r.stdout.contains("the target matches the plan"), "{}", r.stdout),
            "sync" => assert!(r.stdout.contains("nothing to do: the target matches"), "{}", r.stdout),
            _ => {}
        }
    }
    let rep: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    for w in rep["warnings"].as_array().unwrap() {
        assert!(w["object"].as_str().unwrap().starts_with("trigger "), "only the trigger is left behind: {w}");
    }
    // Directly, no pooler is seen.
    let r = ferry(&["connect", "--to", &db.url, "--schema", "shop"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("connection pooler"), "direct: {}", r.stdout);
    // Seen directly on the server: every table in `shop`, nothing in `public`.
    let in_schema = |s: &str| format!("SELECT table_name::text FROM information_schema.tables WHERE table_schema = '{s}' AND table_type = 'BASE TABLE' ORDER BY 1");
    let shop: Vec<String> = db.texts(&in_schema("shop")).await.into_iter().flatten().collect();
    let mut want: Vec<String> = ferry_core::demo::TABLES.iter().map(|t| t.to_string()).collect();
    want.sort();
    assert_eq!(shop, want, "the demo's tables in schema shop");
    assert_eq!(db.texts(&in_schema("public")).await, Vec::<Option<String>>::new(), "nothing in public");
    // The pooler did lend more than one server connection: transactions moved between them.
    let backends = db.texts(&format!("SELECT count(*)::text FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()", db.name)).await;
    let backends: u32 = backends[0].as_deref().unwrap_or("0").parse().unwrap();
    assert!((2..=POOL_SIZE).contains(&backends), "{backends} server connection(s) behind the pooler");
    let made = std::fs::read_dir(&backups).map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "dump")).count()).unwrap_or(0);
    assert_eq!(made, 1, "one backup made");
    // Last, the run taken back through the pooler: every table of it gone from `shop`.
    let (r, took) = ferry_within(&["rollback", report.to_str().unwrap(), "--to", &url], &[], Duration::from_secs(180));
    assert_eq!(r.code, 0, "rollback through pgbouncer ({mode} mode) failed after {took:?}:\n{}\n{}", r.stdout, r.stderr);
    assert_eq!(db.texts(&in_schema("shop")).await, Vec::<Option<String>>::new(), "rolled back: nothing left in shop");
    drop(pooler);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_through_pgbouncer_in_transaction_mode() {
    demo_through("transaction").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_through_pgbouncer_in_session_mode() {
    demo_through("session").await;
}

/// A login role of the test's own, dropped at the end (declared before the database it
/// owns, so dropped after it).
struct Role(String);

impl Drop for Role {
    fn drop(&mut self) {
        cleanup(Kind::Pg, format!("DROP ROLE IF EXISTS \"{}\"", self.0), 30);
    }
}

/// As a host gives it, and tighter: a role that is no superuser, owns its database, and has
/// a `statement_timeout` and an `idle_in_transaction_session_timeout` of 250 ms, through
/// PgBouncer in transaction mode. Ferry lifts both for its own transactions (`SET LOCAL`,
/// carried with each statement): the demo at 200,000 rows migrates into a schema of its own
/// with every key and index made (index builds, COPYs and the validation's whole-table reads
/// each take longer than 250 ms at this size) and validates clean.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_as_a_database_owner_with_a_statement_timeout_through_pgbouncer() {
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    let r = ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "200000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let role = Role(unique_name("owner"));
    let db = TestDb::new(Kind::Pg, "hosted").await;
    {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&pg_base()).await.unwrap();
        let (r, d) = (&role.0, &db.name);
        for sql in [
            format!("CREATE ROLE \"{r}\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"),
            format!("ALTER ROLE \"{r}\" SET statement_timeout = '250ms'"),
            format!("ALTER ROLE \"{r}\" SET idle_in_transaction_session_timeout = '250ms'"),
            format!("ALTER DATABASE \"{d}\" OWNER TO \"{r}\""),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await.unwrap();
        }
    }
    let pooler = Pooler::start("transaction", &[&role.0]);
    let url = pooler.url_as(&role.0, &db.name);
    let (src_s, report) = (src.to_str().unwrap(), dir.path("run.json"));
    let (r, took) = ferry_within(&["migrate", src_s, "--to", &url, "--schema", "shop", "--report", report.to_str().unwrap()], &[], Duration::from_secs(300));
    assert!(r.code == 0 || r.code == 2, "migrate as the owner failed (exit {}) after {took:?}:\n{}\n{}", r.code, r.stdout, r.stderr);
    assert!(r.stdout.contains("every row arrived exactly: 200,000 rows"), "{}", r.stdout);
    let rep: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    for w in rep["warnings"].as_array().unwrap() {
        assert!(w["object"].as_str().unwrap().starts_with("trigger "), "only the trigger is left behind: {w}");
    }
    let (r, took) = ferry_within(&["validate", src_s, "--to", &url, "--schema", "shop", "--run-report", report.to_str().unwrap()], &[], Duration::from_secs(300));
    assert_eq!(r.code, 0, "validate as the owner failed after {took:?}:\n{}\n{}", r.stdout, r.stderr);
    let owner = db.texts("SELECT DISTINCT tableowner::text FROM pg_tables WHERE schemaname = 'shop'").await;
    assert_eq!(owner, vec![Some(role.0.clone())], "the tables are the role's");
    let timeout = db.texts(&format!("SELECT setconfig::text FROM pg_db_role_setting WHERE setrole = (SELECT oid FROM pg_roles WHERE rolname = '{}')", role.0)).await;
    assert_eq!(timeout, vec![Some("{statement_timeout=250ms,idle_in_transaction_session_timeout=250ms}".to_string())], "the role's limits were in force");
    drop(pooler);
}
