//! The plan's words for what can go wrong with a value or a row (`Kind`) and what may be
//! done about it (`Choice`): below the conversion, pre-flight and the plan, which all speak
//! them; `choices` applies them.

use crate::schema::LogicalType;
use serde::{Deserialize, Serialize};

/// What kind of problem a group is; stable names for scripts and the plan's `[[choices]]`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Text holding the NUL character (PostgreSQL text cannot).
    NulInText,
    /// Bytes that are not UTF-8 in a text column.
    InvalidUtf8,
    /// A number or date outside the target type's range (or infinity where it has none).
    OutOfRange,
    /// Text longer than the column's declared length.
    TooLong,
    /// A value of another kind than the column's type (text in an integer column, …).
    WrongType,
    /// Text that is not a real date or timestamp (`2023-02-30`, `yesterday`).
    ImpossibleDate,
    /// Text that is not valid JSON (or JSON PostgreSQL cannot hold) in a JSON column.
    InvalidJson,
    /// Values that arrive rounded (a decimal's scale, microseconds, a big integer as a double).
    Rounded,
    /// Rows whose foreign key has no parent row (SQLite does not enforce foreign keys by default).
    Orphan,
    /// Rows that collide under a PRIMARY KEY or UNIQUE in the target's comparison (its
    /// collation, its types), though not in SQLite's.
    DuplicateUnique,
    /// NULL in a column the target makes NOT NULL (a primary key SQLite let hold NULL).
    NullInNotNull,
    /// A name longer than the target allows: the plan renames it.
    IdentifierTooLong,
    /// A name that clashes with another once case is ignored: the plan renames it.
    IdentifierRenamed,
    /// Values that keep a column from its best type: the plan carries it wider (text, bytes,
    /// a wider number) so they arrive; `narrow_type` takes the best type back.
    NarrowerType,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::NulInText => "nul_in_text",
            Kind::InvalidUtf8 => "invalid_utf8",
            Kind::OutOfRange => "out_of_range",
            Kind::TooLong => "too_long",
            Kind::WrongType => "wrong_type",
            Kind::ImpossibleDate => "impossible_date",
            Kind::InvalidJson => "invalid_json",
            Kind::Rounded => "rounded",
            Kind::Orphan => "orphan",
            Kind::DuplicateUnique => "duplicate_unique",
            Kind::NullInNotNull => "null_in_not_null",
            Kind::IdentifierTooLong => "identifier_too_long",
            Kind::IdentifierRenamed => "identifier_renamed",
            Kind::NarrowerType => "narrower_type",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        ALL_KINDS.into_iter().find(|k| k.name() == s)
    }
    /// The choices this kind of group can take (the column may narrow them: no `set_null` for
    /// a NOT NULL column), the default first.
    pub fn choices(self) -> &'static [Choice] {
        use Choice::*;
        match self {
            Kind::NulInText => &[RejectRows, SetNull, StripNul, StoreAsBytes],
            Kind::InvalidUtf8 => &[RejectRows, SetNull, StoreAsBytes],
            Kind::OutOfRange | Kind::TooLong | Kind::WrongType | Kind::ImpossibleDate | Kind::InvalidJson => &[RejectRows, SetNull, WidenType],
            Kind::Rounded => &[Keep],
            Kind::Orphan => &[KeepUnchecked, RejectRows, DropConstraint],
            Kind::DuplicateUnique => &[RejectRows, DropConstraint],
            Kind::NullInNotNull => &[DropConstraint],
            Kind::IdentifierTooLong | Kind::IdentifierRenamed => &[Keep],
            Kind::NarrowerType => &[Keep, NarrowType],
        }
    }
}

pub(crate) const ALL_KINDS: [Kind; 14] = [
    Kind::NulInText,
    Kind::InvalidUtf8,
    Kind::OutOfRange,
    Kind::TooLong,
    Kind::WrongType,
    Kind::ImpossibleDate,
    Kind::InvalidJson,
    Kind::Rounded,
    Kind::Orphan,
    Kind::DuplicateUnique,
    Kind::NullInNotNull,
    Kind::IdentifierTooLong,
    Kind::IdentifierRenamed,
    Kind::NarrowerType,
];

/// What `migrate` does with a group's rows or values.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// The row is not loaded; the report lists it (the default wherever a value is refused).
    RejectRows,
    /// The value becomes NULL; the report lists it as changed.
    SetNull,
    /// The NUL characters are removed; the report lists the value as changed.
    StripNul,
    /// The column becomes binary (bytea / longblob) and holds the bytes as they are.
    StoreAsBytes,
    /// The column's type widens to one that holds every value (a 64-bit integer, or text).
    WidenType,
    /// The key or foreign key is not created (the report says so); every row loads.
    DropConstraint,
    /// Orphans load with the rest under a foreign key that guards new writes but is not
    /// checked against the rows already there: PostgreSQL `NOT VALID`, MySQL/MariaDB made with
    /// checks off. The report gives each key's orphan count and rows (the default).
    KeepUnchecked,
    /// The column takes the best type its values pointed at (the plan's `narrower`
    /// suggestion); the values it cannot hold become groups of their own, to be chosen for.
    NarrowType,
    /// Nothing to choose: the value or name arrives as the group says.
    Keep,
}

impl Choice {
    pub fn name(self) -> &'static str {
        match self {
            Choice::RejectRows => "reject_rows",
            Choice::SetNull => "set_null",
            Choice::StripNul => "strip_nul",
            Choice::StoreAsBytes => "store_as_bytes",
            Choice::WidenType => "widen_type",
            Choice::DropConstraint => "drop_constraint",
            Choice::KeepUnchecked => "keep_unchecked",
            Choice::NarrowType => "narrow_type",
            Choice::Keep => "keep",
        }
    }
    pub fn parse(s: &str) -> Option<Choice> {
        [Choice::RejectRows, Choice::SetNull, Choice::StripNul, Choice::StoreAsBytes, Choice::WidenType, Choice::DropConstraint, Choice::KeepUnchecked, Choice::NarrowType, Choice::Keep].into_iter().find(|c| c.name() == s)
    }
    /// What happens to the group's rows under this choice, in a word or two.
    pub(crate) fn outcome(self) -> &'static str {
        match self {
            Choice::RejectRows => "rejected",
            Choice::SetNull | Choice::StripNul => "changed",
            Choice::StoreAsBytes | Choice::WidenType => "kept (type changed)",
            Choice::DropConstraint => "kept (constraint not created)",
            Choice::KeepUnchecked => "kept (foreign key not validated)",
            Choice::NarrowType => "type narrowed (its refused values are groups of their own)",
            Choice::Keep => "kept",
        }
    }
}

/// The wider type `widen_type` gives a column: 64-bit for a narrower integer out of range,
/// else unbounded text (which holds any value's text); None when it is that already.
pub fn widened(kind: Kind, ty: &LogicalType) -> Option<LogicalType> {
    match (kind, ty) {
        (Kind::OutOfRange, LogicalType::Integer { bits }) if *bits < 64 => Some(LogicalType::Integer { bits: 64 }),
        (_, LogicalType::Text { max: None }) => None,
        _ => Some(LogicalType::Text { max: None }),
    }
}
