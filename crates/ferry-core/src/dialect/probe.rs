//! "Test connection": what a target URL leads to, before anything is written there.
//!
//! Connects the way a migration would (same URL, same TLS mode, same session set-up) and
//! reports the server and its version, MySQL or MariaDB, whether the database (or PostgreSQL
//! schema) is empty, and whether the user may create tables in it. Failures are the same
//! `FerryError`s a migration would meet, each saying what to try.

use crate::error::Result;
use crate::dialect::{mysql, postgres, Dialect, TargetUrl};
use serde::{Deserialize, Serialize};

/// What a successful connection found.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServerInfo {
    /// The server's kind as detected (a `mysql://` URL may well lead to MariaDB).
    pub dialect: Dialect,
    /// Name and version, e.g. `PostgreSQL 15.19`, `MariaDB 10.11.19`.
    pub server: String,
    /// `host:port` as connected to.
    pub host: String,
    pub user: String,
    pub database: String,
    /// The PostgreSQL schema the tables would go to; `None` for MySQL/MariaDB.
    pub schema: Option<String>,
    /// Tables and views already there (the migration needs none).
    pub objects: Vec<String>,
    /// The user may create tables there (for PostgreSQL, in the schema, or the schema itself).
    pub may_create: bool,
    /// The connection is encrypted.
    pub tls: bool,
    /// PostgreSQL: a connection pooler seems to sit in front of the server, and what that
    /// means for a migration (a sentence); `None` when nothing says so.
    pub pooler: Option<String>,
    /// PostgreSQL with the Citus extension: its version and nodes ("Citus 13.2: coordinator
    /// and 2 workers"); `None` otherwise.
    #[serde(default)]
    pub citus: Option<String>,
    /// PostgreSQL, a user that is no superuser: the features that need a right it lacks, and
    /// which (a sentence; no step of a migration needs one); `None` otherwise.
    #[serde(default)]
    pub rights: Option<String>,
}

impl ServerInfo {
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}

/// Connects to `url` and reports what is there. `pg_schema` defaults to `public`.
pub async fn probe(url: &str, pg_schema: Option<&str>) -> Result<ServerInfo> {
    let t = TargetUrl::parse(url)?;
    let fail = |e: sqlx::Error| crate::dialect::connect_error(&t, e);
    if t.dialect == Dialect::Postgres {
        let schema = pg_schema.unwrap_or("public");
        let mut conn = postgres::connect(&t).await?;
        Ok(ServerInfo {
            dialect: Dialect::Postgres,
            server: postgres::flavor::server_version(&mut conn).await.map_err(fail)?,
            host: t.host.clone(),
            user: t.user.clone(),
            database: t.database.clone(),
            schema: Some(schema.to_string()),
            objects: postgres::inspect::existing_objects(&mut conn, schema).await.map_err(fail)?.into_iter().map(|o| o.name).collect(),
            may_create: postgres::flavor::may_create(&mut conn, schema).await.map_err(fail)?,
            tls: postgres::flavor::tls_in_use(&mut conn).await.map_err(fail)?,
            pooler: postgres::flavor::pooler_sign(&mut conn, &t).await.map_err(fail)?.map(|s| s.explain()),
            citus: postgres::flavor::citus(&mut conn).await.map_err(fail)?.map(|c| c.describe()),
            rights: postgres::flavor::rights(&mut conn).await.map_err(fail)?.missing(&t.user),
        })
    } else {
        let mut conn = mysql::connect(&t).await?;
        let flavor = mysql::flavor::detect(&mut conn).await.map_err(fail)?;
        Ok(ServerInfo {
            dialect: flavor.dialect,
            server: flavor.version.clone(),
            host: t.host.clone(),
            user: t.user.clone(),
            database: t.database.clone(),
            schema: None,
            objects: mysql::inspect::existing_objects(&mut conn).await.map_err(fail)?.into_iter().map(|o| o.name).collect(),
            may_create: mysql::flavor::may_create(&mut conn).await.map_err(fail)?,
            tls: mysql::flavor::tls_in_use(&mut conn).await.map_err(fail)?,
            pooler: None,
            citus: None,
            rights: None,
        })
    }
}

/// The Citus cluster behind a PostgreSQL URL (None for plain PostgreSQL or MySQL/MariaDB).
pub async fn citus(url: &str) -> Result<Option<postgres::flavor::Citus>> {
    let t = TargetUrl::parse(url)?;
    if t.dialect != Dialect::Postgres {
        return Ok(None);
    }
    let mut conn = postgres::connect(&t).await?;
    postgres::flavor::citus(&mut conn).await.map_err(|e| crate::dialect::connect_error(&t, e))
}

/// Whether a prompt for the password could help: the URL carries none (`user:password@` or
/// `?password=`) and the server refuses the login as it is (no password from `PGPASSWORD`,
/// `~/.pgpass` / `PGPASSFILE` or `MYSQL_PWD`, or a wrong one). Other failures are left for
/// the command to report, but an unreachable server: that is returned, so the command does
/// not wait for it a second time.
pub async fn asks_for_password(url: &str) -> Result<bool> {
    let Ok(u) = url::Url::parse(url) else { return Ok(false) };
    if u.password().is_some_and(|p| !p.is_empty()) || u.query_pairs().any(|(k, _)| k == "password") {
        return Ok(false);
    }
    let Ok(t) = TargetUrl::parse(url) else { return Ok(false) };
    match crate::dialect::session::Target::connect_bare(&t).await {
        Err(crate::error::FerryError::AuthFailed { .. }) => Ok(true),
        Err(e @ crate::error::FerryError::Unreachable { .. }) => Err(e),
        _ => Ok(false),
    }
}
