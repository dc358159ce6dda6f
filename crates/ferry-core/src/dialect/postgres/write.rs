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

/// Rows in COPY's binary form: a field count, then each value's length and bytes.
pub struct CopyRows;

impl crate::dialect::write::RowFormat for CopyRows {
    const BOUNDED_BY_STATEMENT: bool = false;
    fn row_start(buf: &mut Vec<u8>, columns: usize) {
        crate::convert::CopyBinary { buf }.row_start(columns);
    }
    fn value_start(_buf: &mut Vec<u8>, _n: usize) {}
    fn row_end(_buf: &mut Vec<u8>) {}
    fn write(v: rusqlite::types::ValueRef<'_>, ty: &crate::schema::LogicalType, transform: Option<crate::convert::Transform>, dialect: crate::dialect::Dialect, buf: &mut Vec<u8>) -> Result<Option<crate::convert::Change>, crate::convert::Refusal> {
        crate::convert::convert_with(v, ty, transform, dialect, &mut crate::convert::CopyBinary { buf })
    }
}
