//! Bulk load through `COPY … FROM STDIN (FORMAT binary)`; never row-by-row INSERT.

use sqlx::postgres::PgConnection;

/// Sends rows in COPY's binary form (`convert::CopyBinary`) as one COPY; returns the rows the
/// server took.
pub async fn copy_rows(conn: &mut PgConnection, statement: &str, rows: &[&[u8]]) -> Result<u64, sqlx::Error> {
    use crate::convert::{COPY_BINARY_HEADER, COPY_BINARY_TRAILER};
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut buf = Vec::with_capacity(COPY_BINARY_HEADER.len() + rows.iter().map(|l| l.len()).sum::<usize>() + 2);
    buf.extend_from_slice(COPY_BINARY_HEADER);
    for r in rows {
        buf.extend_from_slice(r);
    }
    buf.extend_from_slice(COPY_BINARY_TRAILER);
    copy.send(buf).await?;
    copy.finish().await
}

/// The column a COPY error names (`COPY t, line 1, column qty: "abc"`).
pub fn error_column(e: &sqlx::Error) -> Option<String> {
    let db = e.as_database_error()?;
    let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?;
    if let Some(c) = pg.column() {
        return Some(c.to_string());
    }
    let w = pg.r#where()?;
    let i = w.find(", column ")?;
    let rest = &w[i + 9..];
    Some(rest.split(':').next()?.trim().to_string())
}
