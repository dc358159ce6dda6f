//! PostgreSQL's refusals: SQLSTATE codes and the column a COPY error names.

use crate::dialect::errors::{Limit, ServerError, Violation};
use sqlx::postgres::PgDatabaseError;

impl ServerError for PgDatabaseError {
    /// unique_violation 23505, check_violation 23514, foreign_key_violation 23503.
    fn violation(&self) -> Option<Violation> {
        match self.code() {
            "23505" => Some(Violation::Unique),
            "23514" => Some(Violation::Check),
            "23503" => Some(Violation::ForeignKey),
            _ => None,
        }
    }

    fn column(&self) -> Option<String> {
        error_column(self)
    }

    fn limit(&self) -> Option<Limit> {
        limit(self.code(), self.message())
    }

    /// query_canceled 57014 asked for by `pg_cancel_backend` ("due to user request").
    fn interrupted(&self) -> bool {
        self.code() == "57014" && self.message().contains("user request")
    }
}

/// query_canceled 57014 (also a cancel asked for, told apart by the message),
/// lock_not_available 55P03, idle_in_transaction_session_timeout 25P03; PgBouncer answers
/// protocol_violation 08P01 with its setting's name as the message.
fn limit(code: &str, message: &str) -> Option<Limit> {
    match code {
        "57014" if message.contains("statement timeout") => Some(Limit::Statement),
        "55P03" if message.contains("lock timeout") => Some(Limit::Lock),
        "25P03" => Some(Limit::IdleTransaction),
        "08P01" if matches!(message, "query_timeout" | "idle transaction timeout" | "query_wait_timeout") => Some(Limit::Pooler),
        _ => None,
    }
}

/// The column a COPY error names (`COPY t, line 1, column qty: "abc"`).
fn error_column(pg: &PgDatabaseError) -> Option<String> {
    if let Some(c) = pg.column() {
        return Some(c.to_string());
    }
    let w = pg.r#where()?;
    let i = w.find(", column ")?;
    let rest = &w[i + 9..];
    Some(rest.split(':').next()?.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_from_code_and_message() {
        let cases = [
            ("57014", "canceling statement due to statement timeout", Some(Limit::Statement)),
            ("57014", "canceling statement due to user request", None),
            ("55P03", "canceling statement due to lock timeout", Some(Limit::Lock)),
            ("55P03", "could not obtain lock on relation \"t\"", None),
            ("25P03", "terminating connection due to idle-in-transaction timeout", Some(Limit::IdleTransaction)),
            ("08P01", "query_timeout", Some(Limit::Pooler)),
            ("08P01", "idle transaction timeout", Some(Limit::Pooler)),
            ("08P01", "invalid message format", None),
            ("23505", "duplicate key value violates unique constraint \"k\"", None),
        ];
        for (code, message, want) in cases {
            assert_eq!(limit(code, message), want, "{code} {message}");
        }
    }
}
