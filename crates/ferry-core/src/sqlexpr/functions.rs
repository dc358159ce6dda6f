//! Function calls: SQLite's scalar functions (lower, length, substr, trim, instr, coalesce, scalar
//! max/min, …) and, in views, its aggregates; the ones without a faithful equivalent are refused
//! with the reason.

use super::*;

impl<'a> Tx<'a> {
    pub(super) fn substr(&mut self, x: &Expr, from: Option<&Expr>, len: Option<&Expr>) -> R<Tr> {
        let xt = self.expr(x)?;
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
        let f = if self.pg() { "substr" } else { "SUBSTRING" };
        let sql = match n {
            Some(n) => format!("{f}({}, {start}, {n})", xt.sql),
            None => format!("{f}({}, {start})", xt.sql),
        };
        Ok(Tr::new(sql, if xt.kind == Kind::Bytes { Kind::Bytes } else { Kind::Text }, true))
    }

    pub(super) fn trim(&mut self, which: &str, x: &Expr, chars: Option<&Expr>) -> R<Tr> {
        let xt = self.expr(x)?;
        if !matches!(xt.kind, Kind::Text | Kind::Unknown | Kind::Null) {
            return Err(format!("{which}() of a {} value", xt.kind.label()));
        }
        let sql = match (chars, self.pg()) {
            (None, true) => format!("{which}({})", xt.sql),
            (None, false) => format!("{}({})", which.to_uppercase(), xt.sql),
            (Some(c), true) => {
                let ct = self.expr(c)?;
                let f = if which == "trim" { "btrim" } else { which };
                format!("{f}({}, {})", xt.sql, ct.sql)
            }
            (Some(c), false) => {
                // MySQL's TRIM removes a string, SQLite's a set of characters: the same only for one.
                let Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) = strip_nested(c) else {
                    return Err(format!("{which}() with computed characters"));
                };
                if s.chars().count() != 1 {
                    return Err(format!("{which}(x, {}): MySQL/MariaDB trim a whole string, SQLite each of the characters", self.ql(s)));
                }
                let side = match which {
                    "ltrim" => "LEADING",
                    "rtrim" => "TRAILING",
                    _ => "BOTH",
                };
                format!("TRIM({side} {} FROM {})", self.ql(s), xt.sql)
            }
        };
        Ok(Tr::new(sql, Kind::Text, true))
    }

    pub(super) fn function(&mut self, f: &Function) -> R<Tr> {
        if let Some(spec) = self.now_function(f)? {
            let sql = self.now_text(&spec)?;
            return Ok(Tr { sql, kind: Kind::Text, lit: None, now: Some(spec), atom: true });
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
        let pg = self.pg();
        let n = args.len();
        let arity = |ok: bool| if ok { Ok(()) } else { Err(format!("{name}() with {n} arguments")) };
        if star && name != "count" {
            return Err(format!("{name}(*) is not SQLite"));
        }
        if distinct && !matches!(name.as_str(), "count" | "sum" | "avg" | "min" | "max") {
            return Err(format!("{name}(DISTINCT …) is not supported"));
        }
        let dist = if distinct { "DISTINCT " } else { "" };
        let fname = |pgname: &str, myname: &str| if pg { pgname.to_string() } else { myname.to_string() };
        match name.as_str() {
            "lower" | "upper" => {
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                if !matches!(t.kind, Kind::Text | Kind::Unknown | Kind::Null) {
                    return Err(format!("{name}() of a {} value", t.kind.label()));
                }
                Ok(Tr::new(format!("{}({})", fname(&name, &name.to_uppercase()), t.sql), Kind::Text, true))
            }
            "length" => {
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                let sql = match (t.kind, pg) {
                    (Kind::Bytes, true) => format!("length({})", t.sql),
                    (Kind::Bytes, false) => format!("LENGTH({})", t.sql),
                    (Kind::Text | Kind::Unknown | Kind::Null, true) => format!("length({})", t.sql),
                    (Kind::Text | Kind::Unknown | Kind::Null, false) => format!("CHAR_LENGTH({})", t.sql),
                    (Kind::Int | Kind::Bool, _) => {
                        let tt = self.as_text(t, "length()")?;
                        if pg { format!("length({})", tt.sql) } else { format!("CHAR_LENGTH({})", tt.sql) }
                    }
                    (k, _) => return Err(format!("length() of a {} value: SQLite measures its text form", k.label())),
                };
                Ok(Tr::new(sql, Kind::Int, true))
            }
            "abs" => {
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                let t = self.to_num(t, "abs()")?;
                Ok(Tr::new(format!("{}({})", fname("abs", "ABS"), t.sql), t.kind, true))
            }
            "coalesce" | "ifnull" => {
                arity(if name == "ifnull" { n == 2 } else { n >= 2 })?;
                let ts = args.iter().map(|a| self.expr(a)).collect::<R<Vec<_>>>()?;
                let (sqls, kind) = self.same_kind(ts)?;
                Ok(Tr::new(format!("{}({})", fname("COALESCE", "COALESCE"), sqls.join(", ")), kind, true))
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
                let ts = args.iter().map(|a| self.expr(a)).collect::<R<Vec<_>>>()?;
                for t in &ts {
                    if !matches!(t.kind, Kind::Text | Kind::Unknown | Kind::Null) {
                        return Err(format!("replace() on a {} value", t.kind.label()));
                    }
                }
                // MySQL's REPLACE matches case-sensitively, like SQLite's.
                Ok(Tr::new(format!("{}({}, {}, {})", fname("replace", "REPLACE"), ts[0].sql, ts[1].sql, ts[2].sql), Kind::Text, true))
            }
            "instr" => {
                arity(n == 2)?;
                let a = self.expr(args[0])?;
                let b = self.expr(args[1])?;
                for t in [&a, &b] {
                    if !matches!(t.kind, Kind::Text | Kind::Unknown | Kind::Null) {
                        return Err(format!("instr() on a {} value", t.kind.label()));
                    }
                }
                let sql = if pg {
                    format!("strpos({}, {})", a.sql, b.sql)
                } else {
                    format!("INSTR({} COLLATE {}, {})", a.operand(), self.bin_collation(), b.sql)
                };
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
                let sql = if pg {
                    // SQLite's scalar max/min is NULL when any argument is; GREATEST/LEAST skip NULLs.
                    let nulls = sqls.iter().zip(&nullable).filter(|(_, n)| **n).map(|(s, _)| format!("{s} IS NULL")).collect::<Vec<_>>().join(" OR ");
                    format!("CASE WHEN {nulls} THEN NULL ELSE {g}({}) END", sqls.join(", "))
                } else {
                    format!("{g}({})", sqls.join(", "))
                };
                Ok(Tr::new(sql, kind, true))
            }
            "count" => {
                self.need_view("an aggregate")?;
                if star {
                    return Ok(Tr::new(fname("count(*)", "COUNT(*)"), Kind::Int, true));
                }
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                Ok(Tr::new(format!("{}({dist}{})", fname("count", "COUNT"), t.sql), Kind::Int, true))
            }
            "sum" | "max" | "min" => {
                self.need_view("an aggregate")?;
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                Ok(Tr::new(format!("{}({dist}{})", name.to_uppercase(), t.sql), if name == "sum" { Kind::Unknown } else { t.kind }, true))
            }
            "avg" => {
                self.need_view("an aggregate")?;
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                let t = self.to_num(t, "avg()")?;
                // SQLite's avg is a double; the targets' avg of integers is a decimal.
                let sql = if pg {
                    format!("avg({dist}CAST({} AS double precision))", t.sql)
                } else {
                    format!("AVG({dist}CAST({} AS DOUBLE))", t.sql)
                };
                Ok(Tr::new(sql, Kind::Float, true))
            }
            "group_concat" | "string_agg" => {
                self.need_view("an aggregate")?;
                arity(n == 1 || n == 2)?;
                if !pg {
                    return Err("group_concat() on MySQL/MariaDB silently truncates at group_concat_max_len".into());
                }
                let t = self.expr(args[0])?;
                let t = self.as_text(t, "group_concat()")?;
                let sep = match args.get(1) {
                    Some(s) => self.expr(s)?.sql,
                    None if name == "string_agg" => return Err("string_agg() needs a separator".into()),
                    None => "','".to_string(),
                };
                Ok(Tr::new(format!("string_agg({dist}{}, {sep})", t.sql), Kind::Text, true))
            }
            "date" if n == 1 => {
                let t = self.expr(args[0])?;
                let sql = match (t.kind, pg) {
                    (Kind::Ts(false), true) => format!("CAST({} AS date)", t.sql),
                    (Kind::Ts(true), true) => format!("CAST({} AT TIME ZONE 'UTC' AS date)", t.operand()),
                    (Kind::Ts(_), false) => format!("CAST({} AS DATE)", t.sql),
                    (Kind::Date, _) => t.sql.clone(),
                    _ => return Err("date() of a value that is not a timestamp column: SQLite parses its text".into()),
                };
                Ok(Tr::new(sql, Kind::Date, true))
            }
            "json_valid" => {
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                match (t.kind, pg) {
                    // A json/jsonb column holds only valid JSON; keep NULL → NULL.
                    (Kind::Json, true) => Ok(Tr::boolean(format!("{} IS NOT NULL OR NULL", t.operand()))),
                    (Kind::Json | Kind::Text | Kind::Unknown, false) => Ok(Tr::new(format!("JSON_VALID({})", t.sql), Kind::Int, true)),
                    (k, true) => Err(format!("json_valid() of a {} value: PostgreSQL 15 has no test that returns false for invalid JSON", k.label())),
                    (k, false) => Err(format!("json_valid() of a {} value", k.label())),
                }
            }
            "typeof" => Err("typeof() can only be compared with type names (typeof(x) = 'integer') on a column".into()),
            "glob" => {
                arity(n == 2)?;
                self.glob(args[1], args[0])
            }
            "like" => Err("like() as a function is not supported; write x LIKE pattern".into()),
            "random" | "randomblob" => Err(format!("{name}() draws SQLite's own random values")),
            "round" => Err("round(): SQLite rounds doubles half away from zero, the targets' rounding of doubles differs".into()),
            "julianday" | "unixepoch" | "strftime" | "datetime" | "time" | "date" | "timediff" => {
                Err(format!("{name}() of anything but 'now': SQLite parses the text itself; there is no faithful equivalent"))
            }
            "printf" | "format" | "quote" | "hex" | "unhex" | "char" | "unicode" | "soundex" | "zeroblob"
            | "total" | "last_insert_rowid" | "changes" | "total_changes" | "sqlite_version" => {
                Err(format!("{name}() has no faithful equivalent in {}", self.d.name()))
            }
            n if n.starts_with("json") || n.starts_with("jsonb") => {
                Err(format!("{n}() returns SQLite values (text, numbers, SQL NULL for JSON null) that the target's JSON functions do not"))
            }
            _ => Err(format!("function {name}() has no known equivalent in {}", self.d.name())),
        }
    }

    /// Arguments that must share a type (COALESCE, GREATEST, …): literals follow the first typed one.
    pub(super) fn same_kind(&self, ts: Vec<Tr>) -> R<(Vec<String>, Kind)> {
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
