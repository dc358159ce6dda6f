//! The defaults and extensions `plan::production::defaults` proposes, as each target spells
//! them: a UUID key the server generates, a creation time it fills, and the extensions
//! (PostgreSQL only: MySQL and MariaDB have none).

use super::Dialect;
use crate::schema::LogicalType;
use crate::sqlexpr::quote_ident;

/// The extensions a plan may name (`[[production]]` kind `extension`): the ones Ferry's
/// proposals and monitor use, and a few common ones.
pub const EXTENSIONS: &[&str] = &["pg_stat_statements", "pg_trgm", "btree_gin", "btree_gist", "pgcrypto", "unaccent", "citext", "fuzzystrmatch"];

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

    /// Whether the target has extensions to create.
    pub fn has_extensions(self) -> bool {
        self == Dialect::Postgres
    }

    /// `CREATE EXTENSION IF NOT EXISTS name`; None where the target has none or the name is
    /// not one of `EXTENSIONS`.
    pub fn create_extension(self, name: &str) -> Option<String> {
        (self.has_extensions() && EXTENSIONS.contains(&name)).then(|| format!("CREATE EXTENSION IF NOT EXISTS {}", quote_ident(name, self)))
    }

    /// A query counting the extensions named `name` in the database (0 or 1), to tell one a
    /// run creates from one that was there; None where the target has none.
    pub fn extension_exists_sql(self, name: &str) -> Option<String> {
        self.has_extensions().then(|| format!("SELECT count(*) FROM pg_extension WHERE extname = {}", crate::sqlexpr::quote_literal(name, self)))
    }

    /// `DROP EXTENSION IF EXISTS name`, without CASCADE: the server refuses while objects the
    /// run did not make use it. None where the target has none.
    pub fn drop_extension(self, name: &str) -> Option<String> {
        self.has_extensions().then(|| format!("DROP EXTENSION IF EXISTS {}", quote_ident(name, self)))
    }

    /// The extension an index needs (a trigram operator class: `pg_trgm`), if any.
    pub fn index_extension(self, ix: &crate::plan::planned::PlannedIndex) -> Option<&'static str> {
        if self != Dialect::Postgres {
            return None;
        }
        let trgm = |s: &str| s.contains("gin_trgm_ops") || s.contains("gist_trgm_ops");
        let in_parts = ix.parts.iter().any(|p| matches!(p, crate::plan::planned::PlannedPart::Expr { sql, .. } if trgm(sql)));
        (ix.opclass.as_deref().is_some_and(trgm) || in_parts).then_some("pg_trgm")
    }

    /// What an extension needs beyond being created, and what it costs.
    pub fn extension_note(self, name: &str) -> Option<&'static str> {
        match (self, name) {
            (Dialect::Postgres, "pg_stat_statements") => Some("it counts statements only once the server loads it at start (shared_preload_libraries = 'pg_stat_statements', then a restart); creating it needs a superuser (it is not a trusted extension): where the role may not, migrate says so and goes on without it"),
            (Dialect::Postgres, "pg_trgm") => Some("a trusted extension: a database owner may create it; where the role may not, migrate says so and goes on, and the trigram indexes that need it are not made"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_target_spells_its_defaults() {
        let uuid = LogicalType::Uuid;
        let ts = LogicalType::Timestamp { tz: true };
        let cases: Vec<(Dialect, &LogicalType, &str, Option<&str>, Option<&str>)> = vec![
            (Dialect::Postgres, &uuid, "uuid", Some("gen_random_uuid()"), None),
            (Dialect::Postgres, &uuid, "text", None, None),
            (Dialect::MySql, &uuid, "char(36)", Some("(uuid())"), None),
            (Dialect::MySql, &LogicalType::Text { max: Some(36) }, "char(36)", Some("(uuid())"), None),
            (Dialect::MySql, &uuid, "varchar(40)", None, None),
            (Dialect::MariaDb, &uuid, "uuid", Some("uuid()"), None),
            (Dialect::Postgres, &ts, "timestamptz", None, Some("now()")),
            (Dialect::MySql, &ts, "datetime(6)", None, Some("CURRENT_TIMESTAMP(6)")),
            (Dialect::MariaDb, &ts, "datetime", None, Some("CURRENT_TIMESTAMP")),
            (Dialect::MySql, &ts, "varchar(40)", None, None),
        ];
        for (d, l, ty, u, now) in cases {
            assert_eq!(d.uuid_default(l, ty).as_deref(), u, "{d:?} {ty}");
            assert_eq!(d.now_default(l, ty).as_deref(), now, "{d:?} {ty}");
        }
        assert_eq!(Dialect::Postgres.create_extension("pg_trgm").as_deref(), Some("CREATE EXTENSION IF NOT EXISTS \"pg_trgm\""));
        assert_eq!(Dialect::Postgres.create_extension("plpython3u"), None);
        assert_eq!(Dialect::MariaDb.create_extension("pg_trgm"), None);
        use crate::plan::planned::{PlannedIndex, PlannedPart};
        let ix = |opclass: Option<&str>, part: PlannedPart| PlannedIndex { name: "i".into(), unique: false, parts: vec![part], where_sql: None, source_sql: String::new(), using: Some("gin".into()), opclass: opclass.map(String::from), include: vec![] };
        let col = || PlannedPart::Column { name: "name".into(), desc: false };
        assert_eq!(Dialect::Postgres.index_extension(&ix(Some("gin_trgm_ops"), col())), Some("pg_trgm"));
        assert_eq!(Dialect::Postgres.index_extension(&ix(None, PlannedPart::Expr { sql: "lower(name) gin_trgm_ops".into(), desc: false })), Some("pg_trgm"));
        assert_eq!(Dialect::Postgres.index_extension(&ix(Some("jsonb_path_ops"), col())), None);
        assert_eq!(Dialect::MariaDb.index_extension(&ix(Some("gin_trgm_ops"), col())), None);
    }
}
