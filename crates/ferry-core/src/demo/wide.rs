//! A wide demo: a SQLite file of many small tables (500 is a real application's schema, not
//! the guide's 16), each with one or two columns whose values point at a better type than
//! the declared one — 0/1 flags, money in REAL, epoch milliseconds, UUIDs in uppercase —
//! some of them high confidence, some medium. It is what deciding once for many columns
//! (`plan::bulk`) is for, and what the app's Schema & mapping is tested on at that size.
//!
//! Every value is computed from the table's and the row's number, so a given size always
//! gives the same file. Each table holds [`ROWS`] rows, enough for high confidence.

use std::path::Path;

use rusqlite::Connection;

use crate::error::FerryError;

/// Rows in each table: above `mapping::suggest::HIGH_EVIDENCE`, so a name that agrees with
/// the values makes a high-confidence suggestion.
pub const ROWS: i64 = 120;

/// The suggestion columns a table gets, by its number: (name, declared type, value of row r).
fn extra_columns(i: u32) -> Vec<(&'static str, &'static str)> {
    let first = match i % 5 {
        0 => ("is_active", "INTEGER"),    // 0/1 named as a flag: high
        1 => ("amount", "REAL"),          // money with cents: high
        2 => ("created_ms", "INTEGER"),   // epoch milliseconds named as time: high
        3 => ("state", "INTEGER"),        // 0/1 with no telling name: medium
        _ => ("weight", "REAL"),          // two decimals, not named as money: medium
    };
    let mut out = vec![first];
    if i % 4 == 0 {
        out.push(("external_ref", "TEXT")); // UUIDs in uppercase: high
    }
    out
}

fn value(column: &str, table: u32, row: i64) -> rusqlite::types::Value {
    use rusqlite::types::Value::*;
    let k = table as i64 * 1_000 + row;
    match column {
        "is_active" | "state" => Integer((k * 7 + 3) % 2),
        "amount" => Real(((k * 37) % 100_000 + 1) as f64 / 100.0),
        "weight" => Real(((k * 13) % 500_000 + 25) as f64 / 100.0),
        "created_ms" => Integer(1_700_000_000_000 + k * 60_000),
        "external_ref" => Text(format!("{:08X}-{:04X}-4{:03X}-8{:03X}-{:012X}", 0xA000_0000u32 + table, row, table % 4096, row % 4096, k as u64 * 7919)),
        _ => Null,
    }
}

/// The name of table `i` (1-based): `t001_orders`, … — sorted as created.
pub fn table_name(i: u32) -> String {
    const NOUNS: [&str; 10] = ["orders", "invoices", "accounts", "events", "payments", "shipments", "tickets", "members", "devices", "sessions"];
    format!("t{i:03}_{}", NOUNS[i as usize % NOUNS.len()])
}

/// Builds the wide demo at `path` (replacing a file there) with `tables` tables of [`ROWS`] rows.
pub fn build(path: &Path, tables: u32) -> crate::Result<()> {
    if tables == 0 {
        return Err(FerryError::Other("the wide demo needs at least one table".into()));
    }
    let tmp = path.with_extension("building");
    let _ = std::fs::remove_file(&tmp);
    let io = |e: std::io::Error| FerryError::Io(format!("{}: {e}", path.display()));
    let sql = |e: rusqlite::Error| FerryError::Other(format!("building {}: {e}", tmp.display()));
    {
        let mut conn = Connection::open(&tmp).map_err(sql)?;
        conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;").map_err(sql)?;
        let tx = conn.transaction().map_err(sql)?;
        for i in 1..=tables {
            let name = table_name(i);
            let extra = extra_columns(i);
            let decl: Vec<String> = extra.iter().map(|(c, t)| format!(", {c} {t}")).collect();
            tx.execute_batch(&format!("CREATE TABLE {name} (id INTEGER PRIMARY KEY, title TEXT NOT NULL{});", decl.concat())).map_err(sql)?;
            let cols: Vec<&str> = extra.iter().map(|(c, _)| *c).collect();
            let marks = vec!["?"; cols.len()].concat();
            let insert = format!("INSERT INTO {name} (id, title{}) VALUES (?, ?{})", cols.iter().map(|c| format!(", {c}")).collect::<String>(), marks.chars().map(|_| ", ?").collect::<String>());
            let mut st = tx.prepare(&insert).map_err(sql)?;
            for r in 1..=ROWS {
                let mut vals: Vec<rusqlite::types::Value> = vec![r.into(), format!("{name} #{r}").into()];
                vals.extend(cols.iter().map(|c| value(c, i, r)));
                st.execute(rusqlite::params_from_iter(vals)).map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::bulk::{self, BulkDecision, Verb, Which};
    use crate::dialect::Dialect;

    /// Every table needs a look; most suggestions are high confidence, some medium.
    #[test]
    fn every_table_has_suggestions_some_high() {
        let dir = std::env::temp_dir().join(format!("ferry-wide-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("wide.sqlite");
        build(&path, 20).unwrap();
        let schema = crate::source::sqlite::read_source(&path, true, 2).unwrap();
        assert_eq!(schema.tables.len(), 20);
        let plan = crate::plan::propose(&schema, &path.display().to_string(), Dialect::Postgres);
        for t in &plan.tables {
            assert!(t.columns.iter().any(|c| c.suggestion.is_some()), "{} has no suggestion", t.source);
        }
        let high = bulk::preview(&plan, &BulkDecision { verb: Verb::Take, which: Which::High, tables: None });
        let all = bulk::preview(&plan, &BulkDecision { verb: Verb::Take, which: Which::All, tables: None });
        // tables 1..=20: i%5 in {0,1,2} high (12 tables) + external_ref on i%4==0 (5, two
        // in tables not counted yet: 14 tables); 8 medium
        assert_eq!((high.changes.len(), all.changes.len()), (17, 25), "{high:?}");
        assert_eq!(high.summary(), "17 columns in 14 tables will change");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
