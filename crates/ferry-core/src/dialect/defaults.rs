//! The defaults `plan::production::defaults` proposes, as each target spells
//! them: a UUID key the server generates and a creation time it fills.

use super::Dialect;
use crate::schema::LogicalType;
use crate::sqlexpr::quote_ident;

impl Dialect {
    /// The DEFAULT that generates a new UUID in a column of `logical` typed `type_sql`; None
    /// where the column cannot take one. For MySQL/MariaDB's char(36) the caller must know
    /// from the values that it holds UUIDs.
    pub fn uuid_default(self, logical: &LogicalType, type_sql: &str) -> Option<String> {
        let t = self.canonical_type(type_sql);
        match self {
            // Built in from PostgreSQL 13.
            Dialect::Postgres => (*logical == LogicalType::Uuid && t == "uuid").then(|| "gen_random_uuid()".into()),
            // MySQL keeps a UUID as char(36) text (its logical type reads as text): the
            // caller has the values' evidence that they are UUIDs.
            // MySQL 8.0.13+: an expression DEFAULT goes in parentheses.
            Dialect::MySql => (t == "char(36)").then(|| "(uuid())".into()),
            Dialect::MariaDb => (t == "char(36)" || t == "uuid").then(|| "uuid()".into()),
        }
    }

    /// What the UUID default makes, in words for the proposal's note.
    pub fn uuid_default_words(self) -> &'static str {
        match self {
            Dialect::Postgres => "gen_random_uuid() (built in from PostgreSQL 13) makes random version 4 UUIDs, not in time order",
            Dialect::MySql | Dialect::MariaDb => "UUID() makes version 1 UUIDs (from the time and the server's MAC address): they show when and where a row was made, and as text they do not sort by time",
        }
    }

    /// The DEFAULT that fills the current time in a timestamp column typed `type_sql`, at
    /// the column's precision (MySQL refuses a CURRENT_TIMESTAMP finer or coarser than it).
    pub fn now_default(self, logical: &LogicalType, type_sql: &str) -> Option<String> {
        if !matches!(logical, LogicalType::Timestamp { .. }) {
            return None;
        }
        match self {
            Dialect::Postgres => Some("now()".into()),
            Dialect::MySql | Dialect::MariaDb => {
                let (name, params) = super::split_type(type_sql);
                match (name.as_str(), params.as_slice()) {
                    ("datetime" | "timestamp", []) => Some("CURRENT_TIMESTAMP".into()),
                    ("datetime" | "timestamp", [p]) if *p <= 6 => Some(format!("CURRENT_TIMESTAMP({p})")),
                    _ => None,
                }
            }
        }
    }

    /// `ALTER TABLE … SET DEFAULT …`, names unqualified, for a proposal's `sql`.
    pub fn set_default_sql(self, table: &str, column: &str, default_sql: &str) -> String {
        format!("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {default_sql}", quote_ident(table, self), quote_ident(column, self))
    }
}
