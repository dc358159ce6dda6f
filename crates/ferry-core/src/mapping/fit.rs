//! How many of a column's stored values a logical type holds exactly. Both the proposal
//! (`mapping`) and the suggestions (`suggest`) count with it, so it sits below them and
//! imports neither.

use crate::dialect::Dialect;
use crate::schema::{ColumnProfile, LogicalType};

/// Values of the profile that a logical type holds exactly.
pub fn fits(t: &LogicalType, p: &ColumnProfile, dialect: Dialect) -> u64 {
    let numeric_text = p.text_numeric;
    match t {
        LogicalType::Integer { bits } => {
            let in_range = match (p.min_integer, p.max_integer) {
                (Some(lo), Some(hi)) => {
                    let (min, max) = crate::schema::int_range(*bits);
                    lo >= min && hi <= max
                }
                _ => true,
            };
            if in_range { p.integers + (p.reals - p.non_integral_reals - p.infinite_reals) } else { 0 }
        }
        LogicalType::Decimal { precision: Some(prec), scale } if p.max_scale > scale.unwrap_or(0) || p.max_int_digits > prec.saturating_sub(scale.unwrap_or(0)) => {
            // Some values need more digits than declared; the profile does not say how many.
            0
        }
        LogicalType::Decimal { .. } => p.integers + p.reals - if dialect.holds_infinity() { 0 } else { p.infinite_reals } + numeric_text,
        LogicalType::Float => p.integers + p.reals - if dialect.holds_infinity() { 0 } else { p.infinite_reals },
        LogicalType::Boolean => {
            let ints01 = matches!((p.min_integer, p.max_integer), (Some(lo), Some(hi)) if lo >= 0 && hi <= 1);
            (if ints01 || p.integers == 0 { p.integers } else { 0 }) + p.text_bool
        }
        LogicalType::Text { max: Some(n) } if p.max_text_chars > *n as u64 => 0,
        LogicalType::Text { .. } => {
            let bad_text = p.invalid_utf8 + if dialect.holds_nul_in_text() { 0 } else { p.with_nul };
            p.texts - bad_text.min(p.texts) + p.blob_utf8 + p.integers + p.reals
        }
        LogicalType::Bytes => p.texts + p.blobs,
        LogicalType::Uuid => p.text_uuid,
        // Past the target's years the profile does not say how many values are: none is counted.
        LogicalType::Date | LogicalType::Timestamp { .. } if !timestamps_in_range(p, dialect) => 0,
        LogicalType::Date => p.text_iso_date,
        LogicalType::Timestamp { .. } => p.text_iso_timestamp + p.text_iso_date,
        // json_valid(42) is 1: numbers are JSON documents too (a column declared JSON has
        // NUMERIC affinity, so SQLite keeps '42' as the integer 42).
        LogicalType::Json => p.text_json + p.integers + p.reals - p.infinite_reals.min(p.reals),
        LogicalType::Unsupported { .. } => 0,
    }
}

/// Whether the target's dates hold the years of the column's text, by its smallest and largest
/// value (MySQL's DATETIME/DATE hold years 1000–9999 only).
pub(super) fn timestamps_in_range(p: &ColumnProfile, dialect: Dialect) -> bool {
    // A dialect whose dates hold any year the source can write.
    if dialect.holds_year(0) && dialect.holds_year(10000) {
        return true;
    }
    let ok = |s: &Option<String>| s.as_deref().is_none_or(|s| s.get(..4).is_some_and(|year| year >= "1000"));
    ok(&p.min_text) && ok(&p.max_text)
}
