//! A target session, whichever the dialect: `Target` (the server, identified once) opens
//! `Conn`s, and the engine asks them for what it needs; how each dialect does it lives in its
//! own folder.

use crate::dialect::mysql::{self, flavor::Flavor, MySqlConnection};
use crate::dialect::postgres::{self, PgConnection};
use crate::dialect::{Dialect, TargetUrl};
use crate::error::{FerryError, Result};

/// An open target session of either dialect.
pub enum Conn {
    Pg(PgConnection),
    My(MySqlConnection),
}

/// The target, connected and identified.
pub struct Target {
    pub url: TargetUrl,
    pub dialect: Dialect,
    pub server: String,
    pub pg_schema: String,
    pub flavor: Option<Flavor>,
}

impl Target {
    /// Connects once to learn what the server is; `connect` opens the working sessions.
    pub async fn open(url: &str, pg_schema: Option<&str>) -> Result<(Target, Conn)> {
        let url = TargetUrl::parse(url)?;
        match url.dialect {
            Dialect::Postgres => {
                let mut c = postgres::connect(&url).await?;
                let server = postgres::flavor::server_version(&mut c).await.map_err(|e| target_err("the server version", e))?;
                let schema = pg_schema.unwrap_or("public").to_string();
                Ok((Target { url, dialect: Dialect::Postgres, server, pg_schema: schema, flavor: None }, Conn::Pg(c)))
            }
            _ => {
                let mut c = mysql::connect(&url).await?;
                let flavor = mysql::flavor::detect(&mut c).await.map_err(|e| target_err("the server version", e))?;
                mysql::set_collation(&mut c, &flavor).await.map_err(|e| target_err("the session collation", e))?;
                Ok((
                    Target { url, dialect: flavor.dialect, server: flavor.version.clone(), pg_schema: String::new(), flavor: Some(flavor) },
                    Conn::My(c),
                ))
            }
        }
    }

    pub async fn connect(&self) -> Result<Conn> {
        self.prepare(Target::connect_bare(&self.url).await?).await
    }

    /// A session as the URL gives it, before the server is known (`prepare` finishes it).
    pub async fn connect_bare(url: &TargetUrl) -> Result<Conn> {
        Ok(match url.dialect {
            Dialect::Postgres => Conn::Pg(postgres::connect(url).await?),
            _ => Conn::My(mysql::connect(url).await?),
        })
    }

    /// Sets a bare session up for this server: the PostgreSQL schema first on the search
    /// path, the MySQL session's collation.
    pub async fn prepare(&self, conn: Conn) -> Result<Conn> {
        Ok(match conn {
            Conn::Pg(mut c) => {
                postgres::set_search_path(&mut c, &self.pg_schema).await.map_err(|e| target_err("the search path", e))?;
                Conn::Pg(c)
            }
            Conn::My(mut c) => {
                let flavor = self.flavor.as_ref().expect("mysql flavor");
                mysql::set_collation(&mut c, flavor).await.map_err(|e| target_err("the session collation", e))?;
                Conn::My(c)
            }
        })
    }

    /// The tables and views already there.
    pub async fn existing_objects(&self, conn: &mut Conn) -> Result<Vec<String>> {
        match conn {
            Conn::Pg(c) => postgres::inspect::existing_objects(c, &self.pg_schema).await,
            Conn::My(c) => mysql::inspect::existing_objects(c).await,
        }
        .map_err(|e| target_err("the list of existing tables", e))
    }

    /// MySQL's binary collation for this server (empty for PostgreSQL).
    pub fn binary_collation(&self) -> &'static str {
        self.flavor.as_ref().map(|f| f.binary_collation()).unwrap_or("")
    }

    pub fn table_sql_name(&self, name: &str) -> String {
        match self.dialect {
            Dialect::Postgres => postgres::ddl::qualified(&self.pg_schema, name),
            _ => crate::sqlexpr::quote_ident(name, Dialect::MySql),
        }
    }
}

pub fn target_err(object: &str, e: sqlx::Error) -> FerryError {
    let detail = match e.as_database_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    };
    FerryError::Target { object: object.into(), detail }
}

/// Runs `$body` with `$c` bound to the session's own connection (`PgConnection` or
/// `MySqlConnection`): the one place a session's dialect is matched. Each concern's trait
/// (`Session` here, the others beside it in `dialect/`) is implemented for both connections
/// in the dialect's folder, so `$body` is the same call for each, and a dialect that lacks
/// an operation does not build.
macro_rules! each {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::dialect::session::Conn::Pg($c) => $body,
            $crate::dialect::session::Conn::My($c) => $body,
        }
    };
}
#[allow(unused_imports)] // used by the door files beside this one
pub(crate) use each;

/// What the pipeline asks of a target session. Implemented in `dialect/postgres/session.rs`
/// and `dialect/mysql/session.rs`; the engine calls it through `Conn`.
#[allow(async_fn_in_trait)]
pub trait Session {
    /// Runs statements whose results are not wanted.
    async fn execute(&mut self, sql: &str) -> std::result::Result<(), sqlx::Error>;
    /// The one integer (or NULL) a query returns.
    async fn query_i64(&mut self, sql: &str) -> std::result::Result<Option<i64>, sqlx::Error>;
}

impl Conn {
    pub async fn execute(&mut self, sql: &str) -> std::result::Result<(), sqlx::Error> {
        each!(self, c => c.execute(sql).await)
    }
    pub async fn query_i64(&mut self, sql: &str) -> std::result::Result<Option<i64>, sqlx::Error> {
        each!(self, c => c.query_i64(sql).await)
    }
}

pub fn db_message(e: &sqlx::Error) -> String {
    match e.as_database_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    }
}
