//! PostgreSQL's spellings of translated SQLite expressions (see `dialect::expr`).

use crate::dialect::expr::{Spelling, TimeShape};

type R<T> = Result<T, String>;

pub struct Postgres;

pub static POSTGRES: Postgres = Postgres;

impl Spelling for Postgres {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }
    fn quote_ident(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
    fn binary_collation(&self) -> &'static str {
        "\"C\""
    }

    fn has_boolean_type(&self) -> bool {
        true
    }
    fn bool_literal(&self, b: bool) -> String {
        b.to_string()
    }
    fn bool_as_int(&self, sql: &str) -> Option<String> {
        Some(format!("CAST({sql} AS integer)"))
    }
    fn double_literal(&self, text: &str) -> Option<String> {
        Some(format!("CAST({text} AS double precision)"))
    }
    fn int_divide(&self) -> &'static str {
        "/"
    }
    fn signed_bitwise(&self) -> bool {
        true
    }
    fn function_name(&self, lower: &str) -> String {
        lower.to_string()
    }

    fn blob_literal(&self, hex: &str) -> (String, bool) {
        (format!("'\\x{hex}'::bytea"), false)
    }
    fn timestamp_literal(&self, utc: &str, tz: bool) -> String {
        // PostgreSQL counts years as people do, with no year 0: ISO's year 0 is 1 BC.
        let (utc, era) = bc_year(utc);
        // timestamptz gets an explicit +00 so the session's time zone cannot shift it.
        if tz { format!("'{utc}+00{era}'") } else { format!("'{utc}{era}'") }
    }
    fn text_default(&self, literal: String) -> String {
        literal
    }
    fn blob_default(&self, hex: &str) -> String {
        format!("'\\x{hex}'::bytea")
    }
    /// Each 16 bytes the MD5 of a fresh `gen_random_uuid()` (built in since PostgreSQL 13; its
    /// 122 random bits, spread over all 128): pgcrypto's `gen_random_bytes` needs the extension.
    fn random_bytes(&self, n: u32) -> String {
        let n = n.max(1);
        let blocks = n.div_ceil(16);
        let block = "decode(md5(gen_random_uuid()::text), 'hex')";
        let all = vec![block; blocks as usize].join(" || ");
        if n % 16 == 0 { all } else { format!("substring({all} from 1 for {n})") }
    }
    fn hex_upper(&self, sql: &str, text: bool) -> String {
        if text { format!("upper(encode(convert_to({sql}, 'UTF8'), 'hex'))") } else { format!("upper(encode({sql}, 'hex'))") }
    }
    fn epoch_seconds_now(&self) -> String {
        "CAST(floor(extract(epoch FROM CURRENT_TIMESTAMP)) AS bigint)".into()
    }

    fn now_wall(&self, local: bool, _millis: bool) -> String {
        if local { "LOCALTIMESTAMP".into() } else { "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')".into() }
    }
    fn to_local(&self, wall: &str) -> R<String> {
        Ok(format!("CAST({wall} AT TIME ZONE 'UTC' AS timestamp)"))
    }
    fn add_interval(&self, wall: &str, n: i64, unit: &str) -> String {
        format!("({wall} + INTERVAL '{n} {unit}')")
    }
    fn start_of(&self, wall: &str, unit: &str) -> String {
        format!("date_trunc('{unit}', {wall})")
    }
    fn format_time(&self, w: &str, format: &str) -> String {
        let mut out = String::new();
        let mut lit = String::new();
        let flush = |lit: &mut String, out: &mut String| {
            if lit.is_empty() {
                return;
            }
            if lit.chars().any(|c| c.is_ascii_alphanumeric() || c == '"' || c == '\\') {
                out.push('"');
                out.push_str(&lit.replace('\\', "\\\\").replace('"', "\\\""));
                out.push('"');
            } else {
                out.push_str(lit);
            }
            lit.clear();
        };
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                lit.push(c);
                continue;
            }
            let code = chars.next().unwrap_or('%');
            if code == '%' {
                lit.push('%');
                continue;
            }
            flush(&mut lit, &mut out);
            out.push_str(match code {
                'Y' => "YYYY",
                'm' => "MM",
                'd' => "DD",
                'H' => "HH24",
                'M' => "MI",
                'S' => "SS",
                'f' => "SS.MS",
                'j' => "DDD",
                _ => unreachable!(),
            });
        }
        flush(&mut lit, &mut out);
        // to_char's argument is the wall-clock timestamp; drop the outer parentheses.
        let w = w.strip_prefix('(').and_then(|x| x.strip_suffix(')')).filter(|_| w.starts_with("(CURRENT_TIMESTAMP AT")).unwrap_or(w);
        format!("to_char({w}, {})", self.quote_literal(&out))
    }
    fn now_timestamp(&self, wall: &dyn Fn(bool) -> R<String>, shape: TimeShape, tz: bool, unmodified: bool) -> R<String> {
        let unit = match shape {
            TimeShape::Day => "day",
            TimeShape::Minute => "minute",
            TimeShape::Second => "second",
            TimeShape::Milli => "milliseconds",
        };
        Ok(if tz && unmodified && matches!(shape, TimeShape::Second | TimeShape::Milli) {
            format!("date_trunc('{unit}', CURRENT_TIMESTAMP)")
        } else {
            let w = wall(true)?;
            let t = format!("date_trunc('{unit}', {w})");
            // SQLite's text carries no zone; the copy reads such text as UTC.
            if tz { format!("{t} AT TIME ZONE 'UTC'") } else { t }
        })
    }
    fn now_date(&self, wall: &dyn Fn(bool) -> R<String>, _unmodified: bool, only_local: bool) -> R<String> {
        Ok(if only_local { "CURRENT_DATE".into() } else { format!("CAST({} AS date)", wall(false)?) })
    }
    fn date_of(&self, sql: &str, operand: &str, tz: bool) -> String {
        if tz { format!("CAST({operand} AT TIME ZONE 'UTC' AS date)") } else { format!("CAST({sql} AS date)") }
    }
    fn date_wall(&self, sql: &str) -> String {
        format!("CAST({sql} AS timestamp)")
    }
    fn timestamp_wall(&self, operand: &str, tz: bool) -> String {
        if tz { format!("({operand} AT TIME ZONE 'UTC')") } else { operand.to_string() }
    }
    fn epoch_wall(&self, sql: &str) -> String {
        format!("(to_timestamp({sql}) AT TIME ZONE 'UTC')")
    }
    fn add_months_overflow(&self, wall: &str, n: i64) -> String {
        // From the first of the month (no clamping there), then the days and time it was past it.
        let first = format!("date_trunc('month', {wall})");
        format!("({first} + INTERVAL '{n} month' + ({wall} - {first}))")
    }
    fn next_weekday(&self, wall: &str, n: i64) -> String {
        format!("({wall} + ((CAST({n} + 7 - EXTRACT(DOW FROM {wall}) AS integer) % 7) * INTERVAL '1 day'))")
    }
    fn wall_millis(&self, wall: &str) -> String {
        // EXTRACT gives numerics (exact); the seconds' arithmetic is SQLite's, in doubles.
        let sec = format!("EXTRACT(SECOND FROM {wall})");
        let minute = format!("CAST(EXTRACT(EPOCH FROM date_trunc('minute', {wall})) AS bigint) * 1000");
        let frac = format!("CAST(({sec} - floor({sec})) * 1000000 AS double precision) / CAST(1000000 AS double precision)");
        let d = |x: &str| format!("CAST({x} AS double precision)");
        format!(
            "({minute} + CAST(trunc(({} + LEAST({frac}, {})) * {} + {}) AS bigint))",
            d(&format!("floor({sec})")), d("0.999"), d("1000"), d("0.5")
        )
    }
    fn millis_wall(&self, ms: &str) -> String {
        // Whole days, then the milliseconds into the day: exact at any distance from 1970.
        format!("(CAST(DATE '1970-01-01' + CAST(floor({ms} / 86400000.0) AS integer) AS timestamp) + ({ms} - floor({ms} / 86400000.0) * 86400000) * INTERVAL '1 millisecond')")
    }
    fn julian_day(&self, ms: &str) -> String {
        format!("(CAST({ms} + 210866760000000 AS double precision) / CAST(86400000 AS double precision))")
    }
    fn millis_seconds(&self, ms: &str) -> String {
        format!("CAST(floor({ms} / 1000.0) AS bigint)")
    }

    fn null_safe_equal(&self, a: &str, b: &str, negated: bool) -> String {
        if negated { format!("{a} IS DISTINCT FROM {b}") } else { format!("{a} IS NOT DISTINCT FROM {b}") }
    }
    fn utc_zoned(&self, operand: &str) -> Option<String> {
        // timestamp vs timestamptz: PostgreSQL would convert through the session's zone; both
        // hold UTC, so read the zoneless one as UTC.
        Some(format!("{operand} AT TIME ZONE 'UTC'"))
    }
    fn locale_ordering(&self) -> bool {
        true
    }

    fn concat(&self, _sqls: &[String], operands: &[String]) -> (String, bool) {
        (operands.join(" || "), false)
    }
    fn int_as_text(&self, sql: &str) -> Option<String> {
        Some(format!("CAST({sql} AS text)"))
    }
    fn bool_as_text(&self, sql: &str) -> Option<String> {
        Some(format!("CAST(CAST({sql} AS integer) AS text)"))
    }
    fn uuid_as_text(&self, sql: &str) -> Option<String> {
        Some(format!("CAST({sql} AS text)"))
    }
    fn like_on_integers(&self) -> bool {
        true
    }
    fn like(&self, _sql: &str, operand: &str, pattern: &str, escape: Option<&str>, negated: bool) -> R<String> {
        let not = if negated { "NOT " } else { "" };
        // PostgreSQL's LIKE escapes with a backslash unless told otherwise; SQLite does not.
        let esc_sql = match escape {
            Some(e) => format!(" ESCAPE {}", self.quote_literal(e)),
            None if pattern.contains('\\') => " ESCAPE ''".to_string(),
            None => String::new(),
        };
        // Under "C": ASCII case folding as SQLite's LIKE, and a column with a nondeterministic
        // collation (SQLite NOCASE, `collation.rs`) is matched at all: PostgreSQL refuses LIKE under one.
        Ok(format!("{operand} COLLATE {} {not}ILIKE {}{esc_sql}", self.binary_collation(), self.quote_literal(pattern)))
    }
    fn glob(&self, operand: &str, like_pattern: &str) -> String {
        format!("{operand} COLLATE {} LIKE {} ESCAPE '!'", self.binary_collation(), self.quote_literal(like_pattern))
    }
    fn substring_function(&self) -> &'static str {
        "substr"
    }
    fn trims_character_sets(&self) -> bool {
        true
    }
    fn trim(&self, which: &str, sql: &str, chars: Option<&str>) -> String {
        match chars {
            None => format!("{which}({sql})"),
            Some(c) => {
                let f = if which == "trim" { "btrim" } else { which };
                format!("{f}({sql}, {c})")
            }
        }
    }
    fn trim_one(&self, which: &str, sql: &str, c: &str) -> String {
        self.trim(which, sql, Some(&self.quote_literal(c)))
    }
    fn length(&self, sql: &str, _bytes: bool) -> String {
        format!("length({sql})")
    }
    /// Under "C": bytes matched, as SQLite does, and a column with a nondeterministic
    /// collation (`collation.rs`) searched at all: PostgreSQL refuses substring searches under one.
    fn instr(&self, _a: &str, a_operand: &str, b: &str) -> String {
        format!("strpos({a_operand} COLLATE {}, {b})", self.binary_collation())
    }
    fn replace(&self, _a: &str, a_operand: &str, b: &str, c: &str) -> String {
        format!("replace({a_operand} COLLATE {}, {b}, {c})", self.binary_collation())
    }
    fn greatest_least(&self, function: &str, sqls: &[String], nullable: &[bool]) -> String {
        // SQLite's scalar max/min is NULL when any argument is; GREATEST/LEAST skip NULLs.
        let nulls = sqls.iter().zip(nullable).filter(|(_, n)| **n).map(|(s, _)| format!("{s} IS NULL")).collect::<Vec<_>>().join(" OR ");
        format!("CASE WHEN {nulls} THEN NULL ELSE {function}({}) END", sqls.join(", "))
    }

    fn cast_integer(&self, sql: &str, from_bool: bool, truncate: bool) -> String {
        if from_bool {
            format!("CAST({sql} AS integer)")
        } else if truncate {
            // SQLite truncates toward zero; the targets round.
            format!("CAST(trunc({sql}) AS bigint)")
        } else {
            format!("CAST({sql} AS bigint)")
        }
    }
    fn cast_text(&self, sql: &str) -> String {
        format!("CAST({sql} AS text)")
    }
    fn cast_double(&self, sql: &str) -> String {
        format!("CAST({sql} AS double precision)")
    }

    fn avg_double(&self, distinct: &str, sql: &str) -> String {
        format!("avg({distinct}CAST({sql} AS double precision))")
    }
    fn string_agg(&self, distinct: &str, sql: &str, separator: &str) -> R<String> {
        Ok(format!("string_agg({distinct}{sql}, {separator})"))
    }
    fn string_agg_refused(&self) -> Option<&'static str> {
        None
    }
    fn json_valid(&self, _sql: &str, operand: &str, json: bool, _text: bool, label: &str) -> R<(String, bool)> {
        if json {
            // A json/jsonb column holds only valid JSON; keep NULL → NULL.
            Ok((format!("{operand} IS NOT NULL OR NULL"), true))
        } else {
            Err(format!("json_valid() of a {label} value: PostgreSQL 15 has no test that returns false for invalid JSON"))
        }
    }

    fn values_query(&self) -> bool {
        true
    }
    fn full_join(&self) -> bool {
        true
    }
    fn order_key(&self, sql: &str, _operand: &str, desc: bool, nulls_first: bool, _column_number: bool) -> R<String> {
        let dir = if desc { " DESC" } else { "" };
        let n = if nulls_first { "NULLS FIRST" } else { "NULLS LAST" };
        Ok(format!("{sql}{dir} {n}"))
    }
}

/// An ISO 8601 (astronomical) year at the start of `iso` as PostgreSQL reads it: year `0000`
/// is `0001 … BC`, `-0001` is `0002 … BC`; later years as they are.
fn bc_year(iso: &str) -> (String, &'static str) {
    let (neg, rest) = match iso.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, iso),
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    match rest[..digits].parse::<i64>() {
        Ok(y) if neg || y == 0 => (format!("{:04}{}", if neg { y + 1 } else { 1 }, &rest[digits..]), " BC"),
        _ => (iso.to_string(), ""),
    }
}

#[cfg(test)]
mod bc_tests {
    #[test]
    fn iso_years_before_1_are_bc() {
        for (iso, want) in [
            ("0000-01-01 00:00:00.000", ("0001-01-01 00:00:00.000", " BC")),
            ("-0001-03-04 05:06:07", ("0002-03-04 05:06:07", " BC")),
            ("0001-01-01 00:00:00", ("0001-01-01 00:00:00", "")),
            ("2024-02-29 12:00:00", ("2024-02-29 12:00:00", "")),
        ] {
            let got = super::bc_year(iso);
            assert_eq!((got.0.as_str(), got.1), want, "{iso}");
        }
    }
}
