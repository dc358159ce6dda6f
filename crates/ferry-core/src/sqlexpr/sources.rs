//! What a view reads, as the caller knows it: each table's target name and its columns'
//! target names, types and SQLite affinities; each view's state (made, waiting, refused).
//! Below the translator, which reads it.

use std::collections::HashMap;

use crate::mapping::declared::Affinity;
use crate::schema::LogicalType;

/// A table or view a view reads, as the target has it.
#[derive(Debug, Clone, Default)]
pub struct ViewSource {
    /// Its name in the target.
    pub target: String,
    /// Source column name → the column; `None` when the columns are not known (a view).
    pub columns: Option<HashMap<String, ViewColumn>>,
    /// Whether it exists on the target (a view may wait for its turn, or have been refused).
    pub status: ViewStatus,
}

/// Whether what a view reads exists on the target.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum ViewStatus {
    /// A table, or a view already made.
    #[default]
    Made,
    /// A view not made yet: the view reading it waits (the error says [`PENDING_VIEW`]).
    Pending,
    /// A view that could not be made, and why.
    Refused(String),
}

/// In the error of a view that reads a view not made yet.
pub const PENDING_VIEW: &str = "which is not made yet";

impl ViewSource {
    pub fn untyped(target: &str) -> ViewSource {
        ViewSource { target: target.to_string(), columns: None, status: ViewStatus::Made }
    }
    /// A planned table's columns: (source name, target name, type, `changed`, declared type).
    /// Those whose values the load changed (epoch seconds, boolean text, …) hold on the target
    /// what SQLite does not compare the same way, so they stay untyped.
    pub fn of_table(target: &str, columns: impl IntoIterator<Item = (String, String, LogicalType, bool, String)>) -> ViewSource {
        let columns = columns.into_iter().map(|(source, target, logical, transformed, declared)| {
            let logical = if transformed { None } else { Some(logical) };
            (source, ViewColumn { target, logical, affinity: crate::mapping::declared::affinity(&declared), epoch: None, time_of_number: None, grouped_with: Vec::new(), same_shard: Vec::new() })
        }).collect();
        ViewSource { target: target.to_string(), columns: Some(columns), status: ViewStatus::Made }
    }
    /// The column `source` holds a number in SQLite (epoch seconds or milliseconds, a Julian
    /// day: the load's `transform`) and its timestamp (with zone: `tz`) on the target.
    pub fn with_time_of_number(mut self, source: &str, transform: &str, tz: bool) -> ViewSource {
        if let Some(c) = self.columns.as_mut().and_then(|cs| cs.get_mut(source)) {
            c.time_of_number = Some(transform.to_string());
            if transform == "epoch_s" {
                c.epoch = Some(tz);
            }
        }
        self
    }
    /// Citus: `source` is the rest of a co-located foreign key (`ViewColumn::same_shard`).
    pub fn with_same_shard(mut self, source: &str, join: SameShard) -> ViewSource {
        if let Some(c) = self.columns.as_mut().and_then(|cs| cs.get_mut(source)) {
            c.same_shard.push(join);
        }
        self
    }
    /// The table's key, `source` alone in SQLite, is wider on the target by `added` (target
    /// names): see `ViewColumn::grouped_with`.
    pub fn with_key_widened(mut self, source: &str, added: Vec<String>) -> ViewSource {
        if let Some(c) = self.columns.as_mut().and_then(|cs| cs.get_mut(source)) {
            c.grouped_with = added;
        }
        self
    }
}

/// A column of a table a view reads.
#[derive(Debug, Clone)]
pub struct ViewColumn {
    pub target: String,
    /// The type the target holds it in; `None`: the values differ from SQLite's (a transform).
    pub logical: Option<LogicalType>,
    /// Its affinity in SQLite (from the declared type).
    pub affinity: Affinity,
    /// `Some(tz)`: SQLite holds epoch seconds, the target the timestamp (with zone: `tz`)
    /// they stand for (the load's `epoch_s`); what SQLite's `'unixepoch'` makes of them.
    pub epoch: Option<bool>,
    /// The load made this column's number a timestamp (`epoch_s`, `epoch_ms`, `julian_day`,
    /// named here): SQLite's view reads the number, the target's the timestamp, so the column
    /// is carried only as a result column of its own or through `epoch`.
    pub time_of_number: Option<String>,
    /// The table's primary key was this one column in SQLite and the target's is wider (a
    /// Citus distribution column, a partition key put in it): those columns' target names. A
    /// view grouping by this column groups by them too, or the target, which reads a
    /// table's other columns as grouped only under its whole key, refuses the view (they
    /// follow from the SQLite key, so the groups are the same).
    pub grouped_with: Vec<String>,
    /// Citus: this column is the rest of a foreign key that includes both tables'
    /// distribution column: (the table it references, the column it references, this table's
    /// distribution column, that table's), target names. A view joining the two on this
    /// column joins them on the distribution columns too, which the key makes equal — or Citus
    /// refuses every query of the view ("complex joins are only supported when all distributed
    /// tables are co-located and joined on their distribution columns").
    pub same_shard: Vec<SameShard>,
}

/// See `ViewColumn::same_shard`.
#[derive(Debug, Clone, PartialEq)]
pub struct SameShard {
    pub table: String,
    pub column: String,
    pub own: String,
    pub theirs: String,
}

