//! After a table's rows are in: its keys, indexes, CHECKs and identity on the same session;
//! and the foreign keys, each table's as its parents are finished where the dialect adds them
//! in two steps, else all once every table is in. Orphans load with the rest under a key left
//! unchecked (listed in the report), or are taken out (reported) where the plan says so.

use crate::dialect::errors::Violation;
use crate::dialect::session::{db_message, target_err, Conn};
use crate::error::{FerryError, Result};
use crate::events::{Event, Phase};
use crate::plan::resolve::{PlannedForeignKey, PlannedTable};
use crate::report::{OrphanRow, UncheckedKey};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Instant;
use super::shared::*;

/// Builds a loaded table's keys, indexes, CHECKs and identity, and says the table is done.
pub(super) async fn finish_and_report(sh: &Shared, t: &PlannedTable, conn: &mut Conn) -> Result<()> {
    let started = Instant::now();
    finish_table(sh, t, conn).await?;
    let mut rep = sh.report.lock().await;
    let tr = rep.tables.get_mut(&t.source.name).expect("table report");
    tr.seconds += started.elapsed().as_secs_f64();
    sh.events.emit(Event::TableDone { table: t.source.name.clone(), rows_read: tr.rows_read, rows_written: tr.rows_written, rejected: tr.rejected_total, seconds: tr.seconds });
    Ok(())
}

pub(super) async fn finish_table(sh: &Shared, t: &PlannedTable, conn: &mut Conn) -> Result<()> {
    if sh.opts.data_only {
        continue_identity(sh, t, conn).await?;
        return analyze(sh, t, conn).await;
    }
    // Keys and indexes.
    let started = Instant::now();
    conn.keys_and_indexes(&sh.target, t, &sh.tables, sh).await?;
    sh.add_phase(Phase::Indexes, started.elapsed().as_secs_f64()).await;
    // CHECKs: rows that fail one are taken out and reported, then the CHECK is added.
    let started = Instant::now();
    let inline = sh.checks_inline.lock().await.contains(&t.name);
    for ck in t.checks.iter().filter(|_| !inline) {
        stop_if_cancelled(sh)?;
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
    stop_if_cancelled(sh)?;
    // The rowid alias continues above both max(id) and sqlite_sequence.
    let started = Instant::now();
    if let Some((col, seq)) = &t.identity {
        let next = next_identity(sh, t, conn, col, *seq).await?;
        let r = conn.restart_identity(&sh.target, t, col, next).await;
        if let Err(e) = r {
            sh.warn(Some(&t.source.name), format!("identity of {col}"), format!("not created: {}", db_message(&e))).await;
        }
    }
    sh.add_phase(Phase::Sequences, started.elapsed().as_secs_f64()).await;
    stop_if_cancelled(sh)?;
    analyze(sh, t, conn).await?;
    // What a cancel stopped on the way (a CHECK, the identity, the statistics) was said as
    // not made: the table is not finished, and is made again when the run resumes.
    stop_if_cancelled(sh)
}

/// Errs once the run is cancelled: no further statement is sent, and the table at hand is
/// not marked done in the journal.
pub(super) fn stop_if_cancelled(sh: &Shared) -> Result<()> {
    if sh.events.cancelled() {
        return Err(FerryError::Cancelled);
    }
    Ok(())
}

/// Gathers the table's planner statistics, beside the other tables' loads: without them the
/// first queries after the move are planned blind (autovacuum gets there later, or never on a
/// table that is not written to again). One the server refuses is said, and the run goes on.
async fn analyze(sh: &Shared, t: &PlannedTable, conn: &mut Conn) -> Result<()> {
    let started = Instant::now();
    if let Err(e) = conn.execute(&sh.target.ddl().analyze(t)).await {
        sh.warn(Some(&t.source.name), "statistics".into(), format!("not gathered: {}; run ANALYZE on the table", db_message(&e))).await;
    }
    sh.add_phase(Phase::Statistics, started.elapsed().as_secs_f64()).await;
    Ok(())
}

/// The value a table's identity continues at: above both the loaded max(`col`) and
/// sqlite_sequence's `seq`, and at least 1.
async fn next_identity(sh: &Shared, t: &PlannedTable, conn: &mut Conn, col: &str, seq: i64) -> Result<i64> {
    let max = conn.query_i64(&sh.target.ddl().max_of(t, col)).await.map_err(|e| target_err(&format!("max({col}) of {}", t.name), e))?;
    Ok(max.unwrap_or(0).max(seq).saturating_add(1).max(1))
}

/// `--data-only`: the identity / AUTO_INCREMENT the table already has continues above the
/// loaded maximum and sqlite_sequence.
pub(super) async fn continue_identity(sh: &Shared, t: &PlannedTable, conn: &mut Conn) -> Result<()> {
    let started = Instant::now();
    if let Some((col, seq)) = &t.identity {
        let next = next_identity(sh, t, conn, col, *seq).await?;
        let r = conn.continue_identity(&sh.target, t, col, next).await;
        if let Err(e) = r {
            sh.warn(Some(&t.source.name), format!("identity of {col}"), format!("not continued above {}: {}", next - 1, db_message(&e))).await;
        }
    }
    sh.add_phase(Phase::Sequences, started.elapsed().as_secs_f64()).await;
    Ok(())
}

pub(super) fn fk_object(fk: &PlannedForeignKey) -> String {
    format!("foreign key {} ({}) → {}", fk.name, fk.columns.join(", "), fk.ref_source_table)
}

pub(super) fn orphan_reason(fk: &PlannedForeignKey) -> String {
    format!("orphan: no {} row has ({}) equal to this row's ({})", fk.ref_source_table, fk.ref_columns.join(", "), fk.columns.join(", "))
}

/// Why a foreign key's orphans were not dealt with.
pub(super) enum OrphansFailed {
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

/// Deals with a foreign key's orphans as the plan chose: taken out of the target, reported
/// as rejected (`reject_rows`), or left in place and listed under the key (the default).
/// Returns how many there were.
pub(super) async fn handle_orphans(sh: &Shared, t: &PlannedTable, fk: &PlannedForeignKey, conn: &mut Conn) -> std::result::Result<usize, OrphansFailed> {
    let remove = fk.rejects_orphans();
    let rows = conn.orphans(&sh.target, t, fk, remove).await?;
    let n = rows.len();
    if n > 0 {
        let found = removed_rows(t, rows, &fk.columns, &orphan_reason(fk));
        let r = if remove { reject_rows(sh, t, found).await } else { keep_orphans(sh, t, fk, found).await };
        r.map_err(OrphansFailed::Stopped)?;
    }
    Ok(n)
}

/// Orphans that stay: each listed under its key in the report (the first `KEPT`) and in the
/// rejects file, and the key named among the warnings. `--strict` stops at the first unless
/// the plan chose to keep them.
async fn keep_orphans(sh: &Shared, t: &PlannedTable, fk: &PlannedForeignKey, found: Vec<crate::report::Rejected>) -> Result<()> {
    let Some(first) = found.first() else { return Ok(()) };
    if sh.opts.strict && fk.orphans.is_none() {
        return Err(FerryError::Strict(format!("table {} row {}: {}", t.source.name, first.row, first.reason)));
    }
    let state = sh.target.ddl().unchecked_foreign_key();
    let n = found.len() as u64;
    {
        let mut rep = sh.report.lock().await;
        let tr = rep.tables.entry(t.source.name.clone()).or_default();
        let mut key = UncheckedKey { object: fk_object(fk), name: fk.name.clone(), parent: fk.ref_source_table.clone(), state: state.into(), orphans: n, rows: vec![] };
        for r in found {
            sh.log.write(&t.source.name, "orphan_kept", &r);
            if key.rows.len() < crate::report::KEPT {
                key.rows.push(OrphanRow { row: r.row, value: r.value });
            }
        }
        tr.unchecked_keys.push(key);
    }
    let rows = if n == 1 { "1 row has".to_string() } else { format!("{} rows have", crate::value::group_thousands(n)) };
    let reason = format!("{state}: {rows} no {} row; every row arrived, and the key refuses new orphans (the report lists them)", fk.ref_source_table);
    sh.warn(Some(&t.source.name), fk_object(fk), reason).await;
    Ok(())
}

/// Foreign keys, once every table is in, where they are not made table by table as their
/// tables are ready (`schedule`, PostgreSQL without cycles): MySQL adds keys without checking
/// rows, and keys in a cycle cannot wait for each other. Orphans are dealt with first
/// (`handle_orphans`); where they are taken out, round after round until none are left —
/// removing one can orphan its own children — the first round on `jobs` connections at once;
/// then every key is added (PostgreSQL: unchecked, then validated where no orphan stayed).
pub(super) async fn foreign_keys(sh: &Arc<Shared>, tables: &[Arc<PlannedTable>], conn: &mut Conn) -> Result<()> {
    let by_name: BTreeMap<&str, &PlannedTable> = tables.iter().map(|t| (t.name.as_str(), t.as_ref())).collect();
    let mut broken: HashSet<(String, String)> = Default::default();
    let mut kept: HashSet<(String, String)> = Default::default();
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
                    stop_if_cancelled(&sh)?;
                    let mut c = sh.target.connect().await?;
                    let r = handle_orphans(&sh, &t, &fk, &mut c).await;
                    Ok::<_, FerryError>((t, fk, r))
                }));
            }
        }
        for task in tasks {
            let (t, fk, r) = task.await.map_err(|e| FerryError::Other(format!("a foreign key check stopped: {e}")))??;
            match r {
                Ok(n) if fk.rejects_orphans() => removed_any |= n > 0,
                Ok(n) => {
                    if n > 0 {
                        kept.insert((t.name.clone(), fk.name.clone()));
                    }
                }
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
            for fk in t.foreign_keys.iter().filter(|fk| fk.rejects_orphans()) {
                stop_if_cancelled(sh)?;
                if broken.contains(&(t.name.clone(), fk.name.clone())) || !by_name.contains_key(fk.ref_table.as_str()) {
                    continue;
                }
                match handle_orphans(sh, t, fk, conn).await {
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
            stop_if_cancelled(sh)?;
            let id = (t.name.clone(), fk.name.clone());
            if broken.contains(&id) || !by_name.contains_key(fk.ref_table.as_str()) {
                continue;
            }
            // Resuming a run stopped while it made its keys: one it made goes, and is made
            // again (else it "already exists", said as not created though it is there).
            if !sh.resumed.is_empty() {
                let _ = conn.execute(&sh.target.ddl().drop_foreign_key(t, fk)).await;
            }
            let made = match sh.target.ddl().two_step_foreign_key(t, fk) {
                // Orphans stayed: the key is added unchecked and left so.
                Some(step) if kept.contains(&id) => conn.execute(&step.add).await,
                _ => conn.execute(&sh.target.ddl().foreign_key(t, fk)).await,
            };
            if let Err(e) = made {
                sh.warn(Some(&t.source.name), fk_object(fk), format!("not created: {}", db_message(&e))).await;
            } else {
                super::shared::failpoint("foreign_key_made");
                if let Some(note) = sh.target.ddl().foreign_key_note(fk) {
                    sh.warn(Some(&t.source.name), fk_object(fk), note).await;
                }
            }
        }
    }
    stop_if_cancelled(sh)
}

/// One table's foreign keys, where the dialect makes them in two steps
/// (`Ddl::foreign_keys_per_table`): each added unchecked, then validated. Where rows fail it,
/// the orphans are dealt with as the plan chose (`handle_orphans`): kept, the key left
/// unchecked; or taken out (reported) and the key validated again. A key that still cannot be
/// made is dropped and named.
pub(super) async fn table_foreign_keys(sh: &Arc<Shared>, t: &PlannedTable, conn: &mut Conn) -> Result<()> {
    let started = Instant::now();
    for fk in t.foreign_keys.iter().filter(|fk| sh.tables.contains(&fk.ref_table)) {
        stop_if_cancelled(sh)?;
        let step = sh.target.ddl().two_step_foreign_key(t, fk).expect("a dialect that makes foreign keys per table");
        // Resuming a table whose keys the interrupted run was making: a key it added (perhaps
        // never validated) goes, and is made and checked again.
        if super::resume::kept(sh, &t.source.name, super::journal::State::Finished) {
            conn.execute(&step.drop).await.map_err(|e| target_err(&format!("foreign key {} of {}", fk.name, t.name), e))?;
        }
        if let Err(e) = conn.execute(&step.add).await {
            sh.warn(Some(&t.source.name), fk_object(fk), format!("not created: {}", db_message(&e))).await;
            continue;
        }
        super::shared::failpoint("foreign_key_made");
        let Err(first) = conn.execute(&step.validate).await else { continue };
        let result = match Violation::of(&first) {
            Some(Violation::ForeignKey) => match handle_orphans(sh, t, fk, conn).await {
                Ok(_) if fk.rejects_orphans() => conn.execute(&step.validate).await.map_err(OrphansFailed::Server),
                // Kept: the key stays NOT VALID (`handle_orphans` listed them); none found
                // means they went between the two statements, and validating again says so.
                Ok(0) => conn.execute(&step.validate).await.map_err(OrphansFailed::Server),
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            },
            _ => Err(OrphansFailed::Server(first)),
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
    // A key a cancel stopped was said as not made: the table's keys are made again on resume.
    stop_if_cancelled(sh)
}
