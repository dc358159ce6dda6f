//! `ferry advise URL --pgbouncer DIR` (#20): the pgbouncer.ini it writes starts as it is —
//! Debian's PgBouncer, run as `postgres` on a spare port with the written file, serves a query
//! of the application's login user (its password checked against the server's own hash) —
//! and the auth file holds no secret. PgBouncer is stopped by the pid it wrote, also when the
//! test fails; every wait is bounded.

use crate::common::*;
use crate::pg_cluster::run;
use sqlx::{Connection, Row};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Stops the PgBouncer whose pid file this is, when dropped.
struct Stop(PathBuf);

impl Drop for Stop {
    fn drop(&mut self) {
        crate::pooler::stop_by_pid_file(&self.0);
    }
}

#[tokio::test]
async fn the_written_pgbouncer_ini_serves_the_app() {
    let dir = Scratch::new();
    let src = demo_of(&dir, 1_000);
    let db = TestDb::new(Kind::Pg, "pgb").await;
    let _roles = crate::access::Roles { kind: Kind::Pg, db: db.name.clone(), names: crate::access::role_names(&db.name) };
    let passwords = dir.path("passwords");
    let (run_, rep) = migrate(&src, &db, &["--roles", "--roles-login", "--roles-passwords", passwords.to_str().unwrap()]);
    assert!(rep["completed"] == true, "{}{}", run_.stdout, run_.stderr);
    let (user, secret) = crate::access::passwords(&passwords).remove(&format!("{}_app", db.name)).expect("the app's login");

    let conf = dir.path("pgbouncer");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let r = ferry(&["advise", &db.url, "--pgbouncer", conf.to_str().unwrap(), "--pgbouncer-port", &port.to_string()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("pgbouncer.ini"), "{}", r.stderr);
    let ini = std::fs::read_to_string(conf.join("pgbouncer.ini")).unwrap();
    assert!(ini.contains("pool_mode = transaction") && ini.contains(&format!("{} = host=", db.name)), "{ini}");
    let max: u64 = db.texts("SELECT current_setting('max_connections')").await[0].as_ref().unwrap().parse().unwrap();
    let pool: u64 = ini.lines().find_map(|l| l.strip_prefix("max_db_connections = ")).unwrap().parse().unwrap();
    assert!(pool < max, "the pool ({pool}) fits under max_connections ({max})");
    assert_eq!(mode(&conf.join("userlist.txt")), 0o600);
    assert!(!std::fs::read_to_string(conf.join("userlist.txt")).unwrap().contains(&secret));

    // PgBouncer refuses to run as root: the folder becomes postgres's, and it runs as postgres.
    run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&conf), 30);
    let _stop = Stop(conf.join("pgbouncer.pid"));
    let started = Command::new("runuser").args(["-u", "postgres", "--", "/usr/sbin/pgbouncer", "-d"]).arg(conf.join("pgbouncer.ini")).stdin(Stdio::null()).status().expect("pgbouncer (scripts/setup.sh installs it)");
    let log = || std::fs::read_to_string(conf.join("pgbouncer.log")).unwrap_or_default();
    assert!(started.success(), "pgbouncer did not start: {}", log());
    let t0 = Instant::now();
    while std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(500)).is_err() {
        assert!(t0.elapsed() < Duration::from_secs(10), "pgbouncer is not listening on {port}: {}", log());
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = format!("postgres://{user}:{secret}@127.0.0.1:{port}/{}", db.name);
    let mut c = tokio::time::timeout(Duration::from_secs(20), sqlx::PgConnection::connect(&url)).await.expect("an answer within 20 s").unwrap_or_else(|e| panic!("through pgbouncer: {e}\n{}", log()));
    let n: i64 = sqlx::query("SELECT count(*) FROM orders").persistent(false).fetch_one(&mut c).await.unwrap().get(0);
    let want = source_counts(&src).into_iter().find(|(t, _)| t == "orders").unwrap().1;
    assert_eq!(n, want, "the app reads through the pool");
    let wrong = format!("postgres://{user}:not-{secret}@127.0.0.1:{port}/{}", db.name);
    assert!(sqlx::PgConnection::connect(&wrong).await.is_err(), "a wrong password is refused by the pooler");
}

#[tokio::test]
async fn mysql_is_told_pgbouncer_is_postgresql_s() {
    let dir = Scratch::new();
    let db = TestDb::new(Kind::My, "pgbmy").await;
    let conf = dir.path("pgbouncer");
    let r = ferry(&["advise", &db.url, "--pgbouncer", conf.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("PostgreSQL connections only") && r.stderr.contains("ProxySQL"), "{}", r.stderr);
    assert!(!conf.join("pgbouncer.ini").exists(), "nothing written");
}
