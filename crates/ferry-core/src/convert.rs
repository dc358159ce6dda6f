//! One stored SQLite value → the target's text for the planned type, exactly, or a reason.
//!
//! The conversion is shared by both dialects; only the final escaping differs (`Encoder`:
//! PostgreSQL `COPY` text, MySQL literals). A value either converts exactly, converts with a
//! named change (rounded to the column's scale), or is refused with a reason the report
//! shows next to the row's key, the column and the original value.

use crate::schema::LogicalType;
use crate::target::Dialect;
use crate::value::{f64_text, parse_bool_text, parse_canonical_i64, parse_iso_date, parse_iso_timestamp, Decimal};
use rusqlite::types::ValueRef;

/// Where converted values are written, escaped for the target.
pub trait Encoder {
    fn null(&mut self);
    /// A number, already in the target's literal syntax.
    fn number(&mut self, s: &str);
    fn text(&mut self, s: &str);
    fn bytes(&mut self, b: &[u8]);
    fn boolean(&mut self, b: bool);
}

/// A value that arrived, but not as it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub to: String,
    pub reason: String,
}

/// Converts one value. `Ok(None)`: exact. `Ok(Some(change))`: written, changed as described.
/// `Err(reason)`: not written; the row is rejected.
pub fn convert(v: ValueRef<'_>, ty: &LogicalType, dialect: Dialect, out: &mut impl Encoder) -> Result<Option<Change>, String> {
    if let ValueRef::Null = v {
        out.null();
        return Ok(None);
    }
    let pg = dialect == Dialect::Postgres;
    match ty {
        LogicalType::Integer { bits } => {
            let i = match v {
                ValueRef::Integer(i) => i,
                ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => f as i64,
                ValueRef::Real(f) => return Err(format!("{} is not an integer", f64_text(f))),
                ValueRef::Text(t) => match std::str::from_utf8(t).ok().and_then(parse_canonical_i64) {
                    Some(i) => i,
                    None => return Err("not an integer".into()),
                },
                _ => return Err("a blob is not an integer".into()),
            };
            let (lo, hi) = crate::mapping::int_range(*bits);
            if i < lo || i > hi {
                return Err(format!("{i} is out of range for a {bits}-bit integer"));
            }
            let mut buf = itoa_buf(i);
            out.number(buf.as_str());
            buf.clear();
            Ok(None)
        }
        LogicalType::Float => match v {
            ValueRef::Real(f) if f.is_infinite() => {
                if pg {
                    out.number(if f > 0.0 { "Infinity" } else { "-Infinity" });
                    Ok(None)
                } else {
                    Err(format!("{} cannot hold infinity", dialect.name()))
                }
            }
            ValueRef::Real(f) => {
                out.number(&f64_text(f));
                Ok(None)
            }
            ValueRef::Integer(i) => {
                let f = i as f64;
                out.number(&f64_text(f));
                if f as i128 != i as i128 {
                    Ok(Some(Change { to: f64_text(f), reason: "integer beyond 2^53 stored as the nearest double".into() }))
                } else {
                    Ok(None)
                }
            }
            ValueRef::Text(_) => Err("text is not a number".into()),
            _ => Err("a blob is not a number".into()),
        },
        LogicalType::Decimal { precision, scale } => {
            let d = match v {
                ValueRef::Integer(i) => Decimal::from_i64(i),
                ValueRef::Real(f) if f.is_infinite() => {
                    if pg {
                        out.number(if f > 0.0 { "Infinity" } else { "-Infinity" });
                        return Ok(None);
                    }
                    return Err(format!("{} DECIMAL cannot hold infinity", dialect.name()));
                }
                ValueRef::Real(f) => Decimal::from_f64(f).expect("finite"),
                ValueRef::Text(t) => match std::str::from_utf8(t).ok().and_then(Decimal::parse) {
                    Some(d) => d,
                    None => return Err("not a number".into()),
                },
                _ => return Err("a blob is not a number".into()),
            };
            let mut change = None;
            let d = match scale {
                Some(s) if d.scale() > *s => {
                    let r = d.round_to(*s);
                    change = Some(Change { to: r.to_plain(), reason: format!("rounded to scale {s}") });
                    r
                }
                _ => d,
            };
            if let (Some(p), Some(s)) = (precision, scale) {
                if d.int_digits() > p.saturating_sub(*s) {
                    return Err(format!("{} does not fit numeric({p},{s})", d.to_plain()));
                }
            }
            out.number(&d.to_plain());
            Ok(change)
        }
        LogicalType::Boolean => {
            let b = match v {
                ValueRef::Integer(0) => false,
                ValueRef::Integer(1) => true,
                ValueRef::Real(0.0) => false,
                ValueRef::Real(1.0) => true,
                ValueRef::Text(t) => match std::str::from_utf8(t).ok().and_then(parse_bool_text) {
                    Some(b) => b,
                    None => return Err("not a boolean".into()),
                },
                _ => return Err("not a boolean (0 or 1)".into()),
            };
            out.boolean(b);
            Ok(None)
        }
        LogicalType::Text { max } => {
            let s: std::borrow::Cow<str> = match v {
                ValueRef::Text(t) | ValueRef::Blob(t) => match std::str::from_utf8(t) {
                    Ok(s) => s.into(),
                    Err(_) => return Err("bytes that are not UTF-8 text".into()),
                },
                ValueRef::Integer(i) => i.to_string().into(),
                ValueRef::Real(f) => f64_text(f).into(),
                ValueRef::Null => unreachable!(),
            };
            if pg && s.contains('\0') {
                return Err("PostgreSQL text cannot hold the NUL character (\\0)".into());
            }
            if let Some(n) = max {
                if s.len() > *n as usize && s.chars().count() > *n as usize {
                    return Err(format!("longer than {n} characters"));
                }
            }
            out.text(&s);
            Ok(None)
        }
        LogicalType::Bytes => match v {
            ValueRef::Blob(b) | ValueRef::Text(b) => {
                out.bytes(b);
                Ok(None)
            }
            _ => Err("a number in a binary column".into()),
        },
        LogicalType::Uuid => match v {
            ValueRef::Text(t) if crate::value::is_uuid_text(t) && !t.iter().any(u8::is_ascii_uppercase) => {
                out.text(std::str::from_utf8(t).expect("uuid text is ascii"));
                Ok(None)
            }
            _ => Err("not a UUID".into()),
        },
        LogicalType::Date => {
            let Some(s) = as_str(v) else { return Err("not a date".into()) };
            match parse_iso_date(s) {
                Some(d) if !pg && !(1000..=9999).contains(&chrono::Datelike::year(&d)) => {
                    Err(format!("{} DATE holds years 1000 to 9999 only", dialect.name()))
                }
                Some(_) => {
                    out.text(s);
                    Ok(None)
                }
                None => Err("not a date (YYYY-MM-DD)".into()),
            }
        }
        LogicalType::Timestamp { tz } => {
            let Some(s) = as_str(v) else { return Err("not a timestamp".into()) };
            let inst = match parse_iso_timestamp(s) {
                Some(i) => i,
                None => match parse_iso_date(s) {
                    Some(_) => parse_iso_timestamp(&format!("{s} 00:00:00")).expect("midnight parses"),
                    None => return Err("not an ISO-8601 timestamp".into()),
                },
            };
            if !pg && !(1000..=9999).contains(&inst.year()) {
                return Err(format!("{} DATETIME holds years 1000 to 9999 only", dialect.name()));
            }
            let mut text = inst.utc_text();
            if pg && *tz {
                text.push_str("+00");
            }
            out.text(&text);
            if inst.sub_micro_nanos != 0 {
                return Ok(Some(Change { to: inst.utc_text(), reason: "rounded to microseconds".into() }));
            }
            Ok(None)
        }
        LogicalType::Json => {
            let Some(s) = as_str(v) else { return Err("not JSON text".into()) };
            if serde_json::from_str::<serde::de::IgnoredAny>(s).is_err() {
                return Err("not valid JSON".into());
            }
            if pg && s.contains("\\u0000") {
                return Err("PostgreSQL jsonb cannot hold \\u0000".into());
            }
            out.text(s);
            Ok(None)
        }
        LogicalType::Unsupported { reason } => Err(reason.clone()),
    }
}

fn as_str(v: ValueRef<'_>) -> Option<&str> {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t).ok(),
        _ => None,
    }
}

/// Formats an i64 without allocating per call.
struct ItoaBuf {
    buf: [u8; 20],
    start: usize,
}

impl ItoaBuf {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[self.start..]).expect("ascii digits")
    }
    fn clear(&mut self) {}
}

fn itoa_buf(i: i64) -> ItoaBuf {
    let mut buf = [0u8; 20];
    let mut pos = 20;
    let neg = i < 0;
    let mut n = i.unsigned_abs();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if neg {
        pos -= 1;
        buf[pos] = b'-';
    }
    ItoaBuf { buf, start: pos }
}

/// PostgreSQL `COPY … FROM STDIN` text format: tab-separated, `\N` for NULL.
pub struct CopyText<'a> {
    pub buf: &'a mut Vec<u8>,
}

impl Encoder for CopyText<'_> {
    fn null(&mut self) {
        self.buf.extend_from_slice(b"\\N");
    }
    fn number(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }
    fn text(&mut self, s: &str) {
        let b = s.as_bytes();
        let mut last = 0;
        for (i, &c) in b.iter().enumerate() {
            let esc: &[u8] = match c {
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                _ => continue,
            };
            self.buf.extend_from_slice(&b[last..i]);
            self.buf.extend_from_slice(esc);
            last = i + 1;
        }
        self.buf.extend_from_slice(&b[last..]);
    }
    fn bytes(&mut self, b: &[u8]) {
        const D: &[u8; 16] = b"0123456789abcdef";
        self.buf.extend_from_slice(b"\\\\x");
        for &x in b {
            self.buf.push(D[(x >> 4) as usize]);
            self.buf.push(D[(x & 15) as usize]);
        }
    }
    fn boolean(&mut self, b: bool) {
        self.buf.push(if b { b't' } else { b'f' });
    }
}

/// MySQL/MariaDB literals for a multi-row INSERT; the session runs with NO_BACKSLASH_ESCAPES.
pub struct MySqlLiteral<'a> {
    pub buf: &'a mut Vec<u8>,
}

impl Encoder for MySqlLiteral<'_> {
    fn null(&mut self) {
        self.buf.extend_from_slice(b"NULL");
    }
    fn number(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }
    fn text(&mut self, s: &str) {
        self.buf.push(b'\'');
        let b = s.as_bytes();
        let mut last = 0;
        for (i, &c) in b.iter().enumerate() {
            if c == b'\'' {
                self.buf.extend_from_slice(&b[last..=i]);
                self.buf.push(b'\'');
                last = i + 1;
            }
        }
        self.buf.extend_from_slice(&b[last..]);
        self.buf.push(b'\'');
    }
    fn bytes(&mut self, b: &[u8]) {
        const D: &[u8; 16] = b"0123456789ABCDEF";
        if b.is_empty() {
            self.buf.extend_from_slice(b"''");
            return;
        }
        self.buf.extend_from_slice(b"0x");
        for &x in b {
            self.buf.push(D[(x >> 4) as usize]);
            self.buf.push(D[(x & 15) as usize]);
        }
    }
    fn boolean(&mut self, b: bool) {
        self.buf.push(if b { b'1' } else { b'0' });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LogicalType::*;

    fn pg(v: ValueRef<'_>, t: &LogicalType) -> Result<(String, Option<Change>), String> {
        let mut buf = vec![];
        let c = convert(v, t, Dialect::Postgres, &mut CopyText { buf: &mut buf })?;
        Ok((String::from_utf8(buf).unwrap(), c))
    }
    fn my(v: ValueRef<'_>, t: &LogicalType) -> Result<(String, Option<Change>), String> {
        let mut buf = vec![];
        let c = convert(v, t, Dialect::MariaDb, &mut MySqlLiteral { buf: &mut buf })?;
        Ok((String::from_utf8(buf).unwrap(), c))
    }

    #[test]
    fn exact_conversions() {
        let dec = LogicalType::Decimal { precision: Some(10), scale: Some(2) };
        let cases: Vec<(ValueRef, LogicalType, &str, &str)> = vec![
            (ValueRef::Null, Text { max: None }, "\\N", "NULL"),
            (ValueRef::Integer(i64::MIN), Integer { bits: 64 }, "-9223372036854775808", "-9223372036854775808"),
            (ValueRef::Integer(i64::MAX), Integer { bits: 64 }, "9223372036854775807", "9223372036854775807"),
            (ValueRef::Real(0.1), Float, "1e-1", "1e-1"),
            (ValueRef::Real(19.99), dec.clone(), "19.99", "19.99"),
            (ValueRef::Integer(7), dec.clone(), "7", "7"),
            (ValueRef::Integer(1), Boolean, "t", "1"),
            (ValueRef::Text(b"false"), Boolean, "f", "0"),
            (ValueRef::Text(b"a\tb\nc\\d\re'f"), Text { max: None }, "a\\tb\\nc\\\\d\\re'f", "'a\tb\nc\\d\re''f'"),
            (ValueRef::Blob(&[0, 255]), Bytes, "\\\\x00ff", "0x00FF"),
            (ValueRef::Blob(&[]), Bytes, "\\\\x", "''"),
            (ValueRef::Text(b"2024-03-05T14:22:01.5+01:00"), Timestamp { tz: true }, "2024-03-05 13:22:01.500000+00", "'2024-03-05 13:22:01.500000'"),
            (ValueRef::Text(b"2024-03-05"), Timestamp { tz: true }, "2024-03-05 00:00:00+00", "'2024-03-05 00:00:00'"),
            (ValueRef::Text(b"2024-03-05"), Date, "2024-03-05", "'2024-03-05'"),
            (ValueRef::Text(b"{\"a\": [1, 2]}"), Json, "{\"a\": [1, 2]}", "'{\"a\": [1, 2]}'"),
            (ValueRef::Text("日本 🚀".as_bytes()), Text { max: Some(4) }, "日本 🚀", "'日本 🚀'"),
        ];
        for (v, t, want_pg, want_my) in cases {
            let (p, c) = pg(v, &t).unwrap();
            assert_eq!((p.as_str(), c), (want_pg, None), "{v:?} {t:?}");
            let (m, c) = my(v, &t).unwrap();
            assert_eq!((m.as_str(), c), (want_my, None), "{v:?} {t:?}");
        }
    }

    #[test]
    fn refusals_and_changes() {
        assert!(pg(ValueRef::Text(b"lots-of-it"), &Integer { bits: 64 }).is_err());
        assert!(pg(ValueRef::Integer(70000), &Integer { bits: 16 }).is_err());
        assert!(pg(ValueRef::Text(b"a\0b"), &Text { max: None }).is_err());
        assert_eq!(my(ValueRef::Text(b"a\0b"), &Text { max: None }).unwrap().0, "'a\0b'");
        assert!(pg(ValueRef::Text(&[0xff, 0xfe]), &Text { max: None }).is_err());
        assert!(my(ValueRef::Text(&[0xff, 0xfe]), &Text { max: None }).is_err());
        assert!(my(ValueRef::Real(f64::INFINITY), &Float).is_err());
        assert_eq!(pg(ValueRef::Real(f64::NEG_INFINITY), &Float).unwrap().0, "-Infinity");
        assert!(pg(ValueRef::Text(b"2023-02-30 00:00:00"), &Timestamp { tz: true }).is_err());
        assert!(my(ValueRef::Text(b"0999-01-01 00:00:00"), &Timestamp { tz: true }).is_err());
        assert!(pg(ValueRef::Text(b"{bad"), &Json).is_err());
        assert!(pg(ValueRef::Text(b"[\"\\u0000\"]"), &Json).is_err());
        assert!(pg(ValueRef::Text(b"abc"), &Text { max: Some(2) }).is_err());
        assert!(pg(ValueRef::Integer(2), &Boolean).is_err());
        let (s, c) = pg(ValueRef::Real(1.005), &LogicalType::Decimal { precision: Some(10), scale: Some(2) }).unwrap();
        assert_eq!(s, "1.01", "1.005 as a double is 1.00499999…, but its shortest text 1.005 is what the user sees");
        assert_eq!(c.unwrap().reason, "rounded to scale 2");
        assert!(pg(ValueRef::Real(123456.5), &LogicalType::Decimal { precision: Some(5), scale: Some(1) }).is_err());
        let (_, c) = pg(ValueRef::Integer((1 << 53) + 1), &Float).unwrap();
        assert!(c.is_some());
    }
}
