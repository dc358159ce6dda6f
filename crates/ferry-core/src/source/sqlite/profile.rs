//! What each column's values really hold: one streaming pass over every row.
//!
//! SQLite is dynamically typed; the plan rests on these counts (storage classes, NULLs,
//! ranges, longest values, how many texts parse as timestamps, UUIDs, JSON, …), never on a
//! sample.

use super::inspect::{map_err, quote};
use crate::error::Result;
use crate::convert::is_uuid_blob;
use crate::schema::{ColumnProfile, JsonKey, Table, TextWords, DISTINCT_TEXTS, DISTINCT_TEXT_CHARS, JSON_KEYS, WORD_ROWS};
use crate::value::{f64_scale_and_int_digits, parse_uuid_text, parse_bool_text, parse_iso_date, parse_iso_timestamp, sqlite_real_text, Decimal};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use std::path::Path;

/// Longest text kept as a min/max sample.
const SAMPLE_CHARS: usize = 80;

pub fn profile_table(conn: &Connection, path: &Path, table: &mut Table) -> Result<()> {
    profile_table_sampled(conn, path, table, None)
}

/// The row id under a name no column takes (a column may be called `rowid`).
fn free_rowid(table: &Table) -> Option<&'static str> {
    ["_rowid_", "rowid", "oid"].into_iter().find(|r| !table.columns.iter().any(|c| c.name.eq_ignore_ascii_case(r)))
}

/// Adds every row `sql` (with `params`) returns to the column profiles, column by column.
fn observe_query(conn: &Connection, path: &Path, sql: &str, params: &[i64], profiles: &mut [ColumnProfile]) -> Result<()> {
    let mut stmt = conn.prepare(sql).map_err(|e| map_err(path, e))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params)).map_err(|e| map_err(path, e))?;
    while let Some(row) = rows.next().map_err(|e| map_err(path, e))? {
        for (i, p) in profiles.iter_mut().enumerate() {
            observe(p, row.get_ref(i).map_err(|e| map_err(path, e))?);
        }
    }
    Ok(())
}

/// Gives each column its profile (distinct texts sorted); `sampled`: they rest on some of the
/// rows only, and the table records how many (`profile_sample`).
pub fn keep_profiles(table: &mut Table, profiles: Vec<ColumnProfile>, sampled: bool) {
    table.profile_sample = sampled.then(|| profiles.first().map(|p| p.rows).unwrap_or(0));
    for (c, mut p) in table.columns.iter_mut().zip(profiles) {
        sort_distinct(&mut p);
        c.profile = Some(p);
    }
}

/// The distinct texts sorted, their counts with them.
fn sort_distinct(p: &mut ColumnProfile) {
    let mut both: Vec<(String, u64)> = std::mem::take(&mut p.distinct_texts).into_iter().zip(std::mem::take(&mut p.distinct_counts)).collect();
    both.sort_unstable();
    (p.distinct_texts, p.distinct_counts) = both.into_iter().unzip();
}

/// The query that reads a table's values for its profile: every row, or — for a quick look —
/// about `sample` rows spread over the whole table (every k-th row id; the first rows of a
/// table without row ids).
fn profile_sql(table: &Table, cols: &[String], sample: Option<u64>) -> (String, Option<u64>) {
    let all = format!("SELECT {} FROM {}", cols.join(", "), quote(&table.name));
    match sample {
        Some(n) if n > 0 && table.row_count > n => {
            match free_rowid(table) {
                Some(rowid) if !table.without_rowid => {
                    let k = table.row_count.div_ceil(n);
                    (format!("{all} WHERE {rowid} % {k} = 0 LIMIT {n}"), Some(n))
                }
                _ => (format!("{all} LIMIT {n}"), Some(n)),
            }
        }
        _ => (all, None),
    }
}

/// As `profile_table`, on a sample of about `sample` rows when given (the table records it in
/// `profile_sample`).
pub fn profile_table_sampled(conn: &Connection, path: &Path, table: &mut Table, sample: Option<u64>) -> Result<()> {
    let cols: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    if cols.is_empty() {
        return Ok(());
    }
    let (sql, sampled) = profile_sql(table, &cols, sample);
    // The plan's profile: what `plan --production` reads too (JSON keys, words).
    let mut profiles = vec![ColumnProfile::counting(); cols.len()];
    observe_query(conn, path, &sql, &[], &mut profiles)?;
    keep_profiles(table, profiles, sampled.is_some());
    Ok(())
}

/// A first look that costs seeks, not a scan: about `rows` rows, half from the start of the
/// table and half from `SPOTS` places spread evenly over its row ids (the first rows of a
/// table without row ids). A migration plans from it while it loads, then checks the plan
/// against the profile of every row it read (`copy`); nothing else should rest on it. The
/// table records the rows seen in `profile_sample`.
pub fn profile_table_spread(conn: &Connection, path: &Path, table: &mut Table, rows: u64) -> Result<()> {
    const SPOTS: u64 = 16;
    if table.row_count <= rows {
        return profile_table(conn, path, table);
    }
    let cols: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    if cols.is_empty() {
        return Ok(());
    }
    let all = format!("SELECT {} FROM {}", cols.join(", "), quote(&table.name));
    let rowid = free_rowid(table).filter(|_| !table.without_rowid);
    let mut profiles = vec![ColumnProfile::default(); cols.len()];
    let mut read = |sql: &str, params: &[i64]| observe_query(conn, path, sql, params, &mut profiles);
    match rowid {
        None => read(&format!("{all} LIMIT ?1"), &[rows as i64])?,
        Some(r) => {
            // Two queries: SQLite answers a lone min() or max() of the row id from the ends of
            // the table, but scans for both in one.
            let end = |f: &str| -> Result<i64> {
                let v: Option<i64> = conn.query_row(&format!("SELECT {f}({r}) FROM {}", quote(&table.name)), [], |x| x.get(0)).map_err(|e| map_err(path, e))?;
                Ok(v.unwrap_or(0))
            };
            let (lo, hi) = (end("min")?, end("max")?);
            let each = (rows / 2 / SPOTS).max(1) as i64;
            read(&format!("{all} ORDER BY {r} LIMIT ?1"), &[(rows / 2) as i64])?;
            let sql = format!("{all} WHERE {r} >= ?1 ORDER BY {r} LIMIT ?2");
            for k in 1..=SPOTS as i128 {
                let at = lo as i128 + (hi as i128 - lo as i128) * k / (SPOTS as i128 + 1);
                read(&sql, &[at as i64, each])?;
            }
        }
    }
    keep_profiles(table, profiles, true);
    Ok(())
}

/// What the load's conversion already proved of a text value, so that profiling it need not
/// prove it again (the profile comes out the same: `known_values_profile_the_same`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    Nothing,
    /// A lowercase canonical UUID.
    LowercaseUuid,
    /// Valid JSON.
    Json,
}

/// Adds one value to a column's profile.
pub fn observe(p: &mut ColumnProfile, v: ValueRef<'_>) {
    observe_known(p, v, Known::Nothing);
}

/// `observe`, told what the value is known to be.
pub fn observe_known(p: &mut ColumnProfile, v: ValueRef<'_>, known: Known) {
    if let (Known::LowercaseUuid, ValueRef::Text(t)) = (known, v) {
        // 36 ASCII characters that are nothing but a UUID: not a date, JSON, a boolean or a number.
        p.rows += 1;
        if let Some(w) = words(p) {
            count_text_words(w, t, t.len() as u64);
        }
        p.texts += 1;
        p.max_text_chars = p.max_text_chars.max(t.len() as u64);
        p.text_uuid_any_case += 1;
        p.text_uuid += 1;
        let s = std::str::from_utf8(t).expect("a UUID is ASCII");
        count_distinct(p, s);
        min_max_text(p, s);
        return;
    }
    p.rows += 1;
    // Text is counted below, where its characters are.
    if !matches!(v, ValueRef::Text(_)) {
        if let Some(w) = words(p) {
            count_words(w, v);
        }
    }
    match v {
        ValueRef::Null => p.nulls += 1,
        ValueRef::Integer(i) => {
            p.integers += 1;
            p.integer_ones += u64::from(i == 1);
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
                    if let Some(w) = words(p) {
                        w.other = true;
                    }
                }
                Ok(s) => {
                    let nul = t.contains(&0);
                    if nul {
                        p.with_nul += 1;
                    }
                    let chars = if s.is_ascii() { s.len() } else { s.chars().count() } as u64;
                    p.max_text_chars = p.max_text_chars.max(chars);
                    if let Some(w) = words(p) {
                        if nul {
                            w.other = true;
                        } else {
                            count_text_words(w, t, chars);
                        }
                    }
                    classify_text(p, s, known == Known::Json);
                    count_distinct(p, s);
                    min_max_text(p, s);
                }
            }
        }
        ValueRef::Blob(b) => {
            p.blobs += 1;
            p.max_blob_bytes = p.max_blob_bytes.max(b.len() as u64);
            if is_uuid_blob(b) {
                p.blob_uuid += 1;
            }
            if !b.contains(&0) && std::str::from_utf8(b).is_ok() {
                p.blob_utf8 += 1;
            }
        }
    }
}

/// The smallest and largest text so far, by their first `SAMPLE_CHARS` characters.
fn min_max_text(p: &mut ColumnProfile, s: &str) {
    // Compare the sample prefix in place; allocate only for a new min or max.
    let sample = prefix(s, SAMPLE_CHARS);
    if p.min_text.as_deref().is_none_or(|m| sample < m) {
        p.min_text = Some(sample.to_string());
    }
    if p.max_text.as_deref().is_none_or(|m| sample > m) {
        p.max_text = Some(sample.to_string());
    }
}

/// Lists the distinct short texts while there are few (an enum candidate); past
/// `DISTINCT_TEXTS` of them, or on a long one, the column has "many" and stops counting.
fn count_distinct(p: &mut ColumnProfile, s: &str) {
    if p.many_texts {
        return;
    }
    if s.len() > DISTINCT_TEXT_CHARS {
        p.many_texts = true;
        p.distinct_texts = vec![];
        p.distinct_counts = vec![];
        return;
    }
    if let Some(i) = p.distinct_texts.iter().position(|d| d == s) {
        if let Some(n) = p.distinct_counts.get_mut(i) {
            *n += 1;
        }
        return;
    }
    if p.distinct_texts.len() == DISTINCT_TEXTS {
        p.many_texts = true;
        p.distinct_texts = vec![];
        p.distinct_counts = vec![];
        return;
    }
    p.distinct_texts.push(s.to_string());
    p.distinct_counts.push(1);
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

/// `json_valid`: the text is known to be valid JSON (it need not be parsed to be counted).
fn classify_text(p: &mut ColumnProfile, s: &str, json_valid: bool) {
    let b = s.as_bytes();
    let Some(&first) = b.first() else { return };
    // Dates and timestamps begin `YYYY-`.
    if first.is_ascii_digit() && b.get(4) == Some(&b'-') {
        if b.len() == 10 && parse_iso_date(s).is_some() {
            p.text_iso_date += 1;
        } else if b.len() >= 16 {
            if let Some(i) = parse_iso_timestamp(s) {
                p.text_iso_timestamp += 1;
                if !i.naive {
                    p.text_ts_offset += 1;
                }
                if i.sub_micro_nanos != 0 {
                    p.sub_micro += 1;
                }
            }
        }
    }
    if let Some(u) = parse_uuid_text(b) {
        p.text_uuid_any_case += 1;
        if !u.uppercase {
            p.text_uuid += 1;
        }
    }
    // A JSON document, as json_valid has it: an object or array, or a bare scalar. Only text
    // that can begin one is parsed.
    let lead = b.iter().copied().find(|c| !c.is_ascii_whitespace()).unwrap_or(first);
    let may_be_json = matches!(lead, b'{' | b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9');
    // An object, where the profile counts keys: parsed once, for its keys and validity both.
    let keys = lead == b'{' && p.json_keys.as_ref().is_some_and(|k| !k.many);
    if may_be_json && (if keys { count_keys(p, s) } else { json_valid || serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok() }) {
        p.text_json += 1;
        if lead != b'{' && lead != b'[' {
            p.text_json_scalar += 1;
        }
    }
    if b.len() <= 5 && parse_bool_text(s).is_some() {
        p.text_bool += 1;
    }
    if (first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') && Decimal::may_parse(s) && Decimal::parse(s).is_some() {
        p.text_numeric += 1;
    }
}

/// The column's word counts, while this row (just counted in `rows`) is one of the first
/// `WORD_ROWS` and they are counted; its `rows` counts it.
fn words(p: &mut ColumnProfile) -> Option<&mut TextWords> {
    if p.rows > WORD_ROWS {
        return None;
    }
    let w = p.words.as_mut()?;
    w.rows += 1;
    (!w.other).then_some(w)
}

/// Adds a value other than text to the column's words, as the SQL `NULLIF(trim(v), '')`
/// reads it: NULL not at all, an integer as SQLite writes it. A real (whose text is SQLite's
/// own to write) or a blob stops the count (`other`): the plan asks the source then.
fn count_words(w: &mut TextWords, v: ValueRef<'_>) {
    match v {
        ValueRef::Null => {}
        ValueRef::Integer(i) => {
            w.values += 1;
            w.chars += u64::from(i.unsigned_abs().checked_ilog10().map_or(1, |d| d + 1)) + u64::from(i < 0);
            w.words += 1;
            w.with_digit += 1;
        }
        _ => w.other = true,
    }
}

/// Adds a UTF-8 text without NUL of `chars` characters to the column's words: trimmed of
/// spaces (as SQLite's `trim`), left out when empty, its words the spaces and line feeds
/// between them + 1.
fn count_text_words(w: &mut TextWords, t: &[u8], chars: u64) {
    let lead = t.iter().take_while(|c| **c == b' ').count();
    if lead == t.len() {
        return;
    }
    let trail = t.iter().rev().take_while(|c| **c == b' ').count();
    let t = &t[lead..t.len() - trail];
    // One branch-free pass, in runs short enough for byte counters (which vectorize).
    let (mut gaps, mut digit, mut at) = (0u64, 0u8, 0u8);
    for run in t.chunks(255) {
        let (mut g, mut d, mut a) = (0u8, 0u8, 0u8);
        for &c in run {
            g += u8::from(c == b' ') + u8::from(c == b'\n');
            d |= u8::from(c.wrapping_sub(b'0') < 10);
            a |= u8::from(c == b'@');
        }
        gaps += u64::from(g);
        (digit, at) = (digit | d, at | a);
    }
    w.values += 1;
    w.chars += chars - (lead + trail) as u64;
    w.words += gaps + 1;
    w.with_digit += u64::from(digit);
    w.with_at += u64::from(at);
}

/// A JSON object's top-level entries: each key (unescaped) and its value's text as written.
struct Entries<'a>(Vec<(std::borrow::Cow<'a, str>, &'a serde_json::value::RawValue)>);

/// A key, borrowed from the document unless it holds an escape.
struct Key<'a>(std::borrow::Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> serde::Deserialize<'de> for Entries<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> std::result::Result<Entries<'de>, A::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(8));
                // Every entry, a key written twice included (as json_each reads them).
                while let Some(Key(k)) = m.next_key()? {
                    out.push((k, m.next_value()?));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Parses a text that may be a JSON object; when it is one, counts its top-level keys into
/// the profile's (the first `JSON_KEYS` distinct ones; past them the profile says "many").
/// Whether the text is valid JSON.
fn count_keys(p: &mut ColumnProfile, s: &str) -> bool {
    let Ok(Entries(entries)) = serde_json::from_str::<Entries>(s) else {
        return false;
    };
    let k = p.json_keys.as_mut().expect("counting keys");
    k.objects += 1;
    for (key, raw) in entries {
        let (kind, len) = kind_and_length(raw.get());
        let at = match k.keys.iter().position(|x| x.key == key) {
            Some(i) => i,
            None if k.keys.len() == JSON_KEYS => {
                // Too many to follow: the plan asks the source instead.
                k.many = true;
                k.keys = vec![];
                return true;
            }
            None => {
                k.keys.push(JsonKey { key: key.into_owned(), ..Default::default() });
                k.keys.len() - 1
            }
        };
        let x = &mut k.keys[at];
        x.kinds[kind] += 1;
        x.max_len = x.max_len.max(len);
    }
    true
}

/// A JSON value's kind (its index in `JSON_KINDS`) and its length as SQLite's `json_each`
/// gives it: a string's characters unescaped (to a NUL, as `length()` counts), a number as
/// SQLite writes the integer or real it reads, `true`/`false` as 1/0, `null` none, an object
/// or array minified.
fn kind_and_length(raw: &str) -> (usize, u64) {
    let b = raw.as_bytes();
    match b.first() {
        Some(b'"') => {
            let inner = &raw[1..raw.len() - 1];
            let chars = |s: &str| s.split('\0').next().unwrap_or("").chars().count() as u64;
            let len = if !inner.contains('\\') {
                if inner.is_ascii() { inner.len() as u64 } else { inner.chars().count() as u64 }
            } else {
                serde_json::from_str::<String>(raw).map_or(0, |s| chars(&s))
            };
            (0, len)
        }
        Some(b't') => (3, 1),
        Some(b'f') => (4, 1),
        Some(b'n') => (5, 0),
        Some(b'{') | Some(b'[') => (if b[0] == b'{' { 6 } else { 7 }, minified_chars(b)),
        _ => {
            let real = b.iter().any(|c| matches!(c, b'.' | b'e' | b'E'));
            match (real, raw.parse::<i64>()) {
                (false, Ok(i)) => (1, i.to_string().len() as u64),
                // An integer too big for 64 bits is read as a real, its kind still integer.
                (r, _) => (if r { 2 } else { 1 }, raw.parse::<f64>().map_or(0, |f| sqlite_real_text(f).len() as u64)),
            }
        }
    }
}

/// The characters of a JSON object or array written without the spaces between its tokens.
fn minified_chars(b: &[u8]) -> u64 {
    let (mut n, mut in_string, mut escaped) = (0u64, false, false);
    for &c in b {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
        } else if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            continue;
        } else if c == b'"' {
            in_string = true;
        }
        // Characters, not bytes: a UTF-8 continuation byte is part of the one before.
        n += u64::from(c & 0xC0 != 0x80);
    }
    n
}

#[cfg(test)]
mod tests {
    /// A quick look reads about `sample` rows spread over the table, and says so; no sample
    /// (or a table no bigger than it) reads every row.
    #[test]
    fn samples_spread_over_the_table() {
        use crate::schema::{Column, Table};
        let t = |rows: u64, without_rowid: bool, col: &str| Table {
            name: "t".into(),
            columns: vec![Column { name: col.into(), ..Default::default() }],
            row_count: rows,
            without_rowid,
            ..Default::default()
        };
        let cols = vec!["\"v\"".to_string()];
        let cases: [(Table, Option<u64>, &str, Option<u64>); 5] = [
            (t(10_000, false, "v"), None, "SELECT \"v\" FROM \"t\"", None),
            (t(10_000, false, "v"), Some(100), "SELECT \"v\" FROM \"t\" WHERE _rowid_ % 100 = 0 LIMIT 100", Some(100)),
            (t(50, false, "v"), Some(100), "SELECT \"v\" FROM \"t\"", None),
            (t(10_000, true, "v"), Some(100), "SELECT \"v\" FROM \"t\" LIMIT 100", Some(100)),
            (t(1_001, false, "_rowid_"), Some(100), "SELECT \"v\" FROM \"t\" WHERE rowid % 11 = 0 LIMIT 100", Some(100)),
        ];
        for (table, sample, sql, sampled) in cases {
            assert_eq!(super::profile_sql(&table, &cols, sample), (sql.to_string(), sampled));
        }

        let dir = std::env::temp_dir().join(format!("ferry-sample-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.sqlite");
        let _ = std::fs::remove_file(&path);
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE n (id INTEGER PRIMARY KEY, v INTEGER); WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 10000) INSERT INTO n SELECT i, i FROM k;").unwrap();
        drop(c);
        let quick = crate::source::sqlite::read_source_sampled(&path, true, 1, Some(100)).unwrap();
        let n = &quick.tables[0];
        let p = n.columns[1].profile.as_ref().unwrap();
        assert_eq!((n.profile_sample, p.rows), (Some(100), 100));
        assert!(p.max_integer.unwrap() > 9_000, "spread over the table, not its first rows: {:?}", p.max_integer);
        let full = crate::source::sqlite::read_source(&path, true, 1).unwrap();
        assert_eq!((full.tables[0].profile_sample, full.tables[0].columns[1].profile.as_ref().unwrap().rows), (None, 10_000));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    use super::*;
    use rusqlite::types::Value;

    fn profile(values: &[Value]) -> ColumnProfile {
        let mut p = ColumnProfile::default();
        for v in values {
            observe(&mut p, v.into());
        }
        p
    }

    /// One value → what each candidate counter says about it.
    #[test]
    fn candidates_of_one_value() {
        use Value::*;
        let uuid_blob = Blob(vec![0x0b, 0x9e, 0x1d, 0x6c, 0x9f, 0x0a, 0x4c, 0x1e, 0x8d, 0x43, 0x5a, 0x2b, 0x7e, 0x3f, 0x9c, 0x10]);
        // value, (uuid lowercase, uuid any case, blob uuid, timestamp, with offset, date, bool text, numeric text, json)
        type Case = (Value, (u64, u64, u64, u64, u64, u64, u64, u64, u64));
        let cases: Vec<Case> = vec![
            (Text("0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10".into()), (1, 1, 0, 0, 0, 0, 0, 0, 0)),
            (Text("0B9E1D6C-9F0A-4C1E-8D43-5A2B7E3F9C10".into()), (0, 1, 0, 0, 0, 0, 0, 0, 0)),
            (Text("0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c1".into()), (0, 0, 0, 0, 0, 0, 0, 0, 0)),
            (uuid_blob.clone(), (0, 0, 1, 0, 0, 0, 0, 0, 0)),
            (Blob(vec![0; 16]), (0, 0, 0, 0, 0, 0, 0, 0, 0)),
            (Text("2024-03-05 14:22:01".into()), (0, 0, 0, 1, 0, 0, 0, 0, 0)),
            (Text("2024-03-05T14:22:01.123456".into()), (0, 0, 0, 1, 0, 0, 0, 0, 0)),
            (Text("2024-03-05T14:22:01+02:00".into()), (0, 0, 0, 1, 1, 0, 0, 0, 0)),
            (Text("2024-03-05T14:22:01.5Z".into()), (0, 0, 0, 1, 1, 0, 0, 0, 0)),
            (Text("2024-03-05".into()), (0, 0, 0, 0, 0, 1, 0, 0, 0)),
            (Text("2024-02-30".into()), (0, 0, 0, 0, 0, 0, 0, 0, 0)),
            (Text("yes".into()), (0, 0, 0, 0, 0, 0, 1, 0, 0)),
            (Text("F".into()), (0, 0, 0, 0, 0, 0, 1, 0, 0)),
            (Text("1".into()), (0, 0, 0, 0, 0, 0, 1, 1, 1)),
            (Text("19.99".into()), (0, 0, 0, 0, 0, 0, 0, 1, 1)),
            (Text("[1, 2]".into()), (0, 0, 0, 0, 0, 0, 0, 0, 1)),
            // Bare JSON scalars are JSON documents (json_valid is 1); words and dates are not.
            (Text("\"x\"".into()), (0, 0, 0, 0, 0, 0, 0, 0, 1)),
            (Text(" true".into()), (0, 0, 0, 0, 0, 0, 0, 0, 1)),
            (Text("null".into()), (0, 0, 0, 0, 0, 0, 0, 0, 1)),
            (Text("nothing".into()), (0, 0, 0, 0, 0, 0, 0, 0, 0)),
            (Text("{bad".into()), (0, 0, 0, 0, 0, 0, 0, 0, 0)),
            (Integer(1_700_000_000_123), (0, 0, 0, 0, 0, 0, 0, 0, 0)),
        ];
        for (v, want) in cases {
            let p = profile(std::slice::from_ref(&v));
            let got = (p.text_uuid, p.text_uuid_any_case, p.blob_uuid, p.text_iso_timestamp, p.text_ts_offset, p.text_iso_date, p.text_bool, p.text_numeric, p.text_json);
            assert_eq!(got, want, "{v:?}");
        }
    }

    #[test]
    fn numbers_give_ranges_scales_and_widths() {
        use Value::*;
        // values → (max scale, max integer digits, integer width in bits)
        let cases: Vec<(Vec<Value>, u32, u32, u8)> = vec![
            (vec![Real(19.99), Real(0.5), Real(100.0)], 2, 3, 16),
            (vec![Real(1.0 / 3.0)], 16, 0, 16),
            (vec![Integer(0), Integer(1)], 0, 1, 16),
            (vec![Integer(-40_000), Integer(5)], 0, 5, 32),
            (vec![Integer(1_700_000_000_123)], 0, 13, 64),
            (vec![Integer(i32::MAX as i64)], 0, 10, 32),
        ];
        for (values, scale, digits, bits) in cases {
            let p = profile(&values);
            assert_eq!((p.max_scale, p.max_int_digits, p.int_bits()), (scale, digits, bits), "{values:?}");
        }
    }

    #[test]
    fn distinct_texts_exact_then_many() {
        let few: Vec<Value> = ["paid", "new", "paid", "shipped", "new"].iter().map(|s| Value::Text(s.to_string())).collect();
        let mut p = profile(&few);
        p.distinct_texts.sort_unstable();
        assert_eq!((p.distinct_texts.as_slice(), p.many_texts), (&["new".to_string(), "paid".into(), "shipped".into()][..], false));
        let many: Vec<Value> = (0..=DISTINCT_TEXTS).map(|i| Value::Text(format!("v{i}"))).collect();
        let p = profile(&many);
        assert!(p.many_texts && p.distinct_texts.is_empty(), "{} distinct", DISTINCT_TEXTS + 1);
        let p = profile(&many[..DISTINCT_TEXTS]);
        assert!(!p.many_texts && p.distinct_texts.len() == DISTINCT_TEXTS);
        let p = profile(&[Value::Text("a".into()), Value::Text("x".repeat(DISTINCT_TEXT_CHARS + 1))]);
        assert!(p.many_texts, "a long text is not enum-like");
    }

    #[test]
    fn known_values_profile_the_same() {
        // Lowercase UUIDs (one all digits, which a number check might take), and valid JSON
        // of every shape (objects and arrays skip the parse; the rest are classified as usual).
        let uuids: Vec<String> = ["0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10", "12345678-1234-1234-1234-123456789012", "ffffffff-ffff-ffff-ffff-ffffffffffff", "00000000-0000-0000-0000-000000000000"]
            .iter()
            .map(|s| s.to_string())
            .chain((0..300u64).map(|i| {
                let h = format!("{:032x}", (i as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835));
                format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
            }))
            .collect();
        let json = ["{}", "[]", "{\"a\": [1, 2.5, null]}", "[\"x\", {\"y\": true}]", "42", "-0.5", "true", "\"2024-03-05\"", "null"];
        for (values, known) in [(uuids.iter().map(String::as_str).collect::<Vec<_>>(), Known::LowercaseUuid), (json.to_vec(), Known::Json)] {
            let (mut plain, mut told) = (ColumnProfile::default(), ColumnProfile::default());
            for v in &values {
                observe(&mut plain, ValueRef::Text(v.as_bytes()));
                observe_known(&mut told, ValueRef::Text(v.as_bytes()), known);
            }
            assert_eq!(plain, told, "{known:?}");
            assert_eq!(plain.rows, values.len() as u64);
        }
    }
}

#[cfg(test)]
mod speed {
    use super::*;
    use rusqlite::types::Value;

    /// Not a test: prints what one value of each kind costs `observe` (run with --release
    /// --ignored --nocapture).
    #[test]
    #[ignore]
    fn observe_cost() {
        let kinds: Vec<(&str, Value)> = vec![
            ("uuid digit", Value::Text("0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10".into())),
            ("uuid letter", Value::Text("fb9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10".into())),
            ("timestamp", Value::Text("2024-03-05T14:22:01.123Z".into())),
            ("enum", Value::Text("shipped".into())),
            ("json", Value::Text(r#"{"a": 1, "b": [1, 2, 3], "c": "some text here", "d": {"e": null}}"#.into())),
            ("name", Value::Text("Some Person Name 123".into())),
            ("int", Value::Integer(123456)),
            ("real", Value::Real(19.99)),
        ];
        for (name, v) in kinds {
            let mut p = ColumnProfile::default();
            let n = 1_000_000;
            let t = std::time::Instant::now();
            for _ in 0..n {
                observe(&mut p, (&v).into());
            }
            println!("{name:12} {:6.1} ns", t.elapsed().as_nanos() as f64 / n as f64);
        }
    }
}
