//! SQLite's current time: CURRENT_TIMESTAMP, datetime('now', …), strftime(fmt, 'now', …) and
//! their modifiers, as text, a timestamp or a date on the target.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Month,
    Year,
}

impl Unit {
    pub(super) fn name(self) -> &'static str {
        match self {
            Unit::Second => "second",
            Unit::Minute => "minute",
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Month => "month",
            Unit::Year => "year",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Mod {
    /// `localtime`: UTC → the local time zone. In the targets: the session's time zone
    /// (PostgreSQL `TimeZone`, MySQL `time_zone`), the closest thing to SQLite's process zone.
    Local,
    Add(i64, Unit),
    Start(Unit),
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct NowSpec {
    /// The strftime format of the text SQLite produces.
    pub(super) fmt: String,
    pub(super) mods: Vec<Mod>,
}

/// How fine a time format is, when it is a timestamp or a date SQLite's text could stand for.
pub(super) use crate::dialect::expr::TimeShape as Shape;

impl NowSpec {
    pub(super) fn parse_mod(m: &str) -> R<Mod> {
        let l = m.trim().to_ascii_lowercase();
        match l.as_str() {
            "localtime" => return Ok(Mod::Local),
            "start of day" => return Ok(Mod::Start(Unit::Day)),
            "start of month" => return Ok(Mod::Start(Unit::Month)),
            "start of year" => return Ok(Mod::Start(Unit::Year)),
            _ => {}
        }
        let mut parts = l.split_whitespace();
        let (n, unit) = (parts.next(), parts.next());
        if let (Some(n), Some(unit), None) = (n, unit, parts.next()) {
            let n: i64 = n.trim_start_matches('+').parse()
                .map_err(|_| format!("the time modifier '{m}' is not supported (only whole numbers of units)"))?;
            let unit = match unit.trim_end_matches('s') {
                "second" => Unit::Second,
                "minute" => Unit::Minute,
                "hour" => Unit::Hour,
                "day" => Unit::Day,
                "month" => Unit::Month,
                "year" => Unit::Year,
                _ => return Err(format!("the time modifier '{m}' is not supported")),
            };
            return Ok(Mod::Add(n, unit));
        }
        Err(format!("the time modifier '{m}' is not supported"))
    }

    pub(super) fn new(fmt: &str, mods: &[String]) -> R<NowSpec> {
        let mut out = Vec::new();
        // Month and year arithmetic is the same in SQLite and the targets only from the first
        // of a month (SQLite normalises Jan 31 + 1 month to Mar 3, the targets clamp to Feb 28).
        let mut on_first = false;
        for m in mods {
            let m = NowSpec::parse_mod(m)?;
            match m {
                Mod::Start(Unit::Month | Unit::Year) => on_first = true,
                Mod::Add(_, Unit::Month | Unit::Year) => {
                    if !on_first {
                        return Err("month and year arithmetic on the current date differs between SQLite (which normalises Jan 31 + 1 month to Mar 3) and the target; it is carried only after 'start of month' or 'start of year'".into());
                    }
                }
                _ => on_first = false,
            }
            out.push(m);
        }
        // Validate the format.
        let mut chars = fmt.chars();
        while let Some(c) = chars.next() {
            if c == '%' {
                match chars.next() {
                    Some('Y' | 'm' | 'd' | 'H' | 'M' | 'S' | 'f' | 'j' | '%') => {}
                    Some(x) => return Err(format!("strftime format %{x} has no faithful equivalent in the target")),
                    None => return Err("strftime format ends with %".into()),
                }
            }
        }
        Ok(NowSpec { fmt: fmt.to_string(), mods: out })
    }

    pub(super) fn shape(&self) -> Option<Shape> {
        let f = self.fmt.strip_suffix('Z').unwrap_or(&self.fmt);
        match f {
            "%Y-%m-%d" => Some(Shape::Day),
            "%Y-%m-%d %H:%M" | "%Y-%m-%dT%H:%M" => Some(Shape::Minute),
            "%Y-%m-%d %H:%M:%S" | "%Y-%m-%dT%H:%M:%S" => Some(Shape::Second),
            "%Y-%m-%d %H:%M:%f" | "%Y-%m-%dT%H:%M:%f" => Some(Shape::Milli),
            _ => None,
        }
    }

    pub(super) fn needs_millis(&self) -> bool {
        self.fmt.contains("%f")
    }
}

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
        for m in mods {
            w = match m {
                Mod::Local => self.sp.to_local(&w)?,
                Mod::Add(n, u) => self.sp.add_interval(&w, *n, u.name()),
                Mod::Start(u) => self.sp.start_of(&w, u.name()),
            };
        }
        Ok(w)
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
        Ok(Tr { sql, kind: if kind == Kind::Unknown || kind == Kind::Null { Kind::Text } else { kind }, lit: None, now: Some(spec.clone()), atom })
    }
}
