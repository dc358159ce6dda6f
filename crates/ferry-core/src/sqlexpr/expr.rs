//! The expression walk: each sqlparser node to its construct's translation, column references
//! (renamed and typed from the caller's map, or untyped in a view), and the conversions SQLite
//! makes implicitly (a number as a truth value, a boolean as a number).

use sqlparser::ast::{CastKind, CeilFloorKind, DateTimeField, Expr, Ident, UnaryOperator};

use super::compare::Cmp;
use super::literals::numeric_text;
use super::parse::strip_nested;
use super::tx::{Tx, MAX_DEPTH, R};
use super::values::{Kind, Lit, Tr};

impl<'a> Tx<'a> {
    /// One expression node, translated; refused past `MAX_DEPTH` levels rather than
    /// overflowing the stack.
    pub(super) fn expr(&mut self, e: &Expr) -> R<Tr> {
        if self.depth >= MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels: not translated"));
        }
        self.depth += 1;
        let r = self.expr_node(e);
        self.depth -= 1;
        r
    }

    fn expr_node(&mut self, e: &Expr) -> R<Tr> {
        match e {
            Expr::Identifier(id) => self.column(std::slice::from_ref(id)),
            Expr::CompoundIdentifier(ids) => self.column(ids),
            Expr::Nested(inner) => {
                let t = self.expr(inner)?;
                Ok(Tr { sql: format!("({})", t.sql), atom: true, ..t })
            }
            Expr::Value(v) => Ok(self.lit_tr(self.value_lit(v)?)),
            Expr::UnaryOp { op, expr } => {
                if let Some(l) = self.signed_lit(op, strip_nested(expr))? {
                    return Ok(self.lit_tr(l));
                }
                match op {
                    UnaryOperator::Not => {
                        let t = self.expr(expr)?;
                        let t = self.to_pred(t)?;
                        Ok(Tr::boolean(format!("NOT {}", t.operand())))
                    }
                    UnaryOperator::Minus | UnaryOperator::Plus => {
                        let t = self.expr(expr)?;
                        let t = self.to_num(t, "a sign")?;
                        let s = if *op == UnaryOperator::Minus { "-" } else { "+" };
                        Ok(Tr::new(format!("{s}{}", t.operand()), t.kind, false))
                    }
                    UnaryOperator::BitwiseNot if self.sp.signed_bitwise() => {
                        let t = self.expr(expr)?;
                        self.int_only(&t, "~")?;
                        Ok(Tr::new(format!("~{}", t.operand()), Kind::Int, false))
                    }
                    UnaryOperator::BitwiseNot => Err("MySQL/MariaDB's ~ works on unsigned 64-bit integers, SQLite's on signed ones".into()),
                    _ => Err(format!("operator `{op}` is not SQLite")),
                }
            }
            Expr::BinaryOp { left, op, right } => self.binary(left, op, right),
            Expr::IsNull(x) | Expr::IsNotNull(x) => {
                let t = self.expr(x)?;
                let not = if matches!(e, Expr::IsNotNull(_)) { " NOT" } else { "" };
                Ok(Tr::boolean(format!("{} IS{not} NULL", t.operand())))
            }
            Expr::IsTrue(x) | Expr::IsFalse(x) | Expr::IsNotTrue(x) | Expr::IsNotFalse(x) => {
                let t = self.expr(x)?;
                let t = self.to_pred(t)?;
                let what = match e {
                    Expr::IsTrue(_) => "IS TRUE",
                    Expr::IsFalse(_) => "IS FALSE",
                    Expr::IsNotTrue(_) => "IS NOT TRUE",
                    _ => "IS NOT FALSE",
                };
                Ok(Tr::boolean(format!("{} {what}", t.operand())))
            }
            Expr::IsDistinctFrom(l, r) => self.compare(l, Cmp::IsNot, r),
            Expr::IsNotDistinctFrom(l, r) => self.compare(l, Cmp::Is, r),
            Expr::In { expr, target, negated, .. } => self.in_expr(expr, target, *negated),
            Expr::Between { expr, negated, low, high } => self.between(expr, *negated, low, high),
            Expr::Like { negated, any: false, expr, pattern, escape_char } => {
                self.like(expr, pattern, escape_char.as_deref(), *negated)
            }
            Expr::Case { operand, conditions, else_result, .. } => {
                self.case(operand.as_deref(), conditions, else_result.as_deref())
            }
            Expr::Cast { kind: CastKind::Cast, expr, data_type, format: None } => self.cast(expr, &data_type.to_string()),
            Expr::Function(f) => self.function(f),
            Expr::Substring { expr, substring_from, substring_for, .. } => {
                self.substr(expr, substring_from.as_deref(), substring_for.as_deref())
            }
            Expr::Trim { trim_where: None, trim_what: None, expr, trim_characters } => {
                let chars = match trim_characters.as_deref() {
                    None => None,
                    Some([c]) => Some(c),
                    Some(_) => return Err("trim() takes one set of characters".into()),
                };
                self.trim("trim", expr, chars)
            }
            Expr::Ceil { expr, field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime) }
            | Expr::Floor { expr, field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime) } => {
                let t = self.expr(expr)?;
                let t = self.to_num(t, "ceil/floor")?;
                let f = if matches!(e, Expr::Ceil { .. }) { "ceil" } else { "floor" };
                let f = self.sp.function_name(f);
                Ok(Tr::new(format!("{f}({})", t.sql), t.kind, true))
            }
            Expr::Collate { expr, collation } => {
                let c = collation.to_string();
                if c.eq_ignore_ascii_case("binary") {
                    // SQLite's default; the comparisons below already compare like BINARY.
                    self.expr(expr)
                } else {
                    Err(format!("COLLATE {c} has no faithful equivalent in {} (SQLite's NOCASE folds only ASCII, RTRIM ignores trailing spaces)", self.sp.name()))
                }
            }
            Expr::Exists { subquery, negated } => {
                self.need_view("a subquery")?;
                let q = self.query(subquery)?;
                let not = if *negated { "NOT " } else { "" };
                Ok(Tr::boolean(format!("{not}EXISTS ({q})")))
            }
            Expr::Subquery(q) => {
                self.need_view("a subquery")?;
                let q = self.query(q)?;
                Ok(Tr::new(format!("({q})"), Kind::Unknown, true))
            }
            _ => Err(format!("`{e}` has no faithful translation")),
        }
    }

    pub(super) fn need_view(&self, what: &str) -> R<()> {
        if self.view_mode() { Ok(()) } else { Err(format!("{what} cannot appear here")) }
    }

    /// A column reference.
    pub(super) fn column(&mut self, parts: &[Ident]) -> R<Tr> {
        if let Some(t) = self.row_ref(parts)? {
            return Ok(t);
        }
        if let Some(cols) = self.cols {
            let name = &parts.last().expect("identifier").value;
            if parts.len() > 3 {
                return Err(format!("`{}` is not a column", parts.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join(".")));
            }
            let found = cols.get(name).or_else(|| {
                cols.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
            });
            return match found {
                Some((target, ty)) => {
                    let kind = Kind::from_logical(ty).map_err(|e| format!("column {name}: {e}"))?;
                    Ok(Tr::new(self.qi(target), kind, true))
                }
                // SQLite reads a double-quoted word that names no column as a string literal.
                None if parts.len() == 1 && parts[0].quote_style == Some('"') => Ok(self.lit_tr(Lit::Str(name.clone()))),
                None if ["rowid", "oid", "_rowid_"].contains(&name.to_ascii_lowercase().as_str()) => {
                    Err(format!("`{name}` is SQLite's hidden row id, which the target does not have"))
                }
                None => Err(format!("`{name}` is not a column of the table")),
            };
        }
        // A view: column names are carried unchanged; qualifiers follow the FROM clauses.
        let parts: Vec<&Ident> = match parts {
            [schema, rest @ ..] if parts.len() == 3 && schema.value.eq_ignore_ascii_case("main") => rest.iter().collect(),
            _ => parts.iter().collect(),
        };
        match parts.as_slice() {
            [col] => {
                if col.quote_style.is_none() && ["rowid", "oid", "_rowid_"].contains(&col.value.to_ascii_lowercase().as_str()) {
                    return Err(format!("`{}` is SQLite's hidden row id, which the target does not have", col.value));
                }
                match self.unqualified_column(&col.value) {
                    Some(c) => self.view_column(self.qi(&c.target), c),
                    None => Ok(Tr::new(self.qi(&col.value), Kind::Unknown, true)),
                }
            }
            [q, col] => {
                let (qual, source) = self.qualifier(&q.value)?;
                match source.and_then(|s| find_column(s, &col.value)) {
                    Some(c) => self.view_column(format!("{qual}.{}", self.qi(&c.target)), c),
                    None => Ok(Tr::new(format!("{qual}.{}", self.qi(&col.value)), Kind::Unknown, true)),
                }
            }
            _ => Err(format!("`{}` is not a column reference the target can resolve", parts.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join("."))),
        }
    }

    pub(super) fn resolve_qualifier(&self, q: &str) -> R<String> {
        self.qualifier(q).map(|(t, _)| t)
    }

    /// The qualifier's SQL and, when it is a table whose columns are known, the table.
    fn qualifier(&self, q: &str) -> R<(String, Option<&'a super::sources::ViewSource>)> {
        let l = q.to_ascii_lowercase();
        for scope in self.scopes.iter().rev() {
            if let Some((_, t, source)) = scope.iter().rev().find(|(n, _, _)| *n == l) {
                return Ok((t.clone(), *source));
            }
        }
        Err(format!("`{q}` names no table in the query"))
    }

    /// An unqualified column of a view, where the FROM clauses say which table's it is: the
    /// innermost query whose tables have it, one table with that name only. `None` when a
    /// subquery, a CTE or a view in the way may hold it (its type is then unknown).
    fn unqualified_column(&self, name: &str) -> Option<&'a super::sources::ViewColumn> {
        for scope in self.scopes.iter().rev() {
            let found: Vec<&super::sources::ViewColumn> = scope.iter().filter_map(|(_, _, s)| s.and_then(|s| find_column(s, name))).collect();
            match found.as_slice() {
                [one] => return Some(one),
                [] if scope.iter().all(|(_, _, s)| s.is_some()) => continue,
                _ => return None,
            }
        }
        None
    }

    /// The columns grouping by `e` also groups by on the target (`ViewColumn::grouped_with`),
    /// qualified as `e`'s table is in the query.
    pub(super) fn grouped_with(&self, e: &sqlparser::ast::Expr) -> Vec<String> {
        use sqlparser::ast::Expr;
        let found = match e {
            Expr::Identifier(id) => self.scopes.last().and_then(|scope| {
                let mut hits = scope.iter().filter_map(|(_, q, s)| s.and_then(|s| find_column(s, &id.value)).map(|c| (q.clone(), c)));
                let one = hits.next();
                if hits.next().is_some() { None } else { one }
            }),
            Expr::CompoundIdentifier(ids) if ids.len() == 2 => self.qualifier(&ids[0].value).ok().and_then(|(q, s)| Some((q, find_column(s?, &ids[1].value)?))),
            _ => None,
        };
        match found {
            Some((q, c)) => c.grouped_with.iter().map(|k| format!("{q}.{}", self.qi(k))).collect(),
            None => Vec::new(),
        }
    }

    /// The equalities of distribution columns a join's ON implies (`ViewColumn::same_shard`):
    /// for each `a.x = b.y` among its ANDed terms where `a.x` references `b.y` by a key that
    /// includes both distribution columns, `a.da = b.db`, unless the ON says it already.
    pub(super) fn same_shard_terms(&self, on: &sqlparser::ast::Expr) -> Vec<String> {
        use sqlparser::ast::{BinaryOperator as B, Expr};
        let mut eqs: Vec<(&Expr, &Expr)> = Vec::new();
        let mut stack = vec![on];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Nested(inner) => stack.push(inner),
                Expr::BinaryOp { left, op: B::And, right } => {
                    stack.push(right);
                    stack.push(left);
                }
                Expr::BinaryOp { left, op: B::Eq, right } => eqs.push((left, right)),
                _ => {}
            }
        }
        let column = |e: &Expr| -> Option<(String, &'a super::sources::ViewSource, &'a super::sources::ViewColumn)> {
            let Expr::CompoundIdentifier(ids) = e else { return None };
            let [q, c] = ids.as_slice() else { return None };
            let (qsql, src) = self.qualifier(&q.value).ok()?;
            let src = src?;
            Some((qsql, src, find_column(src, &c.value)?))
        };
        let cols: Vec<_> = eqs.iter().filter_map(|(l, r)| Some((column(l)?, column(r)?))).collect();
        let said = |qa: &str, ca: &str, qb: &str, cb: &str| {
            cols.iter().any(|((q1, _, c1), (q2, _, c2))| (q1 == qa && c1.target == ca && q2 == qb && c2.target == cb) || (q1 == qb && c1.target == cb && q2 == qa && c2.target == ca))
        };
        let mut out = Vec::new();
        for (l, r) in &cols {
            for ((qa, _, ca), (qb, sb, cb)) in [(l, r), (r, l)] {
                for j in &ca.same_shard {
                    if sb.target == j.table && cb.target == j.column && !said(qa, &j.own, qb, &j.theirs) {
                        let term = format!("{qa}.{} = {qb}.{}", self.qi(&j.own), self.qi(&j.theirs));
                        if !out.contains(&term) {
                            out.push(term);
                        }
                    }
                }
            }
        }
        out
    }

    /// A column reference to a number the load made a timestamp (`ViewColumn::time_of_number`).
    pub(super) fn time_of_number_column(&self, e: &sqlparser::ast::Expr) -> Option<&'a super::sources::ViewColumn> {
        use sqlparser::ast::Expr;
        let c = match e {
            Expr::Identifier(id) => self.unqualified_column(&id.value)?,
            Expr::CompoundIdentifier(ids) if ids.len() == 2 => find_column(self.qualifier(&ids[0].value).ok()?.1?, &ids[1].value)?,
            _ => return None,
        };
        c.time_of_number.as_ref().map(|_| c)
    }

    /// A column of a known table holding epoch seconds in SQLite and their timestamp on the
    /// target (`ViewColumn::epoch`): its SQL and whether the timestamp has a zone.
    pub(super) fn epoch_column(&self, e: &sqlparser::ast::Expr) -> Option<(String, bool)> {
        use sqlparser::ast::Expr;
        if self.cols.is_some() {
            return None;
        }
        match super::parse::strip_nested(e) {
            Expr::Identifier(id) => self.unqualified_column(&id.value).and_then(|c| c.epoch.map(|tz| (self.qi(&c.target), tz))),
            Expr::CompoundIdentifier(ids) if ids.len() == 2 => {
                let (qual, source) = self.qualifier(&ids[0].value).ok()?;
                let c = find_column(source?, &ids[1].value)?;
                c.epoch.map(|tz| (format!("{qual}.{}", self.qi(&c.target)), tz))
            }
            _ => None,
        }
    }

    /// A view's column of a known table: typed as the target holds it, with its affinity.
    fn view_column(&self, sql: String, c: &super::sources::ViewColumn) -> R<Tr> {
        if let Some(tr) = &c.time_of_number {
            if !self.bare_item {
                return Err(format!(
                    "it computes with {}, a number in SQLite that the load made a timestamp ({tr}): the target would compute with the timestamp; carried only as a result column of its own{}",
                    c.target,
                    if c.epoch.is_some() { " or through 'unixepoch' (datetime(x, 'unixepoch'), …)" } else { "" }
                ));
            }
        }
        let kind = match &c.logical {
            Some(l) => Kind::from_logical(l).unwrap_or(Kind::Unknown),
            None => Kind::Unknown,
        };
        let mut t = Tr::new(sql, kind, true);
        if kind != Kind::Unknown {
            t.aff = Some(c.affinity);
        }
        Ok(t)
    }

    /// As a truth value (a target with a boolean type needs booleans where SQLite takes any
    /// number).
    pub(super) fn to_pred(&self, t: Tr) -> R<Tr> {
        if !self.sp.has_boolean_type() {
            return Ok(t);
        }
        match t.kind {
            Kind::Bool | Kind::Null | Kind::Unknown => Ok(t),
            Kind::Int | Kind::Dec | Kind::Float => match &t.lit {
                Some(Lit::Int(n)) => Ok(Tr::new(self.sp.bool_literal(*n != 0), Kind::Bool, true)),
                Some(Lit::Real(_, f)) => Ok(Tr::new(self.sp.bool_literal(*f != 0.0), Kind::Bool, true)),
                _ => Ok(Tr::boolean(format!("{} <> 0", t.operand()))),
            },
            k => Err(format!("SQLite tests the truth of a {} value by converting it to a number; there is no faithful equivalent", k.label())),
        }
    }

    pub(super) fn pred(&mut self, e: &Expr) -> R<Tr> {
        let t = self.expr(e)?;
        self.to_pred(t)
    }

    /// As a number (booleans become 0/1).
    pub(super) fn to_num(&self, t: Tr, what: &str) -> R<Tr> {
        match t.kind {
            Kind::Bool => Ok(match self.sp.bool_as_int(&t.sql) {
                Some(sql) => Tr::new(sql, Kind::Int, true),
                None => Tr { kind: Kind::Int, ..t },
            }),
            Kind::Int | Kind::Dec | Kind::Float | Kind::Null | Kind::Unknown => Ok(t),
            Kind::Text => match &t.lit {
                Some(Lit::Str(s)) => match numeric_text(s) {
                    Some(l) => Ok(self.lit_tr(l)),
                    None => Err(format!("{what} on the text {}: SQLite converts it to a number first", t.sql)),
                },
                _ => Err(format!("{what} on a text value: SQLite converts it to a number first, the target does not do it the same way")),
            },
            k => Err(format!("{what} on a {} value has no faithful equivalent", k.label())),
        }
    }

    pub(super) fn int_only(&self, t: &Tr, what: &str) -> R<()> {
        match t.kind {
            Kind::Int | Kind::Null => Ok(()),
            k => Err(format!("`{what}` on a {} value: SQLite first converts it to an integer", k.label())),
        }
    }
}

/// A column of a table by its source name (exactly, then ignoring ASCII case, as SQLite does).
fn find_column<'s>(s: &'s super::sources::ViewSource, name: &str) -> Option<&'s super::sources::ViewColumn> {
    let cols = s.columns.as_ref()?;
    cols.get(name).or_else(|| cols.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}
