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

/// Each partition's upper bound in `names`' order, in `bound_words`' words.
pub fn bounds(p: &PlannedPartition, logical: &LogicalType) -> Vec<String> {
    p.ranges.iter().map(|r| bound_words(&literal(r.to, logical))).chain([bound_words("MAXVALUE")]).collect()
}

/// A partition's bound as `information_schema.PARTITIONS.PARTITION_DESCRIPTION` holds it
/// (`'2024-02-01 00:00:00'`, `1706745600`, `MAXVALUE`), in the words `bounds` uses.
pub fn bound_words(description: &str) -> String {
    let v = description.trim().trim_matches('\'');
    format!("less than {}", v.strip_suffix(" 00:00:00").unwrap_or(v))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::resolve::{PartitionBound, PartitionRange};

    #[test]
    fn bounds_read_back_as_planned() {
        let day = |s: &str| PartitionBound::Date(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        let range = |from, to| PartitionRange { name: String::new(), label: "y2024m01".into(), from, to };
        let cases: &[(PartitionRange, LogicalType, &str)] = &[
            (range(day("2024-01-01"), day("2024-02-01")), LogicalType::Date, "'2024-02-01'"),
            (range(day("2024-01-01"), day("2024-02-01")), LogicalType::Timestamp { tz: false }, "'2024-02-01 00:00:00'"),
            (range(PartitionBound::Epoch(1704067200), PartitionBound::Epoch(1706745600)), LogicalType::Integer { bits: 64 }, "1706745600"),
        ];
        for (r, logical, catalog) in cases {
            let p = PlannedPartition { column: "c".into(), ranges: vec![r.clone()], default_name: String::new() };
            assert_eq!(bounds(&p, logical), vec![bound_words(catalog), bound_words("MAXVALUE")], "{catalog}");
        }
        assert_eq!(bound_words("'2030-01-01 00:00:00'"), "less than 2030-01-01");
        assert_eq!(bound_words("MAXVALUE"), "less than MAXVALUE");
    }
}
