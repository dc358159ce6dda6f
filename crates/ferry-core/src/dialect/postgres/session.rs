//! What the pipeline asks of a PostgreSQL session (`dialect::session::Session`).

use super::PgConnection;
use crate::dialect::session::Session;

impl Session for PgConnection {
    async fn execute(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(self).await.map(|_| ())
    }

    async fn query_i64(&mut self, sql: &str) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(self).await
    }
}
