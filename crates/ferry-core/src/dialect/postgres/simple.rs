//! Every query Ferry sends a PostgreSQL target goes in the simple protocol: the statement,
//! its values written into it as literals, in one message, parsed, run and answered in one
//! round trip, with no prepared statement, named or unnamed.
//!
//! Why not `sqlx::query(…).bind(…)`: through a transaction pooler (PgBouncer in transaction
//! mode, Supavisor, a host's "pooled" URL) each transaction may run on another server
//! connection, and a statement outside a transaction is a transaction of its own. sqlx's
//! extended protocol prepares in one exchange (Parse, Describe, Sync) and binds in the next
//! (Bind, Execute, Sync): a named statement (`sqlx_s_1`) meets another client's of the same
//! name ("already exists") or the wrong query; even an unnamed one may be bound on a server
//! connection where another client parsed a different statement. Several statements in one
//! message run as one transaction, so `SET LOCAL …; SELECT …` carries its setting on the
//! same server connection, whatever the pooler does between messages.
//!
//! Values come back in text form; the types read here (text, integers, booleans, text
//! arrays) read the same as in binary.

use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Decode, Postgres, Row, Type};

/// A string literal that means the same whatever `standard_conforming_strings` is: with a
/// backslash in it, the escape form (`E'…'`) with the backslash doubled.
pub fn lit(s: &str) -> String {
    let quoted = s.replace('\'', "''");
    if s.contains('\\') {
        format!("E'{}'", quoted.replace('\\', "\\\\"))
    } else {
        format!("'{quoted}'")
    }
}

/// `NULL` or the literal.
pub fn lit_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "NULL".to_string(), lit)
}

/// Every row the statements return.
pub async fn rows(conn: &mut PgConnection, sql: &str) -> Result<Vec<PgRow>, sqlx::Error> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(conn).await
}

/// The first row (an error when there is none).
pub async fn one(conn: &mut PgConnection, sql: &str) -> Result<PgRow, sqlx::Error> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(conn).await
}

/// The first column of the first row (an error when there is no row).
pub async fn scalar<T>(conn: &mut PgConnection, sql: &str) -> Result<T, sqlx::Error>
where
    T: for<'r> Decode<'r, Postgres> + Type<Postgres>,
{
    one(conn, sql).await?.try_get(0)
}

/// The first column of the first row, `None` when there is no row.
pub async fn scalar_opt<T>(conn: &mut PgConnection, sql: &str) -> Result<Option<T>, sqlx::Error>
where
    T: for<'r> Decode<'r, Postgres> + Type<Postgres>,
{
    match sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).fetch_optional(conn).await? {
        Some(r) => Ok(Some(r.try_get(0)?)),
        None => Ok(None),
    }
}

/// The first column of every row.
pub async fn scalars<T>(conn: &mut PgConnection, sql: &str) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> Decode<'r, Postgres> + Type<Postgres>,
{
    rows(conn, sql).await?.iter().map(|r| r.try_get(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        let cases = [
            ("shop", "'shop'"),
            ("o'brien", "'o''brien'"),
            ("a\\b", "E'a\\\\b'"),
            ("it's a\\", "E'it''s a\\\\'"),
            ("", "''"),
            ("日本", "'日本'"),
        ];
        for (s, want) in cases {
            assert_eq!(lit(s), want, "{s:?}");
        }
        assert_eq!(lit_opt(None), "NULL");
    }
}

/// The marker every monitoring query starts with (`monitor`, `shards`), which
/// `pg_stat_statements` keeps: Ferry's own queries are left out of the statements it reports.
pub const MONITOR_MARK: &str = "/* ferry monitor */";

/// Before each monitoring query, in the same message: the transaction it runs in reads only,
/// and stops after 60 seconds. Each statement starts with the marker.
const GUARD: &str = "/* ferry monitor */ SET TRANSACTION READ ONLY; /* ferry monitor */ SET LOCAL statement_timeout = '60s'; ";

/// A query behind the guard: one transaction, read-only, 60 seconds at most.
pub fn guarded(sql: &str) -> String {
    format!("{GUARD}{sql}")
}

/// Marks a statement Citus passes on to the workers as its text (`session::alone`): it goes
/// in a message of its own, after the `SET LOCAL` settings before it, in a transaction.
pub const ALONE: &str = "/* ferry: alone */ ";
