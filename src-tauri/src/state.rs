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
}

#[derive(Debug, Clone, PartialEq)]
pub enum Initial {
    Demo,
    File(PathBuf),
}

impl Initial {
    /// Reads the app's arguments (after the program's name): `--demo`, or a file's path.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Option<Initial> {
        let mut out = None;
        for a in args {
            if a == "--demo" {
                out = Some(Initial::Demo);
            } else if !a.starts_with('-') && out.is_none() {
                out = Some(Initial::File(PathBuf::from(a)));
            }
        }
        out
    }
}

impl AppState {
    pub fn new(data_dir: PathBuf) -> AppState {
        AppState { data_dir, source: Mutex::new(None), run: Mutex::new(None), initial: None }
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
    use super::Initial;

    #[test]
    fn arguments_name_what_to_open() {
        let cases: [(&[&str], Option<Initial>); 5] = [
            (&[], None),
            (&["--demo"], Some(Initial::Demo)),
            (&["shop.sqlite"], Some(Initial::File("shop.sqlite".into()))),
            (&["shop.sqlite", "--demo"], Some(Initial::Demo)),
            (&["--some-webview-flag"], None),
        ];
        for (args, want) in cases {
            assert_eq!(Initial::from_args(args.iter().map(|s| s.to_string())), want, "{args:?}");
        }
    }
}
