//! `ferry sync`: brings a target `ferry migrate` filled up to the SQLite file as it is now —
//! rows inserted, updated and deleted since, by key — and prints what changed per table and
//! how long it took (the application's downtime at cutover is one sync).

use crate::status;
use crate::words::{count, group};
use ferry_core::sync::{SyncOptions, SyncReport};
use ferry_core::FerryError;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ferry sync`.
#[derive(clap::Args)]
pub struct Args {
    /// The SQLite file that was migrated, as it is now (read once, from a snapshot; never written).
    pub(crate) source: PathBuf,
    /// The target `ferry migrate` filled: postgres://… or mysql://… (mariadb://…).
    #[arg(long = "to")]
    pub(crate) to: String,
    /// The plan the migration used, if it used one (without it: the plan the run report
    /// recorded, else the proposal, as migrate makes it).
    #[arg(long)]
    pub(crate) plan: Option<PathBuf>,
    /// The migration's JSON report (`ferry migrate --report`): its plan converts the values.
    #[arg(long)]
    pub(crate) run_report: Option<PathBuf>,
    /// PostgreSQL schema the tables are in (default public).
    #[arg(long)]
    pub(crate) schema: Option<String>,
    /// Find and count the changes; write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Write the sync's JSON report here.
    #[arg(long)]
    pub(crate) report: Option<PathBuf>,
    /// Print the report as JSON instead of the summary.
    #[arg(long)]
    pub(crate) json: bool,
    /// Tables compared at once.
    #[arg(long, default_value_t = 2)]
    pub(crate) jobs: usize,
    /// Also print where the seconds went (snapshot, schema, comparing, writing), on stderr.
    #[arg(long)]
    pub(crate) verbose: bool,
}

/// Runs `ferry sync`: 0 when the target matches the source (synced, or nothing to do), 2
/// when rows were refused (listed), 1 when a table could not be synced.
pub async fn run(a: Args) -> Result<ExitCode, FerryError> {
    let plan = a.plan.as_deref().map(ferry_core::plan::Plan::load).transpose()?;
    let run_report = match &a.run_report {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| FerryError::Io(format!("cannot read the run report {}: {e}", p.display())))?;
            let rep: ferry_core::report::Report = serde_json::from_str(&text).map_err(|e| FerryError::Io(format!("{} is not a report written by `ferry migrate --report` ({e})", p.display())))?;
            Some(rep)
        }
        None => None,
    };
    if let Some(r) = &a.report {
        crate::check_writable(r)?;
    }
    let opts = SyncOptions {
        plan,
        plan_path: a.plan.as_ref().map(|p| p.display().to_string()),
        run_report,
        run_report_path: a.run_report.as_ref().map(|p| p.display().to_string()),
        pg_schema: a.schema,
        dry_run: a.dry_run,
        jobs: a.jobs,
    };
    let rep = ferry_core::sync::sync(&a.source, &a.to, opts).await?;
    if let Some(path) = &a.report {
        std::fs::write(path, rep.to_json()).map_err(|e| FerryError::Io(format!("cannot write the report {}: {e}", path.display())))?;
    }
    if a.verbose {
        for (what, secs) in &rep.timings {
            eprintln!("{what:<40} {secs:>8.3} s");
        }
    }
    if a.json {
        println!("{}", rep.to_json());
    } else {
        print_summary(&rep);
    }
    Ok(if !rep.completed {
        status::exit(status::FAILED)
    } else if rep.rejected() > 0 {
        status::exit(status::LISTED)
    } else {
        status::exit(status::OK)
    })
}

fn print_summary(rep: &SyncReport) {
    println!("{:<28} {:>9} {:>10} {:>10} {:>10} {:>10} {:>9} {:>8}", "table", "by", "inserted", "updated", "deleted", "unchanged", "rejected", "seconds");
    for t in &rep.tables {
        println!(
            "{:<28} {:>9} {:>10} {:>10} {:>10} {:>10} {:>9} {:>8.2}",
            t.table,
            t.method,
            group(t.inserted),
            group(t.updated),
            group(t.deleted),
            group(t.unchanged),
            group(t.rejected_total),
            t.seconds
        );
    }
    for t in &rep.tables {
        if let Some(e) = &t.error {
            println!("\n{}: {e}", t.table);
        }
        for n in &t.notes {
            println!("\n{}: {n}", t.table);
        }
        if !t.rejected.is_empty() {
            println!("\n{} ({} not in the target):", t.table, count(t.rejected_total, "row", "rows"));
            for r in t.rejected.iter().take(10) {
                let column = r.column.as_deref().map(|c| format!(" column {c}")).unwrap_or_default();
                let value = if r.value.is_null() { String::new() } else { format!(" (value {})", r.value) };
                println!("  row {}{column}: {}{value}", r.row, r.reason);
            }
            if t.rejected_total > 10 {
                println!("  … {} more (use --report FILE to list them)", group(t.rejected_total - 10));
            }
        }
    }
    for n in &rep.notes {
        println!("\nnote: {n}");
    }
    println!();
    let changed = rep.changed();
    let rows = count(changed, "row", "rows");
    let tables = count(rep.tables.iter().filter(|t| t.changed() > 0).count() as u64, "table", "tables");
    if !rep.completed {
        let failed = rep.tables.iter().filter(|t| t.error.is_some()).count() as u64;
        println!("NOT synced: {} could not be synced (listed above); run `ferry sync` again once that is fixed", count(failed, "table", "tables"));
    } else if changed == 0 {
        let out = if rep.rejected() > 0 { format!(", but for {} refused (listed above)", count(rep.rejected(), "row", "rows")) } else { String::new() };
        println!("nothing to do: the target matches {} as of {}{out} ({:.2} s)", rep.source, rep.snapshot_at, rep.seconds);
    } else if rep.dry_run {
        println!("dry run: {rows} in {tables} would change; nothing was written ({:.2} s)", rep.seconds);
    } else {
        println!("synced: {rows} changed in {tables}, the target matches {} as of {} ({:.2} s)", rep.source, rep.snapshot_at, rep.seconds);
    }
}
