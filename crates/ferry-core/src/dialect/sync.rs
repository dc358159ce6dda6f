//! What `sync` asks of a dialect (`SyncSql`, implemented in `dialect/*/sync.rs`): a value in
//! `validate`'s canonical text written back as a SQL literal of the column's type, how a
//! table's transaction begins, and where the target has one, a statement that updates many
//! rows by key at once. The statements around them (INSERT, UPDATE, DELETE by key,
//! savepoints) are the same SQL on every target.

use crate::schema::LogicalType;

pub trait SyncSql: Sync {
    /// A canonical value (`validate::canonical`; `None` for NULL) as a literal the column of
    /// logical type `t` takes exactly.
    fn literal(&self, v: Option<&str>, t: &LogicalType) -> String;
    /// The statements that open one table's transaction (PostgreSQL also defers the
    /// constraints that are deferrable to its commit).
    fn begin(&self) -> &'static [&'static str];
    /// One statement that sets every column of `cols` but the key's (`key`, a unique key of
    /// the target) in the rows `rows` name by key, each row a parenthesised list of literals in
    /// the order of `cols`; every row exists. A statement that could write another row than
    /// the one its key names (MySQL's ON DUPLICATE KEY UPDATE, when another UNIQUE clashes)
    /// is not one: `None`, and sync updates row by row.
    fn update_many(&self, _table: &str, _cols: &[String], _key: &[String], _rows: &[&str]) -> Option<String> {
        None
    }
}
