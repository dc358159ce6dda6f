//! Reading both sides: the source through the load's conversion, the target cast to canonical
//! text, in batches.

use crate::convert::convert_with;
use crate::source::sqlite::rows::RowSelect;
use crate::plan::resolve::PlannedTable;
use crate::dialect::Dialect;
use crate::error::{FerryError, Result};
use crate::schema::LogicalType;
use crate::source::sqlite::inspect;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;

use super::canonical::{push_canonical_json, push_float_bits, Canon, Row};
use super::ctx::{Ctx, KEPT};
use super::report::Expected;
use super::spec::Spec;

/// A batch goes once it holds this many rows, or this many bytes of them: with 1,000 rows of
/// KB-sized documents, the batches in flight (each side's channel and the rows it hands back,
/// per table) were most of validate's memory.
const BATCH_ROWS: usize = 1000;
const BATCH_BYTES: usize = 1 << 20;

/// What a row holds on to: its buffers as allocated (a recycled row keeps the capacity of the
/// largest row it held).
fn held(r: &Row) -> usize {
    r.buf.capacity() + r.spans.capacity() * std::mem::size_of::<Option<(u32, u32)>>()
}

/// Rows gathered up to a batch's bound: `BATCH_ROWS`, or `BATCH_BYTES` of what they hold. The
/// readers' batches and the rows each side hands back to be refilled go by it.
#[derive(Default)]
struct Batch {
    rows: Vec<Row>,
    bytes: usize,
}

impl Batch {
    /// Adds the row; the batch, taken, once it is at its bound.
    fn push(&mut self, r: Row) -> Option<Vec<Row>> {
        self.bytes += held(&r);
        self.rows.push(r);
        (self.rows.len() >= BATCH_ROWS || self.bytes >= BATCH_BYTES).then(|| self.take())
    }
    fn take(&mut self) -> Vec<Row> {
        self.bytes = 0;
        std::mem::replace(&mut self.rows, Vec::with_capacity(BATCH_ROWS))
    }
}

/// What the source reader found besides the rows it sent.
#[derive(Default)]
pub(crate) struct SourceOutcome {
    pub(crate) rows: u64,
    pub(crate) refused: Vec<Expected>,
    pub(crate) refused_total: u64,
    /// The first `KEPT` refused rows as `migrate` reports them: key, column, value, reason.
    pub(crate) rejected: Vec<crate::report::Rejected>,
}

/// Reads a table from SQLite (in key order when it has one), converts every value as the
/// load did, and sends canonical rows in batches. Rows the conversion refuses are not sent:
/// they are expected to be absent.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_source_rows(path: PathBuf, t: Arc<PlannedTable>, spec: Arc<Spec>, dialect: Dialect, masks: Option<Arc<crate::plan::masks::RunMasks>>, ordered: bool, tx: mpsc::Sender<Vec<Row>>, mut pool: Pool) -> Result<SourceOutcome> {
    let conn = inspect::open(&path)?;
    // The sorter of a key-ordered read works in this much memory, then in temporary files.
    let _ = conn.execute_batch("PRAGMA cache_size = -16384");
    // With the column the target adds (`Spec::new`), read through the row's foreign keys as
    // the load reads it.
    let select = RowSelect::with_extra(&t.source, t.added.as_ref().map(|a| a.fill_sql.as_str()));
    let added_at = t.added.as_ref().map(|_| t.source.columns.len());
    let mut sql = select.sql.clone();
    if ordered && !spec.key.is_empty() {
        // The rowid alias is the table's own order. Any other key: SQLite's sorter over one
        // sequential scan (`+` keeps it off the key's index, whose order costs a table seek a row).
        let rowid_key = spec.key.len() == 1 && t.source.rowid_alias.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(&spec.cols[spec.key[0]].0));
        let plus = if rowid_key { "" } else { "+" };
        let order: Vec<String> = spec.key.iter().map(|&i| format!("{plus}{} COLLATE BINARY", inspect::quote(&spec.cols[i].0))).collect();
        sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
    }
    let mut stmt = conn.prepare(&sql).map_err(|e| inspect::map_err(&path, e))?;
    let mut rows = stmt.query([]).map_err(|e| inspect::map_err(&path, e))?;
    let mut out = SourceOutcome::default();
    let mut batch = Batch::default();
    let offset = select.offset;
    // Each compared column's mask: the source's value masked as the load masked it.
    let rules: Vec<Option<crate::mask::Rule>> = spec.cols.iter().map(|(src, ..)| masks.as_ref().and_then(|m| m.rule(&t.source.name, src))).collect();
    'rows: while let Some(row) = rows.next().map_err(|e| inspect::map_err(&path, e))? {
        out.rows += 1;
        let mut r = pool.row();
        for (((src, _, ty, idx), tr), rule) in spec.cols.iter().zip(&spec.transforms).zip(&rules) {
            let v = row.get_ref(idx + offset).map_err(|e| inspect::map_err(&path, e))?;
            let masked;
            let v = match (rule, &masks) {
                (Some(rule), Some(m)) => {
                    masked = m.masker.mask(*rule, v, crate::mask::Column { logical: ty, transform: *tr });
                    rusqlite::types::ValueRef::from(&masked)
                }
                _ => v,
            };
            // A row whose key names no parent has no value for the added column: the load
            // refuses it, so it is expected absent.
            let mut done = match (added_at == Some(*idx), v) {
                (true, rusqlite::types::ValueRef::Null) => Err(crate::convert::Refusal::new(crate::plan::kinds::Kind::Orphan, format!("its foreign key names no parent row, so it has no {src} (from {}) to be placed by", t.added.as_ref().map_or("", |a| a.from.as_str())))),
                _ => convert_with(v, ty, *tr, dialect, &mut Canon(&mut r)),
            };
            if let Err(reason) = &done {
                // A value the plan chose to set NULL or strip of its NULs arrived so: compare that.
                done = match crate::plan::choices::value_choice(spec.choices.get(src), reason.kind) {
                    Some(crate::plan::choices::Choice::SetNull) => convert_with(rusqlite::types::ValueRef::Null, ty, *tr, dialect, &mut Canon(&mut r)),
                    Some(crate::plan::choices::Choice::StripNul) => match v {
                        rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                            let stripped: Vec<u8> = b.iter().copied().filter(|c| *c != 0).collect();
                            convert_with(rusqlite::types::ValueRef::Text(&stripped), ty, *tr, dialect, &mut Canon(&mut r))
                        }
                        _ => done,
                    },
                    _ => done,
                };
            }
            if let Err(reason) = done {
                out.refused_total += 1;
                if out.refused.len() < KEPT {
                    let rid = if select.rowid.is_some() { row.get::<_, i64>(0).ok() } else { None };
                    let key = t.row_key(rid, row, offset);
                    let key = match &masks {
                        Some(m) => m.hide_key(&t.source.name, key, rid),
                        None => key,
                    };
                    // A masked column's value is never shown in clear.
                    let value = if rule.is_some() { serde_json::Value::String(crate::plan::masks::HIDDEN.into()) } else { crate::value::value_to_json(v) };
                    out.rejected.push(crate::report::Rejected { row: key.clone(), column: Some(src.clone()), value, reason: reason.reason.clone() });
                    out.refused.push(Expected { row: key, reason: format!("refused by the conversion, column {src}: {reason}") });
                }
                continue 'rows;
            }
        }
        if let Some(full) = batch.push(r) {
            if tx.blocking_send(full).is_err() {
                return Ok(out);
            }
        }
    }
    if !batch.rows.is_empty() {
        let _ = tx.blocking_send(batch.take());
    }
    Ok(out)
}

/// Turns one target row (canonical text per column) into a canonical `Row`: doubles to their
/// shortest text, JSON normalised.
fn target_row(spec: &Spec, dialect: Dialect, text: &str, fields: &[Option<(usize, usize)>], mut r: Row) -> Row {
    for (i, (_, _, t, _)) in spec.cols.iter().enumerate() {
        let v = fields.get(i).copied().flatten().map(|(a, b)| text.get(a..b).unwrap_or(""));
        match (v, t) {
            (Some(s), LogicalType::Float) => {
                match dialect.decode_float(s) {
                    Some(f) => r.push_with(|buf| push_float_bits(buf, f)),
                    None => r.push(Some(s)),
                }
            }
            (Some(s), LogicalType::Json) => r.push_with(|buf| {
                if !push_canonical_json(buf, s) {
                    buf.push_str(s);
                }
            }),
            _ => r.push(v),
        }
    }
    r
}

/// Streams the target table's canonical rows in batches.
pub(crate) async fn read_target_rows(ctx: Arc<Ctx>, t: Arc<PlannedTable>, spec: Arc<Spec>, ordered: bool, tx: mpsc::Sender<Vec<Row>>, mut pool: Pool) -> Result<u64> {
    let kept = ctx.sessions.lock().expect("sessions").pop();
    let mut conn = match kept {
        Some(c) => c,
        None => ctx.target.connect().await?,
    };
    let cols = spec.typed();
    let key: &[usize] = if ordered { &spec.key } else { &[] };
    let dialect = ctx.target.dialect;
    let mut batch = Batch::default();
    let mut make = |text: &str, fields: &[Option<(usize, usize)>]| batch.push(target_row(&spec, dialect, text, fields, pool.row()));
    let what = format!("table {}", t.name);
    let (n, to_the_end) = conn.read_rows(&ctx.target, &t.name, &cols, key, &tx, &mut make).await.map_err(|e| FerryError::Target { object: what, detail: e.as_database_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string()) })?;
    if !batch.rows.is_empty() {
        let _ = tx.send(batch.take()).await;
    }
    // A session whose reader was stopped part way may still be streaming: not kept.
    if to_the_end {
        ctx.sessions.lock().expect("sessions").push(conn);
    }
    Ok(n)
}

/// One side's rows, one at a time, from its batches; the rows compared go back to the
/// reader (`done`) to be filled again.
pub(crate) struct Side {
    rx: mpsc::Receiver<Vec<Row>>,
    cur: std::vec::IntoIter<Row>,
    back: std::sync::mpsc::SyncSender<Vec<Row>>,
    spent: Batch,
}

impl Side {
    pub(crate) fn new(rx: mpsc::Receiver<Vec<Row>>, back: std::sync::mpsc::SyncSender<Vec<Row>>) -> Side {
        Side { rx, cur: Vec::new().into_iter(), back, spent: Batch::default() }
    }
    /// A row the comparison is done with.
    pub(crate) fn done(&mut self, r: Row) {
        if let Some(spent) = self.spent.push(r) {
            // A reader that has rows enough to spare (or has stopped) lets them go.
            let _ = self.back.try_send(spent);
        }
    }
    pub(crate) async fn next(&mut self) -> Option<Row> {
        loop {
            if let Some(r) = self.cur.next() {
                return Some(r);
            }
            self.cur = self.rx.recv().await?.into_iter();
        }
    }
}

/// A reader's rows to fill: those the comparison handed back, else new ones.
pub(crate) struct Pool {
    back: std::sync::mpsc::Receiver<Vec<Row>>,
    free: Vec<Row>,
    columns: usize,
}

impl Pool {
    pub(crate) fn new(back: std::sync::mpsc::Receiver<Vec<Row>>, columns: usize) -> Pool {
        Pool { back, free: vec![], columns }
    }
    fn row(&mut self) -> Row {
        if self.free.is_empty() {
            if let Ok(rows) = self.back.try_recv() {
                self.free = rows;
            }
        }
        match self.free.pop() {
            Some(mut r) => {
                r.buf.clear();
                r.spans.clear();
                r
            }
            None => Row::with_columns(self.columns),
        }
    }
}

/// Starts both readers for one pass over a table (validate's and sync's): the source
/// through the plan's conversion (and a masked copy's masks), the target as canonical text.
pub(crate) fn start_pass(ctx: &Arc<Ctx>, t: &Arc<PlannedTable>, spec: &Arc<Spec>, ordered: bool) -> (Side, Side, tokio::task::JoinHandle<Result<SourceOutcome>>, tokio::task::JoinHandle<Result<u64>>) {
    let (stx, srx) = mpsc::channel(4);
    let (ttx, trx) = mpsc::channel(4);
    let (s_back, s_spent) = std::sync::mpsc::sync_channel(2);
    let (t_back, t_spent) = std::sync::mpsc::sync_channel(2);
    let n = spec.cols.len();
    let src = {
        let (path, t, spec, d, masks) = (ctx.source.clone(), t.clone(), spec.clone(), ctx.target.dialect, ctx.masks.clone());
        tokio::task::spawn_blocking(move || read_source_rows(path, t, spec, d, masks, ordered, stx, Pool::new(s_spent, n)))
    };
    let tgt = tokio::spawn(read_target_rows(ctx.clone(), t.clone(), spec.clone(), ordered, ttx, Pool::new(t_spent, n)));
    (Side::new(srx, s_back), Side::new(trx, t_back), src, tgt)
}

/// Waits for both readers of a pass: what the source reader refused, and the target's row
/// count.
pub(crate) async fn finish_pass(src: tokio::task::JoinHandle<Result<SourceOutcome>>, tgt: tokio::task::JoinHandle<Result<u64>>) -> Result<(SourceOutcome, u64)> {
    let s = src.await.map_err(|e| FerryError::Other(format!("the source reader stopped: {e}")))?;
    let t = tgt.await.map_err(|e| FerryError::Other(format!("the target reader stopped: {e}")))?;
    // The target's error first: a missing table is the likelier story.
    let n = t?;
    Ok((s?, n))
}
