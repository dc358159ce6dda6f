//! Which PostgreSQL this is.

use super::simple;
use sqlx::postgres::PgConnection;

/// `PostgreSQL 15.20 (Debian …)` → the first two words; the whole string when shorter.
pub async fn server_version(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    let v: String = simple::scalar(conn, "SELECT version()").await?;
    Ok(v.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
}

/// Whether the session's user may create tables in `schema` (or, when the schema does not
/// exist yet, create schemas in the current database).
pub async fn may_create(conn: &mut PgConnection, schema: &str) -> Result<bool, sqlx::Error> {
    let s = simple::lit(schema);
    let sql = format!(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = {s})
                     THEN has_schema_privilege(current_user, {s}, 'CREATE')
                     ELSE has_database_privilege(current_user, current_database(), 'CREATE') END"
    );
    simple::scalar(conn, &sql).await
}

/// Whether this session is encrypted.
pub async fn tls_in_use(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    let ssl: Option<bool> = simple::scalar_opt(conn, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").await?;
    Ok(ssl.unwrap_or(false))
}
