//! Resuming a run: what its journal (`journal`) says is done is kept, the rest done again.

use super::journal::State;
use super::shared::Shared;
use crate::dialect::session::{target_err, Conn};
use crate::error::Result;
use crate::events::{Event, Warning};
use crate::plan::resolve::PlannedTable;

/// Moves a table on in the run's journal, where the run keeps one.
pub(super) async fn mark(sh: &Shared, conn: &mut Conn, table: &str, state: State) -> Result<()> {
    match &sh.journal {
        Some(j) => j.mark(conn, table, state).await,
        None => Ok(()),
    }
}

/// Resuming: a table the interrupted run finished is kept (its rows counted for the report);
/// any other is made again, empty, and loaded whole — the journal does not say which of its
/// batches were in, nor that it was made on the final plan.
pub(super) async fn resume_table(sh: &Shared, conn: &mut Conn, t: &PlannedTable) -> Result<()> {
    let name = &t.source.name;
    let state = sh.resumed.get(name).copied().unwrap_or(State::Planned);
    let sql_name = sh.target.table_sql_name(&t.name);
    if state >= State::Finished {
        let rows = conn.query_i64(&format!("SELECT count(*) FROM {sql_name}")).await.map_err(|e| target_err(&format!("table {}", t.name), e))?.unwrap_or(0).max(0) as u64;
        let mut rep = sh.report.lock().await;
        let tr = rep.tables.entry(name.clone()).or_default();
        tr.target = t.name.clone();
        tr.rows_read = t.source.row_count;
        tr.rows_written = rows;
        rep.notes.push(Warning { table: Some(name.clone()), object: format!("table {name}"), reason: "kept: the interrupted run had finished it".into() });
        drop(rep);
        // Done before this run's first batch: the caller's progress counts its rows as done,
        // or its total (every planned row) is never reached.
        sh.events.emit(Event::TableDone { table: name.clone(), rows_read: t.source.row_count, rows_written: rows, rejected: 0, seconds: 0.0 });
        return Ok(());
    }
    conn.execute(&format!("DROP TABLE IF EXISTS {sql_name}")).await.map_err(|e| target_err(&format!("table {}", t.name), e))?;
    super::load::create_table(sh, conn, t, false).await?;
    if state >= State::Loading {
        let why = if state == State::Loading { "it was loading when the run stopped" } else { "its rows were in, but not its keys and indexes, when the run stopped" };
        sh.report.lock().await.notes.push(Warning { table: Some(name.clone()), object: format!("table {name}"), reason: format!("reloaded whole: {why}") });
    }
    if let Some(j) = &sh.journal {
        j.set(conn, name, State::Created).await?;
    }
    Ok(())
}

/// Resuming: whether the interrupted run got the table (by source name) to `state`.
pub(super) fn kept(sh: &Shared, table: &str, state: State) -> bool {
    sh.resumed.get(table).is_some_and(|s| *s >= state)
}
