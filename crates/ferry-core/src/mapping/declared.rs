//! Reading a SQLite column's declared type.
//!
//! In SQLite a declared type is free text: `INT(11)`, `"double precision"`, `nocase`,
//! `intege`, `UNSIGNED BIG INT` and `numeric(20, 6)` all occur in real files. This module
//! reads one declared type two ways:
//!
//! * [`affinity`] — the type affinity SQLite itself gives the column, by the five ordered
//!   substring rules of <https://www.sqlite.org/datatype3.html> §3.1 (contains `INT` →
//!   INTEGER; `CHAR`, `CLOB` or `TEXT` → TEXT; `BLOB` or no type → BLOB; `REAL`, `FLOA` or
//!   `DOUB` → REAL; otherwise NUMERIC). This says how SQLite stored the values.
//! * [`parse_declared`] — the [`LogicalType`] Ferry proposes from the declared type alone,
//!   with a reason a person reads in the plan. The evidence check (the column's profile)
//!   may widen the proposal later; that is not done here.
//!
//! The names Ferry knows are one table, [`RULES`]: each row is a normalised type name
//! (upper case, quotes and brackets removed, single spaces, parameters and `UNSIGNED` /
//! `SIGNED` / `ZEROFILL` taken off) and the rule that turns it and its parameters into a
//! logical type. A name not in the table is read by its SQLite affinity.
//!
//! Integers: SQLite stores every integer in 64 bits, so every plain `INT`/`INTEGER`-family
//! name (including `INT4`, `INT(11)`) is proposed as 64-bit. Only explicitly small names
//! (`TINYINT`, `SMALLINT`, `INT2`, `MEDIUMINT`, …) get fewer bits, and `UNSIGNED` widens them
//! one step when the unsigned range needs it (`SMALLINT UNSIGNED` → 32 bits).

use crate::schema::LogicalType;

/// SQLite's type affinity of a column (datatype3.html §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Affinity {
    Integer,
    Text,
    Blob,
    Real,
    Numeric,
}

impl Affinity {
    /// The affinity's name as SQLite's documentation writes it (`INTEGER`, `TEXT`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Affinity::Integer => "INTEGER",
            Affinity::Text => "TEXT",
            Affinity::Blob => "BLOB",
            Affinity::Real => "REAL",
            Affinity::Numeric => "NUMERIC",
        }
    }
}

impl std::fmt::Display for Affinity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a declared type says on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    pub affinity: Affinity,
    /// The default proposal from the declared type alone (evidence may widen it later).
    pub logical: LogicalType,
    /// Why, in words a person reads in the plan: e.g. "declared INT(11): integer".
    pub reason: String,
}

/// SQLite's affinity for a declared type, by its own ordered rules: contains `INT` →
/// INTEGER; else `CHAR`/`CLOB`/`TEXT` → TEXT; else `BLOB` or no type → BLOB; else
/// `REAL`/`FLOA`/`DOUB` → REAL; else NUMERIC. Case-insensitive substring tests on the whole
/// text, parameters included, exactly as SQLite does (so `FLOATING POINT` is INTEGER and
/// `STRING` is NUMERIC).
pub fn affinity(decl: &str) -> Affinity {
    let up = decl.to_ascii_uppercase();
    let has = |needle: &str| up.contains(needle);
    if has("INT") {
        Affinity::Integer
    } else if has("CHAR") || has("CLOB") || has("TEXT") {
        Affinity::Text
    } else if has("BLOB") || up.trim().is_empty() {
        Affinity::Blob
    } else if has("REAL") || has("FLOA") || has("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

/// How a row of [`RULES`] turns a name and its parameters into a logical type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// An integer whose source type holds `native` bits (8 for `TINYINT`, 24 for
    /// `MEDIUMINT`, 64 for SQLite's own integers). Proposed as the smallest of 16/32/64 bits
    /// that holds it, one more bit when `UNSIGNED`. Parameters are display widths.
    Int { native: u8 },
    /// Text; one parameter `(n)` is its length limit.
    Text,
    /// Text whatever the parameters (`TIME`, `INTERVAL`, `ENUM(…)`): the row's note says why.
    AsText,
    /// Exact decimal: `(p, s)`, `(p)` = `(p, 0)`, or unconstrained.
    Decimal,
    /// A double. Never single precision: SQLite stores 8-byte floats.
    Float,
    Boolean,
    /// `BIT` / `BIT(1)` is a boolean; a wider `BIT(n)` is a bit field, read as an integer.
    Bit,
    Date,
    Timestamp { tz: bool },
    Json,
    Uuid,
    Bytes,
}

/// The names real SQLite files use, and the rule for each: (normalised name, rule, note).
/// The note, when not empty, is added to the reason. Names are matched after upper-casing,
/// removing quotes/brackets, collapsing spaces and taking off `(…)` and
/// `UNSIGNED`/`SIGNED`/`ZEROFILL`.
pub static RULES: &[(&str, Rule, &str)] = &[
    // ── Integers: SQLite stores 64-bit integers; only explicitly small names get fewer bits.
    ("INTEGER", Rule::Int { native: 64 }, ""),
    ("INT", Rule::Int { native: 64 }, ""),
    ("INTEGE", Rule::Int { native: 64 }, "a misspelling of INTEGER"),
    ("INTERGER", Rule::Int { native: 64 }, "a misspelling of INTEGER"),
    ("BIGINT", Rule::Int { native: 64 }, ""),
    ("BIG INT", Rule::Int { native: 64 }, ""),
    ("INT8", Rule::Int { native: 64 }, ""),
    ("INT64", Rule::Int { native: 64 }, ""),
    ("INT4", Rule::Int { native: 64 }, "kept 64-bit: SQLite stores 64-bit integers"),
    ("INT32", Rule::Int { native: 64 }, "kept 64-bit: SQLite stores 64-bit integers"),
    ("LONG", Rule::Int { native: 64 }, "LONG read as a 64-bit integer"),
    ("LONG INTEGER", Rule::Int { native: 64 }, ""),
    ("SERIAL", Rule::Int { native: 64 }, ""),
    ("BIGSERIAL", Rule::Int { native: 64 }, ""),
    ("SERIAL8", Rule::Int { native: 64 }, ""),
    ("MEDIUMINT", Rule::Int { native: 24 }, ""),
    ("SMALLINT", Rule::Int { native: 16 }, ""),
    ("INT2", Rule::Int { native: 16 }, ""),
    ("INT16", Rule::Int { native: 16 }, ""),
    ("SHORT", Rule::Int { native: 16 }, ""),
    ("SHORT INTEGER", Rule::Int { native: 16 }, ""),
    ("SHORT INT", Rule::Int { native: 16 }, ""),
    ("SMALLSERIAL", Rule::Int { native: 16 }, ""),
    ("SERIAL2", Rule::Int { native: 16 }, ""),
    ("TINYINT", Rule::Int { native: 8 }, ""),
    ("BYTE", Rule::Int { native: 8 }, ""),
    ("YEAR", Rule::Int { native: 16 }, "a year number"),
    // ── Text.
    ("TEXT", Rule::Text, ""),
    ("TINYTEXT", Rule::Text, ""),
    ("MEDIUMTEXT", Rule::Text, ""),
    ("LONGTEXT", Rule::Text, ""),
    ("NTEXT", Rule::Text, ""),
    ("CLOB", Rule::Text, ""),
    ("NCLOB", Rule::Text, ""),
    ("STRING", Rule::Text, "SQLite gives STRING NUMERIC affinity, so number-like strings may be stored as numbers"),
    ("CHAR", Rule::Text, ""),
    ("CHARACTER", Rule::Text, ""),
    ("NCHAR", Rule::Text, ""),
    ("NATIVE CHARACTER", Rule::Text, ""),
    ("NATIONAL CHAR", Rule::Text, ""),
    ("NATIONAL CHARACTER", Rule::Text, ""),
    ("VARCHAR", Rule::Text, ""),
    ("VARCHAR2", Rule::Text, ""),
    ("NVARCHAR", Rule::Text, ""),
    ("NVARCHAR2", Rule::Text, ""),
    ("NATIONAL VARCHAR", Rule::Text, ""),
    ("CHAR VARYING", Rule::Text, ""),
    ("CHARACTER VARYING", Rule::Text, ""),
    ("VARYING CHARACTER", Rule::Text, ""),
    ("VARYING CHAR", Rule::Text, ""),
    ("NCHAR VARYING", Rule::Text, ""),
    ("NATIONAL CHAR VARYING", Rule::Text, ""),
    ("NATIONAL CHARACTER VARYING", Rule::Text, ""),
    ("LONG VARCHAR", Rule::Text, ""),
    ("LONGVARCHAR", Rule::Text, ""),
    ("CITEXT", Rule::Text, ""),
    ("XML", Rule::Text, ""),
    ("NOCASE", Rule::Text, "NOCASE is a collation, used here as a type"),
    ("RTRIM", Rule::Text, "RTRIM is a collation, used here as a type"),
    ("ENUM", Rule::AsText, "the ENUM's value list is not kept; the values are text"),
    ("SET", Rule::AsText, "the SET's value list is not kept; the values are text"),
    ("TIME", Rule::AsText, "time of day kept as text"),
    ("TIMETZ", Rule::AsText, "time of day kept as text"),
    ("TIME WITH TIME ZONE", Rule::AsText, "time of day kept as text"),
    ("TIME WITHOUT TIME ZONE", Rule::AsText, "time of day kept as text"),
    ("INTERVAL", Rule::AsText, "interval kept as text"),
    // ── Exact decimals.
    ("NUMERIC", Rule::Decimal, ""),
    ("DECIMAL", Rule::Decimal, ""),
    ("DEC", Rule::Decimal, ""),
    ("FIXED", Rule::Decimal, ""),
    ("NUMBER", Rule::Decimal, ""),
    ("MONEY", Rule::Decimal, "money as an exact decimal"),
    ("SMALLMONEY", Rule::Decimal, "money as an exact decimal"),
    // ── Floating point: always a double.
    ("REAL", Rule::Float, ""),
    ("DOUBLE", Rule::Float, ""),
    ("DOUBLE PRECISION", Rule::Float, ""),
    ("FLOAT", Rule::Float, ""),
    ("FLOAT8", Rule::Float, ""),
    ("FLOAT64", Rule::Float, ""),
    ("FLOAT4", Rule::Float, "carried as a double: SQLite stores 8-byte floats"),
    ("SINGLE", Rule::Float, "carried as a double: SQLite stores 8-byte floats"),
    ("BINARY_DOUBLE", Rule::Float, ""),
    ("BINARY_FLOAT", Rule::Float, "carried as a double: SQLite stores 8-byte floats"),
    // ── Booleans.
    ("BOOLEAN", Rule::Boolean, ""),
    ("BOOL", Rule::Boolean, ""),
    ("BIT", Rule::Bit, ""),
    // ── Dates and times.
    ("DATE", Rule::Date, ""),
    ("DATETIME", Rule::Timestamp { tz: true }, ""),
    ("DATETIME2", Rule::Timestamp { tz: true }, ""),
    ("SMALLDATETIME", Rule::Timestamp { tz: true }, ""),
    ("DATETIMEOFFSET", Rule::Timestamp { tz: true }, ""),
    ("TIMESTAMP", Rule::Timestamp { tz: true }, ""),
    ("TIMESTAMPTZ", Rule::Timestamp { tz: true }, ""),
    ("TIMESTAMP WITH TIME ZONE", Rule::Timestamp { tz: true }, ""),
    ("TIMESTAMP WITHOUT TIME ZONE", Rule::Timestamp { tz: false }, "declared without time zone"),
    // ── JSON and UUIDs.
    ("JSON", Rule::Json, ""),
    ("JSONB", Rule::Json, ""),
    ("UUID", Rule::Uuid, ""),
    ("GUID", Rule::Uuid, ""),
    ("UNIQUEIDENTIFIER", Rule::Uuid, ""),
    // ── Bytes.
    ("BLOB", Rule::Bytes, ""),
    ("TINYBLOB", Rule::Bytes, ""),
    ("MEDIUMBLOB", Rule::Bytes, ""),
    ("LONGBLOB", Rule::Bytes, ""),
    ("BINARY", Rule::Bytes, ""),
    ("VARBINARY", Rule::Bytes, ""),
    ("BINARY VARYING", Rule::Bytes, ""),
    ("BYTEA", Rule::Bytes, ""),
    ("IMAGE", Rule::Bytes, ""),
    ("RAW", Rule::Bytes, ""),
    ("LONG RAW", Rule::Bytes, ""),
];

/// Read a declared type: SQLite's affinity, Ferry's default logical type, and why.
pub fn parse_declared(decl: &str) -> Declared {
    let aff = affinity(decl);
    if decl.trim().is_empty() {
        return Declared {
            affinity: aff,
            logical: LogicalType::Text { max: None },
            reason: "no declared type: the stored values decide".into(),
        };
    }
    let parsed = Parsed::new(decl);
    match RULES.iter().find(|(pattern, _, _)| *pattern == parsed.name) {
        Some(&(_, rule, note)) => {
            let mut notes = Vec::new();
            if !note.is_empty() {
                notes.push(note.to_string());
            }
            let logical = apply(rule, &parsed, &mut notes);
            let mut reason = format!("declared {}: {}", parsed.shown, describe(&logical));
            for n in &notes {
                reason.push_str("; ");
                reason.push_str(n);
            }
            Declared { affinity: aff, logical, reason }
        }
        None => {
            let logical = match aff {
                Affinity::Integer => LogicalType::Integer { bits: 64 },
                Affinity::Text => LogicalType::Text { max: None },
                Affinity::Blob => LogicalType::Bytes,
                Affinity::Real => LogicalType::Float,
                Affinity::Numeric => LogicalType::Decimal { precision: None, scale: None },
            };
            let reason = format!(
                "unknown type {}: SQLite reads it with {} affinity; proposed {}",
                parsed.shown,
                aff,
                describe(&logical)
            );
            Declared { affinity: aff, logical, reason }
        }
    }
}

/// The parameters inside `( … )`.
#[derive(Debug, Clone, PartialEq)]
enum Params {
    None,
    /// Every parameter an unsigned number (`(11)`, `(20, 6)`, `(+5)`).
    Nums(Vec<u32>),
    /// Anything else (`(MAX)`, `('a','b')`, `(-1)`), as written.
    Other(String),
}

/// A declared type taken apart.
#[derive(Debug)]
struct Parsed {
    /// The declared type as written, spaces collapsed, for the reason.
    shown: String,
    /// The normalised name looked up in [`RULES`].
    name: String,
    params: Params,
    /// The parameters as written (`(20, 6)`), for notes.
    params_text: String,
    unsigned: bool,
    zerofill: bool,
}

impl Parsed {
    fn new(decl: &str) -> Parsed {
        let shown = decl.split_whitespace().collect::<Vec<_>>().join(" ");
        let (before, params_raw, after) = match shown.find('(') {
            Some(open) => {
                let inner = &shown[open + 1..];
                match inner.find(')') {
                    Some(close) => (&shown[..open], Some(&inner[..close]), &inner[close + 1..]),
                    None => (&shown[..open], Some(inner), ""),
                }
            }
            None => (shown.as_str(), None, ""),
        };
        let unquote = |s: &str| -> String {
            s.chars().map(|c| if matches!(c, '"' | '\'' | '`' | '[' | ']') { ' ' } else { c }).collect()
        };
        let words_text = format!("{} {}", unquote(before), unquote(after)).to_ascii_uppercase();
        let mut unsigned = false;
        let mut zerofill = false;
        let words: Vec<&str> = words_text
            .split_whitespace()
            .filter(|w| match *w {
                "UNSIGNED" => {
                    unsigned = true;
                    false
                }
                "ZEROFILL" => {
                    zerofill = true;
                    false
                }
                "SIGNED" => false,
                _ => true,
            })
            .collect();
        let (params, params_text) = match params_raw {
            None => (Params::None, String::new()),
            Some(raw) => {
                let parts: Vec<&str> = raw.split(',').map(str::trim).collect();
                let nums: Option<Vec<u32>> =
                    parts.iter().map(|p| p.strip_prefix('+').unwrap_or(p).trim().parse().ok()).collect();
                let text = format!("({})", parts.join(", "));
                match nums {
                    Some(n) => (Params::Nums(n), text),
                    None if raw.trim().is_empty() => (Params::None, String::new()),
                    None => (Params::Other(raw.trim().to_string()), text),
                }
            }
        };
        Parsed { shown, name: words.join(" "), params, params_text, unsigned, zerofill }
    }

    fn has_params(&self) -> bool {
        self.params != Params::None
    }
}

/// The smallest of 16/32/64 bits that holds `bits`.
fn fit(bits: u8) -> u8 {
    match bits {
        0..=16 => 16,
        17..=32 => 32,
        _ => 64,
    }
}

fn apply(rule: Rule, p: &Parsed, notes: &mut Vec<String>) -> LogicalType {
    let pt = &p.params_text;
    if p.unsigned && !matches!(rule, Rule::Int { .. }) {
        notes.push("UNSIGNED ignored".into());
    }
    if p.zerofill {
        notes.push("ZEROFILL (display only) ignored".into());
    }
    match rule {
        Rule::Int { native } => {
            let signed = fit(native);
            let bits = if p.unsigned { fit(native.saturating_add(1)) } else { signed };
            if p.unsigned {
                if native >= 64 {
                    notes.push("UNSIGNED: SQLite stores signed 64-bit integers, so 64 bits hold every value".into());
                } else if bits > signed {
                    notes.push(format!("UNSIGNED widens it to {bits} bits"));
                } else {
                    notes.push(format!("the UNSIGNED range fits in {bits} bits"));
                }
            }
            if p.has_params() {
                notes.push(format!("{pt} is a display width, not a limit"));
            }
            LogicalType::Integer { bits }
        }
        Rule::Text => {
            let max = match &p.params {
                Params::None => None,
                Params::Nums(n) if n.len() == 1 && n[0] > 0 => Some(n[0]),
                Params::Nums(n) if n.len() == 1 => {
                    notes.push(format!("length {pt} ignored: no limit"));
                    None
                }
                Params::Other(o) if o.eq_ignore_ascii_case("max") => {
                    notes.push(format!("{pt}: no limit"));
                    None
                }
                _ => {
                    notes.push(format!("{pt} is not a length: no limit"));
                    None
                }
            };
            LogicalType::Text { max }
        }
        Rule::AsText => LogicalType::Text { max: None },
        Rule::Decimal => match p.params {
            Params::None => LogicalType::Decimal { precision: None, scale: None },
            Params::Nums(ref n) if (n.len() == 1 || n.len() == 2) => {
                let (prec, scale) = (n[0], n.get(1).copied().unwrap_or(0));
                if prec == 0 || scale > prec {
                    notes.push(format!("{pt} is not a usable precision and scale: unconstrained"));
                    LogicalType::Decimal { precision: None, scale: None }
                } else {
                    if n.len() == 1 {
                        notes.push(format!("{pt} means scale 0"));
                    }
                    LogicalType::Decimal { precision: Some(prec), scale: Some(scale) }
                }
            }
            _ => {
                notes.push(format!("{pt} is not a precision and scale: unconstrained"));
                LogicalType::Decimal { precision: None, scale: None }
            }
        },
        Rule::Float => {
            match &p.params {
                Params::None => {}
                Params::Nums(n) if n.len() == 2 => {
                    notes.push(format!("{pt} is MySQL's display width, still a double"))
                }
                Params::Nums(n) if n.len() == 1 => {
                    notes.push(format!("precision {pt} ignored: still a double"))
                }
                _ => notes.push(format!("{pt} ignored: still a double")),
            }
            LogicalType::Float
        }
        Rule::Bit => match p.params {
            Params::Nums(ref n) if n.len() == 1 && n[0] > 1 => {
                notes.push(format!("BIT{pt} is a bit field, read as an integer"));
                LogicalType::Integer { bits: 64 }
            }
            _ => LogicalType::Boolean,
        },
        Rule::Timestamp { tz } => {
            if p.has_params() {
                notes.push(format!("fractional-second precision {pt} not kept"));
            }
            LogicalType::Timestamp { tz }
        }
        Rule::Bytes => {
            if p.has_params() {
                notes.push(format!("length {pt} not kept"));
            }
            LogicalType::Bytes
        }
        Rule::Boolean | Rule::Date | Rule::Json | Rule::Uuid => {
            if p.has_params() {
                notes.push(format!("{pt} ignored"));
            }
            match rule {
                Rule::Boolean => LogicalType::Boolean,
                Rule::Date => LogicalType::Date,
                Rule::Json => LogicalType::Json,
                _ => LogicalType::Uuid,
            }
        }
    }
}

/// A logical type in words for the reason.
fn describe(t: &LogicalType) -> String {
    match t {
        LogicalType::Integer { bits } => format!("integer ({bits}-bit)"),
        LogicalType::Decimal { precision: Some(p), scale: Some(s) } => format!("decimal({p},{s})"),
        LogicalType::Decimal { precision: Some(p), scale: None } => format!("decimal({p})"),
        LogicalType::Decimal { .. } => "decimal (unconstrained)".into(),
        LogicalType::Float => "float (double precision)".into(),
        LogicalType::Text { max: Some(n) } => format!("text (up to {n} characters)"),
        LogicalType::Text { max: None } => "text".into(),
        LogicalType::Timestamp { tz: true } => "timestamp with time zone".into(),
        LogicalType::Timestamp { tz: false } => "timestamp without time zone".into(),
        other => other.label(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Affinity as A;

    fn int(bits: u8) -> LogicalType {
        LogicalType::Integer { bits }
    }
    fn text(max: Option<u32>) -> LogicalType {
        LogicalType::Text { max }
    }
    fn dec(p: Option<u32>, s: Option<u32>) -> LogicalType {
        LogicalType::Decimal { precision: p, scale: s }
    }
    const FLOAT: LogicalType = LogicalType::Float;
    const BYTES: LogicalType = LogicalType::Bytes;
    const BOOL: LogicalType = LogicalType::Boolean;
    const DATE: LogicalType = LogicalType::Date;
    const JSON: LogicalType = LogicalType::Json;
    const UUID: LogicalType = LogicalType::Uuid;
    const TSTZ: LogicalType = LogicalType::Timestamp { tz: true };

    /// (declared, SQLite affinity, proposed logical type)
    fn cases() -> Vec<(&'static str, Affinity, LogicalType)> {
        vec![
            // The SQLite docs' example list (datatype3.html §3.1.1), affinity column as documented.
            ("INT", A::Integer, int(64)),
            ("INTEGER", A::Integer, int(64)),
            ("TINYINT", A::Integer, int(16)),
            ("SMALLINT", A::Integer, int(16)),
            ("MEDIUMINT", A::Integer, int(32)),
            ("BIGINT", A::Integer, int(64)),
            ("UNSIGNED BIG INT", A::Integer, int(64)),
            ("INT2", A::Integer, int(16)),
            ("INT8", A::Integer, int(64)),
            ("CHARACTER(20)", A::Text, text(Some(20))),
            ("VARCHAR(255)", A::Text, text(Some(255))),
            ("VARYING CHARACTER(255)", A::Text, text(Some(255))),
            ("NCHAR(55)", A::Text, text(Some(55))),
            ("NATIVE CHARACTER(70)", A::Text, text(Some(70))),
            ("NVARCHAR(100)", A::Text, text(Some(100))),
            ("TEXT", A::Text, text(None)),
            ("CLOB", A::Text, text(None)),
            ("BLOB", A::Blob, BYTES),
            ("", A::Blob, text(None)),
            ("REAL", A::Real, FLOAT),
            ("DOUBLE", A::Real, FLOAT),
            ("DOUBLE PRECISION", A::Real, FLOAT),
            ("FLOAT", A::Real, FLOAT),
            ("NUMERIC", A::Numeric, dec(None, None)),
            ("DECIMAL(10,5)", A::Numeric, dec(Some(10), Some(5))),
            ("BOOLEAN", A::Numeric, BOOL),
            ("DATE", A::Numeric, DATE),
            ("DATETIME", A::Numeric, TSTZ),
            // The docs' warnings: FLOATING POINT has INTEGER affinity, STRING NUMERIC.
            ("FLOATING POINT", A::Integer, int(64)),
            ("STRING", A::Numeric, text(None)),
            // Integers.
            ("INT(11)", A::Integer, int(64)),
            ("int(10) unsigned", A::Integer, int(64)),
            ("intege", A::Integer, int(64)),
            ("INTERGER", A::Integer, int(64)),
            ("INT4", A::Integer, int(64)),
            ("INT64", A::Integer, int(64)),
            ("integer unsigned", A::Integer, int(64)),
            ("BIGINT UNSIGNED", A::Integer, int(64)),
            ("bigint(20)", A::Integer, int(64)),
            ("short integer", A::Integer, int(16)),
            ("smallint unsigned", A::Integer, int(32)),
            ("SMALLINT(5) UNSIGNED", A::Integer, int(32)),
            ("smallint signed", A::Integer, int(16)),
            ("tinyint(1)", A::Integer, int(16)),
            ("TINYINT UNSIGNED", A::Integer, int(16)),
            ("mediumint unsigned", A::Integer, int(32)),
            ("mediumint(8) unsigned zerofill", A::Integer, int(32)),
            ("SERIAL", A::Numeric, int(64)),
            ("bigserial", A::Numeric, int(64)),
            ("smallserial", A::Numeric, int(16)),
            ("LONG", A::Numeric, int(64)),
            ("YEAR", A::Numeric, int(16)),
            // Text.
            ("text", A::Text, text(None)),
            ("Text", A::Text, text(None)),
            ("CHAR", A::Text, text(None)),
            ("char(1)", A::Text, text(Some(1))),
            ("CHAR(512)", A::Text, text(Some(512))),
            ("varchar(20)", A::Text, text(Some(20))),
            ("VarChar( 40 )", A::Text, text(Some(40))),
            ("VARCHAR(0)", A::Text, text(None)),
            ("NVARCHAR(MAX)", A::Text, text(None)),
            ("nvarchar", A::Text, text(None)),
            ("CHARACTER VARYING(20)", A::Text, text(Some(20))),
            ("character   varying (20)", A::Text, text(Some(20))),
            ("national character varying(30)", A::Text, text(Some(30))),
            ("NCHAR VARYING(10)", A::Text, text(Some(10))),
            ("VARCHAR2(4000)", A::Text, text(Some(4000))),
            ("longtext", A::Text, text(None)),
            ("MEDIUMTEXT", A::Text, text(None)),
            ("TEXT(1000)", A::Text, text(Some(1000))),
            ("nocase", A::Numeric, text(None)),
            ("NOCASE", A::Numeric, text(None)),
            ("CITEXT", A::Text, text(None)),
            ("ENUM('a','b','c')", A::Numeric, text(None)),
            ("TIME", A::Numeric, text(None)),
            ("time with time zone", A::Numeric, text(None)),
            ("INTERVAL", A::Integer, text(None)),
            ("XML", A::Numeric, text(None)),
            // Decimals.
            ("NUMERIC(10,2)", A::Numeric, dec(Some(10), Some(2))),
            ("numeric(20, 6)", A::Numeric, dec(Some(20), Some(6))),
            ("DECIMAL( 12 , 4 )", A::Numeric, dec(Some(12), Some(4))),
            ("NUMERIC(8)", A::Numeric, dec(Some(8), Some(0))),
            ("decimal", A::Numeric, dec(None, None)),
            ("MONEY", A::Numeric, dec(None, None)),
            ("decimal(10,2) unsigned", A::Numeric, dec(Some(10), Some(2))),
            ("DEC(5,1)", A::Numeric, dec(Some(5), Some(1))),
            ("NUMBER(38)", A::Numeric, dec(Some(38), Some(0))),
            ("NUMERIC(2,5)", A::Numeric, dec(None, None)),
            ("NUMERIC(0)", A::Numeric, dec(None, None)),
            // Floats.
            ("\"double precision\"", A::Real, FLOAT),
            ("DOUBLE(10,2)", A::Real, FLOAT),
            ("double(10, 2) unsigned", A::Real, FLOAT),
            ("FLOAT(24)", A::Real, FLOAT),
            ("float4", A::Real, FLOAT),
            ("FLOAT8", A::Real, FLOAT),
            ("real", A::Real, FLOAT),
            // Booleans.
            ("BOOL", A::Numeric, BOOL),
            ("boolean", A::Numeric, BOOL),
            ("BIT", A::Numeric, BOOL),
            ("BIT(1)", A::Numeric, BOOL),
            ("BIT(8)", A::Numeric, int(64)),
            // Dates and times.
            ("TIMESTAMP", A::Numeric, TSTZ),
            ("timestamptz", A::Numeric, TSTZ),
            ("TIMESTAMP WITH TIME ZONE", A::Numeric, TSTZ),
            ("timestamp(3) with time zone", A::Numeric, TSTZ),
            ("timestamp without time zone", A::Numeric, LogicalType::Timestamp { tz: false }),
            ("DATETIME(6)", A::Numeric, TSTZ),
            ("datetime2", A::Numeric, TSTZ),
            ("date", A::Numeric, DATE),
            // JSON, UUID.
            ("JSON", A::Numeric, JSON),
            ("jsonb", A::Numeric, JSON),
            ("UUID", A::Numeric, UUID),
            ("guid", A::Numeric, UUID),
            ("UNIQUEIDENTIFIER", A::Numeric, UUID),
            // Bytes.
            ("BINARY", A::Numeric, BYTES),
            ("BINARY(16)", A::Numeric, BYTES),
            ("VARBINARY(255)", A::Numeric, BYTES),
            ("bytea", A::Numeric, BYTES),
            ("IMAGE", A::Numeric, BYTES),
            ("longblob", A::Blob, BYTES),
            // Quotes, brackets, odd spacing, case.
            ("[varchar](20)", A::Text, text(Some(20))),
            // What PRAGMA table_info really returns for `[varchar](20)`.
            ("varchar](20", A::Text, text(Some(20))),
            ("`int`", A::Integer, int(64)),
            ("'text'", A::Text, text(None)),
            ("\"VARCHAR\"(10)", A::Text, text(Some(10))),
            ("  integer  ", A::Integer, int(64)),
            ("double\tprecision", A::Real, FLOAT),
            ("DoUbLe   PrEcIsIoN", A::Real, FLOAT),
            ("varchar ( 64 )", A::Text, text(Some(64))),
            ("NUMERIC(+10,+2)", A::Numeric, dec(Some(10), Some(2))),
            ("BOOLEAN()", A::Numeric, BOOL),
            // Unknown names: by affinity.
            ("GEOMETRY", A::Numeric, dec(None, None)),
            ("POINT", A::Integer, int(64)),
            ("mystring", A::Numeric, dec(None, None)),
            ("somechars", A::Text, text(None)),
            ("PHOTOBLOB", A::Blob, BYTES),
            ("DOUBLE_THING", A::Real, FLOAT),
            ("CHARINT", A::Integer, int(64)),
            ("REALBLOB", A::Blob, BYTES),
            ("\"\"", A::Numeric, dec(None, None)),
        ]
    }

    #[test]
    fn declared_cases() {
        let mut failures = Vec::new();
        for (decl, aff, logical) in cases() {
            let d = parse_declared(decl);
            assert_eq!(affinity(decl), d.affinity, "{decl:?}");
            if d.affinity != aff || d.logical != logical || d.reason.trim().is_empty() {
                failures.push(format!(
                    "{decl:?}: got {:?} {:?} ({:?}), want {:?} {:?}",
                    d.affinity, d.logical, d.reason, aff, logical
                ));
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn declared_affinity_order() {
        // INT wins over everything, then text, then blob, then real.
        assert_eq!(affinity("BLOBINT"), A::Integer);
        assert_eq!(affinity("BLOBCHAR"), A::Text);
        assert_eq!(affinity("DOUBLEBLOB"), A::Blob);
        assert_eq!(affinity("FLOATTEXT"), A::Text);
        assert_eq!(affinity("   "), A::Blob);
        assert_eq!(affinity("varchar"), A::Text);
        assert_eq!(affinity("xyz"), A::Numeric);
    }

    #[test]
    fn declared_reasons() {
        let r = |d: &str| parse_declared(d).reason;
        assert_eq!(r(""), "no declared type: the stored values decide");
        assert!(r("INT(11)").starts_with("declared INT(11): integer"), "{}", r("INT(11)"));
        assert!(r("INT(11)").contains("display width"));
        assert!(r("DOUBLE(10,2)").contains("display width"), "{}", r("DOUBLE(10,2)"));
        assert!(r("TIME").contains("time of day kept as text"));
        assert!(r("nocase").contains("collation"));
        assert!(r("smallint unsigned").contains("32"));
        assert!(r("numeric(20, 6)").contains("decimal(20,6)"), "{}", r("numeric(20, 6)"));
        assert!(r("GEOMETRY").starts_with("unknown type GEOMETRY: SQLite reads it with NUMERIC affinity"));
        assert!(r("FLOATING POINT").starts_with("unknown type FLOATING POINT: SQLite reads it with INTEGER affinity"));
        assert!(r("character   varying (20)").starts_with("declared character varying (20): text (up to 20"));
    }

    #[test]
    fn declared_rule_table_is_normalised() {
        let mut seen = std::collections::HashSet::new();
        for (pattern, _, note) in RULES {
            assert!(seen.insert(*pattern), "duplicate row {pattern}");
            let norm = Parsed::new(pattern);
            assert_eq!(&norm.name, pattern, "row {pattern:?} is not in normalised form");
            assert!(norm.params == Params::None && !norm.unsigned);
            assert_eq!(note.trim(), *note);
            // Every named row reaches its own rule, not the affinity fallback.
            assert!(parse_declared(pattern).reason.starts_with("declared "), "{pattern}");
        }
    }

    #[test]
    fn declared_affinity_serde() {
        assert_eq!(serde_json::to_string(&A::Numeric).unwrap(), "\"numeric\"");
        assert_eq!(serde_json::from_str::<Affinity>("\"integer\"").unwrap(), A::Integer);
    }
}
