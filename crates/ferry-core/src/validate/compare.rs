//! Comparing: a table's rows paired by key (as loaded, else a merge in key order) or as
//! multisets of hashes.

use crate::plan::resolve::PlannedTable;
use crate::error::Result;
use crate::schema::LogicalType;
use serde_json::Value as J;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use super::aggregates::{aggregates_equal, Agg};
use super::canonical::{float_text, shown, Row};
use super::ctx::{Ctx, KEPT};
use super::pairer::{Pairer, UNPAIRED_BYTES};
use super::read::{finish_pass, start_pass, SourceOutcome};
use super::report::{ColumnCheck, Expected, Mismatch, MismatchKind, TableValidation};
use super::spec::Spec;

/// What a comparison found, before it is written into the table's entry.
#[derive(Default)]
struct Found {
    rows_source: u64,
    rows_target: u64,
    matched: u64,
    mismatches: Vec<Mismatch>,
    mismatches_total: u64,
    expected: Vec<Expected>,
    expected_total: u64,
    src_aggs: Vec<Agg>,
    tgt_aggs: Vec<Agg>,
    notes: Vec<String>,
}

impl Found {
    fn new(n: usize) -> Found {
        Found { src_aggs: vec![Agg::default(); n], tgt_aggs: vec![Agg::default(); n], ..Default::default() }
    }
    fn mismatch(&mut self, m: Mismatch) {
        self.mismatches_total += m.count;
        if self.mismatches.len() < KEPT {
            self.mismatches.push(m);
        }
    }
    fn expected(&mut self, e: Expected) {
        self.expected_total += 1;
        if self.expected.len() < KEPT {
            self.expected.push(e);
        }
    }
    /// A source row and the target row of the same key: matched, or each differing value named.
    fn pair(&mut self, spec: &Spec, x: &Row, y: &Row) {
        if x.same(y) {
            self.matched += 1;
            return;
        }
        let key = spec.key_json(x);
        for (i, c) in spec.cols.iter().enumerate() {
            if x.get(i) != y.get(i) {
                let show = |v: Option<&str>| if c.2 == LogicalType::Float { v.map(float_text) } else { shown(v) };
                self.mismatch(Mismatch { kind: MismatchKind::Value, row: key.clone(), column: Some(c.0.clone()), source: show(x.get(i)), target: show(y.get(i)), count: 1 });
            }
        }
    }
    /// A source row the target does not have: expected when the run reported it.
    fn missing(&mut self, ctx: &Ctx, table: &str, spec: &Spec, x: &Row) {
        let key = spec.key_json(x);
        match reported_reason(ctx, table, &key) {
            Some(reason) => self.expected(Expected { row: key, reason }),
            None => self.mismatch(Mismatch { kind: MismatchKind::MissingInTarget, row: key, column: None, source: None, target: None, count: 1 }),
        }
    }
    fn extra(&mut self, spec: &Spec, y: &Row) {
        self.mismatch(Mismatch { kind: MismatchKind::ExtraInTarget, row: spec.key_json(y), column: None, source: None, target: None, count: 1 });
    }
    /// The rows the source's reader refused (expected absent), and the rows it read in all.
    fn source_outcome(&mut self, out: SourceOutcome) {
        self.rows_source = out.rows;
        let refused = out.refused.len() as u64;
        for e in out.refused {
            self.expected(e);
        }
        self.expected_total += out.refused_total.saturating_sub(refused);
    }
    fn add_source(&mut self, spec: &Spec, r: &Row) {
        for (i, c) in spec.cols.iter().enumerate() {
            self.src_aggs[i].add(&c.2, r.get(i));
        }
    }
    fn add_target(&mut self, spec: &Spec, r: &Row) {
        for (i, c) in spec.cols.iter().enumerate() {
            self.tgt_aggs[i].add(&c.2, r.get(i));
        }
    }
}

/// The key orders of the two sides disagreed: the merge cannot pair rows.
struct OrderBroken(String);

/// Rows missing in the target that the run reported (or, for a multiset, that it counted).
fn reported_reason(ctx: &Ctx, table: &str, key: &J) -> Option<String> {
    let m = ctx.reported.get(table)?;
    m.get(&key.to_string()).map(|r| format!("reported by the run: {r}"))
}

/// Pairs rows by key as both sides return them unsorted: the source in its table order, the
/// target in its storage order. A table Ferry loaded into PostgreSQL is stored in the order
/// it was read, so nearly every row meets its partner at once, and neither database sorts.
/// `None`: the orders disagree more than `UNPAIRED_BYTES` holds, or a key repeats on one
/// side; the caller compares again in key order.
async fn compare_in_load_order(ctx: &Arc<Ctx>, t: &Arc<PlannedTable>, spec: &Arc<Spec>) -> Result<Option<Found>> {
    let (mut s, mut g, sh, th) = start_pass(ctx, t, spec, false);
    let mut f = Found::new(spec.cols.len());
    let mut pairer = Pairer::new(spec.key.clone(), UNPAIRED_BYTES);
    loop {
        let (a, b) = (s.next().await, g.next().await);
        if a.is_none() && b.is_none() {
            break;
        }
        if let Some(x) = &a {
            f.rows_source += 1;
            f.add_source(spec, x);
        }
        if let Some(y) = &b {
            f.rows_target += 1;
            f.add_target(spec, y);
        }
        // Most often the two rows are partners already.
        let pairs = match (a, b) {
            (Some(x), Some(y)) if x.keys_equal(&y, &spec.key) => [Some((x, y)), None],
            (a, b) => [a.and_then(|x| pairer.offer(true, x)), b.and_then(|y| pairer.offer(false, y))],
        };
        for (x, y) in pairs.into_iter().flatten() {
            f.pair(spec, &x, &y);
            s.done(x);
            g.done(y);
        }
        if pairer.stuck() {
            break;
        }
    }
    drop((s, g));
    let (out, _) = finish_pass(sh, th).await?;
    if pairer.stuck() {
        return Ok(None);
    }
    let (missing, extra) = pairer.unpaired(spec);
    let table = t.source.name.as_str();
    for x in &missing {
        f.missing(ctx, table, spec, x);
    }
    for y in &extra {
        f.extra(spec, y);
    }
    f.source_outcome(out);
    Ok(Some(f))
}

/// The streaming merge in key order.
async fn compare_keyed(ctx: &Arc<Ctx>, t: &Arc<PlannedTable>, spec: &Arc<Spec>) -> Result<std::result::Result<Found, OrderBroken>> {
    let (mut s, mut g, sh, th) = start_pass(ctx, t, spec, true);
    let mut f = Found::new(spec.cols.len());
    let table = t.source.name.clone();
    let mut a = s.next().await;
    let mut b = g.next().await;
    let mut broken: Option<String> = None;
    let check = |prev: &Option<Row>, next: &Option<Row>, side: &str| prev.as_ref().and_then(|p| spec.out_of_order(p, next.as_ref(), side));
    loop {
        let Some(step) = spec.merge_step(a.as_ref(), b.as_ref()) else { break };
        if matches!(step, Ordering::Less | Ordering::Equal) {
            let x = a.as_ref().expect("source row");
            f.rows_source += 1;
            f.add_source(spec, x);
        }
        if matches!(step, Ordering::Greater | Ordering::Equal) {
            let y = b.as_ref().expect("target row");
            f.rows_target += 1;
            f.add_target(spec, y);
        }
        match step {
            Ordering::Less => f.missing(ctx, &table, spec, a.as_ref().expect("source row")),
            Ordering::Greater => f.extra(spec, b.as_ref().expect("target row")),
            Ordering::Equal => {
                let (x, y) = (a.as_ref().expect("source row"), b.as_ref().expect("target row"));
                f.pair(spec, x, y);
            }
        }
        if matches!(step, Ordering::Less | Ordering::Equal) {
            let next = s.next().await;
            broken = broken.or_else(|| check(&a, &next, "source"));
            if let Some(x) = std::mem::replace(&mut a, next) {
                s.done(x);
            }
        }
        if matches!(step, Ordering::Greater | Ordering::Equal) {
            let next = g.next().await;
            broken = broken.or_else(|| check(&b, &next, "target"));
            if let Some(y) = std::mem::replace(&mut b, next) {
                g.done(y);
            }
        }
        if broken.is_some() {
            break;
        }
    }
    drop((s, g));
    let (out, _) = finish_pass(sh, th).await?;
    if let Some(why) = broken {
        return Ok(Err(OrderBroken(why)));
    }
    f.source_outcome(out);
    Ok(Ok(f))
}

/// Keyless tables: every row's hash counted on both sides; the hashes left over are the
/// rows one side has more of, fetched again (up to `KEPT`) to be shown.
async fn compare_multiset(ctx: &Arc<Ctx>, t: &Arc<PlannedTable>, spec: &Arc<Spec>) -> Result<Found> {
    let (mut s, mut g, sh, th) = start_pass(ctx, t, spec, false);
    let mut f = Found::new(spec.cols.len());
    let mut counts: HashMap<[u8; 16], i64> = HashMap::new();
    let (mut s_done, mut g_done) = (false, false);
    while !(s_done && g_done) {
        tokio::select! {
            r = s.next(), if !s_done => match r {
                Some(r) => { f.rows_source += 1; f.add_source(spec, &r); *counts.entry(r.hash()).or_default() += 1; s.done(r); }
                None => s_done = true,
            },
            r = g.next(), if !g_done => match r {
                Some(r) => { f.rows_target += 1; f.add_target(spec, &r); *counts.entry(r.hash()).or_default() -= 1; g.done(r); }
                None => g_done = true,
            },
        }
    }
    let (out, _) = finish_pass(sh, th).await?;
    counts.retain(|_, n| *n != 0);
    let surplus: i64 = counts.values().filter(|n| **n > 0).sum();
    f.matched = f.rows_source.saturating_sub(surplus as u64);
    let differing: u64 = counts.values().map(|n| n.unsigned_abs()).sum();
    f.source_outcome(out);
    if counts.is_empty() {
        return Ok(f);
    }
    // The rows behind the differing hashes, from whichever side has them.
    let mut wanted: HashMap<[u8; 16], i64> = counts.iter().take(2 * KEPT).map(|(h, n)| (*h, *n)).collect();
    let (mut s, mut g, sh, th) = start_pass(ctx, t, spec, false);
    let mut found: Vec<(Row, i64)> = vec![];
    while let Some(r) = s.next().await {
        let h = r.hash();
        if wanted.get(&h).is_some_and(|n| *n > 0) {
            let n = wanted.remove(&h).unwrap_or(0);
            found.push((r, n));
        }
    }
    while let Some(r) = g.next().await {
        let h = r.hash();
        if wanted.get(&h).is_some_and(|n| *n < 0) {
            let n = wanted.remove(&h).unwrap_or(0);
            found.push((r, n));
        }
    }
    finish_pass(sh, th).await?;
    // Rows missing from the target are expected up to the number the run reported rejected.
    let mut excused = ctx.reported_total.get(&t.source.name).copied().unwrap_or(0);
    let mut accounted = 0u64;
    for (r, n) in found {
        accounted += n.unsigned_abs();
        let row = spec.key_json(&r);
        if n > 0 {
            let take = (n as u64).min(excused);
            excused -= take;
            for _ in 0..take {
                f.expected(Expected { row: row.clone(), reason: "the run reported rejected rows for this table (a table without a key is matched by count)".into() });
            }
            if (n as u64) > take {
                f.mismatch(Mismatch { kind: MismatchKind::MissingInTarget, row, column: None, source: None, target: None, count: n as u64 - take });
            }
        } else {
            f.mismatch(Mismatch { kind: MismatchKind::ExtraInTarget, row, column: None, source: None, target: None, count: n.unsigned_abs() });
        }
    }
    // Differences beyond the rows fetched to show them still count.
    f.mismatches_total += differing.saturating_sub(accounted);
    Ok(f)
}

pub(super) async fn validate_table(ctx: Arc<Ctx>, t: Arc<PlannedTable>) -> TableValidation {
    let started = std::time::Instant::now();
    let mut spec = Spec::new(&t);
    spec.choices = ctx.value_choices.get(&t.source.name).cloned().unwrap_or_default();
    let spec = Arc::new(spec);
    let mut tv = TableValidation { table: t.source.name.clone(), target: t.name.clone(), ..Default::default() };
    let generated: Vec<&str> = t.columns.iter().filter(|c| c.generated_sql.is_some()).map(|c| c.source.as_str()).collect();
    if !generated.is_empty() {
        let (what, verb) = if generated.len() == 1 { ("generated column", "is") } else { ("generated columns", "are") };
        tv.notes.push(format!("{what} {} {verb} not compared: the target computes them", generated.join(", ")));
    }
    let result = if spec.key.is_empty() {
        tv.method = "multiset".into();
        tv.notes.push("no primary key or NOT NULL UNIQUE: compared as multisets of row hashes (a changed row shows as one missing and one extra)".into());
        compare_multiset(&ctx, &t, &spec).await
    } else {
        tv.method = "key".into();
        tv.key = spec.key_names();
        // PostgreSQL keeps a table Ferry loaded in the order it was read: pair the rows as
        // they come. InnoDB returns them in primary key order: both sides sorted by the key.
        let unsorted = if ctx.target.dialect.keeps_load_order() { compare_in_load_order(&ctx, &t, &spec).await } else { Ok(None) };
        let keyed = match unsorted {
            Ok(Some(f)) => Ok(Ok(f)),
            Ok(None) => compare_keyed(&ctx, &t, &spec).await,
            Err(e) => Err(e),
        };
        match keyed {
            Ok(Ok(f)) => Ok(f),
            Ok(Err(OrderBroken(why))) => {
                tv.method = "multiset".into();
                tv.key.clear();
                tv.notes.push(format!("the source and target orders of the {} disagreed ({why}): compared as multisets of row hashes", spec.key_what));
                compare_multiset(&ctx, &t, &spec).await
            }
            Err(e) => Err(e),
        }
    };
    match result {
        Ok(f) => {
            tv.rows_source = f.rows_source;
            tv.rows_target = f.rows_target;
            tv.rows_matched = f.matched;
            tv.mismatches = f.mismatches;
            tv.mismatches_total = f.mismatches_total;
            tv.expected = f.expected;
            tv.expected_total = f.expected_total;
            tv.notes.extend(f.notes);
            for (i, (src, tgt, ty, _)) in spec.cols.iter().enumerate() {
                let (a, b) = (f.src_aggs[i].finish(ty), f.tgt_aggs[i].finish(ty));
                let equal = aggregates_equal(ty, &a, &b);
                tv.columns.push(ColumnCheck { column: src.clone(), target_column: tgt.clone(), logical: ty.label(), source: a, target: b, equal });
            }
        }
        Err(e) => tv.error = Some(e.to_string()),
    }
    tv.seconds = started.elapsed().as_secs_f64();
    tv
}
