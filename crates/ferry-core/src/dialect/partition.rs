//! Range partitions per dialect (`dialect/*/partition.rs`), for what is not a table's DDL: the
//! SQL a `[[production]]` proposal shows.

use super::{mysql, postgres, Dialect};
use crate::plan::resolve::PlannedPartition;
use crate::schema::LogicalType;

impl Dialect {
    /// The statements that make `table` partitioned as `p` (its columns elided), with its
    /// primary key as widened: for the plan's reader.
    pub fn partition_sql(self, table: &str, primary_key: &[String], p: &PlannedPartition, logical: &LogicalType) -> Vec<String> {
        match self {
            Dialect::Postgres => postgres::partition::proposal_sql(table, primary_key, p, logical),
            Dialect::MySql | Dialect::MariaDb => mysql::partition::proposal_sql(table, primary_key, p, logical),
        }
    }
}

impl Dialect {
    /// The names the partitions of `p` get: PostgreSQL's partition tables, MySQL's partitions
    /// within the table; for `diff` to compare with what the target holds.
    pub fn partition_names(self, p: &PlannedPartition) -> Vec<String> {
        match self {
            Dialect::Postgres => postgres::partition::names(p),
            Dialect::MySql | Dialect::MariaDb => mysql::partition::names(p),
        }
    }

    /// Each partition's bounds as `partition_names` lists them, worded as the target's
    /// catalog reads back (`ExistingPartition::bounds`), for `diff` to compare.
    pub fn partition_bounds(self, p: &PlannedPartition, logical: &LogicalType) -> Vec<String> {
        match self {
            Dialect::Postgres => postgres::partition::bounds(p, logical),
            Dialect::MySql | Dialect::MariaDb => mysql::partition::bounds(p, logical),
        }
    }

    /// Whether a partitioned table keeps foreign keys (its own, to other tables): PostgreSQL
    /// does; InnoDB partitioned tables take none, in or out.
    pub fn partitioned_keeps_foreign_keys(self) -> bool {
        matches!(self, Dialect::Postgres)
    }

    /// Whether a partitioned table can have a full-text index (InnoDB's cannot).
    pub fn partitioned_full_text(self) -> bool {
        matches!(self, Dialect::Postgres)
    }

    /// Where the rows outside the partitions' span go, in words.
    pub fn partition_catch_all_words(self) -> &'static str {
        match self {
            Dialect::Postgres => "rows outside the span (and rows whose key is NULL) go to the DEFAULT partition",
            Dialect::MySql | Dialect::MariaDb => "rows before the span go to the first partition, rows after it to pmax (VALUES LESS THAN MAXVALUE)",
        }
    }
}
