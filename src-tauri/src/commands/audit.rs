//! The audit log (`ferry_core::audit`, the one the `ferry` command writes: `AppState::audit_log`):
//! every run, backup, restore, rollback and validation the app does is appended to it; the
//! view lists it (the command's entries too) and exports it as CSV. Also the migration
//! checklist's hand-ticked items, kept per project in `<data_dir>/checklist.json` (keyed by
//! the source's path and the target without secrets).

use crate::error::{ErrorKind, IpcError, IpcResult};
use crate::state::AppState;
use ferry_core::audit::{AuditEntry, Recorder};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tauri::State;
use ts_rs::TS;

/// The app's audit log.
pub(crate) fn log_path(state: &AppState) -> PathBuf {
    state.audit_log.clone()
}

/// Starts an entry for `action` in the app's log (write it with `finish`).
pub(crate) fn start(state: &AppState, action: &str) -> Recorder {
    Recorder::start(log_path(state), action)
}

/// Writes the entry with the command's outcome. The action already happened: a log that
/// cannot be written must not turn its success into an error, so that is only printed.
pub(crate) fn finish<T>(rec: Recorder, result: &IpcResult<T>, note: impl FnOnce(&T) -> Option<String>) {
    let outcome = match result {
        Ok(v) => Ok(note(v)),
        Err(e) => Err(e.message.clone()),
    };
    if let Err(e) = rec.finish(outcome) {
        eprintln!("ferry: warning: {e}");
    }
}

/// Every entry of the log, newest first.
#[tauri::command]
pub fn list_audit(state: State<'_, AppState>) -> IpcResult<Vec<AuditEntry>> {
    let mut all = ferry_core::audit::read(&log_path(&state))?;
    all.reverse();
    Ok(all)
}

/// Writes the whole log as CSV (RFC 4180) to `path`; returns how many entries it holds.
#[tauri::command]
pub fn export_audit_csv(state: State<'_, AppState>, path: String) -> IpcResult<usize> {
    state.chosen(&path, crate::paths::Access::Write)?;
    let entries = ferry_core::audit::read(&log_path(&state))?;
    let path = PathBuf::from(path);
    std::fs::write(&path, ferry_core::audit::to_csv(&entries)).map_err(|e| IpcError::new(ErrorKind::Io, format!("cannot write {}: {e}. Choose another place", path.display())))?;
    Ok(entries.len())
}

/// A checklist item ticked by hand, and when.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ManualTick {
    pub at: String,
}

/// The checklist's stored state for one project.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ChecklistState {
    /// The target without its password (the audit log shows `***` where one was given).
    pub target: String,
    /// Items ticked by hand, by item id.
    pub ticks: BTreeMap<String, ManualTick>,
}

type Ticks = BTreeMap<String, BTreeMap<String, ManualTick>>;

fn checklist_path(state: &AppState) -> PathBuf {
    state.data_dir.join("checklist.json")
}

/// The target without its password, the same whether one was typed or not.
pub(crate) fn without_secret(url: &str) -> String {
    ferry_core::dialect::redact(url).replacen(":***@", "@", 1)
}

/// A project's key: the source's path and the target without secrets.
pub(crate) fn project_key(source: &str, url: &str) -> String {
    format!("{source}\n{}", without_secret(url))
}

fn read_ticks(path: &Path) -> IpcResult<Ticks> {
    match std::fs::read_to_string(path) {
        Ok(t) => serde_json::from_str(&t).map_err(|e| IpcError::new(ErrorKind::Io, format!("{} cannot be read ({e}): remove it to start the checklists afresh", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ticks::new()),
        Err(e) => Err(e.into()),
    }
}

/// The hand-ticked items for the project of `source` and the target at `url`.
#[tauri::command]
pub fn checklist_state(state: State<'_, AppState>, source: String, url: String) -> IpcResult<ChecklistState> {
    let all = read_ticks(&checklist_path(&state))?;
    Ok(ChecklistState { target: without_secret(&url), ticks: all.get(&project_key(&source, &url)).cloned().unwrap_or_default() })
}

/// Ticks (or unticks) one item by hand for the project; returns the project's state.
#[tauri::command]
pub fn set_checklist_tick(state: State<'_, AppState>, source: String, url: String, item: String, ticked: bool) -> IpcResult<ChecklistState> {
    let path = checklist_path(&state);
    let mut all = read_ticks(&path)?;
    let key = project_key(&source, &url);
    let mine = all.entry(key.clone()).or_default();
    if ticked {
        mine.insert(item, ManualTick { at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true) });
    } else {
        mine.remove(&item);
    }
    if mine.is_empty() {
        all.remove(&key);
    }
    std::fs::create_dir_all(&state.data_dir)?;
    std::fs::write(&path, serde_json::to_string_pretty(&all).expect("ticks serialize"))?;
    Ok(ChecklistState { target: without_secret(&url), ticks: all.get(&key).cloned().unwrap_or_default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_keys_hold_no_password() {
        let k = project_key("/data/shop.sqlite", "postgres://bob:s3cret@db/shop");
        assert!(!k.contains("s3cret"), "{k}");
        assert_eq!(k, project_key("/data/shop.sqlite", "postgres://bob:other@db/shop"));
        assert_eq!(k, project_key("/data/shop.sqlite", "postgres://bob@db/shop"));
        assert_ne!(k, project_key("/data/other.sqlite", "postgres://bob:s3cret@db/shop"));
    }
}
