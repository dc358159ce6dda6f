//! Reading a migrated table back for `validate`: every column cast to the canonical text
//! `validate` compares (the same text the source's values convert to), streamed in key order
//! through `COPY (SELECT …) TO STDOUT`.
//!
//! Canonical forms: integers and decimals as plain digits (a numeric's trailing zeros
//! trimmed), doubles as their 8 bytes (`decode_float` turns them into the shortest text),
//! booleans `true`/`false`, bytes as lowercase hex, dates `YYYY-MM-DD`, timestamps
//! `YYYY-MM-DD HH:MM:SS.ffffff` in UTC, uuids lowercase, JSON as stored (normalised after).

use crate::schema::LogicalType;
use crate::sqlexpr::quote_ident;
use crate::dialect::Dialect;
use futures_util::StreamExt;
use sqlx::postgres::PgConnection;
use tokio::sync::mpsc;

/// The canonical text of one column, as a SELECT expression.
pub fn canonical_expr(column: &str, t: &LogicalType) -> String {
    let c = quote_ident(column, Dialect::Postgres);
    match t {
        LogicalType::Decimal { .. } => format!("trim_scale({c})::text"),
        LogicalType::Float => format!("encode(float8send({c}), 'hex')"),
        LogicalType::Boolean => format!("CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END"),
        LogicalType::Bytes => format!("encode({c}, 'hex')"),
        LogicalType::Date => astronomical(&c, "-MM-DD"),
        LogicalType::Timestamp { tz: true } => astronomical(&format!("({c} AT TIME ZONE 'UTC')"), "-MM-DD HH24:MI:SS.US"),
        LogicalType::Timestamp { tz: false } => astronomical(&c, "-MM-DD HH24:MI:SS.US"),
        _ => format!("{c}::text"),
    }
}

/// `x` as `to_char` writes it with `rest` after the year, the year counted as ISO 8601 and the
/// source count it (astronomically): PostgreSQL's `0001 BC` is year `0000`, `0002 BC` is `-0001`.
/// `to_char`'s `YYYY` alone would read 1 BC as year 1 and a year-0 value would not compare.
fn astronomical(x: &str, rest: &str) -> String {
    format!(
        "CASE WHEN to_char({x}, 'BC') = 'BC' THEN (CASE WHEN extract(year FROM {x}) < -1 THEN '-' || lpad((-1 - extract(year FROM {x})::int)::text, 4, '0') ELSE '0000' END) || to_char({x}, '{rest}') ELSE to_char({x}, 'YYYY{rest}') END"
    )
}

/// Every column's canonical text, ordered by the `key` columns (indexes into `columns`) in
/// byte order, as SQLite's BINARY collation orders the source. No key: no order.
pub fn select_rows(table_sql: &str, columns: &[(String, LogicalType)], key: &[usize]) -> String {
    let exprs: Vec<String> = columns.iter().map(|(c, t)| canonical_expr(c, t)).collect();
    // Ordered by the table's own columns (`t.`), not the text columns of the same name.
    let mut sql = format!("SELECT {} FROM {table_sql} t", exprs.join(", "));
    if !key.is_empty() {
        let order: Vec<String> = key
            .iter()
            .map(|&i| {
                let (c, t) = &columns[i];
                let q = format!("t.{}", quote_ident(c, Dialect::Postgres));
                if matches!(t, LogicalType::Text { .. }) { format!("{q} COLLATE \"C\"") } else { q }
            })
            .collect();
        sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
    }
    sql
}

/// A double as `canonical_expr` reads it (its 8 bytes in hex).
pub fn decode_float(raw: &str) -> Option<f64> {
    u64::from_str_radix(raw, 16).ok().map(f64::from_bits)
}

/// Undoes COPY's text escaping of one field (`\\`, `\t`, `\n`, `\r`, `\b`, `\f`, `\v`, octal).
fn unescape(field: &[u8], out: &mut Vec<u8>) {
    if !field.contains(&b'\\') {
        out.extend_from_slice(field);
        return;
    }
    let mut i = 0;
    while i < field.len() {
        let c = field[i];
        if c != b'\\' || i + 1 == field.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let n = field[i + 1];
        i += 2;
        match n {
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = (n - b'0') as u32;
                let mut k = 0;
                while k < 2 && i < field.len() && (b'0'..=b'7').contains(&field[i]) {
                    v = v * 8 + (field[i] - b'0') as u32;
                    i += 1;
                    k += 1;
                }
                out.push(v as u8);
            }
            other => out.push(other),
        }
    }
}

/// Splits one COPY text line into fields (`None` for `\N`), unescaped, into `buf`.
fn split_line(line: &[u8], buf: &mut Vec<u8>, spans: &mut Vec<Option<(usize, usize)>>) {
    buf.clear();
    spans.clear();
    for field in line.split(|&b| b == b'\t') {
        if field == b"\\N" {
            spans.push(None);
        } else {
            let start = buf.len();
            unescape(field, buf);
            spans.push(Some((start, buf.len())));
        }
    }
}

/// Streams the rows of `select` to `f`, each as one text and its fields' spans in it (`None`:
/// NULL); whenever `f` hands back a batch it is sent on `tx` (back-pressure: the stream waits
/// for the reader). Stops quietly when the receiver is gone. Returns the rows read, and
/// whether they were read to the end (the session is idle again; else it may still be streaming).
pub async fn for_each_row<T, F>(conn: &mut PgConnection, select: &str, tx: &mpsc::Sender<T>, mut f: F) -> Result<(u64, bool), sqlx::Error>
where
    F: FnMut(&str, &[Option<(usize, usize)>]) -> Option<T>,
{
    let mut stream = conn.copy_out_raw(&format!("COPY ({select}) TO STDOUT")).await?;
    let mut carry: Vec<u8> = vec![];
    let (mut buf, mut spans) = (vec![], vec![]);
    let mut rows = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        carry.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(nl) = carry[start..].iter().position(|&b| b == b'\n') {
            split_line(&carry[start..start + nl], &mut buf, &mut spans);
            start += nl + 1;
            rows += 1;
            let lossy;
            let text: &str = match std::str::from_utf8(&buf) {
                Ok(s) => s,
                Err(_) => {
                    lossy = String::from_utf8_lossy(&buf).into_owned();
                    &lossy
                }
            };
            if let Some(batch) = f(text, &spans) {
                if tx.send(batch).await.is_err() {
                    return Ok((rows, false));
                }
            }
        }
        carry.drain(..start);
    }
    Ok((rows, true))
}

impl crate::dialect::read::Read for PgConnection {
    async fn read_rows<T, F>(&mut self, target: &crate::dialect::session::Target, table: &str, columns: &[(String, LogicalType)], key: &[usize], tx: &mpsc::Sender<T>, f: F) -> Result<(u64, bool), sqlx::Error>
    where
        F: FnMut(&str, &[Option<(usize, usize)>]) -> Option<T>,
    {
        // An unsorted read starts at the table's first page, not where another scan is. The
        // settings hold for the read's own transaction, so that through a transaction pooler
        // the COPY runs on the server connection they were made on, and none is left there
        // for the next client. Stopped part way, the session is not used again (the caller
        // drops it), and its transaction with it.
        // A whole table read in one COPY: with Ferry's own limits (no statement timeout).
        sqlx::raw_sql(sqlx::AssertSqlSafe(super::with_own_limits("BEGIN READ ONLY; SET LOCAL work_mem = '64MB'; SET LOCAL synchronize_seqscans = off"))).execute(&mut *self).await?;
        let sql = select_rows(&target.table_sql_name(table), columns, key);
        let (rows, to_the_end) = for_each_row(self, &sql, tx, f).await?;
        if to_the_end {
            sqlx::raw_sql("COMMIT").execute(&mut *self).await?;
        }
        Ok((rows, to_the_end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_fields_unescape() {
        let cases: &[(&[u8], Vec<Option<&str>>)] = &[
            (b"1\tabc\t\\N", vec![Some("1"), Some("abc"), None]),
            (b"a\\tb\\nc\\\\d\\re", vec![Some("a\tb\nc\\d\re")]),
            (b"\t", vec![Some(""), Some("")]),
            (b"\\101\\b", vec![Some("A\u{8}")]),
            ("日本 🚀".as_bytes(), vec![Some("日本 🚀")]),
        ];
        for (line, want) in cases {
            let (mut buf, mut spans) = (vec![], vec![]);
            split_line(line, &mut buf, &mut spans);
            let text = std::str::from_utf8(&buf).unwrap();
            let got: Vec<Option<&str>> = spans.iter().map(|s| s.map(|(a, b)| &text[a..b])).collect();
            assert_eq!(&got, want, "{:?}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn expressions_and_order() {
        let cols = vec![("id".to_string(), LogicalType::Text { max: None }), ("n".to_string(), LogicalType::Decimal { precision: Some(10), scale: Some(2) })];
        assert_eq!(select_rows("\"public\".\"t\"", &cols, &[0]), "SELECT \"id\"::text, trim_scale(\"n\")::text FROM \"public\".\"t\" t ORDER BY t.\"id\" COLLATE \"C\"");
        assert_eq!(select_rows("t", &cols[1..], &[]), "SELECT trim_scale(\"n\")::text FROM t t");
        assert_eq!(decode_float("3fb999999999999a"), Some(0.1));
        assert_eq!(decode_float("nope"), None);
    }
}
