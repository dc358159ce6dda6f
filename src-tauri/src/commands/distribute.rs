//! Citus in the app (`ferry plan --distribute`): the column the engine proposes unasked, the
//! plan's `[distribution]` proposed for a column (or taken out), how the rows spread over it,
//! and what the rewrite for Citus changes in the schema. The plan stays the page's (as with
//! masks and production): each command takes it and gives it back, and Save writes
//! `[distribution]` with it; a run with the plan distributes by it.

use crate::error::{ErrorKind, IpcError, IpcResult};
use crate::state::AppState;
use ferry_core::events::Warning;
use ferry_core::plan::distribute::Role;
use ferry_core::plan::Plan;
use ferry_core::schema::Schema;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

/// The column to distribute by: the one the engine proposes unasked, and the others.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
pub struct DistributionChoice {
    /// The column most tables reach their tenant by (the one `--roles` proposes for
    /// `--tenant-isolation`); None when no column keys most tables.
    pub proposed: Option<ProposedColumn>,
    /// The columns that key tables by a single-column foreign key, with how many tables, most
    /// first: the picker's list.
    pub columns: Vec<ColumnCount>,
    /// Tables in the file.
    pub tables: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
pub struct ProposedColumn {
    pub column: String,
    /// The table it references (the tenants table).
    pub references: String,
    /// Tables that have it.
    pub tables: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, TS)]
pub struct ColumnCount {
    pub column: String,
    pub tables: u64,
}

/// How the rows spread over the column (`plan::distribute::skew`), and the cluster's shards.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
pub struct DistributionSkew {
    /// Distinct values of the column (tenants) over the tables that have it.
    pub tenants: u64,
    /// The largest tenant's rows, of `rows`.
    pub largest: u64,
    pub rows: u64,
    /// The largest tenant's share of the rows, in percent.
    pub largest_share: f64,
    /// The engine's sentence (`Skew::describe`).
    pub text: String,
    /// The cluster at the URL given ("Citus 13.2: coordinator and 2 workers"); None when no URL
    /// was given or it is not reached (`cluster_error`).
    pub cluster: Option<String>,
    /// Shards each distributed table gets (`citus.shard_count`).
    pub shard_count: Option<u64>,
    /// Why the cluster was not read: not reached, or not Citus.
    pub cluster_error: Option<String>,
}

/// What kind of change the rewrite for Citus makes.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A table without the column gets it, filled from its parent while loading.
    ColumnAdded,
    /// The primary key takes the column in front.
    KeyWidened,
    /// A UNIQUE (or unique index) that was global is unique per value of the column only.
    UniquePerTenant,
    /// A foreign key between distributed tables takes the column on both sides.
    ForeignKeyWidened,
    /// ON DELETE SET NULL / SET DEFAULT (or an ON UPDATE action) kept without the action.
    ActionDropped,
    /// A foreign key Citus cannot keep, left off.
    ForeignKeyLeftOff,
    /// A table's placement adjusted (not co-located, or not distributed after all).
    Placement,
}

/// One change of the rewrite, in the engine's words.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
pub struct RewriteChange {
    /// The source table.
    pub table: String,
    pub kind: ChangeKind,
    /// What changes ("primary key", "foreign key (customer_id) → customers", …).
    pub object: String,
    pub reason: String,
    /// Something the source had that the target will not do (else a change that loses nothing).
    pub warning: bool,
}

/// Where a table goes in the cluster, as the run will place it.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
pub struct DistributionPlacement {
    /// The source table.
    pub table: String,
    /// Its name in the target.
    pub target: String,
    pub role: Role,
    /// A distributed table's column (target name).
    pub column: Option<String>,
    /// The table it is co-located with (target name); None for the first, which the others follow.
    pub colocate_with: Option<String>,
}

/// The rewrite for the plan's distribution: each table's placement and every change.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
pub struct DistributionRewrite {
    pub placements: Vec<DistributionPlacement>,
    pub changes: Vec<RewriteChange>,
}

/// The single-column foreign keys' columns, with how many tables have each, most first.
fn keying_columns(schema: &Schema) -> Vec<ColumnCount> {
    let mut counts: Vec<ColumnCount> = vec![];
    for t in &schema.tables {
        let mut seen: Vec<String> = vec![];
        for fk in t.foreign_keys.iter().filter(|f| f.columns.len() == 1) {
            let c = &fk.columns[0];
            if seen.iter().any(|s| s.eq_ignore_ascii_case(c)) {
                continue;
            }
            seen.push(c.clone());
            match counts.iter_mut().find(|n| n.column.eq_ignore_ascii_case(c)) {
                Some(n) => n.tables += 1,
                None => counts.push(ColumnCount { column: c.clone(), tables: 1 }),
            }
        }
    }
    counts.sort_by(|a, b| b.tables.cmp(&a.tables).then(a.column.cmp(&b.column)));
    counts
}

/// The column the engine proposes unasked for the open file (`access::tenant_column`), and
/// the columns one may choose instead.
#[tauri::command]
pub fn distribution_choice(state: State<'_, AppState>) -> IpcResult<DistributionChoice> {
    let l = state.loaded()?;
    let proposed = ferry_core::access::tenant_column(&l.schema).map(|(column, references, n)| {
        // The engine names it in lower case; the file's own spelling is the one the plan uses.
        let column = l.schema.tables.iter().flat_map(|t| &t.columns).find(|c| c.name.eq_ignore_ascii_case(&column)).map_or(column, |c| c.name.clone());
        ProposedColumn { column, references, tables: n as u64 }
    });
    Ok(DistributionChoice { proposed, columns: keying_columns(&l.schema), tables: l.schema.tables.len() as u64 })
}

/// `plan` distributed by `column` (`plan::distribute::propose_with`: each table's role with
/// its evidence, the `chosen` ones kept and the others placed around them), or, with no
/// column, not distributed. A column no table has, a role a table cannot have, or a
/// MySQL/MariaDB plan, is refused as `invalid` with the engine's words.
#[tauri::command]
pub fn propose_distribution(state: State<'_, AppState>, plan: Plan, column: Option<String>, chosen: Option<Vec<ferry_core::plan::distribute::RoleChoice>>) -> IpcResult<Plan> {
    let l = state.loaded()?;
    let mut plan = plan;
    let Some(column) = column.filter(|c| !c.trim().is_empty()) else {
        plan.distribution = None;
        return Ok(plan);
    };
    if plan.dialect.is_mysql_family() {
        return Err(IpcError::new(ErrorKind::Invalid, format!("distribution is for a Citus cluster (PostgreSQL); {} has no equivalent Ferry supports yet (Vitess is not supported)", plan.dialect.name())));
    }
    let chosen = chosen.unwrap_or_default();
    plan.distribution = Some(ferry_core::plan::distribute::propose_with(&l.schema, &column, &chosen).map_err(|e| IpcError::new(ErrorKind::Invalid, e))?);
    Ok(plan)
}

/// How the rows spread over the plan's distribution column, read from the open file, with
/// the shards of the cluster at `url` when one is given (not reaching it is said, not failed).
#[tauri::command]
pub async fn distribution_skew(state: State<'_, AppState>, plan: Plan, url: Option<String>) -> IpcResult<DistributionSkew> {
    let l = state.loaded()?;
    let Some(d) = plan.distribution.clone() else {
        return Err(IpcError::new(ErrorKind::Invalid, "the plan does not distribute the tables: choose a column first"));
    };
    let url = url.filter(|u| !u.trim().is_empty());
    if let Some(u) = &url {
        state.grants.check_url(u)?;
    }
    let skew = super::blocking(move || Ok(ferry_core::plan::distribute::skew(&l.path, &l.schema, &d)?)).await?;
    let column = plan.distribution.as_ref().map(|d| d.column.clone()).unwrap_or_default();
    let (mut cluster, mut shard_count, mut cluster_error) = (None, None, None);
    if let Some(u) = &url {
        match ferry_core::dialect::probe::citus(u).await {
            Ok(Some(c)) => {
                cluster = Some(c.describe());
                shard_count = Some(c.shard_count);
            }
            Ok(None) => cluster_error = Some("the target is not a Citus cluster (no citus extension in its database): a run that distributes is refused there".into()),
            Err(e) => cluster_error = Some(format!("the target was not reached to read its shards: {e}")),
        }
    }
    let largest_share = if skew.rows == 0 { 0.0 } else { skew.largest as f64 * 100.0 / skew.rows as f64 };
    Ok(DistributionSkew { tenants: skew.tenants, largest: skew.largest, rows: skew.rows, largest_share, text: skew.describe(&column), cluster, shard_count, cluster_error })
}

/// What kind of change a note or warning of `resolve::rewrite_for_citus` says, by the object
/// it names and how it starts.
fn kind_of(w: &Warning) -> ChangeKind {
    let (o, r) = (w.object.as_str(), w.reason.as_str());
    if r.starts_with("kept without ON") {
        ChangeKind::ActionDropped
    } else if o.starts_with("foreign key") && r.starts_with("not created") {
        ChangeKind::ForeignKeyLeftOff
    } else if o.starts_with("foreign key") {
        ChangeKind::ForeignKeyWidened
    } else if o == "primary key" {
        ChangeKind::KeyWidened
    } else if o.starts_with("UNIQUE") || o.starts_with("unique index") {
        ChangeKind::UniquePerTenant
    } else if o.starts_with("column ") && r.starts_with("added for Citus") {
        ChangeKind::ColumnAdded
    } else {
        ChangeKind::Placement
    }
}

/// The schema rewritten for the plan's distribution (`resolve::rewrite_for_citus`): where each
/// table goes and every change, each a note or a warning of the engine's. Only what the
/// distribution adds: the plan's other notes and warnings are the table's own (the mapping
/// shows them).
#[tauri::command]
pub fn distribution_rewrite(state: State<'_, AppState>, plan: Plan) -> IpcResult<DistributionRewrite> {
    let l = state.loaded()?;
    if plan.distribution.is_none() {
        return Ok(DistributionRewrite { placements: vec![], changes: vec![] });
    }
    let with = ferry_core::plan::resolve::planned_tables(&l.schema, &plan, plan.dialect)?;
    let without = ferry_core::plan::resolve::planned_tables(&l.schema, &Plan { distribution: None, ..plan.clone() }, plan.dialect)?;
    let mut placements = vec![];
    let mut changes = vec![];
    for t in &with {
        let before = without.iter().find(|b| b.source.name == t.source.name);
        let had = |w: &Warning, warning: bool| before.is_some_and(|b| if warning { b.warnings.contains(w) } else { b.notes.contains(w) });
        for (list, warning) in [(&t.notes, false), (&t.warnings, true)] {
            for w in list.iter().filter(|w| !had(w, warning)) {
                changes.push(RewriteChange { table: t.source.name.clone(), kind: kind_of(w), object: w.object.clone(), reason: w.reason.clone(), warning });
            }
        }
        if let Some(c) = &t.citus {
            placements.push(DistributionPlacement { table: t.source.name.clone(), target: t.name.clone(), role: c.role, column: c.column.clone(), colocate_with: c.colocate_with.clone() });
        }
    }
    Ok(DistributionRewrite { placements, changes })
}

#[cfg(test)]
mod tests {
    use super::super::safety::tests::{app, call, temp_dir};
    use super::*;
    use serde_json::{json, Value};
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use tauri::Manager;

    #[test]
    fn each_note_and_warning_of_the_rewrite_has_its_kind() {
        let w = |object: &str, reason: &str| Warning { table: Some("t".into()), object: object.into(), reason: reason.into() };
        // The objects and openings `resolve::rewrite_for_citus` writes.
        let cases = [
            (w("column tenant_id", "added for Citus: filled from orders.tenant_id through (order_id) → orders while loading"), ChangeKind::ColumnAdded),
            (w("primary key", "(id) made (tenant_id, id): Citus needs the distribution column"), ChangeKind::KeyWidened),
            (w("UNIQUE users_email_key", "made (account_id, email): Citus needs"), ChangeKind::UniquePerTenant),
            (w("unique index users_email", "made (account_id, email): Citus needs"), ChangeKind::UniquePerTenant),
            (w("foreign key (customer_id) → customers", "(customer_id) → customers (id) made (tenant_id, customer_id) → customers (tenant_id, id)"), ChangeKind::ForeignKeyWidened),
            (w("foreign key (owner_id) → users", "kept without ON DELETE SET NULL: Citus refuses it"), ChangeKind::ActionDropped),
            (w("foreign key (owner_id) → users", "kept without ON UPDATE CASCADE: Citus refuses it"), ChangeKind::ActionDropped),
            (w("foreign key (document_id) → documents", "not created: Citus keeps no foreign key from a local table to a distributed one"), ChangeKind::ForeignKeyLeftOff),
            (w("distribution of settings", "not distributed: it has no account_id"), ChangeKind::Placement),
            (w("distribution of events", "not co-located with orders: its tenant_id is text"), ChangeKind::Placement),
        ];
        for (warning, want) in cases {
            assert_eq!(kind_of(&warning), want, "{warning:?}");
        }
    }

    /// `shared/citus/cluster.sh` above the crate, or `FERRY_CITUS_SH` (as ferry-cli's
    /// it/citus.rs finds it).
    fn cluster_script() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("FERRY_CITUS_SH") {
            return Some(PathBuf::from(p)).filter(|p| p.is_file());
        }
        Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().map(|d| d.join("shared/citus/cluster.sh")).find(|p| p.is_file())
    }

    /// A database on every node of the test cluster (`cluster.sh createdb`), dropped at the end.
    struct CitusDb {
        sh: PathBuf,
        name: String,
        url: String,
        rt: tokio::runtime::Runtime,
    }

    impl CitusDb {
        fn new(sh: &Path) -> CitusDb {
            let out = Command::new(sh).arg("start").output().expect("cluster.sh runs");
            assert!(out.status.success(), "cluster.sh start: {}", String::from_utf8_lossy(&out.stderr));
            let name = format!("ferry_app_dist_{}", std::process::id());
            let out = Command::new(sh).args(["createdb", &name]).output().expect("cluster.sh runs");
            assert!(out.status.success(), "cluster.sh createdb {name}: {}", String::from_utf8_lossy(&out.stderr));
            let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
            CitusDb { sh: sh.to_path_buf(), name, url, rt: tokio::runtime::Runtime::new().unwrap() }
        }

        /// The first column of each row, as text.
        fn texts(&self, sql: &str) -> Vec<String> {
            use sqlx::{Connection, Row};
            self.rt.block_on(async {
                let mut c = sqlx::PgConnection::connect(&self.url).await.expect("the coordinator");
                let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(&mut c).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.iter().map(|r| r.try_get::<Option<String>, _>(0).unwrap().unwrap_or_default()).collect()
            })
        }
    }

    impl Drop for CitusDb {
        fn drop(&mut self) {
            let _ = Command::new(&self.sh).args(["dropdb", &self.name]).output();
        }
    }

    /// Rows per tenant over the tables that carry the column, counted in the file by SQL of the
    /// test's own: (distinct tenants, the largest's rows, all rows).
    fn tenants_in(source: &Path, tables: &[String]) -> (u64, u64, u64) {
        let c = rusqlite::Connection::open(source).unwrap();
        let union: Vec<String> = tables.iter().map(|t| format!("SELECT tenant_id FROM \"{t}\"")).collect();
        let sql = format!("SELECT count(*), COALESCE(max(n), 0), COALESCE(sum(n), 0) FROM (SELECT count(*) AS n FROM ({}) GROUP BY tenant_id)", union.join(" UNION ALL "));
        let (a, b, s): (i64, i64, i64) = c.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
        (a as u64, b as u64, s as u64)
    }

    #[test]
    fn distribution_through_ipc_is_proposed_read_saved_and_run_on_the_cluster() {
        let Some(sh) = cluster_script() else {
            eprintln!("skipped: no shared/citus/cluster.sh above {} and FERRY_CITUS_SH unset", env!("CARGO_MANIFEST_DIR"));
            return;
        };
        let db = CitusDb::new(&sh);
        let dir = temp_dir("distribute");
        let source = dir.join("demo.sqlite");
        ferry_core::demo::build(&source, 3000, true).expect("the demo builds");
        let (app_, w) = app(&dir.join("data"));
        app_.state::<AppState>().grants.grant_dropped(std::slice::from_ref(&dir));

        let src = source.display().to_string();
        call(&w, "open_source", json!({ "path": src })).expect("the source opens");
        let proposed = call(&w, "propose_plan", json!({ "dialect": "postgres" })).unwrap();
        let l = app_.state::<AppState>().loaded().unwrap();
        // No file open: the kind the page sends the user to Connections for.
        let (_bare, w0) = app(&dir.join("bare"));
        let calls = [
            ("distribution_choice", json!({})),
            ("propose_distribution", json!({ "plan": proposed, "column": "tenant_id" })),
            ("distribution_skew", json!({ "plan": proposed, "url": null })),
            ("distribution_rewrite", json!({ "plan": proposed })),
        ];
        for (cmd, args) in calls {
            assert_eq!(call(&w0, cmd, args).unwrap_err()["kind"], "no_source", "{cmd}");
        }

        // Proposed unasked: tenant_id, which most tables reference tenants by; first in the list.
        let choice = call(&w, "distribution_choice", json!({})).unwrap();
        let tables = l.schema.tables.len() as u64;
        assert_eq!(choice["proposed"]["column"], "tenant_id", "{choice}");
        assert_eq!(choice["proposed"]["references"], "tenants", "{choice}");
        let keyed = choice["proposed"]["tables"].as_u64().unwrap();
        assert!(keyed * 2 > tables && keyed < tables, "{choice}");
        assert_eq!(choice["tables"], tables);
        assert_eq!(choice["columns"][0], json!({ "column": "tenant_id", "tables": keyed }), "{choice}");

        // Chosen: the engine's distribution, every role and its evidence, in the plan.
        let plan = call(&w, "propose_distribution", json!({ "plan": proposed, "column": "tenant_id" })).expect("distributed by tenant_id");
        let engine = ferry_core::plan::distribute::propose(&l.schema, "tenant_id").unwrap();
        assert_eq!(plan["distribution"], serde_json::to_value(&engine).unwrap());
        assert_eq!(plan["tables"], proposed["tables"], "the rest of the plan is the user's");
        // A role chosen: kept, marked, the others placed around it; one a table cannot have,
        // refused with the engine's words, the plan as it was.
        let local_orders = call(&w, "propose_distribution", json!({ "plan": plan, "column": "tenant_id", "chosen": [{ "table": "orders", "role": "local" }] })).expect("orders local");
        let chosen = [ferry_core::plan::distribute::RoleChoice { table: "orders".into(), role: Role::Local }];
        let engine_local = ferry_core::plan::distribute::propose_with(&l.schema, "tenant_id", &chosen).unwrap();
        assert_eq!(local_orders["distribution"], serde_json::to_value(&engine_local).unwrap());
        // order_items was filled through orders: now through another way (products), or not.
        let order_items = engine_local.role("order_items").expect("order_items");
        assert_eq!(engine.role("order_items").unwrap().filled_from[0].parent, "orders");
        assert!(order_items.filled_from.iter().all(|h| h.parent != "orders"), "{order_items:?}");
        assert!(engine_local.role("orders").is_some_and(|r| r.chosen && r.role == Role::Local));
        let e = call(&w, "propose_distribution", json!({ "plan": plan, "column": "tenant_id", "chosen": [{ "table": "tenants", "role": "distributed" }] })).unwrap_err();
        assert!(e["kind"] == "invalid" && e["message"].as_str().unwrap().contains("tenants=distributed"), "{e}");
        // A column no table has: refused with the engine's words, naming the ones that key tables.
        let e = call(&w, "propose_distribution", json!({ "plan": plan, "column": "account_id" })).unwrap_err();
        assert_eq!(e["kind"], "invalid", "{e}");
        assert!(e["message"].as_str().unwrap().contains("no table has a column named account_id") && e["message"].as_str().unwrap().contains("tenant_id"), "{e}");
        // A MySQL plan: refused, Vitess named.
        let mut mysql = plan.clone();
        mysql["dialect"] = json!("mysql");
        let e = call(&w, "propose_distribution", json!({ "plan": mysql, "column": "tenant_id" })).unwrap_err();
        assert!(e["kind"] == "invalid" && e["message"].as_str().unwrap().contains("Vitess"), "{e}");
        // Turned off: no [distribution].
        let off = call(&w, "propose_distribution", json!({ "plan": plan, "column": null })).unwrap();
        assert!(off.get("distribution").is_none_or(Value::is_null), "{}", off["distribution"]);
        let e = call(&w, "distribution_skew", json!({ "plan": off, "url": db.url })).unwrap_err();
        assert_eq!(e["kind"], "invalid", "{e}");

        // The skew, as counted in the file by the test's own SQL, and the cluster's shards.
        let carriers: Vec<String> = engine.tables.iter().filter(|t| t.role == Role::Distributed && t.filled_from.is_empty()).map(|t| t.table.clone()).collect();
        let (tenants, largest, rows) = tenants_in(&source, &carriers);
        assert!(tenants > 1 && largest > 0 && rows > largest, "({tenants}, {largest}, {rows})");
        let skew = call(&w, "distribution_skew", json!({ "plan": plan, "url": db.url })).expect("the skew is read");
        assert_eq!((skew["tenants"].as_u64(), skew["largest"].as_u64(), skew["rows"].as_u64()), (Some(tenants), Some(largest), Some(rows)), "{skew}");
        let share = skew["largest_share"].as_f64().unwrap();
        assert!((share - largest as f64 * 100.0 / rows as f64).abs() < 1e-9, "{skew}");
        assert!(skew["text"].as_str().unwrap().starts_with(&format!("{tenants} distinct values of tenant_id")), "{skew}");
        assert_eq!(skew["cluster"], "Citus 13.2: coordinator and 2 workers", "{skew}");
        let shards = db.texts("SELECT current_setting('citus.shard_count')")[0].parse::<u64>().unwrap();
        assert_eq!(skew["shard_count"].as_u64(), Some(shards), "{skew}");
        assert!(skew["cluster_error"].is_null(), "{skew}");
        // Plain PostgreSQL, and a server not there: the skew still, the cluster said not read.
        let plain = std::env::var("FERRY_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let cases = [(plain.as_str(), "not a Citus cluster"), ("postgres://postgres@127.0.0.1:1/x?connect_timeout=2", "not reached")];
        for (url, want) in cases {
            let s = call(&w, "distribution_skew", json!({ "plan": plan, "url": url })).expect("the skew is read without the cluster");
            assert_eq!(s["tenants"].as_u64(), Some(tenants), "{url}");
            assert!(s["shard_count"].is_null() && s["cluster_error"].as_str().unwrap().contains(want), "{url}: {s}");
        }
        let s = call(&w, "distribution_skew", json!({ "plan": plan, "url": null })).unwrap();
        assert!(s["cluster"].is_null() && s["cluster_error"].is_null(), "{s}");

        // The rewrite: where each table goes, and each change in the engine's words.
        let rw = call(&w, "distribution_rewrite", json!({ "plan": plan })).expect("the rewrite is read");
        let placements = rw["placements"].as_array().unwrap();
        assert_eq!(placements.len() as u64, tables);
        let placed = |t: &str| placements.iter().find(|p| p["table"] == t).unwrap_or_else(|| panic!("{t} in {rw}")).clone();
        assert_eq!(placed("tenants")["role"], "reference");
        let anchor = placements.iter().find(|p| p["role"] == "distributed" && p["colocate_with"].is_null()).expect("the first distributed table")["target"].clone();
        for p in placements.iter().filter(|p| p["table"] != "tenants") {
            assert_eq!((&p["role"], &p["column"]), (&json!("distributed"), &json!("tenant_id")), "{p}");
            assert!(p["colocate_with"] == anchor || p["target"] == anchor, "co-located: {p}");
        }
        let changes = rw["changes"].as_array().unwrap();
        let has = |table: &str, kind: &str, words: &[&str]| changes.iter().any(|c| c["table"] == table && c["kind"] == kind && words.iter().all(|w| c.to_string().contains(w)));
        assert!(has("order_items", "column_added", &["orders.tenant_id"]), "{rw}");
        assert!(has("export_chunks", "column_added", &["export_jobs"]), "{rw}");
        assert!(has("orders", "key_widened", &["(tenant_id, id)"]), "{rw}");
        assert!(has("order_items", "foreign_key_widened", &["(tenant_id, order_id) → orders (tenant_id, id)"]), "{rw}");
        assert!(has("order_ingest_chunks", "action_dropped", &["ON DELETE SET NULL"]), "{rw}");
        assert!(changes.iter().all(|c| c["kind"] != "placement" && c["kind"] != "foreign_key_left_off"), "nothing left off in the demo: {rw}");
        // Warnings are what the source had and the target will not do; the rest lose nothing.
        assert!(changes.iter().filter(|c| c["kind"] == "action_dropped").all(|c| c["warning"] == true), "{rw}");
        assert!(changes.iter().filter(|c| c["kind"] == "key_widened" || c["kind"] == "column_added").all(|c| c["warning"] == false), "{rw}");
        // Only what the distribution adds: without it, nothing.
        let none = call(&w, "distribution_rewrite", json!({ "plan": off })).unwrap();
        assert_eq!(none, json!({ "placements": [], "changes": [] }));

        // Saved as the CLI writes it, and read back.
        let file = dir.join("plan.toml");
        call(&w, "save_plan", json!({ "plan": plan, "path": file.display().to_string() })).expect("the plan saves");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("[distribution]") && text.contains("column = \"tenant_id\""), "{text}");
        let back = call(&w, "open_plan", json!({ "path": file.display().to_string() })).expect("the plan reads back");
        assert_eq!(back["distribution"], plan["distribution"]);

        // The run distributes by it: roles as Citus has them, co-located, every item beside its order.
        let opts = json!({ "jobs": 2, "strict": false, "pg_schema": null, "backup_source": false });
        let outcome = call(&w, "start_run", json!({ "source": src, "url": db.url, "plan": back, "options": opts, "onEvent": "__CHANNEL__:7" })).expect("the run succeeds");
        assert!(outcome["id"].is_string(), "{outcome}");
        let citus = db.texts("SELECT table_name::text || ' ' || citus_table_type || ' ' || CASE WHEN citus_table_type = 'distributed' THEN distribution_column ELSE '' END FROM citus_tables ORDER BY 1");
        let want: Vec<String> = {
            let mut v: Vec<String> = placements.iter().map(|p| format!("{} {} {}", p["target"].as_str().unwrap(), p["role"].as_str().unwrap(), p["column"].as_str().unwrap_or(""))).collect();
            v.sort();
            v
        };
        assert_eq!(citus.iter().map(|s| s.trim_end().to_string()).collect::<Vec<_>>(), want.iter().map(|s| s.trim_end().to_string()).collect::<Vec<_>>());
        assert_eq!(db.texts("SELECT count(DISTINCT colocation_id)::text FROM citus_tables WHERE citus_table_type = 'distributed'"), ["1"]);
        let items: i64 = rusqlite::Connection::open(&source).unwrap().query_row("SELECT count(*) FROM order_items", [], |r| r.get(0)).unwrap();
        assert!(items > 0);
        assert_eq!(db.texts("SELECT count(*)::text FROM order_items i JOIN orders o ON o.tenant_id = i.tenant_id AND o.id = i.order_id"), [items.to_string()]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
