//! The target side: "Test connection".

use crate::error::IpcResult;
use crate::state::AppState;
use tauri::State;
use ferry_core::dialect::probe::ServerInfo;

/// Connects as a migration would and says what is there (server, version, empty or not,
/// whether the user may create tables), or exactly what failed.
#[tauri::command]
pub async fn test_connection(state: State<'_, AppState>, url: String, pg_schema: Option<String>) -> IpcResult<ServerInfo> {
    state.grants.check_url(&url)?;
    Ok(ferry_core::dialect::probe::probe(&url, pg_schema.as_deref()).await?)
}

/// The target the app was started with (`--to URL`), to fill the connection form; no secret is
/// kept beyond this answer.
#[tauri::command]
pub fn initial_target(state: State<'_, AppState>) -> Option<String> {
    state.initial_target.clone()
}
