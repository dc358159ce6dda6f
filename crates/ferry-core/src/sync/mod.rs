//! Catch-up sync: after a run, brings the target up to the SQLite file as it is now — the
//! rows inserted, updated and deleted since, found by key — so the application's downtime is
//! one sync, not a whole migration.
//!
//! The source is read as it is, as `validate` reads it, each table through its own
//! connection, while a `watch` looks for another program's commits: when none came while the
//! tables were read, every table was read as the file stood when the sync began. When one
//! did (the application goes on writing), a consistent copy is taken with SQLite's backup
//! API in one read transaction (`backup::private_snapshot`) and every table is compared
//! again from the copy, said in the notes. Each table's rows are compared as `validate`
//! compares them (`diff`), largest table first, `jobs` at a time: both sides through the
//! same canonical form, paired by key as they come (PostgreSQL) or merged in key order,
//! memory holding the changed rows only — of every table, until they are written. A table
//! without a key is compared as a multiset of row hashes and, when they differ, reloaded
//! whole (said in its notes).
//!
//! Values are converted by the plan the run used (`--plan`, else the one the run's report
//! recorded, else the proposal, as `migrate` makes it). Once every table is compared, the
//! changes are written (`apply`) in one transaction per table, parents first: inserts and
//! updates, and the deletes of a table no foreign key refers to; then, children first, the
//! deletes of the tables others refer to, in a transaction each. PostgreSQL defers the
//! constraints that are deferrable. Identities and AUTO_INCREMENT move above the new maximum.
//! Rows the plan refuses, and rows the target refuses, are reported as `migrate` reports
//! them. `dry_run` finds and counts, and writes nothing. This module never writes the source
//! or its folder.

mod apply;
mod diff;
mod watch;

use crate::dialect::session::{Conn, Target};
use crate::error::{FerryError, Result};
use crate::plan::resolve::{planned_tables, PlannedTable};
use crate::plan::Plan;
use crate::report::{Rejected, Report};
use crate::validate::ctx::Ctx;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use apply::Writer;
use diff::{diff_table, TableDiff};
use watch::Watch;

/// What a sync is asked to do.
#[derive(Default)]
pub struct SyncOptions {
    /// The plan the run used (`--plan`); without it, the plan the run's report recorded, else
    /// the proposal.
    pub plan: Option<Plan>,
    pub plan_path: Option<String>,
    /// The run's JSON report (`--run-report`), for the plan it recorded.
    pub run_report: Option<Report>,
    pub run_report_path: Option<String>,
    /// PostgreSQL schema the tables are in (default public).
    pub pg_schema: Option<String>,
    /// Find and count the changes, write nothing.
    pub dry_run: bool,
    /// Tables compared at once.
    pub jobs: usize,
}

/// One table's sync.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableSync {
    pub table: String,
    pub target: String,
    /// `key` (paired by key) or `multiset` (no key).
    pub method: String,
    pub key: Vec<String>,
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    pub unchanged: u64,
    /// Rows the plan's conversion or the target refused: not in the target.
    pub rejected: Vec<Rejected>,
    pub rejected_total: u64,
    /// A table without a key whose rows differed, emptied and loaded again.
    pub reloaded: bool,
    pub notes: Vec<String>,
    /// Why the table was not synced.
    pub error: Option<String>,
    pub seconds: f64,
}

impl TableSync {
    pub fn changed(&self) -> u64 {
        self.inserted + self.updated + self.deleted
    }
}

/// What a sync did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    pub ferry_version: String,
    pub source: String,
    pub target: String,
    pub target_server: String,
    pub started_at: String,
    /// When the source's copy was taken: the moment the target now matches.
    pub snapshot_at: String,
    pub dry_run: bool,
    /// Where the plan came from: its path, the run report's, or none (the proposal).
    pub plan: Option<String>,
    pub tables: Vec<TableSync>,
    pub notes: Vec<String>,
    /// Every table synced (or, dry, compared).
    pub completed: bool,
    pub seconds: f64,
    /// Where the seconds went, in order (`ferry sync --verbose`): opening the target, the
    /// source's schema and the plan, the comparisons (again, from a copy, when another
    /// program wrote to the source meanwhile), writing.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub timings: Vec<(String, f64)>,
}

impl SyncReport {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a sync report serializes")
    }
    /// Rows inserted, updated and deleted in all tables.
    pub fn changed(&self) -> u64 {
        self.tables.iter().map(TableSync::changed).sum()
    }
    pub fn rejected(&self) -> u64 {
        self.tables.iter().map(|t| t.rejected_total).sum()
    }
    /// The target matched the source already.
    pub fn nothing_to_do(&self) -> bool {
        self.completed && self.changed() == 0
    }
}

/// The order tables are written in: each after the tables its foreign keys name (a circle is
/// broken where it closes, in the plan's order). Indexes into `tables`.
pub(crate) fn parents_first(tables: &[(String, Vec<String>)]) -> Vec<usize> {
    fn visit(i: usize, tables: &[(String, Vec<String>)], state: &mut [u8], out: &mut Vec<usize>) {
        if state[i] != 0 {
            return;
        }
        state[i] = 1;
        for parent in &tables[i].1 {
            if let Some(p) = tables.iter().position(|(n, _)| n == parent) {
                if p != i {
                    visit(p, tables, state, out);
                }
            }
        }
        state[i] = 2;
        out.push(i);
    }
    let mut state = vec![0u8; tables.len()];
    let mut out = vec![];
    for i in 0..tables.len() {
        visit(i, tables, &mut state, &mut out);
    }
    out
}

/// Syncs the target at `url` with `source` as it is now (see the module's notes).
pub async fn sync(source: &Path, url: &str, opts: SyncOptions) -> Result<SyncReport> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (target, mut admin) = Target::open(url, opts.pg_schema.as_deref()).await?;
    if let Some(started) = crate::copy::unfinished_run(&target, &mut admin).await? {
        return Err(FerryError::Other(format!(
            "the target holds the unfinished run started {started}: continue it with `ferry migrate {} --to URL --resume` first, then sync",
            source.display()
        )));
    }
    let jobs = opts.jobs.max(1);
    let mut timings: Vec<(String, f64)> = vec![];
    let mut lap = started;
    let mut time = |what: &str, timings: &mut Vec<(String, f64)>| {
        timings.push((what.to_string(), lap.elapsed().as_secs_f64()));
        lap = Instant::now();
    };
    time("open the target", &mut timings);
    // The file is read as it is, watched for another program's commits (`watch`); the moment
    // the target will match is now, unless a copy has to be taken after all.
    let watch = {
        let src = source.to_path_buf();
        tokio::task::spawn_blocking(move || Watch::start(&src)).await.map_err(|e| FerryError::Other(e.to_string()))??
    };
    let mut snapshot_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let given = opts.plan.clone().map(|p| (p, opts.plan_path.clone().unwrap_or_else(|| "plan".into()))).or_else(|| {
        let p = opts.run_report.as_ref()?.plan.clone()?;
        Some((p, format!("the plan recorded in {}", opts.run_report_path.as_deref().unwrap_or("the run report"))))
    });
    let src = source.to_path_buf();
    let profile = given.is_none();
    // Given the plan, only the schema is read first: the file's structure check runs beside
    // the comparisons (as `validate` runs it), and must pass before the first write. The
    // sessions the comparisons read through open meanwhile.
    let read = tokio::task::spawn_blocking(move || match profile {
        true => crate::source::sqlite::read_source(&src, true, jobs).map(|s| (s, None)),
        false => crate::source::sqlite::read_schema_check_beside(&src).map(|(s, c)| (s, Some(c))),
    });
    let sessions = futures_util::future::join_all((0..jobs).map(|_| target.connect()));
    let (read, sessions) = tokio::join!(read, sessions);
    let (schema, mut check) = read.map_err(|e| FerryError::Other(e.to_string()))??;
    let sessions = sessions.into_iter().collect::<Result<Vec<Conn>>>()?;
    let dialect = target.dialect;
    let plan = Plan::resolve(given.as_ref().map(|(p, _)| p), given.as_ref().map_or("plan", |(_, path)| path), &schema, source, dialect)?;
    // What sync cannot carry yet is refused before anything is read or written: a masked
    // copy (it would write the new rows in clear). A Citus distribution's added columns are
    // compared and written as the load fills them (`validate::spec`).
    if plan.masks() {
        return Err(FerryError::Other("the plan masks columns (a masked copy): sync does not mask yet and would write the new rows in clear; make the masked copy again with `ferry migrate --plan`".into()));
    }
    let mut planned = planned_tables(&schema, &plan, dialect)?;
    let (value_choices, _dropped) = crate::plan::choices::apply_choices(&mut planned, &plan, dialect)?;
    crate::validate::as_made(&target, &mut admin, &mut planned).await;
    time("schema and plan", &mut timings);
    let mut report = SyncReport {
        ferry_version: crate::version().into(),
        source: source.display().to_string(),
        target: target.url.redacted.clone(),
        target_server: target.server.clone(),
        started_at,
        dry_run: opts.dry_run,
        plan: given.as_ref().map(|(_, p)| p.clone()),
        ..Default::default()
    };
    if given.is_none() {
        report.notes.push("no plan given (--plan, --run-report): values converted by the proposal for the file as it is now, as `migrate` without a plan made it".into());
    }
    let mut ctx = Arc::new(Ctx {
        target,
        sessions: std::sync::Mutex::new(sessions),
        source: source.to_path_buf(),
        reported: HashMap::new(),
        reported_total: HashMap::new(),
        value_choices,
        // A plan that masks is refused above.
        masks: None,
    });
    let planned: Vec<Arc<PlannedTable>> = planned.into_iter().map(Arc::new).collect();
    // Every table's changes found first (as `validate` compares: largest first, `jobs` at a
    // time), then written: memory holds the changed rows of all tables.
    let mut diffs = compare_all(&ctx, &planned, jobs).await?;
    checked(&mut check).await?;
    time("compare", &mut timings);
    let mut snapshot = None;
    if watch.changed()? {
        // Another program committed while the tables were read: they may not show one state
        // of the file. A consistent copy is taken (SQLite's backup API, in one read
        // transaction) and the comparisons are made again from it.
        let src = source.to_path_buf();
        let snap = tokio::task::spawn_blocking(move || crate::backup::private_snapshot(&src)).await.map_err(|e| FerryError::Other(e.to_string()))??;
        time("copy of the source (it changed)", &mut timings);
        Arc::get_mut(&mut ctx).ok_or_else(|| FerryError::Other("a comparison was still reading the source".into()))?.source = snap.path().to_path_buf();
        snapshot_at = snap.taken_at.clone();
        report.notes.push(format!("another program wrote to the source while it was read: compared again from a copy of it taken at {snapshot_at} (the moment the target now matches)"));
        snapshot = Some(snap);
        diffs = compare_all(&ctx, &planned, jobs).await?;
        time("compare again, from the copy", &mut timings);
    }
    report.snapshot_at = snapshot_at;
    // A table reloaded whole reads the source again: from the file itself only while no other
    // program has committed to it since the comparisons began.
    let unchanged = || if snapshot.is_some() { Ok(true) } else { watch.changed().map(|c| !c) };
    // Written in foreign-key order, parents first.
    let graph: Vec<(String, Vec<String>)> = planned.iter().map(|t| (t.name.clone(), t.foreign_keys.iter().map(|f| f.ref_table.clone()).collect())).collect();
    let order = parents_first(&graph);
    let referenced: Vec<bool> = planned.iter().map(|t| planned.iter().any(|o| o.foreign_keys.iter().any(|f| f.ref_table == t.name))).collect();
    let mut entries: Vec<Option<TableSync>> = vec![None; planned.len()];
    // The deletes of tables other tables refer to: made last, children first.
    let mut later: Vec<(usize, TableDiff)> = vec![];
    for &i in &order {
        let (d, secs) = diffs[i].take().expect("each table compared once");
        let t = &planned[i];
        let mut e = TableSync { table: t.source.name.clone(), target: t.name.clone(), seconds: secs, ..Default::default() };
        match d {
            Ok(mut d) => {
                e.method = if d.spec.key.is_empty() { "multiset".into() } else { "key".into() };
                e.key = d.spec.key_names();
                e.unchanged = d.unchanged;
                e.rejected_total = d.refused.refused_total;
                e.rejected = std::mem::take(&mut d.refused.rejected);
                if d.reload {
                    e.notes.push(format!(
                        "no primary key or NOT NULL UNIQUE: compared as a multiset of row hashes; the rows differ, so the table {} emptied and loaded again ({} out, {} in)",
                        if opts.dry_run { "would be" } else { "was" },
                        crate::value::plural(d.rows_target, "row", "rows"),
                        crate::value::plural(d.rows_source, "row", "rows")
                    ));
                }
                if d.moved > 0 {
                    e.notes.push(format!(
                        "{} moved to another {}: Citus changes no row's distribution column, so each {} inserted on its new shard and deleted from its old one (counted in both)",
                        crate::value::plural(d.moved, "row", "rows"),
                        d.t.citus.as_ref().and_then(|c| c.column.as_deref()).unwrap_or("shard"),
                        if opts.dry_run { "would be" } else { "was" }
                    ));
                }
                // What would be written (dry), or is about to be.
                e.inserted = if d.reload { d.rows_source } else { d.inserts.len() as u64 };
                e.updated = d.updates.len() as u64;
                e.deleted = if d.reload { d.rows_target } else { d.deletes.len() as u64 };
                if !opts.dry_run {
                    apply_table(&ctx, &mut admin, &d, &mut e, referenced[i], &unchanged).await?;
                    if referenced[i] && !d.reload && !d.deletes.is_empty() && e.error.is_none() {
                        d.inserts = vec![];
                        d.updates = vec![];
                        later.push((i, d));
                    }
                }
            }
            Err(err) => e.error = Some(format!("not synced: {err}")),
        }
        entries[i] = Some(e);
    }
    for (i, d) in later.into_iter().rev() {
        let e = entries[i].as_mut().expect("a table's entry");
        delete_later(&ctx, &mut admin, &d, e).await?;
    }
    if !opts.dry_run {
        admin.make_durable().await?;
    }
    time("write", &mut timings);
    timings.push(("  comparisons, summed over tables".into(), entries.iter().flatten().map(|e| e.seconds).sum::<f64>()));
    drop(snapshot);
    let entries: Vec<TableSync> = entries.into_iter().flatten().collect();
    report.completed = entries.iter().all(|e| e.error.is_none());
    report.tables = entries;
    report.seconds = started.elapsed().as_secs_f64();
    report.timings = timings;
    Ok(report)
}

/// Finds every table's changes, largest first, `jobs` tables at a time; each with the seconds
/// it took, in the order of `planned`.
async fn compare_all(ctx: &Arc<Ctx>, planned: &[Arc<PlannedTable>], jobs: usize) -> Result<Vec<Option<(Result<TableDiff>, f64)>>> {
    let mut order: Vec<usize> = (0..planned.len()).collect();
    order.sort_by_key(|&i| planned[i].source.row_count);
    let queue = Arc::new(std::sync::Mutex::new(order));
    let mut workers = vec![];
    for _ in 0..jobs {
        let (ctx, queue, planned) = (ctx.clone(), queue.clone(), planned.to_vec());
        workers.push(tokio::spawn(async move {
            let mut done = vec![];
            loop {
                let next = queue.lock().expect("queue").pop();
                let Some(i) = next else { return done };
                let t0 = Instant::now();
                let d = diff_table(ctx.clone(), planned[i].clone()).await;
                done.push((i, d, t0.elapsed().as_secs_f64()));
            }
        }));
    }
    let mut out: Vec<Option<(Result<TableDiff>, f64)>> = (0..planned.len()).map(|_| None).collect();
    for w in workers {
        for (i, d, secs) in w.await.map_err(|e| FerryError::Other(format!("a comparison stopped: {e}")))? {
            out[i] = Some((d, secs));
        }
    }
    Ok(out)
}

/// Waits for the source's structure check, once: a damaged file is not synced from.
async fn checked(check: &mut Option<std::thread::JoinHandle<Result<()>>>) -> Result<()> {
    match check.take() {
        Some(h) => tokio::task::spawn_blocking(move || h.join().map_err(|_| FerryError::Other("the source's structure check stopped".into()))?).await.map_err(|e| FerryError::Other(e.to_string()))?,
        None => Ok(()),
    }
}

/// Writes one table's inserts and updates (and its deletes, where no other table refers to
/// it) in one transaction, then moves its identity above the new maximum.
async fn apply_table(ctx: &Arc<Ctx>, admin: &mut Conn, d: &TableDiff, e: &mut TableSync, referenced: bool, unchanged: &(dyn Fn() -> Result<bool> + Sync)) -> Result<()> {
    if d.nothing_to_do() {
        return Ok(());
    }
    let t0 = Instant::now();
    let deletes_now = !referenced || d.reload;
    let mut w = Writer::new(admin, &ctx.target, &d.t, &d.spec);
    w.begin().await?;
    let r = async {
        if d.reload {
            w.reload(ctx.source.clone(), d.t.clone(), d.spec.clone()).await?;
            if !unchanged()? {
                return Err(FerryError::Other("another program wrote to the source while the table was read again: sync again".into()));
            }
        } else {
            if deletes_now {
                w.delete(&d.deletes).await?;
            }
            w.update(&d.updates).await?;
            w.insert(&d.inserts).await?;
        }
        w.commit().await
    }
    .await;
    if let Err(err) = r {
        w.rollback().await;
        e.error = Some(format!("not synced (its changes were rolled back): {err}"));
        // Nothing of it was written: the counts say so.
        (e.inserted, e.updated, e.deleted, e.reloaded) = (0, 0, 0, false);
        return Ok(());
    }
    let moved = if !d.inserts.is_empty() || !d.updates.is_empty() || d.reload { w.continue_identity().await? } else { None };
    let applied = std::mem::take(&mut w.applied);
    e.inserted = applied.inserted;
    e.reloaded = d.reload;
    if !d.reload {
        e.updated = applied.updated;
        e.deleted = applied.deleted;
    }
    e.rejected_total += applied.rejected_total;
    e.rejected.extend(applied.rejected);
    e.rejected.truncate(crate::report::KEPT);
    e.notes.extend(moved);
    e.seconds += t0.elapsed().as_secs_f64();
    Ok(())
}

/// The deletes of a table other tables refer to, in a transaction of their own, once the
/// tables that refer to it are written.
async fn delete_later(ctx: &Arc<Ctx>, admin: &mut Conn, d: &TableDiff, e: &mut TableSync) -> Result<()> {
    let t0 = Instant::now();
    let mut w = Writer::new(admin, &ctx.target, &d.t, &d.spec);
    w.begin().await?;
    let r = async {
        w.delete(&d.deletes).await?;
        w.commit().await
    }
    .await;
    if let Err(err) = r {
        w.rollback().await;
        e.error = Some(format!("its deletes were not made (rolled back): {err}"));
        return Ok(());
    }
    let applied = std::mem::take(&mut w.applied);
    e.deleted = applied.deleted;
    e.rejected_total += applied.rejected_total;
    e.rejected.extend(applied.rejected);
    e.rejected.truncate(crate::report::KEPT);
    e.seconds += t0.elapsed().as_secs_f64();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The app's Cutover command runs a sync on a multi-threaded runtime: its future must be
    /// Send (the source's watch, held across the writes, among what it keeps).
    #[test]
    fn a_sync_can_run_on_any_thread() {
        fn send<T: Send>(_: &T) {}
        let f = sync(Path::new("app.sqlite"), "postgres://127.0.0.1/none", SyncOptions::default());
        send(&f);
    }

    #[test]
    fn tables_are_written_after_the_tables_they_refer_to() {
        let t = |n: &str, parents: &[&str]| (n.to_string(), parents.iter().map(|p| p.to_string()).collect::<Vec<_>>());
        // (tables with their parents, the order wanted by name)
        let cases: Vec<(Vec<(String, Vec<String>)>, &[&str])> = vec![
            (vec![t("lines", &["orders", "items"]), t("orders", &["customers"]), t("items", &[]), t("customers", &[])], &["customers", "orders", "items", "lines"]),
            (vec![t("a", &[]), t("b", &[])], &["a", "b"]),
            // A table referring to itself, and a circle: each table once.
            (vec![t("tree", &["tree"]), t("x", &["y"]), t("y", &["x"])], &["tree", "y", "x"]),
            (vec![t("child", &["gone"])], &["child"]),
        ];
        for (tables, want) in cases {
            let got: Vec<&str> = parents_first(&tables).into_iter().map(|i| tables[i].0.as_str()).collect();
            assert_eq!(got, want, "{tables:?}");
        }
    }
}
