//! `sync`'s literals for PostgreSQL: every value a quoted literal the column's type reads
//! (an unknown-typed literal takes the column's type), doubles from their bits, bytes as
//! `\x…`, instants in UTC, and years before 1 as PostgreSQL writes them (`0001 BC` is year 0).

use crate::dialect::sync::SyncSql;
use crate::schema::LogicalType;

pub struct PgSync;

pub static POSTGRES: PgSync = PgSync;

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A canonical date or timestamp (astronomical year first) as PostgreSQL reads it: years
/// below 1 as `… BC`, `tz` adds the UTC offset.
fn pg_time(s: &str, tz: bool) -> String {
    let offset = if tz { "+00" } else { "" };
    let (negative, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let digits = rest.find('-').unwrap_or(rest.len());
    let year: i64 = rest[..digits].parse().unwrap_or(1);
    let year = if negative { -year } else { year };
    if year >= 1 {
        return format!("{s}{offset}");
    }
    format!("{:04}{}{offset} BC", 1 - year, &rest[digits..])
}

impl SyncSql for PgSync {
    fn literal(&self, v: Option<&str>, t: &LogicalType) -> String {
        let Some(s) = v else { return "NULL".into() };
        match t {
            LogicalType::Float => match u64::from_str_radix(s, 16).ok().filter(|_| s.len() == 16).map(f64::from_bits) {
                Some(f) if f.is_nan() => "'NaN'".into(),
                Some(f) if f.is_infinite() => if f > 0.0 { "'Infinity'".into() } else { "'-Infinity'".into() },
                Some(f) => quoted(&format!("{f:e}")),
                None => quoted(s),
            },
            LogicalType::Bytes => format!("'\\x{s}'"),
            LogicalType::Date => quoted(&pg_time(s, false)),
            LogicalType::Timestamp { tz } => quoted(&pg_time(s, *tz)),
            _ => quoted(s),
        }
    }
    fn begin(&self) -> &'static [&'static str] {
        &["BEGIN", "SET CONSTRAINTS ALL DEFERRED"]
    }
    /// `INSERT … ON CONFLICT (key) DO UPDATE`: a row that exists is updated, planned once for
    /// the whole statement; a clash with another UNIQUE is an error, never another row written.
    fn update_many(&self, table: &str, cols: &[String], key: &[String], rows: &[&str]) -> Option<String> {
        let set: Vec<String> = cols.iter().filter(|c| !key.contains(c)).map(|c| format!("{c} = EXCLUDED.{c}")).collect();
        if set.is_empty() || key.is_empty() {
            return None;
        }
        Some(format!("INSERT INTO {table} ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}", cols.join(", "), rows.join(", "), key.join(", "), set.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_values_become_literals_postgres_reads_back() {
        use LogicalType::*;
        let cases: &[(Option<&str>, LogicalType, &str)] = &[
            (None, Text { max: None }, "NULL"),
            (Some("it's"), Text { max: None }, "'it''s'"),
            (Some("-7"), Integer { bits: 64 }, "'-7'"),
            (Some("3fb999999999999a"), Float, "'1e-1'"),
            (Some("8000000000000000"), Float, "'-0e0'"),
            (Some("7ff0000000000000"), Float, "'Infinity'"),
            (Some("00ab"), Bytes, "'\\x00ab'"),
            (Some("2024-03-05 13:22:01.500000"), Timestamp { tz: true }, "'2024-03-05 13:22:01.500000+00'"),
            (Some("2024-03-05 13:22:01.500000"), Timestamp { tz: false }, "'2024-03-05 13:22:01.500000'"),
            (Some("0000-03-04"), Date, "'0001-03-04 BC'"),
            (Some("-0001-03-04 10:00:00.000000"), Timestamp { tz: true }, "'0002-03-04 10:00:00.000000+00 BC'"),
            (Some("true"), Boolean, "'true'"),
        ];
        for (v, t, want) in cases {
            assert_eq!(POSTGRES.literal(*v, t), *want, "{v:?} as {t:?}");
        }
    }

    #[test]
    fn many_updates_by_key_in_one_statement() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            POSTGRES.update_many("t", &s(&["\"id\"", "\"a\"", "\"b\""]), &s(&["\"id\""]), &["('1', 'x', NULL)", "('2', 'y', '3')"]).as_deref(),
            Some("INSERT INTO t (\"id\", \"a\", \"b\") VALUES ('1', 'x', NULL), ('2', 'y', '3') ON CONFLICT (\"id\") DO UPDATE SET \"a\" = EXCLUDED.\"a\", \"b\" = EXCLUDED.\"b\"")
        );
        // Every column in the key: nothing to set (a changed row is a delete and an insert).
        assert_eq!(POSTGRES.update_many("t", &s(&["\"a\"", "\"b\""]), &s(&["\"a\"", "\"b\""]), &["('1', '2')"]), None);
    }
}
