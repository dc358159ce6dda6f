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
        Pooler::start_sized(mode, users, POOL_SIZE)
    }

    /// `start`, with `size` server connections in the pool.
    pub fn start_sized(mode: &str, users: &[&str], size: u32) -> Pooler {
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
                 auth_type = trust\nauth_file = {users}\npool_mode = {mode}\ndefault_pool_size = {size}\nmin_pool_size = {size}\nserver_round_robin = 1\n\
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

/// The one backup record (`.json`) `dir` holds.
fn record_in(dir: &std::path::Path) -> String {
    let records: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    assert_eq!(records.len(), 1, "one backup record in {}: {records:?}", dir.display());
    records[0].to_str().unwrap().to_string()
}

/// The demo through PgBouncer in `mode` into schema `shop`: connect, preflight, migrate,
/// validate, diff, monitor, backup (pg_dump's and Ferry's own), sync and advise succeed; every
/// table lands in `shop`, none in `public`; validate compares clean. Then, still through the
/// pooler, the run is rolled back (nothing left in `shop`), pg_dump's backup restored (validate
/// clean again), and Ferry's own backup restored over it with `--replace` (clean again).
async fn demo_through(mode: &str) {
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    let r = ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "20000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = TestDb::new(Kind::Pg, "pooler").await;
    let pooler = Pooler::start(mode, &[]);
    let url = pooler.url(&db.name);
    let (src_s, report, backups, own_backups) = (src.to_str().unwrap(), dir.path("run.json"), dir.path("backups"), dir.path("own-backups"));
    let steps: Vec<(&str, Vec<&str>)> = vec![
        ("connect", vec!["connect", "--to", &url, "--schema", "shop"]),
        ("preflight", vec!["preflight", src_s, "--to", &url]),
        ("migrate", vec!["migrate", src_s, "--to", &url, "--schema", "shop", "--report", report.to_str().unwrap()]),
        ("validate", vec!["validate", src_s, "--to", &url, "--schema", "shop", "--run-report", report.to_str().unwrap()]),
        ("diff", vec!["diff", src_s, "--to", &url, "--schema", "shop"]),
        ("monitor", vec!["monitor", "--to", &url, "--schema", "shop"]),
        ("backup", vec!["backup", "--to", &url, "--schema", "shop", "--out", backups.to_str().unwrap()]),
        ("backup --engine ferry", vec!["backup", "--to", &url, "--schema", "shop", "--out", own_backups.to_str().unwrap(), "--engine", "ferry"]),
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
                assert!(!r.stdout.contains("superuser"), "a superuser lacks nothing: {}", r.stdout);
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
    // The backups restored through the pooler: pg_dump's into the empty place, then Ferry's own
    // over it; each time every table is back in `shop` and every row matches the source.
    let validate = ["validate", src_s, "--to", &url, "--schema", "shop", "--run-report", report.to_str().unwrap()];
    for (what, record, replace) in [("pg_dump's", record_in(&backups), false), ("Ferry's own", record_in(&own_backups), true)] {
        let mut args = vec!["restore", &record, "--to", &url];
        if replace {
            args.push("--replace");
        }
        let (r, took) = ferry_within(&args, &[], Duration::from_secs(180));
        assert_eq!(r.code, 0, "restore of {what} backup through pgbouncer ({mode} mode) failed after {took:?}:\n{}\n{}", r.stdout, r.stderr);
        let back: Vec<String> = db.texts(&in_schema("shop")).await.into_iter().flatten().collect();
        assert_eq!(back, want, "{what} backup restored: the demo's tables in shop");
        let (r, took) = ferry_within(&validate, &[], Duration::from_secs(180));
        assert!(r.code == 0 && r.stdout.contains("valid: every row matches"), "validate after restoring {what} backup ({mode} mode), {took:?}:\n{}\n{}", r.stdout, r.stderr);
    }
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

/// `plan --production` and `--roles` through PgBouncer in transaction mode, into schema
/// `shop`: every proposal accepted (the demo's partitions, full-text and JSON indexes, partial
/// and covering indexes, defaults, the `pg_trgm` extension), the run builds them and makes the
/// three roles, the tables are the owner role's, validate and diff compare clean; the rollback
/// drops tables and roles. Every command through the pooler.
#[tokio::test(flavor = "multi_thread")]
async fn production_proposals_and_roles_through_pgbouncer_in_transaction_mode() {
    use crate::access::{role_names, Roles};
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    let r = ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "20000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = TestDb::new(Kind::Pg, "poolprod").await;
    let names = role_names(&db.name);
    let _roles = Roles { kind: Kind::Pg, db: db.name.clone(), names: names.clone() };
    let pooler = Pooler::start("transaction", &[]);
    let url = pooler.url(&db.name);
    let (src_s, plan_file, report) = (src.to_str().unwrap(), dir.path("plan.toml"), dir.path("run.json"));
    let (plan_s, report_s) = (plan_file.to_str().unwrap(), report.to_str().unwrap());
    let run = |args: &[&str]| {
        let (r, took) = ferry_within(args, &[], Duration::from_secs(300));
        assert!(r.code == 0 || (args[0] == "migrate" && r.code == 2), "{} through pgbouncer failed (exit {}) after {took:?}:\n{}\n{}", args[0], r.code, r.stdout, r.stderr);
        r
    };
    run(&["plan", src_s, "--to", &url, "--production", "--roles", "--out", plan_s]);
    let mut plan = ferry_core::plan::Plan::load(&plan_file).unwrap();
    assert!(plan.production.len() >= 5, "proposals for the demo: {:?}", plan.production);
    for p in plan.production.iter_mut() {
        p.accept = true;
    }
    std::fs::write(&plan_file, plan.to_toml()).unwrap();
    let r = run(&["migrate", src_s, "--to", &url, "--plan", plan_s, "--schema", "shop", "--report", report_s]);
    assert!(r.stdout.contains("every row arrived exactly"), "{}", r.stdout);
    let rep: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(rep["completed"], true, "{}", rep["error"]);
    for w in rep["warnings"].as_array().unwrap() {
        assert!(w["object"].as_str().unwrap().starts_with("trigger "), "only the trigger is left behind: {w}");
    }
    let r = run(&["validate", src_s, "--to", &url, "--plan", plan_s, "--schema", "shop", "--run-report", report_s]);
    assert!(r.stdout.contains("valid: every row matches"), "{}", r.stdout);
    let r = run(&["diff", src_s, "--to", &url, "--plan", plan_s, "--schema", "shop"]);
    assert!(r.stdout.contains("the target matches the plan"), "{}", r.stdout);
    let list = names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ");
    let roles_sql = format!("SELECT rolname::text FROM pg_roles WHERE rolname IN ({list}) ORDER BY 1");
    let mut made: Vec<String> = names[..3].to_vec();
    made.sort();
    assert_eq!(db.texts(&roles_sql).await.into_iter().flatten().collect::<Vec<String>>(), made, "the three roles made");
    let owners = db.texts("SELECT DISTINCT tableowner::text FROM pg_tables WHERE schemaname = 'shop'").await;
    assert_eq!(owners, vec![Some(names[0].clone())], "the tables are the owner role's");
    let r = run(&["rollback", report_s, "--to", &url]);
    assert!(r.code == 0, "{}", r.stdout);
    assert_eq!(db.texts("SELECT count(*)::text FROM pg_tables WHERE schemaname = 'shop'").await, vec![Some("0".to_string())], "rolled back: no table left in shop");
    assert_eq!(db.texts(&roles_sql).await, Vec::<Option<String>>::new(), "rolled back: the roles dropped");
    drop(pooler);
}

/// Two server connections lent in turn (FIFO): two sessions whose transactions strictly
/// alternate would each get the same server connection every time, and look unpooled. The
/// pooler's pool is filled to its two connections before `connect` looks; it must still
/// see the pooler in transaction mode.
#[tokio::test(flavor = "multi_thread")]
async fn connect_sees_a_transaction_pooler_lending_two_connections_in_turn() {
    let db = TestDb::new(Kind::Pg, "pool2").await;
    let pooler = Pooler::start_sized("transaction", &[], 2);
    let url = pooler.url(&db.name);
    // An idle client (psql, its input held open) makes the pool, and while a client is there
    // PgBouncer opens both connections (at most 10 s).
    let mut client = Command::new("psql")
        .args(["-X", "-q", "-h", "127.0.0.1", "-p", &pooler.port.to_string(), "-U", "postgres", "-d", &db.name])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("psql");
    {
        use std::io::Write;
        writeln!(client.stdin.as_mut().unwrap(), "SELECT 1;").unwrap();
    }
    let backends = format!("SELECT count(*)::text FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()", db.name);
    let started = Instant::now();
    while db.texts(&backends).await[0].as_deref() != Some("2") && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(db.texts(&backends).await[0].as_deref(), Some("2"), "two server connections behind the pooler");
    for _ in 0..3 {
        let r = ferry(&["connect", "--to", &url]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("pooler in transaction mode"), "connect says: {}", r.stdout);
    }
    let _ = client.kill();
    let _ = client.wait();
    drop(pooler);
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
    // `connect` says the role is no superuser, that the migration needs none, and what would.
    let r = ferry(&["connect", "--to", &url, "--schema", "shop"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let said = format!("{} is no superuser, and every migration step works without one; these would need more: ", role.0);
    assert!(r.stdout.contains(&said), "connect says: {}", r.stdout);
    for what in ["Monitor's slowest queries", "--roles (CREATEROLE)", "(BYPASSRLS)"] {
        assert!(r.stdout.contains(what), "connect names {what}: {}", r.stdout);
    }
    // The database's owner may create pg_trgm (a trusted extension): not among them.
    assert!(!r.stdout.contains("pg_trgm"), "{}", r.stdout);
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
