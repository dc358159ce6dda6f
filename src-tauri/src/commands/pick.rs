//! The native file dialogs. The shell shows them (not the page, through the dialog plugin) so
//! that what the user chose is recorded (`paths::Grants`) before the page is told: the other
//! commands accept a path from the page only when it was chosen here, dropped on the window,
//! named on the command line, or lies in Ferry's own folders.

use crate::error::{ErrorKind, IpcError, IpcResult};
use crate::paths;
use crate::state::AppState;
use serde::Deserialize;
use std::ffi::OsString;
use std::path::PathBuf;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

/// What the dialog is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PickKind {
    /// A SQLite file to open.
    Sqlite,
    /// A plan (project file) to open.
    PlanOpen,
    /// Where to save the plan (`.toml` added when the name has another ending).
    PlanSave,
    /// Where to export the audit log (`.csv` added likewise).
    CsvSave,
    /// The CA certificate (PEM) that signs the target server's certificate.
    CaFile,
    /// A mask key file (the CLI's `--mask-key-file`), for a masked copy.
    MaskKey,
}

struct Spec {
    save: bool,
    title: &'static str,
    filters: &'static [(&'static str, &'static [&'static str])],
    /// The ending a saved file gets when its name has another.
    ending: Option<&'static str>,
}

fn spec(kind: PickKind) -> Spec {
    const ANY: (&str, &[&str]) = ("Any file", &["*"]);
    match kind {
        PickKind::Sqlite => Spec { save: false, title: "Choose a SQLite file", filters: &[("SQLite database", &["sqlite", "sqlite3", "db", "db3", "s3db", "sl3"]), ANY], ending: None },
        PickKind::PlanOpen => Spec { save: false, title: "Open a Ferry plan", filters: &[("Ferry plan", &["toml"]), ANY], ending: None },
        PickKind::PlanSave => Spec { save: true, title: "Save the plan", filters: &[("Ferry plan", &["toml"])], ending: Some("toml") },
        PickKind::CsvSave => Spec { save: true, title: "Export the audit log", filters: &[("CSV", &["csv"])], ending: Some("csv") },
        PickKind::MaskKey => Spec { save: false, title: "Choose the mask key file", filters: &[ANY], ending: None },
        PickKind::CaFile => Spec { save: false, title: "Choose the CA certificate", filters: &[("Certificate (PEM)", &["pem", "crt", "cer"]), ANY], ending: None },
    }
}

/// `path` with `.ending` added when its name ends otherwise (any case counts).
pub(crate) fn with_ending(path: PathBuf, ending: Option<&str>) -> PathBuf {
    let Some(ending) = ending else { return path };
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case(ending)) {
        return path;
    }
    let mut s = OsString::from(path);
    s.push(".");
    s.push(ending);
    PathBuf::from(s)
}

/// Shows the dialog for `kind`, opened at `suggested` (a file name, or a full path the user
/// typed) when given, and returns the chosen path, recorded as chosen; `None` when the user
/// cancels.
#[tauri::command]
pub async fn pick_path<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, kind: PickKind, suggested: Option<String>) -> IpcResult<Option<String>> {
    let spec = spec(kind);
    let Some(path) = ask(&app, &state, &spec, suggested).await? else { return Ok(None) };
    let path = with_ending(path, spec.ending);
    let text = paths::to_page(&path)?;
    state.grants.grant_file(&path)?;
    Ok(Some(text))
}

async fn ask<R: Runtime>(app: &AppHandle<R>, state: &AppState, spec: &Spec, suggested: Option<String>) -> IpcResult<Option<PathBuf>> {
    // Debug builds answer from `$FERRY_TEST_PICKS` (see `lib.rs`) while answers are left.
    #[cfg(debug_assertions)]
    if let Some(p) = state.grants.answers.lock().unwrap().pop_front() {
        return Ok(Some(p));
    }
    #[cfg(not(debug_assertions))]
    let _ = state;
    let mut b = app.dialog().file().set_title(spec.title);
    for (name, exts) in spec.filters {
        b = b.add_filter(*name, exts);
    }
    if let Some(s) = suggested.filter(|s| !s.trim().is_empty()) {
        let p = PathBuf::from(s.trim());
        match (p.is_absolute(), p.parent(), p.file_name()) {
            (true, Some(dir), Some(name)) => b = b.set_directory(dir).set_file_name(name.to_string_lossy()),
            _ => b = b.set_file_name(s.trim()),
        }
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let done = move |p| {
        let _ = tx.send(p);
    };
    if spec.save {
        b.save_file(done);
    } else {
        b.pick_file(done);
    }
    match rx.await.ok().flatten() {
        None => Ok(None),
        Some(f) => f.into_path().map(Some).map_err(|e| IpcError::new(ErrorKind::Invalid, format!("the dialog gave no file on this machine: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
    use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

    fn mock_app(data: &std::path::Path) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
        let app = crate::setup(mock_builder()).build(mock_context(noop_assets())).expect("mock app builds");
        app.manage(AppState::new(data.to_path_buf()));
        let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("mock window opens");
        (app, window)
    }

    fn call(w: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
        crate::commands::ipc_call(w, cmd, args)
    }

    /// The user's answer to the next dialog, as `$FERRY_TEST_PICKS` gives it in a debug build.
    fn answer(app: &App<MockRuntime>, path: &std::path::Path) {
        app.state::<AppState>().grants.answers.lock().unwrap().push_back(path.to_path_buf());
    }

    /// Through the real IPC: files the page names are refused until the user chose them in a
    /// dialog; a CA file in a URL too; a saved connection's CA file must have been chosen, and
    /// is chosen again when the list is read in a new session.
    #[test]
    fn commands_take_only_chosen_paths() {
        let dir = std::env::temp_dir().join(format!("ferry-app-pick-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let shop = dir.join("shop.sqlite");
        rusqlite::Connection::open(&shop).unwrap().execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);").unwrap();
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, "-----BEGIN CERTIFICATE-----\n").unwrap();
        let data = dir.join("data");
        let (app, w) = mock_app(&data);
        let s = |p: &std::path::Path| p.display().to_string();
        let refused = |r: Result<Value, Value>| {
            let e = r.expect_err("refused");
            assert_eq!(e["kind"], "not_chosen", "{e}");
            e["message"].as_str().unwrap().to_string()
        };

        let m = refused(call(&w, "open_source", json!({ "path": s(&shop) })));
        assert!(m.contains("shop.sqlite was not chosen") && m.contains("Choose button"), "{m}");
        refused(call(&w, "open_source", json!({ "path": format!("{}/../{}/shop.sqlite", s(&data), dir.file_name().unwrap().to_string_lossy()) })));
        answer(&app, &shop);
        assert_eq!(call(&w, "pick_path", json!({ "kind": "sqlite", "suggested": null })).unwrap(), json!(s(&shop)));
        let opened = call(&w, "open_source", json!({ "path": s(&shop) })).expect("a chosen file opens");
        assert_eq!(opened["schema"]["tables"][0]["name"], "t");

        // Saving: a save dialog's answer gets its ending, and only that file may be written.
        let plan = call(&w, "propose_plan", json!({ "dialect": "postgres" })).unwrap();
        let m = refused(call(&w, "save_plan", json!({ "plan": plan, "path": s(&dir.join("plan.toml")) })));
        assert!(m.contains("Save as"), "{m}");
        assert!(!dir.join("plan.toml").exists());
        answer(&app, &dir.join("plan"));
        assert_eq!(call(&w, "pick_path", json!({ "kind": "plan_save", "suggested": "plan.toml" })).unwrap(), json!(s(&dir.join("plan.toml"))));
        call(&w, "save_plan", json!({ "plan": plan, "path": s(&dir.join("plan.toml")) })).expect("saved where chosen");
        call(&w, "open_plan", json!({ "path": s(&dir.join("plan.toml")) })).expect("and opened again");
        refused(call(&w, "export_audit_csv", json!({ "path": s(&dir.join("plan.toml.csv")) })));

        // A URL naming a certificate file: refused before any connection is tried.
        let url = format!("postgres://postgres@127.0.0.1:1/x?sslmode=verify-full&sslrootcert={}", s(&ca));
        let m = refused(call(&w, "test_connection", json!({ "url": url, "pgSchema": null })));
        assert!(m.contains("ca.pem was not chosen"), "{m}");
        let conn = json!({ "name": "shop", "kind": "postgres", "host": "127.0.0.1", "port": 1, "database": "x", "user": "postgres", "tls": "verify-full", "ca_file": s(&ca), "schema": null, "password_saved": false });
        refused(call(&w, "save_connection", json!({ "connection": conn, "password": null })));
        answer(&app, &ca);
        call(&w, "pick_path", json!({ "kind": "ca_file", "suggested": null })).unwrap();
        let e = call(&w, "test_connection", json!({ "url": url, "pgSchema": null })).unwrap_err();
        assert_ne!(e["kind"], "not_chosen", "a chosen CA file passes on to the engine: {e}");
        assert_eq!(call(&w, "save_connection", json!({ "connection": conn, "password": null })).unwrap()["ca_file"], json!(s(&ca)));

        // A new session: the saved connection's CA file is usable once the list is read.
        drop((app, w));
        let (_app, w) = mock_app(&data);
        refused(call(&w, "test_connection", json!({ "url": url, "pgSchema": null })));
        assert_eq!(call(&w, "list_connections", json!({})).unwrap()[0]["ca_file"], json!(s(&ca)));
        assert_ne!(call(&w, "test_connection", json!({ "url": url, "pgSchema": null })).unwrap_err()["kind"], "not_chosen");
        // …but the SQLite file chosen in the last session is not.
        refused(call(&w, "open_source", json!({ "path": s(&shop) })));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn saved_files_get_their_ending() {
        let cases = [
            ("/h/plan", Some("toml"), "/h/plan.toml"),
            ("/h/plan.toml", Some("toml"), "/h/plan.toml"),
            ("/h/plan.TOML", Some("toml"), "/h/plan.TOML"),
            ("/h/audit.txt", Some("csv"), "/h/audit.txt.csv"),
            ("/h/v1.2/audit", Some("csv"), "/h/v1.2/audit.csv"),
            ("/h/shop.db", None, "/h/shop.db"),
        ];
        for (path, ending, want) in cases {
            assert_eq!(with_ending(PathBuf::from(path), ending), PathBuf::from(want), "{path}");
        }
    }
}
