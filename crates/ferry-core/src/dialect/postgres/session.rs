//! What the pipeline asks of a PostgreSQL session (`dialect::session::Session`).

use super::{constraints, ddl, inspect, PgConnection};
use crate::dialect::errors::Violation;
use crate::dialect::session::{db_message, target_err, Findings, Rows, Session, Target};
use crate::dialect::Dialect;
use crate::error::Result;
use crate::plan::resolve::{PlannedForeignKey, PlannedTable};
use std::collections::HashSet;

impl Session for PgConnection {
    /// With Ferry's own limits for the statement's transaction (`with_own_limits`). A key,
    /// index or constraint of a table on a Citus cluster (`ddl::ALONE`) goes in a message of
    /// its own, in a transaction that carries the limits: Citus sends such a statement on to
    /// the workers as the text of its message, and refuses one that holds other statements.
    /// Inside a transaction already open (a rehearsal's), that transaction carries them.
    async fn execute(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        if let Some((settings, ddl)) = alone(sql) {
            // Outside a transaction block each statement starts one of its own: its start is
            // the transaction's.
            let open: bool = super::simple::scalar(&mut *self, "SELECT now() <> statement_timestamp()").await?;
            if open {
                if !settings.is_empty() {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(settings.trim_start_matches("; ").to_string())).execute(&mut *self).await?;
                }
                return sqlx::raw_sql(sqlx::AssertSqlSafe(ddl.to_string())).execute(&mut *self).await.map(|_| ());
            }
            let begin = format!("BEGIN; {}{settings}", super::OWN_LIMITS);
            sqlx::raw_sql(sqlx::AssertSqlSafe(begin)).execute(&mut *self).await?;
            let done = sqlx::raw_sql(sqlx::AssertSqlSafe(ddl.to_string())).execute(&mut *self).await.map(|_| ());
            let end = sqlx::raw_sql(if done.is_ok() { "COMMIT" } else { "ROLLBACK" }).execute(&mut *self).await.map(|_| ());
            return done.and(end);
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(super::with_own_limits(sql))).execute(self).await.map(|_| ())
    }

    /// A maximum or a count over a whole table: with Ferry's own limits.
    async fn query_i64(&mut self, sql: &str) -> Result<Option<i64>, sqlx::Error> {
        super::simple::scalar(self, &super::with_own_limits(sql)).await
    }

    async fn query_texts(&mut self, sql: &str) -> Result<Vec<Option<String>>, sqlx::Error> {
        super::simple::scalars(self, &super::with_own_limits(sql)).await
    }

    /// No search path: every name Ferry writes is schema-qualified, and a view's body carries
    /// its search path (`ddl::create_view`). A session's search path would not last through a
    /// transaction pooler, and would be left for the next client of the server connection.
    /// On a Citus coordinator, the connections to the workers are kept
    /// (`flavor::keep_worker_connections`).
    async fn prepare(&mut self, target: &Target) -> Result<()> {
        match &target.citus {
            Some(c) => super::flavor::keep_worker_connections(self, c).await.map_err(|e| target_err("Citus's connections to the workers (citus.max_cached_conns_per_worker)", e)),
            None => Ok(()),
        }
    }

    async fn existing_objects(&mut self, target: &Target) -> Result<Vec<crate::dialect::existing::Existing>, sqlx::Error> {
        inspect::existing_objects(self, &target.pg_schema).await
    }

    /// The schema is made when missing.
    async fn ensure_place(&mut self, target: &Target) -> Result<bool> {
        let schema = &target.pg_schema;
        let exists = inspect::schema_exists(self, schema).await.map_err(|e| target_err("the schema list", e))?;
        if !exists {
            let sql = format!("CREATE SCHEMA {}", crate::sqlexpr::quote_ident(schema, Dialect::Postgres));
            self.execute(&sql).await.map_err(|e| target_err(&format!("schema {schema}"), e))?;
        }
        Ok(!exists)
    }

    /// One COPY of the rows as they are; `alone`, in a transaction of its own that carries
    /// Ferry's limits (a COPY cannot share a message with a `SET LOCAL`).
    async fn send_rows(&mut self, statement: &str, rows: Rows<'_>, alone: bool) -> Result<u64, sqlx::Error> {
        if !alone {
            return super::write::copy_rows(self, statement, rows.data).await;
        }
        self.execute("BEGIN").await?;
        let copied = super::write::copy_rows(self, statement, rows.data).await;
        let end = if copied.is_ok() { "COMMIT" } else { "ROLLBACK" };
        match (copied, self.execute(end).await) {
            (Ok(n), Ok(())) => Ok(n),
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        }
    }

    /// PostgreSQL checks foreign keys as rows go in already.
    async fn check_foreign_keys_while_loading(&mut self) -> Result<(), sqlx::Error> {
        Ok(())
    }

    /// The primary key and UNIQUE constraints after the data (a duplicate's later rows are
    /// taken out, reported, and the key made), then the indexes.
    async fn keys_and_indexes(&mut self, target: &Target, t: &PlannedTable, _in_run: &HashSet<String>, found: &impl Findings) -> Result<()> {
        let schema = &target.pg_schema;
        // A cancelled run sends no further build (the one running is stopped by the cancel).
        let go_on = || if found.stopping() { Err(crate::error::FerryError::Cancelled) } else { Ok(()) };
        if let Some(sql) = ddl::primary_key(t, schema) {
            let (_, cols) = t.primary_key.clone().expect("a primary key");
            add_key(self, target, t, &sql, &cols, &t.pk_columns(), "primary key", found).await?;
        }
        for (i, (name, cols)) in t.uniques.iter().enumerate() {
            go_on()?;
            let sql = ddl::unique(t, schema, name, cols);
            add_key(self, target, t, &sql, cols, &t.source.uniques[i].columns, &format!("UNIQUE {name}"), found).await?;
        }
        for ix in &t.indexes {
            go_on()?;
            if let Err(e) = self.execute(&with_build_memory(&ddl::index(t, schema, ix))).await {
                found.warn(Some(&t.source.name), format!("index {}", ix.name), format!("not created: {}", db_message(&e))).await;
            }
        }
        if let Some(sql) = ddl::search_index(t, schema) {
            go_on()?;
            if let Err(e) = self.execute(&with_build_memory(&sql)).await {
                found.warn(Some(&t.source.name), format!("search index {}", t.search.as_ref().map(|s| s.index.as_str()).unwrap_or_default()), format!("not created: {}", db_message(&e))).await;
            }
        }
        go_on()
    }

    async fn delete_check_failures(&mut self, target: &Target, t: &PlannedTable, check_sql: &str) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        constraints::delete_check_failures(self, &target.table_sql_name(&t.name), check_sql).await
    }

    async fn orphans(&mut self, target: &Target, t: &PlannedTable, fk: &PlannedForeignKey, remove: bool) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        let (table, parent) = (target.table_sql_name(&t.name), target.table_sql_name(&fk.ref_table));
        constraints::orphans(self, &table, &fk.target_columns, &parent, &fk.ref_columns, remove).await
    }

    /// On a Citus cluster the identity was made with the table (`ddl::create_table_with`):
    /// it continues as one the table already had.
    async fn restart_identity(&mut self, target: &Target, t: &PlannedTable, column: &str, next: i64) -> Result<(), sqlx::Error> {
        if ddl::on_nodes(t) && t.columns.iter().any(|c| c.name == column && c.type_sql == "bigint") {
            return self.continue_identity(target, t, column, next).await;
        }
        self.execute(&ddl::identity(t, &target.pg_schema, column, next)).await
    }

    /// Identity and serial columns both own a sequence; the next value is `next`.
    async fn continue_identity(&mut self, target: &Target, t: &PlannedTable, column: &str, next: i64) -> Result<(), sqlx::Error> {
        use super::simple::lit;
        let sql = format!("SELECT setval(pg_get_serial_sequence({}, {}), {next}, false)", lit(&target.table_sql_name(&t.name)), lit(column));
        super::simple::scalar::<Option<i64>>(self, &sql).await.map(|_| ())
    }

    /// Sessions commit without waiting for the disk (`postgres::connect`): one commit that
    /// waits makes everything before it durable.
    async fn make_durable(&mut self) -> Result<()> {
        super::flush_wal(self).await.map_err(|e| target_err("the final commit", e))
    }

    async fn session_id(&mut self) -> Result<i64, sqlx::Error> {
        super::simple::scalar::<i32>(self, "SELECT pg_backend_pid()").await.map(i64::from)
    }

    /// `pg_cancel_backend` of each session still connected to this database as this user and
    /// running a statement of Ferry's (`application_name` "ferry", which Ferry's sessions set).
    /// A backend's pid, once it has ended, may be another's; and through a transaction pooler
    /// the server connection a pid names runs other clients' transactions between Ferry's —
    /// the pooler sets each client's `application_name` on it, so the application's own
    /// statements, run as the same user, are never cancelled.
    async fn interrupt(&mut self, ids: &[i64]) -> Result<(), sqlx::Error> {
        let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        let sql = format!(
            "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE pid IN ({list}) AND pid <> pg_backend_pid() AND datname = current_database() AND usename = current_user AND application_name = 'ferry' AND state <> 'idle'"
        );
        super::simple::scalar::<i64>(self, &sql).await.map(|_| ())
    }
}

/// A statement `ddl` marked to go alone (`ddl::ALONE`: a key, index or constraint of a
/// table on a Citus cluster), apart from the `SET LOCAL` settings before it: (the settings,
/// each after "; ", and the statement). None for anything else.
fn alone(sql: &str) -> Option<(String, &str)> {
    let mut rest = sql.trim_start();
    let mut settings = String::new();
    while rest.get(..9).is_some_and(|h| h.eq_ignore_ascii_case("SET LOCAL")) {
        let end = rest.find(';')?;
        settings.push_str("; ");
        settings.push_str(&rest[..end]);
        rest = rest[end + 1..].trim_start();
    }
    (rest.starts_with(ddl::ALONE) && !rest.contains(';')).then_some((settings, rest))
}

/// Runs a statement that adds a key; on a duplicate, takes the later rows out (reported) and
/// tries once more.
#[allow(clippy::too_many_arguments)]
async fn add_key(conn: &mut PgConnection, target: &Target, t: &PlannedTable, sql: &str, cols: &[String], src_cols: &[String], what: &str, found: &impl Findings) -> Result<()> {
    let sql = &with_build_memory(sql);
    let Err(e) = conn.execute(sql).await else { return Ok(()) };
    if Violation::of(&e) != Some(Violation::Unique) {
        found.warn(Some(&t.source.name), what.to_string(), format!("not created: {}", db_message(&e))).await;
        return Ok(());
    }
    let removed = constraints::delete_duplicates(conn, &target.table_sql_name(&t.name), cols).await.map_err(|e| target_err(what, e))?;
    let reason = format!("duplicate {what}: another row has the same ({})", src_cols.join(", "));
    found.removed(t, removed, src_cols, &reason).await?;
    if let Err(e) = conn.execute(sql).await {
        found.warn(Some(&t.source.name), what.to_string(), format!("not created: {}", db_message(&e))).await;
    }
    Ok(())
}

/// An index build (a key's, or an index's) with room to sort in memory, set for its own
/// transaction: sent in one message, the two statements run as one.
fn with_build_memory(sql: &str) -> String {
    format!("SET LOCAL maintenance_work_mem = '256MB'; {sql}")
}

#[cfg(test)]
mod tests {
    use crate::dialect::session::Session;
    use sqlx::postgres::PgConnectOptions;
    use sqlx::ConnectOptions;
    use std::str::FromStr;

    /// A cancel stops Ferry's statements only: through a transaction pooler the server
    /// connection whose pid Ferry noted runs other clients' transactions too, as the same user.
    /// Here an application's session and a Ferry session each sleep, both pids asked to stop.
    #[tokio::test]
    async fn a_cancel_stops_ferrys_statements_not_the_applications() {
        let base = std::env::var("FERRY_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let opts = PgConnectOptions::from_str(&base).unwrap();
        let mut app = opts.clone().application_name("app").connect().await.unwrap();
        let mut ferry = opts.clone().application_name("ferry").connect().await.unwrap();
        let mut side = opts.clone().application_name("ferry").connect().await.unwrap();
        let pid = "SELECT pg_backend_pid()";
        let app_pid = i64::from(sqlx::query_scalar::<_, i32>(pid).fetch_one(&mut app).await.unwrap());
        let ferry_pid = i64::from(sqlx::query_scalar::<_, i32>(pid).fetch_one(&mut ferry).await.unwrap());
        let app_sleep = tokio::spawn(async move { sqlx::query("SELECT pg_sleep(3)").execute(&mut app).await.map(|_| ()) });
        let ferry_sleep = tokio::spawn(async move { sqlx::query("SELECT pg_sleep(3)").execute(&mut ferry).await.map(|_| ()) });
        // Both asleep (at most 2 s of looking).
        let active = "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1) AND state = 'active'";
        let pids = vec![app_pid as i32, ferry_pid as i32];
        for _ in 0..40 {
            if sqlx::query_scalar::<_, i64>(active).bind(&pids).fetch_one(&mut side).await.unwrap() == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        side.interrupt(&[app_pid, ferry_pid]).await.unwrap();
        let ferry_ended = ferry_sleep.await.unwrap();
        assert!(ferry_ended.as_ref().is_err_and(|e| crate::dialect::error_code(e) == "57014"), "Ferry's statement is cancelled: {ferry_ended:?}");
        assert!(app_sleep.await.unwrap().is_ok(), "the application's statement runs on");
    }

    #[test]
    fn keys_and_indexes_of_a_cluster_go_alone() {
        let a = super::ddl::ALONE;
        let pk = format!("{a}ALTER TABLE t ADD PRIMARY KEY (a)");
        let ix = format!("SET LOCAL maintenance_work_mem = '256MB'; {a}CREATE INDEX i ON t (a)");
        let two = format!("{a}ALTER TABLE t ADD CHECK (a > 0); DROP TABLE t");
        let analyze = format!("SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL default_statistics_target = 10; {a}ANALYZE t");
        let cases: Vec<(&str, Option<(&str, String)>)> = vec![
            (&pk, Some(("", pk.clone()))),
            (&analyze, Some(("; SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL default_statistics_target = 10", format!("{a}ANALYZE t")))),
            (&ix, Some(("; SET LOCAL maintenance_work_mem = '256MB'", format!("{a}CREATE INDEX i ON t (a)")))),
            ("ALTER TABLE t ADD PRIMARY KEY (a)", None),
            ("SET LOCAL maintenance_work_mem = '256MB'; CREATE INDEX i ON t (a)", None),
            ("CREATE TABLE t (a int); SELECT create_distributed_table('t', 'a')", None),
            (&two, None),
        ];
        for (sql, want) in cases {
            assert_eq!(super::alone(sql).map(|(s, d)| (s, d.to_string())), want.map(|(s, d)| (s.to_string(), d)), "{sql}");
        }
    }
}
