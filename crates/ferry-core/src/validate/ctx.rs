//! What every table's comparison shares: the run's context (the target, its sessions, the
//! source, what the run report and the plan said) and how many findings a table keeps. Below
//! the readers and the comparison, which both use them; `validate` builds the context.

use crate::dialect::session::{Conn, Target};
use std::collections::HashMap;
use std::path::PathBuf;

/// Mismatches (and expected rows) a table keeps in the report; the totals count them all.
pub const KEPT: usize = 1000;

pub(crate) struct Ctx {
    pub(crate) target: Target,
    /// Target sessions between tables: a new one costs a handshake (TLS, authentication).
    pub(crate) sessions: std::sync::Mutex<Vec<Conn>>,
    pub(crate) source: PathBuf,
    /// Per source table: run-report keys (JSON text) → the run's reason.
    pub(crate) reported: HashMap<String, HashMap<String, String>>,
    /// Per source table: rejected rows the run counted (the report keeps 1,000 of them).
    pub(crate) reported_total: HashMap<String, u64>,
    /// Per source table: the plan's choices for refused values.
    pub(crate) value_choices: HashMap<String, crate::plan::choices::ValueChoices>,
    /// A masked copy's masks: the source's values are masked before they are compared.
    pub(crate) masks: Option<std::sync::Arc<crate::plan::masks::RunMasks>>,
}
