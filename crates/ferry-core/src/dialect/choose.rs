//! Where a dialect is chosen: the one file that names each dialect's implementations of the
//! doors beside it (`expr::Spelling`, `write::RowFormat`, `errors::ServerError`, types and
//! their canonical reading, the read-back decoding, the native restore command). The implementations import the doors; only this file imports the
//! implementations, so the dependencies run one way.

use super::errors::{ServerError, Violation};
use super::expr::Spelling;
use super::write::WithRowFormat;
use super::inspect::Family;
use super::{mysql, postgres, Dialect, TargetUrl};
use crate::schema::FkAction;
use std::path::{Path, PathBuf};
use crate::schema::LogicalType;

impl Dialect {
    /// How an FTS table's documents are searched on this target: a few words for the plan's
    /// column reasons, and the whole note for the report (`dialect/*/search.rs`).
    pub fn search_how(self, fts: &crate::schema::Fts, columns: &[String], vector: &str, index: &str) -> (String, String) {
        match self {
            Dialect::Postgres => (postgres::search::how_short(fts, vector), postgres::search::how(fts, columns, vector, index)),
            Dialect::MySql | Dialect::MariaDb => (mysql::search::how_short(fts, vector), mysql::search::how(fts, columns, vector, index)),
        }
    }

    /// The name of the generated column a search indexes, where no column has it already.
    pub fn search_column(self) -> &'static str {
        match self {
            Dialect::Postgres => postgres::search::COLUMN,
            Dialect::MySql | Dialect::MariaDb => mysql::search::COLUMN,
        }
    }

    /// The text search configuration an ordinary table's search uses on this target (`english`
    /// for prose, `simple` for names), or None where the target has none (InnoDB's FULLTEXT).
    pub fn search_config(self, prose: bool) -> Option<&'static str> {
        match self {
            Dialect::Postgres => Some(if prose { "english" } else { "simple" }),
            Dialect::MySql | Dialect::MariaDb => None,
        }
    }

    /// An ordinary table's search as this target builds it (`[[production]]` search): the DDL
    /// the proposal shows (names unqualified) and the note that says its trade-off.
    /// `config`: `search_config`'s, where the target has one.
    pub fn search_proposal(self, table: &str, columns: &[String], config: Option<&str>, vector: &str, index: &str) -> (Vec<String>, String) {
        match self {
            Dialect::Postgres => postgres::search::proposal(table, columns, config.unwrap_or("simple"), vector, index),
            Dialect::MySql | Dialect::MariaDb => mysql::search::proposal(table, columns, vector, index),
        }
    }

    /// Whether an index can carry columns it does not search by (PostgreSQL `INCLUDE`); on
    /// MySQL/MariaDB a covering index has them appended to its key instead.
    pub fn index_include(self) -> bool {
        self == Dialect::Postgres
    }

    /// A logical type as this dialect's column type (`dialect/*/types.rs`).
    pub fn format_type(self, t: &LogicalType) -> String {
        match self {
            Dialect::Postgres => postgres::types::format_type(t),
            Dialect::MySql | Dialect::MariaDb => mysql::types::format_type(t),
        }
    }

    /// The collation a SQLite column that ignores case (NOCASE, `unicase`) gets, and why, in
    /// words for the plan (`dialect/*/collation.rs`).
    pub fn nocase_collation_words(self) -> &'static str {
        match self {
            Dialect::Postgres => postgres::collation::WORDS,
            Dialect::MySql => mysql::collation::MYSQL_WORDS,
            Dialect::MariaDb => mysql::collation::MARIADB_WORDS,
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

    /// The type forms a plan may name in this dialect, as a refusal lists them.
    pub fn accepted_types(self) -> &'static str {
        match self {
            Dialect::Postgres => postgres::types::ACCEPTED,
            Dialect::MySql | Dialect::MariaDb => mysql::types::ACCEPTED,
        }
    }

    /// A plan's (or an override's) type read as `parse_type` reads it, or the refusal in
    /// words: what is wrong with it and which forms are accepted.
    pub fn read_plan_type(self, s: &str) -> std::result::Result<LogicalType, String> {
        if let Some(t) = self.parse_type(s) {
            return Ok(t);
        }
        let why = match super::split_type_strict(s) {
            None => "it is not a type name with at most one list of whole numbers in parentheses (no comments, quotes, semicolons or text after it)".to_string(),
            Some((name, _)) if self.parse_type(&name).is_some() || self.parse_type(&format!("{name}(1)")).is_some() => format!("{name} does not take those numbers here"),
            Some((name, _)) => format!("Ferry does not create {name} columns"),
        };
        Err(format!("type {s:?} is not a {} type Ferry accepts: {why}. Accepted: {}", self.name(), self.accepted_types()))
    }

    /// A type's canonical spelling in the dialect: aliases resolved (`int8` → `bigint`,
    /// `character varying(20)` → `varchar(20)`, `timestamp with time zone` → `timestamptz`),
    /// MySQL's integer display widths dropped (`int(11)` → `int`, but `tinyint(1)` is the
    /// boolean and stays), defaults made explicit (`decimal` → `decimal(10,0)`, `datetime(0)`
    /// → `datetime`).
    pub fn canonical_type(self, s: &str) -> String {
        match self {
            Dialect::Postgres => postgres::types::canonical_type(s),
            Dialect::MySql | Dialect::MariaDb => mysql::types::canonical_type(s),
        }
    }

    pub(super) fn type_family(self, canonical: &str) -> Family {
        match self {
            Dialect::Postgres => Family::of(canonical, postgres::types::family),
            Dialect::MySql | Dialect::MariaDb => Family::of(canonical, |_, _| None),
        }
    }

    /// A foreign key action as the server keeps it. PostgreSQL keeps it as written; the
    /// InnoDB reading: SET DEFAULT is created as NO ACTION, and NO ACTION is RESTRICT.
    pub fn fk_action_as_kept(self, a: FkAction) -> FkAction {
        if !self.is_mysql_family() {
            return a;
        }
        match mysql::ddl::fk_action(a) {
            FkAction::NoAction => FkAction::Restrict,
            x => x,
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

    /// How `sync` writes values and opens a table's transaction (`dialect/*/sync.rs`).
    pub fn sync_sql(self) -> &'static dyn super::sync::SyncSql {
        match self {
            Dialect::Postgres => &postgres::sync::POSTGRES,
            Dialect::MySql | Dialect::MariaDb => &mysql::sync::MYSQL,
        }
    }

    /// A float read back as the dialect's canonical text (`Read::read_rows`).
    /// The statements that make a translated SQLite trigger with the run's tables in
    /// `pg_schema` (`Ddl::create_trigger`), known without a server (pre-flight); `on`: the
    /// planned table it fires on, when known; `Err`: why the dialect cannot have it.
    pub fn create_trigger_sql(self, pg_schema: &str, t: &crate::sqlexpr::TranslatedTrigger, on: Option<&crate::plan::resolve::PlannedTable>) -> std::result::Result<Vec<String>, String> {
        match self {
            Dialect::Postgres => postgres::triggers::create(pg_schema, t, on.and_then(crate::plan::resolve::PlannedTable::role_on_nodes)),
            Dialect::MySql | Dialect::MariaDb => mysql::triggers::create(t),
        }
    }
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

impl crate::dialect::errors::Limit {
    /// The time limit that stopped a statement, if one did.
    pub fn of(e: &sqlx::Error) -> Option<Self> {
        server_error(e)?.limit()
    }
}

impl crate::dialect::errors::Interrupted {
    /// Whether a statement was stopped by a cancel (`Target::interrupt`), not refused.
    pub fn of(e: &sqlx::Error) -> bool {
        server_error(e).is_some_and(|s| s.interrupted())
    }
}

impl TargetUrl {
    /// The command (beside `tool_env`) that restores the native dump `dump`: `pg_restore`
    /// in one transaction, or the `mariadb` / `mysql` client reading the SQL file. With it,
    /// a file to remove once the command has run. Runs `tool` itself when it needs to look
    /// into the dump first, so call it off the async runtime.
    pub fn restore_command(&self, tool: &Path, schema: Option<&str>, dump: &Path, schema_exists: bool) -> crate::error::Result<(std::process::Command, Option<PathBuf>)> {
        match self.dialect {
            Dialect::Postgres => postgres::dump::restore_command(self, tool, schema, dump, schema_exists),
            Dialect::MySql | Dialect::MariaDb => mysql::dump::restore_command(self, tool, dump),
        }
    }
}

impl TargetUrl {
    /// One look at the database's health, through the dialect's own views
    /// (`dialect/*/monitor.rs`); a figure the server does not offer becomes a note.
    pub async fn monitor_snapshot(&self, schema: Option<&str>, taken_at: String, notes: &mut Vec<String>) -> crate::error::Result<crate::monitor::Snapshot> {
        match self.dialect {
            Dialect::Postgres => postgres::monitor::snapshot(self, schema, taken_at, notes).await,
            Dialect::MySql | Dialect::MariaDb => mysql::monitor::snapshot(self, schema, taken_at, notes).await,
        }
    }

    /// Turns on the statements' statistics where a statement can (`monitor::enable_statements`).
    pub async fn enable_statements(&self) -> crate::error::Result<crate::monitor::EnableOutcome> {
        match self.dialect {
            Dialect::Postgres => postgres::monitor::enable_statements(self).await,
            Dialect::MySql | Dialect::MariaDb => Err(mysql::monitor::enable_statements(self)),
        }
    }
}

impl TargetUrl {
    /// What to fix in the database, through the dialect's own catalogs
    /// (`dialect/*/advise.rs`); a check the server refuses or lacks is listed as unchecked.
    pub async fn advise(&self, taken_at: String) -> crate::error::Result<crate::advise::Advice> {
        match self.dialect {
            Dialect::Postgres => postgres::advise::advise(self, taken_at).await,
            Dialect::MySql | Dialect::MariaDb => mysql::advise::advise(self, taken_at).await,
        }
    }
}

impl Dialect {
    /// Roles, grants and row-level security as this dialect writes them (`dialect/*/access.rs`).
    pub fn access_sql(self) -> &'static dyn super::access::AccessSql {
        match self {
            Dialect::Postgres => &postgres::access::POSTGRES,
            Dialect::MySql => &mysql::access::MYSQL,
            Dialect::MariaDb => &mysql::access::MARIADB,
        }
    }
}

impl TargetUrl {
    /// What a connection pooler in front of this server must fit (`dialect/*/pooling.rs`).
    pub async fn pool_figures(&self) -> crate::error::Result<crate::pooling::ServerFigures> {
        match self.dialect {
            Dialect::Postgres => postgres::pooling::figures(self).await,
            Dialect::MySql | Dialect::MariaDb => mysql::pooling::figures(self).await,
        }
    }
}
