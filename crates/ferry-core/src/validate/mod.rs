//! Proves what arrived is what left: after `migrate`, every table's rows are read from the
//! source (through the same conversion the load used) and from the target (each column cast
//! to the same canonical text), and compared.
//!
//! Per table: row counts; per column: NULLs, min, max, and the sum (numbers) or total length
//! (text in characters, bytes for blobs), on both sides. Per row: a hash of its canonical
//! values. Tables with a key (the primary key, else the first NOT NULL UNIQUE) are compared
//! as a streaming merge in key order — memory stays flat — and each difference is named by
//! its key and column with both values; rows only in the source are "missing in target",
//! rows only in the target "extra in target". Tables without a key are compared as multisets
//! of row hashes. Rows the load refuses (the conversion says so) or the run reported as
//! rejected (`--run-report`) are "expected", not mismatches.

use crate::convert::{convert_with, Encoder};
use crate::copy::{key_of, read_source, Conn, RowSelect, Target};
use crate::error::{FerryError, Result};
use crate::plan::Plan;
use crate::report::Report;
use crate::schema::LogicalType;
use crate::source::sqlite::inspect;
use crate::dialect::planned::{planned_tables, PlannedTable};
use crate::dialect::{mysql, postgres, Dialect};
use crate::value::{f64_text, push_date, push_date_time, push_num, Decimal};
use serde::{Deserialize, Serialize};
use serde_json::Value as J;
use sha2::Digest;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Mismatches (and expected rows) a table keeps in the report; the totals count them all.
pub const KEPT: usize = 1000;
/// Longest value shown in a mismatch; longer ones are cut and their length given.
const SHOWN_CHARS: usize = 300;
const BATCH_ROWS: usize = 1000;

/// The validation's result: what was compared and every difference found.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ValidationReport {
    pub ferry_version: String,
    pub source: String,
    pub source_sha256: String,
    /// The target without its password.
    pub target: String,
    pub target_server: String,
    pub started_at: String,
    pub seconds: f64,
    /// The plan file used, when one was given (else the proposal, as `migrate` uses it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The migration run's report whose rejected rows count as expected, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_report: Option<String>,
    pub tables: Vec<TableValidation>,
    pub rows_compared: u64,
    /// Differences nobody announced: changed values, missing and extra rows.
    pub mismatches: u64,
    /// Rows absent from the target on purpose: refused by the conversion or reported by the run.
    pub expected: u64,
    /// True when every table matched (expected rows aside).
    pub clean: bool,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableValidation {
    /// The source table, and its name in the target.
    pub table: String,
    pub target: String,
    /// How rows were paired: `"key"` (in key order) or `"multiset"` (of row hashes).
    pub method: String,
    /// The key's source columns (empty for a multiset).
    pub key: Vec<String>,
    pub rows_source: u64,
    pub rows_target: u64,
    pub rows_matched: u64,
    pub columns: Vec<ColumnCheck>,
    /// The first `KEPT`; `mismatches_total` counts them all.
    pub mismatches: Vec<Mismatch>,
    pub mismatches_total: u64,
    pub expected: Vec<Expected>,
    pub expected_total: u64,
    pub notes: Vec<String>,
    /// The table could not be compared (missing in the target, unreadable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub seconds: f64,
}

impl TableValidation {
    /// Aggregates that differ when no row does (a mismatched, missing or expected row
    /// explains them).
    pub fn unexplained_aggregates(&self) -> usize {
        if self.expected_total > 0 || self.mismatches_total > 0 {
            return 0;
        }
        self.columns.iter().filter(|c| !c.equal).count()
    }

    pub fn is_clean(&self) -> bool {
        self.error.is_none() && self.mismatches_total == 0 && self.unexplained_aggregates() == 0
    }
}

/// One column's aggregates on both sides.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ValidatedColumn"))]
pub struct ColumnCheck {
    pub column: String,
    pub target_column: String,
    /// The logical type the column was carried as (`decimal(10,2)`, `timestamp`, …).
    pub logical: String,
    pub source: Aggregates,
    pub target: Aggregates,
    pub equal: bool,
}

/// Aggregates of one column on one side, over canonical values.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Aggregates {
    pub nulls: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<String>,
    /// Numbers: their sum (booleans: how many are true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<String>,
    /// Text: total length in characters; bytes: total length in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MismatchKind {
    /// The row is in both, a column's value differs.
    Value,
    MissingInTarget,
    ExtraInTarget,
}

impl MismatchKind {
    pub fn label(self) -> &'static str {
        match self {
            MismatchKind::Value => "value differs",
            MismatchKind::MissingInTarget => "missing in target",
            MismatchKind::ExtraInTarget => "extra in target",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Mismatch {
    pub kind: MismatchKind,
    /// The row's key (`{"id": 7}`); for a multiset, the whole row.
    pub row: J,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Canonical values (what the load sent, what the target holds; null is NULL), cut when
    /// long; both null for a missing or extra row.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    /// Multisets: how many more copies of this row one side has.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: u64,
}

fn one() -> u64 {
    1
}
fn is_one(n: &u64) -> bool {
    *n == 1
}

/// A row absent from the target on purpose.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Expected {
    pub row: J,
    pub reason: String,
}

/// How a validation runs.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// The plan `migrate` used (None: the proposal, as `migrate` makes it).
    pub plan: Option<Plan>,
    pub plan_path: Option<String>,
    /// PostgreSQL schema the tables are in. Default `public`.
    pub pg_schema: Option<String>,
    /// Tables compared at once.
    pub jobs: usize,
    /// The run's report: its rejected rows (and those in its rejects file) are expected.
    pub run_report: Option<Report>,
    pub run_report_path: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Canonical rows

/// One row's canonical values back to back.
#[derive(Clone, Default)]
struct Row {
    buf: String,
    spans: Vec<Option<(u32, u32)>>,
}

impl Row {
    fn with_columns(n: usize) -> Row {
        Row { buf: String::with_capacity(32 * n), spans: Vec::with_capacity(n) }
    }
    fn get(&self, i: usize) -> Option<&str> {
        self.spans[i].map(|(a, b)| &self.buf[a as usize..b as usize])
    }
    fn push(&mut self, v: Option<&str>) {
        match v {
            None => self.spans.push(None),
            Some(s) => self.push_with(|b| b.push_str(s)),
        }
    }
    fn push_with(&mut self, f: impl FnOnce(&mut String)) {
        let start = self.buf.len() as u32;
        f(&mut self.buf);
        self.spans.push(Some((start, self.buf.len() as u32)));
    }
    /// Every value the same, NULLs in the same places: compared whole, not by a hash.
    fn same(&self, other: &Row) -> bool {
        self.spans == other.spans && self.buf == other.buf
    }
    /// The key's values as one string of bytes, equal exactly when the keys are equal (each
    /// NULL or length-prefixed canonical text).
    fn key_bytes(&self, key: &[usize]) -> Vec<u8> {
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
    fn keys_equal(&self, other: &Row, key: &[usize]) -> bool {
        key.iter().all(|&i| self.get(i) == other.get(i))
    }
    fn bytes(&self) -> usize {
        self.buf.len() + 8 * self.spans.len() + 64
    }
    /// The hash of the canonical values (each NULL or length-prefixed text, in column order),
    /// by which tables without a key are compared as multisets.
    fn hash(&self) -> [u8; 16] {
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
struct Canon<'a>(&'a mut Row);

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
fn push_float_bits(buf: &mut String, f: f64) {
    push_hex(buf, &f.to_bits().to_be_bytes());
}

fn float_of(bits: &str) -> Option<f64> {
    u64::from_str_radix(bits, 16).ok().map(f64::from_bits)
}

/// A canonical double as a person reads it (`0.1`, `1e300`); other text unchanged.
fn float_text(bits: &str) -> String {
    match float_of(bits) {
        Some(f) if bits.len() == 16 => float_shown(f),
        _ => bits.to_string(),
    }
}

/// The shortest text that reads back as `f`: plain digits in the usual range, else with an
/// exponent.
fn float_shown(f: f64) -> String {
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
fn push_canonical_json(out: &mut String, s: &str) -> bool {
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
fn shown(v: Option<&str>) -> Option<String> {
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

// ---------------------------------------------------------------------------------------
// What is compared

/// A table's compared columns (loaded ones: generated columns are computed by the target)
/// and its key.
struct Spec {
    /// (source name, target name, logical type, source position)
    cols: Vec<(String, String, LogicalType, usize)>,
    /// The plan's transform of each column in `cols`, as the load applied it.
    transforms: Vec<Option<crate::convert::Transform>>,
    /// The plan's pre-flight choices for refused values (set NULL, strip NULs), by source
    /// column, as the load applied them.
    choices: crate::preflight::ValueChoices,
    key: Vec<usize>,
    key_what: String,
}

impl Spec {
    fn new(t: &PlannedTable) -> Spec {
        let cols: Vec<(String, String, LogicalType, usize)> =
            t.columns.iter().filter(|c| c.generated_sql.is_none()).map(|c| (c.source.clone(), c.name.clone(), c.logical.clone(), c.source_index)).collect();
        let pos = |src: &str| cols.iter().position(|c| c.0.eq_ignore_ascii_case(src));
        let all = |names: &[String]| names.iter().map(|n| pos(n)).collect::<Option<Vec<usize>>>();
        let not_null = |names: &[String]| names.iter().all(|n| t.column(n).is_some_and(|c| c.not_null));
        let mut key = vec![];
        let mut key_what = String::new();
        let pk = t.pk_columns();
        if let Some(k) = all(&pk).filter(|k| !k.is_empty()) {
            key = k;
            key_what = "primary key".into();
        } else {
            let uniques = t.source.uniques.iter().map(|u| u.columns.clone()).chain(t.source.indexes.iter().filter(|i| i.unique && i.where_clause.is_none()).filter_map(|i| {
                i.parts
                    .iter()
                    .map(|p| match p {
                        crate::schema::IndexPart::Column { name, .. } => Some(name.clone()),
                        _ => None,
                    })
                    .collect::<Option<Vec<String>>>()
            }));
            for u in uniques {
                if let Some(k) = all(&u).filter(|k| !k.is_empty() && not_null(&u)) {
                    key = k;
                    key_what = "NOT NULL UNIQUE".into();
                    break;
                }
            }
        }
        let transforms = t.columns.iter().filter(|c| c.generated_sql.is_none()).map(|c| c.transform).collect();
        Spec { choices: Default::default(), cols, transforms, key, key_what }
    }

    fn typed(&self) -> Vec<(String, LogicalType)> {
        self.cols.iter().map(|c| (c.1.clone(), c.2.clone())).collect()
    }

    fn key_names(&self) -> Vec<String> {
        self.key.iter().map(|&i| self.cols[i].0.clone()).collect()
    }

    fn cmp_keys(&self, a: &Row, b: &Row) -> Ordering {
        for &i in &self.key {
            let o = cmp_values(&self.cols[i].2, a.get(i), b.get(i));
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }

    /// The row's key as a report names it: `{"id": 7}`; numbers as numbers.
    fn key_json(&self, r: &Row) -> J {
        let idx: Vec<usize> = if self.key.is_empty() { (0..self.cols.len()).collect() } else { self.key.clone() };
        let mut m = serde_json::Map::new();
        for i in idx {
            let (name, _, t, _) = &self.cols[i];
            let v = match (r.get(i), t) {
                (None, _) => J::Null,
                (Some(s), LogicalType::Integer { .. }) => s.parse::<i64>().map(J::from).unwrap_or_else(|_| J::String(s.into())),
                (Some(s), LogicalType::Float) => J::String(float_text(s)),
                (Some(s), _) => J::String(shown(Some(s)).unwrap_or_default()),
            };
            m.insert(name.clone(), v);
        }
        J::Object(m)
    }
}

/// Orders two canonical values as both databases order the key: numbers by value, the rest
/// by bytes (SQLite BINARY, PostgreSQL `COLLATE "C"`, MySQL's binary collation).
fn cmp_values(t: &LogicalType, a: Option<&str>, b: Option<&str>) -> Ordering {
    let (a, b) = match (a, b) {
        (None, None) => return Ordering::Equal,
        (None, _) => return Ordering::Less,
        (_, None) => return Ordering::Greater,
        (Some(a), Some(b)) => (a, b),
    };
    match t {
        LogicalType::Integer { .. } => match (a.parse::<i64>(), b.parse::<i64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => a.as_bytes().cmp(b.as_bytes()),
        },
        LogicalType::Float => match (float_of(a), float_of(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => a.as_bytes().cmp(b.as_bytes()),
        },
        LogicalType::Decimal { .. } => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => a.as_bytes().cmp(b.as_bytes()),
        },
        _ => a.as_bytes().cmp(b.as_bytes()),
    }
}

// ---------------------------------------------------------------------------------------
// Aggregates

/// An exact running sum of decimals: a mantissa at a scale; f64 when it outgrows i128.
#[derive(Default, Clone)]
struct DecSum {
    mant: i128,
    scale: u32,
    approx: Option<f64>,
}

impl DecSum {
    fn add(&mut self, s: &str) {
        if let Some(a) = self.approx.as_mut() {
            *a += s.parse::<f64>().unwrap_or(0.0);
            return;
        }
        let exact = (|| {
            let d = Decimal::parse(s)?;
            let ds = d.scale();
            let mut m: i128 = if d.digits.is_empty() { 0 } else { d.digits.parse().ok()? };
            if d.exp > 0 {
                m = m.checked_mul(10i128.checked_pow(d.exp as u32)?)?;
            }
            if d.negative {
                m = -m;
            }
            let scale = self.scale.max(ds);
            let mine = self.mant.checked_mul(10i128.checked_pow(scale - self.scale)?)?;
            let theirs = m.checked_mul(10i128.checked_pow(scale - ds)?)?;
            Some((mine.checked_add(theirs)?, scale))
        })();
        match exact {
            Some((m, sc)) => {
                self.mant = m;
                self.scale = sc;
            }
            None => {
                // Too large or not a number: carry on approximately (and say so).
                let so_far = self.text().parse::<f64>().unwrap_or(0.0);
                self.approx = Some(so_far + s.parse::<f64>().unwrap_or(0.0));
            }
        }
    }

    fn text(&self) -> String {
        if let Some(a) = self.approx {
            return format!("≈{}", f64_text(a));
        }
        let neg = self.mant < 0;
        let digits = self.mant.unsigned_abs().to_string();
        let text = format!("{}{digits}e-{}", if neg { "-" } else { "" }, self.scale);
        Decimal::parse(&text).map(|d| d.to_plain()).unwrap_or(text)
    }
}

#[derive(Default, Clone)]
struct Agg {
    nulls: u64,
    min: Option<String>,
    max: Option<String>,
    /// An integer column's min and max as numbers, while every value has parsed as one.
    int_range: Option<(i64, i64)>,
    /// An integer column met a value that is not one: min and max are compared as text.
    int_odd: bool,
    int_sum: i128,
    dec: DecSum,
    float_sum: f64,
    trues: u64,
    length: u64,
}

impl Agg {
    fn add(&mut self, t: &LogicalType, v: Option<&str>) {
        let Some(s) = v else {
            self.nulls += 1;
            return;
        };
        if let (LogicalType::Integer { .. }, false) = (t, self.int_odd) {
            // Parsed once, compared as a number (cmp_values would parse min and max again).
            match s.parse::<i64>() {
                Ok(i) => {
                    self.int_sum += i as i128;
                    let (lo, hi) = self.int_range.get_or_insert((i, i));
                    if self.min.is_none() || i < *lo {
                        *lo = i;
                        self.min = Some(s.to_string());
                    }
                    if self.max.is_none() || i > *hi {
                        *hi = i;
                        self.max = Some(s.to_string());
                    }
                    return;
                }
                Err(_) => self.int_odd = true,
            }
        }
        match (&self.min, &self.max) {
            (Some(lo), Some(hi)) => {
                if cmp_values(t, Some(s), Some(lo)) == Ordering::Less {
                    self.min = Some(s.to_string());
                } else if cmp_values(t, Some(s), Some(hi)) == Ordering::Greater {
                    self.max = Some(s.to_string());
                }
            }
            _ => {
                self.min = Some(s.to_string());
                self.max = Some(s.to_string());
            }
        }
        match t {
            LogicalType::Integer { .. } => self.int_sum += s.parse::<i64>().unwrap_or(0) as i128,
            LogicalType::Decimal { .. } => self.dec.add(s),
            LogicalType::Float => self.float_sum += float_of(s).unwrap_or(0.0),
            LogicalType::Boolean => self.trues += u64::from(s == "true"),
            LogicalType::Text { .. } => self.length += s.chars().count() as u64,
            LogicalType::Bytes => self.length += s.len() as u64 / 2,
            _ => {}
        }
    }

    fn finish(&self, t: &LogicalType) -> Aggregates {
        let (sum, length) = match t {
            LogicalType::Integer { .. } => (Some(self.int_sum.to_string()), None),
            LogicalType::Decimal { .. } => (Some(self.dec.text()), None),
            LogicalType::Float => (Some(float_shown(self.float_sum)), None),
            LogicalType::Boolean => (Some(self.trues.to_string()), None),
            LogicalType::Text { .. } | LogicalType::Bytes => (None, Some(self.length)),
            _ => (None, None),
        };
        let (min, max) = match t {
            LogicalType::Bytes | LogicalType::Json => (None, None),
            LogicalType::Float => (self.min.as_deref().map(float_text), self.max.as_deref().map(float_text)),
            _ => (shown(self.min.as_deref()), shown(self.max.as_deref())),
        };
        Aggregates { nulls: self.nulls, min, max, sum, length }
    }
}

/// Equal aggregates; a sum of doubles may differ in its last bits when rows were added in
/// another order (multisets).
fn aggregates_equal(t: &LogicalType, a: &Aggregates, b: &Aggregates) -> bool {
    if *t == LogicalType::Float {
        let close = match (a.sum.as_deref().and_then(|s| s.parse::<f64>().ok()), b.sum.as_deref().and_then(|s| s.parse::<f64>().ok())) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()),
            (x, y) => x.is_none() && y.is_none(),
        };
        return close && a.nulls == b.nulls && a.min == b.min && a.max == b.max;
    }
    a == b
}

// ---------------------------------------------------------------------------------------
// Reading both sides

/// What the source reader found besides the rows it sent.
#[derive(Default)]
struct SourceOutcome {
    rows: u64,
    refused: Vec<Expected>,
    refused_total: u64,
}

/// Reads a table from SQLite (in key order when it has one), converts every value as the
/// load did, and sends canonical rows in batches. Rows the conversion refuses are not sent:
/// they are expected to be absent.
fn read_source_rows(path: PathBuf, t: Arc<PlannedTable>, spec: Arc<Spec>, dialect: Dialect, ordered: bool, tx: mpsc::Sender<Vec<Row>>, mut pool: Pool) -> Result<SourceOutcome> {
    let conn = inspect::open(&path)?;
    // The sorter of a key-ordered read works in this much memory, then in temporary files.
    let _ = conn.execute_batch("PRAGMA cache_size = -16384");
    let select = RowSelect::new(&t.source);
    let mut sql = select.sql.clone();
    if ordered && !spec.key.is_empty() {
        // The rowid alias is the table's own order. Any other key: SQLite's sorter over one
        // sequential scan (`+` keeps it off the key's index, whose order costs a table seek a row).
        let rowid_key = spec.key.len() == 1 && t.source.rowid_alias.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(&spec.cols[spec.key[0]].0));
        let plus = if rowid_key { "" } else { "+" };
        let order: Vec<String> = spec.key.iter().map(|&i| format!("{plus}{} COLLATE BINARY", inspect::quote(&spec.cols[i].0))).collect();
        sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
    }
    let mut stmt = conn.prepare(&sql).map_err(|e| inspect::map_err(&path, e))?;
    let mut rows = stmt.query([]).map_err(|e| inspect::map_err(&path, e))?;
    let mut out = SourceOutcome::default();
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let offset = select.offset;
    'rows: while let Some(row) = rows.next().map_err(|e| inspect::map_err(&path, e))? {
        out.rows += 1;
        let mut r = pool.row();
        for ((src, _, ty, idx), tr) in spec.cols.iter().zip(&spec.transforms) {
            let v = row.get_ref(idx + offset).map_err(|e| inspect::map_err(&path, e))?;
            let mut done = convert_with(v, ty, *tr, dialect, &mut Canon(&mut r));
            if let Err(reason) = &done {
                // A value the plan chose to set NULL or strip of its NULs arrived so: compare that.
                done = match crate::preflight::value_choice(spec.choices.get(src), reason) {
                    Some(crate::preflight::Choice::SetNull) => convert_with(rusqlite::types::ValueRef::Null, ty, *tr, dialect, &mut Canon(&mut r)),
                    Some(crate::preflight::Choice::StripNul) => match v {
                        rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                            let stripped: Vec<u8> = b.iter().copied().filter(|c| *c != 0).collect();
                            convert_with(rusqlite::types::ValueRef::Text(&stripped), ty, *tr, dialect, &mut Canon(&mut r))
                        }
                        _ => done,
                    },
                    _ => done,
                };
            }
            if let Err(reason) = done {
                out.refused_total += 1;
                if out.refused.len() < KEPT {
                    let rid = if select.rowid.is_some() { row.get::<_, i64>(0).ok() } else { None };
                    out.refused.push(Expected { row: key_of(&t, rid, row, offset), reason: format!("refused by the conversion, column {src}: {reason}") });
                }
                continue 'rows;
            }
        }
        batch.push(r);
        if batch.len() >= BATCH_ROWS && tx.blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS))).is_err() {
            return Ok(out);
        }
    }
    if !batch.is_empty() {
        let _ = tx.blocking_send(batch);
    }
    Ok(out)
}

/// Turns one target row (canonical text per column) into a canonical `Row`: doubles to their
/// shortest text, JSON normalised.
fn target_row(spec: &Spec, dialect: Dialect, text: &str, fields: &[Option<(usize, usize)>], mut r: Row) -> Row {
    for (i, (_, _, t, _)) in spec.cols.iter().enumerate() {
        let v = fields.get(i).copied().flatten().map(|(a, b)| text.get(a..b).unwrap_or(""));
        match (v, t) {
            (Some(s), LogicalType::Float) => {
                let f = match dialect {
                    Dialect::Postgres => postgres::read::decode_float(s),
                    _ => mysql::read::decode_float(s),
                };
                match f {
                    Some(f) => r.push_with(|buf| push_float_bits(buf, f)),
                    None => r.push(Some(s)),
                }
            }
            (Some(s), LogicalType::Json) => r.push_with(|buf| {
                if !push_canonical_json(buf, s) {
                    buf.push_str(s);
                }
            }),
            _ => r.push(v),
        }
    }
    r
}

/// Streams the target table's canonical rows in batches.
async fn read_target_rows(ctx: Arc<Ctx>, t: Arc<PlannedTable>, spec: Arc<Spec>, ordered: bool, tx: mpsc::Sender<Vec<Row>>, mut pool: Pool) -> Result<u64> {
    let kept = ctx.sessions.lock().expect("sessions").pop();
    let mut conn = match kept {
        Some(c) => c,
        None => ctx.target.connect().await?,
    };
    let cols = spec.typed();
    let key: &[usize] = if ordered { &spec.key } else { &[] };
    let dialect = ctx.target.dialect;
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut make = |text: &str, fields: &[Option<(usize, usize)>]| {
        batch.push(target_row(&spec, dialect, text, fields, pool.row()));
        (batch.len() >= BATCH_ROWS).then(|| std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS)))
    };
    let what = format!("table {}", t.name);
    let (n, to_the_end) = match &mut conn {
        Conn::Pg(c) => {
            // An unsorted read starts at the table's first page, not where another scan is.
            let _ = sqlx::raw_sql("SET work_mem = '64MB'; SET synchronize_seqscans = off").execute(&mut *c).await;
            let sql = postgres::read::select_rows(&postgres::ddl::qualified(&ctx.target.pg_schema, &t.name), &cols, key);
            postgres::read::for_each_row(c, &sql, &tx, &mut make).await
        }
        Conn::My(c) => {
            let collation = ctx.target.flavor.as_ref().map(|f| f.binary_collation()).unwrap_or("utf8mb4_bin");
            let sql = mysql::read::select_rows(&crate::sqlexpr::quote_ident(&t.name, Dialect::MySql), &cols, key, collation);
            mysql::read::for_each_row(c, &sql, &tx, &mut make).await
        }
    }
    .map_err(|e| FerryError::Target { object: what, detail: e.as_database_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string()) })?;
    if !batch.is_empty() {
        let _ = tx.send(batch).await;
    }
    // A session whose reader was stopped part way may still be streaming: not kept.
    if to_the_end {
        ctx.sessions.lock().expect("sessions").push(conn);
    }
    Ok(n)
}

/// One side's rows, one at a time, from its batches; the rows compared go back to the
/// reader (`done`) to be filled again.
struct Side {
    rx: mpsc::Receiver<Vec<Row>>,
    cur: std::vec::IntoIter<Row>,
    back: std::sync::mpsc::SyncSender<Vec<Row>>,
    spent: Vec<Row>,
}

impl Side {
    fn new(rx: mpsc::Receiver<Vec<Row>>, back: std::sync::mpsc::SyncSender<Vec<Row>>) -> Side {
        Side { rx, cur: Vec::new().into_iter(), back, spent: vec![] }
    }
    /// A row the comparison is done with.
    fn done(&mut self, r: Row) {
        self.spent.push(r);
        if self.spent.len() >= BATCH_ROWS {
            // A reader that has rows enough to spare (or has stopped) lets them go.
            let _ = self.back.try_send(std::mem::take(&mut self.spent));
        }
    }
    async fn next(&mut self) -> Option<Row> {
        loop {
            if let Some(r) = self.cur.next() {
                return Some(r);
            }
            self.cur = self.rx.recv().await?.into_iter();
        }
    }
}

/// A reader's rows to fill: those the comparison handed back, else new ones.
struct Pool {
    back: std::sync::mpsc::Receiver<Vec<Row>>,
    free: Vec<Row>,
    columns: usize,
}

impl Pool {
    fn new(back: std::sync::mpsc::Receiver<Vec<Row>>, columns: usize) -> Pool {
        Pool { back, free: vec![], columns }
    }
    fn row(&mut self) -> Row {
        if self.free.is_empty() {
            if let Ok(rows) = self.back.try_recv() {
                self.free = rows;
            }
        }
        match self.free.pop() {
            Some(mut r) => {
                r.buf.clear();
                r.spans.clear();
                r
            }
            None => Row::with_columns(self.columns),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Comparing

struct Ctx {
    target: Target,
    /// Target sessions between tables: a new one costs a handshake (TLS, authentication).
    sessions: std::sync::Mutex<Vec<Conn>>,
    source: PathBuf,
    /// Per source table: run-report keys (JSON text) → the run's reason.
    reported: HashMap<String, HashMap<String, String>>,
    /// Per source table: rejected rows the run counted (the report keeps 1,000 of them).
    reported_total: HashMap<String, u64>,
    /// Per source table: the plan's choices for refused values.
    value_choices: HashMap<String, crate::preflight::ValueChoices>,
}

/// What a comparison found, before it is written into the table's entry.
#[derive(Default)]
struct Found {
    rows_source: u64,
    rows_target: u64,
    matched: u64,
    mismatches: Vec<Mismatch>,
    mismatches_total: u64,
    expected: Vec<Expected>,
    expected_total: u64,
    src_aggs: Vec<Agg>,
    tgt_aggs: Vec<Agg>,
    notes: Vec<String>,
}

impl Found {
    fn new(n: usize) -> Found {
        Found { src_aggs: vec![Agg::default(); n], tgt_aggs: vec![Agg::default(); n], ..Default::default() }
    }
    fn mismatch(&mut self, m: Mismatch) {
        self.mismatches_total += m.count;
        if self.mismatches.len() < KEPT {
            self.mismatches.push(m);
        }
    }
    fn expected(&mut self, e: Expected) {
        self.expected_total += 1;
        if self.expected.len() < KEPT {
            self.expected.push(e);
        }
    }
    /// A source row and the target row of the same key: matched, or each differing value named.
    fn pair(&mut self, spec: &Spec, x: &Row, y: &Row) {
        if x.same(y) {
            self.matched += 1;
            return;
        }
        let key = spec.key_json(x);
        for (i, c) in spec.cols.iter().enumerate() {
            if x.get(i) != y.get(i) {
                let show = |v: Option<&str>| if c.2 == LogicalType::Float { v.map(float_text) } else { shown(v) };
                self.mismatch(Mismatch { kind: MismatchKind::Value, row: key.clone(), column: Some(c.0.clone()), source: show(x.get(i)), target: show(y.get(i)), count: 1 });
            }
        }
    }
    /// A source row the target does not have: expected when the run reported it.
    fn missing(&mut self, ctx: &Ctx, table: &str, spec: &Spec, x: &Row) {
        let key = spec.key_json(x);
        match reported_reason(ctx, table, &key) {
            Some(reason) => self.expected(Expected { row: key, reason }),
            None => self.mismatch(Mismatch { kind: MismatchKind::MissingInTarget, row: key, column: None, source: None, target: None, count: 1 }),
        }
    }
    fn extra(&mut self, spec: &Spec, y: &Row) {
        self.mismatch(Mismatch { kind: MismatchKind::ExtraInTarget, row: spec.key_json(y), column: None, source: None, target: None, count: 1 });
    }
    /// The rows the source's reader refused (expected absent), and the rows it read in all.
    fn source_outcome(&mut self, out: SourceOutcome) {
        self.rows_source = out.rows;
        let refused = out.refused.len() as u64;
        for e in out.refused {
            self.expected(e);
        }
        self.expected_total += out.refused_total.saturating_sub(refused);
    }
    fn add_source(&mut self, spec: &Spec, r: &Row) {
        for (i, c) in spec.cols.iter().enumerate() {
            self.src_aggs[i].add(&c.2, r.get(i));
        }
    }
    fn add_target(&mut self, spec: &Spec, r: &Row) {
        for (i, c) in spec.cols.iter().enumerate() {
            self.tgt_aggs[i].add(&c.2, r.get(i));
        }
    }
}

/// The key orders of the two sides disagreed: the merge cannot pair rows.
struct OrderBroken(String);

/// Starts both readers for one pass over a table.
fn start_pass(ctx: &Arc<Ctx>, t: &Arc<PlannedTable>, spec: &Arc<Spec>, ordered: bool) -> (Side, Side, tokio::task::JoinHandle<Result<SourceOutcome>>, tokio::task::JoinHandle<Result<u64>>) {
    let (stx, srx) = mpsc::channel(4);
    let (ttx, trx) = mpsc::channel(4);
    let (s_back, s_spent) = std::sync::mpsc::sync_channel(2);
    let (t_back, t_spent) = std::sync::mpsc::sync_channel(2);
    let n = spec.cols.len();
    let src = {
        let (path, t, spec, d) = (ctx.source.clone(), t.clone(), spec.clone(), ctx.target.dialect);
        tokio::task::spawn_blocking(move || read_source_rows(path, t, spec, d, ordered, stx, Pool::new(s_spent, n)))
    };
    let tgt = tokio::spawn(read_target_rows(ctx.clone(), t.clone(), spec.clone(), ordered, ttx, Pool::new(t_spent, n)));
    (Side::new(srx, s_back), Side::new(trx, t_back), src, tgt)
}

async fn finish_pass(src: tokio::task::JoinHandle<Result<SourceOutcome>>, tgt: tokio::task::JoinHandle<Result<u64>>) -> Result<(SourceOutcome, u64)> {
    let s = src.await.map_err(|e| FerryError::Other(format!("the source reader stopped: {e}")))?;
    let t = tgt.await.map_err(|e| FerryError::Other(format!("the target reader stopped: {e}")))?;
    // The target's error first: a missing table is the likelier story.
    let n = t?;
    Ok((s?, n))
}

/// Rows missing in the target that the run reported (or, for a multiset, that it counted).
fn reported_reason(ctx: &Ctx, table: &str, key: &J) -> Option<String> {
    let m = ctx.reported.get(table)?;
    m.get(&key.to_string()).map(|r| format!("reported by the run: {r}"))
}

/// Rows held unpaired in `compare_in_load_order` before it gives up on the two orders agreeing.
const UNPAIRED_BYTES: usize = 32 << 20;

/// Pairs rows of the same key offered from both sides in any order. A row whose partner has
/// not come yet waits in a map; what still waits at the end is missing (source) or extra
/// (target). Memory grows with how far the two orders disagree, up to a budget.
struct Pairer {
    key: Vec<usize>,
    source: HashMap<Vec<u8>, Row>,
    target: HashMap<Vec<u8>, Row>,
    bytes: usize,
    budget: usize,
    /// A key came twice from one side: rows cannot be paired by it.
    repeated: bool,
}

impl Pairer {
    fn new(key: Vec<usize>, budget: usize) -> Pairer {
        Pairer { key, source: HashMap::new(), target: HashMap::new(), bytes: 0, budget, repeated: false }
    }

    /// Offers a source row (`from_source`) or a target row: the pair (source, target) when its
    /// partner was waiting, else it waits.
    fn offer(&mut self, from_source: bool, r: Row) -> Option<(Row, Row)> {
        let k = r.key_bytes(&self.key);
        let (mine, theirs) = if from_source { (&mut self.source, &mut self.target) } else { (&mut self.target, &mut self.source) };
        match theirs.remove(&k) {
            Some(other) => {
                self.bytes -= other.bytes();
                Some(if from_source { (r, other) } else { (other, r) })
            }
            None => {
                self.bytes += r.bytes();
                self.repeated |= mine.insert(k, r).is_some();
                None
            }
        }
    }

    /// Pairing by this key cannot go on: a key repeated, or the rows waiting outgrew the budget.
    fn stuck(&self) -> bool {
        self.repeated || self.bytes > self.budget
    }

    /// The rows that never met their partner, each side in key order: (source, target).
    fn unpaired(self, spec: &Spec) -> (Vec<Row>, Vec<Row>) {
        let sorted = |m: HashMap<Vec<u8>, Row>| {
            let mut v: Vec<Row> = m.into_values().collect();
            v.sort_by(|x, y| spec.cmp_keys(x, y));
            v
        };
        (sorted(self.source), sorted(self.target))
    }
}

/// Pairs rows by key as both sides return them unsorted: the source in its table order, the
/// target in its storage order. A table Ferry loaded into PostgreSQL is stored in the order
/// it was read, so nearly every row meets its partner at once, and neither database sorts.
/// `None`: the orders disagree more than `UNPAIRED_BYTES` holds, or a key repeats on one
/// side; the caller compares again in key order.
async fn compare_in_load_order(ctx: &Arc<Ctx>, t: &Arc<PlannedTable>, spec: &Arc<Spec>) -> Result<Option<Found>> {
    let (mut s, mut g, sh, th) = start_pass(ctx, t, spec, false);
    let mut f = Found::new(spec.cols.len());
    let mut pairer = Pairer::new(spec.key.clone(), UNPAIRED_BYTES);
    loop {
        let (a, b) = (s.next().await, g.next().await);
        if a.is_none() && b.is_none() {
            break;
        }
        if let Some(x) = &a {
            f.rows_source += 1;
            f.add_source(spec, x);
        }
        if let Some(y) = &b {
            f.rows_target += 1;
            f.add_target(spec, y);
        }
        // Most often the two rows are partners already.
        let pairs = match (a, b) {
            (Some(x), Some(y)) if x.keys_equal(&y, &spec.key) => [Some((x, y)), None],
            (a, b) => [a.and_then(|x| pairer.offer(true, x)), b.and_then(|y| pairer.offer(false, y))],
        };
        for (x, y) in pairs.into_iter().flatten() {
            f.pair(spec, &x, &y);
            s.done(x);
            g.done(y);
        }
        if pairer.stuck() {
            break;
        }
    }
    drop((s, g));
    let (out, _) = finish_pass(sh, th).await?;
    if pairer.stuck() {
        return Ok(None);
    }
    let (missing, extra) = pairer.unpaired(spec);
    let table = t.source.name.as_str();
    for x in &missing {
        f.missing(ctx, table, spec, x);
    }
    for y in &extra {
        f.extra(spec, y);
    }
    f.source_outcome(out);
    Ok(Some(f))
}

/// The streaming merge in key order.
async fn compare_keyed(ctx: &Arc<Ctx>, t: &Arc<PlannedTable>, spec: &Arc<Spec>) -> Result<std::result::Result<Found, OrderBroken>> {
    let (mut s, mut g, sh, th) = start_pass(ctx, t, spec, true);
    let mut f = Found::new(spec.cols.len());
    let table = t.source.name.clone();
    let mut a = s.next().await;
    let mut b = g.next().await;
    let mut broken: Option<String> = None;
    let check = |prev: &Option<Row>, next: &Option<Row>, side: &str| -> Option<String> {
        match (prev, next) {
            (Some(p), Some(n)) if spec.cmp_keys(p, n) != Ordering::Less => Some(format!("the {side} returned key {} after {}", spec.key_json(n), spec.key_json(p))),
            _ => None,
        }
    };
    loop {
        let step = match (&a, &b) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => spec.cmp_keys(x, y),
        };
        if matches!(step, Ordering::Less | Ordering::Equal) {
            let x = a.as_ref().expect("source row");
            f.rows_source += 1;
            f.add_source(spec, x);
        }
        if matches!(step, Ordering::Greater | Ordering::Equal) {
            let y = b.as_ref().expect("target row");
            f.rows_target += 1;
            f.add_target(spec, y);
        }
        match step {
            Ordering::Less => f.missing(ctx, &table, spec, a.as_ref().expect("source row")),
            Ordering::Greater => f.extra(spec, b.as_ref().expect("target row")),
            Ordering::Equal => {
                let (x, y) = (a.as_ref().expect("source row"), b.as_ref().expect("target row"));
                f.pair(spec, x, y);
            }
        }
        if matches!(step, Ordering::Less | Ordering::Equal) {
            let next = s.next().await;
            broken = broken.or_else(|| check(&a, &next, "source"));
            if let Some(x) = std::mem::replace(&mut a, next) {
                s.done(x);
            }
        }
        if matches!(step, Ordering::Greater | Ordering::Equal) {
            let next = g.next().await;
            broken = broken.or_else(|| check(&b, &next, "target"));
            if let Some(y) = std::mem::replace(&mut b, next) {
                g.done(y);
            }
        }
        if broken.is_some() {
            break;
        }
    }
    drop((s, g));
    let (out, _) = finish_pass(sh, th).await?;
    if let Some(why) = broken {
        return Ok(Err(OrderBroken(why)));
    }
    f.source_outcome(out);
    Ok(Ok(f))
}

/// Keyless tables: every row's hash counted on both sides; the hashes left over are the
/// rows one side has more of, fetched again (up to `KEPT`) to be shown.
async fn compare_multiset(ctx: &Arc<Ctx>, t: &Arc<PlannedTable>, spec: &Arc<Spec>) -> Result<Found> {
    let (mut s, mut g, sh, th) = start_pass(ctx, t, spec, false);
    let mut f = Found::new(spec.cols.len());
    let mut counts: HashMap<[u8; 16], i64> = HashMap::new();
    let (mut s_done, mut g_done) = (false, false);
    while !(s_done && g_done) {
        tokio::select! {
            r = s.next(), if !s_done => match r {
                Some(r) => { f.rows_source += 1; f.add_source(spec, &r); *counts.entry(r.hash()).or_default() += 1; s.done(r); }
                None => s_done = true,
            },
            r = g.next(), if !g_done => match r {
                Some(r) => { f.rows_target += 1; f.add_target(spec, &r); *counts.entry(r.hash()).or_default() -= 1; g.done(r); }
                None => g_done = true,
            },
        }
    }
    let (out, _) = finish_pass(sh, th).await?;
    counts.retain(|_, n| *n != 0);
    let surplus: i64 = counts.values().filter(|n| **n > 0).sum();
    f.matched = f.rows_source.saturating_sub(surplus as u64);
    let differing: u64 = counts.values().map(|n| n.unsigned_abs()).sum();
    f.source_outcome(out);
    if counts.is_empty() {
        return Ok(f);
    }
    // The rows behind the differing hashes, from whichever side has them.
    let mut wanted: HashMap<[u8; 16], i64> = counts.iter().take(2 * KEPT).map(|(h, n)| (*h, *n)).collect();
    let (mut s, mut g, sh, th) = start_pass(ctx, t, spec, false);
    let mut found: Vec<(Row, i64)> = vec![];
    while let Some(r) = s.next().await {
        let h = r.hash();
        if wanted.get(&h).is_some_and(|n| *n > 0) {
            let n = wanted.remove(&h).unwrap_or(0);
            found.push((r, n));
        }
    }
    while let Some(r) = g.next().await {
        let h = r.hash();
        if wanted.get(&h).is_some_and(|n| *n < 0) {
            let n = wanted.remove(&h).unwrap_or(0);
            found.push((r, n));
        }
    }
    finish_pass(sh, th).await?;
    // Rows missing from the target are expected up to the number the run reported rejected.
    let mut excused = ctx.reported_total.get(&t.source.name).copied().unwrap_or(0);
    let mut accounted = 0u64;
    for (r, n) in found {
        accounted += n.unsigned_abs();
        let row = spec.key_json(&r);
        if n > 0 {
            let take = (n as u64).min(excused);
            excused -= take;
            for _ in 0..take {
                f.expected(Expected { row: row.clone(), reason: "the run reported rejected rows for this table (a table without a key is matched by count)".into() });
            }
            if (n as u64) > take {
                f.mismatch(Mismatch { kind: MismatchKind::MissingInTarget, row, column: None, source: None, target: None, count: n as u64 - take });
            }
        } else {
            f.mismatch(Mismatch { kind: MismatchKind::ExtraInTarget, row, column: None, source: None, target: None, count: n.unsigned_abs() });
        }
    }
    // Differences beyond the rows fetched to show them still count.
    f.mismatches_total += differing.saturating_sub(accounted);
    Ok(f)
}

async fn validate_table(ctx: Arc<Ctx>, t: Arc<PlannedTable>) -> TableValidation {
    let started = std::time::Instant::now();
    let mut spec = Spec::new(&t);
    spec.choices = ctx.value_choices.get(&t.source.name).cloned().unwrap_or_default();
    let spec = Arc::new(spec);
    let mut tv = TableValidation { table: t.source.name.clone(), target: t.name.clone(), ..Default::default() };
    let generated: Vec<&str> = t.columns.iter().filter(|c| c.generated_sql.is_some()).map(|c| c.source.as_str()).collect();
    if !generated.is_empty() {
        tv.notes.push(format!("generated column(s) {} not compared: the target computes them", generated.join(", ")));
    }
    let result = if spec.key.is_empty() {
        tv.method = "multiset".into();
        tv.notes.push("no primary key or NOT NULL UNIQUE: compared as multisets of row hashes (a changed row shows as one missing and one extra)".into());
        compare_multiset(&ctx, &t, &spec).await
    } else {
        tv.method = "key".into();
        tv.key = spec.key_names();
        // PostgreSQL keeps a table Ferry loaded in the order it was read: pair the rows as
        // they come. InnoDB returns them in primary key order: both sides sorted by the key.
        let unsorted = match ctx.target.dialect {
            Dialect::Postgres => compare_in_load_order(&ctx, &t, &spec).await,
            _ => Ok(None),
        };
        let keyed = match unsorted {
            Ok(Some(f)) => Ok(Ok(f)),
            Ok(None) => compare_keyed(&ctx, &t, &spec).await,
            Err(e) => Err(e),
        };
        match keyed {
            Ok(Ok(f)) => Ok(f),
            Ok(Err(OrderBroken(why))) => {
                tv.method = "multiset".into();
                tv.key.clear();
                tv.notes.push(format!("the source and target orders of the {} disagreed ({why}): compared as multisets of row hashes", spec.key_what));
                compare_multiset(&ctx, &t, &spec).await
            }
            Err(e) => Err(e),
        }
    };
    match result {
        Ok(f) => {
            tv.rows_source = f.rows_source;
            tv.rows_target = f.rows_target;
            tv.rows_matched = f.matched;
            tv.mismatches = f.mismatches;
            tv.mismatches_total = f.mismatches_total;
            tv.expected = f.expected;
            tv.expected_total = f.expected_total;
            tv.notes.extend(f.notes);
            for (i, (src, tgt, ty, _)) in spec.cols.iter().enumerate() {
                let (a, b) = (f.src_aggs[i].finish(ty), f.tgt_aggs[i].finish(ty));
                let equal = aggregates_equal(ty, &a, &b);
                tv.columns.push(ColumnCheck { column: src.clone(), target_column: tgt.clone(), logical: ty.label(), source: a, target: b, equal });
            }
        }
        Err(e) => tv.error = Some(e.to_string()),
    }
    tv.seconds = started.elapsed().as_secs_f64();
    tv
}

/// The run report's rejected rows per table, keyed by the row as the run named it; those in
/// the rejects file too, when it is still there (the report keeps the first 1,000 per table).
fn reported_rows(rep: &Report) -> (HashMap<String, HashMap<String, String>>, HashMap<String, u64>) {
    let mut rows: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut totals = HashMap::new();
    for (name, t) in &rep.tables {
        totals.insert(name.clone(), t.rejected_total.max(t.rejected.len() as u64));
        let m = rows.entry(name.clone()).or_default();
        for r in &t.rejected {
            m.insert(r.row.to_string(), r.reason.clone());
        }
    }
    if let Some(text) = rep.rejects_file.as_deref().and_then(|f| std::fs::read_to_string(f).ok()) {
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<J>(line) else { continue };
            if v["kind"] != "rejected" {
                continue;
            }
            let (Some(table), Some(reason)) = (v["table"].as_str(), v["reason"].as_str()) else { continue };
            rows.entry(table.to_string()).or_default().entry(v["row"].to_string()).or_insert_with(|| reason.to_string());
        }
    }
    (rows, totals)
}

/// Validates the target at `url` against `source`, as `migrate` carried it (the same plan,
/// or the same proposal). Errors before anything is compared (the source, the connection,
/// the plan) come back as `Err`; a table that cannot be read is named in its entry.
pub async fn validate(source: &Path, url: &str, opts: ValidateOptions) -> Result<ValidationReport> {
    let started = std::time::Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (target, _admin) = Target::open(url, opts.pg_schema.as_deref()).await?;
    let jobs = opts.jobs.max(1);
    let src = source.to_path_buf();
    let sha = {
        let src = src.clone();
        tokio::task::spawn_blocking(move || crate::backup::sha256_file(&src))
    };
    // The plan decides every type: given one (or the run's report records the one it ran
    // with), the source needs no profiling, only its schema; without, the proposal does.
    let given = opts.plan.clone().map(|p| (p, opts.plan_path.clone().unwrap_or_else(|| "plan".into()))).or_else(|| {
        let p = opts.run_report.as_ref()?.plan.clone()?;
        Some((p, format!("the plan recorded in {}", opts.run_report_path.as_deref().unwrap_or("the run report"))))
    });
    let given_plan = given.is_some();
    // Given the plan, only the schema is read first; the file's structure check runs beside
    // the comparisons, and a damaged file fails the validation when they are done.
    let read = tokio::task::spawn_blocking(move || match given_plan {
        true => crate::copy::read_schema_check_beside(&src).map(|(s, c)| (s, Some(c))),
        false => read_source(&src, true, jobs).map(|s| (s, None)),
    });
    // The sessions the comparisons read through, opened while the source is read.
    let sessions = futures_util::future::join_all((0..jobs).map(|_| target.connect()));
    let (read, sessions) = tokio::join!(read, sessions);
    let (schema, check) = read.map_err(|e| FerryError::Other(e.to_string()))??;
    let sessions = sessions.into_iter().collect::<Result<Vec<Conn>>>()?;
    let sha = sha.await.map_err(|e| FerryError::Other(e.to_string()))?.map_err(|e| FerryError::SourceUnreadable { path: source.to_path_buf(), detail: e.to_string() })?;
    let dialect = target.dialect;
    let plan = Plan::resolve(given.as_ref().map(|(p, _)| p), given.as_ref().map_or("plan", |(_, path)| path), &schema, source, dialect)?;
    let mut planned = planned_tables(&schema, &plan, dialect)?;
    // The plan's pre-flight choices, as the load applied them: types widened, values fixed.
    let (value_choices, _dropped) = crate::preflight::apply_choices(&mut planned, &plan, dialect)?;
    let (reported, reported_total) = opts.run_report.as_ref().map(reported_rows).unwrap_or_default();
    let mut report = ValidationReport {
        ferry_version: crate::version().into(),
        source: source.display().to_string(),
        source_sha256: sha,
        target: target.url.redacted.clone(),
        target_server: target.server.clone(),
        started_at,
        plan: given.as_ref().map(|(_, path)| path.clone()),
        run_report: opts.run_report_path.clone(),
        ..Default::default()
    };
    if opts.run_report.is_none() {
        report.notes.push("no run report given (--run-report): rows the migration removed for a constraint (duplicates, orphans, CHECK failures) show as missing in target; rows the conversion refuses are recognised either way".into());
    }
    let ctx = Arc::new(Ctx { target, sessions: std::sync::Mutex::new(sessions), source: source.to_path_buf(), reported, reported_total, value_choices });
    // Largest first, `jobs` at a time.
    let mut order: Vec<(usize, Arc<PlannedTable>)> = planned.into_iter().map(Arc::new).enumerate().collect();
    order.sort_by_key(|(_, t)| t.source.row_count);
    let queue = Arc::new(std::sync::Mutex::new(order));
    let mut workers = vec![];
    for _ in 0..jobs {
        let (ctx, queue) = (ctx.clone(), queue.clone());
        workers.push(tokio::spawn(async move {
            let mut done = vec![];
            loop {
                let next = queue.lock().expect("queue").pop();
                let Some((i, t)) = next else { return done };
                done.push((i, validate_table(ctx.clone(), t).await));
            }
        }));
    }
    let mut tables = vec![];
    for w in workers {
        tables.extend(w.await.map_err(|e| FerryError::Other(format!("a validator stopped: {e}")))?);
    }
    if let Some(check) = check {
        tokio::task::spawn_blocking(move || check.join().map_err(|_| FerryError::Other("the source's structure check stopped".into()))?).await.map_err(|e| FerryError::Other(e.to_string()))??;
    }
    tables.sort_by_key(|(i, _)| *i);
    report.tables = tables.into_iter().map(|(_, t)| t).collect();
    report.rows_compared = report.tables.iter().map(|t| t.rows_source.max(t.rows_target)).sum();
    report.mismatches = report.tables.iter().map(|t| t.mismatches_total + t.unexplained_aggregates() as u64 + u64::from(t.error.is_some())).sum();
    report.expected = report.tables.iter().map(|t| t.expected_total).sum();
    report.clean = report.tables.iter().all(TableValidation::is_clean);
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

impl ValidationReport {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("validation report serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::convert;
    use rusqlite::types::ValueRef;

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
    fn keys_order_as_the_databases_do() {
        use LogicalType::*;
        let cases = [
            (Integer { bits: 64 }, "9", "10", Ordering::Less),
            (Integer { bits: 64 }, "-1", "-10", Ordering::Greater),
            (Decimal { precision: None, scale: None }, "2.5", "10", Ordering::Less),
            (Text { max: None }, "B", "a", Ordering::Less),
            (Text { max: None }, "é", "z", Ordering::Greater),
            (Uuid, "0b9e1d6c-0000-4c1e-8d43-5a2b7e3f9c10", "0b9e1d6c-ffff-4c1e-8d43-5a2b7e3f9c10", Ordering::Less),
        ];
        for (t, a, b, want) in cases {
            assert_eq!(cmp_values(&t, Some(a), Some(b)), want, "{a} vs {b}");
        }
        assert_eq!(cmp_values(&Text { max: None }, None, Some("")), Ordering::Less);
    }

    #[test]
    fn aggregates_sum_exactly() {
        let dec = LogicalType::Decimal { precision: Some(10), scale: Some(2) };
        let mut a = Agg::default();
        for v in [Some("0.1"), Some("0.2"), None, Some("-1"), Some("1000000000000.01")] {
            a.add(&dec, v);
        }
        let got = a.finish(&dec);
        assert_eq!(got.sum.as_deref(), Some("999999999999.31"));
        assert_eq!((got.nulls, got.min.as_deref(), got.max.as_deref()), (1, Some("-1"), Some("1000000000000.01")));
        let text = LogicalType::Text { max: None };
        let mut a = Agg::default();
        a.add(&text, Some("日本"));
        a.add(&text, Some("abc"));
        assert_eq!(a.finish(&text).length, Some(5));
        // Integers order as numbers (not as text: "9" > "10"), sum exactly beyond i64, and an
        // odd value in the column (text the load let through) still gets a min and max.
        let int = LogicalType::Integer { bits: 64 };
        let cases: &[(&[Option<&str>], (Option<&str>, Option<&str>, &str))] = &[
            (&[Some("9"), Some("10"), Some("-3")], (Some("-3"), Some("10"), "16")),
            (&[None, Some("7")], (Some("7"), Some("7"), "7")),
            (&[Some("9223372036854775807"), Some("9223372036854775807")], (Some("9223372036854775807"), Some("9223372036854775807"), "18446744073709551614")),
            (&[Some("5"), Some("x"), Some("12")], (Some("5"), Some("x"), "17")),
        ];
        for (values, (min, max, sum)) in cases {
            let mut a = Agg::default();
            for v in *values {
                a.add(&int, *v);
            }
            let got = a.finish(&int);
            assert_eq!((got.min.as_deref(), got.max.as_deref(), got.sum.as_deref()), (*min, *max, Some(*sum)), "{values:?}");
        }
        let mut big = DecSum::default();
        big.add(&"9".repeat(38));
        big.add(&"9".repeat(38));
        assert!(big.text().starts_with('≈'), "{}", big.text());
    }

    /// A one-column-key row: (key, value); `None` key for a NULL.
    fn row(key: Option<&str>, value: &str) -> Row {
        let mut r = Row::with_columns(2);
        r.push(key);
        r.push(Some(value));
        r
    }

    #[test]
    fn rows_pair_by_key_whatever_order_they_come_in() {
        let spec = Spec { cols: vec![("k".into(), "k".into(), LogicalType::Integer { bits: 64 }, 0), ("v".into(), "v".into(), LogicalType::Text { max: None }, 1)], transforms: vec![None, None], choices: Default::default(), key: vec![0], key_what: "primary key".into() };
        // (source keys in order, target keys in order, pairs made, missing, extra, stuck)
        type Case = (&'static [Option<&'static str>], &'static [Option<&'static str>], usize, &'static [&'static str], &'static [&'static str], bool);
        let cases: &[Case] = &[
            (&[Some("1"), Some("2"), Some("3")], &[Some("3"), Some("1"), Some("2")], 3, &[], &[], false),
            (&[Some("1"), Some("2"), Some("3")], &[Some("2"), Some("4")], 1, &["1", "3"], &["4"], false),
            (&[Some("10"), Some("9"), Some("100")], &[], 0, &["9", "10", "100"], &[], false),
            (&[], &[Some("5")], 0, &[], &["5"], false),
            // A key twice from one side: pairing by it stops (the caller compares otherwise).
            (&[Some("1"), Some("1")], &[Some("2")], 0, &["1"], &["2"], true),
            (&[None, None], &[], 0, &[], &[], true),
            // One NULL key pairs with the other side's NULL key.
            (&[None], &[None], 1, &[], &[], false),
        ];
        for (src, tgt, pairs, missing, extra, stuck) in cases {
            let mut p = Pairer::new(vec![0], 1 << 20);
            let mut made = 0;
            for (i, k) in src.iter().enumerate() {
                if let Some((x, y)) = p.offer(true, row(*k, &format!("s{i}"))) {
                    assert_eq!((x.get(1).unwrap().as_bytes()[0], y.get(1).unwrap().as_bytes()[0]), (b's', b't'));
                    assert_eq!(x.get(0), y.get(0));
                    made += 1;
                }
            }
            for (i, k) in tgt.iter().enumerate() {
                if let Some((x, y)) = p.offer(false, row(*k, &format!("t{i}"))) {
                    assert_eq!((x.get(1).unwrap().as_bytes()[0], y.get(1).unwrap().as_bytes()[0]), (b's', b't'));
                    made += 1;
                }
            }
            assert_eq!((made, p.stuck()), (*pairs, *stuck), "{src:?} / {tgt:?}");
            if !stuck {
                let (m, e) = p.unpaired(&spec);
                let keys = |v: &[Row]| v.iter().map(|r| r.get(0).unwrap().to_string()).collect::<Vec<_>>();
                assert_eq!((keys(&m), keys(&e)), (missing.iter().map(|s| s.to_string()).collect::<Vec<_>>(), extra.iter().map(|s| s.to_string()).collect::<Vec<_>>()), "{src:?} / {tgt:?}");
            }
        }
        // Past the budget, pairing stops; a pair made frees what its partner held.
        let mut p = Pairer::new(vec![0], 3 * row(Some("1"), "s").bytes());
        for k in ["1", "2", "3"] {
            assert!(p.offer(true, row(Some(k), "s")).is_none());
        }
        assert!(!p.stuck());
        assert!(p.offer(false, row(Some("2"), "t")).is_some());
        assert!(p.offer(true, row(Some("4"), "s")).is_none());
        assert!(!p.stuck());
        assert!(p.offer(true, row(Some("5"), "s")).is_none());
        assert!(p.stuck());
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
