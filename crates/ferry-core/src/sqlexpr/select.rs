//! Views: a SELECT (WITH, set operations, FROM and joins, WHERE, GROUP BY, HAVING, ORDER BY,
//! LIMIT) with the table names mapped to the target's; the expressions in it go through the same
//! translator with untyped columns.

use sqlparser::ast::{
    Distinct, Expr, GroupByExpr, Join, JoinConstraint, JoinOperator, LimitClause, ObjectNamePart,
    OrderByExpr, OrderByKind, OrderBySort, Query, Select, SelectFlavor, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, SetOperator, SetQuantifier, TableAlias, TableFactor,
    TableWithJoins, WildcardAdditionalOptions,
};

use super::parse::{one_part, strip_nested};
use super::tx::{Tx, R};
use super::values::{Kind, Lit};
use crate::mapping::declared::Affinity;

pub(super) fn plain_wildcard(o: &WildcardAdditionalOptions) -> R<()> {
    if o.opt_ilike.is_some() || o.opt_exclude.is_some() || o.opt_except.is_some() || o.opt_replace.is_some() || o.opt_rename.is_some() || o.opt_alias.is_some() {
        return Err("`* EXCEPT/REPLACE/…` is not SQLite".into());
    }
    Ok(())
}

/// How many columns a query's result has, where it can be told without the tables (no `*`).
pub(super) fn result_count(body: &SetExpr) -> Option<usize> {
    match body {
        SetExpr::Select(s) => {
            let star = s.projection.iter().any(|i| matches!(i, SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)));
            (!star).then_some(s.projection.len())
        }
        SetExpr::Query(q) => result_count(&q.body),
        SetExpr::SetOperation { left, .. } => result_count(left),
        SetExpr::Values(v) => v.rows.first().map(|r| r.len()),
        _ => None,
    }
}

impl<'a> Tx<'a> {
    /// A query, its columns those of its own FROM: a subquery in a trigger's UPDATE or DELETE
    /// does not see the written table's columns as its own.
    pub(super) fn query(&mut self, q: &Query) -> R<String> {
        self.queries += 1;
        let outer = self.cols.take();
        let r = self.query_here(q);
        self.cols = outer;
        self.queries -= 1;
        r
    }

    fn query_here(&mut self, q: &Query) -> R<String> {
        if q.fetch.is_some() || !q.locks.is_empty() || q.for_clause.is_some() || q.settings.is_some() || q.format_clause.is_some() || !q.pipe_operators.is_empty() {
            return Err(format!("`{q}` uses clauses SQLite does not have"));
        }
        let mut out = String::new();
        let pushed_ctes = q.with.is_some();
        if let Some(with) = &q.with {
            self.ctes.push(with.cte_tables.iter().map(|c| c.alias.name.value.to_ascii_lowercase()).collect());
            out.push_str(if with.recursive { "WITH RECURSIVE " } else { "WITH " });
            let mut parts = Vec::new();
            for cte in &with.cte_tables {
                if cte.materialized.is_some() || cte.from.is_some() {
                    return Err("MATERIALIZED hints on a CTE are not supported".into());
                }
                let cols = self.alias_columns(&cte.alias)?;
                let body = self.query(&cte.query)?;
                parts.push(format!("{}{cols} AS ({body})", self.qi(&cte.alias.name.value)));
            }
            out.push_str(&parts.join(", "));
            out.push(' ');
        }
        // ORDER BY may qualify columns with the SELECT's table names: keep its scope open.
        let own_scope = matches!(&*q.body, SetExpr::Select(_));
        if own_scope {
            self.scopes.push(Vec::new());
        }
        let result = (|| -> R<String> {
            let mut s = match &*q.body {
                SetExpr::Select(sel) => {
                    self.check_select(sel)?;
                    let outputs = self.queries == 1;
                    let s = self.select_inner(sel)?;
                    if outputs {
                        self.outputs = Some(self.select_outputs(sel));
                    }
                    s
                }
                other => self.set_expr(other)?,
            };
            if let Some(ob) = &q.order_by {
                let OrderByKind::Expressions(items) = &ob.kind else { return Err("ORDER BY ALL is not SQLite".into()) };
                if ob.interpolate.is_some() {
                    return Err("ORDER BY … INTERPOLATE is not SQLite".into());
                }
                // ORDER BY may name output columns: keep the body's scope visible.
                let keys = self.order_by(items)?;
                s.push_str(&format!(" ORDER BY {keys}"));
            }
            if let Some(lc) = &q.limit_clause {
                let (limit, offset) = match lc {
                    LimitClause::LimitOffset { limit, offset, limit_by } => {
                        if !limit_by.is_empty() {
                            return Err("LIMIT BY is not SQLite".into());
                        }
                        (limit.as_ref(), offset.as_ref().map(|o| &o.value))
                    }
                    LimitClause::OffsetCommaLimit { offset, limit } => (Some(limit), Some(offset)),
                };
                let num = |e: &Expr, this: &Self| -> R<i64> {
                    match strip_nested(e) {
                        Expr::Value(v) => match this.value_lit(v)? {
                            Lit::Int(n) if n >= 0 => Ok(n),
                            _ => Err("LIMIT/OFFSET must be a non-negative integer here".into()),
                        },
                        _ => Err("LIMIT/OFFSET must be a non-negative integer here".into()),
                    }
                };
                match (limit, offset) {
                    (Some(l), Some(o)) => s.push_str(&format!(" LIMIT {} OFFSET {}", num(l, self)?, num(o, self)?)),
                    (Some(l), None) => s.push_str(&format!(" LIMIT {}", num(l, self)?)),
                    (None, Some(_)) => return Err("OFFSET without LIMIT is not SQLite".into()),
                    (None, None) => {}
                }
            }
            Ok(s)
        })();
        if own_scope {
            self.scopes.pop();
        }
        if pushed_ctes {
            self.ctes.pop();
        }
        out.push_str(&result?);
        Ok(out)
    }

    pub(super) fn alias_columns(&self, alias: &TableAlias) -> R<String> {
        if alias.columns.is_empty() {
            return Ok(String::new());
        }
        let cols: Vec<String> = alias.columns.iter().map(|c| {
            if c.data_type.is_some() { Err("typed alias columns are not SQLite".to_string()) } else { Ok(self.qi(&c.name.value)) }
        }).collect::<R<_>>()?;
        Ok(format!("({})", cols.join(", ")))
    }

    pub(super) fn set_expr(&mut self, s: &SetExpr) -> R<String> {
        match s {
            SetExpr::Select(sel) => self.select(sel),
            SetExpr::Query(q) => Ok(format!("({})", self.query(q)?)),
            SetExpr::SetOperation { left, op, set_quantifier, right } => {
                let o = match op {
                    SetOperator::Union => "UNION",
                    SetOperator::Except => "EXCEPT",
                    SetOperator::Intersect => "INTERSECT",
                    SetOperator::Minus => return Err("MINUS is not SQLite".into()),
                };
                let q = match set_quantifier {
                    SetQuantifier::All => " ALL",
                    SetQuantifier::None | SetQuantifier::Distinct => "",
                    _ => return Err("UNION BY NAME is not SQLite".into()),
                };
                let l = self.set_expr(left)?;
                let r = self.set_expr(right)?;
                Ok(format!("{l} {o}{q} {r}"))
            }
            SetExpr::Values(v) => {
                if !self.sp.values_query() {
                    return Err("VALUES as a query: MySQL/MariaDB name its columns differently from SQLite".into());
                }
                let mut rows = Vec::new();
                for row in &v.rows {
                    let items = row.iter().map(|e| self.expr(e).map(|t| t.sql)).collect::<R<Vec<_>>>()?;
                    rows.push(format!("({})", items.join(", ")));
                }
                Ok(format!("VALUES {}", rows.join(", ")))
            }
            other => Err(format!("`{other}` is not a SELECT")),
        }
    }

    pub(super) fn select(&mut self, s: &Select) -> R<String> {
        self.check_select(s)?;
        self.scopes.push(Vec::new());
        let r = self.select_inner(s);
        self.scopes.pop();
        r
    }

    /// A result column: a bare column reference is carried as the column is, whatever the
    /// load made of it.
    fn item_expr(&mut self, e: &Expr) -> R<super::values::Tr> {
        self.bare_item = matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_));
        let t = self.expr(e);
        self.bare_item = false;
        t
    }

    pub(super) fn check_select(&self, s: &Select) -> R<()> {
        if s.top.is_some() || s.into.is_some() || !s.lateral_views.is_empty() || s.prewhere.is_some() || !s.connect_by.is_empty()
            || !s.cluster_by.is_empty() || !s.distribute_by.is_empty() || !s.sort_by.is_empty() || s.qualify.is_some()
            || s.value_table_mode.is_some() || s.exclude.is_some() || s.select_modifiers.is_some() || !s.optimizer_hints.is_empty()
            || s.flavor != SelectFlavor::Standard
        {
            return Err("the SELECT uses clauses SQLite does not have".into());
        }
        if !s.named_window.is_empty() {
            return Err("WINDOW clauses are not supported".into());
        }
        Ok(())
    }

    pub(super) fn select_inner(&mut self, s: &Select) -> R<String> {
        // FROM first: it defines the names the rest refers to.
        let from = if s.from.is_empty() {
            String::new()
        } else {
            let multi_with_joins = s.from.len() > 1 && s.from.iter().any(|t| !t.joins.is_empty());
            let mut parts = Vec::new();
            for twj in &s.from {
                parts.push(self.table_with_joins(twj)?);
            }
            // A comma binds looser than JOIN in the targets but not in SQLite.
            let sep = if multi_with_joins { " CROSS JOIN " } else { ", " };
            format!(" FROM {}", parts.join(sep))
        };
        let mut out = String::from("SELECT ");
        match &s.distinct {
            None | Some(Distinct::All) => {}
            Some(Distinct::Distinct) => out.push_str("DISTINCT "),
            Some(Distinct::On(_)) => return Err("DISTINCT ON is not SQLite".into()),
        }
        let mut items = Vec::new();
        let mut typed = Vec::new();
        for item in &s.projection {
            items.push(match item {
                SelectItem::UnnamedExpr(e) => {
                    let t = self.item_expr(e)?;
                    let sql = t.sql.clone();
                    typed.push(Some(t));
                    sql
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let t = self.item_expr(expr)?;
                    let sql = format!("{} AS {}", t.sql, self.qi(&alias.value));
                    typed.push(Some(t));
                    sql
                }
                SelectItem::Wildcard(opts) => {
                    plain_wildcard(opts)?;
                    typed.push(None);
                    "*".into()
                }
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), opts) => {
                    plain_wildcard(opts)?;
                    let q = match name.0.as_slice() {
                        [ObjectNamePart::Identifier(t)] => t,
                        [ObjectNamePart::Identifier(sch), ObjectNamePart::Identifier(t)] if sch.value.eq_ignore_ascii_case("main") => t,
                        _ => return Err(format!("`{name}.*` is not supported")),
                    };
                    typed.push(None);
                    format!("{}.*", self.resolve_qualifier(&q.value)?)
                }
                other => return Err(format!("`{other}` is not supported")),
            });
        }
        out.push_str(&items.join(", "));
        out.push_str(&from);
        if self.queries == 1 {
            self.items = typed;
        }
        if let Some(w) = &s.selection {
            out.push_str(&format!(" WHERE {}", self.pred(w)?.sql));
        }
        match &s.group_by {
            GroupByExpr::Expressions(exprs, mods) => {
                if !mods.is_empty() {
                    return Err("GROUP BY … WITH ROLLUP/CUBE is not SQLite".into());
                }
                if !exprs.is_empty() {
                    let mut g = exprs.iter().map(|e| self.expr(e).map(|t| t.sql)).collect::<R<Vec<_>>>()?;
                    // A key the target widened: its added columns join the group.
                    for e in exprs {
                        for k in self.grouped_with(e) {
                            if !g.contains(&k) {
                                g.push(k);
                            }
                        }
                    }
                    out.push_str(&format!(" GROUP BY {}", g.join(", ")));
                }
            }
            GroupByExpr::All(_) => return Err("GROUP BY ALL is not SQLite".into()),
        }
        if let Some(h) = &s.having {
            out.push_str(&format!(" HAVING {}", self.pred(h)?.sql));
        }
        Ok(out)
    }

    /// The view's result columns after `select_inner` translated `s` (its scope still open):
    /// a column keeps its table's type and affinity, an expression with an alias has its
    /// type and no affinity (datatype3 §3.2), `*` and `t.*` the columns of the tables whose
    /// columns are known. A name given twice is left out (SQLite renames the second).
    pub(super) fn select_outputs(&mut self, s: &Select) -> Vec<(String, Kind, Affinity)> {
        let mut out: Vec<(String, Kind, Affinity)> = Vec::new();
        let items = std::mem::take(&mut self.items);
        // The view names its columns: each item takes its name in order (a column keeps its
        // affinity, an expression has none); `*` leaves the order untold.
        if !self.names.is_empty() {
            if items.len() != self.names.len() || items.iter().any(Option::is_none) {
                return out;
            }
            for ((item, t), name) in s.projection.iter().zip(items.iter().flatten()).zip(&self.names) {
                let e = match item {
                    SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
                    _ => return Vec::new(),
                };
                let aff = match e {
                    Expr::Identifier(_) | Expr::CompoundIdentifier(_) => t.aff.unwrap_or(Affinity::Blob),
                    _ => Affinity::Blob,
                };
                out.push((name.clone(), t.kind, aff));
            }
            out.retain(|(_, k, _)| *k != Kind::Unknown && *k != Kind::Null);
            return out;
        }
        let scope: Vec<(String, Option<&'a super::sources::ViewSource>)> = self.scopes.last().map(|sc| sc.iter().map(|(n, _, src)| (n.clone(), *src)).collect()).unwrap_or_default();
        let table_columns = |src: &super::sources::ViewSource, out: &mut Vec<(String, Kind, Affinity)>| {
            for c in src.columns.iter().flatten().map(|(_, c)| c) {
                let kind = c.logical.as_ref().and_then(|l| Kind::from_logical(l).ok()).unwrap_or(Kind::Unknown);
                out.push((c.target.clone(), kind, c.affinity));
            }
        };
        for (item, t) in s.projection.iter().zip(items.iter()) {
            match (item, t) {
                (SelectItem::UnnamedExpr(e), Some(t)) => {
                    if let Expr::Identifier(id) = e {
                        out.push((id.value.clone(), t.kind, t.aff.unwrap_or(Affinity::Blob)));
                    } else if let Expr::CompoundIdentifier(ids) = e {
                        out.push((ids.last().map(|i| i.value.clone()).unwrap_or_default(), t.kind, t.aff.unwrap_or(Affinity::Blob)));
                    }
                }
                (SelectItem::ExprWithAlias { expr, alias }, Some(t)) => {
                    let aff = match expr {
                        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => t.aff.unwrap_or(Affinity::Blob),
                        _ => Affinity::Blob,
                    };
                    out.push((alias.value.clone(), t.kind, aff));
                }
                // Only where every table's columns are known: an unknown one could hold the same
                // name first.
                (SelectItem::Wildcard(_), _) if scope.iter().all(|(_, src)| src.is_some()) => {
                    for (_, src) in &scope {
                        if let Some(src) = src {
                            table_columns(src, &mut out);
                        }
                    }
                }
                (SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _), _) => {
                    let q = match name.0.last() {
                        Some(ObjectNamePart::Identifier(i)) => i.value.to_ascii_lowercase(),
                        _ => String::new(),
                    };
                    if let Some((_, Some(src))) = scope.iter().rev().find(|(n, _)| *n == q) {
                        table_columns(src, &mut out);
                    }
                }
                _ => {}
            }
        }
        // A column whose value is untyped, or a name given twice, is not typed.
        let mut seen = std::collections::HashMap::<String, usize>::new();
        for (n, _, _) in &out {
            *seen.entry(n.to_ascii_lowercase()).or_default() += 1;
        }
        out.retain(|(n, k, _)| seen[&n.to_ascii_lowercase()] == 1 && *k != Kind::Unknown && *k != Kind::Null);
        // A number the load made a timestamp stays one for the views that read this one.
        let mut marked = Vec::new();
        for item in &s.projection {
            let (e, name) = match item {
                SelectItem::UnnamedExpr(e) => (e, None),
                SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                    for (_, src) in &scope {
                        for c in src.iter().flat_map(|s| s.columns.iter().flatten()).map(|(_, c)| c).filter(|c| c.time_of_number.is_some()) {
                            marked.push((c.target.clone(), c.clone()));
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            if let Some(c) = self.time_of_number_column(e) {
                marked.push((name.unwrap_or_else(|| c.target.clone()), c.clone()));
            }
        }
        self.marked = marked;
        out
    }

    pub(super) fn table_with_joins(&mut self, twj: &TableWithJoins) -> R<String> {
        let mut out = self.table_factor(&twj.relation)?;
        for j in &twj.joins {
            out.push(' ');
            out.push_str(&self.join(j)?);
        }
        Ok(out)
    }

    pub(super) fn join(&mut self, j: &Join) -> R<String> {
        if j.global {
            return Err("GLOBAL JOIN is not SQLite".into());
        }
        let (kw, c) = match &j.join_operator {
            JoinOperator::Join(c) | JoinOperator::Inner(c) => ("JOIN", c),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => ("LEFT JOIN", c),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => ("RIGHT JOIN", c),
            JoinOperator::FullOuter(c) => {
                if !self.sp.full_join() {
                    return Err("FULL OUTER JOIN: MySQL/MariaDB have none".into());
                }
                ("FULL JOIN", c)
            }
            JoinOperator::CrossJoin(c) => ("CROSS JOIN", c),
            other => return Err(format!("join `{other:?}` is not SQLite")),
        };
        let rel = self.table_factor(&j.relation)?;
        Ok(match c {
            JoinConstraint::None if kw == "JOIN" => format!("CROSS JOIN {rel}"),
            JoinConstraint::None => {
                if kw != "CROSS JOIN" {
                    return Err(format!("{kw} without ON or USING"));
                }
                format!("{kw} {rel}")
            }
            JoinConstraint::Natural => format!("NATURAL {kw} {rel}"),
            JoinConstraint::On(e) => {
                let on = self.pred(e)?.sql;
                // Citus: co-located tables joined by their key joined on the shard column too.
                let extra = self.same_shard_terms(e);
                if extra.is_empty() {
                    format!("{kw} {rel} ON {on}")
                } else {
                    format!("{kw} {rel} ON ({on}) AND {}", extra.join(" AND "))
                }
            }
            JoinConstraint::Using(cols) => {
                let cs = cols.iter().map(|c| match one_part(c) {
                    Some(id) => Ok(self.qi(&id.value)),
                    None => Err(format!("USING ({c})")),
                }).collect::<R<Vec<_>>>()?;
                format!("{kw} {rel} USING ({})", cs.join(", "))
            }
            JoinConstraint::UsingAlias(..) => return Err("USING … AS is not SQLite".into()),
        })
    }

    pub(super) fn table_factor(&mut self, t: &TableFactor) -> R<String> {
        match t {
            TableFactor::Table { name, alias, args, version, with_ordinality, partitions, json_path, sample, inheritance, .. } => {
                if args.is_some() {
                    return Err(format!("table-valued function `{name}` (…) has no equivalent"));
                }
                if version.is_some() || *with_ordinality || !partitions.is_empty() || json_path.is_some() || sample.is_some() || inheritance.is_some() {
                    return Err(format!("`{t}` uses clauses SQLite does not have"));
                }
                let id = match name.0.as_slice() {
                    [ObjectNamePart::Identifier(t)] => t,
                    [ObjectNamePart::Identifier(s), ObjectNamePart::Identifier(t)] if s.value.eq_ignore_ascii_case("main") => t,
                    _ => return Err(format!("`{name}` is not a table of the main database")),
                };
                let lower = id.value.to_ascii_lowercase();
                let is_cte = self.ctes.iter().any(|c| c.contains(&lower));
                let (target, source) = if is_cte {
                    (self.qi(&id.value), None)
                } else {
                    let tables = self.tables.expect("view mode");
                    let found = tables.get(&id.value).or_else(|| tables.iter().find(|(k, _)| k.eq_ignore_ascii_case(&id.value)).map(|(_, v)| v));
                    match found {
                        Some(t) => match &t.status {
                            super::sources::ViewStatus::Made => (self.qi(&t.target), t.columns.as_ref().map(|_| t)),
                            super::sources::ViewStatus::Pending => return Err(format!("it reads the view `{}`, {}", id.value, super::sources::PENDING_VIEW)),
                            super::sources::ViewStatus::Refused(why) => return Err(format!("it reads the view `{}`, which was not created ({why})", id.value)),
                        },
                        None => return Err(format!("the view reads `{}`, which is not among the migrated tables", id.value)),
                    }
                };
                match alias {
                    Some(a) => {
                        let cols = self.alias_columns(a)?;
                        let q = self.qi(&a.name.value);
                        // Renamed columns: their types no longer follow the names.
                        let source = if cols.is_empty() { source } else { None };
                        self.scopes.last_mut().expect("scope").push((a.name.value.to_ascii_lowercase(), q.clone(), source));
                        Ok(format!("{target} AS {q}{cols}"))
                    }
                    None => {
                        self.scopes.last_mut().expect("scope").push((lower, target.clone(), source));
                        Ok(target)
                    }
                }
            }
            TableFactor::Derived { lateral, subquery, alias, .. } => {
                if *lateral {
                    return Err("LATERAL is not SQLite".into());
                }
                let q = self.query(subquery)?;
                // PostgreSQL 15 and MySQL need a name for a subquery in FROM; SQLite does not.
                let (name, cols) = match alias {
                    Some(a) => (a.name.value.clone(), self.alias_columns(a)?),
                    None => {
                        self.derived += 1;
                        (format!("ferry_subquery_{}", self.derived), String::new())
                    }
                };
                let qn = self.qi(&name);
                self.scopes.last_mut().expect("scope").push((name.to_ascii_lowercase(), qn.clone(), None));
                Ok(format!("({q}) AS {qn}{cols}"))
            }
            TableFactor::NestedJoin { table_with_joins, alias } => {
                if alias.is_some() {
                    return Err("an alias on a parenthesised join is not supported".into());
                }
                Ok(format!("({})", self.table_with_joins(table_with_joins)?))
            }
            other => Err(format!("`{other}` is not supported in a view")),
        }
    }

    pub(super) fn order_by(&mut self, items: &[OrderByExpr]) -> R<String> {
        let mut keys = Vec::new();
        for it in items {
            if it.with_fill.is_some() {
                return Err("WITH FILL is not SQLite".into());
            }
            let desc = match it.options.sort {
                None | Some(OrderBySort::Asc) => false,
                Some(OrderBySort::Desc) => true,
                Some(_) => return Err("ORDER BY USING is not SQLite".into()),
            };
            let t = self.expr(&it.expr)?;
            // SQLite sorts NULLs first ascending and last descending.
            let nulls_first = it.options.nulls_first.unwrap_or(!desc);
            let column_number = matches!(t.lit, Some(Lit::Int(_)));
            keys.push(self.sp.order_key(&t.sql, &t.operand(), desc, nulls_first, column_number)?);
        }
        Ok(keys.join(", "))
    }
}
