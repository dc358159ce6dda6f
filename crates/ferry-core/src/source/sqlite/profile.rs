//! What each column's values really hold: one streaming pass over every row.
//!
//! SQLite is dynamically typed; the plan rests on these counts (storage classes, NULLs,
//! ranges, longest values, how many texts parse as timestamps, UUIDs, JSON, …), never on a
//! sample.

use super::inspect::{map_err, quote};
use crate::error::Result;
use crate::schema::{ColumnProfile, Table};
use crate::value::{f64_scale_and_int_digits, is_uuid_text, parse_bool_text, parse_iso_date, parse_iso_timestamp, Decimal};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use std::path::Path;

/// Longest text kept as a min/max sample.
const SAMPLE_CHARS: usize = 80;

pub fn profile_table(conn: &Connection, path: &Path, table: &mut Table) -> Result<()> {
    let cols: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    if cols.is_empty() {
        return Ok(());
    }
    let sql = format!("SELECT {} FROM {}", cols.join(", "), quote(&table.name));
    let mut stmt = conn.prepare(&sql).map_err(|e| map_err(path, e))?;
    let n = cols.len();
    let mut profiles = vec![ColumnProfile::default(); n];
    let mut rows = stmt.query([]).map_err(|e| map_err(path, e))?;
    while let Some(row) = rows.next().map_err(|e| map_err(path, e))? {
        for (i, p) in profiles.iter_mut().enumerate() {
            let v = row.get_ref(i).map_err(|e| map_err(path, e))?;
            observe(p, v);
        }
    }
    for (c, p) in table.columns.iter_mut().zip(profiles) {
        c.profile = Some(p);
    }
    Ok(())
}

/// Adds one value to a column's profile.
pub fn observe(p: &mut ColumnProfile, v: ValueRef<'_>) {
    p.rows += 1;
    match v {
        ValueRef::Null => p.nulls += 1,
        ValueRef::Integer(i) => {
            p.integers += 1;
            p.min_integer = Some(p.min_integer.map_or(i, |m| m.min(i)));
            p.max_integer = Some(p.max_integer.map_or(i, |m| m.max(i)));
            let digits = i.unsigned_abs().checked_ilog10().map_or(1, |d| d + 1);
            p.max_int_digits = p.max_int_digits.max(digits);
        }
        ValueRef::Real(f) => {
            p.reals += 1;
            if f.is_infinite() {
                p.infinite_reals += 1;
                return;
            }
            p.min_real = Some(p.min_real.map_or(f, |m| m.min(f)));
            p.max_real = Some(p.max_real.map_or(f, |m| m.max(f)));
            if f.fract() != 0.0 || f.abs() >= 9.2e18 {
                p.non_integral_reals += 1;
            }
            let (scale, int_digits) = f64_scale_and_int_digits(f);
            p.max_scale = p.max_scale.max(scale);
            p.max_int_digits = p.max_int_digits.max(int_digits);
        }
        ValueRef::Text(t) => {
            p.texts += 1;
            match std::str::from_utf8(t) {
                Err(_) => {
                    p.invalid_utf8 += 1;
                    p.max_text_chars = p.max_text_chars.max(t.len() as u64);
                }
                Ok(s) => {
                    if t.contains(&0) {
                        p.with_nul += 1;
                    }
                    let chars = if s.is_ascii() { s.len() } else { s.chars().count() } as u64;
                    p.max_text_chars = p.max_text_chars.max(chars);
                    classify_text(p, s);
                    // Compare the sample prefix in place; allocate only for a new min or max.
                    let sample = prefix(s, SAMPLE_CHARS);
                    if p.min_text.as_deref().is_none_or(|m| sample < m) {
                        p.min_text = Some(sample.to_string());
                    }
                    if p.max_text.as_deref().is_none_or(|m| sample > m) {
                        p.max_text = Some(sample.to_string());
                    }
                }
            }
        }
        ValueRef::Blob(b) => {
            p.blobs += 1;
            p.max_blob_bytes = p.max_blob_bytes.max(b.len() as u64);
            if !b.contains(&0) && std::str::from_utf8(b).is_ok() {
                p.blob_utf8 += 1;
            }
        }
    }
}

/// The first `n` characters of `s`.
fn prefix(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s; // fewer bytes than n: fewer characters too
    }
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn classify_text(p: &mut ColumnProfile, s: &str) {
    let b = s.as_bytes();
    let Some(&first) = b.first() else { return };
    if first.is_ascii_digit() {
        if b.len() == 10 && parse_iso_date(s).is_some() {
            p.text_iso_date += 1;
        } else if b.len() >= 16 {
            if let Some(i) = parse_iso_timestamp(s) {
                p.text_iso_timestamp += 1;
                if i.sub_micro_nanos != 0 {
                    p.sub_micro += 1;
                }
            }
        }
    }
    if b.len() == 36 && is_uuid_text(b) && !b.iter().any(u8::is_ascii_uppercase) {
        p.text_uuid += 1;
    }
    if (first == b'{' || first == b'[') && serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok() {
        p.text_json += 1;
    }
    if b.len() <= 5 && parse_bool_text(s).is_some() {
        p.text_bool += 1;
    }
    if (first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') && Decimal::parse(s).is_some() {
        p.text_numeric += 1;
    }
}
