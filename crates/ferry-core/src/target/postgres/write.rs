//! Bulk load through `COPY … FROM STDIN` (text format); never row-by-row INSERT.

use sqlx::postgres::PgConnection;

/// Sends one batch of COPY text lines in one COPY; returns the rows the server took.
pub async fn copy_rows(conn: &mut PgConnection, statement: &str, lines: &[&[u8]]) -> Result<u64, sqlx::Error> {
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut buf = Vec::with_capacity(lines.iter().map(|l| l.len()).sum());
    for l in lines {
        buf.extend_from_slice(l);
    }
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
