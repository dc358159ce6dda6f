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
    pub source: Mutex<Option<Loaded>>,
    pub run: Mutex<Option<Events>>,
    /// What the command line asked to open at start: `ferry-app FILE` or `ferry-app --demo`.
    pub initial: Option<Initial>,
    /// The target the command line named (`--to URL`), to fill the connection form with.
    pub initial_target: Option<String>,
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

impl AppState {
    pub fn new(data_dir: PathBuf) -> AppState {
        AppState { data_dir, source: Mutex::new(None), run: Mutex::new(None), initial: None, initial_target: None }
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
    use super::{target_from_args, Initial};

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
}
