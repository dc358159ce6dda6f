//! Loading a table: one reader thread converts and encodes its rows in the target's row
//! format and streams bounded batches through a channel to the writer on the table's session
//! (back-pressure: memory stays flat whatever the size). A batch the server refuses is split
//! until the refused rows are found, each looked up again in the source for the report.

use crate::convert;
use crate::dialect::ddl::LoadTx;
use crate::dialect::errors::{Limit, Violation};
use crate::dialect::session::{db_message, target_err, Bulk, Conn, Rows, Sent};
use crate::dialect::write::{RowFormat, WithRowFormat};
use crate::dialect::Dialect;
use crate::error::{FerryError, Result};
use crate::events::{Event, Events, Phase};
use crate::plan::resolve::PlannedTable;
use crate::report::{Changed, RejectLog, Rejected, TableReport};
use crate::source::sqlite::rows::RowSelect;
use crate::source::sqlite::{inspect, profile};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;
use super::shared::*;

/// One encoded batch: rows back to back, where each ends, and which source row each is.
pub(super) struct Batch {
    pub(super) data: Vec<u8>,
    pub(super) ends: Vec<usize>,
    pub(super) keys: Vec<RowRef>,
}

#[derive(Clone)]
pub(super) enum RowRef {
    Rowid(i64),
    Key(serde_json::Value),
}

impl Batch {
    pub(super) fn new() -> Batch {
        Batch { data: Vec::with_capacity(1 << 20), ends: vec![], keys: vec![] }
    }
    /// A batch the writer is done with, emptied for the next rows (its buffers kept: no
    /// allocating, growing and page-faulting megabytes per batch), else a new one.
    pub(super) fn reuse(spent: &std::sync::mpsc::Receiver<Batch>) -> Batch {
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
    pub(super) fn rows(&self, a: usize, b: usize) -> Rows<'_> {
        let start = if a == 0 { 0 } else { self.ends[a - 1] };
        Rows { data: &self.data[start..self.ends[b - 1]], ends: &self.ends[a..b], base: start }
    }
}

/// What a table's reader found: conversion refusals and changes (the first `KEPT` of each,
/// and their totals; all of them went to the rejects file). A speculative read also brings
/// the profile of every row, and whether it stopped loading.
#[derive(Default)]
pub(super) struct ReadOutcome {
    pub(super) rows_read: u64,
    pub(super) found: TableReport,
    pub(super) profiles: Option<Vec<crate::schema::ColumnProfile>>,
    pub(super) abandoned: bool,
}

/// One table's reader: what it reads, how it encodes, where batches go.
pub(super) struct ReadJob {
    pub(super) path: PathBuf,
    pub(super) t: Arc<PlannedTable>,
    pub(super) dialect: Dialect,
    /// Rows per batch, and the bytes one statement may carry (MySQL: max_allowed_packet).
    pub(super) batch_rows: usize,
    pub(super) max_statement: usize,
    pub(super) strict: bool,
    pub(super) events: Events,
    pub(super) log: RejectLog,
    pub(super) choices: crate::plan::choices::ValueChoices,
    /// Set for a speculative load (types planned from a sample of the rows): every value is
    /// also profiled, and the first value that would not arrive exactly — or a row the server
    /// refuses, which the writer signals here — ends the loading, unreported: the table is
    /// loaded again once the plan rests on every row. The reading goes on to the end for the
    /// profile.
    pub(super) abandon: Option<Arc<std::sync::atomic::AtomicBool>>,
    /// A masked copy's masks: each masked value is masked before it is converted, and never
    /// reported (its row is named by key, a masked key column hidden).
    pub(super) masks: Option<Arc<crate::plan::masks::RunMasks>>,
}

/// A table's reader with the channels to its writer.
pub(super) struct Reader(ReadJob, (mpsc::Sender<Batch>, std::sync::mpsc::Receiver<Batch>));

impl WithRowFormat for Reader {
    type Output = Result<ReadOutcome>;
    fn run<F: RowFormat>(self) -> Result<ReadOutcome> {
        read_table::<F>(self.0, self.1)
    }
}

/// Reads one table, converts and encodes every row in the target's row format `F`, and
/// sends batches to the writer.
pub(super) fn read_table<F: RowFormat>(job: ReadJob, (tx, spent): (mpsc::Sender<Batch>, std::sync::mpsc::Receiver<Batch>)) -> Result<ReadOutcome> {
    use std::sync::atomic::Ordering;
    let ReadJob { path, t, dialect, batch_rows, max_statement, strict, events, log, choices, abandon, masks } = job;
    let conn = inspect::open(&path)?;
    let loaded: Vec<&crate::plan::resolve::PlannedColumn> = t.columns.iter().filter(|c| c.generated_sql.is_none()).collect();
    // The columns carried wider than their best type, with that type (usually none).
    let widened: Vec<(&crate::plan::resolve::PlannedColumn, &crate::plan::resolve::Narrower)> = loaded.iter().filter_map(|c| Some((*c, c.narrower.as_ref()?))).collect();
    let RowSelect { sql, rowid, offset } = RowSelect::with_extra(&t.source, t.added.as_ref().map(|a| a.fill_sql.as_str()));
    let mut stmt = conn.prepare(&sql).map_err(|e| inspect::map_err(&path, e))?;
    let mut rows = stmt.query([]).map_err(|e| inspect::map_err(&path, e))?;
    let mut out = ReadOutcome::default();
    let mut profiles = abandon.as_ref().map(|_| vec![crate::schema::ColumnProfile::default(); t.source.columns.len()]);
    // False once a speculative load has stopped: the rows are still read for their profile.
    let mut loading = true;
    let mut batch = Batch::new();
    let max_bytes = (4 << 20).min(max_statement / 2);
    // A row the server cannot take in one statement, less room for the INSERT around it.
    let max_row = max_statement.saturating_sub(64 << 10);
    let pk_only_keys = t.source.without_rowid || rowid.is_none();
    let ncols = t.source.columns.len();
    let mut known = vec![profile::Known::Nothing; ncols];
    // Each loaded column's mask (None: copied as it is), and how many values it masked.
    let rules: Vec<Option<crate::mask::Rule>> = loaded.iter().map(|c| masks.as_ref().and_then(|m| m.rule(&t.source.name, &c.source))).collect();
    let mut masked_counts = vec![0u64; loaded.len()];
    let masked_key = masks.as_ref().is_some_and(|m| t.pk_columns().iter().any(|c| m.rule(&t.source.name, c).is_some()));
    let row_key = |rid: Option<i64>, row: &rusqlite::Row<'_>| -> serde_json::Value {
        let key = t.row_key(rid, row, offset);
        match (&masks, masked_key) {
            (Some(m), true) => m.hide_key(&t.source.name, key, rid),
            _ => key,
        }
    };
    // A value as the report shows it: a masked column's never.
    let shown = |n: usize, v: rusqlite::types::ValueRef<'_>| if rules[n].is_some() { serde_json::Value::String(crate::plan::masks::HIDDEN.into()) } else { crate::value::value_to_json(v) };
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
        F::row_start(&mut batch.data, loaded.len() + usize::from(t.added.is_some()));
        for (n, c) in loaded.iter().enumerate() {
            let clear = vals[c.source_index];
            let masked;
            let v = match (rules[n], &masks) {
                (Some(rule), Some(m)) if !matches!(clear, rusqlite::types::ValueRef::Null) => {
                    masked = m.masker.mask(rule, clear, crate::mask::Column { logical: &c.logical, transform: c.transform });
                    masked_counts[n] += 1;
                    rusqlite::types::ValueRef::from(&masked)
                }
                _ => clear,
            };
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
                Ok(Some(ch)) => changes.push((c.source.clone(), shown(n, v), ch, chosen, rules[n].is_some())),
                Err(reason) => {
                    let reason = if rules[n].is_some() { format!("masked by {}: {}", rules[n].expect("masked"), reason.reason) } else { reason.reason };
                    rejected = Some((c.source.clone(), shown(n, v), reason));
                    break;
                }
            }
        }
        // The column the target adds, read through the row's foreign keys: a row whose key
        // names no parent has no value for it, and cannot be placed.
        if let (None, Some(a)) = (&rejected, &t.added) {
            let v = row.get_ref(ncols + offset).map_err(|e| inspect::map_err(&path, e))?;
            F::value_start(&mut batch.data, loaded.len());
            if matches!(v, rusqlite::types::ValueRef::Null) {
                rejected = Some((a.name.clone(), serde_json::Value::Null, format!("its foreign key names no parent row, so it has no {} (from {}) to be placed by", a.name, a.from)));
            } else if let Err(reason) = F::write(v, &a.logical, None, dialect, &mut batch.data) {
                rejected = Some((a.name.clone(), crate::value::value_to_json(v), reason.reason));
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
            let key = row_key(rid, row);
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
            let key = row_key(rid, row);
            if strict {
                return Err(FerryError::Strict(format!("table {} row {} column {column}: {reason} (value {value})", t.source.name, key)));
            }
            events.emit(Event::Rejected { table: t.source.name.clone(), column: Some(column.clone()), reason: reason.clone() });
            out.found.add_rejected(&t.source.name, Rejected { row: key, column: Some(column), value, reason }, &log);
            continue;
        }
        // Values the column's best type cannot hold: they arrived, and they are why the column
        // is wider; each is listed.
        for &(c, n) in &widened {
            let v = vals[c.source_index];
            if let Err(refusal) = convert::convert_with(v, &n.logical, n.transform, dialect, &mut convert::Discard) {
                let reason = format!("{} cannot hold it ({}): carried as {}", n.type_sql, refusal.reason, c.type_sql);
                let i = loaded.iter().position(|x| x.source == c.source).unwrap_or(0);
                let (value, reason) = if rules.get(i).copied().flatten().is_some() { (serde_json::Value::String(crate::plan::masks::HIDDEN.into()), format!("{} cannot hold every value: carried as {}", n.type_sql, c.type_sql)) } else { (crate::value::value_to_json(v), reason) };
                out.found.add_widened(&t.source.name, Rejected { row: row_key(rid, row), column: Some(c.source.clone()), value, reason }, &log);
            }
        }
        for (column, from, ch, chosen, hidden) in changes {
            // A change the plan chose is a decision, not a surprise: --strict lets it through.
            if strict && !chosen {
                return Err(FerryError::Strict(format!("table {} column {column}: value {from} would be {}: {}", t.source.name, ch.to, ch.reason)));
            }
            let to = if ch.to == SET_NULL { serde_json::Value::Null } else if hidden { serde_json::Value::String(crate::plan::masks::HIDDEN.into()) } else { serde_json::Value::String(ch.to) };
            out.found.add_changed(&t.source.name, Changed { row: row_key(rid, row), column, from, to, reason: ch.reason }, &log);
        }
        F::row_end(&mut batch.data);
        batch.ends.push(batch.data.len());
        batch.keys.push(match (pk_only_keys, rid) {
            (false, Some(r)) => RowRef::Rowid(r),
            _ => RowRef::Key(row_key(rid, row)),
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
    for (n, c) in loaded.iter().enumerate() {
        if let Some(rule) = rules[n] {
            out.found.masked.push(crate::report::MaskedColumn { column: c.source.clone(), rule: rule.to_string(), values: masked_counts[n] });
        }
    }
    Ok(out)
}

/// `Change::to` of a value set NULL by the plan's choice (reported as JSON null).
pub(super) const SET_NULL: &str = "\u{0}NULL";

/// Applies the plan's `set_null` / `strip_nul` to a value the conversion refused with
/// `refusal`, writing the result; None when no such choice covers it (the row is rejected).
pub(super) fn fix_value<F: RowFormat>(v: rusqlite::types::ValueRef<'_>, c: &crate::plan::resolve::PlannedColumn, dialect: Dialect, buf: &mut Vec<u8>, choices: Option<&Vec<(crate::plan::choices::Kind, crate::plan::choices::Choice)>>, refusal: &convert::Refusal) -> Option<convert::Change> {
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
pub(super) fn lookup_row(path: &Path, t: &PlannedTable, r: &RowRef, column: Option<&str>) -> (serde_json::Value, serde_json::Value) {
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
/// found. Returns the rows written and the refusals (row index, error). `alone`: no
/// transaction is open around it (`Session::send_rows`).
pub(super) async fn write_batch(conn: &mut Conn, stmt: &str, batch: &Batch, alone: bool) -> (u64, Vec<(usize, sqlx::Error)>) {
    let mut written = 0;
    let mut refused = vec![];
    let mut stack = vec![(0, batch.ends.len())];
    while let Some((a, b)) = stack.pop() {
        if a >= b {
            continue;
        }
        match conn.send_rows(stmt, batch.rows(a, b), alone).await {
            Ok(n) => written += n,
            Err(e) if e.as_database_error().is_none() => {
                // The connection itself failed: no point splitting.
                refused.extend((a..b).map(|i| (i, sqlx::Error::Protocol(format!("connection lost: {e}")))).take(1));
                return (written, refused);
            }
            Err(e) if Limit::of(&e).is_some() || crate::dialect::errors::Interrupted::of(&e) => {
                // A time limit or a cancel, not a refusal of these rows: smaller batches would
                // only hide it.
                refused.push((a, e));
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

/// The rows of a batch the bulk path did not take (`which`, by their places in it), encoded
/// as `send_rows` takes them, with their keys.
fn not_taken(b: &Bulk, batch: &Batch, which: &[usize]) -> Batch {
    let all = batch.rows(0, batch.ends.len());
    let each: Vec<&[u8]> = all.each().collect();
    let rows: Vec<&[u8]> = which.iter().map(|&i| each[i]).collect();
    let mut again = Batch { data: Vec::with_capacity(batch.data.len() * 5 / 4), ends: Vec::with_capacity(rows.len()), keys: which.iter().map(|&i| batch.keys[i].clone()).collect() };
    b.insert_rows(&rows, &mut again.data, &mut again.ends);
    again
}

/// What loading one table's rows came to.
pub(super) struct Loaded {
    pub(super) read: ReadOutcome,
    pub(super) written: u64,
    /// Rows the server refused, looked up again in the source.
    pub(super) refused: TableReport,
    pub(super) seconds: f64,
}

/// Loads one table's rows on `conn`. Speculative (`speculative`: its types rest on a sample)
/// the load stops unreported at the first value or row that does not arrive exactly (see
/// `ReadJob::abandon`) and the outcome says so; otherwise every refusal is reported.
pub(super) async fn load_table(sh: &Arc<Shared>, conn: &mut Conn, t: &Arc<PlannedTable>, speculative: bool) -> Result<Loaded> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let started = Instant::now();
    let name = t.source.name.clone();
    sh.events.emit(Event::TableStarted { table: name.clone(), rows: t.source.row_count });
    let stmt = sh.target.ddl().load_statement(t, speculative);
    // `LoadTx::WholeTable` (speculative): the first refusal rolls it back and the table is
    // loaded again.
    let load_tx = sh.target.ddl().load_tx(speculative);
    // The dialect's bulk path where it has one (MySQL: LOAD DATA LOCAL INFILE; Citus: COPY
    // into a distributed table's shards); a batch it does not take goes through `send_rows`
    // as without it. The shards load in the workers' own transactions, so a distributed
    // table's load has no whole-table transaction on the coordinator (its TRUNCATE would lock
    // the shards against them); a refusal still stops a speculative load, and the table is
    // made again (`schedule`).
    let mut bulk = match load_tx {
        LoadTx::WholeTable if t.distribution_column().is_none() => None,
        _ => sh.target.bulk(conn, t, sh.opts.data_only).await,
    };
    let whole_table_tx = load_tx == LoadTx::WholeTable && bulk.is_none();
    if whole_table_tx {
        let table_sql = sh.target.table_sql_name(&t.name);
        for sql in ["BEGIN".to_string(), format!("TRUNCATE {table_sql}")] {
            conn.execute(&sql).await.map_err(|e| target_err(&format!("table {}", t.name), e))?;
        }
    }
    let bulk_format = bulk.as_ref().and_then(|b| b.format());
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
            masks: sh.masks.clone(),
        };
        tokio::task::spawn_blocking(move || match bulk_format {
            Some(f) => f.with_row_format(Reader(job, (tx, spent))),
            None => job.dialect.with_row_format(Reader(job, (tx, spent))),
        })
    };
    let mut written = 0u64;
    // Rows the target keeps whatever happens next (committed, or written outside a
    // transaction): what the report says this table got when the load stops on an error or a
    // cancel, so that rolling the run back finds the count it expects.
    let mut committed = 0u64;
    let mut refused_rows = TableReport::default();
    let mut failure: Option<FerryError> = None;
    // The bulk path commits each batch it takes; the batches it does not take go by INSERT,
    // each statement committed, so that no row lock is held against the next batch's load.
    let in_tx = load_tx == LoadTx::Chunked && bulk.is_none();
    let mut since_commit = 0;
    if sh.opts.data_only {
        conn.check_foreign_keys_while_loading().await.map_err(|e| target_err(&format!("table {}", t.name), e))?;
    }
    if in_tx {
        conn.execute("START TRANSACTION").await.map_err(|e| target_err(&format!("table {}", t.name), e))?;
    }
    while let Some(batch) = rx.recv().await {
        // A cancel stops the writer at once, not after the batches already read (the reader
        // looks only as each batch fills): what is committed stays, and says so.
        if sh.events.cancelled() {
            failure = Some(FerryError::Cancelled);
            break;
        }
        if abandon.as_ref().is_some_and(|stop| stop.load(Ordering::Relaxed)) {
            continue; // the table is loaded again; the reader finishes its profile
        }
        let again = match bulk.as_mut() {
            None => None,
            Some(b) => match b.send(conn, batch.rows(0, batch.ends.len())).await {
                Sent::Taken(n) => {
                    written += n;
                    committed = written;
                    sh.events.emit(Event::Progress { table: name.clone(), rows_done: written, rows: t.source.row_count });
                    let _ = give_back.send(batch);
                    continue;
                }
                // A cancel stops LOAD DATA (`KILL QUERY`): its batch is not sent again.
                Sent::Again if sh.events.cancelled() => {
                    failure = Some(FerryError::Cancelled);
                    break;
                }
                Sent::Again => Some(not_taken(b, &batch, &(0..batch.ends.len()).collect::<Vec<_>>())),
                Sent::Off(reason) => {
                    sh.warn(None, b.name().into(), reason).await;
                    Some(not_taken(b, &batch, &(0..batch.ends.len()).collect::<Vec<_>>()))
                }
                Sent::Partly { taken, rest } => {
                    written += taken;
                    committed = written;
                    Some(not_taken(b, &batch, &rest))
                }
            },
        };
        let sent = again.as_ref().unwrap_or(&batch);
        if let Some(stop) = &abandon {
            // Speculative: one attempt; a refusal stops the load, unreported.
            match conn.send_rows(&stmt, sent.rows(0, sent.ends.len()), !in_tx && !whole_table_tx).await {
                Ok(n) => written += n,
                Err(e) if crate::dialect::errors::Interrupted::of(&e) => {
                    failure = Some(FerryError::Cancelled);
                    break;
                }
                Err(e) if e.as_database_error().is_some() => {
                    stop.store(true, Ordering::Relaxed);
                    if whole_table_tx {
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
            let (n, refused) = write_batch(conn, &stmt, sent, !in_tx && !whole_table_tx).await;
            written += n;
            for (i, e) in refused {
                if crate::dialect::errors::Interrupted::of(&e) {
                    failure = Some(FerryError::Cancelled);
                    break;
                }
                if e.as_database_error().is_none() {
                    failure = Some(FerryError::Target { object: format!("table {}", t.name), detail: e.to_string() });
                    break;
                }
                if Limit::of(&e).is_some() {
                    failure = Some(target_err(&format!("table {}", t.name), e));
                    break;
                }
                let column = Violation::column_of(&e);
                let source_col = column.as_ref().map(|c| t.columns.iter().find(|x| x.name == *c).map(|x| x.source.clone()).unwrap_or(c.clone()));
                let (path, tt, key, sc) = (sh.source.clone(), t.clone(), sent.keys[i].clone(), source_col.clone());
                let (row, value) = tokio::task::spawn_blocking(move || lookup_row(&path, &tt, &key, sc.as_deref())).await.unwrap_or_default();
                // A masked run names the row by key only: no clear value of a masked column.
                let (row, value) = match &sh.masks {
                    Some(m) => {
                        let rowid = match &sent.keys[i] {
                            RowRef::Rowid(r) => Some(*r),
                            RowRef::Key(_) => None,
                        };
                        let masked_col = source_col.as_ref().is_some_and(|c| m.rule(&name, c).is_some());
                        (m.hide_key(&name, row, rowid), if masked_col { serde_json::Value::String(crate::plan::masks::HIDDEN.into()) } else { value })
                    }
                    None => (row, value),
                };
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
        if !in_tx && !whole_table_tx {
            committed = written;
        }
        since_commit += 1;
        if in_tx && since_commit >= 20 {
            since_commit = 0;
            let r = match conn.execute("COMMIT").await {
                Ok(()) => {
                    committed = written;
                    conn.execute("START TRANSACTION").await
                }
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
    if let Some(b) = bulk {
        b.done();
    }
    let refused = abandon.as_ref().is_some_and(|a| a.load(Ordering::Relaxed));
    if (in_tx || (whole_table_tx && !refused)) && failure.is_none() {
        match conn.execute("COMMIT").await {
            Ok(()) => committed = written,
            Err(e) => failure = Some(target_err(&format!("table {}", t.name), e)),
        }
    }
    drop(rx);
    let read = reader.await.map_err(|e| FerryError::Other(format!("reader of {name} stopped: {e}")))?;
    let mut read = match (read, failure) {
        (_, Some(f)) => {
            record_kept(sh, t, committed).await;
            return Err(f);
        }
        (Err(e), None) => {
            record_kept(sh, t, committed).await;
            return Err(e);
        }
        (Ok(r), None) => r,
    };
    read.abandoned |= refused;
    let seconds = started.elapsed().as_secs_f64();
    sh.add_phase(Phase::Data, seconds).await;
    Ok(Loaded { read, written, refused: refused_rows, seconds })
}

/// Puts the rows a stopped load left in the table into the report (a cancel or an error
/// between batches: the batches before it stay).
pub(super) async fn record_kept(sh: &Shared, t: &PlannedTable, rows: u64) {
    let mut rep = sh.report.lock().await;
    let tr = rep.tables.entry(t.source.name.clone()).or_default();
    tr.target = t.name.clone();
    tr.rows_written = rows;
}

/// Puts a table's load into the report.
pub(super) async fn record_load(sh: &Shared, t: &PlannedTable, loaded: Loaded) {
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
        tr.widened.extend(part.widened);
        tr.widened.truncate(crate::report::KEPT);
        tr.widened_total += part.widened_total;
        if !part.masked.is_empty() {
            tr.masked = part.masked;
        }
    }
}

/// Creates one table (MySQL: with its keys, and its CHECKs where the server takes them).
///
/// PostgreSQL, `speculative` (the load stops at a refused row and is made again): CHECKs go in
/// with the table too, where the server takes them; made again, a table gets its CHECKs after
/// the load, which finds and reports each row that fails one.
pub(super) async fn create_table(sh: &Shared, conn: &mut Conn, t: &PlannedTable, speculative: bool) -> Result<()> {
    let ddl = sh.target.ddl();
    // CHECKs go in with the table first where the dialect says so; one the server refuses
    // sends them all to after the load.
    if !ddl.checks_at_create(speculative) || t.checks.is_empty() || conn.execute(&ddl.create_table(t, true)).await.is_err() {
        if let Err(e) = conn.execute(&ddl.create_table(t, false)).await {
            create_refused(sh, conn, t, e).await?;
        }
        sh.checks_inline.lock().await.remove(&t.name);
    } else {
        sh.checks_inline.lock().await.insert(t.name.clone());
    }
    Ok(())
}

/// A table the server refused to make. Where a generated column is what it refused, that
/// column is made a plain one holding the values SQLite computed (`Shared::plain_generated`:
/// the load reads them like any other column), named with the expression and the server's
/// reason; then the DEFAULTs are tried as `create_without_defaults` does.
async fn create_refused(sh: &Shared, conn: &mut Conn, t: &PlannedTable, refused: sqlx::Error) -> Result<()> {
    let Some((made, plain)) = without_refused_generated(sh, conn, t).await else {
        return create_without_defaults(sh, conn, t, refused).await;
    };
    for (c, reason) in plain {
        let (expr, sql) = (t.source.columns[c.source_index].generated.as_ref().map(|g| g.expr.clone()).unwrap_or_default(), c.generated_sql.as_ref().map(|g| g.0.clone()).unwrap_or_default());
        sh.warn(Some(&t.source.name), format!("generated column {}", c.source), format!("created as a plain column holding the values SQLite computed: the server refused GENERATED ALWAYS AS ({sql}) (SQLite: {expr}): {reason}")).await;
        sh.plain_generated.lock().expect("plain_generated").insert((t.source.name.clone(), c.source.clone()));
    }
    match conn.execute(&sh.target.ddl().create_table(&made, false)).await {
        Ok(()) => Ok(()),
        Err(e) => create_without_defaults(sh, conn, &made, e).await,
    }
}

/// When the table can be made with its generated columns as plain ones (DEFAULTs left off,
/// so only the generated columns are tried): the table with each generated column the server
/// refuses made plain, each one tried alone beside those it took, and the refused ones with
/// the server's reason. None when the refusal is not theirs. Each trial table is dropped.
async fn without_refused_generated(sh: &Shared, conn: &mut Conn, t: &PlannedTable) -> Option<(PlannedTable, Vec<(crate::plan::resolve::PlannedColumn, String)>)> {
    let ddl = sh.target.ddl();
    let generated: Vec<usize> = (0..t.columns.len()).filter(|&i| t.columns[i].generated_sql.is_some()).collect();
    if generated.is_empty() {
        return None;
    }
    let mut made = t.clone();
    for &i in &generated {
        made.columns[i].generated_sql = None;
    }
    let bare = |x: &PlannedTable| {
        let mut b = x.clone();
        for c in &mut b.columns {
            c.default_sql = None;
        }
        b
    };
    conn.execute(&ddl.create_table(&bare(&made), false)).await.ok()?;
    conn.execute(&ddl.drop_table(&t.name)).await.ok()?;
    let mut plain = vec![];
    for &i in &generated {
        made.columns[i].generated_sql = t.columns[i].generated_sql.clone();
        match conn.execute(&ddl.create_table(&bare(&made), false)).await {
            Ok(()) => {
                conn.execute(&ddl.drop_table(&t.name)).await.ok()?;
            }
            Err(e) => {
                made.columns[i].generated_sql = None;
                plain.push((t.columns[i].clone(), db_message(&e)));
            }
        }
    }
    Some((made, plain))
}

/// A table the server refused to make: where it has DEFAULTs, made without them and then
/// given each one alone, so a DEFAULT the server refuses (PostgreSQL has no year 0) is left
/// off and named, and the table and its rows still arrive. Otherwise the refusal stands.
async fn create_without_defaults(sh: &Shared, conn: &mut Conn, t: &PlannedTable, refused: sqlx::Error) -> Result<()> {
    let create_err = |e: &sqlx::Error| FerryError::Target { object: format!("CREATE TABLE {}", t.name), detail: db_message(e) };
    if t.columns.iter().all(|c| c.default_sql.is_none()) {
        return Err(create_err(&refused));
    }
    let mut bare = t.clone();
    for c in &mut bare.columns {
        c.default_sql = None;
    }
    let ddl = sh.target.ddl();
    conn.execute(&ddl.create_table(&bare, false)).await.map_err(|_| create_err(&refused))?;
    for c in t.columns.iter().filter(|c| c.default_sql.is_some() && c.generated_sql.is_none()) {
        let dflt = c.default_sql.as_deref().unwrap_or_default();
        if let Err(e) = conn.execute(&ddl.set_default(t, &c.name, dflt)).await {
            sh.warn(Some(&t.source.name), format!("DEFAULT {dflt} of column {}", c.source), format!("not created: {}", db_message(&e))).await;
        }
    }
    Ok(())
}
