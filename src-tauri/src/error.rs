//! Errors as they cross to the front end: `{ kind, message, detail }`.
//!
//! `kind` is a closed set the UI branches on (never the text); `message` is the engine's one
//! line saying what failed and what to do; `detail` adds what a person may want to copy into
//! a bug report.

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
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
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
            FerryError::PlanMismatch { .. } => ErrorKind::PlanMismatch,
            FerryError::PlanUnreadable { .. } => ErrorKind::PlanUnreadable,
            FerryError::Target { .. } => ErrorKind::Target,
            FerryError::Strict(_) => ErrorKind::Strict,
            FerryError::Cancelled => ErrorKind::Cancelled,
            FerryError::Io(_) => ErrorKind::Io,
            FerryError::Other(_) => ErrorKind::Other,
        };
        let detail = match &e {
            FerryError::Unreachable { detail, .. }
            | FerryError::Tls { detail, .. }
            | FerryError::AuthFailed { detail, .. }
            | FerryError::Target { detail, .. }
            | FerryError::SourceCorrupt { detail, .. }
            | FerryError::NotSqlite { detail, .. } => Some(detail.clone()),
            _ => None,
        };
        IpcError { kind, message: e.to_string(), detail }
    }
}

impl From<std::io::Error> for IpcError {
    fn from(e: std::io::Error) -> IpcError {
        IpcError::new(ErrorKind::Io, e.to_string())
    }
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
}
