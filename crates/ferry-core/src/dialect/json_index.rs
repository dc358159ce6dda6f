//! How a target indexes a JSON column's documents (`plan::production::json`): PostgreSQL a
//! GIN index over the whole `jsonb` document with an operator class; MySQL a functional
//! index on one scalar key path; MariaDB, which has no functional indexes, a virtual column
//! holding the key's value and an index on it (`mysql::ddl::index_clause` makes it, diff
//! and validate know it as the engine's). The SQL itself is in `*/json_index.rs`.

use super::{mysql, postgres, Dialect};
use crate::plan::planned::PlannedIndex;

/// What a target's JSON index covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonIndexForm {
    /// Every key and value of the documents (GIN): one index answers containment queries
    /// on any key.
    Documents,
    /// One scalar key path: the index answers equality and ranges on that key.
    Key,
}

impl Dialect {
    pub fn json_index_form(self) -> JsonIndexForm {
        match self {
            Dialect::Postgres => JsonIndexForm::Documents,
            Dialect::MySql | Dialect::MariaDb => JsonIndexForm::Key,
        }
    }

    /// The operator classes a JSON index may name (`using`); none where the form is `Key`.
    pub fn json_opclasses(self) -> &'static [&'static str] {
        match self {
            Dialect::Postgres => postgres::json_index::OPCLASSES,
            Dialect::MySql | Dialect::MariaDb => &[],
        }
    }

    /// Whether a column of this type (as the plan names it) can take the JSON index:
    /// PostgreSQL's GIN operator classes are for `jsonb`, not `json`.
    pub fn json_indexable_type(self, type_sql: &str) -> bool {
        match self {
            Dialect::Postgres => self.canonical_type(type_sql) == "jsonb",
            Dialect::MySql | Dialect::MariaDb => true,
        }
    }

    /// A one-key index's cast as the plan keeps it (`using`): MySQL's `char(n)`; MariaDB
    /// indexes its generated column and keeps none.
    pub fn json_key_cast(self, len: u32) -> Option<String> {
        (self == Dialect::MySql).then(|| format!("char({len})"))
    }

    /// The length in a plan's `char(n)` cast, 1 to 255; None when it is not one.
    pub fn json_cast_len(self, using: &str) -> Option<u32> {
        let n: u32 = using.trim().strip_prefix("char(")?.strip_suffix(')')?.parse().ok()?;
        (self.is_mysql_family() && (1..=255).contains(&n)).then_some(n)
    }

    /// The index on `column` (target name): `opclass` for `Documents`, `key` (a `$.name`
    /// path) and the longest value to hold (`len`, characters) for `Key`.
    pub fn json_index(self, name: &str, column: &str, opclass: Option<&str>, key: Option<&str>, len: u32) -> PlannedIndex {
        match self {
            Dialect::Postgres => postgres::json_index::index(name, column, opclass.unwrap_or(postgres::json_index::OPCLASSES[0])),
            Dialect::MySql | Dialect::MariaDb => mysql::json_index::index(self, name, column, key.unwrap_or("$"), len),
        }
    }

    /// The DDL of `index` on `table`, names unqualified, for the proposal's `sql`.
    pub fn json_index_sql(self, table: &str, ix: &PlannedIndex) -> Vec<String> {
        match self {
            Dialect::Postgres => vec![postgres::json_index::sql(table, ix)],
            Dialect::MySql | Dialect::MariaDb => mysql::json_index::sql(self, table, ix),
        }
    }

    /// What the index answers and what it costs, in words, with a query that uses it.
    pub fn json_index_note(self, table: &str, column: &str, ix: &PlannedIndex, example: (&str, &serde_json::Value)) -> String {
        match self {
            Dialect::Postgres => postgres::json_index::note(table, column, ix, example),
            Dialect::MySql | Dialect::MariaDb => mysql::json_index::note(self, table, column, ix, example),
        }
    }
}
