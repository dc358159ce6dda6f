//! `ferry rollback RUN_REPORT.json --to URL`: removes what that run made, or (`--backup`)
//! puts the target's backup back instead.

use ferry_core::FerryError;
use std::path::Path;
use crate::status;
use crate::words::count;
use std::process::ExitCode;

/// Rolls back and lists what went, what was already gone and what was kept.
pub async fn run(report: Option<&Path>, to: &str, backup: Option<&Path>, force: bool) -> Result<ExitCode, FerryError> {
    if let Some(b) = backup {
        println!("rolling back by restoring the backup {} (the objects it holds are replaced)", b.display());
        return crate::restore::run(b, to, true).await;
    }
    let Some(report) = report else {
        return Err(FerryError::Other("give the run's report (ferry rollback RUN_REPORT.json --to URL), or a backup with --backup BACKUP.json".into()));
    };
    let r = ferry_core::rollback::rollback(report, to, force, |_: &str| {}).await?;
    for d in &r.dropped {
        println!("dropped {d}");
    }
    for t in &r.emptied {
        println!("emptied table {t} (the run loaded its rows into it; identity counters are left where the run put them)");
    }
    for m in &r.missing {
        println!("already gone: {m}");
    }
    for k in &r.kept {
        println!("kept {k}");
    }
    let n = |v: &[String], one, many| count(v.len() as u64, one, many);
    println!("rolled back {} in {}: {} dropped, {} emptied, {} already gone, in {:.2} s", report.display(), r.target, n(&r.dropped, "object", "objects"), n(&r.emptied, "table", "tables"), n(&r.missing, "object", "objects"), r.seconds);
    Ok(status::exit(status::OK))
}
