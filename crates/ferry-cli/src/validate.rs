//! `ferry validate`: compares the source with the target a migration filled, row by row, and
//! its schema with the plan, and says whether what arrived is what left and what was planned
//! (exit 0), or lists every difference (exit 2).

use ferry_core::validate::{MismatchKind, ValidateOptions, ValidationReport};
use crate::words::{count, group};
use ferry_core::FerryError;
use std::path::{Path, PathBuf};
use crate::status;
use std::process::ExitCode;

/// Arguments of `ferry validate`.
#[derive(clap::Args)]
pub struct Args {
    /// The SQLite file that was migrated (opened read-only).
    pub(crate) source: PathBuf,
    /// The target that `ferry migrate` filled: postgres://… or mysql://… (mariadb://…).
    #[arg(long = "to")]
    pub(crate) to: String,
    /// The plan the migration used, if it used one (without it the proposal is used, as migrate does).
    #[arg(long)]
    pub(crate) plan: Option<PathBuf>,
    /// PostgreSQL schema the tables are in (default public).
    #[arg(long)]
    pub(crate) schema: Option<String>,
    /// Write the validation report here: `.html` a self-contained page, otherwise JSON.
    #[arg(long)]
    pub(crate) report: Option<PathBuf>,
    /// The migration's JSON report: the rows it rejected count as expected, not as mismatches.
    #[arg(long)]
    pub(crate) run_report: Option<PathBuf>,
    /// Print the report as JSON instead of the summary.
    #[arg(long)]
    pub(crate) json: bool,
    /// The mask key of a masked copy's plan (else $FERRY_MASK_KEY): the source is compared
    /// through the same masks.
    #[arg(long, value_name = "PATH")]
    pub(crate) mask_key_file: Option<PathBuf>,
    /// Tables compared at once.
    #[arg(long, default_value_t = 2)]
    pub(crate) jobs: usize,
    /// Citus: the migration distributed the tables by this column (`migrate --distribute`).
    #[arg(long, value_name = "COLUMN")]
    pub(crate) distribute: Option<String>,
}

fn is_html(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

/// Runs `ferry validate`.
pub async fn run(a: Args) -> Result<ExitCode, FerryError> {
    let plan = a.plan.as_deref().map(ferry_core::plan::Plan::load).transpose()?;
    let run_report = match &a.run_report {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| FerryError::Io(format!("cannot read the run report {}: {e}", p.display())))?;
            let rep: ferry_core::report::Report = serde_json::from_str(&text)
                .map_err(|e| FerryError::Io(format!("{} is not a report written by `ferry migrate --report` ({e})", p.display())))?;
            Some(rep)
        }
        None => None,
    };
    if let Some(r) = &a.report {
        crate::check_writable(r)?;
    }
    // The plan given, else the one the run report recorded: either may mask.
    let mask_key = crate::mask_key(plan.as_ref().or(run_report.as_ref().and_then(|r| r.plan.as_ref())), a.mask_key_file.as_deref())?;
    let opts = ValidateOptions {
        plan,
        plan_path: a.plan.as_ref().map(|p| p.display().to_string()),
        pg_schema: a.schema,
        jobs: a.jobs,
        run_report,
        run_report_path: a.run_report.as_ref().map(|p| p.display().to_string()),
        distribute: a.distribute,
        mask_key,
    };
    let rep = ferry_core::validate::validate(&a.source, &a.to, opts).await?;
    crate::audit::note_source_sha256(&rep.source_sha256);
    if let Some(path) = &a.report {
        let body = if is_html(path) { ferry_core::html::validation(&rep) } else { rep.to_json() };
        std::fs::write(path, body).map_err(|e| FerryError::Io(format!("cannot write the report {}: {e}", path.display())))?;
    }
    if a.json {
        println!("{}", rep.to_json());
    } else {
        print_summary(&rep, a.report.as_deref());
    }
    Ok(if rep.clean { status::exit(status::OK) } else { status::exit(status::LISTED) })
}

fn aggregates(a: &ferry_core::validate::Aggregates) -> String {
    let mut parts = vec![format!("{} NULL", group(a.nulls))];
    if let (Some(lo), Some(hi)) = (&a.min, &a.max) {
        parts.push(format!("min {lo:?}, max {hi:?}"));
    }
    if let Some(s) = &a.sum {
        parts.push(format!("sum {s}"));
    }
    if let Some(l) = a.length {
        parts.push(format!("length {}", group(l)));
    }
    parts.join(", ")
}

fn print_summary(rep: &ValidationReport, path: Option<&Path>) {
    println!("{:<28} {:>9} {:>12} {:>12} {:>12} {:>10} {:>9}", "table", "by", "source rows", "target rows", "matched", "mismatches", "expected");
    for t in &rep.tables {
        let by = if t.method == "key" { "key" } else { "multiset" };
        println!(
            "{:<28} {:>9} {:>12} {:>12} {:>12} {:>10} {:>9}",
            t.table,
            by,
            group(t.rows_source),
            group(t.rows_target),
            group(t.rows_matched),
            group(t.mismatches_total),
            group(t.expected_total)
        );
    }
    for t in &rep.tables {
        if let Some(e) = &t.error {
            println!("\n{}: not compared: {e}", t.table);
        }
        let differ: Vec<_> = t.columns.iter().filter(|c| !c.equal).collect();
        if t.unexplained_aggregates() > 0 {
            for c in &differ {
                println!("\n{}.{}: aggregates differ with every row matching: source {}; target {}", t.table, c.column, aggregates(&c.source), aggregates(&c.target));
            }
        } else if !differ.is_empty() {
            let names: Vec<&str> = differ.iter().map(|c| c.column.as_str()).collect();
            println!("\n{}: the aggregates of {} differ, as the rows below explain", t.table, names.join(", "));
        }
        if !t.mismatches.is_empty() {
            println!("\n{} ({}):", t.table, count(t.mismatches_total, "mismatch", "mismatches"));
            for m in t.mismatches.iter().take(10) {
                let show = |v: &Option<String>| v.as_deref().map(|s| format!("{s:?}")).unwrap_or_else(|| "NULL".into());
                match m.kind {
                    MismatchKind::Value => println!("  row {} column {}: source {} ≠ target {}", m.row, m.column.as_deref().unwrap_or(""), show(&m.source), show(&m.target)),
                    k => println!("  row {}: {}{}", m.row, k.label(), if m.count > 1 { format!(" ({} times)", group(m.count)) } else { String::new() }),
                }
            }
            if t.mismatches_total > 10 {
                println!("  … {} more{}", group(t.mismatches_total - 10), path.map(|p| format!(", listed in {}", p.display())).unwrap_or_else(|| " (use --report FILE to list them)".into()));
            }
        }
    }
    if !rep.schema.is_empty() {
        println!("\nthe schema differs from the plan ({}):", count(rep.schema.len() as u64, "difference", "differences"));
        for d in &rep.schema {
            println!("  {}", d.line());
        }
    }
    for n in &rep.notes {
        println!("\nnote: {n}");
    }
    println!();
    if rep.clean {
        let exp = if rep.expected > 0 { format!(" ({} absent on purpose, as expected)", count(rep.expected, "row", "rows")) } else { String::new() };
        println!("valid: every row matches — {} in {}, {} → {}{exp}", count(rep.rows_compared, "row", "rows"), count(rep.tables.len() as u64, "table", "tables"), rep.source, rep.target_server);
    } else {
        let schema = if rep.schema.is_empty() { String::new() } else { format!("; the schema differs from the plan in {}", count(rep.schema.len() as u64, "place", "places")) };
        println!("NOT valid: {} in {} of {}{schema}", count(rep.mismatches, "mismatch", "mismatches"), group(rep.tables.iter().filter(|t| !t.is_clean()).count() as u64), count(rep.tables.len() as u64, "table", "tables"));
    }
}
