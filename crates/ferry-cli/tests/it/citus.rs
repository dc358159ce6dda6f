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
        // One at a time: Citus refuses two CREATE EXTENSION citus at once on a node ("tuple
        // concurrently updated").
        static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one = CREATING.lock().unwrap_or_else(|e| e.into_inner());
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

/// Foreign keys per table of a SQLite file, as the source declares them.
fn source_foreign_keys(src: &Path) -> u64 {
    let c = rusqlite::Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row("SELECT count(*) FROM (SELECT DISTINCT m.name, f.id FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table')", [], |r| r.get::<_, i64>(0)).unwrap() as u64
}

fn source_count(src: &Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The demo through the plain URL with `--distribute tenant_id`: every table that has
/// tenant_id or reaches it by foreign key is distributed by it and co-located, tenants is a
/// reference table, shards sit on both workers, every foreign key is there and valid,
/// validate finds every row, and one tenant's orders joined with their items is one task.
#[tokio::test]
async fn the_demo_is_sharded_by_tenant_and_co_located() {
    let Some(sh) = cluster() else { return };
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    let s = src.to_str().unwrap();
    let built = ferry(&["demo", "--out", s, "--scale", "3000"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let db = CitusDb::new(&sh, "cdemo");

    // The plan says each table's role, with its evidence, and the cluster.
    let plan = dir.path("plan.toml");
    let planned = ferry(&["plan", s, "--to", &db.url, "--distribute", "tenant_id", "--out", plan.to_str().unwrap()]);
    assert_eq!(planned.code, 0, "{}{}", planned.stdout, planned.stderr);
    let out = &planned.stdout;
    for want in ["target: Citus ", ": coordinator and 2 workers", "distribution by tenant_id (15 distributed, 1 reference, 0 local)", "distinct values of tenant_id", "shards per distributed table"] {
        assert!(out.contains(want), "{want:?} not in\n{out}");
    }
    let line = |table: &str| out.lines().find(|l| l.trim_start().starts_with(&format!("{table} "))).unwrap_or_else(|| panic!("{table} in\n{out}")).to_string();
    assert!(line("tenants").contains("reference") && line("tenants").contains("UNIQUE (slug)"), "{}", line("tenants"));
    assert!(line("order_items").contains("distributed") && line("order_items").contains("filled from orders"), "{}", line("order_items"));
    assert!(line("export_chunks").contains("filled from export_jobs"), "{}", line("export_chunks"));
    let toml = std::fs::read_to_string(&plan).unwrap();
    assert!(toml.contains("[distribution]") && toml.contains("role = \"reference\""), "{toml}");

    let report = dir.path("run.json");
    let run = ferry(&["migrate", s, "--to", &db.url, "--distribute", "tenant_id", "--report", report.to_str().unwrap()]);
    let rep: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap_or_default()).unwrap_or(Value::Null);
    assert!(run.code == 0 || run.code == 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(rep["completed"], true, "{}", rep["error"]);
    // What the rewrite changed is said: the column added to order_items, the SET NULL left off.
    let said = |key: &str, words: &[&str]| rep[key].as_array().unwrap().iter().any(|w| words.iter().all(|x| w.to_string().contains(x)));
    assert!(said("notes", &["order_items", "added for Citus", "orders.tenant_id"]), "{}", rep["notes"]);
    assert!(said("warnings", &["order_ingest_chunks", "ON DELETE SET NULL"]), "{}", rep["warnings"]);

    // Roles as Citus has them.
    let tables = db.texts("SELECT table_name::text || ' ' || citus_table_type || ' ' || distribution_column || ' ' || colocation_id FROM citus_tables ORDER BY 1").await;
    let tables: Vec<Vec<String>> = tables.into_iter().map(|r| r.unwrap().split(' ').map(String::from).collect()).collect();
    assert_eq!(tables.len(), 16, "{tables:?}");
    let colocation: std::collections::BTreeSet<&str> = tables.iter().filter(|t| t[1] == "distributed").map(|t| t[3].as_str()).collect();
    for t in &tables {
        if t[0] == "tenants" {
            assert_eq!(t[1], "reference", "{t:?}");
        } else {
            assert_eq!((t[1].as_str(), t[2].as_str()), ("distributed", "tenant_id"), "{t:?}");
        }
    }
    assert_eq!(colocation.len(), 1, "co-located: {tables:?}");
    // Shards of every distributed table on both workers.
    let spread = db.texts("SELECT table_name::text FROM citus_shards WHERE citus_table_type = 'distributed' GROUP BY 1 HAVING count(DISTINCT nodeport) < 2").await;
    assert!(spread.is_empty(), "on one node only: {spread:?}");
    assert_eq!(db.text("SELECT count(DISTINCT nodeport)::text FROM citus_shards WHERE citus_table_type = 'distributed'").await, "2");
    // Every foreign key of the source, there and valid.
    // (Shards of reference tables on the coordinator carry keys of their own: the tables' only.)
    let fks = db.text("SELECT count(*)::text FROM pg_constraint WHERE contype = 'f' AND convalidated AND conrelid::regclass::text IN (SELECT table_name::text FROM citus_tables)").await;
    assert_eq!(fks, source_foreign_keys(&src).to_string());
    assert_eq!(db.text("SELECT count(*)::text FROM pg_constraint WHERE contype = 'f' AND NOT convalidated").await, "0");
    // order_items' tenant_id is its order's, on every row.
    let items = source_count(&src, "SELECT count(*) FROM order_items");
    assert_eq!(db.text("SELECT count(*)::text FROM order_items i JOIN orders o ON o.tenant_id = i.tenant_id AND o.id = i.order_id").await, items.to_string());
    assert_eq!(db.text("SELECT count(*)::text FROM order_items").await, items.to_string());

    // The demo's view over orders and their items is made and answers as SQLite's does: its
    // GROUP BY takes the widened key, its join the shard column (or Citus refuses every query).
    assert!(!rep["warnings"].to_string().contains("view order_totals"), "{}", rep["warnings"]);
    let want = source_count(&src, "SELECT count(*) FROM order_totals") + 1_000_000 * source_count(&src, "SELECT sum(item_count) FROM order_totals");
    assert_eq!(db.text("SELECT (count(*) + 1000000 * sum(item_count))::text FROM order_totals").await, want.to_string());
    let first = db.text("SELECT tenant_id::text FROM orders ORDER BY id LIMIT 1").await;
    let one = source_count(&src, &format!("SELECT count(*) FROM order_totals WHERE tenant_id = '{}'", first.replace('\'', "''")));
    assert_eq!(db.text(&format!("SELECT count(*)::text FROM order_totals WHERE tenant_id = '{}'", first.replace('\'', "''"))).await, one.to_string());

    // Validate, told the distribution as migrate was, or reading it from the run's report.
    for how in [["--distribute", "tenant_id"], ["--run-report", report.to_str().unwrap()]] {
        let valid = ferry(&["validate", s, "--to", &db.url, how[0], how[1]]);
        assert_eq!(valid.code, 0, "{how:?}: {}{}", valid.stdout, valid.stderr);
    }

    // One tenant's orders with their items: one task, on the node holding that tenant.
    let tenant = db.text("SELECT tenant_id::text FROM orders ORDER BY id LIMIT 1").await;
    let plan = db.texts(&format!("EXPLAIN SELECT o.id, i.id FROM orders o JOIN order_items i ON i.tenant_id = o.tenant_id AND i.order_id = o.id WHERE o.tenant_id = '{}'", tenant.replace('\'', "''"))).await;
    let plan: Vec<String> = plan.into_iter().flatten().collect();
    assert!(plan.iter().any(|l| l.trim() == "Task Count: 1"), "{}", plan.join("\n"));
}

/// A schema that cannot be distributed exactly as asked: a global UNIQUE (users.email), ON
/// DELETE SET NULL on keys that take the column, a table with no path to it (settings), one
/// whose key may be NULL (notes), one whose column is NULL in a row (events), a chain (pages →
/// documents); and a column no table has.
/// Each is adjusted or refused with a clear line, and every row arrives.
#[tokio::test]
async fn what_cannot_be_distributed_as_asked_is_adjusted_or_refused() {
    let Some(sh) = cluster() else { return };
    let dir = Scratch::new();
    let src = dir.path("accounts.sqlite");
    let c = rusqlite::Connection::open(&src).unwrap();
    c.execute_batch(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE users (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), email TEXT NOT NULL UNIQUE,
                             manager_id INTEGER REFERENCES users(id) ON DELETE SET NULL);
         CREATE TABLE documents (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL, title TEXT);
         CREATE TABLE pages (id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE, body TEXT);
         CREATE TABLE notes (id INTEGER PRIMARY KEY, document_id INTEGER REFERENCES documents(id), text TEXT);
         CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
         CREATE TABLE events (id INTEGER PRIMARY KEY, account_id INTEGER REFERENCES accounts(id), kind TEXT);
         INSERT INTO accounts VALUES (1, 'a'), (2, 'b'), (3, 'c');
         INSERT INTO users VALUES (1, 1, 'x@a', NULL), (2, 1, 'y@a', 1), (3, 2, 'x@b', NULL), (4, 3, 'z@c', NULL);
         INSERT INTO documents VALUES (1, 1, 1, 'one'), (2, 1, 2, 'two'), (3, 2, 3, 'three'), (4, 3, NULL, 'four');
         INSERT INTO pages VALUES (1, 1, 'p1'), (2, 1, 'p2'), (3, 3, 'p3'), (4, 4, 'p4'), (5, 2, 'p5');
         INSERT INTO notes VALUES (1, 1, 'n1'), (2, NULL, 'loose'), (3, 4, 'n3');
         INSERT INTO settings VALUES ('theme', 'dark'), ('lang', 'en');
         INSERT INTO events VALUES (1, 1, 'login'), (2, NULL, 'boot'), (3, 2, 'login');",
    )
    .unwrap();
    drop(c);
    let s = src.to_str().unwrap();
    let db = CitusDb::new(&sh, "cedge");

    // A column no table has: one line naming the column most tables share; nothing written.
    for cmd in [vec!["plan", s, "--to", &db.url, "--distribute", "tenant_id"], vec!["migrate", s, "--to", &db.url, "--distribute", "tenant_id"]] {
        let run = ferry(&cmd);
        assert_eq!(run.code, 1, "{cmd:?}: {}{}", run.stdout, run.stderr);
        assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains("no table has a column named tenant_id") && run.stderr.contains("account_id"), "{}", run.stderr);
    }
    assert_eq!(db.text("SELECT count(*)::text FROM pg_tables WHERE schemaname = 'public'").await, "0");
    // Plain PostgreSQL is refused before anything is written.
    let pg = TestDb::new(Kind::Pg, "cedge").await;
    let run = ferry(&["migrate", s, "--to", &pg.url, "--distribute", "account_id"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("is not a Citus cluster") && run.stderr.contains("CREATE EXTENSION citus"), "{}", run.stderr);
    assert_eq!(pg.texts("SELECT count(*)::text FROM pg_tables WHERE schemaname = 'public'").await, vec![Some("0".to_string())]);

    let report = dir.path("run.json");
    let run = ferry(&["migrate", s, "--to", &db.url, "--distribute", "account_id", "--report", report.to_str().unwrap()]);
    assert!(run.code == 0 || run.code == 2, "{}{}", run.stdout, run.stderr);
    let rep: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(rep["completed"], true, "{}", rep["error"]);
    let warned = |table: &str, words: &[&str]| rep["warnings"].as_array().unwrap().iter().any(|w| w["table"] == table && words.iter().all(|x| w.to_string().contains(x)));
    assert!(warned("users", &["email", "unique within each account_id only"]), "{}", rep["warnings"]);
    assert!(warned("users", &["manager_id", "without ON DELETE SET NULL"]), "{}", rep["warnings"]);
    assert!(warned("documents", &["owner_id", "without ON DELETE SET NULL"]), "{}", rep["warnings"]);
    assert!(warned("notes", &["document_id", "not created", "local table to a distributed one"]), "{}", rep["warnings"]);
    // Roles: the chain's end is distributed and co-located; no path, or a key that may be
    // NULL, stays local.
    let roles = db.texts("SELECT table_name::text || ' ' || citus_table_type FROM citus_tables ORDER BY 1").await;
    let roles: Vec<String> = roles.into_iter().flatten().collect();
    // events.account_id is NULL in a row no shard could take: a reference table keeps it.
    assert_eq!(roles, ["accounts reference", "documents distributed", "events reference", "pages distributed", "users distributed"]);
    assert_eq!(db.text("SELECT count(DISTINCT colocation_id)::text FROM citus_tables WHERE citus_table_type = 'distributed'").await, "1");
    assert_eq!(db.text("SELECT string_agg(p.id || ':' || p.account_id, ',' ORDER BY p.id) FROM pages p").await, "1:1,2:1,3:2,4:3,5:1");
    // No row lost: every table holds what the source holds, and validate agrees.
    for (table, n) in [("accounts", 3), ("users", 4), ("documents", 4), ("pages", 5), ("notes", 3), ("settings", 2), ("events", 3)] {
        assert_eq!(db.text(&format!("SELECT count(*)::text FROM {table}")).await, n.to_string(), "{table}");
    }
    let valid = ferry(&["validate", s, "--to", &db.url, "--distribute", "account_id"]);
    assert_eq!(valid.code, 0, "{}{}", valid.stdout, valid.stderr);
    // A plan edited to distribute a table that has no account_id (and no chain to fill it
    // through): it stays local, and the run says so.
    let plan = dir.path("plan.toml");
    let made = ferry(&["plan", s, "--to", &db.url, "--distribute", "account_id", "--out", plan.to_str().unwrap()]);
    assert_eq!(made.code, 0, "{}{}", made.stdout, made.stderr);
    let text = std::fs::read_to_string(&plan).unwrap();
    let at = text.find("table = \"settings\"").expect("settings in [distribution]");
    let role = at + text[at..].find("role = \"local\"").expect("settings is local");
    std::fs::write(&plan, format!("{}role = \"distributed\"{}", &text[..role], &text[role + "role = \"local\"".len()..])).unwrap();
    let again = CitusDb::new(&sh, "cedge");
    let report = dir.path("edited.json");
    let run = ferry(&["migrate", s, "--to", &again.url, "--plan", plan.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("settings") && run.stdout.contains("not distributed: it has no account_id"), "{}", run.stdout);
    assert_eq!(again.text("SELECT count(*)::text FROM settings").await, "2");
    assert_eq!(again.text("SELECT count(*)::text FROM citus_tables WHERE table_name::text = 'settings'").await, "0");
    // The keys that were kept hold, and the ones Citus refuses the action of are there without it.
    assert_eq!(db.text("SELECT count(*)::text FROM pg_constraint WHERE contype = 'f' AND convalidated AND conrelid::regclass::text IN ('accounts', 'users', 'documents', 'pages', 'notes', 'settings', 'events')").await, "6");
    assert_eq!(db.text("SELECT confdeltype::text FROM pg_constraint WHERE conname = 'documents_owner_id_fkey'").await, "a");
}
