//! What the translator knows about a value: its kind in the target (`Kind`), a literal as SQLite
//! sees it (`Lit`), and a translated expression (`Tr`).

use crate::mapping::declared::Affinity;
use crate::schema::LogicalType;

use super::now::NowSpec;
type R<T> = Result<T, String>;

/// What the translator knows about a value's type in the target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Kind {
    Bool,
    Int,
    Dec,
    Float,
    Text,
    Bytes,
    Date,
    Ts(bool),
    Json,
    Uuid,
    Null,
    Unknown,
}

impl Kind {
    pub(super) fn from_logical(t: &LogicalType) -> R<Kind> {
        Ok(match t {
            LogicalType::Integer { .. } => Kind::Int,
            LogicalType::Decimal { .. } => Kind::Dec,
            LogicalType::Float => Kind::Float,
            LogicalType::Boolean => Kind::Bool,
            LogicalType::Text { .. } => Kind::Text,
            LogicalType::Bytes => Kind::Bytes,
            LogicalType::Uuid => Kind::Uuid,
            LogicalType::Date => Kind::Date,
            LogicalType::Timestamp { tz } => Kind::Ts(*tz),
            LogicalType::Json => Kind::Json,
            LogicalType::Unsupported { reason } => return Err(format!("the column is not carried ({reason})")),
        })
    }
    /// The logical type a value of this kind is held in (`None`: not known).
    pub(super) fn to_logical(self) -> Option<LogicalType> {
        Some(match self {
            Kind::Bool => LogicalType::Boolean,
            Kind::Int => LogicalType::Integer { bits: 64 },
            Kind::Dec => LogicalType::Decimal { precision: None, scale: None },
            Kind::Float => LogicalType::Float,
            Kind::Text => LogicalType::Text { max: None },
            Kind::Bytes => LogicalType::Bytes,
            Kind::Date => LogicalType::Date,
            Kind::Ts(tz) => LogicalType::Timestamp { tz },
            Kind::Json => LogicalType::Json,
            Kind::Uuid => LogicalType::Uuid,
            Kind::Null | Kind::Unknown => return None,
        })
    }
    pub(super) fn label(self) -> &'static str {
        match self {
            Kind::Bool => "boolean",
            Kind::Int => "integer",
            Kind::Dec => "decimal",
            Kind::Float => "float",
            Kind::Text => "text",
            Kind::Bytes => "bytes",
            Kind::Date => "date",
            Kind::Ts(_) => "timestamp",
            Kind::Json => "JSON",
            Kind::Uuid => "UUID",
            Kind::Null => "NULL",
            Kind::Unknown => "untyped",
        }
    }
    /// The label with its article ("an integer value").
    pub(super) fn a_value(self) -> String {
        let l = self.label();
        let an = l.starts_with(['a', 'e', 'i', 'o', 'u']);
        format!("{} {l} value", if an { "an" } else { "a" })
    }
    pub(super) fn numeric(self) -> bool {
        matches!(self, Kind::Int | Kind::Dec | Kind::Float)
    }
    /// SQLite's `typeof()` of a non-NULL value of a column carried as this kind.
    pub(super) fn sqlite_typeof(self) -> Option<&'static str> {
        match self {
            Kind::Int | Kind::Bool => Some("integer"),
            Kind::Float => Some("real"),
            Kind::Text | Kind::Date | Kind::Ts(_) | Kind::Json | Kind::Uuid => Some("text"),
            Kind::Bytes => Some("blob"),
            _ => None,
        }
    }
}

/// A literal as SQLite sees it.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Lit {
    Int(i64),
    /// The literal's text (sign included) and its value.
    Real(String, f64),
    Str(String),
    Blob(Vec<u8>),
    Null,
}

/// A translated expression.
#[derive(Clone, Debug)]
pub(super) struct Tr {
    pub(super) sql: String,
    pub(super) kind: Kind,
    /// Set when the expression is a literal (the SQLite value).
    pub(super) lit: Option<Lit>,
    /// Set when the expression is SQLite's current time (`datetime('now', …)` and friends).
    pub(super) now: Option<NowSpec>,
    /// True when `sql` can be used as an operand without parentheses.
    pub(super) atom: bool,
    /// A view's column: its SQLite affinity (how SQLite converts what it is compared with).
    pub(super) aff: Option<Affinity>,
}

impl Tr {
    pub(super) fn new(sql: String, kind: Kind, atom: bool) -> Tr {
        Tr { sql, kind, lit: None, now: None, atom, aff: None }
    }
    pub(super) fn boolean(sql: String) -> Tr {
        Tr::new(sql, Kind::Bool, false)
    }
    pub(super) fn operand(&self) -> String {
        if self.atom { self.sql.clone() } else { format!("({})", self.sql) }
    }
    pub(super) fn is_const(&self) -> bool {
        self.lit.is_some() || self.now.is_some()
    }
}
