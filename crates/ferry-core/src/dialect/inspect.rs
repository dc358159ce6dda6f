//! What the target already holds, whichever the dialect: the `Inspect` trait, implemented in
//! `dialect/postgres/inspect.rs` and `dialect/mysql/inspect.rs`, reached through `Conn`.

use crate::diff::ExistingTable;
use crate::dialect::session::{each, Conn};
use crate::dialect::Dialect;

/// What the engine asks about the target's contents.
#[allow(async_fn_in_trait)]
pub trait Inspect {
    /// Whether the PostgreSQL schema is there; a MySQL session's database is its schema, and
    /// it is there once connected.
    async fn schema_exists(&mut self, schema: &str) -> Result<bool, sqlx::Error>;
    /// Every base table of the schema (PostgreSQL) or database (MySQL/MariaDB) with its
    /// columns, keys, CHECKs and indexes; `dialect` tells MySQL from MariaDB.
    async fn existing_tables(&mut self, schema: &str, dialect: Dialect) -> Result<Vec<ExistingTable>, sqlx::Error>;
    /// Whether the table holds at least one row.
    async fn has_rows(&mut self, schema: &str, table: &str) -> Result<bool, sqlx::Error>;
    /// How many rows the table holds.
    async fn count_rows(&mut self, schema: &str, table: &str) -> Result<i64, sqlx::Error>;
}

impl Conn {
    pub async fn schema_exists(&mut self, schema: &str) -> Result<bool, sqlx::Error> {
        each!(self, c => c.schema_exists(schema).await)
    }
    pub async fn existing_tables(&mut self, schema: &str, dialect: Dialect) -> Result<Vec<ExistingTable>, sqlx::Error> {
        each!(self, c => c.existing_tables(schema, dialect).await)
    }
    pub async fn has_rows(&mut self, schema: &str, table: &str) -> Result<bool, sqlx::Error> {
        each!(self, c => c.has_rows(schema, table).await)
    }
    pub async fn count_rows(&mut self, schema: &str, table: &str) -> Result<i64, sqlx::Error> {
        each!(self, c => c.count_rows(schema, table).await)
    }
}
