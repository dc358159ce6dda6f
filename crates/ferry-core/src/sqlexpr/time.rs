//! SQLite's current time: CURRENT_TIMESTAMP, datetime('now', …), strftime(fmt, 'now', …) and
//! their modifiers, as text, a timestamp or a date on the target.

use sqlparser::ast::{Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Value, ValueWithSpan};

use super::now::{Mod, NowSpec, Shape, Unit};
use super::parse::{is_call, one_part, strip_nested};
use super::tx::{Tx, R};
use super::values::{Kind, Tr};

impl<'a> Tx<'a> {
    /// `Some` when `f` is SQLite's current time (CURRENT_TIMESTAMP, datetime('now', …), …).
    pub(super) fn now_function(&self, f: &Function) -> R<Option<NowSpec>> {
        let Some(name) = one_part(&f.name) else { return Ok(None) };
        let name = name.value.to_ascii_lowercase();
        let args: Vec<&Expr> = match &f.args {
            FunctionArguments::None => {
                let fmt = match name.as_str() {
                    "current_timestamp" => "%Y-%m-%d %H:%M:%S",
                    "current_date" => "%Y-%m-%d",
                    "current_time" => "%H:%M:%S",
                    _ => return Ok(None),
                };
                return Ok(Some(NowSpec::new(fmt, &[])?));
            }
            FunctionArguments::List(l) => {
                let mut v = Vec::new();
                for a in &l.args {
                    match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => v.push(e),
                        _ => return Ok(None),
                    }
                }
                v
            }
            FunctionArguments::Subquery(_) => return Ok(None),
        };
        let strs: Option<Vec<String>> = args.iter().map(|e| match strip_nested(e) {
            Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) => Some(s.clone()),
            _ => None,
        }).collect();
        let (fmt, rest) = match name.as_str() {
            "datetime" => ("%Y-%m-%d %H:%M:%S".to_string(), strs),
            "date" => ("%Y-%m-%d".to_string(), strs),
            "time" => ("%H:%M:%S".to_string(), strs),
            "strftime" => match strs {
                Some(mut v) if !v.is_empty() => {
                    let f = v.remove(0);
                    (f, Some(v))
                }
                _ => return Ok(None),
            },
            "current_timestamp" | "current_date" | "current_time" if args.is_empty() => {
                return self.now_function(&Function { args: FunctionArguments::None, ..f.clone() })
            }
            _ => return Ok(None),
        };
        let Some(rest) = rest else { return Ok(None) };
        match rest.split_first() {
            Some((first, mods)) if first.eq_ignore_ascii_case("now") => Ok(Some(NowSpec::new(&fmt, mods)?)),
            _ => Ok(None),
        }
    }

    /// The wall-clock time (a timestamp without zone) after the modifiers. `millis`: keep
    /// milliseconds (MySQL's clock functions take the precision).
    pub(super) fn now_wall(&self, spec: &NowSpec, millis: bool) -> R<String> {
        let mut mods = spec.mods.as_slice();
        let local = mods.first() == Some(&Mod::Local);
        if local {
            mods = &mods[1..];
        }
        let mut w = self.sp.now_wall(local, millis);
        let mut on_first = false;
        for m in mods {
            (w, on_first) = self.time_mod(&w, m, on_first)?;
        }
        Ok(w)
    }

    /// One modifier applied to a wall-clock time; `on_first`: the time is the first of a
    /// month at midnight (after 'start of month|year'), where months add the same in SQLite
    /// and the targets. Returns the new time and whether it is still on a first.
    pub(super) fn time_mod(&self, w: &str, m: &Mod, on_first: bool) -> R<(String, bool)> {
        Ok(match m {
            Mod::Local => (self.sp.to_local(w)?, false),
            Mod::Add(n, u @ (Unit::Month | Unit::Year)) if on_first => (self.sp.add_interval(w, *n, u.name()), true),
            // SQLite keeps the day and lets it overflow (Jan 31 + 1 month is Mar 2).
            Mod::Add(n, Unit::Month) => (self.sp.add_months_overflow(w, *n), false),
            Mod::Add(n, Unit::Year) => (self.sp.add_months_overflow(w, n.checked_mul(12).ok_or("a year count out of range")?), false),
            Mod::Add(n, u) => (self.sp.add_interval(w, *n, u.name()), false),
            Mod::Start(u) => (self.sp.start_of(w, u.name()), matches!(u, Unit::Month | Unit::Year)),
        })
    }

    /// The text SQLite would produce.
    pub(super) fn now_text(&self, spec: &NowSpec) -> R<String> {
        let w = self.now_wall(spec, spec.needs_millis())?;
        Ok(self.sp.format_time(&w, &spec.fmt))
    }

    /// The current time as a value of a column of `kind`.
    pub(super) fn now_as(&self, kind: Kind, spec: &NowSpec) -> R<Tr> {
        let shape = spec.shape();
        let only_local = spec.mods == [Mod::Local];
        let sql = match kind {
            Kind::Text | Kind::Unknown | Kind::Null => self.now_text(spec)?,
            Kind::Ts(tz) => {
                let shape = shape.ok_or_else(|| format!("the text '{}' makes is not a timestamp", spec.fmt))?;
                self.sp.now_timestamp(&|millis| self.now_wall(spec, millis), shape, tz, spec.mods.is_empty())?
            }
            Kind::Date => {
                if shape != Some(Shape::Day) {
                    return Err(format!("SQLite would store the text '{}' makes (not a bare date) in a date column", spec.fmt));
                }
                self.sp.now_date(&|millis| self.now_wall(spec, millis), spec.mods.is_empty(), only_local)?
            }
            other => return Err(format!("the current time cannot be a {} value", other.label())),
        };
        let atom = is_call(&sql) || !sql.contains(' ');
        Ok(Tr { sql, kind: if kind == Kind::Unknown || kind == Kind::Null { Kind::Text } else { kind }, lit: None, now: Some(spec.clone()), atom, aff: None })
    }
}
