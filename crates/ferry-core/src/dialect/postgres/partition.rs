//! PostgreSQL declarative range partitions (`PlannedPartition`): the parent's
//! `PARTITION BY RANGE`, one `PARTITION OF` per period and a DEFAULT one. Keys and indexes made
//! on the parent after the load cascade to every partition (`ALTER TABLE ONLY` would not).

use crate::dialect::Dialect;
use crate::plan::resolve::{PartitionBound, PlannedPartition};
use crate::schema::LogicalType;
use crate::sqlexpr::quote_ident;

fn q(s: &str) -> String {
    quote_ident(s, Dialect::Postgres)
}

/// A bound as a literal of the column's type: a timestamptz bound names its offset (UTC), so
/// the session's time zone cannot move it.
pub fn literal(b: PartitionBound, logical: &LogicalType) -> String {
    match (b, logical) {
        (PartitionBound::Epoch(n), _) => n.to_string(),
        (PartitionBound::Date(d), LogicalType::Timestamp { tz: true }) => format!("'{} 00:00:00+00'", d.format("%Y-%m-%d")),
        (PartitionBound::Date(d), _) => format!("'{}'", d.format("%Y-%m-%d")),
    }
}

/// The partitions' names (tables of their own), in order, the DEFAULT one last.
pub fn names(p: &PlannedPartition) -> Vec<String> {
    p.ranges.iter().map(|r| r.name.clone()).chain([p.default_name.clone()]).collect()
}

/// What follows the column list of the parent's `CREATE TABLE`.
pub fn clause(p: &PlannedPartition) -> String {
    format!(" PARTITION BY RANGE ({})", q(&p.column))
}

/// The partitions, made once the parent is; `name` turns a table name into SQL (qualified
/// where the run's tables are).
pub fn partitions(parent: &str, p: &PlannedPartition, logical: &LogicalType, name: impl Fn(&str) -> String) -> Vec<String> {
    let mut out: Vec<String> = p
        .ranges
        .iter()
        .map(|r| format!("CREATE TABLE {} PARTITION OF {parent} FOR VALUES FROM ({}) TO ({})", name(&r.name), literal(r.from, logical), literal(r.to, logical)))
        .collect();
    out.push(format!("CREATE TABLE {} PARTITION OF {parent} DEFAULT", name(&p.default_name)));
    out
}

/// The DDL a proposal shows (names unqualified; the columns elided).
pub fn proposal_sql(table: &str, primary_key: &[String], p: &PlannedPartition, logical: &LogicalType) -> Vec<String> {
    let mut out = vec![format!("CREATE TABLE {} (…){}", q(table), clause(p))];
    out.extend(partitions(&q(table), p, logical, q));
    if !primary_key.is_empty() {
        out.push(format!("ALTER TABLE {} ADD PRIMARY KEY ({})", q(table), primary_key.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")));
    }
    out
}
