//! Reading a migrated table back for `validate`: every column cast to the canonical text
//! `validate` compares (the same text the source's values convert to), streamed in key order.
//!
//! Canonical forms: integers and decimals as plain digits (a DECIMAL's trailing zeros
//! trimmed), doubles as the server prints them (`decode_float` makes the shortest text),
//! booleans `true`/`false`, bytes as lowercase hex, dates `YYYY-MM-DD`, timestamps
//! `YYYY-MM-DD HH:MM:SS.ffffff` (`datetime(6)` holds UTC, and no session's time zone shifts it), JSON as stored (normalised after).

use crate::schema::LogicalType;
use crate::sqlexpr::quote_ident;
use crate::dialect::Dialect;
use futures_util::StreamExt;
use sqlx::mysql::MySqlConnection;
use sqlx::Row;
use tokio::sync::mpsc;

/// The canonical text of one column, as a SELECT expression.
pub fn canonical_expr(column: &str, t: &LogicalType) -> String {
    let c = quote_ident(column, Dialect::MySql);
    match t {
        LogicalType::Decimal { .. } => {
            let x = format!("CAST({c} AS CHAR)");
            format!("CASE WHEN LOCATE('.', {x}) > 0 THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM {x})) ELSE {x} END")
        }
        LogicalType::Boolean => format!("CASE {c} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE CAST({c} AS CHAR) END"),
        LogicalType::Bytes => format!("LOWER(HEX({c}))"),
        LogicalType::Date => format!("DATE_FORMAT({c}, '%Y-%m-%d')"),
        LogicalType::Timestamp { .. } => format!("DATE_FORMAT({c}, '%Y-%m-%d %H:%i:%s.%f')"),
        LogicalType::Text { .. } | LogicalType::Uuid => c,
        _ => format!("CAST({c} AS CHAR)"),
    }
}

/// Every column's canonical text, ordered by the `key` columns (indexes into `columns`),
/// text in the binary `collation` (byte order, as SQLite's BINARY orders the source).
pub fn select_rows(table_sql: &str, columns: &[(String, LogicalType)], key: &[usize], collation: &str) -> String {
    let exprs: Vec<String> = columns.iter().map(|(c, t)| canonical_expr(c, t)).collect();
    // Ordered by the table's own columns (`t.`), not the text columns of the same name.
    let mut sql = format!("SELECT {} FROM {table_sql} t", exprs.join(", "));
    if !key.is_empty() {
        let order: Vec<String> = key
            .iter()
            .map(|&i| {
                let (c, t) = &columns[i];
                let q = format!("t.{}", quote_ident(c, Dialect::MySql));
                if matches!(t, LogicalType::Text { .. } | LogicalType::Uuid) { format!("{q} COLLATE {collation}") } else { q }
            })
            .collect();
        sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
    }
    sql
}

/// A double as `canonical_expr` reads it (the server's text, which reads back exactly).
pub fn decode_float(raw: &str) -> Option<f64> {
    raw.parse().ok()
}

/// Streams the rows of `select` to `f`, each as one text and its fields' spans in it (`None`:
/// NULL); whenever `f` hands back a batch it is sent on `tx` (back-pressure: the stream waits
/// for the reader). Stops quietly when the receiver is gone. Returns the rows read, and
/// whether they were read to the end (the session is idle again; else it may still be streaming).
pub async fn for_each_row<T, F>(conn: &mut MySqlConnection, select: &str, tx: &mpsc::Sender<T>, mut f: F) -> Result<(u64, bool), sqlx::Error>
where
    F: FnMut(&str, &[Option<(usize, usize)>]) -> Option<T>,
{
    let mut stream = sqlx::query(sqlx::AssertSqlSafe(select.to_string())).fetch(conn);
    let mut rows = 0u64;
    let (mut text, mut spans) = (String::new(), vec![]);
    while let Some(row) = stream.next().await {
        let row = row?;
        rows += 1;
        text.clear();
        spans.clear();
        for i in 0..row.len() {
            let b: Option<&[u8]> = row.try_get_unchecked(i)?;
            spans.push(b.map(|b| {
                let start = text.len();
                text.push_str(&String::from_utf8_lossy(b));
                (start, text.len())
            }));
        }
        if let Some(batch) = f(&text, &spans) {
            if tx.send(batch).await.is_err() {
                return Ok((rows, false));
            }
        }
    }
    Ok((rows, true))
}

impl crate::dialect::read::Read for MySqlConnection {
    async fn read_rows<T, F>(&mut self, target: &crate::dialect::session::Target, table: &str, columns: &[(String, LogicalType)], key: &[usize], tx: &mpsc::Sender<T>, f: F) -> Result<(u64, bool), sqlx::Error>
    where
        F: FnMut(&str, &[Option<(usize, usize)>]) -> Option<T>,
    {
        let collation = target.flavor.as_ref().map(|f| f.binary_collation()).unwrap_or("utf8mb4_bin");
        let sql = select_rows(&target.table_sql_name(table), columns, key, collation);
        for_each_row(self, &sql, tx, f).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_and_order() {
        let cols = vec![("id".to_string(), LogicalType::Uuid), ("b".to_string(), LogicalType::Boolean)];
        assert_eq!(
            select_rows("`t`", &cols, &[0], "utf8mb4_nopad_bin"),
            "SELECT `id`, CASE `b` WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE CAST(`b` AS CHAR) END FROM `t` t ORDER BY t.`id` COLLATE utf8mb4_nopad_bin"
        );
        assert_eq!(decode_float("1e300"), Some(1e300));
        assert_eq!(decode_float("-0.00000025"), Some(-2.5e-7));
    }
}
