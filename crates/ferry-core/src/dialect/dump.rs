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

    /// The collation runs create for columns compared without case (PostgreSQL's
    /// `ferry_nocase`, `postgres/collation.rs`): its name, a query counting it in `schema`,
    /// and the statement that drops it, which fails while a column still uses it. None for
    /// MySQL, whose collations are the server's own.
    pub fn own_collation_sql(self, schema: &str) -> Option<(&'static str, String, String)> {
        match self {
            Dialect::Postgres => Some((
                super::postgres::collation::NOCASE,
                format!(
                    "SELECT count(*) FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace WHERE c.collname = {} AND n.nspname = {}",
                    crate::sqlexpr::quote_literal(super::postgres::collation::NOCASE, self),
                    crate::sqlexpr::quote_literal(schema, self)
                ),
                format!("DROP COLLATION {}", super::postgres::collation::qualified(schema)),
            )),
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
    /// The URL's query settings, in order (a later one wins, as sqlx reads them).
    fn query(&self) -> Vec<(String, String)> {
        let u = url::Url::parse(&self.url).expect("a parsed target URL");
        u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }

    /// The last value the URL gives any of `keys` (sqlx's spellings of one setting).
    fn setting(&self, keys: &[&str]) -> Option<String> {
        self.query().into_iter().filter(|(k, _)| keys.contains(&k.as_str())).map(|(_, v)| v).next_back()
    }

    /// Why the server's own tools cannot connect as this URL says, if they cannot: a TLS
    /// setting of a MySQL/MariaDB URL that MariaDB's client has no option for. Ferry's own
    /// engine is used instead when none was chosen; `--engine native` is refused with this.
    pub fn native_refusal(&self) -> Option<String> {
        if self.dialect == Dialect::Postgres {
            return None;
        }
        let mode = self.setting(&["ssl-mode", "sslmode"])?.to_ascii_uppercase();
        let why = match mode.as_str() {
            "REQUIRED" => "ssl-mode=REQUIRED (TLS without checking the certificate): MariaDB's mariadb-dump and mariadb fall back to an unencrypted connection when TLS is refused, so they cannot be held to it",
            "VERIFY_CA" => "ssl-mode=VERIFY_CA (check the CA but not the host name): MariaDB's mariadb-dump and mariadb check both or neither",
            _ => return None,
        };
        Some(format!("the server's own tools cannot keep {why}; use ssl-mode=VERIFY_IDENTITY (with ssl-ca=…) or --engine ferry"))
    }

    /// Connection settings for the server's own tools: host, port, user and database on the
    /// command line's environment, the password in `PGPASSWORD` / `MYSQL_PWD` (never as an
    /// argument), and for PostgreSQL every setting of the URL's query libpq has a variable
    /// for (`sslmode`, `sslrootcert`, `sslcert`, `sslkey` as `PGSSLMODE`, `PGSSLROOTCERT`, …),
    /// under each of the names sqlx reads.
    pub fn tool_env(&self) -> Vec<(String, String)> {
        let u = url::Url::parse(&self.url).expect("a parsed target URL");
        let host = u.host_str().unwrap_or("localhost").trim_matches(['[', ']']).to_string();
        let password = u.password().map(|p| url::form_urlencoded::parse(format!("x={p}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default());
        let mut env: Vec<(String, String)> = vec![];
        let mut set = |k: &str, v: String| {
            env.retain(|(n, _)| n != k);
            env.push((k.to_string(), v));
        };
        match self.dialect {
            Dialect::Postgres => {
                set("PGHOST", host);
                set("PGPORT", u.port().unwrap_or(5432).to_string());
                set("PGUSER", self.user.clone());
                set("PGDATABASE", self.database.clone());
                set("PGAPPNAME", "ferry".into());
                if let Some(p) = password {
                    set("PGPASSWORD", p);
                }
                let mut options: Vec<String> = vec![];
                for (k, v) in self.query() {
                    match k.as_str() {
                        "sslmode" | "ssl-mode" => set("PGSSLMODE", v.to_ascii_lowercase()),
                        "sslrootcert" | "ssl-root-cert" | "ssl-ca" => set("PGSSLROOTCERT", v),
                        "sslcert" | "ssl-cert" => set("PGSSLCERT", v),
                        "sslkey" | "ssl-key" => set("PGSSLKEY", v),
                        "host" => set("PGHOST", v),
                        "hostaddr" => set("PGHOSTADDR", v),
                        "port" => set("PGPORT", v),
                        "dbname" => set("PGDATABASE", v),
                        "user" => set("PGUSER", v),
                        "password" => set("PGPASSWORD", v),
                        "options" => options.push(v),
                        k if k.starts_with("options[") && k.ends_with(']') => {
                            // As sqlx writes them: `-c key=value`, spaces and backslashes escaped.
                            let esc = |s: &str| s.replace('\\', "\\\\").replace(' ', "\\ ");
                            options.push(format!("-c {}={}", esc(&k[8..k.len() - 1]), esc(&v)));
                        }
                        _ => {}
                    }
                }
                if !options.is_empty() {
                    set("PGOPTIONS", options.join(" "));
                }
            }
            _ => {
                set("MYSQL_HOST", host);
                set("MYSQL_TCP_PORT", u.port().unwrap_or(3306).to_string());
                if let Some(p) = password {
                    set("MYSQL_PWD", p);
                }
            }
        }
        env
    }

    /// MySQL/MariaDB client arguments: host, port (or the URL's `socket`), user (never the
    /// password), and the URL's TLS settings as MariaDB's client spells them: `ssl-mode`
    /// DISABLED → `--skip-ssl`, PREFERRED → `--ssl`, VERIFY_IDENTITY → `--ssl
    /// --ssl-verify-server-cert`; `ssl-ca`, `ssl-cert`, `ssl-key` → `--ssl-ca=…` and so on.
    /// (REQUIRED and VERIFY_CA have no such option: see `native_refusal`.)
    pub fn mysql_args(&self) -> Vec<String> {
        let u = url::Url::parse(&self.url).expect("a parsed target URL");
        let mut args = match self.setting(&["socket"]) {
            Some(socket) => vec![format!("--socket={socket}"), "--protocol=SOCKET".into()],
            None => vec![format!("--host={}", u.host_str().unwrap_or("localhost").trim_matches(['[', ']'])), format!("--port={}", u.port().unwrap_or(3306)), "--protocol=TCP".into()],
        };
        args.push(format!("--user={}", self.user));
        args.push("--default-character-set=utf8mb4".into());
        match self.setting(&["ssl-mode", "sslmode"]).map(|m| m.to_ascii_uppercase()).as_deref() {
            // Alone: each of `--ssl-ca`, `--ssl-cert`, `--ssl-key` would turn TLS back on.
            Some("DISABLED") => return [args, vec!["--skip-ssl".into()]].concat(),
            Some("VERIFY_IDENTITY") => args.extend(["--ssl".into(), "--ssl-verify-server-cert".into()]),
            Some(_) => args.push("--ssl".into()),
            None => {}
        }
        for (keys, flag) in [(&["ssl-ca", "sslca"], "--ssl-ca"), (&["ssl-cert", "sslcert"], "--ssl-cert"), (&["ssl-key", "sslkey"], "--ssl-key")] {
            if let Some(v) = self.setting(keys) {
                args.push(format!("{flag}={v}"));
            }
        }
        args
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
    fn postgres_tools_get_every_setting_of_the_url_as_libpq_variables() {
        let env = |url: &str| TargetUrl::parse(url).unwrap().tool_env().into_iter().collect::<std::collections::BTreeMap<_, _>>();
        // (URL, variables it sets, variables it leaves unset)
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);
        let cases: &[Case] = &[
            ("postgres://u@h/d", &[("PGHOST", "h"), ("PGPORT", "5432"), ("PGUSER", "u"), ("PGDATABASE", "d")], &["PGSSLMODE", "PGSSLROOTCERT", "PGPASSWORD", "PGOPTIONS"]),
            (
                "postgres://u@h/d?sslmode=verify-full&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem",
                &[("PGSSLMODE", "verify-full"), ("PGSSLROOTCERT", "/ca.pem"), ("PGSSLCERT", "/c.pem"), ("PGSSLKEY", "/k.pem")],
                &["PGPASSWORD"],
            ),
            // sqlx's other spellings, and its case-insensitive mode
            ("postgres://u@h/d?ssl-mode=VERIFY-CA&ssl-root-cert=/a.pem&ssl-cert=/c.pem&ssl-key=/k.pem", &[("PGSSLMODE", "verify-ca"), ("PGSSLROOTCERT", "/a.pem"), ("PGSSLCERT", "/c.pem"), ("PGSSLKEY", "/k.pem")], &[]),
            ("postgres://u@h/d?ssl-ca=/first.pem&sslrootcert=/last.pem", &[("PGSSLROOTCERT", "/last.pem")], &[]),
            ("postgres://u@h/d?sslmode=require", &[("PGSSLMODE", "require")], &["PGSSLROOTCERT"]),
            ("postgres://u@h/d?password=p%20w&user=v&port=6543&dbname=e", &[("PGPASSWORD", "p w"), ("PGUSER", "v"), ("PGPORT", "6543"), ("PGDATABASE", "e")], &[]),
            ("postgres://u@h/d?options=-c%20a%3D1&options%5Bsearch_path%5D=x%20y", &[("PGOPTIONS", "-c a=1 -c search_path=x\\ y")], &[]),
        ];
        for (url, want, absent) in cases {
            let got = env(url);
            for (k, v) in *want {
                assert_eq!(got.get(*k).map(String::as_str), Some(*v), "{url}: {k}");
            }
            for k in *absent {
                assert!(!got.contains_key(*k), "{url}: {k} should not be set");
            }
            assert_eq!(TargetUrl::parse(url).unwrap().native_refusal(), None, "{url}");
        }
    }

    #[test]
    fn mysql_tools_get_the_urls_tls_settings_or_are_refused() {
        let base = ["--host=h", "--port=3306", "--protocol=TCP", "--user=u", "--default-character-set=utf8mb4"];
        let cases: &[(&str, &[&str], bool)] = &[
            ("mysql://u@h/d", &[], false),
            ("mysql://u@h/d?ssl-mode=DISABLED&ssl-ca=/ca.pem", &["--skip-ssl"], false),
            ("mysql://u@h/d?ssl-mode=preferred", &["--ssl"], false),
            ("mariadb://u@h/d?ssl-mode=VERIFY_IDENTITY&ssl-ca=/ca.pem", &["--ssl", "--ssl-verify-server-cert", "--ssl-ca=/ca.pem"], false),
            ("mysql://u@h/d?sslmode=verify_identity&sslca=/ca.pem&sslcert=/c.pem&sslkey=/k.pem", &["--ssl", "--ssl-verify-server-cert", "--ssl-ca=/ca.pem", "--ssl-cert=/c.pem", "--ssl-key=/k.pem"], false),
            ("mysql://u@h/d?ssl-mode=REQUIRED", &["--ssl"], true),
            ("mysql://u@h/d?ssl-mode=VERIFY_CA&ssl-ca=/ca.pem", &["--ssl", "--ssl-ca=/ca.pem"], true),
        ];
        for (url, tls, refused) in cases {
            let t = TargetUrl::parse(url).unwrap();
            let want: Vec<String> = base.iter().chain(tls.iter()).map(|s| s.to_string()).collect();
            assert_eq!(t.mysql_args(), want, "{url}");
            let refusal = t.native_refusal();
            assert_eq!(refusal.is_some(), *refused, "{url}: {refusal:?}");
            if let Some(r) = refusal {
                assert!(r.contains("--engine ferry") && r.contains("ssl-mode="), "{r}");
            }
        }
        let t = TargetUrl::parse("mysql://u@h/d?socket=/run/mysqld/mysqld.sock").unwrap();
        assert_eq!(t.mysql_args()[..2], ["--socket=/run/mysqld/mysqld.sock".to_string(), "--protocol=SOCKET".to_string()]);
    }

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
