//! Migrations: start one (its events stream through a channel), cancel it, and the past runs
//! kept in the app's data folder — `runs/<id>/` holds `report.json`, `rejects.jsonl` when any
//! value was refused or changed, the plan it ran with, and the source's snapshot.

use crate::error::{ErrorKind, IpcError, IpcResult};
use crate::state::AppState;
use crate::throttle::Throttle;
use ferry_core::audit::AuditEntry;
use ferry_core::events::{Event, Events};
use ferry_core::plan::Plan;
use ferry_core::report::Report;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

/// Progress updates per table at most every this long.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RunOptions {
    /// Tables loaded at once.
    pub jobs: usize,
    /// Stop at the first value the target would refuse or change.
    pub strict: bool,
    /// PostgreSQL schema for the tables (made when missing).
    pub pg_schema: Option<String>,
    /// Take a snapshot of the SQLite file first (SQLite's online backup).
    pub backup_source: bool,
    /// Continue the unfinished run the target holds (its journal), as `ferry migrate --resume`:
    /// finished tables kept, the others loaded again, then what is left to build.
    #[serde(default)]
    pub resume: bool,
    /// A masked plan's key file (its path, chosen by the user; the CLI's `--mask-key-file`),
    /// where the system keyring does not keep the source's key. The key itself never crosses.
    #[serde(default)]
    pub mask_key_file: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RunOutcome {
    pub id: String,
    pub dir: String,
    pub report: Report,
    /// The source's snapshot, when one was taken.
    pub backup: Option<String>,
    /// The login users the run made (the plan's `[access]`), each with where its password
    /// is: the system keyring; the password itself only when the keyring refused it.
    pub logins: Vec<super::access::KeptLogin>,
}

/// One line per past run, for the list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RunSummary {
    pub id: String,
    pub started_at: String,
    pub source: String,
    pub target: String,
    pub target_server: String,
    pub completed: bool,
    pub exact: bool,
    pub tables: usize,
    pub rows_written: u64,
    pub rejected: u64,
    pub changed: u64,
    pub seconds: f64,
    pub error: Option<String>,
    /// When the run was rolled back (RFC 3339), as the audit log records it; what it made
    /// is then gone from the target.
    pub rolled_back: Option<String>,
}

/// What a run's folder can open with the system's own apps.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RunFile {
    /// The report as JSON.
    Report,
    /// Every rejected and changed value, one JSON object a line.
    Rejects,
    /// The run's folder.
    Folder,
    /// The report as one self-contained HTML page (written next to report.json).
    Html,
}

fn summary(id: &str, r: &Report) -> RunSummary {
    RunSummary {
        id: id.to_string(),
        started_at: r.started_at.clone(),
        source: r.source.clone(),
        target: r.target.clone(),
        target_server: r.target_server.clone(),
        completed: r.completed,
        exact: r.is_exact(),
        tables: r.tables.len(),
        rows_written: r.tables.values().map(|t| t.rows_written).sum(),
        rejected: r.rejected_count(),
        changed: r.changed_count(),
        seconds: r.seconds,
        error: r.error.clone(),
        rolled_back: None,
    }
}

/// When the run `id` (its report at `report`) was rolled back, as the audit log says: the
/// first rollback that succeeded naming it — by its id (the app's) or its report's path (the
/// `ferry rollback --report` command's).
fn rolled_back_at(log: &[AuditEntry], id: &str, report: &Path) -> Option<String> {
    let report = report.display().to_string();
    log.iter()
        .filter(|e| e.action == "rollback" && e.outcome == "ok")
        .find(|e| {
            let opt = |k: &str| e.options.get(k).and_then(|v| v.as_str());
            opt("run") == Some(id) || opt("report") == Some(report.as_str())
        })
        .map(|e| e.at.clone())
}

/// A run id that sorts by time and names a folder on every platform.
fn new_id(runs: &Path) -> String {
    let base = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    (0..)
        .map(|n| if n == 0 { base.clone() } else { format!("{base}-{n}") })
        .find(|id| !runs.join(id).exists())
        .expect("a free run id")
}

fn run_dir(state: &AppState, id: &str) -> IpcResult<PathBuf> {
    let ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let dir = state.runs_dir().join(id);
    if !ok || !dir.is_dir() {
        return Err(IpcError::new(ErrorKind::NotFound, format!("no run {id:?}")));
    }
    Ok(dir)
}

/// Migrates `source` into `url` with `plan`, streaming the engine's events (thinned) to
/// `on_event`. Resolves with the report when the run ends — finished, stopped by a refused
/// value under `strict`, or cancelled; rejects only when nothing was started (bad URL,
/// target not empty, …).
#[tauri::command]
pub async fn start_run(state: State<'_, AppState>, source: String, url: String, plan: Plan, options: RunOptions, on_event: Channel<Event>) -> IpcResult<RunOutcome> {
    state.chosen(&source, crate::paths::Access::Read)?;
    state.grants.check_url(&url)?;
    // A masked plan without its key is refused before anything starts.
    let mask_key = super::masks::key_for_plan(&state, Some(&plan), Path::new(&source), options.mask_key_file.as_deref())?;
    // Login users' passwords are kept in the keyring only: none, no run that makes them.
    super::access::check_keyring_for(&plan)?;
    let throttle = Mutex::new(Throttle::new(PROGRESS_EVERY));
    let events = Events::new(move |e| {
        if throttle.lock().unwrap().pass(&e, Instant::now()) {
            let _ = on_event.send(e);
        }
    });
    {
        let mut running = state.run.lock().unwrap();
        if running.is_some() {
            return Err(IpcError::new(ErrorKind::Busy, "a migration is already running: wait for it, or cancel it"));
        }
        *running = Some(events.clone());
    }
    let mut rec = super::audit::start(&state, "migrate");
    rec.source(Path::new(&source));
    rec.target(&url);
    rec.option("schema", options.pg_schema.clone());
    rec.option("jobs", options.jobs);
    rec.option("strict", options.strict);
    rec.option("backup_source", options.backup_source);
    if options.resume {
        rec.option("resume", true);
    }
    if let Some(k) = &mask_key {
        rec.option("masked_copy", true);
        rec.option("mask_key_fingerprint", k.fingerprint());
    }
    // The roles' and login users' names; never a password.
    if let Some(r) = plan.access.as_ref().and_then(|a| a.roles.as_ref()) {
        rec.option("roles", r.all().join(", "));
        if r.login {
            rec.option("login_users", r.all().iter().map(|n| ferry_core::access::Roles::login_of(n)).collect::<Vec<_>>().join(", "));
        }
    }
    if let Some(i) = plan.access.as_ref().and_then(|a| a.isolation.as_ref()) {
        rec.option("tenant_isolation", i.column.clone());
    }
    // Written now, so a run the app did not live to end still shows ("did not finish").
    if let Err(e) = rec.announce() {
        eprintln!("ferry: warning: {e}");
    }
    let result = run(&state, source, url, plan, options, mask_key, events).await;
    *state.run.lock().unwrap() = None;
    super::audit::finish(rec, &result, |o| {
        o.report.error.clone().map(|e| format!("Stopped early: {e}")).or_else(|| Some(run_note(&o.id, &o.report)))
    });
    result
}

/// How a finished run reads in the audit log: "Run 20260504-094107: 5 tables, 20,000 rows;
/// 12 rows refused, 3 values changed."
fn run_note(id: &str, r: &ferry_core::report::Report) -> String {
    use super::source::plural;
    let rows: u64 = r.tables.values().map(|t| t.rows_written).sum();
    let (refused, changed) = (r.rejected_count(), r.changed_count());
    let what = match (refused, changed) {
        (0, 0) => "nothing refused or changed".to_string(),
        (r, 0) => format!("{} refused", plural(r, "row", "rows")),
        (0, c) => format!("{} changed", plural(c, "value", "values")),
        (r, c) => format!("{} refused, {} changed", plural(r, "row", "rows"), plural(c, "value", "values")),
    };
    format!("Run {id}: {}, {}; {what}.", plural(r.tables.len() as u64, "table", "tables"), plural(rows, "row", "rows"))
}

async fn run(state: &AppState, source: String, url: String, plan: Plan, options: RunOptions, mask_key: Option<ferry_core::mask::MaskKey>, events: Events) -> IpcResult<RunOutcome> {
    let runs = state.runs_dir();
    std::fs::create_dir_all(&runs)?;
    let id = new_id(&runs);
    let dir = runs.join(&id);
    std::fs::create_dir_all(&dir)?;
    let outcome = async {
        let src = PathBuf::from(&source);
        let backup = if options.backup_source {
            let out = dir.join("source-backup");
            let b = super::blocking(move || Ok(ferry_core::backup::backup_source(&src, &out, |_, _| {})?)).await?;
            Some(b.path)
        } else {
            None
        };
        std::fs::write(dir.join("plan.toml"), plan.to_toml())?;
        let opts = ferry_core::copy::MigrateOptions {
            plan: Some(plan),
            plan_path: None,
            pg_schema: options.pg_schema,
            jobs: options.jobs.max(1),
            strict: options.strict,
            rejects: Some(dir.join("rejects.jsonl")),
            resume: options.resume,
            mask_key,
            ..Default::default()
        };
        let report = ferry_core::copy::migrate(Path::new(&source), &url, opts, events).await?;
        // The passwords first: a report that cannot be written must not lose them.
        let logins = super::access::keep_logins(&url, &report.logins);
        std::fs::write(dir.join("report.json"), report.to_json())?;
        Ok(RunOutcome { id: id.clone(), dir: dir.display().to_string(), report, backup, logins })
    }
    .await;
    if outcome.is_err() {
        // Nothing reached the target: no run to keep.
        let _ = std::fs::remove_dir_all(&dir);
    }
    outcome
}

/// Stops the running migration between batches; its report says how far it got.
#[tauri::command]
pub fn cancel_run(state: State<'_, AppState>) -> bool {
    match state.run.lock().unwrap().as_ref() {
        Some(e) => {
            e.cancel();
            true
        }
        None => false,
    }
}

/// Past runs, newest first, each marked when the audit log says it was rolled back.
#[tauri::command]
pub fn list_runs(state: State<'_, AppState>) -> IpcResult<Vec<RunSummary>> {
    let mut out = vec![];
    let Ok(entries) = std::fs::read_dir(state.runs_dir()) else { return Ok(out) };
    // A log that cannot be read marks nothing: the runs are still listed.
    let log = ferry_core::audit::read(&super::audit::log_path(&state)).unwrap_or_default();
    for e in entries.flatten() {
        let id = e.file_name().to_string_lossy().to_string();
        if let Ok(r) = read_report(&e.path()) {
            let mut s = summary(&id, &r);
            s.rolled_back = rolled_back_at(&log, &id, &e.path().join("report.json"));
            out.push(s);
        }
    }
    out.sort_by(|a, b| b.id.cmp(&a.id));
    Ok(out)
}

fn read_report(dir: &Path) -> IpcResult<Report> {
    let text = std::fs::read_to_string(dir.join("report.json"))?;
    serde_json::from_str(&text).map_err(|e| IpcError::new(ErrorKind::Io, format!("{}: the report cannot be read ({e})", dir.display())))
}

/// A past run's report.
#[tauri::command]
pub fn open_run(state: State<'_, AppState>, id: String) -> IpcResult<Report> {
    read_report(&run_dir(&state, &id)?)
}

/// Opens one of a run's files with the system's own app.
#[tauri::command]
pub fn open_run_file<R: tauri::Runtime>(app: tauri::AppHandle<R>, state: State<'_, AppState>, id: String, file: RunFile) -> IpcResult<()> {
    let dir = run_dir(&state, &id)?;
    let path = match file {
        RunFile::Report => dir.join("report.json"),
        RunFile::Rejects => dir.join("rejects.jsonl"),
        RunFile::Folder => dir.clone(),
        RunFile::Html => {
            let path = dir.join("report.html");
            std::fs::write(&path, ferry_core::html::run_report(&read_report(&dir)?))?;
            path
        }
    };
    if !path.exists() {
        return Err(IpcError::new(ErrorKind::NotFound, format!("{} is not there: this run refused and changed nothing", path.display())));
    }
    super::launch::open_path(&app, &path)
}

#[cfg(test)]
mod tests {
    use super::rolled_back_at;
    use ferry_core::audit::AuditEntry;
    use serde_json::json;
    use std::path::Path;

    fn entry(at: &str, action: &str, outcome: &str, options: serde_json::Value) -> AuditEntry {
        AuditEntry { at: at.into(), action: action.into(), outcome: outcome.into(), options: options.as_object().unwrap().clone(), ..Default::default() }
    }

    #[test]
    fn a_run_is_rolled_back_when_the_log_says_a_rollback_of_it_succeeded() {
        let report = Path::new("/data/runs/20260504-094107/report.json");
        let id = "20260504-094107";
        let cases: &[(&str, Vec<AuditEntry>, Option<&str>)] = &[
            ("nothing logged", vec![], None),
            ("the app's rollback, by id", vec![entry("t1", "rollback", "ok", json!({ "run": id }))], Some("t1")),
            ("the command's rollback, by report", vec![entry("t2", "rollback", "ok", json!({ "report": report.display().to_string() }))], Some("t2")),
            ("a failed rollback does not count", vec![entry("t1", "rollback", "failed", json!({ "run": id }))], None),
            ("another run's rollback", vec![entry("t1", "rollback", "ok", json!({ "run": "20260504-094108" }))], None),
            ("another run's report", vec![entry("t1", "rollback", "ok", json!({ "report": "/data/runs/other/report.json" }))], None),
            ("a migrate naming the run is no rollback", vec![entry("t1", "migrate", "ok", json!({ "run": id }))], None),
            (
                "a failed try, then one that worked",
                vec![entry("t1", "rollback", "failed", json!({ "run": id })), entry("t2", "rollback", "ok", json!({ "run": id }))],
                Some("t2"),
            ),
        ];
        for (what, log, want) in cases {
            assert_eq!(rolled_back_at(log, id, report).as_deref(), *want, "{what}");
        }
    }
}
