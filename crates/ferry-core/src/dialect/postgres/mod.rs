//! PostgreSQL: types, DDL, COPY loading, constraint repair, inspection, server flavor.
//!
//! Sessions run in UTC with `synchronous_commit = off` (a failed run is re-run, not
//! recovered) and standard-conforming strings.
//!
//! Correct through a transaction pooler (PgBouncer in transaction mode, a host's "pooled"
//! URL), where each transaction may run on another server connection and nothing set for
//! the session is sure to last: no prepared statements (`simple`), every name
//! schema-qualified, and each setting a statement needs sent with it in one message
//! (`SET LOCAL …; statement`), which runs as one transaction. The settings of `connect` are
//! either carried by the pooler or harmless if lost (see there).

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
pub mod simple;
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
    // Through a pooler each of these may be lost, or reach a server connection other than
    // the next statement's:
    // - TimeZone UTC and client_encoding UTF8 are sqlx's startup parameters too, which a
    //   pooler keeps for the client and sets on every server connection it lends (PgBouncer
    //   does: the server reports them); nothing Ferry reads or writes rests on the time zone
    //   anyway (COPY is binary on the way in; timestamps are dumped with their offset).
    // - standard_conforming_strings: on by default since PostgreSQL 9.1, and reported, so
    //   kept by the pooler like the two above; `simple::lit` does not rest on it.
    // - synchronous_commit off: harmless if lost — a commit then waits for the disk, which is
    //   only slower; `flush_wal` makes everything durable at the end either way. Through a
    //   transaction pooler it stays on the server connections it reached until the pooler
    //   closes them, for the next clients of the same database and user (during a migration
    //   into an empty database, mostly Ferry itself): their commits too may then be lost in
    //   a crash, never corrupted. Kept for its speed (1,000,000 demo rows, release build,
    //   median of 6 on a busy machine: 4.5 s with it, 5.2 s without).
    // Index builds carry their own `maintenance_work_mem` (`session::keys_and_indexes`).
    sqlx::raw_sql("SET TIME ZONE 'UTC'; SET synchronous_commit = off; SET standard_conforming_strings = on; SET client_encoding = 'UTF8'")
        .execute(&mut conn)
        .await
        .map_err(|e| connect_error(t, e))?;
    conn.ping().await.map_err(|e| connect_error(t, e))?;
    Ok(conn)
}

/// The URL as sqlx's options (which also read `PGPASSWORD`, the pgpass file and `PGSSL*`),
/// with libpq's rule that sqlx lacks: `sslmode=require` with a root certificate given
/// (`sslrootcert=` or `PGSSLROOTCERT`) checks the server's certificate against it, as
/// `verify-ca` does, so Ferry and `pg_dump` agree on what gets in. sqlx's statement cache is
/// off: a named statement it kept could meet another client's of the same name on a pooled
/// server connection ("prepared statement "sqlx_s_1" already exists") or, worse, answer for
/// a different query. Ferry's queries go in the simple protocol (`simple`) and never prepare.
pub(crate) fn options(t: &TargetUrl) -> Result<sqlx::postgres::PgConnectOptions> {
    let opts = sqlx::postgres::PgConnectOptions::from_str(&t.url).map_err(|e| crate::error::FerryError::BadUrl { url: t.redacted.clone(), detail: e.to_string() })?;
    // No `extra_float_digits` startup parameter either (sqlx sends one by default): PgBouncer
    // refuses the connection for it ("unsupported startup parameter") unless told to ignore
    // it; from PostgreSQL 12 on floats print exactly without it, and the backup sets it for
    // its own COPYs (`dump::write_rows`).
    let opts = opts.statement_cache_capacity(0).extra_float_digits(None);
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
    // One message, one transaction: the setting holds for its own commit, on the server
    // connection that commits, whatever a pooler does between messages.
    sqlx::raw_sql("SET LOCAL synchronous_commit = on; SELECT txid_current()").execute(conn).await.map(|_| ())
}

/// Put before a statement whose unqualified names (a view's tables) must resolve in the
/// target schema first; in the same message, so it holds for that statement alone.
pub fn search_path_for(schema: &str) -> String {
    format!("SET LOCAL search_path TO {}, public; ", crate::sqlexpr::quote_ident(schema, crate::dialect::Dialect::Postgres))
}
