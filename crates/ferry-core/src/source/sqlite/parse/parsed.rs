//! What the `CREATE TABLE` and `CREATE INDEX` text says beyond the PRAGMAs: the scanner's
//! output.

use crate::schema::{Check, Generated, IndexPart};

/// What the `CREATE TABLE` text says beyond the PRAGMAs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedTable {
    /// The table's name, unquoted, without a schema qualifier.
    pub name: String,
    /// The column definitions, in order (generated columns included).
    pub columns: Vec<ParsedColumn>,
    /// Table-level and column-level CHECKs, in source order.
    pub checks: Vec<Check>,
    /// `AUTOINCREMENT` appears (on a column's or the table's PRIMARY KEY).
    pub autoincrement: bool,
    pub without_rowid: bool,
    pub strict: bool,
    /// The `CONSTRAINT name` of the PRIMARY KEY, column- or table-level.
    pub pk_name: Option<String>,
    /// `(columns, CONSTRAINT name)` for each named UNIQUE.
    pub unique_names: Vec<(Vec<String>, String)>,
    /// `(columns, CONSTRAINT name)` for each named FOREIGN KEY / REFERENCES.
    pub fk_names: Vec<(Vec<String>, String)>,
}

/// One column definition of a `CREATE TABLE`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedColumn {
    pub name: String,
    /// The declared type as SQLite records it; empty when there is none.
    pub declared_type: String,
    /// `COLLATE name`, unquoted.
    pub collation: Option<String>,
    /// `GENERATED ALWAYS AS (expr) [STORED|VIRTUAL]` or `AS (expr) …`.
    pub generated: Option<Generated>,
}

/// What the `CREATE INDEX` text says beyond the PRAGMAs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedIndex {
    /// One per indexed term. A term that is a bare column name (optionally with `COLLATE`) is a
    /// `Column`; anything else is an `Expr` whose text keeps any `COLLATE` it carries.
    pub parts: Vec<IndexPart>,
    /// The predicate of a partial index, SQLite text.
    pub where_clause: Option<String>,
}
