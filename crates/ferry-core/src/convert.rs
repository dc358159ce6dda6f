//! One stored SQLite value → the target's text for the planned type, exactly, or a reason.
//!
//! The conversion is shared by both dialects; only the final escaping differs (`Encoder`:
//! PostgreSQL `COPY` text, MySQL literals). A value either converts exactly, converts with a
//! named change (rounded to the column's scale), or is refused with a reason the report
//! shows next to the row's key, the column and the original value.

use crate::plan::kinds::Kind::{self, *};
use crate::schema::LogicalType;
use crate::dialect::Dialect;
use crate::value::{f64_text, parse_bool_text, parse_canonical_i64, parse_iso_date, parse_iso_timestamp, Decimal};
use rusqlite::types::ValueRef;
use serde::{Deserialize, Serialize};

/// Where converted values are written, in the target's wire form. The text forms implement
/// the five basic methods; the typed ones default to them, and PostgreSQL's binary COPY
/// overrides them.
/// An encoder that keeps nothing: for asking whether a value converts.
pub(crate) struct Discard;

impl Encoder for Discard {
    fn null(&mut self) {}
    fn number(&mut self, _: &str) {}
    fn text(&mut self, _: &str) {}
    fn bytes(&mut self, _: &[u8]) {}
    fn boolean(&mut self, _: bool) {}
}

pub trait Encoder {
    fn null(&mut self);
    /// A number, already in the target's literal syntax.
    fn number(&mut self, s: &str);
    fn text(&mut self, s: &str);
    fn bytes(&mut self, b: &[u8]);
    fn boolean(&mut self, b: bool);
    fn int(&mut self, i: i64, _bits: u8) {
        self.number(itoa_buf(i).as_str());
    }
    /// A finite double, or ±infinity where the target holds it.
    fn float(&mut self, f: f64) {
        if f.is_infinite() {
            self.number(if f > 0.0 { "Infinity" } else { "-Infinity" });
        } else {
            self.number(&f64_text(f));
        }
    }
    fn decimal(&mut self, d: &Decimal) {
        self.number(&d.to_plain());
    }
    fn decimal_infinity(&mut self, negative: bool) {
        self.number(if negative { "-Infinity" } else { "Infinity" });
    }
    /// A UUID: `s` its lowercase text, `bytes` its 16 bytes.
    fn uuid(&mut self, s: &str, _bytes: &[u8; 16]) {
        self.text(s);
    }
    fn date(&mut self, _d: chrono::NaiveDate, s: &str) {
        self.text(s);
    }
    /// `utc` at microseconds; `offset`: the target's text names the offset (`+00`, PostgreSQL
    /// timestamptz). Encoders that write text make it only here, where it is needed.
    fn timestamp(&mut self, utc: chrono::NaiveDateTime, offset: bool) {
        let mut s = crate::value::timestamp_text(utc);
        if offset {
            s.push_str("+00");
        }
        self.text(&s);
    }
    fn json(&mut self, s: &str) {
        self.text(s);
    }
}

/// A value that arrived, but not as it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub to: String,
    pub reason: String,
    /// The kind of problem it is (`rounded` for the conversion's own changes).
    pub kind: Kind,
}

/// A value the target would not take: the kind of problem (what pre-flight groups it under
/// and the plan's choices are made for) and the reason the report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub kind: Kind,
    pub reason: String,
}

impl Refusal {
    pub fn new(kind: Kind, reason: impl Into<String>) -> Refusal {
        Refusal { kind, reason: reason.into() }
    }
}

/// The reason, as the report words it.
impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Converts one value. `Ok(None)`: exact. `Ok(Some(change))`: written, changed as described.
/// `Err(refusal)`: not written; the row is rejected.
pub fn convert(v: ValueRef<'_>, ty: &LogicalType, dialect: Dialect, out: &mut impl Encoder) -> Result<Option<Change>, Refusal> {
    if let ValueRef::Null = v {
        out.null();
        return Ok(None);
    }
    match ty {
        LogicalType::Integer { bits } => {
            let i = match v {
                ValueRef::Integer(i) => i,
                ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => f as i64,
                ValueRef::Real(f) => return Err(Refusal::new(WrongType, format!("{} is not an integer", f64_text(f)))),
                ValueRef::Text(t) => match std::str::from_utf8(t).ok().and_then(parse_canonical_i64) {
                    Some(i) => i,
                    None => return Err(Refusal::new(WrongType, "not an integer")),
                },
                _ => return Err(Refusal::new(WrongType, "a blob is not an integer")),
            };
            let (lo, hi) = crate::schema::int_range(*bits);
            if i < lo || i > hi {
                return Err(Refusal::new(OutOfRange, format!("{i} is out of range for a {bits}-bit integer")));
            }
            out.int(i, *bits);
            Ok(None)
        }
        LogicalType::Float => match v {
            ValueRef::Real(f) if f.is_infinite() && !dialect.holds_infinity() => Err(Refusal::new(OutOfRange, format!("{} cannot hold infinity", dialect.name()))),
            ValueRef::Real(f) => {
                out.float(f);
                Ok(None)
            }
            ValueRef::Integer(i) => {
                let f = i as f64;
                out.float(f);
                if f as i128 != i as i128 {
                    Ok(Some(Change { to: f64_text(f), reason: "integer beyond 2^53 stored as the nearest double".into(), kind: Rounded }))
                } else {
                    Ok(None)
                }
            }
            ValueRef::Text(_) => Err(Refusal::new(WrongType, "text is not a number")),
            _ => Err(Refusal::new(WrongType, "a blob is not a number")),
        },
        LogicalType::Decimal { precision, scale } => {
            let d = match v {
                ValueRef::Integer(i) => Decimal::from_i64(i),
                ValueRef::Real(f) if f.is_infinite() => {
                    if dialect.holds_infinity() {
                        out.decimal_infinity(f < 0.0);
                        return Ok(None);
                    }
                    return Err(Refusal::new(OutOfRange, format!("{} DECIMAL cannot hold infinity", dialect.name())));
                }
                ValueRef::Real(f) => Decimal::from_f64(f).expect("finite"),
                ValueRef::Text(t) => match std::str::from_utf8(t).ok().and_then(Decimal::parse) {
                    Some(d) => d,
                    None => return Err(Refusal::new(WrongType, "not a number")),
                },
                _ => return Err(Refusal::new(WrongType, "a blob is not a number")),
            };
            let mut change = None;
            let d = match scale {
                Some(s) if d.scale() > *s => {
                    let r = d.round_to(*s);
                    change = Some(Change { to: r.to_plain(), reason: format!("rounded to scale {s}"), kind: Rounded });
                    r
                }
                _ => d,
            };
            if let (Some(p), Some(s)) = (precision, scale) {
                if d.int_digits() > p.saturating_sub(*s) {
                    return Err(Refusal::new(OutOfRange, format!("{} does not fit numeric({p},{s})", d.to_plain())));
                }
            }
            out.decimal(&d);
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
                    None => return Err(Refusal::new(WrongType, "not a boolean")),
                },
                _ => return Err(Refusal::new(WrongType, "not a boolean (0 or 1)")),
            };
            out.boolean(b);
            Ok(None)
        }
        LogicalType::Text { max } => {
            let s: std::borrow::Cow<str> = match v {
                ValueRef::Text(t) | ValueRef::Blob(t) => match std::str::from_utf8(t) {
                    Ok(s) => s.into(),
                    Err(_) => return Err(Refusal::new(InvalidUtf8, "bytes that are not UTF-8 text")),
                },
                ValueRef::Integer(i) => i.to_string().into(),
                ValueRef::Real(f) => f64_text(f).into(),
                ValueRef::Null => unreachable!(),
            };
            if !dialect.holds_nul_in_text() && s.contains('\0') {
                return Err(Refusal::new(NulInText, "PostgreSQL text cannot hold the NUL character (\\0)"));
            }
            if let Some(n) = max {
                if s.len() > *n as usize && s.chars().count() > *n as usize {
                    return Err(Refusal::new(TooLong, format!("longer than {n} characters")));
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
            _ => Err(Refusal::new(WrongType, "a number in a binary column")),
        },
        LogicalType::Uuid => match v {
            ValueRef::Text(t) => match crate::value::parse_uuid_text(t) {
                Some(u) if !u.uppercase => {
                    out.uuid(std::str::from_utf8(t).expect("uuid text is ascii"), &u.bytes);
                    Ok(None)
                }
                _ => Err(Refusal::new(WrongType, "not a UUID")),
            },
            _ => Err(Refusal::new(WrongType, "not a UUID")),
        },
        LogicalType::Date => {
            let Some(s) = as_str(v) else { return Err(Refusal::new(ImpossibleDate, "not a date")) };
            match parse_iso_date(s) {
                Some(d) if !dialect.holds_year(chrono::Datelike::year(&d)) => {
                    Err(Refusal::new(OutOfRange, format!("{} DATE holds years 1000 to 9999 only", dialect.name())))
                }
                Some(d) => {
                    out.date(d, s);
                    Ok(None)
                }
                None => Err(Refusal::new(ImpossibleDate, "not a date (YYYY-MM-DD)")),
            }
        }
        LogicalType::Timestamp { tz } => {
            let Some(s) = as_str(v) else { return Err(Refusal::new(ImpossibleDate, "not a timestamp")) };
            let inst = match parse_iso_timestamp(s) {
                Some(i) => i,
                None => match parse_iso_date(s) {
                    Some(_) => parse_iso_timestamp(&format!("{s} 00:00:00")).expect("midnight parses"),
                    None => return Err(Refusal::new(ImpossibleDate, "not an ISO-8601 timestamp")),
                },
            };
            if !dialect.holds_year(inst.year()) {
                return Err(Refusal::new(OutOfRange, format!("{} DATETIME holds years 1000 to 9999 only", dialect.name())));
            }
            out.timestamp(inst.micros(), dialect.has_zoned_timestamps() && *tz);
            if inst.sub_micro_nanos != 0 {
                return Ok(Some(Change { to: inst.utc_text(), reason: "rounded to microseconds".into(), kind: Rounded }));
            }
            Ok(None)
        }
        LogicalType::Json => {
            // A number is a JSON document (json_valid(42) is 1), the form SQLite keeps '42' in.
            match v {
                ValueRef::Integer(i) => {
                    out.json(&i.to_string());
                    return Ok(None);
                }
                ValueRef::Real(f) => match serde_json::Number::from_f64(f) {
                    Some(n) => {
                        out.json(&n.to_string());
                        return Ok(None);
                    }
                    None => return Err(Refusal::new(InvalidJson, "not a JSON number (infinite)")),
                },
                _ => {}
            }
            let Some(s) = as_str(v) else { return Err(Refusal::new(InvalidJson, "not JSON text")) };
            if serde_json::from_str::<serde::de::IgnoredAny>(s).is_err() {
                return Err(Refusal::new(InvalidJson, "not valid JSON"));
            }
            if !dialect.holds_nul_in_text() && s.contains("\\u0000") {
                return Err(Refusal::new(InvalidJson, "PostgreSQL jsonb cannot hold \\u0000"));
            }
            out.json(s);
            Ok(None)
        }
        LogicalType::Unsupported { reason } => Err(Refusal::new(WrongType, reason.clone())),
    }
}

/// How a column's stored values are read before they take the planned type, when their
/// meaning is not their SQLite form: integers counting seconds since 1970, 0/1 flags, UUIDs
/// in 16-byte blobs, … Part of the plan (`transform = "epoch_ms"` beside a column's `type`),
/// honoured by the load, pre-flight and validation alike. A value the transform cannot read
/// is refused by name, never guessed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// INTEGER seconds since 1970-01-01 UTC → timestamp.
    EpochS,
    /// INTEGER milliseconds since 1970-01-01 UTC → timestamp.
    EpochMs,
    /// REAL Julian day number (SQLite's `julianday()`) → timestamp, at SQLite's millisecond.
    JulianDay,
    /// INTEGER 0 or 1 → boolean.
    #[serde(rename = "bool_01")]
    Bool01,
    /// Text `true`/`false`, `t`/`f`, `yes`/`no`, `y`/`n`, `on`/`off`, `1`/`0` (any case) → boolean.
    BoolText,
    /// A UUID in text of any case → uuid (lowercase).
    UuidText,
    /// A UUID in a 16-byte blob (or text of any case) → uuid.
    UuidBlob,
    /// A REAL (or integer) → decimal, only when its shortest decimal form fits the scale:
    /// 19.99 stays 19.99, 0.125 into scale 2 is refused, never rounded.
    DecimalExact,
}

impl Transform {
    pub fn name(self) -> &'static str {
        match self {
            Transform::EpochS => "epoch_s",
            Transform::EpochMs => "epoch_ms",
            Transform::JulianDay => "julian_day",
            Transform::Bool01 => "bool_01",
            Transform::BoolText => "bool_text",
            Transform::UuidText => "uuid_text",
            Transform::UuidBlob => "uuid_blob",
            Transform::DecimalExact => "decimal_exact",
        }
    }

    /// Whether the transform produces values of this logical type.
    pub fn applies_to(self, ty: &LogicalType) -> bool {
        match self {
            Transform::EpochS | Transform::EpochMs | Transform::JulianDay => matches!(ty, LogicalType::Timestamp { .. }),
            Transform::Bool01 | Transform::BoolText => matches!(ty, LogicalType::Boolean),
            // MySQL has no uuid type: its plans spell one `char(36)`, read back as text.
            Transform::UuidText | Transform::UuidBlob => matches!(ty, LogicalType::Uuid | LogicalType::Text { max: None } | LogicalType::Text { max: Some(36..) }),
            Transform::DecimalExact => matches!(ty, LogicalType::Decimal { .. }),
        }
    }

    /// What it needs, for messages: "a timestamp type".
    pub fn wants(self) -> &'static str {
        match self {
            Transform::EpochS | Transform::EpochMs | Transform::JulianDay => "a timestamp type",
            Transform::Bool01 | Transform::BoolText => "a boolean type",
            Transform::UuidText | Transform::UuidBlob => "a uuid type (MySQL: char(36))",
            Transform::DecimalExact => "a decimal type",
        }
    }
}

/// SQLite's Julian day of 1970-01-01 00:00 UTC, in milliseconds (2440587.5 days).
const UNIX_EPOCH_JD_MS: i64 = 210_866_760_000_000;

/// The UTC instant `ms` milliseconds after 1970 (`None` beyond chrono's range).
pub fn epoch_ms_instant(ms: i64) -> Option<chrono::NaiveDateTime> {
    chrono::DateTime::from_timestamp_millis(ms).map(|d| d.naive_utc())
}

/// A Julian day number as SQLite's date functions read it: rounded to the millisecond.
pub fn julian_day_instant(jd: f64) -> Option<chrono::NaiveDateTime> {
    if !jd.is_finite() || !(0.0..=5_373_484.0).contains(&jd) {
        return None; // SQLite's own range: 4713 BC to 9999 AD
    }
    let ms = (jd * 86_400_000.0 + 0.5) as i64;
    epoch_ms_instant(ms - UNIX_EPOCH_JD_MS)
}

/// A 16-byte blob with a UUID's variant bits (RFC 9562: `10xx`) and a version 1–8.
pub fn is_uuid_blob(b: &[u8]) -> bool {
    b.len() == 16 && (1..=8).contains(&(b[6] >> 4)) && b[8] & 0xC0 == 0x80
}

/// The canonical lowercase text of a 16-byte UUID.
pub fn uuid_blob_text(b: &[u8]) -> String {
    let h = crate::value::hex(b).to_ascii_lowercase();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Converts one value read through a transform (`None`: as `convert`).
pub fn convert_with(v: ValueRef<'_>, ty: &LogicalType, transform: Option<Transform>, dialect: Dialect, out: &mut impl Encoder) -> Result<Option<Change>, Refusal> {
    let Some(tr) = transform else { return convert(v, ty, dialect, out) };
    if let ValueRef::Null = v {
        out.null();
        return Ok(None);
    }
    if !tr.applies_to(ty) {
        // Either side a timestamp: the kind of a date that is not one.
        let kind = if matches!(tr, Transform::EpochS | Transform::EpochMs | Transform::JulianDay) || matches!(ty, LogicalType::Timestamp { .. }) { ImpossibleDate } else { WrongType };
        return Err(Refusal::new(kind, format!("transform {} needs {}, not {}", tr.name(), tr.wants(), ty.label())));
    }
    let whole = |v: ValueRef<'_>| match v {
        ValueRef::Integer(i) => Some(i),
        ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(f as i64),
        _ => None,
    };
    match tr {
        Transform::EpochS | Transform::EpochMs | Transform::JulianDay => {
            let utc = match tr {
                Transform::EpochS => {
                    let Some(s) = whole(v) else { return Err(Refusal::new(WrongType, "not a whole number of seconds since 1970 (epoch_s)")) };
                    s.checked_mul(1000).and_then(epoch_ms_instant)
                }
                Transform::EpochMs => {
                    let Some(ms) = whole(v) else { return Err(Refusal::new(WrongType, "not a whole number of milliseconds since 1970 (epoch_ms)")) };
                    epoch_ms_instant(ms)
                }
                _ => match v {
                    ValueRef::Real(f) => julian_day_instant(f),
                    ValueRef::Integer(i) => julian_day_instant(i as f64),
                    _ => return Err(Refusal::new(WrongType, "not a Julian day number (julian_day)")),
                },
            };
            let Some(utc) = utc else { return Err(Refusal::new(WrongType, format!("{} is beyond the dates {} reads", crate::value::value_to_json(v), tr.name()))) };
            let inst = crate::value::Instant { utc, naive: false, sub_micro_nanos: 0 };
            if !dialect.holds_year(inst.year()) {
                return Err(Refusal::new(WrongType, format!("{} falls outside the years 1000 to 9999 that {} DATETIME holds", crate::value::value_to_json(v), dialect.name())));
            }
            out.timestamp(inst.micros(), dialect.has_zoned_timestamps() && matches!(ty, LogicalType::Timestamp { tz: true }));
            Ok(None)
        }
        Transform::Bool01 => match whole(v) {
            Some(0) => {
                out.boolean(false);
                Ok(None)
            }
            Some(1) => {
                out.boolean(true);
                Ok(None)
            }
            _ => Err(Refusal::new(WrongType, "not 0 or 1 (bool_01)")),
        },
        Transform::BoolText => match as_str(v).and_then(parse_bool_text) {
            Some(b) => {
                out.boolean(b);
                Ok(None)
            }
            None => Err(Refusal::new(WrongType, "not a boolean word such as true/false, t/f or yes/no (bool_text)")),
        },
        Transform::UuidText | Transform::UuidBlob => {
            let text = match v {
                ValueRef::Text(t) if crate::value::is_uuid_text(t) => std::str::from_utf8(t).expect("uuid text is ascii").to_ascii_lowercase(),
                ValueRef::Blob(b) if tr == Transform::UuidBlob && b.len() == 16 => uuid_blob_text(b),
                _ if tr == Transform::UuidBlob => return Err(Refusal::new(WrongType, "not a 16-byte UUID (uuid_blob)")),
                _ => return Err(Refusal::new(WrongType, "not a UUID (uuid_text)")),
            };
            if matches!(ty, LogicalType::Uuid) {
                let u = crate::value::parse_uuid_text(text.as_bytes()).expect("the canonical text of a UUID");
                out.uuid(&text, &u.bytes);
            } else {
                out.text(&text);
            }
            Ok(None)
        }
        Transform::DecimalExact => {
            let LogicalType::Decimal { precision, scale } = ty else { unreachable!("checked by applies_to") };
            let d = match v {
                ValueRef::Integer(i) => Decimal::from_i64(i),
                ValueRef::Real(f) if f.is_finite() => Decimal::from_f64(f).expect("finite"),
                ValueRef::Real(_) => return Err(Refusal::new(OutOfRange, "infinity is not a decimal (decimal_exact)")),
                _ => return Err(Refusal::new(WrongType, "not a number (decimal_exact)")),
            };
            let s = scale.unwrap_or(0);
            if scale.is_some() && d.scale() > s {
                return Err(Refusal::new(WrongType, format!("{} has {} decimals, more than the scale {s}: not rounded (decimal_exact)", d.to_plain(), d.scale())));
            }
            if let Some(p) = precision {
                if d.int_digits() > p.saturating_sub(s) {
                    return Err(Refusal::new(OutOfRange, format!("{} does not fit numeric({p},{s})", d.to_plain())));
                }
            }
            out.decimal(&d);
            Ok(None)
        }
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

/// PostgreSQL `COPY … FROM STDIN (FORMAT binary)`: each field its length and its value in
/// the type's binary form, so the server parses nothing (uuid, timestamptz, numeric, …).
/// The column types must be exactly the ones `dialect::postgres::types` formats.
pub struct CopyBinary<'a> {
    pub buf: &'a mut Vec<u8>,
}

/// Every binary COPY starts with this, and ends with `COPY_BINARY_TRAILER`.
pub const COPY_BINARY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
pub const COPY_BINARY_TRAILER: &[u8] = &[0xff, 0xff];

/// 2000-01-01, PostgreSQL's epoch for dates and timestamps.
fn pg_epoch() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date")
}

impl CopyBinary<'_> {
    fn field(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(&(b.len() as i32).to_be_bytes());
        self.buf.extend_from_slice(b);
    }
    /// A row starts with its field count.
    pub fn row_start(&mut self, fields: usize) {
        self.buf.extend_from_slice(&(fields as i16).to_be_bytes());
    }
}

/// PostgreSQL's binary numeric: base-10000 digits aligned at the decimal point.
pub fn pg_numeric_binary(d: &Decimal, out: &mut Vec<u8>) {
    let dscale = d.scale() as i16;
    if d.is_zero() {
        for v in [0i16, 0, 0, dscale] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        return;
    }
    // The digits with any zeros a positive exponent implies; `int_len` digits before the point.
    let mut seq: Vec<u8> = d.digits.bytes().map(|c| c - b'0').collect();
    let mut int_len = seq.len() as i64 + d.exp as i64;
    if d.exp > 0 {
        seq.extend(std::iter::repeat_n(0, d.exp as usize));
        int_len = seq.len() as i64;
    }
    let lead = (4 - int_len.rem_euclid(4)) % 4;
    let mut aligned: Vec<u8> = std::iter::repeat_n(0, lead as usize).chain(seq).collect();
    while !aligned.len().is_multiple_of(4) {
        aligned.push(0);
    }
    let mut weight = ((lead + int_len) / 4 - 1) as i16;
    let mut groups: Vec<i16> = aligned.chunks(4).map(|c| c.iter().fold(0i16, |a, &x| a * 10 + x as i16)).collect();
    while groups.first() == Some(&0) {
        groups.remove(0);
        weight -= 1;
    }
    while groups.last() == Some(&0) {
        groups.pop();
    }
    let sign: u16 = if d.negative { 0x4000 } else { 0 };
    out.extend_from_slice(&(groups.len() as i16).to_be_bytes());
    out.extend_from_slice(&weight.to_be_bytes());
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&dscale.to_be_bytes());
    for g in groups {
        out.extend_from_slice(&g.to_be_bytes());
    }
}

impl Encoder for CopyBinary<'_> {
    fn null(&mut self) {
        self.buf.extend_from_slice(&(-1i32).to_be_bytes());
    }
    fn number(&mut self, s: &str) {
        // Every number goes through a typed method below; text here would be misread.
        debug_assert!(false, "binary COPY got an untyped number {s}");
        self.text(s);
    }
    fn text(&mut self, s: &str) {
        self.field(s.as_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.field(b);
    }
    fn boolean(&mut self, b: bool) {
        self.field(&[u8::from(b)]);
    }
    fn int(&mut self, i: i64, bits: u8) {
        match bits {
            0..=16 => self.field(&(i as i16).to_be_bytes()),
            17..=32 => self.field(&(i as i32).to_be_bytes()),
            _ => self.field(&i.to_be_bytes()),
        }
    }
    fn float(&mut self, f: f64) {
        self.field(&f.to_bits().to_be_bytes());
    }
    fn decimal(&mut self, d: &Decimal) {
        let mut v = Vec::with_capacity(16);
        pg_numeric_binary(d, &mut v);
        self.field(&v);
    }
    fn decimal_infinity(&mut self, negative: bool) {
        let sign: u16 = if negative { 0xF000 } else { 0xD000 };
        let mut v = vec![0, 0, 0, 0];
        v.extend_from_slice(&sign.to_be_bytes());
        v.extend_from_slice(&[0, 0]);
        self.field(&v);
    }
    fn uuid(&mut self, _s: &str, bytes: &[u8; 16]) {
        self.field(bytes);
    }
    fn date(&mut self, d: chrono::NaiveDate, _s: &str) {
        let days = (d - pg_epoch()).num_days() as i32;
        self.field(&days.to_be_bytes());
    }
    fn timestamp(&mut self, utc: chrono::NaiveDateTime, _offset: bool) {
        let micros = (utc - pg_epoch().and_hms_opt(0, 0, 0).expect("midnight")).num_microseconds().unwrap_or(i64::MAX);
        self.field(&micros.to_be_bytes());
    }
    fn json(&mut self, s: &str) {
        // jsonb's binary form: version 1, then the text.
        self.buf.extend_from_slice(&((s.len() + 1) as i32).to_be_bytes());
        self.buf.push(1);
        self.buf.extend_from_slice(s.as_bytes());
    }
}

/// MySQL/MariaDB literals for a multi-row INSERT, read the same whatever the server
/// connection's `sql_mode` (a proxy may hand the statement to a connection that never saw
/// Ferry's NO_BACKSLASH_ESCAPES): text holding a backslash goes as a hex string introduced as
/// utf8mb4, the rest quoted with `''` doubling (the same in either mode).
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
        if s.contains('\\') {
            self.buf.extend_from_slice(b"_utf8mb4 ");
            self.bytes(s.as_bytes());
            return;
        }
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

/// Values as MySQL's `LOAD DATA` reads a field with `ESCAPED BY '\\'` (fields split by tab,
/// lines by newline): NULL is `\N`; in text the backslash, tab, newline, carriage return and
/// NUL are escaped, so the text `\N` arrives as itself; numbers and booleans as `MySqlLiteral`
/// writes them; bytes as hex digits, which the statement turns back with `UNHEX` (raw bytes
/// would be read in the statement's character set, and a byte that starts a UTF-8 sequence
/// would swallow the tab after it).
pub struct MySqlLoadData<'a> {
    pub buf: &'a mut Vec<u8>,
}

impl Encoder for MySqlLoadData<'_> {
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
            let esc = match c {
                b'\\' => b'\\',
                b'\t' => b't',
                b'\n' => b'n',
                b'\r' => b'r',
                0 => b'0',
                _ => continue,
            };
            self.buf.extend_from_slice(&b[last..i]);
            self.buf.push(b'\\');
            self.buf.push(esc);
            last = i + 1;
        }
        self.buf.extend_from_slice(&b[last..]);
    }
    fn bytes(&mut self, b: &[u8]) {
        const D: &[u8; 16] = b"0123456789ABCDEF";
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

    /// Shows what the typed defaults write, unescaped: the PostgreSQL value as text.
    struct Shown(String);
    impl Encoder for Shown {
        fn null(&mut self) {
            self.0 = "NULL".into();
        }
        fn number(&mut self, s: &str) {
            self.0 = s.into();
        }
        fn text(&mut self, s: &str) {
            self.0 = s.into();
        }
        fn bytes(&mut self, b: &[u8]) {
            self.0 = format!("x{}", crate::value::hex(b));
        }
        fn boolean(&mut self, b: bool) {
            self.0 = if b { "t" } else { "f" }.into();
        }
    }

    fn pg(v: ValueRef<'_>, t: &LogicalType) -> Result<(String, Option<Change>), String> {
        let mut shown = Shown(String::new());
        let c = convert(v, t, Dialect::Postgres, &mut shown).map_err(|r| r.reason)?;
        Ok((shown.0, c))
    }

    fn binary(v: ValueRef<'_>, t: &LogicalType) -> Vec<u8> {
        let mut buf = vec![];
        convert(v, t, Dialect::Postgres, &mut CopyBinary { buf: &mut buf }).unwrap();
        buf
    }

    #[test]
    fn binary_fields() {
        let field = |b: &[u8]| [&(b.len() as i32).to_be_bytes()[..], b].concat();
        assert_eq!(binary(ValueRef::Null, &Text { max: None }), (-1i32).to_be_bytes());
        assert_eq!(binary(ValueRef::Integer(7), &Integer { bits: 64 }), field(&7i64.to_be_bytes()));
        assert_eq!(binary(ValueRef::Integer(-2), &Integer { bits: 16 }), field(&(-2i16).to_be_bytes()));
        assert_eq!(binary(ValueRef::Real(0.1), &Float), field(&0.1f64.to_bits().to_be_bytes()));
        assert_eq!(binary(ValueRef::Integer(1), &Boolean), field(&[1]));
        assert_eq!(binary(ValueRef::Text(b"2000-01-02"), &Date), field(&1i32.to_be_bytes()));
        assert_eq!(binary(ValueRef::Text(b"2000-01-01T00:00:01.5+01:00"), &Timestamp { tz: true }), field(&(-3_598_500_000i64).to_be_bytes()));
        assert_eq!(
            binary(ValueRef::Text(b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10"), &Uuid),
            field(&[0x0b, 0x9e, 0x1d, 0x6c, 0x9f, 0x0a, 0x4c, 0x1e, 0x8d, 0x43, 0x5a, 0x2b, 0x7e, 0x3f, 0x9c, 0x10])
        );
        assert_eq!(binary(ValueRef::Text(b"[1]"), &Json), field(b"\x01[1]"));
        assert_eq!(binary(ValueRef::Text(b"a\tb"), &Text { max: None }), field(b"a\tb"));
    }
    fn my(v: ValueRef<'_>, t: &LogicalType) -> Result<(String, Option<Change>), String> {
        let mut buf = vec![];
        let c = convert(v, t, Dialect::MariaDb, &mut MySqlLiteral { buf: &mut buf }).map_err(|r| r.reason)?;
        Ok((String::from_utf8(buf).unwrap(), c))
    }

    #[test]
    fn exact_conversions() {
        let dec = LogicalType::Decimal { precision: Some(10), scale: Some(2) };
        let cases: Vec<(ValueRef, LogicalType, &str, &str)> = vec![
            (ValueRef::Null, Text { max: None }, "NULL", "NULL"),
            (ValueRef::Integer(i64::MIN), Integer { bits: 64 }, "-9223372036854775808", "-9223372036854775808"),
            (ValueRef::Integer(i64::MAX), Integer { bits: 64 }, "9223372036854775807", "9223372036854775807"),
            (ValueRef::Real(0.1), Float, "1e-1", "1e-1"),
            (ValueRef::Real(19.99), dec.clone(), "19.99", "19.99"),
            (ValueRef::Integer(7), dec.clone(), "7", "7"),
            (ValueRef::Integer(1), Boolean, "t", "1"),
            (ValueRef::Text(b"false"), Boolean, "f", "0"),
            (ValueRef::Text(b"a\tb\nc\re'f"), Text { max: None }, "a\tb\nc\re'f", "'a\tb\nc\re''f'"),
            // Read the same whether or not the server connection has NO_BACKSLASH_ESCAPES.
            (ValueRef::Text(b"c\\d'\xc3\xa9"), Text { max: None }, "c\\d'\u{e9}", "_utf8mb4 0x635C6427C3A9"),
            (ValueRef::Blob(&[0, 255]), Bytes, "x00ff", "0x00FF"),
            (ValueRef::Blob(&[]), Bytes, "x", "''"),
            (ValueRef::Text(b"2024-03-05T14:22:01.5+01:00"), Timestamp { tz: true }, "2024-03-05 13:22:01.500000+00", "'2024-03-05 13:22:01.500000'"),
            (ValueRef::Text(b"2024-03-05"), Timestamp { tz: true }, "2024-03-05 00:00:00+00", "'2024-03-05 00:00:00'"),
            (ValueRef::Text(b"2024-03-05"), Date, "2024-03-05", "'2024-03-05'"),
            (ValueRef::Text(b"{\"a\": [1, 2]}"), Json, "{\"a\": [1, 2]}", "'{\"a\": [1, 2]}'"),
            // Bare scalars are JSON documents; numbers arrive as JSON numbers.
            (ValueRef::Integer(42), Json, "42", "'42'"),
            (ValueRef::Real(2.5), Json, "2.5", "'2.5'"),
            (ValueRef::Text(b"\"x\""), Json, "\"x\"", "'\"x\"'"),
            (ValueRef::Text(b"null"), Json, "null", "'null'"),
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
    fn numeric_binary_form() {
        // text → (ndigits, weight, sign, dscale, base-10000 digits)
        type Case = (&'static str, i16, i16, u16, i16, &'static [i16]);
        let cases: &[Case] = &[
            ("0", 0, 0, 0, 0, &[]),
            ("0.00", 0, 0, 0, 0, &[]),
            ("19.99", 2, 0, 0, 2, &[19, 9900]),
            ("0.005", 1, -1, 0, 3, &[50]),
            ("0.0000005", 1, -2, 0, 7, &[50]),
            ("1000", 1, 0, 0, 0, &[1000]),
            ("1e8", 1, 2, 0, 0, &[1]),
            ("-12345678.9", 3, 1, 0x4000, 1, &[1234, 5678, 9000]),
            ("9223372036854775807", 5, 4, 0, 0, &[922, 3372, 368, 5477, 5807]),
        ];
        for (text, n, weight, sign, dscale, digits) in cases {
            let mut out = vec![];
            pg_numeric_binary(&crate::value::Decimal::parse(text).unwrap(), &mut out);
            let words: Vec<i16> = out.chunks(2).map(|c| i16::from_be_bytes([c[0], c[1]])).collect();
            assert_eq!(words[0], *n, "{text} ndigits");
            assert_eq!(words[1], *weight, "{text} weight");
            assert_eq!(words[2] as u16, *sign, "{text} sign");
            assert_eq!(words[3], if *n == 0 { words[3] } else { *dscale }, "{text} dscale");
            assert_eq!(&words[4..], *digits, "{text} digits");
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
        assert_eq!(binary(ValueRef::Real(f64::NEG_INFINITY), &Float)[4..], f64::NEG_INFINITY.to_bits().to_be_bytes());
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

    fn pg_with(v: ValueRef<'_>, t: &LogicalType, tr: Transform) -> Result<String, String> {
        let mut shown = Shown(String::new());
        assert_eq!(convert_with(v, t, Some(tr), Dialect::Postgres, &mut shown).map_err(|r| r.reason)?, None, "a transform converts exactly or refuses");
        Ok(shown.0)
    }

    fn my_with(v: ValueRef<'_>, t: &LogicalType, tr: Transform) -> Result<String, String> {
        let mut buf = vec![];
        convert_with(v, t, Some(tr), Dialect::MariaDb, &mut MySqlLiteral { buf: &mut buf }).map_err(|r| r.reason)?;
        Ok(String::from_utf8(buf).unwrap())
    }

    /// Each transform: value → PostgreSQL text and MariaDB literal, or refused (`None`).
    #[test]
    fn transforms_convert_or_refuse() {
        use Transform::*;
        let ts = Timestamp { tz: true };
        let money = LogicalType::Decimal { precision: Some(12), scale: Some(2) };
        let uuid_bytes = [0x0b, 0x9e, 0x1d, 0x6c, 0x9f, 0x0a, 0x4c, 0x1e, 0x8d, 0x43, 0x5a, 0x2b, 0x7e, 0x3f, 0x9c, 0x10];
        type Case<'a> = (ValueRef<'a>, LogicalType, Transform, Option<(&'a str, &'a str)>);
        let cases: Vec<Case> = vec![
            (ValueRef::Integer(1_700_000_000_123), ts.clone(), EpochMs, Some(("2023-11-14 22:13:20.123000+00", "'2023-11-14 22:13:20.123000'"))),
            (ValueRef::Integer(1_700_000_000), ts.clone(), EpochS, Some(("2023-11-14 22:13:20+00", "'2023-11-14 22:13:20'"))),
            (ValueRef::Integer(0), ts.clone(), EpochS, Some(("1970-01-01 00:00:00+00", "'1970-01-01 00:00:00'"))),
            (ValueRef::Real(1_700_000_000.0), ts.clone(), EpochS, Some(("2023-11-14 22:13:20+00", "'2023-11-14 22:13:20'"))),
            (ValueRef::Real(1.5), ts.clone(), EpochS, None),
            (ValueRef::Text(b"soon"), ts.clone(), EpochMs, None),
            (ValueRef::Integer(i64::MAX), ts.clone(), EpochS, None),
            // SQLite: julianday('2023-11-14 22:13:20.123') = 2460263.425927350…; datetime() of it gives .123
            (ValueRef::Real(2_460_263.425_927_35), ts.clone(), JulianDay, Some(("2023-11-14 22:13:20.123000+00", "'2023-11-14 22:13:20.123000'"))),
            (ValueRef::Real(2_440_587.5), ts.clone(), JulianDay, Some(("1970-01-01 00:00:00+00", "'1970-01-01 00:00:00'"))),
            (ValueRef::Real(-1.0), ts.clone(), JulianDay, None),
            (ValueRef::Integer(1), Boolean, Bool01, Some(("t", "1"))),
            (ValueRef::Integer(0), Boolean, Bool01, Some(("f", "0"))),
            (ValueRef::Integer(2), Boolean, Bool01, None),
            (ValueRef::Text(b"1"), Boolean, Bool01, None),
            (ValueRef::Text(b"Yes"), Boolean, BoolText, Some(("t", "1"))),
            (ValueRef::Text(b"f"), Boolean, BoolText, Some(("f", "0"))),
            (ValueRef::Text(b"maybe"), Boolean, BoolText, None),
            (ValueRef::Integer(1), Boolean, BoolText, None),
            (ValueRef::Text(b"0B9E1D6C-9F0A-4C1E-8D43-5A2B7E3F9C10"), Uuid, UuidText, Some(("0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10", "'0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10'"))),
            (ValueRef::Text(b"not-a-uuid"), Uuid, UuidText, None),
            (ValueRef::Blob(&uuid_bytes), Uuid, UuidBlob, Some(("0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10", "'0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10'"))),
            (ValueRef::Blob(&uuid_bytes[..15]), Uuid, UuidBlob, None),
            (ValueRef::Blob(&uuid_bytes), Uuid, UuidText, None),
            // MySQL's char(36) is text: the UUID arrives as its lowercase text
            (ValueRef::Blob(&uuid_bytes), Text { max: Some(36) }, UuidBlob, Some(("0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10", "'0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10'"))),
            (ValueRef::Text(b"0B9E1D6C-9F0A-4C1E-8D43-5A2B7E3F9C10"), Text { max: Some(10) }, UuidText, None),
            (ValueRef::Real(19.99), money.clone(), DecimalExact, Some(("19.99", "19.99"))),
            (ValueRef::Real(0.1), money.clone(), DecimalExact, Some(("0.1", "0.1"))),
            (ValueRef::Integer(7), money.clone(), DecimalExact, Some(("7", "7"))),
            (ValueRef::Real(1.005), money.clone(), DecimalExact, None),
            (ValueRef::Real(1e11), money.clone(), DecimalExact, None),
            (ValueRef::Real(f64::INFINITY), money.clone(), DecimalExact, None),
            // a transform for another type is refused, not guessed
            (ValueRef::Integer(1), Integer { bits: 64 }, EpochMs, None),
        ];
        for (v, t, tr, want) in cases {
            let got = pg_with(v, &t, tr).ok().zip(my_with(v, &t, tr).ok());
            assert_eq!(got.as_ref().map(|(a, b)| (a.as_str(), b.as_str())), want, "{v:?} as {t:?} through {tr:?}: {:?}", pg_with(v, &t, tr));
        }
        // NULL is NULL whatever the transform.
        assert_eq!(pg_with(ValueRef::Null, &ts, EpochMs).unwrap(), "NULL");
        // MariaDB's DATETIME years.
        assert!(my_with(ValueRef::Integer(-62_000_000_000_000), &ts, EpochMs).unwrap_err().contains("years 1000 to 9999"));
        assert!(pg_with(ValueRef::Integer(-62_000_000_000_000), &ts, EpochMs).is_ok());
        // Without a transform, a declared scale rounds and says so; with decimal_exact it refuses.
        assert!(pg(ValueRef::Real(1.005), &money).unwrap().1.is_some());
        assert!(pg_with(ValueRef::Real(1.005), &money, DecimalExact).unwrap_err().contains("not rounded"));
    }

    /// Every refusal and change the conversion makes, with the kind of problem it is: the
    /// kind pre-flight groups it under and the plan's choices are made for.
    #[test]
    fn each_refusal_and_change_has_its_kind() {
        use crate::plan::kinds::Kind::{self, *};
        use Transform::*;
        let (p, m) = (Dialect::Postgres, Dialect::MariaDb);
        let dec = LogicalType::Decimal { precision: Some(4), scale: Some(2) };
        let ts = Timestamp { tz: true };
        type Case<'a> = (ValueRef<'a>, LogicalType, Option<Transform>, Dialect, Kind);
        let cases: Vec<Case> = vec![
            // integer
            (ValueRef::Real(1.5), Integer { bits: 64 }, None, p, WrongType),
            (ValueRef::Text(b"lots"), Integer { bits: 64 }, None, p, WrongType),
            (ValueRef::Blob(b"x"), Integer { bits: 64 }, None, p, WrongType),
            (ValueRef::Integer(70000), Integer { bits: 16 }, None, p, OutOfRange),
            // float
            (ValueRef::Real(f64::INFINITY), Float, None, m, OutOfRange),
            (ValueRef::Integer((1 << 53) + 1), Float, None, p, Rounded),
            (ValueRef::Text(b"1"), Float, None, p, WrongType),
            (ValueRef::Blob(b"1"), Float, None, p, WrongType),
            // decimal
            (ValueRef::Real(f64::INFINITY), dec.clone(), None, m, OutOfRange),
            (ValueRef::Text(b"abc"), dec.clone(), None, p, WrongType),
            (ValueRef::Blob(b"1"), dec.clone(), None, p, WrongType),
            (ValueRef::Real(1.005), dec.clone(), None, p, Rounded),
            (ValueRef::Integer(123), dec.clone(), None, p, OutOfRange),
            // boolean
            (ValueRef::Text(b"maybe"), Boolean, None, p, WrongType),
            (ValueRef::Integer(2), Boolean, None, p, WrongType),
            // text
            (ValueRef::Text(&[0xff, 0xfe]), Text { max: None }, None, m, InvalidUtf8),
            (ValueRef::Text(b"a\0b"), Text { max: None }, None, p, NulInText),
            (ValueRef::Text(b"abc"), Text { max: Some(2) }, None, p, TooLong),
            // bytes, uuid
            (ValueRef::Integer(1), Bytes, None, p, WrongType),
            (ValueRef::Text(b"0B9E1D6C-9F0A-4C1E-8D43-5A2B7E3F9C10"), Uuid, None, p, WrongType),
            (ValueRef::Integer(1), Uuid, None, p, WrongType),
            // date
            (ValueRef::Integer(1), Date, None, p, ImpossibleDate),
            (ValueRef::Text(b"0999-01-01"), Date, None, m, OutOfRange),
            (ValueRef::Text(b"2023-02-30"), Date, None, p, ImpossibleDate),
            // timestamp
            (ValueRef::Integer(1), ts.clone(), None, p, ImpossibleDate),
            (ValueRef::Text(b"yesterday"), ts.clone(), None, p, ImpossibleDate),
            (ValueRef::Text(b"0999-01-01 00:00:00"), ts.clone(), None, m, OutOfRange),
            (ValueRef::Text(b"2024-03-05 14:22:01.1234567"), ts.clone(), None, p, Rounded),
            // json
            (ValueRef::Real(f64::INFINITY), Json, None, p, InvalidJson),
            (ValueRef::Text(b"{bad"), Json, None, p, InvalidJson),
            (ValueRef::Text(b"[\"\\u0000\"]"), Json, None, p, InvalidJson),
            // a transform for another type (a choice can change the column's type under it)
            (ValueRef::Integer(1), Integer { bits: 64 }, Some(EpochMs), p, ImpossibleDate),
            (ValueRef::Integer(1), ts.clone(), Some(Bool01), p, ImpossibleDate),
            (ValueRef::Integer(1), Integer { bits: 64 }, Some(Bool01), p, WrongType),
            (ValueRef::Integer(1), Json, Some(Bool01), p, WrongType),
            (ValueRef::Integer(1), Date, Some(DecimalExact), p, WrongType),
            (ValueRef::Text(b"x"), Bytes, Some(UuidText), p, WrongType),
            // epoch_s, epoch_ms, julian_day
            (ValueRef::Real(1.5), ts.clone(), Some(EpochS), p, WrongType),
            (ValueRef::Text(b"soon"), ts.clone(), Some(EpochMs), p, WrongType),
            (ValueRef::Text(b"soon"), ts.clone(), Some(JulianDay), p, WrongType),
            (ValueRef::Integer(i64::MAX), ts.clone(), Some(EpochS), p, WrongType),
            (ValueRef::Real(f64::INFINITY), ts.clone(), Some(JulianDay), p, WrongType),
            (ValueRef::Integer(-62_000_000_000_000), ts.clone(), Some(EpochMs), m, WrongType),
            // bool_01, bool_text, uuid_text, uuid_blob
            (ValueRef::Integer(2), Boolean, Some(Bool01), p, WrongType),
            (ValueRef::Text(b"maybe"), Boolean, Some(BoolText), p, WrongType),
            (ValueRef::Text(b"not-a-uuid"), Uuid, Some(UuidText), p, WrongType),
            (ValueRef::Blob(b"short"), Uuid, Some(UuidBlob), p, WrongType),
            // decimal_exact
            (ValueRef::Real(f64::INFINITY), dec.clone(), Some(DecimalExact), p, OutOfRange),
            (ValueRef::Text(b"1"), dec.clone(), Some(DecimalExact), p, WrongType),
            (ValueRef::Real(1.005), dec.clone(), Some(DecimalExact), p, WrongType),
            (ValueRef::Integer(123), dec.clone(), Some(DecimalExact), p, OutOfRange),
        ];
        for (v, ty, tr, dialect, want) in cases {
            let mut sink = Shown(String::new());
            let (reason, kind, refused) = match convert_with(v, &ty, tr, dialect, &mut sink) {
                Ok(None) => panic!("{v:?} as {ty:?} through {tr:?} converts exactly"),
                Ok(Some(ch)) => (ch.reason, ch.kind, false),
                Err(r) => (r.reason, r.kind, true),
            };
            assert_eq!((kind, refused), (want, want != Rounded), "{v:?} as {ty:?} through {tr:?}: {reason}");
        }
    }

    #[test]
    fn transforms_read_and_write_by_name() {
        for tr in [Transform::EpochS, Transform::EpochMs, Transform::JulianDay, Transform::Bool01, Transform::BoolText, Transform::UuidText, Transform::UuidBlob, Transform::DecimalExact] {
            let json = serde_json::to_string(&tr).unwrap();
            assert_eq!(json, format!("\"{}\"", tr.name()));
            assert_eq!(serde_json::from_str::<Transform>(&json).unwrap(), tr);
        }
    }
}
