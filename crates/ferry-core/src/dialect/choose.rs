//! Where a dialect is chosen: the one file that names each dialect's implementations of the
//! doors beside it (`expr::Spelling`, `write::RowFormat`, `errors::ServerError`, the read-back
//! decoding). The implementations import the doors; only this file imports the
//! implementations, so the dependencies run one way.

use super::errors::{ServerError, Violation};
use super::expr::Spelling;
use super::write::WithRowFormat;
use super::{mysql, postgres, Dialect};
use crate::schema::LogicalType;

impl Dialect {
    /// A logical type as this dialect's column type (`dialect/*/types.rs`).
    pub fn format_type(self, t: &LogicalType) -> String {
        match self {
            Dialect::Postgres => postgres::types::format_type(t),
            Dialect::MySql | Dialect::MariaDb => mysql::types::format_type(t),
        }
    }

    /// A column type of this dialect read back as a logical type; None when it is not one
    /// Ferry can carry.
    pub fn parse_type(self, s: &str) -> Option<LogicalType> {
        match self {
            Dialect::Postgres => postgres::types::parse_type(s),
            Dialect::MySql | Dialect::MariaDb => mysql::types::parse_type(s),
        }
    }

    /// How this dialect spells translated expressions.
    pub fn spelling(self) -> &'static dyn Spelling {
        match self {
            Dialect::Postgres => &postgres::expr::POSTGRES,
            Dialect::MySql => &mysql::expr::MYSQL,
            Dialect::MariaDb => &mysql::expr::MARIADB,
        }
    }

    /// Runs `work` with the dialect's row format.
    pub fn with_row_format<W: WithRowFormat>(self, work: W) -> W::Output {
        match self {
            Dialect::Postgres => work.run::<postgres::write::CopyRows>(),
            Dialect::MySql | Dialect::MariaDb => work.run::<mysql::write::ValuesRows>(),
        }
    }

    /// A float read back as the dialect's canonical text (`Read::read_rows`).
    pub fn decode_float(self, raw: &str) -> Option<f64> {
        match self {
            Dialect::Postgres => postgres::read::decode_float(raw),
            Dialect::MySql | Dialect::MariaDb => mysql::read::decode_float(raw),
        }
    }
}

/// The server's own error inside a `sqlx::Error`, read.
fn server_error(e: &sqlx::Error) -> Option<&dyn ServerError> {
    let db = e.as_database_error()?;
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        return Some(pg);
    }
    db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>().map(|my| my as &dyn ServerError)
}

impl Violation {
    /// The constraint a refusal names, if it is a constraint violation.
    pub fn of(e: &sqlx::Error) -> Option<Violation> {
        server_error(e)?.violation()
    }

    /// The column a refusal of a loaded row names, where it names one.
    pub fn column_of(e: &sqlx::Error) -> Option<String> {
        server_error(e)?.column()
    }
}
