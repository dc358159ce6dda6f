//! Bulk load through batched multi-row INSERT (MySQL has no COPY; sqlx has no LOAD DATA LOCAL).

use sqlx::mysql::MySqlConnection;

/// Sends one multi-row INSERT of encoded row tuples `(…)`; returns the rows the server took.
pub async fn insert_rows(conn: &mut MySqlConnection, prefix: &str, rows: &[&[u8]]) -> Result<u64, sqlx::Error> {
    let mut sql = Vec::with_capacity(prefix.len() + rows.iter().map(|r| r.len() + 1).sum::<usize>());
    sql.extend_from_slice(prefix.as_bytes());
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            sql.push(b',');
        }
        sql.extend_from_slice(r);
    }
    let sql = String::from_utf8(sql).expect("encoded rows are UTF-8");
    let r = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(conn).await?;
    Ok(r.rows_affected())
}

/// Rows as SQL value tuples `(…, …)` for a multi-row INSERT.
pub struct ValuesRows;

impl crate::dialect::write::RowFormat for ValuesRows {
    const BOUNDED_BY_STATEMENT: bool = true;
    fn row_start(_buf: &mut Vec<u8>, _columns: usize) {}
    fn value_start(buf: &mut Vec<u8>, n: usize) {
        buf.push(if n == 0 { b'(' } else { b',' });
    }
    fn row_end(buf: &mut Vec<u8>) {
        buf.push(b')');
    }
    fn write(v: rusqlite::types::ValueRef<'_>, ty: &crate::schema::LogicalType, transform: Option<crate::convert::Transform>, dialect: crate::dialect::Dialect, buf: &mut Vec<u8>) -> Result<Option<crate::convert::Change>, crate::convert::Refusal> {
        crate::convert::convert_with(v, ty, transform, dialect, &mut crate::convert::MySqlLiteral { buf })
    }
}
