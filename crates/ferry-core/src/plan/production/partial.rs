//! `[[production]]` proposals of kind `partial_index`: where an index of the source leads
//! with a foreign key (`tenant_id`) and also holds a skewed flag or status column
//! (`idx_products_tenant_active (tenant_id, is_active)` with 95% of rows active, or a status
//! 3% `pending`), PostgreSQL gets an index over the other columns `WHERE` the side the
//! queries want, which replaces the source's index. MySQL/MariaDB have no partial indexes:
//! nothing is proposed there, and one line says why. A partial index the source already has
//! (`idx_orders_pending … WHERE status = 'pending'`) is carried as it is by `resolve`.
//!
//! Parameters: `columns` (the new index's columns, source names), `predicate` (SQLite text,
//! translated as index WHERE clauses are) and `replaces` (the source indexes left out).

use super::prose::figure;
use super::proposal::{Proposal, ProposalKind};
use crate::dialect::{derived_name, Dialect, Names};
use crate::error::{FerryError, Result};
use crate::events::Warning;
use crate::plan::model::Plan;
use crate::plan::planned::{table_mut, PlannedIndex, PlannedPart, PlannedTable};
use crate::schema::{Column, Index, IndexPart, LogicalType, Schema, Table};
use crate::sqlexpr::{translate_expr, ExprContext};
use std::collections::HashMap;
use std::path::Path;

/// A side is skewed when it holds at most this share of the rows (or at least 1 − it).
const SKEW: f64 = 0.10;

/// A flag (0/1) or a status (a few distinct texts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Flag,
    Status,
}

/// Whether the column is a flag or a status, from its plan type and profile.
pub fn shape(c: &Column, planned: Option<&LogicalType>) -> Option<Shape> {
    let p = c.profile.as_ref()?;
    let zero_one = p.texts == 0 && p.reals == 0 && p.integers > 0 && p.min_integer >= Some(0) && p.max_integer <= Some(1);
    if matches!(planned, Some(LogicalType::Boolean)) || zero_one {
        return zero_one.then_some(Shape::Flag);
    }
    let few = !p.many_texts && (2..=16).contains(&p.distinct_texts.len()) && p.integers == 0 && p.reals == 0;
    few.then_some(Shape::Status)
}

/// The side to index of a column's value counts (most first), and its rows: for a flag the
/// set side (`= 1`, what a flag's queries ask for), when either side is skewed; for a status
/// the rare values together, when they are at most `SKEW` of the rows.
pub fn side(shape: Shape, counts: &[(String, u64)], rows: u64) -> Option<(Vec<String>, u64)> {
    if rows == 0 {
        return None;
    }
    let share = |n: u64| n as f64 / rows as f64;
    match shape {
        Shape::Flag => {
            let set = counts.iter().find(|(v, _)| v == "1").map_or(0, |(_, n)| *n);
            (set > 0 && (share(set) <= SKEW || share(set) >= 1.0 - SKEW)).then(|| (vec!["1".to_string()], set))
        }
        Shape::Status => {
            let rare: Vec<&(String, u64)> = counts.iter().filter(|(v, n)| !v.is_empty() && *n > 0 && share(*n) <= SKEW).collect();
            let n: u64 = rare.iter().map(|(_, n)| n).sum();
            (!rare.is_empty() && rare.len() < counts.len() && share(n) <= SKEW).then(|| (rare.iter().map(|(v, _)| v.clone()).collect(), n))
        }
    }
}

fn qi(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The predicate in SQLite text.
pub fn predicate(column: &str, shape: Shape, values: &[String]) -> String {
    let c = if column.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') && !column.starts_with(|ch: char| ch.is_ascii_digit()) { column.to_string() } else { qi(column) };
    match (shape, values) {
        (Shape::Flag, _) => format!("{c} = 1"),
        (Shape::Status, [one]) => format!("{c} = {}", lit(one)),
        (Shape::Status, many) => format!("{c} IN ({})", many.iter().map(|v| lit(v)).collect::<Vec<_>>().join(", ")),
    }
}

/// The source index's plain columns, or None when a part is an expression.
fn columns_of(ix: &Index) -> Option<Vec<String>> {
    ix.parts.iter().map(|p| match p {
        IndexPart::Column { name, .. } => Some(name.clone()),
        IndexPart::Expr { .. } => None,
    }).collect()
}

/// Another index, UNIQUE or primary key of the table that leads with `lead`.
fn other_leading(t: &Table, skip: &str, lead: &str) -> Option<String> {
    let eq = |a: &str| a.eq_ignore_ascii_case(lead);
    if let Some(ix) = t.indexes.iter().find(|i| i.name != skip && i.where_clause.is_none() && columns_of(i).is_some_and(|c| c.first().is_some_and(|f| eq(f)))) {
        return Some(format!("index {}", ix.name));
    }
    if let Some(u) = t.uniques.iter().find(|u| u.columns.first().is_some_and(|f| eq(f))) {
        return Some(format!("UNIQUE ({})", u.columns.join(", ")));
    }
    t.primary_key.as_ref().filter(|p| p.columns.first().is_some_and(|f| eq(f))).map(|p| format!("PRIMARY KEY ({})", p.columns.join(", ")))
}

/// A flag's or status's values with their rows, most first, as the profile counted them (in
/// `counts`'s terms); None where it did not count them all (a sampled profile, one made before
/// they were counted, blobs, a collation that groups other than byte by byte).
pub fn profile_counts(t: &Table, c: &Column, shape: Shape) -> Option<Vec<(String, u64)>> {
    let p = c.profile.as_ref()?;
    let binary = c.collation.as_deref().is_none_or(|k| k.eq_ignore_ascii_case("BINARY"));
    if t.profile_sample.is_some() || p.blobs > 0 || p.reals > 0 || p.invalid_utf8 > 0 || !binary {
        return None;
    }
    let mut out: Vec<(String, u64)> = match shape {
        Shape::Flag if p.texts == 0 => vec![("1".into(), p.integer_ones), ("0".into(), p.integers - p.integer_ones)],
        Shape::Status if p.integers == 0 && !p.many_texts && p.distinct_counts.len() == p.distinct_texts.len() => p.distinct_texts.iter().cloned().zip(p.distinct_counts.iter().copied()).collect(),
        _ => return None,
    };
    out.retain(|(_, n)| *n > 0);
    // Most first; of equally many, as SQLite's sorter gives the groups back: last value first.
    out.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    Some(out)
}

fn counts(conn: &rusqlite::Connection, table: &str, column: &str, path: &Path) -> Result<Vec<(String, u64)>> {
    let sql = format!("SELECT CAST({c} AS TEXT), count(*) FROM {t} WHERE {c} IS NOT NULL GROUP BY {c} ORDER BY count(*) DESC", c = qi(column), t = qi(table));
    let fail = |e: rusqlite::Error| FerryError::SourceUnreadable { path: path.to_path_buf(), detail: format!("counting the values of {table}.{column}: {e}") };
    let mut st = conn.prepare(&sql).map_err(fail)?;
    let rows = st.query_map([], |r| Ok((r.get::<_, Option<String>>(0)?.unwrap_or_default(), r.get::<_, i64>(1)? as u64))).map_err(fail)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(fail)
}

/// The proposals for this schema; `conn` reads the source (`path` names it in messages).
pub fn propose(schema: &Schema, plan: &Plan, dialect: Dialect, conn: &rusqlite::Connection, path: &Path) -> Result<Vec<Proposal>> {
    let mut out = vec![];
    let mut names = Names::new(dialect);
    let mut counted: HashMap<(String, String), Vec<(String, u64)>> = HashMap::new();
    for t in &schema.tables {
        let Some(tp) = plan.table(&t.name).filter(|tp| !tp.skip) else { continue };
        if t.row_count == 0 {
            continue;
        }
        let planned = |c: &str| tp.columns.iter().find(|pc| pc.source.eq_ignore_ascii_case(c)).and_then(|pc| dialect.read_plan_type(&pc.target_type).ok());
        let target = |c: &str| tp.columns.iter().find(|pc| pc.source.eq_ignore_ascii_case(c)).map_or(c.to_string(), |pc| pc.target.clone());
        for ix in t.indexes.iter().filter(|i| !i.unique && i.where_clause.is_none()) {
            let Some(cols) = columns_of(ix) else { continue };
            let Some(lead) = cols.first().filter(|l| t.foreign_keys.iter().any(|f| f.columns.first().is_some_and(|c| c.eq_ignore_ascii_case(l)))) else { continue };
            for (at, col) in cols.iter().enumerate().skip(1) {
                let Some(c) = t.column(col) else { continue };
                let Some(shape) = shape(c, planned(col).as_ref()) else { continue };
                let key = (t.name.clone(), c.name.clone());
                if !counted.contains_key(&key) {
                    let found = match profile_counts(t, c, shape) {
                        Some(found) => found,
                        None => counts(conn, &t.name, &c.name, path)?,
                    };
                    counted.insert(key.clone(), found);
                }
                let found = &counted[&key];
                let Some((values, n)) = side(shape, found, t.row_count) else { continue };
                let pct = |n: u64| (n as f64 * 100.0 / t.row_count as f64).round();
                let pred = predicate(&c.name, shape, &values);
                let rest: Vec<String> = cols.iter().enumerate().filter(|(i, _)| *i != at).map(|(_, c)| c.clone()).collect();
                let evidence = format!("{} of {} rows ({}%) have {pred}; index {} ({}) leads with the foreign key {lead}", figure(n), figure(t.row_count), pct(n), ix.name, cols.join(", "));
                let mut p = Proposal::new(&t.name, ProposalKind::PartialIndex, evidence);
                p.columns = rest.clone();
                p.predicate = Some(pred.clone());
                p.replaces = vec![ix.name.clone()];
                if !dialect.partial_indexes() {
                    // Said once for the whole plan.
                    if out.iter().any(|o: &Proposal| o.kind == Some(ProposalKind::PartialIndex)) {
                        continue;
                    }
                    p.accept = false;
                    p.columns = vec![];
                    p.predicate = None;
                    p.replaces = vec![];
                    p.note = Some("MySQL and MariaDB have no partial indexes (an index holds every row): not proposed here, nor for any other table; the source's indexes are carried as they are".into());
                    out.push(p);
                    continue;
                }
                let why = match shape {
                    Shape::Flag => format!("WHERE {pred}: the set side, which a flag's queries ask for"),
                    Shape::Status => format!("WHERE {pred}: the rare side, the rows a queue works through"),
                };
                let smaller = format!("the index holds {} rows instead of {} and one column less", figure(n), figure(t.row_count));
                let other = other_leading(t, &ix.name, lead);
                let (accept, cost) = match &other {
                    Some(o) => (true, format!("queries for the other rows by {lead} use {o}")),
                    None => (false, format!("queries for the other rows by {lead} no longer have an index: accept it when they are not made")),
                };
                p.accept = accept;
                p.note = Some(format!("{why}; {smaller}. Replaces {} (left out of the target when accepted); {cost}", ix.name));
                let tcols: Vec<String> = rest.iter().map(|c| target(c)).collect();
                let mut parts = vec![tp.target.as_str()];
                parts.extend(tcols.iter().map(String::as_str));
                parts.push("where");
                let name = names.take(&derived_name(dialect, &parts, "idx"));
                let ctx_map = column_map(tp, dialect);
                let where_sql = translate_expr(&pred, &ExprContext { dialect, columns: &ctx_map }).unwrap_or_else(|_| pred.clone());
                let q = |s: &str| crate::sqlexpr::quote_ident(s, dialect);
                p.sql = vec![format!("CREATE INDEX {} ON {} ({}) WHERE {where_sql}", q(&name), q(&tp.target), tcols.iter().map(|c| q(c)).collect::<Vec<_>>().join(", "))];
                out.push(p);
            }
        }
    }
    Ok(out)
}

/// Source column → (target name, planned type), as the translator reads a predicate.
fn column_map(tp: &crate::plan::model::TablePlan, dialect: Dialect) -> HashMap<String, (String, LogicalType)> {
    tp.columns.iter().filter_map(|c| Some((c.source.clone(), (c.target.clone(), dialect.read_plan_type(&c.target_type).ok()?)))).collect()
}

/// What is wrong with one proposal's parameters.
pub fn check(p: &Proposal, plan: &Plan, schema: &Schema) -> Vec<String> {
    let mut out = vec![];
    let Some(t) = schema.table(&p.table) else { return out };
    if !p.accept {
        return out;
    }
    if !plan.dialect.partial_indexes() {
        out.push("MySQL and MariaDB have no partial indexes: set accept = false".into());
        return out;
    }
    if p.columns.is_empty() {
        out.push("columns is empty: name the index's columns".into());
    }
    match (&p.predicate, plan.table(&t.name)) {
        (None, _) => out.push("predicate is missing (SQLite text, such as is_active = 1)".into()),
        (Some(w), Some(tp)) => {
            if let Err(e) = translate_expr(w, &ExprContext { dialect: plan.dialect, columns: &column_map(tp, plan.dialect) }) {
                out.push(format!("predicate {w:?} cannot be translated: {e}"));
            }
        }
        _ => {}
    }
    for r in &p.replaces {
        if !t.indexes.iter().any(|i| i.name.eq_ignore_ascii_case(r)) {
            out.push(format!("replaces {r:?}: the source has no such index on {}", t.name));
        }
    }
    out
}

/// One accepted proposal applied to the planned tables: the partial index is added and the
/// indexes it replaces are left out, the table's notes saying so.
pub fn apply(p: &Proposal, tables: &mut [PlannedTable], _schema: &Schema, dialect: Dialect, names: &mut Names) -> Result<()> {
    let Some(t) = table_mut(tables, &p.table) else { return Ok(()) };
    let refuse = |detail: String| FerryError::PlanMismatch { path: String::new(), detail: format!("[[production]] partial_index on {}: {detail}", p.subject()) };
    if !dialect.partial_indexes() {
        return Err(refuse("MySQL and MariaDB have no partial indexes".into()));
    }
    let pred = p.predicate.as_deref().ok_or_else(|| refuse("predicate is missing".into()))?;
    let where_sql = translate_expr(pred, &ExprContext { dialect, columns: &t.column_map }).map_err(|e| refuse(format!("predicate cannot be translated: {e}")))?;
    let mut parts = vec![];
    for c in &p.columns {
        let pc = t.column(c).ok_or_else(|| refuse(format!("column {c} is not planned")))?;
        parts.push(PlannedPart::Column { name: pc.name.clone(), desc: false });
    }
    let mut left_out = vec![];
    for r in &p.replaces {
        let sql = t.source.indexes.iter().find(|i| i.name.eq_ignore_ascii_case(r)).map(|i| i.sql.clone());
        let before = t.indexes.len();
        t.indexes.retain(|ix| !(sql.as_deref() == Some(ix.source_sql.as_str()) || ix.name.eq_ignore_ascii_case(r)));
        if t.indexes.len() < before {
            left_out.push(r.clone());
        }
    }
    let mut name_parts: Vec<String> = vec![t.name.clone()];
    name_parts.extend(parts.iter().filter_map(|x| match x {
        PlannedPart::Column { name, .. } => Some(name.clone()),
        PlannedPart::Expr { .. } => None,
    }));
    name_parts.push("where".into());
    let refs: Vec<&str> = name_parts.iter().map(String::as_str).collect();
    let name = names.take(&derived_name(dialect, &refs, "idx"));
    let replaced = if left_out.is_empty() { String::new() } else { format!("; it replaces {}, left out", left_out.join(", ")) };
    t.notes.push(Warning { table: Some(p.table.clone()), object: format!("index {name}"), reason: format!("partial index over {} WHERE {pred} ([[production]]){replaced}", p.columns.join(", ")) });
    t.indexes.push(PlannedIndex { name, unique: false, parts, where_sql: Some(where_sql), source_sql: format!("[[production]] partial_index ({}) WHERE {pred}", p.columns.join(", ")), include: vec![], using: None, opclass: None });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ColumnProfile;

    fn c(v: &[(&str, u64)]) -> Vec<(String, u64)> {
        v.iter().map(|(s, n)| (s.to_string(), *n)).collect()
    }

    #[test]
    fn the_side_to_index_is_the_skewed_one() {
        let cases: Vec<(Shape, Vec<(String, u64)>, u64, Option<(Vec<String>, u64)>, &str)> = vec![
            (Shape::Flag, c(&[("1", 950), ("0", 50)]), 1000, Some((vec!["1".into()], 950)), "95% active: the set side"),
            (Shape::Flag, c(&[("0", 990), ("1", 10)]), 1000, Some((vec!["1".into()], 10)), "1% final: the set side, rare"),
            (Shape::Flag, c(&[("1", 600), ("0", 400)]), 1000, None, "60/40 is not skewed"),
            (Shape::Flag, c(&[("0", 1000)]), 1000, None, "never set"),
            (Shape::Status, c(&[("paid", 970), ("pending", 30)]), 1000, Some((vec!["pending".into()], 30)), "3% pending"),
            (Shape::Status, c(&[("done", 900), ("failed", 40), ("received", 60)]), 1000, Some((vec!["failed".into(), "received".into()], 100)), "two rare values, 10% together"),
            (Shape::Status, c(&[("done", 850), ("failed", 70), ("received", 80)]), 1000, None, "15% together is not rare"),
            (Shape::Status, c(&[("a", 500), ("b", 500)]), 1000, None, "even"),
            (Shape::Status, c(&[]), 0, None, "no rows"),
        ];
        for (shape, counts, rows, want, what) in cases {
            assert_eq!(side(shape, &counts, rows), want, "{what}");
        }
    }

    #[test]
    fn predicates_are_sqlite_text() {
        assert_eq!(predicate("is_active", Shape::Flag, &["1".into()]), "is_active = 1");
        assert_eq!(predicate("status", Shape::Status, &["pending".into()]), "status = 'pending'");
        assert_eq!(predicate("state", Shape::Status, &["a'b".into(), "c".into()]), "state IN ('a''b', 'c')");
        assert_eq!(predicate("my col", Shape::Flag, &[]), "\"my col\" = 1");
    }

    #[test]
    fn flags_and_statuses_are_told_from_the_profile() {
        let col = |p: ColumnProfile| Column { name: "x".into(), declared_type: String::new(), not_null: true, default: None, collation: None, key_collation: None, generated: None, profile: Some(p) };
        let flag = ColumnProfile { rows: 10, integers: 10, min_integer: Some(0), max_integer: Some(1), ..Default::default() };
        let status = ColumnProfile { rows: 10, texts: 10, distinct_texts: vec!["done".into(), "new".into()], ..Default::default() };
        let cases = [
            (col(flag.clone()), Some(LogicalType::Boolean), Some(Shape::Flag)),
            (col(flag.clone()), None, Some(Shape::Flag)),
            (col(ColumnProfile { max_integer: Some(2), ..flag }), None, None),
            (col(status.clone()), None, Some(Shape::Status)),
            (col(ColumnProfile { many_texts: true, distinct_texts: vec![], ..status.clone() }), None, None),
            (col(ColumnProfile { distinct_texts: vec!["one".into()], ..status }), None, None),
        ];
        for (i, (c, planned, want)) in cases.into_iter().enumerate() {
            assert_eq!(shape(&c, planned.as_ref()), want, "case {i}");
        }
    }

    /// The values the profile counts are the GROUP BY's, most first; a column whose
    /// collation groups otherwise (NOCASE), or that holds a blob, is counted by the query.
    #[test]
    fn the_profile_counts_the_values_the_query_groups() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, active INTEGER, status TEXT, nocase TEXT COLLATE NOCASE, b TEXT)").unwrap();
        let statuses = ["done", "done", "done", "new", "failed", "", "done", "pending", "failed", "done", "Done"];
        let tx = c.unchecked_transaction().unwrap();
        for i in 0..1_000usize {
            let active = if i % 17 == 0 { None } else { Some(i64::from(i % 11 != 0)) };
            let s = statuses[i % statuses.len()];
            let b: rusqlite::types::Value = if i == 5 { rusqlite::types::Value::Blob(b"new".to_vec()) } else { rusqlite::types::Value::Text(s.into()) };
            tx.execute("INSERT INTO t (active, status, nocase, b) VALUES (?1, ?2, ?2, ?3)", rusqlite::params![active, s, b]).unwrap();
        }
        tx.commit().unwrap();
        let names = ["id", "active", "status", "nocase", "b"];
        let mut t = Table { name: "t".into(), columns: names.iter().map(|n| Column { name: n.to_string(), ..Default::default() }).collect(), ..Default::default() };
        t.columns[3].collation = Some("NOCASE".into());
        crate::source::sqlite::profile::profile_table(&c, Path::new("t.sqlite"), &mut t).unwrap();
        let path = Path::new("t.sqlite");
        for (i, shape) in [(1, Shape::Flag), (2, Shape::Status)] {
            let col = &t.columns[i];
            assert_eq!(super::shape(col, None), Some(shape), "{}", col.name);
            let want = counts(&c, "t", &col.name, path).unwrap();
            assert_eq!(profile_counts(&t, col, shape), Some(want), "{}", col.name);
        }
        assert_eq!(profile_counts(&t, &t.columns[3], Shape::Status), None, "NOCASE groups Done with done");
        assert_ne!(counts(&c, "t", "nocase", path).unwrap(), counts(&c, "t", "status", path).unwrap());
        assert_eq!(profile_counts(&t, &t.columns[4], Shape::Status), None, "a blob");
        t.profile_sample = Some(10);
        assert_eq!(profile_counts(&t, &t.columns[2], Shape::Status), None, "a sampled profile");
    }
}
