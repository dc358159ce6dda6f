//! SQLite's current time as the translator holds it (`NowSpec`): the strftime format and the
//! modifiers of `datetime('now', …)` and its kin, read and checked. A translated expression
//! carries one (`Tr::now`), so it sits below `values`; `time` turns it into SQL.

type R<T> = Result<T, String>;

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
        // Month and year arithmetic keeps SQLite's overflow (Jan 31 + 1 month is Mar 2):
        // `Spelling::add_months_overflow`.
        let out = mods.iter().map(|m| NowSpec::parse_mod(m)).collect::<R<Vec<_>>>()?;
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
