//! SQLite's date and time functions of a column in a view: `date(x, '+18 years')`,
//! `datetime(x, 'start of month', '+1 month', '-1 day')`, `strftime('%Y', x)`,
//! `datetime(n, 'unixepoch')`, `'weekday N'`. SQLite returns text; so does the translation
//! (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`, the format's text), computed from the column's
//! wall-clock UTC time, the convention the copy keeps for timestamp columns.
//!
//! Carried only where the column's type says what SQLite would read: a date or timestamp
//! column (its text is the ISO form SQLite parses) or, with `'unixepoch'`, an integer one or
//! epoch seconds the load made a timestamp (`ViewColumn::epoch`: the timestamp is what
//! `'unixepoch'` reads; any other use of such a column is refused in `view_column`).
//! SQLite's month and year arithmetic keeps the day and lets it overflow (`2024-01-31` +
//! 1 month is `2024-03-02`, `2024-02-29` + 1 year is `2025-03-01`), where the targets clamp
//! to the month's end: it is spelled from the first of the month plus the days past it.
//! `'localtime'` and `'utc'` convert through the zone of the process reading the view, which
//! the target has no equivalent of: refused. `julianday()` and `unixepoch()` of such a column
//! (and of `'now'`) are the numbers SQLite computes, to the bit (`day_number`).

use sqlparser::ast::{Expr, Value, ValueWithSpan};

use super::now::{Mod, NowSpec};
use super::parse::strip_nested;
use super::tx::{Tx, R};
use super::values::{Kind, Tr};

/// A string literal argument.
fn literal(e: &Expr) -> Option<&str> {
    match strip_nested(e) {
        Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) => Some(s),
        _ => None,
    }
}

impl<'a> Tx<'a> {
    /// `Some` when `name(args)` is a date/time function of a value other than 'now' in a view.
    pub(super) fn time_of_column(&mut self, name: &str, args: &[&Expr]) -> R<Option<Tr>> {
        if !self.view_mode() {
            return Ok(None);
        }
        let (fmt, rest): (String, &[&Expr]) = match name {
            "date" => ("%Y-%m-%d".into(), args),
            "datetime" => ("%Y-%m-%d %H:%M:%S".into(), args),
            "time" => ("%H:%M:%S".into(), args),
            "strftime" => match args.split_first() {
                Some((f, rest)) => match literal(f) {
                    Some(f) => (f.to_string(), rest),
                    None => return Err("strftime() with a computed format".into()),
                },
                None => return Err("strftime() needs a format".into()),
            },
            _ => return Ok(None),
        };
        let Some((value, mods)) = rest.split_first() else {
            return Err(format!("{name}() without a time value"));
        };
        if literal(value).is_some_and(|v| v.eq_ignore_ascii_case("now")) {
            return Ok(None);
        }
        // Checks the format's codes.
        NowSpec::new(&fmt, &[])?;
        let mods: Vec<&str> = mods.iter().map(|m| literal(m).ok_or_else(|| format!("{name}() with a computed modifier"))).collect::<R<_>>()?;
        let Some((wall, mods)) = self.column_wall(name, value, &mods)? else { return Ok(Some(self.lit_tr(super::values::Lit::Null))) };
        let mut wall = wall;
        let mut on_first = false;
        for m in mods {
            (wall, on_first) = self.time_modifier(&wall, m, on_first)?;
        }
        Ok(Some(Tr::new(self.sp.format_time(&wall, &fmt), Kind::Text, true)))
    }

    /// The wall-clock time a date or timestamp column holds (or, with `'unixepoch'` first, an
    /// integer column's seconds), and the modifiers left to apply; `None` for NULL.
    fn column_wall<'m>(&mut self, name: &str, value: &Expr, mods: &'m [&'m str]) -> R<Option<(String, &'m [&'m str])>> {
        let epoch = mods.first().is_some_and(|m| m.trim().eq_ignore_ascii_case("unixepoch"));
        // Epoch seconds the load made a timestamp: the target holds what 'unixepoch' reads.
        if let (true, Some((sql, tz))) = (epoch, self.epoch_column(value)) {
            return Ok(Some((self.sp.timestamp_wall(&sql, tz), &mods[1..])));
        }
        let x = self.expr(value)?;
        let wall = match x.kind {
            Kind::Int if epoch => self.sp.epoch_wall(&x.operand()),
            _ if epoch => return Err(format!("{name}(x, 'unixepoch') of {}: SQLite reads its number, which the target does not hold as seconds", x.kind.a_value())),
            Kind::Date => self.sp.date_wall(&x.sql),
            Kind::Ts(tz) => self.sp.timestamp_wall(&x.operand(), tz),
            Kind::Int | Kind::Dec | Kind::Float => return Err(format!("{name}() of a number: SQLite reads it as a Julian day number")),
            Kind::Null => return Ok(None),
            k => return Err(format!("{name}() of {}: SQLite parses the text itself, in any of its formats, and gives NULL for the rest; carried only for date and timestamp columns", k.a_value())),
        };
        Ok(Some((wall, &mods[usize::from(epoch)..])))
    }

    /// `julianday(x, …)` and `unixepoch(x, …)` of a date or timestamp column, or of `'now'`,
    /// in a view. SQLite counts whole milliseconds (`iJD`): it reads the fraction of a second
    /// as a double, caps it at .999 and rounds half up, then applies the modifiers;
    /// `julianday` is that count over 86,400,000 as a double, `unixepoch` the whole seconds.
    /// The target counts the same milliseconds from its value (`Spelling::wall_millis`, the
    /// same double arithmetic) and divides the same two doubles: the same bits, for any value
    /// of up to six fractional digits (the target's microseconds).
    pub(super) fn day_number(&mut self, name: &str, args: &[&Expr]) -> R<Option<Tr>> {
        if !self.view_mode() {
            return Ok(None);
        }
        let now = args.first().is_none_or(|v| literal(v).is_some_and(|v| v.eq_ignore_ascii_case("now")));
        let mods: Vec<&str> = args.iter().skip(1).map(|m| literal(m).ok_or_else(|| format!("{name}() with a computed modifier"))).collect::<R<_>>()?;
        let wall = if now {
            let spec = NowSpec::new("%Y-%m-%d %H:%M:%f", &mods.iter().map(|m| m.to_string()).collect::<Vec<_>>())?;
            self.now_wall(&spec, true)?
        } else {
            let Some((wall, rest)) = self.column_wall(name, args[0], &mods)? else { return Ok(Some(self.lit_tr(super::values::Lit::Null))) };
            if rest.is_empty() {
                wall
            } else {
                // SQLite rounds to its millisecond first, then applies the modifiers.
                let mut wall = self.sp.millis_wall(&self.sp.wall_millis(&wall));
                let mut on_first = false;
                for m in rest {
                    (wall, on_first) = self.time_modifier(&wall, m, on_first)?;
                }
                wall
            }
        };
        let ms = self.sp.wall_millis(&wall);
        Ok(Some(match name {
            "julianday" => Tr::new(self.sp.julian_day(&ms), Kind::Float, true),
            _ => Tr::new(self.sp.millis_seconds(&ms), Kind::Int, true),
        }))
    }

    fn time_modifier(&self, wall: &str, m: &str, on_first: bool) -> R<(String, bool)> {
        let l = m.trim().to_ascii_lowercase();
        match l.as_str() {
            "localtime" | "utc" => {
                return Err(format!("the modifier '{m}' converts through the time zone of the process that reads the view; the target has no equivalent of it"))
            }
            "unixepoch" => return Err("'unixepoch' must follow the value directly".into()),
            _ => {}
        }
        if let Some(n) = l.strip_prefix("weekday ") {
            return match n.trim().parse::<i64>() {
                Ok(n @ 0..=6) => Ok((self.sp.next_weekday(wall, n), false)),
                _ => Err(format!("the modifier '{m}' is not supported (weekday 0 to 6)")),
            };
        }
        match NowSpec::parse_mod(m)? {
            Mod::Local => unreachable!("'localtime' is refused above"),
            other => self.time_mod(wall, &other, on_first),
        }
    }
}
