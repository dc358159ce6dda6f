//! What the engine tells its caller while it works, and how the caller stops it.
//!
//! One enum of events, pushed into a sink the caller owns (the CLI draws progress bars, the
//! desktop app forwards them through a Tauri channel). The caller cancels through the same
//! handle; the engine checks between batches and leaves the target in a state the report
//! describes.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reading the source's schema and profiling every column, before anything is written.
    Source,
    Schema,
    Data,
    Indexes,
    Constraints,
    Sequences,
    /// Each table's planner statistics gathered as soon as it is finished (ANALYZE), so the
    /// first queries after the move are planned with them.
    Statistics,
    Views,
}

impl Phase {
    pub const ALL: [Phase; 8] = [Phase::Source, Phase::Schema, Phase::Data, Phase::Indexes, Phase::Constraints, Phase::Sequences, Phase::Statistics, Phase::Views];
    pub fn name(self) -> &'static str {
        match self {
            Phase::Source => "source",
            Phase::Schema => "schema",
            Phase::Data => "data",
            Phase::Indexes => "indexes",
            Phase::Constraints => "constraints",
            Phase::Sequences => "sequences",
            Phase::Statistics => "statistics",
            Phase::Views => "views",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum Event {
    PhaseStarted { phase: Phase },
    PhaseDone { phase: Phase, seconds: f64 },
    /// What the data phase will copy, sent before its first batch: the tables and the rows
    /// (from the source's counts), so a caller's total is fixed from the start rather than
    /// growing as tables start.
    Planned { tables: u64, rows: u64 },
    TableStarted { table: String, rows: u64 },
    Progress { table: String, rows_done: u64, rows: u64 },
    TableDone { table: String, rows_read: u64, rows_written: u64, rejected: u64, seconds: f64 },
    Warning { table: Option<String>, object: String, reason: String },
    Rejected { table: String, column: Option<String>, reason: String },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Warning {
    pub table: Option<String>,
    pub object: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rename {
    pub table: Option<String>,
    pub from: String,
    pub to: String,
    pub reason: String,
}

type SinkFn = dyn Fn(Event) + Send + Sync;

/// The caller's side: where events go, and the cancel switch.
#[derive(Clone)]
pub struct Events {
    sink: Arc<SinkFn>,
    cancel: Arc<AtomicBool>,
    /// Rung on cancel (`until_cancelled`).
    cancelled_now: Arc<tokio::sync::Notify>,
}

impl Default for Events {
    fn default() -> Self {
        Events::new(|_| {})
    }
}

impl Events {
    pub fn new(sink: impl Fn(Event) + Send + Sync + 'static) -> Events {
        Events { sink: Arc::new(sink), cancel: Arc::new(AtomicBool::new(false)), cancelled_now: Arc::new(tokio::sync::Notify::new()) }
    }
    pub fn emit(&self, e: Event) {
        (self.sink)(e)
    }
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
        self.cancelled_now.notify_waiters();
    }
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
    /// Returns once the run is cancelled.
    pub async fn until_cancelled(&self) {
        loop {
            let rung = self.cancelled_now.notified();
            tokio::pin!(rung);
            // Listening before the flag is read: a cancel after the read still wakes it.
            rung.as_mut().enable();
            if self.cancel.load(Ordering::SeqCst) {
                return;
            }
            rung.await;
        }
    }
}
