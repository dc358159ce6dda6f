//! Function calls: SQLite's scalar functions (lower, length, substr, trim, instr, coalesce, scalar
//! max/min, …) and, in views, its aggregates; the ones without a faithful equivalent are refused
//! with the reason.

use sqlparser::ast::{Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Value, ValueWithSpan};

use super::compare::Cmp;
use super::parse::{one_part, strip_nested};
use super::tx::{Tx, R};
use super::values::{Kind, Lit, Tr};

impl<'a> Tx<'a> {
    pub(super) fn substr(&mut self, x: &Expr, from: Option<&Expr>, len: Option<&Expr>) -> R<Tr> {
        let xt = self.expr(x)?;
        let xt = self.uuid_text(xt)?;
        if !matches!(xt.kind, Kind::Text | Kind::Unknown | Kind::Bytes | Kind::Null) {
            return Err(format!("substr() of a {} value: SQLite takes its text form", xt.kind.label()));
        }
        let int_lit = |e: Option<&Expr>, this: &Self| -> R<Option<i64>> {
            match e {
                None => Ok(None),
                Some(e) => match strip_nested(e) {
                    Expr::Value(v) => match this.value_lit(v)? {
                        Lit::Int(n) => Ok(Some(n)),
                        _ => Err("substr() with a position that is not an integer".into()),
                    },
                    Expr::UnaryOp { op, expr } => match this.signed_lit(op, strip_nested(expr))? {
                        Some(Lit::Int(n)) => Ok(Some(n)),
                        _ => Err("substr() with a computed position".into()),
                    },
                    _ => Err("substr() with a computed position or length: SQLite counts zero and negative values differently from the target".into()),
                },
            }
        };
        let start = int_lit(from, self)?.ok_or("substr() needs a start")?;
        let n = int_lit(len, self)?;
        if start < 1 {
            return Err("substr() with a start below 1: SQLite counts it differently from the target".into());
        }
        if matches!(n, Some(n) if n < 0) {
            return Err("substr() with a negative length: SQLite takes the characters before the start".into());
        }
        let f = self.sp.substring_function();
        let sql = match n {
            Some(n) => format!("{f}({}, {start}, {n})", xt.sql),
            None => format!("{f}({}, {start})", xt.sql),
        };
        Ok(Tr::new(sql, if xt.kind == Kind::Bytes { Kind::Bytes } else { Kind::Text }, true))
    }

    pub(super) fn trim(&mut self, which: &str, x: &Expr, chars: Option<&Expr>) -> R<Tr> {
        let xt = self.expr(x)?;
        let xt = self.uuid_text(xt)?;
        if !matches!(xt.kind, Kind::Text | Kind::Unknown | Kind::Null) {
            return Err(format!("{which}() of a {} value", xt.kind.label()));
        }
        let sql = match chars {
            None => self.sp.trim(which, &xt.sql, None),
            Some(c) if self.sp.trims_character_sets() => {
                let ct = self.expr(c)?;
                self.sp.trim(which, &xt.sql, Some(&ct.sql))
            }
            Some(c) => {
                // The target's TRIM removes a string, SQLite's a set of characters: the same only
                // for one.
                let Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) = strip_nested(c) else {
                    return Err(format!("{which}() with computed characters"));
                };
                if s.chars().count() != 1 {
                    return Err(format!("{which}(x, {}): MySQL/MariaDB trim a whole string, SQLite each of the characters", self.ql(s)));
                }
                self.sp.trim_one(which, &xt.sql, s)
            }
        };
        Ok(Tr::new(sql, Kind::Text, true))
    }

    pub(super) fn function(&mut self, f: &Function) -> R<Tr> {
        if let Some(t) = self.epoch_now(f) {
            return Ok(t);
        }
        if let Some(spec) = self.now_function(f)? {
            let sql = self.now_text(&spec)?;
            return Ok(Tr { sql, kind: Kind::Text, lit: None, now: Some(spec), atom: true, aff: None });
        }
        let Some(name_id) = one_part(&f.name) else {
            return Err(format!("function `{}` is not SQLite's", f.name));
        };
        let name = name_id.value.to_ascii_lowercase();
        if f.over.is_some() {
            return Err(format!("window function {name}() OVER (…) is not supported"));
        }
        if f.filter.is_some() || !f.within_group.is_empty() || f.null_treatment.is_some() || !matches!(f.parameters, FunctionArguments::None) {
            return Err(format!("{name}() with FILTER or other clauses is not supported"));
        }
        let (args, distinct, star): (Vec<&Expr>, bool, bool) = match &f.args {
            FunctionArguments::None => (vec![], false, false),
            FunctionArguments::List(l) => {
                if !l.clauses.is_empty() {
                    return Err(format!("{name}() with ORDER BY or other clauses inside is not supported"));
                }
                let mut v = Vec::new();
                let mut star = false;
                for a in &l.args {
                    match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => v.push(e),
                        FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => star = true,
                        _ => return Err(format!("{name}() with named or qualified-wildcard arguments")),
                    }
                }
                let distinct = matches!(l.duplicate_treatment, Some(sqlparser::ast::DuplicateTreatment::Distinct));
                (v, distinct, star)
            }
            FunctionArguments::Subquery(_) => return Err(format!("{name}(SELECT …) is not supported")),
        };
        let n = args.len();
        let arity = |ok: bool| if ok { Ok(()) } else { Err(format!("{name}() with {n} arguments")) };
        if star && name != "count" {
            return Err(format!("{name}(*) is not SQLite"));
        }
        if distinct && !matches!(name.as_str(), "count" | "sum" | "avg" | "min" | "max") {
            return Err(format!("{name}(DISTINCT …) is not supported"));
        }
        let dist = if distinct { "DISTINCT " } else { "" };
        if matches!(name.as_str(), "julianday" | "unixepoch") {
            if let Some(t) = self.day_number(&name, &args)? {
                return Ok(t);
            }
        }
        if !(name == "date" && n == 1) {
            if let Some(t) = self.time_of_column(&name, &args)? {
                return Ok(t);
            }
        }
        match name.as_str() {
            "lower" | "upper" => {
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                let t = self.uuid_text(t)?;
                if !matches!(t.kind, Kind::Text | Kind::Unknown | Kind::Null) {
                    return Err(format!("{name}() of a {} value", t.kind.label()));
                }
                Ok(Tr::new(format!("{}({})", self.sp.function_name(&name), t.sql), Kind::Text, true))
            }
            "length" => {
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                let t = self.uuid_text(t)?;
                let sql = match t.kind {
                    Kind::Bytes => self.sp.length(&t.sql, true),
                    Kind::Text | Kind::Unknown | Kind::Null => self.sp.length(&t.sql, false),
                    Kind::Int | Kind::Bool => {
                        let tt = self.as_text(t, "length()")?;
                        self.sp.length(&tt.sql, false)
                    }
                    k => return Err(format!("length() of a {} value: SQLite measures its text form", k.label())),
                };
                Ok(Tr::new(sql, Kind::Int, true))
            }
            "abs" => {
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                let t = self.to_num(t, "abs()")?;
                Ok(Tr::new(format!("{}({})", self.sp.function_name("abs"), t.sql), t.kind, true))
            }
            "coalesce" | "ifnull" => {
                arity(if name == "ifnull" { n == 2 } else { n >= 2 })?;
                let ts = args.iter().map(|a| self.expr(a)).collect::<R<Vec<_>>>()?;
                let (sqls, kind) = self.same_kind(ts)?;
                Ok(Tr::new(format!("COALESCE({})", sqls.join(", ")), kind, true))
            }
            "nullif" => {
                arity(n == 2)?;
                let a = self.expr(args[0])?;
                let b = self.expr(args[1])?;
                let kind = a.kind;
                let (a, _, b) = self.align(a, Cmp::Eq, b)?;
                Ok(Tr::new(format!("NULLIF({}, {})", a.sql, b.sql), kind, true))
            }
            "iif" => {
                arity(n == 3)?;
                let c = self.pred(args[0])?;
                let ts = vec![self.expr(args[1])?, self.expr(args[2])?];
                let (sqls, kind) = self.same_kind(ts)?;
                Ok(Tr::new(format!("CASE WHEN {} THEN {} ELSE {} END", c.sql, sqls[0], sqls[1]), kind, true))
            }
            "likely" | "unlikely" => {
                arity(n == 1)?;
                self.expr(args[0])
            }
            "likelihood" => {
                arity(n == 2)?;
                self.expr(args[0])
            }
            "ltrim" | "rtrim" | "trim" => {
                arity(n == 1 || n == 2)?;
                self.trim(&name, args[0], args.get(1).copied())
            }
            "substr" | "substring" => {
                arity(n == 2 || n == 3)?;
                self.substr(args[0], Some(args[1]), args.get(2).copied())
            }
            "replace" => {
                arity(n == 3)?;
                let ts = args.iter().map(|a| self.expr(a).and_then(|t| self.uuid_text(t))).collect::<R<Vec<_>>>()?;
                for t in &ts {
                    if !matches!(t.kind, Kind::Text | Kind::Unknown | Kind::Null) {
                        return Err(format!("replace() on a {} value", t.kind.label()));
                    }
                }
                // MySQL's REPLACE matches case-sensitively, like SQLite's.
                Ok(Tr::new(self.sp.replace(&ts[0].sql, &ts[0].operand(), &ts[1].sql, &ts[2].sql), Kind::Text, true))
            }
            "instr" => {
                arity(n == 2)?;
                let a = self.expr(args[0])?;
                let a = self.uuid_text(a)?;
                let b = self.expr(args[1])?;
                let b = self.uuid_text(b)?;
                for t in [&a, &b] {
                    if !matches!(t.kind, Kind::Text | Kind::Unknown | Kind::Null) {
                        return Err(format!("instr() on a {} value", t.kind.label()));
                    }
                }
                let sql = self.sp.instr(&a.sql, &a.operand(), &b.sql);
                Ok(Tr::new(sql, Kind::Int, true))
            }
            "max" | "min" if n >= 2 => {
                let ts = args.iter().map(|a| self.expr(a)).collect::<R<Vec<_>>>()?;
                for t in &ts {
                    if !matches!(t.kind, Kind::Int | Kind::Dec | Kind::Float | Kind::Unknown | Kind::Null) {
                        return Err(format!("scalar {name}() of {} values: SQLite orders mixed and text values its own way", t.kind.label()));
                    }
                }
                let nullable: Vec<bool> = ts.iter().map(|t| !matches!(&t.lit, Some(l) if *l != Lit::Null)).collect();
                let (sqls, kind) = self.same_kind(ts)?;
                let g = if name == "max" { "GREATEST" } else { "LEAST" };
                let sql = self.sp.greatest_least(g, &sqls, &nullable);
                Ok(Tr::new(sql, kind, true))
            }
            "count" => {
                self.need_view("an aggregate")?;
                if star {
                    return Ok(Tr::new(format!("{}(*)", self.sp.function_name("count")), Kind::Int, true));
                }
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                Ok(Tr::new(format!("{}({dist}{})", self.sp.function_name("count"), t.sql), Kind::Int, true))
            }
            "sum" | "max" | "min" => {
                self.need_view("an aggregate")?;
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                // SQLite's max of UUIDs is of their text (PostgreSQL has no max(uuid)); its
                // sum, max and min of booleans of their 0 and 1 (PostgreSQL has no sum(boolean)).
                let t = match t.kind {
                    Kind::Uuid => self.as_text(t, "max()")?,
                    Kind::Bool => self.to_num(t, &format!("{name}()"))?,
                    _ => t,
                };
                Ok(Tr::new(format!("{}({dist}{})", name.to_uppercase(), t.sql), if name == "sum" { Kind::Unknown } else { t.kind }, true))
            }
            "avg" => {
                self.need_view("an aggregate")?;
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                let t = self.to_num(t, "avg()")?;
                // SQLite's avg is a double; the targets' avg of integers is a decimal.
                let sql = self.sp.avg_double(dist, &t.sql);
                Ok(Tr::new(sql, Kind::Float, true))
            }
            "group_concat" | "string_agg" => {
                self.need_view("an aggregate")?;
                arity(n == 1 || n == 2)?;
                if let Some(why) = self.sp.string_agg_refused() {
                    return Err(why.into());
                }
                let t = self.expr(args[0])?;
                let t = self.as_text(t, "group_concat()")?;
                let sep = match args.get(1) {
                    Some(s) => self.expr(s)?.sql,
                    None if name == "string_agg" => return Err("string_agg() needs a separator".into()),
                    None => "','".to_string(),
                };
                Ok(Tr::new(self.sp.string_agg(dist, &t.sql, &sep)?, Kind::Text, true))
            }
            "date" if n == 1 => {
                let t = self.expr(args[0])?;
                let sql = match t.kind {
                    Kind::Ts(tz) => self.sp.date_of(&t.sql, &t.operand(), tz),
                    Kind::Date => t.sql.clone(),
                    _ => return Err("date() of a value that is not a timestamp column: SQLite parses its text".into()),
                };
                Ok(Tr::new(sql, Kind::Date, true))
            }
            "json_valid" => {
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                let (json, text) = (t.kind == Kind::Json, matches!(t.kind, Kind::Text | Kind::Unknown));
                match self.sp.json_valid(&t.sql, &t.operand(), json, text, t.kind.label())? {
                    (sql, true) => Ok(Tr::boolean(sql)),
                    (sql, false) => Ok(Tr::new(sql, Kind::Int, true)),
                }
            }
            "typeof" => Err("typeof() can only be compared with type names (typeof(x) = 'integer') on a column".into()),
            "glob" => {
                arity(n == 2)?;
                self.glob(args[1], args[0])
            }
            "like" => Err("like() as a function is not supported; write x LIKE pattern".into()),
            "randomblob" | "hex" if self.in_default => self.default_function(&name, &args),
            "random" | "randomblob" => Err(format!("{name}() draws SQLite's own random values")),
            "round" => Err("round(): SQLite rounds doubles half away from zero, the targets' rounding of doubles differs".into()),
            "julianday" | "unixepoch" | "strftime" | "datetime" | "time" | "date" | "timediff" => {
                Err(format!("{name}() of anything but 'now': SQLite parses the text itself; there is no faithful equivalent"))
            }
            "printf" | "format" if n >= 1 => self.printf(&name, &args),
            "quote" | "hex" | "unhex" | "char" | "unicode" | "soundex" | "zeroblob"
            | "total" | "last_insert_rowid" | "changes" | "total_changes" | "sqlite_version" => {
                Err(format!("{name}() has no faithful equivalent in {}", self.sp.name()))
            }
            n if n.starts_with("json") || n.starts_with("jsonb") => {
                Err(format!("{n}() returns SQLite values (text, numbers, SQL NULL for JSON null) that the target's JSON functions do not"))
            }
            _ => Err(format!("function {name}() has no known equivalent in {}", self.sp.name())),
        }
    }

    /// Arguments that must share a type (COALESCE, GREATEST, …): literals follow the first typed one.
    pub(super) fn same_kind(&self, ts: Vec<Tr>) -> R<(Vec<String>, Kind)> {
        // A UUID beside text (`ifnull(id, 'none')`): SQLite's result is text either way.
        let not_uuid_text = |t: &Tr| t.kind == Kind::Text && !matches!(&t.lit, Some(Lit::Str(s)) if super::literals::lowercase_uuid(s));
        let ts = if ts.iter().any(|t| t.kind == Kind::Uuid) && ts.iter().any(not_uuid_text) {
            ts.into_iter().map(|t| self.uuid_text(t)).collect::<R<Vec<_>>>()?
        } else {
            ts
        };
        let anchor = ts.iter().find(|t| !t.is_const() && !matches!(t.kind, Kind::Unknown | Kind::Null)).cloned();
        let mut out = Vec::new();
        let mut kind = anchor.as_ref().map(|a| a.kind).unwrap_or(Kind::Unknown);
        for t in ts {
            let t = match &anchor {
                Some(a) if t.is_const() => self.coerce_to(a, t, Cmp::Eq)?.0,
                Some(a) if t.kind != a.kind && !matches!(t.kind, Kind::Unknown | Kind::Null) => {
                    if t.kind.numeric() && a.kind.numeric() {
                        kind = Kind::Unknown;
                        t
                    } else {
                        return Err(format!("mixes {} and {} values", a.kind.label(), t.kind.label()));
                    }
                }
                _ => t,
            };
            out.push(t.sql);
        }
        Ok((out, kind))
    }
}
