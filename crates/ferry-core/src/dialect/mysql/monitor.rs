//! The monitoring queries: statements (performance_schema's digest summary), index usage
//! (performance_schema, or MariaDB's `userstat`), table and index sizes, the InnoDB buffer
//! pool's hits, connections.
//!
//! The session is opened without any `SET` (sqlx's own included), and statements that only
//! read the server's catalogs (`information_schema`, `performance_schema`, `mysql.*`, `SHOW …`)
//! are left out of the statements reported: they are tools' queries, Ferry's own among them,
//! not the application's.

use crate::error::{FerryError, Result};
use crate::monitor::{section, Snapshot, TOP_STATEMENTS, hits_from_requests, is_unused, top_statements, Cache, Connections, IndexStat, Statement, StatsAge, TableStat};
use crate::dialect::{connect_error, Dialect, TargetUrl};
use sqlx::mysql::MySqlConnection;
use sqlx::{ConnectOptions, Row};
use std::collections::HashMap;
use std::time::Duration;

/// How to turn performance_schema on, for the notes.
const ENABLE_PS: &str = "set performance_schema=ON in the server's configuration ([mysqld] section; [mariadbd] on MariaDB) and restart the server";

/// Opens a session for monitoring: no session settings, so nothing but the queries here runs.
pub async fn connect(t: &TargetUrl) -> Result<MySqlConnection> {
    let opts = super::options(t)?
        .pipes_as_concat(false)
        .no_engine_substitution(false)
        .timezone(None)
        .set_names(false);
    match tokio::time::timeout(Duration::from_secs(20), opts.connect()).await {
        Ok(r) => r.map_err(|e| connect_error(t, e)),
        Err(_) => Err(FerryError::Unreachable { what: t.dialect.name().into(), host: t.host.clone(), detail: "no answer within 20 seconds".into() }),
    }
}

/// Global variables or status counters by name (`SHOW GLOBAL …`), lowercased names.
pub(super) async fn show(conn: &mut MySqlConnection, what: &str, names: &[&str]) -> Result<HashMap<String, String>, sqlx::Error> {
    let list = names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SHOW GLOBAL {what} WHERE Variable_name IN ({list})"))).fetch_all(conn).await?;
    let mut out = HashMap::new();
    for r in rows {
        out.insert(text(&r, 0)?.to_ascii_lowercase(), text(&r, 1)?);
    }
    Ok(out)
}

/// A text column that the server may send as binary.
pub(super) fn text(r: &sqlx::mysql::MySqlRow, i: usize) -> Result<String, sqlx::Error> {
    match r.try_get::<Option<String>, _>(i) {
        Ok(s) => Ok(s.unwrap_or_default()),
        Err(_) => Ok(r.try_get::<Option<Vec<u8>>, _>(i)?.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()),
    }
}

pub(super) fn number(vars: &HashMap<String, String>, name: &str) -> u64 {
    vars.get(name).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

pub(super) fn is_on(vars: &HashMap<String, String>, name: &str) -> bool {
    vars.get(name).is_some_and(|v| v.eq_ignore_ascii_case("ON") || v == "1")
}

/// MySQL or MariaDB, and `MariaDB 10.11.19`.
pub async fn server(conn: &mut MySqlConnection) -> Result<(Dialect, String), sqlx::Error> {
    let vars = show(conn, "VARIABLES", &["version"]).await?;
    let v = vars.get("version").cloned().unwrap_or_default();
    let dialect = if v.to_ascii_lowercase().contains("mariadb") { Dialect::MariaDb } else { Dialect::MySql };
    Ok((dialect, format!("{} {}", dialect.name(), v.split('-').next().unwrap_or(&v))))
}

/// The slowest and most frequent statements run with `database` as the default database,
/// from `performance_schema.events_statements_summary_by_digest`; a note saying how to turn
/// it on when it is off.
pub async fn statements(conn: &mut MySqlConnection, database: &str, limit: usize) -> Result<(Vec<Statement>, Vec<String>), sqlx::Error> {
    let vars = show(conn, "VARIABLES", &["performance_schema"]).await?;
    if !is_on(&vars, "performance_schema") {
        return Ok((vec![], vec![format!("statements: performance_schema is OFF on this server. To see them: {ENABLE_PS}")]));
    }
    let mut notes = vec![];
    let digest_on: Option<String> = sqlx::query_scalar("SELECT CAST(ENABLED AS CHAR) FROM performance_schema.setup_consumers WHERE NAME = 'statements_digest'")
        .fetch_optional(&mut *conn)
        .await?;
    if digest_on.as_deref() != Some("YES") {
        notes.push("statements: performance_schema does not collect statement digests. To see them: UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME = 'statements_digest' (and performance-schema-consumer-statements-digest=ON in the configuration to keep it)".to_string());
    }
    let rows = sqlx::query(
        "SELECT CAST(DIGEST AS CHAR), CAST(DIGEST_TEXT AS CHAR), CAST(COUNT_STAR AS UNSIGNED), CAST(SUM_TIMER_WAIT AS DOUBLE) / 1e9, \
                CAST(SUM_ROWS_SENT + SUM_ROWS_AFFECTED AS UNSIGNED) \
         FROM performance_schema.events_statements_summary_by_digest \
         WHERE SCHEMA_NAME = ? AND (DIGEST_TEXT IS NULL OR NOT ( \
               DIGEST_TEXT LIKE 'SHOW %' OR DIGEST_TEXT LIKE '%performance_schema%' OR DIGEST_TEXT LIKE '%information_schema%' \
               OR DIGEST_TEXT LIKE '%`mysql` . %'))",
    )
    .bind(database)
    .fetch_all(&mut *conn)
    .await?;
    let mut all = Vec::with_capacity(rows.len());
    for r in rows {
        let id: Option<String> = r.try_get(0)?;
        let query = match (&id, r.try_get::<Option<String>, _>(1)?) {
            (None, _) => "(all further statements: performance_schema's digest table is full; raise performance_schema_digests_size)".to_string(),
            (Some(_), Some(q)) => q,
            (Some(_), None) => String::new(),
        };
        let calls: u64 = r.try_get(2)?;
        let total_ms: f64 = r.try_get::<Option<f64>, _>(3)?.unwrap_or(0.0);
        all.push(Statement {
            id: id.unwrap_or_default(),
            query,
            calls,
            total_ms,
            mean_ms: if calls > 0 { total_ms / calls as f64 } else { 0.0 },
            rows: r.try_get(4)?,
            routing: None,
        });
    }
    // A full digest table counts nothing new, for any database: say so, or the list is
    // silently empty.
    let lost: Option<(String, String)> = sqlx::query_as("SHOW GLOBAL STATUS LIKE 'Performance_schema_digest_lost'").fetch_optional(&mut *conn).await?;
    if let Some(n) = lost.and_then(|(_, v)| v.parse::<u64>().ok()).filter(|n| *n > 0) {
        notes.push(format!(
            "statements: performance_schema's digest table is full ({n} statements went uncounted since it filled), so newer statements may be missing. To count again: TRUNCATE TABLE performance_schema.events_statements_summary_by_digest (or raise performance_schema_digests_size and restart)"
        ));
    }
    if server(conn).await?.0 == Dialect::MariaDb {
        // MariaDB gives statements run through the binary protocol (COM_STMT_EXECUTE) no digest,
        // and its prepared_statements_instances does not count their executions either.
        notes.push("statements: MariaDB's performance_schema does not count statements run as server-side prepared statements (the binary protocol many drivers use); only statements sent as text are listed".into());
    }
    Ok((top_statements(all, limit), notes))
}

/// Every index of the database's tables, with its use and size where the server keeps them:
/// use from performance_schema (I/O operations through the index), else from MariaDB's
/// `userstat` (rows read through it); size from `mysql.innodb_index_stats`.
pub async fn indexes(conn: &mut MySqlConnection, database: &str) -> Result<(Vec<IndexStat>, Vec<String>), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), CAST(MIN(NON_UNIQUE) AS UNSIGNED) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? GROUP BY TABLE_NAME, INDEX_NAME ORDER BY 1, 2",
    )
    .bind(database)
    .fetch_all(&mut *conn)
    .await?;
    let mut notes = vec![];
    let vars = show(conn, "VARIABLES", &["performance_schema", "userstat", "innodb_page_size"]).await?;

    // Use per (table, index); a missing row means the index was not used since counting began.
    let usage: Option<HashMap<(String, String), u64>> = if is_on(&vars, "performance_schema") {
        let sql = "SELECT CAST(OBJECT_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), CAST(COUNT_STAR AS UNSIGNED) \
                   FROM performance_schema.table_io_waits_summary_by_index_usage WHERE OBJECT_SCHEMA = ? AND INDEX_NAME IS NOT NULL";
        Some(usage_map(sqlx::query(sql).bind(database).fetch_all(&mut *conn).await?)?)
    } else if is_on(&vars, "userstat") {
        notes.push("index usage: counted as rows read through each index (MariaDB userstat) since userstat was turned on; performance_schema is OFF".into());
        let sql = "SELECT CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), CAST(ROWS_READ AS UNSIGNED) FROM information_schema.INDEX_STATISTICS WHERE TABLE_SCHEMA = ?";
        Some(usage_map(sqlx::query(sql).bind(database).fetch_all(&mut *conn).await?)?)
    } else {
        let userstat = if vars.contains_key("userstat") { "; on MariaDB, SET GLOBAL userstat = 1 also counts it from then on" } else { "" };
        notes.push(format!("index usage: not measured, performance_schema is OFF. To see it: {ENABLE_PS}{userstat}"));
        None
    };

    // Sizes in pages, where the server keeps persistent InnoDB statistics and lets us read them.
    let page = number(&vars, "innodb_page_size").max(1);
    let sizes: Option<HashMap<(String, String), u64>> = match sqlx::query(
        "SELECT CAST(table_name AS CHAR), CAST(index_name AS CHAR), CAST(stat_value AS UNSIGNED) FROM mysql.innodb_index_stats WHERE database_name = ? AND stat_name = 'size'",
    )
    .bind(database)
    .fetch_all(&mut *conn)
    .await
    {
        Ok(rows) => Some(usage_map(rows)?),
        Err(e) => {
            notes.push(format!("index sizes: not measured ({}). To see them: GRANT SELECT ON mysql.innodb_index_stats TO the user ferry connects as", e.to_string().trim()));
            None
        }
    };

    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (table, name) = (text(&r, 0)?, text(&r, 1)?);
        let non_unique: u64 = r.try_get(2)?;
        let key = (table.clone(), name.clone());
        let scans = usage.as_ref().map(|u| u.get(&key).copied().unwrap_or(0));
        let size_bytes = sizes.as_ref().and_then(|s| s.get(&key)).map(|pages| pages * page);
        let (unique, primary) = (non_unique == 0, name == "PRIMARY");
        out.push(IndexStat { schema: database.to_string(), table, name, unique, primary, scans, size_bytes, unused: is_unused(scans, unique, primary) });
    }
    Ok((out, notes))
}

fn usage_map(rows: Vec<sqlx::mysql::MySqlRow>) -> Result<HashMap<(String, String), u64>, sqlx::Error> {
    let mut m = HashMap::new();
    for r in rows {
        *m.entry((text(&r, 0)?, text(&r, 1)?)).or_insert(0) += r.try_get::<Option<u64>, _>(2)?.unwrap_or(0);
    }
    Ok(m)
}

/// Every base table's size and row estimate from `information_schema.TABLES`, largest first.
pub async fn tables(conn: &mut MySqlConnection, database: &str) -> Result<(Vec<TableStat>, Vec<String>), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT CAST(TABLE_NAME AS CHAR), CAST(TABLE_ROWS AS UNSIGNED), CAST(COALESCE(DATA_LENGTH, 0) AS UNSIGNED), CAST(COALESCE(INDEX_LENGTH, 0) AS UNSIGNED) \
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' \
         ORDER BY COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) DESC, TABLE_NAME",
    )
    .bind(database)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let (data_bytes, index_bytes): (u64, u64) = (r.try_get(2)?, r.try_get(3)?);
        out.push(TableStat {
            schema: database.to_string(),
            name: text(r, 0)?,
            rows: r.try_get(1)?,
            data_bytes,
            index_bytes,
            total_bytes: data_bytes + index_bytes,
            dead_rows: None,
            placement: None,
        });
    }
    let notes =
        if out.is_empty() { vec![] } else { vec!["table sizes: row counts and sizes are InnoDB's estimates; ANALYZE TABLE refreshes them".to_string()] };
    Ok((out, notes))
}

/// The InnoDB buffer pool's page reads served from memory and from disk, server-wide.
pub async fn cache(conn: &mut MySqlConnection) -> Result<Cache, sqlx::Error> {
    let s = show(conn, "STATUS", &["Innodb_buffer_pool_read_requests", "Innodb_buffer_pool_reads"]).await?;
    let (hits, reads) = hits_from_requests(number(&s, "innodb_buffer_pool_read_requests"), number(&s, "innodb_buffer_pool_reads"));
    Ok(Cache { hits, reads, heap_hit_ratio: None, index_hit_ratio: None })
}

/// Threads running a statement, connected, and `max_connections`.
pub async fn connections(conn: &mut MySqlConnection) -> Result<Connections, sqlx::Error> {
    let s = show(conn, "STATUS", &["Threads_connected", "Threads_running"]).await?;
    let v = show(conn, "VARIABLES", &["max_connections"]).await?;
    Ok(Connections { active: number(&s, "threads_running"), total: number(&s, "threads_connected"), max: number(&v, "max_connections") })
}

/// How long the server's status counters have been gathered (`Uptime_since_flush_status`:
/// since `FLUSH STATUS` or the start) and over how many storage-engine commits and rollbacks.
pub async fn stats_age(conn: &mut MySqlConnection) -> Result<StatsAge, sqlx::Error> {
    let s = show(conn, "STATUS", &["Uptime", "Uptime_since_flush_status", "Handler_commit", "Handler_rollback"]).await?;
    let uptime = number(&s, "uptime");
    let since_flush = s.get("uptime_since_flush_status").and_then(|v| v.trim().parse().ok()).unwrap_or(uptime);
    let since = if since_flush + 5 < uptime { "the statistics were reset" } else { "the server started" };
    Ok(StatsAge::new(since_flush, since, number(&s, "handler_commit") + number(&s, "handler_rollback")))
}

/// Statements are counted by performance_schema, which only the server's configuration and
/// a restart turn on: nothing for Ferry to run.
pub fn enable_statements(t: &TargetUrl) -> FerryError {
    FerryError::Other(format!("{} counts statements in performance_schema, which is turned on in the server's configuration and needs a restart: {ENABLE_PS}", t.server_name()))
}

/// One snapshot (`monitor::snapshot`) of the database `schema` names, the URL's by default.
pub async fn snapshot(t: &TargetUrl, schema: Option<&str>, taken_at: String, notes: &mut Vec<String>) -> Result<Snapshot> {
    let database = schema.unwrap_or(&t.database).to_string();
    let mut conn = connect(t).await?;
    let (dialect, server) = server(&mut conn).await.map_err(|e| crate::dialect::connect_error(t, e))?;
    let statements = section(notes, "statements", statements(&mut conn, &database, TOP_STATEMENTS).await);
    let indexes = section(notes, "index usage", indexes(&mut conn, &database).await);
    let tables = section(notes, "table sizes", tables(&mut conn, &database).await);
    let cache = section(notes, "buffer pool hit ratio", cache(&mut conn).await.map(|c| (Some(c), vec![])));
    let connections = section(notes, "connections", connections(&mut conn).await.map(|c| (Some(c), vec![])));
    let stats = section(notes, "statistics' age", stats_age(&mut conn).await.map(|s| (Some(s), vec![])));
    Ok(Snapshot {
        taken_at,
        dialect,
        server,
        database,
        schema: None,
        statements,
        indexes,
        tables,
        cache_hit_ratio: None,
        cache,
        connections,
        notes: vec![],
        stats,
        statements_setup: None,
        cluster: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_read_as_numbers_and_switches() {
        let vars: HashMap<String, String> =
            [("a", "ON"), ("b", "1"), ("c", "OFF"), ("d", " 42 "), ("e", "x")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        for (name, on) in [("a", true), ("b", true), ("c", false), ("missing", false)] {
            assert_eq!(is_on(&vars, name), on, "{name}");
        }
        for (name, n) in [("d", 42), ("e", 0), ("missing", 0)] {
            assert_eq!(number(&vars, name), n, "{name}");
        }
    }
}
