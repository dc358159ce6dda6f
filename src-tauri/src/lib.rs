//! Ferry's desktop shell: a thin Tauri layer over ferry-core.
//!
//! It owns the window, the commands the web front end (`ui/`) calls and the state they share.
//! It must not grow engine logic: a command converts its arguments, calls ferry-core and maps
//! the result (see `commands`).

#[cfg(test)]
mod bindings;
pub mod commands;
pub mod error;
pub mod idle;
pub mod paths;
pub mod state;
pub mod throttle;

use tauri::{Builder, Manager, Runtime};

/// Registers everything the app is made of on `builder`: plugins, state and commands.
/// Generic over the runtime so tests can run it on `tauri::test::mock_builder()`.
pub fn setup<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    use commands::*;
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(std::path::PathBuf::from);
            let dir = match env("FERRY_DATA_DIR") {
                Some(d) => d,
                None => app.path().app_data_dir()?,
            };
            let mut state = state::AppState::new(dir);
            state.audit_log = state::audit_log_path(env("FERRY_AUDIT_LOG"), env("FERRY_DATA_DIR"), ferry_core::audit::default_path);
            state.initial = state::Initial::from_args(std::env::args().skip(1));
            state.initial_target = state::target_from_args(std::env::args().skip(1));
            grant_command_line(&mut state);
            // Tests cannot click in a native dialog: a debug build answers the next dialogs
            // with these paths (`:`-separated), recorded as chosen exactly as a click would be.
            // Release builds leave this out, so nothing in a user's environment grants a path.
            #[cfg(debug_assertions)]
            if let Some(answers) = std::env::var_os("FERRY_TEST_PICKS") {
                state.grants.answers.lock().unwrap().extend(std::env::split_paths(&answers));
            }
            app.manage(state);
            idle::quiet();
            Ok(())
        })
        // Files dropped on the window were chosen by the user.
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                if let Some(state) = window.try_state::<state::AppState>() {
                    state.grants.grant_dropped(paths);
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            engine_version,
            source::open_source,
            source::demo_source,
            source::initial_source,
            target::initial_target,
            source::propose_plan,
            source::check_type,
            source::preview_tables,
            source::save_plan,
            source::open_plan,
            masks::propose_masks,
            masks::check_mask,
            masks::mask_problems,
            masks::mask_key_status,
            masks::make_mask_key,
            masks::use_mask_key_file,
            masks::forget_mask_key,
            production::propose_production,
            production::set_production_accept,
            access::access_offer,
            access::set_access,
            access::login_passwords,
            access::login_password,
            access::forget_login_password,
            distribute::distribution_choice,
            distribute::propose_distribution,
            distribute::distribution_skew,
            distribute::distribution_rewrite,
            bulk::bulk_preview,
            bulk::bulk_apply,
            bulk::bulk_undo,
            pick::pick_path,
            target::test_connection,
            connections::keyring_status,
            connections::list_connections,
            connections::save_connection,
            connections::forget_connection,
            connections::connection_password,
            runs::start_run,
            runs::cancel_run,
            runs::list_runs,
            runs::open_run,
            runs::open_run_file,
            check::run_preflight,
            check::schema_diff,
            monitor::monitor_snapshot,
            monitor::monitor_history,
            monitor::enable_statements,
            monitor::monitor_advice,
            monitor::latest_advice,
            safety::backup_target,
            safety::list_backups,
            safety::restore_backup,
            safety::rollback_run,
            safety::validate_run,
            safety::run_validation,
            safety::sync_run,
            safety::run_sync,
            safety::open_validation_html,
            audit::list_audit,
            audit::export_audit_csv,
            audit::checklist_state,
            audit::set_checklist_tick,
        ])
}

/// What the command line named was chosen by the user: the file to open (made absolute, so
/// the page opens the very file the shell recorded) and the files the `--to` URL names.
fn grant_command_line(state: &mut state::AppState) {
    if let Some(state::Initial::File(p)) = &state.initial {
        if let Ok(abs) = std::path::absolute(p) {
            let _ = state.grants.grant_file(&abs);
            state.initial = Some(state::Initial::File(abs));
        }
    }
    for f in state.initial_target.as_deref().map(paths::url_files).unwrap_or_default() {
        if let Ok(abs) = std::path::absolute(&f) {
            let _ = state.grants.grant_file(&abs);
        }
    }
}

/// Starts the desktop app and blocks until its last window closes.
pub fn run() {
    setup(Builder::default())
        .run(tauri::generate_context!())
        .expect("Ferry could not start its window");
}

#[cfg(test)]
mod tests {
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;
    use tauri::WebviewWindowBuilder;

    /// Where the app's own pages come from; IPC from anywhere else is refused.
    const APP_ORIGIN: &str = if cfg!(windows) {
        "http://tauri.localhost"
    } else {
        "tauri://localhost"
    };

    /// Calls `cmd` with no arguments from the app's own page in a mock window, through
    /// Tauri's real IPC path.
    fn invoke(cmd: &str) -> Result<tauri::ipc::InvokeResponseBody, serde_json::Value> {
        invoke_from(APP_ORIGIN, cmd)
    }

    /// Calls `cmd` as a page loaded from `origin` would.
    fn invoke_from(
        origin: &str,
        cmd: &str,
    ) -> Result<tauri::ipc::InvokeResponseBody, serde_json::Value> {
        let app = super::setup(mock_builder())
            .build(mock_context(noop_assets()))
            .expect("mock app builds");
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("mock window opens");
        get_ipc_response(
            &window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: origin.parse().unwrap(),
                body: InvokeBody::default(),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
    }

    #[test]
    fn engine_version_answers_through_ipc() {
        let body = invoke("engine_version").expect("engine_version succeeds");
        let version: String = body.deserialize().expect("a JSON string");
        assert_eq!(version, ferry_core::version());
    }

    #[test]
    fn unknown_command_is_refused() {
        assert!(invoke("no_such_command").is_err());
    }

    #[test]
    fn remote_pages_cannot_call_commands() {
        assert!(invoke_from("https://example.com", "engine_version").is_err());
    }
}
