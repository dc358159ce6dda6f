//! What a server's refusal means, whichever server refused: each dialect reads its own codes
//! (`dialect/*/errors.rs`) and the engine sees a `Violation`, never a code.

use super::{mysql, postgres};

/// A constraint the server says a row breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    Unique,
    Check,
    ForeignKey,
}

/// The constraint a refusal names, if it is a constraint violation.
pub fn violation(e: &sqlx::Error) -> Option<Violation> {
    postgres::errors::violation(e).or_else(|| mysql::errors::violation(e))
}

/// The column a refusal of a loaded row names, where it names one.
pub fn error_column(e: &sqlx::Error) -> Option<String> {
    if postgres::errors::is_postgres(e) {
        postgres::errors::error_column(e)
    } else {
        mysql::errors::error_column(e)
    }
}
