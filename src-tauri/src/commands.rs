//! The `#[tauri::command]`s the front end calls (through `ui/src/lib/ipc.ts` only).
//!
//! Each is a one-line adapter: convert the arguments, call ferry-core, map the result. No
//! SQL and no migration logic here; that all lives in the engine.

/// The engine's version, as `ferry_core::version()` gives it.
#[tauri::command]
pub fn engine_version() -> String {
    ferry_core::version().to_owned()
}
