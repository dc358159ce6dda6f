//! What the target already holds, whichever the dialect: the `Inspect` trait, implemented in
//! `dialect/postgres/inspect.rs` and `dialect/mysql/inspect.rs`, reached through `Conn`.

use crate::dialect::session::{each, Conn};

/// What the engine asks about the target's contents.
#[allow(async_fn_in_trait)]
pub trait Inspect {
    /// Whether the PostgreSQL schema is there; a MySQL session's database is its schema, and
    /// it is there once connected.
    async fn schema_exists(&mut self, schema: &str) -> Result<bool, sqlx::Error>;
}

impl Conn {
    pub async fn schema_exists(&mut self, schema: &str) -> Result<bool, sqlx::Error> {
        each!(self, c => c.schema_exists(schema).await)
    }
}
