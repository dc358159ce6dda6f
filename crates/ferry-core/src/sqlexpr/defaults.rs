//! Column DEFAULTs: what SQLite's dflt_value means (NULL, a literal, the current time) and how a
//! column of each logical type on the target takes it.

use sqlparser::ast::{Expr, Function};

use crate::schema::LogicalType;

use super::literals::{canonical_uuid, hex_encode, numeric_text, parse_timestamp_text, sqlite_real_text, valid_date_text};
use super::now::NowSpec;
use super::parse::strip_nested;
use super::tx::{Tx, R};
use super::values::{Kind, Lit, Tr};
use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArguments, Value, ValueWithSpan};
use super::parse::one_part;

/// One default value as SQLite sees it.
pub(super) enum DefaultValue {
    Null,
    Lit(Lit),
    Now(NowSpec),
    /// `DEFAULT (expr)`: an expression, translated as a CHECK's is, computed by the target
    /// for each row (PostgreSQL; MariaDB 10.2+ and MySQL 8.0.13+ take it in parentheses).
    Expr(Tr),
}

/// Whether a DEFAULT is an expression rather than a literal, NULL or the current time.
pub(super) fn is_expression(e: &Expr) -> bool {
    !matches!(e, Expr::Value(_) | Expr::Identifier(_)) && !matches!(e, Expr::UnaryOp { expr, .. } if matches!(strip_nested(expr), Expr::Value(_)))
}

impl<'a> Tx<'a> {
    pub(super) fn default_value(&self, e: &Expr) -> R<DefaultValue> {
        match e {
            Expr::Value(v) => Ok(match self.value_lit(v)? {
                Lit::Null => DefaultValue::Null,
                l => DefaultValue::Lit(l),
            }),
            Expr::UnaryOp { op, expr } => match self.signed_lit(op, strip_nested(expr))? {
                Some(l) => Ok(DefaultValue::Lit(l)),
                None => Err("only a literal, NULL or the current time can be carried as a default".into()),
            },
            // SQLite reads a double-quoted or bare word in a DEFAULT as a string.
            Expr::Identifier(id) => Ok(DefaultValue::Lit(Lit::Str(id.value.clone()))),
            Expr::Function(f) => match self.now_function(f)? {
                Some(spec) => Ok(DefaultValue::Now(spec)),
                None => Err(format!("`{}` cannot be carried faithfully: {}", e, self.why_not_function(f))),
            },
            _ => Err(format!("`{e}` is an expression; only a literal, NULL or the current time can be carried as a default")),
        }
    }

    /// A DEFAULT that is an expression, translated as CHECKs are, with what only a DEFAULT
    /// means (`randomblob`, `hex`, `strftime('%s', 'now')`).
    pub(super) fn default_expr(&mut self, e: &Expr) -> R<DefaultValue> {
        self.in_default = true;
        let t = self.expr(e);
        self.in_default = false;
        Ok(DefaultValue::Expr(t?))
    }

    /// `strftime('%s', 'now')` and `unixepoch()` in a DEFAULT: the whole seconds since 1970
    /// (strftime gives SQLite's text of them, which a numeric column stores as the integer).
    pub(super) fn epoch_now(&self, f: &Function) -> Option<Tr> {
        let name = one_part(&f.name)?.value.to_ascii_lowercase();
        if !self.in_default || !matches!(name.as_str(), "strftime" | "unixepoch") {
            return None;
        }
        let epoch = || Tr::new(self.sp.epoch_seconds_now(), Kind::Int, true);
        let l = match &f.args {
            FunctionArguments::None if name == "unixepoch" => return Some(epoch()),
            FunctionArguments::List(l) => l,
            _ => return None,
        };
        let strs: Vec<String> = l
            .args
            .iter()
            .map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => match strip_nested(e) {
                    Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) => Some(s.to_ascii_lowercase()),
                    _ => None,
                },
                _ => None,
            })
            .collect::<Option<_>>()?;
        let now: &[&str] = if name == "unixepoch" { &[] } else { &["%s"] };
        let args: Vec<&str> = strs.iter().map(String::as_str).collect();
        (args == [now, &["now"]].concat() || (name == "unixepoch" && args.is_empty())).then(epoch)
    }

    /// `randomblob(n)` and `hex(x)` in a DEFAULT.
    pub(super) fn default_function(&mut self, name: &str, args: &[&Expr]) -> R<Tr> {
        match (name, args) {
            ("randomblob", [n]) => {
                let n = match strip_nested(n) {
                    Expr::Value(v) => match self.value_lit(v)? {
                        Lit::Int(n) => n,
                        _ => return Err("randomblob() of anything but a whole number".into()),
                    },
                    _ => return Err("randomblob() of a computed length".into()),
                };
                if n > 1024 {
                    return Err(format!("randomblob({n}): MySQL's RANDOM_BYTES draws at most 1,024 bytes; Ferry carries up to that"));
                }
                // SQLite draws one byte for a length below 1.
                Ok(Tr::new(self.sp.random_bytes(n.max(1) as u32), Kind::Bytes, true))
            }
            ("hex", [x]) => {
                let t = self.expr(x)?;
                match t.kind {
                    Kind::Bytes => Ok(Tr::new(self.sp.hex_upper(&t.sql, false), Kind::Text, true)),
                    Kind::Text => Ok(Tr::new(self.sp.hex_upper(&t.sql, true), Kind::Text, true)),
                    k => Err(format!("hex() of a {} value: SQLite takes the bytes of its text form", k.label())),
                }
            }
            _ => Err(format!("{name}() with {} arguments", args.len())),
        }
    }

    pub(super) fn why_not_function(&self, f: &Function) -> String {
        let name = f.name.to_string().to_ascii_lowercase();
        match name.as_str() {
            "random" | "randomblob" => format!("{name}() draws SQLite's own random numbers; the target's generator yields other values and types"),
            "julianday" | "unixepoch" => format!("{name}() returns a number SQLite computes from its own calendar; there is no exact equivalent"),
            _ => format!("{name}() has no faithful equivalent as a default"),
        }
    }

    pub(super) fn render_default(&self, v: DefaultValue, ty: &LogicalType) -> R<Option<String>> {
        let kind = Kind::from_logical(ty)?;
        let lit = match v {
            DefaultValue::Null => return Ok(None),
            DefaultValue::Expr(t) => return self.expr_default(t, kind).map(Some),
            DefaultValue::Now(spec) => {
                let t = self.now_as(kind, &spec)?;
                return Ok(Some(format!("({})", t.sql)));
            }
            DefaultValue::Lit(l) => l,
        };
        // MySQL 8 accepts literals on TEXT/BLOB/JSON columns only as expressions `(…)`.
        let wrap = |s: String| self.sp.text_default(s);
        let out = match kind {
            Kind::Int => match lit {
                Lit::Int(n) => n.to_string(),
                Lit::Real(_, f) if f.fract() == 0.0 && f.abs() < 9.2e18 => (f as i64).to_string(),
                Lit::Real(s, _) => return Err(format!("SQLite keeps {s} as a real in an integer column")),
                Lit::Str(s) => match numeric_text(&s) {
                    Some(Lit::Int(n)) => n.to_string(),
                    _ => return Err(format!("SQLite keeps the text {} in an integer column", self.ql(&s))),
                },
                Lit::Blob(_) => return Err("a blob cannot be an integer".into()),
                Lit::Null => return Ok(None),
            },
            Kind::Dec | Kind::Float => match lit {
                Lit::Int(n) => n.to_string(),
                Lit::Real(s, _) => s,
                Lit::Str(s) => match numeric_text(&s) {
                    Some(Lit::Int(n)) => n.to_string(),
                    Some(Lit::Real(t, _)) => t,
                    _ => return Err(format!("the text {} is not a number", self.ql(&s))),
                },
                Lit::Blob(_) => return Err("a blob cannot be a number".into()),
                Lit::Null => return Ok(None),
            },
            Kind::Bool => {
                let b = match &lit {
                    Lit::Int(0) => false,
                    Lit::Int(1) => true,
                    Lit::Real(_, f) if *f == 0.0 => false,
                    Lit::Real(_, f) if *f == 1.0 => true,
                    Lit::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                        "0" | "f" | "false" => false,
                        "1" | "t" | "true" => true,
                        _ => return Err(format!("{} is not a boolean", self.ql(s))),
                    },
                    _ => return Err(format!("{} is not a boolean", self.render_lit(&lit).0)),
                };
                self.sp.bool_literal(b)
            }
            Kind::Text => {
                let s = match lit {
                    Lit::Str(s) => s,
                    Lit::Int(n) => n.to_string(),
                    Lit::Real(s, f) => sqlite_real_text(f)
                        .ok_or_else(|| format!("SQLite would store {s} as text in its own float format"))?,
                    Lit::Blob(_) => return Err("SQLite keeps a blob in this text column".into()),
                    Lit::Null => return Ok(None),
                };
                wrap(self.ql(&s))
            }
            Kind::Bytes => {
                let b = match lit {
                    Lit::Blob(b) => b,
                    // SQLite keeps the text; the copy carries text in a bytes column as its UTF-8.
                    Lit::Str(s) => s.into_bytes(),
                    _ => return Err("a number cannot be carried into a bytes column".into()),
                };
                self.sp.blob_default(&hex_encode(&b))
            }
            Kind::Uuid => match lit {
                Lit::Str(s) if canonical_uuid(&s) => self.ql(&s),
                _ => return Err("only a UUID in its 36-character text form can be a UUID default".into()),
            },
            Kind::Date => match lit {
                Lit::Str(s) if valid_date_text(&s) => self.ql(&s),
                _ => return Err("only a YYYY-MM-DD text can be a date default".into()),
            },
            Kind::Ts(tz) => match lit {
                Lit::Str(s) => {
                    let (norm, _) = parse_timestamp_text(&s).ok_or_else(|| format!("{} is not a timestamp SQLite's date functions read", self.ql(&s)))?;
                    self.ts_literal(&norm, tz)
                }
                _ => return Err("a number is not a timestamp (is it seconds, days, milliseconds?)".into()),
            },
            Kind::Json => {
                let s = match lit {
                    Lit::Str(s) => s,
                    Lit::Int(n) => n.to_string(),
                    Lit::Real(s, f) => sqlite_real_text(f).ok_or_else(|| format!("{s} cannot be kept exactly as JSON text"))?,
                    _ => return Err("a blob is not JSON".into()),
                };
                serde_json::from_str::<serde_json::Value>(&s).map_err(|e| format!("{} is not valid JSON ({e})", self.ql(&s)))?;
                wrap(self.ql(&s))
            }
            Kind::Null | Kind::Unknown => unreachable!(),
        };
        Ok(Some(out))
    }
}

impl<'a> Tx<'a> {
    /// An expression DEFAULT for a column of `kind`, in parentheses: the value the target
    /// computes must be what SQLite stores, the column's affinity applied. An integer into a
    /// text column becomes its text; anything else of another kind is refused.
    fn expr_default(&self, t: Tr, kind: Kind) -> R<String> {
        let sql = match (kind, t.kind) {
            (Kind::Int, Kind::Int) | (Kind::Dec | Kind::Float, Kind::Int | Kind::Dec | Kind::Float) | (Kind::Text, Kind::Text) | (Kind::Bytes, Kind::Bytes) | (Kind::Bool, Kind::Bool) => t.sql,
            (Kind::Text, Kind::Int) => self.sp.cast_text(&t.operand()),
            (Kind::Int | Kind::Dec | Kind::Float | Kind::Text | Kind::Bytes | Kind::Bool, Kind::Null) => return Err("the expression is always NULL".into()),
            (to, from) => return Err(format!("the expression gives a {} value for a {} column: SQLite applies the column's affinity to it, the target converts by its own rules; carried only where the two agree", from.label(), to.label())),
        };
        Ok(format!("({sql})"))
    }
}

/// What SQLite stores for a literal DEFAULT in a column of `affinity`: the literal with the
/// column's affinity applied, as it does to any value written there. None where the stored
/// form is not certain (a REAL in a TEXT column whose `%!.15g` text is not known exactly).
pub(super) fn stored_literal(lit: Lit, affinity: crate::mapping::declared::Affinity) -> Option<rusqlite::types::Value> {
    use crate::mapping::declared::Affinity as A;
    use rusqlite::types::Value as V;
    let numeric = |l: Lit| match l {
        Lit::Int(n) => Some(V::Integer(n)),
        Lit::Real(_, f) => Some(V::Real(f)),
        _ => None,
    };
    Some(match (affinity, lit) {
        (_, Lit::Null) => V::Null,
        (_, Lit::Blob(b)) => V::Blob(b),
        (A::Blob, Lit::Int(n)) => V::Integer(n),
        (A::Blob, Lit::Real(_, f)) => V::Real(f),
        (A::Blob, Lit::Str(s)) => V::Text(s),
        (A::Text, Lit::Int(n)) => V::Text(n.to_string()),
        (A::Text, Lit::Real(_, f)) => V::Text(sqlite_real_text(f)?),
        (A::Text, Lit::Str(s)) => V::Text(s),
        // INTEGER and NUMERIC: a text that reads as a number becomes one, a whole REAL an
        // integer (`numeric_text` does both); REAL keeps every number a real.
        (A::Integer | A::Numeric, Lit::Real(_, f)) if f.fract() == 0.0 && f.abs() < 9.2e18 => V::Integer(f as i64),
        (A::Integer | A::Numeric, Lit::Str(s)) => numeric_text(&s).and_then(numeric).unwrap_or(V::Text(s)),
        (A::Integer | A::Numeric, l) => numeric(l)?,
        (A::Real, Lit::Int(n)) => V::Real(n as f64),
        (A::Real, Lit::Real(_, f)) => V::Real(f),
        (A::Real, Lit::Str(s)) => match numeric_text(&s) {
            Some(Lit::Int(n)) => V::Real(n as f64),
            Some(Lit::Real(_, f)) => V::Real(f),
            _ => V::Text(s),
        },
    })
}
