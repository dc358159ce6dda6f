//! The `#[tauri::command]`s the front end calls (through `ui/src/lib/ipc.ts` only).
//!
//! Each is an adapter: convert the arguments, call ferry-core, map the result. No SQL and no
//! migration logic here; that all lives in the engine.

pub mod access;
pub mod audit;
pub mod bulk;
pub mod check;
pub mod connections;
pub mod distribute;
pub(crate) mod launch;
pub mod masks;
pub mod monitor;
pub mod pick;
pub mod production;
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

/// For the commands' tests: calls `cmd` with `args` through Tauri's real IPC path, from the
/// app's own page as `ipc.ts` does; the command's answer, or its error, as JSON.
#[cfg(test)]
pub(crate) fn ipc_call(window: &tauri::WebviewWindow<tauri::test::MockRuntime>, cmd: &str, args: serde_json::Value) -> Result<serde_json::Value, serde_json::Value> {
    use tauri::ipc::{CallbackFn, InvokeBody};
    let origin = if cfg!(windows) { "http://tauri.localhost" } else { "tauri://localhost" };
    let req = tauri::webview::InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: origin.parse().expect("the page's origin"),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: tauri::test::INVOKE_KEY.to_string(),
    };
    tauri::test::get_ipc_response(window, req).map(|b| b.deserialize::<serde_json::Value>().expect("a JSON answer"))
}
