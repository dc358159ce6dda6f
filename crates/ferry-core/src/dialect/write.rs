//! How a dialect's bulk load wants its rows encoded (`RowFormat`), chosen once per table
//! (`Dialect::with_row_format`, `dialect/choose.rs`) so that every value is then encoded without a dynamic call.

use super::Dialect;
use crate::convert::{Change, Refusal, Transform};
use crate::schema::LogicalType;
use rusqlite::types::ValueRef;

/// One dialect's row encoding for `Session::send_rows`.
pub trait RowFormat {
    /// Whether one row must fit in one statement (MySQL's `max_allowed_packet`).
    const BOUNDED_BY_STATEMENT: bool;
    /// Before a row's first value.
    fn row_start(buf: &mut Vec<u8>, columns: usize);
    /// Before the value in position `n`.
    fn value_start(buf: &mut Vec<u8>, n: usize);
    /// After a row's last value.
    fn row_end(buf: &mut Vec<u8>);
    /// Converts one value for a column and writes it.
    fn write(v: ValueRef<'_>, ty: &LogicalType, transform: Option<Transform>, dialect: Dialect, buf: &mut Vec<u8>) -> Result<Option<Change>, Refusal>;
}

/// Work done with the target's row format, whichever it is (a generic closure).
pub trait WithRowFormat {
    type Output;
    fn run<F: RowFormat>(self) -> Self::Output;
}

/// What became of a batch sent by a dialect's bulk path (`session::Bulk`: MySQL's LOAD DATA,
/// Citus's COPY into the shards).
pub enum Sent {
    /// Every row taken: committed.
    Taken(u64),
    /// Not taken (rolled back, or not tried): send it the ordinary way.
    Again,
    /// The path is off: the ordinary way from now on, for the whole run; the reason is given
    /// once (to the first loader that met it), to be said in the report.
    Off(String),
    /// Some rows taken (committed); the others, by their places in the batch, not: send
    /// those the ordinary way.
    Partly { taken: u64, rest: Vec<usize> },
}

/// A bulk path's switch for the run: on until something turns it off, with the reason given
/// once (to the first loader that met it).
#[derive(Default)]
pub struct OffOnce {
    off: std::sync::atomic::AtomicBool,
    said: std::sync::atomic::AtomicBool,
}

impl OffOnce {
    /// Off from the start, with nothing to say.
    pub fn off_unsaid() -> OffOnce {
        OffOnce { off: true.into(), said: true.into() }
    }
    pub fn is_off(&self) -> bool {
        self.off.load(std::sync::atomic::Ordering::Relaxed)
    }
    /// Turns the path off; the reason the first time.
    pub fn refuse(&self, reason: String) -> Option<String> {
        use std::sync::atomic::Ordering;
        self.off.store(true, Ordering::Relaxed);
        (!self.said.swap(true, Ordering::Relaxed)).then_some(reason)
    }
}
