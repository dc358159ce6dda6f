//! Triggers: a SQLite `CREATE TRIGGER` read into what it does — when it fires, its `WHEN`
//! condition, and each statement of its body (INSERT / UPDATE / DELETE, `SELECT RAISE(…)`)
//! translated with `NEW.`/`OLD.` mapped to the target's column names — for the dialect's
//! trigger code (`dialect/*/triggers.rs`) to wrap in the target's own form.
//!
//! Faithful or refused: the body's expressions go through the same translator as CHECKs and
//! views; a value written to a column is converted as SQLite would store it there (the current
//! time on a timestamp column is the target's clock, a literal takes the column's type); what
//! SQLite would do differently (`INSERT OR REPLACE`, `RAISE` over a `FROM`, an `INSTEAD OF`
//! trigger on a view, a `TEMP` trigger) is refused with the reason.

use std::collections::HashMap;

use sqlparser::ast::{
    AssignmentTarget, ConditionalStatements, CreateTrigger, Expr, FromTable, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, ObjectName, ObjectNamePart, Query, SelectItem, SetExpr, Statement, TableFactor,
    TableObject, TableWithJoins, TriggerEvent, TriggerObject, TriggerObjectKind, TriggerPeriod, Value, ValueWithSpan,
};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

use crate::dialect::Dialect;
use crate::schema::LogicalType;

use super::defaults::DefaultValue;
use super::parse::{one_part, strip_nested};
use super::tx::{Tx, R};
use super::values::{Kind, Lit, Tr};

/// A table a trigger may read or write, as the target has it.
#[derive(Debug, Clone)]
pub struct TriggerTable {
    /// The target's name of the table.
    pub name: String,
    /// Source column name → (target column name, logical type).
    pub columns: HashMap<String, (String, LogicalType)>,
    /// The carried columns' source names in the source's order (`INSERT INTO t VALUES …`).
    pub order: Vec<String>,
    /// The rowid alias carried as an identity / AUTO_INCREMENT (target name).
    pub identity: Option<String>,
    /// The target's primary key when it is one column (target name): NOT NULL and unique
    /// there, so `WHERE key = NEW.key` picks the trigger's own row. (On Citus, the source's
    /// one-column key behind the distribution column the rewrite put first.)
    pub key: Option<String>,
}

/// The tables of the run, by source name, and the source's triggers (to tell which others
/// fire on a table).
pub struct TriggerContext<'a> {
    pub dialect: Dialect,
    pub tables: &'a HashMap<String, TriggerTable>,
    pub triggers: &'a [crate::schema::Trigger],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    Before,
    After,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Insert,
    /// `UPDATE OF cols` (target names); empty: any UPDATE.
    Update(Vec<String>),
    Delete,
}

impl Event {
    pub fn keyword(&self) -> &'static str {
        match self {
            Event::Insert => "INSERT",
            Event::Update(_) => "UPDATE",
            Event::Delete => "DELETE",
        }
    }
}

/// SQLite's `RAISE(kind, …)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RaiseKind {
    Abort,
    Fail,
    Rollback,
    /// Skip the row (and the rest of the trigger), no error.
    Ignore,
}

/// One statement of a trigger's body.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// An INSERT, UPDATE or DELETE in the target's SQL; `table`: the target table it writes.
    Write { sql: String, table: String },
    /// `SELECT RAISE(kind, 'message') [WHERE when]`: `when` translated as a condition.
    Raise { when: Option<String>, kind: RaiseKind, message: String },
}

/// A trigger as the target is to have it.
#[derive(Debug, Clone, PartialEq)]
pub struct TranslatedTrigger {
    pub name: String,
    /// The target's name of the table it is on.
    pub table: String,
    pub timing: Timing,
    pub event: Event,
    /// The `WHEN` condition, translated (a condition, `NEW.`/`OLD.` as the target spells them).
    pub when: Option<String>,
    /// The `WHEN` condition reads tables (a subquery; PostgreSQL takes none in a trigger's WHEN).
    pub when_reads: bool,
    pub actions: Vec<Action>,
    /// For a trigger that writes its own table: `Ok` with the columns it sets (target name,
    /// value) when it is an `AFTER UPDATE` whose only statement sets columns of the row it
    /// fired for, which a `BEFORE UPDATE` setting `NEW.col` does the same (`own_row`);
    /// `Err` with why not.
    pub own_row: Result<Vec<(String, String)>, String>,
}

impl TranslatedTrigger {
    /// True when a statement of the body writes the table the trigger is on.
    pub fn writes_own_table(&self) -> bool {
        self.actions.iter().any(|a| matches!(a, Action::Write { table, .. } if *table == self.table))
    }
}


/// sqlparser reads SQLite's `CREATE TRIGGER` but not its `IF NOT EXISTS`; it changes nothing
/// of what the trigger does.
fn without_if_not_exists(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    let Some(at) = upper.find("TRIGGER") else { return sql.to_string() };
    let after = at + "TRIGGER".len();
    let rest = &upper[after..];
    let words: Vec<&str> = rest.split_whitespace().take(3).collect();
    if words == ["IF", "NOT", "EXISTS"] {
        let end = rest.find("EXISTS").expect("found") + "EXISTS".len();
        format!("{}{}", &sql[..after], &sql[after + end..])
    } else {
        sql.to_string()
    }
}

pub(super) fn translate(sql: &str, ctx: &TriggerContext) -> R<TranslatedTrigger> {
    let text = without_if_not_exists(sql);
    let stmts = Parser::parse_sql(&SQLiteDialect {}, &text).map_err(|e| format!("cannot parse the trigger: {e}"))?;
    let [Statement::CreateTrigger(ct)] = stmts.as_slice() else {
        return Err("not one CREATE TRIGGER statement".into());
    };
    let CreateTrigger { temporary, name, period, events, table_name, referencing, trigger_object, condition, exec_body, statements, referenced_table_name, .. } = ct;
    if *temporary {
        return Err("a TEMP trigger lives only in the SQLite connection that made it".into());
    }
    if exec_body.is_some() || !referencing.is_empty() || referenced_table_name.is_some() {
        return Err("the trigger uses clauses SQLite does not have".into());
    }
    let timing = match period {
        // SQLite's default.
        None | Some(TriggerPeriod::Before) => Timing::Before,
        Some(TriggerPeriod::After) => Timing::After,
        Some(TriggerPeriod::InsteadOf) => {
            return Err("an INSTEAD OF trigger makes a view writable; the view is carried, the trigger is not: write the view's INSERT/UPDATE/DELETE rules for the target".into())
        }
        Some(TriggerPeriod::For) => return Err("FOR is not a SQLite trigger time".into()),
    };
    match trigger_object {
        None | Some(TriggerObjectKind::ForEach(TriggerObject::Row)) => {}
        _ => return Err("SQLite triggers fire for each row only".into()),
    }
    let table_src = table_id(table_name)?;
    let table = lookup(ctx.tables, &table_src.value)
        .ok_or_else(|| format!("it is on `{}`, which is not among the migrated tables (a view's trigger, or a skipped table)", table_src.value))?;
    let event = match events.as_slice() {
        [TriggerEvent::Insert] => Event::Insert,
        [TriggerEvent::Delete] => Event::Delete,
        [TriggerEvent::Update(cols)] => {
            let mut out = Vec::new();
            for c in cols {
                let (target, _) = lookup(&table.columns, &c.value).ok_or_else(|| format!("UPDATE OF `{}`: not a carried column of {}", c.value, table_src.value))?;
                out.push(target.clone());
            }
            Event::Update(out)
        }
        _ => return Err("the trigger's event is not one INSERT, UPDATE or DELETE".into()),
    };
    let trigger_name = match name.0.as_slice() {
        [ObjectNamePart::Identifier(n)] => n.value.clone(),
        [ObjectNamePart::Identifier(s), ObjectNamePart::Identifier(n)] if s.value.eq_ignore_ascii_case("main") => n.value.clone(),
        _ => return Err(format!("`{name}` is not a trigger of the main database")),
    };
    let trigger_name = target_name(ctx.dialect, &trigger_name, ctx.triggers);
    let table_names: HashMap<String, super::sources::ViewSource> = ctx.tables.iter().map(|(k, v)| (k.clone(), super::sources::ViewSource::untyped(&v.name))).collect();
    let none: HashMap<String, (String, LogicalType)> = HashMap::new();
    let mut tx = Tx::new(ctx.dialect, &text);
    tx.row = Some(&table.columns);
    tx.tables = Some(&table_names);
    let when = match condition {
        Some(c) => {
            tx.cols = Some(&none);
            let t = tx.pred(c).map_err(|e| format!("WHEN {c}: {e}"))?;
            Some(t.sql)
        }
        None => None,
    };
    let Some(body) = statements else { return Err("the trigger has no body".into()) };
    let body = match body {
        ConditionalStatements::BeginEnd(b) => &b.statements,
        ConditionalStatements::Sequence { statements } => statements,
    };
    if body.is_empty() {
        return Err("the trigger's body is empty".into());
    }
    let mut actions = Vec::new();
    for st in body {
        let a = action(&mut tx, ctx.tables, &none, st).map_err(|e| format!("`{st}`: {e}"))?;
        actions.push(a);
    }
    // A word `select` anywhere (a string too) only moves the test into the body.
    let when_reads = condition.as_ref().is_some_and(|c| c.to_string().to_ascii_lowercase().contains("select"));
    let writes_own = actions.iter().any(|a| matches!(a, Action::Write { table: t, .. } if *t == table.name));
    let own_row = if writes_own { own_row(&mut tx, ctx, &none, &trigger_name, &table_src.value, table, timing, &event, when_reads, body) } else { Err(String::new()) };
    Ok(TranslatedTrigger { name: trigger_name, table: table.name.clone(), timing, event, when, when_reads, actions, own_row })
}

/// The trigger's name on the target: its SQLite name where the target takes it, else one cut
/// to the target's limit (PostgreSQL 63 bytes, MySQL 64 characters) and made unique with a
/// short hash. PostgreSQL would cut it silently, so that the run's own lookups (`resume`,
/// `rollback`) missed it and two names alike in their first 63 bytes met as one. The
/// source's triggers take their names in order, so every caller gets the same one.
pub fn target_name(dialect: Dialect, name: &str, all: &[crate::schema::Trigger]) -> String {
    let mut names = crate::dialect::Names::new(dialect);
    for tr in all {
        let taken = names.take(&tr.name);
        if tr.name == name {
            return taken;
        }
    }
    names.take(name)
}

/// `AFTER UPDATE ON t [WHEN c] BEGIN UPDATE t SET col = x, … WHERE key = NEW.key; END`: the
/// trigger sets columns of the row it fired for. A `BEFORE UPDATE` trigger that sets
/// `NEW.col = x` (under the same `WHEN`) leaves the same row, and is what MySQL/MariaDB
/// take (they refuse a trigger writing its own table, error 1442). The same, because:
/// - `key` is the table's one-column primary key (NOT NULL and unique on the target, where
///   SQLite's could hold NULLs): the UPDATE writes that row and no other;
/// - `x` reads no column of the row (a bare column would be the row after the UPDATE, or
///   another row in a subquery) and no `NEW.col` of a column set (MySQL's `SET NEW.a`
///   changes what a later `NEW.a` reads; SQLite's NEW does not change);
/// - no other UPDATE trigger is on `t`: SQLite's inner UPDATE fires the others again (not
///   this one: `recursive_triggers` is off by default), and they would see `NEW.col`
///   before it was set; the rewrite fires none of that;
/// - `WHEN` reads no table (in a BEFORE trigger a subquery sees the row before the UPDATE).
#[allow(clippy::too_many_arguments)]
fn own_row<'a>(
    tx: &mut Tx<'a>, ctx: &TriggerContext<'_>, none: &'a HashMap<String, (String, LogicalType)>, name: &str, table_src: &str, table: &'a TriggerTable, timing: Timing, event: &Event,
    when_reads: bool, body: &[Statement],
) -> R<Vec<(String, String)>> {
    if timing != Timing::After || *event != Event::Update(Vec::new()) {
        return Err("it is not an AFTER UPDATE trigger (of any column)".into());
    }
    let [Statement::Update(u)] = body else { return Err("its body is more than the one UPDATE of its own table".into()) };
    if when_reads {
        return Err("its WHEN reads a table".into());
    }
    let Some(key) = &table.key else { return Err(format!("{table_src} has no one-column primary key to tell the row by")) };
    let by_key = |e: &Expr| -> bool {
        let names = |e: &Expr| match strip_nested(e) {
            Expr::Identifier(id) => Some((None, id.value.clone())),
            Expr::CompoundIdentifier(ids) if ids.len() == 2 => Some((Some(ids[0].value.to_ascii_uppercase()), ids[1].value.clone())),
            _ => None,
        };
        let is_key = |c: &str| lookup(&table.columns, c).is_some_and(|(t, _)| t == key);
        match strip_nested(e) {
            Expr::BinaryOp { left, op: sqlparser::ast::BinaryOperator::Eq, right } => match (names(left), names(right)) {
                (Some((None, a)), Some((Some(n), b))) | (Some((Some(n), b)), Some((None, a))) => n == "NEW" && is_key(&a) && is_key(&b),
                _ => false,
            },
            _ => false,
        }
    };
    if !u.selection.as_ref().is_some_and(by_key) {
        return Err(format!("its UPDATE does not pick the row by `WHERE {key} = NEW.{key}`"));
    }
    let others: Vec<&str> = ctx.triggers.iter()
        .filter(|t| t.table.eq_ignore_ascii_case(table_src) && !t.name.eq_ignore_ascii_case(name))
        .filter(|t| fires_on_update(&t.sql))
        .map(|t| t.name.as_str())
        .collect();
    if !others.is_empty() {
        return Err(format!("SQLite's inner UPDATE fires {} on {table_src} again", others.join(", ")));
    }
    let mut sets = Vec::new();
    let mut set_cols = Vec::new();
    for a in &u.assignments {
        let AssignmentTarget::ColumnName(c) = &a.target else { return Err("SET (a, b) = …".into()) };
        let n = one_part_name(c)?;
        let (target, ty) = lookup(&table.columns, &n).ok_or_else(|| format!("`{n}` is not a carried column"))?;
        if target == key {
            return Err("its UPDATE sets the key".into());
        }
        if a.value.to_string().to_ascii_lowercase().contains("select") {
            return Err(format!("the value set to {n} reads a table"));
        }
        // The same text with the row's columns known and unknown: it reads none of them.
        tx.cols = Some(&table.columns);
        let with = tx.expr(&a.value).and_then(|v| tx.assign(v, ty));
        tx.cols = Some(none);
        let without = tx.expr(&a.value).and_then(|v| tx.assign(v, ty));
        match (with, without) {
            (Ok(w), Ok(o)) if w == o => sets.push((target.clone(), w)),
            _ => return Err(format!("the value set to {n} reads the row's columns")),
        }
        set_cols.push(target.clone());
    }
    for (_, v) in &sets {
        if let Some(c) = set_cols.iter().find(|c| v.contains(&format!("NEW.{}", tx.qi(c)))) {
            return Err(format!("a value set reads NEW.{c}, which the trigger sets"));
        }
    }
    Ok(sets)
}

/// True when the trigger `sql` fires on an UPDATE (or cannot be read: taken as firing).
fn fires_on_update(sql: &str) -> bool {
    match Parser::parse_sql(&SQLiteDialect {}, &without_if_not_exists(sql)).as_deref() {
        Ok([Statement::CreateTrigger(ct)]) => ct.events.iter().any(|e| matches!(e, TriggerEvent::Update(_))),
        _ => true,
    }
}

fn lookup<'m, V>(m: &'m HashMap<String, V>, name: &str) -> Option<&'m V> {
    m.get(name).or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

fn table_id(name: &ObjectName) -> R<&Ident> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(t)] => Ok(t),
        [ObjectNamePart::Identifier(s), ObjectNamePart::Identifier(t)] if s.value.eq_ignore_ascii_case("main") => Ok(t),
        _ => Err(format!("`{name}` is not a table of the main database")),
    }
}

fn plain_table(twj: &TableWithJoins) -> R<&Ident> {
    if !twj.joins.is_empty() {
        return Err("a join in an UPDATE or DELETE is not SQLite".into());
    }
    match &twj.relation {
        TableFactor::Table { name, alias: None, args: None, .. } => table_id(name),
        other => Err(format!("`{other}`: only a plain table name is carried here")),
    }
}

fn written<'c>(tables: &'c HashMap<String, TriggerTable>, name: &Ident) -> R<&'c TriggerTable> {
    lookup(tables, &name.value).ok_or_else(|| format!("it writes `{}`, which is not among the migrated tables", name.value))
}

fn action<'a>(tx: &mut Tx<'a>, tables: &'a HashMap<String, TriggerTable>, none: &'a HashMap<String, (String, LogicalType)>, st: &Statement) -> R<Action> {
    match st {
        Statement::Insert(ins) => {
            if ins.or.is_some() || ins.ignore || ins.replace_into {
                return Err("INSERT OR IGNORE/REPLACE resolves conflicts SQLite's way; it is not carried".into());
            }
            if ins.on.is_some() || ins.returning.is_some() || !ins.assignments.is_empty() || ins.partitioned.is_some() || !ins.after_columns.is_empty() || ins.overriding.is_some() || ins.table_alias.is_some() {
                return Err("the INSERT uses clauses that are not carried".into());
            }
            let TableObject::TableName(tn) = &ins.table else { return Err("INSERT into a table function".into()) };
            let t = written(tables, table_id(tn)?)?;
            let names: Vec<String> = if ins.columns.is_empty() {
                t.order.clone()
            } else {
                ins.columns.iter().map(|c| one_part_name(c)).collect::<R<_>>()?
            };
            let mut cols = Vec::new();
            for n in &names {
                cols.push(lookup(&t.columns, n).ok_or_else(|| format!("`{n}` is not a carried column of `{}`", t.name))?);
            }
            let Some(source) = &ins.source else { return Err("INSERT … DEFAULT VALUES is not carried".into()) };
            // NULL into the rowid alias makes SQLite number the row; the target numbers it
            // when the column is left out (PostgreSQL's identity refuses a NULL).
            let id_at = t.identity.as_ref().and_then(|id| cols.iter().position(|(c, _)| c == id));
            let mut source = source.clone();
            let skip = id_at.filter(|i| drop_null_item(&mut source, *i));
            let cols: Vec<_> = cols.into_iter().enumerate().filter(|(i, _)| Some(*i) != skip).map(|(_, c)| c).collect();
            let col_list = cols.iter().map(|(c, _)| tx.qi(c)).collect::<Vec<_>>().join(", ");
            let body = match values_only(&source) {
                Some(rows) => {
                    tx.cols = Some(none);
                    let mut out = Vec::new();
                    for row in rows {
                        if row.len() != cols.len() {
                            return Err(format!("{} values for {} columns", row.len(), cols.len()));
                        }
                        let mut items = Vec::new();
                        for (e, (_, ty)) in row.iter().zip(&cols) {
                            let v = tx.expr(e)?;
                            items.push(tx.assign(v, ty)?);
                        }
                        out.push(format!("({})", items.join(", ")));
                    }
                    format!("VALUES {}", out.join(", "))
                }
                None => {
                    tx.cols = None;
                    tx.query(&source)?
                }
            };
            Ok(Action::Write { sql: format!("INSERT INTO {} ({col_list}) {body}", tx.qi(&t.name)), table: t.name.clone() })
        }
        Statement::Update(u) => {
            if u.from.is_some() || u.returning.is_some() || u.or.is_some() || !u.order_by.is_empty() || u.limit.is_some() || u.output.is_some() {
                return Err("the UPDATE uses clauses that are not carried (OR …, FROM, RETURNING, ORDER BY, LIMIT)".into());
            }
            let t = written(tables, plain_table(&u.table)?)?;
            tx.cols = Some(&t.columns);
            let mut sets = Vec::new();
            for a in &u.assignments {
                let AssignmentTarget::ColumnName(c) = &a.target else { return Err("SET (a, b) = … is not carried".into()) };
                let n = one_part_name(c)?;
                let (target, ty) = lookup(&t.columns, &n).ok_or_else(|| format!("`{n}` is not a carried column of `{}`", t.name))?;
                let v = tx.expr(&a.value)?;
                sets.push(format!("{} = {}", tx.qi(target), tx.assign(v, ty)?));
            }
            let mut sql = format!("UPDATE {} SET {}", tx.qi(&t.name), sets.join(", "));
            if let Some(w) = &u.selection {
                sql.push_str(&format!(" WHERE {}", tx.pred(w)?.sql));
            }
            Ok(Action::Write { sql, table: t.name.clone() })
        }
        Statement::Delete(d) => {
            if !d.tables.is_empty() || d.using.is_some() || d.returning.is_some() || !d.order_by.is_empty() || d.limit.is_some() || d.output.is_some() {
                return Err("the DELETE uses clauses that are not carried (USING, RETURNING, ORDER BY, LIMIT)".into());
            }
            let from = match &d.from {
                FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f) => f,
            };
            let [twj] = from.as_slice() else { return Err("DELETE from more than one table".into()) };
            let t = written(tables, plain_table(twj)?)?;
            tx.cols = Some(&t.columns);
            let mut sql = format!("DELETE FROM {}", tx.qi(&t.name));
            if let Some(w) = &d.selection {
                sql.push_str(&format!(" WHERE {}", tx.pred(w)?.sql));
            }
            Ok(Action::Write { sql, table: t.name.clone() })
        }
        Statement::Query(q) => raise(tx, none, q),
        other => Err(format!("a `{}` statement in a trigger is not carried", other.to_string().split_whitespace().next().unwrap_or(""))),
    }
}

fn one_part_name(c: &ObjectName) -> R<String> {
    match c.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Ok(id.value.clone()),
        // `SET t.col = …`: SQLite refuses a qualified column there; the last part names it.
        [.., ObjectNamePart::Identifier(id)] => Ok(id.value.clone()),
        _ => Err(format!("`{c}` is not a column")),
    }
}

fn is_null(e: &Expr) -> bool {
    matches!(strip_nested(e), Expr::Value(ValueWithSpan { value: Value::Null, .. }))
}

/// Takes item `i` out of an INSERT's `VALUES` rows or plain `SELECT` list when it is NULL in
/// every row; true when it did.
fn drop_null_item(q: &mut Query, i: usize) -> bool {
    if q.with.is_some() {
        return false;
    }
    match &mut *q.body {
        SetExpr::Values(v) if !v.rows.is_empty() && v.rows.iter().all(|r| r.get(i).is_some_and(is_null)) => {
            for r in &mut v.rows {
                r.content.remove(i);
            }
            true
        }
        SetExpr::Select(sel) if matches!(sel.projection.get(i), Some(SelectItem::UnnamedExpr(e)) if is_null(e)) => {
            sel.projection.remove(i);
            true
        }
        _ => false,
    }
}

/// The rows of `VALUES (…), (…)` when the query is only that.
fn values_only(q: &Query) -> Option<&Vec<sqlparser::ast::Parens<Vec<Expr>>>> {
    if q.with.is_some() || q.order_by.is_some() || q.limit_clause.is_some() {
        return None;
    }
    match &*q.body {
        SetExpr::Values(v) => Some(&v.rows),
        _ => None,
    }
}

/// `SELECT RAISE(kind, 'msg') [WHERE c]` or `SELECT CASE WHEN c THEN RAISE(…) END`.
fn raise<'a>(tx: &mut Tx<'a>, none: &'a HashMap<String, (String, LogicalType)>, q: &Query) -> R<Action> {
    let refuse = || Err("a SELECT in a trigger is carried only as `SELECT RAISE(…) [WHERE …]` or `SELECT CASE WHEN … THEN RAISE(…) END`: other SELECTs do nothing but call functions".to_string());
    if q.with.is_some() || q.order_by.is_some() || q.limit_clause.is_some() {
        return refuse();
    }
    let SetExpr::Select(sel) = &*q.body else { return refuse() };
    if sel.having.is_some() || sel.distinct.is_some() || !matches!(&sel.group_by, sqlparser::ast::GroupByExpr::Expressions(g, _) if g.is_empty()) {
        return refuse();
    }
    if !sel.from.is_empty() {
        return Err("RAISE(…) over a FROM clause fires once per row found; write it as `SELECT RAISE(…) WHERE EXISTS (SELECT … FROM …)`".into());
    }
    let [SelectItem::UnnamedExpr(e)] = sel.projection.as_slice() else { return refuse() };
    tx.cols = Some(none);
    let mut conds = Vec::new();
    if let Some(w) = &sel.selection {
        conds.push(tx.pred(w)?.operand());
    }
    let call = match strip_nested(e) {
        Expr::Case { operand: None, conditions, else_result: None, .. } if conditions.len() == 1 => {
            conds.push(tx.pred(&conditions[0].condition)?.operand());
            &conditions[0].result
        }
        other => other,
    };
    let (kind, message) = raise_call(call).ok_or_else(|| refuse().unwrap_err())?;
    let when = if conds.is_empty() { None } else { Some(conds.join(" AND ")) };
    Ok(Action::Raise { when, kind, message })
}

/// `RAISE(ABORT|FAIL|ROLLBACK, 'message')` or `RAISE(IGNORE)`.
fn raise_call(e: &Expr) -> Option<(RaiseKind, String)> {
    let Expr::Function(f) = strip_nested(e) else { return None };
    if !one_part(&f.name)?.value.eq_ignore_ascii_case("raise") {
        return None;
    }
    let FunctionArguments::List(l) = &f.args else { return None };
    let args: Vec<&Expr> = l.args.iter().map(|a| match a {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
        _ => None,
    }).collect::<Option<_>>()?;
    let kind = match args.first().map(|a| strip_nested(a)) {
        Some(Expr::Identifier(id)) => match id.value.to_ascii_uppercase().as_str() {
            "ABORT" => RaiseKind::Abort,
            "FAIL" => RaiseKind::Fail,
            "ROLLBACK" => RaiseKind::Rollback,
            "IGNORE" => RaiseKind::Ignore,
            _ => return None,
        },
        _ => return None,
    };
    match (kind, &args[1..]) {
        (RaiseKind::Ignore, []) => Some((kind, String::new())),
        (RaiseKind::Ignore, _) => None,
        (_, [m]) => match strip_nested(m) {
            Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) => Some((kind, s.clone())),
            _ => None,
        },
        _ => None,
    }
}

impl<'a> Tx<'a> {
    /// `NEW.col` / `OLD.col` in a trigger: the row's column by its target name.
    pub(super) fn row_ref(&self, parts: &[Ident]) -> R<Option<Tr>> {
        let Some(row) = self.row else { return Ok(None) };
        let [which, col] = parts else { return Ok(None) };
        let w = which.value.to_ascii_uppercase();
        if which.quote_style.is_some() || (w != "NEW" && w != "OLD") {
            return Ok(None);
        }
        let (target, ty) = lookup(row, &col.value).ok_or_else(|| format!("`{w}.{}` is not a carried column of the trigger's table", col.value))?;
        let kind = Kind::from_logical(ty).map_err(|e| format!("column {}: {e}", col.value))?;
        Ok(Some(Tr::new(format!("{w}.{}", self.qi(target)), kind, true)))
    }

    /// A value written to a column of type `ty`, as SQLite would store it there.
    pub(super) fn assign(&self, v: Tr, ty: &LogicalType) -> R<String> {
        let kind = Kind::from_logical(ty)?;
        if let Some(spec) = &v.now {
            return Ok(self.now_as(kind, spec)?.sql);
        }
        if let Some(l) = &v.lit {
            return Ok(match l {
                Lit::Null => "NULL".into(),
                // As it is (a DEFAULT's spelling wraps it in parentheses for MySQL 8).
                Lit::Str(s) if kind == Kind::Text => self.ql(s),
                l => self.render_default(DefaultValue::Lit(l.clone()), ty)?.unwrap_or_else(|| "NULL".into()),
            });
        }
        let same = v.kind == kind
            || matches!(v.kind, Kind::Null | Kind::Unknown)
            || (matches!(kind, Kind::Dec | Kind::Float) && v.kind.numeric())
            || (kind == Kind::Int && v.kind == Kind::Bool && !self.sp.has_boolean_type())
            || (kind == Kind::Bool && v.kind == Kind::Int && !self.sp.has_boolean_type());
        if same {
            return Ok(v.sql);
        }
        match (v.kind, kind) {
            (Kind::Bool, Kind::Int) => Ok(self.to_num(v, "a boolean")?.sql),
            (Kind::Int, Kind::Text) => Ok(self.sp.int_as_text(&v.sql).unwrap_or(v.sql)),
            (from, to) => Err(format!("a {} value written to a {} column: SQLite stores it as it is, the target would convert it", from.label(), to.label())),
        }
    }
}
