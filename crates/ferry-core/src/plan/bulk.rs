//! Deciding once for many columns: take every high-confidence suggestion, keep every proposal
//! (the suggestions dismissed), or take or keep one kind of suggestion ("0/1 → boolean"), over
//! every table or a given list of them. [`preview`] says what would change before anything
//! does; [`apply`] changes the plan column by column exactly as choosing each one would
//! ([`ColumnPlan::accept_suggestion`], [`ColumnPlan::keep_proposal`]) and returns what
//! [`undo`] needs to put the columns back.

use super::model::{ColumnPlan, Plan};
use crate::convert::Transform;
use crate::mapping::{Confidence, Suggestion, SuggestionKind};
use serde::{Deserialize, Serialize};

/// A kind of suggestion as a person names it, to decide for all of that kind at once.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BulkKind {
    /// REAL with a few decimals (money, most often) → an exact decimal.
    Decimal,
    /// INTEGER 0/1 → boolean.
    #[serde(rename = "bool_01")]
    Bool01,
    /// yes/no, true/false words → boolean.
    BoolWords,
    /// Epoch seconds or milliseconds, Julian days → timestamp.
    Timestamp,
    /// UUIDs in uppercase text or in 16-byte blobs → uuid.
    Uuid,
    /// The narrower type a column was widened from (taking it rejects values).
    Narrower,
}

impl BulkKind {
    pub const ALL: [BulkKind; 6] = [BulkKind::Decimal, BulkKind::Bool01, BulkKind::BoolWords, BulkKind::Timestamp, BulkKind::Uuid, BulkKind::Narrower];

    /// The kind of a suggestion; none for an enum candidate (it changes no type).
    pub fn of(s: &Suggestion) -> Option<BulkKind> {
        Some(match s.kind {
            SuggestionKind::Enum => return None,
            SuggestionKind::Narrower => BulkKind::Narrower,
            SuggestionKind::Decimal => BulkKind::Decimal,
            SuggestionKind::Timestamp => BulkKind::Timestamp,
            SuggestionKind::Uuid => BulkKind::Uuid,
            SuggestionKind::Boolean if s.transform == Some(Transform::BoolText) => BulkKind::BoolWords,
            SuggestionKind::Boolean => BulkKind::Bool01,
        })
    }

    /// The name on the command line (`--take kind:bool_01`) and in the plan's JSON.
    pub fn name(self) -> &'static str {
        match self {
            BulkKind::Decimal => "decimal",
            BulkKind::Bool01 => "bool_01",
            BulkKind::BoolWords => "bool_words",
            BulkKind::Timestamp => "timestamp",
            BulkKind::Uuid => "uuid",
            BulkKind::Narrower => "narrower",
        }
    }

    /// In words, for a person.
    pub fn label(self) -> &'static str {
        match self {
            BulkKind::Decimal => "REAL used as money → numeric",
            BulkKind::Bool01 => "0/1 → boolean",
            BulkKind::BoolWords => "yes/no words → boolean",
            BulkKind::Timestamp => "numbers as times → timestamp",
            BulkKind::Uuid => "UUIDs in uppercase or blobs → uuid",
            BulkKind::Narrower => "narrower type (rejects the values it cannot hold)",
        }
    }

    pub fn parse(s: &str) -> Option<BulkKind> {
        BulkKind::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// Take the suggestions or keep the proposals.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Verb {
    Take,
    Keep,
}

/// Which suggestions.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Which {
    /// Those of high confidence.
    High,
    /// Every one that asks for a look (medium or high confidence).
    All,
    /// Every one of this kind, whatever its confidence.
    Kind(BulkKind),
}

/// One decision for many columns.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BulkDecision {
    pub verb: Verb,
    pub which: Which,
    /// The tables it covers (source names); none: every table. Skipped tables never count.
    #[serde(default)]
    pub tables: Option<Vec<String>>,
}

impl BulkDecision {
    /// Reads the command line's `high`, `all` or `kind:<kind>`.
    pub fn parse(verb: Verb, which: &str, tables: Option<Vec<String>>) -> Result<BulkDecision, String> {
        let which = match which {
            "high" => Which::High,
            "all" => Which::All,
            w => match w.strip_prefix("kind:").map(BulkKind::parse) {
                Some(Some(k)) => Which::Kind(k),
                _ => {
                    let kinds: Vec<&str> = BulkKind::ALL.iter().map(|k| k.name()).collect();
                    return Err(format!("{w:?}: expected high, all or kind:<kind> (kinds: {})", kinds.join(", ")));
                }
            },
        };
        Ok(BulkDecision { verb, which, tables })
    }

    fn covers(&self, s: &Suggestion) -> bool {
        let Some(kind) = BulkKind::of(s) else { return false };
        match self.which {
            Which::High => s.confidence == Confidence::High,
            Which::All => s.confidence >= Confidence::Medium,
            Which::Kind(k) => k == kind,
        }
    }
}

/// One column the decision changes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BulkChange {
    pub table: String,
    pub column: String,
    /// The column's type now, and after (the same when a proposal is kept).
    pub from: String,
    pub to: String,
    pub kind: BulkKind,
    pub confidence: Confidence,
    /// Values the new type cannot hold (rejected by name at load).
    pub unfit: u64,
}

/// What a decision would change: each column, and how many tables they are in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BulkPreview {
    pub changes: Vec<BulkChange>,
    pub tables: u32,
}

impl BulkPreview {
    /// "12 columns in 7 tables will change".
    pub fn summary(&self) -> String {
        let n = self.changes.len();
        format!(
            "{} column{} in {} table{} will change",
            crate::value::group_thousands(n as u64),
            if n == 1 { "" } else { "s" },
            crate::value::group_thousands(self.tables as u64),
            if self.tables == 1 { "" } else { "s" }
        )
    }
}

/// The columns as they were before a decision, to put back.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BulkUndo {
    pub columns: Vec<UndoColumn>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UndoColumn {
    pub table: String,
    pub column: ColumnPlan,
}

/// The columns `d` changes, as (table index, column index).
fn chosen(plan: &Plan, d: &BulkDecision) -> Vec<(usize, usize)> {
    let in_scope = |t: &str| d.tables.as_ref().is_none_or(|list| list.iter().any(|n| n == t));
    let mut out = vec![];
    for (ti, t) in plan.tables.iter().enumerate().filter(|(_, t)| !t.skip && in_scope(&t.source)) {
        for (ci, c) in t.columns.iter().enumerate() {
            // A type typed over is the user's word: no decision for many moves it.
            if c.reason != "override" && c.suggestion.as_ref().is_some_and(|s| d.covers(s)) {
                out.push((ti, ci));
            }
        }
    }
    out
}

/// What `d` would change in `plan`, changing nothing.
pub fn preview(plan: &Plan, d: &BulkDecision) -> BulkPreview {
    let at = chosen(plan, d);
    let mut tables: Vec<usize> = at.iter().map(|&(t, _)| t).collect();
    tables.dedup();
    let changes = at
        .iter()
        .map(|&(ti, ci)| {
            let (t, c) = (&plan.tables[ti], &plan.tables[ti].columns[ci]);
            let s = c.suggestion.as_ref().expect("chosen columns have a suggestion");
            let take = d.verb == Verb::Take;
            BulkChange {
                table: t.source.clone(),
                column: c.source.clone(),
                from: c.target_type.clone(),
                to: if take { s.target_type.clone() } else { c.target_type.clone() },
                kind: BulkKind::of(s).expect("chosen suggestions have a kind"),
                confidence: s.confidence,
                unfit: if take { s.unfit } else { c.unfit },
            }
        })
        .collect();
    BulkPreview { changes, tables: tables.len() as u32 }
}

/// Carries out `d` on `plan`, each column as if chosen alone; returns what [`undo`] needs.
pub fn apply(plan: &mut Plan, d: &BulkDecision) -> BulkUndo {
    let mut columns = vec![];
    for (ti, ci) in chosen(plan, d) {
        let t = &mut plan.tables[ti];
        let c = &mut t.columns[ci];
        columns.push(UndoColumn { table: t.source.clone(), column: c.clone() });
        match d.verb {
            Verb::Take => c.accept_suggestion(),
            Verb::Keep => c.keep_proposal(),
        };
    }
    BulkUndo { columns }
}

/// Puts back the columns `apply` changed. Returns how many it found.
pub fn undo(plan: &mut Plan, u: &BulkUndo) -> usize {
    let mut n = 0;
    for uc in &u.columns {
        let col = plan.tables.iter_mut().filter(|t| t.source == uc.table).flat_map(|t| t.columns.iter_mut()).find(|c| c.source == uc.column.source);
        if let Some(c) = col {
            *c = uc.column.clone();
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::TablePlan;
    use crate::dialect::Dialect;

    fn sg(ty: &str, kind: SuggestionKind, transform: Option<Transform>, confidence: Confidence) -> Option<Suggestion> {
        Some(Suggestion { target_type: ty.into(), reason: format!("values point at {ty}"), transform, kind, confidence, values: vec![], unfit: 0 })
    }

    fn col(name: &str, ty: &str, s: Option<Suggestion>) -> ColumnPlan {
        ColumnPlan { source: name.into(), target: name.into(), target_type: ty.into(), reason: "declared".into(), unfit: 0, transform: None, suggestion: s, mask: None, mask_why: None }
    }

    /// Three tables: `a` (high 0/1, medium money, an enum), `b` (high uuid, low narrower),
    /// `c` skipped (high 0/1), `d` typed over (high 0/1): neither ever changes.
    fn plan() -> Plan {
        use Confidence::*;
        use SuggestionKind as K;
        let t = |name: &str, skip, columns| TablePlan { source: name.into(), target: name.into(), skip, columns };
        Plan {
            ferry_version: "test".into(),
            source: "s.sqlite".into(),
            dialect: Dialect::Postgres,
            tables: vec![
                t("a", false, vec![
                    col("id", "bigint", None),
                    col("is_paid", "bigint", sg("boolean", K::Boolean, Some(Transform::Bool01), High)),
                    col("amount", "double precision", sg("numeric(12,2)", K::Decimal, Some(Transform::DecimalExact), Medium)),
                    col("status", "text", sg("text", K::Enum, None, Low)),
                ]),
                t("b", false, vec![
                    col("ref", "text", sg("uuid", K::Uuid, Some(Transform::UuidText), High)),
                    col("n", "text", sg("bigint", K::Narrower, None, Low)),
                ]),
                t("c", true, vec![col("ok", "bigint", sg("boolean", K::Boolean, Some(Transform::Bool01), High))]),
                t("d", false, vec![ColumnPlan { reason: "override".into(), ..col("typed", "integer", sg("boolean", K::Boolean, Some(Transform::Bool01), High)) }]),
            ],
            choices: vec![],
            distribution: None,
            safe_copy: false,
            access: None,
            production: vec![],
        }
    }

    /// Decision → the columns it changes (table.column) and the number of tables.
    #[test]
    fn previews_name_what_would_change() {
        use BulkKind as B;
        let d = |verb, which, tables: Option<&[&str]>| BulkDecision { verb, which, tables: tables.map(|l| l.iter().map(|s| s.to_string()).collect()) };
        let cases: Vec<(BulkDecision, &[&str], u32)> = vec![
            (d(Verb::Take, Which::High, None), &["a.is_paid", "b.ref"], 2),
            (d(Verb::Take, Which::High, Some(&["b"])), &["b.ref"], 1),
            (d(Verb::Keep, Which::All, None), &["a.is_paid", "a.amount", "b.ref"], 2),
            (d(Verb::Take, Which::Kind(B::Decimal), None), &["a.amount"], 1),
            (d(Verb::Take, Which::Kind(B::Narrower), None), &["b.n"], 1),
            (d(Verb::Keep, Which::Kind(B::Bool01), None), &["a.is_paid"], 1),
            (d(Verb::Take, Which::Kind(B::BoolWords), None), &[], 0),
            (d(Verb::Take, Which::High, Some(&["c", "nope"])), &[], 0),
        ];
        for (i, (dec, want, tables)) in cases.into_iter().enumerate() {
            let p = plan();
            let pv = preview(&p, &dec);
            let got: Vec<String> = pv.changes.iter().map(|c| format!("{}.{}", c.table, c.column)).collect();
            assert_eq!(got, want, "case {i} {dec:?}");
            assert_eq!(pv.tables, tables, "case {i}");
            assert_eq!(p, plan(), "case {i}: a preview changes nothing");
        }
        let pv = preview(&plan(), &d(Verb::Take, Which::High, None));
        assert_eq!(pv.summary(), "2 columns in 2 tables will change");
        assert_eq!(preview(&plan(), &d(Verb::Take, Which::High, Some(&["b"]))).summary(), "1 column in 1 table will change");
        assert_eq!((pv.changes[0].from.as_str(), pv.changes[0].to.as_str()), ("bigint", "boolean"));
    }

    /// Bulk take and keep leave the plan as choosing each column alone does; undo puts it back.
    #[test]
    fn apply_is_one_by_one_and_undoes() {
        for verb in [Verb::Take, Verb::Keep] {
            let dec = BulkDecision { verb, which: Which::All, tables: None };
            let mut bulk = plan();
            let pv = preview(&bulk, &dec);
            let u = apply(&mut bulk, &dec);
            assert_eq!(u.columns.len(), pv.changes.len());
            let mut one_by_one = plan();
            for ch in &pv.changes {
                let c = one_by_one.tables.iter_mut().find(|t| t.source == ch.table).unwrap().columns.iter_mut().find(|c| c.source == ch.column).unwrap();
                assert!(if verb == Verb::Take { c.accept_suggestion() } else { c.keep_proposal() });
            }
            assert_eq!(bulk, one_by_one, "{verb:?}");
            assert_eq!(bulk.to_toml(), one_by_one.to_toml());
            assert_ne!(bulk, plan());
            assert_eq!(undo(&mut bulk, &u), pv.changes.len());
            assert_eq!(bulk, plan(), "{verb:?}: undo puts every column back");
        }
    }

    #[test]
    fn decisions_read_from_the_command_line() {
        assert_eq!(BulkDecision::parse(Verb::Take, "high", None).unwrap().which, Which::High);
        assert_eq!(BulkDecision::parse(Verb::Take, "kind:bool_01", None).unwrap().which, Which::Kind(BulkKind::Bool01));
        let err = BulkDecision::parse(Verb::Take, "kind:money", None).unwrap_err();
        assert!(err.contains("decimal, bool_01, bool_words, timestamp, uuid, narrower"), "{err}");
        for k in BulkKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.name()));
        }
    }
}
