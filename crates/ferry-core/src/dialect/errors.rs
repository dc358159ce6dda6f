//! What a server's refusal means, whichever server refused: each dialect reads its own codes
//! (`dialect/*/errors.rs`, a `ServerError` on the server's own error type) and the engine sees
//! a `Violation` (`Violation::of`, `dialect/choose.rs`), never a code.

/// A constraint the server says a row breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    Unique,
    Check,
    ForeignKey,
}

/// A time limit of the server's, or of a connection pooler in front of it, that stopped a
/// statement: not a refusal of the data, and not Ferry's doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The server's limit on one statement (PostgreSQL `statement_timeout`, MariaDB
    /// `max_statement_time`, MySQL `max_execution_time`).
    Statement,
    /// A wait for a lock held by another session (`lock_timeout`, `innodb_lock_wait_timeout`).
    Lock,
    /// The server's limit on a transaction left idle (`idle_in_transaction_session_timeout`).
    IdleTransaction,
    /// A connection pooler's own limit (PgBouncer's `query_timeout`,
    /// `idle_transaction_timeout`): the pooler ended the connection.
    Pooler,
}

impl Limit {
    /// What stopped the statement and what to do, in words.
    pub fn advice(self) -> &'static str {
        match self {
            Limit::Statement => "stopped by the server's time limit for one statement (statement_timeout or max_statement_time), set for this role, database or server: raise it for the migration (for example ALTER ROLE … SET statement_timeout = '1h'), or use a connection without it, then run again",
            Limit::Lock => "stopped waiting for a lock another session holds on the same table: let that session finish (or stop it), then run again",
            Limit::IdleTransaction => "the server ended a transaction it thought idle (idle_in_transaction_session_timeout): raise that limit for the migration, then run again",
            Limit::Pooler => "the connection pooler in front of the server ended the connection (its query_timeout or idle_transaction_timeout): use the host's direct or session-mode URL for the migration, or raise the pooler's limit, then run again",
        }
    }
}

/// One server's error, read.
pub trait ServerError {
    /// The constraint it names, if it is a constraint violation.
    fn violation(&self) -> Option<Violation>;
    /// The column a refusal of a loaded row names, where it names one.
    fn column(&self) -> Option<String>;
    /// The time limit that stopped the statement, if one did.
    fn limit(&self) -> Option<Limit>;
    /// Whether the statement was stopped because a session asked the server to (Ferry's
    /// own cancel, `Target::interrupt`): not a refusal of the data.
    fn interrupted(&self) -> bool;
}

/// A statement stopped because a session asked the server to (Ferry's own cancel,
/// `Target::interrupt`), not a refusal of the data: `Interrupted::of(&e)`.
pub struct Interrupted;
