//! Writing one table's changes: INSERT, UPDATE and DELETE by key (updates many to a
//! statement where the target has one: `SyncSql::update_many`), with each value written
//! as a literal of its column's type (`SyncSql::literal`) from the canonical text the
//! comparison read, inside one transaction. Rows go in chunks, each under a savepoint; a
//! chunk the server refuses is split until the refused rows are found, and each is reported
//! as `migrate` reports a row the target refused, while the rest go in.

use crate::dialect::errors::{Limit, Violation};
use crate::dialect::session::{db_message, target_err, Conn, Target};
use crate::dialect::sync::SyncSql;
use crate::error::{FerryError, Result};
use crate::plan::resolve::PlannedTable;
use crate::report::Rejected;
use crate::sqlexpr::quote_ident;
use crate::validate::canonical::Row;
use crate::validate::read::Pool;
use crate::validate::spec::Spec;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;

use super::diff::Update;

/// Rows per INSERT or DELETE statement, and statements per UPDATE chunk.
const CHUNK_ROWS: usize = 500;
const CHUNK_UPDATES: usize = 100;

/// What a table's writer did.
#[derive(Default)]
pub(super) struct Applied {
    pub(super) inserted: u64,
    pub(super) updated: u64,
    pub(super) deleted: u64,
    pub(super) rejected: Vec<Rejected>,
    pub(super) rejected_total: u64,
}

impl Applied {
    fn reject(&mut self, r: Rejected) {
        self.rejected_total += 1;
        if self.rejected.len() < crate::report::KEPT {
            self.rejected.push(r);
        }
    }
}

/// One table's writer on the session `conn`.
pub(super) struct Writer<'a> {
    pub(super) conn: &'a mut Conn,
    pub(super) target: &'a Target,
    pub(super) t: &'a PlannedTable,
    pub(super) spec: &'a Spec,
    sql: &'static dyn SyncSql,
    table_sql: String,
    /// A Citus distributed table's distribution column (`diff::shard_column`).
    shard: Option<usize>,
    /// Bytes one statement may carry.
    max_bytes: usize,
    pub(super) applied: Applied,
}

/// One row's part of a statement, and the key that names it in a report.
struct Item {
    sql: String,
    key: serde_json::Value,
}

impl<'a> Writer<'a> {
    pub(super) fn new(conn: &'a mut Conn, target: &'a Target, t: &'a PlannedTable, spec: &'a Spec) -> Writer<'a> {
        let max_bytes = target.flavor.as_ref().map(|f| (f.max_packet as usize) / 4).unwrap_or(usize::MAX).clamp(64 << 10, 4 << 20);
        Writer { sql: target.dialect.sync_sql(), table_sql: target.table_sql_name(&t.name), shard: super::diff::shard_column(t, spec), conn, target, t, spec, max_bytes, applied: Applied::default() }
    }

    fn col(&self, i: usize) -> String {
        quote_ident(&self.spec.cols[i].1, self.target.dialect)
    }

    fn lit(&self, r: &Row, i: usize) -> String {
        self.sql.literal(r.get(i), &self.spec.cols[i].2)
    }

    /// The key's columns, and a Citus distributed table's distribution column after them
    /// (the shard a statement goes to: without it, Citus sends each one to every shard).
    fn where_columns(&self) -> Vec<usize> {
        let mut cols = self.spec.key.clone();
        cols.extend(self.shard.filter(|i| !cols.contains(i)));
        cols
    }

    /// `k1 = v1 AND k2 = v2` for the row's key (and its distribution column).
    fn key_where(&self, r: &Row) -> String {
        let parts: Vec<String> = self.where_columns().into_iter().map(|i| match r.get(i) {
            None => format!("{} IS NULL", self.col(i)),
            Some(_) => format!("{} = {}", self.col(i), self.lit(r, i)),
        }).collect();
        parts.join(" AND ")
    }

    fn values(&self, r: &Row) -> String {
        let v: Vec<String> = (0..self.spec.cols.len()).map(|i| self.lit(r, i)).collect();
        format!("({})", v.join(", "))
    }

    async fn exec(&mut self, sql: &str) -> Result<()> {
        self.conn.execute(sql).await.map_err(|e| target_err(&format!("table {}", self.t.name), e))
    }

    /// Opens the table's transaction.
    pub(super) async fn begin(&mut self) -> Result<()> {
        for s in self.sql.begin() {
            self.exec(s).await?;
        }
        Ok(())
    }

    pub(super) async fn commit(&mut self) -> Result<()> {
        self.exec("COMMIT").await
    }

    pub(super) async fn rollback(&mut self) {
        let _ = self.conn.execute("ROLLBACK").await;
    }

    /// Deletes the target rows `rows` name by key.
    pub(super) async fn delete(&mut self, rows: &[Row]) -> Result<()> {
        let items: Vec<Item> = rows.iter().map(|r| Item { sql: format!("({})", self.key_where(r)), key: self.spec.key_json(r) }).collect();
        let head = format!("DELETE FROM {} WHERE ", self.table_sql);
        self.applied.deleted += self.run(items, CHUNK_ROWS, |parts| format!("{head}{}", parts.join(" OR "))).await?;
        Ok(())
    }

    /// Updates the rows by key: many in one statement where the target has one
    /// (`SyncSql::update_many`), each chunk under a savepoint; a chunk refused there (or every
    /// row, elsewhere) goes row by row, the differing columns of each.
    pub(super) async fn update(&mut self, rows: &[Update]) -> Result<()> {
        let cols: Vec<String> = (0..self.spec.cols.len()).map(|i| self.col(i)).collect();
        let key: Vec<String> = self.where_columns().into_iter().map(|i| self.col(i)).collect();
        let mut one_by_one: Vec<&Update> = vec![];
        if self.sql.update_many(&self.table_sql, &cols, &key, &["()"]).is_some() {
            let items: Vec<Item> = rows.iter().map(|u| Item { sql: self.values(&u.row), key: serde_json::Value::Null }).collect();
            for (a, b) in self.chunks(&items, CHUNK_ROWS) {
                let parts: Vec<&str> = items[a..b].iter().map(|i| i.sql.as_str()).collect();
                let sql = self.sql.update_many(&self.table_sql, &cols, &key, &parts).expect("a statement for many updates");
                self.exec("SAVEPOINT ferry_sync").await?;
                match self.conn.execute(&sql).await {
                    Ok(()) => {
                        self.exec("RELEASE SAVEPOINT ferry_sync").await?;
                        self.applied.updated += (b - a) as u64;
                    }
                    Err(e) if e.as_database_error().is_some() => {
                        self.exec("ROLLBACK TO SAVEPOINT ferry_sync").await?;
                        one_by_one.extend(&rows[a..b]);
                    }
                    Err(e) => return Err(target_err(&format!("table {}", self.t.name), e)),
                }
            }
        } else {
            one_by_one.extend(rows);
        }
        let items: Vec<Item> = one_by_one
            .iter()
            .map(|u| {
                let set: Vec<String> = u.columns.iter().map(|&i| format!("{} = {}", self.col(i), self.lit(&u.row, i))).collect();
                Item { sql: format!("UPDATE {} SET {} WHERE {}", self.table_sql, set.join(", "), self.key_where(&u.row)), key: self.spec.key_json(&u.row) }
            })
            .collect();
        self.applied.updated += self.run(items, CHUNK_UPDATES, |parts| parts.join(";\n")).await?;
        Ok(())
    }

    /// Inserts the rows.
    pub(super) async fn insert(&mut self, rows: &[Row]) -> Result<()> {
        let items: Vec<Item> = rows.iter().map(|r| Item { sql: self.values(r), key: self.spec.key_json(r) }).collect();
        let cols: Vec<String> = (0..self.spec.cols.len()).map(|i| self.col(i)).collect();
        let head = format!("INSERT INTO {} ({}) VALUES ", self.table_sql, cols.join(", "));
        self.applied.inserted += self.run(items, CHUNK_ROWS, |parts| format!("{head}{}", parts.join(", "))).await?;
        Ok(())
    }

    /// A table without a key that differs: every row taken out, and the source's put in,
    /// streamed from the snapshot (`source`) through the plan's conversion.
    pub(super) async fn reload(&mut self, source: PathBuf, t: Arc<PlannedTable>, spec: Arc<Spec>) -> Result<()> {
        let sql = format!("DELETE FROM {}", self.table_sql);
        self.exec(&sql).await?;
        let (tx, mut rx) = mpsc::channel::<Vec<Row>>(4);
        let (_back, spent) = std::sync::mpsc::sync_channel(2);
        let (n, dialect) = (spec.cols.len(), self.target.dialect);
        let reader = tokio::task::spawn_blocking(move || crate::validate::read::read_source_rows(source, t, spec, dialect, None, false, tx, Pool::new(spent, n)));
        let mut pending: Vec<Row> = vec![];
        while let Some(batch) = rx.recv().await {
            pending.extend(batch);
            if pending.len() >= CHUNK_ROWS * 4 {
                let rows = std::mem::take(&mut pending);
                self.insert(&rows).await?;
            }
        }
        if !pending.is_empty() {
            self.insert(&pending).await?;
        }
        reader.await.map_err(|e| FerryError::Other(format!("the source reader stopped: {e}")))??;
        Ok(())
    }

    /// `items` cut into chunks (ranges) of at most `per` items and `max_bytes`.
    fn chunks(&self, items: &[Item], per: usize) -> Vec<(usize, usize)> {
        let mut ranges = vec![];
        let mut start = 0;
        let mut bytes = 0;
        for (i, it) in items.iter().enumerate() {
            if i > start && (i - start >= per || bytes + it.sql.len() > self.max_bytes) {
                ranges.push((start, i));
                start = i;
                bytes = 0;
            }
            bytes += it.sql.len() + 4;
        }
        if start < items.len() {
            ranges.push((start, items.len()));
        }
        ranges
    }

    /// Runs `items` in chunks of at most `per` (and `max_bytes`), `build` making a chunk's
    /// statement text, each under a savepoint; a refused chunk is split until the refused
    /// rows are found. Returns the rows that went in.
    async fn run(&mut self, items: Vec<Item>, per: usize, build: impl Fn(&[&str]) -> String) -> Result<u64> {
        let mut ranges = self.chunks(&items, per);
        ranges.reverse();
        let mut done = 0u64;
        while let Some((a, b)) = ranges.pop() {
            let parts: Vec<&str> = items[a..b].iter().map(|i| i.sql.as_str()).collect();
            let sql = build(&parts);
            self.exec("SAVEPOINT ferry_sync").await?;
            match self.conn.execute(&sql).await {
                Ok(()) => {
                    self.exec("RELEASE SAVEPOINT ferry_sync").await?;
                    done += (b - a) as u64;
                }
                Err(e) if e.as_database_error().is_some() && Limit::of(&e).is_none() => {
                    self.exec("ROLLBACK TO SAVEPOINT ferry_sync").await?;
                    if b - a > 1 {
                        let m = (a + b) / 2;
                        ranges.push((m, b));
                        ranges.push((a, m));
                        continue;
                    }
                    let column = Violation::column_of(&e).map(|c| self.t.columns.iter().find(|x| x.name == c).map(|x| x.source.clone()).unwrap_or(c));
                    self.applied.reject(Rejected { row: items[a].key.clone(), column, value: serde_json::Value::Null, reason: format!("refused by the target: {}", db_message(&e)) });
                }
                Err(e) => return Err(target_err(&format!("table {}", self.t.name), e)),
            }
        }
        Ok(done)
    }

    /// The identity / AUTO_INCREMENT continues above the table's new maximum (and
    /// sqlite_sequence's); the failure in words when the server refuses.
    pub(super) async fn continue_identity(&mut self) -> Result<Option<String>> {
        let Some((col, seq)) = self.t.identity.clone() else { return Ok(None) };
        let max = self.conn.query_i64(&self.target.ddl().max_of(self.t, &col)).await.map_err(|e| target_err(&format!("max({col}) of {}", self.t.name), e))?;
        let next = max.unwrap_or(0).max(seq).saturating_add(1).max(1);
        Ok(match self.conn.continue_identity(self.target, self.t, &col, next).await {
            Ok(()) => None,
            Err(e) => Some(format!("the identity of {col} was not moved above {}: {}", next - 1, db_message(&e))),
        })
    }
}
