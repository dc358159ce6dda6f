//! Safety around a run: target backups before it (`<data_dir>/backups/`), the list of every
//! backup (the source snapshots runs took and the target backups), restoring a target backup,
//! rolling a past run back, and validating a run against its source. Each appends to the
//! audit log. Adapters only: the engine (`ferry_core::{backup, restore, rollback, validate}`)
//! does the work.

use super::audit;
use super::source::plural;
use crate::error::{ErrorKind, IpcError, IpcResult};
use crate::state::AppState;
use ferry_core::backup::{SourceBackup, TargetBackup};
use ferry_core::plan::Plan;
use ferry_core::report::Report;
use ferry_core::restore::RestoreOutcome;
use ferry_core::rollback::RollbackOutcome;
use ferry_core::sync::{SyncOptions, SyncReport};
use ferry_core::validate::{ValidateOptions, ValidationReport};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

/// How often progress is sent at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// How far a target backup has got.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BackupStep {
    pub bytes: u64,
    /// Ferry's own dump: tables written and how many there are (0 for a native dump).
    pub tables_done: usize,
    pub tables_total: usize,
    /// The server's figure for the data's size on disk: a rough guide to the dump's size.
    pub size_estimate: u64,
}

/// Which side a backup is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BackupKind {
    /// A snapshot of the SQLite file, taken by a run before it started.
    Source,
    /// A dump of the target database (`Back up the target`).
    Target,
}

/// One backup in the list: its record, and the record's path (what `restore_backup` takes).
#[derive(Debug, Clone, Serialize, TS)]
pub struct BackupItem {
    pub kind: BackupKind,
    pub record: String,
    /// The run that took a source snapshot.
    pub run_id: Option<String>,
    pub taken_at: String,
    pub source_backup: Option<SourceBackup>,
    pub target_backup: Option<TargetBackup>,
}

/// Runs an engine future that is not `Send` (the dump tools' streams) on a blocking thread of
/// the same runtime, so the command's own future stays `Send`.
async fn off_thread<T: Send + 'static, F: std::future::Future<Output = ferry_core::error::Result<T>>>(make: impl FnOnce() -> F + Send + 'static) -> IpcResult<T> {
    let handle = tokio::runtime::Handle::current();
    let joined = tokio::task::spawn_blocking(move || handle.block_on(make())).await;
    joined.map_err(|e| IpcError::new(ErrorKind::Other, format!("the task stopped: {e}")))?.map_err(IpcError::from)
}

pub(crate) fn backups_dir(state: &AppState) -> PathBuf {
    state.data_dir.join("backups")
}

/// Backs up the target at `url` (PostgreSQL: `pg_schema`, `public` by default) into the app's
/// backups folder, with `pg_dump` / `mariadb-dump` when installed, else Ferry's own dump.
#[tauri::command]
pub async fn backup_target(state: State<'_, AppState>, url: String, pg_schema: Option<String>, on_progress: Channel<BackupStep>) -> IpcResult<TargetBackup> {
    state.grants.check_url(&url)?;
    let mut rec = audit::start(&state, "backup");
    rec.target(&url);
    rec.option("schema", pg_schema.clone());
    let out = backups_dir(&state);
    rec.option("out", out.display().to_string());
    let result = off_thread(move || async move {
        let mut last: Option<Instant> = None;
        ferry_core::backup::backup_target(&url, &out, pg_schema.as_deref(), None, move |p| {
            let now = Instant::now();
            if last.is_none_or(|t| now.duration_since(t) >= PROGRESS_EVERY) {
                last = Some(now);
                let _ = on_progress.send(BackupStep { bytes: p.bytes, tables_done: p.tables_done, tables_total: p.tables_total, size_estimate: p.size_estimate });
            }
        })
        .await
    })
    .await;
    audit::finish(rec, &result, |b| Some(format!("{}: {}, {}.", file_name(&b.path), plural(b.tables.len() as u64, "table", "tables"), ferry_core::backup::human_bytes(b.bytes))));
    result
}

/// Every backup the app holds, newest first: the target backups in `backups/` and the source
/// snapshots in each run's folder. Records that cannot be read are left out.
#[tauri::command]
pub fn list_backups(state: State<'_, AppState>) -> IpcResult<Vec<BackupItem>> {
    let mut out = vec![];
    for record in json_files(&backups_dir(&state)) {
        if let Some(b) = read_json::<TargetBackup>(&record).filter(|b| b.kind == "target") {
            out.push(BackupItem { kind: BackupKind::Target, record: record.display().to_string(), run_id: None, taken_at: b.taken_at.clone(), source_backup: None, target_backup: Some(b) });
        }
    }
    for run in std::fs::read_dir(state.runs_dir()).into_iter().flatten().flatten() {
        let id = run.file_name().to_string_lossy().to_string();
        for record in json_files(&run.path().join("source-backup")) {
            if let Some(b) = read_json::<SourceBackup>(&record) {
                out.push(BackupItem {
                    kind: BackupKind::Source,
                    record: record.display().to_string(),
                    run_id: Some(id.clone()),
                    taken_at: b.taken_at.clone(),
                    source_backup: Some(b),
                    target_backup: None,
                });
            }
        }
    }
    out.sort_by(|a, b| b.taken_at.cmp(&a.taken_at));
    Ok(out)
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return vec![] };
    entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect()
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Restores the target backup whose record is `record` (one the app lists) into `url`,
/// replacing the objects the backup holds; anything else there is left and named.
#[tauri::command]
pub async fn restore_backup(state: State<'_, AppState>, record: String, url: String, on_progress: Channel<String>) -> IpcResult<RestoreOutcome> {
    state.grants.check_url(&url)?;
    let record = PathBuf::from(record);
    // Compared resolved (`..` and links), so only a record in the backups folder itself passes.
    let resolved = crate::paths::resolve(&record).ok();
    let inside = resolved.zip(std::fs::canonicalize(backups_dir(&state)).ok()).is_some_and(|(r, d)| r.parent() == Some(d.as_path()));
    if !inside {
        return Err(IpcError::new(ErrorKind::NotFound, format!("{} is not one of the app's target backups", record.display())));
    }
    let mut rec = audit::start(&state, "restore");
    rec.target(&url);
    rec.option("backup", record.display().to_string());
    rec.option("replace", true);
    let result = off_thread(move || async move {
        ferry_core::restore::restore(&record, &url, true, |m| {
            let _ = on_progress.send(m.to_string());
        })
        .await
    })
    .await;
    audit::finish(rec, &result, |o| {
        let replaced = if o.dropped.is_empty() { String::new() } else { format!("; {} replaced", plural(o.dropped.len() as u64, "object", "objects")) };
        Some(format!("Restored {} and {}{replaced}.", plural(o.tables.len() as u64, "table", "tables"), plural(o.views.len() as u64, "view", "views")))
    });
    result
}

fn run_dir(state: &AppState, id: &str) -> IpcResult<PathBuf> {
    let ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let dir = state.runs_dir().join(id);
    if !ok || !dir.join("report.json").is_file() {
        return Err(IpcError::new(ErrorKind::NotFound, format!("no run {id:?}")));
    }
    Ok(dir)
}

/// Removes exactly what the past run `id` created in the target at `url` (the database it
/// wrote to). Refuses when someone wrote to those tables since, unless `force`.
#[tauri::command]
pub async fn rollback_run(state: State<'_, AppState>, id: String, url: String, force: bool, on_progress: Channel<String>) -> IpcResult<RollbackOutcome> {
    state.grants.check_url(&url)?;
    let report = run_dir(&state, &id)?.join("report.json");
    let mut rec = audit::start(&state, "rollback");
    rec.target(&url);
    rec.option("run", id.clone());
    rec.option("report", report.display().to_string());
    rec.option("force", force);
    let result = ferry_core::rollback::rollback(&report, &url, force, |m| {
        let _ = on_progress.send(m.to_string());
    })
    .await
    .map_err(IpcError::from);
    // The login users it dropped take their passwords out of the keyring with them.
    if let Ok(o) = &result {
        super::access::forget_dropped(&url, &o.dropped);
    }
    audit::finish(rec, &result, |o| Some(rollback_note(&o.dropped, &o.emptied)));
    result
}

fn file_name(path: &str) -> String {
    Path::new(path).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| path.to_string())
}

/// What a rollback did, in words: "Dropped table orders, table customers; emptied table
/// items (the rows the run loaded)." — never "emptied nothing".
fn rollback_note(dropped: &[String], emptied: &[String]) -> String {
    let parts: Vec<String> = [
        (!dropped.is_empty()).then(|| format!("dropped {}", dropped.join(", "))),
        (!emptied.is_empty()).then(|| format!("emptied {} (the rows the run loaded)", emptied.join(", "))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        return "Nothing was left to undo: what the run made was already gone.".into();
    }
    let text = parts.join("; ");
    format!("{}{}.", text[..1].to_uppercase(), &text[1..])
}

/// The PostgreSQL schema a run wrote to, as its report's `created` list says.
fn run_schema(r: &Report) -> Option<String> {
    use ferry_core::report::CreatedKind;
    r.created.iter().find_map(|c| if c.kind == CreatedKind::Schema { Some(c.name.clone()) } else { c.schema.clone() })
}

/// Validates the past run `id`: its source against the target at `url`, with the plan it ran
/// with and its report (so refused rows count as expected). Keeps the result as
/// `validation.json` in the run's folder.
#[tauri::command]
pub async fn validate_run(state: State<'_, AppState>, id: String, url: String, pg_schema: Option<String>, mask_key_file: Option<String>) -> IpcResult<ValidationReport> {
    state.grants.check_url(&url)?;
    let dir = run_dir(&state, &id)?;
    let report_path = dir.join("report.json");
    let run: Report = ferry_core::rollback::load_report(&report_path)?;
    let mut rec = audit::start(&state, "validate");
    rec.source(Path::new(&run.source));
    rec.target(&url);
    rec.option("run", id.clone());
    let result = async {
        let plan_path = dir.join("plan.toml");
        let plan = if plan_path.is_file() { Some(Plan::load(&plan_path)?) } else { None };
        // A masked copy is compared through the same masks: the same key.
        let mask_key = super::masks::key_for_plan(&state, plan.as_ref().or(run.plan.as_ref()), Path::new(&run.source), mask_key_file.as_deref())?;
        let opts = ValidateOptions {
            plan,
            plan_path: plan_path.is_file().then(|| plan_path.display().to_string()),
            pg_schema: pg_schema.or_else(|| run_schema(&run)),
            jobs: 2,
            run_report: Some(run.clone()),
            run_report_path: Some(report_path.display().to_string()),
            distribute: None,
            mask_key,
        };
        let v = ferry_core::validate::validate(Path::new(&run.source), &url, opts).await?;
        std::fs::write(dir.join("validation.json"), v.to_json())?;
        Ok::<_, IpcError>(v)
    }
    .await;
    if let Ok(v) = &result {
        rec.option("clean", v.clean);
        rec.option("mismatches", v.mismatches);
    }
    audit::finish(rec, &result, |v| {
        Some(if v.clean {
            format!("The target matches: {} in {} compared.", plural(v.rows_compared, "row", "rows"), plural(v.tables.len() as u64, "table", "tables"))
        } else {
            format!("{} in {} compared.", plural(v.mismatches, "difference", "differences"), plural(v.rows_compared, "row", "rows"))
        })
    });
    result
}

/// Syncs the target at `url` with the past run `id`'s source as it is now (`ferry sync`): the
/// plan the run used (its `plan.toml`, else the one its report recorded); `dry_run` counts
/// and writes nothing. Keeps the result as `sync.json` in the run's folder.
#[tauri::command]
pub async fn sync_run(state: State<'_, AppState>, id: String, url: String, pg_schema: Option<String>, dry_run: bool) -> IpcResult<SyncReport> {
    state.grants.check_url(&url)?;
    let dir = run_dir(&state, &id)?;
    let report_path = dir.join("report.json");
    let run: Report = ferry_core::rollback::load_report(&report_path)?;
    let mut rec = audit::start(&state, "sync");
    rec.source(Path::new(&run.source));
    rec.target(&url);
    rec.option("run", id.clone());
    rec.option("dry_run", dry_run);
    let result = async {
        let plan_path = dir.join("plan.toml");
        let plan = if plan_path.is_file() { Some(Plan::load(&plan_path)?) } else { None };
        let opts = SyncOptions {
            plan,
            plan_path: plan_path.is_file().then(|| plan_path.display().to_string()),
            pg_schema: pg_schema.or_else(|| run_schema(&run)),
            jobs: 2,
            run_report: Some(run.clone()),
            run_report_path: Some(report_path.display().to_string()),
            dry_run,
        };
        let s = ferry_core::sync::sync(Path::new(&run.source), &url, opts).await?;
        std::fs::write(dir.join("sync.json"), s.to_json())?;
        Ok::<_, IpcError>(s)
    }
    .await;
    if let Ok(s) = &result {
        rec.option("changed", s.changed());
        rec.option("seconds", (s.seconds * 100.0).round() / 100.0);
    }
    audit::finish(rec, &result, |s| {
        Some(match (s.completed, s.dry_run, s.changed()) {
            (false, _, _) => format!("{} not synced.", plural(s.tables.iter().filter(|t| t.error.is_some()).count() as u64, "table", "tables")),
            (true, _, 0) => "Nothing to do: the target matches the file.".into(),
            (true, true, n) => format!("Dry run: {} would change.", plural(n, "row", "rows")),
            (true, false, n) => format!("{} changed.", plural(n, "row", "rows")),
        })
    });
    result
}

/// The last sync kept for the past run `id`, if it was synced.
#[tauri::command]
pub fn run_sync(state: State<'_, AppState>, id: String) -> IpcResult<Option<SyncReport>> {
    let path = run_dir(&state, &id)?.join("sync.json");
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    serde_json::from_str(&text).map(Some).map_err(|e| IpcError::new(ErrorKind::Io, format!("{}: the last sync cannot be read ({e}); sync again", path.display())))
}

/// The last validation kept for the past run `id`, if it was validated.
#[tauri::command]
pub fn run_validation(state: State<'_, AppState>, id: String) -> IpcResult<Option<ValidationReport>> {
    let path = run_dir(&state, &id)?.join("validation.json");
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)?;
    serde_json::from_str(&text).map(Some).map_err(|e| IpcError::new(ErrorKind::Io, format!("{}: the validation cannot be read ({e}); validate again", path.display())))
}

/// Writes the last validation of run `id` as one HTML page (`validation.html` in its folder)
/// and opens it with the system's browser.
#[tauri::command]
pub fn open_validation_html<R: tauri::Runtime>(app: tauri::AppHandle<R>, state: State<'_, AppState>, id: String) -> IpcResult<()> {
    let dir = run_dir(&state, &id)?;
    let Some(v) = run_validation(state, id.clone())? else {
        return Err(IpcError::new(ErrorKind::NotFound, format!("run {id} was not validated yet: validate it first")));
    };
    let path = dir.join("validation.html");
    std::fs::write(&path, ferry_core::html::validation(&v))?;
    super::launch::open_path(&app, &path)
}

/// The commands end to end through Tauri's real IPC (mock runtime, no window), against the
/// real PostgreSQL at `$FERRY_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`),
/// each test in a database of its own.
#[cfg(test)]
pub(crate) mod tests {
    use crate::state::AppState;
    use serde_json::{json, Value};
    use sqlx::Connection as _;
    use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
    use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};

    fn pg_admin() -> String {
        std::env::var("FERRY_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
    }

    /// A PostgreSQL database of the test's own, dropped when it ends.
    pub(crate) struct Db {
        name: String,
        pub(crate) url: String,
        rt: tokio::runtime::Runtime,
    }

    impl Db {
        pub(crate) fn new(tag: &str) -> Db {
            let name = format!("ferry_app_{tag}_{}", std::process::id());
            let rt = tokio::runtime::Runtime::new().unwrap();
            let admin = pg_admin();
            rt.block_on(async {
                let mut c = sqlx::PgConnection::connect(&admin).await.expect("the test PostgreSQL is running");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(&mut c).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut c).await.unwrap();
            });
            let mut u = url::Url::parse(&admin).unwrap();
            u.set_path(&name);
            Db { name, url: u.to_string(), rt }
        }

        fn exec(&self, sql: &str) {
            self.rt.block_on(async {
                let mut c = sqlx::PgConnection::connect(&self.url).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut c).await.unwrap();
            });
        }

        pub(crate) fn query(&self, sql: &str) -> Vec<String> {
            self.rt.block_on(async {
                let mut c = sqlx::PgConnection::connect(&self.url).await.unwrap();
                sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(&mut c).await.unwrap()
            })
        }
    }

    impl Drop for Db {
        fn drop(&mut self) {
            let admin = pg_admin();
            let name = self.name.clone();
            self.rt.block_on(async {
                if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(&mut c).await;
                }
            });
        }
    }

    /// The app as `setup` builds it, its data in `data_dir`.
    pub(crate) fn app(data_dir: &std::path::Path) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
        let app = crate::setup(mock_builder()).build(mock_context(noop_assets())).expect("mock app builds");
        // The mock runtime never runs `setup`'s hook (no event loop): the state is the test's.
        app.manage(AppState::new(data_dir.to_path_buf()));
        assert_eq!(app.state::<AppState>().data_dir, data_dir, "the app uses the test's data folder");
        let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("mock window opens");
        (app, window)
    }

    pub(crate) fn call(w: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
        crate::commands::ipc_call(w, cmd, args)
    }

    pub(crate) fn temp_dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("ferry-app-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// `shop.sqlite` in `dir`: two customers and their three orders.
    fn small_shop(dir: &std::path::Path) -> std::path::PathBuf {
        let source = dir.join("shop.sqlite");
        rusqlite::Connection::open(&source)
            .unwrap()
            .execute_batch(
                "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
                 CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total NUMERIC(10,2));
                 INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace');
                 INSERT INTO orders VALUES (1, 1, 10.50), (2, 2, 7.25), (3, 1, 1.00);",
            )
            .unwrap();
        source
    }

    #[test]
    fn run_validate_back_up_roll_back_restore_and_audit_against_postgres() {
        let db = Db::new("safety");
        let dir = temp_dir("safety");
        let data = dir.join("data");
        let source = small_shop(&dir);
        let (app_, w) = app(&data);
        // The test's folder, as if dropped on the window: its files were chosen by the user.
        app_.state::<AppState>().grants.grant_dropped(std::slice::from_ref(&dir));
        let url = db.url.clone();
        let src = source.display().to_string();

        // A run, as the Run view starts it.
        call(&w, "open_source", json!({ "path": src })).expect("the source opens");
        let plan = call(&w, "propose_plan", json!({ "dialect": "postgres" })).unwrap();
        let opts = json!({ "jobs": 1, "strict": false, "pg_schema": null, "backup_source": true });
        let outcome = call(&w, "start_run", json!({ "source": src, "url": url, "plan": plan, "options": opts, "onEvent": "__CHANNEL__:7" })).expect("the run succeeds");
        let id = outcome["id"].as_str().unwrap().to_string();
        assert_eq!(db.query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"), ["customers", "orders"]);

        // The HTML run report is written next to report.json (opening it fails without a desktop: fine).
        let _ = call(&w, "open_run_file", json!({ "id": id, "file": "html" }));
        let html = std::fs::read_to_string(data.join("runs").join(&id).join("report.html")).expect("report.html written");
        assert!(html.contains("customers") && !html.contains("<script"), "a self-contained page");

        // Validation: clean, kept in the run's folder.
        let v = call(&w, "validate_run", json!({ "id": id, "url": url, "pgSchema": null })).expect("validation runs");
        assert_eq!(v["clean"], true, "{v}");
        assert_eq!(v["rows_compared"], 5);
        let kept = call(&w, "run_validation", json!({ "id": id })).unwrap();
        assert_eq!(kept["clean"], true);

        // A target backup, listed beside the run's source snapshot.
        let b = call(&w, "backup_target", json!({ "url": url, "pgSchema": null, "onProgress": "__CHANNEL__:8" })).expect("the backup succeeds");
        assert_eq!(b["tables"], json!(["customers", "orders"]));
        let list = call(&w, "list_backups", json!({})).unwrap();
        let kinds: Vec<&str> = list.as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "target").count(), 1, "{list}");
        assert_eq!(kinds.iter().filter(|k| **k == "source").count(), 1, "{list}");
        let record = list.as_array().unwrap().iter().find(|i| i["kind"] == "target").unwrap()["record"].as_str().unwrap().to_string();

        // Roll the run back: exactly its two tables go, and the run list says so.
        let marked = |w: &WebviewWindow<MockRuntime>| call(w, "list_runs", json!({})).unwrap()[0]["rolled_back"].clone();
        assert_eq!(marked(&w), Value::Null, "not rolled back yet");
        let rb = call(&w, "rollback_run", json!({ "id": id, "url": url, "force": false, "onProgress": "__CHANNEL__:9" })).expect("the rollback succeeds");
        assert!(marked(&w).as_str().is_some_and(|at| at.starts_with("20")), "the run is marked rolled back: {}", marked(&w));
        let mut dropped: Vec<String> = serde_json::from_value(rb["dropped"].clone()).unwrap();
        dropped.sort();
        assert_eq!(dropped, ["table customers", "table orders"]);
        assert!(db.query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'").is_empty());

        // Restore the backup: the rows are back.
        call(&w, "restore_backup", json!({ "record": record, "url": url, "onProgress": "__CHANNEL__:10" })).expect("the restore succeeds");
        assert_eq!(db.query("SELECT count(*)::text FROM orders"), ["3"]);
        // A record outside the app's backups folder is refused.
        let e = call(&w, "restore_backup", json!({ "record": dir.join("x.json").display().to_string(), "url": url, "onProgress": "__CHANNEL__:11" })).unwrap_err();
        assert_eq!(e["kind"], "not_found");

        // A rollback aimed at another server is refused with the engine's message, and audited.
        let bad = url.replace("127.0.0.1:5432", "127.0.0.1:1");
        let e = call(&w, "rollback_run", json!({ "id": id, "url": bad, "force": false, "onProgress": "__CHANNEL__:12" })).unwrap_err();
        assert!(e["message"].as_str().unwrap().contains("give the URL of the database that run wrote to"), "{e}");

        // The audit log: every action, newest first, with outcomes, and no password anywhere.
        let log = call(&w, "list_audit", json!({})).unwrap();
        let actions: Vec<(String, String)> = log.as_array().unwrap().iter().map(|e| (e["action"].as_str().unwrap().into(), e["outcome"].as_str().unwrap().into())).collect();
        let want: Vec<(String, String)> =
            [("rollback", "failed"), ("restore", "ok"), ("rollback", "ok"), ("backup", "ok"), ("validate", "ok"), ("migrate", "ok")].iter().map(|(a, o)| (a.to_string(), o.to_string())).collect();
        assert_eq!(actions, want);
        assert_eq!(log[4]["options"]["clean"], true);
        assert_eq!(log[5]["source_sha256"].as_str().unwrap().len(), 64);
        let csv = dir.join("audit.csv");
        assert_eq!(call(&w, "export_audit_csv", json!({ "path": csv.display().to_string() })).unwrap(), 6);
        let text = std::fs::read_to_string(&csv).unwrap();
        assert!(text.starts_with("at,action,outcome"));
        assert_eq!(text.lines().count(), 7);

        // Hand ticks are kept per project, under a key without the password.
        let with_pw = url.replace("postgres@", "postgres:s3cret@");
        call(&w, "set_checklist_tick", json!({ "source": src, "url": with_pw, "item": "smoke", "ticked": true })).unwrap();
        let st = call(&w, "checklist_state", json!({ "source": src, "url": url })).unwrap();
        assert!(st["ticks"]["smoke"]["at"].is_string(), "{st}");
        assert!(call(&w, "checklist_state", json!({ "source": "/other.sqlite", "url": url })).unwrap()["ticks"].as_object().unwrap().is_empty());
        for f in ["audit.jsonl", "checklist.json"] {
            assert!(!std::fs::read_to_string(data.join(f)).unwrap().contains("s3cret"), "{f}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The Cutover view's sync: a dry run counts and writes nothing, "Sync now" writes, the
    /// result is kept with the run, a second sync has nothing to do, each is audited.
    #[test]
    fn a_run_is_synced_through_ipc() {
        let db = Db::new("cutover");
        let dir = temp_dir("cutover");
        let data = dir.join("data");
        let source = small_shop(&dir);
        let c = rusqlite::Connection::open(&source).unwrap();
        let (app_, w) = app(&data);
        app_.state::<AppState>().grants.grant_dropped(std::slice::from_ref(&dir));
        let (url, src) = (db.url.clone(), source.display().to_string());
        call(&w, "open_source", json!({ "path": src })).expect("the source opens");
        let plan = call(&w, "propose_plan", json!({ "dialect": "postgres" })).unwrap();
        let opts = json!({ "jobs": 1, "strict": false, "pg_schema": null, "backup_source": false });
        let id = call(&w, "start_run", json!({ "source": src, "url": url, "plan": plan, "options": opts, "onEvent": "__CHANNEL__:7" })).expect("the run succeeds")["id"].as_str().unwrap().to_string();
        assert_eq!(call(&w, "run_sync", json!({ "id": id })).unwrap(), Value::Null, "not synced yet");

        // The application goes on writing.
        c.execute_batch("INSERT INTO customers VALUES (3, 'Edsger'); UPDATE orders SET total = 8.75 WHERE id = 2; DELETE FROM orders WHERE id = 3;").unwrap();
        drop(c);
        let changed = |r: &Value| r["tables"].as_array().unwrap().iter().map(|t| (t["table"].as_str().unwrap().to_string(), t["inserted"].as_u64().unwrap(), t["updated"].as_u64().unwrap(), t["deleted"].as_u64().unwrap())).collect::<Vec<_>>();
        let want = vec![("customers".to_string(), 1, 0, 0), ("orders".to_string(), 0, 1, 1)];
        let dry = call(&w, "sync_run", json!({ "id": id, "url": url, "pgSchema": null, "dryRun": true })).expect("the dry run");
        assert_eq!((changed(&dry), dry["dry_run"].clone()), (want.clone(), json!(true)), "{dry}");
        assert_eq!(db.query("SELECT count(*)::text FROM orders"), ["3"], "the dry run wrote nothing");
        let done = call(&w, "sync_run", json!({ "id": id, "url": url, "pgSchema": null, "dryRun": false })).expect("the sync");
        assert_eq!(changed(&done), want, "{done}");
        assert_eq!(db.query("SELECT string_agg(id || '=' || total, ',' ORDER BY id) FROM orders"), ["1=10.50,2=8.75"]);
        assert_eq!(call(&w, "run_sync", json!({ "id": id })).unwrap()["started_at"], done["started_at"], "kept with the run");
        let again = call(&w, "sync_run", json!({ "id": id, "url": url, "pgSchema": null, "dryRun": false })).expect("the second sync");
        assert!(changed(&again).iter().all(|(_, i, u, d)| i + u + d == 0), "{again}");
        let v = call(&w, "validate_run", json!({ "id": id, "url": url, "pgSchema": null })).expect("validation runs");
        assert_eq!(v["clean"], true, "{v}");

        let log = call(&w, "list_audit", json!({})).unwrap();
        // (dry run, rows changed, message), newest first; the log leaves a false option out.
        let syncs: Vec<(bool, Value, String)> = log.as_array().unwrap().iter().filter(|e| e["action"] == "sync").map(|e| (e["options"]["dry_run"] == json!(true), e["options"]["changed"].clone(), e["message"].as_str().unwrap_or("").to_string())).collect();
        assert_eq!(
            syncs,
            [(false, json!(0), "Nothing to do: the target matches the file.".to_string()), (false, json!(3), "3 rows changed.".to_string()), (true, json!(3), "Dry run: 3 rows would change.".to_string())]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn monitor_snapshots_are_kept_per_target() {
        let db = Db::new("monitor");
        let dir = temp_dir("monitor");
        db.exec("CREATE TABLE t (id int PRIMARY KEY, v text); CREATE INDEX t_v ON t (v)");
        let (_app, w) = app(&dir);
        let url = db.url.clone();
        assert_eq!(call(&w, "monitor_history", json!({ "url": url, "pgSchema": null })).unwrap(), json!([]));
        let s = call(&w, "monitor_snapshot", json!({ "url": url, "pgSchema": null })).expect("a snapshot");
        assert!(s["server"].as_str().unwrap().starts_with("PostgreSQL"));
        let names: Vec<&str> = s["tables"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["t"]);
        call(&w, "monitor_snapshot", json!({ "url": url, "pgSchema": null })).unwrap();
        let h = call(&w, "monitor_history", json!({ "url": url, "pgSchema": null })).unwrap();
        assert_eq!(h.as_array().unwrap().len(), 2);
        // Another schema is another history.
        assert_eq!(call(&w, "monitor_history", json!({ "url": url, "pgSchema": "sales" })).unwrap(), json!([]));
        // A wrong database: the engine's kind and message.
        let e = call(&w, "monitor_snapshot", json!({ "url": format!("{url}_nope"), "pgSchema": null })).unwrap_err();
        assert_eq!(e["kind"], "no_database", "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The Advice tab's command: the engine's findings cross as they are, nothing is run.
    #[test]
    fn advice_crosses_the_ipc_and_changes_nothing() {
        let db = Db::new("advice");
        let dir = temp_dir("advice");
        db.exec("CREATE TABLE t (id int PRIMARY KEY, v text); CREATE INDEX t_v ON t (v); CREATE INDEX t_v_again ON t (v)");
        let (_app, w) = app(&dir);
        let a = call(&w, "monitor_advice", json!({ "url": db.url, "pgSchema": null })).expect("advice");
        // No snapshot kept yet: growth is not judged, and said so.
        assert!(a["unchecked"].as_array().unwrap().iter().any(|u| u["code"] == "storage_growth" && u["why"].as_str().unwrap().starts_with("needs snapshots")), "{a:#}");
        let dup: Vec<&Value> = a["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "duplicate_index").collect();
        assert_eq!(dup.len(), 1, "{a:#}");
        assert_eq!(dup[0]["objects"][0], "public.t.t_v_again");
        assert!(dup[0]["fix_sql"].as_str().unwrap().starts_with("DROP INDEX CONCURRENTLY"));
        // Shown, not run: the index is still there.
        let again = call(&w, "monitor_advice", json!({ "url": db.url, "pgSchema": null })).unwrap();
        assert_eq!(again["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "duplicate_index").count(), 1);
        let e = call(&w, "monitor_advice", json!({ "url": format!("{}_nope", db.url), "pgSchema": null })).unwrap_err();
        assert_eq!(e["kind"], "no_database", "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn mariadb_target_backup_and_snapshot_through_ipc() {
        let admin = std::env::var("FERRY_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
        let name = format!("ferry_app_my_{}", std::process::id());
        let rt = tokio::runtime::Runtime::new().unwrap();
        let exec = |sql: String, url: String| {
            rt.block_on(async {
                let mut c = sqlx::MySqlConnection::connect(&url).await.expect("the test MariaDB is running");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut c).await.unwrap();
            })
        };
        exec(format!("DROP DATABASE IF EXISTS {name}"), admin.clone());
        exec(format!("CREATE DATABASE {name}"), admin.clone());
        let url = format!("{}/{name}", admin.trim_end_matches('/'));
        exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO t VALUES (1, 'a'), (2, 'b')".into(), url.clone());
        let dir = temp_dir("mariadb");
        let (_app, w) = app(&dir);

        let s = call(&w, "monitor_snapshot", json!({ "url": url, "pgSchema": null })).expect("a snapshot");
        assert_eq!(s["database"], name.as_str());
        assert_eq!(s["tables"][0]["name"], "t");
        let b = call(&w, "backup_target", json!({ "url": url, "pgSchema": null, "onProgress": "__CHANNEL__:1" })).expect("the backup succeeds");
        assert_eq!(b["tables"], json!(["t"]));
        let list = call(&w, "list_backups", json!({})).unwrap();
        assert_eq!(list[0]["target_backup"]["sha256"], b["sha256"]);
        // A PostgreSQL schema on MariaDB: the engine's one line, audited as failed.
        let e = call(&w, "backup_target", json!({ "url": url, "pgSchema": "sales", "onProgress": "__CHANNEL__:2" })).unwrap_err();
        assert!(e["message"].as_str().unwrap().contains("--schema is for PostgreSQL"), "{e}");
        let log = call(&w, "list_audit", json!({})).unwrap();
        assert_eq!((log[0]["action"].as_str(), log[0]["outcome"].as_str()), (Some("backup"), Some("failed")));
        assert_eq!((log[1]["action"].as_str(), log[1]["outcome"].as_str()), (Some("backup"), Some("ok")));

        exec(format!("DROP DATABASE IF EXISTS {name}"), admin);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Monitor's "turn on pg_stat_statements": through real IPC against PostgreSQL, the
    /// statement the snapshot offered is run (or a restart is said to be needed), the next
    /// snapshot has nothing left to set up, and the audit log has the entry.
    #[test]
    fn statements_are_turned_on_on_request_and_audited() {
        let db = Db::new("pgss");
        let dir = temp_dir("pgss");
        let (app_, w) = app(&dir.join("data"));
        let url = db.url.clone();
        let snap = call(&w, "monitor_snapshot", json!({ "url": url, "pgSchema": null })).expect("a snapshot");
        let setup = snap["statements_setup"].clone();
        assert!(setup.is_object(), "a new database has no pg_stat_statements: {snap}");
        assert!(snap["stats"]["enough"] == json!(false), "a new database's statistics are young: {}", snap["stats"]);
        let outcome = call(&w, "enable_statements", json!({ "url": url })).expect("the command answers");
        if setup["restart"] == json!(true) {
            assert_eq!(outcome["enabled"], json!(false));
        } else {
            assert_eq!(outcome["ran"], json!("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"));
            assert_eq!(db.query("SELECT extname::text FROM pg_extension WHERE extname = 'pg_stat_statements'"), ["pg_stat_statements"]);
            let after = call(&w, "monitor_snapshot", json!({ "url": url, "pgSchema": null })).unwrap();
            assert_eq!(after["statements_setup"], Value::Null);
        }
        let log = ferry_core::audit::read(&app_.state::<AppState>().audit_log).unwrap();
        let e = log.iter().find(|e| e.action == "extension").expect("the audit log has the entry");
        assert_eq!((e.outcome.as_str(), e.options.get("extension")), ("ok", Some(&json!("pg_stat_statements"))));
        assert!(e.message.as_deref().is_some_and(|m| m.contains("pg_stat_statements")), "{:?}", e.message);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The audit log said "dropped …; emptied nothing".
    #[test]
    fn rollback_notes_read_as_sentences() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cases = [
            (s(&["table orders", "table customers"]), s(&[]), "Dropped table orders, table customers."),
            (s(&[]), s(&["table items"]), "Emptied table items (the rows the run loaded)."),
            (s(&["view recent"]), s(&["table items"]), "Dropped view recent; emptied table items (the rows the run loaded)."),
            (s(&[]), s(&[]), "Nothing was left to undo: what the run made was already gone."),
        ];
        for (dropped, emptied, want) in cases {
            assert_eq!(super::rollback_note(&dropped, &emptied), want);
        }
    }
}
