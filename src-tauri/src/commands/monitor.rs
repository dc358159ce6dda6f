//! Monitor: one snapshot of the target's health on demand (`ferry_core::monitor`), kept per
//! target in `<data_dir>/monitor/<target-key>.jsonl` (one snapshot a line) so the view can
//! plot them over time.

use crate::error::{ErrorKind, IpcError, IpcResult};
use crate::state::AppState;
use ferry_core::advise::Advice;
use ferry_core::monitor::{EnableOutcome, Snapshot};
use std::io::Write;
use std::path::PathBuf;
use tauri::State;

/// The file a target's snapshots are kept in: named by a hash of the target without its
/// password (and the PostgreSQL schema looked at), so no secret reaches a file name.
pub(crate) fn history_path(state: &AppState, url: &str, pg_schema: Option<&str>) -> PathBuf {
    state.data_dir.join("monitor").join(format!("{}.jsonl", target_key(url, pg_schema)))
}

/// A stable, file-safe key for a target: FNV-1a (64 bits) of its redacted URL and schema.
pub(crate) fn target_key(url: &str, pg_schema: Option<&str>) -> String {
    let text = format!("{}\n{}", super::audit::without_secret(url), pg_schema.unwrap_or(""));
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Takes one snapshot of the target at `url` and keeps it with that target's earlier ones.
#[tauri::command]
pub async fn monitor_snapshot(state: State<'_, AppState>, url: String, pg_schema: Option<String>) -> IpcResult<Snapshot> {
    state.grants.check_url(&url)?;
    let snap = ferry_core::monitor::snapshot(&url, pg_schema.as_deref()).await?;
    let path = history_path(&state, &url, pg_schema.as_deref());
    append(&path, &snap)?;
    Ok(snap)
}

/// What to fix in the target's database (`ferry_core::advise`): findings with their fix,
/// shown to be copied; nothing is run. The snapshots kept for the target judge its storage
/// growth.
#[tauri::command]
pub async fn monitor_advice(state: State<'_, AppState>, url: String, pg_schema: Option<String>) -> IpcResult<Advice> {
    state.grants.check_url(&url)?;
    let advice = ferry_core::advise::advise(&url).await?;
    let history = read_history(&history_path(&state, &url, pg_schema.as_deref()))?;
    let advice = ferry_core::advise::with_history(advice, &history);
    // Kept (the latest only) for the Checklist, which ticks TLS, archiving and statistics
    // from it; a copy that cannot be written costs the Checklist those ticks, not the advice.
    if let Err(e) = keep_advice(&advice_path(&state, &url, pg_schema.as_deref()), &advice) {
        eprintln!("ferry: warning: {}", e.message);
    }
    Ok(advice)
}

/// Where the latest advice for a target is kept: beside its snapshots.
pub(crate) fn advice_path(state: &AppState, url: &str, pg_schema: Option<&str>) -> PathBuf {
    state.data_dir.join("monitor").join(format!("{}.advice.json", target_key(url, pg_schema)))
}

fn keep_advice(path: &std::path::Path, advice: &Advice) -> IpcResult<()> {
    let fail = |e: std::io::Error| IpcError::new(ErrorKind::Io, format!("cannot keep the advice in {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("json.partial");
    std::fs::write(&tmp, serde_json::to_string(advice).expect("advice serializes")).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

/// The latest advice asked for the target at `url` (Monitor's Advice tab), or None when none
/// was (or its copy cannot be read: the Checklist then says it has none).
#[tauri::command]
pub fn latest_advice(state: State<'_, AppState>, url: String, pg_schema: Option<String>) -> IpcResult<Option<Advice>> {
    let path = advice_path(&state, &url, pg_schema.as_deref());
    match std::fs::read_to_string(&path) {
        Ok(t) => Ok(serde_json::from_str(&t).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(IpcError::new(ErrorKind::Io, format!("cannot read the advice in {}: {e}", path.display()))),
    }
}

/// Turns on the statements' statistics in the target's database when one statement can
/// (PostgreSQL: `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`, which the view shows
/// before a confirming click), or says that a server restart is needed instead. Written to
/// the audit log either way.
#[tauri::command]
pub async fn enable_statements(state: State<'_, AppState>, url: String) -> IpcResult<EnableOutcome> {
    state.grants.check_url(&url)?;
    let mut rec = super::audit::start(&state, "extension");
    rec.target(&url);
    rec.option("extension", "pg_stat_statements");
    let result = ferry_core::monitor::enable_statements(&url).await.map_err(IpcError::from);
    if let Ok(o) = &result {
        rec.option("ran", o.ran.clone());
    }
    super::audit::finish(rec, &result, |o| Some(o.message.clone()));
    result
}

fn append(path: &std::path::Path, snap: &Snapshot) -> IpcResult<()> {
    let fail = |e: std::io::Error| IpcError::new(ErrorKind::Io, format!("cannot keep the snapshot in {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut line = serde_json::to_string(snap).expect("a snapshot serializes");
    line.push('\n');
    std::fs::OpenOptions::new().create(true).append(true).open(path).and_then(|mut f| f.write_all(line.as_bytes())).map_err(fail)
}

/// The snapshots kept for the target at `url`, oldest first (empty when none was taken). A
/// line that is not a snapshot (a cut-off write) is skipped.
#[tauri::command]
pub fn monitor_history(state: State<'_, AppState>, url: String, pg_schema: Option<String>) -> IpcResult<Vec<Snapshot>> {
    read_history(&history_path(&state, &url, pg_schema.as_deref()))
}

pub(crate) fn read_history(path: &std::path::Path) -> IpcResult<Vec<Snapshot>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(IpcError::new(ErrorKind::Io, format!("cannot read the snapshots in {}: {e}", path.display()))),
    };
    Ok(text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_keys_ignore_the_password_and_tell_targets_apart() {
        let a = target_key("postgres://bob:one@db:5432/shop", None);
        assert_eq!(a, target_key("postgres://bob:two@db:5432/shop", None), "the password is not part of the key");
        assert_eq!(a, target_key("postgres://bob@db:5432/shop", None), "nor whether one was typed");
        assert_ne!(a, target_key("postgres://bob:one@db:5432/shop", Some("sales")));
        assert_ne!(a, target_key("postgres://bob:one@db:5432/shop2", None));
        assert_eq!(a.len(), 16);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }

    /// The advice Monitor asks for is kept, the latest only, per target (password aside), for
    /// the Checklist; another target has none.
    #[test]
    fn the_latest_advice_is_kept_per_target() {
        use super::super::safety::tests::{app, call, temp_dir, Db};
        use serde_json::json;
        let db = Db::new("advicekept");
        let dir = temp_dir("advicekept");
        let (_app, w) = app(&dir);
        assert_eq!(call(&w, "latest_advice", json!({ "url": db.url, "pgSchema": null })).unwrap(), serde_json::Value::Null, "none asked yet");
        call(&w, "monitor_advice", json!({ "url": db.url, "pgSchema": null })).expect("advice");
        let second = call(&w, "monitor_advice", json!({ "url": db.url, "pgSchema": null })).expect("advice again");
        let kept = call(&w, "latest_advice", json!({ "url": db.url, "pgSchema": null })).unwrap();
        assert_eq!(kept, second, "the latest, whole");
        let with_password = db.url.replacen("://postgres@", "://postgres:whatever@", 1);
        assert_eq!(call(&w, "latest_advice", json!({ "url": with_password, "pgSchema": null })).unwrap()["taken_at"], second["taken_at"]);
        assert_eq!(call(&w, "latest_advice", json!({ "url": format!("{}_other", db.url), "pgSchema": null })).unwrap(), serde_json::Value::Null);
        assert_eq!(call(&w, "latest_advice", json!({ "url": db.url, "pgSchema": "sales" })).unwrap(), serde_json::Value::Null);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
