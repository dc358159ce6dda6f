//! `ferry connect` (the app's "Test connection"): what it finds on each server, and what it
//! says when it cannot get in.

use crate::common::*;
use rusqlite::Connection;
use serde_json::Value;
use sqlx::Connection as _;

fn connect(url: &str, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["connect", "--to", url, "--json"];
    args.extend_from_slice(extra);
    let run = ferry(&args);
    let info = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run, info)
}

#[tokio::test]
async fn says_what_it_found_on_both_servers() {
    let dir = Scratch::new();
    let src = dir.path("one.sqlite");
    Connection::open(&src).unwrap().execute_batch("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO things VALUES (1, 'a');").unwrap();
    for kind in Kind::all() {
        let db = TestDb::new(kind, "connect").await;
        let (run, info) = connect(&db.url, &[]);
        assert_eq!(run.code, 0, "{kind:?}: {}", run.stderr);
        let (server, dialect) = if kind == Kind::Pg { ("PostgreSQL 15", "postgres") } else { ("MariaDB 10", "mariadb") };
        assert!(info["server"].as_str().unwrap().starts_with(server), "{kind:?}: {info}");
        assert_eq!(info["dialect"], dialect);
        assert_eq!(info["database"], db.name.as_str());
        assert_eq!(info["objects"], serde_json::json!([]));
        assert_eq!(info["may_create"], true, "{kind:?}: the test user is an administrator");
        assert_eq!(info["schema"], if kind == Kind::Pg { Value::from("public") } else { Value::Null });

        if kind == Kind::Pg {
            // An extension's own views (pg_stat_statements puts two in public) are not the user's.
            db.exec("CREATE EXTENSION pg_stat_statements").await.unwrap();
            let (_, info) = connect(&db.url, &[]);
            assert_eq!(info["objects"], serde_json::json!([]), "extension objects do not count: {info}");
        }
        let (run, _) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let (_, info) = connect(&db.url, &[]);
        assert_eq!(info["objects"], serde_json::json!(["things"]), "{kind:?}");
        let text = ferry(&["connect", "--to", &db.url]);
        assert!(text.stdout.contains("not empty: 1 table or view already there: things"), "{}", text.stdout);
    }
}

/// A PostgreSQL user without CREATE on the schema is told before the run, not during it;
/// `sslmode=require` is reported as encrypted.
#[tokio::test]
async fn postgres_privileges_and_tls() {
    let db = TestDb::new(Kind::Pg, "connect_priv").await;
    let role = unique_name("reader");
    db.exec(&format!("CREATE ROLE \"{role}\" LOGIN; REVOKE CREATE ON SCHEMA public FROM PUBLIC")).await.unwrap();
    let url = db.url.replacen("postgres@", &format!("{role}@"), 1);
    let (run, info) = connect(&url, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(info["may_create"], false, "{info}");
    assert!(ferry(&["connect", "--to", &url]).stdout.contains("may NOT create tables there"));
    // A schema that does not exist yet: creating it needs CREATE on the database.
    let (_, info) = connect(&url, &["--schema", "staging"]);
    assert_eq!((info["schema"].as_str(), info["may_create"].as_bool()), (Some("staging"), Some(false)), "{info}");
    let (_, info) = connect(&db.url, &["--schema", "staging"]);
    assert_eq!(info["may_create"], true);

    let ssl_on = db.texts("SHOW ssl").await[0].as_deref() == Some("on");
    let (run, info) = connect(&format!("{}?sslmode=require", db.url), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(info["tls"], ssl_on, "{info}");
    let (_, info) = connect(&format!("{}?sslmode=disable", db.url), &[]);
    assert_eq!(info["tls"], false);
    // Roles belong to the cluster, not the test's database: drop it here.
    let mut admin = sqlx::PgConnection::connect(&pg_base()).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP ROLE \"{role}\""))).execute(&mut admin).await.unwrap();
}

#[tokio::test]
async fn refusals_are_one_clear_line() {
    let my_bad = mysql_base().replace("root@", "root:wrong-password@") + "/mysql";
    let run = ferry(&["connect", "--to", &my_bad]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("refused the login") && !run.stderr.contains("wrong-password"), "{}", run.stderr);
    let run = ferry(&["connect", "--to", "postgres://postgres@127.0.0.1:1/x"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("cannot reach the PostgreSQL server at 127.0.0.1:1"), "{}", run.stderr);
    let run = ferry(&["connect", "--to", &format!("{}/ferry_no_such_database", mysql_base())]);
    assert!(run.stderr.contains("does not exist") && run.stderr.contains("CREATE DATABASE"), "{}", run.stderr);
}

/// `ferry … --password-stdin`: its standard input's first line.
fn with_stdin(args: &[&str], input: &str, audit: &std::path::Path) -> Run {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .env("FERRY_AUDIT_LOG", audit)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ferry runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Run { code: out.status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&out.stdout).into(), stderr: String::from_utf8_lossy(&out.stderr).into() }
}

/// A password given on standard input goes into the target URL and is written nowhere: not in
/// the output, the report or the audit log (which shows that there was one).
#[tokio::test]
async fn a_password_on_standard_input_goes_in_the_url_and_is_never_written() {
    let dir = Scratch::new();
    let src = dir.path("s.sqlite");
    Connection::open(&src).unwrap().execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);").unwrap();
    let audit = dir.path("audit.jsonl");
    let report = dir.path("report.json");
    let db = TestDb::new(Kind::Pg, "pwstdin").await;
    let secret = "s3cret-p@ss:word/x";
    let r = with_stdin(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--report", report.to_str().unwrap(), "--password-stdin"], &format!("{secret}\n"), &audit);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let logged = std::fs::read_to_string(&audit).unwrap();
    let written = std::fs::read_to_string(&report).unwrap();
    for (what, text) in [("stdout", &r.stdout), ("stderr", &r.stderr), ("audit log", &logged), ("report", &written)] {
        assert!(!text.contains("s3cret"), "{what} holds the password: {text}");
    }
    assert!(logged.contains(":***@"), "the audit log shows a password was given: {logged}");
    // Empty input (exit 1), or a command without a target (a usage error, 64): one clear line.
    for (args, needle, code) in [(vec!["connect", "--to", db.url.as_str(), "--password-stdin"], "empty", 1), (vec!["inspect", src.to_str().unwrap(), "--password-stdin"], "--to", 64)] {
        let r = with_stdin(&args, "", &audit);
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        assert!(r.stderr.trim_end().lines().count() == 1 && r.stderr.contains(needle), "{args:?}: {}", r.stderr);
    }
}
