//! What a pooler in front of this PostgreSQL must fit: the server's connection limit and what
//! it keeps for superusers, and its version (`crate::pooling` writes the PgBouncer files).

use crate::dialect::{connect_error, TargetUrl};
use crate::error::Result;
use crate::pooling::ServerFigures;
use super::simple;
use sqlx::Row;

pub async fn figures(t: &TargetUrl) -> Result<ServerFigures> {
    let mut conn = super::monitor::connect(t).await?;
    let r = simple::one(
        &mut conn,
        "SELECT current_setting('max_connections')::int8, current_setting('superuser_reserved_connections')::int8, \
         current_setting('server_version'), current_setting('password_encryption')",
    )
    .await
    .map_err(|e| connect_error(t, e))?;
    let n = |i: usize| -> std::result::Result<u64, sqlx::Error> { Ok(r.try_get::<i64, _>(i)?.max(0) as u64) };
    let max_connections = n(0).map_err(|e| connect_error(t, e))?;
    let reserved = n(1).map_err(|e| connect_error(t, e))?;
    let version: String = r.try_get(2).map_err(|e| connect_error(t, e))?;
    let password_encryption: String = r.try_get(3).map_err(|e| connect_error(t, e))?;
    Ok(ServerFigures { max_connections, reserved, version, scram: password_encryption == "scram-sha-256" })
}
