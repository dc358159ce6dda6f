//! Proves what arrived is what left: after `migrate`, every table's rows are read from the
//! source (through the same conversion the load used) and from the target (each column cast
//! to the same canonical text), and compared.
//!
//! Per table: row counts; per column: NULLs, min, max, and the sum (numbers) or total length
//! (text in characters, bytes for blobs), on both sides. Per row: a hash of its canonical
//! values. Tables with a key (the primary key, else the first NOT NULL UNIQUE) are compared
//! as a streaming merge in key order — memory stays flat — and each difference is named by
//! its key and column with both values; rows only in the source are "missing in target",
//! rows only in the target "extra in target". Tables without a key are compared as multisets
//! of row hashes. Rows the load refuses (the conversion says so) or the run reported as
//! rejected (`--run-report`) are "expected", not mismatches.

use crate::dialect::session::{Conn, Target};
use crate::source::sqlite::read_source;
use crate::plan::resolve::{planned_tables, PlannedTable};
use crate::error::{FerryError, Result};
use crate::plan::Plan;
use crate::report::Report;
use serde_json::Value as J;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

mod aggregates;
pub(crate) mod canonical;
mod compare;
pub(crate) mod ctx;
pub(crate) mod pairer;
pub(crate) mod read;
mod report;
pub(crate) mod spec;

pub use canonical::canonical_json;
pub use report::{Aggregates, ColumnCheck, Expected, Mismatch, MismatchKind, SchemaDifference, TableValidation, ValidateOptions, ValidationReport};

pub use ctx::KEPT;

use compare::validate_table;
use ctx::Ctx;

/// The run report's rejected rows per table, keyed by the row as the run named it; those in
/// the rejects file too, when it is still there (the report keeps the first 1,000 per table).
fn reported_rows(rep: &Report) -> (HashMap<String, HashMap<String, String>>, HashMap<String, u64>) {
    let mut rows: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut totals = HashMap::new();
    for (name, t) in &rep.tables {
        totals.insert(name.clone(), t.rejected_total.max(t.rejected.len() as u64));
        let m = rows.entry(name.clone()).or_default();
        for r in &t.rejected {
            m.insert(r.row.to_string(), r.reason.clone());
        }
    }
    if let Some(text) = rep.rejects_file.as_deref().and_then(|f| std::fs::read_to_string(f).ok()) {
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<J>(line) else { continue };
            if v["kind"] != "rejected" {
                continue;
            }
            let (Some(table), Some(reason)) = (v["table"].as_str(), v["reason"].as_str()) else { continue };
            rows.entry(table.to_string()).or_default().entry(v["row"].to_string()).or_insert_with(|| reason.to_string());
        }
    }
    (rows, totals)
}

/// Each generated column the target holds as a plain one (the server refused its expression,
/// and `migrate` loaded the values SQLite computed) is compared like any loaded column. When
/// the catalog cannot be read, generated columns stay uncompared, as the target computes them.
pub(crate) async fn as_made(target: &Target, admin: &mut Conn, planned: &mut [PlannedTable]) {
    if !planned.iter().any(|t| t.columns.iter().any(|c| c.generated_sql.is_some())) {
        return;
    }
    let Ok(existing) = crate::diff::existing_tables(target, admin).await else { return };
    for t in planned.iter_mut() {
        let Some(et) = existing.iter().find(|e| e.name == t.name).or_else(|| existing.iter().find(|e| e.name.eq_ignore_ascii_case(&t.name))) else { continue };
        for c in t.columns.iter_mut().filter(|c| c.generated_sql.is_some()) {
            if et.columns.iter().any(|e| e.name.eq_ignore_ascii_case(&c.name) && e.generated.is_none()) {
                c.generated_sql = None;
            }
        }
    }
}

/// Every object of the planned tables the target does not hold as planned: the same
/// comparison `ferry diff` makes (`diff::compare`), over the tables the run created. Tables
/// beyond the plan are not the run's and are left out.
async fn schema_as_planned(target: &Target, admin: &mut Conn, planned: &[PlannedTable]) -> Result<Vec<SchemaDifference>> {
    let d = crate::diff::diff_planned(target, admin, planned).await?;
    Ok(schema_differences(&d))
}

/// Whether the run said it would leave `d` out ("not created", in its report's warnings): a
/// key, constraint or index it did not create, and the NOT NULL of the columns of a primary
/// key it did not create (SQLite let them hold NULL). Those differ from the plan on purpose.
fn announced(d: &SchemaDifference, warnings: &[crate::events::Warning], planned: &[PlannedTable]) -> bool {
    use crate::diff::{ObjectKind, Status};
    let Some(t) = planned.iter().find(|t| t.name == d.table) else { return false };
    warnings.iter().filter(|w| w.table.as_deref() == Some(t.source.name.as_str()) && w.reason.starts_with("not created")).any(|w| {
        let pk_dropped = w.object == "primary key" || w.object.starts_with("primary key (");
        match d.kind {
            ObjectKind::PrimaryKey => pk_dropped && d.status == Status::Create,
            ObjectKind::Column => {
                pk_dropped
                    && t.primary_key.as_ref().is_some_and(|(_, cols)| cols.contains(&d.name))
                    && d.differences.iter().all(|x| x.starts_with("nullability: NULL allowed in the target"))
            }
            _ => d.status == Status::Create && w.object.split_whitespace().any(|word| word == d.name),
        }
    })
}

/// The differences of a diff as validation lists them (extra tables left out).
fn schema_differences(d: &crate::diff::SchemaDiff) -> Vec<SchemaDifference> {
    use crate::diff::Status;
    let mut out = vec![];
    for t in d.tables.iter().filter(|t| t.source.is_some()) {
        // A planned table missing altogether is the table's own error (not compared).
        for i in t.items.iter().filter(|i| i.status != Status::Equal) {
            out.push(SchemaDifference { table: t.name.clone(), kind: i.kind, name: i.name.clone(), status: i.status, planned: i.planned.clone(), found: i.actual.clone(), differences: i.differences.clone() });
        }
    }
    out
}

/// Validates the target at `url` against `source`, as `migrate` carried it (the same plan,
/// or the same proposal). Errors before anything is compared (the source, the connection,
/// the plan) come back as `Err`; a table that cannot be read is named in its entry.
pub async fn validate(source: &Path, url: &str, opts: ValidateOptions) -> Result<ValidationReport> {
    let started = std::time::Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (target, mut admin) = Target::open(url, opts.pg_schema.as_deref()).await?;
    let jobs = opts.jobs.max(1);
    let src = source.to_path_buf();
    let sha = {
        let src = src.clone();
        tokio::task::spawn_blocking(move || crate::backup::sha256_file(&src))
    };
    // The plan decides every type: given one (or the run's report records the one it ran
    // with), the source needs no profiling, only its schema; without, the proposal does.
    let given = opts.plan.clone().map(|p| (p, opts.plan_path.clone().unwrap_or_else(|| "plan".into()))).or_else(|| {
        let p = opts.run_report.as_ref()?.plan.clone()?;
        Some((p, format!("the plan recorded in {}", opts.run_report_path.as_deref().unwrap_or("the run report"))))
    });
    let given_plan = given.is_some();
    // Given the plan, only the schema is read first; the file's structure check runs beside
    // the comparisons, and a damaged file fails the validation when they are done.
    let read = tokio::task::spawn_blocking(move || match given_plan {
        true => crate::source::sqlite::read_schema_check_beside(&src).map(|(s, c)| (s, Some(c))),
        false => read_source(&src, true, jobs).map(|s| (s, None)),
    });
    // The sessions the comparisons read through, opened while the source is read.
    let sessions = futures_util::future::join_all((0..jobs).map(|_| target.connect()));
    let (read, sessions) = tokio::join!(read, sessions);
    let (schema, check) = read.map_err(|e| FerryError::Other(e.to_string()))??;
    let sessions = sessions.into_iter().collect::<Result<Vec<Conn>>>()?;
    let sha = sha.await.map_err(|e| FerryError::Other(e.to_string()))?.map_err(|e| FerryError::SourceUnreadable { path: source.to_path_buf(), detail: e.to_string() })?;
    let dialect = target.dialect;
    let mut plan = Plan::resolve(given.as_ref().map(|(p, _)| p), given.as_ref().map_or("plan", |(_, path)| path), &schema, source, dialect)?;
    if let Some(column) = &opts.distribute {
        if plan.distribution.as_ref().is_none_or(|d| !d.column.eq_ignore_ascii_case(column.trim())) {
            plan.distribution = Some(crate::plan::distribute::propose(&schema, column).map_err(FerryError::Other)?);
        }
    }
    let mut planned = planned_tables(&schema, &plan, dialect)?;
    // The plan's pre-flight choices, as the load applied them: types widened, values fixed.
    let (value_choices, _dropped) = crate::plan::choices::apply_choices(&mut planned, &plan, dialect)?;
    // A masked copy is compared through the same masks, collisions resolved the same way.
    let masks = crate::plan::masks::RunMasks::new(&plan, &schema, source, opts.mask_key.as_ref())?.map(Arc::new);
    as_made(&target, &mut admin, &mut planned).await;
    let schema_differences = schema_as_planned(&target, &mut admin, &planned).await;
    let (reported, reported_total) = opts.run_report.as_ref().map(reported_rows).unwrap_or_default();
    let mut report = ValidationReport {
        ferry_version: crate::version().into(),
        source: source.display().to_string(),
        source_sha256: sha,
        target: target.url.redacted.clone(),
        target_server: target.server.clone(),
        started_at,
        plan: given.as_ref().map(|(_, path)| path.clone()),
        run_report: opts.run_report_path.clone(),
        ..Default::default()
    };
    match schema_differences {
        Ok(mut d) => {
            if let Some(rep) = &opts.run_report {
                d.retain(|x| !announced(x, &rep.warnings, &planned));
            }
            report.schema = d;
        }
        Err(e) => report.notes.push(format!("the target's schema could not be compared with the plan: {e}")),
    }
    if opts.run_report.is_none() {
        report.notes.push("no run report given (--run-report): rows the migration removed for a constraint (duplicates, orphans, CHECK failures) show as missing in target; rows the conversion refuses are recognised either way".into());
    }
    let ctx = Arc::new(Ctx { target, sessions: std::sync::Mutex::new(sessions), source: source.to_path_buf(), reported, reported_total, value_choices, masks });
    // Largest first, `jobs` at a time.
    let mut order: Vec<(usize, Arc<PlannedTable>)> = planned.into_iter().map(Arc::new).enumerate().collect();
    order.sort_by_key(|(_, t)| t.source.row_count);
    let queue = Arc::new(std::sync::Mutex::new(order));
    let mut workers = vec![];
    for _ in 0..jobs {
        let (ctx, queue) = (ctx.clone(), queue.clone());
        workers.push(tokio::spawn(async move {
            let mut done = vec![];
            loop {
                let next = queue.lock().expect("queue").pop();
                let Some((i, t)) = next else { return done };
                done.push((i, validate_table(ctx.clone(), t).await));
            }
        }));
    }
    let mut tables = vec![];
    for w in workers {
        tables.extend(w.await.map_err(|e| FerryError::Other(format!("a validator stopped: {e}")))?);
    }
    if let Some(check) = check {
        tokio::task::spawn_blocking(move || check.join().map_err(|_| FerryError::Other("the source's structure check stopped".into()))?).await.map_err(|e| FerryError::Other(e.to_string()))??;
    }
    tables.sort_by_key(|(i, _)| *i);
    report.tables = tables.into_iter().map(|(_, t)| t).collect();
    report.rows_compared = report.tables.iter().map(|t| t.rows_source.max(t.rows_target)).sum();
    report.mismatches = report.tables.iter().map(|t| t.mismatches_total + t.unexplained_aggregates() as u64 + u64::from(t.error.is_some())).sum();
    report.expected = report.tables.iter().map(|t| t.expected_total).sum();
    report.clean = report.tables.iter().all(TableValidation::is_clean) && report.schema.is_empty();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
