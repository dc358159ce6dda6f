//! MySQL/MariaDB types: format a logical type, and read one back from a plan's override.

use crate::schema::LogicalType;

pub fn format_type(t: &LogicalType) -> String {
    match t {
        LogicalType::Integer { bits } if *bits <= 16 => "smallint".into(),
        LogicalType::Integer { bits } if *bits <= 32 => "int".into(),
        LogicalType::Integer { .. } => "bigint".into(),
        LogicalType::Decimal { precision: Some(p), scale } => format!("decimal({p},{})", scale.unwrap_or(0)),
        // The plan gives MySQL decimals their precision from the data; this is the widest.
        LogicalType::Decimal { .. } => "decimal(65,30)".into(),
        LogicalType::Float => "double".into(),
        LogicalType::Boolean => "tinyint(1)".into(),
        LogicalType::Text { max: Some(n) } if *n <= 16383 => format!("varchar({n})"),
        LogicalType::Text { .. } => "longtext".into(),
        LogicalType::Bytes => "longblob".into(),
        LogicalType::Uuid => "char(36)".into(),
        LogicalType::Date => "date".into(),
        LogicalType::Timestamp { .. } => "datetime(6)".into(),
        LogicalType::Json => "json".into(),
        LogicalType::Unsupported { .. } => "longtext".into(),
    }
}

/// The forms `parse_type` accepts, as a refusal lists them.
pub const ACCEPTED: &str = "tinyint, smallint, mediumint, int, bigint (a display width such as int(11) allowed), decimal(p,s) (p up to 65, s up to 30), double, tinyint(1) or boolean, varchar(n), char(n), text, mediumtext, longtext, blob, mediumblob, longblob, varbinary(n), binary(n), uuid (MariaDB), date, datetime(6), json (and the aliases integer, numeric, double precision, real, bool, tinytext)";

/// Reads a MySQL/MariaDB type name as a user writes it in a plan. Only the forms Ferry
/// creates exactly as read: numbers a type does not take (`text(10)`, `date(3)`,
/// `varchar(10,2)`, `decimal(70)`) are refused, never created as something else.
pub fn parse_type(s: &str) -> Option<LogicalType> {
    let (name, params) = crate::dialect::split_type_strict(s)?;
    let p0 = params.first().copied();
    let n = params.len();
    let width_ok = n == 0 || (n == 1 && p0.is_some_and(|w| (1..=255).contains(&w)));
    let length_ok = n == 1 && p0.is_some_and(|l| (1..=65_535).contains(&l));
    let decimal_ok = match params.as_slice() {
        [] => true,
        [p] => (1..=65).contains(p),
        [p, s] => (1..=65).contains(p) && *s <= 30 && s <= p,
        _ => false,
    };
    Some(match name.as_str() {
        "tinyint" if p0 == Some(1) && n == 1 => LogicalType::Boolean,
        "bool" | "boolean" if n == 0 => LogicalType::Boolean,
        "tinyint" | "smallint" if width_ok => LogicalType::Integer { bits: 16 },
        "mediumint" | "int" | "integer" if width_ok => LogicalType::Integer { bits: 32 },
        "bigint" if width_ok => LogicalType::Integer { bits: 64 },
        "decimal" | "numeric" if decimal_ok => LogicalType::Decimal { precision: Some(p0.unwrap_or(10)), scale: Some(params.get(1).copied().unwrap_or(0)) },
        "double" | "double precision" | "real" if n == 0 => LogicalType::Float,
        "varchar" if length_ok => LogicalType::Text { max: p0 },
        "char" if n == 0 || (length_ok && p0.is_some_and(|l| l <= 255)) => LogicalType::Text { max: Some(p0.unwrap_or(1)) },
        "text" | "mediumtext" | "longtext" | "tinytext" if n == 0 => LogicalType::Text { max: None },
        "blob" | "longblob" | "mediumblob" if n == 0 => LogicalType::Bytes,
        "varbinary" | "binary" if length_ok => LogicalType::Bytes,
        "uuid" if n == 0 => LogicalType::Uuid,
        "date" if n == 0 => LogicalType::Date,
        // Only datetime(6): a timestamp holds microseconds, and `datetime`, `datetime(3)` would
        // cut them (TIMESTAMP also holds only the years 1970–2038).
        "datetime" if params == [6] => LogicalType::Timestamp { tz: true },
        "json" if n == 0 => LogicalType::Json,
        _ => return None,
    })
}

/// `base(1,2)`, or `base` when there are no parameters.
fn join(base: &str, p: &[u32]) -> String {
    if p.is_empty() { base.to_string() } else { format!("{base}({})", p.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")) }
}

/// A MySQL/MariaDB type's canonical spelling (`Dialect::canonical_type`): aliases resolved,
/// integer display widths dropped (`int(11)` → `int`, but `tinyint(1)` is the boolean and
/// stays), defaults made explicit (`decimal` → `decimal(10,0)`, `datetime(0)` → `datetime`).
pub fn canonical_type(s: &str) -> String {
    let (name, params) = crate::dialect::split_type(s);
    let words: Vec<&str> = name.split_whitespace().collect();
    let unsigned = words.contains(&"unsigned");
    let base: String = words.iter().filter(|w| !matches!(**w, "unsigned" | "signed" | "zerofill")).copied().collect::<Vec<_>>().join(" ");
    let fsp = |b: &str| if params.first().copied().unwrap_or(0) == 0 { b.to_string() } else { join(b, &params[..1]) };
    let out = match base.as_str() {
        "bool" | "boolean" => "tinyint(1)".into(),
        "tinyint" if params == [1] && !unsigned => "tinyint(1)".into(),
        "tinyint" | "smallint" | "mediumint" | "bigint" => base.clone(),
        "int" | "integer" => "int".into(),
        "decimal" | "numeric" | "dec" | "fixed" => format!("decimal({},{})", params.first().copied().unwrap_or(10), params.get(1).copied().unwrap_or(0)),
        "double" | "double precision" | "real" => "double".into(),
        "float" => if params.first().is_some_and(|p| *p > 24) { "double".into() } else { "float".into() },
        "varchar" | "character varying" => join("varchar", &params),
        "char" | "character" => join("char", if params.is_empty() { &[1] } else { &params }),
        "binary" => join("binary", if params.is_empty() { &[1] } else { &params }),
        "datetime" | "timestamp" | "time" => fsp(&base),
        "year" => "year".into(),
        _ => join(&base, &params),
    };
    if unsigned && out != "tinyint(1)" {
        format!("{out} unsigned")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn format_and_parse_are_a_pair() {
        let cases = [
            (LogicalType::Integer { bits: 16 }, "smallint"),
            (LogicalType::Integer { bits: 32 }, "int"),
            (LogicalType::Integer { bits: 64 }, "bigint"),
            (LogicalType::Decimal { precision: Some(12), scale: Some(2) }, "decimal(12,2)"),
            (LogicalType::Float, "double"),
            (LogicalType::Boolean, "tinyint(1)"),
            (LogicalType::Text { max: Some(20) }, "varchar(20)"),
            (LogicalType::Text { max: None }, "longtext"),
            (LogicalType::Bytes, "longblob"),
            (LogicalType::Date, "date"),
            (LogicalType::Timestamp { tz: true }, "datetime(6)"),
            (LogicalType::Json, "json"),
        ];
        for (t, s) in cases {
            assert_eq!(format_type(&t), s);
            assert_eq!(parse_type(s), Some(t.clone()), "{s}");
        }
        assert_eq!(parse_type("DECIMAL(20, 6)"), Some(LogicalType::Decimal { precision: Some(20), scale: Some(6) }));
        assert_eq!(parse_type("float"), None, "single precision is never proposed");
    }

    #[test]
    fn only_the_forms_created_as_read_are_accepted() {
        let cases: &[(&str, Option<LogicalType>)] = &[
            ("int(11)", Some(LogicalType::Integer { bits: 32 })),
            ("bigint(20)", Some(LogicalType::Integer { bits: 64 })),
            ("char", Some(LogicalType::Text { max: Some(1) })),
            ("char(36)", Some(LogicalType::Text { max: Some(36) })),
            ("decimal", Some(LogicalType::Decimal { precision: Some(10), scale: Some(0) })),
            ("DATETIME( 6 )", Some(LogicalType::Timestamp { tz: true })),
            ("datetime(3)", None),
            ("datetime", None),
            ("timestamp", None),
            ("varchar(10 /*", None),
            ("varchar(10) /* x */", None),
            ("int; DROP TABLE t", None),
            ("varchar(10))", None),
            ("varchar(10) x", None),
            ("varchar", None),
            ("varchar(0)", None),
            ("varchar(10,2)", None),
            ("text(10)", None),
            ("date(3)", None),
            ("datetime(7)", None),
            ("decimal(70)", None),
            ("decimal(10,31)", None),
            ("decimal(2,5)", None),
            ("int(0)", None),
            ("char(300)", None),
            ("varbinary", None),
            ("set", None),
        ];
        for (input, want) in cases {
            assert_eq!(&parse_type(input), want, "{input:?}");
        }
    }
}
