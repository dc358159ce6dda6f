//! Citus: a distributed table's rows COPYed straight into its shards on the workers, not
//! through the coordinator. Through the coordinator every row is parsed twice (by the
//! coordinator, which routes it, and by the worker that keeps it); here Ferry routes it.
//!
//! Which shard a row goes to is Citus's answer, never Ferry's own hashing: each distribution
//! value the run has not met yet is asked of the coordinator
//! (`get_shard_id_for_distribution_column`, the function Citus routes by, with the column's
//! own type and collation) and remembered. Each batch then goes as one transaction per
//! worker, a COPY per shard. What a worker refuses (its transaction rolled back) is
//! returned to the caller, which sends those rows through the coordinator as without this
//! path, where a refused row is found and reported.
//!
//! The path is taken only where it is plainly right: a hash-distributed table whose every
//! shard has exactly one placement, on an active primary node, keyed by a column of a type
//! the rows carry plainly (integers, text, uuid). Anything else (a reference table, a
//! replicated shard, a worker this machine cannot reach) loads through the coordinator,
//! and why is said once.

use super::simple;
use super::PgConnection;
use crate::dialect::write::{OffOnce, Sent};
use crate::dialect::TargetUrl;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the name of this path reads in the report's notes.
pub const PATH: &str = "COPY into the Citus shards";

/// The type of a distribution column, as the rows carry it in COPY's binary form.
#[derive(Clone, Copy, Debug, PartialEq)]
enum KeyType {
    Int2,
    Int4,
    Int8,
    Text,
    Uuid,
}

impl KeyType {
    /// By the column type's oid: the types Ferry writes a distribution column as.
    fn of(oid: i64) -> Option<KeyType> {
        Some(match oid {
            21 => KeyType::Int2,
            23 => KeyType::Int4,
            20 => KeyType::Int8,
            25 | 1043 => KeyType::Text,
            2950 => KeyType::Uuid,
            _ => return None,
        })
    }

    /// A value in COPY's binary form as the text the column's type reads back.
    fn text(self, b: &[u8]) -> Option<String> {
        Some(match self {
            KeyType::Int2 => i16::from_be_bytes(b.try_into().ok()?).to_string(),
            KeyType::Int4 => i32::from_be_bytes(b.try_into().ok()?).to_string(),
            KeyType::Int8 => i64::from_be_bytes(b.try_into().ok()?).to_string(),
            KeyType::Text => String::from_utf8(b.to_vec()).ok()?,
            KeyType::Uuid => uuid::Uuid::from_slice(b).ok()?.hyphenated().to_string(),
        })
    }
}

/// Field `n` of one row in COPY's binary form (a field count, then each field's length and
/// bytes); None for a NULL or a row that is not whole.
fn field(row: &[u8], n: usize) -> Option<&[u8]> {
    let mut at = 2;
    for i in 0..=n {
        let len = i32::from_be_bytes(row.get(at..at + 4)?.try_into().ok()?);
        at += 4;
        if len < 0 {
            if i == n {
                return None;
            }
            continue;
        }
        let len = len as usize;
        if i == n {
            return row.get(at..at + len);
        }
        at += len;
    }
    None
}

/// The run's way into the shards: how to reach each node, and the connections kept between
/// tables.
pub struct ShardPaths {
    url: TargetUrl,
    idle: Mutex<Vec<(String, PgConnection)>>,
    off: OffOnce,
    /// The tables whose rows (some or all) went this way, and those rows.
    tables: AtomicU64,
    rows: AtomicU64,
}

/// One table's loader.
pub struct ShardLoader {
    paths: Arc<ShardPaths>,
    /// `get_shard_id_for_distribution_column(…)` of `$v`, ready for the values.
    lookup: String,
    /// The distribution column's place in a row, and its type.
    key_at: usize,
    key_type: KeyType,
    /// Each shard's node (an index into `nodes`) and its COPY statement.
    shards: HashMap<i64, (usize, String)>,
    nodes: Vec<(String, Option<PgConnection>)>,
    /// Each node's buffer for a shard's rows (`send_node`).
    buffers: Vec<Vec<u8>>,
    /// The shard of each distribution value met so far, by its bytes.
    known: HashMap<Vec<u8>, i64>,
    to_say: Option<String>,
    /// Rows the shards took.
    taken: u64,
}

/// The most distribution values remembered for one table; past it, the memory is emptied
/// and the values asked again (a table distributed by a column of millions of values).
const KNOWN_MAX: usize = 1 << 20;

impl ShardPaths {
    pub fn new(url: &TargetUrl) -> ShardPaths {
        let off = if std::env::var("FERRY_TEST_CITUS_THROUGH_COORDINATOR").is_ok_and(|v| v == "1") { OffOnce::off_unsaid() } else { OffOnce::default() };
        ShardPaths { url: url.clone(), idle: Mutex::new(vec![]), off, tables: AtomicU64::new(0), rows: AtomicU64::new(0) }
    }

    /// The tables whose rows went straight into their shards so far, and those rows.
    pub fn went(&self) -> (u64, u64) {
        (self.tables.load(Ordering::Relaxed), self.rows.load(Ordering::Relaxed))
    }

    /// Turns the path off for the run; the reason the first time.
    fn refuse(&self, reason: String) -> Option<String> {
        self.off.refuse(reason)
    }

    /// A session on the node `host:port`, kept from an earlier table or opened with the
    /// run's URL (its user, password and TLS) pointed there.
    async fn node(&self, host: &str, port: i64) -> Result<(String, PgConnection), String> {
        let key = format!("{host}:{port}");
        let kept = {
            let mut idle = self.idle.lock().expect("idle");
            idle.iter().position(|(k, _)| *k == key).map(|i| idle.swap_remove(i))
        };
        if let Some(k) = kept {
            return Ok(k);
        }
        let url = node_url(&self.url, host, port)?;
        match tokio::time::timeout(Duration::from_secs(10), super::connect(&url)).await {
            Ok(Ok(c)) => Ok((key, c)),
            Ok(Err(e)) => Err(format!("the worker {key} cannot be reached from here ({e})")),
            Err(_) => Err(format!("the worker {key} did not answer within 10 seconds")),
        }
    }

    /// A loader for the table `table` (schema-qualified, as SQL), whose rows carry `columns`
    /// in that order; None where the table is no hash-distributed table (it loads through
    /// the coordinator, as it should) or the path is off. A loader that could not be set up
    /// says why once (`Sent::Off`) and takes nothing.
    pub async fn loader(self: &Arc<Self>, coordinator: &mut PgConnection, table: &str, columns: &[String]) -> Option<ShardLoader> {
        if self.off.is_off() {
            return None;
        }
        let reg = simple::lit(table);
        let key: Option<(String, i64, String)> = simple::one(
            coordinator,
            &format!(
                "SELECT a.attname::text, a.atttypid::int8, format_type(a.atttypid, a.atttypmod) FROM pg_dist_partition p \
                 JOIN pg_attribute a ON a.attrelid = p.logicalrelid AND a.attname = column_to_column_name(p.logicalrelid, p.partkey) \
                 WHERE p.logicalrelid = {reg}::regclass AND p.partmethod = 'h'"
            ),
        )
        .await
        .ok()
        .and_then(|r| {
            use sqlx::Row;
            Some((r.try_get(0).ok()?, r.try_get(1).ok()?, r.try_get(2).ok()?))
        });
        let (column, oid, type_sql) = key?;
        let mut l = ShardLoader { paths: self.clone(), lookup: String::new(), key_at: 0, key_type: KeyType::Int8, shards: HashMap::new(), nodes: vec![], buffers: vec![], known: HashMap::new(), to_say: None, taken: 0 };
        match l.set_up(coordinator, table, &reg, columns, (&column, oid, &type_sql)).await {
            Ok(()) => Some(l),
            // A worker not reached: no table can take this path.
            Err(SetUp::Run(why)) => {
                l.done_with_nodes();
                l.to_say = self.refuse(format!("{why}: the distributed tables load through the coordinator"));
                l.to_say.is_some().then_some(l)
            }
            // Something of this table's: it alone loads through the coordinator.
            Err(SetUp::Table(why)) => {
                l.done_with_nodes();
                l.to_say = Some(format!("{why}: its rows load through the coordinator"));
                Some(l)
            }
        }
    }
}

/// The run's URL pointed at another node of the cluster.
fn node_url(url: &TargetUrl, host: &str, port: i64) -> Result<TargetUrl, String> {
    let mut u = url::Url::parse(&url.url).map_err(|e| e.to_string())?;
    u.set_host(Some(host)).map_err(|e| format!("the worker's name {host}: {e}"))?;
    u.set_port(u16::try_from(port).ok()).map_err(|_| format!("the worker's port {port}"))?;
    // A host or port in the query (libpq's `host=`) would win over the one just set.
    let kept: Vec<(String, String)> = u.query_pairs().filter(|(k, _)| !matches!(&**k, "host" | "hostaddr" | "port")).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    u.set_query(None);
    if !kept.is_empty() {
        u.query_pairs_mut().extend_pairs(kept);
    }
    let mut t = url.clone();
    t.url = u.to_string();
    t.host = host.to_string();
    Ok(t)
}

/// Why a loader could not be set up: for the whole run, or for its table alone.
enum SetUp {
    Run(String),
    Table(String),
}

impl ShardLoader {
    async fn set_up(&mut self, coordinator: &mut PgConnection, table: &str, reg: &str, columns: &[String], (column, oid, type_sql): (&str, i64, &str)) -> Result<(), SetUp> {
        use sqlx::Row;
        self.key_type = KeyType::of(oid).ok_or_else(|| SetUp::Table(format!("{table} is distributed by {column}, of type {type_sql}")))?;
        self.key_at = columns.iter().position(|c| c == column).ok_or_else(|| SetUp::Table(format!("{table}'s rows do not carry its distribution column {column}")))?;
        self.lookup = format!("get_shard_id_for_distribution_column({reg}::regclass, v::{type_sql})");
        let rows = simple::rows(
            coordinator,
            &format!(
                "SELECT s.shardid, shard_name(s.logicalrelid, s.shardid, false), n.nodename::text, n.nodeport::int8, \
                 count(*) OVER (PARTITION BY s.shardid) FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) \
                 JOIN pg_dist_node n USING (groupid) WHERE s.logicalrelid = {reg}::regclass AND n.isactive AND n.noderole = 'primary' \
                 ORDER BY s.shardid"
            ),
        )
        .await
        .map_err(|e| SetUp::Table(format!("the shards of {table}: {e}")))?;
        if rows.is_empty() {
            return Err(SetUp::Table(format!("{table} has no shard on an active node")));
        }
        let cols = columns.iter().map(|c| crate::sqlexpr::quote_ident(c, crate::dialect::Dialect::Postgres)).collect::<Vec<_>>().join(", ");
        let read = |e: sqlx::Error| SetUp::Table(format!("the shards of {table}: {e}"));
        for r in rows {
            let id: i64 = r.try_get(0).map_err(read)?;
            let name: String = r.try_get(1).map_err(read)?;
            let host: String = r.try_get(2).map_err(read)?;
            let port: i64 = r.try_get(3).map_err(read)?;
            let copies: i64 = r.try_get(4).map_err(read)?;
            if copies != 1 {
                return Err(SetUp::Table(format!("{table}'s shards are kept in {copies} copies")));
            }
            let key = format!("{host}:{port}");
            let node = match self.nodes.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    let (k, c) = self.paths.node(&host, port).await.map_err(SetUp::Run)?;
                    self.nodes.push((k, Some(c)));
                    self.buffers.push(vec![]);
                    self.nodes.len() - 1
                }
            };
            // `name`: quoted and schema-qualified, `public` too (shard_name's third argument).
            self.shards.insert(id, (node, format!("COPY {name} ({cols}) FROM STDIN (FORMAT binary)")));
        }
        Ok(())
    }

    /// Asks the coordinator for the shards of the values not met yet.
    async fn learn(&mut self, coordinator: &mut PgConnection, values: Vec<Vec<u8>>) -> Result<(), String> {
        if values.is_empty() {
            return Ok(());
        }
        if self.known.len() + values.len() > KNOWN_MAX {
            self.known.clear();
        }
        for chunk in values.chunks(5000) {
            let texts: Vec<String> = chunk.iter().map(|v| self.key_type.text(v).map(|t| simple::lit(&t)).ok_or_else(|| "a distribution value Ferry could not read back".to_string())).collect::<Result<_, _>>()?;
            let sql = format!("SELECT {} FROM unnest(ARRAY[{}]::text[]) WITH ORDINALITY u(v, i) ORDER BY i", self.lookup, texts.join(","));
            let ids: Vec<i64> = simple::scalars(coordinator, &sql).await.map_err(|e| format!("the shards of the distribution values: {e}"))?;
            if ids.len() != chunk.len() {
                return Err("the coordinator did not name a shard for every distribution value".into());
            }
            for (v, id) in chunk.iter().zip(ids) {
                self.known.insert(v.clone(), id);
            }
        }
        Ok(())
    }

    /// Sends `rows` (each in COPY's binary form) into their shards; the rows not taken are
    /// returned by their place in `rows`, to go through the coordinator.
    pub async fn send(&mut self, coordinator: &mut PgConnection, rows: &[&[u8]]) -> Sent {
        if let Some(why) = self.to_say.take() {
            return Sent::Off(why);
        }
        if self.nodes.is_empty() || self.nodes.iter().any(|(_, c)| c.is_none()) {
            return Sent::Again;
        }
        let keys: Vec<Option<&[u8]>> = rows.iter().map(|r| field(r, self.key_at)).collect();
        let new: Vec<Vec<u8>> = {
            let mut seen = std::collections::HashSet::new();
            keys.iter().flatten().filter(|v| !self.known.contains_key(**v) && seen.insert(**v)).map(|v| v.to_vec()).collect()
        };
        if let Err(why) = self.learn(coordinator, new).await {
            self.done_with_nodes();
            return match self.paths.refuse(format!("{why}: the distributed tables load through the coordinator")) {
                Some(why) => Sent::Off(why),
                None => Sent::Again,
            };
        }
        // Each node's shards, each with its rows (their places in `rows`).
        let mut rest: Vec<usize> = vec![];
        let mut by_node: Vec<Vec<(i64, Vec<usize>)>> = vec![vec![]; self.nodes.len()];
        for (i, k) in keys.iter().enumerate() {
            // A NULL goes through the coordinator, which refuses it and says why.
            let Some((shard, (node, _))) = k.and_then(|v| self.known.get(v)).and_then(|s| Some((*s, self.shards.get(s)?))) else {
                rest.push(i);
                continue;
            };
            let list = &mut by_node[*node];
            match list.iter_mut().find(|(s, _)| *s == shard) {
                Some((_, at)) => at.push(i),
                None => list.push((shard, vec![i])),
            }
        }
        let shards = &self.shards;
        let work = self.nodes.iter_mut().zip(self.buffers.iter_mut()).zip(by_node).map(|(((_, c), buf), list)| async move {
            if list.is_empty() {
                return (Ok((0, vec![])), list);
            }
            let c = c.as_mut().expect("connected");
            (send_node(c, shards, &list, rows, buf).await, list)
        });
        let mut taken = 0;
        let mut lost: Option<String> = None;
        for (i, (r, list)) in futures_util::future::join_all(work).await.into_iter().enumerate() {
            match r {
                Ok((n, left_out)) => {
                    taken += n;
                    rest.extend(left_out.iter().flat_map(|&k| list[k].1.iter().copied()));
                }
                Err(e) => {
                    rest.extend(list.iter().flat_map(|(_, at)| at.iter().copied()));
                    if e.as_database_error().is_none() {
                        // The connection is gone: this table's other batches go through the
                        // coordinator.
                        lost = Some(format!("the worker {} was lost ({e})", self.nodes[i].0));
                        self.nodes[i].1 = None;
                    }
                }
            }
        }
        rest.sort_unstable();
        self.taken += taken;
        if let Some(why) = lost {
            self.to_say = self.paths.refuse(format!("{why}: the rest loads through the coordinator"));
        }
        if rest.is_empty() {
            Sent::Taken(taken)
        } else {
            Sent::Partly { taken, rest }
        }
    }

    /// The loader's connections, back for the next table.
    fn done_with_nodes(&mut self) {
        let mut idle = self.paths.idle.lock().expect("idle");
        for (k, c) in self.nodes.drain(..) {
            if let Some(c) = c {
                idle.push((k, c));
            }
        }
    }

    /// The table is loaded.
    pub fn done(mut self) {
        if self.taken > 0 {
            self.paths.tables.fetch_add(1, Ordering::Relaxed);
            self.paths.rows.fetch_add(self.taken, Ordering::Relaxed);
        }
        self.done_with_nodes();
    }
}

/// One node's part of a batch: a COPY per shard in one transaction, committed so that the
/// rows are on disk when the run says they are in (`OWN_LIMITS` lets commits go without
/// waiting; this one waits). Where the node refuses a row, the part goes again with each
/// shard's COPY in a savepoint of its own, so that only the shards that refuse are left out.
/// Returns the rows taken and the shards left out (their places in `list`); an error only
/// where the node took none of the part (the connection failed). Each shard's rows are put
/// together in `buf` (the node's, kept between batches) as its COPY goes: the batch is not
/// copied whole a second time.
async fn send_node(c: &mut PgConnection, shards: &HashMap<i64, (usize, String)>, list: &[(i64, Vec<usize>)], rows: &[&[u8]], buf: &mut Vec<u8>) -> Result<(u64, Vec<usize>), sqlx::Error> {
    match node_tx(c, shards, list, rows, buf, false).await {
        Err(e) if e.as_database_error().is_some() => node_tx(c, shards, list, rows, buf, true).await,
        r => r,
    }
}

/// `send_node`'s transaction; `each_alone`: each shard's COPY in a savepoint.
async fn node_tx(c: &mut PgConnection, shards: &HashMap<i64, (usize, String)>, list: &[(i64, Vec<usize>)], rows: &[&[u8]], buf: &mut Vec<u8>, each_alone: bool) -> Result<(u64, Vec<usize>), sqlx::Error> {
    async fn run(c: &mut PgConnection, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(c).await.map(|_| ())
    }
    run(c, &super::with_own_limits("BEGIN")).await?;
    let mut n = 0;
    let mut left_out = vec![];
    for (k, (shard, at)) in list.iter().enumerate() {
        buf.clear();
        for &i in at {
            buf.extend_from_slice(rows[i]);
        }
        let step = async {
            if each_alone {
                run(c, "SAVEPOINT ferry_shard").await?;
            }
            super::write::copy_rows(c, &shards[shard].1, buf).await
        };
        match step.await {
            Ok(rows) => n += rows,
            Err(e) if each_alone && e.as_database_error().is_some() => {
                if let Err(e) = run(c, "ROLLBACK TO SAVEPOINT ferry_shard").await {
                    let _ = run(c, "ROLLBACK").await;
                    return Err(e);
                }
                left_out.push(k);
            }
            Err(e) => {
                let _ = run(c, "ROLLBACK").await;
                return Err(e);
            }
        }
    }
    run(c, "SET LOCAL synchronous_commit = on; COMMIT").await?;
    // The rows counted in the shard's statistics now, not when this idle session next
    // reports them: by then the run's ANALYZE has set the shard's live rows, and the late
    // count would be added to it (Monitor showed twice the rows). PostgreSQL 15 on; before
    // it, the function is not there and the count comes as it may.
    let _ = run(c, "SELECT pg_stat_force_next_flush()").await;
    Ok((n, left_out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fields: &[Option<&[u8]>]) -> Vec<u8> {
        let mut b = (fields.len() as i16).to_be_bytes().to_vec();
        for f in fields {
            match f {
                Some(v) => {
                    b.extend_from_slice(&(v.len() as i32).to_be_bytes());
                    b.extend_from_slice(v);
                }
                None => b.extend_from_slice(&(-1i32).to_be_bytes()),
            }
        }
        b
    }

    #[test]
    fn a_field_is_found_past_nulls_and_values() {
        let r = row(&[Some(&7i64.to_be_bytes()), None, Some(b"tenant"), Some(b"")]);
        let cases: &[(usize, Option<&[u8]>)] = &[(0, Some(&7i64.to_be_bytes())), (1, None), (2, Some(b"tenant")), (3, Some(b"")), (4, None)];
        for (n, want) in cases {
            assert_eq!(field(&r, *n), *want, "field {n}");
        }
        // A row cut short reads as no value, never past its end.
        assert_eq!(field(&r[..r.len() - 9], 2), None);
    }

    #[test]
    fn distribution_values_read_back_as_their_type_prints_them() {
        let u = uuid::Uuid::parse_str("0f8fad5b-d9cb-469f-a165-70867728950e").unwrap();
        let cases: &[(i64, &[u8], Option<&str>)] = &[
            (20, &(-42i64).to_be_bytes(), Some("-42")),
            (23, &7i32.to_be_bytes(), Some("7")),
            (21, &3i16.to_be_bytes(), Some("3")),
            (25, "o'neil".as_bytes(), Some("o'neil")),
            (1043, b"acme", Some("acme")),
            (2950, u.as_bytes(), Some("0f8fad5b-d9cb-469f-a165-70867728950e")),
            (20, &7i32.to_be_bytes(), None), // a width that is not the type's
            (25, &[0xff, 0xfe], None),
        ];
        for (oid, bytes, want) in cases {
            assert_eq!(KeyType::of(*oid).unwrap().text(bytes).as_deref(), *want, "type {oid}");
        }
        for oid in [1700, 1082, 16] {
            assert_eq!(KeyType::of(oid), None, "type {oid} is not taken");
        }
    }

    #[test]
    fn a_worker_is_reached_with_the_runs_credentials() {
        let url = crate::dialect::TargetUrl::parse("postgresql://app:s3cret@coord.example:5432/shop?sslmode=require&host=/tmp&port=6000").unwrap();
        let n = node_url(&url, "10.0.0.7", 9701).unwrap();
        assert_eq!(n.url, "postgresql://app:s3cret@10.0.0.7:9701/shop?sslmode=require");
        assert_eq!(n.host, "10.0.0.7");
    }
}
