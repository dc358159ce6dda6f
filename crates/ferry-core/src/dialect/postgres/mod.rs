//! PostgreSQL: types, DDL, COPY loading, constraint repair, inspection, server flavor.
//!
//! Sessions run in UTC with `synchronous_commit = off` (a failed run is re-run, not
//! recovered) and standard-conforming strings.

pub mod constraints;
pub mod ddl;
pub mod dump;
pub mod errors;
pub mod expr;
pub mod flavor;
pub mod inspect;
pub mod monitor;
pub mod read;
pub mod rehearse;
pub mod session;
pub mod types;
pub mod write;

use crate::error::Result;
use crate::dialect::{connect_error, TargetUrl};
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::postgres::PgConnection;

/// Opens one session, set up for loading.
pub async fn connect(t: &TargetUrl) -> Result<PgConnection> {
    let opts = options(t)?.application_name("ferry");
    let mut conn = match tokio::time::timeout(Duration::from_secs(20), opts.connect()).await {
        Ok(r) => r.map_err(|e| connect_error(t, e))?,
        Err(_) => {
            return Err(crate::error::FerryError::Unreachable {
                what: "PostgreSQL".into(),
                host: t.host.clone(),
                detail: "no answer within 20 seconds".into(),
            })
        }
    };
    sqlx::raw_sql("SET TIME ZONE 'UTC'; SET synchronous_commit = off; SET standard_conforming_strings = on; SET maintenance_work_mem = '256MB'; SET client_encoding = 'UTF8'")
        .execute(&mut conn)
        .await
        .map_err(|e| connect_error(t, e))?;
    conn.ping().await.map_err(|e| connect_error(t, e))?;
    Ok(conn)
}

/// The URL as sqlx's options (which also read `PGPASSWORD`, the pgpass file and `PGSSL*`),
/// with libpq's rule that sqlx lacks: `sslmode=require` with a root certificate given
/// (`sslrootcert=` or `PGSSLROOTCERT`) checks the server's certificate against it, as
/// `verify-ca` does, so Ferry and `pg_dump` agree on what gets in.
pub(crate) fn options(t: &TargetUrl) -> Result<sqlx::postgres::PgConnectOptions> {
    let opts = sqlx::postgres::PgConnectOptions::from_str(&t.url).map_err(|e| crate::error::FerryError::BadUrl { url: t.redacted.clone(), detail: e.to_string() })?;
    let root_given = url::Url::parse(&t.url).map(|u| u.query_pairs().any(|(k, _)| matches!(&*k, "sslrootcert" | "ssl-root-cert" | "ssl-ca"))).unwrap_or(false) || std::env::var_os("PGSSLROOTCERT").is_some();
    Ok(match opts.get_ssl_mode() {
        sqlx::postgres::PgSslMode::Require if root_given => opts.ssl_mode(sqlx::postgres::PgSslMode::VerifyCa),
        _ => opts,
    })
}

/// Waits until everything this server has committed is on disk: a commit with
/// `synchronous_commit` on (of a transaction given an id, so it has a commit record) flushes
/// the log up to itself, and so every asynchronous commit before it.
pub async fn flush_wal(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    // Two messages: in one, both statements would share a transaction that began with the
    // setting off.
    sqlx::raw_sql("SET synchronous_commit = on").execute(&mut *conn).await?;
    sqlx::raw_sql("SELECT txid_current()").execute(conn).await.map(|_| ())
}

/// Unqualified names (in views, CHECKs, defaults) resolve in the target schema first.
pub async fn set_search_path(conn: &mut PgConnection, schema: &str) -> Result<(), sqlx::Error> {
    let sql = format!("SET search_path TO {}, public", crate::sqlexpr::quote_ident(schema, crate::dialect::Dialect::Postgres));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(conn).await.map(|_| ())
}
