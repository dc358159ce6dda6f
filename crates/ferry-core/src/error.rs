//! Errors that say what failed and what to do about it.
//!
//! Every variant's message is one line a person can act on; `kind()` is the stable tag the
//! desktop app and the CLI branch on (never on the text).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum FerryError {
    #[error("{path}: no such file. Check the path, or build the demo database with `ferry demo --out {path}`")]
    SourceMissing { path: PathBuf },
    #[error("{path}: cannot be read ({detail}). Check the file's permissions")]
    SourceUnreadable { path: PathBuf, detail: String },
    #[error("{path} is not a SQLite database ({detail}). Choose a SQLite file (it starts with \"SQLite format 3\")")]
    NotSqlite { path: PathBuf, detail: String },
    #[error("{path}: the SQLite database is damaged ({detail}). Restore it from a backup, or recover it with `sqlite3 {path} .recover`")]
    SourceCorrupt { path: PathBuf, detail: String },
    #[error("{0}")]
    Source(String),
    #[error("target URL {url:?} is not valid: {detail}. Use postgres://user:password@host:5432/database or mysql://user:password@host:3306/database")]
    BadUrl { url: String, detail: String },
    #[error("cannot reach the {what} server at {host}: {detail}. Check that the server is running and the host and port are right")]
    Unreachable { what: String, host: String, detail: String },
    #[error("TLS with the {what} server at {host} failed: {detail}. With sslmode=verify-full / ssl-mode=VERIFY_IDENTITY the server's certificate must be trusted here (sslrootcert=… / ssl-ca=…); sslmode=require encrypts without checking it; a server without TLS needs sslmode=prefer or disable")]
    Tls { what: String, host: String, detail: String },
    #[error("the {what} server at {host} refused the login for user {user:?}: {detail}. Check the user name and password")]
    AuthFailed { what: String, host: String, user: String, detail: String },
    #[error("the target database {database:?} does not exist on {host}. Create it first: {hint}")]
    NoDatabase { host: String, database: String, hint: String },
    #[error("the target {where_} is not empty: it already holds {objects}. Migrate into an empty database, choose another schema, or drop those tables first")]
    TargetNotEmpty { where_: String, objects: String },
    #[error("the plan {path} does not match the source: {detail}. Make a new plan with `ferry plan`, or fix the plan by hand")]
    PlanMismatch { path: String, detail: String },
    #[error("cannot read the plan {path}: {detail}")]
    PlanUnreadable { path: String, detail: String },
    #[error("the target refused {object}: {detail}")]
    Target { object: String, detail: String },
    #[error("stopped: {0}")]
    Strict(String),
    #[error("cancelled by the user")]
    Cancelled,
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    Other(String),
}

impl FerryError {
    /// A stable tag for the error's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            FerryError::SourceMissing { .. } => "source_missing",
            FerryError::SourceUnreadable { .. } => "source_unreadable",
            FerryError::NotSqlite { .. } => "not_sqlite",
            FerryError::SourceCorrupt { .. } => "source_corrupt",
            FerryError::Source(_) => "source",
            FerryError::BadUrl { .. } => "bad_url",
            FerryError::Unreachable { .. } => "unreachable",
            FerryError::AuthFailed { .. } => "auth_failed",
            FerryError::Tls { .. } => "tls",
            FerryError::NoDatabase { .. } => "no_database",
            FerryError::TargetNotEmpty { .. } => "target_not_empty",
            FerryError::PlanMismatch { .. } => "plan_mismatch",
            FerryError::PlanUnreadable { .. } => "plan_unreadable",
            FerryError::Target { .. } => "target",
            FerryError::Strict(_) => "strict",
            FerryError::Cancelled => "cancelled",
            FerryError::Io(_) => "io",
            FerryError::Other(_) => "other",
        }
    }
}

impl From<std::io::Error> for FerryError {
    fn from(e: std::io::Error) -> Self {
        FerryError::Io(e.to_string())
    }
}

pub type Result<T, E = FerryError> = std::result::Result<T, E>;
