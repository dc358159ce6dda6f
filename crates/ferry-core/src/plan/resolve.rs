//! The schema as it will be created: source tables with the plan's names and types applied.
//!
//! Both dialects' DDL and the copy pipeline read this, so a name or a type is decided once.

use crate::error::{FerryError, Result};
use crate::plan::model::Plan;
use crate::plan::default_fit::default_refusal;
use crate::schema::{LogicalType, Schema};
use crate::events::Warning;
use crate::schema::{FkAction, IndexPart};
use crate::sqlexpr::{self, ExprContext};
use crate::dialect::{derived_name, Names};
use crate::dialect::Dialect;
use crate::plan::distribute::{Distribution, Hop, Role};
use std::collections::HashMap;

pub use crate::plan::planned::*;

/// Why a foreign key cannot be made, when one of its columns is carried wider than the
/// parent's type so that values of another kind arrive (text in an INTEGER column that
/// references an INTEGER key): the target compares neither text with integers nor bytes
/// with text. Taking the narrower type back (`narrow_type`) keeps the key and rejects those rows.
fn widened_away_from_parent(child: &crate::plan::TablePlan, parent: &crate::plan::TablePlan, cols: &[String], parent_cols: &[String]) -> Option<String> {
    for (c, p) in cols.iter().zip(parent_cols) {
        let cp = child.columns.iter().find(|x| x.source.eq_ignore_ascii_case(c))?;
        let pp = parent.columns.iter().find(|x| x.source.eq_ignore_ascii_case(p))?;
        let Some(s) = cp.suggestion.as_ref().filter(|s| s.kind == crate::mapping::SuggestionKind::Narrower && cp.target_type != pp.target_type) else { continue };
        return Some(format!(
            "not created: column {c} is carried as {} so that its {} of another kind can arrive, and the target cannot compare that with {}.{p} ({}); choose narrow_type for {}.{c} in pre-flight (or `ferry plan --narrow`) to keep the key, which rejects those rows",
            cp.target_type,
            crate::value::plural(s.unfit, "value", "values"),
            parent.source,
            pp.target_type,
            child.source
        ));
    }
    None
}

/// Applies the plan to the schema: names, types, and every expression translated for the
/// target. Skipped tables are left out; what cannot be translated becomes a warning.
pub fn planned_tables(schema: &Schema, plan: &Plan, dialect: Dialect) -> Result<Vec<PlannedTable>> {
    let mut out = vec![];
    let table_names: HashMap<String, String> = plan.tables.iter().filter(|t| !t.skip).map(|t| (t.source.clone(), t.target.clone())).collect();
    // Index and constraint names are unique per schema in PostgreSQL, per table in MySQL
    // (foreign key names per database): one pool for all of them is right for both.
    let mut object_names = Names::new(dialect);
    for tp in plan.tables.iter().filter(|t| !t.skip) {
        object_names.take(&tp.target);
    }
    for tp in &plan.tables {
        if tp.skip {
            continue;
        }
        let t = schema.tables.iter().find(|t| t.name == tp.source).ok_or_else(|| FerryError::PlanMismatch {
            path: String::new(),
            detail: format!("table {:?} is not in the source", tp.source),
        })?;
        let mut warnings = vec![];
        let mut warn = |object: String, reason: String| warnings.push(Warning { table: Some(t.name.clone()), object, reason });
        let mut columns = vec![];
        let mut column_map = HashMap::new();
        for cp in &tp.columns {
            let idx = t.column_index(&cp.source).ok_or_else(|| FerryError::PlanMismatch {
                path: String::new(),
                detail: format!("column {}.{} is not in the source", t.name, cp.source),
            })?;
            let logical = cp.logical(dialect)?;
            column_map.insert(t.columns[idx].name.clone(), (cp.target.clone(), logical.clone()));
            columns.push((cp, idx, logical));
        }
        let ctx = ExprContext { dialect, columns: &column_map };
        let mut planned_cols = vec![];
        for (cp, idx, logical) in columns {
            let src = &t.columns[idx];
            let in_pk = t.primary_key.as_ref().is_some_and(|p| p.columns.iter().any(|c| c.eq_ignore_ascii_case(&src.name)));
            let default_sql = match &src.default {
                None => None,
                Some(d) => match sqlexpr::translate_default(d, &logical, dialect) {
                    Ok(x) => x,
                    Err(reason) => {
                        warn(format!("DEFAULT {d} of column {}", src.name), format!("not carried: {reason}"));
                        None
                    }
                },
            };
            let generated_sql = match &src.generated {
                Some(g) if !g.expr.is_empty() => match sqlexpr::translate_expr(&g.expr, &ctx) {
                    Ok(sql) => Some((sql, g.stored)),
                    Err(reason) => {
                        warn(format!("generated column {}", src.name), format!("created as a plain column holding the stored values: {reason}"));
                        None
                    }
                },
                Some(_) => {
                    warn(format!("generated column {}", src.name), "its expression could not be read; created as a plain column holding the values".into());
                    None
                }
                None => None,
            };
            // A dialect that loads each type's own wire form (PostgreSQL's binary COPY) needs
            // the column exactly the type the logical type formats to (`int8` → bigint).
            let type_sql = if dialect.loads_formatted_types() { dialect.format_type(&logical) } else { crate::dialect::clean_type(&cp.target_type).unwrap_or_else(|| dialect.format_type(&logical)) };
            // A literal the column's type cannot hold: PostgreSQL would take it at CREATE and
            // refuse the first INSERT that leaves the column out.
            let default_sql = match (&src.default, default_sql) {
                (Some(d), Some(sql)) if src.generated.is_none() => match default_refusal(d, &src.declared_type, &logical, cp.transform, &type_sql, dialect) {
                    Some(reason) => {
                        warn(format!("DEFAULT {d} of column {}", src.name), format!("not carried: {reason}; the column and its rows arrive without it"));
                        None
                    }
                    None => Some(sql),
                },
                (_, sql) => sql,
            };
            let meaning = src.collation.as_deref().map(crate::mapping::collation::meaning);
            let is_text = matches!(logical, LogicalType::Text { .. });
            if let (true, Some(name), Some(m)) = (is_text, &src.collation, meaning) {
                if matches!(m, crate::mapping::collation::Meaning::Rtrim | crate::mapping::collation::Meaning::Unknown) {
                    warn(format!("COLLATE {name} of column {}", src.name), crate::mapping::collation::reason(name, "").unwrap_or_default());
                }
            }
            // A key that compares the column without case (`UNIQUE (email COLLATE NOCASE)`):
            // the target's collations are the column's, so the column gets the key's.
            let key_ci = src.key_collation.as_deref().is_some_and(|k| crate::mapping::collation::meaning(k).ignores_case());
            planned_cols.push(PlannedColumn {
                case_insensitive: is_text && (meaning.is_some_and(|m| m.ignores_case()) || key_ci),
                source: src.name.clone(),
                name: cp.target.clone(),
                type_sql,
                logical,
                transform: cp.transform,
                // Primary key columns are NOT NULL in both targets (SQLite lets some hold NULL).
                not_null: src.not_null || in_pk,
                source_index: idx,
                default_sql,
                generated_sql,
                narrower: cp.suggestion.as_ref().filter(|s| s.kind == crate::mapping::SuggestionKind::Narrower).and_then(|s| {
                    Some(Narrower { logical: dialect.parse_type(&s.target_type)?, transform: s.transform, type_sql: s.target_type.clone() })
                }),
            });
        }
        let tcol = |c: &str| column_map.get(c).map(|x| x.0.clone()).or_else(|| column_map.iter().find(|(k, _)| k.eq_ignore_ascii_case(c)).map(|(_, v)| v.0.clone())).unwrap_or_else(|| c.to_string());
        // SQLite lets a primary key that is not the rowid hold NULL; no target does. Keep
        // the rows and say the key was not created.
        let null_pk: Vec<&str> = t
            .primary_key
            .iter()
            .flat_map(|pk| pk.columns.iter())
            .filter(|c| t.column(c).and_then(|c| c.profile.as_ref()).is_some_and(|p| p.nulls > 0))
            .map(String::as_str)
            .collect();
        if !null_pk.is_empty() {
            let n: u64 = null_pk.iter().filter_map(|c| t.column(c)?.profile.as_ref().map(|p| p.nulls)).max().unwrap_or(0);
            warn(
                "primary key".into(),
                format!("not created: column {} holds NULL in {} (SQLite allows NULL in a primary key that is not INTEGER PRIMARY KEY); the rows are kept", null_pk.join(", "), crate::value::plural(n, "row", "rows")),
            );
            for c in planned_cols.iter_mut() {
                if null_pk.iter().any(|n| n.eq_ignore_ascii_case(&c.source)) {
                    c.not_null = t.columns[c.source_index].not_null;
                }
            }
        }
        let primary_key = t.primary_key.as_ref().filter(|_| null_pk.is_empty()).map(|pk| {
            let cols: Vec<String> = pk.columns.iter().map(|c| tcol(c)).collect();
            let name = object_names.take(&pk.name.clone().unwrap_or_else(|| derived_name(dialect, &[&tp.target], "pkey")));
            (name, cols)
        });
        let uniques = t
            .uniques
            .iter()
            .map(|u| {
                let cols: Vec<String> = u.columns.iter().map(|c| tcol(c)).collect();
                let base = u.name.clone().unwrap_or_else(|| {
                    let mut parts = vec![tp.target.as_str()];
                    parts.extend(cols.iter().map(String::as_str));
                    derived_name(dialect, &parts, "key")
                });
                (object_names.take(&base), cols)
            })
            .collect();
        let mut indexes = vec![];
        'idx: for ix in &t.indexes {
            let mut parts = vec![];
            for p in &ix.parts {
                match p {
                    IndexPart::Column { name, desc, collation } => {
                        // A part's own collation (`ON t (name COLLATE NOCASE)`): a target's index
                        // compares as its column does, so one the column does not have is said.
                        let col = planned_cols.iter().find(|c| c.source.eq_ignore_ascii_case(name));
                        let own = col.and_then(|c| t.columns[c.source_index].collation.as_deref());
                        if let (Some(coll), Some(col)) = (collation, col) {
                            let same = own.is_some_and(|o| o.eq_ignore_ascii_case(coll)) || (col.case_insensitive && crate::mapping::collation::meaning(coll).ignores_case());
                            if !same {
                                warn(format!("index {}", ix.name), format!("created without COLLATE {coll} on column {name}: the target's index compares the column as the column does"));
                            }
                        }
                        parts.push(PlannedPart::Column { name: tcol(name), desc: *desc })
                    }
                    IndexPart::Expr { expr, desc } => match sqlexpr::translate_expr(expr, &ctx) {
                        Ok(sql) => parts.push(PlannedPart::Expr { sql, desc: *desc }),
                        Err(reason) => {
                            warn(format!("index {}", ix.name), format!("not created: expression {expr} cannot be translated: {reason}"));
                            continue 'idx;
                        }
                    },
                }
            }
            let where_sql = match &ix.where_clause {
                None => None,
                Some(w) => match sqlexpr::translate_expr(w, &ctx) {
                    Ok(sql) => Some(sql),
                    Err(reason) => {
                        warn(format!("index {}", ix.name), format!("not created: WHERE {w} cannot be translated: {reason}"));
                        continue;
                    }
                },
            };
            indexes.push(PlannedIndex { name: object_names.take(&ix.name), unique: ix.unique, parts, where_sql, source_sql: ix.sql.clone(), include: vec![], using: None, opclass: None });
        }
        // The index on the tenant column row-level security asks for (`[access.isolation]`, where
        // none led with it): made with the table's own, so diff and validate expect it too.
        for it in plan.access.iter().flat_map(|a| a.isolation.iter()).flat_map(|i| i.tables.iter()).filter(|x| x.index && x.table == t.name) {
            if let Some(col) = &it.column {
                let target = tcol(col);
                let name = object_names.take(&derived_name(dialect, &[&tp.target, &target], "idx"));
                indexes.push(PlannedIndex { name, unique: false, parts: vec![PlannedPart::Column { name: target, desc: false }], where_sql: None, source_sql: format!("row-level security by {col} ([access.isolation])"), include: vec![], using: None, opclass: None });
            }
        }
        let mut checks = vec![];
        for (i, c) in t.checks.iter().enumerate() {
            match sqlexpr::translate_expr(&c.expr, &ctx) {
                Ok(sql) => {
                    let base = c.name.clone().unwrap_or_else(|| derived_name(dialect, &[&tp.target, &format!("check{}", i + 1)], "chk"));
                    checks.push(PlannedCheck { name: object_names.take(&base), sql, source_sql: c.expr.clone() })
                }
                Err(reason) => warn(format!("CHECK ({})", c.expr), format!("not carried: {reason}")),
            }
        }
        let mut foreign_keys = vec![];
        for fk in &t.foreign_keys {
            let Some(parent) = schema.table(&fk.ref_table) else {
                warn(format!("foreign key ({}) → {}", fk.columns.join(", "), fk.ref_table), format!("not created: the source has no table {:?}", fk.ref_table));
                continue;
            };
            let Some(ref_target) = table_names.get(&parent.name) else {
                warn(format!("foreign key ({}) → {}", fk.columns.join(", "), fk.ref_table), "not created: the referenced table is skipped by the plan".into());
                continue;
            };
            let ref_src_cols = if fk.ref_columns.is_empty() { parent.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default() } else { fk.ref_columns.clone() };
            if ref_src_cols.len() != fk.columns.len() {
                warn(format!("foreign key ({}) → {}", fk.columns.join(", "), fk.ref_table), "not created: it names a different number of columns than the parent key has".into());
                continue;
            }
            let ptp = plan.table(&parent.name).expect("planned parent");
            let pcol = |c: &str| ptp.columns.iter().find(|x| x.source.eq_ignore_ascii_case(c)).map(|x| x.target.clone()).unwrap_or_else(|| c.to_string());
            if let Some(why) = widened_away_from_parent(tp, ptp, &fk.columns, &ref_src_cols) {
                warn(format!("foreign key ({}) → {}", fk.columns.join(", "), fk.ref_table), why);
                continue;
            }
            let target_columns: Vec<String> = fk.columns.iter().map(|c| tcol(c)).collect();
            let base = fk.name.clone().unwrap_or_else(|| {
                let mut parts = vec![tp.target.as_str()];
                parts.extend(target_columns.iter().map(String::as_str));
                derived_name(dialect, &parts, "fkey")
            });
            foreign_keys.push(PlannedForeignKey {
                name: object_names.take(&base),
                columns: fk.columns.clone(),
                target_columns,
                ref_source_table: parent.name.clone(),
                ref_table: ref_target.clone(),
                ref_columns: ref_src_cols.iter().map(|c| pcol(c)).collect(),
                on_update: fk.on_update,
                on_delete: fk.on_delete,
                orphans: None,
            });
        }
        let identity = t.rowid_alias.as_ref().and_then(|c| {
            let pc = planned_cols.iter().find(|p| p.source == *c)?;
            matches!(pc.logical, LogicalType::Integer { .. }).then(|| (pc.name.clone(), t.sqlite_sequence.unwrap_or(0)))
        });
        let searched: Vec<(String, String, bool)> = planned_cols.iter().map(|c| (c.source.clone(), c.name.clone(), matches!(c.logical, LogicalType::Text { .. }))).collect();
        let (search, notes) = match crate::plan::search::plan(t, dialect, &tp.target, &searched, &mut object_names) {
            Some((Some(s), note)) => (Some(s), vec![note]),
            Some((None, why)) => {
                warnings.push(why);
                (None, vec![])
            }
            None => (None, vec![]),
        };
        out.push(PlannedTable {
            source: t.clone(),
            name: tp.target.clone(),
            columns: planned_cols,
            column_map: column_map.clone(),
            primary_key,
            uniques,
            indexes,
            checks,
            foreign_keys,
            identity,
            warnings,
            citus: None,
            added: None,
            notes,
            search,
            partition: None,
        });
    }
    crate::plan::production::apply(&mut out, schema, plan, dialect, &mut object_names)?;
    if let Some(d) = &plan.distribution {
        rewrite_for_citus(&mut out, d);
    }
    Ok(out)
}

// Citus ------------------------------------------------------------------------------
// The schema rewritten as Citus requires, by the plan's distribution: a distributed table's
// primary key and UNIQUE constraints include the distribution column, foreign keys between
// distributed tables include it on both sides, a table that reaches it only through foreign
// keys gets it added (filled from its parent while loading), and what Citus refuses (SET NULL
// on such a key, a key between a distributed table and a local one) is left off and said.
// Each change is a note (by design) or a warning (something the source had that the target
// will not do), never a failed run.

fn sqlite_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The SQLite expression that reads the column through a chain of foreign keys, for a row of
/// `table` (the outer query's table): nested scalar subqueries, one per key.
pub(crate) fn fill_sql(table: &str, column: &str, chain: &[Hop]) -> String {
    fn from(alias: &str, column: &str, chain: &[Hop], depth: usize) -> String {
        match chain.split_first() {
            None => format!("{}.{}", sqlite_quote(alias), sqlite_quote(column)),
            Some((hop, rest)) => {
                let a = format!("ferry_h{depth}");
                let on: Vec<String> = hop.parent_columns.iter().zip(&hop.columns).map(|(p, c)| format!("{}.{} = {}.{}", sqlite_quote(&a), sqlite_quote(p), sqlite_quote(alias), sqlite_quote(c))).collect();
                format!("(SELECT {} FROM {} AS {} WHERE {})", from(&a, column, rest, depth + 1), sqlite_quote(&hop.parent), sqlite_quote(&a), on.join(" AND "))
            }
        }
    }
    from(table, column, chain, 0)
}

fn cols_list(c: &[String]) -> String {
    c.join(", ")
}

/// Rewrites the planned tables for a Citus cluster by `d` (see the module's note).
pub fn rewrite_for_citus(tables: &mut [PlannedTable], d: &Distribution) {
    let role = |source: &str| d.role(source).map(|r| r.role).unwrap_or(Role::Local);
    // The added columns first: a table's column follows the type of the table its chain ends at.
    for i in 0..tables.len() {
        let Some(r) = d.role(&tables[i].source.name).filter(|r| r.role == Role::Distributed && !r.filled_from.is_empty()) else { continue };
        let root = &r.filled_from.last().expect("a chain").parent;
        let Some(rt) = tables.iter().find(|t| t.source.name == *root) else { continue };
        let Some(rc) = rt.column(&d.column) else { continue };
        let added = AddedColumn {
            name: rc.name.clone(),
            logical: rc.logical.clone(),
            type_sql: rc.type_sql.clone(),
            fill_sql: fill_sql(&tables[i].source.name, &rc.source, &r.filled_from),
            from: format!("{}.{}", root, rc.source),
        };
        let t = &mut tables[i];
        let via: Vec<String> = r.filled_from.iter().map(|h| format!("({}) → {}", cols_list(&h.columns), h.parent)).collect();
        t.notes.push(Warning {
            table: Some(t.source.name.clone()),
            object: format!("column {}", added.name),
            reason: format!("added for Citus: filled from {} through {} while loading, so each row is placed beside its parent", added.from, via.join(", ")),
        });
        t.added = Some(added);
    }
    // The distribution column of each table, by target name.
    let column_of = |t: &PlannedTable| -> Option<(String, String)> {
        if let Some(a) = &t.added {
            return Some((a.name.clone(), a.type_sql.clone()));
        }
        t.column(&d.column).map(|c| (c.name.clone(), c.type_sql.clone()))
    };
    let dist_cols: std::collections::HashMap<String, String> = tables.iter().filter(|t| role(&t.source.name) == Role::Distributed).filter_map(|t| Some((t.source.name.clone(), column_of(t)?.0))).collect();
    // A table the plan calls distributed that has no column to be distributed by (nor a
    // chain to fill it from) stays on the coordinator, and says so.
    let unplaceable: Vec<String> = tables.iter().filter(|t| role(&t.source.name) == Role::Distributed && !dist_cols.contains_key(&t.source.name)).map(|t| t.source.name.clone()).collect();
    let role = |source: &str| if unplaceable.iter().any(|u| u == source) { Role::Local } else { role(source) };
    for t in tables.iter_mut().filter(|t| unplaceable.contains(&t.source.name)) {
        t.warnings.push(Warning {
            table: Some(t.source.name.clone()),
            object: format!("distribution of {}", t.name),
            reason: format!("not distributed: it has no {} and the plan's [distribution] gives no foreign keys to fill it through (filled_from); it stays a local table on the coordinator", d.column),
        });
    }
    let anchor = tables.iter().find(|t| role(&t.source.name) == Role::Distributed).and_then(|t| Some((t.name.clone(), column_of(t)?.1)));
    for t in tables.iter_mut() {
        let r = role(&t.source.name);
        let src = t.source.name.clone();
        let note = |t: &mut PlannedTable, object: String, reason: String| t.notes.push(Warning { table: Some(src.clone()), object, reason });
        let warn = |t: &mut PlannedTable, object: String, reason: String| t.warnings.push(Warning { table: Some(src.clone()), object, reason });
        let dc = dist_cols.get(&src).cloned();
        t.citus = Some(CitusTable { role: r, column: dc.clone(), colocate_with: None });
        if let (Role::Distributed, Some(dc)) = (r, &dc) {
            // Co-located with the first distributed table, where the column's type is the same.
            if let Some((anchor_name, anchor_type)) = &anchor {
                let own = column_of(t).map(|c| c.1).unwrap_or_default();
                if *anchor_name != t.name {
                    if own == *anchor_type {
                        t.citus.as_mut().expect("set").colocate_with = Some(anchor_name.clone());
                    } else {
                        warn(t, format!("distribution of {}", t.name), format!("not co-located with {anchor_name}: its {dc} is {own}, {anchor_name}'s is {anchor_type} (give both the same type in the plan to co-locate them); joins between them move rows between nodes"));
                    }
                }
            }
            if let Some((_, cols)) = t.primary_key.as_mut() {
                if !cols.iter().any(|c| c == dc) {
                    let was = cols_list(cols);
                    cols.insert(0, dc.clone());
                    let now = cols_list(cols);
                    note(t, "primary key".into(), format!("({was}) made ({now}): Citus needs the distribution column in every unique key of a distributed table; ({was}) is unique within each {dc}"));
                }
            }
            let mut widened = vec![];
            for (name, cols) in t.uniques.iter_mut() {
                if !cols.iter().any(|c| c == dc) {
                    let was = cols_list(cols);
                    cols.insert(0, dc.clone());
                    widened.push((format!("UNIQUE {name}"), was, cols_list(cols)));
                }
            }
            for ix in t.indexes.iter_mut().filter(|ix| ix.unique) {
                if !ix.parts.iter().any(|p| matches!(p, PlannedPart::Column { name, .. } if name == dc)) {
                    let was: Vec<String> = ix.parts.iter().map(|p| match p {
                        PlannedPart::Column { name, .. } => name.clone(),
                        PlannedPart::Expr { sql, .. } => sql.clone(),
                    }).collect();
                    ix.parts.insert(0, PlannedPart::Column { name: dc.clone(), desc: false });
                    widened.push((format!("unique index {}", ix.name), cols_list(&was), format!("{dc}, {}", cols_list(&was))));
                }
            }
            for (object, was, now) in widened {
                warn(t, object, format!("made ({now}): Citus needs the distribution column in every unique key of a distributed table, so ({was}) is unique within each {dc} only, no longer across them (make the table a reference table in the plan's [distribution] to keep it)"));
            }
        }
        // Foreign keys: between distributed tables they include the column on both sides;
        // Citus keeps none between a distributed table and a local one, or from a reference
        // or local table to a distributed one.
        let mut kept = vec![];
        for mut fk in std::mem::take(&mut t.foreign_keys) {
            let pr = role(&fk.ref_source_table);
            let object = format!("foreign key ({}) → {}", cols_list(&fk.columns), fk.ref_source_table);
            match (r, pr) {
                (Role::Distributed, Role::Distributed) => {
                    let (Some(c), Some(p)) = (dc.as_ref(), dist_cols.get(&fk.ref_source_table)) else {
                        warn(t, object, format!("not created: the plan's [distribution] makes both tables distributed but one has no {} to key them by", d.column));
                        continue;
                    };
                    let same_place = fk.target_columns.iter().position(|x| x == c).is_some_and(|i| fk.ref_columns.get(i) == Some(p));
                    if !same_place {
                        let was = format!("({}) → {} ({})", cols_list(&fk.target_columns), fk.ref_table, cols_list(&fk.ref_columns));
                        fk.target_columns.insert(0, c.clone());
                        fk.columns.insert(0, d.column.clone());
                        fk.ref_columns.insert(0, p.clone());
                        note(t, object.clone(), format!("{was} made ({}) → {} ({}): Citus keeps a key between distributed tables only with the distribution column on both sides", cols_list(&fk.target_columns), fk.ref_table, cols_list(&fk.ref_columns)));
                    }
                }
                (Role::Distributed, Role::Local) | (Role::Reference | Role::Local, Role::Distributed) => {
                    warn(t, object, format!("not created: Citus keeps no foreign key from a {} table to a {} one (the rows are loaded as they are)", r.name(), pr.name()));
                    continue;
                }
                _ => {}
            }
            // A key that includes the distribution column: Citus refuses SET NULL / SET DEFAULT
            // on delete, and any action but NO ACTION / RESTRICT on update.
            if r == Role::Distributed && dc.as_ref().is_some_and(|c| fk.target_columns.contains(c)) {
                if matches!(fk.on_delete, FkAction::SetNull | FkAction::SetDefault) {
                    warn(t, object.clone(), format!("kept without ON DELETE {}: Citus refuses it on a key that includes the distribution column; deleting the parent row is now refused while this row points to it", fk.on_delete.sql()));
                    fk.on_delete = FkAction::NoAction;
                }
                if !matches!(fk.on_update, FkAction::NoAction | FkAction::Restrict) {
                    warn(t, object.clone(), format!("kept without ON UPDATE {}: Citus refuses it on a key that includes the distribution column", fk.on_update.sql()));
                    fk.on_update = FkAction::NoAction;
                }
            }
            kept.push(fk);
        }
        t.foreign_keys = kept;
    }
}

#[cfg(test)]
mod citus_tests {
    use super::*;

    #[test]
    fn the_column_is_read_through_each_key_of_the_chain() {
        let hop = |c: &str, p: &str| Hop { columns: vec![c.into()], parent: p.into(), parent_columns: vec!["id".into()] };
        let cases: Vec<(Vec<Hop>, &str)> = vec![
            (vec![], r#""t"."tenant_id""#),
            (vec![hop("order_id", "orders")], r#"(SELECT "ferry_h0"."tenant_id" FROM "orders" AS "ferry_h0" WHERE "ferry_h0"."id" = "t"."order_id")"#),
            (
                vec![hop("item_id", "items"), hop("order_id", "orders")],
                r#"(SELECT (SELECT "ferry_h1"."tenant_id" FROM "orders" AS "ferry_h1" WHERE "ferry_h1"."id" = "ferry_h0"."order_id") FROM "items" AS "ferry_h0" WHERE "ferry_h0"."id" = "t"."item_id")"#,
            ),
        ];
        for (chain, want) in cases {
            assert_eq!(fill_sql("t", "tenant_id", &chain), want);
        }
        assert_eq!(fill_sql("a\"b", "c", &[]), r#""a""b"."c""#);
    }
}
