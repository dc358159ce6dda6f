//! After a table's rows are in: its keys, indexes, CHECKs and identity on the same session;
//! and the foreign keys, each table's as its parents are finished where the dialect adds them
//! in two steps, else all once every table is in, orphans taken out (reported) first.

use crate::dialect::errors::Violation;
use crate::dialect::session::{db_message, target_err, Conn};
use crate::error::{FerryError, Result};
use crate::events::{Event, Phase};
use crate::plan::resolve::PlannedTable;
use std::collections::BTreeMap;
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
        let next = next_identity(sh, t, conn, col, *seq).await?;
        let r = conn.restart_identity(&sh.target, t, col, next).await;
        if let Err(e) = r {
            sh.warn(Some(&t.source.name), format!("identity of {col}"), format!("not created: {}", db_message(&e))).await;
        }
    }
    sh.add_phase(Phase::Sequences, started.elapsed().as_secs_f64()).await;
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

pub(super) fn fk_object(fk: &crate::plan::resolve::PlannedForeignKey) -> String {
    format!("foreign key {} ({}) → {}", fk.name, fk.columns.join(", "), fk.ref_source_table)
}

pub(super) fn orphan_reason(fk: &crate::plan::resolve::PlannedForeignKey) -> String {
    format!("orphan: no {} row has ({}) equal to this row's ({})", fk.ref_source_table, fk.ref_columns.join(", "), fk.columns.join(", "))
}

/// Why a foreign key's orphans were not taken out.
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

/// Takes a foreign key's orphans out of the target, reported.
pub(super) async fn remove_orphans(sh: &Shared, t: &PlannedTable, fk: &crate::plan::resolve::PlannedForeignKey, conn: &mut Conn) -> std::result::Result<usize, OrphansFailed> {
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
pub(super) async fn foreign_keys(sh: &Arc<Shared>, tables: &[Arc<PlannedTable>], conn: &mut Conn) -> Result<()> {
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

/// One table's foreign keys, where the dialect makes them in two steps
/// (`Ddl::foreign_keys_per_table`): each added unchecked, then validated; where rows fail it,
/// they are taken out (reported) and it is validated again. A key that still cannot be made
/// is dropped and named.
pub(super) async fn table_foreign_keys(sh: &Arc<Shared>, t: &PlannedTable, conn: &mut Conn) -> Result<()> {
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
