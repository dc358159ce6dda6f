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
