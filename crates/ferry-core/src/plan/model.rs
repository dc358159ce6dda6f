//! The plan's data: the serde structs the project file is made of (`Plan`, its tables, columns
//! and choices), with what reads one column or one choice. `choices` and `resolve` read a
//! plan and mod.rs proposes and checks one; all import these types from here, and this file
//! imports none of them.

use crate::convert::Transform;
use crate::dialect::Dialect;
use crate::error::{FerryError, Result};
use crate::mapping::Suggestion;
use crate::schema::LogicalType;
use super::kinds::{Choice, Kind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Plan {
    pub ferry_version: String,
    pub source: String,
    pub dialect: Dialect,
    pub tables: Vec<TablePlan>,
    /// What to do with each pre-flight group (`ferry preflight`); plans without any still load.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<PlanChoice>,
    /// Citus: each table's role when distributed by a column (`ferry plan --distribute`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<super::distribute::Distribution>,
    /// A safe copy (`ferry plan --mask-pii`): every text, JSON and binary column says its
    /// `mask`, `"clear"` to copy it as it is; a run refuses the plan while one does not.
    #[serde(default, skip_serializing_if = "is_false")]
    pub safe_copy: bool,
    /// Roles and tenant isolation made once the rows are in (`--roles`, `--tenant-isolation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<super::access::Access>,
    /// Production features (`ferry plan --production`): every proposal with its evidence,
    /// and whether it was accepted; migrate builds the accepted ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub production: Vec<super::production::proposal::Proposal>,
}

/// One pre-flight group's choice: `[[choices]]` with `table`, `column` (the column, or a key's
/// or foreign key's columns joined by ", "; absent for the table itself), `kind` and `choice`,
/// by the names `ferry preflight --json` prints.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanChoice {
    pub table: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub kind: Kind,
    pub choice: Choice,
}

impl PlanChoice {
    /// Reads `TABLE.COLUMN:KIND=CHOICE` (or `TABLE:KIND=CHOICE` for the table itself); the
    /// table is split at the first dot, so a column may hold dots, a table may not.
    pub fn parse(s: &str) -> std::result::Result<PlanChoice, String> {
        let usage = || format!("{s:?}: expected TABLE.COLUMN:KIND=CHOICE (e.g. users.email:duplicate_unique=drop_constraint)");
        let (target, rest) = s.rsplit_once(':').ok_or_else(usage)?;
        let (kind, choice) = rest.split_once('=').ok_or_else(usage)?;
        let kind = Kind::parse(kind.trim()).ok_or_else(|| format!("{s:?}: {kind:?} is not a pre-flight kind (ferry preflight --json names them)"))?;
        let choice = Choice::parse(choice.trim()).ok_or_else(|| format!("{s:?}: {choice:?} is not a choice (reject_rows, set_null, strip_nul, store_as_bytes, widen_type, drop_constraint, keep)"))?;
        let (table, column) = match target.split_once('.') {
            Some((t, c)) => (t.to_string(), Some(c.to_string())),
            None => (target.to_string(), None),
        };
        if table.is_empty() {
            return Err(usage());
        }
        Ok(PlanChoice { table, column, kind, choice })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TablePlan {
    pub source: String,
    pub target: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub skip: bool,
    pub columns: Vec<ColumnPlan>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnPlan {
    pub source: String,
    pub target: String,
    /// The target type as the dialect spells it (`numeric(12,2)`, `uuid`, `longtext`).
    #[serde(rename = "type")]
    pub target_type: String,
    /// Why this type (the proposal's reason; "override" once edited).
    pub reason: String,
    /// Values the type cannot hold, found while planning (they are rejected by name at load).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unfit: u64,
    /// How the stored values are read into `type` (`epoch_ms`, `bool_01`, …); none: as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<Transform>,
    /// A type the values point at, not applied: accepting it puts its `type` and `transform` here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
    /// The masked copy's rule for the column (`email`, `name`, `phone`, `text`, `hash`,
    /// `null`, `keep_last:4`, `shift_days:±30`, `noise:±10%`, `clear`, …); none: copied as
    /// it is, which a safe copy refuses for text. The key is never in the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub mask: Option<crate::mask::Rule>,
    /// Why that rule was proposed: what the column's name or sampled values showed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask_why: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ColumnPlan {
    /// Takes back the narrower type the column was widened from so that every row arrives
    /// (its `narrower` suggestion), transform and all; `why` gives the words added to the
    /// reason. Returns how many values that type rejects, or None where there is none.
    pub fn take_narrower(&mut self, why: impl FnOnce(&crate::mapping::Suggestion) -> String) -> Option<u64> {
        let s = self.suggestion.take_if(|s| s.kind == crate::mapping::SuggestionKind::Narrower)?;
        self.reason = format!("{}; {}", self.reason, why(&s));
        self.target_type = s.target_type;
        self.transform = s.transform;
        self.unfit = s.unfit;
        Some(s.unfit)
    }

    /// The logical type behind `target_type`, read with the dialect's parser.
    pub fn logical(&self, dialect: Dialect) -> Result<LogicalType> {
        dialect.read_plan_type(&self.target_type).map_err(|why| FerryError::PlanUnreadable { path: String::new(), detail: format!("column {:?}: {why}", self.source) })
    }

    /// Takes the suggestion: its type and transform become the column's; its reason and
    /// count of values it cannot hold come along. False when there is none.
    pub fn accept_suggestion(&mut self) -> bool {
        let Some(s) = self.suggestion.take() else { return false };
        self.target_type = s.target_type;
        self.transform = s.transform;
        self.reason = format!("suggestion accepted: {}", s.reason);
        self.unfit = s.unfit;
        true
    }

    /// Keeps the proposed type over the suggestion: the suggestion leaves the column and the
    /// reason says it was not taken. False when there is none.
    pub fn keep_proposal(&mut self) -> bool {
        let Some(s) = self.suggestion.take() else { return false };
        self.reason = format!("{}; kept over the suggested {}", self.reason, s.target_type);
        true
    }
}
