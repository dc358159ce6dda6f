//! Comparisons: =, <>, <, IS, IN, BETWEEN and typeof() tests, made to compare as SQLite compares
//! (its affinity rules for literals, BINARY text order, timestamps as text).

use sqlparser::ast::{Expr, InTarget, Value, ValueWithSpan};

use super::literals::{canonical_uuid, lowercase_uuid, numeric_text, parse_timestamp_text, sqlite_real_text, valid_date_text};
use super::parse::{strip_nested, typeof_arg};
use super::tx::{Tx, R};
use super::values::{Kind, Lit, Tr};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Cmp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    /// SQLite `IS` / `IS NOT` between values: NULL-safe (in)equality.
    Is,
    IsNot,
}

impl Cmp {
    pub(super) fn flip(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::LtEq => Cmp::GtEq,
            Cmp::Gt => Cmp::Lt,
            Cmp::GtEq => Cmp::LtEq,
            x => x,
        }
    }
    pub(super) fn ordering(self) -> bool {
        matches!(self, Cmp::Lt | Cmp::LtEq | Cmp::Gt | Cmp::GtEq)
    }
    pub(super) fn sym(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::NotEq => "<>",
            Cmp::Lt => "<",
            Cmp::LtEq => "<=",
            Cmp::Gt => ">",
            Cmp::GtEq => ">=",
            Cmp::Is => "IS",
            Cmp::IsNot => "IS NOT",
        }
    }
}

impl<'a> Tx<'a> {
    pub(super) fn compare(&mut self, l: &Expr, op: Cmp, r: &Expr) -> R<Tr> {
        // typeof(col) = 'integer' — answerable from the column's target type.
        if let Some(t) = self.typeof_compare(l, op, r)? {
            return Ok(t);
        }
        if let Some(t) = self.typeof_compare(r, op, l)? {
            return Ok(t);
        }
        let a = self.expr(l)?;
        let b = self.expr(r)?;
        self.compare_tr(a, op, b)
    }

    pub(super) fn compare_tr(&self, a: Tr, op: Cmp, b: Tr) -> R<Tr> {
        let (a, op, b) = self.align(a, op, b)?;
        let sql = match op {
            Cmp::Is | Cmp::IsNot => self.sp.null_safe_equal(&a.operand(), &b.operand(), op == Cmp::IsNot),
            _ => format!("{} {} {}", a.operand(), op.sym(), b.operand()),
        };
        Ok(Tr::boolean(sql))
    }

    /// Make the two sides of a comparison compare as SQLite compares them.
    pub(super) fn align(&self, a: Tr, op: Cmp, b: Tr) -> R<(Tr, Cmp, Tr)> {
        if b.is_const() && !a.is_const() {
            let (b, op) = self.coerce_to(&a, b, op)?;
            let a = self.collate_for(a, &b, op);
            return Ok((a, op, b));
        }
        if a.is_const() && !b.is_const() {
            let (a, op) = self.coerce_to(&b, a, op.flip())?;
            let op = op.flip();
            let b = self.collate_for(b, &a, op);
            return Ok((a, op, b));
        }
        if a.is_const() && b.is_const() {
            return Ok((a, op, b));
        }
        // Two non-literal values.
        use Kind as K;
        let (a, b) = match (a.kind, b.kind) {
            (K::Bool, K::Int | K::Dec | K::Float) if self.sp.has_boolean_type() => (self.to_num(a, "a comparison")?, b),
            (K::Int | K::Dec | K::Float, K::Bool) if self.sp.has_boolean_type() => {
                let b = self.to_num(b, "a comparison")?;
                (a, b)
            }
            // A timestamp with zone and one without: both hold UTC.
            (K::Ts(x), K::Ts(y)) if x != y => match self.sp.utc_zoned(&if x { &b } else { &a }.operand()) {
                Some(sql) => {
                    let fixed = Tr::new(sql, K::Ts(true), false);
                    if x { (a, fixed) } else { (fixed, b) }
                }
                None => (a, b),
            },
            (K::Ts(_), K::Ts(_)) => (a, b),
            (x, y) if x == y => (a, b),
            (x, y) if x.numeric() && y.numeric() => (a, b),
            (K::Bool, x) | (x, K::Bool) if x.numeric() => (a, b),
            (K::Unknown | K::Null, _) | (_, K::Unknown | K::Null) => (a, b),
            (x, y) => {
                return Err(format!(
                    "compares a {} value with a {} value; SQLite's comparison rules for mixed types have no faithful equivalent",
                    x.label(), y.label()
                ))
            }
        };
        if (a.kind == K::Json || b.kind == K::Json) && (!matches!(op, Cmp::Is | Cmp::IsNot) || !(a.kind == K::Null || b.kind == K::Null)) {
            return Err("compares JSON values: SQLite compares their text, the target compares JSON".into());
        }
        if a.kind == K::Uuid && op.ordering() {
            return Err("orders UUIDs: SQLite orders their text, the target orders the values".into());
        }
        let a = self.collate_for(a, &b, op);
        Ok((a, op, b))
    }

    /// Text compared with text: SQLite compares with the column's collation (BINARY unless
    /// declared otherwise). MySQL/MariaDB tables are created with the binary no-pad collation
    /// (NOCASE columns with a case-insensitive one), so the column's own collation already does
    /// what SQLite does there. PostgreSQL's equality is exact, but its ordering follows the
    /// database locale: pin ordering comparisons to "C" (byte order, as SQLite's memcmp).
    pub(super) fn collate_for(&self, t: Tr, other: &Tr, op: Cmp) -> Tr {
        if !self.sp.locale_ordering() || !op.ordering() || t.kind != Kind::Text || t.is_const() {
            return t;
        }
        if !matches!(other.kind, Kind::Text | Kind::Unknown) {
            return t;
        }
        Tr::new(format!("{} COLLATE {}", t.operand(), self.bin_collation()), Kind::Text, false)
    }

    /// Turn a literal (or the current time) into what SQLite compares `col` with, given SQLite's
    /// affinity rules.
    pub(super) fn coerce_to(&self, col: &Tr, c: Tr, op: Cmp) -> R<(Tr, Cmp)> {
        if let Some(spec) = &c.now {
            return match col.kind {
                Kind::Ts(_) | Kind::Date | Kind::Text | Kind::Unknown | Kind::Null => Ok((self.now_as(col.kind, spec)?, op)),
                k => Err(format!("compares a {} value with the current time", k.label())),
            };
        }
        let lit = c.lit.clone().expect("literal");
        if lit == Lit::Null {
            return Ok((c, op));
        }
        let bad = |why: &str| Err(format!("compares a {} value with {}: {why}", col.kind.label(), c.sql));
        if let Some(aff) = col.aff {
            if let Some(t) = self.affinity_literal(col.kind, aff, &lit, op).map_err(|why| format!("compares the column {} with {}: {why}", col.sql, c.sql))? {
                return Ok((t, op));
            }
        }
        match col.kind {
            Kind::Unknown | Kind::Null => Ok((c, op)),
            Kind::Bool => {
                let v = match &lit {
                    Lit::Int(n) => Some(*n),
                    Lit::Real(_, f) if f.fract() == 0.0 => Some(*f as i64),
                    Lit::Str(s) => match numeric_text(s) {
                        Some(Lit::Int(n)) => Some(n),
                        _ => None,
                    },
                    _ => None,
                };
                match v {
                    Some(n @ (0 | 1)) if self.sp.has_boolean_type() => Ok((Tr::new(self.sp.bool_literal(n == 1), Kind::Bool, true), op)),
                    Some(n @ (0 | 1)) => Ok((self.lit_tr(Lit::Int(n)), op)),
                    Some(n) if !self.sp.has_boolean_type() => Ok((self.lit_tr(Lit::Int(n)), op)),
                    _ => bad("a boolean column holds only 0 and 1"),
                }
            }
            Kind::Int | Kind::Dec | Kind::Float => match &lit {
                Lit::Int(_) | Lit::Real(..) => Ok((c, op)),
                Lit::Str(s) => match numeric_text(s) {
                    Some(l) => Ok((self.lit_tr(l), op)),
                    None => bad("SQLite orders every number before every text"),
                },
                _ => bad("SQLite orders every number before every blob"),
            },
            Kind::Text => match &lit {
                Lit::Str(_) => Ok((c, op)),
                Lit::Int(n) => Ok((self.lit_tr(Lit::Str(n.to_string())), op)),
                Lit::Real(_, f) => match sqlite_real_text(*f) {
                    Some(s) => Ok((self.lit_tr(Lit::Str(s)), op)),
                    None => bad("SQLite compares it as its own float text"),
                },
                _ => bad("SQLite orders every text before every blob"),
            },
            Kind::Bytes => match &lit {
                Lit::Blob(_) => Ok((c, op)),
                _ => bad("SQLite never finds a blob equal to a number or a text"),
            },
            Kind::Date => match &lit {
                Lit::Str(s) if valid_date_text(s) => Ok((c, op)),
                _ => bad("only a YYYY-MM-DD text compares the same way with a date"),
            },
            Kind::Ts(tz) => match &lit {
                Lit::Str(s) => match parse_timestamp_text(s) {
                    Some((norm, false)) => Ok((Tr::new(self.ts_literal(&norm, tz), col.kind, true), op)),
                    // SQLite compares text: '2020-01-01' sorts before every time on that day.
                    Some((norm, true)) => {
                        let op = match op {
                            Cmp::Gt => Cmp::GtEq,
                            Cmp::LtEq => Cmp::Lt,
                            Cmp::GtEq | Cmp::Lt => op,
                            _ => return bad("SQLite compares the text, and a date alone never equals a stored timestamp"),
                        };
                        let mut t = Tr::new(self.ts_literal(&norm, tz), col.kind, true);
                        t.lit = Some(Lit::Str(norm));
                        Ok((t, op))
                    }
                    None => bad("not a timestamp"),
                },
                _ => bad("SQLite compares timestamps as text"),
            },
            Kind::Json => bad("SQLite compares JSON as text, the target compares JSON values"),
            Kind::Uuid => match &lit {
                Lit::Str(s) if lowercase_uuid(s) && matches!(op, Cmp::Eq | Cmp::NotEq | Cmp::Is | Cmp::IsNot) => Ok((c, op)),
                // SQLite compares the text: an uppercase one never equals the column's values,
                // the target would read it as the same UUID.
                Lit::Str(s) if canonical_uuid(s) => bad("SQLite compares a UUID's text, and the column holds lowercase ones; the target compares values, which ignore case"),
                _ => bad("only equality with a UUID in its 36-character lowercase form compares the same way"),
            },
        }
    }

    /// A view's column compared with a literal where the column's SQLite affinity and its
    /// target type disagree about the literal (datatype3.html §4.2: a column with INTEGER,
    /// REAL or NUMERIC affinity converts a literal to a number, one with TEXT affinity converts
    /// a number to text, one without affinity converts nothing). `Ok(Some)`: the literal to
    /// compare with; `Ok(None)`: the general rules below apply; `Err`: no faithful equivalent.
    pub(super) fn affinity_literal(&self, kind: Kind, aff: crate::mapping::declared::Affinity, lit: &Lit, op: Cmp) -> R<Option<Tr>> {
        use crate::mapping::declared::Affinity as A;
        let equality = matches!(op, Cmp::Eq | Cmp::NotEq | Cmp::Is | Cmp::IsNot);
        let number = matches!(lit, Lit::Int(_) | Lit::Real(..));
        match (kind, aff) {
            (k, A::Text) if (k.numeric() || k == Kind::Bool) => {
                Err(format!("the column has TEXT affinity in SQLite, which compares its stored text, while the target holds it as {}", k.label()))
            }
            (Kind::Text, A::Integer | A::Real | A::Numeric) => {
                // SQLite compares numbers as numbers (text after all numbers); the target
                // compares text. The same only for equality with an integer, stored as its
                // canonical text in both.
                let n = match lit {
                    Lit::Int(n) => Some(*n),
                    Lit::Str(s) => match numeric_text(s) {
                        Some(Lit::Int(n)) => Some(n),
                        Some(_) => None,
                        None if equality => return Ok(None),
                        None => None,
                    },
                    _ => None,
                };
                match n {
                    Some(n) if equality && aff != A::Real => Ok(Some(self.lit_tr(Lit::Str(n.to_string())))),
                    _ => Err(format!("the column has {aff} affinity in SQLite, which compares it as a number, while the target holds it as text")),
                }
            }
            (k, A::Blob) => {
                let same_class = match k {
                    Kind::Text => matches!(lit, Lit::Str(_)),
                    k if k.numeric() || k == Kind::Bool => number,
                    _ => true,
                };
                if same_class {
                    Ok(None)
                } else {
                    Err("the column has no type affinity in SQLite, which never converts the literal, so a number never equals a text there".into())
                }
            }
            _ => Ok(None),
        }
    }

    /// `typeof(col) = 'integer'` and friends, on a column whose target type fixes the answer.
    pub(super) fn typeof_compare(&mut self, f: &Expr, op: Cmp, other: &Expr) -> R<Option<Tr>> {
        let Some(arg) = typeof_arg(f) else { return Ok(None) };
        let Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(name), .. }) = strip_nested(other) else {
            return Err("typeof() can only be compared with a type name here".into());
        };
        let negated = match op {
            Cmp::Eq | Cmp::Is => false,
            Cmp::NotEq | Cmp::IsNot => true,
            _ => return Err("typeof() can only be tested for equality".into()),
        };
        self.typeof_test(arg, std::slice::from_ref(name), negated).map(Some)
    }

    pub(super) fn typeof_test(&mut self, arg: &Expr, names: &[String], negated: bool) -> R<Tr> {
        let t = self.expr(arg)?;
        if t.lit.is_some() || t.sql.is_empty() {
            return Err("typeof() of a literal".into());
        }
        let tn = t.kind.sqlite_typeof().ok_or_else(|| {
            format!("typeof() of a {} value: SQLite's answer depends on how each value was stored", t.kind.label())
        })?;
        let names: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let non_null = names.iter().any(|n| n == tn);
        let null = names.iter().any(|n| n == "null");
        let (sql, bool_lit) = match (non_null, null) {
            (true, true) => (String::new(), Some(true)),
            (true, false) => (format!("{} IS NOT NULL", t.operand()), None),
            (false, true) => (format!("{} IS NULL", t.operand()), None),
            (false, false) => (String::new(), Some(false)),
        };
        Ok(match (bool_lit, negated) {
            (Some(b), neg) => {
                let v = b != neg;
                Tr::new(self.sp.bool_literal(v), Kind::Bool, true)
            }
            (None, false) => Tr::boolean(sql),
            (None, true) => Tr::boolean(format!("NOT ({sql})")),
        })
    }

    pub(super) fn in_expr(&mut self, x: &Expr, target: &InTarget, negated: bool) -> R<Tr> {
        let not = if negated { "NOT " } else { "" };
        match target {
            InTarget::List(items) => {
                if items.is_empty() {
                    return Err("an empty IN list".into());
                }
                if let Some(arg) = typeof_arg(x) {
                    let names: Option<Vec<String>> = items.iter().map(|i| match strip_nested(i) {
                        Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) => Some(s.clone()),
                        _ => None,
                    }).collect();
                    let names = names.ok_or("typeof() can only be compared with type names")?;
                    return self.typeof_test(arg, &names, negated);
                }
                let xt = self.expr(x)?;
                let mut out = Vec::new();
                let mut xt_final = xt.clone();
                for item in items {
                    let it = self.expr(item)?;
                    let (a, op, b) = self.align(xt.clone(), Cmp::Eq, it)?;
                    if op != Cmp::Eq {
                        return Err("an IN list item that does not compare as equality".into());
                    }
                    // `align` may have cast or collated the left side; keep its last form.
                    if xt.is_const() {
                        return Err("a literal on the left of IN".into());
                    }
                    xt_final = a;
                    out.push(b.sql);
                }
                Ok(Tr::boolean(format!("{} {not}IN ({})", xt_final.operand(), out.join(", "))))
            }
            InTarget::Subquery(q) => {
                self.need_view("a subquery")?;
                let xt = self.expr(x)?;
                let q = self.query(q)?;
                Ok(Tr::boolean(format!("{} {not}IN ({q})", xt.operand())))
            }
            _ => Err("`IN table` has no faithful translation; write IN (SELECT …)".into()),
        }
    }

    pub(super) fn between(&mut self, x: &Expr, negated: bool, lo: &Expr, hi: &Expr) -> R<Tr> {
        let xt = self.expr(x)?;
        let lt = self.expr(lo)?;
        let ht = self.expr(hi)?;
        let (a1, op1, l) = self.align(xt.clone(), Cmp::GtEq, lt)?;
        let (_, op2, h) = self.align(xt, Cmp::LtEq, ht)?;
        if op1 != Cmp::GtEq || op2 != Cmp::LtEq {
            return Err("BETWEEN with a bound SQLite compares as text differently; write the two comparisons".into());
        }
        let not = if negated { "NOT " } else { "" };
        Ok(Tr::boolean(format!("{} {not}BETWEEN {} AND {}", a1.operand(), l.operand(), h.operand())))
    }
}
