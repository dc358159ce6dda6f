//! PostgreSQL's refusals: SQLSTATE codes and the column a COPY error names.

use crate::dialect::errors::Violation;

fn server(e: &sqlx::Error) -> Option<&sqlx::postgres::PgDatabaseError> {
    e.as_database_error()?.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
}

/// Whether PostgreSQL sent this error.
pub fn is_postgres(e: &sqlx::Error) -> bool {
    server(e).is_some()
}

/// unique_violation 23505, check_violation 23514, foreign_key_violation 23503.
pub fn violation(e: &sqlx::Error) -> Option<Violation> {
    match server(e)?.code() {
        "23505" => Some(Violation::Unique),
        "23514" => Some(Violation::Check),
        "23503" => Some(Violation::ForeignKey),
        _ => None,
    }
}

/// The column a COPY error names (`COPY t, line 1, column qty: "abc"`).
pub fn error_column(e: &sqlx::Error) -> Option<String> {
    let db = e.as_database_error()?;
    let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?;
    if let Some(c) = pg.column() {
        return Some(c.to_string());
    }
    let w = pg.r#where()?;
    let i = w.find(", column ")?;
    let rest = &w[i + 9..];
    Some(rest.split(':').next()?.trim().to_string())
}
