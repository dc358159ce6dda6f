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

/// The demo of `scale` rows in `dir`, a database of the cluster, and the plan of the one into
/// the other distributed by tenant_id (with `extra`), written to plan.toml.
fn demo_planned(sh: &Path, dir: &Scratch, scale: u32, prefix: &str, extra: &[&str]) -> (PathBuf, CitusDb, PathBuf, Run) {
    let src = dir.path("demo.sqlite");
    let s = src.to_str().unwrap();
    let built = ferry(&["demo", "--out", s, "--scale", &scale.to_string()]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let db = CitusDb::new(sh, prefix);
    let plan = dir.path("plan.toml");
    let mut args = vec!["plan", s, "--to", &db.url, "--distribute", "tenant_id", "--out", plan.to_str().unwrap()];
    args.extend_from_slice(extra);
    let planned = ferry(&args);
    assert_eq!(planned.code, 0, "{}{}", planned.stdout, planned.stderr);
    (src, db, plan, planned)
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

/// Each of Ferry's sessions with the coordinator keeps its connections to the workers, one
/// for each shard a worker holds of a table, not Citus's one: else every COPY, index and key
/// over a distributed table started new backends on the workers and closed them at its commit
/// (the 1,000,000-row demo: 250–290 of them against 35; 10.4–11.0 s against 8.1–8.6 s).
#[tokio::test]
async fn ferrys_sessions_keep_their_connections_to_the_workers() {
    let Some(sh) = cluster() else { return };
    let db = CitusDb::new(&sh, "ckeep");
    let shards: u64 = db.text("SELECT current_setting('citus.shard_count')").await.parse().unwrap();
    let workers: u64 = db.text("SELECT count(*)::text FROM pg_dist_node WHERE groupid <> 0").await.parse().unwrap();
    let want = shards.div_ceil(workers).clamp(1, 16).to_string();
    assert_ne!(want, "1", "the test cluster's {shards} shards over {workers} workers: Citus's own default would pass");
    let (target, mut first) = ferry_core::dialect::session::Target::open(&db.url, None).await.unwrap();
    let mut working = target.connect().await.unwrap();
    for (what, conn) in [("the first session", &mut first), ("a working session", &mut working)] {
        let got = conn.query_texts("SELECT current_setting('citus.max_cached_conns_per_worker')").await.unwrap();
        assert_eq!(got, [Some(want.clone())], "{what}");
    }
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

/// The run's placement (report `placement`, its page, the summary) against what the cluster
/// says: both workers named with their shards, each table's shards as `citus_shards` counts
/// them and its rows as `count(*)`, the nodes' rows adding up to the distributed tables',
/// the biggest tenant's rows as counted, and the page's chart.
async fn placement_is_reported(db: &CitusDb, p: &Value, html: &str, summary: &str) {
    let n = |v: &Value| v.as_u64().unwrap_or_else(|| panic!("a count: {v}"));
    let workers: Vec<String> = db.texts("SELECT nodename || ':' || nodeport FROM pg_dist_node WHERE groupid <> 0 ORDER BY 1").await.into_iter().flatten().collect();
    assert_eq!(workers.len(), 2, "{workers:?}");
    let nodes = p["nodes"].as_array().unwrap_or_else(|| panic!("placement in the report: {p}"));
    for w in &workers {
        let node = nodes.iter().find(|x| x["node"] == w.as_str()).unwrap_or_else(|| panic!("{w} in {p}"));
        let want = db.text(&format!("SELECT count(*)::text FROM citus_shards WHERE citus_table_type = 'distributed' AND nodename || ':' || nodeport = '{w}'")).await;
        assert_eq!(n(&node["shards"]).to_string(), want, "{w}: {node}");
        // (A small demo's few tenants may all hash to one worker: its rows are checked in sum below.)
        assert!(n(&node["bytes"]) > 0, "{w}: {node}");
        assert!(html.contains(&format!("<code>{w}</code>")) && summary.contains(w.as_str()), "{w} on the page and in the summary");
    }
    let tables = p["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 16, "{p}");
    let mut distributed_rows = 0;
    for t in tables {
        let name = t["table"].as_str().unwrap();
        let shards = db.text(&format!("SELECT count(DISTINCT shardid)::text FROM citus_shards WHERE table_name = '{name}'::regclass")).await;
        assert_eq!(n(&t["shards"]).to_string(), shards, "{name}: {t}");
        let rows = db.text(&format!("SELECT count(*)::text FROM {name}")).await;
        assert_eq!(n(&t["rows"]).to_string(), rows, "{name}: {t}");
        if t["kind"] == "distributed" {
            distributed_rows += n(&t["rows"]);
        }
    }
    let placements = db.text("SELECT count(*)::text FROM citus_shards").await;
    assert_eq!(p["shards"].as_array().unwrap().len().to_string(), placements);
    assert_eq!(nodes.iter().map(|x| n(&x["rows"])).sum::<u64>(), distributed_rows, "the nodes' rows add up to the distributed tables'");
    // The biggest tenants: ten at most, largest first, the first one's rows as the tables
    // count them.
    let tenants = p["tenants"].as_array().unwrap();
    let distinct = db.text("SELECT count(DISTINCT tenant_id)::text FROM orders").await.parse::<u64>().unwrap();
    assert_eq!(n(&p["tenants_distinct"]), distinct, "{p}");
    assert_eq!(tenants.len() as u64, distinct.min(10), "{p}");
    assert!(tenants.windows(2).all(|w| n(&w[0]["rows"]) >= n(&w[1]["rows"])), "largest first: {tenants:?}");
    let top = tenants[0]["tenant"].as_str().unwrap().replace('\'', "''");
    let sum: Vec<String> = p["tenant_tables"].as_array().unwrap().iter().map(|t| format!("(SELECT count(*) FROM {} WHERE tenant_id = '{top}')", t.as_str().unwrap())).collect();
    assert_eq!(p["tenant_tables"].as_array().unwrap().len(), 15, "{p}");
    assert_eq!(db.text(&format!("SELECT ({})::text", sum.join(" + "))).await, n(&tenants[0]["rows"]).to_string(), "{}", tenants[0]);
    let share = tenants[0]["share"].as_f64().unwrap();
    assert!((share - n(&tenants[0]["rows"]) as f64 / n(&p["tenant_rows"]) as f64).abs() < 1e-9 && share > 0.0 && share < 1.0, "{}", tenants[0]);
    assert!(workers.contains(&tenants[0]["node"].as_str().unwrap().to_string()), "{}", tenants[0]);
    assert_eq!(n(&p["tenant_rows"]), distributed_rows);
    let skew = p["skew"].as_f64().unwrap();
    assert!(skew >= 1.0 && skew < 32.0, "{skew}");
    assert!(!p["groups"].as_array().unwrap().is_empty());
    // The page: the section, a bar per shard group, the tenants; still no script.
    assert!(html.contains("Placement on the cluster") && html.contains("<h3>Biggest tenants</h3>"), "the page's placement");
    assert_eq!(html.matches("<rect ").count(), p["groups"].as_array().unwrap().len());
    assert!(!html.contains("<script"));
    assert!(summary.contains("placement on the cluster: 15 distributed tables and 1 reference table on 3 nodes; skew "), "{summary}");
    assert!(summary.contains(&format!("biggest tenants ({} of {distinct}):\n", tenants.len())), "{summary}");
}

/// The demo through the plain URL with `--distribute tenant_id`: every table that has
/// tenant_id or reaches it by foreign key is distributed by it and co-located, tenants is a
/// reference table, shards sit on both workers, every foreign key is there and valid,
/// validate finds every row, and one tenant's orders joined with their items is one task.
#[tokio::test]
async fn the_demo_is_sharded_by_tenant_and_co_located() {
    let Some(sh) = cluster() else { return };
    let dir = Scratch::new();
    // The plan says each table's role, with its evidence, and the cluster.
    let (src, db, plan, planned) = demo_planned(&sh, &dir, 3000, "cdemo", &[]);
    let s = src.to_str().unwrap();
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

    let page = dir.path("run.html");
    let report = dir.path("run.json");
    let run = ferry(&["migrate", s, "--to", &db.url, "--distribute", "tenant_id", "--report", page.to_str().unwrap()]);
    let rep: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap_or_default()).unwrap_or(Value::Null);
    assert!(run.code == 0 || run.code == 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(rep["completed"], true, "{}", rep["error"]);
    placement_is_reported(&db, &rep["placement"], &std::fs::read_to_string(&page).unwrap(), &run.stdout).await;
    // What the rewrite changed is said: the column added to order_items, the SET NULL left off.
    let said = |key: &str, words: &[&str]| rep[key].as_array().unwrap().iter().any(|w| words.iter().all(|x| w.to_string().contains(x)));
    assert!(said("notes", &["order_items", "added for Citus", "orders.tenant_id"]), "{}", rep["notes"]);
    assert!(said("warnings", &["order_ingest_chunks", "ON DELETE SET NULL"]), "{}", rep["warnings"]);

    // Each shard's statistics gathered at its share of the server's target, and said.
    let note = rep["notes"].as_array().unwrap().iter().map(|w| w["reason"].as_str().unwrap_or_default()).find(|r| r.contains("shards of the 15 distributed tables")).unwrap_or_else(|| panic!("{}", rep["notes"]));
    let target: usize = note.split("default_statistics_target ").nth(1).and_then(|r| r.split(':').next()).and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{note}"));
    // Per shard: the most values any column's statistics keep, the shard's rows, and whether
    // autovacuum analyzed it again since (at the server's own target: those are not Ferry's).
    let slots = (1..=5).map(|i| format!("coalesce(cardinality(stavalues{i}::text::text[]), 0)")).collect::<Vec<_>>().join(", ");
    let shards = db
        .texts(&format!(
            "SELECT result FROM run_command_on_shards('orders', $$SELECT coalesce(max(greatest({slots})), 0) || ' ' || (SELECT count(*) FROM %1$s) || ' ' || (SELECT coalesce(last_autoanalyze > last_analyze, false) FROM pg_stat_all_tables WHERE relid = '%1$s'::regclass) FROM pg_statistic WHERE starelid = '%1$s'::regclass$$)"
        ))
        .await;
    let shards: Vec<(usize, usize, bool)> = shards
        .iter()
        .map(|r| {
            let r = r.as_deref().unwrap_or_default();
            let w: Vec<&str> = r.split(' ').collect();
            let n = |i: usize| w.get(i).and_then(|n| n.parse::<usize>().ok()).unwrap_or_else(|| panic!("a shard's statistics: {r:?}"));
            (n(0), n(1), w.get(2) == Some(&"true"))
        })
        .collect();
    let ferrys: Vec<&(usize, usize, bool)> = shards.iter().filter(|s| !s.2).collect();
    assert!(ferrys.iter().all(|&&(kept, rows, _)| (kept > 0 || rows == 0) && kept <= target + 1), "each at most {} values: {shards:?}", target + 1);
    // (The shards are large enough that the server's own target would have kept more.)
    assert!(ferrys.iter().any(|&&(_, rows, _)| rows > 2 * (target + 1)) || shards.iter().all(|s| s.2 || s.1 == 0), "{shards:?}");

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

    // The distributed tables' rows went straight into their shards on the workers, each on
    // the shard Citus routes its tenant to: every tenant's rows are found by a query Citus
    // sends to that one shard.
    assert!(said("notes", &["went straight into their shards", "of 15 distributed tables"]), "{}", rep["notes"]);
    routed_as_citus_routes(&db, &src, &["orders", "order_items", "customers", "audit_logs"]).await;

    // Validate, told the distribution as migrate was, or reading it from the run's report.
    for how in [["--distribute", "tenant_id"], ["--run-report", report.to_str().unwrap()]] {
        let valid = ferry(&["validate", s, "--to", &db.url, how[0], how[1]]);
        assert_eq!(valid.code, 0, "{how:?}: {}{}", valid.stdout, valid.stderr);
    }

    // The demo's updated_at trigger on products (distributed) runs on the shards, as the
    // BEFORE UPDATE it is equivalent to: a product renamed gets a new updated_at, as in SQLite.
    assert!(!rep["warnings"].to_string().contains("trg_products_updated_at"), "{}", rep["warnings"]);
    let product = db.text("SELECT id::text FROM products ORDER BY id LIMIT 1").await;
    let before = db.text(&format!("SELECT updated_at::text FROM products WHERE id = '{product}'")).await;
    db.texts(&format!("UPDATE products SET name = name || ' (renamed)' WHERE id = '{product}'")).await;
    let after = db.text(&format!("SELECT (updated_at > now() - interval '1 minute')::text || ' ' || (updated_at::text <> '{before}')::text FROM products WHERE id = '{product}'")).await;
    assert_eq!(after, "true true", "updated_at was {before}");
    // A trigger's function on every worker, its trigger on every shard of products.
    let shards = db.text("SELECT count(*)::text FROM citus_shards WHERE table_name = 'products'::regclass").await;
    let on_shards = db.text("SELECT sum(result::int)::text FROM run_command_on_workers($$SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'trg_products_updated_at_%'$$)").await;
    assert_eq!(on_shards, shards);

    // One tenant's orders with their items: one task, on the node holding that tenant.
    let tenant = db.text("SELECT tenant_id::text FROM orders ORDER BY id LIMIT 1").await;
    let plan = db.texts(&format!("EXPLAIN SELECT o.id, i.id FROM orders o JOIN order_items i ON i.tenant_id = o.tenant_id AND i.order_id = o.id WHERE o.tenant_id = '{}'", tenant.replace('\'', "''"))).await;
    let plan: Vec<String> = plan.into_iter().flatten().collect();
    assert!(plan.iter().any(|l| l.trim() == "Task Count: 1"), "{}", plan.join("\n"));
}

/// Every row of each table in `tables` (distributed by tenant_id) is on the shard Citus routes
/// its tenant to: the counts of one query per tenant (each sent to that tenant's shard alone)
/// add up to the source's, tenant by tenant.
async fn routed_as_citus_routes(db: &CitusDb, src: &Path, tables: &[&str]) {
    let tenants: Vec<String> = db.texts("SELECT DISTINCT tenant_id::text FROM orders ORDER BY 1").await.into_iter().flatten().collect();
    assert!(tenants.len() > 1, "{tenants:?}");
    for t in tables {
        let mut found = 0;
        for tenant in &tenants {
            let lit = tenant.replace('\'', "''");
            let plan = db.texts(&format!("EXPLAIN SELECT count(*) FROM {t} WHERE tenant_id = '{lit}'")).await.into_iter().flatten().collect::<Vec<_>>().join("\n");
            assert!(plan.contains("Task Count: 1"), "{t}, tenant {tenant}: {plan}");
            let n: i64 = db.text(&format!("SELECT count(*)::text FROM {t} WHERE tenant_id = '{lit}'")).await.parse().unwrap();
            found += n;
        }
        assert_eq!(found, source_count(src, &format!("SELECT count(*) FROM {t}")), "{t}: rows off their tenant's shard");
    }
}

/// Into tables Ferry made, emptied, and given a trigger that refuses large amounts (on every
/// shard), loaded again with `--data-only`: the rows a shard refuses go again through the
/// coordinator, which refuses them too, and each is reported with its key and value; every
/// other row is in, on its tenant's shard.
#[tokio::test]
async fn rows_the_shards_refuse_are_reported_and_the_rest_arrive() {
    let Some(sh) = cluster() else { return };
    let dir = Scratch::new();
    let src = dir.path("orders.sqlite");
    let big = |i: i64| i % 23 + 1 == 5 && (i / 23) % 3 == 0;
    {
        let c = rusqlite::Connection::open(&src).unwrap();
        c.execute_batch("CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, amount INTEGER NOT NULL);").unwrap();
        let tx = c.unchecked_transaction().unwrap();
        for i in 1..=3000i64 {
            // Some of tenant 5's orders are too large for the target's trigger (amount < 1000):
            // one shard refuses, in most batches.
            let amount = if big(i) { 5000 + i } else { i % 900 };
            tx.execute("INSERT INTO orders VALUES (?1, ?2, ?3)", rusqlite::params![i, i % 23 + 1, amount]).unwrap();
        }
        tx.commit().unwrap();
    }
    let db = CitusDb::new(&sh, "crefuse");
    let (s, plan) = (src.to_str().unwrap(), dir.path("plan.toml"));
    let p = plan.to_str().unwrap();
    let planned = ferry(&["plan", s, "--to", &db.url, "--distribute", "tenant_id", "--out", p]);
    assert_eq!(planned.code, 0, "{}{}", planned.stdout, planned.stderr);
    let first = ferry(&["migrate", s, "--to", &db.url, "--plan", p]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    db.texts("TRUNCATE orders").await;
    db.texts("CREATE FUNCTION refuse_large() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN IF NEW.amount >= 1000 THEN RAISE EXCEPTION 'amount % too large', NEW.amount; END IF; RETURN NEW; END$$").await;
    {
        // Each in a message of its own: Citus sends the statement's text to the workers.
        let mut c = db.conn().await;
        for sql in ["SET citus.enable_unsafe_triggers = on", "CREATE TRIGGER refuse_large BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION refuse_large()"] {
            sqlx::raw_sql(sql).execute(&mut c).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }
    let report = dir.path("run.json");
    let run = ferry(&["migrate", s, "--to", &db.url, "--data-only", "--plan", p, "--report", report.to_str().unwrap(), "--batch-rows", "500"]);
    assert!(run.code == 0 || run.code == 2, "{}{}", run.stdout, run.stderr);
    let rep: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let t = &rep["tables"]["orders"];
    let refused: Vec<i64> = t["rejected"].as_array().unwrap().iter().map(|r| r["row"]["id"].as_i64().unwrap_or_else(|| panic!("{r}"))).collect();
    let want: Vec<i64> = (1..=3000).filter(|&i| big(i)).collect();
    assert_eq!(refused, want, "{t:#}");
    assert!(t["rejected"][0]["reason"].as_str().unwrap().contains(&format!("amount {} too large", 5000 + want[0])), "{t:#}");
    assert_eq!(t["rows_written"], serde_json::json!(3000 - want.len()), "{t:#}");
    // The shards that took their part of a batch kept it; only the refusing shards' rows
    // went again through the coordinator.
    let went = rep["notes"].as_array().unwrap().iter().filter_map(|n| n["reason"].as_str()).find_map(|r| r.split(" rows of 1 distributed table went straight into their shards").next().filter(|h| h.len() < r.len())).unwrap_or_else(|| panic!("{}", rep["notes"]));
    let went: usize = went.replace(',', "").parse().unwrap_or_else(|e| panic!("{went}: {e}"));
    assert!((1500..3000 - want.len()).contains(&went), "{went} rows straight into the shards");
    assert_eq!(t["rejected_total"], serde_json::json!(want.len()), "{t:#}");
    assert_eq!(db.text("SELECT count(*)::text FROM orders").await, (3000 - want.len()).to_string());
    // Each tenant's rows on its shard.
    for tenant in 1..=23 {
        let n = db.text(&format!("SELECT count(*)::text FROM orders WHERE tenant_id = {tenant}")).await;
        let expect = (1..=3000i64).filter(|&i| i % 23 + 1 == tenant && !big(i)).count();
        assert_eq!(n, expect.to_string(), "tenant {tenant}");
    }
}

/// A table whose shards Citus keeps in two copies (`citus.shard_replication_factor = 2`) is
/// loaded through the coordinator, which writes each copy, and the run says why; every row
/// arrives on its tenant's shards.
#[tokio::test]
async fn shards_kept_in_two_copies_load_through_the_coordinator() {
    let Some(sh) = cluster() else { return };
    let dir = Scratch::new();
    let src = dir.path("orders.sqlite");
    {
        let c = rusqlite::Connection::open(&src).unwrap();
        c.execute_batch(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, amount INTEGER NOT NULL);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO orders SELECT i, 1 + i % 11, i % 900 FROM n;",
        )
        .unwrap();
    }
    let db = CitusDb::new(&sh, "creplica");
    db.texts(&format!("ALTER DATABASE \"{}\" SET citus.shard_replication_factor = 2", db.name)).await;
    let report = dir.path("run.json");
    let run = ferry(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--distribute", "tenant_id", "--report", report.to_str().unwrap()]);
    assert!(run.code == 0 || run.code == 2, "{}{}", run.stdout, run.stderr);
    let rep: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(rep["tables"]["orders"]["rows_written"], serde_json::json!(2000), "{rep:#}");
    let said = rep["warnings"].to_string();
    assert!(said.contains("shards are kept in 2 copies: its rows load through the coordinator"), "{said}");
    assert!(!rep["notes"].to_string().contains("went straight into their shards"), "{}", rep["notes"]);
    assert_eq!(db.text("SELECT count(DISTINCT nodeport)::text FROM citus_shards WHERE table_name = 'orders'::regclass AND shardid = (SELECT min(shardid) FROM citus_shards)").await, "2");
    for tenant in 1..=11 {
        let n = db.text(&format!("SELECT count(*)::text FROM orders WHERE tenant_id = {tenant}")).await;
        assert_eq!(n, (1..=2000).filter(|i| 1 + i % 11 == tenant).count().to_string(), "tenant {tenant}");
    }
}

/// Accounts and what hangs off them: users (a global UNIQUE email, a self key SET NULL),
/// documents (owner SET NULL), pages (one without its document), notes (a key that may be
/// NULL), settings (no account_id, no key), events (account_id NULL in one row).
fn accounts(src: &Path) {
    let c = rusqlite::Connection::open(src).unwrap();
    c.execute_batch(
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
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
         INSERT INTO pages VALUES (1, 1, 'p1'), (2, 1, 'p2'), (3, 3, 'p3'), (4, 4, 'p4'), (5, 2, 'p5'), (6, 99, 'no such document');
         INSERT INTO notes VALUES (1, 1, 'n1'), (2, NULL, 'loose'), (3, 4, 'n3');
         INSERT INTO settings VALUES ('theme', 'dark'), ('lang', 'en');
         INSERT INTO events VALUES (1, 1, 'login'), (2, NULL, 'boot'), (3, 2, 'login');",
    )
    .unwrap();
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
    accounts(&src);
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
    // A page whose document is not there has no account_id to be placed by: refused, listed.
    let refused = &rep["tables"]["pages"]["rejected"];
    assert_eq!(refused.as_array().map(Vec::len), Some(1), "{refused}");
    assert!(refused[0]["row"] == serde_json::json!({"id": 6}) && refused[0]["reason"].as_str().unwrap().contains("so it has no account_id (from "), "{refused}");
    // Roles: the chain's end is distributed and co-located; no path, or a key that may be
    // NULL, stays local.
    let roles = db.texts("SELECT table_name::text || ' ' || citus_table_type FROM citus_tables ORDER BY 1").await;
    let roles: Vec<String> = roles.into_iter().flatten().collect();
    // events.account_id is NULL in a row no shard could take: a reference table keeps it.
    assert_eq!(roles, ["accounts reference", "documents distributed", "events reference", "pages distributed", "users distributed"]);
    assert_eq!(db.text("SELECT count(DISTINCT colocation_id)::text FROM citus_tables WHERE citus_table_type = 'distributed'").await, "1");
    assert_eq!(db.text("SELECT string_agg(p.id || ':' || p.account_id, ',' ORDER BY p.id) FROM pages p").await, "1:1,2:1,3:2,4:3,5:1");
    // No row lost but the refused page: every table holds what the source holds, and validate
    // agrees (the page is expected absent, as the load refused it, even without the run's report).
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

/// The run's journal on the coordinator: (table, state), once it is there.
async fn journal_states(db: &CitusDb) -> Vec<(String, i64)> {
    if db.text("SELECT (to_regclass('ferry_run_journal') IS NOT NULL)::text").await != "true" {
        return vec![];
    }
    let rows = db.texts("SELECT table_name || '|' || state FROM ferry_run_journal WHERE kind = 'table' ORDER BY table_name").await;
    rows.into_iter()
        .flatten()
        .map(|r| {
            let (t, s) = r.rsplit_once('|').unwrap();
            (t.to_string(), s.parse().unwrap())
        })
        .collect()
}

/// kill -9 mid-load into the cluster, then `--resume`: the run completes, every row is in
/// once, the tables are distributed and co-located as a run that was never stopped makes
/// them, order_items' added tenant_id is its order's, and validate finds the target clean.
#[tokio::test]
async fn a_run_killed_mid_load_resumes_on_the_cluster() {
    use std::time::{Duration, Instant};
    let Some(sh) = cluster() else { return };
    let dir = Scratch::new();
    let src = demo_of(&dir, 100_000);
    let counts = source_counts(&src);
    let db = CitusDb::new(&sh, "cresume");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["migrate", src.to_str().unwrap(), "--to", &db.url, "--distribute", "tenant_id", "--jobs", "2"])
        .env("FERRY_AUDIT_LOG", dir.path("audit.jsonl"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed once a table is finished, so the resumed run keeps some tables and makes the
    // others again beside them (polled for at most 120 s).
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) && child.try_wait().unwrap().is_none() {
        if journal_states(&db).await.iter().any(|(_, s)| *s >= 4) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(child.try_wait().unwrap().is_none(), "the run was still going when killed");
    let _ = child.kill();
    let _ = child.wait();
    let states = journal_states(&db).await;
    assert!(states.iter().any(|(_, s)| *s < 4) && states.iter().any(|(_, s)| *s >= 4), "some table finished, some left to do: {states:?}");

    let report = dir.path("resumed.json");
    let limit = Duration::from_secs(300);
    let (resumed, _) = ferry_within(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--distribute", "tenant_id", "--resume", "--report", report.to_str().unwrap()], &[], limit);
    assert!(resumed.code == 0 || resumed.code == 2, "{}{}", resumed.stdout, resumed.stderr);
    let rep: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(rep["completed"], true, "{}", rep["error"]);
    assert!(journal_states(&db).await.is_empty(), "the completed run drops its journal");
    // What the interrupted run had finished is kept; what was loading is made again, placed, and loaded whole.
    let notes = rep["notes"].to_string();
    let finished_before = states.iter().filter(|(_, s)| *s >= 4).count();
    assert_eq!(notes.matches("kept: the interrupted run had finished it").count(), finished_before, "{states:?} {notes}");
    assert!(states.iter().filter(|(_, s)| *s == 2).all(|(t, _)| notes.contains(&format!("\"table {t}\",\"reason\":\"reloaded whole: it was loading when the run stopped\""))), "{states:?} {notes}");
    // Every row once, and so in the report's placement.
    let placed = rep["placement"]["tables"].as_array().unwrap_or_else(|| panic!("placement: {}", rep["placement"]));
    for (t, n) in &counts {
        assert_eq!(db.text(&format!("SELECT count(*)::text FROM {t}")).await, n.to_string(), "{t}");
        let p = placed.iter().find(|p| p["table"] == t.as_str()).unwrap_or_else(|| panic!("{t} in {placed:?}"));
        assert_eq!(p["rows"].as_i64(), Some(*n), "{t}: {p}");
    }
    // Placed as an uninterrupted run places them: one co-location group, tenants a reference table.
    let roles = db.texts("SELECT citus_table_type || ' ' || count(*) || ' ' || count(DISTINCT colocation_id) FROM citus_tables GROUP BY citus_table_type ORDER BY 1").await;
    assert_eq!(roles.into_iter().flatten().collect::<Vec<_>>(), ["distributed 15 1", "reference 1 1"]);
    let items = counts.iter().find(|(t, _)| t == "order_items").unwrap().1;
    assert_eq!(db.text("SELECT count(*)::text FROM order_items i JOIN orders o ON o.tenant_id = i.tenant_id AND o.id = i.order_id").await, items.to_string());
    assert_eq!(db.text("SELECT count(*)::text FROM pg_constraint WHERE contype = 'f' AND NOT convalidated").await, "0");
    let (valid, _) = ferry_within(&["validate", src.to_str().unwrap(), "--to", &db.url, "--run-report", report.to_str().unwrap()], &[], limit);
    assert_eq!(valid.code, 0, "{}{}", valid.stdout, valid.stderr);
}

const SHOP: &str = "
CREATE TABLE tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants(id), total INTEGER);
CREATE TABLE order_items (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE, qty INTEGER);
";

/// `ferry sync` into a cluster: inserts, updates and deletes in a distributed table (orders)
/// and in its child that the distribution gave tenant_id (order_items), and a new tenant in
/// the reference table. The new items get their order's tenant_id, a second sync finds
/// nothing; an order moved to another tenant moves with its items; validate finds the
/// target clean, and the tables stay distributed.
#[tokio::test]
async fn sync_fills_the_column_the_distribution_added() {
    let Some(sh) = cluster() else { return };
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    let c = rusqlite::Connection::open(&src).unwrap();
    c.execute_batch(SHOP).unwrap();
    for i in 1..=3 {
        c.execute("INSERT INTO tenants VALUES (?1, ?2)", rusqlite::params![i, format!("tenant {i}")]).unwrap();
    }
    for i in 1..=6 {
        c.execute("INSERT INTO orders VALUES (?1, ?2, ?3)", rusqlite::params![i, (i - 1) % 3 + 1, i * 100]).unwrap();
    }
    for i in 1..=12 {
        c.execute("INSERT INTO order_items VALUES (?1, ?2, ?3)", rusqlite::params![i, (i - 1) % 6 + 1, i]).unwrap();
    }
    let s = src.to_str().unwrap();
    let db = CitusDb::new(&sh, "csync");
    let report = dir.path("run.json");
    let run = ferry(&["migrate", s, "--to", &db.url, "--distribute", "tenant_id", "--report", report.to_str().unwrap()]);
    assert!(run.code == 0 || run.code == 2, "{}{}", run.stdout, run.stderr);
    let roles = db.texts("SELECT table_name::text || ' ' || citus_table_type FROM citus_tables ORDER BY 1").await;
    let roles: Vec<String> = roles.into_iter().flatten().collect();
    assert_eq!(roles, ["order_items distributed", "orders distributed", "tenants reference"]);

    // What the application does meanwhile (order 6's items deleted before it, as an
    // application on a file that does not enforce its foreign keys does).
    c.execute_batch(
        "INSERT INTO tenants VALUES (4, 'four');
         INSERT INTO orders VALUES (7, 4, 700), (8, 2, 800);
         INSERT INTO order_items VALUES (13, 7, 1), (14, 8, 2), (15, 1, 3);
         UPDATE order_items SET qty = 99 WHERE id = 2;
         UPDATE orders SET total = 111 WHERE id = 1;
         DELETE FROM order_items WHERE id = 3;
         DELETE FROM order_items WHERE order_id = 6;
         DELETE FROM orders WHERE id = 6;",
    )
    .unwrap();
    drop(c);
    let sync = |what: &str| {
        let run = ferry(&["sync", s, "--to", &db.url, "--run-report", report.to_str().unwrap(), "--json"]);
        assert_eq!(run.code, 0, "{what}: {}{}", run.stdout, run.stderr);
        let rep: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{what}: {e}: {}", run.stdout));
        let mut got: Vec<(String, u64, u64, u64)> = rep["tables"].as_array().unwrap().iter().map(|t| (t["table"].as_str().unwrap().to_string(), t["inserted"].as_u64().unwrap(), t["updated"].as_u64().unwrap(), t["deleted"].as_u64().unwrap())).collect();
        got.sort();
        assert!(rep["tables"].as_array().unwrap().iter().all(|t| t["rejected_total"] == 0 && t["error"].is_null()), "{what}: {rep}");
        got
    };
    let first = sync("the first sync");
    let want = |t: &str, i: u64, u: u64, d: u64| (t.to_string(), i, u, d);
    assert_eq!(first, [want("order_items", 3, 1, 3), want("orders", 2, 1, 1), want("tenants", 1, 0, 0)]);
    // Each new item sits with its order: tenant_id filled from orders.
    assert_eq!(db.text("SELECT string_agg(id || ':' || tenant_id, ',' ORDER BY id) FROM order_items WHERE id >= 13").await, "13:4,14:2,15:1");
    assert_eq!(db.text("SELECT count(*)::text FROM order_items i JOIN orders o ON o.tenant_id = i.tenant_id AND o.id = i.order_id").await, "12");
    assert_eq!(db.text("SELECT count(*)::text FROM orders").await, "7");
    let again = sync("the second sync");
    assert_eq!(again, [want("order_items", 0, 0, 0), want("orders", 0, 0, 0), want("tenants", 0, 0, 0)]);

    // Order 2 moves to tenant 3, its items with it (their tenant_id is their order's), beside
    // an ordinary update. Citus changes no row's distribution column ("modifying the
    // partition value of rows is not allowed": each moved row was refused): each moved row
    // is inserted on its new shard, parents first, and deleted from its old one, children
    // first; the update goes by key and tenant_id, to its own shard.
    let c = rusqlite::Connection::open(&src).unwrap();
    c.execute_batch("UPDATE orders SET tenant_id = 3 WHERE id = 2; UPDATE orders SET total = 333 WHERE id = 3;").unwrap();
    drop(c);
    let moved = sync("the sync of a move");
    assert_eq!(moved, [want("order_items", 2, 0, 2), want("orders", 1, 1, 1), want("tenants", 0, 0, 0)]);
    assert_eq!(db.text("SELECT string_agg(id || ':' || tenant_id, ',' ORDER BY id) FROM order_items WHERE order_id = 2").await, "2:3,8:3");
    assert_eq!(db.text("SELECT string_agg(id || ':' || tenant_id || ':' || total, ',' ORDER BY id) FROM orders WHERE id IN (2, 3)").await, "2:3:200,3:3:333");
    assert_eq!(db.text("SELECT count(*)::text FROM order_items i JOIN orders o ON o.tenant_id = i.tenant_id AND o.id = i.order_id").await, "12");
    let valid = ferry(&["validate", s, "--to", &db.url, "--run-report", report.to_str().unwrap()]);
    assert_eq!(valid.code, 0, "{}{}", valid.stdout, valid.stderr);
    let roles_after: Vec<String> = db.texts("SELECT table_name::text || ' ' || citus_table_type FROM citus_tables ORDER BY 1").await.into_iter().flatten().collect();
    assert_eq!(roles_after, roles, "still distributed");
}

/// Date partitioning and tenant sharding together, as the guide's schema wants both: the
/// demo planned with `--production --distribute tenant_id` and its partition proposals
/// accepted. Each partitioned table and every one of its partitions is distributed by
/// tenant_id and co-located with the rest, every row arrives, validate and diff (partition
/// bounds included) are clean; emptied, `--data-only` fills the same tables again.
#[tokio::test]
async fn partitions_are_distributed_with_their_table() {
    let Some(sh) = cluster() else { return };
    let dir = Scratch::new();
    // At 6,000 rows the demo's stock_events is the one proposed (at 3,000 none is).
    let (src, db, plan, _) = demo_planned(&sh, &dir, 6000, "cpart", &["--production"]);
    let s = src.to_str().unwrap();
    // Only the partitions accepted.
    let text = std::fs::read_to_string(&plan).unwrap();
    let blocks: Vec<String> = text.split("[[production]]").map(|b| if b.contains("kind = \"partition\"") { b.replacen("accept = false", "accept = true", 1) } else { b.to_string() }).collect();
    let accepted = blocks.iter().filter(|b| b.contains("kind = \"partition\"") && b.contains("accept = true")).count();
    assert!(accepted >= 1, "the demo's append-only tables are proposed: {text}");
    std::fs::write(&plan, blocks.join("[[production]]")).unwrap();
    let p = plan.to_str().unwrap();

    let run = ferry(&["migrate", s, "--to", &db.url, "--plan", p]);
    assert!(run.code == 0 || run.code == 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("every row arrived exactly: 6,000 rows"), "{}", run.stdout);
    // Each partitioned table, and each of its partitions, distributed by tenant_id in the
    // demo's co-location group.
    let parents: Vec<String> = db.texts("SELECT c.relname::text FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid ORDER BY 1").await.into_iter().flatten().collect();
    assert_eq!(parents.len(), accepted, "{parents:?}");
    let group = db.text("SELECT colocationid::text FROM pg_dist_partition WHERE logicalrelid = 'orders'::regclass").await;
    for parent in &parents {
        let sql = format!(
            "SELECT count(*)::text FROM pg_class c LEFT JOIN pg_dist_partition d ON d.logicalrelid = c.oid
             WHERE (c.oid = '{parent}'::regclass OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = '{parent}'::regclass))
               AND (d.partmethod IS DISTINCT FROM 'h' OR column_to_column_name(d.logicalrelid, d.partkey) IS DISTINCT FROM 'tenant_id' OR d.colocationid::text IS DISTINCT FROM '{group}')"
        );
        assert_eq!(db.text(&sql).await, "0", "{parent}: a partition not distributed with the rest");
        let parts = db.text(&format!("SELECT count(*)::text FROM pg_inherits WHERE inhparent = '{parent}'::regclass")).await;
        assert!(parts.parse::<u32>().unwrap_or(0) > 2, "{parent}: {parts} partitions");
    }
    let v = ferry(&["validate", s, "--to", &db.url, "--plan", p]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    let d = ferry(&["diff", s, "--to", &db.url, "--plan", p]);
    assert_eq!(d.code, 0, "{}{}", d.stdout, d.stderr);
    assert!(d.stdout.contains("the target matches the plan"), "{}", d.stdout);

    // Emptied, the same tables are filled again with --data-only (the added tenant_id
    // columns from their parents too), and validate clean.
    let tables = db.text("SELECT string_agg(format('%I', c.relname), ', ') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition").await;
    db.texts(&format!("TRUNCATE {tables} CASCADE")).await;
    assert_eq!(db.text("SELECT count(*)::text FROM order_items").await, "0");
    let again = ferry(&["migrate", s, "--to", &db.url, "--plan", p, "--data-only"]);
    assert!(again.code == 0 || again.code == 2, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("every row arrived exactly: 6,000 rows"), "{}", again.stdout);
    let v = ferry(&["validate", s, "--to", &db.url, "--plan", p]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
}

/// A shop of 20 tenants: items keyed by (tenant_id, id), with an index the probe uses
/// (`items_sku`) and one nothing uses (`items_note`); 20,000 items, so that a shard is big
/// enough for its planner to choose the index.
fn tenant_shop(path: &Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE items (tenant_id INTEGER NOT NULL REFERENCES tenants (id), id INTEGER NOT NULL, sku TEXT NOT NULL, note TEXT,
                             PRIMARY KEY (tenant_id, id));
         CREATE INDEX items_sku ON items (tenant_id, sku);
         CREATE INDEX items_note ON items (note);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) INSERT INTO tenants SELECT i, printf('tenant %d', i) FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
         INSERT INTO items SELECT 1 + i % 20, i, printf('sku-%05d', i), printf('note %d', i) FROM n;",
    )
    .unwrap();
}

/// Monitor on a cluster reads the shards, not the coordinator's empty tables: each Citus table's
/// rows and size over its shards (as `citus_total_relation_size` says), its placement, each
/// index's scans on the shards (the one used is not called unused), what each node holds; and,
/// once Citus is asked to track them, the busiest tenants and which statements went to one
/// tenant and which to every shard. Before that, notes say how to turn them on.
#[tokio::test]
async fn monitor_reads_the_shards_the_tenants_and_the_routing() {
    let Some(sh) = cluster() else { return };
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    tenant_shop(&src);
    let db = CitusDb::new(&sh, "cmon");
    let run = ferry(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--distribute", "tenant_id"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    db.texts("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").await;
    let monitor = || {
        let run = ferry(&["monitor", "--to", &db.url, "--json"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        serde_json::from_str::<Value>(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
    };
    let notes = |snap: &Value| snap["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect::<Vec<_>>();
    let first = monitor();
    let setup = first["statements_setup"]["sql"].as_str().unwrap_or_else(|| panic!("a statement to turn Citus's tracking on: {:#}", first["statements_setup"])).to_string();
    for setting in ["citus.stat_tenants_track", "citus.stat_statements_track"] {
        let how = format!("ALTER DATABASE \"{}\" SET {setting} = 'all'", db.name);
        assert!(notes(&first).iter().any(|n| n.contains(&format!("{setting} is none")) && n.contains(&how)), "{setting}: {:#?}", notes(&first));
        assert!(setup.contains(&how), "{setup}");
    }
    // Turned on as the app's Monitor does, on a click.
    let on = ferry_core::monitor::enable_statements(&db.url).await.expect("Citus's tracking turned on");
    assert!(on.enabled && on.ran.as_deref() == Some(setup.as_str()) && on.message.contains("Citus tracks"), "{on:?}");
    assert!(monitor()["statements_setup"].is_null());

    // A new session (the settings apply to sessions opened after them): seven lookups of one
    // tenant's item through items_sku, three counts over every shard.
    {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        for k in 0..7 {
            let sku = format!("sku-{:05}", 2 + 20 * k);
            let sql = format!("SELECT count(*) AS citus_probe FROM items WHERE tenant_id = 3 AND sku = '{sku}'");
            let row = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).fetch_one(&mut c).await.unwrap();
            assert_eq!(sqlx::Row::get::<i64, _>(&row, 0), 1);
        }
        for _ in 0..3 {
            sqlx::raw_sql("SELECT count(*) AS citus_fanout FROM items").fetch_one(&mut c).await.unwrap();
        }
        c.close().await.unwrap();
    }
    let index = |snap: &Value, name: &str| snap["indexes"].as_array().unwrap().iter().find(|i| i["name"] == name).cloned().unwrap_or_else(|| panic!("{name} in {:#}", snap["indexes"]));
    // The workers' statistics reach their views a moment after the statements: at most 10 s.
    let mut snap = monitor();
    for _ in 0..20 {
        if index(&snap, "items_sku")["scans"].as_u64().unwrap_or(0) >= 7 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
        snap = monitor();
    }

    // The tables: their shards' figures, one copy of each.
    let find = |snap: &Value, name: &str| snap["tables"].as_array().unwrap().iter().find(|t| t["name"] == name).cloned().unwrap_or_else(|| panic!("{name} in {:#}", snap["tables"]));
    let table = |name: &str| find(&snap, name);
    let items = table("items");
    assert!(items["placement"].as_str().unwrap_or_default().starts_with("distributed by tenant_id, "), "{items:#}");
    let rows = items["rows"].as_u64().unwrap();
    assert!((18_000..=22_000).contains(&rows), "the shards' estimate of 20,000 rows: {items:#}");
    // The size as Citus sums it, read while it holds still across a snapshot: autovacuum may
    // be at the fresh shards (a visibility map, a free space map). At most 5 tries.
    let size = || async { db.text("SELECT citus_total_relation_size('items')::text").await.parse::<u64>().unwrap() };
    let mut sized = (items.clone(), 0, 1);
    for _ in 0..5 {
        let before = size().await;
        let snap = monitor();
        sized = (find(&snap, "items"), before, size().await);
        if sized.1 == sized.2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    assert_eq!(sized.0["total_bytes"].as_u64(), Some(sized.2), "{:#} (Citus's sum before the snapshot: {})", sized.0, sized.1);
    let tenants = table("tenants");
    assert!(tenants["placement"].as_str().is_some_and(|p| p.starts_with("reference") || p.starts_with("distributed")), "{tenants:#}");
    assert_eq!(tenants["rows"].as_u64(), Some(20), "{tenants:#}");

    // The indexes: the probe's has its scans from the shards, the other none.
    let sku = index(&snap, "items_sku");
    assert!(sku["scans"].as_u64().unwrap() >= 7 && sku["unused"] == false, "{sku:#}");
    let note = index(&snap, "items_note");
    assert_eq!((note["scans"].as_u64(), note["unused"].as_bool()), (Some(0), Some(true)), "{note:#}");
    assert!(note["size_bytes"].as_u64().unwrap() > 8192 * 8, "every shard's copy of the index: {note:#}");

    // The nodes, coordinator first, shards on both workers.
    let cluster = &snap["cluster"];
    assert!(cluster["engine"].as_str().unwrap().contains("coordinator and 2 workers"), "{cluster:#}");
    let nodes = cluster["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3, "{cluster:#}");
    assert_eq!(nodes[0]["coordinator"], true);
    assert!(nodes[1..].iter().all(|n| n["shards"].as_u64().unwrap() > 0 && n["bytes"].as_u64().unwrap() > 0), "{cluster:#}");

    // The busiest tenant, and how each statement was routed.
    let busiest = &cluster["tenants"][0];
    assert_eq!(busiest["tenant"], "3", "{cluster:#}");
    assert!(busiest["queries"].as_u64().unwrap() + busiest["queries_last"].as_u64().unwrap() >= 7, "{busiest:#}");
    let statement = |marker: &str| snap["statements"].as_array().unwrap().iter().find(|s| s["query"].as_str().unwrap().contains(marker)).cloned().unwrap_or_else(|| panic!("{marker} in {:#}", snap["statements"]));
    let probe = statement("citus_probe")["routing"].clone();
    assert_eq!((probe["tenant_calls"].as_u64(), probe["fanout_calls"].as_u64(), probe["tenants"].as_u64()), (Some(7), Some(0), Some(1)), "{probe:#}");
    let fanout = statement("citus_fanout")["routing"].clone();
    assert_eq!((fanout["tenant_calls"].as_u64(), fanout["fanout_calls"].as_u64()), (Some(0), Some(3)), "{fanout:#}");
    assert!(notes(&snap).iter().all(|n| !n.contains("is none") && !n.contains("not measured") && !n.contains("not read")), "{:#?}", notes(&snap));

    // The same for people.
    let run = ferry(&["monitor", "--to", &db.url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for needle in ["coordinator and 2 workers", "distributed by tenant_id", "busiest tenants", "one tenant: 7 of 7 calls (1 tenant)"] {
        assert!(run.stdout.contains(needle), "{needle:?} in\n{}", run.stdout);
    }
}

/// `--role` keeps the user's choice and places the others around it: users made a reference
/// table keeps its global UNIQUE (email) whole, settings made a reference table is copied to
/// every node, and the run builds exactly that; a role a table cannot have is refused in one
/// line before anything is written.
#[tokio::test]
async fn roles_chosen_in_the_plan_are_kept_and_the_rest_placed_around_them() {
    let Some(sh) = cluster() else { return };
    let dir = Scratch::new();
    let src = dir.path("accounts.sqlite");
    accounts(&src);
    let s = src.to_str().unwrap();
    let db = CitusDb::new(&sh, "croles");
    let plan = dir.path("plan.toml");

    let refused = ferry(&["plan", s, "--to", &db.url, "--distribute", "account_id", "--role", "settings=distributed", "--out", plan.to_str().unwrap()]);
    assert_eq!(refused.code, 1, "{}{}", refused.stdout, refused.stderr);
    assert_eq!(refused.stderr.trim_end().lines().count(), 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("settings=distributed: it has no account_id"), "{}", refused.stderr);
    let bad = ferry(&["plan", s, "--to", &db.url, "--distribute", "account_id", "--role", "users=sharded"]);
    assert!(bad.code != 0 && bad.stderr.contains("not a role"), "{}", bad.stderr);
    assert!(!plan.exists());

    let made = ferry(&["plan", s, "--to", &db.url, "--distribute", "account_id", "--role", "users=reference", "--role", "settings=reference", "--out", plan.to_str().unwrap()]);
    assert_eq!(made.code, 0, "{}{}", made.stdout, made.stderr);
    assert!(made.stdout.contains("chosen: a reference table"), "{}", made.stdout);
    let toml = std::fs::read_to_string(&plan).unwrap();
    assert_eq!(toml.matches("chosen = true").count(), 2, "{toml}");

    let run = ferry(&["migrate", s, "--to", &db.url, "--plan", plan.to_str().unwrap()]);
    assert!(run.code == 0 || run.code == 2, "{}{}", run.stdout, run.stderr);
    let roles: Vec<String> = db.texts("SELECT table_name::text || ' ' || citus_table_type FROM citus_tables ORDER BY 1").await.into_iter().flatten().collect();
    assert_eq!(roles, ["accounts reference", "documents distributed", "events reference", "pages distributed", "settings reference", "users reference"]);
    // users' email is unique across every account again: one column, as in the source.
    assert_eq!(db.text("SELECT string_agg(pg_get_constraintdef(oid), ' ') FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'u'").await, "UNIQUE (email)");
    let valid = ferry(&["validate", s, "--to", &db.url, "--plan", plan.to_str().unwrap()]);
    assert_eq!(valid.code, 0, "{}{}", valid.stdout, valid.stderr);
    for (table, n) in [("accounts", 3), ("users", 4), ("documents", 4), ("pages", 5), ("notes", 3), ("settings", 2), ("events", 3)] {
        assert_eq!(db.text(&format!("SELECT count(*)::text FROM {table}")).await, n.to_string(), "{table}");
    }
}
