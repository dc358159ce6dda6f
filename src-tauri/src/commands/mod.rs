//! The `#[tauri::command]`s the front end calls (through `ui/src/lib/ipc.ts` only).
//!
//! Each is an adapter: convert the arguments, call ferry-core, map the result. No SQL and no
//! migration logic here; that all lives in the engine.

pub mod audit;
pub mod bulk;
pub mod check;
pub mod connections;
pub(crate) mod launch;
pub mod monitor;
pub mod pick;
pub mod runs;
pub mod safety;
pub mod source;
pub mod target;

/// The engine's version, as `ferry_core::version()` gives it.
#[tauri::command]
pub fn engine_version() -> String {
    ferry_core::version().to_owned()
}

/// Runs blocking engine work (SQLite reads, profiling) off the async runtime's threads.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> crate::error::IpcResult<T> + Send + 'static) -> crate::error::IpcResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| crate::error::IpcError::new(crate::error::ErrorKind::Other, format!("the task stopped: {e}")))?
}
