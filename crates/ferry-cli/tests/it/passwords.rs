//! Passwords off the command line: `PGPASSWORD`, a pgpass file (`PGPASSFILE`), `MYSQL_PWD`,
//! and the prompt on a terminal, against servers that check passwords (a scram-sha-256
//! cluster of the test's own; a MariaDB user the test makes).

use crate::common::*;
use crate::pg_cluster::{PgCluster, Setup, PASSWORD};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `ferry` with `env` set and every password variable of the machine's own removed.
fn ferry_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferry"));
    cmd.args(args).env("FERRY_AUDIT_LOG", std::env::temp_dir().join(format!("ferry-test-audit-{}.jsonl", std::process::id())));
    for k in ["PGPASSWORD", "PGPASSFILE", "MYSQL_PWD"] {
        cmd.env_remove(k);
    }
    // No ~/.pgpass of the machine's: a file that is not there.
    cmd.env("PGPASSFILE", "/nonexistent/ferry-test-pgpass");
    cmd.envs(env.iter().copied());
    let out = cmd.stdin(Stdio::null()).output().expect("ferry runs");
    Run { code: out.status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&out.stdout).into(), stderr: String::from_utf8_lossy(&out.stderr).into() }
}

fn refused_login(run: &Run) {
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("refused the login for user") && run.stderr.trim_end().lines().count() == 1, "{}", run.stderr);
}

#[test]
fn postgres_takes_pgpassword_and_a_pgpass_file() {
    let pg = PgCluster::start(Setup::default());
    let url = pg.url("postgres", "127.0.0.1", "");
    let connect = ["connect", "--to", &url, "--json"];
    refused_login(&ferry_env(&connect, &[]));
    refused_login(&ferry_env(&connect, &[("PGPASSWORD", "wrong")]));
    let r = ferry_env(&connect, &[("PGPASSWORD", PASSWORD)]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let dir = Scratch::new();
    let pgpass = dir.path("pgpass");
    let write = |password: &str| {
        std::fs::write(&pgpass, format!("# host:port:database:user:password\n127.0.0.1:{}:*:postgres:{password}\n", pg.port)).unwrap();
        std::fs::set_permissions(&pgpass, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    };
    write("wrong");
    refused_login(&ferry_env(&connect, &[("PGPASSFILE", pgpass.to_str().unwrap())]));
    write(PASSWORD);
    let r = ferry_env(&connect, &[("PGPASSFILE", pgpass.to_str().unwrap())]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The server's own tools read the same file: a native backup gets in too.
    pg.psql("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)");
    let out = dir.path("backups");
    let r = ferry_env(&["backup", "--to", &url, "--out", out.to_str().unwrap(), "--engine", "native"], &[("PGPASSFILE", pgpass.to_str().unwrap())]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// A MariaDB user with a password, dropped at the end (also when the test fails).
struct MyUser(String);

impl Drop for MyUser {
    fn drop(&mut self) {
        let name = &self.0;
        cleanup(Kind::My, format!("DROP USER IF EXISTS '{name}'@'%', '{name}'@'localhost'"), 30);
    }
}

#[tokio::test]
async fn mysql_takes_mysql_pwd() {
    let db = TestDb::new(Kind::My, "mysql_pwd").await;
    let user = MyUser(unique_name("u").chars().take(32).collect());
    let secret = "my-s3cret";
    // Both hosts: MariaDB matches an anonymous ''@'localhost' before 'u'@'%' for local logins.
    for host in ["%", "localhost"] {
        db.exec(&format!("CREATE USER '{}'@'{host}' IDENTIFIED BY '{secret}'; GRANT ALL ON `{}`.* TO '{}'@'{host}'", user.0, db.name, user.0)).await.unwrap();
    }
    let mut u = url::Url::parse(&db.url).unwrap();
    u.set_username(&user.0).unwrap();
    u.set_password(None).unwrap();
    let url = u.to_string();
    let connect = ["connect", "--to", &url, "--json"];
    refused_login(&ferry_env(&connect, &[]));
    refused_login(&ferry_env(&connect, &[("MYSQL_PWD", "wrong")]));
    let r = ferry_env(&connect, &[("MYSQL_PWD", secret)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The client tools take MYSQL_PWD themselves: a native backup gets in too.
    db.exec("CREATE TABLE t (id INT PRIMARY KEY)").await.unwrap();
    let dir = Scratch::new();
    let r = ferry_env(&["backup", "--to", &url, "--out", dir.path("b").to_str().unwrap(), "--engine", "native"], &[("MYSQL_PWD", secret)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// Runs `ferry args` on a terminal of its own (`script`), types `typed` once the prompt shows,
/// and returns the exit code and everything the terminal showed. Bounded: 30 s in all.
fn on_a_terminal(args: &[&str], typed: &str) -> (i32, String) {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_ferry")).chain(args.iter().copied()).map(|a| format!("'{}'", a.replace('\'', "'\\''"))).collect();
    let mut child = Command::new("script")
        .args(["-qec", &quoted.join(" "), "/dev/null"])
        .env("FERRY_AUDIT_LOG", std::env::temp_dir().join(format!("ferry-test-audit-{}.jsonl", std::process::id())))
        .env_remove("PGPASSWORD")
        .env_remove("MYSQL_PWD")
        .env("PGPASSFILE", "/nonexistent/ferry-test-pgpass")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (bsdutils) runs");
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut stdin = child.stdin.take();
    let code = loop {
        while let Ok(chunk) = rx.try_recv() {
            seen.extend(chunk);
        }
        if stdin.is_some() && String::from_utf8_lossy(&seen).contains("Password for ") {
            let mut s = stdin.take().unwrap();
            s.write_all(format!("{typed}\r").as_bytes()).unwrap();
            s.flush().unwrap();
            // Kept open until ferry ends: script ends the session when its input does.
            stdin = None;
            std::mem::forget(s);
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st.code().unwrap_or(-1);
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("ferry on a terminal did not end within 30 s: {}", String::from_utf8_lossy(&seen));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    std::thread::sleep(Duration::from_millis(200));
    while let Ok(chunk) = rx.try_recv() {
        seen.extend(chunk);
    }
    (code, String::from_utf8_lossy(&seen).into_owned())
}

#[test]
fn a_terminal_is_asked_for_the_password_once() {
    let pg = PgCluster::start(Setup::default());
    let url = pg.url("postgres", "127.0.0.1", "");
    let prompt = format!("Password for postgres@127.0.0.1:{}:", pg.port);

    let (code, shown) = on_a_terminal(&["connect", "--to", &url], PASSWORD);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains(&prompt) && shown.contains("PostgreSQL 15"), "{shown}");
    assert!(!shown.contains(PASSWORD), "the typed password was echoed: {shown}");

    // A wrong answer: asked once, then the server's refusal.
    let (code, shown) = on_a_terminal(&["connect", "--to", &url], "wrong");
    assert_eq!(code, 1, "{shown}");
    assert_eq!(shown.matches("Password for ").count(), 1, "{shown}");
    assert!(shown.contains("refused the login for user \"postgres\""), "{shown}");

    // A server that does not answer: said once, no prompt.
    let (code, shown) = on_a_terminal(&["connect", "--to", "postgres://postgres@127.0.0.1:1/postgres"], "unused");
    assert_eq!(code, 1, "{shown}");
    assert!(shown.matches("cannot reach the PostgreSQL server").count() == 1 && !shown.contains("Password for "), "{shown}");

    // With the password in the URL, no prompt.
    let (code, shown) = on_a_terminal(&["connect", "--to", &pg.url(&format!("postgres:{PASSWORD}"), "127.0.0.1", "")], "unused");
    assert_eq!(code, 0, "{shown}");
    assert!(!shown.contains("Password for "), "{shown}");
}
