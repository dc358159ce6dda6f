//! The migration pipeline: source → plan → target → report.
//!
//! One reader thread per table streams bounded batches through a channel to that table's
//! writer (back-pressure: memory stays flat whatever the size); `jobs` tables load at once.
//! As soon as a table's rows are in, its keys, indexes, CHECKs and identity are built on
//! the same connection while other tables still load. Foreign keys come last. A batch the
//! server refuses is split until the refused rows are found; every refused or changed value
//! lands in the report with its row's key, the column and the original value.

use crate::convert;
use crate::dialect::write::{RowFormat, WithRowFormat};
use crate::error::{FerryError, Result};
use crate::events::{Event, Events, Phase, Warning};
use crate::plan::Plan;
use crate::report::{Changed, CreatedKind, CreatedObject, RejectLog, Rejected, Report, TableReport};
use crate::schema::Schema;
use crate::source::sqlite::rows::RowSelect;
use crate::source::sqlite::{inspect, profile, read_source, read_source_spread, Integrity};
use crate::plan::resolve::{planned_tables, PlannedTable};
use crate::dialect::ddl::LoadTx;
use crate::dialect::errors::Violation;
use crate::dialect::session::{db_message, target_err, Conn, Findings, Rows, Target};
use crate::dialect::{Dialect, TargetUrl};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, Mutex};

/// How a migration runs.
#[derive(Debug, Clone)]
pub struct MigrateOptions {
    pub plan: Option<Plan>,
    pub plan_path: Option<String>,
    /// PostgreSQL schema to create the tables in (created when missing). Default `public`.
    pub pg_schema: Option<String>,
    pub jobs: usize,
    /// Stop at the first value or row the target would not take.
    pub strict: bool,
    pub batch_rows: usize,
    /// Where every rejected or changed value is written (JSON lines); the report keeps the
    /// first `report::KEPT` of each table.
    pub rejects: Option<PathBuf>,
    /// Load the rows into tables that already exist as the plan makes them and are empty
    /// (`diff::check_data_only`): no CREATE TABLE, keys, indexes, constraints or views;
    /// identity / AUTO_INCREMENT sequences are still brought above the loaded maximum.
    pub data_only: bool,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        MigrateOptions { plan: None, plan_path: None, pg_schema: None, jobs: 2, strict: false, batch_rows: 20000, rejects: None, data_only: false }
    }
}


/// One encoded batch: rows back to back, where each ends, and which source row each is.
struct Batch {
    data: Vec<u8>,
    ends: Vec<usize>,
    keys: Vec<RowRef>,
}

#[derive(Clone)]
enum RowRef {
    Rowid(i64),
    Key(serde_json::Value),
}

impl Batch {
    fn new() -> Batch {
        Batch { data: Vec::with_capacity(1 << 20), ends: vec![], keys: vec![] }
    }
    /// A batch the writer is done with, emptied for the next rows (its buffers kept: no
    /// allocating, growing and page-faulting megabytes per batch), else a new one.
    fn reuse(spent: &std::sync::mpsc::Receiver<Batch>) -> Batch {
        match spent.try_recv() {
            Ok(mut b) => {
                b.data.clear();
                b.ends.clear();
                b.keys.clear();
                b
            }
            Err(_) => Batch::new(),
        }
    }
    /// Rows `a..b`, back to back.
    fn rows(&self, a: usize, b: usize) -> Rows<'_> {
        let start = if a == 0 { 0 } else { self.ends[a - 1] };
        Rows { data: &self.data[start..self.ends[b - 1]], ends: &self.ends[a..b], base: start }
    }
}

/// What a table's reader found: conversion refusals and changes (the first `KEPT` of each,
/// and their totals; all of them went to the rejects file). A speculative read also brings
/// the profile of every row, and whether it stopped loading.
#[derive(Default)]
struct ReadOutcome {
    rows_read: u64,
    found: TableReport,
    profiles: Option<Vec<crate::schema::ColumnProfile>>,
    abandoned: bool,
}

/// One table's reader: what it reads, how it encodes, where batches go.
struct ReadJob {
    path: PathBuf,
    t: Arc<PlannedTable>,
    dialect: Dialect,
    /// Rows per batch, and the bytes one statement may carry (MySQL: max_allowed_packet).
    batch_rows: usize,
    max_statement: usize,
    strict: bool,
    events: Events,
    log: RejectLog,
    choices: crate::plan::choices::ValueChoices,
    /// Set for a speculative load (types planned from a sample of the rows): every value is
    /// also profiled, and the first value that would not arrive exactly — or a row the server
    /// refuses, which the writer signals here — ends the loading, unreported: the table is
    /// loaded again once the plan rests on every row. The reading goes on to the end for the
    /// profile.
    abandon: Option<Arc<std::sync::atomic::AtomicBool>>,
}

/// A table's reader with the channels to its writer.
struct Reader(ReadJob, (mpsc::Sender<Batch>, std::sync::mpsc::Receiver<Batch>));

impl WithRowFormat for Reader {
    type Output = Result<ReadOutcome>;
    fn run<F: RowFormat>(self) -> Result<ReadOutcome> {
        read_table::<F>(self.0, self.1)
    }
}

/// Reads one table, converts and encodes every row in the target's row format `F`, and
/// sends batches to the writer.
fn read_table<F: RowFormat>(job: ReadJob, (tx, spent): (mpsc::Sender<Batch>, std::sync::mpsc::Receiver<Batch>)) -> Result<ReadOutcome> {
    use std::sync::atomic::Ordering;
    let ReadJob { path, t, dialect, batch_rows, max_statement, strict, events, log, choices, abandon } = job;
    let conn = inspect::open(&path)?;
    let loaded: Vec<&crate::plan::resolve::PlannedColumn> = t.columns.iter().filter(|c| c.generated_sql.is_none()).collect();
    let RowSelect { sql, rowid, offset } = RowSelect::new(&t.source);
    let mut stmt = conn.prepare(&sql).map_err(|e| inspect::map_err(&path, e))?;
    let mut rows = stmt.query([]).map_err(|e| inspect::map_err(&path, e))?;
    let mut out = ReadOutcome::default();
    let mut profiles = abandon.as_ref().map(|_| vec![crate::schema::ColumnProfile::default(); t.source.columns.len()]);
    // False once a speculative load has stopped: the rows are still read for their profile.
    let mut loading = true;
    let mut batch = Batch::new();
    let max_bytes = (8 << 20).min(max_statement / 2);
    // A row the server cannot take in one statement, less room for the INSERT around it.
    let max_row = max_statement.saturating_sub(64 << 10);
    let pk_only_keys = t.source.without_rowid || rowid.is_none();
    let ncols = t.source.columns.len();
    let mut known = vec![profile::Known::Nothing; ncols];
    while let Some(row) = rows.next().map_err(|e| inspect::map_err(&path, e))? {
        out.rows_read += 1;
        // Each value fetched once, for the profile and the conversion alike.
        let vals = (0..ncols).map(|i| row.get_ref(i + offset)).collect::<std::result::Result<Vec<_>, _>>().map_err(|e| inspect::map_err(&path, e))?;
        if let Some(p) = profiles.as_mut() {
            if loading && abandon.as_ref().is_some_and(|a| a.load(Ordering::Relaxed)) {
                loading = false;
            }
            if !loading {
                for (p, v) in p.iter_mut().zip(&vals) {
                    profile::observe(p, *v);
                }
                if out.rows_read % 65_536 == 0 && events.cancelled() {
                    return Err(FerryError::Cancelled);
                }
                continue;
            }
            known.fill(profile::Known::Nothing);
        }
        let rid = match rowid {
            Some(_) => Some(row.get::<_, i64>(0).map_err(|e| inspect::map_err(&path, e))?),
            None => None,
        };
        let start = batch.data.len();
        let mut rejected: Option<(String, serde_json::Value, String)> = None;
        let mut changes = vec![];
        F::row_start(&mut batch.data, loaded.len());
        for (n, c) in loaded.iter().enumerate() {
            let v = vals[c.source_index];
            F::value_start(&mut batch.data, n);
            let r = F::write(v, &c.logical, c.transform, dialect, &mut batch.data);
            // A refused value the plan chose to set NULL or strip of its NULs: written so, reported changed.
            let (r, chosen) = match r {
                Err(reason) if !choices.is_empty() => match fix_value::<F>(v, c, dialect, &mut batch.data, choices.get(&c.source), &reason) {
                    Some(ch) => (Ok(Some(ch)), true),
                    None => (Err(reason), false),
                },
                r => (r, false),
            };
            // What the conversion proved, the profile need not prove again.
            if let (Ok(None), None, rusqlite::types::ValueRef::Text(_)) = (&r, c.transform, v) {
                known[c.source_index] = match c.logical {
                    crate::schema::LogicalType::Uuid => profile::Known::LowercaseUuid,
                    crate::schema::LogicalType::Json => profile::Known::Json,
                    _ => profile::Known::Nothing,
                };
            }
            match r {
                Ok(None) => {}
                Ok(Some(ch)) => changes.push((c.source.clone(), crate::value::value_to_json(v), ch, chosen)),
                Err(reason) => {
                    rejected = Some((c.source.clone(), crate::value::value_to_json(v), reason.reason));
                    break;
                }
            }
        }
        if let Some(p) = profiles.as_mut() {
            for ((p, v), k) in p.iter_mut().zip(&vals).zip(&known) {
                profile::observe_known(p, *v, *k);
            }
        }
        let too_big = F::BOUNDED_BY_STATEMENT && batch.data.len() - start > max_row;
        if profiles.is_some() && (rejected.is_some() || !changes.is_empty() || too_big) {
            // Not exact under the sampled plan: whether it is under the plan of every row is
            // known at the end. Stop loading; nothing is reported from this pass.
            loading = false;
            continue;
        }
        if rejected.is_none() && too_big {
            // No single column is at fault: the whole row is too big for one statement.
            let size = batch.data.len() - start;
            batch.data.truncate(start);
            let key = t.row_key(rid, row, offset);
            let reason = format!("the row ({size} bytes as SQL) is larger than the server's max_allowed_packet ({max_statement} bytes): raise max_allowed_packet on the server to carry it");
            if strict {
                return Err(FerryError::Strict(format!("table {} row {key}: {reason}", t.source.name)));
            }
            events.emit(Event::Rejected { table: t.source.name.clone(), column: None, reason: reason.clone() });
            out.found.add_rejected(&t.source.name, Rejected { row: key, column: None, value: serde_json::Value::Null, reason }, &log);
            continue;
        }
        if let Some((column, value, reason)) = rejected {
            batch.data.truncate(start);
            let key = t.row_key(rid, row, offset);
            if strict {
                return Err(FerryError::Strict(format!("table {} row {} column {column}: {reason} (value {value})", t.source.name, key)));
            }
            events.emit(Event::Rejected { table: t.source.name.clone(), column: Some(column.clone()), reason: reason.clone() });
            out.found.add_rejected(&t.source.name, Rejected { row: key, column: Some(column), value, reason }, &log);
            continue;
        }
        for (column, from, ch, chosen) in changes {
            // A change the plan chose is a decision, not a surprise: --strict lets it through.
            if strict && !chosen {
                return Err(FerryError::Strict(format!("table {} column {column}: value {from} would be {}: {}", t.source.name, ch.to, ch.reason)));
            }
            let to = if ch.to == SET_NULL { serde_json::Value::Null } else { serde_json::Value::String(ch.to) };
            out.found.add_changed(&t.source.name, Changed { row: t.row_key(rid, row, offset), column, from, to, reason: ch.reason }, &log);
        }
        F::row_end(&mut batch.data);
        batch.ends.push(batch.data.len());
        batch.keys.push(match (pk_only_keys, rid) {
            (false, Some(r)) => RowRef::Rowid(r),
            _ => RowRef::Key(t.row_key(rid, row, offset)),
        });
        if batch.ends.len() >= batch_rows || batch.data.len() >= max_bytes {
            if events.cancelled() {
                return Err(FerryError::Cancelled);
            }
            let full = std::mem::replace(&mut batch, Batch::reuse(&spent));
            if tx.blocking_send(full).is_err() {
                // The writer stopped; its error is the one to report.
                return Ok(out);
            }
        }
    }
    if loading && !batch.ends.is_empty() {
        let _ = tx.blocking_send(batch);
    }
    out.profiles = profiles;
    out.abandoned = !loading;
    Ok(out)
}

/// `Change::to` of a value set NULL by the plan's choice (reported as JSON null).
const SET_NULL: &str = "\u{0}NULL";

/// Applies the plan's `set_null` / `strip_nul` to a value the conversion refused with
/// `refusal`, writing the result; None when no such choice covers it (the row is rejected).
fn fix_value<F: RowFormat>(v: rusqlite::types::ValueRef<'_>, c: &crate::plan::resolve::PlannedColumn, dialect: Dialect, buf: &mut Vec<u8>, choices: Option<&Vec<(crate::plan::choices::Kind, crate::plan::choices::Choice)>>, refusal: &convert::Refusal) -> Option<convert::Change> {
    use crate::plan::choices::Choice;
    let mut write = |v: rusqlite::types::ValueRef<'_>| F::write(v, &c.logical, c.transform, dialect, buf);
    match crate::plan::choices::value_choice(choices, refusal.kind)? {
        Choice::SetNull => {
            write(rusqlite::types::ValueRef::Null).ok()?;
            Some(convert::Change { to: SET_NULL.into(), reason: format!("set NULL by the plan's choice: {refusal}"), kind: refusal.kind })
        }
        Choice::StripNul => {
            let bytes = match v {
                rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => b,
                _ => return None,
            };
            let stripped: Vec<u8> = bytes.iter().copied().filter(|b| *b != 0).collect();
            // Whatever else is wrong with the value still refuses the row.
            let ch = write(rusqlite::types::ValueRef::Text(&stripped)).ok()?;
            let to = ch.map(|c| c.to).unwrap_or_else(|| String::from_utf8_lossy(&stripped).into_owned());
            Some(convert::Change { to, reason: "NUL characters removed by the plan's choice".into(), kind: refusal.kind })
        }
        _ => None,
    }
}

/// Looks a source row up again to report a value the server refused.
fn lookup_row(path: &Path, t: &PlannedTable, r: &RowRef, column: Option<&str>) -> (serde_json::Value, serde_json::Value) {
    let rid = match r {
        RowRef::Rowid(rid) => rid,
        RowRef::Key(k) => return (k.clone(), serde_json::Value::Null),
    };
    let fallback = (serde_json::json!({ "rowid": rid }), serde_json::Value::Null);
    let select = RowSelect::new(&t.source);
    let (Ok(conn), Some(sql)) = (inspect::open(path), select.by_rowid()) else { return fallback };
    let res = conn.query_row(&sql, [rid], |row| {
        let key = t.row_key(Some(*rid), row, select.offset);
        let value = column
            .and_then(|c| t.source.columns.iter().position(|x| x.name.eq_ignore_ascii_case(c) || t.target_column(&x.name) == c))
            .map(|i| row.get_ref(i + select.offset).map(crate::value::value_to_json).unwrap_or_default())
            .unwrap_or(serde_json::Value::Null);
        Ok((key, value))
    });
    res.unwrap_or(fallback)
}

/// Writes a batch; on refusal splits it until the refused rows are
/// found. Returns the rows written and the refusals (row index, error).
async fn write_batch(conn: &mut Conn, stmt: &str, batch: &Batch) -> (u64, Vec<(usize, sqlx::Error)>) {
    let mut written = 0;
    let mut refused = vec![];
    let mut stack = vec![(0, batch.ends.len())];
    while let Some((a, b)) = stack.pop() {
        if a >= b {
            continue;
        }
        match conn.send_rows(stmt, batch.rows(a, b)).await {
            Ok(n) => written += n,
            Err(e) if e.as_database_error().is_none() => {
                // The connection itself failed: no point splitting.
                refused.extend((a..b).map(|i| (i, sqlx::Error::Protocol(format!("connection lost: {e}")))).take(1));
                return (written, refused);
            }
            Err(e) if b - a == 1 => refused.push((a, e)),
            Err(_) => {
                let mid = a + (b - a) / 2;
                stack.push((mid, b));
                stack.push((a, mid));
            }
        }
    }
    (written, refused)
}

struct Shared {
    target: Target,
    source: PathBuf,
    dialect: Dialect,
    opts: MigrateOptions,
    events: Events,
    report: Mutex<Report>,
    phase_seconds: Mutex<BTreeMap<Phase, f64>>,
    /// Tables whose CHECKs were created with the table.
    checks_inline: Mutex<std::collections::HashSet<String>>,
    log: RejectLog,
    /// The plan's `set_null` / `strip_nul` choices, per table.
    value_choices: ValueChoicesByTable,
    /// Target names of the tables this run loads (foreign keys to others are not made).
    tables: std::collections::HashSet<String>,
    /// Open sessions for the loaders, kept from one phase to the next.
    sessions: std::sync::Mutex<Vec<Conn>>,
}

impl Shared {
    /// A session for a loader: one kept from earlier work, else a new one.
    async fn session(&self) -> Result<Conn> {
        let kept = self.sessions.lock().expect("sessions").pop();
        match kept {
            Some(c) => Ok(c),
            None => self.target.connect().await,
        }
    }
    /// Keeps a session whose work ended well, for the next phase.
    fn keep(&self, conn: Conn) {
        self.sessions.lock().expect("sessions").push(conn);
    }
    async fn add_phase(&self, p: Phase, secs: f64) {
        *self.phase_seconds.lock().await.entry(p).or_default() += secs;
    }
    /// An object this run made, for the report's `created` list.
    fn created(&self, kind: CreatedKind, name: &str) -> CreatedObject {
        CreatedObject { kind, schema: self.target.ddl().schema().map(String::from), name: name.into() }
    }
    async fn warn(&self, table: Option<&str>, object: String, reason: String) {
        self.events.emit(Event::Warning { table: table.map(String::from), object: object.clone(), reason: reason.clone() });
        self.report.lock().await.warnings.push(Warning { table: table.map(String::from), object, reason });
    }
}

/// What loading one table's rows came to.
struct Loaded {
    read: ReadOutcome,
    written: u64,
    /// Rows the server refused, looked up again in the source.
    refused: TableReport,
    seconds: f64,
}

/// Loads one table's rows on `conn`. Speculative (`speculative`: its types rest on a sample)
/// the load stops unreported at the first value or row that does not arrive exactly (see
/// `ReadJob::abandon`) and the outcome says so; otherwise every refusal is reported.
async fn load_table(sh: &Arc<Shared>, conn: &mut Conn, t: &Arc<PlannedTable>, speculative: bool) -> Result<Loaded> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let started = Instant::now();
    let name = t.source.name.clone();
    sh.events.emit(Event::TableStarted { table: name.clone(), rows: t.source.row_count });
    let stmt = sh.target.ddl().load_statement(t, speculative);
    // `LoadTx::WholeTable` (speculative): the first refusal rolls it back and the table is
    // loaded again.
    let load_tx = sh.target.ddl().load_tx(speculative);
    let pg_tx = load_tx == LoadTx::WholeTable;
    if pg_tx {
        let table_sql = sh.target.table_sql_name(&t.name);
        for sql in ["BEGIN".to_string(), format!("TRUNCATE {table_sql}")] {
            conn.execute(&sql).await.map_err(|e| target_err(&format!("table {}", t.name), e))?;
        }
    }
    let (tx, mut rx) = mpsc::channel::<Batch>(2);
    // Written batches go back to the reader to be filled again.
    let (give_back, spent) = std::sync::mpsc::channel::<Batch>();
    let abandon = speculative.then(|| Arc::new(AtomicBool::new(false)));
    let reader = {
        let job = ReadJob {
            path: sh.source.clone(),
            t: t.clone(),
            dialect: sh.dialect,
            batch_rows: sh.opts.batch_rows,
            max_statement: sh.target.flavor.as_ref().map(|f| f.max_packet as usize).unwrap_or(usize::MAX),
            strict: sh.opts.strict,
            events: sh.events.clone(),
            log: sh.log.clone(),
            choices: sh.value_choices.get(&name).cloned().unwrap_or_default(),
            abandon: abandon.clone(),
        };
        tokio::task::spawn_blocking(move || job.dialect.with_row_format(Reader(job, (tx, spent))))
    };
    let mut written = 0u64;
    let mut refused_rows = TableReport::default();
    let mut failure: Option<FerryError> = None;
    let in_tx = load_tx == LoadTx::Chunked;
    let mut since_commit = 0;
    if sh.opts.data_only {
        conn.check_foreign_keys_while_loading().await.map_err(|e| target_err(&format!("table {}", t.name), e))?;
    }
    if in_tx {
        conn.execute("START TRANSACTION").await.map_err(|e| target_err(&format!("table {}", t.name), e))?;
    }
    while let Some(batch) = rx.recv().await {
        if let Some(stop) = &abandon {
            if stop.load(Ordering::Relaxed) {
                continue; // the table is loaded again; the reader finishes its profile
            }
            // Speculative: one attempt; a refusal stops the load, unreported.
            match conn.send_rows(&stmt, batch.rows(0, batch.ends.len())).await {
                Ok(n) => written += n,
                Err(e) if e.as_database_error().is_some() => {
                    stop.store(true, Ordering::Relaxed);
                    if pg_tx {
                        let _ = conn.execute("ROLLBACK").await;
                    }
                    continue;
                }
                Err(e) => {
                    failure = Some(FerryError::Target { object: format!("table {}", t.name), detail: e.to_string() });
                    break;
                }
            }
        } else {
            let (n, refused) = write_batch(conn, &stmt, &batch).await;
            written += n;
            for (i, e) in refused {
                if e.as_database_error().is_none() {
                    failure = Some(FerryError::Target { object: format!("table {}", t.name), detail: e.to_string() });
                    break;
                }
                let column = Violation::column_of(&e);
                let source_col = column.as_ref().map(|c| t.columns.iter().find(|x| x.name == *c).map(|x| x.source.clone()).unwrap_or(c.clone()));
                let (path, tt, key, sc) = (sh.source.clone(), t.clone(), batch.keys[i].clone(), source_col.clone());
                let (row, value) = tokio::task::spawn_blocking(move || lookup_row(&path, &tt, &key, sc.as_deref())).await.unwrap_or_default();
                let reason = format!("refused by the target: {}", db_message(&e));
                if sh.opts.strict {
                    failure = Some(FerryError::Strict(format!("table {} row {row}: {reason}", t.source.name)));
                    break;
                }
                sh.events.emit(Event::Rejected { table: name.clone(), column: source_col.clone(), reason: reason.clone() });
                refused_rows.add_rejected(&name, Rejected { row, column: source_col, value, reason }, &sh.log);
            }
            if failure.is_some() {
                break;
            }
        }
        since_commit += 1;
        if in_tx && since_commit >= 20 {
            since_commit = 0;
            let r = match conn.execute("COMMIT").await {
                Ok(()) => conn.execute("START TRANSACTION").await,
                Err(e) => Err(e),
            };
            if let Err(e) = r {
                failure = Some(target_err(&format!("table {}", t.name), e));
                break;
            }
        }
        sh.events.emit(Event::Progress { table: name.clone(), rows_done: written, rows: t.source.row_count });
        let _ = give_back.send(batch);
    }
    let refused = abandon.as_ref().is_some_and(|a| a.load(Ordering::Relaxed));
    if (in_tx || (pg_tx && !refused)) && failure.is_none() {
        if let Err(e) = conn.execute("COMMIT").await {
            failure = Some(target_err(&format!("table {}", t.name), e));
        }
    }
    drop(rx);
    let read = reader.await.map_err(|e| FerryError::Other(format!("reader of {name} stopped: {e}")))?;
    let mut read = match (read, failure) {
        (_, Some(f)) => return Err(f),
        (Err(e), None) => return Err(e),
        (Ok(r), None) => r,
    };
    read.abandoned |= refused;
    let seconds = started.elapsed().as_secs_f64();
    sh.add_phase(Phase::Data, seconds).await;
    Ok(Loaded { read, written, refused: refused_rows, seconds })
}

/// Puts a table's load into the report.
async fn record_load(sh: &Shared, t: &PlannedTable, loaded: Loaded) {
    let mut rep = sh.report.lock().await;
    let tr = rep.tables.entry(t.source.name.clone()).or_default();
    tr.target = t.name.clone();
    tr.rows_read = loaded.read.rows_read;
    tr.rows_written = loaded.written;
    tr.seconds = loaded.seconds;
    for part in [loaded.read.found, loaded.refused] {
        tr.rejected.extend(part.rejected);
        tr.rejected.truncate(crate::report::KEPT);
        tr.rejected_total += part.rejected_total;
        tr.changed.extend(part.changed);
        tr.changed.truncate(crate::report::KEPT);
        tr.changed_total += part.changed_total;
    }
}

/// Builds a loaded table's keys, indexes, CHECKs and identity, and says the table is done.
async fn finish_and_report(sh: &Shared, t: &PlannedTable, conn: &mut Conn) -> Result<()> {
    let started = Instant::now();
    finish_table(sh, t, conn).await?;
    let mut rep = sh.report.lock().await;
    let tr = rep.tables.get_mut(&t.source.name).expect("table report");
    tr.seconds += started.elapsed().as_secs_f64();
    sh.events.emit(Event::TableDone { table: t.source.name.clone(), rows_read: tr.rows_read, rows_written: tr.rows_written, rejected: tr.rejected_total, seconds: tr.seconds });
    Ok(())
}

/// Turns rows taken out by a constraint into report entries keyed by the source's names.
fn removed_rows(t: &PlannedTable, rows: Vec<serde_json::Value>, columns: &[String], reason: &str) -> Vec<Rejected> {
    let pk = t.pk_columns();
    rows.into_iter()
        .map(|r| {
            let get = |src: &str| r.get(t.target_column(src)).cloned().unwrap_or_default();
            let key = if pk.is_empty() {
                let mut m = serde_json::Map::new();
                for c in &t.columns {
                    m.insert(c.source.clone(), get(&c.source));
                }
                serde_json::Value::Object(m)
            } else {
                serde_json::Value::Object(pk.iter().map(|c| (c.clone(), get(c))).collect())
            };
            let value = if columns.len() == 1 { get(&columns[0]) } else { serde_json::Value::Array(columns.iter().map(|c| get(c)).collect()) };
            Rejected { row: key, column: Some(columns.join(", ")), value, reason: reason.to_string() }
        })
        .collect()
}

async fn reject_rows(sh: &Shared, t: &PlannedTable, rows: Vec<Rejected>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    if sh.opts.strict {
        return Err(FerryError::Strict(format!("table {} row {}: {}", t.source.name, rows[0].row, rows[0].reason)));
    }
    let mut rep = sh.report.lock().await;
    let tr = rep.tables.entry(t.source.name.clone()).or_default();
    for r in rows {
        sh.events.emit(Event::Rejected { table: t.source.name.clone(), column: r.column.clone(), reason: r.reason.clone() });
        tr.rows_written = tr.rows_written.saturating_sub(1);
        tr.add_rejected(&t.source.name, r, &sh.log);
    }
    Ok(())
}

impl Findings for Shared {
    async fn warn(&self, table: Option<&str>, object: String, reason: String) {
        Shared::warn(self, table, object, reason).await
    }
    async fn note(&self, note: Warning) {
        self.report.lock().await.notes.push(note);
    }
    async fn removed(&self, t: &PlannedTable, rows: Vec<serde_json::Value>, columns: &[String], reason: &str) -> Result<()> {
        reject_rows(self, t, removed_rows(t, rows, columns, reason)).await
    }
}

async fn finish_table(sh: &Shared, t: &PlannedTable, conn: &mut Conn) -> Result<()> {
    if sh.opts.data_only {
        return continue_identity(sh, t, conn).await;
    }
    // Keys and indexes.
    let started = Instant::now();
    conn.keys_and_indexes(&sh.target, t, &sh.tables, sh).await?;
    sh.add_phase(Phase::Indexes, started.elapsed().as_secs_f64()).await;
    // CHECKs: rows that fail one are taken out and reported, then the CHECK is added.
    let started = Instant::now();
    let inline = sh.checks_inline.lock().await.contains(&t.name);
    for ck in t.checks.iter().filter(|_| !inline) {
        let object = format!("CHECK ({})", ck.source_sql);
        let sql = sh.target.ddl().check(t, &ck.name, &ck.sql);
        // Adding the CHECK checks every row; only when some row fails is it worth finding them.
        let Err(first) = conn.execute(&sql).await else { continue };
        if Violation::of(&first) != Some(Violation::Check) {
            sh.warn(Some(&t.source.name), object, format!("not created: {}", db_message(&first))).await;
            continue;
        }
        match conn.delete_check_failures(&sh.target, t, &ck.sql).await {
            Ok(rows) => {
                let reason = format!("fails CHECK ({}) in the target", ck.source_sql);
                reject_rows(sh, t, removed_rows(t, rows, &[], &reason).into_iter().map(|mut r| { r.column = None; r }).collect()).await?;
            }
            Err(e) => {
                sh.warn(Some(&t.source.name), object, format!("not created: {}", db_message(&e))).await;
                continue;
            }
        }
        if let Err(e) = conn.execute(&sql).await {
            sh.warn(Some(&t.source.name), object, format!("not created: {}", db_message(&e))).await;
        }
    }
    sh.add_phase(Phase::Constraints, started.elapsed().as_secs_f64()).await;
    // The rowid alias continues above both max(id) and sqlite_sequence.
    let started = Instant::now();
    if let Some((col, seq)) = &t.identity {
        let max = conn.query_i64(&sh.target.ddl().max_of(t, col)).await.map_err(|e| target_err(&format!("max({col}) of {}", t.name), e))?;
        let next = max.unwrap_or(0).max(*seq).saturating_add(1).max(1);
        let r = conn.restart_identity(&sh.target, t, col, next).await;
        if let Err(e) = r {
            sh.warn(Some(&t.source.name), format!("identity of {col}"), format!("not created: {}", db_message(&e))).await;
        }
    }
    sh.add_phase(Phase::Sequences, started.elapsed().as_secs_f64()).await;
    Ok(())
}

/// `--data-only`: the identity / AUTO_INCREMENT the table already has continues above the
/// loaded maximum and sqlite_sequence.
async fn continue_identity(sh: &Shared, t: &PlannedTable, conn: &mut Conn) -> Result<()> {
    let started = Instant::now();
    if let Some((col, seq)) = &t.identity {
        let max = conn.query_i64(&sh.target.ddl().max_of(t, col)).await.map_err(|e| target_err(&format!("max({col}) of {}", t.name), e))?;
        let next = max.unwrap_or(0).max(*seq).saturating_add(1).max(1);
        let r = conn.continue_identity(&sh.target, t, col, next).await;
        if let Err(e) = r {
            sh.warn(Some(&t.source.name), format!("identity of {col}"), format!("not continued above {}: {}", next - 1, db_message(&e))).await;
        }
    }
    sh.add_phase(Phase::Sequences, started.elapsed().as_secs_f64()).await;
    Ok(())
}

/// Tables ordered parents first; None when the foreign keys form a cycle (a table that
/// references itself included).
fn parents_first(tables: &[Arc<PlannedTable>]) -> Option<Vec<Arc<PlannedTable>>> {
    let names: std::collections::HashSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let mut done: std::collections::HashSet<String> = Default::default();
    let mut out = vec![];
    while out.len() < tables.len() {
        let ready: Vec<&Arc<PlannedTable>> = tables
            .iter()
            .filter(|t| !done.contains(&t.name))
            .filter(|t| t.foreign_keys.iter().all(|fk| fk.ref_table != t.name && (done.contains(&fk.ref_table) || !names.contains(fk.ref_table.as_str()))))
            .collect();
        if ready.is_empty() {
            return None;
        }
        for t in ready {
            done.insert(t.name.clone());
            out.push(t.clone());
        }
    }
    Some(out)
}

fn fk_object(fk: &crate::plan::resolve::PlannedForeignKey) -> String {
    format!("foreign key {} ({}) → {}", fk.name, fk.columns.join(", "), fk.ref_source_table)
}

fn orphan_reason(fk: &crate::plan::resolve::PlannedForeignKey) -> String {
    format!("orphan: no {} row has ({}) equal to this row's ({})", fk.ref_source_table, fk.ref_columns.join(", "), fk.columns.join(", "))
}

/// Why a foreign key's orphans were not taken out.
enum OrphansFailed {
    /// The server refused: the foreign key is not created, and the run goes on.
    Server(sqlx::Error),
    /// `--strict` stops the run at the first orphan (`FerryError::Strict`).
    Stopped(FerryError),
}

impl From<sqlx::Error> for OrphansFailed {
    fn from(e: sqlx::Error) -> Self {
        OrphansFailed::Server(e)
    }
}

/// Takes a foreign key's orphans out of the target, reported.
async fn remove_orphans(sh: &Shared, t: &PlannedTable, fk: &crate::plan::resolve::PlannedForeignKey, conn: &mut Conn) -> std::result::Result<usize, OrphansFailed> {
    let rows = conn.delete_orphans(&sh.target, t, fk).await?;
    let n = rows.len();
    if n > 0 {
        reject_rows(sh, t, removed_rows(t, rows, &fk.columns, &orphan_reason(fk))).await.map_err(OrphansFailed::Stopped)?;
    }
    Ok(n)
}

/// Foreign keys, once every table is in, where they are not made table by table as their
/// tables are ready (`schedule`, PostgreSQL without cycles): MySQL adds keys without checking
/// rows, and keys in a cycle cannot wait for each other. Orphans are taken out first, round
/// after round until none are left — removing one can orphan its own children — the first
/// round on `jobs` connections at once; then every key is added.
async fn foreign_keys(sh: &Arc<Shared>, tables: &[Arc<PlannedTable>], conn: &mut Conn) -> Result<()> {
    let by_name: BTreeMap<&str, &PlannedTable> = tables.iter().map(|t| (t.name.as_str(), t.as_ref())).collect();
    let mut broken: std::collections::HashSet<(String, String)> = Default::default();
    // First round: every key's orphans, `jobs` at a time on their own connections.
    let mut removed_any = false;
    {
        let sem = Arc::new(tokio::sync::Semaphore::new(sh.opts.jobs.max(1)));
        let mut tasks = vec![];
        for t in tables {
            for fk in t.foreign_keys.iter().filter(|fk| by_name.contains_key(fk.ref_table.as_str())) {
                let (sh, t, fk, sem) = (sh.clone(), t.clone(), fk.clone(), sem.clone());
                tasks.push(tokio::spawn(async move {
                    let _permit = sem.acquire().await.expect("semaphore");
                    let mut c = sh.target.connect().await?;
                    let r = remove_orphans(&sh, &t, &fk, &mut c).await;
                    Ok::<_, FerryError>((t, fk, r))
                }));
            }
        }
        for task in tasks {
            let (t, fk, r) = task.await.map_err(|e| FerryError::Other(format!("a foreign key check stopped: {e}")))??;
            match r {
                Ok(n) => removed_any |= n > 0,
                Err(OrphansFailed::Stopped(stop)) => return Err(stop),
                Err(OrphansFailed::Server(e)) => {
                    broken.insert((t.name.clone(), fk.name.clone()));
                    sh.warn(Some(&t.source.name), fk_object(&fk), format!("not created: {}", db_message(&e))).await;
                }
            }
        }
    }
    for _round in 0..20 {
        if !removed_any {
            break;
        }
        removed_any = false;
        for t in tables {
            for fk in &t.foreign_keys {
                if broken.contains(&(t.name.clone(), fk.name.clone())) || !by_name.contains_key(fk.ref_table.as_str()) {
                    continue;
                }
                match remove_orphans(sh, t, fk, conn).await {
                    Ok(n) => removed_any |= n > 0,
                    Err(OrphansFailed::Stopped(stop)) => return Err(stop),
                    Err(OrphansFailed::Server(e)) => {
                        broken.insert((t.name.clone(), fk.name.clone()));
                        sh.warn(Some(&t.source.name), fk_object(fk), format!("not created: {}", db_message(&e))).await;
                    }
                }
            }
        }
    }
    for t in tables {
        for fk in &t.foreign_keys {
            if broken.contains(&(t.name.clone(), fk.name.clone())) || !by_name.contains_key(fk.ref_table.as_str()) {
                continue;
            }
            let sql = sh.target.ddl().foreign_key(t, fk);
            let object = format!("foreign key {} ({}) → {}", fk.name, fk.columns.join(", "), fk.ref_source_table);
            if let Err(e) = conn.execute(&sql).await {
                sh.warn(Some(&t.source.name), object, format!("not created: {}", db_message(&e))).await;
            } else if let Some(note) = sh.target.ddl().foreign_key_note(fk) {
                sh.warn(Some(&t.source.name), object, note).await;
            }
        }
    }
    Ok(())
}

/// Migrates `source` into the empty target at `url`. Errors before anything is written come
/// back as `Err`; a run that stops midway comes back as a report with `completed = false`
/// and its `error`.
pub async fn migrate(source: &Path, url: &str, opts: MigrateOptions, events: Events) -> Result<Report> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let jobs = opts.jobs.max(1);
    // The source's schema (with a spread sample of each table's values, or — into existing
    // tables, `--data-only` — the profile of every row) is read while the target is opened
    // and checked; the target's problems are said first. Into new tables the load then starts
    // at once, and checks the sampled plan against the profile of every row it reads (`run`).
    let speculative = !opts.data_only;
    let src = source.to_path_buf();
    let read_started = Instant::now();
    events.emit(Event::PhaseStarted { phase: Phase::Source });
    let reading = tokio::task::spawn_blocking(move || -> Result<(Schema, Option<Integrity>)> {
        if speculative {
            let (schema, check) = read_source_spread(&src, SPREAD_SAMPLE_ROWS, jobs)?;
            Ok((schema, Some(check)))
        } else {
            Ok((read_source(&src, true, jobs)?, None))
        }
    });
    // The loaders' sessions open beside the first one (each a TLS handshake, where the server
    // offers TLS); they are set up for the server once it is known.
    let parsed = TargetUrl::parse(url)?;
    let (opened, bare) = tokio::join!(Target::open(url, opts.pg_schema.as_deref()), futures_util::future::join_all((0..jobs).map(|_| Target::connect_bare(&parsed))));
    let (target, mut admin) = opened?;
    let existing = target.existing_objects(&mut admin).await?;
    if !existing.is_empty() && !opts.data_only {
        let where_ = target.ddl().place(&target.url.database);
        let shown: Vec<String> = existing.iter().take(5).cloned().collect();
        let more = if existing.len() > 5 { format!(" and {} more", existing.len() - 5) } else { String::new() };
        return Err(FerryError::TargetNotEmpty { where_, objects: format!("{} table(s): {}{more}", existing.len(), shown.join(", ")) });
    }
    let (read, sessions) = tokio::join!(reading, async {
        let mut ready = vec![];
        for c in bare {
            ready.push(target.prepare(c?).await?);
        }
        Ok::<_, FerryError>(ready)
    });
    let (schema, integrity) = read.map_err(|e| FerryError::Other(e.to_string()))??;
    let sessions = sessions?;
    let read_secs = read_started.elapsed().as_secs_f64();
    events.emit(Event::PhaseDone { phase: Phase::Source, seconds: read_secs });
    let dialect = target.dialect;
    let (plan, planned, value_choices, dropped) = plan_tables(&opts, source, &schema, dialect)?;
    if opts.data_only {
        crate::diff::check_data_only(&target, &mut admin, &planned).await?;
    }
    // A PostgreSQL schema is made when missing, once the source and the plan are known good.
    let made_schema = admin.ensure_place(&target).await?;
    let mut report = Report {
        ferry_version: crate::version().into(),
        source: source.display().to_string(),
        target: target.url.redacted.clone(),
        target_server: target.server.clone(),
        started_at,
        completed: false,
        plan: Some(plan.clone()),
        ..Default::default()
    };
    if made_schema {
        report.created.push(CreatedObject { kind: CreatedKind::Schema, schema: None, name: target.pg_schema.clone() });
    }
    for t in &planned {
        report.tables.insert(t.source.name.clone(), TableReport { target: t.name.clone(), ..Default::default() });
        if let Some(tp) = plan.table(&t.source.name) {
            if tp.target != tp.source {
                report.renames.push(crate::events::Rename { table: None, from: tp.source.clone(), to: tp.target.clone(), reason: rename_reason(dialect, &tp.source) });
            }
            for cp in &tp.columns {
                if cp.target != cp.source {
                    report.renames.push(crate::events::Rename { table: Some(tp.source.clone()), from: cp.source.clone(), to: cp.target.clone(), reason: rename_reason(dialect, &cp.source) });
                }
            }
        }
    }
    for tp in plan.tables.iter().filter(|t| t.skip) {
        report.warnings.push(Warning { table: Some(tp.source.clone()), object: format!("table {}", tp.source), reason: "skipped by the plan".into() });
    }
    for tr in &schema.triggers {
        report.warnings.push(Warning { table: Some(tr.table.clone()), object: format!("trigger {}", tr.name), reason: "not carried: a trigger is SQLite code; rewrite it for the target".into() });
    }
    for vt in &schema.virtual_tables {
        report.warnings.push(Warning {
            table: Some(vt.name.clone()),
            object: format!("virtual table {} (USING {})", vt.name, vt.module),
            reason: format!("not carried: {} virtual tables exist only in SQLite; use the target's own search or index features", vt.module),
        });
    }
    let log = RejectLog::new(opts.rejects.clone());
    let sh = Arc::new(Shared {
        target,
        source: source.to_path_buf(),
        dialect,
        opts: MigrateOptions { jobs, ..opts },
        events: events.clone(),
        report: Mutex::new(report),
        phase_seconds: Mutex::new(BTreeMap::from([(Phase::Source, read_secs)])),
        checks_inline: Mutex::new(Default::default()),
        log,
        value_choices,
        tables: planned.iter().map(|t| t.name.clone()).collect(),
        sessions: std::sync::Mutex::new(sessions),
    });
    let sure = if speculative { None } else { Some((plan, dropped)) };
    let result = run(&sh, planned, schema, sure, integrity, &mut admin).await;
    if let Err(e @ FerryError::SourceCorrupt { .. }) = result {
        // A damaged file is refused as before anything was written: what was made is gone.
        return Err(e);
    }
    let phases = sh.phase_seconds.lock().await.clone();
    let mut report = sh.report.lock().await.clone();
    report.phases = phases.into_iter().map(|(p, s)| (p.name().to_string(), (s * 1000.0).round() / 1000.0)).collect();
    report.seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(()) => report.completed = true,
        Err(e) => report.error = Some(e.to_string()),
    }
    match sh.log.finish() {
        Ok(path) => report.rejects_file = path,
        Err(e) => {
            report.completed = false;
            report.error.get_or_insert(format!("the rejects file: {e}"));
        }
    }
    Ok(report)
}

fn rename_reason(dialect: Dialect, name: &str) -> String {
    if crate::dialect::ident_fits(dialect, name) {
        "clashes with another name once case is ignored".into()
    } else {
        format!("longer than {}", dialect.identifier_limit())
    }
}

/// Creates one table (MySQL: with its keys, and its CHECKs where the server takes them).
///
/// PostgreSQL, `speculative` (the load stops at a refused row and is made again): CHECKs go in
/// with the table too, where the server takes them; made again, a table gets its CHECKs after
/// the load, which finds and reports each row that fails one.
async fn create_table(sh: &Shared, conn: &mut Conn, t: &PlannedTable, speculative: bool) -> Result<()> {
    let create_err = |e: sqlx::Error| FerryError::Target { object: format!("CREATE TABLE {}", t.name), detail: db_message(&e) };
    let ddl = sh.target.ddl();
    // CHECKs go in with the table first where the dialect says so; one the server refuses
    // sends them all to after the load.
    if !ddl.checks_at_create(speculative) || t.checks.is_empty() || conn.execute(&ddl.create_table(t, true)).await.is_err() {
        conn.execute(&ddl.create_table(t, false)).await.map_err(create_err)?;
        sh.checks_inline.lock().await.remove(&t.name);
    } else {
        sh.checks_inline.lock().await.insert(t.name.clone());
    }
    Ok(())
}

/// One unit of a run's table work.
enum Task {
    /// Load the rows (on the sampled plan, when speculative).
    Load(Arc<PlannedTable>),
    /// Settle the table's plan on every row, load it again where that plan differs, and build
    /// its keys, indexes, CHECKs and identity. By source name.
    Finish(String),
    /// PostgreSQL: the table's foreign keys. By source name.
    Keys(String),
}

/// What the tasks share.
struct Board {
    todo: Vec<Task>,
    /// Source name → the plan the table was made and loaded on.
    spec: BTreeMap<String, Arc<PlannedTable>>,
    loads: BTreeMap<String, Loaded>,
    /// Source names whose rows are loaded (and, speculative, profiled).
    loaded: std::collections::HashSet<String>,
    /// Source names finished, and with their foreign keys made.
    finished: std::collections::HashSet<String>,
    keyed: std::collections::HashSet<String>,
    /// The source's schema, each table's profile replaced by that of every row once loaded.
    schema: Schema,
    integrity: Option<Integrity>,
    stop: bool,
}

/// Source name → the loaded tables it references (itself left out).
fn parents_by_source(tables: &[Arc<PlannedTable>]) -> BTreeMap<String, Vec<String>> {
    let names: std::collections::HashSet<&str> = tables.iter().map(|t| t.source.name.as_str()).collect();
    tables
        .iter()
        .map(|t| {
            let mut p: Vec<String> = t.foreign_keys.iter().map(|fk| fk.ref_source_table.clone()).filter(|r| *r != t.source.name && names.contains(r.as_str())).collect();
            p.sort();
            p.dedup();
            (t.source.name.clone(), p)
        })
        .collect()
}

/// Into existing tables (their foreign keys in place) tables load in waves: each wave only
/// references tables of earlier waves (or itself, or tables not loaded); tables in a cycle
/// come last, together. Source name → its wave.
fn load_waves(parents: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, usize> {
    let mut wave = BTreeMap::new();
    let mut left: Vec<&String> = parents.keys().collect();
    let mut n = 0;
    while !left.is_empty() {
        let (ready, rest): (Vec<&String>, Vec<&String>) = left.into_iter().partition(|t| parents[*t].iter().all(|p| wave.contains_key(p)));
        let last = ready.is_empty();
        for t in if last { &rest } else { &ready } {
            wave.insert((*t).clone(), n);
        }
        if last {
            break;
        }
        left = rest;
        n += 1;
    }
    wave
}

/// Every table a table references, directly or through others.
fn ancestors(parents: &BTreeMap<String, Vec<String>>, table: &str) -> Vec<String> {
    let mut seen: Vec<String> = vec![];
    let mut stack = parents.get(table).cloned().unwrap_or_default();
    while let Some(p) = stack.pop() {
        if seen.contains(&p) {
            continue;
        }
        stack.extend(parents.get(&p).cloned().unwrap_or_default());
        seen.push(p);
    }
    seen
}

/// The plan's `set_null` / `strip_nul` choices, per source table.
type ValueChoicesByTable = std::collections::HashMap<String, crate::plan::choices::ValueChoices>;

/// The plan (the one given, else the one the schema's profiles call for), its tables, and
/// what its pre-flight choices do: types widened and constraints dropped (warnings), values to
/// set NULL or strip at load (per table).
fn plan_tables(opts: &MigrateOptions, source: &Path, schema: &Schema, dialect: Dialect) -> Result<(Plan, Vec<PlannedTable>, ValueChoicesByTable, Vec<Warning>)> {
    let plan = Plan::resolve(opts.plan.as_ref(), opts.plan_path.as_deref().unwrap_or("plan"), schema, source, dialect)?;
    let mut planned = planned_tables(schema, &plan, dialect)?;
    let (value_choices, dropped) = crate::plan::choices::apply_choices(&mut planned, &plan, dialect)?;
    Ok((plan, planned, value_choices, dropped))
}

/// The plan of the rows profiled so far, with the planned table of `table` (by source name).
/// A table's plan rests only on its own rows and on the tables it references (a foreign key's
/// column follows its parent's type), so once those are all profiled it is final.
fn plan_now(sh: &Shared, schema: &Schema, table: Option<&str>) -> Result<(Plan, Vec<PlannedTable>, Vec<Warning>)> {
    let (plan, mut planned, _, dropped) = plan_tables(&sh.opts, &sh.source, schema, sh.dialect)?;
    if let Some(name) = table {
        planned.retain(|t| t.source.name == name);
    }
    Ok((plan, planned, dropped))
}

/// Runs every table's tasks, `jobs` at a time, each as soon as what it needs is done:
/// a table is finished once it and every table it references are loaded (their profiles
/// complete); its foreign keys (`interleaved`) once it and the tables it references are
/// finished and those have their own foreign keys. Returns the plan of every row, the tables
/// as finally planned, and what the plan's choices dropped.
async fn schedule(sh: &Arc<Shared>, spec: Vec<Arc<PlannedTable>>, schema: Schema, sure: Option<(Plan, Vec<Warning>)>, integrity: Option<Integrity>, interleaved: bool) -> Result<(Plan, Vec<PlannedTable>, Vec<Warning>)> {
    let speculative = sure.is_none();
    let parents = Arc::new(parents_by_source(&spec));
    let ancestry: Arc<BTreeMap<String, Vec<String>>> = Arc::new(spec.iter().map(|t| (t.source.name.clone(), ancestors(&parents, &t.source.name))).collect());
    // Loads: small tables that others reference first (what depends on them can then be
    // finished as soon as it is loaded), then the largest first.
    let referenced: std::collections::HashSet<&str> = parents.values().flatten().map(String::as_str).collect();
    let small = spec.iter().map(|t| t.source.row_count).sum::<u64>() / 20;
    let mut loads: Vec<Arc<PlannedTable>> = spec.clone();
    loads.sort_by_key(|t| (!(referenced.contains(t.source.name.as_str()) && t.source.row_count <= small), std::cmp::Reverse(t.source.row_count)));
    let mut todo: Vec<Task> = vec![];
    if interleaved {
        todo.extend(spec.iter().filter(|t| !parents[&t.source.name].is_empty()).map(|t| Task::Keys(t.source.name.clone())));
    }
    let mut by_size = spec.clone();
    by_size.sort_by_key(|t| std::cmp::Reverse(t.source.row_count));
    todo.extend(by_size.iter().map(|t| Task::Finish(t.source.name.clone())));
    todo.extend(loads.into_iter().map(Task::Load));
    let board = Arc::new(std::sync::Mutex::new(Board {
        todo,
        spec: spec.iter().map(|t| (t.source.name.clone(), t.clone())).collect(),
        loads: BTreeMap::new(),
        loaded: Default::default(),
        finished: Default::default(),
        keyed: Default::default(),
        schema,
        integrity,
        stop: false,
    }));
    let waves = Arc::new(load_waves(&parents));
    let sure = Arc::new(sure);
    let mut workers = vec![];
    for _ in 0..sh.opts.jobs.max(1) {
        let (sh, board, parents, ancestry, sure, waves) = (sh.clone(), board.clone(), parents.clone(), ancestry.clone(), sure.clone(), waves.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = sh.session().await?;
            loop {
                let next = {
                    let mut b = board.lock().expect("board");
                    if b.stop {
                        return Ok(());
                    }
                    let ready = |t: &Task| match t {
                        // Into existing tables (their foreign keys in place) parents load first.
                        Task::Load(t) => !sh.opts.data_only || waves.iter().all(|(n, w)| *w >= waves[&t.source.name] || b.loaded.contains(n)),
                        Task::Finish(n) => b.loaded.contains(n) && ancestry[n].iter().all(|a| b.loaded.contains(a)),
                        Task::Keys(n) => b.finished.contains(n) && parents[n].iter().all(|p| b.finished.contains(p) && (b.keyed.contains(p) || parents[p].is_empty())),
                    };
                    match b.todo.iter().position(ready) {
                        Some(i) => Some(b.todo.remove(i)),
                        None if b.todo.is_empty() => {
                            drop(b);
                            sh.keep(conn);
                            return Ok(());
                        }
                        None => None,
                    }
                };
                let Some(task) = next else {
                    // Work still running will make a task ready.
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    continue;
                };
                if sh.events.cancelled() {
                    board.lock().expect("board").stop = true;
                    return Err(FerryError::Cancelled);
                }
                let r = match task {
                    Task::Load(t) => match load_table(&sh, &mut conn, &t, speculative).await {
                        Ok(mut l) => {
                            let check = {
                                let mut b = board.lock().expect("board");
                                if let Some(profiles) = l.read.profiles.take() {
                                    if let Some(st) = b.schema.tables.iter_mut().find(|x| x.name == t.source.name) {
                                        profile::keep_profiles(st, profiles, false);
                                    }
                                }
                                b.loads.insert(t.source.name.clone(), l);
                                b.loaded.insert(t.source.name.clone());
                                // Every row read: the file's structure check must have passed.
                                let all = b.spec.keys().all(|n| b.loaded.contains(n));
                                if all { b.integrity.take() } else { None }
                            };
                            match check {
                                Some(h) => tokio::task::spawn_blocking(move || h.join().expect("integrity check thread")).await.map_err(|e| FerryError::Other(e.to_string())).and_then(|r| r),
                                None => Ok(()),
                            }
                        }
                        Err(e) => Err(e),
                    },
                    Task::Finish(name) => finish_task(&sh, &board, &sure, &mut conn, &name).await,
                    Task::Keys(name) => {
                        let t = board.lock().expect("board").spec[&name].clone();
                        table_foreign_keys(&sh, &t, &mut conn).await.map(|()| {
                            board.lock().expect("board").keyed.insert(name);
                        })
                    }
                };
                if let Err(e) = r {
                    board.lock().expect("board").stop = true;
                    return Err(e);
                }
            }
        }));
    }
    let mut first_err = None;
    for w in workers {
        match w.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                sh.events.cancel();
                first_err.get_or_insert(e);
            }
            Err(e) => {
                first_err.get_or_insert(FerryError::Other(format!("a loader stopped: {e}")));
            }
        }
    }
    if let Some(e) = first_err {
        // A damaged file is the cause to name, whatever else went wrong meanwhile.
        let check = board.lock().expect("board").integrity.take();
        if let Some(h) = check {
            if let Ok(Err(damage)) = tokio::task::spawn_blocking(move || h.join().expect("integrity check thread")).await {
                return Err(damage);
            }
        }
        return Err(e);
    }
    let b = Arc::try_unwrap(board).ok().expect("workers done").into_inner().expect("board");
    match Arc::try_unwrap(sure).expect("workers done") {
        Some((plan, dropped)) => Ok((plan, b.spec.into_values().map(|t| t.as_ref().clone()).collect(), dropped)),
        None => {
            let (plan, planned, dropped) = plan_now(sh, &b.schema, None)?;
            // Each table was finished on the plan of the rows it depends on: the same.
            debug_assert!(planned.iter().all(|t| b.spec[&t.source.name].same_shape(t)), "a table finished on another plan than the plan of every row");
            Ok((plan, planned, dropped))
        }
    }
}

/// `Task::Finish`: the table's plan on every row it depends on; loaded again where that plan
/// differs from the one it was loaded on (or the load met a value it could not carry
/// exactly); then its keys, indexes, CHECKs and identity.
async fn finish_task(sh: &Arc<Shared>, board: &Arc<std::sync::Mutex<Board>>, sure: &Option<(Plan, Vec<Warning>)>, conn: &mut Conn, name: &str) -> Result<()> {
    let (spec, first, planned) = {
        let mut b = board.lock().expect("board");
        let spec = b.spec[name].clone();
        let first = b.loads.remove(name).expect("loaded");
        let planned = match sure {
            Some(_) => spec.clone(),
            None => Arc::new(plan_now(sh, &b.schema, Some(name))?.1.pop().expect("the table is planned")),
        };
        (spec, first, planned)
    };
    let l = if first.read.abandoned || !spec.same_shape(&planned) {
        let why = if first.read.abandoned { "a value its sampled plan could not carry exactly" } else { "the plan of every row differs from the plan of its sample" };
        sh.report.lock().await.notes.push(Warning { table: Some(name.to_string()), object: format!("table {name}"), reason: format!("loaded twice: {why}") });
        conn.execute(&format!("DROP TABLE {}", sh.target.table_sql_name(&planned.name))).await.map_err(|e| target_err(&format!("table {}", planned.name), e))?;
        create_table(sh, conn, &planned, false).await?;
        let mut l = load_table(sh, conn, &planned, false).await?;
        l.seconds += first.seconds;
        l
    } else {
        first
    };
    record_load(sh, &planned, l).await;
    finish_and_report(sh, &planned, conn).await?;
    let mut b = board.lock().expect("board");
    // Its foreign keys are made as finally planned.
    b.spec.insert(name.to_string(), planned);
    b.finished.insert(name.to_string());
    Ok(())
}

/// One table's foreign keys, where the dialect makes them in two steps
/// (`Ddl::foreign_keys_per_table`): each added unchecked, then validated; where rows fail it,
/// they are taken out (reported) and it is validated again. A key that still cannot be made
/// is dropped and named.
async fn table_foreign_keys(sh: &Arc<Shared>, t: &PlannedTable, conn: &mut Conn) -> Result<()> {
    let started = Instant::now();
    for fk in t.foreign_keys.iter().filter(|fk| sh.tables.contains(&fk.ref_table)) {
        let step = sh.target.ddl().two_step_foreign_key(t, fk).expect("a dialect that makes foreign keys per table");
        if let Err(e) = conn.execute(&step.add).await {
            sh.warn(Some(&t.source.name), fk_object(fk), format!("not created: {}", db_message(&e))).await;
            continue;
        }
        let Err(first) = conn.execute(&step.validate).await else { continue };
        let result = if Violation::of(&first) == Some(Violation::ForeignKey) {
            match remove_orphans(sh, t, fk, conn).await {
                Ok(_) => conn.execute(&step.validate).await.map_err(OrphansFailed::Server),
                Err(e) => Err(e),
            }
        } else {
            Err(OrphansFailed::Server(first))
        };
        if let Err(failed) = result {
            let _ = conn.execute(&step.drop).await;
            let e = match failed {
                OrphansFailed::Stopped(stop) => return Err(stop),
                OrphansFailed::Server(e) => e,
            };
            sh.warn(Some(&t.source.name), fk_object(fk), format!("not created: {}", db_message(&e))).await;
        }
    }
    sh.add_phase(Phase::Constraints, started.elapsed().as_secs_f64()).await;
    Ok(())
}

/// Rows of each table a speculative plan is made from (`profile_table_spread`).
const SPREAD_SAMPLE_ROWS: u64 = 4096;

/// Drops the tables this run made (and the PostgreSQL schema, when it made that too): a
/// damaged source found after the load began leaves the target as it was.
async fn drop_created(sh: &Shared, admin: &mut Conn) {
    let created = sh.report.lock().await.created.clone();
    for c in created.iter().rev() {
        let sql = match c.kind {
            CreatedKind::Table => sh.target.ddl().drop_table(&c.name),
            CreatedKind::Schema => match sh.target.ddl().drop_schema(&c.name) {
                Some(sql) => sql,
                None => continue,
            },
            _ => continue,
        };
        if admin.execute(&sql).await.is_ok() {
            sh.report.lock().await.created.retain(|x| x != c);
        }
    }
}

/// Schema, rows, keys and indexes, foreign keys, views.
///
/// `sure`: the plan (and what its choices dropped) when it rests on every row already
/// (`--data-only`). Otherwise the tables are made and loaded on the plan of a spread sample
/// (`speculative`) while every row is profiled; then the plan is made again from every row —
/// exactly the plan a full profile first would have made — and a table whose load it would
/// have made differently, or that met a value the sampled plan could not carry exactly, is
/// made and loaded again. Only then are keys, indexes and constraints built, and rows
/// reported.
async fn run(sh: &Arc<Shared>, planned: Vec<PlannedTable>, schema: Schema, sure: Option<(Plan, Vec<Warning>)>, integrity: Option<Integrity>, admin: &mut Conn) -> Result<()> {
    let speculative = sure.is_none();
    // Schema: every table, with its columns, defaults and (MySQL) keys.
    let t0 = Instant::now();
    sh.events.emit(Event::PhaseStarted { phase: Phase::Schema });
    if sh.opts.data_only {
        // Each table was checked empty before the run: rolling back removes all its rows.
        let mut report = sh.report.lock().await;
        for t in &planned {
            report.created.push(sh.created(CreatedKind::Rows, &t.name));
        }
    }
    // Where the dialect can: every table in one round trip (one transaction: all or none);
    // where the server refuses any, one by one, each with the fallbacks `create_table` has.
    let mut made = false;
    let ddl = sh.target.ddl();
    if ddl.creates_tables_together() && ddl.checks_at_create(speculative) && !sh.opts.data_only {
        let all: Vec<String> = planned.iter().map(|t| ddl.create_table(t, true)).collect();
        if !all.is_empty() && admin.execute(&all.join(";\n")).await.is_ok() {
            let mut inline = sh.checks_inline.lock().await;
            inline.extend(planned.iter().filter(|t| !t.checks.is_empty()).map(|t| t.name.clone()));
            made = true;
        }
    }
    for t in planned.iter().filter(|_| !sh.opts.data_only) {
        if !made {
            create_table(sh, admin, t, speculative).await?;
        }
        sh.report.lock().await.created.push(sh.created(CreatedKind::Table, &t.name));
    }
    let secs = t0.elapsed().as_secs_f64();
    sh.add_phase(Phase::Schema, secs).await;
    sh.events.emit(Event::PhaseDone { phase: Phase::Schema, seconds: secs });

    // Data: each table loaded, then — once the plan of every row it depends on is known — made
    // again where that plan differs, and finished (keys, indexes, CHECKs, identity); on
    // PostgreSQL without cycles its foreign keys follow as soon as their tables are ready. All of
    // it `jobs` at a time, so index builds run beside other tables' loads.
    let t0 = Instant::now();
    sh.events.emit(Event::PhaseStarted { phase: Phase::Data });
    let spec: Vec<Arc<PlannedTable>> = planned.into_iter().map(Arc::new).collect();
    let interleaved = sh.target.ddl().foreign_keys_per_table() && !sh.opts.data_only && parents_first(&spec).is_some();
    let views = schema.views.clone();
    let (plan, final_planned, dropped) = match schedule(sh, spec, schema, sure, integrity, interleaved).await {
        Ok(done) => done,
        Err(e) => {
            // A damaged file stops the run whatever else happened, and takes back what was made.
            if matches!(e, FerryError::SourceCorrupt { .. }) && !sh.opts.data_only {
                drop_created(sh, admin).await;
            }
            return Err(e);
        }
    };
    {
        let mut report = sh.report.lock().await;
        report.plan = Some(plan.clone());
        // What planning found, first among the warnings.
        let mut found: Vec<Warning> = final_planned.iter().flat_map(|t| t.warnings.iter().cloned()).collect();
        found.extend(dropped);
        report.warnings.splice(0..0, found);
    }
    let mut order: Vec<Arc<PlannedTable>> = final_planned.into_iter().map(Arc::new).collect();
    order.sort_by_key(|t| std::cmp::Reverse(t.source.row_count));
    sh.events.emit(Event::PhaseDone { phase: Phase::Data, seconds: t0.elapsed().as_secs_f64() });
    if sh.opts.data_only {
        return Ok(());
    }
    // Foreign keys.
    if !interleaved {
        let t0 = Instant::now();
        sh.events.emit(Event::PhaseStarted { phase: Phase::Constraints });
        foreign_keys(sh, &order, admin).await?;
        let secs = t0.elapsed().as_secs_f64();
        sh.add_phase(Phase::Constraints, secs).await;
        sh.events.emit(Event::PhaseDone { phase: Phase::Constraints, seconds: secs });
    }
    // Views, translated where possible.
    let t0 = Instant::now();
    let table_map: std::collections::HashMap<String, String> = plan.tables.iter().filter(|t| !t.skip).map(|t| (t.source.clone(), t.target.clone())).collect();
    for v in &views {
        let object = format!("view {}", v.name);
        let select = match crate::source::sqlite::parse::view_select(&v.sql) {
            Ok(s) => s,
            Err(e) => {
                sh.warn(None, object, format!("not created: its definition could not be read: {e}")).await;
                continue;
            }
        };
        let sql = match crate::sqlexpr::translate_select(&select, sh.dialect, &table_map) {
            Ok(s) => s,
            Err(e) => {
                sh.warn(None, object, format!("not created: {e}")).await;
                continue;
            }
        };
        let stmt = sh.target.ddl().create_view(&v.name, &sql);
        match admin.execute(&stmt).await {
            Err(e) => sh.warn(None, object, format!("not created: {}", db_message(&e))).await,
            Ok(()) => sh.report.lock().await.created.push(sh.created(CreatedKind::View, &v.name)),
        }
    }
    sh.add_phase(Phase::Views, t0.elapsed().as_secs_f64()).await;
    // Everything durable before the run says it is done.
    admin.make_durable().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::resolve::PlannedForeignKey;

    fn table(name: &str, parents: &[&str]) -> Arc<PlannedTable> {
        Arc::new(PlannedTable {
            source: crate::schema::Table { name: name.into(), ..Default::default() },
            name: name.into(),
            columns: vec![],
            column_map: Default::default(),
            primary_key: None,
            uniques: vec![],
            indexes: vec![],
            checks: vec![],
            foreign_keys: parents
                .iter()
                .map(|p| PlannedForeignKey {
                    name: format!("{name}_{p}_fkey"),
                    columns: vec![],
                    target_columns: vec![],
                    ref_source_table: p.to_string(),
                    ref_table: p.to_string(),
                    ref_columns: vec![],
                    on_update: Default::default(),
                    on_delete: Default::default(),
                })
                .collect(),
            identity: None,
            warnings: vec![],
        })
    }

    fn names(v: Option<Vec<Arc<PlannedTable>>>) -> Option<Vec<String>> {
        v.map(|v| v.iter().map(|t| t.name.clone()).collect())
    }

    /// Waves for loading into existing tables: parents before children, a cycle last and
    /// together (it must not wait for itself), tables not loaded ignored.
    #[test]
    fn load_waves_put_parents_first_and_cycles_last() {
        let p = |edges: &[(&str, &[&str])]| -> BTreeMap<String, Vec<String>> { edges.iter().map(|(t, ps)| (t.to_string(), ps.iter().map(|s| s.to_string()).collect())).collect() };
        type Case = (BTreeMap<String, Vec<String>>, Vec<(&'static str, usize)>);
        let cases: Vec<Case> = vec![
            (p(&[("kid", &["par"]), ("par", &["gp"]), ("gp", &[])]), vec![("gp", 0), ("kid", 2), ("par", 1)]),
            (p(&[("a", &["b"]), ("b", &["a"]), ("c", &[])]), vec![("a", 1), ("b", 1), ("c", 0)]),
            (p(&[("x", &["y"]), ("y", &["x"]), ("z", &["x"])]), vec![("x", 0), ("y", 0), ("z", 0)]),
            (p(&[]), vec![]),
        ];
        for (parents, want) in cases {
            let got = load_waves(&parents);
            assert_eq!(got.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(), want, "{parents:?}");
        }
    }

    #[test]
    fn parents_come_first_and_cycles_are_found() {
        type Case = (Vec<Arc<PlannedTable>>, Option<Vec<&'static str>>);
        let cases: Vec<Case> = vec![
            (vec![table("kid", &["par"]), table("par", &["gp"]), table("gp", &[])], Some(vec!["gp", "par", "kid"])),
            // A parent that is not migrated (skipped) does not hold its children back.
            (vec![table("a", &["skipped"]), table("b", &["a"])], Some(vec!["a", "b"])),
            (vec![table("x", &["y"]), table("y", &["x"])], None),
            (vec![table("self", &["self"])], None),
            (vec![], Some(vec![])),
        ];
        for (tables, want) in cases {
            let got = names(parents_first(&tables));
            assert_eq!(got, want.map(|w| w.into_iter().map(String::from).collect::<Vec<_>>()));
        }
    }
}
