//! Errors as they cross to the front end: `{ kind, message, detail }`.
//!
//! `kind` is a closed set the UI branches on (never the text); `message` is the engine's one
//! line saying, in words, what failed and what to do; `detail` is the raw text behind it (the
//! system's, the driver's or the server's own), shown behind a "Details" toggle and worth
//! copying into a bug report.

use ferry_core::FerryError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    SourceMissing,
    SourceUnreadable,
    NotSqlite,
    SourceCorrupt,
    Source,
    BadUrl,
    Unreachable,
    Tls,
    AuthFailed,
    NoDatabase,
    TargetNotEmpty,
    PlanMismatch,
    PlanUnreadable,
    Target,
    Strict,
    Cancelled,
    Io,
    Other,
    /// A command that needs an open SQLite file was called before one was opened.
    NoSource,
    /// A migration is already running.
    Busy,
    /// The OS keyring is not there or refused; the password must be typed each time.
    Keyring,
    /// A saved connection, run or file that is not there (any more).
    NotFound,
    /// An argument the UI should have validated (an unknown table or column).
    Invalid,
    /// A path the user did not choose in this session (`paths`): the UI offers the dialog.
    NotChosen,
    /// No browser or other app could open a file (`commands::launch`); `detail` is its path.
    NotOpened,
    /// The plan masks columns and no mask key is there (or it is too short): the UI offers
    /// Masked copy's "Make a key" / "Use a key file…".
    MaskKey,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
    /// The raw text the message was said from (`Connection refused (os error 111)`).
    pub detail: Option<String>,
}

impl IpcError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> IpcError {
        IpcError { kind, message: message.into(), detail: None }
    }
}

impl From<FerryError> for IpcError {
    fn from(e: FerryError) -> IpcError {
        let kind = match &e {
            FerryError::SourceMissing { .. } => ErrorKind::SourceMissing,
            FerryError::SourceUnreadable { .. } => ErrorKind::SourceUnreadable,
            FerryError::NotSqlite { .. } => ErrorKind::NotSqlite,
            FerryError::SourceCorrupt { .. } => ErrorKind::SourceCorrupt,
            FerryError::Source(_) => ErrorKind::Source,
            FerryError::BadUrl { .. } => ErrorKind::BadUrl,
            FerryError::Unreachable { .. } => ErrorKind::Unreachable,
            FerryError::Tls { .. } => ErrorKind::Tls,
            FerryError::AuthFailed { .. } => ErrorKind::AuthFailed,
            FerryError::NoDatabase { .. } => ErrorKind::NoDatabase,
            FerryError::TargetNotEmpty { .. } => ErrorKind::TargetNotEmpty,
            // The target holds a run that stopped: not empty, and not the user's to drop by hand.
            FerryError::UnfinishedRun { .. } => ErrorKind::TargetNotEmpty,
            FerryError::ResumeMismatch { .. } => ErrorKind::Other,
            FerryError::PlanMismatch { .. } => ErrorKind::PlanMismatch,
            FerryError::PlanUnreadable { .. } => ErrorKind::PlanUnreadable,
            FerryError::Target { .. } => ErrorKind::Target,
            FerryError::Strict(_) => ErrorKind::Strict,
            FerryError::Cancelled => ErrorKind::Cancelled,
            FerryError::Io(_) => ErrorKind::Io,
            FerryError::MaskKey(_) => ErrorKind::MaskKey,
            FerryError::Other(_) => ErrorKind::Other,
        };
        let detail = e.raw().map(str::to_string);
        IpcError { kind, message: e.to_string(), detail }
    }
}

impl From<std::io::Error> for IpcError {
    fn from(e: std::io::Error) -> IpcError {
        let raw = e.to_string();
        IpcError { kind: ErrorKind::Io, message: ferry_core::error::in_words(&raw), detail: Some(raw) }
    }
}

/// The keyring's raw errors (the Secret Service over D-Bus on Linux), each with what it means
/// for the user; matched in lower case, the first that matches wins.
const KEYRING_WORDS: &[(&[&str], &str)] = &[
    (
        &["failed to connect to address", "dbus_session_bus_address", "unable to autolaunch", "cannot autolaunch", "no such file or directory"],
        "The system keyring is not available (no D-Bus session), so the password will not be remembered: Ferry asks for it each time.",
    ),
    (
        &["org.freedesktop.secrets", "serviceunknown", "was not provided by any"],
        "No keyring service (GNOME Keyring or KWallet) is running, so the password will not be remembered: Ferry asks for it each time. To keep passwords, install one and log in again (Debian, Ubuntu: sudo apt install gnome-keyring; on KDE: kwalletmanager).",
    ),
    (
        &["locked", "dismissed", "prompt", "couldn't access platform storage", "access denied", "not authorized"],
        "The system keyring is locked or refused access, so the password was not saved: unlock it (or log in again) to keep passwords, or type it each time.",
    ),
    (&["no default store", "no default credential store"], "No system keyring is set up here, so the password will not be remembered: Ferry asks for it each time."),
];

/// What a keyring error means, in words (its raw text goes behind "Details").
pub fn keyring_words(raw: &str) -> &'static str {
    let lower = raw.to_ascii_lowercase();
    KEYRING_WORDS
        .iter()
        .find(|(keys, _)| keys.iter().any(|k| lower.contains(k)))
        .map(|(_, w)| *w)
        .unwrap_or("The system keyring did not answer, so the password will not be remembered: Ferry asks for it each time.")
}

pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_keep_their_kind_and_message() {
        let cases = [
            (FerryError::Cancelled, "\"cancelled\"", "cancelled by the user"),
            (
                FerryError::AuthFailed { what: "MariaDB".into(), host: "db:3306".into(), user: "bob".into(), detail: "Access denied".into() },
                "\"auth_failed\"",
                "refused the login for user \"bob\"",
            ),
            (FerryError::NoDatabase { host: "h".into(), database: "shop".into(), hint: "createdb shop".into() }, "\"no_database\"", "createdb shop"),
        ];
        for (e, kind, text) in cases {
            let ipc = IpcError::from(e);
            assert_eq!(serde_json::to_string(&ipc.kind).unwrap(), kind);
            assert!(ipc.message.contains(text), "{}", ipc.message);
        }
    }

    /// The cases: "(os error 111)" in the message; the raw text goes to `detail`.
    #[test]
    fn raw_errors_are_said_in_words_with_the_raw_text_as_detail() {
        let cases = [
            (
                IpcError::from(FerryError::Unreachable { what: "PostgreSQL".into(), host: "127.0.0.1:5499".into(), detail: "Connection refused (os error 111)".into() }),
                "nothing is listening at that address and port",
                "Connection refused (os error 111)",
            ),
            (
                IpcError::from(FerryError::Unreachable { what: "MariaDB".into(), host: "db.invalid:3306".into(), detail: "failed to lookup address information: Name or service not known".into() }),
                "no computer of that name is known",
                "Name or service not known",
            ),
            (IpcError::from(std::io::Error::from_raw_os_error(13)), "permission denied", "(os error 13)"),
            (IpcError::from(std::io::Error::from_raw_os_error(28)), "the disk is full", "(os error 28)"),
        ];
        for (ipc, words, raw) in cases {
            assert!(ipc.message.contains(words) && !ipc.message.contains("os error"), "{}", ipc.message);
            assert!(ipc.detail.as_deref().is_some_and(|d| d.contains(raw)), "{:?}", ipc.detail);
        }
    }

    #[test]
    fn keyring_errors_read_in_words() {
        let cases = [
            ("Platform failure: zbus error: Failed to connect to address unix:path=/run/user/0/bus: No such file or directory (os error 2)", "no D-Bus session"),
            ("Platform failure: zbus error: org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files", "No keyring service"),
            ("Platform failure: zbus error: org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files", "sudo apt install gnome-keyring"),
            ("Couldn't access platform storage: the collection is locked", "locked or refused access"),
            ("Platform failure: Prompt dismissed", "locked or refused access"),
            ("No default store has been set", "No system keyring is set up"),
            ("something new", "did not answer"),
        ];
        for (raw, want) in cases {
            assert!(keyring_words(raw).contains(want), "{raw} → {}", keyring_words(raw));
        }
    }
}
