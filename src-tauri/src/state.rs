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
}

impl AppState {
    pub fn new(data_dir: PathBuf) -> AppState {
        AppState { data_dir, source: Mutex::new(None), run: Mutex::new(None) }
    }

    pub fn runs_dir(&self) -> PathBuf {
        self.data_dir.join("runs")
    }

    pub fn loaded(&self) -> crate::error::IpcResult<Loaded> {
        self.source.lock().unwrap().clone().ok_or_else(|| crate::error::IpcError::new(crate::error::ErrorKind::NoSource, "open a SQLite file first"))
    }
}
