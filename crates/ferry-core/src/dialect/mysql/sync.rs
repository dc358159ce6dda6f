//! `sync`'s literals for MySQL/MariaDB: numbers bare, booleans 1/0, bytes `X'…'`, doubles
//! from their bits, the rest quoted (sessions run in UTC, as the load does). Text holding a
//! backslash goes as `_utf8mb4 0x…`, as the load's INSERTs write it, so it reads the same
//! whether or not the session has NO_BACKSLASH_ESCAPES (a proxy may not keep it). Updates go
//! many to a statement, joined by the key.

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
    /// A multi-table `UPDATE … JOIN` the rows, as a derived table of `SELECT … UNION ALL`, by
    /// the key: only a row whose key matches is written (ON DUPLICATE KEY UPDATE could write
    /// the row another UNIQUE clashes with). The derived table's first, empty SELECT names its
    /// columns (MariaDB 10.11 takes no column list after a derived table's alias); its NULLs
    /// take the type of the rows under them. Strict mode holds for the assignments as for a
    /// single-row UPDATE; a refused chunk goes row by row.
    fn update_many(&self, table: &str, cols: &[String], key: &[String], rows: &[&str]) -> Option<String> {
        let set: Vec<String> = cols.iter().filter(|c| !key.contains(c)).map(|c| format!("ferry_t.{c} = ferry_v.{c}")).collect();
        if set.is_empty() || key.is_empty() || !key.iter().all(|k| cols.contains(k)) {
            return None;
        }
        let names: Vec<String> = cols.iter().map(|c| format!("NULL AS {c}")).collect();
        let mut derived = format!("SELECT {} FROM DUAL WHERE FALSE", names.join(", "));
        for row in rows {
            let inner = row.strip_prefix('(').and_then(|r| r.strip_suffix(')'))?;
            derived.push_str(" UNION ALL SELECT ");
            derived.push_str(inner);
        }
        let on: Vec<String> = key.iter().map(|k| format!("ferry_t.{k} = ferry_v.{k}")).collect();
        Some(format!("UPDATE {table} AS ferry_t JOIN ({derived}) AS ferry_v ON {} SET {}", on.join(" AND "), set.join(", ")))
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

    #[test]
    fn many_updates_by_key_in_one_statement() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cases: &[(&[&str], &[&str], &[&str], Option<&str>)] = &[
            (
                &["`id`", "`a`", "`b`"],
                &["`id`"],
                &["(1, 'x', NULL)", "(2, 'y', 3)"],
                Some("UPDATE `d`.`t` AS ferry_t JOIN (SELECT NULL AS `id`, NULL AS `a`, NULL AS `b` FROM DUAL WHERE FALSE UNION ALL SELECT 1, 'x', NULL UNION ALL SELECT 2, 'y', 3) AS ferry_v ON ferry_t.`id` = ferry_v.`id` SET ferry_t.`a` = ferry_v.`a`, ferry_t.`b` = ferry_v.`b`"),
            ),
            // A key of two columns: both matched.
            (
                &["`t`", "`n`", "`v`"],
                &["`t`", "`n`"],
                &["(1, 2, 'a,b)')"],
                Some("UPDATE `d`.`t` AS ferry_t JOIN (SELECT NULL AS `t`, NULL AS `n`, NULL AS `v` FROM DUAL WHERE FALSE UNION ALL SELECT 1, 2, 'a,b)') AS ferry_v ON ferry_t.`t` = ferry_v.`t` AND ferry_t.`n` = ferry_v.`n` SET ferry_t.`v` = ferry_v.`v`"),
            ),
            // Every column in the key: nothing to set (a changed row is a delete and an insert).
            (&["`a`", "`b`"], &["`a`", "`b`"], &["(1, 2)"], None),
            // No key: no row to name.
            (&["`a`"], &[], &["(1)"], None),
        ];
        for (cols, key, rows, want) in cases {
            assert_eq!(MYSQL.update_many("`d`.`t`", &s(cols), &s(key), rows).as_deref(), *want, "{cols:?} by {key:?}");
        }
    }
}
