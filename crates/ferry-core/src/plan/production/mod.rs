//! `ferry plan --production`: the production features the guide asks for, proposed from the
//! data, each with the figures that justify it and the DDL it makes. The plan's
//! `[[production]]` keeps every proposal and whether it was accepted; `resolve` applies the
//! accepted ones to the planned tables, so migrate, pre-flight, diff and validate all build
//! and read the same schema. One file per kind of proposal, each with `propose`, `check` and
//! `apply`:
//!
//! - `json`: a GIN index on a jsonb column and the keys most documents hold; MySQL a
//!   functional index on the commonest scalar key path, MariaDB a generated column + index.
//! - `prose`: full-text search over text that reads as prose or names (a generated
//!   `tsvector` + GIN; `FULLTEXT`).
//! - `partial`: partial indexes where a boolean or status column is skewed, and the SQLite
//!   indexes they would replace.
//! - `partition`: range partitions of large time-keyed tables that nothing references.
//! - `defaults`: UUID keys `DEFAULT gen_random_uuid()`, creation times `DEFAULT now()`, the
//!   extensions the plan needs.
//! - `covering`: covering indexes where the schema shows the need (a view reads more of the
//!   rows an index selects).

pub mod covering;
pub mod defaults;
pub mod json;
pub mod partial;
pub mod partition;
pub mod proposal;
pub mod prose;

pub use proposal::{Proposal, ProposalKind};

use crate::dialect::{Dialect, Names};
use crate::error::Result;
use crate::plan::model::Plan;
use crate::plan::planned::PlannedTable;
use crate::schema::Schema;
use std::path::Path;

/// Every proposal for a profiled schema under its plan, in table order, kind by kind. The
/// profile (`Column::profile`) answers the questions: a JSON column's keys, the words of a
/// text column's first 5,000 rows, how a flag or status spreads are counted in the same pass
/// as the rest. Where a profile did not count them (sampled, made by a load, past its bounds)
/// the kind asks the source, on the columns it is about only; `dbstat` (a table's size) and
/// one example value of a JSON key are always asked.
pub fn propose(schema: &Schema, plan: &Plan, source: &Path) -> Result<Vec<Proposal>> {
    let conn = crate::source::sqlite::inspect::open(source)?;
    let dialect = plan.dialect;
    let mut out = vec![];
    out.extend(json::propose(schema, plan, dialect, &conn, source)?);
    out.extend(prose::propose(schema, plan, dialect, &conn, source)?);
    out.extend(partial::propose(schema, plan, dialect, &conn, source)?);
    out.extend(partition::propose(schema, plan, dialect, &conn, source)?);
    out.extend(covering::propose(schema, plan, dialect)?);
    out.extend(defaults::propose(schema, plan, dialect, &out)?);
    let order: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    out.sort_by_key(|p| (p.table.is_empty(), order.iter().position(|t| *t == p.table), p.kind));
    Ok(out)
}

/// What is wrong with the plan's proposals against this source (a table or column it does
/// not have, a parameter the kind cannot take), named one by one; empty when nothing is.
pub fn problems(plan: &Plan, schema: &Schema) -> Vec<String> {
    let mut out = vec![];
    for (i, p) in plan.production.iter().enumerate() {
        let at = format!("[[production]] {} ({})", i + 1, p.kind.map_or("no kind", |k| k.name()));
        let Some(kind) = p.kind else {
            out.push(format!("{at}: kind is missing (json_index, search, partial_index, partition, default, extension, covering_index)"));
            continue;
        };
        if !p.table.is_empty() {
            let Some(t) = schema.table(&p.table) else {
                out.push(format!("{at}: table {:?} is not in the source", p.table));
                continue;
            };
            for c in p.columns.iter().chain(&p.include) {
                if t.column(c).is_none() {
                    out.push(format!("{at}: column {}.{c} is not in the source", p.table));
                }
            }
            if plan.table(&t.name).is_some_and(|tp| tp.skip) && p.accept {
                out.push(format!("{at}: table {} is skipped by the plan", t.name));
            }
        } else if kind != ProposalKind::Extension {
            out.push(format!("{at}: table is missing"));
        }
        let more = match kind {
            ProposalKind::JsonIndex => json::check(p, plan, schema),
            ProposalKind::Search => prose::check(p, plan, schema),
            ProposalKind::PartialIndex => partial::check(p, plan, schema),
            ProposalKind::Partition => partition::check(p, plan, schema),
            ProposalKind::CoveringIndex => covering::check(p, plan, schema),
            ProposalKind::Default | ProposalKind::Extension => defaults::check(p, plan, schema),
        };
        out.extend(more.into_iter().map(|m| format!("{at}: {m}")));
    }
    out
}

/// The accepted proposals applied to the planned tables (`resolve::planned_tables` calls
/// this once every table is planned, before a Citus rewrite). `names` is the pool index and
/// constraint names are taken from.
pub fn apply(tables: &mut [PlannedTable], schema: &Schema, plan: &Plan, dialect: Dialect, names: &mut Names) -> Result<()> {
    for p in plan.production.iter().filter(|p| p.accept) {
        let Some(kind) = p.kind else { continue };
        match kind {
            ProposalKind::JsonIndex => json::apply(p, tables, schema, dialect, names)?,
            ProposalKind::Search => prose::apply(p, tables, schema, dialect, names)?,
            ProposalKind::PartialIndex => partial::apply(p, tables, schema, dialect, names)?,
            ProposalKind::Partition => partition::apply(p, tables, schema, dialect, names)?,
            ProposalKind::CoveringIndex => covering::apply(p, tables, schema, dialect, names)?,
            ProposalKind::Default | ProposalKind::Extension => defaults::apply(p, tables, schema, dialect, names)?,
        }
    }
    Ok(())
}


#[cfg(test)]
mod tests {
    /// On the demo (tables past the 5,000 rows whose words are counted), every kind proposes
    /// the same from the profile's counts as from its own queries over the source, on each
    /// target: the same proposals, evidence, notes and SQL.
    #[test]
    fn the_profile_proposes_what_the_queries_do() {
        let dir = std::env::temp_dir().join(format!("ferry-prodspeed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("demo.sqlite");
        crate::demo::build(&src, 60_000, true).unwrap();
        let schema = crate::source::sqlite::read_source(&src, true, 2).unwrap();
        assert!(schema.tables.iter().filter(|t| t.row_count > crate::schema::WORD_ROWS).count() >= 3, "tables past the rows whose words are counted");
        let mut asked = schema.clone();
        for c in asked.tables.iter_mut().flat_map(|t| t.columns.iter_mut()) {
            if let Some(p) = c.profile.as_mut() {
                (p.json_keys, p.words, p.distinct_counts) = (None, None, vec![]);
            }
        }
        for dialect in [crate::dialect::Dialect::Postgres, crate::dialect::Dialect::MySql, crate::dialect::Dialect::MariaDb] {
            let plan = crate::plan::propose(&schema, &src.display().to_string(), dialect);
            let counted = super::propose(&schema, &plan, &src).unwrap();
            let queried = super::propose(&asked, &plan, &src).unwrap();
            assert_eq!(counted, queried, "{dialect:?}");
            let kinds: std::collections::BTreeSet<_> = counted.iter().filter_map(|p| p.kind).collect();
            for k in [super::ProposalKind::JsonIndex, super::ProposalKind::Search, super::ProposalKind::PartialIndex] {
                assert!(kinds.contains(&k) || (k == super::ProposalKind::JsonIndex && dialect != crate::dialect::Dialect::Postgres), "{dialect:?}: no {k:?} in {counted:#?}");
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
