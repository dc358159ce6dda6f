//! Pre-flight: every value through the same conversion the load uses, and every foreign key
//! checked in the source, without writing anything anywhere; what the target would refuse or
//! change, grouped by cause, with a count and example rows for each group.
//!
//! This is the first slice of the pre-flight issue: it finds; choosing what to do per group
//! (set NULL, convert, widen, drop the constraint) is still the plan's and the load's default
//! (reject the row and report it).

use crate::convert::{convert, convert_with, Encoder};
use crate::copy::{key_of, read_source, RowSelect};
use crate::error::Result;
use crate::plan::Plan;
use crate::report::{Rename, Warning};
use crate::source::sqlite::inspect;
use crate::target::planned::planned_tables;
use crate::target::Dialect;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Examples kept per group.
const EXAMPLES: usize = 5;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Example {
    pub row: serde_json::Value,
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Group {
    pub table: String,
    pub column: Option<String>,
    pub cause: String,
    /// What `migrate` does with these rows by default: "rejected" or "changed".
    pub outcome: String,
    pub count: u64,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Preflight {
    pub source: String,
    pub dialect: Option<Dialect>,
    pub rows_checked: u64,
    pub groups: Vec<Group>,
    /// Objects that will not be carried as they are (a DEFAULT, CHECK, index, trigger, …).
    pub objects: Vec<Warning>,
    pub renames: Vec<Rename>,
}

impl Preflight {
    pub fn is_clean(&self) -> bool {
        self.groups.is_empty() && self.objects.is_empty() && self.renames.is_empty()
    }
}

/// Discards what it is given: only the conversion's verdict matters here.
struct Discard;

impl Encoder for Discard {
    fn null(&mut self) {}
    fn number(&mut self, _: &str) {}
    fn text(&mut self, _: &str) {}
    fn bytes(&mut self, _: &[u8]) {}
    fn boolean(&mut self, _: bool) {}
}

/// A reason without the value it may start with, so equal causes group together
/// (`70000 is out of range …` → `value is out of range …`).
fn cause_of(reason: &str) -> String {
    match reason.split_once(' ') {
        Some((first, rest)) if crate::value::Decimal::parse(first).is_some() || first.parse::<f64>().is_ok() => format!("value {rest}"),
        _ => reason.to_string(),
    }
}

#[derive(Default)]
struct Acc {
    count: u64,
    examples: Vec<Example>,
}

impl Acc {
    fn add(&mut self, row: serde_json::Value, value: serde_json::Value) {
        self.count += 1;
        if self.examples.len() < EXAMPLES {
            self.examples.push(Example { row, value });
        }
    }
}

/// Runs the pre-flight of `source` for `dialect` with `plan` (or the proposed one).
pub fn preflight(source: &Path, dialect: Dialect, plan: Option<&Plan>, jobs: usize) -> Result<Preflight> {
    let schema = read_source(source, true, jobs)?;
    let proposed;
    let plan = match plan {
        Some(p) => {
            p.check_dialect(dialect, "plan")?;
            p.check_against(&schema, "plan")?;
            p
        }
        None => {
            proposed = crate::plan::propose(&schema, &source.display().to_string(), dialect);
            &proposed
        }
    };
    let planned = planned_tables(&schema, plan, dialect)?;
    let mut out = Preflight { source: source.display().to_string(), dialect: Some(dialect), ..Default::default() };
    let conn = inspect::open(source)?;
    // (table, column, cause, outcome) → count and examples.
    let mut groups: BTreeMap<(String, Option<String>, String, String), Acc> = BTreeMap::new();
    for t in &planned {
        out.objects.extend(t.warnings.iter().cloned());
        let select = RowSelect::new(&t.source);
        let (rowid, offset) = (select.rowid, select.offset);
        let mut stmt = conn.prepare(&select.sql).map_err(|e| inspect::map_err(source, e))?;
        let mut rows = stmt.query([]).map_err(|e| inspect::map_err(source, e))?;
        let loaded: Vec<_> = t.columns.iter().filter(|c| c.generated_sql.is_none()).collect();
        while let Some(row) = rows.next().map_err(|e| inspect::map_err(source, e))? {
            out.rows_checked += 1;
            let rid = match rowid {
                Some(_) => Some(row.get::<_, i64>(0).map_err(|e| inspect::map_err(source, e))?),
                None => None,
            };
            for c in &loaded {
                let v = row.get_ref(c.source_index + offset).map_err(|e| inspect::map_err(source, e))?;
                let (cause, outcome) = match convert_with(v, &c.logical, c.transform, dialect, &mut Discard) {
                    Ok(None) => continue,
                    Ok(Some(ch)) => (ch.reason, "changed"),
                    Err(reason) => (cause_of(&reason), "rejected"),
                };
                let key = (t.source.name.clone(), Some(c.source.clone()), cause, outcome.to_string());
                groups.entry(key).or_default().add(key_of(t, rid, row, offset), crate::value::value_to_json(v));
                if outcome == "rejected" {
                    break; // the row is refused once, for its first bad value, as the load does
                }
            }
        }
        // Orphans: SQLite leaves foreign keys unenforced unless asked.
        let check = conn.prepare(&format!("SELECT rowid, \"parent\", fkid FROM pragma_foreign_key_check({})", inspect::quote(&t.source.name)));
        match check.and_then(|mut s| s.query_map([], |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, String>(1)?))).and_then(|m| m.collect::<rusqlite::Result<Vec<_>>>())) {
            Ok(orphans) => {
                for (rid, parent) in orphans {
                    let row = match (rid, select.by_rowid()) {
                        (Some(r), Some(sql)) => conn.query_row(&sql, [r], |row| Ok(key_of(t, Some(r), row, offset))).unwrap_or_else(|_| serde_json::json!({ "rowid": r })),
                        _ => serde_json::json!({ "rowid": rid }),
                    };
                    let key = (t.source.name.clone(), None, format!("orphan: no matching row in {parent} (the foreign key is not enforced in SQLite)"), "rejected".to_string());
                    groups.entry(key).or_default().add(row, serde_json::Value::Null);
                }
            }
            Err(e) => out.objects.push(Warning { table: Some(t.source.name.clone()), object: "foreign keys".into(), reason: format!("could not be checked in the source: {e}") }),
        }
    }
    for tr in &schema.triggers {
        out.objects.push(Warning { table: Some(tr.table.clone()), object: format!("trigger {}", tr.name), reason: "not carried: a trigger is SQLite code; rewrite it for the target".into() });
    }
    for vt in &schema.virtual_tables {
        out.objects.push(Warning { table: Some(vt.name.clone()), object: format!("virtual table {} (USING {})", vt.name, vt.module), reason: "not carried: it exists only in SQLite".into() });
    }
    for tp in plan.tables.iter().filter(|t| !t.skip) {
        if tp.target != tp.source {
            out.renames.push(Rename { table: None, from: tp.source.clone(), to: tp.target.clone(), reason: "identifier limit or clash".into() });
        }
        for cp in tp.columns.iter().filter(|c| c.target != c.source) {
            out.renames.push(Rename { table: Some(tp.source.clone()), from: cp.source.clone(), to: cp.target.clone(), reason: "identifier limit or clash".into() });
        }
    }
    out.groups = groups
        .into_iter()
        .map(|((table, column, cause, outcome), acc)| Group { table, column, cause, outcome, count: acc.count, examples: acc.examples })
        .collect();
    Ok(out)
}

/// What one column's values would do under one target type: the answer to "will my
/// override hold?", with the load's own conversion over every value.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnCheck {
    /// Values looked at (NULLs included; they always fit).
    pub values: u64,
    /// Values the target would refuse (their rows are rejected).
    pub rejected: u64,
    /// Values that would arrive changed (e.g. a NUL stripped).
    pub changed: u64,
    /// The first few refused (or else changed) values with their rows, and why.
    pub examples: Vec<Example>,
    /// The reason given for the first example.
    pub reason: Option<String>,
}

/// Runs every value of `table.column` in `source` through the conversion to `ty`.
pub fn check_column(source: &Path, table: &crate::schema::Table, column: &str, ty: &crate::schema::LogicalType, dialect: Dialect) -> Result<ColumnCheck> {
    let index = table
        .columns
        .iter()
        .position(|c| c.name == column)
        .ok_or_else(|| crate::error::FerryError::Source(format!("table {} has no column {column:?}", table.name)))?;
    let conn = inspect::open(source)?;
    let select = RowSelect::new(table);
    let offset = select.offset;
    let mut stmt = conn.prepare(&select.sql).map_err(|e| inspect::map_err(source, e))?;
    let mut rows = stmt.query([]).map_err(|e| inspect::map_err(source, e))?;
    let mut out = ColumnCheck::default();
    let mut changed_examples = vec![];
    while let Some(row) = rows.next().map_err(|e| inspect::map_err(source, e))? {
        out.values += 1;
        let v = row.get_ref(index + offset).map_err(|e| inspect::map_err(source, e))?;
        // The row is named by its primary key, else its row id, as the run's report names it.
        let key = || match (&table.primary_key, select.rowid) {
            (Some(pk), _) => serde_json::Value::Object(
                pk.columns
                    .iter()
                    .filter_map(|c| table.column_index(c).map(|i| (table.columns[i].name.clone(), row.get_ref(i + offset).map(crate::value::value_to_json).unwrap_or_default())))
                    .collect(),
            ),
            (None, Some(_)) => serde_json::json!({ "rowid": row.get::<_, i64>(0).unwrap_or_default() }),
            (None, None) => serde_json::Value::Null,
        };
        match convert(v, ty, dialect, &mut Discard) {
            Ok(None) => {}
            Ok(Some(ch)) => {
                out.changed += 1;
                if changed_examples.len() < EXAMPLES {
                    changed_examples.push((Example { row: key(), value: crate::value::value_to_json(v) }, ch.reason));
                }
            }
            Err(reason) => {
                out.rejected += 1;
                if out.examples.len() < EXAMPLES {
                    out.reason.get_or_insert(reason);
                    out.examples.push(Example { row: key(), value: crate::value::value_to_json(v) });
                }
            }
        }
    }
    if out.examples.is_empty() {
        out.reason = changed_examples.first().map(|(_, r)| r.clone());
        out.examples = changed_examples.into_iter().map(|(e, _)| e).collect();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::cause_of;

    #[test]
    fn causes_group_without_their_values() {
        let cases = [
            ("70000 is out of range for a 16-bit integer", "value is out of range for a 16-bit integer"),
            ("1.5 is not an integer", "value is not an integer"),
            ("not an integer", "not an integer"),
            ("bytes that are not UTF-8 text", "bytes that are not UTF-8 text"),
        ];
        for (reason, want) in cases {
            assert_eq!(cause_of(reason), want);
        }
    }

    /// An override is judged on every value, by the load's own conversion.
    #[test]
    fn a_column_is_checked_against_a_type() {
        use crate::schema::LogicalType;
        use crate::target::Dialect;
        let dir = std::env::temp_dir().join(format!("ferry-check-column-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.sqlite");
        let _ = std::fs::remove_file(&path);
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER); INSERT INTO t VALUES (1, 'short', 1), (2, 'a name longer than ten', 70000), (3, NULL, 'x'), (4, 'bad' || char(0) || 'nul', 2);").unwrap();
        drop(c);
        let schema = crate::copy::read_source(&path, false, 1).unwrap();
        let t = schema.tables.iter().find(|t| t.name == "t").unwrap();
        let cases: [(&str, LogicalType, Dialect, u64, u64, serde_json::Value); 4] = [
            ("name", LogicalType::Text { max: Some(10) }, Dialect::Postgres, 2, 0, serde_json::json!({"id": 2})),
            ("name", LogicalType::Text { max: None }, Dialect::MariaDb, 0, 0, serde_json::Value::Null),
            ("n", LogicalType::Integer { bits: 16 }, Dialect::Postgres, 2, 0, serde_json::json!({"id": 2})),
            ("n", LogicalType::Integer { bits: 64 }, Dialect::MariaDb, 1, 0, serde_json::json!({"id": 3})),
        ];
        for (column, ty, dialect, rejected, changed, first) in cases {
            let got = super::check_column(&path, t, column, &ty, dialect).unwrap();
            assert_eq!((got.values, got.rejected, got.changed), (4, rejected, changed), "{column} as {ty:?}: {got:?}");
            assert_eq!(got.examples.first().map(|e| e.row.clone()).unwrap_or_default(), first, "{column} as {ty:?}");
            assert_eq!(got.reason.is_some(), rejected + changed > 0);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
