//! MySQL and MariaDB: types, DDL, batched INSERT loading, constraint repair, inspection, and
//! the flavor (which of the two, which version).
//!
//! Sessions run in strict SQL mode so the server refuses what it would otherwise clamp or
//! truncate, with NO_BACKSLASH_ESCAPES (literals escape only quotes), NO_AUTO_VALUE_ON_ZERO
//! (a stored id 0 stays 0), UTC, and utf8mb4.

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
pub mod infile;
pub mod inspect;
pub mod partition;
pub mod json_index;
pub mod monitor;
pub mod read;
pub mod rehearse;
pub mod search;
pub mod session;
pub mod sync;
pub mod triggers;
pub mod types;
pub mod write;

use crate::error::{FerryError, Result};
use crate::dialect::{connect_error, TargetUrl};
use sqlx::ConnectOptions;
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::mysql::MySqlConnection;

pub const SQL_MODE: &str = "STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO";

/// Leads each statement a run may wait on (DDL, INSERT batches, LOAD DATA, the constraint
/// repairs): a cancel stops only statements that start with it (`Session::interrupt`), as
/// `information_schema.PROCESSLIST` shows them. Through a proxy that multiplexes, the server
/// connection whose id Ferry noted also runs other clients' statements, as the same user.
pub const MARK: &str = "/* ferry */";

/// `sql` led by `MARK`.
pub fn marked(sql: &str) -> String {
    format!("{MARK} {sql}")
}

pub async fn connect(t: &TargetUrl) -> Result<MySqlConnection> {
    let opts = options(t)?.charset("utf8mb4");
    let mut conn = match tokio::time::timeout(Duration::from_secs(20), opts.connect()).await {
        Ok(r) => r.map_err(|e| connect_error(t, e))?,
        Err(_) => {
            return Err(FerryError::Unreachable { what: t.server_name().into(), host: t.host.clone(), detail: "no answer within 20 seconds".into() })
        }
    };
    crate::tcp_no_delay();
    let setup = format!("SET SESSION sql_mode = '{SQL_MODE}', time_zone = '+00:00', foreign_key_checks = 0, NAMES utf8mb4");
    sqlx::raw_sql(sqlx::AssertSqlSafe(setup)).execute(&mut conn).await.map_err(|e| connect_error(t, e))?;
    Ok(conn)
}

/// The URL as sqlx's options, with the password from `MYSQL_PWD` when the URL has none, as
/// MySQL's and MariaDB's own clients take it (sqlx does not read it).
pub(crate) fn options(t: &TargetUrl) -> Result<sqlx::mysql::MySqlConnectOptions> {
    let opts = sqlx::mysql::MySqlConnectOptions::from_str(&t.url).map_err(|e| FerryError::BadUrl { url: t.redacted.clone(), detail: e.to_string() })?;
    Ok(match env_password(&t.url, std::env::var("MYSQL_PWD").ok()) {
        Some(p) => opts.password(&p),
        None => opts,
    })
}

/// `MYSQL_PWD`'s value where the URL has no password of its own (an empty one is none).
fn env_password(url: &str, mysql_pwd: Option<String>) -> Option<String> {
    let has_own = url::Url::parse(url).map(|u| u.password().is_some_and(|p| !p.is_empty())).unwrap_or(false);
    mysql_pwd.filter(|p| !has_own && !p.is_empty())
}

/// Literals in the session compare and combine with columns in the tables' own collation.
pub async fn set_collation(conn: &mut MySqlConnection, flavor: &flavor::Flavor) -> Result<(), sqlx::Error> {
    let sql = format!("SET NAMES utf8mb4 COLLATE {}", flavor.binary_collation());
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(conn).await.map(|_| ())
}

#[cfg(test)]
mod password_tests {
    #[test]
    fn mysql_pwd_is_used_only_where_the_url_has_no_password() {
        let cases = [
            ("mysql://u@h/d", Some("env"), Some("env")),
            ("mysql://u:@h/d", Some("env"), Some("env")),
            ("mysql://u:own@h/d", Some("env"), None),
            ("mysql://u@h/d", None, None),
            ("mysql://u@h/d", Some(""), None),
        ];
        for (url, env, want) in cases {
            assert_eq!(super::env_password(url, env.map(String::from)).as_deref(), want, "{url} {env:?}");
        }
    }
}
