//! `sync`'s literals for MySQL/MariaDB: numbers bare, booleans 1/0, bytes `X'…'`, doubles
//! from their bits, the rest quoted (sessions run in UTC, as the load does). Text holding a
//! backslash goes as `_utf8mb4 0x…`, as the load's INSERTs write it, so it reads the same
//! whether or not the session has NO_BACKSLASH_ESCAPES (a proxy may not keep it).

use crate::dialect::sync::SyncSql;
use crate::schema::LogicalType;

pub struct MySync;

pub static MYSQL: MySync = MySync;

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl SyncSql for MySync {
    fn literal(&self, v: Option<&str>, t: &LogicalType) -> String {
        let Some(s) = v else { return "NULL".into() };
        let number = |s: &str| if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b"-+.eE".contains(&b)) { s.to_string() } else { quoted(s) };
        match t {
            LogicalType::Integer { .. } | LogicalType::Decimal { .. } => number(s),
            LogicalType::Float => match u64::from_str_radix(s, 16).ok().filter(|_| s.len() == 16).map(f64::from_bits) {
                Some(f) if f.is_finite() => format!("{f:e}"),
                _ => quoted(s),
            },
            LogicalType::Boolean => match s {
                "true" => "1".into(),
                "false" => "0".into(),
                other => number(other),
            },
            LogicalType::Bytes => format!("X'{s}'"),
            _ if s.contains('\\') => format!("_utf8mb4 0x{}", crate::value::hex(s.as_bytes())),
            _ => quoted(s),
        }
    }
    fn begin(&self) -> &'static [&'static str] {
        &["START TRANSACTION"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_values_become_literals_mysql_reads_back() {
        use LogicalType::*;
        let cases: &[(Option<&str>, LogicalType, &str)] = &[
            (None, Integer { bits: 32 }, "NULL"),
            (Some("-7"), Integer { bits: 64 }, "-7"),
            (Some("12.5"), Decimal { precision: Some(10), scale: Some(2) }, "12.5"),
            (Some("3fb999999999999a"), Float, "1e-1"),
            (Some("true"), Boolean, "1"),
            (Some("false"), Boolean, "0"),
            (Some(""), Bytes, "X''"),
            (Some("00ab"), Bytes, "X'00ab'"),
            (Some("a'b"), Text { max: None }, "'a''b'"),
            (Some("a\\b"), Text { max: None }, "_utf8mb4 0x615c62"),
            (Some("2024-03-05 13:22:01.500000"), Timestamp { tz: true }, "'2024-03-05 13:22:01.500000'"),
        ];
        for (v, t, want) in cases {
            assert_eq!(MYSQL.literal(*v, t), *want, "{v:?} as {t:?}");
        }
    }
}
