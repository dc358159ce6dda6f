//! What `sync` asks of a dialect (`SyncSql`, implemented in `dialect/*/sync.rs`): a value in
//! `validate`'s canonical text written back as a SQL literal of the column's type, and how a
//! table's transaction begins. The statements around them (INSERT, UPDATE, DELETE by key,
//! savepoints) are the same SQL on every target.

use crate::schema::LogicalType;

pub trait SyncSql: Sync {
    /// A canonical value (`validate::canonical`; `None` for NULL) as a literal the column of
    /// logical type `t` takes exactly.
    fn literal(&self, v: Option<&str>, t: &LogicalType) -> String;
    /// The statements that open one table's transaction (PostgreSQL also defers the
    /// constraints that are deferrable to its commit).
    fn begin(&self) -> &'static [&'static str];
}
