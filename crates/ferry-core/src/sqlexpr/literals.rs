//! Literals: SQLite's numbers, strings, blobs and time strings, as SQLite reads them, and as the
//! target spells them.

use sqlparser::ast::{Expr, UnaryOperator, Value, ValueWithSpan};

use super::parse::text_at;
use super::tx::{Tx, R};
use super::values::{Kind, Lit, Tr};

/// `sqlite3`'s text for a REAL ("%!.15g"), when it is certain: ≤ 15 significant digits and
/// printed without an exponent.
pub(super) fn sqlite_real_text(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    if f == 0.0 {
        return Some("0.0".into());
    }
    let a = f.abs();
    if !(1e-4..1e15).contains(&a) {
        return None;
    }
    let s = format!("{f:?}");
    if s.contains('e') || s.contains('E') {
        return None;
    }
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    if significant.len() > 15 {
        return None;
    }
    Some(s)
}

/// What SQLite's numeric affinity makes of a text: an integer or a real, or None when the text
/// is not a number.
pub(super) fn numeric_text(s: &str) -> Option<Lit> {
    let t = s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\n' || c == '\r');
    if t.is_empty() {
        return None;
    }
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    if body.is_empty() || !body.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if body.chars().all(|c| c.is_ascii_digit()) {
        if let Ok(n) = t.trim_start_matches('+').parse::<i64>() {
            return Some(Lit::Int(n));
        }
    }
    if !body.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')) {
        return None;
    }
    let f: f64 = t.trim_start_matches('+').parse().ok()?;
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9.2e18 {
        return Some(Lit::Int(f as i64));
    }
    Some(Lit::Real(t.trim_start_matches('+').to_string(), f))
}

pub(super) fn parse_number(s: &str) -> R<Lit> {
    if s.chars().all(|c| c.is_ascii_digit()) {
        if let Ok(n) = s.parse::<i64>() {
            return Ok(Lit::Int(n));
        }
    }
    let f: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if !f.is_finite() {
        return Err(format!("`{s}` is out of range for a double"));
    }
    Ok(Lit::Real(s.to_string(), f))
}

pub(super) fn hex_decode(h: &str) -> R<Vec<u8>> {
    if !h.len().is_multiple_of(2) {
        return Err(format!("X'{h}' has an odd number of hex digits"));
    }
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).map_err(|_| format!("X'{h}' is not hex")))
        .collect()
}

pub(super) fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A SQLite time string as stored text, normalised to UTC: (`YYYY-MM-DD HH:MM:SS[.f]`,
/// date-only?).
pub(super) fn parse_timestamp_text(s: &str) -> Option<(String, bool)> {
    use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
    let t = s.trim();
    if t.len() == 10 {
        let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
        return Some((format!("{} 00:00:00", d.format("%Y-%m-%d")), true));
    }
    if t.len() < 16 {
        return None;
    }
    let (date, rest) = t.split_at(10);
    let rest = rest.strip_prefix([' ', 'T'])?;
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    // Time zone suffix: Z or ±HH:MM.
    let (time, offset_min) = if let Some(x) = rest.strip_suffix(['Z', 'z']) {
        (x, 0i64)
    } else if rest.len() > 6 && matches!(&rest[rest.len() - 6..rest.len() - 5], "+" | "-") && &rest[rest.len() - 3..rest.len() - 2] == ":" {
        let sign = if &rest[rest.len() - 6..rest.len() - 5] == "-" { -1 } else { 1 };
        let hh: i64 = rest[rest.len() - 5..rest.len() - 3].parse().ok()?;
        let mm: i64 = rest[rest.len() - 2..].parse().ok()?;
        (&rest[..rest.len() - 6], sign * (hh * 60 + mm))
    } else {
        (rest, 0)
    };
    let (hms, frac) = match time.split_once('.') {
        Some((a, f)) if !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()) => (a, Some(f)),
        Some(_) => return None,
        None => (time, None),
    };
    let tm = match hms.len() {
        5 => NaiveTime::parse_from_str(hms, "%H:%M").ok()?,
        8 => NaiveTime::parse_from_str(hms, "%H:%M:%S").ok()?,
        _ => return None,
    };
    if frac.is_some() && hms.len() != 8 {
        return None;
    }
    let frac = frac.unwrap_or("");
    // Targets keep microseconds; more digits would be rounded by them.
    if frac.len() > 6 && frac[6..].chars().any(|c| c != '0') {
        return None;
    }
    let frac = &frac[..frac.len().min(6)];
    let ndt = NaiveDateTime::new(d, tm) - chrono::Duration::minutes(offset_min);
    let mut out = ndt.format("%Y-%m-%d %H:%M:%S").to_string();
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some((out, false))
}

pub(super) fn valid_date_text(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

pub(super) fn canonical_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

/// A UUID in the form a UUID column holds in SQLite (lowercase 8-4-4-4-12), so that text
/// equality with it is value equality on the target.
pub(super) fn lowercase_uuid(s: &str) -> bool {
    canonical_uuid(s) && !s.bytes().any(|b| b.is_ascii_uppercase())
}

impl<'a> Tx<'a> {
    pub(super) fn value_lit(&self, v: &ValueWithSpan) -> R<Lit> {
        match &v.value {
            Value::Number(s, _) => parse_number(s),
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => Ok(Lit::Str(s.clone())),
            Value::HexStringLiteral(h) => {
                let is_int = text_at(self.src, v.span.start).is_some_and(|t| t.starts_with("0x") || t.starts_with("0X"));
                if is_int {
                    if h.len() > 16 {
                        return Err(format!("hex integer 0x{h} is too large"));
                    }
                    let u = u64::from_str_radix(h, 16).map_err(|_| format!("0x{h} is not a hex integer"))?;
                    Ok(Lit::Int(u as i64))
                } else {
                    Ok(Lit::Blob(hex_decode(h)?))
                }
            }
            Value::Boolean(b) => Ok(Lit::Int(*b as i64)),
            Value::Null => Ok(Lit::Null),
            Value::Placeholder(p) => Err(format!("parameter {p} has no value here")),
            other => Err(format!("literal `{other}` is not SQLite syntax")),
        }
    }

    pub(super) fn render_lit(&self, l: &Lit) -> (String, bool) {
        match l {
            Lit::Int(n) => (n.to_string(), *n >= 0),
            Lit::Real(s, _) => (s.clone(), !s.starts_with('-')),
            Lit::Str(s) => (self.ql(s), true),
            Lit::Blob(b) => self.sp.blob_literal(&hex_encode(b)),
            Lit::Null => ("NULL".into(), true),
        }
    }

    pub(super) fn lit_tr(&self, l: Lit) -> Tr {
        let (sql, atom) = self.render_lit(&l);
        let kind = match &l {
            Lit::Int(_) => Kind::Int,
            Lit::Real(..) => Kind::Float,
            Lit::Str(_) => Kind::Text,
            Lit::Blob(_) => Kind::Bytes,
            Lit::Null => Kind::Null,
        };
        Tr { sql, kind, lit: Some(l), now: None, atom, aff: None }
    }

    /// A literal number, folding a leading sign.
    pub(super) fn signed_lit(&self, op: &UnaryOperator, e: &Expr) -> R<Option<Lit>> {
        let neg = match op {
            UnaryOperator::Minus => true,
            UnaryOperator::Plus => false,
            _ => return Ok(None),
        };
        let Expr::Value(v) = e else { return Ok(None) };
        if let Value::Number(s, _) = &v.value {
            if neg && s == "9223372036854775808" {
                return Ok(Some(Lit::Int(i64::MIN)));
            }
        }
        match self.value_lit(v)? {
            Lit::Int(n) => Ok(Some(Lit::Int(if neg { -n } else { n }))),
            Lit::Real(s, f) => Ok(Some(if neg { Lit::Real(format!("-{s}"), -f) } else { Lit::Real(s, f) })),
            _ => Ok(None),
        }
    }

    /// A UTC timestamp literal (normalised text) for the target, which no session time zone can
    /// shift.
    pub(super) fn ts_literal(&self, norm: &str, tz: bool) -> String {
        self.sp.timestamp_literal(norm, tz)
    }
}
