//! Canonical rows: each value as the same text on both sides (numbers, floats by their bits,
//! instants, JSON as jsonb normalises it).

use crate::convert::Encoder;
use crate::value::{f64_text, push_date, push_date_time, push_num, Decimal};
use serde_json::Value as J;
use sha2::Digest;

/// Longest value shown in a mismatch; longer ones are cut and their length given.
const SHOWN_CHARS: usize = 300;

/// One row's canonical values back to back.
#[derive(Clone, Default)]
pub(crate) struct Row {
    pub(crate) buf: String,
    pub(crate) spans: Vec<Option<(u32, u32)>>,
}

impl Row {
    pub(crate) fn with_columns(n: usize) -> Row {
        Row { buf: String::with_capacity(32 * n), spans: Vec::with_capacity(n) }
    }
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        self.spans[i].map(|(a, b)| &self.buf[a as usize..b as usize])
    }
    pub(crate) fn push(&mut self, v: Option<&str>) {
        match v {
            None => self.spans.push(None),
            Some(s) => self.push_with(|b| b.push_str(s)),
        }
    }
    pub(crate) fn push_with(&mut self, f: impl FnOnce(&mut String)) {
        let start = self.buf.len() as u32;
        f(&mut self.buf);
        self.spans.push(Some((start, self.buf.len() as u32)));
    }
    /// Every value the same, NULLs in the same places: compared whole, not by a hash.
    pub(crate) fn same(&self, other: &Row) -> bool {
        self.spans == other.spans && self.buf == other.buf
    }
    /// The key's values as one string of bytes, equal exactly when the keys are equal (each
    /// NULL or length-prefixed canonical text).
    pub(crate) fn key_bytes(&self, key: &[usize]) -> Vec<u8> {
        let mut out = Vec::with_capacity(40 * key.len());
        for &i in key {
            match self.get(i) {
                None => out.push(0),
                Some(s) => {
                    out.push(1);
                    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
                    out.extend_from_slice(s.as_bytes());
                }
            }
        }
        out
    }
    pub(crate) fn keys_equal(&self, other: &Row, key: &[usize]) -> bool {
        key.iter().all(|&i| self.get(i) == other.get(i))
    }
    pub(crate) fn bytes(&self) -> usize {
        self.buf.len() + 8 * self.spans.len() + 64
    }
    /// The hash of the canonical values (each NULL or length-prefixed text, in column order),
    /// by which tables without a key are compared as multisets.
    pub(crate) fn hash(&self) -> [u8; 16] {
        let mut h = sha2::Sha256::new();
        for i in 0..self.spans.len() {
            match self.get(i) {
                None => h.update([0u8]),
                Some(s) => {
                    h.update([1u8]);
                    h.update((s.len() as u64).to_le_bytes());
                    h.update(s.as_bytes());
                }
            }
        }
        let mut out = [0u8; 16];
        out.copy_from_slice(&h.finalize()[..16]);
        out
    }
}

/// Writes converted values in canonical text: the form the target's read-back SELECT gives.
pub(crate) struct Canon<'a>(pub(crate) &'a mut Row);

impl Encoder for Canon<'_> {
    fn null(&mut self) {
        self.0.push(None);
    }
    fn number(&mut self, s: &str) {
        self.0.push(Some(s));
    }
    fn text(&mut self, s: &str) {
        self.0.push(Some(s));
    }
    fn bytes(&mut self, b: &[u8]) {
        self.0.push_with(|buf| push_hex(buf, b));
    }
    fn boolean(&mut self, b: bool) {
        self.0.push(Some(if b { "true" } else { "false" }));
    }
    fn float(&mut self, f: f64) {
        self.0.push_with(|buf| push_float_bits(buf, f));
    }
    fn decimal(&mut self, d: &Decimal) {
        self.0.push(Some(&d.to_plain()));
    }
    fn decimal_infinity(&mut self, negative: bool) {
        self.0.push(Some(if negative { "-Infinity" } else { "Infinity" }));
    }
    fn date(&mut self, d: chrono::NaiveDate, _s: &str) {
        self.0.push_with(|buf| push_date(buf, d));
    }
    fn timestamp(&mut self, utc: chrono::NaiveDateTime, _offset: bool) {
        self.0.push_with(|buf| push_timestamp(buf, utc));
    }
    fn json(&mut self, s: &str) {
        self.0.push_with(|buf| {
            if !push_canonical_json(buf, s) {
                buf.push_str(s);
            }
        });
    }
}

fn push_hex(buf: &mut String, b: &[u8]) {
    const D: &[u8; 16] = b"0123456789abcdef";
    buf.reserve(b.len() * 2);
    for &x in b {
        buf.push(D[(x >> 4) as usize] as char);
        buf.push(D[(x & 15) as usize] as char);
    }
}

/// A double's canonical text: its 8 bytes in hex (PostgreSQL's `float8send`), so equal
/// means the same bits; shown as its shortest text (`float_text`).
pub(crate) fn push_float_bits(buf: &mut String, f: f64) {
    push_hex(buf, &f.to_bits().to_be_bytes());
}

pub(crate) fn float_of(bits: &str) -> Option<f64> {
    u64::from_str_radix(bits, 16).ok().map(f64::from_bits)
}

/// A canonical double as a person reads it (`0.1`, `1e300`); other text unchanged.
pub(crate) fn float_text(bits: &str) -> String {
    match float_of(bits) {
        Some(f) if bits.len() == 16 => float_shown(f),
        _ => bits.to_string(),
    }
}

/// The shortest text that reads back as `f`: plain digits in the usual range, else with an
/// exponent.
pub(crate) fn float_shown(f: f64) -> String {
    let a = f.abs();
    if f.is_finite() && (a == 0.0 || (1e-6..1e15).contains(&a)) {
        if f == 0.0 && f.is_sign_negative() { "-0".into() } else { format!("{f}") }
    } else {
        f64_text(f)
    }
}

/// An instant as the target's read-back gives it: `YYYY-MM-DD HH:MM:SS.ffffff`.
fn push_timestamp(buf: &mut String, t: chrono::NaiveDateTime) {
    use chrono::Timelike;
    push_date_time(buf, t);
    buf.push('.');
    push_num(buf, (t.nanosecond() / 1000).min(999_999), 6);
}

/// A JSON document in one canonical text: keys sorted, no spaces, numbers as plain decimals
/// (`1.5e10` and `15000000000` are the same number), the last of duplicate keys kept (as
/// PostgreSQL's jsonb keeps it). None when it is not JSON.
pub fn canonical_json(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    push_canonical_json(&mut out, s).then_some(out)
}

/// `canonical_json` written at the end of `out`; false (and `out` as it was) when `s` is not JSON.
pub(crate) fn push_canonical_json(out: &mut String, s: &str) -> bool {
    match serde_json::from_str::<J>(s) {
        Ok(v) => {
            write_json(&v, out);
            true
        }
        Err(_) => false,
    }
}

fn write_json(v: &J, out: &mut String) {
    match v {
        J::Object(m) => {
            // The map keeps insertion order (and the last of duplicate keys): sort it.
            let mut entries: Vec<(&String, &J)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, x)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_string(out, k);
                out.push(':');
                write_json(x, out);
            }
            out.push('}');
        }
        J::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(x, out);
            }
            out.push(']');
        }
        J::Number(n) => {
            use std::fmt::Write;
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else {
                let t = n.to_string();
                match Decimal::parse(&t) {
                    Some(d) => out.push_str(&d.to_plain()),
                    None => out.push_str(&t),
                }
            }
        }
        J::String(s) => push_json_string(out, s),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Null => out.push_str("null"),
    }
}

/// A JSON string literal as serde_json writes one (`"`, `\\` and control characters escaped).
fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    let mut plain = 0;
    for (i, c) in s.bytes().enumerate() {
        let esc = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        plain = i + 1;
        if esc.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(b"0123456789abcdef"[(c >> 4) as usize]));
            out.push(char::from(b"0123456789abcdef"[(c & 15) as usize]));
        } else {
            out.push_str(esc);
        }
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

/// A value as a report shows it: cut after `SHOWN_CHARS` characters, with the full length.
pub(crate) fn shown(v: Option<&str>) -> Option<String> {
    let s = v?;
    if s.len() <= SHOWN_CHARS {
        return Some(s.to_string());
    }
    let n = s.chars().count();
    if n <= SHOWN_CHARS {
        return Some(s.to_string());
    }
    let cut: String = s.chars().take(SHOWN_CHARS).collect();
    Some(format!("{cut}… ({} characters)", crate::value::group_thousands(n as u64)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::convert;
    use crate::dialect::Dialect;
    use crate::schema::LogicalType;
    use crate::validate::spec::cmp_values;
    use rusqlite::types::ValueRef;
    use std::cmp::Ordering;

    fn canon(v: ValueRef<'_>, t: &LogicalType) -> Option<String> {
        let mut r = Row::default();
        convert(v, t, Dialect::Postgres, &mut Canon(&mut r)).unwrap();
        r.get(0).map(String::from)
    }

    #[test]
    fn canonical_text_per_type() {
        use LogicalType::*;
        let cases: Vec<(ValueRef, LogicalType, Option<&str>)> = vec![
            (ValueRef::Null, Text { max: None }, None),
            (ValueRef::Integer(-7), Integer { bits: 64 }, Some("-7")),
            (ValueRef::Real(19.999), Decimal { precision: Some(10), scale: Some(2) }, Some("20")),
            (ValueRef::Real(19.5), Decimal { precision: Some(10), scale: Some(2) }, Some("19.5")),
            (ValueRef::Real(0.1), Float, Some("3fb999999999999a")),
            (ValueRef::Real(-0.0), Float, Some("8000000000000000")),
            (ValueRef::Text(b"yes"), Boolean, Some("true")),
            (ValueRef::Blob(&[0, 171]), Bytes, Some("00ab")),
            (ValueRef::Text(b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10"), Uuid, Some("0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10")),
            (ValueRef::Text(b"0999-03-04"), Date, Some("0999-03-04")),
            (ValueRef::Text(b"2024-03-05T14:22:01.5+01:00"), Timestamp { tz: true }, Some("2024-03-05 13:22:01.500000")),
            (ValueRef::Text(b"2024-03-05"), Timestamp { tz: false }, Some("2024-03-05 00:00:00.000000")),
            (ValueRef::Text(b"{\"b\": [1, 2.50], \"a\": 1.5e10}"), Json, Some("{\"a\":15000000000,\"b\":[1,2.5]}")),
            (ValueRef::Text("日本 🚀".as_bytes()), Text { max: None }, Some("日本 🚀")),
        ];
        for (v, t, want) in cases {
            assert_eq!(canon(v, &t).as_deref(), want, "{v:?} as {t:?}");
        }
    }

    #[test]
    fn doubles_compare_by_bits_and_show_their_shortest_text() {
        assert_eq!(float_text("3fb999999999999a"), "0.1");
        assert_eq!(float_text(&crate::value::hex(&1e300f64.to_bits().to_be_bytes())), "1e300");
        assert_eq!(float_text(&crate::value::hex(&(-2.5e-7f64).to_bits().to_be_bytes())), "-2.5e-7");
        assert_eq!(float_text(&crate::value::hex(&1130.95f64.to_bits().to_be_bytes())), "1130.95");
        assert_eq!(float_text("7ff0000000000000"), "inf");
        assert_eq!(cmp_values(&LogicalType::Float, Some("c000000000000000"), Some("3ff0000000000000")), Ordering::Less, "-2 < 1");
        let mut s = String::new();
        push_num(&mut s, 7, 4);
        push_num(&mut s, 123456, 6);
        push_num(&mut s, 0, 2);
        assert_eq!(s, "000712345600");
    }

    #[test]
    fn json_is_normalised_as_jsonb_is() {
        let cases = [
            ("{\"a\": 1, \"b\": 2}", "{\"b\":2,\"a\":1}"),
            ("{\"n\": 15000000000}", "{\"n\":1.5e10}"),
            ("[1.0, \"x\\u00e9\"]", "[1,\"xé\"]"),
            ("{\"k\": 1, \"k\": 2}", "{\"k\":2}"),
        ];
        for (a, b) in cases {
            assert_eq!(canonical_json(a), canonical_json(b), "{a} vs {b}");
        }
        assert_eq!(canonical_json("{bad"), None);
    }

    #[test]
    fn json_strings_are_written_as_serde_json_writes_them() {
        for s in ["", "plain", "quote \" and \\ back", "tab\tnl\ncr\r", "\u{8}\u{c}\u{0}\u{1f}\u{7f}", "日本 ✓ 🦀", "\\u0041"] {
            let mut out = String::new();
            push_json_string(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
        for (doc, canon) in [("{\"b\": 1, \"a\": [true, null, -7, 18446744073709551615, 1.5e3]}", "{\"a\":[true,null,-7,18446744073709551615,1500],\"b\":1}"), ("\"x\\u0000y\"", "\"x\\u0000y\"")] {
            assert_eq!(canonical_json(doc).as_deref(), Some(canon), "{doc}");
        }
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        assert_eq!(shown(Some("short")).as_deref(), Some("short"));
        let long = "é".repeat(400);
        let s = shown(Some(&long)).unwrap();
        assert!(s.ends_with("… (400 characters)") && s.chars().count() < 330, "{s}");
    }
}
