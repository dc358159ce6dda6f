//! Operators: AND/OR and the other binary operators, arithmetic with SQLite's integer division and
//! NULL on division by zero, ||, LIKE and GLOB with SQLite's case rules, CASE and CAST.

use sqlparser::ast::{BinaryOperator, Expr, Value, ValueWithSpan};

use super::compare::Cmp;
use super::literals::sqlite_real_text;
use super::parse::strip_nested;
use super::tx::{Tx, R};
use super::values::{Kind, Lit, Tr};

impl<'a> Tx<'a> {
    pub(super) fn binary(&mut self, l: &Expr, op: &BinaryOperator, r: &Expr) -> R<Tr> {
        use BinaryOperator as B;
        match op {
            B::And | B::Or => {
                let a = self.pred(l)?;
                let b = self.pred(r)?;
                let o = if *op == B::And { "AND" } else { "OR" };
                Ok(Tr::boolean(format!("{} {o} {}", a.operand(), b.operand())))
            }
            B::Eq => self.compare(l, Cmp::Eq, r),
            B::NotEq => self.compare(l, Cmp::NotEq, r),
            B::Lt => self.compare(l, Cmp::Lt, r),
            B::LtEq => self.compare(l, Cmp::LtEq, r),
            B::Gt => self.compare(l, Cmp::Gt, r),
            B::GtEq => self.compare(l, Cmp::GtEq, r),
            B::Is => self.compare(l, Cmp::Is, r),
            B::IsNot => self.compare(l, Cmp::IsNot, r),
            B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo => self.arith(l, op, r),
            B::StringConcat => self.concat(l, r),
            B::Glob => self.glob(l, r),
            B::BitwiseAnd | B::BitwiseOr if self.sp.signed_bitwise() => {
                let a = self.expr(l)?;
                let a = self.to_num(a, "a bitwise operator")?;
                let b = self.expr(r)?;
                let b = self.to_num(b, "a bitwise operator")?;
                self.int_only(&a, &op.to_string())?;
                self.int_only(&b, &op.to_string())?;
                Ok(Tr::new(format!("{} {op} {}", a.operand(), b.operand()), Kind::Int, false))
            }
            B::BitwiseAnd | B::BitwiseOr => Err("MySQL/MariaDB's bitwise operators work on unsigned 64-bit integers, SQLite's on signed ones".into()),
            B::Regexp | B::Match => Err(format!("SQLite's {op} calls an application-defined function; it has no meaning on the target")),
            B::Arrow | B::LongArrow => Err("SQLite's -> and ->> JSON operators return SQLite values the target's JSON operators do not".into()),
            _ => Err(format!("operator `{op}` has no faithful translation")),
        }
    }

    pub(super) fn arith(&mut self, l: &Expr, op: &BinaryOperator, r: &Expr) -> R<Tr> {
        use BinaryOperator as B;
        let a = self.expr(l)?;
        let a = self.to_num(a, "arithmetic")?;
        let b = self.expr(r)?;
        let b = self.to_num(b, "arithmetic")?;
        let float = a.kind == Kind::Float || b.kind == Kind::Float;
        let kind = if float {
            Kind::Float
        } else if a.kind == Kind::Int && b.kind == Kind::Int {
            Kind::Int
        } else if a.kind == Kind::Dec || b.kind == Kind::Dec {
            Kind::Dec
        } else {
            Kind::Unknown
        };
        if matches!(op, B::Divide | B::Modulo) {
            for t in [&a, &b] {
                if let Some(why) = uncertain_class(t) {
                    return Err(format!("{op} on {}: {why}", t.sql));
                }
            }
        }
        let (sa, sb) = (self.arith_operand(&a), self.arith_operand(&b));
        // SQLite gives NULL for a division by zero; the targets raise an error.
        let divisor = |t: &Tr, s: String| match &t.lit {
            Some(Lit::Int(n)) if *n != 0 => s,
            Some(Lit::Real(_, f)) if *f != 0.0 => s,
            _ => format!("NULLIF({s}, 0)"),
        };
        let sql = match op {
            B::Plus => format!("{sa} + {sb}"),
            B::Minus => format!("{sa} - {sb}"),
            B::Multiply => format!("{sa} * {sb}"),
            B::Divide => {
                if float {
                    format!("{sa} / {}", divisor(&b, sb))
                } else if kind == Kind::Int {
                    let o = self.sp.int_divide();
                    format!("{sa} {o} {}", divisor(&b, sb))
                } else {
                    return Err("division: SQLite divides integers as integers and reals as reals, value by value; with these operand types the target cannot do the same".into());
                }
            }
            B::Modulo => {
                if kind == Kind::Int {
                    format!("{sa} % {}", divisor(&b, sb))
                } else {
                    return Err("% on non-integers: SQLite first converts both to integers".into());
                }
            }
            _ => unreachable!(),
        };
        Ok(Tr::new(sql, kind, false))
    }

    /// A REAL literal in arithmetic stays a double on the target (PostgreSQL and MySQL read
    /// `1.5` as an exact decimal).
    pub(super) fn arith_operand(&self, t: &Tr) -> String {
        match &t.lit {
            Some(Lit::Real(s, _)) => self.sp.double_literal(s).unwrap_or_else(|| t.operand()),
            _ => t.operand(),
        }
    }

    pub(super) fn concat(&mut self, l: &Expr, r: &Expr) -> R<Tr> {
        // Flatten a || b || c.
        fn collect<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
            match e {
                Expr::BinaryOp { left, op: BinaryOperator::StringConcat, right } => {
                    collect(left, out);
                    collect(right, out);
                }
                _ => out.push(e),
            }
        }
        let mut parts = Vec::new();
        collect(l, &mut parts);
        collect(r, &mut parts);
        let mut out = Vec::new();
        for p in parts {
            let t = self.expr(p)?;
            out.push(self.as_text(t, "||")?);
        }
        let sqls: Vec<String> = out.iter().map(|t| t.sql.clone()).collect();
        let operands: Vec<String> = out.iter().map(|t| t.operand()).collect();
        let (sql, atom) = self.sp.concat(&sqls, &operands);
        Ok(Tr::new(sql, Kind::Text, atom))
    }

    /// A UUID as its text, for what SQLite does to text (its letters, its length, its parts,
    /// its order); any other value as it is.
    pub(super) fn uuid_text(&self, t: Tr) -> R<Tr> {
        if t.kind == Kind::Uuid { self.as_text(t, "a UUID") } else { Ok(t) }
    }

    /// A value as SQLite's text of it.
    pub(super) fn as_text(&self, t: Tr, what: &str) -> R<Tr> {
        match (&t.lit, t.kind) {
            (Some(Lit::Int(n)), _) => Ok(self.lit_tr(Lit::Str(n.to_string()))),
            (Some(Lit::Real(s, f)), _) => match sqlite_real_text(*f) {
                Some(x) => Ok(self.lit_tr(Lit::Str(x))),
                None => Err(format!("{what} on {s}: SQLite prints reals its own way")),
            },
            (Some(Lit::Blob(_)), _) => Err(format!("{what} on a blob")),
            (_, Kind::Text | Kind::Unknown | Kind::Null) => Ok(t),
            (_, Kind::Int) => Ok(match self.sp.int_as_text(&t.sql) {
                Some(sql) => Tr::new(sql, Kind::Text, true),
                None => t,
            }),
            // A date column's SQLite text is its YYYY-MM-DD form (what the copy parsed), in
            // any session's date style.
            (_, Kind::Date) => Ok(Tr::new(self.sp.format_time(&self.sp.date_wall(&t.sql), "%Y-%m-%d"), Kind::Text, true)),
            (_, Kind::Bool) => Ok(match self.sp.bool_as_text(&t.sql) {
                Some(sql) => Tr::new(sql, Kind::Text, true),
                None => t,
            }),
            // The load takes only lowercase 8-4-4-4-12 text into a UUID column (anything else
            // widens it, or is a transform's, whose column is not typed here): the target's
            // text of the value is SQLite's.
            (_, Kind::Uuid) => Ok(match self.sp.uuid_as_text(&t.sql) {
                Some(sql) => Tr::new(sql, Kind::Text, true),
                None => Tr { kind: Kind::Text, ..t },
            }),
            (_, k) => Err(format!("{what} on a {} value: SQLite's text for it differs from the target's", k.label())),
        }
    }

    pub(super) fn like(&mut self, x: &Expr, pattern: &Expr, escape: Option<&Expr>, negated: bool) -> R<Tr> {
        let xt = self.expr(x)?;
        let xt = self.uuid_text(xt)?;
        let xt = match xt.kind {
            Kind::Text | Kind::Unknown | Kind::Null => xt,
            Kind::Int if self.sp.like_on_integers() => self.as_text(xt, "LIKE")?,
            k => return Err(format!("LIKE on a {} value: SQLite matches its text form", k.label())),
        };
        let Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(p), .. }) = strip_nested(pattern) else {
            return Err("LIKE with a pattern that is not a literal: SQLite folds only ASCII case, and the target's folding of an unknown pattern cannot be checked".into());
        };
        if p.chars().any(|c| !c.is_ascii() && (c.is_lowercase() || c.is_uppercase())) {
            return Err(format!("LIKE {}: SQLite matches non-ASCII letters case-sensitively, the target does not", self.ql(p)));
        }
        let esc = match escape.map(strip_nested) {
            None => None,
            Some(Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(e), .. })) if e.chars().count() == 1 => Some(e.clone()),
            Some(_) => return Err("LIKE … ESCAPE needs a single-character literal".into()),
        };
        Ok(Tr::boolean(self.sp.like(&xt.sql, &xt.operand(), p, esc.as_deref(), negated)?))
    }

    pub(super) fn glob(&mut self, x: &Expr, pattern: &Expr) -> R<Tr> {
        let xt = self.expr(x)?;
        if !matches!(xt.kind, Kind::Text | Kind::Unknown | Kind::Null) {
            return Err(format!("GLOB on a {} value", xt.kind.label()));
        }
        let Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(p), .. }) = strip_nested(pattern) else {
            return Err("GLOB with a pattern that is not a literal".into());
        };
        if p.contains('[') {
            return Err(format!("GLOB {}: character classes have no LIKE equivalent", self.ql(p)));
        }
        // Case-sensitive LIKE with * → %, ? → _, and LIKE's own wildcards escaped.
        let mut lp = String::new();
        for c in p.chars() {
            match c {
                '*' => lp.push('%'),
                '?' => lp.push('_'),
                '%' | '_' | '!' => {
                    lp.push('!');
                    lp.push(c);
                }
                c => lp.push(c),
            }
        }
        Ok(Tr::boolean(self.sp.glob(&xt.operand(), &lp)))
    }

    pub(super) fn case(&mut self, operand: Option<&Expr>, conds: &[sqlparser::ast::CaseWhen], els: Option<&Expr>) -> R<Tr> {
        let mut out = String::from("CASE");
        let op = match operand {
            Some(o) => {
                let t = self.expr(o)?;
                if t.is_const() {
                    return Err("CASE on a literal".into());
                }
                Some(t)
            }
            None => None,
        };
        let mut when_sqls = Vec::new();
        let mut op_sql = op.as_ref().map(|t| t.operand());
        for c in conds {
            if let Some(o) = &op {
                let w = self.expr(&c.condition)?;
                let (a, cmp, b) = self.align(o.clone(), Cmp::Eq, w)?;
                if cmp != Cmp::Eq {
                    return Err("a CASE branch that does not compare as equality".into());
                }
                op_sql = Some(a.operand());
                when_sqls.push(b.sql);
            } else {
                when_sqls.push(self.pred(&c.condition)?.sql);
            }
        }
        if let Some(o) = op_sql {
            out.push(' ');
            out.push_str(&o);
        }
        // Results: literals follow the type of the first non-literal result.
        let mut results = Vec::new();
        for c in conds {
            results.push(self.expr(&c.result)?);
        }
        if let Some(e) = els {
            results.push(self.expr(e)?);
        }
        let anchor = results.iter().find(|t| !t.is_const() && t.kind != Kind::Unknown && t.kind != Kind::Null).cloned();
        let mut kind = anchor.as_ref().map(|t| t.kind);
        let mut rs = Vec::new();
        for t in results {
            let t = match &anchor {
                Some(a) if t.is_const() => self.coerce_to(a, t, Cmp::Eq)?.0,
                _ => t,
            };
            if anchor.is_some() && t.kind != Kind::Null && !t.is_const() && Some(t.kind) != kind {
                kind = Some(Kind::Unknown);
            }
            rs.push(t.sql);
        }
        for (i, w) in when_sqls.iter().enumerate() {
            out.push_str(&format!(" WHEN {w} THEN {}", rs[i]));
        }
        if els.is_some() {
            out.push_str(&format!(" ELSE {}", rs[conds.len()]));
        }
        out.push_str(" END");
        // All results literal: unknown.
        let kind = kind.unwrap_or(Kind::Unknown);
        Ok(Tr::new(out, kind, true))
    }

    pub(super) fn cast(&mut self, e: &Expr, type_name: &str) -> R<Tr> {
        let t = self.expr(e)?;
        let up = type_name.to_ascii_uppercase();
        // SQLite's type affinity rules, in order.
        if up.contains("INT") {
            let sql = match t.kind {
                Kind::Bool => self.sp.cast_integer(&t.sql, true, false),
                // SQLite truncates toward zero; the targets round.
                Kind::Float | Kind::Dec => self.sp.cast_integer(&t.sql, false, true),
                Kind::Int | Kind::Text | Kind::Unknown | Kind::Null => self.sp.cast_integer(&t.sql, false, false),
                k => return Err(format!("CAST of a {} value to INTEGER has no faithful equivalent", k.label())),
            };
            return Ok(Tr::new(sql, Kind::Int, true));
        }
        if up.contains("CHAR") || up.contains("CLOB") || up.contains("TEXT") {
            let before = t.sql.clone();
            let inner = self.as_text(t, "CAST AS TEXT")?;
            let sql = if inner.sql != before && inner.lit.is_none() {
                inner.sql // already converted to text
            } else {
                self.sp.cast_text(&inner.sql)
            };
            return Ok(Tr::new(sql, Kind::Text, true));
        }
        if up.contains("REAL") || up.contains("FLOA") || up.contains("DOUB") {
            let t = self.to_num(t, "CAST AS REAL")?;
            let sql = self.sp.cast_double(&t.sql);
            return Ok(Tr::new(sql, Kind::Float, true));
        }
        Err(format!("CAST(… AS {type_name}): SQLite's conversion has no faithful equivalent"))
    }
}

/// Why a view's column may hold, value by value, other storage classes in SQLite than its
/// target type says (so SQLite's division could be an integer one on some rows and a real
/// one on others); `None` when its class is certain.
fn uncertain_class(t: &Tr) -> Option<String> {
    use crate::mapping::declared::Affinity as A;
    let aff = t.aff?;
    match (t.kind, aff) {
        (Kind::Int | Kind::Bool, A::Integer | A::Numeric | A::Blob) | (Kind::Float, A::Real) => None,
        (Kind::Int | Kind::Bool, A::Real) => Some("the column has REAL affinity in SQLite, which holds its values as reals, while the target holds integers".into()),
        (Kind::Float, _) => Some(format!("the column has {aff} affinity in SQLite, which keeps whole numbers as integers (divided as integers) while the target holds doubles")),
        (k, A::Text) if k.numeric() || k == Kind::Bool => Some(format!("the column has TEXT affinity in SQLite, which holds its values as text, while the target holds {}", k.label())),
        _ => None,
    }
}
