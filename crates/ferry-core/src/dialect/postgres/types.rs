//! PostgreSQL types: format a logical type, and read one back from a plan's override.

use crate::dialect::inspect::Family;
use crate::schema::LogicalType;

pub fn format_type(t: &LogicalType) -> String {
    match t {
        LogicalType::Integer { bits } if *bits <= 16 => "smallint".into(),
        LogicalType::Integer { bits } if *bits <= 32 => "integer".into(),
        LogicalType::Integer { .. } => "bigint".into(),
        LogicalType::Decimal { precision: Some(p), scale } => format!("numeric({p},{})", scale.unwrap_or(0)),
        LogicalType::Decimal { .. } => "numeric".into(),
        LogicalType::Float => "double precision".into(),
        LogicalType::Boolean => "boolean".into(),
        LogicalType::Text { max: Some(n) } => format!("varchar({n})"),
        LogicalType::Text { max: None } => "text".into(),
        LogicalType::Bytes => "bytea".into(),
        LogicalType::Uuid => "uuid".into(),
        LogicalType::Date => "date".into(),
        LogicalType::Timestamp { tz: true } => "timestamptz".into(),
        LogicalType::Timestamp { tz: false } => "timestamp".into(),
        LogicalType::Json => "jsonb".into(),
        LogicalType::Unsupported { .. } => "text".into(),
    }
}

/// The forms `parse_type` accepts, as a refusal lists them.
pub const ACCEPTED: &str = "smallint, integer, bigint, numeric, numeric(p) or numeric(p,s), double precision, boolean, text, varchar(n), bytea, uuid, date, timestamp, timestamptz, jsonb (and the aliases int2, int4, int, int8, decimal, float8, float, bool, character varying(n), timestamp with time zone, timestamp without time zone)";

/// Reads a PostgreSQL type name as a user writes it in a plan (`numeric(12, 2)`, `int8`,
/// `character varying(20)`, `timestamp with time zone`). Only the forms Ferry creates exactly
/// as read: a type whose numbers Ferry would not carry into the column (`timestamp(3)`,
/// `integer(5)`, `varchar(10,2)`) is refused, never created as something else.
pub fn parse_type(s: &str) -> Option<LogicalType> {
    let (name, params) = crate::dialect::split_type_strict(s)?;
    let p0 = params.first().copied();
    let n = params.len();
    let length_ok = p0.is_none_or(|l| (1..=10_485_760).contains(&l));
    let numeric_ok = match params.as_slice() {
        [] => true,
        [p] => (1..=1000).contains(p),
        [p, s] => (1..=1000).contains(p) && s <= p,
        _ => false,
    };
    Some(match name.as_str() {
        "smallint" | "int2" if n == 0 => LogicalType::Integer { bits: 16 },
        "integer" | "int" | "int4" if n == 0 => LogicalType::Integer { bits: 32 },
        "bigint" | "int8" if n == 0 => LogicalType::Integer { bits: 64 },
        "numeric" | "decimal" if numeric_ok => LogicalType::Decimal { precision: p0, scale: p0.map(|_| params.get(1).copied().unwrap_or(0)) },
        "double precision" | "float8" if n == 0 => LogicalType::Float,
        "float" if params.is_empty() || params.iter().all(|p| (25..=53).contains(p)) && n == 1 => LogicalType::Float,
        "boolean" | "bool" if n == 0 => LogicalType::Boolean,
        "text" if n == 0 => LogicalType::Text { max: None },
        // Not `varchar` alone, nor `char(n)`: Ferry would create text and varchar(n).
        "varchar" | "character varying" if n == 1 && length_ok => LogicalType::Text { max: p0 },
        "bytea" if n == 0 => LogicalType::Bytes,
        "uuid" if n == 0 => LogicalType::Uuid,
        "date" if n == 0 => LogicalType::Date,
        "timestamptz" | "timestamp with time zone" if n == 0 => LogicalType::Timestamp { tz: true },
        "timestamp" | "timestamp without time zone" if n == 0 => LogicalType::Timestamp { tz: false },
        // Not `json`: Ferry creates jsonb.
        "jsonb" if n == 0 => LogicalType::Json,
        _ => return None,
    })
}

/// `base(1,2)`, or `base` when there are no parameters.
fn join(base: &str, p: &[u32]) -> String {
    if p.is_empty() { base.to_string() } else { format!("{base}({})", p.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")) }
}

/// A PostgreSQL type's canonical spelling (`Dialect::canonical_type`): aliases resolved
/// (`int8` → `bigint`, `character varying(20)` → `varchar(20)`, `timestamp with time zone`
/// → `timestamptz`), defaults made explicit (`char` → `char(1)`, `timestamp(6)` → `timestamp`).
pub fn canonical_type(s: &str) -> String {
    let (name, params) = crate::dialect::split_type(s);
    let (base, array) = match name.strip_suffix("[]") {
        Some(b) => (b.trim().to_string(), "[]"),
        None => (name.clone(), ""),
    };
    let out = match base.as_str() {
        "int2" | "smallint" => "smallint".into(),
        "int" | "int4" | "integer" => "integer".into(),
        "int8" | "bigint" => "bigint".into(),
        "float8" | "double precision" => "double precision".into(),
        "float4" | "real" => "real".into(),
        "float" => if params.first().is_some_and(|p| *p <= 24) { "real".into() } else { "double precision".into() },
        "bool" | "boolean" => "boolean".into(),
        "varchar" | "character varying" => join("varchar", &params),
        "char" | "character" | "bpchar" => join("char", if params.is_empty() { &[1] } else { &params }),
        "numeric" | "decimal" => match params.as_slice() {
            [] => "numeric".into(),
            [p] => format!("numeric({p},0)"),
            p => join("numeric", p),
        },
        "timestamptz" | "timestamp with time zone" => join("timestamptz", if params == [6] { &[] } else { &params }),
        "timestamp" | "timestamp without time zone" => join("timestamp", if params == [6] { &[] } else { &params }),
        "timetz" | "time with time zone" => join("timetz", if params == [6] { &[] } else { &params }),
        "time" | "time without time zone" => join("time", if params == [6] { &[] } else { &params }),
        other => join(other, &params),
    };
    format!("{out}{array}")
}

/// What PostgreSQL's own types mean for `Dialect::lossless_change`, where they differ from
/// MySQL's: `text` is unbounded, and `timestamp` keeps microseconds unless told otherwise.
pub(crate) fn family(base: &str, params: &[u32]) -> Option<Family> {
    match base {
        "text" => Some(Family::Text(None)),
        "timestamp" => Some(Family::Timestamp(false, params.first().copied().unwrap_or(6))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn format_and_parse_are_a_pair() {
        let cases = [
            (LogicalType::Integer { bits: 16 }, "smallint"),
            (LogicalType::Integer { bits: 32 }, "integer"),
            (LogicalType::Integer { bits: 64 }, "bigint"),
            (LogicalType::Decimal { precision: Some(12), scale: Some(2) }, "numeric(12,2)"),
            (LogicalType::Decimal { precision: None, scale: None }, "numeric"),
            (LogicalType::Float, "double precision"),
            (LogicalType::Boolean, "boolean"),
            (LogicalType::Text { max: Some(20) }, "varchar(20)"),
            (LogicalType::Text { max: None }, "text"),
            (LogicalType::Bytes, "bytea"),
            (LogicalType::Uuid, "uuid"),
            (LogicalType::Date, "date"),
            (LogicalType::Timestamp { tz: true }, "timestamptz"),
            (LogicalType::Json, "jsonb"),
        ];
        for (t, s) in cases {
            assert_eq!(format_type(&t), s);
            assert_eq!(parse_type(s), Some(t.clone()), "{s}");
        }
        assert_eq!(parse_type("NUMERIC(20, 6)"), Some(LogicalType::Decimal { precision: Some(20), scale: Some(6) }));
        assert_eq!(parse_type("character varying(5)"), Some(LogicalType::Text { max: Some(5) }));
        assert_eq!(parse_type("real"), None, "single precision is never proposed");
        assert_eq!(parse_type("geometry"), None);
    }

    #[test]
    fn only_the_forms_created_as_read_are_accepted() {
        let cases: &[(&str, Option<LogicalType>)] = &[
            ("int4", Some(LogicalType::Integer { bits: 32 })),
            ("int", Some(LogicalType::Integer { bits: 32 })),
            ("int2", Some(LogicalType::Integer { bits: 16 })),
            ("int8", Some(LogicalType::Integer { bits: 64 })),
            ("decimal", Some(LogicalType::Decimal { precision: None, scale: None })),
            ("decimal(12, 2)", Some(LogicalType::Decimal { precision: Some(12), scale: Some(2) })),
            ("float8", Some(LogicalType::Float)),
            ("float", Some(LogicalType::Float)),
            ("bool", Some(LogicalType::Boolean)),
            ("timestamp without time zone", Some(LogicalType::Timestamp { tz: false })),
            ("character varying(3)", Some(LogicalType::Text { max: Some(3) })),
            ("numeric(5)", Some(LogicalType::Decimal { precision: Some(5), scale: Some(0) })),
            ("float(53)", Some(LogicalType::Float)),
            ("timestamp with time zone", Some(LogicalType::Timestamp { tz: true })),
            ("varchar(10 /*", None),
            ("varchar(10) /* x */", None),
            ("text; DROP TABLE t", None),
            ("varchar(10))", None),
            ("varchar(10) x", None),
            ("timestamp(3)", None),
            ("integer(5)", None),
            ("text(10)", None),
            ("varchar(10,2)", None),
            ("varchar(0)", None),
            ("numeric(2,5)", None),
            ("numeric(1,2,3)", None),
            ("float(10)", None),
            ("serial", None),
            ("char(3)", None),
            ("varchar", None),
            ("json", None),
        ];
        for (input, want) in cases {
            assert_eq!(&parse_type(input), want, "{input:?}");
        }
        // PostgreSQL creates the type the logical type formats to (binary COPY needs it): every
        // accepted form must be that very type, so the plan and the server never differ.
        for (input, t) in cases.iter().filter_map(|(i, t)| Some((i, t.as_ref()?))) {
            assert_eq!(canonical_type(input), canonical_type(&format_type(t)), "{input:?} is created as {}", format_type(t));
        }
    }
}
