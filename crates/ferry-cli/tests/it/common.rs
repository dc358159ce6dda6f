//! Shared test plumbing: a uniquely named database per test on the real servers, SQLite
//! files built by test code, and the `ferry` binary run as a user runs it.

use sqlx::{Connection, Row};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

pub fn pg_base() -> String {
    std::env::var("FERRY_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}
pub fn mysql_base() -> String {
    std::env::var("FERRY_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("ferry_{prefix}_{}_{n}_{nanos}", std::process::id())
}

/// URL with the path (database) replaced.
fn with_db(base: &str, db: &str) -> String {
    let mut u = url::Url::parse(base).expect("test URL");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Pg,
    My,
}

impl Kind {
    pub fn all() -> [Kind; 2] {
        [Kind::Pg, Kind::My]
    }
}

/// A database created for one test and dropped at its end (also when it fails).
pub struct TestDb {
    pub kind: Kind,
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub async fn new(kind: Kind, prefix: &str) -> TestDb {
        let name = unique_name(prefix);
        match kind {
            Kind::Pg => {
                let mut c = sqlx::PgConnection::connect(&pg_base()).await.expect("PostgreSQL is running (see README)");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))).execute(&mut c).await.unwrap();
                TestDb { kind, url: with_db(&pg_base(), &name), name }
            }
            Kind::My => {
                let mut c = sqlx::MySqlConnection::connect(&mysql_base()).await.expect("MariaDB is running (see README)");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))).execute(&mut c).await.unwrap();
                TestDb { kind, url: with_db(&mysql_base(), &name), name }
            }
        }
    }

    pub async fn pg(&self) -> sqlx::PgConnection {
        let mut c = sqlx::PgConnection::connect(&self.url).await.unwrap();
        sqlx::raw_sql("SET TIME ZONE 'UTC'").execute(&mut c).await.unwrap();
        c
    }

    pub async fn my(&self) -> sqlx::MySqlConnection {
        let mut c = sqlx::MySqlConnection::connect(&self.url).await.unwrap();
        sqlx::raw_sql("SET time_zone = '+00:00'").execute(&mut c).await.unwrap();
        c
    }

    /// Runs SQL and returns the first column of each row as text (NULL as None).
    pub async fn texts(&self, sql: &str) -> Vec<Option<String>> {
        match self.kind {
            Kind::Pg => {
                let mut c = self.pg().await;
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(&mut c).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.iter().map(|r| r.try_get::<Option<String>, _>(0).unwrap()).collect()
            }
            Kind::My => {
                let mut c = self.my().await;
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(&mut c).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.iter()
                    .map(|r| {
                        r.try_get::<Option<String>, _>(0)
                            .or_else(|_| r.try_get::<Option<Vec<u8>>, _>(0).map(|o| o.map(|b| String::from_utf8(b).unwrap())))
                            .unwrap()
                    })
                    .collect()
            }
        }
    }

    pub async fn exec(&self, sql: &str) -> Result<(), String> {
        match self.kind {
            Kind::Pg => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut self.pg().await).await.map(|_| ()).map_err(|e| e.to_string()),
            Kind::My => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut self.my().await).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }

    /// An identifier quoted for this target.
    pub fn q(&self, s: &str) -> String {
        match self.kind {
            Kind::Pg => format!("\"{}\"", s.replace('"', "\"\"")),
            Kind::My => format!("`{}`", s.replace('`', "``")),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = &self.name;
        let sql = match self.kind {
            Kind::Pg => format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            Kind::My => format!("SET SESSION lock_wait_timeout = 30; DROP DATABASE IF EXISTS `{name}`"),
        };
        cleanup(self.kind, sql, 40);
    }
}

/// Runs `sql` on the server of `kind` as its administrator, from a `Drop` (on a thread of its
/// own, whatever runtime the test is in), giving up after `secs`: a server wedged by the
/// test's own failure leaves the object behind (named ferry_*) instead of hanging the suite.
pub fn cleanup(kind: Kind, sql: String, secs: u64) {
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let run = async move {
            match kind {
                Kind::Pg => {
                    if let Ok(mut c) = sqlx::PgConnection::connect(&pg_base()).await {
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut c).await;
                    }
                }
                Kind::My => {
                    if let Ok(mut c) = sqlx::MySqlConnection::connect(&mysql_base()).await {
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut c).await;
                    }
                }
            }
        };
        rt.block_on(async move { tokio::time::timeout(std::time::Duration::from_secs(secs), run).await })
    })
    .join();
}

/// A scratch folder removed at the end of the test.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> Scratch {
        let p = std::env::temp_dir().join(unique_name("scratch"));
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn ferry(args: &[&str]) -> Run {
    // Tests keep their audit entries to themselves, not in the user's data folder.
    let audit = std::env::temp_dir().join(format!("ferry-test-audit-{}.jsonl", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_ferry")).args(args).env_remove("FERRY_AUDIT_LOG").env("FERRY_AUDIT_LOG", audit).output().expect("ferry runs");
    Run { code: out.status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&out.stdout).into(), stderr: String::from_utf8_lossy(&out.stderr).into() }
}

/// `ferry` with `env` added, killed when it runs past `limit` (a hang fails the test rather
/// than stalling it: code -1, "killed after …" on stderr). Also returns how long it ran.
pub fn ferry_within(args: &[&str], env: &[(&str, &str)], limit: std::time::Duration) -> (Run, std::time::Duration) {
    use std::io::Read;
    let audit = std::env::temp_dir().join(format!("ferry-test-audit-{}.jsonl", std::process::id()));
    let started = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .env("FERRY_AUDIT_LOG", audit)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ferry runs");
    let read = |mut r: Box<dyn Read + Send>| std::thread::spawn(move || {
        let mut s = String::new();
        let _ = r.read_to_string(&mut s);
        s
    });
    let (out, err) = (read(Box::new(child.stdout.take().unwrap())), read(Box::new(child.stderr.take().unwrap())));
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Some(st);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let took = started.elapsed();
    let (stdout, mut stderr) = (out.join().unwrap(), err.join().unwrap());
    let code = match status {
        Some(st) => st.code().unwrap_or(-1),
        None => {
            stderr = format!("killed after {limit:?}: {stderr}");
            -1
        }
    };
    (Run { code, stdout, stderr }, took)
}

/// `ferry migrate` with a report; returns the run and the parsed report.
pub fn migrate(src: &Path, db: &TestDb, extra: &[&str]) -> (Run, serde_json::Value) {
    let report = src.with_extension(format!("{}.report.json", db.name));
    let mut args = vec!["migrate", src.to_str().unwrap(), "--to", &db.url, "--report", report.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = ferry(&args);
    let rep = std::fs::read_to_string(&report).map(|s| serde_json::from_str(&s).expect("report is JSON")).unwrap_or(serde_json::Value::Null);
    (run, rep)
}

pub fn sha256(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).unwrap();
    format!("{:x}", sha2::Sha256::digest(&bytes))
}

/// The shared corpus, when this checkout sits beside it.
pub fn corpus_dir() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    p.is_dir().then_some(p)
}

/// A file's permission bits (`0o600`: its owner's alone).
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

/// `ferry plan --narrow` written to `out`: each column in its narrowest type even where some
/// values do not fit (they are rejected), for tests of what happens to refused values.
pub fn narrow_plan(src: &Path, url: &str, out: &Path) -> PathBuf {
    let run = ferry(&["plan", src.to_str().unwrap(), "--to", url, "--narrow", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "ferry plan --narrow: {}{}", run.stdout, run.stderr);
    out.to_path_buf()
}

/// `ferry plan` written to `out`, with the `type` of the column named `column` (the first
/// one of that source name) set to `ty`, as a user edits the file.
pub fn plan_with_type(src: &Path, url: &str, column: &str, ty: &str, out: &Path) -> PathBuf {
    let made = ferry(&["plan", src.to_str().unwrap(), "--to", url, "--out", out.to_str().unwrap()]);
    assert_eq!(made.code, 0, "ferry plan: {}{}", made.stdout, made.stderr);
    let text = std::fs::read_to_string(out).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let at = lines.iter().position(|l| l.trim() == format!("source = \"{column}\"")).expect("the column is planned");
    let line = (at..lines.len()).find(|&i| lines[i].trim_start().starts_with("type = ")).unwrap();
    lines[line] = format!("type = \"{ty}\"");
    std::fs::write(out, lines.join("\n")).unwrap();
    out.to_path_buf()
}

/// `ferry demo` of `rows` rows in the scratch folder, as `demo.sqlite`.
pub fn demo_of(dir: &Scratch, rows: u64) -> PathBuf {
    let src = dir.path("demo.sqlite");
    let built = ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", &rows.to_string()]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    src
}

/// Each table's row count in a SQLite file, by name (virtual tables aside).
pub fn source_counts(src: &Path) -> Vec<(String, i64)> {
    let c = rusqlite::Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let names: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    names.into_iter().map(|n| {
        let k: i64 = c.query_row(&format!("SELECT count(*) FROM \"{n}\""), [], |r| r.get(0)).unwrap();
        (n, k)
    }).collect()
}

/// A login made for one test, dropped at its end (also when it fails).
pub struct Login {
    kind: Kind,
    name: String,
}

impl Login {
    /// A user who may work in `db` but make nothing beside it (no CREATE SCHEMA on
    /// PostgreSQL, no CREATE DATABASE on MariaDB), and the URL that logs in as it.
    pub async fn confined_to(db: &TestDb) -> (Login, String) {
        let grants = match db.kind {
            Kind::Pg => String::new(),
            Kind::My => format!("GRANT ALL ON `{}`.* TO '{{name}}'@'%'", db.name),
        };
        Login::granted(db, &grants).await
    }

    /// A user made with `grants` (statements after CREATE, `{name}` standing for the user's
    /// name), and the URL that logs in as it.
    pub async fn granted(db: &TestDb, grants: &str) -> (Login, String) {
        let name = unique_name("rh_user").chars().take(60).collect::<String>();
        let create = match db.kind {
            Kind::Pg => format!("CREATE ROLE \"{name}\" LOGIN"),
            Kind::My => format!("CREATE USER '{name}'@'%'"),
        };
        let grants = grants.replace("{name}", &name);
        db.exec(&if grants.is_empty() { create } else { format!("{create}; {grants}") }).await.unwrap();
        let mut u = url::Url::parse(&db.url).unwrap();
        u.set_username(&name).unwrap();
        u.set_password(None).unwrap();
        (Login { kind: db.kind, name }, u.to_string())
    }
}

impl Drop for Login {
    fn drop(&mut self) {
        let name = &self.name;
        let sql = match self.kind {
            Kind::Pg => format!("DROP ROLE IF EXISTS \"{name}\""),
            Kind::My => format!("DROP USER IF EXISTS '{name}'@'%'"),
        };
        cleanup(self.kind, sql, 30);
    }
}
