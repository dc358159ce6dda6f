//! `[[production]]` proposals of kind `partition` (see mod.rs): range partitions of a large,
//! time-keyed, append-only table by month or year, one partition per period of the span the
//! data covers and a catch-all for the rest.
//!
//! Parameters: `columns` (the one time column: a date or timestamp in the plan, or an integer
//! holding seconds or milliseconds since 1970), `using` (`month` or `year`), `span` (the first
//! and last period: `["2024-01", "2025-02"]`, `["2024", "2025"]`).
//!
//! What is proposed: tables of at least `MIN_ROWS` rows with a time column, whose name says
//! they record what happened (logs, events, metrics, history) and whose shape says they are
//! appended to (no `updated_at`-like column), or any table past the size at which
//! partitioning pays (`ACCEPT_ROWS` rows or `ACCEPT_BYTES`). Accepted only past that size, when
//! nothing references the table, its time column holds no NULL, its unique keys other than
//! the primary key need not be widened, and the target keeps its foreign keys.
//!
//! What it does to the planned table: the primary key (and every unique key) widened with the
//! partition key, as both targets require; the foreign keys other tables have to it left off
//! (a key to a partitioned table must reference a unique key that includes the partition
//! key), and on a target whose partitioned tables take no foreign keys (InnoDB) its own too,
//! each said as a warning.

use super::proposal::{Proposal, ProposalKind};
use crate::dialect::{derived_name, Dialect, Names};
use crate::error::{FerryError, Result};
use crate::events::Warning;
use crate::plan::model::Plan;
use crate::plan::planned::{table_mut, PartitionBound, PartitionRange, PlannedPart, PlannedPartition, PlannedTable};
use crate::schema::{ColumnProfile, LogicalType, Schema, Table};
use crate::value::{group_thousands, plural};
use chrono::{Datelike, NaiveDate};
use std::path::Path;

/// Past this many rows (or `ACCEPT_BYTES`), partitions pay: a period's rows are dropped with
/// their partition instead of deleted row by row, and a query on a period reads its own.
pub const ACCEPT_ROWS: u64 = 1_000_000;
pub const ACCEPT_BYTES: u64 = 1 << 30;
/// Below this many rows a table is not worth a proposal at all.
pub const MIN_ROWS: u64 = 1_000;
/// Spans up to this many months go by month; longer ones by year.
pub const MONTHS_BY_MONTH: i64 = 36;
/// The most partitions a proposal may make (MySQL's limit is 8,192; thousands of partitions
/// slow PostgreSQL's planning).
pub const MAX_PARTITIONS: i64 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Month,
    Year,
}

impl Interval {
    pub fn parse(s: &str) -> Option<Interval> {
        match s.trim().to_ascii_lowercase().as_str() {
            "month" => Some(Interval::Month),
            "year" => Some(Interval::Year),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Interval::Month => "month",
            Interval::Year => "year",
        }
    }
    fn step(self) -> i64 {
        match self {
            Interval::Month => 1,
            Interval::Year => 12,
        }
    }
    /// The interval for a span of `months` months.
    pub fn for_span(months: i64) -> Interval {
        if months <= MONTHS_BY_MONTH { Interval::Month } else { Interval::Year }
    }
}

/// A calendar month, counted from January of year 0.
type Period = i64;

fn period(y: i32, m: u32) -> Period {
    y as i64 * 12 + (m as i64 - 1)
}

fn year_month(p: Period) -> (i32, u32) {
    (p.div_euclid(12) as i32, (p.rem_euclid(12) + 1) as u32)
}

fn first_day(p: Period) -> Option<NaiveDate> {
    let (y, m) = year_month(p);
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// A span entry: `YYYY-MM` by month, `YYYY` by year (a year's period is its January).
pub fn parse_period(s: &str, interval: Interval) -> Option<Period> {
    let s = s.trim();
    let year = |y: &str| (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())).then(|| y.parse::<i32>().ok()).flatten().filter(|y| *y >= 1);
    match interval {
        Interval::Year => Some(period(year(s)?, 1)),
        Interval::Month => {
            let (y, m) = s.split_once('-')?;
            let m: u32 = (m.len() == 2 && m.bytes().all(|b| b.is_ascii_digit())).then(|| m.parse().ok()).flatten()?;
            if !(1..=12).contains(&m) {
                return None;
            }
            Some(period(year(y)?, m))
        }
    }
}

/// A period as the span spells it.
pub fn period_text(p: Period, interval: Interval) -> String {
    let (y, m) = year_month(p);
    match interval {
        Interval::Month => format!("{y:04}-{m:02}"),
        Interval::Year => format!("{y:04}"),
    }
}

/// A partition's label: `y2024m01` by month, `y2024` by year.
fn label(p: Period, interval: Interval) -> String {
    let (y, m) = year_month(p);
    match interval {
        Interval::Month => format!("y{y:04}m{m:02}"),
        Interval::Year => format!("y{y:04}"),
    }
}

/// How an integer time column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpochUnit {
    Seconds,
    Millis,
}

impl EpochUnit {
    /// The unit the smallest and largest values are in, when both read as instants between
    /// 1973 and 2100 in it; None when they are not times.
    pub fn of(min: i64, max: i64) -> Option<EpochUnit> {
        let within = |lo: i64, hi: i64| (lo..=hi).contains(&min) && (lo..=hi).contains(&max);
        if within(100_000_000, 4_102_444_800) {
            Some(EpochUnit::Seconds)
        } else if within(100_000_000_000, 4_102_444_800_000) {
            Some(EpochUnit::Millis)
        } else {
            None
        }
    }
    fn per_second(self) -> i64 {
        match self {
            EpochUnit::Seconds => 1,
            EpochUnit::Millis => 1000,
        }
    }
    fn words(self) -> &'static str {
        match self {
            EpochUnit::Seconds => "seconds since 1970",
            EpochUnit::Millis => "milliseconds since 1970",
        }
    }
    fn at(self, d: NaiveDate) -> i64 {
        d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp() * self.per_second()
    }
    fn date(self, n: i64) -> Option<NaiveDate> {
        chrono::DateTime::from_timestamp(n.div_euclid(self.per_second()), 0).map(|t| t.date_naive())
    }
}

/// The periods of a span, one per partition: from `start` to `end` (both included), a year's
/// from its January.
pub fn periods(start: Period, end: Period, interval: Interval) -> Vec<Period> {
    let step = interval.step();
    let (start, end) = (start - start.rem_euclid(step), end - end.rem_euclid(step));
    (0..).map(|i| start + i * step).take_while(|p| *p <= end).collect()
}

/// The ranges of a table's partitions; `name` makes each one's table name (PostgreSQL's).
pub fn ranges(start: Period, end: Period, interval: Interval, bound: impl Fn(NaiveDate) -> PartitionBound, mut name: impl FnMut(&str) -> String) -> Vec<PartitionRange> {
    periods(start, end, interval)
        .into_iter()
        .filter_map(|p| {
            let (from, to) = (first_day(p)?, first_day(p + interval.step())?);
            let l = label(p, interval);
            Some(PartitionRange { name: name(&l), label: l, from: bound(from), to: bound(to) })
        })
        .collect()
}

/// A proposal's parameters, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub column: String,
    pub interval: Interval,
    pub start: Period,
    pub end: Period,
}

/// Reads `columns`, `using` and `span`, or says what is wrong with them.
pub fn params(p: &Proposal) -> std::result::Result<Params, String> {
    let [column] = p.columns.as_slice() else {
        return Err(format!("a partition takes one time column (columns = [\"created_at\"]), not {}", p.columns.len()));
    };
    let Some(using) = p.using.as_deref() else {
        return Err("using is missing: the partition interval, month or year".into());
    };
    let Some(interval) = Interval::parse(using) else {
        return Err(format!("using = {using:?} is not a partition interval: month or year"));
    };
    let example = match interval {
        Interval::Month => "span = [\"2024-01\", \"2025-02\"]",
        Interval::Year => "span = [\"2024\", \"2025\"]",
    };
    let [a, b] = p.span.as_slice() else {
        return Err(format!("span must name the first and last {} the partitions cover ({example})", interval.name()));
    };
    let form = match interval {
        Interval::Month => "YYYY-MM",
        Interval::Year => "YYYY",
    };
    let read = |s: &str| parse_period(s, interval).ok_or_else(|| format!("span {s:?} is not a {} ({form}, as in {example})", interval.name()));
    let (start, end) = (read(a)?, read(b)?);
    if start > end {
        return Err(format!("span starts at {a} after it ends at {b}"));
    }
    let n = periods(start, end, interval).len() as i64;
    if n > MAX_PARTITIONS {
        return Err(format!("span {a} to {b} by {} makes {} partitions: at most {MAX_PARTITIONS} (partition by year, or name a shorter span)", interval.name(), group_thousands(n as u64)));
    }
    Ok(Params { column: column.clone(), interval, start, end })
}

/// How the values of a time column run, from the profile.
#[derive(Debug, Clone, PartialEq)]
struct Span {
    first: NaiveDate,
    last: NaiveDate,
    /// Set for an integer column: the unit its values count in.
    epoch: Option<EpochUnit>,
}

impl Span {
    fn of(profile: &ColumnProfile, integer_column: bool) -> Option<Span> {
        let text_date = |s: &str| crate::value::parse_iso_timestamp(s).map(|i| i.micros().date()).or_else(|| crate::value::parse_iso_date(s.trim()));
        if profile.texts > 0 && profile.integers == 0 && profile.reals == 0 && !integer_column {
            return Some(Span { first: text_date(profile.min_text.as_deref()?)?, last: text_date(profile.max_text.as_deref()?)?, epoch: None });
        }
        if profile.integers > 0 && profile.texts == 0 && profile.reals == 0 {
            let (lo, hi) = (profile.min_integer?, profile.max_integer?);
            let unit = EpochUnit::of(lo, hi)?;
            return Some(Span { first: unit.date(lo)?, last: unit.date(hi)?, epoch: integer_column.then_some(unit) });
        }
        None
    }
    fn months(&self) -> i64 {
        period(self.last.year(), self.last.month()) - period(self.first.year(), self.first.month()) + 1
    }
}

/// Whether a column's name says it holds when the row happened (lower: better), or None.
fn time_rank(name: &str) -> Option<u8> {
    let n = name.to_ascii_lowercase();
    const NEVER: [&str; 10] = ["updated", "modified", "deleted", "expires", "expiry", "last_", "valid_to", "finished", "processed", "ended"];
    if NEVER.iter().any(|w| n.starts_with(w)) {
        return None;
    }
    const FIRST: [&str; 8] = ["created", "inserted", "occurred", "recorded", "logged", "happened", "event_time", "timestamp"];
    if FIRST.iter().any(|w| n.starts_with(w)) {
        return Some(0);
    }
    const ENDS: [&str; 8] = ["_at", "_time", "_ts", "_date", "_on", "time", "date", "ts"];
    ENDS.iter().any(|w| n.ends_with(w)).then_some(1)
}

/// Whether a table's name says it records what happened.
fn event_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["log", "event", "audit", "metric", "history", "activity", "trace", "journal", "measurement", "reading", "telemetry", "ledger", "click", "visit"].iter().any(|w| n.contains(w))
}

/// The column that says a row is changed after it is written, if the table has one.
fn updated_column(t: &Table) -> Option<&str> {
    t.columns.iter().map(|c| c.name.as_str()).find(|n| {
        let n = n.to_ascii_lowercase();
        ["updated", "modified", "deleted", "last_"].iter().any(|w| n.starts_with(w))
    })
}

/// `text` with its first letter in capitals.
fn sentence(text: &str) -> String {
    let mut c = text.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}


/// The table's size on disk and how it was found: SQLite's `dbstat` (the pages of its b-tree),
/// else its row count times the average length of its values over its first 1,000 rows.
fn table_bytes(conn: &rusqlite::Connection, t: &Table) -> Option<(u64, String)> {
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    if let Ok(n) = conn.query_row("SELECT sum(pgsize) FROM dbstat WHERE name = ?1", [&t.name], |r| r.get::<_, Option<i64>>(0)) {
        return Some((n.unwrap_or(0).max(0) as u64, "its pages, by SQLite's dbstat".into()));
    }
    let lens: Vec<String> = t.columns.iter().filter(|c| c.generated.is_none()).map(|c| format!("coalesce(length(CAST({} AS BLOB)), 0)", q(&c.name))).collect();
    if lens.is_empty() {
        return None;
    }
    let sql = format!("SELECT avg(n) FROM (SELECT {} AS n FROM {} LIMIT 1000)", lens.join(" + "), q(&t.name));
    let avg: f64 = conn.query_row(&sql, [], |r| r.get::<_, Option<f64>>(0)).ok()??;
    Some(((avg * t.row_count as f64) as u64, format!("{} rows × {avg:.0} bytes, the average length of a row's values over its first 1,000 rows (no dbstat in this SQLite)", group_thousands(t.row_count))))
}

/// The tables (and their columns) whose foreign keys reference `table`, among those the plan
/// carries: `order_items (order_id)`.
fn referenced_by(schema: &Schema, plan: &Plan, table: &str) -> Vec<String> {
    let carried = |n: &str| plan.table(n).is_none_or(|tp| !tp.skip);
    schema
        .tables
        .iter()
        .filter(|o| carried(&o.name))
        .flat_map(|o| o.foreign_keys.iter().filter(|fk| fk.ref_table.eq_ignore_ascii_case(table)).map(move |fk| format!("{} ({})", o.name, fk.columns.join(", "))))
        .collect()
}

/// The proposals for this schema; `conn` reads the source (`path` names it in messages).
pub fn propose(schema: &Schema, plan: &Plan, dialect: Dialect, conn: &rusqlite::Connection, _path: &Path) -> Result<Vec<Proposal>> {
    let mut out = vec![];
    for t in &schema.tables {
        let Some(tp) = plan.table(&t.name).filter(|tp| !tp.skip) else { continue };
        if t.fts.is_some() || t.row_count < MIN_ROWS {
            continue;
        }
        // The time column: a date or timestamp in the plan (or epoch integers under a time
        // name), the one with no NULL and the likeliest name first.
        let mut best: Option<(bool, u8, &crate::schema::Column, Span)> = None;
        for c in &t.columns {
            let (Some(rank), Some(profile), Some(cp)) = (time_rank(&c.name), c.profile.as_ref(), tp.columns.iter().find(|x| x.source == c.name)) else { continue };
            let integer = match cp.logical(dialect) {
                Ok(LogicalType::Timestamp { .. } | LogicalType::Date) => false,
                Ok(LogicalType::Integer { .. }) => true,
                _ => continue,
            };
            let Some(span) = Span::of(profile, integer) else { continue };
            let key = (profile.nulls > 0, rank);
            if best.as_ref().is_none_or(|(n, r, _, _)| key < (*n, *r)) {
                best = Some((key.0, key.1, c, span));
            }
        }
        let Some((has_nulls, _, col, span)) = best else { continue };
        let (bytes, how) = table_bytes(conn, t).unwrap_or((0, "unknown".into()));
        let large = t.row_count >= ACCEPT_ROWS || bytes >= ACCEPT_BYTES;
        let updated = updated_column(t);
        if !large && !(event_like(&t.name) && updated.is_none()) {
            continue;
        }
        let refs = referenced_by(schema, plan, &t.name);
        let months = span.months();
        let interval = Interval::for_span(months);
        let (start, end) = (period(span.first.year(), span.first.month()), period(span.last.year(), span.last.month()));
        let target = tp.target.as_str();
        let bound = |d: NaiveDate| match span.epoch {
            Some(u) => PartitionBound::Epoch(u.at(d)),
            None => PartitionBound::Date(d),
        };
        let rs = ranges(start, end, interval, bound, |l| derived_name(dialect, &[target], l));
        let n_parts = rs.len();
        let col_target = tp.columns.iter().find(|x| x.source == col.name).map(|x| x.target.clone()).unwrap_or_else(|| col.name.clone());
        let spec = PlannedPartition { column: col_target.clone(), ranges: rs, default_name: derived_name(dialect, &[target], "default") };
        let pk_source: Vec<String> = t.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default();
        let tcol = |s: &str| tp.columns.iter().find(|x| x.source.eq_ignore_ascii_case(s)).map(|x| x.target.clone()).unwrap_or_else(|| s.to_string());
        let mut pk: Vec<String> = pk_source.iter().map(|c| tcol(c)).collect();
        let pk_widened = !pk.is_empty() && !pk.iter().any(|c| *c == col_target);
        if pk_widened {
            pk.push(col_target.clone());
        }
        let logical = tp.columns.iter().find(|x| x.source == col.name).and_then(|x| x.logical(dialect).ok()).unwrap_or(LogicalType::Date);
        let nulls = col.profile.as_ref().map_or(0, |p| p.nulls);
        let unique_widened: Vec<String> = t
            .uniques
            .iter()
            .filter(|u| !u.columns.iter().any(|c| c.eq_ignore_ascii_case(&col.name)))
            .map(|u| format!("UNIQUE ({})", u.columns.join(", ")))
            .chain(t.indexes.iter().filter(|ix| ix.unique).map(|ix| format!("unique index {}", ix.name)))
            .collect();
        let fks_lost = !dialect.partitioned_keeps_foreign_keys() && !t.foreign_keys.is_empty();
        let span_words = match span.epoch {
            Some(u) => format!("{} ({}) from {} to {}", col.name, u.words(), span.first, span.last),
            None => format!("{} from {} to {}", col.name, span.first, span.last),
        };
        let shape = match (refs.is_empty(), updated) {
            (true, None) => "append-only by its shape (no updated_at-like column) and no table references it".to_string(),
            (true, Some(u)) => format!("no table references it (its rows change: it has {u})"),
            (false, _) => format!("referenced by {}", refs.join(", ")),
        };
        let evidence = format!(
            "{} rows, {} ({how}); {span_words}: {}, {} by {} and a default one; {shape}",
            group_thousands(t.row_count),
            crate::value::human_bytes(bytes),
            plural(months as u64, "month", "months"),
            plural(n_parts as u64, "partition", "partitions"),
            interval.name(),
        );
        let mut notes = vec![];
        if !large {
            notes.push(format!(
                "small today ({} rows, {}): worth it once the table passes {} rows or {}, when a period's rows go with their partition (DROP TABLE / DROP PARTITION instead of a DELETE over millions of rows) and a query on a period reads only its own",
                group_thousands(t.row_count),
                crate::value::human_bytes(bytes),
                group_thousands(ACCEPT_ROWS),
                crate::value::human_bytes(ACCEPT_BYTES)
            ));
        }
        if !refs.is_empty() {
            notes.push(if dialect.partitioned_keeps_foreign_keys() {
                format!(
                    "referenced by {}: a PostgreSQL partitioned table's unique keys must include the partition key, so its key becomes ({}) and those foreign keys must be dropped or widened with {} in the referencing tables; accepted, they are left off (each a warning)",
                    refs.join(", "),
                    pk.join(", "),
                    col.name
                )
            } else {
                format!("referenced by {}: InnoDB partitioned tables take no foreign keys at all, in or out; accepted, those keys are left off (each a warning)", refs.join(", "))
            });
        }
        if pk_widened {
            notes.push(format!(
                "the primary key becomes ({}): a partitioned table's unique keys must include the partition key, so ({}) alone is no longer enforced unique (it is in the data today)",
                pk.join(", "),
                pk_source.iter().map(|c| tcol(c)).collect::<Vec<_>>().join(", ")
            ));
        }
        if !unique_widened.is_empty() {
            notes.push(format!("{} widened with {}: unique within each instant only", unique_widened.join(", "), col.name));
        }
        if has_nulls {
            notes.push(format!(
                "the column {} is NULL in {}: such rows {}{}",
                col.name,
                plural(nulls, "row", "rows"),
                if dialect.partitioned_keeps_foreign_keys() { "land in the DEFAULT partition" } else { "land in the first partition" },
                if pk_widened { ", and the primary key that now includes the column refuses them" } else { "" }
            ));
        }
        if fks_lost {
            let fks: Vec<String> = t.foreign_keys.iter().map(|fk| format!("({}) → {}", fk.columns.join(", "), fk.ref_table)).collect();
            notes.push(format!("InnoDB partitioned tables take no foreign keys: {} left off (each a warning)", fks.join(", ")));
        } else if !t.foreign_keys.is_empty() {
            notes.push("its foreign keys are checked as they are made (PostgreSQL adds no NOT VALID key to a partitioned table): one its rows do not all satisfy is left off, with a warning".into());
        }
        notes.push(format!("{}; extend the span (and add partitions later) as time goes on", dialect.partition_catch_all_words()));
        let accept = large && refs.is_empty() && !has_nulls && !fks_lost && unique_widened.is_empty();
        let mut p = Proposal::new(&t.name, ProposalKind::Partition, evidence);
        p.accept = accept;
        p.columns = vec![col.name.clone()];
        p.using = Some(interval.name().into());
        p.span = vec![period_text(start, interval), period_text(end, interval)];
        p.sql = dialect.partition_sql(target, &pk, &spec, &logical);
        p.note = Some(notes.iter().map(|n| sentence(n)).collect::<Vec<_>>().join(". "));
        out.push(p);
    }
    Ok(out)
}

/// What is wrong with one proposal's parameters.
pub fn check(p: &Proposal, plan: &Plan, schema: &Schema) -> Vec<String> {
    let mut out = vec![];
    let params = match params(p) {
        Ok(x) => x,
        Err(e) => return vec![e],
    };
    let Some(t) = schema.table(&p.table) else { return out };
    let Some(c) = t.column(&params.column) else { return out };
    let Some(cp) = plan.table(&t.name).and_then(|tp| tp.columns.iter().find(|x| x.source == c.name)) else { return out };
    match cp.logical(plan.dialect) {
        Ok(LogicalType::Timestamp { .. } | LogicalType::Date) => {}
        Ok(LogicalType::Integer { .. }) => {
            let range = c.profile.as_ref().and_then(|pr| Some((pr.min_integer?, pr.max_integer?)));
            if let Some((lo, hi)) = range.filter(|(lo, hi)| EpochUnit::of(*lo, *hi).is_none()) {
                out.push(format!("column {}.{} holds {lo} to {hi}: not seconds or milliseconds since 1970, so not a time to partition by", t.name, c.name));
            }
        }
        Ok(_) => out.push(format!("column {}.{} is planned as {}: partitions are by a date, timestamp or integer time column", t.name, c.name, cp.target_type)),
        Err(_) => {}
    }
    if t.fts.is_some() && !plan.dialect.partitioned_full_text() {
        out.push(format!("{} is searched with a FULLTEXT index, which {} partitioned tables cannot have", t.name, plan.dialect.name()));
    }
    let partitions = plan.production.iter().filter(|q| q.accept && q.kind == Some(ProposalKind::Partition) && q.table.eq_ignore_ascii_case(&p.table)).count();
    if p.accept && partitions > 1 {
        out.push(format!("{} accepted partition proposals for {}: a table is partitioned one way", partitions, t.name));
    }
    out
}

/// One accepted proposal applied to the planned tables.
pub fn apply(p: &Proposal, tables: &mut [PlannedTable], schema: &Schema, dialect: Dialect, names: &mut Names) -> Result<()> {
    let unreadable = |detail: String| FerryError::PlanUnreadable { path: "[[production]]".into(), detail: format!("partition of {}: {detail}", p.table) };
    let params = params(p).map_err(unreadable)?;
    let Some(t) = table_mut(tables, &p.table) else { return Ok(()) };
    let Some(col) = t.column(&params.column).cloned() else {
        return Err(unreadable(format!("column {:?} is not in the plan", params.column)));
    };
    let bound: Box<dyn Fn(NaiveDate) -> PartitionBound> = match col.logical {
        LogicalType::Timestamp { .. } | LogicalType::Date => Box::new(PartitionBound::Date),
        LogicalType::Integer { .. } => {
            let profile = schema.table(&p.table).and_then(|s| s.column(&col.source)).and_then(|c| c.profile.as_ref());
            let unit = profile.and_then(|pr| EpochUnit::of(pr.min_integer?, pr.max_integer?)).unwrap_or(EpochUnit::Seconds);
            Box::new(move |d| PartitionBound::Epoch(unit.at(d)))
        }
        _ => return Err(unreadable(format!("column {} is planned as {}: partitions are by a date, timestamp or integer time column", col.source, col.type_sql))),
    };
    let table = t.name.clone();
    let source = t.source.name.clone();
    let ranges = ranges(params.start, params.end, params.interval, bound, |l| names.take(&derived_name(dialect, &[&table], l)));
    let default_name = names.take(&derived_name(dialect, &[&table], "default"));
    let key = col.name.clone();
    let note = |t: &mut PlannedTable, object: String, reason: String| t.notes.push(Warning { table: Some(source.clone()), object, reason });
    let warn = |t: &mut PlannedTable, object: String, reason: String| t.warnings.push(Warning { table: Some(source.clone()), object, reason });
    if let Some((_, cols)) = t.primary_key.as_mut() {
        if !cols.contains(&key) {
            let was = cols.join(", ");
            cols.push(key.clone());
            let now = cols.join(", ");
            note(t, "primary key".into(), format!("({was}) made ({now}): a partitioned table's unique keys include its partition key"));
        }
    }
    let mut widened = vec![];
    for (name, cols) in t.uniques.iter_mut().filter(|(_, c)| !c.contains(&key)) {
        widened.push((format!("UNIQUE {name}"), cols.join(", ")));
        cols.push(key.clone());
    }
    for ix in t.indexes.iter_mut().filter(|ix| ix.unique && !ix.parts.iter().any(|x| matches!(x, PlannedPart::Column { name, .. } if *name == key))) {
        let was: Vec<String> = ix.parts.iter().map(|x| match x {
            PlannedPart::Column { name, .. } => name.clone(),
            PlannedPart::Expr { sql, .. } => sql.clone(),
        }).collect();
        widened.push((format!("unique index {}", ix.name), was.join(", ")));
        ix.parts.push(PlannedPart::Column { name: key.clone(), desc: false });
    }
    for (object, was) in widened {
        warn(t, object, format!("made ({was}, {key}): a partitioned table's unique keys include its partition key, so ({was}) is unique within each instant of {key} only"));
    }
    if !dialect.partitioned_keeps_foreign_keys() {
        for fk in std::mem::take(&mut t.foreign_keys) {
            warn(t, format!("foreign key ({}) → {}", fk.columns.join(", "), fk.ref_source_table), format!("not created: {} partitioned tables take no foreign keys", dialect.name()));
        }
    }
    let n = ranges.len();
    let first = ranges.first().map(|r| r.label.clone()).unwrap_or_default();
    let last = ranges.last().map(|r| r.label.clone()).unwrap_or_default();
    t.partition = Some(PlannedPartition { column: key.clone(), ranges, default_name });
    note(t, "partitions".into(), format!("partitioned by range of {key}: {} by {} ({first} to {last}) and a catch-all; {}", plural(n as u64, "partition", "partitions"), params.interval.name(), dialect.partition_catch_all_words()));
    // The keys other tables have to it: a key to a partitioned table must reference a unique
    // key that holds the partition key, which they do not have.
    for o in tables.iter_mut().filter(|o| o.source.name != source) {
        let src = o.source.name.clone();
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut o.foreign_keys).into_iter().partition(|fk| fk.ref_source_table == source);
        o.foreign_keys = kept;
        for fk in gone {
            o.warnings.push(Warning {
                table: Some(src.clone()),
                object: format!("foreign key ({}) → {}", fk.columns.join(", "), fk.ref_source_table),
                reason: format!("not created: {} is partitioned by {key} (the plan's [[production]]), and a key to it must hold {key} too", fk.ref_source_table),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal(columns: &[&str], using: Option<&str>, span: &[&str]) -> Proposal {
        Proposal {
            table: "events".into(),
            kind: Some(ProposalKind::Partition),
            accept: true,
            columns: columns.iter().map(|s| s.to_string()).collect(),
            using: using.map(str::to_string),
            span: span.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    /// A source of `rows` events (ISO text, NOT NULL, over 14 months, pointing at `sources`)
    /// and an activity log that notes reference; `events` is also given a UNIQUE key.
    fn source(tag: &str, rows: i64) -> (std::path::PathBuf, Schema) {
        let path = std::env::temp_dir().join(format!("ferry-partition-{tag}-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE sources (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
             INSERT INTO sources VALUES (1, 'a');
             CREATE TABLE events (id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id), code TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
             CREATE TABLE activity_log (id TEXT PRIMARY KEY, created_at TEXT NOT NULL);
             CREATE TABLE activity_notes (id INTEGER PRIMARY KEY, activity_id TEXT NOT NULL REFERENCES activity_log(id));",
        )
        .unwrap();
        c.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
             INSERT INTO events SELECT i + 1, 1, 'c' || i, strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || (i * 424 / (?1 - 1)) || ' days') FROM n",
            [rows],
        )
        .unwrap();
        c.execute_batch("INSERT INTO activity_log SELECT 'a' || id, created_at FROM events; INSERT INTO activity_notes SELECT id, 'a' || id FROM events;").unwrap();
        drop(c);
        let schema = crate::source::sqlite::read::read_source(&path, true, 1).unwrap();
        (path, schema)
    }

    /// Proposed from the data, accepted, applied: the keys widened, the foreign keys a
    /// partitioned table cannot keep (and those to it) left off and said, one partition per
    /// month; the referenced table's proposal and the event table's (a UNIQUE key to widen,
    /// and on InnoDB a foreign key to lose) are not taken.
    #[test]
    fn proposed_then_applied_on_each_target() {
        let (path, schema) = source("apply", 1_500);
        let conn = crate::source::sqlite::inspect::open(&path).unwrap();
        for dialect in [Dialect::Postgres, Dialect::MariaDb] {
            let mut plan = crate::plan::propose(&schema, "x.sqlite", dialect);
            let ps = propose(&schema, &plan, dialect, &conn, &path).unwrap();
            let by = |t: &str| ps.iter().find(|p| p.table == t).unwrap_or_else(|| panic!("{dialect:?}: {t} proposed: {ps:#?}"));
            let ev = by("events");
            assert_eq!((ev.columns.as_slice(), ev.using.as_deref(), ev.span.as_slice(), ev.accept), (&["created_at".to_string()][..], Some("month"), &["2024-01".to_string(), "2025-02".to_string()][..], false), "{dialect:?}");
            assert!(ev.evidence.starts_with("1,500 rows, ") && ev.evidence.contains("14 months, 14 partitions by month"), "{}", ev.evidence);
            let note = ev.note.as_deref().unwrap();
            assert!(note.starts_with("Small today (1,500 rows") && note.contains("UNIQUE (code) widened with created_at"), "{note}");
            assert_eq!(note.contains("(source_id) → sources left off"), dialect != Dialect::Postgres, "{note}");
            let act = by("activity_log");
            assert!(!act.accept && act.note.as_deref().unwrap().contains("Referenced by activity_notes (activity_id): "), "{act:?}");
            assert!(ps.iter().all(|p| p.table != "sources" && p.table != "activity_notes"), "{ps:#?}");
            // Accepted, both of them.
            plan.production = ps.into_iter().map(|p| Proposal { accept: true, ..p }).collect();
            assert_eq!(super::super::problems(&plan, &schema), Vec::<String>::new());
            let planned = crate::plan::resolve::planned_tables(&schema, &plan, dialect).unwrap();
            let t = planned.iter().find(|t| t.name == "events").unwrap();
            let part = t.partition.as_ref().expect("partitioned");
            assert_eq!((part.column.as_str(), part.ranges.len(), part.ranges[0].name.as_str(), part.default_name.as_str()), ("created_at", 14, "events_y2024m01", "events_default"));
            assert_eq!(part.ranges[13].to, PartitionBound::Date(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()));
            assert_eq!(t.primary_key.as_ref().unwrap().1, ["id", "created_at"]);
            assert!(t.uniques.iter().all(|(_, c)| c.last().map(String::as_str) == Some("created_at")), "{:?}", t.uniques);
            assert_eq!(t.foreign_keys.len(), if dialect == Dialect::Postgres { 1 } else { 0 }, "{dialect:?}");
            let notes = planned.iter().find(|t| t.name == "activity_notes").unwrap();
            assert!(notes.foreign_keys.is_empty() && notes.warnings.iter().any(|w| w.reason.contains("activity_log is partitioned by created_at")), "{:?}", notes.warnings);
            // What the dialect makes of it.
            let ddl = dialect.partition_sql("events", &t.primary_key.as_ref().unwrap().1, part, &LogicalType::Timestamp { tz: true });
            let want = if dialect == Dialect::Postgres { "CREATE TABLE \"events_y2025m02\" PARTITION OF \"events\" FOR VALUES FROM ('2025-02-01 00:00:00+00') TO ('2025-03-01 00:00:00+00')" } else { "PARTITION `p2025m02` VALUES LESS THAN ('2025-03-01 00:00:00')" };
            assert!(ddl.iter().any(|s| s.contains(want)), "{dialect:?}: {ddl:#?}");
        }
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn parameters_are_read_or_refused_by_name() {
        let cases: Vec<(Proposal, std::result::Result<(Interval, usize), &str>)> = vec![
            (proposal(&["created_at"], Some("month"), &["2024-01", "2025-02"]), Ok((Interval::Month, 14))),
            (proposal(&["created_at"], Some("YEAR"), &["2023", "2025"]), Ok((Interval::Year, 3))),
            (proposal(&["created_at"], Some("month"), &["2024-05", "2024-05"]), Ok((Interval::Month, 1))),
            (proposal(&["created_at"], Some("fortnight"), &["2024-01", "2025-02"]), Err("using = \"fortnight\" is not a partition interval")),
            (proposal(&["created_at"], None, &["2024-01", "2025-02"]), Err("using is missing")),
            (proposal(&[], Some("month"), &["2024-01", "2025-02"]), Err("one time column")),
            (proposal(&["a", "b"], Some("month"), &["2024-01", "2025-02"]), Err("not 2")),
            (proposal(&["created_at"], Some("month"), &[]), Err("span must name")),
            (proposal(&["created_at"], Some("month"), &["2024-13", "2025-02"]), Err("span \"2024-13\" is not a month")),
            (proposal(&["created_at"], Some("month"), &["2024", "2025"]), Err("is not a month")),
            (proposal(&["created_at"], Some("year"), &["2024-01", "2025"]), Err("is not a year")),
            (proposal(&["created_at"], Some("month"), &["2025-02", "2024-01"]), Err("starts at 2025-02 after it ends")),
            (proposal(&["created_at"], Some("month"), &["1900-01", "2024-01"]), Err("makes 1,489 partitions")),
        ];
        for (p, want) in cases {
            let got = params(&p).map(|x| (x.interval, periods(x.start, x.end, x.interval).len()));
            match (got, want) {
                (Ok(g), Ok(w)) => assert_eq!(g, w, "{:?}", p.span),
                (Err(e), Err(w)) => assert!(e.contains(w), "{e:?} should say {w:?}"),
                (g, w) => panic!("{:?} {:?} {:?}: got {g:?}, want {w:?}", p.columns, p.using, p.span),
            }
        }
    }

    #[test]
    fn epoch_units_from_the_values() {
        let cases = [
            ((1_704_067_200, 1_740_000_000), Some(EpochUnit::Seconds)),
            ((1_704_067_200_000, 1_740_000_000_000), Some(EpochUnit::Millis)),
            ((1, 2_000), None),
            ((1_704_067_200, 1_740_000_000_000), None),
            ((-5, 1_740_000_000), None),
        ];
        for ((lo, hi), want) in cases {
            assert_eq!(EpochUnit::of(lo, hi), want, "{lo}..{hi}");
        }
        let d = NaiveDate::from_ymd_opt(2024, 2, 1).unwrap();
        assert_eq!(EpochUnit::Seconds.at(d), 1_706_745_600);
        assert_eq!(EpochUnit::Millis.at(d), 1_706_745_600_000);
        assert_eq!(EpochUnit::Millis.date(1_706_745_600_123), Some(d));
    }

    #[test]
    fn ranges_cover_each_period_of_the_span() {
        let day = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        let r = ranges(period(2024, 11), period(2025, 2), Interval::Month, PartitionBound::Date, |l| format!("ev_{l}"));
        let got: Vec<(String, PartitionBound, PartitionBound)> = r.iter().map(|r| (r.name.clone(), r.from, r.to)).collect();
        assert_eq!(
            got,
            vec![
                ("ev_y2024m11".into(), PartitionBound::Date(day(2024, 11)), PartitionBound::Date(day(2024, 12))),
                ("ev_y2024m12".into(), PartitionBound::Date(day(2024, 12)), PartitionBound::Date(day(2025, 1))),
                ("ev_y2025m01".into(), PartitionBound::Date(day(2025, 1)), PartitionBound::Date(day(2025, 2))),
                ("ev_y2025m02".into(), PartitionBound::Date(day(2025, 2)), PartitionBound::Date(day(2025, 3))),
            ]
        );
        let y = ranges(period(2023, 6), period(2024, 3), Interval::Year, |d| PartitionBound::Epoch(EpochUnit::Seconds.at(d)), |l| l.to_string());
        assert_eq!(y.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(), ["y2023", "y2024"]);
        assert_eq!(y[0].from, PartitionBound::Epoch(1_672_531_200));
        assert_eq!(y[1].to, PartitionBound::Epoch(1_735_689_600));
    }

    #[test]
    fn the_interval_follows_the_span_and_names_read_as_times() {
        assert_eq!(Interval::for_span(14), Interval::Month);
        assert_eq!(Interval::for_span(36), Interval::Month);
        assert_eq!(Interval::for_span(37), Interval::Year);
        let cases = [("created_at", Some(0)), ("occurred_at", Some(0)), ("ts", Some(1)), ("event_date", Some(1)), ("updated_at", None), ("expires_at", None), ("last_seen_at", None), ("name", None), ("id", None)];
        for (n, want) in cases {
            assert_eq!(time_rank(n), want, "{n}");
        }
        assert!(event_like("audit_logs") && event_like("stock_events") && event_like("Metrics") && !event_like("orders") && !event_like("customers"));
    }

    #[test]
    fn a_span_reads_iso_text_and_epoch_integers() {
        let text = ColumnProfile { rows: 3, texts: 3, min_text: Some("2024-01-05T10:00:00.000Z".into()), max_text: Some("2025-02-27 23:59:59".into()), ..Default::default() };
        let s = Span::of(&text, false).unwrap();
        assert_eq!((s.first.to_string(), s.last.to_string(), s.months(), s.epoch), ("2024-01-05".into(), "2025-02-27".into(), 14, None));
        let ints = ColumnProfile { rows: 3, integers: 3, min_integer: Some(1_704_067_200_000), max_integer: Some(1_740_000_000_000), ..Default::default() };
        let s = Span::of(&ints, true).unwrap();
        assert_eq!((s.first.to_string(), s.epoch), ("2024-01-01".into(), Some(EpochUnit::Millis)));
        let small = ColumnProfile { rows: 3, integers: 3, min_integer: Some(1), max_integer: Some(3), ..Default::default() };
        assert_eq!(Span::of(&small, true), None);
        let words = ColumnProfile { rows: 3, texts: 3, min_text: Some("apple".into()), max_text: Some("pear".into()), ..Default::default() };
        assert_eq!(Span::of(&words, false), None);
    }
}
