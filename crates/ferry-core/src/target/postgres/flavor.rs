//! Which PostgreSQL this is.

use sqlx::postgres::PgConnection;

/// `PostgreSQL 15.20 (Debian …)` → the first two words; the whole string when shorter.
pub async fn server_version(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    let v: String = sqlx::query_scalar("SELECT version()").fetch_one(conn).await?;
    Ok(v.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
}
