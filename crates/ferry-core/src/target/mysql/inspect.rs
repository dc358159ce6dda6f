//! What the target already holds.

use sqlx::mysql::MySqlConnection;

/// Tables and views already in the current database.
pub async fn existing_objects(conn: &mut MySqlConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1")
        .fetch_all(conn)
        .await
}
