//! What the pipeline asks of a PostgreSQL session (`dialect::session::Session`).

use super::{constraints, ddl, inspect, PgConnection};
use crate::dialect::errors::Violation;
use crate::dialect::session::{db_message, target_err, Findings, Rows, Session, Target};
use crate::dialect::Dialect;
use crate::error::Result;
use crate::plan::resolve::{PlannedForeignKey, PlannedTable};
use std::collections::HashSet;

impl Session for PgConnection {
    /// With Ferry's own limits for the statement's transaction (`with_own_limits`).
    async fn execute(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(super::with_own_limits(sql))).execute(self).await.map(|_| ())
    }

    /// A maximum or a count over a whole table: with Ferry's own limits.
    async fn query_i64(&mut self, sql: &str) -> Result<Option<i64>, sqlx::Error> {
        super::simple::scalar(self, &super::with_own_limits(sql)).await
    }

    async fn query_texts(&mut self, sql: &str) -> Result<Vec<Option<String>>, sqlx::Error> {
        super::simple::scalars(self, &super::with_own_limits(sql)).await
    }

    /// Nothing to set: every name Ferry writes is schema-qualified, and a view's body carries
    /// its search path (`ddl::create_view`). A session's search path would not last through a
    /// transaction pooler, and would be left for the next client of the server connection.
    async fn prepare(&mut self, _target: &Target) -> Result<()> {
        Ok(())
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
        if let Some(sql) = ddl::primary_key(t, schema) {
            let (_, cols) = t.primary_key.clone().expect("a primary key");
            add_key(self, target, t, &sql, &cols, &t.pk_columns(), "primary key", found).await?;
        }
        for (i, (name, cols)) in t.uniques.iter().enumerate() {
            let sql = ddl::unique(t, schema, name, cols);
            add_key(self, target, t, &sql, cols, &t.source.uniques[i].columns, &format!("UNIQUE {name}"), found).await?;
        }
        for ix in &t.indexes {
            if let Err(e) = self.execute(&with_build_memory(&ddl::index(t, schema, ix))).await {
                found.warn(Some(&t.source.name), format!("index {}", ix.name), format!("not created: {}", db_message(&e))).await;
            }
        }
        Ok(())
    }

    async fn delete_check_failures(&mut self, target: &Target, t: &PlannedTable, check_sql: &str) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        constraints::delete_check_failures(self, &target.table_sql_name(&t.name), check_sql).await
    }

    async fn orphans(&mut self, target: &Target, t: &PlannedTable, fk: &PlannedForeignKey, remove: bool) -> Result<Vec<serde_json::Value>, sqlx::Error> {
        let (table, parent) = (target.table_sql_name(&t.name), target.table_sql_name(&fk.ref_table));
        constraints::orphans(self, &table, &fk.target_columns, &parent, &fk.ref_columns, remove).await
    }

    async fn restart_identity(&mut self, target: &Target, t: &PlannedTable, column: &str, next: i64) -> Result<(), sqlx::Error> {
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
