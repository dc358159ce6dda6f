//! What each planned table becomes in the target, as the SQL a migration would run — for the
//! app's Schema & mapping view ("keys, foreign keys, indexes, CHECKs and defaults, each with
//! what it becomes in the target"). Nothing is executed here.

use crate::error::Result;
use crate::plan::Plan;
use crate::events::Warning;
use crate::schema::Schema;
use crate::plan::resolve::planned_tables;
use crate::dialect::{mysql, postgres, Dialect};
use serde::Serialize;

/// One table's target DDL, in the order a migration runs it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TablePreview {
    /// The source table's name.
    pub table: String,
    /// Its name in the target.
    pub target: String,
    /// CREATE TABLE (with its DEFAULTs), then keys, indexes, CHECKs and foreign keys.
    pub statements: Vec<String>,
    /// What will not be carried as it is (a DEFAULT or CHECK with no translation, …) and the
    /// adaptations that lose nothing (MariaDB's virtual column for an expression index).
    pub warnings: Vec<Warning>,
}

/// The DDL for every table the plan keeps. `pg_schema` defaults to `public`.
pub fn preview(schema: &Schema, plan: &Plan, dialect: Dialect, pg_schema: Option<&str>) -> Result<Vec<TablePreview>> {
    let planned = planned_tables(schema, plan, dialect)?;
    let ns = pg_schema.unwrap_or("public");
    // Statement size and version do not change the DDL's text.
    let flavor = mysql::flavor::Flavor { dialect, version: String::new(), max_packet: 64 << 20 };
    Ok(planned
        .iter()
        .map(|t| {
            let mut statements = vec![];
            let mut warnings = t.warnings.clone();
            warnings.extend(t.notes.iter().cloned());
            if dialect == Dialect::Postgres {
                statements.push(postgres::ddl::create_table(t, ns));
                statements.extend(postgres::ddl::primary_key(t, ns));
                statements.extend(t.uniques.iter().map(|(name, cols)| postgres::ddl::unique(t, ns, name, cols)));
                statements.extend(t.indexes.iter().map(|ix| postgres::ddl::index(t, ns, ix)));
                statements.extend(postgres::ddl::search_index(t, ns));
                statements.extend(t.checks.iter().map(|ck| postgres::ddl::check(t, ns, &ck.name, &ck.sql)));
                statements.extend(t.foreign_keys.iter().map(|fk| postgres::ddl::foreign_key(t, ns, fk)));
            } else {
                statements.push(mysql::ddl::create_table(t, &flavor, true));
                let mut clauses = vec![];
                for ix in &t.indexes {
                    let (columns, clause) = mysql::ddl::index_clause(t, ix, &flavor, &mut warnings);
                    clauses.extend(columns);
                    clauses.push(clause);
                }
                if !clauses.is_empty() {
                    statements.push(mysql::ddl::alter(t, &clauses));
                }
                if let Some(s) = &t.search {
                    statements.push(mysql::ddl::alter(t, &[mysql::search::index_clause(&s.index, &s.vector)]));
                }
                statements.extend(t.foreign_keys.iter().map(|fk| mysql::ddl::foreign_key(t, fk)));
            }
            TablePreview { table: t.source.name.clone(), target: t.name.clone(), statements, warnings }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::sqlite::read_source;

    /// The demo schema's previews name what the guide asks for, in each dialect's words.
    #[test]
    fn demo_tables_preview_in_both_dialects() {
        let dir = std::env::temp_dir().join(format!("ferry-preview-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("demo.sqlite");
        crate::demo::build(&path, 2_000, true).unwrap();
        let schema = read_source(&path, true, 1).unwrap();
        let cases = [
            (Dialect::Postgres, "CREATE TABLE \"public\".\"products\"", "CHECK", "REFERENCES \"public\".\"tenants\""),
            (Dialect::MariaDb, "CREATE TABLE `products`", "CHECK", "REFERENCES `tenants`"),
        ];
        for (dialect, create, check, fk) in cases {
            let plan = crate::plan::propose(&schema, "demo.sqlite", dialect);
            let previews = preview(&schema, &plan, dialect, None).unwrap();
            assert_eq!(previews.len(), plan.tables.len());
            let products = previews.iter().find(|p| p.table == "products").unwrap();
            let all = products.statements.join("\n");
            assert!(products.statements[0].starts_with(create), "{dialect:?}: {all}");
            assert!(all.contains(check) && all.contains(fk), "{dialect:?}: {all}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
