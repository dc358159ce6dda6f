//! PostgreSQL's refusals: SQLSTATE codes and the column a COPY error names.

use crate::dialect::errors::{ServerError, Violation};
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
