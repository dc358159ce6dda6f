//! Citus: a coordinator and two workers of the team's test cluster (`shared/citus/cluster.sh`,
//! found beside the repository or through `FERRY_CITUS_SH`). Each test makes a database of its
//! own on every node with `createdb` and drops it at the end. Without the script the tests say
//! why and pass: the cluster is a test dependency the machine may lack.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `shared/citus/cluster.sh` in the nearest folder above the crate that has it, or
/// `FERRY_CITUS_SH`.
fn cluster_script() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FERRY_CITUS_SH") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().map(|d| d.join("shared/citus/cluster.sh")).find(|p| p.is_file())
}

/// The script, the cluster started (a no-op when it runs already); None, said on stderr, when
/// there is no script.
fn cluster() -> Option<PathBuf> {
    static STARTED: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    STARTED
        .get_or_init(|| {
            let Some(sh) = cluster_script() else {
                eprintln!("skipped: no shared/citus/cluster.sh above {} and FERRY_CITUS_SH unset", env!("CARGO_MANIFEST_DIR"));
                return None;
            };
            let out = Command::new(&sh).arg("start").output().expect("cluster.sh runs");
            assert!(out.status.success(), "cluster.sh start: {}", String::from_utf8_lossy(&out.stderr));
            Some(sh)
        })
        .clone()
}

/// A database on every node of the cluster, Citus in each and the workers registered; dropped
/// at the end of the test.
pub struct CitusDb {
    sh: PathBuf,
    pub name: String,
    pub url: String,
}

impl CitusDb {
    fn new(sh: &Path, prefix: &str) -> CitusDb {
        let name = unique_name(prefix);
        let out = Command::new(sh).args(["createdb", &name]).output().expect("cluster.sh runs");
        assert!(out.status.success(), "cluster.sh createdb {name}: {}", String::from_utf8_lossy(&out.stderr));
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        CitusDb { sh: sh.to_path_buf(), name, url }
    }

    async fn conn(&self) -> sqlx::PgConnection {
        use sqlx::Connection;
        sqlx::PgConnection::connect(&self.url).await.expect("the coordinator")
    }

    /// The first column of each row, as text.
    pub async fn texts(&self, sql: &str) -> Vec<Option<String>> {
        use sqlx::Row;
        let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(&mut self.conn().await).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.iter().map(|r| r.try_get::<Option<String>, _>(0).unwrap()).collect()
    }

    pub async fn text(&self, sql: &str) -> String {
        self.texts(sql).await.into_iter().next().flatten().unwrap_or_default()
    }
}

impl Drop for CitusDb {
    fn drop(&mut self) {
        let _ = Command::new(&self.sh).args(["dropdb", &self.name]).output();
    }
}

fn connect(url: &str) -> (Run, Value) {
    let run = ferry(&["connect", "--to", url, "--json"]);
    let info = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run, info)
}

/// The plain URL, `prefer` and `require` all connect to a node whose certificate is
/// self-signed X.509 version 1 (as libpq does), and `ferry connect` says it is Citus, with
/// how many workers; plain PostgreSQL is not.
#[tokio::test]
async fn connects_with_the_plain_url_and_names_the_cluster() {
    let Some(sh) = cluster() else { return };
    let db = CitusDb::new(&sh, "ccon");
    let version = db.text("SELECT split_part(extversion, '-', 1) FROM pg_extension WHERE extname = 'citus'").await;
    assert!(!version.is_empty(), "citus is in the database");
    // The node's certificate is the kind this test is about: self-signed, X.509 version 1.
    let cert = db.text("SELECT current_setting('data_directory') || '/' || current_setting('ssl_cert_file')").await;
    if let Ok(out) = Command::new("openssl").args(["x509", "-noout", "-text", "-in", &cert]).output() {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Version: 1 (0x0)"), "{cert}: {text}");
    }
    let want = format!("Citus {version}: coordinator and 2 workers");
    for q in ["", "?sslmode=prefer", "?sslmode=require"] {
        let url = format!("{}{q}", db.url);
        let (run, info) = connect(&url);
        assert_eq!(run.code, 0, "{url}: {}{}", run.stdout, run.stderr);
        assert_eq!(info["tls"], true, "{url}: {info}");
        assert_eq!(info["citus"], want.as_str(), "{url}: {info}");
        let text = ferry(&["connect", "--to", &url]);
        assert_eq!(text.code, 0, "{}", text.stderr);
        assert!(text.stdout.lines().any(|l| l == want), "{url}: {}", text.stdout);
    }
    // Plain PostgreSQL is no cluster.
    let pg = TestDb::new(Kind::Pg, "ccon").await;
    let (run, info) = connect(&pg.url);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(info["citus"], Value::Null, "{info}");
}
