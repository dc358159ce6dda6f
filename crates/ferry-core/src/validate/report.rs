//! The validation's report: what was compared and every difference found, as the CLI, the app
//! and the HTML report read it.

use crate::plan::Plan;
use crate::report::Report;
use serde::{Deserialize, Serialize};
use serde_json::Value as J;

/// The validation's result: what was compared and every difference found.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ValidationReport {
    pub ferry_version: String,
    pub source: String,
    pub source_sha256: String,
    /// The target without its password.
    pub target: String,
    pub target_server: String,
    pub started_at: String,
    pub seconds: f64,
    /// The plan file used, when one was given (else the proposal, as `migrate` uses it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The migration run's report whose rejected rows count as expected, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_report: Option<String>,
    pub tables: Vec<TableValidation>,
    /// Every way the schema the target holds differs from the plan: column types, lengths,
    /// nullability, defaults, keys, foreign keys, indexes, CHECKs (`diff::compare`).
    #[serde(default)]
    pub schema: Vec<SchemaDifference>,
    pub rows_compared: u64,
    /// Differences nobody announced: changed values, missing and extra rows.
    pub mismatches: u64,
    /// Rows absent from the target on purpose: refused by the conversion or reported by the run.
    pub expected: u64,
    /// True when every table matched (expected rows aside) and the schema is as planned.
    pub clean: bool,
    pub notes: Vec<String>,
}

/// One object of a planned table that the target does not hold as planned.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SchemaDifference {
    /// The table in the target.
    pub table: String,
    pub kind: crate::diff::ObjectKind,
    /// The column, key, index or constraint.
    pub name: String,
    /// `create` (planned, missing), `extra` (there, not planned), `different`, `destructive`.
    pub status: crate::diff::Status,
    /// The planned object in one line (none when not planned).
    pub planned: Option<String>,
    /// The object as the target holds it (none when missing).
    pub found: Option<String>,
    /// What differs, one entry per property (`type: text in the target, varchar(10) planned`).
    pub differences: Vec<String>,
}

impl SchemaDifference {
    /// One line naming table, object, planned and found: `posts.slug: column differs: type:
    /// text in the target, varchar(10) planned`.
    pub fn line(&self) -> String {
        let what = match self.status {
            crate::diff::Status::Create => format!("planned ({}), missing in the target", self.planned.as_deref().unwrap_or("")),
            crate::diff::Status::Extra => format!("in the target ({}), not planned", self.found.as_deref().unwrap_or("")),
            _ => format!("differs: {}", self.differences.join("; ")),
        };
        format!("{}.{}: {} {what}", self.table, self.name, self.kind.label())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableValidation {
    /// The source table, and its name in the target.
    pub table: String,
    pub target: String,
    /// How rows were paired: `"key"` (in key order) or `"multiset"` (of row hashes).
    pub method: String,
    /// The key's source columns (empty for a multiset).
    pub key: Vec<String>,
    pub rows_source: u64,
    pub rows_target: u64,
    pub rows_matched: u64,
    pub columns: Vec<ColumnCheck>,
    /// The first `KEPT`; `mismatches_total` counts them all.
    pub mismatches: Vec<Mismatch>,
    pub mismatches_total: u64,
    pub expected: Vec<Expected>,
    pub expected_total: u64,
    pub notes: Vec<String>,
    /// The table could not be compared (missing in the target, unreadable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub seconds: f64,
}

impl TableValidation {
    /// Aggregates that differ when no row does (a mismatched, missing or expected row
    /// explains them).
    pub fn unexplained_aggregates(&self) -> usize {
        if self.expected_total > 0 || self.mismatches_total > 0 {
            return 0;
        }
        self.columns.iter().filter(|c| !c.equal).count()
    }

    pub fn is_clean(&self) -> bool {
        self.error.is_none() && self.mismatches_total == 0 && self.unexplained_aggregates() == 0
    }
}

/// One column's aggregates on both sides.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ValidatedColumn"))]
pub struct ColumnCheck {
    pub column: String,
    pub target_column: String,
    /// The logical type the column was carried as (`decimal(10,2)`, `timestamp`, …).
    pub logical: String,
    pub source: Aggregates,
    pub target: Aggregates,
    pub equal: bool,
}

/// Aggregates of one column on one side, over canonical values.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Aggregates {
    pub nulls: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<String>,
    /// Numbers: their sum (booleans: how many are true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<String>,
    /// Text: total length in characters; bytes: total length in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MismatchKind {
    /// The row is in both, a column's value differs.
    Value,
    MissingInTarget,
    ExtraInTarget,
}

impl MismatchKind {
    pub fn label(self) -> &'static str {
        match self {
            MismatchKind::Value => "value differs",
            MismatchKind::MissingInTarget => "missing in target",
            MismatchKind::ExtraInTarget => "extra in target",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Mismatch {
    pub kind: MismatchKind,
    /// The row's key (`{"id": 7}`); for a multiset, the whole row.
    pub row: J,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Canonical values (what the load sent, what the target holds; null is NULL), cut when
    /// long; both null for a missing or extra row.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    /// Multisets: how many more copies of this row one side has.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: u64,
}

fn one() -> u64 {
    1
}
fn is_one(n: &u64) -> bool {
    *n == 1
}

/// A row absent from the target on purpose.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Expected {
    pub row: J,
    pub reason: String,
}

/// How a validation runs.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// The plan `migrate` used (None: the proposal, as `migrate` makes it).
    pub plan: Option<Plan>,
    pub plan_path: Option<String>,
    /// PostgreSQL schema the tables are in. Default `public`.
    pub pg_schema: Option<String>,
    /// Tables compared at once.
    pub jobs: usize,
    /// The run's report: its rejected rows (and those in its rejects file) are expected.
    pub run_report: Option<Report>,
    pub run_report_path: Option<String>,
    /// Citus: the tables were distributed by this column (`migrate --distribute`), where
    /// the plan does not say so already.
    pub distribute: Option<String>,
    /// The key of a plan that masks (`plan::masks`): the source is compared through the
    /// same masks the run applied.
    pub mask_key: Option<crate::mask::MaskKey>,
}

impl ValidationReport {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("validation report serializes")
    }
}
