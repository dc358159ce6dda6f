//! What every part of a run shares: its options, the target, the report being written and
//! the sessions kept between phases (`Shared`), and how what is taken out of the target is
//! reported (`Findings`).

use crate::dialect::session::{Conn, Findings, Target};
use crate::dialect::Dialect;
use crate::error::{FerryError, Result};
use crate::events::{Event, Events, Phase, Warning};
use crate::plan::resolve::{planned_tables, PlannedTable};
use crate::plan::Plan;
use crate::report::{CreatedKind, CreatedObject, RejectLog, Rejected, Report};
use crate::schema::Schema;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::Mutex;

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
    /// Continue the unfinished run whose journal the target holds (`copy::journal`): tables
    /// it finished are kept, the others made and loaded again, then the remaining phases.
    pub resume: bool,
    /// Citus: distribute the tables by this column (`plan::distribute`), unless the plan
    /// given already has a distribution by it.
    pub distribute: Option<String>,
    /// The key a plan's masks are drawn with (`plan::masks`); needed when the plan masks.
    pub mask_key: Option<crate::mask::MaskKey>,
    /// Roles and tenant isolation (`--roles`, `--tenant-isolation`), unless the plan given
    /// has its `[access]`; made once the rows are in.
    pub access: Option<crate::access::AccessRequest>,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        MigrateOptions { plan: None, plan_path: None, pg_schema: None, jobs: 2, strict: false, batch_rows: 20000, rejects: None, data_only: false, resume: false, distribute: None, mask_key: None, access: None }
    }
}

pub(super) struct Shared {
    pub(super) target: Target,
    pub(super) source: PathBuf,
    pub(super) dialect: Dialect,
    pub(super) opts: MigrateOptions,
    pub(super) events: Events,
    pub(super) report: Mutex<Report>,
    pub(super) phase_seconds: Mutex<BTreeMap<Phase, f64>>,
    /// Tables whose CHECKs were created with the table.
    pub(super) checks_inline: Mutex<std::collections::HashSet<String>>,
    pub(super) log: RejectLog,
    /// The plan's `set_null` / `strip_nul` choices, per table.
    pub(super) value_choices: ValueChoicesByTable,
    /// Target names of the tables this run loads (foreign keys to others are not made).
    pub(super) tables: std::collections::HashSet<String>,
    /// Open sessions for the loaders, kept from one phase to the next.
    pub(super) sessions: std::sync::Mutex<Vec<Conn>>,
    /// Generated columns (source table, source column) the server refused: made plain
    /// columns, loaded with the values SQLite computed.
    pub(super) plain_generated: std::sync::Mutex<std::collections::HashSet<(String, String)>>,
    /// The run's journal in the target (`journal`); None into existing tables (`data_only`).
    pub(super) journal: Option<super::journal::Journal>,
    /// Resuming: how far each table (by source name) got in the interrupted run.
    pub(super) resumed: std::collections::HashMap<String, super::journal::State>,
    /// A masked copy's masks (`plan::masks::RunMasks`); None when the plan masks nothing.
    pub(super) masks: Option<Arc<crate::plan::masks::RunMasks>>,
}

impl Shared {
    /// A session for a loader: one kept from earlier work, else a new one.
    pub(super) async fn session(&self) -> Result<Conn> {
        let kept = self.sessions.lock().expect("sessions").pop();
        match kept {
            Some(c) => Ok(c),
            None => self.target.connect().await,
        }
    }
    /// Keeps a session whose work ended well, for the next phase.
    pub(super) fn keep(&self, conn: Conn) {
        self.sessions.lock().expect("sessions").push(conn);
    }
    pub(super) async fn add_phase(&self, p: Phase, secs: f64) {
        *self.phase_seconds.lock().await.entry(p).or_default() += secs;
    }
    /// An object this run made, for the report's `created` list.
    pub(super) fn created(&self, kind: CreatedKind, name: &str) -> CreatedObject {
        CreatedObject { kind, schema: self.target.ddl().schema().map(String::from), name: name.into() }
    }
    /// The table as made: each generated column the server refused is a plain, loaded one.
    pub(super) fn as_made(&self, t: &mut PlannedTable) {
        let plain = self.plain_generated.lock().expect("plain_generated");
        for c in &mut t.columns {
            if plain.contains(&(t.source.name.clone(), c.source.clone())) {
                c.generated_sql = None;
            }
        }
    }
    pub(super) async fn warn(&self, table: Option<&str>, object: String, reason: String) {
        // The run is stopping: what it did not make then (a statement the cancel stopped) is
        // not a finding; a table it was finishing is not marked finished, and is made again
        // when the run resumes.
        if self.events.cancelled() {
            return;
        }
        self.events.emit(Event::Warning { table: table.map(String::from), object: object.clone(), reason: reason.clone() });
        self.report.lock().await.warnings.push(Warning { table: table.map(String::from), object, reason });
    }
}

/// Turns rows taken out by a constraint into report entries keyed by the source's names.
pub(super) fn removed_rows(t: &PlannedTable, rows: Vec<serde_json::Value>, columns: &[String], reason: &str) -> Vec<Rejected> {
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

pub(super) async fn reject_rows(sh: &Shared, t: &PlannedTable, rows: Vec<Rejected>) -> Result<()> {
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
    fn stopping(&self) -> bool {
        self.events.cancelled()
    }
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

/// The plan's `set_null` / `strip_nul` choices, per source table.
pub(super) type ValueChoicesByTable = std::collections::HashMap<String, crate::plan::choices::ValueChoices>;

/// The plan (the one given, else the one the schema's profiles call for), its tables, and
/// what its pre-flight choices do: types widened and constraints dropped (warnings), values to
/// set NULL or strip at load (per table).
pub(super) fn plan_tables(opts: &MigrateOptions, source: &Path, schema: &Schema, dialect: Dialect) -> Result<(Plan, Vec<PlannedTable>, ValueChoicesByTable, Vec<Warning>)> {
    let mut plan = Plan::resolve(opts.plan.as_ref(), opts.plan_path.as_deref().unwrap_or("plan"), schema, source, dialect)?;
    if let Some(column) = &opts.distribute {
        if plan.distribution.as_ref().is_none_or(|d| !d.column.eq_ignore_ascii_case(column.trim())) {
            plan.distribution = Some(crate::plan::distribute::propose(schema, column).map_err(FerryError::Other)?);
        }
    }
    if let Some(req) = &opts.access {
        if plan.access.is_none() {
            plan.access = Some(crate::access::propose(&plan, schema, dialect, req).map_err(FerryError::Other)?);
        }
    }
    let mut planned = planned_tables(schema, &plan, dialect)?;
    let (value_choices, dropped) = crate::plan::choices::apply_choices(&mut planned, &plan, dialect)?;
    Ok((plan, planned, value_choices, dropped))
}

/// Stops the process at once, as `kill -9` would, where `FERRY_TEST_ABORT_AT` names this
/// point: the tests' way to stop a run at a moment too short to hit with a signal.
pub(super) fn failpoint(name: &str) {
    if std::env::var("FERRY_TEST_ABORT_AT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
}
