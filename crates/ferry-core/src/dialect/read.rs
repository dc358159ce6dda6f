//! Reading a target table back for validation, whichever the dialect: each streams the rows
//! as canonical text (`Read`, implemented in `dialect/*/read.rs`), parsed into the same form
//! the source's rows take.

use super::session::{each, Conn, Target};
use super::Dialect;
use crate::schema::LogicalType;
use tokio::sync::mpsc;

/// A target session that reads a table back.
#[allow(async_fn_in_trait)]
pub trait Read {
    /// Streams `table`'s `columns` as one canonical text per row (and each field's span in
    /// it, `None` for NULL) to `f`, sorted by the columns at `key` when given; what `f`
    /// returns goes to `tx`. Returns the rows read and whether the stream ran to its end.
    async fn read_rows<T, F>(&mut self, target: &Target, table: &str, columns: &[(String, LogicalType)], key: &[usize], tx: &mpsc::Sender<T>, f: F) -> Result<(u64, bool), sqlx::Error>
    where
        F: FnMut(&str, &[Option<(usize, usize)>]) -> Option<T>;
}

impl Conn {
    pub async fn read_rows<T, F>(&mut self, target: &Target, table: &str, columns: &[(String, LogicalType)], key: &[usize], tx: &mpsc::Sender<T>, f: F) -> Result<(u64, bool), sqlx::Error>
    where
        F: FnMut(&str, &[Option<(usize, usize)>]) -> Option<T>,
    {
        each!(self, c => c.read_rows(target, table, columns, key, tx, f).await)
    }
}

impl Dialect {
    /// Whether a table Ferry loaded reads back in the order it was loaded (PostgreSQL's
    /// heap), so rows pair as they come; InnoDB returns them in primary key order.
    pub fn keeps_load_order(self) -> bool {
        self == Dialect::Postgres
    }
}
