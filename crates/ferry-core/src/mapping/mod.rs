//! Declared type + evidence → the logical type a column is carried as, with the reason.
//!
//! The declared type proposes (`declared`); the profile of every stored value decides whether
//! the proposal holds. Within a family the plan widens (INTEGER holding fractions → numeric,
//! varchar(20) holding longer text → text, smallint holding large values → bigint); values of
//! another kind (text in an INTEGER column) are counted as rows the plan cannot carry and are
//! rejected by name at load time. When most values are of another kind than declared, the
//! values win (a tie goes to the values too: a type that would refuse half the rows is not
//! kept). Nothing here truncates, clamps or rounds.

pub mod collation;
pub mod declared;
mod fit;
pub mod suggest;

use crate::schema::{Column, ColumnProfile, LogicalType};
use crate::dialect::Dialect;
use declared::parse_declared;
pub use fit::fits;
use fit::timestamps_in_range;
pub use suggest::{fits_with, Confidence, Suggestion, SuggestionKind};

/// The proposal for one column.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub logical: LogicalType,
    pub reason: String,
    /// How many non-null values the proposed type cannot hold (they will be rejected).
    pub unfit: u64,
    /// A type the values point at that is not taken without the user's word (epoch
    /// milliseconds → timestamp, 0/1 → boolean, money in REAL → numeric, …).
    pub suggestion: Option<Suggestion>,
}

/// What the column is used for in the target that constrains its type (MySQL keys need
/// bounded lengths).
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub indexed: bool,
}

use crate::value::group_thousands as fmt_n;

/// The type the values alone call for (no declared type, or most values not of the declared kind).
fn from_evidence(p: &ColumnProfile, dialect: Dialect) -> (LogicalType, String) {
    let nn = p.non_null();
    let numbers = p.integers + p.reals;
    if p.blobs > 0 && p.blob_utf8 < p.blobs {
        return (LogicalType::Bytes, format!("{} of {} values are binary → bytes", fmt_n(p.blobs), fmt_n(nn)));
    }
    if p.texts + p.blobs > 0 {
        if numbers > 0 {
            return (LogicalType::Text { max: None }, format!("mixed values ({} text, {} numbers) → text; numbers carried as their text", fmt_n(p.texts), fmt_n(numbers)));
        }
        if let Some(t) = infer_text(p, dialect) {
            return t;
        }
        return (LogicalType::Text { max: None }, format!("{} → text", suggest::values_are(nn, nn, "text", "text")));
    }
    if p.reals == 0 {
        return (LogicalType::Integer { bits: 64 }, format!("{} → bigint", suggest::values_are(nn, nn, "integers", "an integer")));
    }
    if p.integers == 0 {
        return (LogicalType::Float, format!("{} → double precision", suggest::values_are(nn, nn, "reals", "a real")));
    }
    (exact_decimal(p, dialect), format!("integers and reals mixed ({} and {}) → exact decimal", fmt_n(p.integers), fmt_n(p.reals)))
}

/// A decimal wide enough for every stored number. PostgreSQL: unconstrained `numeric`;
/// MySQL needs a precision and scale, taken from the data.
fn exact_decimal(p: &ColumnProfile, dialect: Dialect) -> LogicalType {
    if dialect.has_open_decimal() {
        return LogicalType::Decimal { precision: None, scale: None };
    }
    let s = p.max_scale;
    let prec = (p.max_int_digits + s).max(1);
    if s <= 30 && prec <= 65 {
        LogicalType::Decimal { precision: Some(prec), scale: Some(s) }
    } else {
        LogicalType::Float
    }
}

/// TEXT whose every value is of one recognisable kind.
fn infer_text(p: &ColumnProfile, dialect: Dialect) -> Option<(LogicalType, String)> {
    let nn = p.non_null();
    if nn == 0 || p.texts != nn {
        return None;
    }
    let all = |n: u64| n == nn;
    if all(p.text_uuid) {
        return Some((LogicalType::Uuid, format!("{} → {}", suggest::values_are(nn, nn, "UUIDs", "a UUID"), suggest::uuid_words(dialect))));
    }
    // Objects and arrays only: a TEXT column of `42` and `"x"` is not taken for JSON.
    if all(p.text_json) && p.text_json_scalar == 0 {
        return Some((LogicalType::Json, format!("{} → json", suggest::values_are(nn, nn, "JSON objects or arrays", "a JSON object or array"))));
    }
    if all(p.text_iso_timestamp) && p.sub_micro == 0 && timestamps_in_range(p, dialect) {
        return Some((LogicalType::Timestamp { tz: true }, format!("{} → timestamp (read as UTC where no offset is given)", suggest::values_are(nn, nn, "ISO-8601 timestamps", "an ISO-8601 timestamp"))));
    }
    if all(p.text_iso_date) && timestamps_in_range(p, dialect) {
        return Some((LogicalType::Date, format!("{} → date", suggest::values_are(nn, nn, "ISO-8601 dates", "an ISO-8601 date"))));
    }
    None
}


/// Proposes the logical type of a column from its declared type and its profile.
pub fn propose(col: &Column, dialect: Dialect, usage: Usage) -> Proposal {
    let decl = parse_declared(&col.declared_type);
    let empty = ColumnProfile::default();
    let p = col.profile.as_ref().unwrap_or(&empty);
    let nn = p.non_null();
    let untyped = col.declared_type.trim().is_empty();
    let (mut logical, mut reason) = if nn == 0 {
        let t = if untyped { LogicalType::Text { max: None } } else { decl.logical.clone() };
        (t, if untyped { "no declared type and no values → text".to_string() } else { format!("{} (no values to check)", decl.reason) })
    } else if untyped {
        let (t, r) = from_evidence(p, dialect);
        (t, format!("no declared type; {r}"))
    } else {
        let f = fits(&decl.logical, p, dialect);
        let widened = widen(&decl.logical, p, dialect);
        let wf = widened.as_ref().map(|(t, _)| fits(t, p, dialect)).unwrap_or(0);
        if f == nn {
            // TEXT whose every value is a UUID, JSON or a timestamp gets that type.
            let inferred = if matches!(decl.logical, LogicalType::Text { .. }) { infer_text(p, dialect) } else { None };
            inferred.unwrap_or_else(|| (decl.logical.clone(), decl.reason.clone()))
        } else if let Some((t, r)) = widened.filter(|_| wf * 2 > nn && wf > f) {
            (t, format!("{}; {r}", decl.reason))
        } else if f * 2 > nn {
            (decl.logical.clone(), decl.reason.clone())
        } else {
            let (t, r) = from_evidence(p, dialect);
            (t, format!("declared {:?} but only {} of {} values fit it; {r}", col.declared_type, fmt_n(f), fmt_n(nn)))
        }
    };
    // MySQL keys need a bounded length: an indexed text column becomes varchar.
    if dialect.bounds_indexed_text() && usage.indexed {
        if let LogicalType::Text { max: None } = logical {
            let longest = p.max_text_chars;
            if longest <= 768 {
                let n = longest.max(255) as u32;
                logical = LogicalType::Text { max: Some(n) };
                reason.push_str(&format!("; indexed in MySQL, so varchar({n}) (longest value {} characters)", fmt_n(longest)));
            }
        }
    }
    // Evidence worth a line: how wide the integers really are; timestamps with and without offsets.
    if let LogicalType::Integer { bits } = logical {
        if p.integers > 0 && p.integers == nn && p.int_bits() < bits {
            let n = |i: Option<i64>| suggest::fmt_n_i(i.unwrap_or(0));
            reason.push_str(&format!("; values {} to {} fit {} bits", n(p.min_integer), n(p.max_integer), p.int_bits()));
        }
    }
    if matches!(logical, LogicalType::Timestamp { .. }) && p.text_ts_offset > 0 && p.text_ts_offset < p.text_iso_timestamp {
        reason.push_str(&format!("; {} name an offset, {} without one are read as UTC", fmt_n(p.text_ts_offset), fmt_n(p.text_iso_timestamp - p.text_ts_offset + p.text_iso_date)));
    }
    let mut unfit = nn - fits(&logical, p, dialect).min(nn);
    let mut narrower = None;
    if unfit > 0 {
        let values = |n: u64| format!("{} value{}", fmt_n(n), if n == 1 { "" } else { "s" });
        let spelled = dialect.format_type(&logical);
        match lossless(&logical, p, dialect, usage) {
            Some((wide, why)) => {
                reason.push_str(&format!("; {} of {} {} not fit {spelled}, so it is carried as {} ({why}) and every row arrives", values(unfit), fmt_n(nn), if unfit == 1 { "does" } else { "do" }, dialect.format_type(&wide)));
                // What the values point at, judged against the narrower type; else that type.
                narrower = suggest::suggest(col, p, dialect, &logical).or(Some(Suggestion {
                    target_type: spelled.clone(),
                    reason: format!("{spelled} holds {} of {} values; taking it rejects the other {} (pre-flight names their rows)", fmt_n(nn - unfit), fmt_n(nn), values(unfit)),
                    transform: None,
                    kind: SuggestionKind::Narrower,
                    confidence: Confidence::Low,
                    values: vec![],
                    unfit,
                }));
                if narrower.as_ref().is_some_and(|s| s.kind == SuggestionKind::Narrower) {
                    reason.push_str(&format!("; {spelled} is offered as a suggestion"));
                }
                logical = wide;
                unfit = 0;
            }
            None => reason.push_str(&format!("; {} cannot be carried by any one type and will be rejected", values(unfit))),
        }
    }
    // The column's collation, where it is not BINARY: which target collation, and why.
    if let (LogicalType::Text { .. }, Some(name)) = (&logical, &col.collation) {
        if let Some(why) = collation::reason(name, dialect.nocase_collation_words()) {
            reason.push_str(&format!("; {why}"));
        }
    }
    if let (LogicalType::Text { .. }, Some(name)) = (&logical, &col.key_collation) {
        if collation::meaning(name).ignores_case() && !col.collation.as_deref().is_some_and(|c| collation::meaning(c).ignores_case()) {
            reason.push_str(&format!(
                "; its key compares it COLLATE {name} → {}, on the column (a target's key takes its column's collation), so the column's other comparisons ignore case too",
                dialect.nocase_collation_words()
            ));
        }
    }
    let suggestion = narrower.or_else(|| suggest::suggest(col, p, dialect, &logical));
    Proposal { logical, reason, unfit, suggestion }
}

/// The narrowest type that holds every stored value of the column, when `t` does not: the
/// widening within `t`'s family, an exact decimal for numbers, text, or bytes for text that is
/// not UTF-8 or holds NUL where the target's text cannot. `None` when no one type holds them
/// all (numbers beside bytes that are not text): those values are rejected and named.
fn lossless(t: &LogicalType, p: &ColumnProfile, dialect: Dialect, usage: Usage) -> Option<(LogicalType, &'static str)> {
    let nn = p.non_null();
    let holds = |c: &LogicalType| fits(c, p, dialect) >= nn;
    if let Some((w, _)) = widen(t, p, dialect).filter(|(w, _)| holds(w)) {
        return Some((w, "a wider type of the same kind"));
    }
    if p.texts + p.blobs == 0 {
        let d = exact_decimal(p, dialect);
        if holds(&d) {
            return Some((d, "an exact decimal holds every number"));
        }
    }
    let longest = p.max_text_chars;
    let text = if dialect.bounds_indexed_text() && usage.indexed && longest <= 768 {
        LogicalType::Text { max: Some(longest.max(255) as u32) }
    } else {
        LogicalType::Text { max: None }
    };
    if holds(&text) {
        return Some((text, "text holds every value as written"));
    }
    if holds(&LogicalType::Bytes) {
        return Some((LogicalType::Bytes, "bytes: some values are not text the target's text type holds"));
    }
    None
}

/// The widening within the declared type's family that holds more of the values.
fn widen(t: &LogicalType, p: &ColumnProfile, dialect: Dialect) -> Option<(LogicalType, String)> {
    match t {
        LogicalType::Integer { bits } => {
            if p.non_integral_reals > 0 {
                return Some((exact_decimal(p, dialect), format!("{} values have fractions → exact decimal", fmt_n(p.non_integral_reals))));
            }
            if *bits < 64 {
                return Some((LogicalType::Integer { bits: 64 }, "values exceed its range → bigint".into()));
            }
            None
        }
        LogicalType::Decimal { precision: Some(prec), scale } => {
            let s = scale.unwrap_or(0);
            if p.max_scale > s || p.max_int_digits > prec.saturating_sub(s) {
                return Some((exact_decimal(p, dialect), format!("values exceed ({prec},{s}) (up to {} digits before and {} after the point) → wider decimal", p.max_int_digits, p.max_scale)));
            }
            None
        }
        LogicalType::Boolean => {
            if p.reals > 0 {
                Some((exact_decimal(p, dialect), "values other than 0 and 1 → exact decimal".into()))
            } else {
                Some((LogicalType::Integer { bits: 64 }, "values other than 0 and 1 → bigint".into()))
            }
        }
        LogicalType::Text { max: Some(n) } if p.max_text_chars > *n as u64 => {
            Some((LogicalType::Text { max: None }, format!("values up to {} characters, longer than {n} → text", fmt_n(p.max_text_chars))))
        }
        LogicalType::Date if p.text_iso_timestamp > 0 => Some((LogicalType::Timestamp { tz: true }, format!("{} values have a time of day → timestamp", fmt_n(p.text_iso_timestamp)))),
        _ => None,
    }
    .filter(|(w, _)| w != t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prof(f: impl FnOnce(&mut ColumnProfile)) -> ColumnProfile {
        let mut p = ColumnProfile::default();
        f(&mut p);
        p
    }

    fn col(decl: &str, p: ColumnProfile) -> Column {
        Column { name: "c".into(), declared_type: decl.into(), profile: Some(p), ..Default::default() }
    }

    #[test]
    fn proposals_from_declared_type_and_evidence() {
        use LogicalType::*;
        let ints = |lo, hi, n| prof(|p| { p.rows = n; p.integers = n; p.min_integer = Some(lo); p.max_integer = Some(hi); p.max_int_digits = 5; });
        let cases: Vec<(&str, ColumnProfile, Dialect, LogicalType, u64)> = vec![
            ("INTEGER", ints(1, 100, 10), Dialect::Postgres, Integer { bits: 64 }, 0),
            ("smallint", ints(1, 100_000, 10), Dialect::Postgres, Integer { bits: 64 }, 0),
            ("BOOLEAN", ints(0, 1, 10), Dialect::Postgres, Boolean, 0),
            ("BOOLEAN", ints(0, 2, 10), Dialect::Postgres, Integer { bits: 64 }, 0),
            // text in an INTEGER column: the column is text so the row arrives; bigint is suggested
            ("INTEGER", prof(|p| { p.rows = 10; p.integers = 9; p.texts = 1; p.min_integer = Some(1); p.max_integer = Some(9); }), Dialect::Postgres, Text { max: None }, 0),
            // most values are text: the values win
            ("INTEGER", prof(|p| { p.rows = 10; p.integers = 1; p.texts = 9; p.min_integer = Some(1); p.max_integer = Some(1); }), Dialect::Postgres, Text { max: None }, 0),
            ("INTEGER", prof(|p| { p.rows = 4; p.integers = 2; p.reals = 2; p.non_integral_reals = 2; p.max_scale = 2; p.max_int_digits = 3; }), Dialect::Postgres, Decimal { precision: None, scale: None }, 0),
            ("INTEGER", prof(|p| { p.rows = 4; p.integers = 2; p.reals = 2; p.non_integral_reals = 2; p.max_scale = 2; p.max_int_digits = 3; }), Dialect::MariaDb, Decimal { precision: Some(5), scale: Some(2) }, 0),
            ("NUMERIC(10,2)", prof(|p| { p.rows = 3; p.reals = 3; p.non_integral_reals = 3; p.max_scale = 2; p.max_int_digits = 3; }), Dialect::Postgres, Decimal { precision: Some(10), scale: Some(2) }, 0),
            ("NUMERIC(10,2)", prof(|p| { p.rows = 3; p.reals = 3; p.non_integral_reals = 3; p.max_scale = 17; p.max_int_digits = 1; }), Dialect::Postgres, Decimal { precision: None, scale: None }, 0),
            ("varchar(5)", prof(|p| { p.rows = 2; p.texts = 2; p.max_text_chars = 9; }), Dialect::Postgres, Text { max: None }, 0),
            ("TEXT", prof(|p| { p.rows = 2; p.texts = 2; p.text_uuid = 2; p.max_text_chars = 36; }), Dialect::Postgres, Uuid, 0),
            ("TEXT", prof(|p| { p.rows = 2; p.texts = 2; p.text_json = 2; }), Dialect::Postgres, Json, 0),
            ("TEXT", prof(|p| { p.rows = 2; p.texts = 2; p.text_json = 2; p.text_json_scalar = 1; }), Dialect::Postgres, Text { max: None }, 0),
            // Declared JSON: bare scalars, as text or as the numbers NUMERIC affinity made, fit it.
            ("JSON", prof(|p| { p.rows = 6; p.texts = 4; p.text_json = 4; p.text_json_scalar = 2; p.integers = 1; p.reals = 1; p.min_integer = Some(42); p.max_integer = Some(42); }), Dialect::Postgres, Json, 0),
            ("JSON", prof(|p| { p.rows = 3; p.texts = 2; p.text_json = 1; p.integers = 1; p.min_integer = Some(42); p.max_integer = Some(42); }), Dialect::MariaDb, Text { max: None }, 0),
            ("TEXT", prof(|p| { p.rows = 2; p.texts = 2; p.text_iso_timestamp = 2; p.min_text = Some("2020".into()); p.max_text = Some("2024".into()); }), Dialect::MySql, Timestamp { tz: true }, 0),
            ("TEXT", prof(|p| { p.rows = 2; p.texts = 2; p.text_iso_timestamp = 1; }), Dialect::Postgres, Text { max: None }, 0),
            ("TEXT", prof(|p| { p.rows = 3; p.texts = 3; p.invalid_utf8 = 1; }), Dialect::Postgres, Bytes, 0),
            ("TEXT", prof(|p| { p.rows = 3; p.texts = 3; p.with_nul = 1; }), Dialect::Postgres, Bytes, 0),
            ("TEXT", prof(|p| { p.rows = 3; p.texts = 3; p.with_nul = 1; }), Dialect::MariaDb, Text { max: None }, 0),
            ("REAL", prof(|p| { p.rows = 2; p.reals = 2; p.infinite_reals = 1; }), Dialect::MariaDb, Text { max: None }, 0),
            // 'maybe' in a BOOLEAN column, an impossible date, text in NUMERIC(20,6): text
            ("BOOLEAN", prof(|p| { p.rows = 4; p.integers = 3; p.texts = 1; p.min_integer = Some(0); p.max_integer = Some(1); }), Dialect::Postgres, Text { max: None }, 0),
            ("DATE", prof(|p| { p.rows = 3; p.texts = 3; p.text_iso_date = 2; }), Dialect::MariaDb, Text { max: None }, 0),
            ("NUMERIC(20,6)", prof(|p| { p.rows = 3; p.reals = 2; p.texts = 1; p.non_integral_reals = 2; p.max_scale = 2; p.max_int_digits = 1; }), Dialect::Postgres, Text { max: None }, 0),
            // year 0 in a TIMESTAMP column: MariaDB's DATETIME starts at year 1000, PostgreSQL's holds it
            ("TIMESTAMP", prof(|p| { p.rows = 1; p.texts = 1; p.text_iso_timestamp = 1; p.min_text = Some("0000-01-01T00:00:00.000Z".into()); p.max_text = p.min_text.clone(); }), Dialect::MariaDb, Text { max: None }, 0),
            ("TIMESTAMP", prof(|p| { p.rows = 1; p.texts = 1; p.text_iso_timestamp = 1; p.min_text = Some("0000-01-01T00:00:00.000Z".into()); p.max_text = p.min_text.clone(); }), Dialect::Postgres, Timestamp { tz: true }, 0),
            // numbers beside bytes that are not UTF-8: no one type holds both, the bytes are rejected
            ("TEXT", prof(|p| { p.rows = 3; p.texts = 2; p.integers = 1; p.invalid_utf8 = 1; p.min_integer = Some(1); p.max_integer = Some(1); }), Dialect::Postgres, Text { max: None }, 1),
            ("REAL", prof(|p| { p.rows = 2; p.reals = 2; p.infinite_reals = 1; }), Dialect::Postgres, Float, 0),
            // most values past MariaDB's years: they are counted as unfit, not taken as fitting
            ("DATETIME", prof(|p| { p.rows = 3; p.texts = 3; p.text_iso_timestamp = 3; p.min_text = Some("0999-01-01 00:00:00".into()); p.max_text = Some("2024-01-01 00:00:00".into()); }), Dialect::MariaDb, Text { max: None }, 0),
            ("", prof(|p| { p.rows = 2; p.integers = 1; p.texts = 1; }), Dialect::Postgres, Text { max: None }, 0),
            ("", prof(|p| { p.rows = 2; p.blobs = 2; }), Dialect::Postgres, Bytes, 0),
            ("", prof(|p| { p.rows = 2; p.nulls = 2; }), Dialect::Postgres, Text { max: None }, 0),
            ("DATETIME", prof(|p| { p.rows = 3; p.texts = 3; p.text_iso_timestamp = 2; p.text_iso_date = 1; }), Dialect::Postgres, Timestamp { tz: true }, 0),
            ("DATE", prof(|p| { p.rows = 3; p.texts = 3; p.text_iso_timestamp = 2; p.text_iso_date = 1; }), Dialect::Postgres, Timestamp { tz: true }, 0),
        ];
        for (i, (decl, p, d, want, unfit)) in cases.into_iter().enumerate() {
            let got = propose(&col(decl, p), d, Usage::default());
            assert_eq!(got.logical, want, "case {i} {decl}: {}", got.reason);
            assert_eq!(got.unfit, unfit, "case {i} {decl}: {}", got.reason);
            assert!(!got.reason.is_empty());
        }
    }

    /// A column carried wider than its best type offers that type back, with the count it rejects.
    #[test]
    fn the_narrower_type_is_a_suggestion_with_its_cost() {
        let p = prof(|p| { p.rows = 4; p.integers = 3; p.texts = 1; p.min_integer = Some(0); p.max_integer = Some(1); });
        for (d, want) in [(Dialect::Postgres, "boolean"), (Dialect::MariaDb, "tinyint(1)")] {
            let got = propose(&col("BOOLEAN", p.clone()), d, Usage::default());
            let s = got.suggestion.expect("a suggestion");
            assert_eq!((s.kind, s.unfit, s.target_type.as_str()), (SuggestionKind::Narrower, 1, want), "{s:?}");
            assert!(got.reason.contains("1 value of 4 does not fit") && got.reason.contains("every row arrives"), "{}", got.reason);
        }
        // Indexed in MySQL: the text that holds every value is still bounded for the key.
        let p = prof(|p| { p.rows = 2; p.integers = 1; p.texts = 1; p.max_text_chars = 40; p.min_integer = Some(1); p.max_integer = Some(1); });
        let got = propose(&col("INTEGER", p), Dialect::MariaDb, Usage { indexed: true });
        assert_eq!(got.logical, LogicalType::Text { max: Some(255) });
    }

    #[test]
    fn mysql_keys_get_bounded_text() {
        let p = prof(|p| { p.rows = 2; p.texts = 2; p.max_text_chars = 40; });
        let got = propose(&col("TEXT", p.clone()), Dialect::MariaDb, Usage { indexed: true });
        assert_eq!(got.logical, LogicalType::Text { max: Some(255) });
        let got = propose(&col("TEXT", p), Dialect::Postgres, Usage { indexed: true });
        assert_eq!(got.logical, LogicalType::Text { max: None });
    }
}
