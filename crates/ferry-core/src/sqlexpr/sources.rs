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
            (source, ViewColumn { target, logical, affinity: crate::mapping::declared::affinity(&declared) })
        }).collect();
        ViewSource { target: target.to_string(), columns: Some(columns), status: ViewStatus::Made }
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
}

