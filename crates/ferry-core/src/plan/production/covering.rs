//! `[[production]]` proposals of kind `covering_index`: only where the schema shows the
//! need, never guessed. A view that joins or filters a table on the leading column of one of
//! its indexes (`LEFT JOIN order_items i ON i.order_id = o.id`, `idx_order_items_order
//! (order_id)`) and reads more columns of the rows it selects (`i.quantity`, `i.line_total`)
//! gets that index widened so the view's reads are answered from the index alone:
//! PostgreSQL `INCLUDE (…)`; MySQL/MariaDB the columns appended to the key (InnoDB's
//! secondary indexes carry the primary key already). No view, no proposal; a view that
//! reads `t.*` is not guessed at.
//!
//! Parameters: `replaces` (the one source index widened, keeping its name), `columns` (its
//! key columns, source names, for reading) and `include` (the columns it carries).

use super::proposal::{Proposal, ProposalKind};
use crate::dialect::{Dialect, Names};
use crate::error::{FerryError, Result};
use crate::events::Warning;
use crate::plan::model::Plan;
use crate::plan::planned::{table_mut, PlannedPart, PlannedTable};
use crate::schema::{IndexPart, LogicalType, Schema, Table};
use sqlparser::ast::{BinaryOperator, Expr, JoinConstraint, JoinOperator, SetExpr, Statement, TableFactor};

/// What a view asks of one of its tables: the rows it selects by `by` (a join or a WHERE
/// equality) and the columns it reads of them (source names, as the view spells them).
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    pub view: String,
    pub table: String,
    pub by: String,
    pub reads: Vec<String>,
}

/// The tables a SELECT names, by the name it refers to them with (alias or name, lower case).
fn relations(sel: &sqlparser::ast::Select) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut add = |f: &TableFactor| {
        if let TableFactor::Table { name, alias, .. } = f {
            let table = name.0.last().map(|p| p.to_string().trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']').to_string()).unwrap_or_default();
            let by = alias.as_ref().map_or(table.clone(), |a| a.name.value.clone());
            out.push((by.to_lowercase(), table));
        }
    };
    for twj in &sel.from {
        add(&twj.relation);
        for j in &twj.joins {
            add(&j.relation);
        }
    }
    out
}

/// `a.b = …` equalities (through AND): (qualifier, column), both sides.
fn equalities(e: &Expr, out: &mut Vec<(String, String)>) {
    match e {
        Expr::BinaryOp { left, op: BinaryOperator::And, right } => {
            equalities(left, out);
            equalities(right, out);
        }
        Expr::BinaryOp { left, op: BinaryOperator::Eq, right } => {
            for side in [left, right] {
                if let Expr::CompoundIdentifier(ids) = side.as_ref() {
                    if let [q, c] = ids.as_slice() {
                        out.push((q.value.to_lowercase(), c.value.clone()));
                    }
                }
            }
        }
        Expr::Nested(inner) => equalities(inner, out),
        _ => {}
    }
}

fn on_of(op: &JoinOperator) -> Option<&Expr> {
    let c = match op {
        JoinOperator::Join(c) | JoinOperator::Inner(c) | JoinOperator::Left(c) | JoinOperator::LeftOuter(c) | JoinOperator::Right(c) | JoinOperator::RightOuter(c) | JoinOperator::FullOuter(c) => c,
        _ => return None,
    };
    match c {
        JoinConstraint::On(e) => Some(e),
        _ => None,
    }
}

/// The identifiers written `q.name` in a SELECT's text, for qualifier `q` (lower case);
/// `*` among them when it reads `q.*`.
fn qualified_reads(text: &str, q: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let bytes = text.as_bytes();
    let mut out: Vec<String> = vec![];
    let pat = format!("{q}.");
    let mut from = 0;
    while let Some(at) = lower[from..].find(&pat) {
        let start = from + at;
        from = start + pat.len();
        let boundary = start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_' || bytes[start - 1] == b'.');
        if !boundary {
            continue;
        }
        let rest = &text[from..];
        let name: String = if let Some(r) = rest.strip_prefix('"') {
            r.split('"').next().unwrap_or_default().to_string()
        } else if rest.starts_with('*') {
            "*".into()
        } else {
            rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
        };
        if !name.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
    }
    out
}

/// What each view of the schema asks of its tables' rows: from its joins' ON equalities and
/// its WHERE's, the column it selects rows by, and the columns it reads of them.
pub fn needs(view: &str, select: &str) -> Vec<Need> {
    let Ok(stmts) = sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SQLiteDialect {}, select) else { return vec![] };
    let Some(Statement::Query(q)) = stmts.first() else { return vec![] };
    let SetExpr::Select(sel) = q.body.as_ref() else { return vec![] };
    let rels = relations(sel);
    let mut by = vec![];
    for twj in &sel.from {
        for j in &twj.joins {
            if let Some(e) = on_of(&j.join_operator) {
                equalities(e, &mut by);
            }
        }
    }
    if let Some(w) = &sel.selection {
        equalities(w, &mut by);
    }
    let text = q.to_string();
    let mut out: Vec<Need> = vec![];
    for (qual, col) in by {
        let Some((_, table)) = rels.iter().find(|(r, _)| *r == qual) else { continue };
        if out.iter().any(|n| n.table == *table && n.by.eq_ignore_ascii_case(&col)) {
            continue;
        }
        out.push(Need { view: view.to_string(), table: table.clone(), by: col, reads: qualified_reads(&text, &qual) });
    }
    out
}

/// The source index a need is served by: plain columns, no WHERE, leading with `by`.
fn serving<'t>(t: &'t Table, by: &str) -> Option<(&'t crate::schema::Index, Vec<String>)> {
    t.indexes.iter().filter(|i| i.where_clause.is_none()).find_map(|i| {
        let cols: Option<Vec<String>> = i.parts.iter().map(|p| if let IndexPart::Column { name, .. } = p { Some(name.clone()) } else { None }).collect();
        let cols = cols?;
        cols.first().is_some_and(|f| f.eq_ignore_ascii_case(by)).then_some((i, cols))
    })
}

/// Whether MySQL/MariaDB can put a column of this type in an index key whole.
fn keyable(t: &LogicalType) -> bool {
    match t {
        LogicalType::Text { max } => max.is_some_and(|m| m <= 768),
        LogicalType::Bytes | LogicalType::Json | LogicalType::Unsupported { .. } => false,
        _ => true,
    }
}

/// The proposals for this schema.
pub fn propose(schema: &Schema, plan: &Plan, dialect: Dialect) -> Result<Vec<Proposal>> {
    let mut out: Vec<Proposal> = vec![];
    for v in &schema.views {
        let Ok(select) = crate::source::sqlite::parse::view_select(&v.sql) else { continue };
        for need in needs(&v.name, &select) {
            let Some(t) = schema.table(&need.table) else { continue };
            let Some(tp) = plan.table(&t.name).filter(|tp| !tp.skip) else { continue };
            if need.reads.iter().any(|r| r == "*") {
                continue;
            }
            let Some((ix, key)) = serving(t, &need.by) else { continue };
            if out.iter().any(|p| p.table == t.name && p.replaces.first() == Some(&ix.name)) {
                continue;
            }
            let pk: Vec<String> = t.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default();
            let planned = |c: &str| tp.columns.iter().find(|pc| pc.source.eq_ignore_ascii_case(c));
            let mut include = vec![];
            let mut left = vec![];
            for r in &need.reads {
                let Some(c) = t.column(r) else { continue };
                if key.iter().any(|k| k.eq_ignore_ascii_case(&c.name)) || include.contains(&c.name) {
                    continue;
                }
                if !dialect.index_include() {
                    if pk.iter().any(|k| k.eq_ignore_ascii_case(&c.name)) {
                        continue; // InnoDB's secondary indexes hold the primary key
                    }
                    let ty = planned(&c.name).and_then(|pc| dialect.read_plan_type(&pc.target_type).ok());
                    if !ty.as_ref().is_some_and(keyable) {
                        left.push(c.name.clone());
                        continue;
                    }
                }
                include.push(c.name.clone());
            }
            if include.is_empty() {
                continue;
            }
            let target = |c: &str| planned(c).map_or(c.to_string(), |pc| pc.target.clone());
            let q = |s: &str| crate::sqlexpr::quote_ident(s, dialect);
            let keys: Vec<String> = key.iter().map(|c| q(&target(c))).collect();
            let incl: Vec<String> = include.iter().map(|c| q(&target(c))).collect();
            let (sql, cost) = if dialect.index_include() {
                (
                    format!("CREATE INDEX {} ON {} ({}) INCLUDE ({})", q(&ix.name), q(&tp.target), keys.join(", "), incl.join(", ")),
                    "the index grows by the included columns' values and each update of them rewrites its entry; the view's reads become index-only scans where the visibility map allows".to_string(),
                )
            } else {
                (
                    format!("ALTER TABLE {} DROP INDEX {}, ADD INDEX {} ({}, {})", q(&tp.target), q(&ix.name), q(&ix.name), keys.join(", "), incl.join(", ")),
                    format!(
                        "MySQL/MariaDB have no INCLUDE: the columns are appended to the key, so the index is wider, its entries are sorted by them too, and each update of them moves the entry{}",
                        if left.is_empty() { String::new() } else { format!("; {} left out (a key cannot hold a long text, blob or JSON whole)", left.join(", ")) }
                    ),
                )
            };
            let mut p = Proposal::new(&t.name, ProposalKind::CoveringIndex, format!("view {} selects rows of {} by {} (index {} ({})) and reads {} of them", need.view, t.name, need.by, ix.name, key.join(", "), include.join(", ")));
            p.accept = false;
            p.columns = key.clone();
            p.include = include;
            p.replaces = vec![ix.name.clone()];
            p.note = Some(format!("Widens {} in place, same name. The trade-off: {cost}", ix.name));
            p.sql = vec![sql];
            out.push(p);
        }
    }
    Ok(out)
}

/// What is wrong with one proposal's parameters.
pub fn check(p: &Proposal, plan: &Plan, schema: &Schema) -> Vec<String> {
    let mut out = vec![];
    let Some(t) = schema.table(&p.table) else { return out };
    if p.include.is_empty() {
        out.push("include is empty: name the columns the index carries".into());
    }
    match p.replaces.as_slice() {
        [one] => {
            if !t.indexes.iter().any(|i| i.name.eq_ignore_ascii_case(one) && i.where_clause.is_none() && i.parts.iter().all(|x| matches!(x, IndexPart::Column { .. }))) {
                out.push(format!("replaces {one:?}: the source has no index of plain columns by that name on {}", t.name));
            }
        }
        _ => out.push("replaces must name the one source index to widen".into()),
    }
    if !plan.dialect.index_include() && p.accept {
        if let Some(tp) = plan.table(&t.name) {
            for c in &p.include {
                let ty = tp.columns.iter().find(|pc| pc.source.eq_ignore_ascii_case(c)).and_then(|pc| plan.dialect.read_plan_type(&pc.target_type).ok());
                if ty.as_ref().is_some_and(|ty| !keyable(ty)) {
                    out.push(format!("include {c}: a MySQL/MariaDB index key cannot hold its type whole"));
                }
            }
        }
    }
    out
}

/// One accepted proposal applied: the index it names carries the columns (`INCLUDE`), or
/// has them appended to its key where the target has no INCLUDE.
pub fn apply(p: &Proposal, tables: &mut [PlannedTable], _schema: &Schema, dialect: Dialect, _names: &mut Names) -> Result<()> {
    let Some(t) = table_mut(tables, &p.table) else { return Ok(()) };
    let refuse = |detail: String| FerryError::PlanMismatch { path: String::new(), detail: format!("[[production]] covering_index on {}: {detail}", p.subject()) };
    let name = p.replaces.first().ok_or_else(|| refuse("replaces names no index".into()))?;
    let sql = t.source.indexes.iter().find(|i| i.name.eq_ignore_ascii_case(name)).map(|i| i.sql.clone());
    let mut cols = vec![];
    for c in &p.include {
        cols.push(t.column(c).ok_or_else(|| refuse(format!("column {c} is not planned")))?.name.clone());
    }
    let ix = t.indexes.iter_mut().find(|ix| sql.as_deref() == Some(ix.source_sql.as_str())).ok_or_else(|| refuse(format!("index {name} is not planned")))?;
    let ix_name = ix.name.clone();
    if dialect.index_include() {
        ix.include = cols.clone();
    } else {
        ix.parts.extend(cols.iter().map(|c| PlannedPart::Column { name: c.clone(), desc: false }));
    }
    t.notes.push(Warning { table: Some(p.table.clone()), object: format!("index {ix_name}"), reason: format!("covering: carries {} ([[production]] covering_index)", cols.join(", ")) });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_says_which_rows_it_selects_and_what_it_reads() {
        let demo = "SELECT o.id AS order_id, o.tenant_id, o.status, COUNT(i.id) AS item_count, COALESCE(SUM(i.quantity), 0) AS units, COALESCE(SUM(i.line_total), 0) AS items_total, o.total FROM orders o LEFT JOIN order_items i ON i.order_id = o.id GROUP BY o.id";
        let n = needs("order_totals", demo);
        let items = n.iter().find(|n| n.table == "order_items").expect("order_items");
        assert_eq!((items.by.as_str(), items.reads.clone()), ("order_id", vec!["id".to_string(), "quantity".into(), "line_total".into(), "order_id".into()]));
        let orders = n.iter().find(|n| n.table == "orders").expect("orders");
        assert_eq!(orders.by, "id");
        let cases: [(&str, Vec<(&str, &str, Vec<&str>)>); 4] = [
            ("SELECT a.x FROM t a WHERE a.k = 1", vec![("t", "k", vec!["x", "k"])]),
            ("SELECT p.*, c.name FROM parent p JOIN child c ON c.pid = p.id", vec![("child", "pid", vec!["name", "pid"]), ("parent", "id", vec!["*", "id"])]),
            ("SELECT x FROM t", vec![]),
            ("not sql at all", vec![]),
        ];
        for (sql, want) in cases {
            let got: Vec<(String, String, Vec<String>)> = needs("v", sql).into_iter().map(|n| (n.table, n.by, n.reads)).collect();
            let want: Vec<(String, String, Vec<String>)> = want.into_iter().map(|(t, b, r)| (t.to_string(), b.to_string(), r.into_iter().map(String::from).collect())).collect();
            assert_eq!(got, want, "{sql}");
        }
    }

    #[test]
    fn qualified_reads_stop_at_word_boundaries() {
        assert_eq!(qualified_reads("SELECT i.a, xi.b, i.\"c d\", sum(i.e) FROM t i", "i"), ["a", "c d", "e"]);
        assert_eq!(qualified_reads("SELECT i.* FROM t i", "i"), ["*"]);
    }
}
