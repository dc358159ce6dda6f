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

/// Each partition's bounds in `names`' order, in `bound_words`' words.
pub fn bounds(p: &PlannedPartition, logical: &LogicalType) -> Vec<String> {
    let word = |b| unquoted(&literal(b, logical));
    p.ranges.iter().map(|r| format!("from {} to {}", word(r.from), word(r.to))).chain(["default".to_string()]).collect()
}

/// A partition's bound as `pg_get_expr(relpartbound, oid)` prints it (`FOR VALUES FROM
/// ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00')`, `DEFAULT`), in the words
/// `bounds` uses; a bound of another kind (a list, a hash) as printed.
pub fn bound_words(expr: &str) -> String {
    let e = expr.trim();
    if e.eq_ignore_ascii_case("DEFAULT") {
        return "default".into();
    }
    let range = e.strip_prefix("FOR VALUES FROM (").and_then(|r| r.strip_suffix(')')).and_then(|r| r.split_once(") TO ("));
    match range {
        Some((from, to)) => format!("from {} to {}", unquoted(from), unquoted(to)),
        None => e.to_string(),
    }
}

/// A literal as a bound's words: its quotes off, and a midnight UTC off a date (PostgreSQL's
/// session here reads UTC, so a timestamptz bound prints `+00`).
fn unquoted(lit: &str) -> String {
    let v = lit.trim().trim_matches('\'');
    let v = v.strip_suffix("+00").unwrap_or(v);
    v.strip_suffix(" 00:00:00").unwrap_or(v).to_string()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::resolve::PartitionRange;

    #[test]
    fn bounds_read_back_as_planned() {
        let day = |s: &str| PartitionBound::Date(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        let range = |from, to| PartitionRange { name: "p".into(), label: "y2024m01".into(), from, to };
        let cases: &[(PartitionRange, LogicalType, &str)] = &[
            (range(day("2024-01-01"), day("2024-02-01")), LogicalType::Date, "FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')"),
            (range(day("2024-01-01"), day("2024-02-01")), LogicalType::Timestamp { tz: false }, "FOR VALUES FROM ('2024-01-01 00:00:00') TO ('2024-02-01 00:00:00')"),
            (range(day("2024-01-01"), day("2024-02-01")), LogicalType::Timestamp { tz: true }, "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00')"),
            (range(PartitionBound::Epoch(1704067200), PartitionBound::Epoch(1706745600)), LogicalType::Integer { bits: 64 }, "FOR VALUES FROM ('1704067200') TO ('1706745600')"),
            (range(PartitionBound::Epoch(1704067200), PartitionBound::Epoch(1706745600)), LogicalType::Integer { bits: 64 }, "FOR VALUES FROM (1704067200) TO (1706745600)"),
        ];
        for (r, logical, catalog) in cases {
            let p = PlannedPartition { column: "c".into(), ranges: vec![r.clone()], default_name: "p_default".into() };
            assert_eq!(bounds(&p, logical), vec![bound_words(catalog), bound_words("DEFAULT")], "{catalog}");
        }
        // Other dates, and kinds Ferry does not plan, read as themselves.
        assert_eq!(bound_words("FOR VALUES FROM ('2030-01-01') TO ('2030-02-01')"), "from 2030-01-01 to 2030-02-01");
        assert_eq!(bound_words("FOR VALUES IN ('a', 'b')"), "FOR VALUES IN ('a', 'b')");
        assert_eq!(bound_words("DEFAULT"), "default");
    }
}
