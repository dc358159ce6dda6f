//! Opening a file with the desktop's own app (the HTML report in a browser), and saying so
//! when nothing could: on Linux the opener plugin starts `xdg-open` and returns at once, so a
//! launcher that finds no browser failed in silence. Here each launcher is watched: `xdg-open`,
//! then `gio open`, each for up to `WATCH`; one that exits with 0, or is still running then
//! (it started an app and waits for it), opened the file; one that exits otherwise, or is not
//! installed, did not. When none did, the error is `not_opened` with the file's path in
//! `detail`, for the UI to show and copy.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{ErrorKind, IpcError, IpcResult};

/// How long a launcher is watched before it counts as having started an app.
const WATCH: Duration = Duration::from_secs(4);

/// The launchers tried in turn: the program and the arguments before the path.
const LAUNCHERS: &[(&str, &[&str])] = &[("xdg-open", &[]), ("gio", &["open"])];

/// How one launcher fared.
#[derive(Debug, PartialEq)]
enum Tried {
    Opened,
    Failed(String),
}

/// Opens `path` with the desktop's own app, or says that nothing could.
#[cfg(target_os = "linux")]
pub(crate) fn open_path<R: tauri::Runtime>(_app: &tauri::AppHandle<R>, path: &Path) -> IpcResult<()> {
    open_with(LAUNCHERS, path, WATCH)
}

/// Elsewhere the opener plugin asks the system, which answers whether it could.
#[cfg(not(target_os = "linux"))]
pub(crate) fn open_path<R: tauri::Runtime>(app: &tauri::AppHandle<R>, path: &Path) -> IpcResult<()> {
    use tauri_plugin_opener::OpenerExt;
    app.opener().open_path(path.display().to_string(), None::<&str>).map_err(|e| not_opened(path, &[e.to_string()]))
}

/// Tries each launcher in turn until one opens `path`.
fn open_with(launchers: &[(&str, &[&str])], path: &Path, watch: Duration) -> IpcResult<()> {
    let mut failures = Vec::new();
    for (program, args) in launchers {
        match try_launcher(program, args, path, watch) {
            Tried::Opened => return Ok(()),
            Tried::Failed(why) => failures.push(format!("{program}: {why}")),
        }
    }
    Err(not_opened(path, &failures))
}

fn not_opened(path: &Path, failures: &[String]) -> IpcError {
    let tried = if failures.is_empty() { String::new() } else { format!(" ({})", failures.join("; ")) };
    let mut e = IpcError::new(ErrorKind::NotOpened, format!("Ferry could not open {}: no browser or other app started{tried}. The file is at {}", file_name(path), path.display()));
    e.detail = Some(path.display().to_string());
    e
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// Starts one launcher on `path` and watches it for up to `watch`.
fn try_launcher(program: &str, args: &[&str], path: &Path, watch: Duration) -> Tried {
    let mut child = match Command::new(program).args(args).arg(path).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Tried::Failed("not installed".into()),
        Err(e) => return Tried::Failed(e.to_string()),
    };
    let deadline = Instant::now() + watch;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Tried::Opened,
            Ok(Some(status)) => return Tried::Failed(status.code().map_or_else(|| status.to_string(), |c| format!("exit status {c}"))),
            Ok(None) if Instant::now() >= deadline => {
                // Still running: it started an app and waits for it. Reap it when it ends.
                std::thread::spawn(move || child.wait());
                return Tried::Opened;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Tried::Failed(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    /// A folder of launcher stubs, each a shell script with the given body.
    fn stubs(name: &str, scripts: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ferry-launch-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (program, body) in scripts {
            let file = dir.join(program);
            std::fs::write(&file, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    }

    #[test]
    fn each_launcher_is_watched_and_the_path_is_told_when_none_opens() {
        let dir = stubs("cases", &[("fails", "exit 3"), ("opens", "exit 0"), ("stays", "sleep 5")]);
        let at = |p: &str| dir.join(p).display().to_string();
        let report = Path::new("/runs/1/report.html");
        let watch = Duration::from_millis(600);
        // (launchers tried, opened?)
        let cases: Vec<(Vec<String>, bool)> = vec![
            (vec![at("fails"), at("opens")], true),
            (vec![at("stays")], true),
            (vec![at("fails"), at("missing")], false),
            (vec![], false),
        ];
        for (programs, want) in cases {
            let launchers: Vec<(&str, &[&str])> = programs.iter().map(|p| (p.as_str(), &[][..])).collect();
            let started = Instant::now();
            let got = open_with(&launchers, report, watch);
            assert_eq!(got.is_ok(), want, "{programs:?}: {got:?}");
            assert!(started.elapsed() < watch * 2 + Duration::from_millis(500), "{programs:?} took {:?}", started.elapsed());
            if let Err(e) = got {
                assert_eq!(e.kind, ErrorKind::NotOpened);
                assert_eq!(e.detail.as_deref(), Some("/runs/1/report.html"));
                assert!(e.message.starts_with("Ferry could not open report.html: no browser") && e.message.ends_with("The file is at /runs/1/report.html"), "{}", e.message);
                if !programs.is_empty() {
                    assert!(e.message.contains("exit status 3") && e.message.contains("not installed"), "{}", e.message);
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
