//! Restores a target backup (`backup::backup_target`) into a database: `pg_restore` /
//! the `mariadb` client for native dumps, Ferry's own reader for Ferry dumps.
//!
//! The target must hold none of the backup's objects — or, with `replace`, those objects are
//! dropped first; anything else already there is left as it is and named in the outcome. On
//! PostgreSQL a Ferry dump is restored in one transaction (with the drops): a failure leaves
//! the target as it was. The dump's SHA-256 is checked against its record before anything is
//! touched.

use crate::backup::{db_err, load_target_backup, DumpError, DumpObjects, DumpRecord, Engine, TargetBackup, END_OF_ROWS};
use crate::dialect::session::{Conn, Target};
use crate::error::{FerryError, Result};
use crate::dialect::TargetUrl;
use serde::Serialize;
use std::io::BufRead;
use std::path::Path;
use std::time::Instant;

/// What a restore did.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RestoreOutcome {
    pub backup: String,
    /// The target without its password.
    pub target: String,
    pub engine: Engine,
    pub tables: Vec<String>,
    pub views: Vec<String>,
    /// Rows loaded (Ferry dumps; a native restore does not count them).
    pub rows: Option<u64>,
    /// Objects of the backup that were in the target and were dropped first (`replace`).
    pub dropped: Vec<String>,
    /// Objects in the target that the backup does not hold: left as they were.
    pub left: Vec<String>,
    pub seconds: f64,
}

/// Restores the backup whose record is `record` into the database at `url`.
pub async fn restore(record: &Path, url: &str, replace: bool, mut progress: impl FnMut(&str) + Send) -> Result<RestoreOutcome> {
    let started = Instant::now();
    let (b, dump) = load_target_backup(record)?;
    let parsed = TargetUrl::parse(url)?;
    if !parsed.dialect.same_family(b.dialect) {
        return Err(FerryError::Other(format!("the backup is of a {} database and cannot be restored into {}: choose a {} target", b.dialect.name(), parsed.dialect.name(), b.dialect.name())));
    }
    let (target, mut conn) = Target::open(url, b.schema.as_deref()).await?;
    let place = target.place();
    let present = objects(&mut conn, &target.pg_schema).await?;
    let held = |n: &String| b.tables.contains(n) || b.views.contains(n);
    let clashing: Vec<String> = present.tables.iter().chain(&present.views).filter(|n| held(n)).cloned().collect();
    let left: Vec<String> = present.tables.iter().chain(&present.views).filter(|n| !held(n)).cloned().collect();
    let occupied = !clashing.is_empty() || !left.is_empty();
    if occupied && !replace {
        let all: Vec<String> = present.tables.iter().chain(&present.views).cloned().collect();
        let what = if clashing.is_empty() {
            "none of them is in the backup: with --replace they stay as they are".to_string()
        } else {
            format!("--replace drops the {} the backup holds ({}) first{}", clashing.len(), shorten(&clashing), if left.is_empty() { String::new() } else { format!(" and leaves the other {} as they are", left.len()) })
        };
        let held = [crate::value::plural(present.tables.len() as u64, "table", "tables"), crate::value::plural(present.views.len() as u64, "view", "views")];
        let held = if present.views.is_empty() { held[0].clone() } else if present.tables.is_empty() { held[1].clone() } else { held.join(" and ") };
        return Err(FerryError::Other(format!("the target {place} is not empty: it holds {held}: {}. Restore into an empty database, or {what}", shorten(&all))));
    }
    let drops = drop_statements(&target, &present, &b);
    let outcome = |rows: Option<u64>| RestoreOutcome {
        backup: dump.display().to_string(),
        target: target.url.redacted.clone(),
        engine: b.engine,
        tables: b.tables.clone(),
        views: b.views.clone(),
        rows,
        dropped: clashing.clone(),
        left: left.clone(),
        seconds: started.elapsed().as_secs_f64(),
    };
    match b.engine {
        Engine::Ferry => {
            let rows = restore_ferry(&target, &mut conn, &dump, &drops, &mut progress).await?;
            Ok(outcome(Some(rows)))
        }
        Engine::Native => {
            // Before anything is dropped: a URL whose TLS settings the client cannot keep.
            if let Some(why) = target.url.native_refusal() {
                return Err(FerryError::Other(format!("{} was taken with {}, and {why}", dump.display(), b.format)));
            }
            for sql in &drops {
                progress(sql);
                conn.execute(sql).await.map_err(|e| drop_error(sql, e))?;
            }
            let schema_exists = conn.schema_exists(&target.pg_schema).await.map_err(|e| db_err("the schema list", e))?;
            drop(conn);
            progress(&format!("restoring {} with the server's own client", dump.display()));
            restore_native(&target.url, &b, &dump, schema_exists).await?;
            Ok(outcome(None))
        }
    }
}

fn shorten(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
    let more = if names.len() > 8 { format!(" and {} more", names.len() - 8) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

pub(crate) async fn objects(conn: &mut Conn, pg_schema: &str) -> Result<DumpObjects> {
    conn.dump_objects(pg_schema).await.map_err(|e| db_err("the list of tables", e))
}

fn drop_error(sql: &str, e: sqlx::Error) -> FerryError {
    let detail = e.as_database_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string());
    FerryError::Target { object: sql.into(), detail: format!("{detail}. Something outside the backup depends on it: drop that first, or restore into an empty database") }
}

/// DROP statements for the backup's objects that are present: views, then tables in one
/// statement (PostgreSQL drops the keys between them; MySQL sessions run without
/// foreign-key checks). No CASCADE: an object outside the backup that depends on one stops it.
fn drop_statements(target: &Target, present: &DumpObjects, b: &TargetBackup) -> Vec<String> {
    let name = |n: &str| target.table_sql_name(n);
    let views: Vec<String> = present.views.iter().filter(|v| b.views.contains(v) || b.tables.contains(v)).map(|v| name(v)).collect();
    let tables: Vec<String> = present.tables.iter().filter(|t| b.tables.contains(t) || b.views.contains(t)).map(|t| name(t)).collect();
    let mut out = vec![];
    if !views.is_empty() {
        out.push(format!("DROP VIEW {}", views.join(", ")));
    }
    if !tables.is_empty() {
        out.push(format!("DROP TABLE {}", tables.join(", ")));
    }
    out
}

/// Reads Ferry's own dump back, line by line.
struct DumpReader {
    lines: std::io::BufReader<std::fs::File>,
    path: std::path::PathBuf,
}

impl DumpReader {
    fn next_line(&mut self) -> Result<Option<Vec<u8>>> {
        let mut buf = vec![];
        let n = self.lines.read_until(b'\n', &mut buf).map_err(|e| FerryError::Io(format!("cannot read {}: {e}", self.path.display())))?;
        Ok((n > 0).then_some(buf))
    }

    fn record(&mut self) -> Result<Option<DumpRecord>> {
        match self.next_line()? {
            None => Ok(None),
            Some(l) => serde_json::from_slice(&l).map(Some).map_err(|e| FerryError::Other(format!("{} is not a Ferry dump, or is damaged ({e})", self.path.display()))),
        }
    }

    /// The rows of one table, up to the end marker.
    fn rows(&mut self) -> RowLines<'_> {
        RowLines { r: self, done: false }
    }
}

struct RowLines<'a> {
    r: &'a mut DumpReader,
    done: bool,
}

impl Iterator for RowLines<'_> {
    type Item = std::io::Result<Vec<u8>>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut buf = vec![];
        match self.r.lines.read_until(b'\n', &mut buf) {
            Err(e) => Some(Err(e)),
            Ok(0) => {
                self.done = true;
                Some(Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the dump ends inside a table's rows")))
            }
            Ok(_) if buf == END_OF_ROWS => {
                self.done = true;
                None
            }
            Ok(_) => Some(Ok(buf)),
        }
    }
}

async fn restore_ferry(target: &Target, conn: &mut Conn, dump: &Path, drops: &[String], progress: &mut (impl FnMut(&str) + Send)) -> Result<u64> {
    let file = std::fs::File::open(dump).map_err(|e| FerryError::Io(format!("cannot read {}: {e}", dump.display())))?;
    let mut r = DumpReader { lines: std::io::BufReader::with_capacity(1 << 20, file), path: dump.to_path_buf() };
    let extensions = match r.record()? {
        Some(DumpRecord::Header { ferry_dump: 1, objects, .. }) => objects.extensions,
        _ => return Err(FerryError::Other(format!("{} is not a Ferry dump (version 1)", dump.display()))),
    };
    let pg = target.dialect.transactional_ddl();
    let step = |sql: &str, e: sqlx::Error| FerryError::Target { object: first_line(sql), detail: e.as_database_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string()) };
    if pg {
        conn.execute("BEGIN").await.map_err(|e| step("BEGIN", e))?;
    }
    let result = async {
        for sql in drops {
            progress(sql);
            conn.execute(sql).await.map_err(|e| drop_error(sql, e))?;
        }
        if let Some(sql) = target.dialect.create_schema_sql(&target.pg_schema) {
            conn.execute(&sql).await.map_err(|e| step(&sql, e))?;
        }
        // The extensions the tables need (a citext column, a trigram index), before them.
        for sql in &extensions {
            progress(sql);
            conn.execute(sql).await.map_err(|e| extension_error(sql, e))?;
        }
        let max_statement = target.flavor.as_ref().map(|f| f.max_packet as usize).unwrap_or(usize::MAX);
        let (mut fks, mut after, mut views) = (vec![], vec![], vec![]);
        let mut current: Option<(String, crate::backup::TableSql)> = None;
        let mut rows_total = 0u64;
        let mut ended = false;
        while let Some(rec) = r.record()? {
            match rec {
                DumpRecord::Header { .. } => return Err(FerryError::Other(format!("{} is damaged: a second header", dump.display()))),
                DumpRecord::Table { name, sql } => {
                    for s in sql.pre.iter().chain(std::iter::once(&sql.create)).chain(&sql.partitions) {
                        conn.execute(s).await.map_err(|e| step(s, e))?;
                    }
                    current = Some((name, sql));
                }
                DumpRecord::Rows { table } => {
                    let Some((name, sql)) = current.take().filter(|(n, _)| *n == table) else {
                        return Err(FerryError::Other(format!("{} is damaged: rows of {table} before its definition", dump.display())));
                    };
                    let mut lines = r.rows();
                    let n = conn.restore_rows(&target.pg_schema, &name, &sql, max_statement, &mut lines).await.map_err(|e| match e {
                        DumpError::Db(e) => db_err(&format!("the rows of table {name}"), e),
                        DumpError::Io(e) => FerryError::Io(format!("{}: {e}", dump.display())),
                        DumpError::Format(m) => FerryError::Other(format!("{}: {m}", dump.display())),
                    })?;
                    rows_total += n;
                    progress(&format!("table {name}: {n} rows"));
                    for s in &sql.post {
                        conn.execute(s).await.map_err(|e| step(s, e))?;
                    }
                    fks.extend(sql.foreign_keys);
                    after.extend(sql.after_data);
                }
                DumpRecord::View { name, sql } => views.push((name, sql)),
                DumpRecord::End { .. } => {
                    ended = true;
                    break;
                }
            }
        }
        if !ended {
            return Err(FerryError::Other(format!("{} is incomplete: it has no end record (the backup did not finish)", dump.display())));
        }
        for s in fks.iter().chain(&after) {
            conn.execute(s).await.map_err(|e| step(s, e))?;
        }
        // Views in the order they were made; MySQL lists them by name, so one that reads
        // another is tried again once the others are in.
        let mut pending = views;
        while !pending.is_empty() {
            let before = pending.len();
            let (mut failed, mut last_err) = (vec![], None);
            for (name, sql) in std::mem::take(&mut pending) {
                if let Err(e) = conn.execute(&sql).await {
                    if pg {
                        return Err(step(&sql, e));
                    }
                    last_err = Some(step(&sql, e));
                    failed.push((name, sql));
                }
            }
            if failed.len() == before {
                return Err(last_err.expect("a failed view"));
            }
            pending = failed;
        }
        Ok(rows_total)
    }
    .await;
    if pg {
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let closed = conn.execute(end).await;
        if result.is_ok() {
            closed.map_err(|e| step(end, e))?;
        }
    }
    result
}

/// An extension the dump needs and the server would not make: which, why, and what to do.
fn extension_error(sql: &str, e: sqlx::Error) -> FerryError {
    let why = e.as_database_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string());
    FerryError::Target {
        object: first_line(sql),
        detail: format!("{why}. The backed-up tables use this extension: install it on this server (PostgreSQL's own are in the postgresql-contrib package) or restore as a user allowed to create it, then run the restore again; nothing was restored"),
    }
}

fn first_line(sql: &str) -> String {
    let l = sql.lines().next().unwrap_or("").trim();
    if l.chars().count() > 120 { format!("{}…", l.chars().take(120).collect::<String>()) } else { l.to_string() }
}

/// `pg_restore` or the `mariadb` / `mysql` client, as `TargetUrl::restore_command` sets it up.
async fn restore_native(t: &TargetUrl, b: &TargetBackup, dump: &Path, schema_exists: bool) -> Result<()> {
    let clients = t.dialect.restore_tools();
    let tool = crate::backup::find_tool(clients).ok_or_else(|| {
        FerryError::Other(format!("{} is not installed here: the backup was taken with {}; install {} to restore it", clients[0], b.format, t.dialect.client_package()))
    })?;
    let tool_name = tool.file_name().and_then(|n| n.to_str()).unwrap_or("the client").to_string();
    let env = t.tool_env();
    let (t, dump, b) = (t.clone(), dump.to_path_buf(), b.clone());
    tokio::task::spawn_blocking(move || -> Result<()> {
        let (mut cmd, list_file) = t.restore_command(&tool, b.schema.as_deref(), &dump, schema_exists)?;
        cmd.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let out = cmd.output().map_err(|e| FerryError::Io(format!("cannot run {}: {e}", tool.display())));
        if let Some(p) = list_file {
            let _ = std::fs::remove_file(p);
        }
        let out = out?;
        if out.status.success() {
            return Ok(());
        }
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no message");
        Err(FerryError::Other(format!("{tool_name} failed ({}): {first}", out.status)))
    })
    .await
    .map_err(|e| FerryError::Other(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Dialect;

    #[test]
    fn drops_name_only_what_the_backup_holds() {
        let b = TargetBackup {
            kind: "target".into(),
            engine: Engine::Ferry,
            format: "ferry 1".into(),
            dialect: Dialect::Postgres,
            target: String::new(),
            database: "d".into(),
            schema: Some("s".into()),
            server: String::new(),
            tables: vec!["a".into(), "b".into()],
            views: vec!["v".into()],
            path: String::new(),
            bytes: 0,
            seconds: 0.0,
            sha256: String::new(),
            taken_at: String::new(),
        };
        let (pg, maria) = (Target::offline("postgres://h/d", "s"), Target::offline("mariadb://h/d", ""));
        let present = DumpObjects { tables: vec!["a".into(), "other".into()], views: vec!["v".into(), "w".into()], ..Default::default() };
        assert_eq!(drop_statements(&pg, &present, &b), vec!["DROP VIEW \"s\".\"v\"".to_string(), "DROP TABLE \"s\".\"a\"".to_string()]);
        assert_eq!(drop_statements(&maria, &DumpObjects { tables: vec!["b".into()], ..Default::default() }, &b), vec!["DROP TABLE `b`".to_string()]);
        assert!(drop_statements(&pg, &DumpObjects::default(), &b).is_empty());
    }
}
