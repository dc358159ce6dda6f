//! Bulk load through `COPY … FROM STDIN (FORMAT binary)`; never row-by-row INSERT.

use sqlx::postgres::PgConnection;

/// Sends rows in COPY's binary form (`convert::CopyBinary`), back to back in `rows`, as one
/// COPY; returns the rows the server took. The rows go as they are, between the format's
/// header and trailer, without being copied into one buffer first.
pub async fn copy_rows(conn: &mut PgConnection, statement: &str, rows: &[u8]) -> Result<u64, sqlx::Error> {
    use crate::convert::{COPY_BINARY_HEADER, COPY_BINARY_TRAILER};
    let mut copy = conn.copy_in_raw(statement).await?;
    copy.send(COPY_BINARY_HEADER).await?;
    copy.send(rows).await?;
    copy.send(COPY_BINARY_TRAILER).await?;
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
