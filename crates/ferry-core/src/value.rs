//! Values as SQLite stores them, and the exact parsers every other module shares.
//!
//! SQLite has five storage classes; values are read as rusqlite's `ValueRef`, exact bytes and
//! all (text may not even be UTF-8). The parsers — integers, decimals, ISO-8601 timestamps, dates,
//! UUIDs, booleans — never round or guess: they say whether a value is exactly of a kind.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use rusqlite::types::ValueRef;

/// How a value is shown in a report: JSON, text as text, bytes that are not UTF-8 as hex.
pub fn value_to_json(v: ValueRef<'_>) -> serde_json::Value {
    match v {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(i) => serde_json::Value::from(i),
        ValueRef::Real(f) => match serde_json::Number::from_f64(f) {
            Some(n) => serde_json::Value::Number(n),
            None => serde_json::Value::String(format!("{f}")),
        },
        ValueRef::Text(t) => match std::str::from_utf8(t) {
            Ok(s) => serde_json::Value::String(s.to_string()),
            Err(_) => serde_json::Value::String(format!("x'{}'", hex(t))),
        },
        ValueRef::Blob(b) => serde_json::Value::String(format!("x'{}'", hex(b))),
    }
}

/// 1234567 → "1,234,567", as reasons and summaries show counts.
pub fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count with its noun, grouped: `plural(1, "row", "rows")` = "1 row", 20000 → "20,000 rows".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group_thousands(n), if n == 1 { one } else { many })
}

pub fn hex(b: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for &x in b {
        s.push(D[(x >> 4) as usize] as char);
        s.push(D[(x & 15) as usize] as char);
    }
    s
}

/// Shortest text that reads back as exactly the same double (`1e300`, `0.1`, `-0`).
pub fn f64_text(f: f64) -> String {
    if f == 0.0 && f.is_sign_negative() {
        return "-0".into();
    }
    let s = format!("{f:e}");
    // `{:e}` gives the shortest round-trip digits: "1.5e0", "1e300", "-2.5e-7".
    s
}

/// Dekker's double-double product `x * (y + yy)`, as SQLite's `dekkerMul2`.
fn dekker_mul2(x: &mut [f64; 2], y: f64, yy: f64) {
    const HIGH: u64 = 0xffff_ffff_fc00_0000;
    let hx = f64::from_bits(x[0].to_bits() & HIGH);
    let tx = x[0] - hx;
    let hy = f64::from_bits(y.to_bits() & HIGH);
    let ty = y - hy;
    let p = hx * hy;
    let q = hx * ty + tx * hy;
    let c = p + q;
    let mut cc = p - c + q + tx * ty;
    cc = x[0] * yy + x[1] * y + cc;
    x[0] = c + cc;
    x[1] = c - x[0];
    x[1] += cc;
}

/// The significant digits of a positive finite double rounded to 15 (no trailing zeros) and
/// the exponent of the first, as SQLite's `sqlite3FpDecode(r, 15, 26)` finds them (its own
/// double-double arithmetic, which a correctly rounded conversion disagrees with now and then).
fn sqlite_digits(r: f64) -> (String, i32) {
    let mut rr = [r, 0.0];
    let mut exp = 0i32;
    if rr[0] > 9.223372036854774784e+18 {
        while rr[0] > 9.223372036854774784e+118 {
            exp += 100;
            dekker_mul2(&mut rr, 1.0e-100, -1.99918998026028836196e-117);
        }
        while rr[0] > 9.223372036854774784e+28 {
            exp += 10;
            dekker_mul2(&mut rr, 1.0e-10, -3.6432197315497741579e-27);
        }
        while rr[0] > 9.223372036854774784e+18 {
            exp += 1;
            dekker_mul2(&mut rr, 1.0e-01, -5.5511151231257827021e-18);
        }
    } else {
        while rr[0] < 9.223372036854774784e-83 {
            exp -= 100;
            dekker_mul2(&mut rr, 1.0e+100, -1.5902891109759918046e+83);
        }
        while rr[0] < 9.223372036854774784e+07 {
            exp -= 10;
            dekker_mul2(&mut rr, 1.0e+10, 0.0);
        }
        while rr[0] < 9.22337203685477478e+17 {
            exp -= 1;
            dekker_mul2(&mut rr, 1.0e+01, 0.0);
        }
    }
    let v = if rr[1] < 0.0 { (rr[0] as u64).wrapping_sub((-rr[1]) as u64) } else { (rr[0] as u64).wrapping_add(rr[1] as u64) };
    let mut z: Vec<u8> = v.to_string().into_bytes();
    let mut dp = z.len() as i32 + exp;
    if z.len() > 15 {
        let up = z[15] >= b'5';
        z.truncate(15);
        if up {
            let mut j = 14;
            loop {
                z[j] += 1;
                if z[j] <= b'9' {
                    break;
                }
                z[j] = b'0';
                if j == 0 {
                    z.insert(0, b'1');
                    dp += 1;
                    break;
                }
                j -= 1;
            }
        }
    }
    while z.len() > 1 && z.last() == Some(&b'0') {
        z.pop();
    }
    (String::from_utf8(z).expect("digits"), dp - 1)
}

/// SQLite's text for a REAL, as `CAST(x AS TEXT)` and `length(x)` have it (`printf("%!.15g")`):
/// 15 significant digits, trailing zeros dropped but one kept after the point (`2.0`), an
/// exponent below 1e-4 and from 1e15 (`1.0e+20`, `1.5e-05`), `Inf` and `-Inf`.
pub fn sqlite_real_text(f: f64) -> String {
    if f.is_infinite() {
        return if f < 0.0 { "-Inf".into() } else { "Inf".into() };
    }
    if f == 0.0 || f.is_nan() {
        return "0.0".into();
    }
    let (digits, exp) = sqlite_digits(f.abs());
    let digits = digits.as_str();
    let mut out = String::with_capacity(24);
    if f < 0.0 {
        out.push('-');
    }
    if !(-4..15).contains(&exp) {
        out.push_str(&digits[..1]);
        out.push('.');
        out.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
        out.push_str(&format!("e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.unsigned_abs()));
    } else if exp >= 0 {
        let whole = exp as usize + 1;
        if digits.len() <= whole {
            out.push_str(digits);
            out.extend(std::iter::repeat_n('0', whole - digits.len()));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..whole]);
            out.push('.');
            out.push_str(&digits[whole..]);
        }
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
        out.push_str(digits);
    }
    out
}

/// The scale (digits after the point) and integer digits of a finite double's shortest
/// round-trip decimal form — what `Decimal::from_f64` would say, without formatting text for
/// the common case (money, measures: at most 6 decimals, below 1e15).
pub fn f64_scale_and_int_digits(f: f64) -> (u32, u32) {
    let a = f.abs();
    if a < 1e15 {
        let int_digits = if a < 1.0 { 0 } else { (a.trunc() as u64).ilog10() + 1 };
        for k in 0..=6 {
            let m = 10f64.powi(k);
            let scaled = (a * m).round();
            // `scaled / m` is the double nearest the k-decimal number scaled × 10^-k: when it is
            // `a`, that number reads back as `a`, and the smallest such k is the shortest form's scale.
            if scaled < 9.0e15 && scaled / m == a {
                return (k as u32, int_digits);
            }
        }
    }
    match Decimal::from_f64(f) {
        Some(d) => (d.scale(), d.int_digits()),
        None => (0, 0),
    }
}

/// A decimal number in text, split into sign, digits and exponent: value = ±digits × 10^exp.
/// `digits` has no leading zeros (empty for zero).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    pub negative: bool,
    pub digits: String,
    pub exp: i32,
}

impl Decimal {
    /// Whether `parse` could take the text at all: only its characters (signs, digits, the
    /// point and the exponent's `e`). A quick refusal before the parse, which builds a string.
    pub fn may_parse(s: &str) -> bool {
        !s.is_empty() && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'+' | b'-' | b'.' | b'e' | b'E'))
    }

    /// Parses `-12.50`, `1e-3`, `+7`, `.5`, `1.5E+10`. Not `inf`, not hex, no spaces.
    pub fn parse(s: &str) -> Option<Decimal> {
        let b = s.as_bytes();
        let mut i = 0;
        let mut negative = false;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            negative = b[i] == b'-';
            i += 1;
        }
        let mut digits = String::new();
        let mut exp: i32 = 0;
        let mut seen_digit = false;
        let mut seen_point = false;
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_digit() {
                seen_digit = true;
                digits.push(c as char);
                if seen_point {
                    exp -= 1;
                }
            } else if c == b'.' && !seen_point {
                seen_point = true;
            } else {
                break;
            }
            i += 1;
        }
        if !seen_digit {
            return None;
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let start = i;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                i += 1;
            }
            let ds = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if ds == i {
                return None;
            }
            let e: i32 = s[start..i].parse().ok()?;
            exp = exp.checked_add(e)?;
        }
        if i != b.len() {
            return None;
        }
        let trimmed = digits.trim_start_matches('0');
        let mut digits = trimmed.to_string();
        // Drop trailing zeros into the exponent: 12.50 → 125e-1.
        while digits.ends_with('0') {
            digits.pop();
            exp += 1;
        }
        if digits.is_empty() {
            exp = 0;
            negative = false;
        }
        Some(Decimal { negative, digits, exp })
    }

    pub fn from_f64(f: f64) -> Option<Decimal> {
        if !f.is_finite() {
            return None;
        }
        Decimal::parse(&format!("{f:e}"))
    }

    pub fn from_i64(i: i64) -> Decimal {
        Decimal::parse(&i.to_string()).expect("integer text parses")
    }

    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Digits after the decimal point.
    pub fn scale(&self) -> u32 {
        if self.exp < 0 { (-self.exp) as u32 } else { 0 }
    }

    /// Digits before the decimal point.
    pub fn int_digits(&self) -> u32 {
        let n = self.digits.len() as i64 + self.exp as i64;
        n.max(0) as u32
    }

    /// Rounds half away from zero to `scale` digits after the point (as PostgreSQL and MySQL do).
    pub fn round_to(&self, scale: u32) -> Decimal {
        if self.scale() <= scale {
            return self.clone();
        }
        let drop = (self.scale() - scale) as usize;
        if drop > self.digits.len() {
            return Decimal { negative: false, digits: String::new(), exp: 0 };
        }
        let keep_len = self.digits.len() - drop;
        let first_dropped = self.digits.as_bytes()[keep_len];
        let mut kept: Vec<u8> = self.digits.as_bytes()[..keep_len].to_vec();
        if first_dropped >= b'5' {
            // Add one at the last kept place, carrying.
            let mut i = kept.len();
            loop {
                if i == 0 {
                    kept.insert(0, b'1');
                    break;
                }
                i -= 1;
                if kept[i] == b'9' {
                    kept[i] = b'0';
                } else {
                    kept[i] += 1;
                    break;
                }
            }
        }
        let s = String::from_utf8(kept).unwrap();
        let text = format!("{}{}e-{}", if self.negative { "-" } else { "" }, if s.is_empty() { "0" } else { &s }, scale);
        Decimal::parse(&text).unwrap()
    }

    /// Plain text with no exponent: `-0.005`, `1200`, `0`.
    pub fn to_plain(&self) -> String {
        if self.digits.is_empty() {
            return "0".into();
        }
        let mut out = String::new();
        if self.negative {
            out.push('-');
        }
        if self.exp >= 0 {
            out.push_str(&self.digits);
            for _ in 0..self.exp {
                out.push('0');
            }
        } else {
            let point = self.digits.len() as i64 + self.exp as i64;
            if point <= 0 {
                out.push_str("0.");
                for _ in 0..(-point) {
                    out.push('0');
                }
                out.push_str(&self.digits);
            } else {
                let p = point as usize;
                out.push_str(&self.digits[..p]);
                out.push('.');
                out.push_str(&self.digits[p..]);
            }
        }
        out
    }
}

/// Text that is exactly an i64 in canonical form (`42`, `-7`; not `042`, `+1`, `1.0`).
pub fn parse_canonical_i64(s: &str) -> Option<i64> {
    let i: i64 = s.parse().ok()?;
    if i.to_string() == s { Some(i) } else { None }
}

/// A lowercase or uppercase canonical UUID: 8-4-4-4-12 hex digits.
pub fn is_uuid_text(s: &[u8]) -> bool {
    parse_uuid_text(s).is_some()
}

/// A UUID's text read: its 16 bytes, and whether any hex digit was uppercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UuidText {
    pub bytes: [u8; 16],
    pub uppercase: bool,
}

/// Each byte's hex value, `UPPER` added for `A`–`F`, `BAD` for a byte that is not a hex digit.
const HEX_BAD: u8 = 0x80;
const HEX_UPPER: u8 = 0x40;
const HEX: [u8; 256] = {
    let mut t = [HEX_BAD; 256];
    let mut c = 0;
    while c < 10 {
        t[b'0' as usize + c] = c as u8;
        c += 1;
    }
    let mut c = 0;
    while c < 6 {
        t[b'a' as usize + c] = 10 + c as u8;
        t[b'A' as usize + c] = (10 + c as u8) | HEX_UPPER;
        c += 1;
    }
    t
};

/// Reads a canonical UUID's text (8-4-4-4-12 hex digits, either case). One pass, without a
/// branch per digit: random hex digits made a per-digit branch guess wrong about every other
/// digit, and a UUID column holds little else.
pub fn parse_uuid_text(s: &[u8]) -> Option<UuidText> {
    // The dashes first: most text that is not a UUID fails there at once.
    if s.len() != 36 || s[8] != b'-' || s[13] != b'-' || s[18] != b'-' || s[23] != b'-' {
        return None;
    }
    // Where each byte's two digits are.
    const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    let mut bytes = [0u8; 16];
    let mut seen = 0u8;
    for (byte, at) in bytes.iter_mut().zip(AT) {
        let (hi, lo) = (HEX[s[at] as usize], HEX[s[at + 1] as usize]);
        seen |= hi | lo;
        *byte = (hi & 0x0f) << 4 | (lo & 0x0f);
    }
    if seen & HEX_BAD != 0 {
        return None;
    }
    Some(UuidText { bytes, uppercase: seen & HEX_UPPER != 0 })
}

/// Booleans as SQLite apps write them in text.
pub fn parse_bool_text(s: &str) -> Option<bool> {
    const TRUE: [&str; 6] = ["1", "t", "true", "y", "yes", "on"];
    const FALSE: [&str; 6] = ["0", "f", "false", "n", "no", "off"];
    if s.len() > 5 {
        return None;
    }
    let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(s));
    if is(&TRUE) {
        Some(true)
    } else if is(&FALSE) {
        Some(false)
    } else {
        None
    }
}

/// `YYYY-MM-DD`, a real calendar date.
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    if !s[0..4].bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A parsed ISO-8601 timestamp: the instant in UTC, and the nanoseconds beyond microseconds
/// that a microsecond target cannot hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant {
    pub utc: NaiveDateTime,
    /// True when the text named no offset (read as UTC, as SQLite's own functions write).
    pub naive: bool,
    pub sub_micro_nanos: u32,
}

/// `YYYY-MM-DD HH:MM[:SS[.f…]]` with ` ` or `T`, then optionally `Z`, `±HH:MM`, `±HHMM` or `±HH`.
/// A date alone is not a timestamp (see `parse_iso_date`).
pub fn parse_iso_timestamp(s: &str) -> Option<Instant> {
    let s = s.trim_end();
    let b = s.as_bytes();
    if b.len() < 16 {
        return None;
    }
    // `get`: byte 10 can fall inside a character ("2024年03月05日 14:22").
    let date = parse_iso_date(s.get(..10)?)?;
    if b[10] != b' ' && b[10] != b'T' && b[10] != b't' {
        return None;
    }
    let rest = &s[11..];
    let rb = rest.as_bytes();
    let two = |i: usize| -> Option<u32> {
        if i + 2 <= rb.len() && rb[i].is_ascii_digit() && rb[i + 1].is_ascii_digit() {
            Some(((rb[i] - b'0') * 10 + (rb[i + 1] - b'0')) as u32)
        } else {
            None
        }
    };
    let h = two(0)?;
    if rb.get(2) != Some(&b':') {
        return None;
    }
    let mi = two(3)?;
    let mut i = 5;
    let mut sec = 0;
    let mut nanos: u64 = 0;
    let mut extra: u32 = 0;
    if rb.get(i) == Some(&b':') {
        sec = two(i + 1)?;
        i += 3;
        if rb.get(i) == Some(&b'.') || rb.get(i) == Some(&b',') {
            i += 1;
            let start = i;
            let mut n = 0;
            while i < rb.len() && rb[i].is_ascii_digit() {
                if n < 9 {
                    nanos = nanos * 10 + (rb[i] - b'0') as u64;
                } else if rb[i] != b'0' {
                    extra = 1; // finer than nanoseconds: still not representable
                }
                n += 1;
                i += 1;
            }
            if i == start {
                return None;
            }
            for _ in n.min(9)..9 {
                nanos *= 10;
            }
        }
    }
    let time = NaiveTime::from_hms_nano_opt(h, mi, sec, nanos as u32)?;
    let local = NaiveDateTime::new(date, time);
    let tz = rest[i..].trim_start();
    let (utc, naive) = if tz.is_empty() {
        (local, true)
    } else if tz == "Z" || tz == "z" {
        (local, false)
    } else {
        let tb = tz.as_bytes();
        let sign = match tb[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let digits: String = tz[1..].chars().filter(|c| *c != ':').collect();
        if !digits.bytes().all(|c| c.is_ascii_digit()) || !(digits.len() == 2 || digits.len() == 4) {
            return None;
        }
        let oh: i32 = digits[0..2].parse().ok()?;
        let om: i32 = if digits.len() == 4 { digits[2..4].parse().ok()? } else { 0 };
        if oh > 23 || om > 59 {
            return None;
        }
        let off = FixedOffset::east_opt(sign * (oh * 3600 + om * 60))?;
        let dt: DateTime<FixedOffset> = off.from_local_datetime(&local).single()?;
        (dt.with_timezone(&Utc).naive_utc(), false)
    };
    let sub = (nanos % 1000) as u32 + extra;
    Some(Instant { utc, naive, sub_micro_nanos: sub })
}

/// `2024-01-02 03:04:05` or `2024-01-02 03:04:05.123456`: an instant already at microseconds,
/// fractions only where there are any. Written by hand for the years 0–9999 (one value per
/// row of every timestamp column passes here); other years as chrono prints them.
pub fn timestamp_text(t: NaiveDateTime) -> String {
    let mut s = String::with_capacity(26);
    push_timestamp_text(&mut s, t);
    s
}

/// As `timestamp_text`, appended to `out`.
pub fn push_timestamp_text(out: &mut String, t: NaiveDateTime) {
    if !(0..=9999).contains(&t.year()) {
        out.push_str(&t.format("%Y-%m-%d %H:%M:%S").to_string());
    } else {
        push_date_time(out, t);
    }
    let us = t.and_utc().timestamp_subsec_micros();
    if us != 0 {
        out.push('.');
        push_num(out, us, 6);
    }
}

/// `YYYY-MM-DD HH:MM:SS`, to the second.
pub(crate) fn push_date_time(out: &mut String, t: NaiveDateTime) {
    use chrono::Timelike;
    push_date(out, t.date());
    out.push(' ');
    push_num(out, t.hour(), 2);
    out.push(':');
    push_num(out, t.minute(), 2);
    out.push(':');
    push_num(out, t.second(), 2);
}

/// `n` in decimal, zero-padded to `width` digits.
pub(crate) fn push_num(buf: &mut String, n: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let (mut i, mut n) = (10, n);
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = i.min(10 - width.min(10));
    buf.push_str(std::str::from_utf8(&digits[start..]).expect("ascii digits"));
}

/// `YYYY-MM-DD` (other years as Rust prints them).
pub(crate) fn push_date(buf: &mut String, d: chrono::NaiveDate) {
    if !(0..=9999).contains(&d.year()) {
        use std::fmt::Write;
        let _ = write!(buf, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
        return;
    }
    push_num(buf, d.year() as u32, 4);
    buf.push('-');
    push_num(buf, d.month(), 2);
    buf.push('-');
    push_num(buf, d.day(), 2);
}

impl Instant {
    /// The instant rounded to microseconds (half up), as both targets store it.
    pub fn micros(&self) -> NaiveDateTime {
        let n = self.utc.and_utc().timestamp_subsec_nanos() % 1000;
        let base = self.utc - chrono::Duration::nanoseconds(n as i64);
        if n >= 500 { base + chrono::Duration::microseconds(1) } else { base }
    }

    /// `2024-01-02 03:04:05.123456`, the instant in UTC at microsecond precision.
    pub fn utc_text(&self) -> String {
        timestamp_text(self.micros())
    }

    pub fn year(&self) -> i32 {
        self.utc.year()
    }
}

/// `1.5 MiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 { format!("{n} bytes") } else { format!("{v:.1} {}", UNITS[u]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A REAL's text is SQLite's own, digit for digit: round and awkward values, tiny and
    /// huge ones, and 20,000 doubles from random bits.
    #[test]
    fn real_text_is_sqlites() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let mut values = vec![0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 19.99, 100.0, 1e14, 1e15, 123456789012345.0, 1234567890123456.0, 1e20, 1e-4, 1e-5, 0.00012345, 1.5e-7, 0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0, 1e300, -1e-300, 5e-324, f64::MAX, f64::MIN_POSITIVE, 9.999999999999999e14, 0.99999999999999999, 999999999999999.9, f64::INFINITY, f64::NEG_INFINITY];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = match i % 4 {
                0 => f64::from_bits(x),
                1 => (x % 10_000_000) as f64 / 100.0,
                2 => (x % 1_000_000_007) as f64 * 10f64.powi((x % 40) as i32 - 20),
                _ => (x >> 11) as f64 / (1u64 << 53) as f64,
            };
            if f.is_finite() {
                values.push(f);
            }
        }
        let mut st = c.prepare("SELECT CAST(?1 AS TEXT)").unwrap();
        for f in values {
            let want: String = st.query_row([f], |r| r.get(0)).unwrap();
            assert_eq!(sqlite_real_text(f), want, "{f:e}");
        }
    }

    /// Text that is not a timestamp is refused, whatever characters it holds (a character
    /// across byte 10 once stopped the profiling with a panic).
    #[test]
    fn not_timestamps_are_refused_without_panicking() {
        for s in ["2024年03月05日 14:22:01", "123456789é0123456", "2024-03-05é14:22:01", "2024-03-05 14:22:0é", "0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10"] {
            assert_eq!(parse_iso_timestamp(s), None, "{s}");
        }
    }

    /// The hand-written instant text is chrono's, for every year chrono prints.
    #[test]
    fn timestamp_text_is_chronos() {
        let cases = [(2024, 3, 5, 14, 22, 1, 0), (2024, 3, 5, 14, 22, 1, 123_456), (1, 1, 1, 0, 0, 0, 1), (0, 12, 31, 23, 59, 59, 999_999), (9999, 12, 31, 23, 59, 59, 0), (10_000, 1, 1, 0, 0, 0, 5), (-1, 6, 15, 12, 0, 0, 0)];
        for (y, mo, d, h, mi, s, us) in cases {
            let t = NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_micro_opt(h, mi, s, us).unwrap();
            let want = if us == 0 { t.format("%Y-%m-%d %H:%M:%S").to_string() } else { format!("{}.{us:06}", t.format("%Y-%m-%d %H:%M:%S")) };
            assert_eq!(timestamp_text(t), want, "{t:?}");
        }
    }

    #[test]
    fn decimals_parse_and_print() {
        let cases: &[(&str, bool, &str, i32, u32, u32, &str)] = &[
            // text, negative, digits, exp, scale, int digits, plain
            ("0", false, "", 0, 0, 0, "0"),
            ("-0.0", false, "", 0, 0, 0, "0"),
            ("12.50", false, "125", -1, 1, 2, "12.5"),
            ("-0.005", true, "5", -3, 3, 0, "-0.005"),
            ("1e3", false, "1", 3, 0, 4, "1000"),
            ("1.5E-7", false, "15", -8, 8, 0, "0.00000015"),
            ("+7", false, "7", 0, 0, 1, "7"),
            (".5", false, "5", -1, 1, 0, "0.5"),
            ("19.99", false, "1999", -2, 2, 2, "19.99"),
        ];
        for (t, neg, digits, exp, scale, ints, plain) in cases {
            let d = Decimal::parse(t).unwrap_or_else(|| panic!("{t}"));
            assert_eq!((d.negative, d.digits.as_str(), d.exp), (*neg, *digits, *exp), "{t}");
            assert_eq!(d.scale(), *scale, "{t}");
            assert_eq!(d.int_digits(), *ints, "{t}");
            assert_eq!(d.to_plain(), *plain, "{t}");
        }
        for bad in ["", "-", ".", "1e", "abc", "1.2.3", "1 ", "0x10", "inf"] {
            assert!(Decimal::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn decimals_round_half_away_from_zero() {
        let cases = [
            ("1.005", 2, "1.01"),
            ("-1.005", 2, "-1.01"),
            ("1.004", 2, "1"),
            ("9.995", 2, "10"),
            ("0.004", 2, "0"),
            ("0.3000000000000000444", 2, "0.3"),
            ("123", 2, "123"),
        ];
        for (t, s, want) in cases {
            assert_eq!(Decimal::parse(t).unwrap().round_to(s).to_plain(), want, "{t}");
        }
    }

    #[test]
    fn doubles_print_shortest_round_trip() {
        for f in [0.1, 19.99, 1e300, -2.5e-7, f64::MAX, f64::MIN_POSITIVE, 5e-324, 1.0 / 3.0, -0.0, 123456789012345680.0] {
            let t = f64_text(f);
            let back: f64 = t.parse().unwrap();
            assert_eq!(back.to_bits(), f.to_bits(), "{t}");
        }
        assert_eq!(Decimal::from_f64(19.99).unwrap().to_plain(), "19.99");
        assert_eq!(Decimal::from_f64(0.1 + 0.2).unwrap().to_plain(), "0.30000000000000004");
    }

    #[test]
    fn scale_fast_path_agrees_with_the_shortest_form() {
        let mut values = vec![0.0, -0.0, 19.99, 0.1, 0.05, 1.005, 0.1 + 0.2, 999.9999999999999, 0.9999999999999999, 1e14 + 0.5, 9.99e14, 123456.789012, 5e-324, 1e-7, 2.5e-7, 1e300, -42.0, 1.0 / 3.0];
        // Deterministic pseudo-random doubles: money-like, measures, and arbitrary bits.
        let mut x: u64 = 0x9e3779b97f4a7c15;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = match i % 4 {
                0 => (x % 10_000_000) as f64 / 100.0,
                1 => (x % 1_000_000_000) as f64 / 10f64.powi((x % 9) as i32),
                2 => f64::from_bits(x >> 2),
                _ => (x as f64) / 7.0,
            };
            if v.is_finite() {
                values.push(v);
            }
        }
        for v in values {
            let d = Decimal::from_f64(v).unwrap();
            assert_eq!(f64_scale_and_int_digits(v), (d.scale(), d.int_digits()), "{v:e}");
        }
    }

    #[test]
    fn timestamps_parse_to_the_same_instant() {
        let cases: &[(&str, Option<&str>, bool)] = &[
            ("2024-03-05 14:22:01", Some("2024-03-05 14:22:01"), true),
            ("2024-03-05T14:22:01", Some("2024-03-05 14:22:01"), true),
            ("2024-03-05T14:22:01.123Z", Some("2024-03-05 14:22:01.123000"), false),
            ("2024-03-05 14:22", Some("2024-03-05 14:22:00"), true),
            ("2024-03-05T14:22:01+02:00", Some("2024-03-05 12:22:01"), false),
            ("2024-03-05T01:22:01-0330", Some("2024-03-05 04:52:01"), false),
            ("2024-03-05 23:59:59.9999996", Some("2024-03-06 00:00:00"), true),
            ("2024-02-30 00:00:00", None, true),
            ("2024-03-05", None, true),
            ("2024-03-05 25:00:00", None, true),
            ("yesterday", None, true),
            ("2024-03-05 14:22:01 +99", None, true),
        ];
        for (t, want, naive) in cases {
            let got = parse_iso_timestamp(t);
            assert_eq!(got.map(|i| i.utc_text()), want.map(|s| s.to_string()), "{t}");
            if let Some(i) = got {
                assert_eq!(i.naive, *naive, "{t}");
            }
        }
        assert_eq!(parse_iso_timestamp("2024-03-05 14:22:01.1234567").unwrap().sub_micro_nanos, 700);
    }

    #[test]
    fn small_parsers() {
        assert!(is_uuid_text(b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10"));
        assert!(!is_uuid_text(b"0b9e1d6c9f0a4c1e8d435a2b7e3f9c10"));
        uuid_text_cases();
        assert_eq!(parse_canonical_i64("-42"), Some(-42));
        assert_eq!(parse_canonical_i64("042"), None);
        assert_eq!(parse_bool_text("Yes"), Some(true));
        assert_eq!(parse_bool_text("2"), None);
        assert!(parse_iso_date("2023-02-29").is_none());
        assert!(parse_iso_date("2024-02-29").is_some());
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
        for (n, want) in [(0, "0"), (999, "999"), (1000, "1,000"), (98311, "98,311"), (1234567, "1,234,567")] {
            assert_eq!(group_thousands(n), want);
        }
        for (n, want) in [(0, "0 rows"), (1, "1 row"), (2, "2 rows"), (20_000, "20,000 rows")] {
            assert_eq!(plural(n, "row", "rows"), want);
        }
    }

    fn uuid_text_cases() {
        let u = parse_uuid_text(b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10").unwrap();
        assert_eq!(u.bytes, [0x0b, 0x9e, 0x1d, 0x6c, 0x9f, 0x0a, 0x4c, 0x1e, 0x8d, 0x43, 0x5a, 0x2b, 0x7e, 0x3f, 0x9c, 0x10]);
        assert!(!u.uppercase);
        let cases: &[(&[u8], Option<bool>)] = &[
            (b"00000000-0000-0000-0000-000000000000", Some(false)),
            (b"ffffffff-ffff-ffff-ffff-ffffffffffff", Some(false)),
            (b"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", Some(true)),
            (b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9C10", Some(true)),
            // One byte that is not a hex digit, at every place a digit goes.
            (b"gb9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10", None),
            (b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c1G", None),
            (b"0b9e1d6c-9f0a-4c1e-8d4:-5a2b7e3f9c10", None),
            (b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c1/", None),
            (b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c1@", None),
            (b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c1`", None),
            (b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c1\xff", None),
            (b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c1 ", None),
            (b"0b9e1d6c+9f0a-4c1e-8d43-5a2b7e3f9c10", None),
            (b"{b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10}", None),
            (b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c1", None),
            (b"", None),
        ];
        for (text, upper) in cases {
            assert_eq!(parse_uuid_text(text).map(|u| u.uppercase), *upper, "{}", String::from_utf8_lossy(text));
        }
        // Every byte value in every digit place: a hex digit passes, anything else fails.
        let good = *b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10";
        for at in (0..36).filter(|i| ![8, 13, 18, 23].contains(i)) {
            for c in 0..=255u8 {
                let mut t = good;
                t[at] = c;
                assert_eq!(parse_uuid_text(&t).is_some(), c.is_ascii_hexdigit(), "byte {c:#x} at {at}");
                if let Some(u) = parse_uuid_text(&t) {
                    let text = format!("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{}", u.bytes[0], u.bytes[1], u.bytes[2], u.bytes[3], u.bytes[4], u.bytes[5], u.bytes[6], u.bytes[7], u.bytes[8], u.bytes[9], hex(&u.bytes[10..]));
                    assert_eq!(text, String::from_utf8_lossy(&t).to_ascii_lowercase());
                }
            }
        }
    }
}
