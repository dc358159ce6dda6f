//! A literal DEFAULT the target would refuse for the column's planned type.
//!
//! PostgreSQL takes `smallint DEFAULT 70000` at CREATE TABLE (a DEFAULT is an expression,
//! evaluated at each INSERT), so the migration would succeed and the application's first
//! INSERT without that column fail. The literal is checked here as the data values are: as
//! SQLite stores it in the column (its affinity applied), through the conversion the load
//! uses ([`convert_with`]). One it refuses is left off the plan and named.

use crate::convert::{convert_with, Discard, Transform};
use crate::dialect::Dialect;
use crate::schema::LogicalType;

/// Why the target would refuse `dflt` (a literal DEFAULT, SQLite text) in a column declared
/// `declared` in SQLite and planned as `ty` read through `transform`; `type_sql` names the
/// target type in the reason ("70000 is out of range for a 16-bit integer (smallint)"). None
/// when it fits, or when it is not a literal (NULL, the current time, an expression).
pub fn default_refusal(dflt: &str, declared: &str, ty: &LogicalType, transform: Option<Transform>, type_sql: &str, dialect: Dialect) -> Option<String> {
    let v = crate::sqlexpr::default_literal_value(dflt, declared, dialect)?;
    // The load refuses an uppercase UUID, whose text the target would change; as a DEFAULT
    // the target takes it (PostgreSQL lowercases it, as it does every uuid).
    let transform = match (ty, transform) {
        (LogicalType::Uuid, None) => Some(Transform::UuidText),
        (_, t) => t,
    };
    match convert_with((&v).into(), ty, transform, dialect, &mut Discard) {
        Ok(_) => None,
        Err(r) => Some(format!("{} ({type_sql})", r.reason)),
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use LogicalType as L;

    const PG: Dialect = Dialect::Postgres;
    const MY: Dialect = Dialect::MariaDb;

    /// (DEFAULT, declared type, planned type, transform, dialect, a part of the reason, or None: kept).
    #[allow(clippy::type_complexity)]
    const CASES: &[(&str, &str, fn() -> LogicalType, Option<Transform>, Dialect, Option<&str>)] = &[
        // Integers: the range of the planned width, signed literals, text and whole reals read as numbers.
        ("70000", "INTEGER", || L::Integer { bits: 16 }, None, PG, Some("70000 is out of range for a 16-bit integer")),
        ("-70000", "SMALLINT", || L::Integer { bits: 16 }, None, MY, Some("-70000 is out of range for a 16-bit integer")),
        ("(70000)", "INTEGER", || L::Integer { bits: 16 }, None, PG, Some("70000 is out of range")),
        ("'70000'", "INTEGER", || L::Integer { bits: 16 }, None, PG, Some("70000 is out of range")),
        ("7e4", "INTEGER", || L::Integer { bits: 16 }, None, PG, Some("70000 is out of range")),
        ("32767", "SMALLINT", || L::Integer { bits: 16 }, None, PG, None),
        ("-32768", "SMALLINT", || L::Integer { bits: 16 }, None, PG, None),
        ("70000", "INTEGER", || L::Integer { bits: 32 }, None, PG, None),
        ("3000000000", "INTEGER", || L::Integer { bits: 32 }, None, MY, Some("3000000000 is out of range for a 32-bit integer")),
        ("0x7fff", "INTEGER", || L::Integer { bits: 16 }, None, PG, None),
        ("1.5", "INTEGER", || L::Integer { bits: 32 }, None, PG, Some("is not an integer")),
        // Decimals: the digits before the point; more scale rounds (the target does too), kept.
        ("12345.6", "NUMERIC(5,2)", || L::Decimal { precision: Some(5), scale: Some(2) }, None, PG, Some("12345.6 does not fit numeric(5,2)")),
        ("123.45", "NUMERIC(5,2)", || L::Decimal { precision: Some(5), scale: Some(2) }, None, MY, None),
        ("1.234", "NUMERIC(5,2)", || L::Decimal { precision: Some(5), scale: Some(2) }, None, PG, None),
        ("'abc'", "TEXT", || L::Decimal { precision: None, scale: None }, None, PG, Some("not a number")),
        // Text: the length the type holds, in characters.
        ("'toolong'", "VARCHAR(5)", || L::Text { max: Some(5) }, None, PG, Some("longer than 5 characters")),
        ("'héllo'", "VARCHAR(5)", || L::Text { max: Some(5) }, None, MY, None),
        ("123456", "VARCHAR(5)", || L::Text { max: Some(5) }, None, PG, Some("longer than 5 characters")),
        ("'toolong'", "TEXT", || L::Text { max: None }, None, PG, None),
        // Dates, booleans, JSON, UUIDs.
        ("'not a date'", "DATE", || L::Date, None, PG, Some("not a date")),
        ("'2024-02-30'", "DATE", || L::Date, None, MY, Some("not a date")),
        ("'0999-01-01'", "DATE", || L::Date, None, MY, Some("MariaDB DATE holds years 1000 to 9999 only")),
        ("'0999-01-01'", "DATE", || L::Date, None, PG, None),
        ("'2024-02-29'", "DATE", || L::Date, None, PG, None),
        ("'maybe'", "BOOLEAN", || L::Boolean, None, PG, Some("not a boolean")),
        ("1", "BOOLEAN", || L::Boolean, None, PG, None),
        ("'true'", "BOOLEAN", || L::Boolean, None, MY, None),
        ("2", "BOOLEAN", || L::Boolean, None, MY, Some("not a boolean")),
        ("'{\"a\": 1'", "JSON", || L::Json, None, PG, Some("not valid JSON")),
        ("'{\"a\": 1}'", "JSON", || L::Json, None, PG, None),
        ("'not-a-uuid'", "UUID", || L::Uuid, None, PG, Some("not a UUID")),
        ("'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'", "UUID", || L::Uuid, None, PG, None),
        ("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "UUID", || L::Uuid, None, MY, None),
        // Through the column's transform, as its values are read.
        ("2", "INTEGER", || L::Boolean, Some(Transform::Bool01), PG, Some("not 0 or 1")),
        ("1", "INTEGER", || L::Boolean, Some(Transform::Bool01), PG, None),
        // Not a literal, or NULL: nothing to check here.
        ("NULL", "SMALLINT", || L::Integer { bits: 16 }, None, PG, None),
        ("CURRENT_TIMESTAMP", "DATE", || L::Date, None, PG, None),
        ("(1 + 70000)", "INTEGER", || L::Integer { bits: 16 }, None, PG, None),
    ];

    #[test]
    fn default_refusal_cases() {
        for (dflt, declared, ty, transform, dialect, want) in CASES {
            let got = default_refusal(dflt, declared, &ty(), *transform, "T", *dialect);
            match (want, &got) {
                (None, None) => {}
                (Some(w), Some(g)) if g.contains(w) && g.ends_with(" (T)") => {}
                _ => panic!("DEFAULT {dflt} {declared} as {:?} on {dialect:?}: want {want:?}, got {got:?}", ty()),
            }
        }
    }

    /// The value each literal takes in SQLite's own column, against what SQLite stores.
    #[test]
    fn default_literal_value_is_what_sqlite_stores() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let cases = [
            ("70000", "SMALLINT"), ("'70000'", "INTEGER"), ("' 42 '", "INT"), ("7e4", "INTEGER"), ("1.5", "NUMERIC"), ("'1.50'", "NUMERIC"),
            ("-3", "REAL"), ("'2.5'", "DOUBLE"), ("'x'", "REAL"), ("12", "TEXT"), ("1.5", "VARCHAR(5)"), ("-0.25", "TEXT"), ("'abc'", "BLOB"),
            ("5", ""), ("X'00ff'", "TEXT"), ("'0x10'", "INTEGER"), ("0x10", "TEXT"), ("+7", "INTEGER"), ("'1e3'", "NUMERIC"), ("100.0", "TEXT"),
        ];
        for (i, (dflt, decl)) in cases.iter().enumerate() {
            c.execute_batch(&format!("CREATE TABLE t{i} (k, c {decl} DEFAULT {dflt}); INSERT INTO t{i} (k) VALUES (1);")).unwrap();
            let stored: rusqlite::types::Value = c.query_row(&format!("SELECT c FROM t{i}"), [], |r| r.get(0)).unwrap();
            assert_eq!(crate::sqlexpr::default_literal_value(dflt, decl, PG), Some(stored), "DEFAULT {dflt} in a {decl:?} column");
        }
    }
}
