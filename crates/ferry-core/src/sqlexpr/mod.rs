//! SQLite expression text → PostgreSQL / MySQL / MariaDB SQL.
//!
//! The schema keeps every expression as the SQLite text it was written in: column DEFAULTs
//! (`PRAGMA table_info.dflt_value`), CHECK bodies, partial-index predicates, index and
//! generated-column expressions, view SELECTs and trigger bodies (`trigger.rs`: the statements
//! of a `CREATE TRIGGER`, `NEW.`/`OLD.` included). This module parses that text with
//! `sqlparser` (`SQLiteDialect`), walks the tree, and prints SQL for the target dialect itself
//! (sqlparser's `Display` prints SQLite back, it does not translate).
//!
//! What it must do: produce SQL that means, on the target, what the expression meant in SQLite —
//! SQLite's dynamic typing, ASCII-only case folding in `LIKE`, binary string comparison, integer
//! division, NULL on division by zero, `YYYY-MM-DD HH:MM:SS` UTC text for `CURRENT_TIMESTAMP`.
//! Where a faithful equivalent exists it is emitted; where it does not, the function returns
//! `Err` with a reason a person can read.
//!
//! What it must not do: guess. It never emits SQL that is accepted by the target but silently
//! means something different (a different type of division, a case-insensitive comparison, a
//! function with other NULL rules); it never touches a database, never reads the schema itself,
//! and never renames anything on its own — names come from the caller's maps.
//!
//! Conventions this module relies on (owned by `dialect::*::types` / the copy):
//! - a `Timestamp` column is PostgreSQL `timestamp` (tz: false) holding UTC wall-clock time or
//!   `timestamptz` (tz: true), and MySQL/MariaDB `DATETIME(n)` holding UTC wall-clock time —
//!   SQLite text without an offset is UTC, as SQLite's own `CURRENT_TIMESTAMP` is;
//! - `Boolean` is PostgreSQL `boolean`, MySQL/MariaDB `TINYINT(1)`/`BOOLEAN` (0/1);
//! - MySQL/MariaDB text columns are `utf8mb4` with the binary no-pad collation (NOCASE columns a
//!   case-insensitive one), so comparisons there follow the column as SQLite's do; sessions run
//!   with `NO_BACKSLASH_ESCAPES` (MySQL) and `standard_conforming_strings` (PostgreSQL).
//!
//! The current time: SQLite's `CURRENT_TIMESTAMP` / `datetime('now')` is UTC text with whole
//! seconds, so on a timestamp column it becomes the UTC instant truncated to the second
//! (`date_trunc('second', CURRENT_TIMESTAMP)`, `UTC_TIMESTAMP()`), never the session's local time;
//! `%f` keeps milliseconds. `'localtime'` becomes the session's time zone (PostgreSQL
//! `LOCALTIMESTAMP`, MySQL `NOW()`), the nearest thing to the zone of the SQLite process.
//!
//! Known, documented limits: `lower`/`upper`/`LIKE` fold only ASCII letters in SQLite but all of
//! Unicode in the targets (a LIKE pattern containing a non-ASCII letter is refused; `lower('É')`
//! is `'é'` on the target, `'É'` in SQLite); in views (`translate_view`), the columns of
//! tables and of views whose result columns can be told are typed, with their SQLite affinity,
//! but those of CTEs, subqueries in FROM, set operations and ambiguous names are not: they
//! are compared and divided as the target does, and unaliased expression columns get the
//! target's names. `translate_expr` does not know whether it translates a predicate or a value:
//! a CHECK whose SQLite body is a bare number (`CHECK (qty)`) stays a number, which PostgreSQL
//! refuses when the constraint is created.

use std::collections::HashMap;

use sqlparser::ast::Statement;
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

use crate::schema::LogicalType;
use crate::dialect::Dialect;

mod compare;
mod defaults;
mod expr;
mod functions;
mod literals;
mod now;
mod operators;
mod parse;
mod printf;
mod select;
mod sources;
mod time;
mod timecol;
mod trigger;
mod tx;
mod values;

pub use sources::{SameShard, ViewColumn, ViewSource, ViewStatus, PENDING_VIEW};
pub use trigger::{Action, Event, RaiseKind, Timing, TranslatedTrigger, TriggerContext, TriggerTable};

use parse::{parse_expr, strip_nested};
use tx::Tx;

/// What the expression's identifiers mean in the target: source column name → (target column name, logical type).
pub struct ExprContext<'a> {
    pub dialect: Dialect,
    pub columns: &'a HashMap<String, (String, LogicalType)>,
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// Quote an identifier for the dialect ("x" with "" doubling for PostgreSQL, `x` with `` doubling
/// for MySQL/MariaDB).
pub fn quote_ident(name: &str, dialect: Dialect) -> String {
    dialect.spelling().quote_ident(name)
}

/// A string literal for the dialect. PostgreSQL runs with standard_conforming_strings on and
/// MySQL/MariaDB sessions with NO_BACKSLASH_ESCAPES, so both need only `''` doubling.
pub fn quote_literal(s: &str, dialect: Dialect) -> String {
    dialect.spelling().quote_literal(s)
}

/// A column DEFAULT (the text of PRAGMA table_info's dflt_value) for a column of logical type
/// `ty`. `Ok(None)` when the default is NULL (no DEFAULT clause needed); `Err(reason)` when it
/// cannot be carried. The result is what follows the `DEFAULT` keyword.
pub fn translate_default(dflt: &str, ty: &LogicalType, dialect: Dialect) -> Result<Option<String>, String> {
    on_deep_stack(dflt, || translate_default_here(dflt, ty, dialect))
}

fn translate_default_here(dflt: &str, ty: &LogicalType, dialect: Dialect) -> Result<Option<String>, String> {
    let expr = parse_expr(dflt)?;
    let mut tx = Tx::new(dialect, dflt);
    let e = strip_nested(&expr);
    // An expression the literal reading refuses is translated as a CHECK is; where that
    // fails too, a function call keeps the literal reading's reason (it names the function).
    let value = match tx.default_value(e) {
        Err(why) if defaults::is_expression(e) => tx.default_expr(e).map_err(|other| if matches!(e, sqlparser::ast::Expr::Function(_)) { why } else { other }),
        v => v,
    }
    .map_err(|e| format!("DEFAULT {}: {e}", dflt.trim()))?;
    tx.render_default(value, ty).map_err(|e| format!("DEFAULT {} on a {} column: {e}", dflt.trim(), ty.label()))
}

/// A literal DEFAULT (a number, a string or a blob, possibly signed) as SQLite stores it in a
/// column declared `declared`, the column's affinity applied. None for NULL, the current time,
/// an expression, or a value whose stored form is not certain.
pub fn default_literal_value(dflt: &str, declared: &str, dialect: Dialect) -> Option<rusqlite::types::Value> {
    let expr = parse_expr(dflt).ok()?;
    let tx = Tx::new(dialect, dflt);
    match tx.default_value(strip_nested(&expr)).ok()? {
        defaults::DefaultValue::Lit(l) => defaults::stored_literal(l, crate::mapping::declared::affinity(declared)),
        _ => None,
    }
}

/// CHECK bodies, WHERE predicates, index and generated expressions. Identifiers are looked up in
/// `ctx.columns` (exactly, then ignoring ASCII case, as SQLite does); a double-quoted word that
/// names no column is a string, as in SQLite.
pub fn translate_expr(expr: &str, ctx: &ExprContext) -> Result<String, String> {
    on_deep_stack(expr, || translate_expr_here(expr, ctx))
}

fn translate_expr_here(expr: &str, ctx: &ExprContext) -> Result<String, String> {
    let parsed = parse_expr(expr)?;
    let mut tx = Tx::new(ctx.dialect, expr);
    tx.cols = Some(ctx.columns);
    let t = tx.expr(&parsed).map_err(|e| format!("`{}`: {e}", expr.trim()))?;
    Ok(t.sql)
}

/// A view's SELECT (or its whole `CREATE VIEW … AS SELECT …`); `tables` maps source table (and
/// view) names to target names; column names are carried unchanged and untyped. Returns the
/// SELECT only.
pub fn translate_select(select: &str, dialect: Dialect, tables: &HashMap<String, String>) -> Result<String, String> {
    let sources: HashMap<String, ViewSource> = tables.iter().map(|(k, v)| (k.clone(), ViewSource::untyped(v))).collect();
    translate_view(select, dialect, &sources).map(|v| v.sql)
}

/// A view translated: its SELECT, and its result columns where their types are known (for
/// the views that read it).
#[derive(Debug, Clone)]
pub struct TranslatedView {
    pub sql: String,
    pub columns: Option<HashMap<String, ViewColumn>>,
}

/// A view's SELECT with what it reads known: each table's target name and, where known, its
/// columns' target names, types and SQLite affinities, so that comparisons and arithmetic
/// follow SQLite's rules for those columns (a TEXT column compared with `0` compares as text;
/// an INTEGER column over an INTEGER column divides as integers). Returns the SELECT only.
pub fn translate_view(select: &str, dialect: Dialect, tables: &HashMap<String, ViewSource>) -> Result<TranslatedView, String> {
    translate_named_view(select, &[], dialect, tables)
}

/// [`translate_view`] for a view that names its columns (`CREATE VIEW v(a, b) AS …`,
/// `names` in order; empty when it does not): the result columns are typed under those
/// names, and a SELECT whose column count differs is refused (SQLite makes such a view but
/// refuses every query of it; PostgreSQL would accept fewer names).
pub fn translate_named_view(select: &str, names: &[String], dialect: Dialect, tables: &HashMap<String, ViewSource>) -> Result<TranslatedView, String> {
    on_deep_stack(select, || translate_select_here(select, names, dialect, tables))
}

/// `CREATE [TEMP] TRIGGER [IF NOT EXISTS] …` as sqlite_master keeps it → what it does on the
/// target (`trigger.rs`); `Err` with the reason it cannot be carried.
pub fn translate_trigger(sql: &str, ctx: &TriggerContext) -> Result<TranslatedTrigger, String> {
    on_deep_stack(sql, || trigger::translate(sql, ctx))
}

/// Runs a translation of `text`: where the text is long enough to nest deeply, on a thread
/// whose stack holds `MAX_DEPTH` levels of the walk (each level is a few frames; a
/// 900-term `a+a+…` CHECK overflowed an 8 MiB stack), so no input can abort the process.
fn on_deep_stack<T: Send>(text: &str, f: impl FnOnce() -> Result<T, String> + Send) -> Result<T, String> {
    // Every level takes at least two characters of text.
    if text.len() < 100 {
        return f();
    }
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("ferry-translate".into())
            .stack_size(256 << 20)
            .spawn_scoped(s, f)
            .map_err(|e| format!("cannot start the translation: {e}"))?
            .join()
            .unwrap_or_else(|_| Err("the translation stopped".into()))
    })
}

fn translate_select_here(select: &str, names: &[String], dialect: Dialect, tables: &HashMap<String, ViewSource>) -> Result<TranslatedView, String> {
    let d = SQLiteDialect {};
    let stmts = Parser::parse_sql(&d, select).map_err(|e| format!("cannot parse the view: {e}"))?;
    if stmts.len() != 1 {
        return Err(format!("expected one SELECT statement, found {}", stmts.len()));
    }
    let names = names.to_vec();
    let query = match &stmts[0] {
        Statement::Query(q) => q.clone(),
        Statement::CreateView(cv) => {
            // Only the SELECT is returned: names given here would be lost.
            if !cv.columns.is_empty() {
                return Err("the view names its columns (`CREATE VIEW v(a, b) AS …`); give the column list to CREATE VIEW on the target".into());
            }
            cv.query.clone()
        }
        other => return Err(format!("not a SELECT: `{other}`")),
    };
    if !names.is_empty() {
        if let Some(n) = select::result_count(&query.body) {
            if n != names.len() {
                return Err(format!("the view names {} columns and its SELECT makes {n}: SQLite refuses every query of it", names.len()));
            }
        }
    }
    let mut tx = Tx::new(dialect, select);
    tx.tables = Some(tables);
    tx.names = names;
    let sql = tx.query(&query)?;
    let marked = std::mem::take(&mut tx.marked);
    let columns = tx.outputs.take().map(|outs| {
        let mut cols: HashMap<String, ViewColumn> = outs.into_iter()
            .map(|(name, kind, affinity)| (name.clone(), ViewColumn { target: name, logical: kind.to_logical(), affinity, epoch: None, time_of_number: None, grouped_with: Vec::new(), same_shard: Vec::new() }))
            .collect();
        for (name, c) in marked {
            cols.entry(name.clone()).or_insert(ViewColumn { target: name, ..c });
        }
        cols
    });
    Ok(TranslatedView { sql, columns })
}

#[cfg(test)]
mod golden;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod typed_views;
#[cfg(test)]
mod trigger_tests;

/// Against the real servers (PostgreSQL and MySQL/MariaDB).
#[cfg(test)]
mod live;
