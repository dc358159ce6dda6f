//! What the target already holds, whichever the dialect: the `Inspect` trait, implemented in
//! `dialect/postgres/inspect.rs` and `dialect/mysql/inspect.rs`, reached through `Conn`; and
//! how what the engine creates reads back in each dialect's catalogs (type spellings, name
//! case, keys and indexes), as methods on `Dialect` for `diff` to compare with.

use crate::diff::ExistingTable;
use crate::dialect::session::{each, Conn};
use crate::dialect::Dialect;

pub use crate::dialect::existing::{describe, Existing, KINDS};

/// What the engine asks about the target's contents.
#[allow(async_fn_in_trait)]
pub trait Inspect {
    /// Whether the PostgreSQL schema is there; a MySQL session's database is its schema, and
    /// it is there once connected.
    async fn schema_exists(&mut self, schema: &str) -> Result<bool, sqlx::Error>;
    /// Every base table of the schema (PostgreSQL) or database (MySQL/MariaDB) with its
    /// columns, keys, CHECKs and indexes; `dialect` tells MySQL from MariaDB.
    async fn existing_tables(&mut self, schema: &str, dialect: Dialect) -> Result<Vec<ExistingTable>, sqlx::Error>;
    /// Whether the table holds at least one row.
    async fn has_rows(&mut self, schema: &str, table: &str) -> Result<bool, sqlx::Error>;
    /// How many rows the table holds.
    async fn count_rows(&mut self, schema: &str, table: &str) -> Result<i64, sqlx::Error>;
}

impl Conn {
    pub async fn schema_exists(&mut self, schema: &str) -> Result<bool, sqlx::Error> {
        each!(self, c => c.schema_exists(schema).await)
    }
    pub async fn existing_tables(&mut self, schema: &str, dialect: Dialect) -> Result<Vec<ExistingTable>, sqlx::Error> {
        each!(self, c => c.existing_tables(schema, dialect).await)
    }
    pub async fn has_rows(&mut self, schema: &str, table: &str) -> Result<bool, sqlx::Error> {
        each!(self, c => c.has_rows(schema, table).await)
    }
    pub async fn count_rows(&mut self, schema: &str, table: &str) -> Result<i64, sqlx::Error> {
        each!(self, c => c.count_rows(schema, table).await)
    }
}

/// A type reduced to what decides whether a value survives a change.
#[derive(Debug, PartialEq)]
pub(crate) enum Family {
    /// Value bits (a sign bit not counted) and whether negative values fit.
    Int(u32, bool),
    /// Digits before and after the point; None when unbounded.
    Dec(Option<(u32, u32)>),
    /// Mantissa bits.
    Float(u32),
    /// Longest text; None when unbounded.
    Text(Option<u64>),
    Date,
    /// (with time zone, fractional digits).
    Timestamp(bool, u32),
    Other(String),
}

impl Family {
    /// The family of a canonical type; `own` reads the dialect's types whose meaning differs
    /// from the shared reading here (it gets the base name and the parameters).
    pub(super) fn of(canonical: &str, own: fn(&str, &[u32]) -> Option<Family>) -> Family {
        let (name, params) = crate::dialect::split_type(canonical);
        let p = |i: usize| params.get(i).copied();
        let unsigned = name.ends_with(" unsigned");
        let base = name.trim_end_matches(" unsigned");
        if let Some(f) = own(base, &params) {
            return f;
        }
        let int = |bits: u32| if unsigned { Family::Int(bits, false) } else { Family::Int(bits - 1, true) };
        match base {
            "tinyint" if p(0) == Some(1) => Family::Other("boolean".into()),
            "tinyint" => int(8),
            "smallint" => int(16),
            "mediumint" => int(24),
            "int" | "integer" => int(32),
            "bigint" => int(64),
            "numeric" | "decimal" => Family::Dec(p(0).map(|a| (a - p(1).unwrap_or(0).min(a), p(1).unwrap_or(0)))),
            "real" | "float" => Family::Float(24),
            "double precision" | "double" => Family::Float(53),
            "varchar" | "char" => Family::Text(p(0).map(u64::from)),
            "tinytext" => Family::Text(Some(255)),
            "text" => Family::Text(Some(65_535)),
            "mediumtext" => Family::Text(Some(16_777_215)),
            "longtext" => Family::Text(None),
            "date" => Family::Date,
            "timestamptz" => Family::Timestamp(true, p(0).unwrap_or(6)),
            "datetime" | "timestamp" => Family::Timestamp(false, p(0).unwrap_or(0)),
            other => Family::Other(other.to_string()),
        }
    }
}

impl Dialect {
    /// Whether every value of type `from` survives a change to type `to` (a widening or the
    /// same type). A change that can lose or alter values is destructive.
    pub fn lossless_change(self, from: &str, to: &str) -> bool {
        let (a, b) = (self.canonical_type(from), self.canonical_type(to));
        if a == b {
            return true;
        }
        let digits = |bits: u32| (bits as f64 * std::f64::consts::LOG10_2).ceil() as u32;
        match (self.type_family(&a), self.type_family(&b)) {
            (Family::Int(x, sx), Family::Int(y, sy)) => x <= y && (!sx || sy),
            (Family::Int(x, _), Family::Dec(d)) => d.is_none_or(|(i, _)| i >= digits(x)),
            (Family::Int(x, _), Family::Float(m)) => x <= m,
            (Family::Dec(Some((i1, s1))), Family::Dec(Some((i2, s2)))) => i1 <= i2 && s1 <= s2,
            (Family::Dec(_), Family::Dec(None)) => true,
            (Family::Float(x), Family::Float(y)) => x <= y,
            (Family::Text(x), Family::Text(y)) => match (x, y) {
                (_, None) => true,
                (Some(x), Some(y)) => x <= y,
                (None, Some(_)) => false,
            },
            // Numbers, dates and instants keep their values as text.
            (Family::Int(..) | Family::Dec(_) | Family::Float(_) | Family::Date | Family::Timestamp(..), Family::Text(None)) => true,
            (Family::Date, Family::Timestamp(..)) => true,
            (Family::Timestamp(z1, p1), Family::Timestamp(z2, p2)) => z1 == z2 && p1 <= p2,
            _ => false,
        }
    }

    /// Names compare exactly in PostgreSQL and ignoring ASCII case in MySQL/MariaDB.
    pub fn same_name(self, a: &str, b: &str) -> bool {
        if self == Dialect::Postgres { a == b } else { a.eq_ignore_ascii_case(b) }
    }

    /// Whether a generated column keeps its NOT NULL (PostgreSQL); MySQL's generated columns
    /// get none.
    pub fn generated_keeps_not_null(self) -> bool {
        !self.is_mysql_family()
    }

    /// The one name the server gives every primary key (MySQL's `PRIMARY`), or None where a
    /// key keeps the name it was made with (PostgreSQL).
    pub fn primary_key_name(self) -> Option<&'static str> {
        if self.is_mysql_family() { Some("PRIMARY") } else { None }
    }

    /// Whether an index can have a WHERE (PostgreSQL). On MySQL/MariaDB a partial index is
    /// created over all rows, and a partial UNIQUE one not at all.
    pub fn partial_indexes(self) -> bool {
        !self.is_mysql_family()
    }

    /// Whether an index on an expression is built on a virtual column the engine adds
    /// (MariaDB) rather than on the expression itself (PostgreSQL, MySQL 8).
    pub fn indexes_expressions_by_column(self) -> bool {
        self == Dialect::MariaDb
    }

    /// Whether the catalogs list, among the indexes, those of UNIQUE constraints and those
    /// InnoDB adds for foreign keys (MySQL/MariaDB).
    pub fn lists_constraint_indexes(self) -> bool {
        self.is_mysql_family()
    }
}

/// A key as the server's catalog prints it (`created_at, lower(b), "Kind"`): its parts at the
/// commas outside parentheses and identifiers quoted with `quote`, each trimmed and, where it
/// is one quoted identifier, unquoted (`quote` doubled inside stands for itself); an
/// expression as printed.
pub(crate) fn key_parts(list: &str, quote: char) -> Vec<String> {
    let mut key = vec![];
    let (mut depth, mut quoted, mut part) = (0i32, false, String::new());
    for ch in list.chars() {
        match ch {
            c if c == quote => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                key.push(unquote(&part, quote));
                part.clear();
                continue;
            }
            _ => {}
        }
        part.push(ch);
    }
    if !part.trim().is_empty() {
        key.push(unquote(&part, quote));
    }
    key
}

/// A quoted identifier's name (`"Kind"` → `Kind`, the quote doubled inside → one); anything
/// else as it is.
fn unquote(s: &str, quote: char) -> String {
    let s = s.trim();
    let (one, two) = (quote.to_string(), quote.to_string().repeat(2));
    match s.strip_prefix(quote).and_then(|x| x.strip_suffix(quote)) {
        Some(inner) if !inner.replace(&two, "").contains(quote) => inner.replace(&two, &one),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_there_is_named_as_what_it_is() {
        let of = |list: &[(&str, &str)]| list.iter().map(|(n, k)| Existing::new(n.to_string(), k)).collect::<Vec<_>>();
        let sixteen: Vec<(String, &str)> = (1..=16).map(|i| (format!("t{i:02}"), "r")).chain([("v_sales".to_string(), "v")]).collect();
        let sixteen: Vec<(&str, &str)> = sixteen.iter().map(|(n, k)| (n.as_str(), *k)).collect();
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("things", "BASE TABLE")], "1 table: things"),
            (vec![("v", "VIEW")], "1 view: v"),
            (vec![("a", "r"), ("b", "p")], "2 tables: a, b"),
            (sixteen, "16 tables and 1 view: t01, t02, t03, t04, t05 and 12 more"),
            (vec![("a", "r"), ("m", "m"), ("s", "S"), ("v", "v"), ("w", "v")], "1 table, 2 views, 1 materialized view and 1 sequence: a, m, s, v, w"),
            (vec![("f", "f"), ("s", "SEQUENCE"), ("x", "SYSTEM VERSIONED")], "1 table, 1 foreign table and 1 sequence: f, s, x"),
        ];
        for (list, want) in cases {
            assert_eq!(describe(&of(&list), 5), want);
        }
    }
}
