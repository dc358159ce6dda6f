//! Which PostgreSQL this is.

use super::simple;
use sqlx::postgres::PgConnection;

/// `PostgreSQL 15.20 (Debian …)` → the first two words; the whole string when shorter.
pub async fn server_version(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    let v: String = simple::scalar(conn, "SELECT version()").await?;
    Ok(v.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
}

/// A Citus cluster behind this PostgreSQL: the extension's version and its active worker
/// nodes (the coordinator is group 0 in `pg_dist_node`).
#[derive(Debug, Clone, PartialEq)]
pub struct Citus {
    /// `13.2` (the extension's version without its packaging suffix, `13.2-1`).
    pub version: String,
    pub workers: u64,
    /// Shards a new distributed table gets (`citus.shard_count`).
    pub shard_count: u64,
    /// The server's `default_statistics_target`: how many values ANALYZE keeps per column.
    pub statistics_target: u64,
}

impl Citus {
    /// "Citus 13.2: coordinator and 2 workers".
    pub fn describe(&self) -> String {
        if self.workers == 0 {
            format!("Citus {}: coordinator only, no workers yet (distributed tables would stay on the coordinator; add workers with citus_add_node)", self.version)
        } else {
            format!("Citus {}: coordinator and {}", self.version, crate::value::plural(self.workers, "worker", "workers"))
        }
    }

    /// The connections a session keeps to each worker: its share of a table's shards (a
    /// statement over every shard opens one per shard on each worker), at most 16 (Citus's
    /// `max_adaptive_executor_pool_size`) and at least 1.
    pub fn worker_connections(&self) -> u64 {
        self.shard_count.div_ceil(self.workers.max(1)).clamp(1, 16)
    }

    /// The statistics target each shard of a distributed table is analyzed with: the server's
    /// target shared among the shards, so that the shards together sample about as many rows
    /// as one plain table's ANALYZE does (each shard holds a share of the rows, and is sampled
    /// at the same density), and at least `SHARD_STATISTICS_FLOOR`. `None` where that is no
    /// lower than the server's own (one shard, a low target): ANALYZE as it is.
    pub fn shard_statistics_target(&self) -> Option<u64> {
        let per_shard = self.statistics_target.div_ceil(self.shard_count.max(1)).max(SHARD_STATISTICS_FLOOR);
        (per_shard < self.statistics_target).then_some(per_shard)
    }
}

/// Keeps this session's connections to each worker open between its transactions, as many
/// as a statement over every shard opens (`Citus::worker_connections`): Citus keeps one by
/// default and closes the rest at each commit, so each COPY, index or key over a distributed
/// table started new backends on the workers (250–290 on the 1,000,000-row demo into 8
/// shards a table, against 35 so; the run 10.4–11.0 s against 8.1–8.6 s). A session setting:
/// through a transaction pooler it may reach another server connection, where it only keeps
/// more connections open, and none is needed for correctness.
pub async fn keep_worker_connections(conn: &mut PgConnection, c: &Citus) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET citus.max_cached_conns_per_worker = {}", c.worker_connections()))).execute(conn).await.map(|_| ())
}

/// The fewest values a shard's statistics keep per column (a tenth of PostgreSQL's default):
/// enough for the most common values and a coarse histogram of each shard.
pub const SHARD_STATISTICS_FLOOR: u64 = 10;

/// `Some` when the database has the Citus extension (`pg_extension`), with its workers
/// (`pg_dist_node`); `None` for plain PostgreSQL.
pub async fn citus(conn: &mut PgConnection) -> Result<Option<Citus>, sqlx::Error> {
    let v: Option<String> = simple::scalar_opt(conn, "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'citus'").await?;
    let Some(v) = v else { return Ok(None) };
    let workers: i64 = simple::scalar(conn, "SELECT count(*) FROM pg_catalog.pg_dist_node WHERE groupid <> 0 AND noderole = 'primary' AND isactive").await?;
    let shards: String = simple::scalar(conn, "SELECT current_setting('citus.shard_count')").await?;
    let target: String = simple::scalar(conn, "SELECT current_setting('default_statistics_target')").await?;
    Ok(Some(Citus { version: citus_version(&v), workers: workers.max(0) as u64, shard_count: shards.trim().parse().unwrap_or(0), statistics_target: target.trim().parse().unwrap_or(100) }))
}

/// `13.2-1` → `13.2`.
pub(super) fn citus_version(ext: &str) -> String {
    ext.split('-').next().unwrap_or(ext).to_string()
}

/// Where Citus put the tables of `schema`: every shard placement (`citus_shards`) with the rows
/// counted in it (`shard_rows`), and the largest values
/// of the distribution column over the co-located distributed tables holding the most rows.
/// Empty when the schema has no Citus table.
pub async fn placement(conn: &mut PgConnection, schema: &str) -> Result<crate::dialect::placement::Placed, sqlx::Error> {
    use crate::dialect::placement::{Placed, ShardRow, TenantRow, TOP_TENANTS};
    use sqlx::Row;
    let s = simple::lit(schema);
    let tables = simple::rows(
        conn,
        &format!(
            // `pg_dist_partition` rather than the `citus_tables` view, which is not in
            // pg_catalog (an installation puts it in its first schema).
            "SELECT c.relname::text, format('%I.%I', n.nspname, c.relname),
                    CASE WHEN p.partmethod = 'h' THEN 'distributed' WHEN p.repmodel = 't' THEN 'reference' ELSE 'local' END, p.colocationid::bigint,
                    CASE WHEN p.partmethod = 'h' THEN quote_ident(pg_catalog.column_to_column_name(p.logicalrelid, p.partkey)) END
             FROM pg_catalog.pg_dist_partition p JOIN pg_catalog.pg_class c ON c.oid = p.logicalrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = {s} ORDER BY 1"
        ),
    )
    .await?;
    if tables.is_empty() {
        return Ok(Placed::default());
    }
    // (name, qualified, kind, colocation, quoted column)
    let tables: Vec<(String, String, String, i64, Option<String>)> = tables.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?))).collect::<Result<_, sqlx::Error>>()?;
    let rows = simple::rows(
        conn,
        &format!(
            "SELECT c.relname::text, s.shardid, s.citus_table_type::text, s.colocation_id::bigint, s.nodename || ':' || s.nodeport,
                    coalesce(s.shard_size, 0)::bigint, p.shardminvalue, pg_catalog.shard_name(s.table_name, s.shardid, false)
             FROM pg_catalog.citus_shards s JOIN pg_catalog.pg_class c ON c.oid = s.table_name JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                  JOIN pg_catalog.pg_dist_shard p ON p.shardid = s.shardid
             WHERE n.nspname = {s} ORDER BY 1, 2, 5"
        ),
    )
    .await?;
    let mut shards = Vec::with_capacity(rows.len());
    let mut names: Vec<(i64, String)> = vec![];
    for r in &rows {
        let kind: String = r.try_get(2)?;
        let start: Option<String> = r.try_get(6)?;
        let shard_id: i64 = r.try_get(1)?;
        if names.last().is_none_or(|(id, _)| *id != shard_id) {
            names.push((shard_id, r.try_get(7)?));
        }
        shards.push(ShardRow {
            table: r.try_get(0)?,
            shard_id,
            range_start: if kind == "distributed" { start.and_then(|v| v.parse().ok()) } else { None },
            kind,
            colocation_id: r.try_get(3)?,
            node: r.try_get(4)?,
            bytes: r.try_get::<i64, _>(5)?.max(0) as u64,
            rows: 0,
        });
    }
    let counts = shard_rows(conn, &names).await?;
    for sh in shards.iter_mut() {
        sh.rows = *counts.get(&sh.shard_id).ok_or_else(|| sqlx::Error::Protocol(format!("shard {} of {} was not found on any node to count its rows", sh.shard_id, sh.table)))?;
    }
    // The co-located distributed tables with the most rows: their tenants.
    let mut by_group: std::collections::BTreeMap<i64, u64> = Default::default();
    let mut seen = std::collections::HashSet::new();
    for sh in shards.iter().filter(|sh| sh.kind == "distributed") {
        if seen.insert(sh.shard_id) {
            *by_group.entry(sh.colocation_id).or_default() += sh.rows;
        }
    }
    let mut out = Placed { shards, ..Default::default() };
    let Some((&group, _)) = by_group.iter().max_by_key(|(g, n)| (**n, std::cmp::Reverse(**g))) else { return Ok(out) };
    let members: Vec<&(String, String, String, i64, Option<String>)> = tables.iter().filter(|t| t.2 == "distributed" && t.3 == group && t.4.is_some()).collect();
    let Some(anchor) = members.first() else { return Ok(out) };
    let each = |count: bool| members.iter().map(|t| format!("SELECT {} AS v{} FROM {} GROUP BY 1", t.4.as_deref().unwrap_or_default(), if count { ", count(*) AS n" } else { "" }, t.1)).collect::<Vec<_>>().join(" UNION ALL ");
    let top = simple::rows(
        conn,
        &format!(
            "SELECT v::text, n::bigint, pg_catalog.get_shard_id_for_distribution_column({}::regclass, v) FROM (SELECT v, sum(n) AS n FROM ({}) u GROUP BY v ORDER BY 2 DESC, 1 LIMIT {TOP_TENANTS}) top ORDER BY 2 DESC, 1",
            simple::lit(&anchor.1),
            each(true)
        ),
    )
    .await?;
    for r in &top {
        out.tenants.push(TenantRow { value: r.try_get(0)?, rows: r.try_get::<i64, _>(1)?.max(0) as u64, shard_id: r.try_get(2)? });
    }
    let distinct: i64 = simple::scalar(conn, &format!("SELECT count(*) FROM (SELECT v FROM ({}) u GROUP BY v) d", each(false))).await?;
    out.tenants_distinct = distinct.max(0) as u64;
    out.tenant_tables = members.iter().map(|t| t.0.clone()).collect();
    Ok(out)
}

/// The rows of each shard (id, qualified name), counted on the nodes themselves in one
/// statement (`run_command_on_all_nodes`, the nodes in parallel): each node counts the shards
/// it holds. `run_command_on_shards` took 180 ms a table on the test cluster, this 0.2 s for
/// all 16 tables of the demo.
async fn shard_rows(conn: &mut PgConnection, shards: &[(i64, String)]) -> Result<std::collections::HashMap<i64, u64>, sqlx::Error> {
    use sqlx::Row;
    let mut counts = std::collections::HashMap::new();
    if shards.is_empty() {
        return Ok(counts);
    }
    let values: Vec<String> = shards.iter().map(|(id, name)| format!("({id}, {})", simple::lit(name))).collect();
    // A count per shard as text, `id:rows,…`, through query_to_xml (plain SQL runs no
    // statement it builds otherwise).
    let command = format!(
        "SELECT coalesce(string_agg(v.id || ':' || (xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM ' || v.name, false, true, '')))[1]::text, ','), '') \
         FROM (VALUES {}) v(id, name) WHERE to_regclass(v.name) IS NOT NULL",
        values.join(", ")
    );
    let rows = simple::rows(conn, &format!("SELECT success, result FROM pg_catalog.run_command_on_all_nodes({})", simple::lit(&command))).await?;
    for r in &rows {
        let (ok, result): (bool, Option<String>) = (r.try_get(0)?, r.try_get(1)?);
        let result = result.unwrap_or_default();
        if !ok {
            return Err(sqlx::Error::Protocol(format!("a node did not count its shards' rows: {result}")));
        }
        for pair in result.split(',').filter(|p| !p.is_empty()) {
            let parsed = pair.split_once(':').and_then(|(id, n)| Some((id.parse::<i64>().ok()?, n.parse::<u64>().ok()?)));
            let Some((id, n)) = parsed else { return Err(sqlx::Error::Protocol(format!("a node's count of its shards' rows is not understood: {pair}"))) };
            counts.insert(id, n);
        }
    }
    Ok(counts)
}

/// Whether the session's user may create tables in `schema` (or, when the schema does not
/// exist yet, create schemas in the current database).
pub async fn may_create(conn: &mut PgConnection, schema: &str) -> Result<bool, sqlx::Error> {
    let s = simple::lit(schema);
    let sql = format!(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = {s})
                     THEN has_schema_privilege(current_user, {s}, 'CREATE')
                     ELSE has_database_privilege(current_user, current_database(), 'CREATE') END"
    );
    simple::scalar(conn, &sql).await
}

/// Whether this session is encrypted.
pub async fn tls_in_use(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    let ssl: Option<bool> = simple::scalar_opt(conn, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").await?;
    Ok(ssl.unwrap_or(false))
}

/// The rights this user has, of those a feature of Ferry's needs beyond owning the database:
/// no step of a migration (nor validate, diff, backup, restore, rollback, sync) needs any of
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rights {
    pub superuser: bool,
    /// `pg_stat_statements` is in this database (Monitor's slowest queries); only a superuser
    /// creates it (not a trusted extension).
    pub statements: bool,
    /// Member of `pg_read_all_stats`: Monitor shows other users' statements.
    pub read_all_stats: bool,
    /// `CREATEROLE`: `--roles`.
    pub create_role: bool,
    /// `BYPASSRLS`: validate and sync read every row of a `--tenant-isolation` table.
    pub bypass_rls: bool,
    /// `CREATE` on the database, or `pg_trgm` already there: the production proposals that
    /// need it (a trusted extension, which a database owner may create).
    pub trigram: bool,
}

pub async fn rights(conn: &mut PgConnection) -> Result<Rights, sqlx::Error> {
    let r = simple::one(
        conn,
        "SELECT r.rolsuper, EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_stat_statements'), \
                pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'), r.rolcreaterole, r.rolbypassrls, \
                has_database_privilege(current_database(), 'CREATE') OR EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm') \
         FROM pg_catalog.pg_roles r WHERE r.rolname = current_user",
    )
    .await?;
    use sqlx::Row;
    Ok(Rights { superuser: r.try_get(0)?, statements: r.try_get(1)?, read_all_stats: r.try_get(2)?, create_role: r.try_get(3)?, bypass_rls: r.try_get(4)?, trigram: r.try_get(5)? })
}

impl Rights {
    /// For a user who is no superuser, the features that need a right it lacks, with the
    /// right, in a sentence; `None` for a superuser, or where nothing is missing.
    pub fn missing(&self, user: &str) -> Option<String> {
        if self.superuser {
            return None;
        }
        let wants = [
            (self.statements, "Monitor's slowest queries (pg_stat_statements is not in this database, and only a superuser creates it)"),
            (self.read_all_stats, "other users' statements in Monitor (GRANT pg_read_all_stats)"),
            (self.create_role, "--roles (CREATEROLE)"),
            (self.bypass_rls, "validate and sync of tables under --tenant-isolation (BYPASSRLS)"),
            (self.trigram, "the production proposals that need pg_trgm (CREATE on the database)"),
        ];
        let lacking: Vec<&str> = wants.iter().filter(|(has, _)| !has).map(|(_, what)| *what).collect();
        (!lacking.is_empty()).then(|| format!("{user} is no superuser, and every migration step works without one; these would need more: {}", lacking.join("; ")))
    }
}

/// What a pooler between Ferry and the server looks like from here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PoolerSign {
    /// One session's transactions ran on different server connections, or two sessions'
    /// on the same one: a pooler in transaction (or statement) mode.
    SharedConnections,
    /// The server listens on another port than the URL's: something sits in front (a pooler
    /// in session mode, or a proxy).
    OtherPort,
    /// The host or port is one providers and PgBouncer use for their poolers.
    KnownName,
}

/// How many transactions each of the two sessions of `pooler_sign` looks in.
const PID_LOOKS: usize = 3;

/// Whether a connection pooler sits between this session and the server, and which sign
/// says so (the strongest first). `conn` and a second session of the same URL each ask
/// `pg_backend_pid()` in transactions of their own, in turn: without a pooler in
/// transaction mode, each session keeps its own server process throughout, and two live
/// sessions never share one.
pub async fn pooler_sign(conn: &mut PgConnection, t: &crate::dialect::TargetUrl) -> Result<Option<PoolerSign>, sqlx::Error> {
    use sqlx::ConnectOptions;
    let opts = super::options(t).map_err(|e| sqlx::Error::Configuration(e.to_string().into()))?;
    // A second session refused (a host's connection limit) leaves this one's own pids.
    let mut other = opts.clone().application_name("ferry").connect().await.ok();
    let (mut mine, mut theirs) = (Vec::with_capacity(PID_LOOKS + 1), Vec::with_capacity(PID_LOOKS));
    // This session twice in a row first: a pooler lending two server connections in turn
    // (PgBouncer's `server_round_robin`) gives two sessions that strictly alternate the same
    // one each, every time, as if nothing were in between.
    mine.push(backend_pid(conn).await?);
    for _ in 0..PID_LOOKS {
        mine.push(backend_pid(conn).await?);
        if let Some(o) = other.as_mut() {
            theirs.push(backend_pid(o).await?);
        }
    }
    if let Some(o) = other {
        let _ = sqlx::Connection::close(o).await;
    }
    if shares_connections(&mine, &theirs) {
        return Ok(Some(PoolerSign::SharedConnections));
    }
    // NULL over a Unix socket.
    let server_port: Option<i32> = simple::scalar(conn, "SELECT inet_server_port()").await?;
    if server_port.is_some_and(|p| p != i32::from(opts.get_port())) {
        return Ok(Some(PoolerSign::OtherPort));
    }
    Ok(known_pooler_name(opts.get_host(), opts.get_port()).then_some(PoolerSign::KnownName))
}

async fn backend_pid(conn: &mut PgConnection) -> Result<i32, sqlx::Error> {
    simple::scalar(conn, "SELECT pg_backend_pid()").await
}

/// Two sessions' server processes, transaction by transaction: one session's changed, or
/// the two met on one.
fn shares_connections(mine: &[i32], theirs: &[i32]) -> bool {
    let varies = |p: &[i32]| p.iter().any(|x| *x != p[0]);
    varies(mine) || (!theirs.is_empty() && varies(theirs)) || mine.iter().any(|p| theirs.contains(p))
}

/// PgBouncer's port, Supabase's transaction pooler's, and the host names providers give
/// their pooled endpoints (Supabase `*.pooler.supabase.com`, Neon `*-pooler.*`).
fn known_pooler_name(host: &str, port: u16) -> bool {
    let host = host.to_ascii_lowercase();
    matches!(port, 6432 | 6543) || host.contains("pooler") || host.contains("pgbouncer") || host.contains("supavisor")
}

impl PoolerSign {
    /// What it means for a migration, in a sentence or two.
    pub fn explain(self) -> String {
        let what = match self {
            PoolerSign::SharedConnections => "through a connection pooler in transaction mode (server connections change hands between transactions)",
            PoolerSign::OtherPort => "through a connection pooler or proxy (the server listens on another port than the URL's)",
            PoolerSign::KnownName => "likely through a connection pooler (the host or port is one poolers use)",
        };
        format!(
            "{what}: the migration works through it; a long index build may meet the pooler's query_timeout; \
             a session-mode or direct URL is faster where the host offers one"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_server_connections() {
        let cases: [(&[i32], &[i32], bool); 6] = [
            (&[10, 10, 10], &[11, 11, 11], false),
            (&[10, 11, 10], &[12, 12, 12], true),
            (&[10, 10, 10], &[10, 10, 10], true),
            (&[10, 10, 10], &[11, 11, 10], true),
            (&[7], &[8], false),
            (&[7, 7, 7], &[], false),
        ];
        for (mine, theirs, want) in cases {
            assert_eq!(shares_connections(mine, theirs), want, "{mine:?} {theirs:?}");
        }
    }

    #[test]
    fn citus_is_said_in_words() {
        assert_eq!(citus_version("13.2-1"), "13.2");
        assert_eq!(citus_version("12.1"), "12.1");
        let cases = [(2, "Citus 13.2: coordinator and 2 workers"), (1, "Citus 13.2: coordinator and 1 worker")];
        for (workers, want) in cases {
            assert_eq!(Citus { version: "13.2".into(), workers, shard_count: 32, statistics_target: 100 }.describe(), want);
        }
        assert!(Citus { version: "13.2".into(), workers: 0, shard_count: 32, statistics_target: 100 }.describe().contains("no workers"));
    }

    #[test]
    fn a_session_keeps_a_connection_for_each_shard_of_a_worker() {
        // (shards, workers, connections kept to each worker)
        let cases = [(8, 2, 4), (32, 2, 16), (32, 4, 8), (7, 2, 4), (64, 2, 16), (1, 2, 1), (0, 2, 1), (8, 0, 8)];
        for (shard_count, workers, want) in cases {
            let c = Citus { version: "13.2".into(), workers, shard_count, statistics_target: 100 };
            assert_eq!(c.worker_connections(), want, "{shard_count} shards over {workers} workers");
        }
    }

    #[test]
    fn a_shards_statistics_target_is_its_share_of_the_servers() {
        // (shards, the server's target, each shard's)
        let cases = [(32, 100, Some(10)), (8, 100, Some(13)), (4, 100, Some(25)), (32, 1000, Some(32)), (1, 100, None), (32, 10, None), (32, 5, None), (0, 100, None), (64, 10_000, Some(157))];
        for (shard_count, statistics_target, want) in cases {
            let c = Citus { version: "13.2".into(), workers: 2, shard_count, statistics_target };
            assert_eq!(c.shard_statistics_target(), want, "{shard_count} shards, target {statistics_target}");
        }
    }

    #[test]
    fn rights_missing_are_said_for_a_user_that_is_no_superuser() {
        let all = Rights { superuser: false, statements: true, read_all_stats: true, create_role: true, bypass_rls: true, trigram: true };
        assert_eq!(all.missing("owner"), None);
        assert_eq!(Rights { superuser: true, ..Rights::default() }.missing("postgres"), None);
        let said = Rights { create_role: false, bypass_rls: false, ..all }.missing("owner").unwrap();
        assert_eq!(said, "owner is no superuser, and every migration step works without one; these would need more: --roles (CREATEROLE); validate and sync of tables under --tenant-isolation (BYPASSRLS)");
    }

    #[test]
    fn pooler_names() {
        let cases = [
            ("aws-0-eu-central-1.pooler.supabase.com", 6543, true),
            ("db.abcdefgh.supabase.co", 5432, false),
            ("ep-cool-name-123456-pooler.eu-central-1.aws.neon.tech", 5432, true),
            ("ep-cool-name-123456.eu-central-1.aws.neon.tech", 5432, false),
            ("127.0.0.1", 6432, true),
            ("pgbouncer.internal", 5432, true),
            ("localhost", 5432, false),
        ];
        for (host, port, want) in cases {
            assert_eq!(known_pooler_name(host, port), want, "{host}:{port}");
        }
    }
}
