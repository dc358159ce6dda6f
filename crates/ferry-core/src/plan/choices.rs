//! The kinds of problem a pre-flight finds, the choices open to each, and their
//! application for `migrate`: the plan's `[[choices]]` (see [`PlanChoice`](super::PlanChoice))
//! checked against the planned tables and applied to them ([`apply_choices`], [`value_choice`]).

use crate::error::{FerryError, Result};
use crate::plan::model::Plan;
use crate::events::Warning;
use crate::schema::LogicalType;
use crate::plan::resolve::PlannedTable;
use crate::dialect::Dialect;
pub use super::kinds::{widened, Choice, Kind};
use std::collections::HashMap;

/// A group as the plan names it: table, column(s), kind.
pub(crate) type GroupId = (String, Option<String>, Kind);

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
            Choice::RejectRows | Choice::KeepUnchecked if kind == Kind::Orphan => {
                let cols = column.clone().unwrap_or_default();
                for fk in t.foreign_keys.iter_mut().filter(|fk| fk.columns.join(", ") == cols) {
                    fk.orphans = Some(choice);
                }
            }
            // Carried out on the plan itself (`Plan::take_chosen_narrowings`).
            Choice::RejectRows | Choice::KeepUnchecked | Choice::NarrowType | Choice::Keep => {}
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
        for k in super::super::kinds::ALL_KINDS {
            assert_eq!(Kind::parse(k.name()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.name()));
            assert!(!k.choices().is_empty());
        }
        for c in [Choice::RejectRows, Choice::SetNull, Choice::StripNul, Choice::StoreAsBytes, Choice::WidenType, Choice::DropConstraint, Choice::KeepUnchecked, Choice::NarrowType, Choice::Keep] {
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
