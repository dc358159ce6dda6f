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
    pub(super) fn pg(self) -> &'static str {
        match self {
            Unit::Second => "second",
            Unit::Minute => "minute",
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Month => "month",
            Unit::Year => "year",
        }
    }
    pub(super) fn my(self) -> &'static str {
        match self {
            Unit::Second => "SECOND",
            Unit::Minute => "MINUTE",
            Unit::Hour => "HOUR",
            Unit::Day => "DAY",
            Unit::Month => "MONTH",
            Unit::Year => "YEAR",
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
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Shape {
    Day,
    Minute,
    Second,
    Milli,
}

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
        let mut w = if mods.first() == Some(&Mod::Local) {
            mods = &mods[1..];
            // MariaDB reads a DEFAULT of NOW() / NOW(0) as CURRENT_TIMESTAMP at the column's
            // precision (microseconds on DATETIME(6)): the CAST keeps whole seconds.
            if self.pg() { "LOCALTIMESTAMP".to_string() } else if millis { "NOW(3)".into() } else { "CAST(NOW() AS DATETIME)".into() }
        } else if self.pg() {
            "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')".into()
        } else if millis {
            "UTC_TIMESTAMP(3)".into()
        } else {
            "UTC_TIMESTAMP()".into()
        };
        for m in mods {
            w = match (m, self.pg()) {
                (Mod::Local, true) => format!("CAST({w} AT TIME ZONE 'UTC' AS timestamp)"),
                (Mod::Local, false) => return Err("'localtime' after other modifiers is not supported for MySQL/MariaDB".into()),
                (Mod::Add(n, u), true) => format!("({w} + INTERVAL '{n} {}')", u.pg()),
                (Mod::Add(n, u), false) => format!("({w} + INTERVAL {n} {})", u.my()),
                (Mod::Start(u), true) => format!("date_trunc('{}', {w})", u.pg()),
                (Mod::Start(Unit::Day), false) => format!("CAST(CAST({w} AS DATE) AS DATETIME)"),
                (Mod::Start(Unit::Month), false) => format!("CAST(DATE_FORMAT({w}, '%Y-%m-01') AS DATETIME)"),
                (Mod::Start(Unit::Year), false) => format!("CAST(DATE_FORMAT({w}, '%Y-01-01') AS DATETIME)"),
                (Mod::Start(_), false) => unreachable!(),
            };
        }
        Ok(w)
    }

    /// The text SQLite would produce.
    pub(super) fn now_text(&self, spec: &NowSpec) -> R<String> {
        let w = self.now_wall(spec, spec.needs_millis())?;
        if self.pg() {
            let mut out = String::new();
            let mut lit = String::new();
            let flush = |lit: &mut String, out: &mut String| {
                if lit.is_empty() {
                    return;
                }
                if lit.chars().any(|c| c.is_ascii_alphanumeric() || c == '"' || c == '\\') {
                    out.push('"');
                    out.push_str(&lit.replace('\\', "\\\\").replace('"', "\\\""));
                    out.push('"');
                } else {
                    out.push_str(lit);
                }
                lit.clear();
            };
            let mut chars = spec.fmt.chars();
            while let Some(c) = chars.next() {
                if c != '%' {
                    lit.push(c);
                    continue;
                }
                let code = chars.next().unwrap_or('%');
                if code == '%' {
                    lit.push('%');
                    continue;
                }
                flush(&mut lit, &mut out);
                out.push_str(match code {
                    'Y' => "YYYY",
                    'm' => "MM",
                    'd' => "DD",
                    'H' => "HH24",
                    'M' => "MI",
                    'S' => "SS",
                    'f' => "SS.MS",
                    'j' => "DDD",
                    _ => unreachable!(),
                });
            }
            flush(&mut lit, &mut out);
            // to_char's argument is the wall-clock timestamp; drop the outer parentheses.
            let w = w.strip_prefix('(').and_then(|x| x.strip_suffix(')')).filter(|_| w.starts_with("(CURRENT_TIMESTAMP AT")).map(str::to_string).unwrap_or(w);
            Ok(format!("to_char({w}, {})", self.ql(&out)))
        } else {
            enum Piece {
                Fmt(String),
                Millis,
            }
            let mut pieces = vec![Piece::Fmt(String::new())];
            let push = |pieces: &mut Vec<Piece>, s: &str| match pieces.last_mut() {
                Some(Piece::Fmt(f)) => f.push_str(s),
                _ => pieces.push(Piece::Fmt(s.to_string())),
            };
            let mut chars = spec.fmt.chars();
            while let Some(c) = chars.next() {
                if c != '%' {
                    push(&mut pieces, &c.to_string());
                    continue;
                }
                match chars.next().unwrap_or('%') {
                    'Y' => push(&mut pieces, "%Y"),
                    'm' => push(&mut pieces, "%m"),
                    'd' => push(&mut pieces, "%d"),
                    'H' => push(&mut pieces, "%H"),
                    'M' => push(&mut pieces, "%i"),
                    'S' => push(&mut pieces, "%s"),
                    'j' => push(&mut pieces, "%j"),
                    '%' => push(&mut pieces, "%%"),
                    'f' => {
                        push(&mut pieces, "%s.");
                        pieces.push(Piece::Millis);
                    }
                    _ => unreachable!(),
                }
            }
            let parts: Vec<String> = pieces
                .iter()
                .filter(|p| !matches!(p, Piece::Fmt(f) if f.is_empty()))
                .map(|p| match p {
                    // Pure literal text needs no DATE_FORMAT.
                    Piece::Fmt(f) if !f.replace("%%", "").contains('%') => self.ql(&f.replace("%%", "%")),
                    Piece::Fmt(f) => format!("DATE_FORMAT({w}, {})", self.ql(f)),
                    Piece::Millis => format!("LEFT(DATE_FORMAT({w}, '%f'), 3)"),
                })
                .collect();
            Ok(match parts.len() {
                0 => "''".into(),
                1 => parts.into_iter().next().unwrap(),
                _ => format!("CONCAT({})", parts.join(", ")),
            })
        }
    }

    /// The current time as a value of a column of `kind`.
    pub(super) fn now_as(&self, kind: Kind, spec: &NowSpec) -> R<Tr> {
        let shape = spec.shape();
        let only_local = spec.mods == [Mod::Local];
        let sql = match kind {
            Kind::Text | Kind::Unknown | Kind::Null => self.now_text(spec)?,
            Kind::Ts(tz) => {
                let shape = shape.ok_or_else(|| format!("the text '{}' makes is not a timestamp", spec.fmt))?;
                if self.pg() {
                    let unit = match shape {
                        Shape::Day => "day",
                        Shape::Minute => "minute",
                        Shape::Second => "second",
                        Shape::Milli => "milliseconds",
                    };
                    if tz && spec.mods.is_empty() && matches!(shape, Shape::Second | Shape::Milli) {
                        format!("date_trunc('{unit}', CURRENT_TIMESTAMP)")
                    } else {
                        let w = self.now_wall(spec, true)?;
                        let t = format!("date_trunc('{unit}', {w})");
                        // SQLite's text carries no zone; the copy reads such text as UTC.
                        if tz { format!("{t} AT TIME ZONE 'UTC'") } else { t }
                    }
                } else {
                    let w = self.now_wall(spec, shape == Shape::Milli)?;
                    match shape {
                        Shape::Second | Shape::Milli => w,
                        Shape::Minute => format!("CAST(DATE_FORMAT({w}, '%Y-%m-%d %H:%i:00') AS DATETIME)"),
                        Shape::Day => format!("CAST(CAST({w} AS DATE) AS DATETIME)"),
                    }
                }
            }
            Kind::Date => {
                if shape != Some(Shape::Day) {
                    return Err(format!("SQLite would store the text '{}' makes (not a bare date) in a date column", spec.fmt));
                }
                match (self.pg(), spec.mods.is_empty(), only_local) {
                    (true, _, true) => "CURRENT_DATE".into(),
                    (true, _, _) => format!("CAST({} AS date)", self.now_wall(spec, false)?),
                    (false, true, _) => "UTC_DATE()".into(),
                    (false, _, true) => "CURDATE()".into(),
                    (false, _, _) => format!("CAST({} AS DATE)", self.now_wall(spec, false)?),
                }
            }
            other => return Err(format!("the current time cannot be a {} value", other.label())),
        };
        let atom = is_call(&sql) || !sql.contains(' ');
        Ok(Tr { sql, kind: if kind == Kind::Unknown || kind == Kind::Null { Kind::Text } else { kind }, lit: None, now: Some(spec.clone()), atom })
    }
}
