//! Types the values call for but that the plan does not take on its own: integers that count
//! milliseconds since 1970, 0/1 flags, UUIDs in blobs or in uppercase, money kept as REAL,
//! a handful of repeated words. Each is a guess, so it is offered beside the safe type with
//! its evidence and the transform that reads the values, and the user accepts it (by putting
//! it into the plan's `type` and `transform`), never applied silently.

use super::fit::fits;
use crate::convert::{epoch_ms_instant, julian_day_instant, Transform};
use crate::schema::{Column, ColumnProfile, LogicalType};
use crate::dialect::Dialect;
use crate::value::group_thousands as fmt_n;
use serde::{Deserialize, Serialize};

/// A type the values suggest for a column, kept beside the plan's safe `type`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Suggestion {
    /// The suggested target type as the dialect spells it.
    #[serde(rename = "type")]
    pub target_type: String,
    /// The evidence, for a person: "all 3 values are integers between … → timestamptz".
    pub reason: String,
    /// How the values are read into the suggested type (none: as they are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<Transform>,
    pub kind: SuggestionKind,
    pub confidence: Confidence,
    /// The values of an enum candidate, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Non-null values the suggested type and transform cannot hold.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unfit: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What a suggestion is about, for the app to branch on.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    Uuid,
    Timestamp,
    Boolean,
    Decimal,
    /// Few distinct texts: listed in `values`; the type stays text (no enum type is made).
    Enum,
    /// The narrower type some values do not fit: the plan carries a wider one so every row
    /// arrives; taking this one rejects `unfit` values.
    Narrower,
}

/// How strongly the values (and the column's name) point at the suggestion.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// Plausible epoch seconds (2001-09-09 … 2096-10-02) and milliseconds (the same, ×1000).
const EPOCH_S: (i64, i64) = (1_000_000_000, 4_000_000_000);
const EPOCH_MS: (i64, i64) = (1_000_000_000_000, 4_000_000_000_000);
/// Plausible Julian day numbers (0763-09-18 … 2953-07-16).
const JULIAN: (f64, f64) = (2_000_000.0, 2_800_000.0);
/// REALs with at most this many decimals may be money.
const MONEY_SCALE: u32 = 4;
/// Non-null values a suggestion must rest on before it is called high confidence: on fewer,
/// a name and a handful of values that happen to fit are chance as often as evidence (five
/// REALs 1.5 … 7.5 in `amount` are not proof of money). A small table stays at medium.
pub const HIGH_EVIDENCE: u64 = 100;

/// The confidence a suggestion is given: `hinted` (the column's name and the values agree) is
/// high only on at least [`HIGH_EVIDENCE`] values; the words say why when it is held back.
fn judged(hinted: bool, nn: u64) -> (Confidence, String) {
    match (hinted, nn >= HIGH_EVIDENCE) {
        (true, true) => (Confidence::High, String::new()),
        (true, false) => (Confidence::Medium, format!("; medium confidence: {} value{} too few to be sure (high takes {HIGH_EVIDENCE})", fmt_n(nn), if nn == 1 { " is" } else { "s are" })),
        (false, _) => (Confidence::Medium, String::new()),
    }
}

/// The subject of a reason: "all 5 values are integers", "19 of 20 values are integers", or
/// for a column of one value "its one value is an integer" (never "all 1 values are").
pub(crate) fn values_are(n: u64, nn: u64, many: &str, one: &str) -> String {
    match (n, nn) {
        (1, 1) => format!("its one value is {one}"),
        _ if n == nn => format!("all {} values are {many}", fmt_n(nn)),
        _ => format!("{} of {} values are {many}", fmt_n(n), fmt_n(nn)),
    }
}

/// How a dialect spells the uuid type in a reason: `uuid`, or `char(36)` with why.
pub(crate) fn uuid_words(dialect: Dialect) -> String {
    let spelled = dialect.format_type(&LogicalType::Uuid);
    if spelled == "uuid" {
        spelled
    } else {
        // The same words for MySQL and MariaDB: a plan made for one is read by the other.
        format!("{spelled} (the UUID kept as its 36 characters of text: MySQL has no uuid type and MariaDB's needs 10.7 or later)")
    }
}

/// The column's name split into lowercase words (`createdAtMs`, `created_at_ms` → created, at, ms).
fn words(name: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        cur.extend(ch.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn named_like(name: &str, hints: &[&str]) -> bool {
    words(name).iter().any(|w| hints.contains(&w.as_str()))
}

const TIME_WORDS: &[&str] = &["at", "on", "ts", "time", "timestamp", "date", "datetime", "created", "updated", "modified", "deleted", "seen", "epoch", "ms", "jd", "julian", "when", "since", "until", "expires", "born"];
const BOOL_WORDS: &[&str] = &["is", "has", "can", "should", "flag", "enabled", "disabled", "active", "deleted", "verified", "visible", "archived", "opt", "in", "paid", "done", "ok", "bool"];
const MONEY_WORDS: &[&str] = &["price", "amount", "total", "subtotal", "cost", "tax", "fee", "fees", "balance", "discount", "salary", "revenue", "charge", "money", "paid", "due", "refund", "usd", "eur", "gbp"];
const ID_WORDS: &[&str] = &["id", "uid", "uuid", "guid", "key", "ref"];

/// Values of `p` that `t` holds when read through `transform` (as `fits` without one).
pub fn fits_with(t: &LogicalType, transform: Option<Transform>, p: &ColumnProfile, dialect: Dialect) -> u64 {
    let Some(tr) = transform else { return fits(t, p, dialect) };
    if !tr.applies_to(t) {
        return 0;
    }
    let whole_reals = p.reals - p.non_integral_reals - p.infinite_reals;
    let years_ok = |ms_lo: i64, ms_hi: i64| {
        [ms_lo, ms_hi].iter().all(|&ms| match epoch_ms_instant(ms) {
            Some(d) => dialect.holds_year(chrono::Datelike::year(&d)),
            None => false,
        })
    };
    let (lo, hi) = number_range(p);
    match tr {
        Transform::EpochS | Transform::EpochMs => {
            let k = if tr == Transform::EpochS { 1000 } else { 1 };
            match (lo, hi) {
                (Some(lo), Some(hi)) if lo.abs() < 9.2e15 && hi.abs() < 9.2e15 && years_ok(lo as i64 * k, hi as i64 * k) => p.integers + whole_reals,
                _ => 0,
            }
        }
        Transform::JulianDay => match (lo.and_then(julian_day_instant), hi.and_then(julian_day_instant)) {
            (Some(a), Some(b)) if years_ok(a.and_utc().timestamp_millis(), b.and_utc().timestamp_millis()) => p.integers + p.reals - p.infinite_reals,
            _ => 0,
        },
        Transform::Bool01 => {
            let ints = matches!((p.min_integer, p.max_integer), (Some(a), Some(b)) if a >= 0 && b <= 1);
            let reals = matches!((p.min_real, p.max_real), (Some(a), Some(b)) if a >= 0.0 && b <= 1.0) && p.non_integral_reals == 0 && p.infinite_reals == 0;
            (if ints { p.integers } else { 0 }) + if reals { p.reals } else { 0 }
        }
        Transform::BoolText => p.text_bool,
        Transform::UuidText => p.text_uuid_any_case,
        Transform::UuidBlob => p.text_uuid_any_case + p.blob_uuid,
        Transform::DecimalExact => match t {
            LogicalType::Decimal { precision, scale } => {
                let s = scale.unwrap_or(0);
                let scale_ok = scale.is_none() || p.max_scale <= s;
                let digits_ok = precision.is_none_or(|prec| p.max_int_digits <= prec.saturating_sub(s));
                if scale_ok && digits_ok { p.integers + p.reals - p.infinite_reals } else { 0 }
            }
            _ => 0,
        },
    }
}

/// The smallest and largest number stored, integers and reals together.
fn number_range(p: &ColumnProfile) -> (Option<f64>, Option<f64>) {
    let lo = [p.min_integer.map(|i| i as f64), p.min_real].into_iter().flatten().reduce(f64::min);
    let hi = [p.max_integer.map(|i| i as f64), p.max_real].into_iter().flatten().reduce(f64::max);
    (lo, hi)
}

fn day(d: chrono::NaiveDateTime) -> String {
    d.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A suggestion for the column, when its values point at a type the safe proposal `safe` is not.
pub fn suggest(col: &Column, p: &ColumnProfile, dialect: Dialect, safe: &LogicalType) -> Option<Suggestion> {
    let nn = p.non_null();
    if nn == 0 {
        return None;
    }
    let name = col.name.as_str();
    // Most values (all but one in twenty) of one kind: the rest are counted as `unfit`.
    let mostly = |n: u64| n > 0 && n * 20 >= nn * 19;
    let are = |n: u64, many: &str, one: &str| values_are(n, nn, many, one);
    // `hinted`: the name and the values agree; high confidence also takes enough values.
    let make = |logical: LogicalType, transform: Option<Transform>, kind: SuggestionKind, hinted: bool, reason: String, values: Vec<String>| {
        let unfit = nn - fits_with(&logical, transform, p, dialect).min(nn);
        let (confidence, why) = judged(hinted, nn);
        Suggestion { target_type: dialect.format_type(&logical), reason: reason + &why, transform, kind, confidence, values, unfit }
    };
    let ts = LogicalType::Timestamp { tz: true };
    let ts_name = dialect.format_type(&ts);
    let is = |t: &LogicalType| std::mem::discriminant(safe) == std::mem::discriminant(t);

    // Whole numbers only.
    if mostly(p.integers) && p.reals == 0 {
        let (lo, hi) = (p.min_integer?, p.max_integer?);
        if lo >= 0 && hi <= 1 && !is(&LogicalType::Boolean) {
            let hinted = named_like(name, BOOL_WORDS);
            if lo == 0 && hi == 1 || hinted {
                let values = if lo == hi { format!("{lo} only") } else { "0 and 1 only".into() };
                return Some(make(
                    LogicalType::Boolean,
                    Some(Transform::Bool01),
                    SuggestionKind::Boolean,
                    hinted,
                    format!("{}, {values} → boolean?", are(p.integers, "integers", "an integer")),
                    vec![],
                ));
            }
        }
        for (range, tr, unit) in [(EPOCH_S, Transform::EpochS, "epoch seconds"), (EPOCH_MS, Transform::EpochMs, "epoch milliseconds")] {
            if lo >= range.0 && hi <= range.1 && !is(&ts) {
                let k = if tr == Transform::EpochS { 1000 } else { 1 };
                let (a, b) = (epoch_ms_instant(lo * k)?, epoch_ms_instant(hi * k)?);
                return Some(make(
                    ts.clone(),
                    Some(tr),
                    SuggestionKind::Timestamp,
                    named_like(name, TIME_WORDS),
                    format!("{} between {} and {} ({} to {} UTC as {unit}) → {unit}? {ts_name}", are(p.integers, "integers", "an integer"), fmt_n_i(lo), fmt_n_i(hi), day(a), day(b)),
                    vec![],
                ));
            }
        }
        return None;
    }
    // Numbers with fractions.
    if mostly(p.integers + p.reals) && p.reals > 0 && p.infinite_reals == 0 {
        let (lo, hi) = number_range(p);
        let (lo, hi) = (lo?, hi?);
        if lo >= JULIAN.0 && hi <= JULIAN.1 && !is(&ts) {
            let (a, b) = (julian_day_instant(lo)?, julian_day_instant(hi)?);
            return Some(make(
                ts,
                Some(Transform::JulianDay),
                SuggestionKind::Timestamp,
                named_like(name, TIME_WORDS),
                format!("{} between {lo} and {hi} ({} to {} UTC as Julian days) → Julian day? {ts_name}", are(p.integers + p.reals, "numbers", "a number"), day(a), day(b)),
                vec![],
            ));
        }
        let s = p.max_scale;
        if (1..=MONEY_SCALE).contains(&s) && p.non_integral_reals > 0 && p.max_int_digits <= 15 && !matches!(safe, LogicalType::Decimal { precision: Some(_), .. }) {
            let scale = s.max(2);
            let precision = (p.max_int_digits + scale).max(12);
            // Money takes more than a name: cents (two decimals) in the values too.
            let money = named_like(name, MONEY_WORDS);
            let cents = s == 2;
            let logical = LogicalType::Decimal { precision: Some(precision), scale: Some(scale) };
            let tname = dialect.format_type(&logical);
            let used = match (money, cents) {
                (true, true) => ", used as money (named so, with cents)",
                (true, false) => ", named as money but without cents",
                _ => "",
            };
            return Some(make(
                logical,
                Some(Transform::DecimalExact),
                SuggestionKind::Decimal,
                money && cents,
                format!(
                    "{} with at most {s} decimal{}{used} → {tname} (each value checked: one needing more decimals is refused, never rounded)",
                    are(p.integers + p.reals, "numbers", "a number"),
                    if s == 1 { "" } else { "s" },
                ),
                vec![],
            ));
        }
        return None;
    }
    // Text only, all of it readable.
    if mostly(p.texts) && p.invalid_utf8 == 0 {
        if mostly(p.text_uuid_any_case) && !is(&LogicalType::Uuid) {
            let upper = p.text_uuid_any_case - p.text_uuid.min(p.text_uuid_any_case);
            return Some(make(
                LogicalType::Uuid,
                Some(Transform::UuidText),
                SuggestionKind::Uuid,
                true,
                format!("{}, {} of them in uppercase → {} (stored in lowercase)", are(p.text_uuid_any_case, "UUIDs", "a UUID"), fmt_n(upper), uuid_words(dialect)),
                vec![],
            ));
        }
        if mostly(p.text_bool) && !is(&LogicalType::Boolean) {
            let shown = if p.many_texts { String::new() } else { format!(" ({})", quoted(&p.distinct_texts)) };
            return Some(make(
                LogicalType::Boolean,
                Some(Transform::BoolText),
                SuggestionKind::Boolean,
                named_like(name, BOOL_WORDS) || !p.many_texts && p.distinct_texts.len() <= 2,
                format!("{}{shown} → boolean?", are(p.text_bool, "boolean words", "a boolean word")),
                vec![],
            ));
        }
        let distinct = p.distinct_texts.len() as u64;
        if p.texts == nn && !p.many_texts && distinct >= 2 && distinct * 4 <= nn && p.with_nul == 0 && matches!(safe, LogicalType::Text { .. }) {
            let mut s = make(
                safe.clone(),
                None,
                SuggestionKind::Enum,
                false,
                format!(
                    "only {} distinct values in {} ({}) → an enum candidate; kept as {} (add a CHECK or an enum type in the target if the list is closed)",
                    distinct,
                    fmt_n(nn),
                    quoted(&p.distinct_texts),
                    dialect.format_type(safe)
                ),
                p.distinct_texts.clone(),
            );
            s.confidence = Confidence::Low;
            return Some(s);
        }
        return None;
    }
    // Blobs only.
    if mostly(p.blob_uuid) && !is(&LogicalType::Uuid) {
        return Some(make(
            LogicalType::Uuid,
            Some(Transform::UuidBlob),
            SuggestionKind::Uuid,
            nn >= 8 || named_like(name, ID_WORDS),
            format!("{} with a UUID's version and variant bits → {}?", are(p.blob_uuid, "16-byte blobs", "a 16-byte blob"), uuid_words(dialect)),
            vec![],
        ));
    }
    None
}

/// Up to eight values quoted, then how many more.
fn quoted(values: &[String]) -> String {
    let mut s: Vec<String> = values.iter().take(8).map(|v| format!("'{}'", v.replace('\'', "''"))).collect();
    if values.len() > 8 {
        s.push(format!("… {} more", values.len() - 8));
    }
    s.join(", ")
}

/// An integer with its thousands grouped, negative too.
pub(crate) fn fmt_n_i(i: i64) -> String {
    if i < 0 { format!("-{}", fmt_n(i.unsigned_abs())) } else { fmt_n(i as u64) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::sqlite::profile::observe;
    use rusqlite::types::Value;

    fn profile(values: &[Value]) -> ColumnProfile {
        let mut p = ColumnProfile::default();
        for v in values {
            observe(&mut p, v.into());
        }
        p.distinct_texts.sort_unstable();
        p
    }

    /// `words`, `times` times over, as text values.
    fn texts(words: &[&str], times: usize) -> Vec<Value> {
        (0..times).flat_map(|_| words.iter().map(|s| Value::Text(s.to_string()))).collect()
    }

    #[test]
    fn words_of_names() {
        assert_eq!(words("created_at_ms"), ["created", "at", "ms"]);
        assert_eq!(words("createdAtMs"), ["created", "at", "ms"]);
        assert_eq!(words("isActive"), ["is", "active"]);
        assert_eq!(words("ID"), ["id"]);
        assert!(named_like("unit_price", MONEY_WORDS));
        assert!(!named_like("products", TIME_WORDS));
    }

    /// Values → (suggested type for PostgreSQL, transform, kind), or none.
    #[test]
    fn suggestions_from_values() {
        use Value::*;
        let uuid_blob = |n: u8| Blob(vec![n, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12, 13, 14, 15, 16]);
        type Case = (&'static str, &'static str, Vec<Value>, Option<(&'static str, Option<Transform>, SuggestionKind, Confidence)>);
        let cases: Vec<Case> = vec![
            ("x", "INTEGER", vec![Integer(0), Integer(1), Integer(1), Null], Some(("boolean", Some(Transform::Bool01), SuggestionKind::Boolean, Confidence::Medium))),
            ("is_paid", "INTEGER", vec![Integer(1), Integer(1)], Some(("boolean", Some(Transform::Bool01), SuggestionKind::Boolean, Confidence::Medium))),
            ("n", "INTEGER", vec![Integer(1), Integer(1)], None),
            ("n", "INTEGER", vec![Integer(0), Integer(2)], None),
            ("b", "BOOLEAN", vec![Integer(0), Integer(1)], None),
            ("v", "INTEGER", vec![Integer(1_700_000_000), Integer(1_600_000_000)], Some(("timestamptz", Some(Transform::EpochS), SuggestionKind::Timestamp, Confidence::Medium))),
            ("created_at", "INTEGER", vec![Integer(1_700_000_000_123)], Some(("timestamptz", Some(Transform::EpochMs), SuggestionKind::Timestamp, Confidence::Medium))),
            ("n", "INTEGER", vec![Integer(1_700_000_000_123), Integer(12)], None),
            ("jd", "REAL", vec![Real(2_460_263.5), Real(2_460_264.25)], Some(("timestamptz", Some(Transform::JulianDay), SuggestionKind::Timestamp, Confidence::Medium))),
            ("price", "REAL", vec![Real(19.99), Real(5.0), Real(0.5)], Some(("numeric(12,2)", Some(Transform::DecimalExact), SuggestionKind::Decimal, Confidence::Medium))),
            ("weight", "REAL", vec![Real(1.125), Real(2.5)], Some(("numeric(12,3)", Some(Transform::DecimalExact), SuggestionKind::Decimal, Confidence::Medium))),
            ("ratio", "REAL", vec![Real(1.0 / 3.0), Real(0.5)], None),
            ("price", "REAL", vec![Real(19.99), Real(f64::INFINITY)], None),
            ("m", "NUMERIC(10,2)", vec![Real(19.99)], None),
            ("id", "TEXT", vec![Text("0B9E1D6C-9F0A-4C1E-8D43-5A2B7E3F9C10".into()), Text("0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c11".into())], Some(("uuid", Some(Transform::UuidText), SuggestionKind::Uuid, Confidence::Medium))),
            // lowercase UUIDs are applied already: nothing to suggest
            ("id", "TEXT", vec![Text("0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c11".into())], None),
            ("answer", "TEXT", vec![Text("yes".into()), Text("no".into()), Text("YES".into())], Some(("boolean", Some(Transform::BoolText), SuggestionKind::Boolean, Confidence::Medium))),
            ("ok", "TEXT", vec![Text("t".into()), Text("f".into())], Some(("boolean", Some(Transform::BoolText), SuggestionKind::Boolean, Confidence::Medium))),
            ("status", "TEXT", texts(&["new", "paid", "shipped"], 4), Some(("text", None, SuggestionKind::Enum, Confidence::Low))),
            // too few rows per value to call it an enum
            ("name", "TEXT", vec![Text("ann".into()), Text("bob".into()), Text("ann".into())], None),
            ("uid", "BLOB", vec![uuid_blob(1), uuid_blob(2)], Some(("uuid", Some(Transform::UuidBlob), SuggestionKind::Uuid, Confidence::Medium))),
            ("digest", "BLOB", vec![Blob(vec![0xff; 16])], None),
            ("mixed", "", vec![Integer(1), Text("a".into())], None),
        ];
        for (i, (name, decl, values, want)) in cases.into_iter().enumerate() {
            let p = profile(&values);
            let col = Column { name: name.into(), declared_type: decl.into(), profile: Some(p), ..Default::default() };
            let got = super::super::propose(&col, Dialect::Postgres, super::super::Usage::default());
            let s = got.suggestion.as_ref();
            assert_eq!(
                s.map(|s| (s.target_type.as_str(), s.transform, s.kind, s.confidence)),
                want,
                "case {i} {name} {decl}: safe {:?} ({}); suggestion {:?}",
                got.logical,
                got.reason,
                s
            );
            if let Some(s) = s {
                assert_eq!(s.unfit, 0, "case {i}: {s:?}");
                assert!(!s.reason.is_empty());
                // An enum candidate keeps the type and lists the values; every other suggestion changes the type.
                assert_eq!(Dialect::Postgres.format_type(&got.logical) == s.target_type, s.kind == SuggestionKind::Enum, "case {i}: {s:?}");
            }
        }
    }

    /// High confidence takes a name that agrees with the values, enough values (money: cents
    /// too); every reason says how many values it rests on. Name, values → kind, confidence,
    /// words the reason holds.
    #[test]
    fn high_confidence_rests_on_enough_values() {
        use Value::*;
        let reals = |n: usize, f: fn(usize) -> f64| (0..n).map(|i| Real(f(i))).collect::<Vec<_>>();
        let upper = |n: usize| (0..n).map(|i| Text(format!("0B9E1D6C-9F0A-4C1E-8D43-5A2B7E3F{i:04X}"))).collect::<Vec<_>>();
        type Case = (&'static str, Vec<Value>, SuggestionKind, Confidence, &'static [&'static str]);
        let cases: Vec<Case> = vec![
            // five REALs 1.5 … 7.5 named `amount`: a guess, not proof
            ("amount", reals(5, |i| 1.5 + 1.5 * i as f64), SuggestionKind::Decimal, Confidence::Medium, &["all 5 values", "without cents"]),
            ("amount", reals(5, |i| 1.25 + i as f64), SuggestionKind::Decimal, Confidence::Medium, &["all 5 values", "used as money", "5 values are too few to be sure (high takes 100)"]),
            ("amount", reals(120, |i| i as f64 + 0.25), SuggestionKind::Decimal, Confidence::High, &["all 120 values", "used as money"]),
            ("amount", reals(120, |i| i as f64 + 0.5), SuggestionKind::Decimal, Confidence::Medium, &["all 120 values", "without cents"]),
            ("amount", reals(99, |i| i as f64 + 0.25), SuggestionKind::Decimal, Confidence::Medium, &["all 99 values", "99 values are too few"]),
            ("weight", reals(120, |i| i as f64 + 0.25), SuggestionKind::Decimal, Confidence::Medium, &["all 120 values"]),
            ("is_paid", (0..120).map(|i| Integer(i % 2)).collect(), SuggestionKind::Boolean, Confidence::High, &["all 120 values"]),
            ("is_paid", vec![Integer(0), Integer(1)], SuggestionKind::Boolean, Confidence::Medium, &["all 2 values", "2 values are too few"]),
            ("flags", (0..120).map(|i| Integer(i % 2)).collect(), SuggestionKind::Boolean, Confidence::Medium, &["all 120 values"]),
            ("created_at", (0..150).map(|i| Integer(1_700_000_000_000 + i)).collect(), SuggestionKind::Timestamp, Confidence::High, &["all 150 values"]),
            ("created_at", vec![Integer(1_700_000_000_000)], SuggestionKind::Timestamp, Confidence::Medium, &["1 value is too few"]),
            ("id", upper(100), SuggestionKind::Uuid, Confidence::High, &["all 100 values", "100 of them in uppercase"]),
            ("id", upper(2), SuggestionKind::Uuid, Confidence::Medium, &["all 2 values"]),
        ];
        for (i, (name, values, kind, confidence, words)) in cases.into_iter().enumerate() {
            let decl = match values[0] { Real(_) => "REAL", Integer(_) => "INTEGER", _ => "TEXT" };
            let col = Column { name: name.into(), declared_type: decl.into(), profile: Some(profile(&values)), ..Default::default() };
            let s = super::super::propose(&col, Dialect::Postgres, super::super::Usage::default()).suggestion.unwrap_or_else(|| panic!("case {i} {name}: no suggestion"));
            assert_eq!((s.kind, s.confidence), (kind, confidence), "case {i} {name}: {}", s.reason);
            for w in words {
                assert!(s.reason.contains(w), "case {i} {name}: {w:?} not in {:?}", s.reason);
            }
        }
    }

    /// MariaDB and MySQL get char(36) for a UUID: the reason names that type, not uuid.
    #[test]
    fn uuid_reasons_name_the_type_the_target_gets() {
        let lower: Vec<Value> = (0..3).map(|i| Value::Text(format!("0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f{i:04x}"))).collect();
        let upper: Vec<Value> = (0..3).map(|i| Value::Text(format!("0B9E1D6C-9F0A-4C1E-8D43-5A2B7E3F{i:04X}"))).collect();
        // dialect, values, the type, words the reason (proposal's or suggestion's) holds
        let cases = [
            (Dialect::MariaDb, &lower, "char(36)", "all 3 values are UUIDs → char(36) (the UUID kept as its 36 characters of text: MySQL has no uuid type and MariaDB's needs 10.7 or later)"),
            (Dialect::MySql, &lower, "char(36)", "all 3 values are UUIDs → char(36) (the UUID kept as its 36 characters of text: MySQL has no uuid type and MariaDB's needs 10.7 or later)"),
            (Dialect::Postgres, &lower, "uuid", "all 3 values are UUIDs → uuid"),
            (Dialect::MariaDb, &upper, "char(36)", "in uppercase → char(36) (the UUID kept as its 36 characters"),
        ];
        for (d, values, ty, words) in cases {
            let col = Column { name: "ref".into(), declared_type: "TEXT".into(), profile: Some(profile(values)), ..Default::default() };
            let got = super::super::propose(&col, d, super::super::Usage::default());
            let (got_type, reason) = match &got.suggestion {
                Some(s) => (s.target_type.clone(), s.reason.clone()),
                None => (d.format_type(&got.logical), got.reason.clone()),
            };
            assert_eq!(got_type, ty, "{d:?}: {reason}");
            assert!(reason.contains(words), "{d:?}: {words:?} not in {reason:?}");
            assert!(!reason.contains("→ uuid") || ty == "uuid", "{d:?}: {reason}");
        }
    }

    /// All but one in twenty of a kind still suggests, and the plan says how many would not fit.
    #[test]
    fn mostly_of_a_kind_counts_the_rest_as_unfit() {
        use Value::*;
        let mut ms: Vec<Value> = (0..19).map(|i| Integer(1_700_000_000_000 + i)).collect();
        ms.push(Text("soon".into()));
        let mut words = texts(&["yes", "no"], 10);
        words[3] = Text("maybe".into());
        let mut too_many = ms.clone();
        too_many.push(Text("later".into()));
        // values, suggested transform, unfit
        let cases: Vec<(Vec<Value>, Option<Transform>, u64)> = vec![(ms, Some(Transform::EpochMs), 1), (words, Some(Transform::BoolText), 1), (too_many, None, 0)];
        for (values, want, unfit) in cases {
            let col = Column { name: "c".into(), declared_type: "".into(), profile: Some(profile(&values)), ..Default::default() };
            let got = super::super::propose(&col, Dialect::Postgres, super::super::Usage::default());
            assert_eq!(got.suggestion.as_ref().and_then(|s| s.transform), want, "{values:?}: {got:?}");
            if let Some(s) = got.suggestion {
                assert_eq!(s.unfit, unfit, "{s:?}");
                assert!(s.reason.starts_with("19 of 20 values"), "{}", s.reason);
            }
        }
    }

    #[test]
    fn enum_candidates_list_their_values() {
        let vals = texts(&["paid", "new", "cancelled", "new"], 3);
        let col = Column { name: "status".into(), declared_type: "TEXT".into(), profile: Some(profile(&vals)), ..Default::default() };
        let s = super::super::propose(&col, Dialect::MariaDb, super::super::Usage::default()).suggestion.unwrap();
        assert_eq!(s.values, ["cancelled", "new", "paid"]);
        assert!(s.reason.contains("only 3 distinct values in 12 ('cancelled', 'new', 'paid')"), "{}", s.reason);
        assert_eq!(s.target_type, "longtext");
    }

    /// The subject of a reason agrees with its count.
    #[test]
    fn reasons_count_in_words() {
        let cases = [(1, 1, "its one value is an integer"), (5, 5, "all 5 values are integers"), (19, 20, "19 of 20 values are integers"), (1_200, 1_200, "all 1,200 values are integers")];
        for (n, nn, want) in cases {
            assert_eq!(values_are(n, nn, "integers", "an integer"), want);
        }
        let one = profile(&[Value::Integer(1_700_000_000_123)]);
        let col = Column { name: "t".into(), declared_type: "".into(), profile: Some(one), ..Default::default() };
        let got = super::super::propose(&col, Dialect::Postgres, super::super::Usage::default());
        assert!(got.reason.contains("its one value is an integer → bigint"), "{}", got.reason);
        assert!(got.suggestion.unwrap().reason.starts_with("its one value is an integer between"));
    }

    #[test]
    fn epoch_reason_shows_the_dates() {
        let col = Column { name: "t".into(), declared_type: "INTEGER".into(), profile: Some(profile(&[Value::Integer(1_700_000_000_123)])), ..Default::default() };
        let s = super::super::propose(&col, Dialect::Postgres, super::super::Usage::default()).suggestion.unwrap();
        assert!(s.reason.contains("1,700,000,000,123") && s.reason.contains("2023-11-14 22:13:20 UTC"), "{}", s.reason);
    }

    #[test]
    fn transforms_fit_by_range() {
        let ts = LogicalType::Timestamp { tz: true };
        let p = profile(&[Value::Integer(1_700_000_000_123), Value::Integer(-62_000_000_000_000)]);
        assert_eq!(fits_with(&ts, Some(Transform::EpochMs), &p, Dialect::Postgres), 2);
        assert_eq!(fits_with(&ts, Some(Transform::EpochMs), &p, Dialect::MariaDb), 0, "year 5 is outside DATETIME");
        assert_eq!(fits_with(&LogicalType::Boolean, Some(Transform::EpochMs), &p, Dialect::Postgres), 0);
        let money = profile(&[Value::Real(19.99), Value::Real(0.125)]);
        let dec = |s| LogicalType::Decimal { precision: Some(12), scale: Some(s) };
        assert_eq!(fits_with(&dec(2), Some(Transform::DecimalExact), &money, Dialect::Postgres), 0);
        assert_eq!(fits_with(&dec(3), Some(Transform::DecimalExact), &money, Dialect::Postgres), 2);
    }

    /// A suggestion rides in the plan file beside the safe type, reads back, and accepting
    /// it moves its type and transform into the column; a transform of the wrong type is named.
    #[test]
    fn suggestions_in_the_plan_file() {
        use crate::plan::Plan;
        use crate::schema::{Schema, Table};
        let col = Column { name: "created_ms".into(), declared_type: "INTEGER".into(), profile: Some(profile(&[Value::Integer(1_700_000_000_123)])), ..Default::default() };
        let schema = Schema { tables: vec![Table { name: "t".into(), columns: vec![col], ..Default::default() }], ..Default::default() };
        let plan = crate::plan::propose(&schema, "s.sqlite", Dialect::Postgres);
        let text = plan.to_toml();
        assert!(text.contains("[tables.columns.suggestion]") && text.contains("transform = \"epoch_ms\""), "{text}");
        let mut back = Plan::from_toml(&text, "plan.toml").unwrap();
        assert_eq!(back, plan);
        let c = &mut back.tables[0].columns[0];
        assert_eq!((c.target_type.as_str(), c.transform), ("bigint", None), "the safe type stays");
        assert!(c.accept_suggestion());
        assert_eq!((c.target_type.as_str(), c.transform, c.suggestion.is_none()), ("timestamptz", Some(Transform::EpochMs), true));
        back.check_against(&schema, "plan.toml").unwrap();
        // A hand-written transform that does not make the type is refused by name.
        let bad = text.replace("type = \"bigint\"", "type = \"bigint\"\ntransform = \"bool_01\"");
        let err = Plan::from_toml(&bad, "plan.toml").unwrap().check_against(&schema, "plan.toml").unwrap_err().to_string();
        assert!(err.contains("transform bool_01 needs a boolean type"), "{err}");
    }
}
