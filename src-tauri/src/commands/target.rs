//! The target side: "Test connection".

use crate::error::IpcResult;
use ferry_core::target::probe::ServerInfo;

/// Connects as a migration would and says what is there (server, version, empty or not,
/// whether the user may create tables), or exactly what failed.
#[tauri::command]
pub async fn test_connection(url: String, pg_schema: Option<String>) -> IpcResult<ServerInfo> {
    Ok(ferry_core::target::probe::probe(&url, pg_schema.as_deref()).await?)
}
