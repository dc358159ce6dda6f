//! The migration project: which tables go where, each column's target type and why.
//!
//! Saved as TOML (`ferry plan --out plan.toml`) and read back by `ferry migrate --plan`. A
//! column's `type` is the target type as the dialect spells it; edit it to override the
//! proposal. The plan holds no secrets. Loading a plan against a source that changed says
//! what moved instead of guessing.

pub mod access;
pub mod bulk;
pub mod choices;
pub mod default_fit;
pub mod distribute;
pub mod kinds;
pub mod masks;
pub mod planned;
pub mod production;
mod model;
pub mod resolve;
pub mod search;
pub mod views;

use crate::error::{FerryError, Result};
use crate::mapping::{self, Usage};
use crate::schema::{IndexPart, Schema, Table};
use crate::dialect::{self, Dialect};
use std::collections::HashSet;

pub use model::{ColumnPlan, Plan, PlanChoice, TablePlan};

/// Columns that are part of a key or index (MySQL needs bounded lengths there).
fn indexed_columns(t: &Table) -> HashSet<String> {
    let mut s = HashSet::new();
    if let Some(pk) = &t.primary_key {
        s.extend(pk.columns.iter().cloned());
    }
    for u in &t.uniques {
        s.extend(u.columns.iter().cloned());
    }
    for fk in &t.foreign_keys {
        s.extend(fk.columns.iter().cloned());
    }
    for i in &t.indexes {
        for p in &i.parts {
            if let IndexPart::Column { name, .. } = p {
                s.insert(name.clone());
            }
        }
    }
    s
}

/// Columns other tables' foreign keys point at.
fn referenced_columns(schema: &Schema, table: &Table) -> HashSet<String> {
    let mut s = HashSet::new();
    for t in &schema.tables {
        for fk in &t.foreign_keys {
            if fk.ref_table.eq_ignore_ascii_case(&table.name) {
                if fk.ref_columns.is_empty() {
                    if let Some(pk) = &table.primary_key {
                        s.extend(pk.columns.iter().cloned());
                    }
                } else {
                    s.extend(fk.ref_columns.iter().cloned());
                }
            }
        }
    }
    s
}

/// Proposes a plan for every table of a profiled schema.
pub fn propose(schema: &Schema, source: &str, dialect: Dialect) -> Plan {
    let mut tables = vec![];
    let mut table_names = dialect::Names::new(dialect);
    for t in &schema.tables {
        let tname = table_names.take(&t.name);
        let mut col_names = dialect::Names::new(dialect);
        let mut indexed = indexed_columns(t);
        indexed.extend(referenced_columns(schema, t));
        let mut columns = vec![];
        for c in &t.columns {
            let usage = Usage { indexed: indexed.iter().any(|n| n.eq_ignore_ascii_case(&c.name)) };
            let p = mapping::propose(c, dialect, usage);
            columns.push(ColumnPlan {
                source: c.name.clone(),
                target: col_names.take(&c.name),
                target_type: dialect.format_type(&p.logical),
                reason: p.reason,
                unfit: p.unfit,
                transform: None,
                suggestion: p.suggestion,
                mask: None,
                mask_why: None,
            });
        }
        let mut tp = TablePlan { source: t.name.clone(), target: tname, skip: false, columns };
        search::propose(t, &mut tp, dialect);
        tables.push(tp);
    }
    // A foreign key's column must have its parent's type; where they differ, the child
    // follows the parent when the parent's type holds the child's values.
    align_foreign_keys(schema, dialect, &mut tables);
    Plan { ferry_version: crate::version().into(), source: source.into(), dialect, tables, choices: vec![], distribution: None, safe_copy: false, access: None, production: vec![] }
}

impl Plan {
    /// Takes back, for every column carried wider than its best type so that every row
    /// arrives, that narrower type: the values it cannot hold will be rejected (pre-flight
    /// lists them and their choices). Returns how many values that rejects in all.
    pub fn narrow(&mut self) -> u64 {
        self.tables.iter_mut().flat_map(|t| t.columns.iter_mut()).filter_map(|c| c.take_narrower(narrowed_on_request)).sum()
    }

    /// Carries out the choices `narrow_type` (pre-flight's group `narrower_type`): each such
    /// column takes its narrower type, and the choice, done, leaves the plan — the values
    /// that type cannot hold are then groups of their own, with their own choices.
    pub fn take_chosen_narrowings(&mut self) -> Result<()> {
        let is_narrowing = |c: &PlanChoice| c.kind == kinds::Kind::NarrowerType && c.choice == kinds::Choice::NarrowType;
        let chosen: Vec<(String, Option<String>)> = self.choices.iter().filter(|c| is_narrowing(c)).map(|c| (c.table.clone(), c.column.clone())).collect();
        let mut problems = vec![];
        for (table, column) in &chosen {
            let col = self.tables.iter_mut().filter(|t| t.source == *table).flat_map(|t| t.columns.iter_mut()).find(|c| Some(&c.source) == column.as_ref());
            let what = format!("choice {table}.{}:narrower_type=narrow_type", column.as_deref().unwrap_or(""));
            match col {
                None => problems.push(format!("{what}: the plan has no such column (name it TABLE.COLUMN)")),
                Some(c) => {
                    if c.take_narrower(narrowed_on_request).is_none() {
                        problems.push(format!("{what}: the column is already in its best type ({}); there is no narrower type to take", c.target_type));
                    }
                }
            }
        }
        self.choices.retain(|c| !is_narrowing(c));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(FerryError::PlanUnreadable { path: "choices".into(), detail: problems.join("; ") })
        }
    }
}

fn narrowed_on_request(s: &mapping::Suggestion) -> String {
    format!("narrowed on request to {}: {} value{} will be rejected", s.target_type, crate::value::group_thousands(s.unfit), if s.unfit == 1 { "" } else { "s" })
}

fn align_foreign_keys(schema: &Schema, dialect: Dialect, tables: &mut [TablePlan]) {
    for t in &schema.tables {
        for fk in &t.foreign_keys {
            let Some(parent) = schema.table(&fk.ref_table) else { continue };
            let ref_cols: Vec<String> = if fk.ref_columns.is_empty() {
                parent.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default()
            } else {
                fk.ref_columns.clone()
            };
            for (cc, pc) in fk.columns.iter().zip(ref_cols.iter()) {
                let parent_type = tables
                    .iter()
                    .find(|tp| tp.source == parent.name)
                    .and_then(|tp| tp.columns.iter().find(|c| c.source.eq_ignore_ascii_case(pc)))
                    .map(|c| c.target_type.clone());
                let Some(parent_type) = parent_type else { continue };
                let Some(child_col) = t.column(cc) else { continue };
                let Some(tp) = tables.iter_mut().find(|tp| tp.source == t.name) else { continue };
                let Some(cp) = tp.columns.iter_mut().find(|c| c.source == child_col.name) else { continue };
                if cp.target_type == parent_type {
                    continue;
                }
                let Some(pl) = dialect.parse_type(&parent_type) else { continue };
                let empty = Default::default();
                let prof = child_col.profile.as_ref().unwrap_or(&empty);
                if mapping::fits(&pl, prof, dialect) == prof.non_null() {
                    cp.reason = format!("{}; {parent_type} to match {}.{} it references", cp.reason, parent.name, pc);
                    cp.target_type = parent_type;
                }
                // Widened so that every row arrives, it stays so: the key cannot be made over
                // it (`resolve::widened_away_from_parent` says so and how to keep it).
            }
        }
    }
}

impl Plan {
    pub fn to_toml(&self) -> String {
        let mut s = String::from(
            "# Ferry migration plan. Edit a column's `type` to override the proposal;\n# set `skip = true` on a table to leave it out. No secrets are stored here.\n\n",
        );
        s.push_str(&toml::to_string_pretty(self).expect("plan serializes"));
        s
    }

    pub fn from_toml(text: &str, path: &str) -> Result<Plan> {
        toml::from_str(text).map_err(|e| FerryError::PlanUnreadable { path: path.into(), detail: e.to_string() })
    }

    pub fn load(path: &std::path::Path) -> Result<Plan> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| FerryError::PlanUnreadable { path: path.display().to_string(), detail: e.to_string() })?;
        Plan::from_toml(&text, &path.display().to_string())
    }

    /// Sets the choice for one group, replacing any the plan had for it.
    pub fn set_choice(&mut self, choice: PlanChoice) {
        self.choices.retain(|c| !(c.table == choice.table && c.column == choice.column && c.kind == choice.kind));
        self.choices.push(choice);
    }

    pub fn table(&self, source: &str) -> Option<&TablePlan> {
        self.tables.iter().find(|t| t.source == source)
    }

    /// Checks the plan still describes this source: same tables, same columns, readable
    /// types. Names every difference.
    pub fn check_against(&self, schema: &Schema, path: &str) -> Result<()> {
        let mut problems = vec![];
        for tp in &self.tables {
            match schema.tables.iter().find(|t| t.name == tp.source) {
                None => problems.push(format!("table {:?} is in the plan but not in the source", tp.source)),
                Some(t) => {
                    for cp in &tp.columns {
                        if t.column(&cp.source).is_none() {
                            problems.push(format!("column {}.{} is in the plan but not in the source", tp.source, cp.source));
                        }
                        match (self.dialect.read_plan_type(&cp.target_type), cp.transform) {
                            (Err(why), _) => problems.push(format!("column {}.{}: {why}", tp.source, cp.source)),
                            (Ok(ty), Some(tr)) if !tr.applies_to(&ty) => problems.push(format!("column {}.{}: transform {} needs {}, not {:?}", tp.source, cp.source, tr.name(), tr.wants(), cp.target_type)),
                            _ => {}
                        }
                    }
                    for cp in &tp.columns {
                        if let (Some(rule), Some(c), Ok(ty)) = (cp.mask, t.column(&cp.source), self.dialect.read_plan_type(&cp.target_type)) {
                            if let Some(why) = rule.refuses(&ty, c.not_null || t.primary_key.as_ref().is_some_and(|p| p.columns.iter().any(|k| k.eq_ignore_ascii_case(&c.name)))) {
                                problems.push(format!("column {}.{}: mask {rule:?} {why}", tp.source, cp.source, rule = rule.to_string()));
                            }
                        }
                    }
                    for c in &t.columns {
                        if !tp.columns.iter().any(|cp| cp.source == c.name) {
                            problems.push(format!("column {}.{} is in the source but not in the plan", t.name, c.name));
                        }
                    }
                }
            }
        }
        for t in &schema.tables {
            if self.table(&t.name).is_none() {
                problems.push(format!("table {:?} is in the source but not in the plan", t.name));
            }
        }
        problems.extend(masks::problems(self, schema));
        problems.extend(production::problems(self, schema));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(FerryError::PlanMismatch { path: path.into(), detail: problems.join("; ") })
        }
    }

    /// The plan a command works by: `given` (named `path` in messages), checked against the
    /// dialect and the source's schema, or else the proposal for `source`. migrate, preflight,
    /// diff and validate all start here, so they agree on what a plan means.
    pub fn resolve(given: Option<&Plan>, path: &str, schema: &Schema, source: &std::path::Path, dialect: Dialect) -> Result<Plan> {
        match given {
            Some(p) => {
                p.check_dialect(dialect, path)?;
                p.check_against(schema, path)?;
                let mut p = p.clone();
                p.take_chosen_narrowings()?;
                Ok(p)
            }
            None => Ok(propose(schema, &source.display().to_string(), dialect)),
        }
    }

    /// The plan for another dialect: MySQL plans cannot be read as PostgreSQL ones.
    pub fn check_dialect(&self, dialect: Dialect, path: &str) -> Result<()> {
        if dialect.reads_plans_of(self.dialect) {
            Ok(())
        } else {
            Err(FerryError::PlanMismatch {
                path: path.into(),
                detail: format!("it was made for {} but the target is {}", self.dialect.name(), dialect.name()),
            })
        }
    }
}
