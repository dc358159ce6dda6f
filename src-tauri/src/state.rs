//! What the app's commands share: where its files live, the open SQLite file's schema (read
//! and profiled once), and the running migration's cancel handle.

use ferry_core::events::Events;
use ferry_core::schema::Schema;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The SQLite file the user opened, read and profiled.
#[derive(Clone)]
pub struct Loaded {
    pub path: PathBuf,
    pub schema: Arc<Schema>,
}

pub struct AppState {
    /// Saved connections, past runs, the demo database. `$FERRY_DATA_DIR` when set (tests use
    /// their own), else the platform's app data folder.
    pub data_dir: PathBuf,
    /// The audit log the app appends to (`audit_log_path`): the `ferry` command's, so that
    /// `ferry audit` and the app's Audit view list the same actions.
    pub audit_log: PathBuf,
    pub source: Mutex<Option<Loaded>>,
    pub run: Mutex<Option<Events>>,
    /// What the command line asked to open at start: `ferry-app FILE` or `ferry-app --demo`.
    pub initial: Option<Initial>,
    /// The target the command line named (`--to URL`), to fill the connection form with.
    pub initial_target: Option<String>,
    /// The files and folders the user chose in this session: the only paths commands take
    /// from the page besides Ferry's own folders (`paths`).
    pub grants: crate::paths::Grants,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Initial {
    Demo,
    File(PathBuf),
}

impl Initial {
    /// Reads the app's arguments (after the program's name): `--demo`, or a file's path
    /// (`--to URL` and its value are not a file).
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Option<Initial> {
        let mut out = None;
        let mut args = args.into_iter();
        while let Some(a) = args.next() {
            if a == "--to" {
                args.next();
            } else if a == "--demo" {
                out = Some(Initial::Demo);
            } else if !a.starts_with('-') && out.is_none() {
                out = Some(Initial::File(PathBuf::from(a)));
            }
        }
        out
    }
}

/// The value of `--to URL` among the app's arguments.
pub fn target_from_args(args: impl IntoIterator<Item = String>) -> Option<String> {
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        if a == "--to" {
            return args.next();
        }
        if let Some(v) = a.strip_prefix("--to=") {
            return Some(v.to_string());
        }
    }
    None
}

/// Where the app's audit log is: `$FERRY_AUDIT_LOG` when set (as for the `ferry` command);
/// else, with `$FERRY_DATA_DIR` set (a test's, or a second installation's, own folder),
/// `audit.jsonl` in it; else the `ferry` command's default (`ferry_core::audit::default_path`).
pub fn audit_log_path(audit_env: Option<PathBuf>, data_dir_env: Option<PathBuf>, default: impl FnOnce() -> PathBuf) -> PathBuf {
    match (audit_env, data_dir_env) {
        (Some(log), _) => log,
        (None, Some(dir)) => dir.join("audit.jsonl"),
        (None, None) => default(),
    }
}

impl AppState {
    /// State over `data_dir`, its audit log inside it (tests; the app's setup names the log).
    pub fn new(data_dir: PathBuf) -> AppState {
        let audit_log = data_dir.join("audit.jsonl");
        AppState { data_dir, audit_log, source: Mutex::new(None), run: Mutex::new(None), initial: None, initial_target: None, grants: Default::default() }
    }

    /// Ferry's own folders, which a path from the page may name to be read: the demo
    /// database, past runs (reports, plans, snapshots) and target backups.
    pub fn own_folders(&self) -> [PathBuf; 3] {
        [self.data_dir.join("demo"), self.runs_dir(), self.data_dir.join("backups")]
    }

    /// `path` from the page, if the user chose it (or it is in Ferry's folders, to read).
    pub fn chosen(&self, path: &str, access: crate::paths::Access) -> crate::error::IpcResult<PathBuf> {
        self.grants.check(path, access, &self.own_folders())
    }

    pub fn runs_dir(&self) -> PathBuf {
        self.data_dir.join("runs")
    }

    pub fn loaded(&self) -> crate::error::IpcResult<Loaded> {
        self.source.lock().unwrap().clone().ok_or_else(|| crate::error::IpcError::new(crate::error::ErrorKind::NoSource, "open a SQLite file first"))
    }
}

#[cfg(test)]
mod tests {
    use super::{audit_log_path, target_from_args, Initial};
    use std::path::PathBuf;

    #[test]
    fn arguments_name_what_to_open() {
        let cases: [(&[&str], Option<Initial>); 6] = [
            (&[], None),
            (&["--demo"], Some(Initial::Demo)),
            (&["shop.sqlite"], Some(Initial::File("shop.sqlite".into()))),
            (&["shop.sqlite", "--demo"], Some(Initial::Demo)),
            (&["--some-webview-flag"], None),
            (&["--to", "mysql://root@127.0.0.1/x", "--demo"], Some(Initial::Demo)),
        ];
        for (args, want) in cases {
            assert_eq!(Initial::from_args(args.iter().map(|s| s.to_string())), want, "{args:?}");
        }
        let target = |args: &[&str]| target_from_args(args.iter().map(|s| s.to_string()));
        assert_eq!(target(&["--demo", "--to", "mysql://root@h/db"]).as_deref(), Some("mysql://root@h/db"));
        assert_eq!(target(&["--to=postgres://u@h/db"]).as_deref(), Some("postgres://u@h/db"));
        assert_eq!(target(&["--demo"]), None);
    }

    #[test]
    fn the_audit_log_is_the_commands_unless_told_otherwise() {
        let default = || PathBuf::from("/home/u/.local/share/ferry/audit.jsonl");
        let p = |s: &str| Some(PathBuf::from(s));
        let cases = [
            (None, None, "/home/u/.local/share/ferry/audit.jsonl"),
            (p("/logs/a.jsonl"), None, "/logs/a.jsonl"),
            (p("/logs/a.jsonl"), p("/tmp/t"), "/logs/a.jsonl"),
            (None, p("/tmp/t"), "/tmp/t/audit.jsonl"),
        ];
        for (audit, data, want) in cases {
            assert_eq!(audit_log_path(audit.clone(), data.clone(), default), PathBuf::from(want), "{audit:?} {data:?}");
        }
    }
}
