//! Rows a foreign key or CHECK refuses, found and taken out (each returned as JSON for the
//! report) so the constraint can be created. Duplicate keys never get this far in MySQL:
//! keys exist during the load and the duplicate row is refused then.

use crate::schema::LogicalType;
use sqlx::mysql::MySqlConnection;

fn q(s: &str) -> String {
    crate::sqlexpr::quote_ident(s, crate::dialect::Dialect::MySql)
}

/// The row as a JSON object. Every text-like value is brought to one collation first:
/// JSON_OBJECT refuses to mix them (JSON columns are utf8mb4_bin, NOCASE ones are _ci).
fn json_row(alias: &str, columns: &[(String, LogicalType)], collation: &str) -> String {
    let pairs: Vec<String> = columns
        .iter()
        .map(|(c, t)| {
            let col = format!("{alias}.{}", q(c));
            let v = match t {
                LogicalType::Integer { .. } | LogicalType::Float | LogicalType::Decimal { .. } | LogicalType::Boolean => col,
                LogicalType::Bytes => format!("CONCAT('x''', LOWER(HEX({col})), '''') COLLATE {collation}"),
                _ => format!("CONVERT({col} USING utf8mb4) COLLATE {collation}"),
            };
            format!("{}, {v}", crate::sqlexpr::quote_literal(c, crate::dialect::Dialect::MySql))
        })
        .collect();
    format!("JSON_OBJECT({})", pairs.join(", "))
}

async fn select_json(conn: &mut MySqlConnection, sql: String) -> Result<Vec<serde_json::Value>, sqlx::Error> {
    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(super::marked(&sql))).fetch_all(conn).await?;
    Ok(rows.into_iter().filter_map(|r| serde_json::from_str(&r).ok()).collect())
}

/// A foreign key's columns and the parent's they name.
pub struct ForeignKeyCols<'a> {
    pub cols: &'a [String],
    pub parent: &'a str,
    pub parent_cols: &'a [String],
}

/// Rows whose foreign key names no parent row; taken out when `remove`.
pub async fn orphans(
    conn: &mut MySqlConnection,
    table: &str,
    columns: &[(String, LogicalType)],
    collation: &str,
    fk: ForeignKeyCols<'_>,
    remove: bool,
) -> Result<Vec<serde_json::Value>, sqlx::Error> {
    let ForeignKeyCols { cols, parent, parent_cols } = fk;
    let not_null = cols.iter().map(|c| format!("t.{} IS NOT NULL", q(c))).collect::<Vec<_>>().join(" AND ");
    let join = cols.iter().zip(parent_cols).map(|(c, p)| format!("p.{} = t.{}", q(p), q(c))).collect::<Vec<_>>().join(" AND ");
    let first_parent = q(&parent_cols[0]);
    let from = format!("{} t LEFT JOIN {} p ON {join} WHERE {not_null} AND p.{first_parent} IS NULL", q(table), q(parent));
    // Usually there are none: asking for the key columns alone lets the server answer from the
    // index under the foreign key, where the whole row would make it read every row.
    let any: Option<i32> = sqlx::query_scalar(sqlx::AssertSqlSafe(super::marked(&format!("SELECT 1 FROM {from} LIMIT 1")))).fetch_optional(&mut *conn).await?;
    if any.is_none() {
        return Ok(vec![]);
    }
    let rows = select_json(conn, format!("SELECT CAST({} AS CHAR) FROM {from}", json_row("t", columns, collation))).await?;
    if remove && !rows.is_empty() {
        sqlx::raw_sql(sqlx::AssertSqlSafe(super::marked(&format!("DELETE t FROM {from}")))).execute(&mut *conn).await?;
    }
    Ok(rows)
}

/// Rows a CHECK refuses (NULL results pass).
pub async fn delete_check_failures(
    conn: &mut MySqlConnection,
    table: &str,
    columns: &[(String, LogicalType)],
    collation: &str,
    check_sql: &str,
) -> Result<Vec<serde_json::Value>, sqlx::Error> {
    let rows = select_json(conn, format!("SELECT CAST({} AS CHAR) FROM {} t WHERE NOT ({check_sql})", json_row("t", columns, collation), q(table))).await?;
    if !rows.is_empty() {
        sqlx::raw_sql(sqlx::AssertSqlSafe(super::marked(&format!("DELETE FROM {} WHERE NOT ({check_sql})", q(table))))).execute(&mut *conn).await?;
    }
    Ok(rows)
}

/// One `ALTER TABLE … AUTO_INCREMENT` at a time, in this process. MariaDB 10.11 deadlocks for
/// good — the two sessions stay in "Committing alter table to storage engine", KILL does not end
/// them, and every later information_schema read waits behind them until the server is killed —
/// when two ALTER TABLEs commit at once on tables whose foreign keys reference each other
/// (reproduced with two `mariadb` clients: the third pair of concurrent `ALTER TABLE a
/// AUTO_INCREMENT` / `ALTER TABLE b AUTO_INCREMENT` hung). A data-only load finishes its
/// tables side by side into tables that already have their foreign keys, so these ALTERs take
/// turns; each is a change of the table's metadata only, so the turns cost milliseconds.
static AUTO_INCREMENT_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Sets the table's next AUTO_INCREMENT value, taking its turn with every other such change.
pub async fn continue_auto_increment(conn: &mut MySqlConnection, table: &str, next: i64) -> Result<(), sqlx::Error> {
    let _turn = AUTO_INCREMENT_TURN.lock().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(super::marked(&format!("ALTER TABLE {} AUTO_INCREMENT = {next}", q(table))))).execute(conn).await.map(|_| ())
}
