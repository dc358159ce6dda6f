//! Which PostgreSQL this is.

use sqlx::postgres::PgConnection;

/// `PostgreSQL 15.20 (Debian …)` → the first two words; the whole string when shorter.
pub async fn server_version(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    let v: String = sqlx::query_scalar("SELECT version()").fetch_one(conn).await?;
    Ok(v.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
}

/// Whether the session's user may create tables in `schema` (or, when the schema does not
/// exist yet, create schemas in the current database).
pub async fn may_create(conn: &mut PgConnection, schema: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)
                     THEN has_schema_privilege(current_user, $1, 'CREATE')
                     ELSE has_database_privilege(current_user, current_database(), 'CREATE') END",
    )
    .bind(schema)
    .fetch_one(conn)
    .await
}

/// Whether this session is encrypted.
pub async fn tls_in_use(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    let ssl: Option<bool> = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetch_optional(conn).await?;
    Ok(ssl.unwrap_or(false))
}
