//! Rows a constraint refuses, found and taken out (each returned as JSON for the report)
//! so the constraint can be created: duplicate keys, NULL keys, orphans, CHECK failures.

use sqlx::postgres::PgConnection;

fn q(s: &str) -> String {
    crate::sqlexpr::quote_ident(s, crate::dialect::Dialect::Postgres)
}

/// The rows a query (a SELECT, or a DELETE … RETURNING) gives as JSON text, parsed. A scan
/// of a whole table: with Ferry's own limits (`with_own_limits`).
async fn json_rows(conn: &mut PgConnection, sql: String) -> Result<Vec<serde_json::Value>, sqlx::Error> {
    let rows: Vec<String> = super::simple::scalars(conn, &super::with_own_limits(&sql)).await?;
    Ok(rows.into_iter().filter_map(|r| serde_json::from_str(&r).ok()).collect())
}

/// Rows whose key columns repeat an earlier row's (the first loaded stays).
pub async fn delete_duplicates(conn: &mut PgConnection, table: &str, cols: &[String]) -> Result<Vec<serde_json::Value>, sqlx::Error> {
    let list = cols.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ");
    let not_null = cols.iter().map(|c| format!("{} IS NOT NULL", q(c))).collect::<Vec<_>>().join(" AND ");
    json_rows(
        conn,
        format!(
            "DELETE FROM {table} t USING (SELECT ctid AS c FROM (SELECT ctid, row_number() OVER (PARTITION BY {list} ORDER BY ctid) AS rn FROM {table} WHERE {not_null}) s WHERE rn > 1) d WHERE t.ctid = d.c RETURNING row_to_json(t)::text"
        ),
    )
    .await
}

/// Rows with NULL in a primary key column.
pub async fn delete_null_keys(conn: &mut PgConnection, table: &str, cols: &[String]) -> Result<Vec<serde_json::Value>, sqlx::Error> {
    let any_null = cols.iter().map(|c| format!("t.{} IS NULL", q(c))).collect::<Vec<_>>().join(" OR ");
    json_rows(conn, format!("DELETE FROM {table} t WHERE {any_null} RETURNING row_to_json(t)::text")).await
}

/// Rows whose foreign key names no parent row; taken out when `remove`.
pub async fn orphans(conn: &mut PgConnection, table: &str, cols: &[String], parent: &str, parent_cols: &[String], remove: bool) -> Result<Vec<serde_json::Value>, sqlx::Error> {
    let not_null = cols.iter().map(|c| format!("t.{} IS NOT NULL", q(c))).collect::<Vec<_>>().join(" AND ");
    let join = cols.iter().zip(parent_cols).map(|(c, p)| format!("p.{} = t.{}", q(p), q(c))).collect::<Vec<_>>().join(" AND ");
    let orphan = format!("{not_null} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {join})");
    if remove {
        json_rows(conn, format!("DELETE FROM {table} t WHERE {orphan} RETURNING row_to_json(t)::text")).await
    } else {
        json_rows(conn, format!("SELECT row_to_json(t)::text FROM {table} t WHERE {orphan}")).await
    }
}

/// Rows a CHECK refuses (NULL results pass, as in SQL).
pub async fn delete_check_failures(conn: &mut PgConnection, table: &str, check_sql: &str) -> Result<Vec<serde_json::Value>, sqlx::Error> {
    json_rows(conn, format!("DELETE FROM {table} t WHERE NOT ({check_sql}) RETURNING row_to_json(t)::text")).await
}
