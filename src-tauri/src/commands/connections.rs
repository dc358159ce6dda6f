//! Saved connections: everything but the password in `connections.json` in the app's data
//! folder; the password in the OS keyring (Secret Service on Linux, Keychain, Credential
//! Manager). Where no keyring answers, nothing secret is stored and the UI asks each time.

use crate::error::{ErrorKind, IpcError, IpcResult};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use std::path::Path;
use tauri::State;
use ts_rs::TS;

/// The keyring's service name for every Ferry entry; the entry's user is the connection name.
const SERVICE: &str = "dev.ferry.desktop";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
pub struct SavedConnection {
    pub name: String,
    /// `postgres` or `mysql` (MySQL or MariaDB: the server says which).
    pub kind: String,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    /// `disable`, `prefer`, `require` or `verify-full`.
    pub tls: String,
    /// PostgreSQL schema for the tables.
    pub schema: Option<String>,
    /// Whether a password was put in the keyring for it.
    #[serde(default)]
    pub password_saved: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct KeyringStatus {
    pub available: bool,
    /// Why not, in words, when it is not.
    pub detail: Option<String>,
}

fn file(dir: &Path) -> std::path::PathBuf {
    dir.join("connections.json")
}

fn read_all(dir: &Path) -> IpcResult<Vec<SavedConnection>> {
    match std::fs::read_to_string(file(dir)) {
        Ok(s) => serde_json::from_str(&s).map_err(|e| IpcError::new(ErrorKind::Io, format!("{} is damaged ({e}); remove it to start again", file(dir).display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(vec![]),
        Err(e) => Err(e.into()),
    }
}

fn write_all(dir: &Path, all: &[SavedConnection]) -> IpcResult<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(".connections.json.partial");
    std::fs::write(&tmp, serde_json::to_string_pretty(all).expect("connections serialize"))?;
    std::fs::rename(&tmp, file(dir))?;
    Ok(())
}

fn keyring_error(e: keyring::Error) -> IpcError {
    IpcError { kind: ErrorKind::Keyring, message: "the system keyring did not answer: the password is not saved, Ferry will ask for it each time".into(), detail: Some(e.to_string()) }
}

fn entry(name: &str) -> IpcResult<keyring::Entry> {
    keyring::Entry::new(SERVICE, name).map_err(keyring_error)
}

/// Whether passwords can be kept in the OS keyring here.
#[tauri::command]
pub fn keyring_status() -> KeyringStatus {
    match keyring::Entry::store_status() {
        Ok(()) => KeyringStatus { available: true, detail: None },
        Err(e) => KeyringStatus {
            available: false,
            detail: Some(format!("no keyring service answers ({e}); on Linux that is the Secret Service of GNOME Keyring or KWallet")),
        },
    }
}

#[tauri::command]
pub fn list_connections(state: State<'_, AppState>) -> IpcResult<Vec<SavedConnection>> {
    read_all(&state.data_dir)
}

/// Saves (or replaces, by name) a connection; the password, when given, goes to the keyring
/// only. Returns the connection as saved: `password_saved` says whether the keyring took it.
#[tauri::command]
pub fn save_connection(state: State<'_, AppState>, connection: SavedConnection, password: Option<String>) -> IpcResult<SavedConnection> {
    let mut c = connection;
    c.password_saved = false;
    if let Some(pw) = password.filter(|p| !p.is_empty()) {
        if keyring::Entry::store_status().is_ok() {
            entry(&c.name)?.set_password(&pw).map_err(keyring_error)?;
            c.password_saved = true;
        }
    }
    let mut all = read_all(&state.data_dir)?;
    all.retain(|x| x.name != c.name);
    all.push(c.clone());
    all.sort_by(|a, b| a.name.cmp(&b.name));
    write_all(&state.data_dir, &all)?;
    Ok(c)
}

/// Forgets a connection and its keyring entry.
#[tauri::command]
pub fn forget_connection(state: State<'_, AppState>, name: String) -> IpcResult<()> {
    let mut all = read_all(&state.data_dir)?;
    let before = all.len();
    all.retain(|x| x.name != name);
    if all.len() == before {
        return Err(IpcError::new(ErrorKind::NotFound, format!("no saved connection {name:?}")));
    }
    if keyring::Entry::store_status().is_ok() {
        if let Ok(e) = entry(&name) {
            let _ = e.delete_credential();
        }
    }
    write_all(&state.data_dir, &all)
}

/// The saved password of a connection, or `None` when there is none (or no keyring).
#[tauri::command]
pub fn connection_password(name: String) -> IpcResult<Option<String>> {
    if keyring::Entry::store_status().is_err() {
        return Ok(None);
    }
    match entry(&name)?.get_password() {
        Ok(p) => Ok(Some(p)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(keyring_error(e)),
    }
}
