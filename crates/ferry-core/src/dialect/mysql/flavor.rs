//! MySQL or MariaDB, and which version: they differ in collations, JSON, functional indexes.

use crate::dialect::Dialect;
use sqlx::mysql::MySqlConnection;

#[derive(Debug, Clone)]
pub struct Flavor {
    pub dialect: Dialect,
    pub version: String,
    /// The largest statement the server takes (`max_allowed_packet`).
    pub max_packet: u64,
}

impl Flavor {
    /// The binary, no-pad collation: compares as SQLite's default BINARY does (`a` ≠ `a `).
    pub fn binary_collation(&self) -> &'static str {
        if self.dialect == Dialect::MariaDb { "utf8mb4_nopad_bin" } else { "utf8mb4_0900_bin" }
    }
    /// For SQLite `COLLATE NOCASE` columns: case-insensitive, accent-sensitive, no-pad where offered.
    /// (`collation.rs` says which and why.)
    pub fn nocase_collation(&self) -> &'static str {
        if self.dialect == Dialect::MariaDb { super::collation::mariadb(super::collation::major_minor(&self.version)) } else { super::collation::MYSQL }
    }
    pub fn functional_indexes(&self) -> bool {
        self.dialect == Dialect::MySql
    }
}

pub async fn detect(conn: &mut MySqlConnection) -> Result<Flavor, sqlx::Error> {
    let v: String = sqlx::query_scalar("SELECT VERSION()").fetch_one(&mut *conn).await?;
    let dialect = if v.to_ascii_lowercase().contains("mariadb") { Dialect::MariaDb } else { Dialect::MySql };
    let number = v.split('-').next().unwrap_or(&v).to_string();
    let max_packet: u64 = sqlx::query_scalar("SELECT CAST(@@max_allowed_packet AS UNSIGNED)").fetch_one(&mut *conn).await?;
    Ok(Flavor { dialect, version: format!("{} {number}", dialect.name()), max_packet })
}

/// Whether the session's user may create tables in the current database: a global CREATE
/// privilege, or one on a schema pattern the database matches.
pub async fn may_create(conn: &mut MySqlConnection) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES
                  WHERE GRANTEE = @ferry_grantee AND PRIVILEGE_TYPE = 'CREATE')
              + (SELECT COUNT(*) FROM information_schema.SCHEMA_PRIVILEGES
                  WHERE GRANTEE = @ferry_grantee AND PRIVILEGE_TYPE = 'CREATE' AND DATABASE() LIKE TABLE_SCHEMA)
         FROM (SELECT @ferry_grantee := CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',
                                               SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')) AS g",
    )
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Whether this session is encrypted.
pub async fn tls_in_use(conn: &mut MySqlConnection) -> Result<bool, sqlx::Error> {
    let row: Option<(String, String)> = sqlx::query_as("SHOW SESSION STATUS LIKE 'Ssl_cipher'").fetch_optional(conn).await?;
    Ok(row.is_some_and(|(_, cipher)| !cipher.is_empty()))
}
