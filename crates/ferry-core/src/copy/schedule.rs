//! Which table work runs next: loads, finishes and foreign keys as tasks on a board that
//! `jobs` workers take from, each task ready once what it depends on is done; a worker with
//! nothing ready waits to be woken by the one that finishes something.

use crate::dialect::session::{target_err, Conn};
use crate::error::{FerryError, Result};
use crate::events::Warning;
use crate::plan::resolve::PlannedTable;
use crate::plan::Plan;
use crate::schema::Schema;
use crate::source::sqlite::{profile, Integrity};
use std::collections::BTreeMap;
use std::sync::Arc;
use super::finish::*;
use super::journal::State;
use super::resume;
use super::load::*;
use super::shared::*;

/// Tables ordered parents first; None when the foreign keys form a cycle (a table that
/// references itself included).
pub(super) fn parents_first(tables: &[Arc<PlannedTable>]) -> Option<Vec<Arc<PlannedTable>>> {
    let names: std::collections::HashSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let mut done: std::collections::HashSet<String> = Default::default();
    let mut out = vec![];
    while out.len() < tables.len() {
        let ready: Vec<&Arc<PlannedTable>> = tables
            .iter()
            .filter(|t| !done.contains(&t.name))
            .filter(|t| t.foreign_keys.iter().all(|fk| fk.ref_table != t.name && (done.contains(&fk.ref_table) || !names.contains(fk.ref_table.as_str()))))
            .collect();
        if ready.is_empty() {
            return None;
        }
        for t in ready {
            done.insert(t.name.clone());
            out.push(t.clone());
        }
    }
    Some(out)
}

/// One unit of a run's table work.
pub(super) enum Task {
    /// Load the rows (on the sampled plan, when speculative).
    Load(Arc<PlannedTable>),
    /// Settle the table's plan on every row, load it again where that plan differs, and build
    /// its keys, indexes, CHECKs and identity. By source name.
    Finish(String),
    /// PostgreSQL: the table's foreign keys. By source name.
    Keys(String),
}

/// What the tasks share.
pub(super) struct Board {
    pub(super) todo: Vec<Task>,
    /// Source name → the plan the table was made and loaded on.
    pub(super) spec: BTreeMap<String, Arc<PlannedTable>>,
    pub(super) loads: BTreeMap<String, Loaded>,
    /// Source names whose rows are loaded (and, speculative, profiled).
    pub(super) loaded: std::collections::HashSet<String>,
    /// Source names finished, and with their foreign keys made.
    pub(super) finished: std::collections::HashSet<String>,
    pub(super) keyed: std::collections::HashSet<String>,
    /// The source's schema, each table's profile replaced by that of every row once loaded.
    pub(super) schema: Schema,
    pub(super) integrity: Option<Integrity>,
    pub(super) stop: bool,
}

/// Source name → the loaded tables it references (itself left out).
pub(super) fn parents_by_source(tables: &[Arc<PlannedTable>]) -> BTreeMap<String, Vec<String>> {
    let names: std::collections::HashSet<&str> = tables.iter().map(|t| t.source.name.as_str()).collect();
    tables
        .iter()
        .map(|t| {
            let mut p: Vec<String> = t.foreign_keys.iter().map(|fk| fk.ref_source_table.clone()).filter(|r| *r != t.source.name && names.contains(r.as_str())).collect();
            p.sort();
            p.dedup();
            (t.source.name.clone(), p)
        })
        .collect()
}

/// Into existing tables (their foreign keys in place) tables load in waves: each wave only
/// references tables of earlier waves (or itself, or tables not loaded); tables in a cycle
/// come last, together. Source name → its wave.
pub(super) fn load_waves(parents: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, usize> {
    let mut wave = BTreeMap::new();
    let mut left: Vec<&String> = parents.keys().collect();
    let mut n = 0;
    while !left.is_empty() {
        let (ready, rest): (Vec<&String>, Vec<&String>) = left.into_iter().partition(|t| parents[*t].iter().all(|p| wave.contains_key(p)));
        let last = ready.is_empty();
        for t in if last { &rest } else { &ready } {
            wave.insert((*t).clone(), n);
        }
        if last {
            break;
        }
        left = rest;
        n += 1;
    }
    wave
}

/// Every table a table references, directly or through others.
pub(super) fn ancestors(parents: &BTreeMap<String, Vec<String>>, table: &str) -> Vec<String> {
    let mut seen: Vec<String> = vec![];
    let mut stack = parents.get(table).cloned().unwrap_or_default();
    while let Some(p) = stack.pop() {
        if seen.contains(&p) {
            continue;
        }
        stack.extend(parents.get(&p).cloned().unwrap_or_default());
        seen.push(p);
    }
    seen
}

/// The plan of the rows profiled so far, with the planned table of `table` (by source name).
/// A table's plan rests only on its own rows and on the tables it references (a foreign key's
/// column follows its parent's type), so once those are all profiled it is final.
pub(super) fn plan_now(sh: &Shared, schema: &Schema, table: Option<&str>) -> Result<(Plan, Vec<PlannedTable>, Vec<Warning>)> {
    let (plan, mut planned, _, dropped) = plan_tables(&sh.opts, &sh.source, schema, sh.dialect)?;
    if let Some(name) = table {
        planned.retain(|t| t.source.name == name);
    }
    for t in &mut planned {
        sh.as_made(t);
    }
    Ok((plan, planned, dropped))
}

/// Runs every table's tasks, `jobs` at a time, each as soon as what it needs is done:
/// a table is finished once it and every table it references are loaded (their profiles
/// complete); its foreign keys (`interleaved`) once it and the tables it references are
/// finished and those have their own foreign keys. Returns the plan of every row, the tables
/// as finally planned, and what the plan's choices dropped.
pub(super) async fn schedule(sh: &Arc<Shared>, spec: Vec<Arc<PlannedTable>>, schema: Schema, sure: Option<(Plan, Vec<Warning>)>, integrity: Option<Integrity>, interleaved: bool) -> Result<(Plan, Vec<PlannedTable>, Vec<Warning>)> {
    let speculative = sure.is_none();
    let parents = Arc::new(parents_by_source(&spec));
    let ancestry: Arc<BTreeMap<String, Vec<String>>> = Arc::new(spec.iter().map(|t| (t.source.name.clone(), ancestors(&parents, &t.source.name))).collect());
    // Loads: small tables that others reference first (what depends on them can then be
    // finished as soon as it is loaded), then the largest first.
    let referenced: std::collections::HashSet<&str> = parents.values().flatten().map(String::as_str).collect();
    let small = spec.iter().map(|t| t.source.row_count).sum::<u64>() / 20;
    let mut loads: Vec<Arc<PlannedTable>> = spec.clone();
    loads.sort_by_key(|t| (!(referenced.contains(t.source.name.as_str()) && t.source.row_count <= small), std::cmp::Reverse(t.source.row_count)));
    let mut todo: Vec<Task> = vec![];
    // Resuming, what the interrupted run did is not done again (`resume::kept`).
    let kept = |t: &PlannedTable, s: State| resume::kept(sh, &t.source.name, s);
    if interleaved {
        todo.extend(spec.iter().filter(|t| !parents[&t.source.name].is_empty() && !kept(t, State::Keyed)).map(|t| Task::Keys(t.source.name.clone())));
    }
    let mut by_size = spec.clone();
    by_size.sort_by_key(|t| std::cmp::Reverse(t.source.row_count));
    todo.extend(by_size.iter().filter(|t| !kept(t, State::Finished)).map(|t| Task::Finish(t.source.name.clone())));
    todo.extend(loads.into_iter().filter(|t| !kept(t, State::Finished)).map(Task::Load));
    let done = |s: State| -> std::collections::HashSet<String> { spec.iter().filter(|t| kept(t, s)).map(|t| t.source.name.clone()).collect() };
    let board = Arc::new(std::sync::Mutex::new(Board {
        todo,
        spec: spec.iter().map(|t| (t.source.name.clone(), t.clone())).collect(),
        loads: BTreeMap::new(),
        loaded: done(State::Finished),
        finished: done(State::Finished),
        keyed: done(State::Keyed),
        schema,
        integrity,
        stop: false,
    }));
    let waves = Arc::new(load_waves(&parents));
    let sure = Arc::new(sure);
    // Rung by a worker whenever the board changes (a task done, or the run stopping): a
    // worker with nothing ready waits for it rather than polling.
    let changed = Arc::new(tokio::sync::Notify::new());
    let mut workers = vec![];
    for _ in 0..sh.opts.jobs.max(1) {
        let (sh, board, parents, ancestry, sure, waves, changed) = (sh.clone(), board.clone(), parents.clone(), ancestry.clone(), sure.clone(), waves.clone(), changed.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = sh.session().await?;
            loop {
                // Listening before the board is read: a change made after the read still wakes it.
                let woken = changed.notified();
                tokio::pin!(woken);
                woken.as_mut().enable();
                let next = {
                    let mut b = board.lock().expect("board");
                    if b.stop {
                        return Ok(());
                    }
                    let ready = |t: &Task| match t {
                        // Into existing tables (their foreign keys in place) parents load first.
                        Task::Load(t) => !sh.opts.data_only || waves.iter().all(|(n, w)| *w >= waves[&t.source.name] || b.loaded.contains(n)),
                        Task::Finish(n) => b.loaded.contains(n) && ancestry[n].iter().all(|a| b.loaded.contains(a)),
                        Task::Keys(n) => b.finished.contains(n) && parents[n].iter().all(|p| b.finished.contains(p) && (b.keyed.contains(p) || parents[p].is_empty())),
                    };
                    match b.todo.iter().position(ready) {
                        Some(i) => Some(b.todo.remove(i)),
                        None if b.todo.is_empty() => {
                            drop(b);
                            sh.keep(conn);
                            return Ok(());
                        }
                        None => None,
                    }
                };
                let Some(task) = next else {
                    // Work still running will make a task ready, and say so.
                    woken.await;
                    continue;
                };
                if sh.events.cancelled() {
                    board.lock().expect("board").stop = true;
                    changed.notify_waiters();
                    return Err(FerryError::Cancelled);
                }
                let r = match task {
                    Task::Load(t) => match loading(&sh, &mut conn, &t, speculative).await {
                        Ok(mut l) => {
                            let check = {
                                let mut b = board.lock().expect("board");
                                if let Some(profiles) = l.read.profiles.take() {
                                    if let Some(st) = b.schema.tables.iter_mut().find(|x| x.name == t.source.name) {
                                        profile::keep_profiles(st, profiles, false);
                                    }
                                }
                                b.loads.insert(t.source.name.clone(), l);
                                b.loaded.insert(t.source.name.clone());
                                // Every row read: the file's structure check must have passed.
                                let all = b.spec.keys().all(|n| b.loaded.contains(n));
                                if all { b.integrity.take() } else { None }
                            };
                            match check {
                                Some(h) => tokio::task::spawn_blocking(move || h.join()).await.map_err(|e| FerryError::Other(e.to_string())).and_then(|r| r),
                                None => Ok(()),
                            }
                        }
                        Err(e) => Err(e),
                    },
                    Task::Finish(name) => finish_task(&sh, &board, &sure, &mut conn, &name).await,
                    Task::Keys(name) => {
                        let t = board.lock().expect("board").spec[&name].clone();
                        match table_foreign_keys(&sh, &t, &mut conn).await {
                            Ok(()) => resume::mark(&sh, &mut conn, &name, State::Keyed).await.map(|()| {
                                board.lock().expect("board").keyed.insert(name);
                            }),
                            Err(e) => Err(e),
                        }
                    }
                };
                if let Err(e) = r {
                    board.lock().expect("board").stop = true;
                    changed.notify_waiters();
                    return Err(e);
                }
                changed.notify_waiters();
            }
        }));
    }
    let mut first_err = None;
    for w in workers {
        match w.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                sh.events.cancel();
                first_err.get_or_insert(e);
            }
            Err(e) => {
                first_err.get_or_insert(FerryError::Other(format!("a loader stopped: {e}")));
            }
        }
    }
    if let Some(e) = first_err {
        // Tables loaded but not finished when the run stopped (a cancel, an error elsewhere)
        // keep their rows: the report says so, or rolling the run back would find more rows
        // than it expects and refuse.
        let left: Vec<(Arc<PlannedTable>, u64)> = {
            let mut b = board.lock().expect("board");
            let loads = std::mem::take(&mut b.loads);
            loads.into_iter().filter_map(|(name, l)| b.spec.get(&name).map(|t| (t.clone(), if l.read.abandoned { 0 } else { l.written }))).collect()
        };
        for (t, rows) in left {
            record_kept(sh, &t, rows).await;
        }
        // A damaged file is the cause to name, whatever else went wrong meanwhile; a cancel
        // does not wait for the check (Ctrl-C took 14 s on a 300,000-row demo, most of it
        // the check reading the file), but names damage it already found.
        let check = board.lock().expect("board").integrity.take();
        if let Some(h) = check {
            let verdict = match e {
                FerryError::Cancelled => h.stop(),
                _ => tokio::task::spawn_blocking(move || h.join()).await.ok(),
            };
            if let Some(Err(damage)) = verdict {
                return Err(damage);
            }
        }
        return Err(e);
    }
    let b = Arc::try_unwrap(board).ok().expect("workers done").into_inner().expect("board");
    match Arc::try_unwrap(sure).expect("workers done") {
        Some((plan, dropped)) => Ok((plan, b.spec.into_values().map(|t| t.as_ref().clone()).collect(), dropped)),
        None => {
            let (plan, planned, dropped) = plan_now(sh, &b.schema, None)?;
            // Each table was finished on the plan of the rows it depends on: the same.
            debug_assert!(planned.iter().all(|t| b.spec[&t.source.name].same_shape(t)), "a table finished on another plan than the plan of every row");
            Ok((plan, planned, dropped))
        }
    }
}

/// `Task::Load`: the rows, the journal saying the table is loading, then loaded.
async fn loading(sh: &Arc<Shared>, conn: &mut Conn, t: &Arc<PlannedTable>, speculative: bool) -> Result<Loaded> {
    resume::mark(sh, conn, &t.source.name, State::Loading).await?;
    let l = load_table(sh, conn, t, speculative).await?;
    resume::mark(sh, conn, &t.source.name, State::Loaded).await?;
    Ok(l)
}

/// `Task::Finish`: the table's plan on every row it depends on; loaded again where that plan
/// differs from the one it was loaded on (or the load met a value it could not carry
/// exactly); then its keys, indexes, CHECKs and identity.
pub(super) async fn finish_task(sh: &Arc<Shared>, board: &Arc<std::sync::Mutex<Board>>, sure: &Option<(Plan, Vec<Warning>)>, conn: &mut Conn, name: &str) -> Result<()> {
    let (spec, first, planned) = {
        let mut b = board.lock().expect("board");
        let spec = b.spec[name].clone();
        let first = b.loads.remove(name).expect("loaded");
        let planned = match sure {
            Some(_) => spec.clone(),
            None => Arc::new(plan_now(sh, &b.schema, Some(name))?.1.pop().expect("the table is planned")),
        };
        (spec, first, planned)
    };
    let l = if first.read.abandoned || !spec.same_shape(&planned) {
        let why = if first.read.abandoned { "a value its sampled plan could not carry exactly" } else { "the plan of every row differs from the plan of its sample" };
        sh.report.lock().await.notes.push(Warning { table: Some(name.to_string()), object: format!("table {name}"), reason: format!("loaded twice: {why}") });
        conn.execute(&format!("DROP TABLE {}", sh.target.table_sql_name(&planned.name))).await.map_err(|e| target_err(&format!("table {}", planned.name), e))?;
        create_table(sh, conn, &planned, false).await?;
        let mut l = load_table(sh, conn, &planned, false).await?;
        l.seconds += first.seconds;
        l
    } else {
        first
    };
    record_load(sh, &planned, l).await;
    finish_and_report(sh, &planned, conn).await?;
    resume::mark(sh, conn, name, State::Finished).await?;
    let mut b = board.lock().expect("board");
    // Its foreign keys are made as finally planned.
    b.spec.insert(name.to_string(), planned);
    b.finished.insert(name.to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::resolve::PlannedForeignKey;

    fn table(name: &str, parents: &[&str]) -> Arc<PlannedTable> {
        Arc::new(PlannedTable {
            source: crate::schema::Table { name: name.into(), ..Default::default() },
            name: name.into(),
            foreign_keys: parents
                .iter()
                .map(|p| PlannedForeignKey {
                    name: format!("{name}_{p}_fkey"),
                    columns: vec![],
                    target_columns: vec![],
                    ref_source_table: p.to_string(),
                    ref_table: p.to_string(),
                    ref_columns: vec![],
                    on_update: Default::default(),
                    on_delete: Default::default(),
                    orphans: None,
                })
                .collect(),
            ..Default::default()
        })
    }

    fn names(v: Option<Vec<Arc<PlannedTable>>>) -> Option<Vec<String>> {
        v.map(|v| v.iter().map(|t| t.name.clone()).collect())
    }

    /// Waves for loading into existing tables: parents before children, a cycle last and
    /// together (it must not wait for itself), tables not loaded ignored.
    #[test]
    fn load_waves_put_parents_first_and_cycles_last() {
        let p = |edges: &[(&str, &[&str])]| -> BTreeMap<String, Vec<String>> { edges.iter().map(|(t, ps)| (t.to_string(), ps.iter().map(|s| s.to_string()).collect())).collect() };
        type Case = (BTreeMap<String, Vec<String>>, Vec<(&'static str, usize)>);
        let cases: Vec<Case> = vec![
            (p(&[("kid", &["par"]), ("par", &["gp"]), ("gp", &[])]), vec![("gp", 0), ("kid", 2), ("par", 1)]),
            (p(&[("a", &["b"]), ("b", &["a"]), ("c", &[])]), vec![("a", 1), ("b", 1), ("c", 0)]),
            (p(&[("x", &["y"]), ("y", &["x"]), ("z", &["x"])]), vec![("x", 0), ("y", 0), ("z", 0)]),
            (p(&[]), vec![]),
        ];
        for (parents, want) in cases {
            let got = load_waves(&parents);
            assert_eq!(got.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(), want, "{parents:?}");
        }
    }

    #[test]
    fn parents_come_first_and_cycles_are_found() {
        type Case = (Vec<Arc<PlannedTable>>, Option<Vec<&'static str>>);
        let cases: Vec<Case> = vec![
            (vec![table("kid", &["par"]), table("par", &["gp"]), table("gp", &[])], Some(vec!["gp", "par", "kid"])),
            // A parent that is not migrated (skipped) does not hold its children back.
            (vec![table("a", &["skipped"]), table("b", &["a"])], Some(vec!["a", "b"])),
            (vec![table("x", &["y"]), table("y", &["x"])], None),
            (vec![table("self", &["self"])], None),
            (vec![], Some(vec![])),
        ];
        for (tables, want) in cases {
            let got = names(parents_first(&tables));
            assert_eq!(got, want.map(|w| w.into_iter().map(String::from).collect::<Vec<_>>()));
        }
    }
}
