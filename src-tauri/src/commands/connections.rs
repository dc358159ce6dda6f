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
pub(crate) const SERVICE: &str = "dev.ferry.desktop";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
pub struct SavedConnection {
    pub name: String,
    /// `postgres` or `mysql` (MySQL or MariaDB: the server says which).
    pub kind: String,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    /// `disable`, `prefer`, `require`, `verify-ca` or `verify-full`.
    pub tls: String,
    /// The CA certificate (PEM) that verify-ca / verify-full check the server's against; the
    /// form puts it in the URL as `sslrootcert=` (PostgreSQL) or `ssl-ca=` (MySQL/MariaDB).
    #[serde(default)]
    pub ca_file: Option<String>,
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
    /// The keyring's own error text, for the "Details" toggle.
    pub raw: Option<String>,
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

pub(crate) fn keyring_error(e: keyring::Error) -> IpcError {
    let raw = e.to_string();
    IpcError { kind: ErrorKind::Keyring, message: crate::error::keyring_words(&raw).into(), detail: Some(raw) }
}

fn entry(name: &str) -> IpcResult<keyring::Entry> {
    keyring::Entry::new(SERVICE, name).map_err(keyring_error)
}

/// Whether passwords can be kept in the OS keyring here.
#[tauri::command]
pub fn keyring_status() -> KeyringStatus {
    match keyring::Entry::store_status() {
        Ok(()) => KeyringStatus { available: true, detail: None, raw: None },
        Err(e) => {
            let raw = e.to_string();
            KeyringStatus { available: false, detail: Some(crate::error::keyring_words(&raw).into()), raw: Some(raw) }
        }
    }
}

#[tauri::command]
pub fn list_connections(state: State<'_, AppState>) -> IpcResult<Vec<SavedConnection>> {
    let all = read_all(&state.data_dir)?;
    // Each CA file was chosen when its connection was saved (`save_connection` checks it).
    for ca in all.iter().filter_map(|c| c.ca_file.as_deref()) {
        let _ = state.grants.grant_file(Path::new(ca));
    }
    Ok(all)
}

/// Saves (or replaces, by name) a connection; the password, when given, goes to the keyring
/// only. Returns the connection as saved: `password_saved` says whether the keyring took it.
#[tauri::command]
pub fn save_connection(state: State<'_, AppState>, mut connection: SavedConnection, password: Option<String>) -> IpcResult<SavedConnection> {
    connection.ca_file = connection.ca_file.filter(|f| !f.trim().is_empty());
    if let Some(ca) = &connection.ca_file {
        state.chosen(ca, crate::paths::Access::Read)?;
    }
    save(&state.data_dir, connection, password)
}

/// Forgets a connection and its keyring entry.
#[tauri::command]
pub fn forget_connection(state: State<'_, AppState>, name: String) -> IpcResult<()> {
    forget(&state.data_dir, &name)
}

/// The saved password of a connection, or `None` when there is none (or no keyring).
#[tauri::command]
pub fn connection_password(name: String) -> IpcResult<Option<String>> {
    password(&name)
}

pub fn save(dir: &Path, connection: SavedConnection, password: Option<String>) -> IpcResult<SavedConnection> {
    let mut c = connection;
    c.password_saved = false;
    if let Some(pw) = password.filter(|p| !p.is_empty()) {
        if keyring::Entry::store_status().is_ok() {
            entry(&c.name)?.set_password(&pw).map_err(keyring_error)?;
            c.password_saved = true;
        }
    }
    let mut all = read_all(dir)?;
    all.retain(|x| x.name != c.name);
    all.push(c.clone());
    all.sort_by(|a, b| a.name.cmp(&b.name));
    write_all(dir, &all)?;
    Ok(c)
}

pub fn forget(dir: &Path, name: &str) -> IpcResult<()> {
    let mut all = read_all(dir)?;
    let before = all.len();
    all.retain(|x| x.name != name);
    if all.len() == before {
        return Err(IpcError::new(ErrorKind::NotFound, format!("no saved connection {name:?}")));
    }
    if keyring::Entry::store_status().is_ok() {
        if let Ok(e) = entry(name) {
            let _ = e.delete_credential();
        }
    }
    write_all(dir, &all)
}

pub fn password(name: &str) -> IpcResult<Option<String>> {
    if keyring::Entry::store_status().is_err() {
        return Ok(None);
    }
    match entry(name)?.get_password() {
        Ok(p) => Ok(Some(p)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(keyring_error(e)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::process::Command;

    fn shop(name: &str) -> SavedConnection {
        SavedConnection { name: name.into(), kind: "postgres".into(), host: "db.internal".into(), port: 5432, database: "shop".into(), user: "ferry".into(), tls: "require".into(), ca_file: None, schema: None, password_saved: false }
    }

    fn scratch(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("ferry-connections-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// The round trip inside a session with a real Secret Service (see the test below).
    fn round_trip_with_a_keyring() {
        assert!(keyring::Entry::store_status().is_ok(), "the Secret Service should answer: {:?}", keyring::Entry::store_status());
        let dir = scratch("keyring");
        let name = format!("shop {}", std::process::id());
        let saved = save(&dir, shop(&name), Some("s3cret-pw".into())).unwrap();
        assert!(saved.password_saved);
        let file = std::fs::read_to_string(dir.join("connections.json")).unwrap();
        assert!(file.contains(&name) && !file.contains("s3cret-pw"), "never in the file: {file}");
        assert_eq!(password(&name).unwrap().as_deref(), Some("s3cret-pw"));
        forget(&dir, &name).unwrap();
        assert_eq!(password(&name).unwrap(), None, "forgetting removes the keyring entry");
        assert!(list_is_empty(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn list_is_empty(dir: &Path) -> bool {
        read_all(dir).unwrap().is_empty()
    }

    /// Passwords go to a real Secret Service (GNOME Keyring in its own D-Bus session, with a
    /// throw-away home), never to the file; forgetting removes them. Runs this test binary
    /// again inside `dbus-run-session` with the keyring unlocked.
    #[test]
    fn passwords_live_in_the_system_keyring() {
        if std::env::var_os("FERRY_IN_KEYRING_SESSION").is_some() {
            return round_trip_with_a_keyring();
        }
        run_in_keyring_session("commands::connections::tests::passwords_live_in_the_system_keyring", &scratch("home"));
    }

    /// Runs this test binary's test `test` again inside `dbus-run-session` with GNOME
    /// Keyring unlocked and `home` as a throw-away home (removed after), and asserts it passed
    /// there. The test itself does its keyring round trip when `FERRY_IN_KEYRING_SESSION` is set.
    pub(crate) fn run_in_keyring_session(test: &str, home: &Path) {
        let me = std::env::current_exe().unwrap();
        let script = format!("printf 'test-keyring-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$0\" --exact {test} --test-threads=1");
        let out = Command::new("dbus-run-session")
            .args(["--", "sh", "-c", &script])
            .arg(&me)
            .env("FERRY_IN_KEYRING_SESSION", "1")
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .output()
            .expect("dbus-run-session runs (package dbus-daemon; gnome-keyring: scripts/setup.sh installs it)");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success() && text.contains("1 passed"), "the round trip in a keyring session failed:\n{text}");
        std::fs::remove_dir_all(home).unwrap();
    }

    /// Without any Secret Service the password is not stored anywhere, and the record says so.
    #[test]
    fn without_a_keyring_nothing_secret_is_stored() {
        if keyring::Entry::store_status().is_ok() {
            return; // this process has a keyring; the test above covers that case
        }
        let dir = scratch("nokeyring");
        let saved = save(&dir, shop("plain"), Some("s3cret-pw".into())).unwrap();
        assert!(!saved.password_saved);
        assert!(!std::fs::read_to_string(dir.join("connections.json")).unwrap().contains("s3cret-pw"));
        assert_eq!(password("plain").unwrap(), None);
        forget(&dir, "plain").unwrap();
        assert!(matches!(forget(&dir, "plain"), Err(IpcError { kind: ErrorKind::NotFound, .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
