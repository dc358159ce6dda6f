//! The monitoring queries: statements (`pg_stat_statements`), index usage, table and index
//! sizes, cache hits, connections.
//!
//! Every query starts with the comment `/* ferry monitor */`, which `pg_stat_statements` keeps,
//! so Ferry's own queries are left out of the statements it reports. The session is opened
//! without Ferry's loading settings: nothing is written, and nothing but these queries runs.
//! Each query goes in one message with its own guard (`simple::guarded`: read-only, a 60 s limit) as
//! one transaction — not as settings of the session, which a transaction pooler neither keeps
//! nor accepts at connection (PgBouncer refuses the `options` startup parameter).

use crate::error::{FerryError, Result};
use crate::monitor::{one_line, section, Snapshot, TOP_STATEMENTS, is_unused, top_statements, Cache, Cluster, Connections, EnableOutcome, IndexStat, Statement, StatementsSetup, StatsAge, TableStat};
use super::shards;
use crate::dialect::{connect_error, TargetUrl};
use super::simple::{self, guarded, MONITOR_MARK as MARK};
use sqlx::postgres::PgConnection;
use sqlx::{ConnectOptions, Row};
use std::time::Duration;

/// How to load the extension into the server, for the notes.
const PRELOAD: &str = "set shared_preload_libraries = 'pg_stat_statements' in postgresql.conf and restart the server";

/// Opens a read-only session for monitoring.
pub async fn connect(t: &TargetUrl) -> Result<PgConnection> {
    let opts = super::options(t)?.application_name("ferry monitor");
    match tokio::time::timeout(Duration::from_secs(20), opts.connect()).await {
        Ok(r) => r.map_err(|e| connect_error(t, e)),
        Err(_) => Err(FerryError::Unreachable { what: "PostgreSQL".into(), host: t.host.clone(), detail: "no answer within 20 seconds".into() }),
    }
}

/// `PostgreSQL 15.20`.
pub async fn server(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    let v: String = simple::scalar(conn, &guarded(&format!("{MARK} SELECT version()"))).await?;
    Ok(v.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
}

/// The slowest and most frequent statements run in this database, from `pg_stat_statements`;
/// a note saying how to turn it on when the extension is not installed or not loaded.
/// Statements are per database: `schema` does not narrow them.
pub async fn statements(conn: &mut PgConnection, _schema: Option<&str>, limit: usize) -> Result<(Vec<Statement>, Vec<String>), sqlx::Error> {
    let row = simple::one(&mut *conn, &guarded(&format!(
        "{MARK} SELECT current_database()::text, \
                (SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'), \
                current_setting('shared_preload_libraries'), \
                current_setting('server_version_num')::int")))
    .await?;
    let database: String = row.try_get(0)?;
    let ext_schema: Option<String> = row.try_get(1)?;
    let preloaded = preloads_statements(&row.try_get::<String, _>(2)?);
    let version_num: i32 = row.try_get(3)?;
    let Some(ext_schema) = ext_schema else {
        let create = format!("run CREATE EXTENSION pg_stat_statements; in database \"{database}\"");
        let how = if preloaded { create } else { format!("{PRELOAD}, then {create}") };
        return Ok((vec![], vec![format!("statements: pg_stat_statements is not installed in database \"{database}\". To see them: {how}")]));
    };
    if !preloaded {
        return Ok((
            vec![],
            vec![format!("statements: pg_stat_statements is installed in database \"{database}\" but the server does not load it. To see them: {PRELOAD}")],
        ));
    }
    // PostgreSQL 13 split planning from execution time.
    let time = if version_num >= 130000 { "total_exec_time" } else { "total_time" };
    let sql = format!(
        "{MARK} SELECT COALESCE(s.queryid::text, ''), min(s.query), sum(s.calls)::int8, sum(s.{time})::float8, sum(s.rows)::int8 \
         FROM {}.pg_stat_statements s \
         WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND s.query NOT LIKE '/* ferry monitor */%' \
         GROUP BY s.queryid",
        crate::sqlexpr::quote_ident(&ext_schema, crate::dialect::Dialect::Postgres)
    );
    let rows = match simple::rows(&mut *conn, &guarded(&sql)).await {
        Ok(rows) => rows,
        // 55000: installed, yet not loaded (the library was taken out of the preload list).
        Err(e) if crate::dialect::error_code(&e) == "55000" => {
            return Ok((vec![], vec![format!("statements: pg_stat_statements is not loaded by the server. To see them: {PRELOAD}")]));
        }
        Err(e) => return Err(e),
    };
    let mut all = Vec::with_capacity(rows.len());
    let mut hidden = 0;
    for r in rows {
        let query: Option<String> = r.try_get(1)?;
        let query = query.unwrap_or_default();
        if query == "<insufficient privilege>" {
            hidden += 1;
        }
        let calls = r.try_get::<i64, _>(2)?.max(0) as u64;
        let total_ms: f64 = r.try_get(3)?;
        all.push(Statement {
            id: r.try_get(0)?,
            query,
            calls,
            total_ms,
            mean_ms: if calls > 0 { total_ms / calls as f64 } else { 0.0 },
            rows: r.try_get::<i64, _>(4)?.max(0) as u64,
            routing: None,
        });
    }
    let mut notes = vec![];
    if hidden > 0 {
        notes.push(format!(
            "statements: the text of {} run by other users is hidden from this user. To see it: GRANT pg_read_all_stats TO the user ferry connects as",
            crate::value::plural(hidden, "statement", "statements")
        ));
    }
    let mut top = top_statements(all, limit);
    if shards::is_citus(&mut *conn).await? {
        match shards::routing(&mut *conn, &mut top).await {
            Ok(mut n) => notes.append(&mut n),
            Err(e) => notes.push(format!("statements: how Citus routed them was not read: {}", one_line(&e.to_string()))),
        }
    }
    Ok((top, notes))
}

/// Whether `shared_preload_libraries` (a comma-separated, maybe quoted list) holds the extension.
fn preloads_statements(list: &str) -> bool {
    list.split(',').any(|l| l.trim().trim_matches('"') == "pg_stat_statements")
}

/// Every index of the user's tables with its scans and size; unique and primary-key indexes
/// are never called unused. On a Citus coordinator, a Citus table's index counts its shards'
/// scans and size on the nodes (`shards`).
pub async fn indexes(conn: &mut PgConnection, schema: Option<&str>) -> Result<(Vec<IndexStat>, Vec<String>), sqlx::Error> {
    let rows = simple::rows(&mut *conn, &guarded(&format!(
        "{MARK} SELECT s.schemaname::text, s.relname::text, s.indexrelname::text, i.indisunique, i.indisprimary, s.idx_scan, pg_relation_size(s.indexrelid) \
         FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid \
         WHERE {s}::text IS NULL OR s.schemaname = {s} \
         ORDER BY 1, 2, 3", s = simple::lit_opt(schema))))
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (unique, primary): (bool, bool) = (r.try_get(3)?, r.try_get(4)?);
        let scans = r.try_get::<Option<i64>, _>(5)?.map(|n| n.max(0) as u64);
        out.push(IndexStat {
            schema: r.try_get(0)?,
            table: r.try_get(1)?,
            name: r.try_get(2)?,
            unique,
            primary,
            scans,
            size_bytes: Some(r.try_get::<i64, _>(6)?.max(0) as u64),
            unused: is_unused(scans, unique, primary),
        });
    }
    if shards::is_citus(&mut *conn).await? {
        shards::fold_indexes(&mut out, &shards::shard_indexes(&mut *conn).await?);
    }
    Ok((out, vec![]))
}

/// Every user table's size (data with TOAST, indexes, total), live-row estimate and dead rows,
/// largest first; on a Citus coordinator, a Citus table's are its shards' (`shards`), and the
/// nodes with what each holds.
pub async fn tables(conn: &mut PgConnection, schema: Option<&str>) -> Result<((Vec<TableStat>, Vec<crate::monitor::NodeStat>), Vec<String>), sqlx::Error> {
    let rows = simple::rows(&mut *conn, &guarded(&format!(
        "{MARK} SELECT schemaname::text, relname::text, n_live_tup, n_dead_tup, pg_table_size(relid), pg_indexes_size(relid), pg_total_relation_size(relid) \
         FROM pg_stat_user_tables \
         WHERE {s}::text IS NULL OR schemaname = {s} \
         ORDER BY 7 DESC, 1, 2", s = simple::lit_opt(schema))))
    .await?;
    let n = |r: &sqlx::postgres::PgRow, i: usize| -> Result<u64, sqlx::Error> { Ok(r.try_get::<Option<i64>, _>(i)?.unwrap_or(0).max(0) as u64) };
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(TableStat {
            schema: r.try_get(0)?,
            name: r.try_get(1)?,
            rows: Some(n(r, 2)?),
            dead_rows: Some(n(r, 3)?),
            data_bytes: n(r, 4)?,
            index_bytes: n(r, 5)?,
            total_bytes: n(r, 6)?,
            placement: None,
        });
    }
    if !shards::is_citus(&mut *conn).await? {
        return Ok(((out, vec![]), vec![]));
    }
    let placements = shards::placements(&mut *conn).await?;
    let (all, placed) = shards::shard_tables(&mut *conn).await?;
    shards::fold_tables(&mut out, &placed, &placements);
    Ok(((out, shards::nodes(&all, &placed)), vec![]))
}

/// Heap and index blocks found in shared buffers (hits) or read in (reads), over the user's
/// tables; on a Citus coordinator, their shards' on every node as well.
pub async fn cache(conn: &mut PgConnection, schema: Option<&str>) -> Result<Cache, sqlx::Error> {
    let r = simple::one(&mut *conn, &guarded(&format!(
        "{MARK} SELECT COALESCE(sum(heap_blks_hit), 0)::int8, COALESCE(sum(heap_blks_read), 0)::int8, \
                COALESCE(sum(idx_blks_hit), 0)::int8, COALESCE(sum(idx_blks_read), 0)::int8 \
         FROM pg_statio_user_tables WHERE {s}::text IS NULL OR schemaname = {s}", s = simple::lit_opt(schema))))
    .await?;
    let n = |i: usize| -> Result<u64, sqlx::Error> { Ok(r.try_get::<i64, _>(i)?.max(0) as u64) };
    let (mut heap_hit, mut heap_read, mut idx_hit, mut idx_read) = (n(0)?, n(1)?, n(2)?, n(3)?);
    if shards::is_citus(&mut *conn).await? {
        let [hh, hr, ih, ir] = shards::shard_blocks(&mut *conn, schema).await?;
        (heap_hit, heap_read, idx_hit, idx_read) = (heap_hit + hh, heap_read + hr, idx_hit + ih, idx_read + ir);
    }
    Ok(Cache {
        hits: heap_hit + idx_hit,
        reads: heap_read + idx_read,
        heap_hit_ratio: crate::monitor::hit_ratio(heap_hit, heap_read),
        index_hit_ratio: crate::monitor::hit_ratio(idx_hit, idx_read),
    })
}

/// Client connections to the whole server: running a statement, open, and the limit.
pub async fn connections(conn: &mut PgConnection) -> Result<Connections, sqlx::Error> {
    let r = simple::one(conn, &guarded(&format!(
        "{MARK} SELECT count(*) FILTER (WHERE state = 'active'), count(*), current_setting('max_connections')::int8 \
         FROM pg_stat_activity WHERE backend_type = 'client backend'")))
    .await?;
    let n = |i: usize| -> Result<u64, sqlx::Error> { Ok(r.try_get::<i64, _>(i)?.max(0) as u64) };
    Ok(Connections { active: n(0)?, total: n(1)?, max: n(2)? })
}

/// How long this database's statistics have been gathered (since `stats_reset`, else the
/// server's start) and over how many transactions.
pub async fn stats_age(conn: &mut PgConnection) -> Result<StatsAge, sqlx::Error> {
    let r = simple::one(conn, &guarded(&format!(
        "{MARK} SELECT (xact_commit + xact_rollback)::int8, \
                GREATEST(0, extract(epoch FROM now() - COALESCE(stats_reset, pg_postmaster_start_time())))::int8, \
                stats_reset IS NOT NULL \
         FROM pg_stat_database WHERE datname = current_database()")))
    .await?;
    let reset: bool = r.try_get(2)?;
    Ok(StatsAge::new(r.try_get::<i64, _>(1)?.max(0) as u64, if reset { "the statistics were reset" } else { "the server started" }, r.try_get::<i64, _>(0)?.max(0) as u64))
}

/// The statement that turns on `pg_stat_statements` in a database.
pub const CREATE_STATEMENTS: &str = "CREATE EXTENSION IF NOT EXISTS pg_stat_statements";

/// What it takes to see the statements here: nothing (`None`), the extension made in this
/// database (a statement Ferry can run), or the library loaded by the server (a restart); on
/// a Citus coordinator, also Citus's tracking of routing and tenants (`citus_setup`).
pub async fn statements_setup(conn: &mut PgConnection) -> Result<Option<StatementsSetup>, sqlx::Error> {
    let row = simple::one(&mut *conn, &guarded(&format!(
        "{MARK} SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'), \
                EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements'), \
                current_setting('shared_preload_libraries'), \
                EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus'), current_database()::text")))
    .await?;
    let (installed, available): (bool, bool) = (row.try_get(0)?, row.try_get(1)?);
    let base = setup_for(installed, available, preloads_statements(&row.try_get::<String, _>(2)?));
    let (citus, database): (bool, String) = (row.try_get(3)?, row.try_get(4)?);
    if !citus {
        return Ok(base);
    }
    let r = simple::one(&mut *conn, &guarded(&format!("{MARK} SELECT current_setting('citus.stat_statements_track'), current_setting('citus.stat_tenants_track')"))).await?;
    let mut off = vec![];
    for (i, name) in [(0, "citus.stat_statements_track"), (1, "citus.stat_tenants_track")] {
        if r.try_get::<String, _>(i)? == "none" {
            off.push(name);
        }
    }
    Ok(citus_setup(base, &database, &off))
}

/// The setup with Citus's tracking settings that are `none` (`off`) turned on for the
/// database as well: `ALTER DATABASE … SET … = 'all'` (Citus passes it to the workers;
/// sessions opened afterwards count), after `CREATE EXTENSION` where that is needed, and said
/// beside a restart where one is.
fn citus_setup(base: Option<StatementsSetup>, database: &str, off: &[&str]) -> Option<StatementsSetup> {
    if off.is_empty() {
        return base;
    }
    let alters: Vec<String> = off.iter().map(|s| shards::track_sql(database, s)).collect();
    let what: Vec<&str> = off.iter().map(|s| if *s == "citus.stat_tenants_track" { "the busiest tenants" } else { "which statements go to one tenant and which to every shard" }).collect();
    let citus = format!(
        "Citus does not track {} ({}): {} turns it on for this database (as a superuser; sessions opened afterwards are counted).",
        what.join(", nor "),
        if off.len() == 1 { format!("{} is none", off[0]) } else { format!("{} are none", off.join(" and ")) },
        alters.join("; ")
    );
    Some(match base {
        None => StatementsSetup { sql: Some(alters.join("; ")), restart: false, how: citus },
        Some(StatementsSetup { sql: Some(sql), restart: false, how }) => StatementsSetup { sql: Some(format!("{sql}; {}", alters.join("; "))), restart: false, how: format!("{how} {citus}") },
        Some(StatementsSetup { sql, restart, how }) => StatementsSetup { sql, restart, how: format!("{how} {citus}") },
    })
}

/// The setup for what the server has: the extension made here, offered by the server, and its
/// library loaded at start.
fn setup_for(installed: bool, available: bool, preloaded: bool) -> Option<StatementsSetup> {
    match (installed, available, preloaded) {
        (true, _, true) => None,
        (_, false, _) => Some(StatementsSetup {
            sql: None,
            restart: true,
            how: "The server does not have pg_stat_statements: install PostgreSQL's contrib package on the server (postgresql-contrib), add pg_stat_statements to shared_preload_libraries in postgresql.conf and restart the server.".into(),
        }),
        (_, true, false) => Some(StatementsSetup {
            sql: None,
            restart: true,
            how: format!("The server does not load pg_stat_statements: {PRELOAD}. A restart is needed, which Ferry does not do; then Ferry can run {CREATE_STATEMENTS} here."),
        }),
        (false, true, true) => Some(StatementsSetup { sql: Some(CREATE_STATEMENTS.into()), restart: false, how: format!("The server loads pg_stat_statements; this database only needs {CREATE_STATEMENTS}.") }),
    }
}

/// Runs `CREATE EXTENSION IF NOT EXISTS pg_stat_statements` in the URL's database when the
/// server loads the library; says that a restart is needed instead when it does not.
pub async fn enable_statements(t: &TargetUrl) -> Result<EnableOutcome> {
    let mut conn = connect(t).await?;
    let setup = statements_setup(&mut conn).await.map_err(|e| crate::dialect::connect_error(t, e))?;
    let Some(setup) = setup else {
        return Ok(EnableOutcome { ran: None, enabled: true, message: format!("pg_stat_statements is already on in database \"{}\".", t.database) });
    };
    let Some(sql) = setup.sql else {
        return Ok(EnableOutcome { ran: None, enabled: false, message: setup.how });
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("{MARK} {sql}"))).execute(&mut conn).await.map_err(|e| crate::error::FerryError::Target {
        object: format!("{sql} in database \"{}\"", t.database),
        detail: crate::dialect::session::db_message(&e),
    })?;
    let citus = if sql.contains("citus.stat_") { " Citus tracks what it was told to for the sessions opened from now on." } else { "" };
    Ok(EnableOutcome { ran: Some(sql), enabled: true, message: format!("pg_stat_statements is on in database \"{}\": statements are counted from now on.{citus}", t.database) })
}

/// One snapshot (`monitor::snapshot`); `schema` narrows it to one schema.
pub async fn snapshot(t: &TargetUrl, schema: Option<&str>, taken_at: String, notes: &mut Vec<String>) -> Result<Snapshot> {
    let mut conn = connect(t).await?;
    let server = server(&mut conn).await.map_err(|e| crate::dialect::connect_error(t, e))?;
    let statements = section(notes, "statements", statements(&mut conn, schema, TOP_STATEMENTS).await);
    let indexes = section(notes, "index usage", indexes(&mut conn, schema).await);
    let (tables, nodes) = section(notes, "table sizes", tables(&mut conn, schema).await);
    let cache = section(notes, "cache hit ratio", cache(&mut conn, schema).await.map(|c| (Some(c), vec![])));
    let connections = section(notes, "connections", connections(&mut conn).await.map(|c| (Some(c), vec![])));
    let stats = section(notes, "statistics' age", stats_age(&mut conn).await.map(|s| (Some(s), vec![])));
    let statements_setup = section(notes, "statements", statements_setup(&mut conn).await.map(|s| (s, vec![])));
    let cluster = match shards::engine(&mut conn).await {
        Ok(Some(engine)) => {
            let (tenants, tenant_period_seconds) = section(notes, "tenants", shards::tenants(&mut conn).await.map(|(t, p, n)| ((t, p), n)));
            Some(Cluster { engine, nodes, tenants, tenant_period_seconds })
        }
        Ok(None) => None,
        Err(e) => {
            notes.push(format!("cluster: not read: {}", one_line(&e.to_string())));
            None
        }
    };
    Ok(Snapshot {
        taken_at,
        dialect: t.dialect,
        server,
        database: t.database.clone(),
        schema: schema.map(str::to_string),
        statements,
        indexes,
        tables,
        cache_hit_ratio: None,
        cache,
        connections,
        notes: vec![],
        stats,
        statements_setup,
        cluster,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn setups_follow_what_the_server_has() {
        // (installed here, offered by the server, loaded at start) → (a statement, a restart)
        let cases = [
            ((true, true, true), None),
            ((false, true, true), Some((true, false))),
            ((false, true, false), Some((false, true))),
            ((true, true, false), Some((false, true))),
            ((false, false, false), Some((false, true))),
        ];
        for (have, want) in cases {
            let got = super::setup_for(have.0, have.1, have.2).map(|s| (s.sql.is_some(), s.restart));
            assert_eq!(got, want, "{have:?}");
        }
    }

    #[test]
    fn citus_tracking_joins_the_setup() {
        use super::StatementsSetup;
        let create = || Some(StatementsSetup { sql: Some(super::CREATE_STATEMENTS.into()), restart: false, how: "Create it.".into() });
        let restart = || Some(StatementsSetup { sql: None, restart: true, how: "Restart.".into() });
        let both = ["citus.stat_statements_track", "citus.stat_tenants_track"];
        let alter = |s: &str| format!("ALTER DATABASE \"shop\" SET {s} = 'all'");
        // (what pg_stat_statements needs, Citus's settings off) → (the statement, a restart)
        let cases: Vec<(Option<StatementsSetup>, &[&str], Option<(Option<String>, bool)>)> = vec![
            (None, &[], None),
            (None, &both, Some((Some(format!("{}; {}", alter(both[0]), alter(both[1]))), false))),
            (None, &both[1..], Some((Some(alter(both[1])), false))),
            (create(), &both[..1], Some((Some(format!("{}; {}", super::CREATE_STATEMENTS, alter(both[0]))), false))),
            (create(), &[], Some((Some(super::CREATE_STATEMENTS.into()), false))),
            (restart(), &both, Some((None, true))),
        ];
        for (base, off, want) in cases {
            let got = super::citus_setup(base.clone(), "shop", off);
            assert_eq!(got.as_ref().map(|s| (s.sql.clone(), s.restart)), want, "{base:?} {off:?}");
            if let Some(g) = got.filter(|_| !off.is_empty()) {
                assert!(off.iter().all(|s| g.how.contains(&alter(s))) && g.how.contains(" none)"), "{}", g.how);
            }
        }
    }

    #[test]
    fn preload_lists() {
        let cases = [
            ("", false),
            ("pg_stat_statements", true),
            ("auto_explain, pg_stat_statements", true),
            ("\"pg_stat_statements\",auto_explain", true),
            ("pg_stat_statements_extra", false),
        ];
        for (list, want) in cases {
            assert_eq!(super::preloads_statements(list), want, "{list}");
        }
    }
}
