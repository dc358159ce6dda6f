//! PostgreSQL: types, DDL, COPY loading, constraint repair, inspection, server flavor.
//!
//! Sessions run in UTC with standard-conforming strings; each transaction of Ferry's work
//! carries its own limits (`OWN_LIMITS`: no statement timeout, commits that do not wait for
//! the disk — a failed run is re-run, not recovered).
//!
//! Correct through a transaction pooler (PgBouncer in transaction mode, a host's "pooled"
//! URL), where each transaction may run on another server connection and nothing set for
//! the session is sure to last: no prepared statements (`simple`), every name
//! schema-qualified, and each setting a statement needs sent with it in one message
//! (`SET LOCAL …; statement`), which runs as one transaction. The settings of `connect` are
//! either carried by the pooler or harmless if lost (see there).

pub mod access;
pub mod advise;
pub mod pooling;
pub mod collation;
pub mod constraints;
pub mod ddl;
pub mod dump;
pub mod errors;
pub mod expr;
pub mod flavor;
pub mod inspect;
pub mod partition;
pub mod json_index;
pub mod monitor;
pub mod read;
pub mod rehearse;
pub mod search;
pub mod session;
pub mod shards;
pub mod shard_copy;
pub mod simple;
pub mod sync;
pub mod triggers;
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
    crate::tcp_no_delay();
    // Through a pooler each of these may be lost, or reach a server connection other than
    // the next statement's:
    // - TimeZone UTC and client_encoding UTF8 are sqlx's startup parameters too, which a
    //   pooler keeps for the client and sets on every server connection it lends (PgBouncer
    //   does: the server reports them); nothing Ferry reads or writes rests on the time zone
    //   anyway (COPY is binary on the way in; timestamps are dumped with their offset).
    // - standard_conforming_strings: on by default since PostgreSQL 9.1, and reported, so
    //   kept by the pooler like the two above; `simple::lit` does not rest on it.
    // What Ferry's own work needs (no statement timeout, commits that do not wait for the
    // disk) is set per transaction instead (`OWN_LIMITS`), so nothing is left on a server
    // connection a pooler lends to the next client.
    sqlx::raw_sql("SET TIME ZONE 'UTC'; SET standard_conforming_strings = on; SET client_encoding = 'UTF8'")
        .execute(&mut conn)
        .await
        .map_err(|e| connect_error(t, e))?;
    conn.ping().await.map_err(|e| connect_error(t, e))?;
    Ok(conn)
}

/// Ferry's own settings for a transaction of its work, set inside it (`SET LOCAL`) so they
/// end with it and hold on whichever server connection a pooler lends it:
/// - no `statement_timeout` and no `idle_in_transaction_session_timeout`: a host's limit on
///   the role or database (2 s is common) would stop an index build, a key check or a COPY
///   of a slow link part way; Ferry's long statements are its own to cancel. A pooler's
///   `query_timeout` still applies: it is not the server's (`limits::hint` says so).
/// - `synchronous_commit` off: a commit does not wait for the disk (1,000,000 demo rows:
///   4.5 s against 5.2 s); `flush_wal` makes everything durable at the end. Set per
///   transaction, it is not left behind on pooled server connections, whose next clients'
///   commits would otherwise not wait either.
pub(crate) const OWN_LIMITS: &str = "SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0; SET LOCAL synchronous_commit = off";

/// `sql` with `OWN_LIMITS` for the transaction it runs in, in the same message: after a
/// `BEGIN` / `START TRANSACTION`, for the transaction it opens; before any other statement,
/// for the one-message transaction the two make; nothing around `COMMIT`, `ROLLBACK` and
/// savepoints, which open none.
pub(crate) fn with_own_limits(sql: &str) -> String {
    let head = sql.trim_start().split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("").to_ascii_uppercase();
    match head.as_str() {
        "BEGIN" | "START" => format!("{sql}; {OWN_LIMITS}"),
        "COMMIT" | "ROLLBACK" | "END" | "ABORT" | "SAVEPOINT" | "RELEASE" => sql.to_string(),
        _ => format!("{OWN_LIMITS}; {sql}"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_limits_go_where_they_hold_for_the_statement() {
        let after = |s: &str| format!("{s}; {OWN_LIMITS}");
        let before = |s: &str| format!("{OWN_LIMITS}; {s}");
        let cases: Vec<(&str, String)> = vec![
            ("BEGIN", after("BEGIN")),
            ("begin read only", after("begin read only")),
            ("START TRANSACTION", after("START TRANSACTION")),
            ("  CREATE INDEX i ON t (a)", before("  CREATE INDEX i ON t (a)")),
            ("ANALYZE \"s\".\"t\"", before("ANALYZE \"s\".\"t\"")),
            ("SET LOCAL maintenance_work_mem = '256MB'; CREATE INDEX i ON t (a)", before("SET LOCAL maintenance_work_mem = '256MB'; CREATE INDEX i ON t (a)")),
            ("TRUNCATE t", before("TRUNCATE t")),
            ("COMMIT", "COMMIT".to_string()),
            ("ROLLBACK", "ROLLBACK".to_string()),
            ("ROLLBACK TO SAVEPOINT s", "ROLLBACK TO SAVEPOINT s".to_string()),
            ("SAVEPOINT s", "SAVEPOINT s".to_string()),
            ("RELEASE SAVEPOINT s", "RELEASE SAVEPOINT s".to_string()),
            ("END", "END".to_string()),
            // A name that starts like a keyword is not one.
            ("BEGINNING", before("BEGINNING")),
        ];
        for (sql, want) in cases {
            assert_eq!(with_own_limits(sql), want, "{sql}");
        }
    }
}
