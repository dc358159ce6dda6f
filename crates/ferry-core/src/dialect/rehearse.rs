//! A rehearsal of the schema on the target, whichever the dialect: the `Rehearse` trait,
//! implemented in `dialect/postgres/rehearse.rs` and `dialect/mysql/rehearse.rs`, reached
//! through `Conn`. Pre-flight makes every table, DEFAULT, CHECK, key, index, foreign key and
//! view in a scratch place, to learn which the server refuses, and leaves nothing behind.

use crate::dialect::session::{each, Conn, Target};
use crate::plan::resolve::PlannedTable;

pub use crate::dialect::ddl::Step;

/// What a rehearsal asks of a target session.
#[allow(async_fn_in_trait)]
pub trait Rehearse {
    /// Makes the scratch place `name` and moves the session into it: a PostgreSQL schema
    /// inside a transaction that is never committed; a MySQL database.
    async fn enter_scratch(&mut self, name: &str) -> Result<(), sqlx::Error>;
    /// Runs one statement so that its refusal leaves the rehearsal going on.
    async fn attempt(&mut self, sql: &str) -> Result<(), sqlx::Error>;
    /// Takes the scratch place away with everything made in it.
    async fn leave_scratch(&mut self, name: &str) -> Result<(), sqlx::Error>;
}

/// The statements that make a table's keys and indexes once it exists, one object each, as
/// `migrate` makes them for `target` (none for what the dialect makes with the table). Needs
/// no session: written from the target's schema or flavor.
pub fn key_steps(target: &Target, t: &PlannedTable) -> Vec<Step> {
    target.ddl().key_steps(t)
}

impl Conn {
    pub async fn enter_scratch(&mut self, name: &str) -> Result<(), sqlx::Error> {
        each!(self, c => c.enter_scratch(name).await)
    }
    pub async fn attempt(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        each!(self, c => c.attempt(sql).await)
    }
    pub async fn leave_scratch(&mut self, name: &str) -> Result<(), sqlx::Error> {
        each!(self, c => c.leave_scratch(name).await)
    }
}
