//! The run journal: a small table Ferry keeps in the target while a migration runs
//! (`JOURNAL_TABLE`), saying which source it copies (size and SHA-256), on which plan (a hash
//! of the plan as given and the options that shape it) and how far each table got. Each step
//! is its own small statement (autocommit), written as the table moves on; the table is
//! dropped when the run completes. A run that stops — killed, crashed, cancelled, failed —
//! leaves it, so the next `ferry migrate` can say so and `--resume` can continue — or, with
//! no report written (kill -9), `ferry rollback --to URL` can take back the tables and views
//! it names.
//!
//! Only numbers, equality and names are read back (`Conn::query_i64`, `query_texts`): the
//! journal needs no dialect code of its own.

use crate::dialect::session::{target_err, Conn, Target, JOURNAL_TABLE};
use crate::dialect::Dialect;
use crate::error::{FerryError, Result};
use crate::sqlexpr::quote_literal;
use std::path::Path;

/// How far a table got, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum State {
    /// In the plan; its table may not be made yet.
    Planned = 0,
    Created = 1,
    /// Its rows were being loaded.
    Loading = 2,
    /// Every row in; keys, indexes and CHECKs not yet built.
    Loaded = 3,
    /// Keys, indexes, CHECKs and identity built.
    Finished = 4,
    /// Its foreign keys made too.
    Keyed = 5,
}

impl State {
    fn from_i64(n: i64) -> State {
        [State::Planned, State::Created, State::Loading, State::Loaded, State::Finished, State::Keyed].get(n.clamp(0, 5) as usize).copied().unwrap_or(State::Planned)
    }
}

/// What identifies the source file: its size and SHA-256.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Fingerprint {
    pub(super) size: u64,
    pub(super) sha256: String,
}

/// The source's fingerprint (reads the whole file once); a cancel stops the reading.
pub(super) fn fingerprint(path: &Path, events: &crate::events::Events) -> Result<Fingerprint> {
    let size = std::fs::metadata(path).map_err(|e| FerryError::Io(format!("cannot read {}: {e}", path.display())))?.len();
    let sha256 = crate::backup::sha256_file_unless(path, &|| events.cancelled()).map_err(|e| FerryError::Io(format!("cannot read {}: {e}", path.display())))?.ok_or(FerryError::Cancelled)?;
    Ok(Fingerprint { size, sha256 })
}

/// A hash of what the plan is resolved from besides the source: the plan as given (none: the
/// one the source's rows call for), the dialect, the schema and `--strict`.
pub(super) fn plan_hash(plan: Option<&crate::plan::Plan>, pg_schema: Option<&str>, strict: bool, dialect: Dialect, mask_key: Option<&crate::mask::MaskKey>) -> String {
    use sha2::Digest;
    let given = plan.map(|p| p.to_toml()).unwrap_or_default();
    let mut text = format!("{}\n{}\n{strict}\n{given}", dialect.name(), pg_schema.unwrap_or(""));
    // A masked run continues only with the key it began with (by its fingerprint), or the
    // copy would mix two masks of one value.
    if let Some(k) = mask_key.filter(|_| plan.is_some_and(|p| p.masks())) {
        text.push_str(&format!("\nmask key {}", k.fingerprint()));
    }
    format!("{:x}", sha2::Sha256::digest(text.as_bytes()))
}

/// The journal of one target.
pub(crate) struct Journal {
    table: String,
    dialect: Dialect,
    exists_sql: String,
}

/// An unfinished run's journal, as found.
#[derive(Debug)]
pub(super) struct Unfinished {
    pub(super) started_unix: i64,
    pub(super) tables: i64,
    pub(super) loaded: i64,
    pub(super) source_size: i64,
}

impl Unfinished {
    /// When the run started, as a person reads it.
    pub(super) fn started(&self) -> String {
        chrono::DateTime::from_timestamp(self.started_unix, 0).map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string()).unwrap_or_else(|| "at an unknown time".into())
    }
}

impl Journal {
    pub(crate) fn new(target: &Target) -> Journal {
        let place = if target.dialect.has_schemas() { quote_literal(&target.pg_schema, target.dialect) } else { "DATABASE()".into() };
        let exists_sql = format!("SELECT count(*) FROM information_schema.tables WHERE table_schema = {place} AND table_name = '{JOURNAL_TABLE}'");
        Journal { table: target.table_sql_name(JOURNAL_TABLE), dialect: target.dialect, exists_sql }
    }

    fn lit(&self, s: &str) -> String {
        quote_literal(s, self.dialect)
    }

    /// Makes the journal with every table `Planned`: `tables` as (source name, target name),
    /// and the views the run will try to make (by target name), so that a run stopped with
    /// no report can still be taken back (`rollback::rollback_unfinished`).
    pub(super) async fn begin(&self, conn: &mut Conn, started_unix: i64, fp: &Fingerprint, plan_hash: &str, tables: &[(String, String)], views: &[String]) -> Result<()> {
        let create = format!(
            "CREATE TABLE {} (source_size BIGINT NOT NULL, source_sha256 VARCHAR(64) NOT NULL, plan_hash VARCHAR(64) NOT NULL, started_unix BIGINT NOT NULL, table_name VARCHAR(1000) NOT NULL, target_name VARCHAR(1000) NOT NULL, kind VARCHAR(8) NOT NULL, state BIGINT NOT NULL)",
            self.table
        );
        conn.execute(&create).await.map_err(|e| target_err(&format!("table {JOURNAL_TABLE}"), e))?;
        let objects = tables.iter().map(|(s, t)| (s, t, "table")).chain(views.iter().map(|v| (v, v, "view")));
        let rows: Vec<String> = objects.map(|(s, t, kind)| format!("({}, {}, {}, {started_unix}, {}, {}, '{kind}', 0)", fp.size, self.lit(&fp.sha256), self.lit(plan_hash), self.lit(s), self.lit(t))).collect();
        if rows.is_empty() {
            return Ok(());
        }
        let insert = format!("INSERT INTO {} (source_size, source_sha256, plan_hash, started_unix, table_name, target_name, kind, state) VALUES {}", self.table, rows.join(", "));
        conn.execute(&insert).await.map_err(|e| target_err(&format!("table {JOURNAL_TABLE}"), e))
    }

    /// What the unfinished run the target holds set out to make, by target name: (tables,
    /// views, triggers); None when the target holds no unfinished run.
    pub(crate) async fn objects(&self, conn: &mut Conn) -> Result<Option<(Vec<String>, Vec<String>, Vec<String>)>> {
        if self.number(conn, &self.exists_sql).await? == 0 {
            return Ok(None);
        }
        let mut found = [vec![], vec![], vec![]];
        for (kind, out) in ["table", "view", "trigger"].into_iter().zip(found.iter_mut()) {
            let sql = format!("SELECT target_name FROM {} WHERE kind = '{kind}' ORDER BY target_name", self.table);
            *out = conn.query_texts(&sql).await.map_err(|e| target_err(&format!("table {JOURNAL_TABLE}"), e))?.into_iter().flatten().collect();
        }
        let [tables, views, triggers] = found;
        Ok(Some((tables, views, triggers)))
    }

    /// Notes a trigger the run made (`name`), once it is made: a function of that name the
    /// run failed to make (someone else's) is never taken back for it.
    pub(super) async fn made_trigger(&self, conn: &mut Conn, name: &str) -> Result<()> {
        let t = &self.table;
        let n = self.lit(name);
        let sql = format!("INSERT INTO {t} (source_size, source_sha256, plan_hash, started_unix, table_name, target_name, kind, state) SELECT source_size, source_sha256, plan_hash, started_unix, {n}, {n}, 'trigger', 0 FROM {t} WHERE kind = 'table' LIMIT 1");
        conn.execute(&sql).await.map_err(|e| target_err(&format!("table {JOURNAL_TABLE}"), e))
    }

    /// Notes an extension the run created (`name`, which was not there before it), once it
    /// is made: `ext` (the kind column holds eight characters).
    pub(super) async fn made_extension(&self, conn: &mut Conn, name: &str) -> Result<()> {
        let t = &self.table;
        let n = self.lit(name);
        let sql = format!("INSERT INTO {t} (source_size, source_sha256, plan_hash, started_unix, table_name, target_name, kind, state) SELECT source_size, source_sha256, plan_hash, started_unix, {n}, {n}, 'ext', 0 FROM {t} WHERE kind = 'table' LIMIT 1");
        conn.execute(&sql).await.map_err(|e| target_err(&format!("table {JOURNAL_TABLE}"), e))
    }

    /// The extensions the unfinished run noted as created (`made_extension`).
    pub(crate) async fn extensions(&self, conn: &mut Conn) -> Result<Vec<String>> {
        if self.number(conn, &self.exists_sql).await? == 0 {
            return Ok(vec![]);
        }
        let sql = format!("SELECT target_name FROM {} WHERE kind = 'ext' ORDER BY target_name", self.table);
        Ok(conn.query_texts(&sql).await.map_err(|e| target_err(&format!("table {JOURNAL_TABLE}"), e))?.into_iter().flatten().collect())
    }

    /// Forgets the triggers noted as made (a resumed run drops and makes them again).
    pub(super) async fn forget_triggers(&self, conn: &mut Conn) -> Result<()> {
        conn.execute(&format!("DELETE FROM {} WHERE kind = 'trigger'", self.table)).await.map_err(|e| target_err(&format!("table {JOURNAL_TABLE}"), e))
    }

    /// Moves one table (by source name) on to `state`.
    pub(super) async fn mark(&self, conn: &mut Conn, table: &str, state: State) -> Result<()> {
        self.set(conn, table, state).await
    }

    /// Sets one table's state (back, too).
    pub(super) async fn set(&self, conn: &mut Conn, table: &str, state: State) -> Result<()> {
        let sql = format!("UPDATE {} SET state = {} WHERE table_name = {}", self.table, state as i64, self.lit(table));
        conn.execute(&sql).await.map_err(|e| target_err(&format!("table {JOURNAL_TABLE}"), e))
    }

    /// Moves every table below `state` on to it.
    pub(super) async fn mark_all(&self, conn: &mut Conn, state: State) -> Result<()> {
        let sql = format!("UPDATE {} SET state = {} WHERE state < {}", self.table, state as i64, state as i64);
        conn.execute(&sql).await.map_err(|e| target_err(&format!("table {JOURNAL_TABLE}"), e))
    }

    /// Drops the journal: the run completed.
    pub(super) async fn remove(&self, conn: &mut Conn) -> Result<()> {
        conn.execute(&format!("DROP TABLE IF EXISTS {}", self.table)).await.map_err(|e| target_err(&format!("table {JOURNAL_TABLE}"), e))
    }

    async fn number(&self, conn: &mut Conn, sql: &str) -> Result<i64> {
        Ok(conn.query_i64(sql).await.map_err(|e| target_err(&format!("table {JOURNAL_TABLE}"), e))?.unwrap_or(0))
    }

    /// The unfinished run the target holds, if any.
    pub(super) async fn find(&self, conn: &mut Conn) -> Result<Option<Unfinished>> {
        if self.number(conn, &self.exists_sql).await? == 0 {
            return Ok(None);
        }
        let t = &self.table;
        let q = |what: &str| format!("SELECT {what} FROM {t}");
        Ok(Some(Unfinished {
            started_unix: self.number(conn, &q("max(started_unix)")).await?,
            tables: self.number(conn, &format!("{} WHERE kind = 'table'", q("count(*)"))).await?,
            loaded: self.number(conn, &format!("{} WHERE kind = 'table' AND state >= {}", q("count(*)"), State::Loaded as i64)).await?,
            source_size: self.number(conn, &q("max(source_size)")).await?,
        }))
    }

    /// What changed since the unfinished run `u` (its source, its plan), in words; None when
    /// nothing did and it can be continued.
    pub(super) async fn changed(&self, conn: &mut Conn, u: &Unfinished, fp: &Fingerprint, plan_hash: &str) -> Result<Option<String>> {
        let t = &self.table;
        if u.source_size != fp.size as i64 {
            return Ok(Some(format!("the source changed (its size went from {} to {} bytes)", u.source_size, fp.size)));
        }
        if self.number(conn, &format!("SELECT count(*) FROM {t} WHERE source_sha256 <> {}", self.lit(&fp.sha256))).await? > 0 {
            return Ok(Some("the source changed (same size, another SHA-256)".into()));
        }
        if self.number(conn, &format!("SELECT count(*) FROM {t} WHERE plan_hash <> {}", self.lit(plan_hash))).await? > 0 {
            return Ok(Some("the plan or the options that shape it (--plan, --schema, --strict, the mask key) changed".into()));
        }
        Ok(None)
    }

    /// How far a table (by source name) got; `Planned` when the journal does not name it.
    pub(super) async fn state(&self, conn: &mut Conn, table: &str) -> Result<State> {
        let n = self.number(conn, &format!("SELECT max(state) FROM {} WHERE table_name = {}", self.table, self.lit(table))).await?;
        Ok(State::from_i64(n))
    }
}

#[cfg(test)]
mod tests {
    use super::plan_hash;
    use crate::dialect::Dialect;
    use crate::mask::{MaskKey, Rule};

    #[test]
    fn a_masked_run_resumes_only_with_its_key() {
        let plan = |mask: Option<Rule>| {
            let col = crate::plan::ColumnPlan { source: "e".into(), target: "e".into(), target_type: "text".into(), reason: "r".into(), unfit: 0, transform: None, suggestion: None, mask, mask_why: None };
            crate::plan::Plan { ferry_version: "t".into(), source: "s".into(), dialect: Dialect::Postgres, tables: vec![crate::plan::TablePlan { source: "t".into(), target: "t".into(), skip: false, columns: vec![col] }], choices: vec![], safe_copy: false, distribution: None, access: None, production: vec![] }
        };
        let (a, b) = (MaskKey::new(b"first-key-16-bytes", "x").unwrap(), MaskKey::new(b"second-key-16-bytes", "x").unwrap());
        let h = |p: &crate::plan::Plan, k: Option<&MaskKey>| plan_hash(Some(p), None, false, Dialect::Postgres, k);
        let (masked, clear) = (plan(Some(Rule::Email)), plan(None));
        assert_ne!(h(&masked, Some(&a)), h(&masked, Some(&b)), "another key: another run");
        assert_eq!(h(&masked, Some(&a)), h(&masked, Some(&a)));
        assert_eq!(h(&clear, Some(&a)), h(&clear, None), "a key does not matter to a plan that masks nothing");
    }
}
