//! What changed in one table since the run: both sides read as `validate` reads them (the
//! source through the plan's conversion, the target cast to the same canonical text), and
//! paired by key as `validate` pairs them: on a target that keeps the order a table was
//! loaded in (PostgreSQL) as both sides come, neither sorted, else streamed in key order and
//! merged. Memory holds the changed rows and no more. A table without a key is compared as a
//! multiset of row hashes.

use crate::error::{FerryError, Result};
use crate::plan::resolve::PlannedTable;
use crate::validate::canonical::Row;
use crate::validate::ctx::Ctx;
use crate::validate::pairer::{Pairer, UNPAIRED_BYTES};
use crate::validate::read::{finish_pass, start_pass, SourceOutcome};
use crate::validate::spec::Spec;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

/// A source row whose target row differs, and the columns (positions in `Spec::cols`) that do.
pub(super) struct Update {
    pub(super) row: Row,
    pub(super) columns: Vec<usize>,
}

/// A Citus distributed table's distribution column, as its index in the compared columns.
pub(super) fn shard_column(t: &PlannedTable, spec: &Spec) -> Option<usize> {
    let name = t.distribution_column()?;
    spec.cols.iter().position(|(_, target, _, _)| target == name)
}

/// One table's changes.
pub(super) struct TableDiff {
    pub(super) t: Arc<PlannedTable>,
    pub(super) spec: Arc<Spec>,
    /// Source rows whose key the target lacks.
    pub(super) inserts: Vec<Row>,
    pub(super) updates: Vec<Update>,
    /// Target rows whose key the source lacks (only their key is used).
    pub(super) deletes: Vec<Row>,
    pub(super) unchanged: u64,
    pub(super) rows_source: u64,
    pub(super) rows_target: u64,
    /// No key, and the two multisets differ: the table is reloaded whole.
    pub(super) reload: bool,
    /// Rows the plan's conversion refuses (never sent to the target).
    pub(super) refused: SourceOutcome,
    /// Rows whose distribution column changed (moved to another tenant): Citus updates no
    /// distribution column ("modifying the partition value of rows is not allowed"), and a
    /// distributed table's keys include it, so each is an insert where it goes (parents
    /// first) and a delete where it was (children first), in `inserts` and `deletes`.
    pub(super) moved: u64,
    /// The distribution column (`shard_column`).
    shard: Option<usize>,
}

impl TableDiff {
    fn new(t: Arc<PlannedTable>, spec: Arc<Spec>) -> TableDiff {
        let shard = shard_column(&t, &spec);
        TableDiff { t, spec, inserts: vec![], updates: vec![], deletes: vec![], unchanged: 0, rows_source: 0, rows_target: 0, reload: false, refused: SourceOutcome::default(), moved: 0, shard }
    }

    /// `x` (the source's) differs from the target's `y` of the same key: an update, or where
    /// the distribution column differs, an insert and a delete.
    fn changed(&mut self, x: Row, y: &Row) {
        if self.shard.is_some_and(|i| x.get(i) != y.get(i)) {
            self.inserts.push(x);
            self.deletes.push(y.clone());
            self.moved += 1;
        } else {
            let columns = differing(&self.spec, &x, y);
            self.updates.push(Update { row: x, columns });
        }
    }

    pub(super) fn nothing_to_do(&self) -> bool {
        self.inserts.is_empty() && self.updates.is_empty() && self.deletes.is_empty() && !self.reload
    }
}

/// The columns whose values differ between two rows of the same key.
fn differing(spec: &Spec, x: &Row, y: &Row) -> Vec<usize> {
    (0..spec.cols.len()).filter(|&i| x.get(i) != y.get(i)).collect()
}

/// Finds a table's changes: by key in a streaming merge, or (no key) as multisets.
pub(super) async fn diff_table(ctx: Arc<Ctx>, t: Arc<PlannedTable>) -> Result<TableDiff> {
    let mut spec = Spec::new(&t);
    spec.choices = ctx.value_choices.get(&t.source.name).cloned().unwrap_or_default();
    let spec = Arc::new(spec);
    let mut d = TableDiff::new(t.clone(), spec.clone());
    if spec.key.is_empty() {
        multiset(&ctx, &mut d).await?;
        return Ok(d);
    }
    // PostgreSQL keeps a table Ferry loaded (and synced: a few rows moved) in the order it
    // was read: rows are paired as they come, and neither side sorts.
    if ctx.target.dialect.keeps_load_order() && in_load_order(&ctx, &mut d).await? {
        return Ok(d);
    }
    let (mut s, mut g, sh, th) = start_pass(&ctx, &t, &spec, true);
    let mut a = s.next().await;
    let mut b = g.next().await;
    let mut broken: Option<String> = None;
    let check = |prev: &Row, next: &Option<Row>, side: &str| spec.out_of_order(prev, next.as_ref(), side);
    loop {
        let Some(step) = spec.merge_step(a.as_ref(), b.as_ref()) else { break };
        if matches!(step, Ordering::Less | Ordering::Equal) {
            d.rows_source += 1;
        }
        if matches!(step, Ordering::Greater | Ordering::Equal) {
            d.rows_target += 1;
        }
        match step {
            Ordering::Less => {
                let next = s.next().await;
                let x = std::mem::replace(&mut a, next).expect("source row");
                broken = broken.or_else(|| check(&x, &a, "source"));
                d.inserts.push(x);
            }
            Ordering::Greater => {
                let next = g.next().await;
                let y = std::mem::replace(&mut b, next).expect("target row");
                broken = broken.or_else(|| check(&y, &b, "target"));
                d.deletes.push(y);
            }
            Ordering::Equal => {
                let (next_a, next_b) = (s.next().await, g.next().await);
                let x = std::mem::replace(&mut a, next_a).expect("source row");
                let y = std::mem::replace(&mut b, next_b).expect("target row");
                broken = broken.or_else(|| check(&x, &a, "source")).or_else(|| check(&y, &b, "target"));
                if x.same(&y) {
                    d.unchanged += 1;
                    s.done(x);
                } else {
                    d.changed(x, &y);
                }
                g.done(y);
            }
        }
        if broken.is_some() {
            break;
        }
    }
    drop((s, g));
    d.refused = finish_pass(sh, th).await?.0;
    if let Some(why) = broken {
        return Err(FerryError::Other(format!("the source and target orders of its {} disagreed ({why}), so its rows cannot be paired by key", spec.key_what)));
    }
    Ok(d)
}

/// Pairs the rows by key as both sides return them unsorted (`validate`'s pairing in load
/// order): a source row left without a partner is an insert, a target row a delete. `false`
/// (and `d` untouched) when the two orders disagree more than the pairer holds, or a key
/// repeats: the caller merges in key order instead.
async fn in_load_order(ctx: &Arc<Ctx>, d: &mut TableDiff) -> Result<bool> {
    let spec = d.spec.clone();
    let (mut s, mut g, sh, th) = start_pass(ctx, &d.t, &spec, false);
    let mut pairer = Pairer::new(spec.key.clone(), UNPAIRED_BYTES);
    // Filled here, and `d`'s only once the pairing held.
    let mut got = TableDiff::new(d.t.clone(), spec.clone());
    loop {
        let (a, b) = (s.next().await, g.next().await);
        if a.is_none() && b.is_none() {
            break;
        }
        got.rows_source += u64::from(a.is_some());
        got.rows_target += u64::from(b.is_some());
        // Most often the two rows are partners already.
        let pairs = match (a, b) {
            (Some(x), Some(y)) if x.keys_equal(&y, &spec.key) => [Some((x, y)), None],
            (a, b) => [a.and_then(|x| pairer.offer(true, x)), b.and_then(|y| pairer.offer(false, y))],
        };
        for (x, y) in pairs.into_iter().flatten() {
            if x.same(&y) {
                got.unchanged += 1;
                s.done(x);
            } else {
                got.changed(x, &y);
            }
            g.done(y);
        }
        if pairer.stuck() {
            break;
        }
    }
    drop((s, g));
    let (refused, _) = finish_pass(sh, th).await?;
    if pairer.stuck() {
        return Ok(false);
    }
    let (inserts, deletes) = pairer.unpaired(&spec);
    got.inserts.extend(inserts);
    got.deletes.extend(deletes);
    got.refused = refused;
    *d = got;
    Ok(true)
}

/// A table without a key: every row's hash counted on both sides; any difference reloads it.
async fn multiset(ctx: &Arc<Ctx>, d: &mut TableDiff) -> Result<()> {
    let (mut s, mut g, sh, th) = start_pass(ctx, &d.t, &d.spec, false);
    let mut counts: HashMap<[u8; 16], i64> = HashMap::new();
    let (mut s_done, mut g_done) = (false, false);
    while !(s_done && g_done) {
        tokio::select! {
            r = s.next(), if !s_done => match r {
                Some(r) => { d.rows_source += 1; *counts.entry(r.hash()).or_default() += 1; s.done(r); }
                None => s_done = true,
            },
            r = g.next(), if !g_done => match r {
                Some(r) => { d.rows_target += 1; *counts.entry(r.hash()).or_default() -= 1; g.done(r); }
                None => g_done = true,
            },
        }
    }
    d.refused = finish_pass(sh, th).await?.0;
    d.reload = counts.values().any(|n| *n != 0);
    if !d.reload {
        d.unchanged = d.rows_source;
    }
    Ok(())
}
