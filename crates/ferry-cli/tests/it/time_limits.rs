//! A host's time limits, met with a line that says which limit stopped what and what to do.
//! (Ferry lifting PostgreSQL's limits for its own transactions is tested through PgBouncer
//! with a role's 250 ms `statement_timeout`, in `pooler.rs`.)

use crate::common::{cleanup, ferry, ferry_within, mysql_base, pg_base, unique_name, Kind, Scratch, TestDb};
use ferry_core::dialect::errors::Limit;
use ferry_core::dialect::session::db_message;
use std::time::Duration;

/// The server's own errors for each limit, provoked for real, read as that limit, and said
/// with the advice beside the server's words.
#[tokio::test(flavor = "multi_thread")]
async fn each_limit_the_server_gives_is_read_and_said() {
    use sqlx::Connection;
    let mut pg = sqlx::PgConnection::connect(&pg_base()).await.unwrap();
    let mut my = sqlx::MySqlConnection::connect(&mysql_base()).await.unwrap();
    let pg_cases: [(&str, Option<Limit>); 2] = [
        ("SET LOCAL statement_timeout = 20; SELECT pg_sleep(2)", Some(Limit::Statement)),
        ("SELECT 1/0", None),
    ];
    for (sql, want) in pg_cases {
        let e = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut pg).await.expect_err(sql);
        assert_eq!(Limit::of(&e), want, "{sql}: {e}");
        let said = db_message(&e);
        match want {
            Some(l) => assert!(said.ends_with(l.advice()) && said.len() > l.advice().len() + 3, "{sql}: {said}"),
            None => assert!(!said.contains("limit"), "{sql}: {said}"),
        }
    }
    let my_cases: [(&str, Option<Limit>); 2] = [
        ("SET STATEMENT max_statement_time = 0.02 FOR SELECT sleep(2)", Some(Limit::Statement)),
        ("SELECT * FROM no_such_table_here", None),
    ];
    for (sql, want) in my_cases {
        let r = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).fetch_all(&mut my).await;
        let e = r.expect_err(sql);
        assert_eq!(Limit::of(&e), want, "{sql}: {e}");
        let said = db_message(&e);
        assert_eq!(said.contains("time limit for one statement"), want.is_some(), "{sql}: {said}");
    }
}

/// A MariaDB user whose statements may take 10 ms at most (`MAX_STATEMENT_TIME`, a host's
/// kind of limit): the run stops with one line that names the limit and what to do, never a
/// list of "refused" rows; the process exits 1, it does not crash.
#[tokio::test(flavor = "multi_thread")]
async fn a_mariadb_user_time_limit_stops_the_run_with_a_line_that_says_so() {
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    let r = ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "100000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = TestDb::new(Kind::My, "limited").await;
    let user = unique_name("limited");
    {
        use sqlx::Connection;
        let mut admin = sqlx::MySqlConnection::connect(&mysql_base()).await.unwrap();
        for sql in [
            format!("CREATE USER '{user}'@'%' IDENTIFIED BY 'pw-{user}' WITH MAX_STATEMENT_TIME 0.01"),
            format!("GRANT ALL ON `{}`.* TO '{user}'@'%'", db.name),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await.unwrap();
        }
    }
    let _user = User(user.clone());
    let mut url = url::Url::parse(&mysql_base()).unwrap();
    url.set_username(&user).unwrap();
    url.set_password(Some(&format!("pw-{user}"))).unwrap();
    url.set_path(&db.name);
    let url = url.to_string();
    let (r, took) = ferry_within(&["migrate", src.to_str().unwrap(), "--to", &url, "--report", dir.path("run.json").to_str().unwrap()], &[], Duration::from_secs(300));
    assert_eq!(r.code, 1, "the run stops (exit {}) after {took:?}:\n{}\n{}", r.code, r.stdout, r.stderr);
    assert!(r.stderr.contains(Limit::Statement.advice()), "says which limit and what to do:\n{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(!r.stdout.contains("refused by the target"), "a time limit is not a refused row:\n{}", r.stdout);
}

struct User(String);

impl Drop for User {
    fn drop(&mut self) {
        cleanup(Kind::My, format!("DROP USER IF EXISTS '{}'@'%'", self.0), 30);
    }
}
