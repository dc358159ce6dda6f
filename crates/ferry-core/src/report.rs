//! The run's report: what arrived, what was refused or changed, and what was left behind.
//!
//! Serialized as the JSON the CLI writes with `--report` (the shape the engine issue fixes:
//! `tables.<name>.{target, rows_read, rows_written, rejected[], changed[]}` and `warnings[]`).

use crate::events::Phase;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub ferry_version: String,
    pub source: String,
    /// The target without its password.
    pub target: String,
    pub target_server: String,
    pub started_at: String,
    pub seconds: f64,
    pub tables: BTreeMap<String, TableReport>,
    pub warnings: Vec<Warning>,
    /// Adaptations that lose nothing (an expression index on MariaDB built over a virtual
    /// column); shown, but they do not make the run inexact.
    #[serde(default)]
    pub notes: Vec<Warning>,
    /// Tables or columns whose names changed on the way (too long, clashing).
    pub renames: Vec<Rename>,
    pub phases: BTreeMap<String, f64>,
    /// False when the run stopped early (error, `--strict`, cancel); the tables show how far it got.
    pub completed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TableReport {
    pub target: String,
    pub rows_read: u64,
    pub rows_written: u64,
    pub seconds: f64,
    pub rejected: Vec<Rejected>,
    pub changed: Vec<Changed>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rejected {
    /// The row's key in the source: its primary key columns, or `{"rowid": n}`.
    pub row: serde_json::Value,
    pub column: Option<String>,
    pub value: serde_json::Value,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Changed {
    pub row: serde_json::Value,
    pub column: String,
    pub from: serde_json::Value,
    pub to: serde_json::Value,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Warning {
    pub table: Option<String>,
    pub object: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rename {
    pub table: Option<String>,
    pub from: String,
    pub to: String,
    pub reason: String,
}

impl Report {
    pub fn rejected_count(&self) -> usize {
        self.tables.values().map(|t| t.rejected.len()).sum()
    }
    pub fn changed_count(&self) -> usize {
        self.tables.values().map(|t| t.changed.len()).sum()
    }
    /// Everything arrived exactly: nothing rejected, changed, or left behind.
    pub fn is_exact(&self) -> bool {
        self.completed && self.rejected_count() == 0 && self.changed_count() == 0 && self.warnings.is_empty()
    }
    pub fn phase_seconds(&self, p: Phase) -> f64 {
        self.phases.get(p.name()).copied().unwrap_or(0.0)
    }
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serializes")
    }
}
