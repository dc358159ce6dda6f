//! The advisor's queries on MySQL/MariaDB: `information_schema` (indexes, keys, columns,
//! auto-increment counters), InnoDB's persistent statistics (`mysql.innodb_table_stats`),
//! the server's variables and status counters, and `performance_schema` where it is on, read
//! through the monitor's session (`monitor::connect`: no session settings). The only rows read
//! are a few values of each text column (to tell JSON documents) and one row of a table whose
//! statistics say it is empty.
//!
//! What the server has no equivalent for is listed as unchecked, with the reason: NOT VALID
//! constraints, invalid indexes, autovacuum, a foreign key without an index.

use crate::advise::{self, check, code, Advice, Finding, IndexCols, Overlap, Unchecked};
use crate::dialect::{connect_error, TargetUrl};
use crate::error::Result;
use crate::monitor::{format_age, format_bytes, one_line, StatsAge};
use crate::value::{group_thousands as group, plural};
use super::monitor::{self, is_on, number, show, text};
use sqlx::mysql::MySqlConnection;
use sqlx::Row;

fn q(s: &str) -> String {
    format!("`{}`", s.replace('`', "``"))
}

/// The largest value an integer column type can hold (`COLUMN_TYPE`: `int(11)`, `bigint(20)
/// unsigned`, `mediumint`), capped at `i64::MAX`.
pub fn type_max(column_type: &str) -> Option<i64> {
    let t = column_type.trim().to_ascii_lowercase();
    let unsigned = t.contains("unsigned");
    let name = t.split(['(', ' ']).next().unwrap_or("");
    let bits = match name {
        "tinyint" => 8,
        "smallint" => 16,
        "mediumint" => 24,
        "int" | "integer" => 32,
        "bigint" => 64,
        _ => return None,
    };
    let max: i128 = if unsigned { (1i128 << bits) - 1 } else { (1i128 << (bits - 1)) - 1 };
    Some(max.min(i64::MAX as i128) as i64)
}

/// Whether the grants (`SHOW GRANTS` lines) give every privilege on every database, or SUPER.
pub fn grants_everything(grants: &[String]) -> bool {
    grants.iter().any(|g| {
        let g = g.to_ascii_uppercase();
        g.contains(" ON *.* ") && (g.contains("ALL PRIVILEGES") || g.split(" ON ").next().is_some_and(|p| p.split(',').any(|x| x.trim().trim_start_matches("GRANT ").trim() == "SUPER")))
    })
}

/// A grant line cut before its grantee (`GRANT ALL PRIVILEGES ON *.*`): MariaDB adds the
/// password's hash after it (`IDENTIFIED BY PASSWORD '*…'`), which is not shown.
pub fn privileges_only(grant: &str) -> String {
    grant.split(" TO ").next().unwrap_or("").trim().to_string()
}

/// Every check, over the URL's database.
pub async fn advise(t: &TargetUrl, taken_at: String) -> Result<Advice> {
    let db = t.database.clone();
    let mut conn = monitor::connect(t).await?;
    let (dialect, server) = monitor::server(&mut conn).await.map_err(|e| connect_error(t, e))?;
    let (mut f, mut u) = (vec![], vec![]);
    let name = dialect.name();
    u.push(Unchecked::new(code::UNINDEXED_FOREIGN_KEY, format!("none can lack one: InnoDB makes an index for every foreign key itself ({name})")));
    u.push(Unchecked::new(code::NOT_VALID_CONSTRAINT, format!("{name} has no NOT VALID constraints: a key is checked when made, or not at all (made with foreign_key_checks off, which nothing records)")));
    u.push(Unchecked::new(code::INVALID_INDEX, format!("{name} builds an index in one statement or not at all: none is left invalid")));
    u.push(Unchecked::new(code::AUTOVACUUM_OFF, format!("{name} has no autovacuum: InnoDB purges old row versions itself")));

    check(&mut f, &mut u, &[code::DUPLICATE_INDEX, code::REDUNDANT_INDEX], overlapping(&mut conn, &db).await);
    check(&mut f, &mut u, &[code::NO_PRIMARY_KEY, code::DEAD_ROWS], tables(&mut conn, &db).await);
    check(&mut f, &mut u, &[code::NEVER_ANALYZED], never_analyzed(&mut conn, &db).await);
    check(&mut f, &mut u, &[code::SEQUENCE_NEAR_MAX], counters(&mut conn, &db).await);
    check(&mut f, &mut u, &[code::JSON_TEXT_COLUMN], json_text(&mut conn, &db).await);
    match monitor::stats_age(&mut conn).await {
        Ok(a) if a.enough => {
            let mut young = vec![];
            let r = usage(&mut conn, &db, &a, &mut young).await;
            check(&mut f, &mut u, &[code::UNUSED_INDEX, code::CACHE_HIT_LOW], r);
            u.append(&mut young);
        }
        Ok(a) => {
            let why = a.too_early().unwrap_or_default();
            u.push(Unchecked::new(code::UNUSED_INDEX, format!("{why}: no index is called unused yet")));
            u.push(Unchecked::new(code::CACHE_HIT_LOW, format!("{why}: the buffer pool is still warming")));
        }
        Err(e) => u.extend([code::UNUSED_INDEX, code::CACHE_HIT_LOW].map(|c| Unchecked::new(c, format!("not checked: {}", one_line(&e.to_string()))))),
    }
    let r = settings(&mut conn, t).await;
    check(&mut f, &mut u, &[code::TLS_OFF, code::STATEMENTS_OFF, code::NO_BINLOG, code::APP_IS_SUPERUSER, code::NO_REPLICA, code::CONNECTIONS_NEAR_MAX], r);
    check(&mut f, &mut u, &[code::ERRORS], errors(&mut conn).await);
    Ok(Advice { taken_at, dialect, server, database: db, user: t.user.clone(), findings: f, unchecked: u })
}

/// Duplicate indexes and indexes whose columns lead another's, per table.
async fn overlapping(conn: &mut MySqlConnection, db: &str) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), CAST(NON_UNIQUE AS UNSIGNED), CAST(INDEX_TYPE AS CHAR), \
                CAST(COLUMN_NAME AS CHAR), CAST(SUB_PART AS UNSIGNED) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
    )
    .bind(db)
    .fetch_all(&mut *conn)
    .await?;
    // (table, index list) in the catalog's order.
    let mut tables: Vec<(String, Vec<IndexCols>)> = vec![];
    for r in rows {
        let (table, index) = (text(&r, 0)?, text(&r, 1)?);
        let column: Option<String> = r.try_get::<Option<String>, _>(4).ok().flatten();
        let sub: Option<u64> = r.try_get(5)?;
        if tables.last().is_none_or(|t| t.0 != table) {
            tables.push((table.clone(), vec![]));
        }
        let list = &mut tables.last_mut().expect("just pushed").1;
        if list.last().is_none_or(|i| i.name != index) {
            list.push(IndexCols {
                name: index.clone(),
                columns: vec![],
                unique: r.try_get::<u64, _>(2)? == 0,
                constraint: index == "PRIMARY",
                special: !text(&r, 3)?.eq_ignore_ascii_case("BTREE"),
            });
        }
        let ix = list.last_mut().expect("just pushed");
        match column {
            Some(c) => ix.columns.push(match sub {
                Some(n) => format!("{c}({n})"),
                None => c,
            }),
            None => ix.special = true,
        }
    }
    let mut out = vec![];
    for (table, list) in &tables {
        for (a, b, how) in advise::overlaps(list) {
            let (gone, kept) = (&list[a], &list[b]);
            if gone.name == "PRIMARY" {
                continue;
            }
            let on = gone.columns.join(", ");
            let (c, title) = match how {
                Overlap::Duplicate => (code::DUPLICATE_INDEX, format!("index {} duplicates {} on {db}.{table} ({on})", gone.name, kept.name)),
                Overlap::Prefix => (code::REDUNDANT_INDEX, format!("index {} ({on}) is a leading part of {} ({}) on {db}.{table}", gone.name, kept.name, kept.columns.join(", "))),
            };
            out.push(
                Finding::new(c, title, format!("{} serves every query {} does; dropping it saves its space and the work of keeping it on every write", kept.name, gone.name))
                    .objects([format!("{db}.{table}.{}", gone.name), format!("{db}.{table}.{}", kept.name)])
                    .sql(format!("ALTER TABLE {}.{} DROP INDEX {};", q(db), q(table), q(&gone.name))),
            );
        }
    }
    Ok(out)
}

/// Tables without a primary key, and tables with much free space in their files (the nearest
/// InnoDB has to dead rows).
async fn tables(conn: &mut MySqlConnection, db: &str) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT CAST(t.TABLE_NAME AS CHAR), \
                CAST(EXISTS (SELECT 1 FROM information_schema.TABLE_CONSTRAINTS c WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.CONSTRAINT_TYPE = 'PRIMARY KEY') AS UNSIGNED), \
                CAST(COALESCE(t.TABLE_ROWS, 0) AS UNSIGNED), CAST(COALESCE(t.DATA_LENGTH, 0) + COALESCE(t.INDEX_LENGTH, 0) AS UNSIGNED), CAST(COALESCE(t.DATA_FREE, 0) AS UNSIGNED) \
         FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = ? AND t.TABLE_TYPE = 'BASE TABLE' ORDER BY 1",
    )
    .bind(db)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = vec![];
    for r in rows {
        let table = text(&r, 0)?;
        let tq = format!("{}.{}", q(db), q(&table));
        if r.try_get::<u64, _>(1)? == 0 {
            out.push(
                Finding::new(
                    code::NO_PRIMARY_KEY,
                    format!("{db}.{table} has no primary key"),
                    "InnoDB keys its rows by a hidden counter instead: row-based replication must scan the table for every changed row, and rows cannot be told apart by tools".to_string(),
                )
                .objects([format!("{db}.{table}")])
                .sql(format!("ALTER TABLE {tq} ADD COLUMN id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST; -- or ADD PRIMARY KEY (the columns that identify a row)")),
            );
        }
        let (used, free): (u64, u64) = (r.try_get(3)?, r.try_get(4)?);
        if free >= 100 * 1024 * 1024 && free as f64 >= advise::DEAD_ROWS_SHARE * (used + free) as f64 {
            out.push(
                Finding::new(code::DEAD_ROWS, format!("{db}.{table} has {} of free space in its file", format_bytes(free)), format!("beside {} in use: rows deleted or moved left it behind, and scans read past it", format_bytes(used)))
                    .objects([format!("{db}.{table}")])
                    .sql(format!("OPTIMIZE TABLE {tq}; -- rebuilds the table")),
            );
        }
    }
    Ok(out)
}

/// Tables whose persistent statistics say they are empty while they hold rows: never analyzed
/// since they were filled (automatic recalculation off, or not yet run).
async fn never_analyzed(conn: &mut MySqlConnection, db: &str) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let empty: Vec<String> = sqlx::query("SELECT CAST(table_name AS CHAR) FROM mysql.innodb_table_stats WHERE database_name = ? AND n_rows = 0 ORDER BY 1")
        .bind(db)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| text(r, 0))
        .collect::<std::result::Result<_, _>>()?;
    let mut out = vec![];
    for table in empty {
        let tq = format!("{}.{}", q(db), q(&table));
        let any: Option<i32> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT 1 FROM {tq} LIMIT 1"))).fetch_optional(&mut *conn).await?;
        if any.is_some() {
            out.push(
                Finding::new(
                    code::NEVER_ANALYZED,
                    format!("{db}.{table} has not been analyzed since it was filled"),
                    "InnoDB's statistics say it is empty, yet it holds rows: queries on it are planned as if it were empty".to_string(),
                )
                .objects([format!("{db}.{table}")])
                .sql(format!("ANALYZE TABLE {tq};")),
            );
        }
    }
    Ok(out)
}

/// Auto-increment keys past `SEQUENCE_SHARE` of their column type's range.
async fn counters(conn: &mut MySqlConnection, db: &str) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT CAST(t.TABLE_NAME AS CHAR), CAST(c.COLUMN_NAME AS CHAR), CAST(c.COLUMN_TYPE AS CHAR), CAST(t.AUTO_INCREMENT AS UNSIGNED), CAST(c.IS_NULLABLE AS CHAR) \
         FROM information_schema.TABLES t JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME \
         WHERE t.TABLE_SCHEMA = ? AND t.AUTO_INCREMENT IS NOT NULL AND c.EXTRA LIKE '%auto_increment%' ORDER BY 1",
    )
    .bind(db)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = vec![];
    for r in rows {
        let (table, column, ctype) = (text(&r, 0)?, text(&r, 1)?, text(&r, 2)?);
        let next: u64 = r.try_get::<Option<u64>, _>(3)?.unwrap_or(1);
        let Some(max) = type_max(&ctype) else { continue };
        let last = next.saturating_sub(1).min(i64::MAX as u64) as i64;
        if !advise::sequence_near_max(last, max) {
            continue;
        }
        let unsigned = if ctype.to_ascii_lowercase().contains("unsigned") { " UNSIGNED" } else { "" };
        let null = if text(&r, 4)? == "NO" { " NOT NULL" } else { "" };
        out.push(
            Finding::new(
                code::SEQUENCE_NEAR_MAX,
                format!("{db}.{table}.{column} ({ctype}) has used {} of its range", advise::percent(advise::share_used(last, max))),
                format!("the next value is {} of at most {}: {} left before inserts fail", group(next), group(max as u64), plural((max - last).max(0) as u64, "value", "values")),
            )
            .objects([format!("{db}.{table}.{column}")])
            .sql(format!("ALTER TABLE {}.{} MODIFY {} BIGINT{unsigned}{null} AUTO_INCREMENT; -- rebuilds the table; widen the columns that reference it too", q(db), q(&table), q(&column))),
        );
    }
    Ok(out)
}

/// Text columns with no JSON check whose values (a sample among the first rows) are all JSON
/// documents.
async fn json_text(conn: &mut MySqlConnection, db: &str) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let columns = sqlx::query(
        "SELECT CAST(c.TABLE_NAME AS CHAR), CAST(c.COLUMN_NAME AS CHAR), CAST(c.IS_NULLABLE AS CHAR) FROM information_schema.COLUMNS c \
         JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE' \
         WHERE c.TABLE_SCHEMA = ? AND c.DATA_TYPE IN ('varchar', 'char', 'tinytext', 'text', 'mediumtext', 'longtext') ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION",
    )
    .bind(db)
    .fetch_all(&mut *conn)
    .await?;
    // MariaDB keeps JSON as LONGTEXT with a json_valid() check: those columns are JSON already.
    let checks: Vec<(String, String)> = sqlx::query("SELECT CAST(TABLE_NAME AS CHAR), CAST(CHECK_CLAUSE AS CHAR) FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?")
        .bind(db)
        .fetch_all(&mut *conn)
        .await
        .map(|rows| rows.iter().filter_map(|r| Some((text(r, 0).ok()?, text(r, 1).ok()?.to_ascii_lowercase()))).collect())
        .unwrap_or_default();
    let mut out = vec![];
    for r in columns {
        let (table, column) = (text(&r, 0)?, text(&r, 1)?);
        let checked = format!("json_valid({})", q(&column)).to_ascii_lowercase();
        if checks.iter().any(|(t, c)| *t == table && c.contains(&checked)) {
            continue;
        }
        let tq = format!("{}.{}", q(db), q(&table));
        let sql = format!("SELECT CAST(v AS CHAR) FROM (SELECT {c} AS v FROM {tq} LIMIT 1000) s WHERE v IS NOT NULL LIMIT {}", advise::JSON_SAMPLE, c = q(&column));
        let values: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await?.iter().map(|r| text(r, 0)).collect::<std::result::Result<_, _>>()?;
        if advise::json_documents(&values) {
            let null = if text(&r, 2)? == "NO" { " NOT NULL" } else { "" };
            out.push(
                Finding::new(
                    code::JSON_TEXT_COLUMN,
                    format!("{db}.{table}.{column} keeps JSON documents as text"),
                    format!("all {} read hold a JSON object or array, but nothing checks that a new one is JSON", plural(values.len() as u64, "value", "values")),
                )
                .objects([format!("{db}.{table}.{column}")])
                .sql(format!("ALTER TABLE {tq} MODIFY {} JSON{null}; -- rebuilds the table", q(&column))),
            );
        }
    }
    Ok(out)
}

/// Unused indexes and a low buffer-pool hit ratio, once the counters are old enough (`age`).
async fn usage(conn: &mut MySqlConnection, db: &str, age: &StatsAge, unchecked_young: &mut Vec<Unchecked>) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let since = format!("counters gathered for {} (since {}) over {}", format_age(age.seconds), age.since, plural(age.transactions, "transaction", "transactions"));
    let mut out = vec![];
    // The server's counters may be old while the tables are new (a migration an hour ago on a
    // server up for months): a table's indexes are judged once it is as old as the judgement needs.
    let young: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND CREATE_TIME > NOW() - INTERVAL {} SECOND",
        crate::monitor::JUDGE_AFTER_SECONDS
    )))
    .bind(db)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| text(r, 0))
    .collect::<std::result::Result<_, _>>()?;
    let (indexes, _) = monitor::indexes(&mut *conn, db).await?;
    let held = indexes.iter().filter(|i| i.unused && young.contains(&i.table)).count() as u64;
    if held > 0 {
        let why = format!("{} made less than {} ago: their indexes are not judged yet", plural(young.len() as u64, "table was", "tables were"), format_age(crate::monitor::JUDGE_AFTER_SECONDS));
        unchecked_young.push(Unchecked::new(code::UNUSED_INDEX, why));
    }
    for i in indexes.iter().filter(|i| i.unused && !young.contains(&i.table)) {
        out.push(
            Finding::new(code::UNUSED_INDEX, format!("index {} on {db}.{} was never used", i.name, i.table), format!("no read through it in the {since}; it slows every write"))
                .objects([format!("{db}.{}.{}", i.table, i.name)])
                .sql(format!("ALTER TABLE {}.{} DROP INDEX {}; -- after checking the application's rare queries do not need it", q(db), q(&i.table), q(&i.name))),
        );
    }
    let c = monitor::cache(&mut *conn).await?;
    if let Some(ratio) = crate::monitor::hit_ratio(c.hits, c.reads).filter(|r| advise::cache_hit_low(*r)) {
        out.push(
            Finding::new(
                code::CACHE_HIT_LOW,
                format!("only {} of InnoDB page reads come from memory", advise::percent(ratio)),
                format!("{} from the buffer pool, {} from disk in the {since}", group(c.hits), group(c.reads)),
            )
            .setting("innodb_buffer_pool_size = most of the server's memory (it can be changed at run time with SET GLOBAL)"),
        );
    }
    Ok(out)
}

/// TLS, statements, the binary log, the user's grants, replicas and connections.
async fn settings(conn: &mut MySqlConnection, t: &TargetUrl) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let v = show(&mut *conn, "VARIABLES", &["have_ssl", "performance_schema", "log_bin", "binlog_format", "max_connections"]).await?;
    let mut out = vec![];
    let ssl = v.get("have_ssl").cloned().unwrap_or_default();
    if !ssl.eq_ignore_ascii_case("YES") {
        out.push(
            Finding::new(code::TLS_OFF, "the server does not offer TLS", format!("have_ssl = {ssl}: passwords and rows cross the network in clear text"))
                .objects(["have_ssl".to_string()])
                .setting("ssl_cert, ssl_key (and ssl_ca) in the server's configuration ([mariadbd] or [mysqld]); restart; then require_secure_transport = ON"),
        );
    }
    let digests = if is_on(&v, "performance_schema") {
        let on: Option<String> = sqlx::query_scalar("SELECT CAST(ENABLED AS CHAR) FROM performance_schema.setup_consumers WHERE NAME = 'statements_digest'").fetch_optional(&mut *conn).await?;
        on.is_some_and(|o| o.eq_ignore_ascii_case("YES"))
    } else {
        false
    };
    if !digests {
        let (evidence, fix) = if is_on(&v, "performance_schema") {
            ("performance_schema is on, but its statements_digest consumer is off".to_string(), "UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME = 'statements_digest'; -- and performance-schema-consumer-statements-digest = ON in the configuration to keep it after a restart")
        } else {
            ("performance_schema = OFF: no one can tell which queries are slow".to_string(), "")
        };
        let f = Finding::new(code::STATEMENTS_OFF, "statements are not counted (performance_schema)", evidence).objects(["performance_schema".to_string()]);
        out.push(if fix.is_empty() { f.setting("performance_schema = ON in the server's configuration ([mariadbd] or [mysqld]); restart") } else { f.sql(fix) });
    }
    if !is_on(&v, "log_bin") {
        out.push(
            Finding::new(code::NO_BINLOG, "no binary log: the database cannot be recovered to a point in time", format!("log_bin = OFF (binlog_format = {}): only a full backup can be restored, and everything since it is lost; no replica can follow this server", v.get("binlog_format").cloned().unwrap_or_default()))
                .objects(["log_bin".to_string()])
                .setting("log_bin = ON (log-bin = a base name), binlog_format = ROW, server_id = a unique number in the server's configuration; restart"),
        );
    }
    let grants: Vec<String> = sqlx::query("SHOW GRANTS").fetch_all(&mut *conn).await?.iter().map(|r| text(r, 0)).collect::<std::result::Result<_, _>>()?;
    if grants_everything(&grants) {
        let user: String = sqlx::query_scalar("SELECT CAST(CURRENT_USER() AS CHAR)").fetch_one(&mut *conn).await?;
        let app = format!("{}_app", t.database);
        out.push(
            Finding::new(code::APP_IS_SUPERUSER, format!("{user} may do anything on the server"), format!("{}: if the application connects as {user}, one injected statement can read or drop every database", grants.iter().find(|g| g.contains("*.*")).map(|g| privileges_only(g)).unwrap_or_default()))
                .objects([user.clone()])
                .sql(format!(
                    "CREATE USER '{app}'@'%' IDENTIFIED BY 'a password you choose';\nGRANT SELECT, INSERT, UPDATE, DELETE ON {}.* TO '{app}'@'%';\n-- and connect the application as {app}",
                    q(&t.database)
                )),
        );
    }
    let senders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'").fetch_one(&mut *conn).await?;
    if senders == 0 {
        out.push(
            Finding::new(code::NO_REPLICA, "no replica reads this server's binary log", "no Binlog Dump thread runs: if this server's disk fails, the database is down until a backup is restored".to_string())
                .setting("a replica set up with CHANGE MASTER TO … on another server (the binary log on here first), or the host's replica option"),
        );
    }
    let c = monitor::connections(&mut *conn).await?;
    if advise::connections_near_max(c.total, c.max) {
        out.push(
            Finding::new(code::CONNECTIONS_NEAR_MAX, format!("{} of {} connections are open", c.total, c.max), format!("past {} of max_connections: new clients will soon be refused", advise::percent(advise::CONNECTIONS_SHARE)))
                .objects(["max_connections".to_string()])
                .setting("a connection pool in the application or a proxy (ProxySQL, MaxScale), or SET GLOBAL max_connections = a larger number"),
        );
    }
    Ok(out)
}

/// Deadlocks and rollbacks from the status counters (MariaDB has no error summary table).
async fn errors(conn: &mut MySqlConnection) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let s = show(conn, "STATUS", &["Innodb_deadlocks", "Com_commit", "Com_rollback", "Handler_commit", "Handler_rollback", "Aborted_connects"]).await?;
    let (deadlocks, commits, rollbacks, aborted) = (number(&s, "innodb_deadlocks"), number(&s, "handler_commit"), number(&s, "handler_rollback"), number(&s, "aborted_connects"));
    if deadlocks == 0 && aborted == 0 && !advise::rollbacks_high(commits, rollbacks) {
        return Ok(vec![]);
    }
    Ok(vec![Finding::new(
        code::ERRORS,
        format!("{}, {} and {} since the counters began", plural(deadlocks, "deadlock", "deadlocks"), plural(rollbacks, "rollback", "rollbacks"), plural(aborted, "failed connection attempt", "failed connection attempts")),
        format!("of {}; SHOW ENGINE INNODB STATUS shows the latest deadlock", plural(commits + rollbacks, "transaction", "transactions")),
    )
    .objects(["Innodb_deadlocks".to_string()])
    .setting("innodb_print_all_deadlocks = ON (SET GLOBAL) writes every deadlock to the error log")])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_types_end_where_the_server_says() {
        let cases = [
            ("int(11)", Some(2_147_483_647)),
            ("int(10) unsigned", Some(4_294_967_295)),
            ("INT", Some(2_147_483_647)),
            ("tinyint(4)", Some(127)),
            ("smallint(5) unsigned", Some(65_535)),
            ("mediumint(9)", Some(8_388_607)),
            ("bigint(20)", Some(i64::MAX)),
            ("bigint(20) unsigned", Some(i64::MAX)),
            ("decimal(10,0)", None),
            ("varchar(10)", None),
        ];
        for (t, max) in cases {
            assert_eq!(type_max(t), max, "{t}");
        }
    }

    #[test]
    fn grants_that_give_everything() {
        let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let cases = [
            (s(&["GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION"]), true),
            (s(&["GRANT USAGE ON *.* TO `app`@`%`", "GRANT SELECT, INSERT ON `shop`.* TO `app`@`%`"]), false),
            (s(&["GRANT SUPER ON *.* TO `ops`@`%`"]), true),
            (s(&["GRANT SELECT, SUPER ON *.* TO `ops`@`%`"]), true),
            (s(&["GRANT ALL PRIVILEGES ON `shop`.* TO `app`@`%`"]), false),
            (s(&["GRANT SUPER READ ONLY ADMIN ON *.* TO `x`@`%`"]), false),
            (s(&[]), false),
        ];
        for (grants, want) in cases {
            assert_eq!(grants_everything(&grants), want, "{grants:?}");
        }
        let shown = privileges_only("GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` IDENTIFIED BY PASSWORD '*81F5E21E35407D884A6CD4A731AEBFB6AF209E1B' WITH GRANT OPTION");
        assert_eq!(shown, "GRANT ALL PRIVILEGES ON *.*");
    }
}
