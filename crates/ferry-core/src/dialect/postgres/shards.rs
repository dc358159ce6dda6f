//! Monitor on a Citus coordinator: the figures of its tables are on the nodes.
//!
//! On the coordinator a distributed or reference table is an empty shell: `pg_stat_user_tables`
//! shows it with no rows and 8 KiB, its indexes are never scanned (every one would be called
//! unused) and its blocks never read. Its rows, sizes, scans and cache hits are those of its
//! shards, on the nodes that hold them. Each node reads its own shard placements in one
//! statement (`run_command_on_all_nodes`, the nodes in parallel; a connection of Citus's own
//! sees the shards that other sessions' catalogs hide), and the figures are folded into the
//! coordinator's lists here: one copy of each shard for rows and sizes, every copy for scans
//! and cache reads (each was really read). Besides: the busiest tenants (`citus_stat_tenants`)
//! and how each statement was routed (`citus_stat_statements`).

use super::simple::{self, guarded, MONITOR_MARK as MARK};
use crate::monitor::{is_unused, IndexStat, NodeStat, Routing, Statement, TableStat, TenantStat};
use sqlx::postgres::PgConnection;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The busiest tenants kept.
pub const TOP_TENANTS: usize = 20;

/// Whether this database is a Citus coordinator's (the extension is made in it).
pub async fn is_citus(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    simple::scalar(conn, &guarded(&format!("{MARK} SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus')"))).await
}

/// `Citus 13.2: coordinator and 2 workers`, or `None` without Citus; read behind the monitor's
/// guard (`flavor::citus` is not, and would show among the statements).
pub async fn engine(conn: &mut PgConnection) -> Result<Option<String>, sqlx::Error> {
    let r = simple::one(
        conn,
        &guarded(&format!(
            "{MARK} SELECT (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'citus'), \
                    CASE WHEN to_regclass('pg_catalog.pg_dist_node') IS NOT NULL THEN \
                        (SELECT count(*) FROM pg_catalog.pg_dist_node WHERE groupid <> 0 AND noderole = 'primary' AND isactive) END"
        )),
    )
    .await?;
    let Some(version) = r.try_get::<Option<String>, _>(0)? else { return Ok(None) };
    let workers = r.try_get::<Option<i64>, _>(1)?.unwrap_or(0).max(0) as u64;
    let c = super::flavor::Citus { version: super::flavor::citus_version(&version), workers, shard_count: 0, statistics_target: 0 };
    Ok(Some(c.describe()))
}

/// The shard placements on the node the command runs on, with their shell table's schema
/// and name (`here`): the start of each node's command.
const HERE: &str = "WITH here AS (
    SELECT n.nspname::text AS schema, c.relname::text AS tbl, s.logicalrelid, s.shardid
    FROM pg_catalog.pg_dist_shard s
    JOIN pg_catalog.pg_dist_placement p ON p.shardid = s.shardid AND p.groupid = (SELECT groupid FROM pg_catalog.pg_dist_local_group)
    JOIN pg_catalog.pg_class c ON c.oid = s.logicalrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace)";

/// Each shard's rows (live, dead), sizes (data with TOAST, indexes, total) and heap blocks.
fn tables_command() -> String {
    format!(
        "{MARK} {HERE}
         SELECT coalesce(json_agg(json_build_array(h.schema, h.tbl, h.shardid,
                    pg_stat_get_live_tuples(x.oid), pg_stat_get_dead_tuples(x.oid),
                    pg_table_size(x.oid), pg_indexes_size(x.oid), pg_total_relation_size(x.oid))), '[]')::text
         FROM here h CROSS JOIN LATERAL (SELECT to_regclass(pg_catalog.shard_name(h.logicalrelid, h.shardid)) AS oid) x
         WHERE x.oid IS NOT NULL"
    )
}

/// Each shard index's scans and size (a shard's index is its table's index name with the
/// shard's id, as `shard_name` makes it).
fn indexes_command() -> String {
    format!(
        "{MARK} {HERE}
         SELECT coalesce(json_agg(json_build_array(h.schema, h.tbl, ic.relname::text, h.shardid,
                    pg_stat_get_numscans(x.oid), pg_relation_size(x.oid))), '[]')::text
         FROM here h JOIN pg_catalog.pg_index i ON i.indrelid = h.logicalrelid JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
              CROSS JOIN LATERAL (SELECT to_regclass(pg_catalog.shard_name(i.indexrelid, h.shardid)) AS oid) x
         WHERE x.oid IS NOT NULL"
    )
}

/// Heap and index blocks of the shards in `schema` (every schema when `None`) found in memory
/// and read in: four sums.
fn cache_command(schema: Option<&str>) -> String {
    format!(
        "{MARK} {HERE},
         rels AS (SELECT true AS heap, to_regclass(pg_catalog.shard_name(h.logicalrelid, h.shardid)) AS oid FROM here h WHERE {s}::text IS NULL OR h.schema = {s}
                  UNION ALL
                  SELECT false, to_regclass(pg_catalog.shard_name(i.indexrelid, h.shardid)) FROM here h JOIN pg_catalog.pg_index i ON i.indrelid = h.logicalrelid
                  WHERE {s}::text IS NULL OR h.schema = {s})
         SELECT json_build_array(
                    coalesce(sum(pg_stat_get_blocks_hit(oid)) FILTER (WHERE heap), 0),
                    coalesce(sum(pg_stat_get_blocks_fetched(oid) - pg_stat_get_blocks_hit(oid)) FILTER (WHERE heap), 0),
                    coalesce(sum(pg_stat_get_blocks_hit(oid)) FILTER (WHERE NOT heap), 0),
                    coalesce(sum(pg_stat_get_blocks_fetched(oid) - pg_stat_get_blocks_hit(oid)) FILTER (WHERE NOT heap), 0))::text
         FROM rels WHERE oid IS NOT NULL",
        s = simple::lit_opt(schema)
    )
}

/// One node's answer: `host:port`, whether it is the coordinator, and what it returned.
struct Answer {
    node: String,
    coordinator: bool,
    value: serde_json::Value,
}

/// Runs `command` (one SELECT of one JSON text) on every node, coordinator first; a node that
/// fails or answers what is not JSON is an error that names it.
async fn on_every_node(conn: &mut PgConnection, command: &str) -> Result<Vec<Answer>, sqlx::Error> {
    let rows = simple::rows(
        conn,
        &guarded(&format!(
            "{MARK} SELECT d.nodename || ':' || d.nodeport, d.groupid = 0, r.success, r.result \
             FROM pg_catalog.run_command_on_all_nodes({}) r JOIN pg_catalog.pg_dist_node d ON d.nodeid = r.nodeid \
             ORDER BY d.groupid, 1",
            simple::lit(command)
        )),
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let (node, coordinator, ok, result): (String, bool, bool, Option<String>) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        let result = result.unwrap_or_default();
        if !ok {
            return Err(sqlx::Error::Protocol(format!("node {node} did not answer: {}", crate::monitor::one_line(&result))));
        }
        let value = serde_json::from_str(&result).map_err(|e| sqlx::Error::Protocol(format!("node {node} answered what is not understood ({e})")))?;
        out.push(Answer { node, coordinator, value });
    }
    Ok(out)
}

fn text(v: &serde_json::Value, i: usize) -> String {
    v.get(i).and_then(|x| x.as_str()).unwrap_or_default().to_string()
}

/// A number of a node's row, negative or missing as 0; sums come as decimals.
fn number(v: &serde_json::Value, i: usize) -> u64 {
    v.get(i).and_then(|x| x.as_u64().or_else(|| x.as_f64().map(|f| f.max(0.0) as u64))).unwrap_or(0)
}

fn shard_id(v: &serde_json::Value, i: usize) -> i64 {
    v.get(i).and_then(|x| x.as_i64()).unwrap_or(0)
}

/// One placement of one shard of a table, as its node read it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardTable {
    pub node: String,
    pub schema: String,
    pub table: String,
    pub shard_id: i64,
    pub live: u64,
    pub dead: u64,
    pub data: u64,
    pub index: u64,
    pub total: u64,
}

/// One placement of one shard's index.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardIndex {
    pub schema: String,
    pub table: String,
    pub index: String,
    pub shard_id: i64,
    pub scans: u64,
    pub size: u64,
}

/// Every node (even one holding no shard) and the shard placements each holds.
pub async fn shard_tables(conn: &mut PgConnection) -> Result<(Vec<(String, bool)>, Vec<ShardTable>), sqlx::Error> {
    let answers = on_every_node(conn, &tables_command()).await?;
    let nodes = answers.iter().map(|a| (a.node.clone(), a.coordinator)).collect();
    let mut out = vec![];
    for a in &answers {
        for v in a.value.as_array().into_iter().flatten() {
            out.push(ShardTable {
                node: a.node.clone(),
                schema: text(v, 0),
                table: text(v, 1),
                shard_id: shard_id(v, 2),
                live: number(v, 3),
                dead: number(v, 4),
                data: number(v, 5),
                index: number(v, 6),
                total: number(v, 7),
            });
        }
    }
    Ok((nodes, out))
}

pub async fn shard_indexes(conn: &mut PgConnection) -> Result<Vec<ShardIndex>, sqlx::Error> {
    let mut out = vec![];
    for a in on_every_node(conn, &indexes_command()).await? {
        for v in a.value.as_array().into_iter().flatten() {
            out.push(ShardIndex { schema: text(v, 0), table: text(v, 1), index: text(v, 2), shard_id: shard_id(v, 3), scans: number(v, 4), size: number(v, 5) });
        }
    }
    Ok(out)
}

/// The shards' blocks on every node, over `schema`: heap found in memory, heap read in, index
/// found, index read in.
pub async fn shard_blocks(conn: &mut PgConnection, schema: Option<&str>) -> Result<[u64; 4], sqlx::Error> {
    let mut sums = [0; 4];
    for a in on_every_node(conn, &cache_command(schema)).await? {
        for (i, s) in sums.iter_mut().enumerate() {
            *s += number(&a.value, i);
        }
    }
    Ok(sums)
}

/// Each Citus table's placement in words, by (schema, table).
pub async fn placements(conn: &mut PgConnection) -> Result<HashMap<(String, String), String>, sqlx::Error> {
    let rows = simple::rows(
        conn,
        &guarded(&format!(
            "{MARK} SELECT n.nspname::text, c.relname::text, p.partmethod::text, p.repmodel::text, p.colocationid::int8, \
                    CASE WHEN p.partmethod = 'h' THEN pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) END, \
                    (SELECT count(*) FROM pg_catalog.pg_dist_shard d WHERE d.logicalrelid = p.logicalrelid) \
             FROM pg_catalog.pg_dist_partition p JOIN pg_catalog.pg_class c ON c.oid = p.logicalrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        )),
    )
    .await?;
    let mut out = HashMap::new();
    for r in &rows {
        let words = placement_words(&r.try_get::<String, _>(2)?, &r.try_get::<String, _>(3)?, r.try_get(4)?, r.try_get::<Option<String>, _>(5)?.as_deref(), r.try_get::<i64, _>(6)?.max(0) as u64);
        out.insert((r.try_get(0)?, r.try_get(1)?), words);
    }
    Ok(out)
}

/// `pg_dist_partition`'s method and replication model in words.
pub fn placement_words(method: &str, model: &str, colocation: i64, column: Option<&str>, shards: u64) -> String {
    match (method, model) {
        ("h", _) => format!("distributed by {}, {}", column.unwrap_or("?"), crate::value::plural(shards, "shard", "shards")),
        (_, "t") => "reference, a copy on every node".into(),
        _ if colocation == 0 => "Citus local, on the coordinator".into(),
        _ => "one shard (schema-based sharding)".into(),
    }
}

/// Folds the shards' figures into the coordinator's list: a Citus table's rows and sizes become
/// the sum over its shards, one copy of each, and its placement is said; the list is ordered
/// by total size again. Tables not listed (another schema) are left out.
pub fn fold_tables(tables: &mut [TableStat], shards: &[ShardTable], placements: &HashMap<(String, String), String>) {
    let mut seen = HashSet::new();
    let mut sums: HashMap<(&str, &str), [u64; 5]> = HashMap::new();
    for s in shards {
        if !seen.insert(s.shard_id) {
            continue;
        }
        let e = sums.entry((&s.schema, &s.table)).or_default();
        for (i, v) in [s.live, s.dead, s.data, s.index, s.total].into_iter().enumerate() {
            e[i] += v;
        }
    }
    for t in tables.iter_mut() {
        let Some(words) = placements.get(&(t.schema.clone(), t.name.clone())) else { continue };
        let [live, dead, data, index, total] = sums.get(&(t.schema.as_str(), t.name.as_str())).copied().unwrap_or_default();
        // The coordinator's shell adds its own (empty) pages: one copy of the truth is the shards'.
        *t = TableStat { rows: Some(live), dead_rows: Some(dead), data_bytes: data, index_bytes: index, total_bytes: total, placement: Some(words.clone()), ..t.clone() };
    }
    tables.sort_by(|a, b| b.total_bytes.cmp(&a.total_bytes).then_with(|| (&a.schema, &a.name).cmp(&(&b.schema, &b.name))));
}

/// Folds the shards' index figures in: scans over every copy (each was used), size over one
/// copy of each shard; an index scanned on its shards is not unused.
pub fn fold_indexes(indexes: &mut [IndexStat], shards: &[ShardIndex]) {
    let mut seen = HashSet::new();
    let mut sums: HashMap<(&str, &str, &str), (u64, u64, bool)> = HashMap::new();
    for s in shards {
        let e = sums.entry((&s.schema, &s.table, &s.index)).or_default();
        e.0 += s.scans;
        if seen.insert((s.shard_id, &s.index)) {
            e.1 += s.size;
        }
        e.2 = true;
    }
    for i in indexes.iter_mut() {
        let Some(&(scans, size, _)) = sums.get(&(i.schema.as_str(), i.table.as_str(), i.name.as_str())) else { continue };
        let scans = i.scans.unwrap_or(0) + scans;
        i.scans = Some(scans);
        i.size_bytes = Some(size);
        i.unused = is_unused(Some(scans), i.unique, i.primary);
    }
}

/// What each node holds: placements, rows and bytes (every copy: each takes room on its node).
pub fn nodes(all: &[(String, bool)], shards: &[ShardTable]) -> Vec<NodeStat> {
    let mut by: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for s in shards {
        let e = by.entry(&s.node).or_default();
        e.0 += 1;
        e.1 += s.live;
        e.2 += s.total;
    }
    all.iter()
        .map(|(node, coordinator)| {
            let (shards, rows, bytes) = by.get(node.as_str()).copied().unwrap_or_default();
            NodeStat { node: node.clone(), coordinator: *coordinator, shards, rows, bytes }
        })
        .collect()
}

/// The busiest tenants over every node, and the setting that turns their tracking on; a note
/// when it is off. Citus keeps them per server, not per database: those of the co-location
/// groups this database has are read, which another database's groups of the same numbers
/// would share.
pub async fn tenants(conn: &mut PgConnection) -> Result<(Vec<TenantStat>, u64, Vec<String>), sqlx::Error> {
    let r = simple::one(
        &mut *conn,
        &guarded(&format!("{MARK} SELECT current_setting('citus.stat_tenants_track'), current_setting('citus.stat_tenants_period')::int8, current_database()::text")),
    )
    .await?;
    let (track, period, database): (String, i64, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
    let period = period.max(0) as u64;
    if track == "none" {
        return Ok((vec![], period, vec![format!("tenants: Citus does not track them (citus.stat_tenants_track is none). To see the busiest: {}", track_on(&database, "citus.stat_tenants_track"))]));
    }
    let rows = simple::rows(
        conn,
        &guarded(&format!(
            "{MARK} SELECT tenant_attribute, colocation_id::int8, sum(query_count_in_this_period)::int8, sum(query_count_in_last_period)::int8, \
                    sum(read_count_in_this_period)::int8, sum(read_count_in_last_period)::int8, \
                    sum(cpu_usage_in_this_period)::float8, sum(cpu_usage_in_last_period)::float8 \
             FROM pg_catalog.citus_stat_tenants WHERE colocation_id IN (SELECT colocationid FROM pg_catalog.pg_dist_colocation) GROUP BY 1, 2 \
             ORDER BY sum(query_count_in_this_period) + sum(query_count_in_last_period) DESC, \
                      sum(cpu_usage_in_this_period) + sum(cpu_usage_in_last_period) DESC, 1 LIMIT {TOP_TENANTS}"
        )),
    )
    .await?;
    let n = |r: &sqlx::postgres::PgRow, i: usize| -> Result<u64, sqlx::Error> { Ok(r.try_get::<Option<i64>, _>(i)?.unwrap_or(0).max(0) as u64) };
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(TenantStat {
            tenant: r.try_get::<Option<String>, _>(0)?.unwrap_or_default(),
            colocation_id: r.try_get::<Option<i64>, _>(1)?.unwrap_or(0),
            queries: n(r, 2)?,
            queries_last: n(r, 3)?,
            reads: n(r, 4)?,
            reads_last: n(r, 5)?,
            cpu_seconds: r.try_get::<Option<f64>, _>(6)?.unwrap_or(0.0),
            cpu_seconds_last: r.try_get::<Option<f64>, _>(7)?.unwrap_or(0.0),
        });
    }
    Ok((out, period, vec![]))
}

/// The statement that turns a Citus tracking setting on for this database (Citus passes it to
/// the workers; sessions opened afterwards count): the notes' and the statements setup's.
pub fn track_sql(database: &str, setting: &str) -> String {
    format!("ALTER DATABASE {} SET {setting} = 'all'", crate::sqlexpr::quote_ident(database, crate::dialect::Dialect::Postgres))
}

/// `track_sql`, with who may run it and when it counts, for a note.
fn track_on(database: &str, setting: &str) -> String {
    format!("{} (as a superuser; sessions opened afterwards are counted)", track_sql(database, setting))
}

/// Adds how Citus routed each statement (`citus_stat_statements`); a note when it does not
/// record that.
pub async fn routing(conn: &mut PgConnection, statements: &mut [Statement]) -> Result<Vec<String>, sqlx::Error> {
    let r = simple::one(&mut *conn, &guarded(&format!("{MARK} SELECT current_setting('citus.stat_statements_track'), current_database()::text"))).await?;
    let (track, database): (String, String) = (r.try_get(0)?, r.try_get(1)?);
    if track == "none" {
        return Ok(vec![format!(
            "statements: Citus does not record which go to one tenant and which to every shard (citus.stat_statements_track is none). To see it: {}",
            track_on(&database, "citus.stat_statements_track")
        )]);
    }
    let rows = simple::rows(
        conn,
        &guarded(&format!(
            "{MARK} SELECT queryid::text, sum(calls)::int8, coalesce(sum(calls) FILTER (WHERE partition_key IS NOT NULL), 0)::int8, \
                    count(DISTINCT partition_key)::int8, string_agg(DISTINCT executor, ', ' ORDER BY executor) \
             FROM pg_catalog.citus_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
             GROUP BY queryid"
        )),
    )
    .await?;
    let mut by: HashMap<String, Routing> = HashMap::new();
    for r in &rows {
        let n = |i: usize| -> Result<u64, sqlx::Error> { Ok(r.try_get::<i64, _>(i)?.max(0) as u64) };
        let (calls, routed) = (n(1)?, n(2)?);
        by.insert(
            r.try_get(0)?,
            Routing { tenant_calls: routed, fanout_calls: calls.saturating_sub(routed), tenants: n(3)?, executor: r.try_get::<Option<String>, _>(4)?.unwrap_or_default() },
        );
    }
    for s in statements.iter_mut() {
        s.routing = by.remove(&s.id);
    }
    Ok(vec![])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, total: u64) -> TableStat {
        TableStat { schema: "public".into(), name: name.into(), rows: Some(0), data_bytes: 0, index_bytes: 0, total_bytes: total, dead_rows: Some(0), placement: None }
    }

    fn shard(node: &str, name: &str, id: i64, live: u64, total: u64) -> ShardTable {
        ShardTable { node: node.into(), schema: "public".into(), table: name.into(), shard_id: id, live, dead: 1, data: total / 2, index: total / 2, total }
    }

    #[test]
    fn placements_in_words() {
        let cases = [
            (("h", "s", 3, Some("tenant_id"), 8), "distributed by tenant_id, 8 shards"),
            (("h", "s", 3, Some("tenant_id"), 1), "distributed by tenant_id, 1 shard"),
            (("n", "t", 1, None, 1), "reference, a copy on every node"),
            (("n", "s", 0, None, 1), "Citus local, on the coordinator"),
            (("n", "s", 7, None, 1), "one shard (schema-based sharding)"),
        ];
        for ((m, r, c, col, n), want) in cases {
            assert_eq!(placement_words(m, r, c, col, n), want);
        }
    }

    #[test]
    fn tables_take_one_copy_of_each_shard_and_sort_again() {
        let mut tables = vec![table("local", 16384), table("orders", 8192), table("tenants", 8192), table("elsewhere", 8192)];
        let shards = vec![
            shard("w1:1", "orders", 1, 100, 40_000),
            shard("w2:2", "orders", 2, 50, 20_000),
            // a reference table: one shard, a copy on each of three nodes
            shard("c:0", "tenants", 9, 3, 24_576),
            shard("w1:1", "tenants", 9, 3, 24_576),
            shard("w2:2", "tenants", 9, 3, 24_576),
        ];
        let placements: HashMap<_, _> =
            [(("public".to_string(), "orders".to_string()), "distributed by tenant_id, 2 shards".to_string()), (("public".into(), "tenants".into()), "reference, a copy on every node".into()), (("public".into(), "elsewhere".into()), "distributed by tenant_id, 2 shards".into())]
                .into_iter()
                .collect();
        fold_tables(&mut tables, &shards, &placements);
        let got: Vec<_> = tables.iter().map(|t| (t.name.as_str(), t.rows, t.total_bytes, t.dead_rows, t.placement.is_some())).collect();
        assert_eq!(
            got,
            [("orders", Some(150), 60_000, Some(2), true), ("tenants", Some(3), 24_576, Some(1), true), ("local", Some(0), 16384, Some(0), false), ("elsewhere", Some(0), 0, Some(0), true)]
        );
    }

    #[test]
    fn index_scans_count_every_copy_and_decide_unused() {
        let ix = |name: &str, unique: bool| IndexStat { schema: "public".into(), table: "t".into(), name: name.into(), unique, primary: false, scans: Some(0), size_bytes: Some(8192), unused: !unique };
        let mut indexes = vec![ix("t_v", false), ix("t_w", false), ix("t_key", true), ix("local_ix", false)];
        let sh = |index: &str, id: i64, scans: u64| ShardIndex { schema: "public".into(), table: "t".into(), index: index.into(), shard_id: id, scans, size: 1000 };
        let shards = vec![sh("t_v", 1, 5), sh("t_v", 2, 0), sh("t_v", 2, 2), sh("t_w", 1, 0), sh("t_w", 2, 0), sh("t_key", 1, 0)];
        fold_indexes(&mut indexes, &shards);
        let got: Vec<_> = indexes.iter().map(|i| (i.name.as_str(), i.scans, i.size_bytes, i.unused)).collect();
        assert_eq!(got, [("t_v", Some(7), Some(2000), false), ("t_w", Some(0), Some(2000), true), ("t_key", Some(0), Some(1000), false), ("local_ix", Some(0), Some(8192), true)]);
    }

    #[test]
    fn every_node_is_listed_with_what_it_holds() {
        let all = vec![("c:0".to_string(), true), ("w1:1".to_string(), false), ("w2:2".to_string(), false)];
        let shards = vec![shard("w1:1", "orders", 1, 100, 40_000), shard("w1:1", "tenants", 9, 3, 24_576), shard("w2:2", "tenants", 9, 3, 24_576)];
        let got: Vec<_> = nodes(&all, &shards).into_iter().map(|n| (n.node, n.coordinator, n.shards, n.rows, n.bytes)).collect();
        assert_eq!(got, [("c:0".to_string(), true, 0, 0, 0), ("w1:1".into(), false, 2, 103, 64_576), ("w2:2".into(), false, 1, 3, 24_576)]);
    }
}
