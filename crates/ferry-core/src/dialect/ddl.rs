//! The DDL a dialect writes for a run, and how its run is shaped: what the pipeline asks of
//! a target that needs no connection. `Target::ddl` gives the target's own; implemented in
//! `dialect/postgres/ddl.rs` and `dialect/mysql/ddl.rs`.

use crate::plan::resolve::{PlannedForeignKey, PlannedTable};

/// One statement that makes one object, named as `migrate` names it (a rehearsal's step).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub object: String,
    pub sql: String,
}

/// How a table's rows go in with respect to transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadTx {
    /// One transaction for the whole table that first empties it (`BEGIN; TRUNCATE`), so
    /// the rows go in frozen; the first refusal rolls it back.
    WholeTable,
    /// Batches inside transactions committed every few (the redo log is flushed once per
    /// many batches, not once per statement); a refused statement rolls back alone.
    Chunked,
    /// Each statement commits by itself.
    None,
}

/// A foreign key made in two steps, as its table is ready: added without checking the rows,
/// then validated; dropped again when rows still fail it.
pub struct TwoStepForeignKey {
    pub add: String,
    pub validate: String,
    pub drop: String,
}

pub trait Ddl: Send + Sync {
    /// A table's name as SQL, qualified where the dialect has schemas.
    fn table(&self, name: &str) -> String;
    /// The schema the run's tables go in, where the dialect has schemas apart from databases.
    fn schema(&self) -> Option<&str> {
        None
    }
    /// Where the run's tables go, for a message: `schema "s" of database "d"`.
    fn place(&self, database: &str) -> String;
    /// `CREATE TABLE`, with the table's CHECKs in it when `checks`.
    fn create_table(&self, t: &PlannedTable, checks: bool) -> String;
    /// Whether a table's CHECKs first go in its `CREATE TABLE` (a table that refuses them is
    /// made without, and gets them after the load, which finds each failing row).
    fn checks_at_create(&self, speculative: bool) -> bool;
    /// Whether every table may be made in one round trip (one transaction: all or none).
    fn creates_tables_together(&self) -> bool {
        false
    }
    /// The statement rows are sent with (`Session::send_rows`).
    fn load_statement(&self, t: &PlannedTable, speculative: bool) -> String;
    fn load_tx(&self, speculative: bool) -> LoadTx;
    fn check(&self, t: &PlannedTable, name: &str, sql: &str) -> String;
    /// Gives a column of a made table its DEFAULT (`default_sql`, as `create_table` writes it).
    fn set_default(&self, t: &PlannedTable, column: &str, default_sql: &str) -> String;
    fn foreign_key(&self, t: &PlannedTable, fk: &PlannedForeignKey) -> String;
    /// Drops a foreign key an interrupted run may have made (resuming makes it again); on
    /// MySQL/MariaDB it fails where there is none, which the caller ignores.
    fn drop_foreign_key(&self, t: &PlannedTable, fk: &PlannedForeignKey) -> String;
    /// What the server makes of a foreign key differently from the source, said once it is made.
    fn foreign_key_note(&self, _fk: &PlannedForeignKey) -> Option<String> {
        None
    }
    /// How a foreign key made over rows it does not all accept is held, for the report
    /// ("NOT VALID"): it refuses new orphans, and the ones loaded stay.
    fn unchecked_foreign_key(&self) -> &'static str;
    /// Whether foreign keys are made table by table as their tables are ready
    /// (`two_step_foreign_key`), rather than all once every table is in.
    fn foreign_keys_per_table(&self) -> bool {
        false
    }
    /// Where the dialect can add a foreign key without checking rows and validate it after:
    /// then keys are made table by table as their tables are ready.
    fn two_step_foreign_key(&self, _t: &PlannedTable, _fk: &PlannedForeignKey) -> Option<TwoStepForeignKey> {
        None
    }
    /// `SELECT` of a column's maximum as a BIGINT.
    fn max_of(&self, t: &PlannedTable, column: &str) -> String;
    /// The statements that make a loaded table's keys and indexes, one object each, as
    /// `migrate` makes them (none for what the dialect makes with the table).
    fn key_steps(&self, t: &PlannedTable) -> Vec<Step>;
    /// Gathers a loaded table's planner statistics.
    fn analyze(&self, t: &PlannedTable) -> String;
    /// `CREATE VIEW name [(columns)] AS select`; `columns`: the names the view gives its
    /// columns, empty when it gives none.
    fn create_view(&self, name: &str, columns: &[String], select: &str) -> String;
    /// The statements that make a translated SQLite trigger, in order (`triggers.rs`); `Err`:
    /// why the target cannot have it. `on`: the planned table it fires on, when known (on a
    /// Citus cluster a distributed or reference table's trigger runs on its shards).
    fn create_trigger(&self, t: &crate::sqlexpr::TranslatedTrigger, on: Option<&PlannedTable>) -> Result<Vec<String>, String>;
    /// Drops a trigger the run made, and what it made to run it (a PostgreSQL function).
    fn drop_trigger(&self, name: &str) -> String;
    /// A query counting the triggers (or their functions) named `name` where the run's tables go.
    fn trigger_exists(&self, name: &str) -> String;
    /// Drops a table this run made, with whatever else the run already hung on it.
    fn drop_table(&self, name: &str) -> String;
    /// Drops a schema this run made, where the dialect has schemas apart from databases.
    fn drop_schema(&self, _name: &str) -> Option<String> {
        None
    }
}
