//! The kinds of problem a pre-flight finds, the choices open to each, and their
//! application for `migrate`: the plan's `[[choices]]` (see [`PlanChoice`](super::PlanChoice))
//! checked against the planned tables and applied to them ([`apply_choices`], [`value_choice`]).

use crate::error::{FerryError, Result};
use crate::plan::Plan;
use crate::events::Warning;
use crate::schema::LogicalType;
use crate::plan::resolve::PlannedTable;
use crate::dialect::Dialect;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What kind of problem a group is; stable names for scripts and the plan's `[[choices]]`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Text holding the NUL character (PostgreSQL text cannot).
    NulInText,
    /// Bytes that are not UTF-8 in a text column.
    InvalidUtf8,
    /// A number or date outside the target type's range (or infinity where it has none).
    OutOfRange,
    /// Text longer than the column's declared length.
    TooLong,
    /// A value of another kind than the column's type (text in an integer column, …).
    WrongType,
    /// Text that is not a real date or timestamp (`2023-02-30`, `yesterday`).
    ImpossibleDate,
    /// Text that is not valid JSON (or JSON PostgreSQL cannot hold) in a JSON column.
    InvalidJson,
    /// Values that arrive rounded (a decimal's scale, microseconds, a big integer as a double).
    Rounded,
    /// Rows whose foreign key has no parent row (SQLite does not enforce foreign keys by default).
    Orphan,
    /// Rows that collide under a PRIMARY KEY or UNIQUE in the target's comparison (its
    /// collation, its types), though not in SQLite's.
    DuplicateUnique,
    /// NULL in a column the target makes NOT NULL (a primary key SQLite let hold NULL).
    NullInNotNull,
    /// A name longer than the target allows: the plan renames it.
    IdentifierTooLong,
    /// A name that clashes with another once case is ignored: the plan renames it.
    IdentifierRenamed,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::NulInText => "nul_in_text",
            Kind::InvalidUtf8 => "invalid_utf8",
            Kind::OutOfRange => "out_of_range",
            Kind::TooLong => "too_long",
            Kind::WrongType => "wrong_type",
            Kind::ImpossibleDate => "impossible_date",
            Kind::InvalidJson => "invalid_json",
            Kind::Rounded => "rounded",
            Kind::Orphan => "orphan",
            Kind::DuplicateUnique => "duplicate_unique",
            Kind::NullInNotNull => "null_in_not_null",
            Kind::IdentifierTooLong => "identifier_too_long",
            Kind::IdentifierRenamed => "identifier_renamed",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        ALL_KINDS.into_iter().find(|k| k.name() == s)
    }
    /// The choices this kind of group can take (the column may narrow them: no `set_null` for
    /// a NOT NULL column), the default first.
    pub fn choices(self) -> &'static [Choice] {
        use Choice::*;
        match self {
            Kind::NulInText => &[RejectRows, SetNull, StripNul, StoreAsBytes],
            Kind::InvalidUtf8 => &[RejectRows, SetNull, StoreAsBytes],
            Kind::OutOfRange | Kind::TooLong | Kind::WrongType | Kind::ImpossibleDate | Kind::InvalidJson => &[RejectRows, SetNull, WidenType],
            Kind::Rounded => &[Keep],
            Kind::Orphan | Kind::DuplicateUnique => &[RejectRows, DropConstraint],
            Kind::NullInNotNull => &[DropConstraint],
            Kind::IdentifierTooLong | Kind::IdentifierRenamed => &[Keep],
        }
    }
}

const ALL_KINDS: [Kind; 13] = [
    Kind::NulInText,
    Kind::InvalidUtf8,
    Kind::OutOfRange,
    Kind::TooLong,
    Kind::WrongType,
    Kind::ImpossibleDate,
    Kind::InvalidJson,
    Kind::Rounded,
    Kind::Orphan,
    Kind::DuplicateUnique,
    Kind::NullInNotNull,
    Kind::IdentifierTooLong,
    Kind::IdentifierRenamed,
];

/// What `migrate` does with a group's rows or values.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// The row is not loaded; the report lists it (the default wherever a value is refused).
    RejectRows,
    /// The value becomes NULL; the report lists it as changed.
    SetNull,
    /// The NUL characters are removed; the report lists the value as changed.
    StripNul,
    /// The column becomes binary (bytea / longblob) and holds the bytes as they are.
    StoreAsBytes,
    /// The column's type widens to one that holds every value (a 64-bit integer, or text).
    WidenType,
    /// The key or foreign key is not created (the report says so); every row loads.
    DropConstraint,
    /// Nothing to choose: the value or name arrives as the group says.
    Keep,
}

impl Choice {
    pub fn name(self) -> &'static str {
        match self {
            Choice::RejectRows => "reject_rows",
            Choice::SetNull => "set_null",
            Choice::StripNul => "strip_nul",
            Choice::StoreAsBytes => "store_as_bytes",
            Choice::WidenType => "widen_type",
            Choice::DropConstraint => "drop_constraint",
            Choice::Keep => "keep",
        }
    }
    pub fn parse(s: &str) -> Option<Choice> {
        [Choice::RejectRows, Choice::SetNull, Choice::StripNul, Choice::StoreAsBytes, Choice::WidenType, Choice::DropConstraint, Choice::Keep].into_iter().find(|c| c.name() == s)
    }
    /// What happens to the group's rows under this choice, in a word or two.
    pub(crate) fn outcome(self) -> &'static str {
        match self {
            Choice::RejectRows => "rejected",
            Choice::SetNull | Choice::StripNul => "changed",
            Choice::StoreAsBytes | Choice::WidenType => "kept (type changed)",
            Choice::DropConstraint => "kept (constraint not created)",
            Choice::Keep => "kept",
        }
    }
}

/// A group as the plan names it: table, column(s), kind.
pub(crate) type GroupId = (String, Option<String>, Kind);

/// The wider type `widen_type` gives a column: 64-bit for a narrower integer out of range,
/// else unbounded text (which holds any value's text); None when it is that already.
pub fn widened(kind: Kind, ty: &LogicalType) -> Option<LogicalType> {
    match (kind, ty) {
        (Kind::OutOfRange, LogicalType::Integer { bits }) if *bits < 64 => Some(LogicalType::Integer { bits: 64 }),
        (_, LogicalType::Text { max: None }) => None,
        _ => Some(LogicalType::Text { max: None }),
    }
}

/// The choices open to a group on this column.
pub(crate) fn choices_for(kind: Kind, column: Option<&crate::plan::resolve::PlannedColumn>) -> Vec<Choice> {
    kind.choices()
        .iter()
        .copied()
        .filter(|c| match (c, column) {
            (Choice::SetNull, Some(col)) => !col.not_null,
            (Choice::SetNull, None) => false,
            (Choice::StoreAsBytes, Some(col)) => matches!(col.logical, LogicalType::Text { .. }),
            (Choice::WidenType, Some(col)) => widened(kind, &col.logical).is_some(),
            (Choice::StoreAsBytes | Choice::WidenType, None) => false,
            _ => true,
        })
        .collect()
}

/// The plan's choices, checked against the planned tables: each names a table and column
/// that exist and a choice its kind can take there. Keyed by (table, column, kind).
pub(crate) fn plan_choices(plan: &Plan, planned: &[PlannedTable]) -> Result<HashMap<GroupId, Choice>> {
    let mut out = HashMap::new();
    let mut problems = vec![];
    for pc in &plan.choices {
        let what = format!("choice {}{}:{}={}", pc.table, pc.column.as_ref().map(|c| format!(".{c}")).unwrap_or_default(), pc.kind.name(), pc.choice.name());
        let Some(t) = planned.iter().find(|t| t.source.name == pc.table) else {
            problems.push(format!("{what}: table {:?} is not migrated by the plan", pc.table));
            continue;
        };
        let value_level = !matches!(pc.kind, Kind::Orphan | Kind::DuplicateUnique | Kind::NullInNotNull | Kind::IdentifierTooLong | Kind::IdentifierRenamed);
        let col = match (&pc.column, value_level) {
            (Some(c), true) => match t.columns.iter().find(|x| x.source == *c) {
                Some(x) => Some(x),
                None => {
                    problems.push(format!("{what}: table {} has no column {c:?}", pc.table));
                    continue;
                }
            },
            (None, true) => {
                problems.push(format!("{what}: a {} choice names its column (TABLE.COLUMN)", pc.kind.name()));
                continue;
            }
            (_, false) => None,
        };
        let open = if value_level { choices_for(pc.kind, col) } else { pc.kind.choices().to_vec() };
        if !open.contains(&pc.choice) {
            let names: Vec<&str> = open.iter().map(|c| c.name()).collect();
            problems.push(format!("{what}: {} is not open here (choose one of {})", pc.choice.name(), names.join(", ")));
            continue;
        }
        out.insert((pc.table.clone(), pc.column.clone(), pc.kind), pc.choice);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(FerryError::PlanUnreadable { path: "choices".into(), detail: problems.join("; ") })
    }
}

/// Value-level choices for one table: source column → (kind → choice), for `set_null` and
/// `strip_nul` (the load applies them as it converts; see [`value_choice`]).
pub type ValueChoices = HashMap<String, Vec<(Kind, Choice)>>;

/// What the plan chose for a value the conversion refused as `kind`, when it is
/// `set_null` or `strip_nul` (anything else: the row is rejected, or the type already holds it).
pub fn value_choice(choices: Option<&Vec<(Kind, Choice)>>, kind: Kind) -> Option<Choice> {
    choices?.iter().find(|(k, c)| *k == kind && matches!(c, Choice::SetNull | Choice::StripNul)).map(|(_, c)| *c)
}

/// Applies the plan's choices to the planned tables, for `migrate`: `store_as_bytes` and
/// `widen_type` change column types; `drop_constraint` removes the key or foreign key (the
/// returned warnings say so); `set_null` and `strip_nul` come back per table for the load.
pub fn apply_choices(planned: &mut [PlannedTable], plan: &Plan, dialect: Dialect) -> Result<(HashMap<String, ValueChoices>, Vec<Warning>)> {
    let chosen = plan_choices(plan, planned)?;
    let mut values: HashMap<String, ValueChoices> = HashMap::new();
    let mut warnings = vec![];
    let mut sorted: Vec<_> = chosen.into_iter().collect();
    sorted.sort_by(|a, b| (&a.0 .0, &a.0 .1, a.0 .2).cmp(&(&b.0 .0, &b.0 .1, b.0 .2)));
    for ((table, column, kind), choice) in sorted {
        let t = planned.iter_mut().find(|t| t.source.name == table).expect("checked by plan_choices");
        let because = format!("the plan chooses {} for its {} rows", choice.name(), kind.name());
        match choice {
            Choice::SetNull | Choice::StripNul => {
                values.entry(table).or_default().entry(column.expect("value-level")).or_default().push((kind, choice));
            }
            Choice::StoreAsBytes | Choice::WidenType => {
                let c = t.columns.iter_mut().find(|c| Some(&c.source) == column.as_ref()).expect("checked by plan_choices");
                let ty = if choice == Choice::StoreAsBytes { LogicalType::Bytes } else { widened(kind, &c.logical).expect("checked by plan_choices") };
                c.type_sql = dialect.format_type(&ty);
                c.logical = ty;
            }
            Choice::DropConstraint => {
                let cols = column.clone().unwrap_or_default();
                match kind {
                    Kind::Orphan => {
                        let before = t.foreign_keys.len();
                        t.foreign_keys.retain(|fk| fk.columns.join(", ") != cols);
                        if t.foreign_keys.len() != before {
                            warnings.push(Warning { table: Some(table.clone()), object: format!("foreign key ({cols})"), reason: format!("not created: {because}") });
                        }
                    }
                    Kind::DuplicateUnique => {
                        if t.pk_columns().join(", ") == cols {
                            t.primary_key = None;
                            if dialect.identity_needs_key() {
                                t.identity = None;
                            }
                            warnings.push(Warning { table: Some(table.clone()), object: format!("primary key ({cols})"), reason: format!("not created: {because}") });
                        }
                        while let Some(i) = t.source.uniques.iter().position(|u| u.columns.join(", ") == cols) {
                            t.source.uniques.remove(i);
                            let (name, _) = t.uniques.remove(i);
                            warnings.push(Warning { table: Some(table.clone()), object: format!("UNIQUE {name} ({cols})"), reason: format!("not created: {because}") });
                        }
                        let mut kept = vec![];
                        for ix in std::mem::take(&mut t.indexes) {
                            if ix.unique && ix.where_sql.is_none() && unique_index_columns(&ix).is_some_and(|c| c.join(", ") == cols) {
                                warnings.push(Warning { table: Some(table.clone()), object: format!("index {}", ix.name), reason: format!("not created: {because}") });
                            } else {
                                kept.push(ix);
                            }
                        }
                        t.indexes = kept;
                    }
                    _ => {}
                }
            }
            Choice::RejectRows | Choice::Keep => {}
        }
    }
    Ok((values, warnings))
}

/// A unique index's source columns, when it is over plain columns only.
pub(crate) fn unique_index_columns(ix: &crate::plan::resolve::PlannedIndex) -> Option<Vec<String>> {
    let cols: Vec<String> = ix
        .parts
        .iter()
        .filter_map(|p| match p {
            crate::plan::resolve::PlannedPart::Column { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    (cols.len() == ix.parts.len()).then_some(cols)
}

#[cfg(test)]
mod tests {
    use super::{Choice, Kind};

    /// Names round-trip, and every kind offers its default first.
    #[test]
    fn kinds_and_choices_by_name() {
        for k in super::ALL_KINDS {
            assert_eq!(Kind::parse(k.name()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.name()));
            assert!(!k.choices().is_empty());
        }
        for c in [Choice::RejectRows, Choice::SetNull, Choice::StripNul, Choice::StoreAsBytes, Choice::WidenType, Choice::DropConstraint, Choice::Keep] {
            assert_eq!(Choice::parse(c.name()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(c.name()));
        }
    }

    #[test]
    fn choices_parse_from_the_command_line() {
        use crate::plan::PlanChoice;
        let ok = [
            ("users.email:duplicate_unique=drop_constraint", "users", Some("email"), Kind::DuplicateUnique, Choice::DropConstraint),
            ("t.a.b:too_long=widen_type", "t", Some("a.b"), Kind::TooLong, Choice::WidenType),
            ("orders.customer_id, shop_id:orphan=reject_rows", "orders", Some("customer_id, shop_id"), Kind::Orphan, Choice::RejectRows),
            ("long_table:identifier_too_long=keep", "long_table", None, Kind::IdentifierTooLong, Choice::Keep),
        ];
        for (s, table, column, kind, choice) in ok {
            assert_eq!(PlanChoice::parse(s), Ok(PlanChoice { table: table.into(), column: column.map(String::from), kind, choice }), "{s}");
        }
        for bad in ["t.c", "t.c:orphan", "t.c:nope=keep", "t.c:orphan=nope", ":orphan=keep"] {
            assert!(PlanChoice::parse(bad).is_err(), "{bad}");
        }
    }

    /// Old plans (no `[[choices]]`) still load; choices survive the TOML round trip.
    #[test]
    fn choices_in_the_plan_toml() {
        use crate::plan::{Plan, PlanChoice};
        let old = "ferry_version = \"0.1.0\"\nsource = \"x.sqlite\"\ndialect = \"postgres\"\n\n[[tables]]\nsource = \"t\"\ntarget = \"t\"\n\n[[tables.columns]]\nsource = \"id\"\ntarget = \"id\"\ntype = \"bigint\"\nreason = \"r\"\n";
        let mut plan = Plan::from_toml(old, "old.toml").unwrap();
        assert!(plan.choices.is_empty());
        assert!(!plan.to_toml().contains("choices"));
        plan.set_choice(PlanChoice::parse("t.id:out_of_range=widen_type").unwrap());
        plan.set_choice(PlanChoice::parse("t.id:out_of_range=set_null").unwrap());
        plan.set_choice(PlanChoice::parse("t.id:wrong_type=reject_rows").unwrap());
        assert_eq!(plan.choices.len(), 2, "one choice per group: the later replaces the earlier");
        let text = plan.to_toml();
        assert!(text.contains("[[choices]]\ntable = \"t\"\ncolumn = \"id\"\nkind = \"out_of_range\"\nchoice = \"set_null\""), "{text}");
        assert_eq!(Plan::from_toml(&text, "p.toml").unwrap(), plan);
    }
}
