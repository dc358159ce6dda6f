//! MySQL/MariaDB range partitions (`PlannedPartition`): `PARTITION BY RANGE COLUMNS(col)`, one
//! partition per period (`p2024m01`) and `pmax` up to MAXVALUE for the rows after the span
//! (the first one holds the rows before it). InnoDB partitioned tables take no foreign keys
//! and every unique key includes the partition key: `production::partition` plans them so.

use crate::dialect::Dialect;
use crate::plan::resolve::{PartitionBound, PlannedPartition};
use crate::schema::LogicalType;
use crate::sqlexpr::quote_ident;

fn q(s: &str) -> String {
    quote_ident(s, Dialect::MySql)
}

/// A bound as a literal of the column's type (`datetime(6)` holds UTC instants).
pub fn literal(b: PartitionBound, logical: &LogicalType) -> String {
    match (b, logical) {
        (PartitionBound::Epoch(n), _) => n.to_string(),
        (PartitionBound::Date(d), LogicalType::Timestamp { .. }) => format!("'{} 00:00:00'", d.format("%Y-%m-%d")),
        (PartitionBound::Date(d), _) => format!("'{}'", d.format("%Y-%m-%d")),
    }
}

/// The name of the catch-all partition.
pub const MAX: &str = "pmax";

/// A period's partition by its label (`y2024m01` → `p2024m01`).
pub fn name(label: &str) -> String {
    format!("p{}", label.trim_start_matches('y'))
}

/// The partitions' names, in order, the catch-all last.
pub fn names(p: &PlannedPartition) -> Vec<String> {
    p.ranges.iter().map(|r| name(&r.label)).chain([MAX.to_string()]).collect()
}

/// What follows the column list of `CREATE TABLE` (after its options).
pub fn clause(p: &PlannedPartition, logical: &LogicalType) -> String {
    let mut parts: Vec<String> = p.ranges.iter().map(|r| format!("PARTITION {} VALUES LESS THAN ({})", q(&name(&r.label)), literal(r.to, logical))).collect();
    parts.push(format!("PARTITION {} VALUES LESS THAN (MAXVALUE)", q(MAX)));
    format!("\nPARTITION BY RANGE COLUMNS({}) (\n  {}\n)", q(&p.column), parts.join(",\n  "))
}

/// The DDL a proposal shows (the columns elided).
pub fn proposal_sql(table: &str, primary_key: &[String], p: &PlannedPartition, logical: &LogicalType) -> Vec<String> {
    let pk = if primary_key.is_empty() { String::new() } else { format!(", PRIMARY KEY ({})", primary_key.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")) };
    vec![format!("CREATE TABLE {} (…{pk}){}", q(table), clause(p, logical))]
}
