//! What every table's comparison shares: the run's context (the target, its sessions, the
//! source, what the run report and the plan said) and how many findings a table keeps. Below
//! the readers and the comparison, which both use them; `validate` builds the context.

use crate::dialect::session::{Conn, Target};
use std::collections::HashMap;
use std::path::PathBuf;

/// Mismatches (and expected rows) a table keeps in the report; the totals count them all.
pub const KEPT: usize = 1000;

pub(super) struct Ctx {
    pub(super) target: Target,
    /// Target sessions between tables: a new one costs a handshake (TLS, authentication).
    pub(super) sessions: std::sync::Mutex<Vec<Conn>>,
    pub(super) source: PathBuf,
    /// Per source table: run-report keys (JSON text) → the run's reason.
    pub(super) reported: HashMap<String, HashMap<String, String>>,
    /// Per source table: rejected rows the run counted (the report keeps 1,000 of them).
    pub(super) reported_total: HashMap<String, u64>,
    /// Per source table: the plan's choices for refused values.
    pub(super) value_choices: HashMap<String, crate::plan::choices::ValueChoices>,
}
