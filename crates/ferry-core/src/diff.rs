//! The planned target schema against what the target already holds: what would be created,
//! what is there and equal, what differs, what is extra — and, listed apart, the steps that
//! would destroy data (dropping an extra table or column, narrowing a type). Nothing here
//! writes to the target.
//!
//! The expected side is what `copy::migrate` builds from the same plan, dialect by dialect
//! (MySQL's primary key is always `PRIMARY`; MariaDB indexes an expression through a virtual
//! column; a partial index is created over all rows there, a partial UNIQUE one not at all).
//! Types compare by meaning (`int8` = `bigint`, `int(11)` = `int`), defaults, CHECKs and
//! index expressions by their text with quotes, casts, parentheses and spacing set aside.

use crate::dialect::session::{db_message, Conn, Target};
use crate::error::{FerryError, Result};
use crate::plan::Plan;
use crate::schema::{FkAction, LogicalType};
use crate::plan::resolve::{planned_tables, PlannedPart, PlannedPartition, PlannedTable};
use crate::dialect::{derived_name, Dialect};
use serde::{Deserialize, Serialize};
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// What the target holds (read by `dialect::inspect::Inspect::existing_tables`)
// ---------------------------------------------------------------------------------------------

/// A table as the target's catalogs describe it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ExistingTable {
    pub name: String,
    pub columns: Vec<ExistingColumn>,
    /// (constraint name, columns in key order).
    pub primary_key: Option<(String, Vec<String>)>,
    /// UNIQUE constraints (MySQL lists unique indexes here too): (name, columns).
    pub uniques: Vec<(String, Vec<String>)>,
    pub foreign_keys: Vec<ExistingForeignKey>,
    /// (name, the CHECK's expression as the server prints it).
    pub checks: Vec<(String, String)>,
    pub indexes: Vec<ExistingIndex>,
    /// How the table is partitioned, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<ExistingPartition>,
}

/// A partitioned table's partitioning as the catalogs describe it (PostgreSQL
/// `pg_partitioned_table` and `pg_get_partkeydef`; MySQL `information_schema.PARTITIONS`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ExistingPartition {
    /// `range`, `list`, `hash` (MySQL's `RANGE COLUMNS` reads as `range`).
    pub method: String,
    /// The partition key: column names, or expressions as the server prints them.
    pub key: Vec<String>,
    /// The partitions' names: PostgreSQL's partition tables, MySQL's partitions.
    pub partitions: Vec<String>,
    /// Each partition's bounds, beside its name, as the dialect words them for comparing
    /// (`dialect/*/partition.rs` `bound_words`): `from 2024-01-01 to 2024-02-01`, `default`
    /// (PostgreSQL); `less than 2024-02-01`, `less than MAXVALUE` (MySQL/MariaDB).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bounds: Vec<String>,
}

/// A column as the target holds it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ExistingColumn {
    pub name: String,
    /// The type as the server spells it (`character varying(20)`, `int(11)`).
    pub type_sql: String,
    pub not_null: bool,
    pub default: Option<String>,
    /// An identity, serial or AUTO_INCREMENT column.
    pub identity: bool,
    /// A generated column's expression.
    pub generated: Option<String>,
    pub collation: Option<String>,
}

/// A foreign key as the target holds it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ExistingForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub on_update: FkAction,
    pub on_delete: FkAction,
}

/// An index that backs no primary key or UNIQUE constraint (PostgreSQL); every index but
/// the primary key (MySQL).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ExistingIndex {
    pub name: String,
    pub unique: bool,
    /// Each part: a column name or an expression, and whether it is DESC.
    pub parts: Vec<(String, bool)>,
    pub where_sql: Option<String>,
    /// Columns carried without being searched by (PostgreSQL `INCLUDE`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// The diff
// ---------------------------------------------------------------------------------------------

/// One label per change, as the Diff view shows it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Planned, not in the target: migrate would create it.
    Create,
    /// In the target exactly as planned.
    Equal,
    /// In the target, but not as planned; bringing it to the plan loses no value.
    Different,
    /// In the target, not in the plan.
    Extra,
    /// In the target, but bringing it to the plan could lose values (a narrower type).
    Destructive,
}

impl Status {
    /// The label as text: "create", "equal", "different", "extra", "destructive".
    pub fn label(self) -> &'static str {
        match self {
            Status::Create => "create",
            Status::Equal => "equal",
            Status::Different => "different",
            Status::Extra => "extra",
            Status::Destructive => "destructive",
        }
    }
}

/// What kind of object an item is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Column,
    PrimaryKey,
    Unique,
    ForeignKey,
    Check,
    Index,
    /// How a table is partitioned (or that it is not).
    Partitioning,
}

impl ObjectKind {
    /// How the object is named in text.
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Column => "column",
            ObjectKind::PrimaryKey => "primary key",
            ObjectKind::Unique => "unique",
            ObjectKind::ForeignKey => "foreign key",
            ObjectKind::Check => "check",
            ObjectKind::Index => "index",
            ObjectKind::Partitioning => "partitioning",
        }
    }
}

/// One object of a table, side by side: as planned and as the target has it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemDiff {
    pub kind: ObjectKind,
    pub name: String,
    pub status: Status,
    /// The planned object in one line (none when extra).
    pub planned: Option<String>,
    /// The object in the target in one line (none when it would be created).
    pub actual: Option<String>,
    /// What differs, one entry per property (`type: integer → text`).
    pub differences: Vec<String>,
}

/// One table, side by side.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableDiff {
    /// The name in the target.
    pub name: String,
    /// The source table it comes from (none for an extra table).
    pub source: Option<String>,
    pub status: Status,
    pub items: Vec<ItemDiff>,
}

/// A step that would destroy data, listed for a person to decide on; never run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DestructiveStep {
    pub table: String,
    /// `drop table`, `drop column`, `change type`.
    pub action: String,
    pub object: String,
    pub detail: String,
}

/// The planned schema against the target.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SchemaDiff {
    pub dialect: Dialect,
    /// The target URL, password hidden.
    pub target: String,
    /// `schema "public" of database "shop"` / `database "shop"`.
    pub place: String,
    pub tables: Vec<TableDiff>,
    pub destructive: Vec<DestructiveStep>,
}

impl SchemaDiff {
    /// Every planned object is in the target as planned, and nothing else is there.
    pub fn matches(&self) -> bool {
        self.tables.iter().all(|t| t.status == Status::Equal)
    }

    /// The target holds none of the planned tables and nothing else.
    pub fn target_empty(&self) -> bool {
        self.tables.iter().all(|t| t.status == Status::Create)
    }

    /// How many items (tables without items counted once) carry each label.
    pub fn counts(&self) -> Vec<(Status, usize)> {
        let all = [Status::Create, Status::Equal, Status::Different, Status::Extra, Status::Destructive];
        all.iter()
            .map(|s| (*s, self.tables.iter().map(|t| if t.items.is_empty() { usize::from(t.status == *s) } else { t.items.iter().filter(|i| i.status == *s).count() }).sum()))
            .collect()
    }

    /// Planned tables (and their objects) that are not in the target as planned, one line
    /// each: what `--data-only` refuses. Extra tables are left out.
    pub fn mismatches(&self) -> Vec<String> {
        let mut out = vec![];
        for t in self.tables.iter().filter(|t| t.source.is_some()) {
            if t.status == Status::Create {
                out.push(format!("table {} is missing", t.name));
                continue;
            }
            for i in t.items.iter().filter(|i| i.status != Status::Equal) {
                let what = match i.status {
                    Status::Create => "is missing".to_string(),
                    Status::Extra => "is not in the plan".to_string(),
                    _ => format!("differs ({})", i.differences.join("; ")),
                };
                out.push(format!("{}: {} {} {what}", t.name, i.kind.label(), i.name));
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Types by meaning
// ---------------------------------------------------------------------------------------------

/// Whether two spellings name the same type in the dialect (`Dialect::canonical_type`).
pub fn same_type(dialect: Dialect, a: &str, b: &str) -> bool {
    dialect.canonical_type(a) == dialect.canonical_type(b)
}

// ---------------------------------------------------------------------------------------------
// Expressions by their text
// ---------------------------------------------------------------------------------------------

/// An expression's skeleton for comparing what the plan writes with what the server prints
/// back: lowercase outside string literals, identifier quotes, `::type` casts, parentheses
/// and spaces dropped (`("qty" > 0)` and `qty > 0::numeric` both give `qty>0`).
pub fn expr_skeleton(s: &str) -> String {
    let s = &casts_as_colons(s);
    const TYPE_WORDS: [&str; 6] = ["with", "without", "time", "zone", "varying", "precision"];
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // A string literal, kept exactly ('' inside stays).
            out.push(c);
            i += 1;
            while i < chars.len() {
                out.push(chars[i]);
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            continue;
        }
        if c == ':' && chars.get(i + 1) == Some(&':') {
            // A cast: the type name, its extra words, its modifiers, an array mark.
            i += 2;
            loop {
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '"') {
                    i += 1;
                }
                let rest: String = chars[i..].iter().collect::<String>().to_ascii_lowercase();
                match TYPE_WORDS.iter().find(|w| rest.starts_with(&format!(" {w}"))) {
                    Some(w) => i += w.len() + 1,
                    None => break,
                }
            }
            if chars.get(i) == Some(&'(') {
                while i < chars.len() && chars[i] != ')' {
                    i += 1;
                }
                i += 1;
            }
            if chars.get(i) == Some(&'[') && chars.get(i + 1) == Some(&']') {
                i += 2;
            }
            continue;
        }
        if !(c.is_whitespace() || matches!(c, '"' | '`' | '(' | ')')) {
            out.extend(c.to_lowercase());
        }
        i += 1;
    }
    // PostgreSQL prints `x IN (a, b)` as `x = ANY (ARRAY[a, b])`, `NOT IN` as `<> ALL`.
    for (from, to) in [("=anyarray[", "in"), ("<>allarray[", "notin")] {
        while let Some(at) = find_outside_literals(&out, from) {
            let body = at + from.len();
            let end = find_outside_literals(&out[body..], "]").map(|e| body + e).unwrap_or(out.len());
            out = format!("{}{to}{}{}", &out[..at], &out[body..end], out.get(end + 1..).unwrap_or(""));
        }
    }
    out
}

/// `CAST(x AS type)` written as `(x)::t`, innermost first, so the skeleton drops the type as
/// it drops PostgreSQL's `::type` (the server prints `CAST(x AS text)` as `(x)::text`, MariaDB
/// as `cast(x as char charset utf8mb4)`).
fn casts_as_colons(s: &str) -> String {
    let mut s = s.to_string();
    // MariaDB prints lower() and upper() back as lcase() and ucase().
    for (from, to) in [("lcase(", "lower("), ("ucase(", "upper(")] {
        while let Some(at) = find_outside_literals(&s.to_ascii_lowercase(), from).filter(|&at| !s[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')) {
            s.replace_range(at..at + from.len(), to);
        }
    }
    for _ in 0..64 {
        let lower = s.to_ascii_lowercase();
        let starts: Vec<usize> = (0..lower.len())
            .filter(|&i| lower[i..].starts_with("cast(") && !lower[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') && !in_literal(&lower, i))
            .collect();
        let Some(&at) = starts.last() else { break };
        let body = at + 5;
        let (mut depth, mut as_at, mut end) = (0i32, None, None);
        let mut lit = false;
        for (j, c) in lower[body..].char_indices() {
            match c {
                '\'' => lit = !lit,
                _ if lit => {}
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = Some(body + j);
                    break;
                }
                ')' => depth -= 1,
                _ if depth == 0 && lower[body + j..].starts_with(" as ") => as_at = Some(body + j),
                _ => {}
            }
        }
        let (Some(as_at), Some(end)) = (as_at, end) else { break };
        s = format!("{}({})::t{}", &s[..at], &s[body..as_at], &s[end + 1..]);
    }
    s
}

fn in_literal(s: &str, at: usize) -> bool {
    s[..at].chars().filter(|&c| c == '\'').count() % 2 == 1
}

/// Where `pat` starts in `s`, not counting text inside '…' literals.
fn find_outside_literals(s: &str, pat: &str) -> Option<usize> {
    let mut in_literal = false;
    for (i, c) in s.char_indices() {
        if c == '\'' {
            in_literal = !in_literal;
        } else if !in_literal && s[i..].starts_with(pat) {
            return Some(i);
        }
    }
    None
}

/// A time's zero fraction of a second left out (`00:00:00.000+00` → `00:00:00+00`), as
/// PostgreSQL prints a timestamp default back.
fn drop_zero_fractions(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        if c[i] == '.' && i > 0 && c[i - 1].is_ascii_digit() && c.get(i + 1) == Some(&'0') {
            let mut j = i + 1;
            while c.get(j) == Some(&'0') {
                j += 1;
            }
            if !c.get(j).is_some_and(|x| x.is_ascii_digit()) {
                i = j;
                continue;
            }
        }
        out.push(c[i]);
        i += 1;
    }
    out
}

fn same_expr(a: &str, b: &str) -> bool {
    expr_skeleton(a) == expr_skeleton(b)
}

// ---------------------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------------------

fn same_names(dialect: Dialect, a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| dialect.same_name(x, y))
}

/// A column as the engine creates it.
struct Expected {
    name: String,
    type_sql: String,
    not_null: bool,
    default: Option<String>,
    identity: bool,
    generated: Option<String>,
    collation: Option<String>,
}

fn describe_column(type_sql: &str, not_null: bool, default: Option<&str>, identity: bool, generated: Option<&str>, collation: Option<&str>) -> String {
    let mut s = type_sql.to_string();
    if let Some(g) = generated {
        s.push_str(&format!(" GENERATED AS ({g})"));
    }
    if not_null {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    if identity {
        s.push_str(" IDENTITY");
    }
    if let Some(c) = collation {
        s.push_str(&format!(" COLLATE {c}"));
    }
    s
}

fn expected_columns(t: &PlannedTable, dialect: Dialect, collations: (Option<&str>, &str)) -> Vec<Expected> {
    t.columns
        .iter()
        .map(|c| {
            let generated = c.generated_sql.as_ref().map(|g| g.0.clone());
            let collation = match (collations, &c.logical) {
                ((_, nocase), _) if c.case_insensitive => Some(nocase.to_string()),
                ((binary, _), LogicalType::Text { .. }) => binary.map(String::from),
                _ => None,
            };
            Expected {
                name: c.name.clone(),
                type_sql: c.type_sql.clone(),
                // MySQL: generated columns get no NOT NULL; PostgreSQL keeps it.
                not_null: c.not_null && (generated.is_none() || dialect.generated_keeps_not_null()),
                default: if generated.is_some() { None } else { c.default_sql.clone() },
                identity: t.identity.as_ref().is_some_and(|(n, _)| *n == c.name),
                generated,
                collation,
            }
        })
        // A column the plan adds (Citus: the distribution column, filled while loading).
        .chain(t.added.iter().map(|a| Expected { name: a.name.clone(), type_sql: a.type_sql.clone(), not_null: true, default: None, identity: false, generated: None, collation: None }))
        .collect()
}

fn compare_column(dialect: Dialect, e: &Expected, a: &crate::diff::ExistingColumn) -> ItemDiff {
    let mut differences = vec![];
    let mut destructive = false;
    if !same_type(dialect, &e.type_sql, &a.type_sql) {
        let lossless = dialect.lossless_change(&a.type_sql, &e.type_sql);
        destructive |= !lossless;
        differences.push(format!("type: {} in the target, {} planned{}", a.type_sql, e.type_sql, if lossless { "" } else { " (narrower: values could be lost)" }));
    }
    if e.not_null != a.not_null {
        differences.push(if e.not_null { "nullability: NULL allowed in the target, NOT NULL planned".into() } else { "nullability: NOT NULL in the target, NULL allowed planned".into() });
    }
    let same_default = match (&e.default, &a.default) {
        (None, None) => true,
        (Some(x), Some(y)) => same_expr(x, y) || drop_zero_fractions(&expr_skeleton(x)) == drop_zero_fractions(&expr_skeleton(y)),
        // PostgreSQL prints DEFAULT NULL as no default.
        (Some(x), None) | (None, Some(x)) => x.trim().eq_ignore_ascii_case("null"),
    };
    if !same_default {
        differences.push(format!("default: {} in the target, {} planned", a.default.as_deref().unwrap_or("none"), e.default.as_deref().unwrap_or("none")));
    }
    if e.identity != a.identity {
        differences.push(format!("identity: {} in the target, {} planned", if a.identity { "yes" } else { "no" }, if e.identity { "yes" } else { "no" }));
    }
    if e.generated.is_some() != a.generated.is_some() {
        differences.push(format!("generated: {} in the target, {} planned", a.generated.as_deref().unwrap_or("no"), e.generated.as_deref().unwrap_or("no")));
    }
    if let Some(want) = &e.collation {
        if !a.collation.as_deref().is_some_and(|have| want.eq_ignore_ascii_case(have)) {
            differences.push(format!("collation: {} in the target, {want} planned", a.collation.as_deref().unwrap_or("the default")));
        }
    }
    ItemDiff {
        kind: ObjectKind::Column,
        name: e.name.clone(),
        status: if destructive { Status::Destructive } else if differences.is_empty() { Status::Equal } else { Status::Different },
        planned: Some(describe_column(&e.type_sql, e.not_null, e.default.as_deref(), e.identity, e.generated.as_deref(), e.collation.as_deref())),
        actual: Some(describe_column(&a.type_sql, a.not_null, a.default.as_deref(), a.identity, a.generated.as_deref(), a.collation.as_deref())),
        differences,
    }
}

fn item(kind: ObjectKind, name: &str, planned: Option<String>, actual: Option<String>, differences: Vec<String>) -> ItemDiff {
    let status = match (&planned, &actual) {
        (Some(_), None) => Status::Create,
        (None, _) => Status::Extra,
        _ if differences.is_empty() => Status::Equal,
        _ => Status::Different,
    };
    ItemDiff { kind, name: name.to_string(), status, planned, actual, differences }
}

fn cols_text(c: &[String]) -> String {
    format!("({})", c.join(", "))
}

fn fk_text(columns: &[String], ref_table: &str, ref_columns: &[String], on_update: FkAction, on_delete: FkAction) -> String {
    format!("{} → {}{} ON UPDATE {} ON DELETE {}", cols_text(columns), ref_table, cols_text(ref_columns), on_update.sql(), on_delete.sql())
}

fn index_text(unique: bool, parts: &[(String, bool)], where_sql: Option<&str>) -> String {
    let p: Vec<String> = parts.iter().map(|(p, d)| format!("{p}{}", if *d { " DESC" } else { "" })).collect();
    format!("{}({}){}", if unique { "UNIQUE " } else { "" }, p.join(", "), where_sql.map(|w| format!(" WHERE {w}")).unwrap_or_default())
}

/// ` INCLUDE (a, b)`, or nothing for an index that carries no columns.
fn include_text(include: &[String]) -> String {
    if include.is_empty() { String::new() } else { format!(" INCLUDE {}", cols_text(include)) }
}

fn include_words(include: &[String]) -> String {
    if include.is_empty() { "none".into() } else { cols_text(include) }
}

/// A planned partitioning in words: `range (created_at) monthly: 15 partitions (…)`.
fn planned_partition_text(p: &PlannedPartition, dialect: Dialect) -> String {
    let names = dialect.partition_names(p);
    format!("{}: {} partitions ({})", planned_words(p), names.len(), list_some(&names))
}

fn existing_partition_text(x: &ExistingPartition) -> String {
    format!("{} ({}): {} partitions ({})", x.method, x.key.join(", "), x.partitions.len(), list_some(&x.partitions))
}

/// Up to four names; more as the first two, an ellipsis and the last two.
fn list_some(names: &[String]) -> String {
    if names.len() <= 4 {
        return names.join(", ");
    }
    format!("{}, … {}", names[..2].join(", "), names[names.len() - 2..].join(", "))
}

/// The planned partitioning (or none) against the target's, as one item; None when neither
/// side partitions the table.
fn compare_partitioning(dialect: Dialect, t: &PlannedTable, x: &ExistingTable) -> Option<ItemDiff> {
    let (planned, actual) = (t.partition.as_ref(), x.partition.as_ref());
    if planned.is_none() && actual.is_none() {
        return None;
    }
    let planned_text = planned.map(|p| planned_partition_text(p, dialect)).unwrap_or_else(|| "not partitioned".into());
    let actual_text = actual.map(existing_partition_text).unwrap_or_else(|| "not partitioned".into());
    let mut diffs = vec![];
    match (planned, actual) {
        (Some(p), None) => diffs.push(format!("planned partitioned by {}; the target's table is not partitioned", planned_words(p))),
        (None, Some(a)) => diffs.push(format!("the target's table is partitioned by {} ({} partitions); planned not partitioned", existing_words(a), a.partitions.len())),
        (Some(p), Some(a)) => {
            let same_key = a.method == "range" && a.key.len() == 1 && dialect.same_name(&a.key[0], &p.column);
            if !same_key {
                diffs.push(format!("partition key: {} in the target, range ({}) planned", existing_words(a), p.column));
            }
            let want = dialect.partition_names(p);
            let missing: Vec<String> = want.iter().filter(|w| !a.partitions.iter().any(|h| dialect.same_name(h, w))).cloned().collect();
            let extra: Vec<String> = a.partitions.iter().filter(|h| !want.iter().any(|w| dialect.same_name(h, w))).cloned().collect();
            if !missing.is_empty() {
                diffs.push(format!("partitions planned, not in the target: {}", list_some(&missing)));
            }
            if !extra.is_empty() {
                diffs.push(format!("partitions in the target, not planned: {}", list_some(&extra)));
            }
            // The partitions both have: the same bounds (a table made by hand, or planned over
            // another span, can have a partition of the same name over other dates).
            let planned_bounds = dialect.partition_bounds(p, &t.partition_key_type(p));
            let moved: Vec<String> = want
                .iter()
                .zip(&planned_bounds)
                .filter_map(|(name, planned)| {
                    let i = a.partitions.iter().position(|h| dialect.same_name(h, name))?;
                    let actual = a.bounds.get(i)?;
                    (actual != planned).then(|| format!("{name} holds {actual} in the target, {planned} planned"))
                })
                .collect();
            if !moved.is_empty() {
                diffs.push(format!("partition bounds: {}", list_some(&moved)));
            }
        }
        (None, None) => {}
    }
    Some(ItemDiff { kind: ObjectKind::Partitioning, name: t.name.clone(), status: if diffs.is_empty() { Status::Equal } else { Status::Different }, planned: Some(planned_text), actual: Some(actual_text), differences: diffs })
}

/// `range (created_at) monthly`.
fn planned_words(p: &PlannedPartition) -> String {
    let every = match p.ranges.first().map(|r| r.label.contains('m')) {
        Some(true) => " monthly",
        Some(false) => " yearly",
        None => "",
    };
    format!("range ({}){every}", p.column)
}

fn existing_words(x: &ExistingPartition) -> String {
    format!("{} ({})", x.method, x.key.join(", "))
}

/// Compares the planned tables with what the target holds. `collations`: the collation text
/// columns get (MySQL's binary one; PostgreSQL's default, unnamed) and the one for columns
/// compared without case (`Target::collations`).
pub fn compare(planned: &[PlannedTable], existing: &[ExistingTable], dialect: Dialect, collations: (Option<&str>, &str)) -> (Vec<TableDiff>, Vec<DestructiveStep>) {
    let mut tables = vec![];
    let mut destructive = vec![];
    for t in planned {
        let Some(x) = existing.iter().find(|x| dialect.same_name(&x.name, &t.name)) else {
            tables.push(TableDiff { name: t.name.clone(), source: Some(t.source.name.clone()), status: Status::Create, items: vec![] });
            continue;
        };
        let mut items = vec![];
        // Columns the engine adds on MariaDB to index an expression.
        let mut engine_columns: Vec<String> = vec![];
        for e in expected_columns(t, dialect, collations) {
            match x.columns.iter().find(|c| dialect.same_name(&c.name, &e.name)) {
                Some(a) => items.push(compare_column(dialect, &e, a)),
                None => items.push(item(ObjectKind::Column, &e.name, Some(describe_column(&e.type_sql, e.not_null, e.default.as_deref(), e.identity, e.generated.as_deref(), e.collation.as_deref())), None, vec![])),
            }
        }
        // Primary key: MySQL's is always named PRIMARY.
        if let Some((name, cols)) = &t.primary_key {
            let shown = dialect.primary_key_name().unwrap_or(name.as_str());
            let actual = x.primary_key.as_ref();
            let mut diffs = vec![];
            if let Some((an, ac)) = actual {
                if !same_names(dialect, cols, ac) {
                    diffs.push(format!("columns: {} in the target, {} planned", cols_text(ac), cols_text(cols)));
                }
                if dialect.primary_key_name().is_none() && an != name {
                    diffs.push(format!("name: {an} in the target"));
                }
            }
            items.push(item(ObjectKind::PrimaryKey, shown, Some(cols_text(cols)), actual.map(|a| cols_text(&a.1)), diffs));
        } else if let Some((an, ac)) = &x.primary_key {
            items.push(item(ObjectKind::PrimaryKey, an, None, Some(cols_text(ac)), vec![]));
        }
        // UNIQUE constraints.
        for (name, cols) in &t.uniques {
            let actual = x.uniques.iter().find(|(n, _)| dialect.same_name(n, name));
            let diffs = match actual {
                Some((_, ac)) if !same_names(dialect, cols, ac) => vec![format!("columns: {} in the target, {} planned", cols_text(ac), cols_text(cols))],
                _ => vec![],
            };
            items.push(item(ObjectKind::Unique, name, Some(cols_text(cols)), actual.map(|a| cols_text(&a.1)), diffs));
        }
        // Indexes, as the engine builds them in this dialect.
        let mut planned_index_names = vec![];
        for ix in &t.indexes {
            if !dialect.partial_indexes() && ix.where_sql.is_some() && (ix.unique || t.covered_when_full(ix).is_some()) {
                continue; // never created there (the migrate report says so)
            }
            planned_index_names.push(ix.name.clone());
            let parts: Vec<(String, bool)> = ix
                .parts
                .iter()
                .enumerate()
                .map(|(i, p)| match p {
                    PlannedPart::Column { name, desc } => (name.clone(), *desc),
                    PlannedPart::Expr { sql, desc } if dialect.indexes_expressions_by_column() => {
                        let col = derived_name(dialect, &["ferry", &ix.name, &i.to_string()], "expr");
                        engine_columns.push(col.clone());
                        let _ = sql;
                        (col, *desc)
                    }
                    PlannedPart::Expr { sql, desc } => (format!("({sql})"), *desc),
                })
                .collect();
            let where_sql = if dialect.partial_indexes() { ix.where_sql.clone() } else { None };
            let actual = x.indexes.iter().find(|i| dialect.same_name(&i.name, &ix.name));
            let mut diffs = vec![];
            if let Some(a) = actual {
                if a.unique != ix.unique {
                    diffs.push(format!("unique: {} in the target, {} planned", a.unique, ix.unique));
                }
                let same_parts = a.parts.len() == parts.len() && a.parts.iter().zip(&parts).all(|((x, dx), (y, dy))| dx == dy && same_expr(x, y));
                if !same_parts {
                    diffs.push(format!("parts: {} in the target, {} planned", index_text(false, &a.parts, None), index_text(false, &parts, None)));
                }
                let same_where = match (&a.where_sql, &where_sql) {
                    (None, None) => true,
                    (Some(p), Some(q)) => same_expr(p, q),
                    _ => false,
                };
                if !same_where {
                    diffs.push(format!("WHERE: {} in the target, {} planned", a.where_sql.as_deref().unwrap_or("none"), where_sql.as_deref().unwrap_or("none")));
                }
                // A covering index's carried columns (PostgreSQL INCLUDE; MySQL appends them
                // to the key, compared as parts above).
                if !same_names(dialect, &a.include, &ix.include) {
                    diffs.push(format!("INCLUDE: {} in the target, {} planned", include_words(&a.include), include_words(&ix.include)));
                }
            }
            let planned_text = index_text(ix.unique, &parts, where_sql.as_deref()) + &include_text(&ix.include);
            items.push(item(ObjectKind::Index, &ix.name, Some(planned_text), actual.map(|a| index_text(a.unique, &a.parts, a.where_sql.as_deref()) + &include_text(&a.include)), diffs));
        }
        // Partitioning: planned or in the target (or both).
        items.extend(compare_partitioning(dialect, t, x));
        // CHECKs.
        for ck in &t.checks {
            let actual = x.checks.iter().find(|(n, _)| dialect.same_name(n, &ck.name));
            let diffs = match actual {
                Some((_, sql)) if !same_expr(sql, &ck.sql) => vec![format!("expression: {sql} in the target, {} planned", ck.sql)],
                _ => vec![],
            };
            items.push(item(ObjectKind::Check, &ck.name, Some(ck.sql.clone()), actual.map(|a| a.1.clone()), diffs));
        }
        // Foreign keys.
        for fk in &t.foreign_keys {
            let actual = x.foreign_keys.iter().find(|f| dialect.same_name(&f.name, &fk.name));
            let planned_text = fk_text(&fk.target_columns, &fk.ref_table, &fk.ref_columns, dialect.fk_action_as_kept(fk.on_update), dialect.fk_action_as_kept(fk.on_delete));
            let mut diffs = vec![];
            if let Some(a) = actual {
                if !same_names(dialect, &a.columns, &fk.target_columns) || !dialect.same_name(&a.ref_table, &fk.ref_table) || !same_names(dialect, &a.ref_columns, &fk.ref_columns) {
                    diffs.push("columns or referenced table differ".into());
                }
                if dialect.fk_action_as_kept(a.on_update) != dialect.fk_action_as_kept(fk.on_update) || dialect.fk_action_as_kept(a.on_delete) != dialect.fk_action_as_kept(fk.on_delete) {
                    diffs.push("ON UPDATE / ON DELETE actions differ".into());
                }
            }
            let actual_text = actual.map(|a| fk_text(&a.columns, &a.ref_table, &a.ref_columns, dialect.fk_action_as_kept(a.on_update), dialect.fk_action_as_kept(a.on_delete)));
            items.push(item(ObjectKind::ForeignKey, &fk.name, Some(planned_text), actual_text, diffs));
        }
        // An FTS table's search: PostgreSQL's generated column, the index.
        if let Some(s) = &t.search {
            engine_columns.push(s.vector.clone());
            planned_index_names.push(s.index.clone());
        }
        // What the target has beyond the plan.
        for c in &x.columns {
            let planned_col = t.columns.iter().any(|p| dialect.same_name(&p.name, &c.name)) || t.added.as_ref().is_some_and(|a| dialect.same_name(&a.name, &c.name)) || engine_columns.iter().any(|n| dialect.same_name(n, &c.name));
            if !planned_col {
                items.push(item(ObjectKind::Column, &c.name, None, Some(describe_column(&c.type_sql, c.not_null, c.default.as_deref(), c.identity, c.generated.as_deref(), c.collation.as_deref())), vec![]));
                destructive.push(DestructiveStep { table: t.name.clone(), action: "drop column".into(), object: c.name.clone(), detail: format!("column {}.{} ({}) is not in the plan; dropping it deletes its values", t.name, c.name, c.type_sql) });
            }
        }
        let fk_names: Vec<&str> = x.foreign_keys.iter().map(|f| f.name.as_str()).collect();
        for (name, cols) in &x.uniques {
            let known = t.uniques.iter().any(|(n, _)| dialect.same_name(n, name)) || planned_index_names.iter().any(|n| dialect.same_name(n, name));
            if !known {
                items.push(item(ObjectKind::Unique, name, None, Some(cols_text(cols)), vec![]));
            }
        }
        for ix in &x.indexes {
            // MySQL lists UNIQUE constraints' indexes and the ones InnoDB adds for foreign keys.
            let owned = dialect.lists_constraint_indexes() && (x.uniques.iter().any(|(n, _)| n == &ix.name) || fk_names.contains(&ix.name.as_str()));
            if !owned && !planned_index_names.iter().any(|n| dialect.same_name(n, &ix.name)) {
                items.push(item(ObjectKind::Index, &ix.name, None, Some(index_text(ix.unique, &ix.parts, ix.where_sql.as_deref()) + &include_text(&ix.include)), vec![]));
            }
        }
        for (name, sql) in &x.checks {
            if !t.checks.iter().any(|c| dialect.same_name(&c.name, name)) {
                items.push(item(ObjectKind::Check, name, None, Some(sql.clone()), vec![]));
            }
        }
        for f in &x.foreign_keys {
            if !t.foreign_keys.iter().any(|p| dialect.same_name(&p.name, &f.name)) {
                items.push(item(ObjectKind::ForeignKey, &f.name, None, Some(fk_text(&f.columns, &f.ref_table, &f.ref_columns, f.on_update, f.on_delete)), vec![]));
            }
        }
        for i in items.iter().filter(|i| i.status == Status::Destructive) {
            destructive.push(DestructiveStep { table: t.name.clone(), action: "change type".into(), object: i.name.clone(), detail: format!("column {}.{}: {}", t.name, i.name, i.differences.first().cloned().unwrap_or_default()) });
        }
        let status = if items.iter().any(|i| i.status == Status::Destructive) {
            Status::Destructive
        } else if items.iter().all(|i| i.status == Status::Equal) {
            Status::Equal
        } else {
            Status::Different
        };
        tables.push(TableDiff { name: t.name.clone(), source: Some(t.source.name.clone()), status, items });
    }
    for x in existing {
        if !planned.iter().any(|t| dialect.same_name(&t.name, &x.name)) {
            tables.push(TableDiff { name: x.name.clone(), source: None, status: Status::Extra, items: vec![] });
            destructive.push(DestructiveStep { table: x.name.clone(), action: "drop table".into(), object: x.name.clone(), detail: format!("table {} is not in the plan; dropping it deletes its rows", x.name) });
        }
    }
    (tables, destructive)
}

/// Reads the tables the target holds (in its PostgreSQL schema or MySQL database), Ferry's
/// run journal aside.
pub async fn existing_tables(target: &Target, conn: &mut Conn) -> Result<Vec<ExistingTable>> {
    let all = conn.existing_tables(&target.pg_schema, target.dialect).await.map_err(|e| FerryError::Target { object: "the catalog of existing tables".into(), detail: db_message(&e) })?;
    Ok(all.into_iter().filter(|t| !crate::dialect::session::is_journal(&t.name)).collect())
}

/// The planned tables against what the target's open session sees.
pub async fn diff_planned(target: &Target, conn: &mut Conn, planned: &[PlannedTable]) -> Result<SchemaDiff> {
    let existing = existing_tables(target, conn).await?;
    let (tables, destructive) = compare(planned, &existing, target.dialect, target.collations());
    Ok(SchemaDiff { dialect: target.dialect, target: target.url.redacted.clone(), place: target.place(), tables, destructive })
}

/// `ferry diff`: reads the source (and profiles it, as the proposal needs), applies the plan
/// (or the proposal), and compares the result with the target at `url`. Writes nothing.
pub async fn diff(source: &Path, url: &str, plan: Option<&Plan>, plan_path: Option<&str>, pg_schema: Option<&str>) -> Result<SchemaDiff> {
    let (target, mut conn) = Target::open(url, pg_schema).await?;
    let src = source.to_path_buf();
    let schema = tokio::task::spawn_blocking(move || crate::source::sqlite::read_source(&src, true, 2)).await.map_err(|e| FerryError::Other(e.to_string()))??;
    let resolved = crate::plan::Plan::resolve(plan, plan_path.unwrap_or("plan"), &schema, source, target.dialect)?;
    let planned = built_tables(&schema, &resolved, target.dialect)?;
    diff_planned(&target, &mut conn, &planned).await
}

/// The tables `migrate` builds from `plan`: planned, with the plan's pre-flight choices
/// applied (types widened, constraints dropped), as the run applies them. `diff` and
/// `validate` compare the target with these, so after a run they name the same differences.
pub fn built_tables(schema: &crate::schema::Schema, plan: &Plan, dialect: Dialect) -> Result<Vec<PlannedTable>> {
    let mut planned = planned_tables(schema, plan, dialect)?;
    crate::plan::choices::apply_choices(&mut planned, plan, dialect)?;
    Ok(planned)
}

/// What `migrate --data-only` needs before it loads: every planned table in the target as
/// planned (extra tables may be there) and empty. Refuses naming what differs, or which
/// tables already hold rows.
pub async fn check_data_only(target: &Target, conn: &mut Conn, planned: &[PlannedTable]) -> Result<()> {
    let d = diff_planned(target, conn, planned).await?;
    let mismatches = d.mismatches();
    if !mismatches.is_empty() {
        let shown: Vec<String> = mismatches.iter().take(8).cloned().collect();
        let more = if mismatches.len() > 8 { format!("; and {} more", mismatches.len() - 8) } else { String::new() };
        return Err(FerryError::Other(format!(
            "--data-only: the tables in the target {} do not match the plan: {}{more}. See them all with `ferry diff`; create the schema with `ferry migrate` (without --data-only) into an empty database, or change the target to match",
            d.place,
            shown.join("; ")
        )));
    }
    let mut holding = vec![];
    for t in planned {
        let has = conn.has_rows(&target.pg_schema, &t.name).await.map_err(|e| FerryError::Target { object: format!("table {}", t.name), detail: db_message(&e) })?;
        if has {
            holding.push(t.name.clone());
        }
    }
    if !holding.is_empty() {
        return Err(FerryError::Other(format!(
            "--data-only loads into empty tables, but in the target {} these already hold rows: {}. Empty them first (TRUNCATE / DELETE), or migrate into an empty database",
            d.place,
            holding.join(", ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_types_compare_by_meaning() {
        let d = Dialect::Postgres;
        let same = [
            ("int8", "bigint"),
            ("int4", "integer"),
            ("int", "integer"),
            ("int2", "smallint"),
            ("character varying(20)", "varchar(20)"),
            ("timestamp with time zone", "timestamptz"),
            ("timestamp(6) with time zone", "timestamptz"),
            ("timestamp without time zone", "timestamp"),
            ("double precision", "float8"),
            ("bool", "boolean"),
            ("numeric(12, 2)", "NUMERIC(12,2)"),
            ("decimal(5)", "numeric(5,0)"),
            ("character(1)", "char"),
            ("integer[]", "int4[]"),
        ];
        for (a, b) in same {
            assert!(same_type(d, a, b), "{a} = {b}");
        }
        let different = [
            ("varchar(20)", "varchar(30)"),
            ("integer", "bigint"),
            ("timestamp", "timestamptz"),
            ("timestamptz(3)", "timestamptz"),
            ("json", "jsonb"),
            ("numeric", "numeric(12,2)"),
            ("text", "varchar"),
            ("real", "double precision"),
        ];
        for (a, b) in different {
            assert!(!same_type(d, a, b), "{a} ≠ {b}");
        }
    }

    #[test]
    fn mysql_types_compare_by_meaning() {
        for d in [Dialect::MySql, Dialect::MariaDb] {
            let same = [
                ("int(11)", "int"),
                ("integer", "int"),
                ("bigint(20)", "bigint"),
                ("tinyint(1)", "boolean"),
                ("bool", "tinyint(1)"),
                ("decimal", "decimal(10,0)"),
                ("numeric(12,2)", "DECIMAL(12, 2)"),
                ("double precision", "double"),
                ("datetime(0)", "datetime"),
                ("int(10) unsigned", "int unsigned"),
                ("char", "char(1)"),
            ];
            for (a, b) in same {
                assert!(same_type(d, a, b), "{a} = {b}");
            }
            let different = [
                ("tinyint(1)", "tinyint(4)"),
                ("int", "int unsigned"),
                ("datetime(6)", "datetime"),
                ("varchar(20)", "varchar(21)"),
                ("text", "longtext"),
                ("decimal(12,2)", "decimal(12,3)"),
                ("float", "double"),
            ];
            for (a, b) in different {
                assert!(!same_type(d, a, b), "{a} ≠ {b}");
            }
        }
    }

    #[test]
    fn narrowing_is_destructive_and_widening_is_not() {
        // (dialect, from (in the target), to (planned), lossless)
        let cases = [
            (Dialect::Postgres, "integer", "bigint", true),
            (Dialect::Postgres, "bigint", "integer", false),
            (Dialect::Postgres, "varchar(10)", "varchar(20)", true),
            (Dialect::Postgres, "varchar(20)", "varchar(10)", false),
            (Dialect::Postgres, "varchar(20)", "text", true),
            (Dialect::Postgres, "text", "varchar(20)", false),
            (Dialect::Postgres, "text", "bigint", false),
            (Dialect::Postgres, "bigint", "text", true),
            (Dialect::Postgres, "numeric(10,2)", "numeric(12,2)", true),
            (Dialect::Postgres, "numeric(12,4)", "numeric(12,2)", false),
            (Dialect::Postgres, "numeric", "numeric(12,2)", false),
            (Dialect::Postgres, "integer", "numeric(10,0)", true),
            (Dialect::Postgres, "bigint", "numeric(10,0)", false),
            (Dialect::Postgres, "real", "double precision", true),
            (Dialect::Postgres, "double precision", "real", false),
            (Dialect::Postgres, "bigint", "double precision", false),
            (Dialect::Postgres, "timestamptz", "timestamp", false),
            (Dialect::Postgres, "date", "timestamptz", true),
            (Dialect::Postgres, "bytea", "text", false),
            (Dialect::MariaDb, "int(11)", "bigint", true),
            (Dialect::MariaDb, "bigint(20)", "int", false),
            (Dialect::MariaDb, "int unsigned", "int", false),
            (Dialect::MariaDb, "int unsigned", "bigint", true),
            (Dialect::MariaDb, "varchar(50)", "longtext", true),
            (Dialect::MariaDb, "longtext", "varchar(50)", false),
            (Dialect::MariaDb, "text", "varchar(70000)", true),
            (Dialect::MariaDb, "datetime", "datetime(6)", true),
            (Dialect::MariaDb, "datetime(6)", "datetime", false),
            (Dialect::MariaDb, "tinyint(1)", "int", false),
            (Dialect::MariaDb, "double", "float", false),
        ];
        for (d, from, to, want) in cases {
            assert_eq!(d.lossless_change(from, to), want, "{d:?} {from} → {to}");
        }
    }

    #[test]
    fn zero_fractions_of_a_second_are_dropped() {
        let cases = [("'0001-01-0100:00:00.000+00bc'", "'0001-01-0100:00:00+00bc'"), ("'12:00:00.0'", "'12:00:00'"), ("1.05", "1.05"), ("1.500", "1.500"), ("x.0y", "x.0y"), ("3.00", "3")];
        for (a, want) in cases {
            assert_eq!(drop_zero_fractions(a), want, "{a}");
        }
    }

    #[test]
    fn expressions_compare_without_quotes_casts_and_parentheses() {
        let same = [
            ("\"qty\" > 0", "(qty > 0)"),
            ("`qty` > 0", "qty>0"),
            ("'abc'", "'abc'::text"),
            ("'x'", "'x'::character varying"),
            ("'2020-01-01 00:00:00+00'", "'2020-01-01 00:00:00+00'::timestamp with time zone"),
            ("price >= 0", "price >= 0::numeric"),
            ("CURRENT_TIMESTAMP", "current_timestamp()"),
            ("lower(\"email\")", "lower(email::text)"),
            ("\"plan\" IN ('free', 'pro')", "plan = ANY (ARRAY['free'::text, 'pro'::text])"),
            ("\"flag\" IN (0, 1)", "flag = ANY (ARRAY[0::bigint, 1::bigint])"),
            ("x NOT IN ('a')", "x <> ALL (ARRAY['a'::text])"),
            ("note IN ('=anyarray[')", "note IN ('=anyarray[')"),
            // CAST as the servers print it back: PostgreSQL `(x)::type`, MariaDB `cast(x as char charset …)`.
            ("(CAST(floor(extract(epoch FROM CURRENT_TIMESTAMP)) AS bigint))", "(floor(EXTRACT(epoch FROM CURRENT_TIMESTAMP)))::bigint"),
            ("(CAST(CAST(floor(x) AS bigint) AS text))", "((floor(x))::bigint)::text"),
            ("(CAST(UNIX_TIMESTAMP() AS CHAR))", "cast(unix_timestamp() as char charset utf8mb4)"),
            ("CAST((1 + 2) AS CHAR)", "cast(1 + 2 as char charset utf8mb4)"),
            ("'CAST(a AS b)'", "'CAST(a AS b)'"),
            ("(LOWER(HEX(RANDOM_BYTES(16))))", "lcase(hex(random_bytes(16)))"),
            ("UPPER(x)", "ucase(`x`)"),
        ];
        for (a, b) in same {
            assert!(same_expr(a, b), "{a} ~ {b}: {} vs {}", expr_skeleton(a), expr_skeleton(b));
        }
        let different = [("'CAST(a AS b)'", "'(a)::t'"), ("CAST(a AS int)", "CAST(b AS int)"), ("x IN ('a', 'b')", "x = ANY (ARRAY['a'::text])"), ("qty > 0", "qty >= 0"), ("'Abc'", "'abc'"), ("'a b'", "'ab'"), ("0", "1")];
        for (a, b) in different {
            assert!(!same_expr(a, b), "{a} ≁ {b}");
        }
    }
}
