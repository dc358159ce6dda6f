//! Errors that say what failed and what to do about it.
//!
//! Every variant's message is one line a person can act on; `kind()` is the stable tag the
//! desktop app and the CLI branch on (never on the text).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum FerryError {
    #[error("{path}: no such file. Check the path, or build the demo database with `ferry demo --out {path}`")]
    SourceMissing { path: PathBuf },
    #[error("{path}: cannot be read ({}). Check the file's permissions", in_words(.detail))]
    SourceUnreadable { path: PathBuf, detail: String },
    #[error("{path} is not a SQLite database ({detail}). Choose a SQLite file (it starts with \"SQLite format 3\")")]
    NotSqlite { path: PathBuf, detail: String },
    #[error("{path}: the SQLite database is damaged ({detail}). Restore it from a backup, or recover it with `sqlite3 {path} .recover`")]
    SourceCorrupt { path: PathBuf, detail: String },
    #[error("{0}")]
    Source(String),
    #[error("target URL {url:?} is not valid: {detail}. Use postgres://user:password@host:5432/database or mysql://user:password@host:3306/database")]
    BadUrl { url: String, detail: String },
    #[error("cannot reach the {what} server at {host}: {}. Check that the server is running and the host and port are right", reason_in_words(.detail))]
    Unreachable { what: String, host: String, detail: String },
    #[error("TLS with the {what} server at {host} failed: {detail}. With sslmode=verify-full / ssl-mode=VERIFY_IDENTITY the server's certificate must be trusted here (sslrootcert=… / ssl-ca=…); sslmode=require encrypts without checking it; a server without TLS needs sslmode=prefer or disable")]
    Tls { what: String, host: String, detail: String },
    #[error("the {what} server at {host} refused the login for user {user:?}: {detail}. Check the user name and password")]
    AuthFailed { what: String, host: String, user: String, detail: String },
    #[error("the target database {database:?} does not exist on {host}. Create it first: {hint}")]
    NoDatabase { host: String, database: String, hint: String },
    #[error("the target {where_} is not empty: it already holds {objects} — drop them or choose another {another}")]
    TargetNotEmpty { where_: String, objects: String, another: String },
    #[error("the target holds an unfinished Ferry run (started {started}, {loaded} of {tables} tables loaded): continue it with `ferry migrate {src} --to {to} --resume`, or roll it back with `ferry rollback --to {to}`")]
    UnfinishedRun { started: String, loaded: i64, tables: i64, src: String, to: String },
    #[error("cannot resume the run started {started}: {what} since. Roll it back with `ferry rollback` and migrate again{way}")]
    ResumeMismatch { started: String, what: String, way: String },
    #[error("the plan {path} does not match the source: {detail}. Make a new plan with `ferry plan`, or fix the plan by hand")]
    PlanMismatch { path: String, detail: String },
    #[error("cannot read the plan {path}: {detail}")]
    PlanUnreadable { path: String, detail: String },
    #[error("the target refused {object}: {}", in_words(.detail))]
    Target { object: String, detail: String },
    #[error("stopped: {0}")]
    Strict(String),
    #[error("cancelled by the user")]
    Cancelled,
    #[error("{}", in_words(.0))]
    Io(String),
    /// The mask key is missing, unreadable or too short (`mask::MaskKey`).
    #[error("{0}")]
    MaskKey(String),
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
            FerryError::UnfinishedRun { .. } => "unfinished_run",
            FerryError::ResumeMismatch { .. } => "resume_mismatch",
            FerryError::PlanMismatch { .. } => "plan_mismatch",
            FerryError::PlanUnreadable { .. } => "plan_unreadable",
            FerryError::Target { .. } => "target",
            FerryError::Strict(_) => "strict",
            FerryError::Cancelled => "cancelled",
            FerryError::Io(_) => "io",
            FerryError::MaskKey(_) => "mask_key",
            FerryError::Other(_) => "other",
        }
    }
}

impl FerryError {
    /// The raw text the error carries from the system, the driver or the server (`Connection
    /// refused (os error 111)`, a server's own message), for a "Details" toggle; the message
    /// (`Display`) says it in words.
    pub fn raw(&self) -> Option<&str> {
        match self {
            FerryError::SourceUnreadable { detail, .. }
            | FerryError::NotSqlite { detail, .. }
            | FerryError::SourceCorrupt { detail, .. }
            | FerryError::BadUrl { detail, .. }
            | FerryError::Unreachable { detail, .. }
            | FerryError::Tls { detail, .. }
            | FerryError::AuthFailed { detail, .. }
            | FerryError::PlanMismatch { detail, .. }
            | FerryError::PlanUnreadable { detail, .. }
            | FerryError::Target { detail, .. } => Some(detail),
            FerryError::Io(text) if text.contains("(os error ") => Some(text),
            _ => None,
        }
    }
}

/// The operating system's and the drivers' raw texts Ferry knows, each with what it means.
/// Matched in lower case, anywhere in the text; the first that matches wins.
const RAW_WORDS: &[(&[&str], &str)] = &[
    (&["connection refused", "(os error 111)", "(os error 61)", "(os error 10061)"], "nothing is listening at that address and port"),
    (
        &["failed to lookup address", "name or service not known", "no address associated with hostname", "nodename nor servname", "temporary failure in name resolution", "(os error 11001)"],
        "no computer of that name is known (the name did not resolve)",
    ),
    (&["no route to host", "(os error 113)", "(os error 65)"], "there is no network route to that host"),
    (&["network is unreachable", "(os error 101)", "(os error 51)"], "the network is unreachable from here"),
    (&["connection timed out", "operation timed out", "(os error 110)", "(os error 60)", "(os error 10060)"], "no answer in time (a firewall may be dropping the connection)"),
    (&["connection reset", "(os error 104)", "(os error 54)", "broken pipe", "(os error 32)", "unexpected end of file", "unexpected eof"], "the server closed the connection at once"),
    (&["permission denied", "(os error 13)", "access is denied"], "permission denied"),
    (&["no space left on device", "(os error 28)"], "the disk is full"),
    (&["read-only file system", "(os error 30)"], "the disk is read-only"),
    (&["no such file or directory", "(os error 2)"], "no such file or folder"),
    (&["is a directory", "(os error 21)"], "it is a folder, not a file"),
    (&["too many open files", "(os error 24)"], "too many files are open"),
];

/// What a raw system or driver text means, when Ferry knows it.
pub fn raw_words(raw: &str) -> Option<&'static str> {
    let lower = raw.to_ascii_lowercase();
    RAW_WORDS.iter().find(|(keys, _)| keys.iter().any(|k| lower.contains(k))).map(|(_, w)| *w)
}

/// A connection's failure as the driver gave it, in words: a whole line Ferry knows
/// (`failed to lookup address information: Name or service not known`) becomes what it means;
/// otherwise as `in_words`.
pub fn reason_in_words(detail: &str) -> String {
    match raw_words(detail) {
        Some(w) => w.to_string(),
        None => in_words(detail),
    }
}

/// A message with the system's raw texts said in words: each `Description (os error N)`
/// becomes what it means (or, when unknown, the description without its code). The rest of
/// the message (a path, a table's name) is kept as it is.
pub fn in_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("(os error ") {
        let Some(close) = rest[at..].find(')').map(|c| at + c + 1) else { break };
        // The description runs back to the previous ": " (or the start).
        let start = rest[..at].rfind(": ").map(|i| i + 2).unwrap_or(0);
        out.push_str(&rest[..start]);
        let raw = &rest[start..close];
        match raw_words(raw) {
            Some(w) => out.push_str(w),
            None => out.push_str(rest[start..at].trim_end()),
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

impl From<std::io::Error> for FerryError {
    fn from(e: std::io::Error) -> Self {
        FerryError::Io(e.to_string())
    }
}

pub type Result<T, E = FerryError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_texts_read_in_words() {
        let cases = [
            ("Connection refused (os error 111)", "nothing is listening at that address and port"),
            ("error communicating with database: Connection refused (os error 111)", "error communicating with database: nothing is listening at that address and port"),
            // Without an OS code, a message keeps its words: a path, a table's name.
            ("cannot open /x/shop.sqlite: no such file or directory", "cannot open /x/shop.sqlite: no such file or directory"),
            ("permission denied for table orders", "permission denied for table orders"),
            ("No route to host (os error 113)", "there is no network route to that host"),
            ("Connection timed out (os error 110)", "no answer in time (a firewall may be dropping the connection)"),
            ("Connection reset by peer (os error 104)", "the server closed the connection at once"),
            ("cannot write /r/report.json: Permission denied (os error 13)", "cannot write /r/report.json: permission denied"),
            ("cannot write /r/x: No space left on device (os error 28)", "cannot write /r/x: the disk is full"),
            ("cannot open /x: No such file or directory (os error 2)", "cannot open /x: no such file or folder"),
            // A code Ferry does not know loses its number, keeps its words.
            ("cannot lock /x: Resource deadlock avoided (os error 35)", "cannot lock /x: Resource deadlock avoided"),
            // Two in one message.
            ("a: Permission denied (os error 13); b: Connection refused (os error 111)", "a: permission denied; b: nothing is listening at that address and port"),
            // Words stay words.
            ("no answer within 20 seconds", "no answer within 20 seconds"),
            ("cannot write the report: folder /x does not exist", "cannot write the report: folder /x does not exist"),
        ];
        for (raw, want) in cases {
            assert_eq!(in_words(raw), want, "{raw}");
        }
        // A connection's reason, the driver's whole line.
        let reasons = [
            ("failed to lookup address information: Name or service not known", "no computer of that name is known (the name did not resolve)"),
            ("Connection refused (os error 111)", "nothing is listening at that address and port"),
            ("no answer within 20 seconds", "no answer within 20 seconds"),
            ("pool timed out while waiting for an open connection", "pool timed out while waiting for an open connection"),
        ];
        for (raw, want) in reasons {
            assert_eq!(reason_in_words(raw), want, "{raw}");
        }
    }

    #[test]
    fn errors_say_it_in_words_and_keep_the_raw_text() {
        let refused = FerryError::Unreachable { what: "PostgreSQL".into(), host: "127.0.0.1:5499".into(), detail: "Connection refused (os error 111)".into() };
        let text = refused.to_string();
        assert!(text.contains("cannot reach the PostgreSQL server at 127.0.0.1:5499: nothing is listening at that address and port"), "{text}");
        assert!(!text.contains("os error"), "{text}");
        assert_eq!(refused.raw(), Some("Connection refused (os error 111)"));
        let io = FerryError::Io("cannot write /r: Permission denied (os error 13)".into());
        assert_eq!(io.to_string(), "cannot write /r: permission denied");
        assert_eq!(io.raw(), Some("cannot write /r: Permission denied (os error 13)"));
        assert_eq!(FerryError::Cancelled.raw(), None);
        let lost = FerryError::Target { object: "COPY orders".into(), detail: "error communicating with database: Connection reset by peer (os error 104)".into() };
        assert_eq!(lost.to_string(), "the target refused COPY orders: error communicating with database: the server closed the connection at once");
        let refused = FerryError::Target { object: "CREATE TABLE t".into(), detail: "permission denied for schema public".into() };
        assert_eq!(refused.to_string(), "the target refused CREATE TABLE t: permission denied for schema public");
    }
}
