//! MySQL's and MariaDB's refusals: error numbers and the column a message names.

use crate::dialect::errors::{Limit, ServerError, Violation};
use sqlx::mysql::MySqlDatabaseError;

impl ServerError for MySqlDatabaseError {
    /// ER_DUP_ENTRY 1062; MariaDB's ER_CONSTRAINT_FAILED 4025 and MySQL 8's
    /// ER_CHECK_CONSTRAINT_VIOLATED 3819; ER_NO_REFERENCED_ROW_2 1452.
    fn violation(&self) -> Option<Violation> {
        match self.number() {
            1062 => Some(Violation::Unique),
            4025 | 3819 => Some(Violation::Check),
            1452 => Some(Violation::ForeignKey),
            _ => None,
        }
    }

    fn column(&self) -> Option<String> {
        error_column(self.message())
    }

    fn limit(&self) -> Option<Limit> {
        limit(self.number())
    }

    /// ER_QUERY_INTERRUPTED 1317: `KILL QUERY` stopped it.
    fn interrupted(&self) -> bool {
        self.number() == 1317
    }
}

/// MariaDB's ER_STATEMENT_TIMEOUT 1969 (`max_statement_time`), MySQL's
/// ER_QUERY_TIMEOUT 3024 (`max_execution_time`), ER_LOCK_WAIT_TIMEOUT 1205.
fn limit(number: u16) -> Option<Limit> {
    match number {
        1969 | 3024 => Some(Limit::Statement),
        1205 => Some(Limit::Lock),
        _ => None,
    }
}

/// The column an error names: `… for column 'qty' at row 1`, ``… for column `db`.`t`.`qty` ``.
fn error_column(msg: &str) -> Option<String> {
    if let Some(i) = msg.find("for column ") {
        let rest = &msg[i + 11..];
        let name = rest.split(" at row").next()?.trim();
        let last = name.rsplit('.').next()?;
        return Some(last.trim_matches(|c| c == '\'' || c == '`').to_string());
    }
    None
}
