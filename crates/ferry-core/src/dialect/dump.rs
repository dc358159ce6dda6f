//! Backups of the target, whichever the dialect: Ferry's own dump through the `Dump` trait
//! (implemented in `dialect/postgres/dump.rs` and `dialect/mysql/dump.rs`, reached through
//! `Conn`), and what the server's own tools need — which programs, which settings — as
//! methods on `Dialect` and `TargetUrl`; with them what a restore or a rollback needs to
//! know of the dialect (transactions, schemas, emptying tables).

use crate::backup::{DumpError, DumpObjects, TableSql};
use crate::dialect::session::{each, Conn, Target};
use crate::dialect::{Dialect, TargetUrl};
use crate::sqlexpr::quote_ident;
use std::ffi::OsString;
use std::path::Path;

/// Ferry's own logical dump of a session's schema (PostgreSQL) or database (MySQL/MariaDB),
/// and its way back in. `schema` is the PostgreSQL schema; a MySQL session dumps its own
/// database and leaves it unused.
#[allow(async_fn_in_trait)]
pub trait Dump {
    /// The tables and views, in the order they were made.
    async fn dump_objects(&mut self, schema: &str) -> Result<DumpObjects, sqlx::Error>;
    /// The data's size on disk, for progress and messages.
    async fn dump_size(&mut self, schema: &str) -> Result<u64, sqlx::Error>;
    /// Sets the session up for `dump_table` and `dump_view`, so the statements they print
    /// mean the same in the session that restores them.
    async fn dump_begin(&mut self) -> Result<(), sqlx::Error>;
    /// One table as statements, and the columns whose values are dumped.
    async fn dump_table(&mut self, schema: &str, table: &str) -> Result<TableSql, sqlx::Error>;
    /// `CREATE VIEW` for one view.
    async fn dump_view(&mut self, schema: &str, view: &str) -> Result<String, sqlx::Error>;
    /// Streams the table's rows (the columns `t` lists) to `sink`, one line a row; returns
    /// the rows.
    async fn dump_rows(&mut self, schema: &str, table: &str, t: &TableSql, sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> Result<u64, DumpError>;
    /// Loads rows, as `dump_rows` wrote them, into the table; `max_statement` is the most
    /// bytes one statement may take (MySQL's packet size).
    async fn restore_rows(&mut self, schema: &str, table: &str, t: &TableSql, max_statement: usize, lines: &mut dyn Iterator<Item = std::io::Result<Vec<u8>>>) -> Result<u64, DumpError>;
}

impl Conn {
    pub async fn dump_objects(&mut self, schema: &str) -> Result<DumpObjects, sqlx::Error> {
        each!(self, c => c.dump_objects(schema).await)
    }
    pub async fn dump_size(&mut self, schema: &str) -> Result<u64, sqlx::Error> {
        each!(self, c => c.dump_size(schema).await)
    }
    pub async fn dump_begin(&mut self) -> Result<(), sqlx::Error> {
        each!(self, c => c.dump_begin().await)
    }
    pub async fn dump_table(&mut self, schema: &str, table: &str) -> Result<TableSql, sqlx::Error> {
        each!(self, c => c.dump_table(schema, table).await)
    }
    pub async fn dump_view(&mut self, schema: &str, view: &str) -> Result<String, sqlx::Error> {
        each!(self, c => c.dump_view(schema, view).await)
    }
    pub async fn dump_rows(&mut self, schema: &str, table: &str, t: &TableSql, sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> Result<u64, DumpError> {
        each!(self, c => c.dump_rows(schema, table, t, sink).await)
    }
    pub async fn restore_rows(&mut self, schema: &str, table: &str, t: &TableSql, max_statement: usize, lines: &mut dyn Iterator<Item = std::io::Result<Vec<u8>>>) -> Result<u64, DumpError> {
        each!(self, c => c.restore_rows(schema, table, t, max_statement, lines).await)
    }
}

impl Dialect {
    /// The server's own dump tools, in the order they are looked for on `PATH`.
    pub fn dump_tools(self) -> &'static [&'static str] {
        match self {
            Dialect::Postgres => &["pg_dump"],
            _ => &["mariadb-dump", "mysqldump"],
        }
    }

    /// The clients that restore what `dump_tools` write.
    pub fn restore_tools(self) -> &'static [&'static str] {
        match self {
            Dialect::Postgres => &["pg_restore"],
            _ => &["mariadb", "mysql"],
        }
    }

    /// The package that installs those tools, for the message that asks for them.
    pub fn client_package(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgresql-client",
            _ => "mariadb-client",
        }
    }

    /// How the native dump is written, after the tool's name in a backup's `format`:
    /// `pg_dump`'s custom archive, or SQL.
    pub fn native_format(self) -> &'static str {
        match self {
            Dialect::Postgres => "custom",
            _ => "sql",
        }
    }

    /// The file extension of a native dump.
    pub fn native_extension(self) -> &'static str {
        match self {
            Dialect::Postgres => "dump",
            _ => "sql",
        }
    }

    /// Whether a database holds schemas (PostgreSQL), so a backup is of one of them; a MySQL
    /// database is itself the schema.
    pub fn has_schemas(self) -> bool {
        self == Dialect::Postgres
    }

    /// Whether what was made on one dialect can be restored or rolled back on the other:
    /// MySQL and MariaDB are one family, PostgreSQL another.
    pub fn same_family(self, other: Dialect) -> bool {
        (self == Dialect::Postgres) == (other == Dialect::Postgres)
    }

    /// Whether DDL runs inside a transaction (PostgreSQL): a restore or a rollback then
    /// happens in one, all or nothing, and a failed statement ends it.
    pub fn transactional_ddl(self) -> bool {
        self == Dialect::Postgres
    }

    /// The statement that makes the schema when it is missing (PostgreSQL; none for MySQL,
    /// whose database is the schema).
    pub fn create_schema_sql(self, schema: &str) -> Option<String> {
        match self {
            Dialect::Postgres => Some(format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(schema, Dialect::Postgres))),
            _ => None,
        }
    }

    /// The statement that drops an empty schema (PostgreSQL; none for MySQL).
    pub fn drop_schema_sql(self, schema: &str) -> Option<String> {
        match self {
            Dialect::Postgres => Some(format!("DROP SCHEMA {}", quote_ident(schema, Dialect::Postgres))),
            _ => None,
        }
    }

    /// The statements that remove every row of `tables` (names as `Target::table_sql_name`
    /// gives them): one TRUNCATE on PostgreSQL, a DELETE for each table on MySQL.
    pub fn empty_tables_sql(self, tables: &[String]) -> Vec<String> {
        match self {
            Dialect::Postgres => vec![format!("TRUNCATE {}", tables.join(", "))],
            _ => tables.iter().map(|t| format!("DELETE FROM {t}")).collect(),
        }
    }
}

impl Target {
    /// Where the target's tables are, for messages: a schema of the database (PostgreSQL) or
    /// the database (MySQL/MariaDB).
    pub fn place(&self) -> String {
        match self.dialect {
            Dialect::Postgres => format!("schema {:?} of database {:?}", self.pg_schema, self.url.database),
            _ => format!("database {:?}", self.url.database),
        }
    }
}

impl TargetUrl {
    /// Connection settings for the server's own tools: host, port, user and database on the
    /// command line's environment, the password in `PGPASSWORD` / `MYSQL_PWD` (never as an argument).
    pub fn tool_env(&self) -> Vec<(String, String)> {
        let u = url::Url::parse(&self.url).expect("a parsed target URL");
        let host = u.host_str().unwrap_or("localhost").trim_matches(['[', ']']).to_string();
        let password = u.password().map(|p| url::form_urlencoded::parse(format!("x={p}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default());
        let query: std::collections::HashMap<String, String> = u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let mut env = vec![];
        match self.dialect {
            Dialect::Postgres => {
                env.push(("PGHOST".into(), host));
                env.push(("PGPORT".into(), u.port().unwrap_or(5432).to_string()));
                env.push(("PGUSER".into(), self.user.clone()));
                env.push(("PGDATABASE".into(), self.database.clone()));
                env.push(("PGAPPNAME".into(), "ferry".into()));
                if let Some(m) = query.get("sslmode") {
                    env.push(("PGSSLMODE".into(), m.clone()));
                }
                if let Some(p) = password {
                    env.push(("PGPASSWORD".into(), p));
                }
            }
            _ => {
                env.push(("MYSQL_HOST".into(), host));
                env.push(("MYSQL_TCP_PORT".into(), u.port().unwrap_or(3306).to_string()));
                if let Some(p) = password {
                    env.push(("MYSQL_PWD".into(), p));
                }
            }
        }
        env
    }

    /// MySQL/MariaDB client arguments: host, port, user (never the password).
    pub fn mysql_args(&self) -> Vec<String> {
        let u = url::Url::parse(&self.url).expect("a parsed target URL");
        vec![
            format!("--host={}", u.host_str().unwrap_or("localhost").trim_matches(['[', ']'])),
            format!("--port={}", u.port().unwrap_or(3306)),
            "--protocol=TCP".into(),
            format!("--user={}", self.user),
            "--default-character-set=utf8mb4".into(),
        ]
    }

    /// The dump tool's arguments (beside `tool_env`): `pg_dump`'s custom archive of one
    /// schema, or `mariadb-dump`'s SQL of the whole database, written to `partial`.
    pub fn dump_args(&self, schema: Option<&str>, partial: &Path) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![];
        match self.dialect {
            Dialect::Postgres => {
                args.extend(["--format=custom", "--no-password", "--file"].map(OsString::from));
                args.push(partial.into());
                if let Some(s) = schema {
                    args.push(format!("--schema={}", crate::sqlexpr::quote_ident(s, Dialect::Postgres)).into());
                }
            }
            _ => {
                args.extend(self.mysql_args().into_iter().map(OsString::from));
                args.extend(["--single-transaction", "--routines", "--triggers", "--hex-blob", "--skip-add-drop-table", "--no-tablespaces"].map(OsString::from));
                args.push(format!("--result-file={}", partial.display()).into());
                args.push("--".into());
                args.push((&self.database).into());
            }
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_settings_keep_the_password_off_the_command_line() {
        let t = TargetUrl::parse("postgres://bob:p%40ss@db.example:5433/shop?sslmode=require").unwrap();
        let env = t.tool_env();
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!((get("PGHOST"), get("PGPORT"), get("PGUSER"), get("PGDATABASE"), get("PGSSLMODE"), get("PGPASSWORD")), (Some("db.example"), Some("5433"), Some("bob"), Some("shop"), Some("require"), Some("p@ss")));
        let t = TargetUrl::parse("mariadb://root:s3cret@127.0.0.1/shop").unwrap();
        assert_eq!(t.tool_env().iter().find(|(n, _)| n == "MYSQL_PWD").map(|(_, v)| v.as_str()), Some("s3cret"));
        assert!(t.mysql_args().iter().all(|a| !a.contains("s3cret")));
        assert!(t.mysql_args().contains(&"--port=3306".to_string()));
    }
}
