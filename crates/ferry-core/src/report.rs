//! The run's report: what arrived, what was refused or changed, and what was left behind.
//!
//! Serialized as the JSON the CLI writes with `--report` (the shape the engine issue fixes:
//! `tables.<name>.{target, rows_read, rows_written, rejected[], changed[]}` and `warnings[]`).

use crate::events::{Phase, Rename, Warning};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    pub ferry_version: String,
    pub source: String,
    /// The target without its password.
    pub target: String,
    pub target_server: String,
    pub started_at: String,
    pub seconds: f64,
    pub tables: BTreeMap<String, TableReport>,
    pub warnings: Vec<Warning>,
    /// Adaptations that lose nothing (an expression index on MariaDB built over a virtual
    /// column); shown, but they do not make the run inexact.
    #[serde(default)]
    pub notes: Vec<Warning>,
    /// Tables or columns whose names changed on the way (too long, clashing).
    pub renames: Vec<Rename>,
    pub phases: BTreeMap<String, f64>,
    /// False when the run stopped early (error, `--strict`, cancel); the tables show how far it got.
    pub completed: bool,
    /// Where every rejected and changed value is listed, when there were any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejects_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `Some(true)` when the run stopped part way and the target keeps its journal:
    /// `ferry migrate --resume` (Continue this run, in the app) goes on from where it stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resumable: Option<bool>,
    /// What the run made in the target, in the order it made it (`ferry rollback` removes
    /// exactly these); for `--data-only`, the tables it loaded, empty before the run.
    #[serde(default)]
    pub created: Vec<CreatedObject>,
    /// The plan the run carried out (the proposal when none was given, with the plan's
    /// choices): `ferry validate --run-report` compares by exactly this, without profiling the
    /// source again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<crate::plan::Plan>,
    /// A masked copy: the fingerprint of the key it was masked with (a short hash, never the
    /// key); each table's `masked` says what was masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask_key_fingerprint: Option<String>,
    /// Citus: where the cluster put the tables — rows and bytes per node, table and shard, the
    /// largest tenants and the skew — read once the run completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    /// The login users the run made (`--roles-login`), with their passwords: for the caller
    /// to hand over once. Never serialized: not in the JSON or HTML report, the audit log or
    /// the app's IPC.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub logins: Vec<crate::secret::Login>,
}

/// Where a Citus cluster put a run's tables (`citus_shards`), summed up.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Placement {
    /// Each node that holds a shard, by address.
    pub nodes: Vec<NodePlacement>,
    pub tables: Vec<TablePlacement>,
    /// Every placement of every shard (a reference table's shard once per node).
    pub shards: Vec<ShardPlacement>,
    /// The shard groups of the co-located tables that hold the most rows: the shards with
    /// the same hash range, which sit together on one node and hold the same tenants.
    #[serde(default)]
    pub groups: Vec<ShardGroup>,
    /// The largest shard group's bytes over the groups' mean (1.0: even); rows where no
    /// group has a size yet.
    #[serde(default)]
    pub skew: f64,
    /// The values of the distribution column with the most rows (at most ten), over
    /// `tenant_tables`.
    #[serde(default)]
    pub tenants: Vec<TenantShare>,
    /// The co-located distributed tables the tenants were counted over.
    #[serde(default)]
    pub tenant_tables: Vec<String>,
    /// Distinct values of the distribution column over those tables.
    #[serde(default)]
    pub tenants_distinct: u64,
    /// Rows of those tables.
    #[serde(default)]
    pub tenant_rows: u64,
}

/// One node's part: the shards of distributed tables on it, their rows and bytes, and the
/// bytes of the reference tables' copies it keeps.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NodePlacement {
    /// `host:port`.
    pub node: String,
    pub shards: u64,
    pub rows: u64,
    pub bytes: u64,
    #[serde(default)]
    pub reference_bytes: u64,
}

/// One table: its kind (`distributed`, `reference`, `local`), shards, rows and bytes (a
/// reference table's bytes are one copy's).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TablePlacement {
    pub table: String,
    pub kind: String,
    pub shards: u64,
    pub rows: u64,
    pub bytes: u64,
    /// Its largest shard's bytes.
    pub largest_shard_bytes: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ShardPlacement {
    pub table: String,
    pub shard_id: i64,
    pub kind: String,
    pub node: String,
    pub rows: u64,
    pub bytes: u64,
}

/// One shard group (numbered from 1 in hash order) of the co-located tables.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ShardGroup {
    pub index: u64,
    pub node: String,
    pub rows: u64,
    pub bytes: u64,
}

/// A value of the distribution column, its rows, their share of `Placement::tenant_rows`
/// (0 to 1), and the node that holds them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TenantShare {
    pub tenant: String,
    pub rows: u64,
    pub share: f64,
    pub node: Option<String>,
}

impl Placement {
    /// Sums up what the catalog said, shard by shard.
    pub fn from_placed(p: crate::dialect::placement::Placed) -> Placement {
        use std::collections::{BTreeMap, HashSet};
        let mut nodes: BTreeMap<String, NodePlacement> = BTreeMap::new();
        let mut tables: BTreeMap<String, TablePlacement> = BTreeMap::new();
        let mut counted = HashSet::new();
        for s in &p.shards {
            let n = nodes.entry(s.node.clone()).or_insert_with(|| NodePlacement { node: s.node.clone(), ..Default::default() });
            if s.kind == "reference" {
                n.reference_bytes += s.bytes;
            } else {
                n.shards += 1;
                n.rows += s.rows;
                n.bytes += s.bytes;
            }
            let t = tables.entry(s.table.clone()).or_insert_with(|| TablePlacement { table: s.table.clone(), kind: s.kind.clone(), ..Default::default() });
            // A reference table's shard counts once (its copies are alike).
            if counted.insert(s.shard_id) {
                t.shards += 1;
                t.rows += s.rows;
                t.bytes += s.bytes;
                t.largest_shard_bytes = t.largest_shard_bytes.max(s.bytes);
            }
        }
        // Shard groups: the shards of the tenants' tables with the same range start.
        let mut groups: BTreeMap<i64, ShardGroup> = BTreeMap::new();
        for s in p.shards.iter().filter(|s| p.tenant_tables.contains(&s.table)) {
            let Some(start) = s.range_start else { continue };
            let g = groups.entry(start).or_insert_with(|| ShardGroup { node: s.node.clone(), ..Default::default() });
            g.rows += s.rows;
            g.bytes += s.bytes;
        }
        let groups: Vec<ShardGroup> = groups.into_values().enumerate().map(|(i, g)| ShardGroup { index: i as u64 + 1, ..g }).collect();
        let skew = skew(&groups.iter().map(|g| g.bytes).collect::<Vec<_>>()).or_else(|| skew(&groups.iter().map(|g| g.rows).collect::<Vec<_>>())).unwrap_or(0.0);
        let tenant_rows: u64 = p.tenant_tables.iter().filter_map(|t| tables.get(t)).map(|t| t.rows).sum();
        let node_of: std::collections::HashMap<i64, &str> = p.shards.iter().map(|s| (s.shard_id, s.node.as_str())).collect();
        let tenants = p
            .tenants
            .iter()
            .map(|t| TenantShare {
                tenant: t.value.clone(),
                rows: t.rows,
                share: if tenant_rows > 0 { t.rows as f64 / tenant_rows as f64 } else { 0.0 },
                node: t.shard_id.and_then(|id| node_of.get(&id)).map(|n| n.to_string()),
            })
            .collect();
        let shards = p.shards.into_iter().map(|s| ShardPlacement { table: s.table, shard_id: s.shard_id, kind: s.kind, node: s.node, rows: s.rows, bytes: s.bytes }).collect();
        Placement {
            nodes: nodes.into_values().collect(),
            tables: tables.into_values().collect(),
            shards,
            groups,
            skew,
            tenants,
            tenant_tables: p.tenant_tables,
            tenants_distinct: p.tenants_distinct,
            tenant_rows,
        }
    }

    /// Rows of the distributed tables, over every node.
    pub fn distributed_rows(&self) -> u64 {
        self.nodes.iter().map(|n| n.rows).sum()
    }

    /// "skew 1.18 (the largest of 32 shard groups over their mean)".
    pub fn describe_skew(&self) -> String {
        if self.groups.is_empty() {
            return "no distributed shards".into();
        }
        format!("skew {:.2} (the largest of {} shard groups over their mean; 1.00 is even)", self.skew, self.groups.len())
    }
}

/// The largest over the mean; None when they add up to nothing.
fn skew(sizes: &[u64]) -> Option<f64> {
    let total: u64 = sizes.iter().sum();
    if total == 0 {
        return None;
    }
    let mean = total as f64 / sizes.len() as f64;
    Some(*sizes.iter().max().expect("some") as f64 / mean)
}

/// One thing a run made in the target.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CreatedObject {
    pub kind: CreatedKind,
    /// The PostgreSQL schema it is in (None on MySQL/MariaDB, and for a schema itself).
    pub schema: Option<String>,
    pub name: String,
}

/// What kind of object a run made.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CreatedKind {
    /// A PostgreSQL schema that was not there before (`--schema`).
    Schema,
    Table,
    View,
    /// A trigger translated from SQLite (and, on PostgreSQL, the function it runs).
    Trigger,
    /// Rows loaded into a table that existed and was empty (`--data-only`): the table
    /// stays, its rows go.
    Rows,
    /// A role (`--roles`): the server's, not the database's.
    Role,
    /// A login user for a role (`--roles-login`).
    Login,
    /// A PostgreSQL extension the plan's accepted proposals needed (`pg_trgm`,
    /// `pg_stat_statements`), recorded only when the run created it: one that was there stays.
    Extension,
}

/// Entries a table keeps in the report, per kind; every entry also goes to the rejects file.
pub const KEPT: usize = 1000;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableReport {
    pub target: String,
    pub rows_read: u64,
    pub rows_written: u64,
    pub seconds: f64,
    /// The first `KEPT` rejected rows; `rejected_total` counts them all (the rejects file
    /// lists them all).
    pub rejected: Vec<Rejected>,
    pub changed: Vec<Changed>,
    #[serde(default)]
    pub rejected_total: u64,
    #[serde(default)]
    pub changed_total: u64,
    /// Foreign keys made to guard new writes though some loaded rows have no parent row
    /// (PostgreSQL `NOT VALID`; MySQL/MariaDB made with checks off), each with its orphans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchecked_keys: Vec<UncheckedKey>,
    /// Values that arrived exactly but keep their column in a type wider than its best one
    /// (the plan's `narrower` suggestion): the first `KEPT`, with why the best type refuses
    /// each; `widened_total` counts them all (the rejects file lists them as "kept_wider").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub widened: Vec<Rejected>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub widened_total: u64,
    /// A masked copy: each masked column, its rule and how many values it masked. A masked
    /// column's values are never in the report or the rejects file (a row is named by key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub masked: Vec<MaskedColumn>,
}

/// One column a masked copy masked.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MaskedColumn {
    pub column: String,
    /// The rule, as the plan spells it (`email`, `keep_last:4`).
    pub rule: String,
    /// Values masked (NULLs stay NULL and are not counted).
    pub values: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A foreign key the rows already in the table do not all satisfy: every row arrived, and the
/// key refuses new orphans. `ALTER TABLE … VALIDATE CONSTRAINT` (PostgreSQL) succeeds once the
/// orphans are given parents or removed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UncheckedKey {
    /// The key as the report names it: `foreign key NAME (cols) → parent`.
    pub object: String,
    /// The key's name in the target.
    pub name: String,
    /// The source's parent table.
    pub parent: String,
    /// How the target holds it: "left NOT VALID" or "created with foreign_key_checks off".
    pub state: String,
    /// Rows with no parent row (the first `KEPT` are listed in `rows`; the rejects file has all).
    pub orphans: u64,
    /// Each orphan's key in the source and its foreign key value(s).
    pub rows: Vec<OrphanRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrphanRow {
    pub row: serde_json::Value,
    pub value: serde_json::Value,
}

impl TableReport {
    pub fn add_rejected(&mut self, table: &str, r: Rejected, log: &RejectLog) {
        self.rejected_total += 1;
        log.write(table, "rejected", &r);
        if self.rejected.len() < KEPT {
            self.rejected.push(r);
        }
    }
    /// A value its column's best type cannot hold, which arrived in the wider type.
    pub fn add_widened(&mut self, table: &str, w: Rejected, log: &RejectLog) {
        self.widened_total += 1;
        log.write(table, "kept_wider", &w);
        if self.widened.len() < KEPT {
            self.widened.push(w);
        }
    }
    pub fn add_changed(&mut self, table: &str, c: Changed, log: &RejectLog) {
        self.changed_total += 1;
        log.write(table, "changed", &c);
        if self.changed.len() < KEPT {
            self.changed.push(c);
        }
    }
}

/// Every rejected or changed value, and every orphan loaded under an unchecked foreign key,
/// and every value that keeps its column wider than its best type, one JSON object a line
/// (`{"table", "kind": "rejected"|"changed"|"orphan_kept"|"kept_wider", "row",
/// "column", "value"|"from"/"to", "reason"}`), so a report stays readable however many there
/// are. The file is made at the first entry.
#[derive(Clone, Default)]
pub struct RejectLog {
    inner: Option<std::sync::Arc<std::sync::Mutex<RejectFile>>>,
}

struct RejectFile {
    path: std::path::PathBuf,
    out: Option<std::io::BufWriter<std::fs::File>>,
    lines: u64,
    error: Option<String>,
}

impl RejectLog {
    pub fn new(path: Option<std::path::PathBuf>) -> RejectLog {
        RejectLog { inner: path.map(|path| std::sync::Arc::new(std::sync::Mutex::new(RejectFile { path, out: None, lines: 0, error: None }))) }
    }

    pub fn write(&self, table: &str, kind: &str, entry: &impl Serialize) {
        use std::io::Write;
        let Some(inner) = &self.inner else { return };
        let mut f = inner.lock().expect("reject log");
        if f.error.is_some() {
            return;
        }
        if f.out.is_none() {
            match crate::private::create(&f.path) {
                Ok(file) => f.out = Some(std::io::BufWriter::new(file)),
                Err(e) => {
                    f.error = Some(format!("cannot write {}: {e}", f.path.display()));
                    return;
                }
            }
        }
        let mut line = serde_json::Map::new();
        line.insert("table".into(), table.into());
        line.insert("kind".into(), kind.into());
        if let Ok(serde_json::Value::Object(m)) = serde_json::to_value(entry) {
            line.extend(m);
        }
        let text = serde_json::Value::Object(line).to_string();
        let r = writeln!(f.out.as_mut().expect("open"), "{text}");
        match r {
            Ok(()) => f.lines += 1,
            Err(e) => f.error = Some(format!("cannot write {}: {e}", f.path.display())),
        }
    }

    /// Flushes; the file's path when anything was written, or the error that stopped it.
    pub fn finish(&self) -> Result<Option<String>, String> {
        use std::io::Write;
        let Some(inner) = &self.inner else { return Ok(None) };
        let mut f = inner.lock().expect("reject log");
        if let Some(e) = &f.error {
            return Err(e.clone());
        }
        if let Some(out) = f.out.as_mut() {
            out.flush().map_err(|e| e.to_string())?;
        }
        Ok((f.lines > 0).then(|| f.path.display().to_string()))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rejected {
    /// The row's key in the source: its primary key columns, or `{"rowid": n}`.
    pub row: serde_json::Value,
    pub column: Option<String>,
    pub value: serde_json::Value,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Changed {
    pub row: serde_json::Value,
    pub column: String,
    pub from: serde_json::Value,
    pub to: serde_json::Value,
    pub reason: String,
}

impl Report {
    pub fn rejected_count(&self) -> u64 {
        self.tables.values().map(|t| t.rejected_total.max(t.rejected.len() as u64)).sum()
    }
    pub fn changed_count(&self) -> u64 {
        self.tables.values().map(|t| t.changed_total.max(t.changed.len() as u64)).sum()
    }
    /// Everything arrived exactly: nothing rejected, changed, or left behind.
    pub fn is_exact(&self) -> bool {
        self.completed && self.rejected_count() == 0 && self.changed_count() == 0 && self.warnings.is_empty()
    }
    pub fn phase_seconds(&self, p: Phase) -> f64 {
        self.phases.get(p.name()).copied().unwrap_or(0.0)
    }
    /// Whether the phases' times add up to more than the run's total: each phase's time is
    /// summed over the tables, and tables load, index and check side by side (`jobs`), so a
    /// phase can take "longer" than the whole run. A report says so beside them.
    pub fn phases_overlap(&self) -> bool {
        self.phases.values().sum::<f64>() > self.seconds + 0.05
    }
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::placement::{Placed, ShardRow, TenantRow};

    fn shard(table: &str, id: i64, kind: &str, node: &str, rows: u64, bytes: u64, start: Option<i64>) -> ShardRow {
        ShardRow { table: table.into(), shard_id: id, kind: kind.into(), colocation_id: if kind == "distributed" { 1 } else { 2 }, node: node.into(), bytes, rows, range_start: start }
    }

    /// Two co-located tables in two shard groups on two nodes, and a reference table copied
    /// to three: rows and bytes per node and table, the groups, the skew and the shares.
    #[test]
    fn a_placement_sums_up_by_node_table_and_shard_group() {
        let (a, b, c) = ("w1:9701", "w2:9702", "co:9700");
        let p = Placed {
            shards: vec![
                shard("orders", 11, "distributed", a, 30, 3000, Some(-100)),
                shard("orders", 12, "distributed", b, 10, 1000, Some(0)),
                shard("items", 21, "distributed", a, 60, 5000, Some(-100)),
                shard("items", 22, "distributed", b, 20, 1000, Some(0)),
                shard("tenants", 31, "reference", a, 2, 800, None),
                shard("tenants", 31, "reference", b, 2, 800, None),
                shard("tenants", 31, "reference", c, 2, 800, None),
            ],
            tenants: vec![TenantRow { value: "7".into(), rows: 90, shard_id: Some(11) }, TenantRow { value: "8".into(), rows: 30, shard_id: Some(12) }],
            tenant_tables: vec!["items".into(), "orders".into()],
            tenants_distinct: 2,
        };
        let pl = Placement::from_placed(p);
        let nodes: Vec<(&str, u64, u64, u64, u64)> = pl.nodes.iter().map(|n| (n.node.as_str(), n.shards, n.rows, n.bytes, n.reference_bytes)).collect();
        assert_eq!(nodes, [(c, 0, 0, 0, 800), (a, 2, 90, 8000, 800), (b, 2, 30, 2000, 800)]);
        assert_eq!(pl.distributed_rows(), 120);
        let tables: Vec<(&str, &str, u64, u64, u64, u64)> = pl.tables.iter().map(|t| (t.table.as_str(), t.kind.as_str(), t.shards, t.rows, t.bytes, t.largest_shard_bytes)).collect();
        assert_eq!(tables, [("items", "distributed", 2, 80, 6000, 5000), ("orders", "distributed", 2, 40, 4000, 3000), ("tenants", "reference", 1, 2, 800, 800)]);
        assert_eq!(pl.shards.len(), 7);
        let groups: Vec<(u64, &str, u64, u64)> = pl.groups.iter().map(|g| (g.index, g.node.as_str(), g.rows, g.bytes)).collect();
        assert_eq!(groups, [(1, a, 90, 8000), (2, b, 30, 2000)]);
        assert!((pl.skew - 1.6).abs() < 1e-9, "8000 over a mean of 5000: {}", pl.skew);
        assert_eq!(pl.tenant_rows, 120);
        let tenants: Vec<(&str, u64, String, Option<&str>)> = pl.tenants.iter().map(|t| (t.tenant.as_str(), t.rows, format!("{:.3}", t.share), t.node.as_deref())).collect();
        assert_eq!(tenants, [("7", 90, "0.750".into(), Some(a)), ("8", 30, "0.250".into(), Some(b))]);
        assert!(pl.describe_skew().starts_with("skew 1.60 (the largest of 2 shard groups"), "{}", pl.describe_skew());
        // Sizes not known yet (0 bytes everywhere): the skew is by rows.
        let p = Placed { shards: vec![shard("t", 1, "distributed", a, 3, 0, Some(0)), shard("t", 2, "distributed", b, 1, 0, Some(5))], tenant_tables: vec!["t".into()], ..Default::default() };
        assert!((Placement::from_placed(p).skew - 1.5).abs() < 1e-9);
    }
}
