//! What the pipeline asks of a MySQL / MariaDB session (`dialect::session::Session`).

use super::{constraints, ddl, inspect, MySqlConnection};
use crate::dialect::session::{db_message, target_err, Findings, Rows, Session, Target};
use crate::error::Result;
use crate::events::Warning;
use crate::plan::resolve::{PlannedForeignKey, PlannedTable};
use std::collections::HashSet;

impl Session for MySqlConnection {
    /// Led by `MARK`, as every statement of a run: a cancel stops it (`interrupt`).
    async fn execute(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(super::marked(sql))).execute(self).await.map(|_| ())
    }

    async fn query_i64(&mut self, sql: &str) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(super::marked(sql))).fetch_one(self).await
    }

    async fn query_texts(&mut self, sql: &str) -> Result<Vec<Option<String>>, sqlx::Error> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(super::marked(sql))).fetch_all(self).await
    }

    async fn prepare(&mut self, target: &Target) -> Result<()> {
        let flavor = target.flavor.as_ref().expect("mysql flavor");
        super::set_collation(self, flavor).await.map_err(|e| target_err("the session collation", e))
    }

    async fn existing_objects(&mut self, _target: &Target) -> Result<Vec<crate::dialect::existing::Existing>, sqlx::Error> {
        inspect::existing_objects(self).await
    }

    /// The tables go in the connection's database, which is there.
    async fn ensure_place(&mut self, _target: &Target) -> Result<bool> {
        Ok(false)
    }

    /// One multi-row INSERT.
    async fn send_rows(&mut self, statement: &str, rows: Rows<'_>, _alone: bool) -> Result<u64, sqlx::Error> {
        super::write::insert_rows(self, statement, &rows.each().collect::<Vec<_>>()).await
    }

    async fn check_foreign_keys_while_loading(&mut self) -> Result<(), sqlx::Error> {
        self.execute("SET foreign_key_checks = 1").await
    }

    /// The keys came with the table; here the secondary indexes, all in one ALTER (one pass
    /// over the rows) with the indexes InnoDB would make under the table's foreign keys when
    /// they are added. Where the server refuses it, one at a time so each failure is named.
    async fn keys_and_indexes(&mut self, target: &Target, t: &PlannedTable, in_run: &HashSet<String>, found: &impl Findings) -> Result<()> {
        let flavor = target.flavor.clone().expect("mysql flavor");
        let mut clauses = vec![];
        for ix in &t.indexes {
            if ix.where_sql.is_some() {
                if ix.unique {
                    found.warn(Some(&t.source.name), format!("index {}", ix.name), format!("not created: {} has no partial indexes, and a full UNIQUE index would refuse rows the partial one allows", flavor.dialect.name())).await;
                    continue;
                }
                if let Some(other) = t.covered_when_full(ix) {
                    let reason = format!("not created: {} has no partial indexes, and over all rows it would repeat index {}, which serves the same queries", flavor.dialect.name(), other.name);
                    found.note(Warning { table: Some(t.source.name.clone()), object: format!("index {}", ix.name), reason }).await;
                    continue;
                }
                found.note(Warning { table: Some(t.source.name.clone()), object: format!("index {}", ix.name), reason: format!("{} has no partial indexes: created over all rows", flavor.dialect.name()) }).await;
            }
            let mut notes = vec![];
            let (columns, clause) = ddl::index_clause(t, ix, &flavor, &mut notes);
            for n in notes {
                found.note(n).await;
            }
            clauses.push((ix, columns, clause));
        }
        let fk_indexes: Vec<String> = t.foreign_keys.iter().filter(|fk| in_run.contains(&fk.ref_table)).filter_map(|fk| ddl::foreign_key_index(t, fk)).collect();
        let all: Vec<String> = clauses.iter().flat_map(|(_, cols, clause)| cols.iter().cloned().chain([clause.clone()])).chain(fk_indexes.iter().cloned()).collect();
        // A cancelled run sends no further build (the one running is stopped by the cancel).
        let go_on = || if found.stopping() { Err(crate::error::FerryError::Cancelled) } else { Ok(()) };
        if !all.is_empty() && self.execute(&ddl::alter(t, &all)).await.is_err() {
            for (ix, cols, clause) in &clauses {
                go_on()?;
                let one: Vec<String> = cols.iter().cloned().chain([clause.clone()]).collect();
                if let Err(e) = self.execute(&ddl::alter(t, &one)).await {
                    found.warn(Some(&t.source.name), format!("index {}", ix.name), format!("not created: {}", db_message(&e))).await;
                }
            }
            // Not an object of the source: where it fails, InnoDB makes it with the key.
            for clause in &fk_indexes {
                go_on()?;
                let _ = self.execute(&ddl::alter(t, std::slice::from_ref(clause))).await;
            }
        }
        // An FTS table's FULLTEXT index alone: InnoDB builds one at a time.
        if let Some(s) = &t.search {
            go_on()?;
            if let Err(e) = self.execute(&ddl::alter(t, &[super::search::index_clause(&s.index, &s.vector)])).await {
                found.warn(Some(&t.source.name), format!("FULLTEXT index {}", s.index), format!("not created: {}", db_message(&e))).await;
            }
        }
        go_on()
    }

    async fn delete_check_failures(&mut self, target: &Target, t: &PlannedTable, check_sql: &str) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        constraints::delete_check_failures(self, &t.name, &t.typed_columns(), target.binary_collation(), check_sql).await
    }

    async fn orphans(&mut self, target: &Target, t: &PlannedTable, fk: &PlannedForeignKey, remove: bool) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        let keys = constraints::ForeignKeyCols { cols: &fk.target_columns, parent: &fk.ref_table, parent_cols: &fk.ref_columns };
        constraints::orphans(self, &t.name, &t.typed_columns(), target.binary_collation(), keys, remove).await
    }

    async fn restart_identity(&mut self, _target: &Target, t: &PlannedTable, _column: &str, next: i64) -> Result<(), sqlx::Error> {
        constraints::continue_auto_increment(self, &t.name, next).await
    }

    async fn continue_identity(&mut self, _target: &Target, t: &PlannedTable, _column: &str, next: i64) -> Result<(), sqlx::Error> {
        constraints::continue_auto_increment(self, &t.name, next).await
    }

    /// InnoDB's commits are durable when they return.
    async fn make_durable(&mut self) -> Result<()> {
        Ok(())
    }

    async fn session_id(&mut self) -> Result<i64, sqlx::Error> {
        self.query_i64("SELECT CAST(CONNECTION_ID() AS SIGNED)").await.map(|id| id.unwrap_or(0))
    }

    /// `KILL QUERY` of what each session runs, where it is a statement of Ferry's (led by
    /// `MARK`), run as this user in this database: the session stays. A connection id, once
    /// the session has ended, may be another's; and through a proxy that multiplexes (ProxySQL,
    /// MaxScale, a provider's), the server connection an id names runs other clients'
    /// statements between Ferry's, as the same user — those are never stopped. MariaDB kills
    /// the statement itself by its query id (`KILL QUERY ID`: one that has ended names nothing,
    /// and is refused); MySQL has no such KILL, and the statement found may end in the moment
    /// before the `KILL QUERY` of its connection.
    async fn interrupt(&mut self, ids: &[i64]) -> Result<(), sqlx::Error> {
        let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        let ferrys = format!(
            "FROM information_schema.PROCESSLIST WHERE ID IN ({list}) AND ID <> CONNECTION_ID() AND USER = SUBSTRING_INDEX(USER(), '@', 1) AND DB <=> DATABASE() AND INFO LIKE '{}%'",
            super::MARK
        );
        let mariadb = self.query_i64("SELECT CAST(VERSION() LIKE '%MariaDB%' AS SIGNED)").await?.unwrap_or(0) == 1;
        let (which, kill) = if mariadb { ("QUERY_ID", "KILL QUERY ID") } else { ("ID", "KILL QUERY") };
        for id in self.query_texts(&format!("SELECT CAST({which} AS CHAR) {ferrys}")).await?.into_iter().flatten() {
            let _ = self.execute(&format!("{kill} {id}")).await;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::dialect::session::Session;
    use sqlx::Connection;
    use std::time::{Duration, Instant};

    /// A cancel stops Ferry's statements only: through a proxy that multiplexes, the server
    /// connection whose id Ferry noted runs other clients' statements too, as the same user.
    /// Here an application's session and a Ferry session (its statement led by `MARK`) each
    /// sleep 3 s, both ids asked to stop: Ferry's stops at once, the application's sleeps on.
    #[tokio::test]
    async fn a_cancel_stops_ferrys_statements_not_the_applications() {
        let base = std::env::var("FERRY_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
        let connect = || async { sqlx::MySqlConnection::connect(&base).await.unwrap_or_else(|e| panic!("MariaDB at {base}: {e}")) };
        let (mut app, mut ferry, mut side) = (connect().await, connect().await, connect().await);
        let id = "SELECT CAST(CONNECTION_ID() AS SIGNED)";
        let app_id: i64 = sqlx::query_scalar(id).fetch_one(&mut app).await.unwrap();
        let ferry_id: i64 = sqlx::query_scalar(id).fetch_one(&mut ferry).await.unwrap();
        let sleep = |mut c: sqlx::MySqlConnection, sql: String| {
            tokio::spawn(async move {
                let started = Instant::now();
                let r = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).fetch_one(&mut c).await.map_err(|e| e.to_string());
                (r, started.elapsed())
            })
        };
        let app_sleep = sleep(app, "SELECT SLEEP(3)".into());
        let ferry_sleep = sleep(ferry, super::super::marked("SELECT SLEEP(3)"));
        // Both asleep (at most 2 s of looking).
        let asleep = format!("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID IN ({app_id}, {ferry_id}) AND INFO LIKE '%SLEEP(3)'");
        for _ in 0..40 {
            if sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(asleep.clone())).fetch_one(&mut side).await.unwrap() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        side.interrupt(&[app_id, ferry_id]).await.unwrap();
        let (ferry_ended, ferry_took) = ferry_sleep.await.unwrap();
        let (app_ended, app_took) = app_sleep.await.unwrap();
        // Stopped: MariaDB refuses the statement ("interrupted"), MySQL's SLEEP returns 1.
        assert!(ferry_ended.as_ref().is_err_and(|e| e.contains("interrupted")) || ferry_ended == Ok(1), "Ferry's statement is stopped: {ferry_ended:?}");
        assert!(ferry_took < Duration::from_millis(2500), "Ferry's statement stopped at once: {ferry_took:?}");
        assert_eq!(app_ended, Ok(0), "the application's statement runs on to its end");
        assert!(app_took >= Duration::from_secs(3), "{app_took:?}");
    }
}
