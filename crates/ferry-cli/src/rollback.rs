//! `ferry rollback RUN_REPORT.json --to URL`: removes what that run made, or (`--backup`)
//! puts the target's backup back instead.

use ferry_core::FerryError;
use std::path::Path;
use crate::status;
use crate::words::count;
use std::process::ExitCode;

/// Rolls back and lists what went, what was already gone and what was kept.
pub async fn run(report: Option<&Path>, to: &str, backup: Option<&Path>, force: bool, schema: Option<&str>) -> Result<ExitCode, FerryError> {
    if let Some(b) = backup {
        println!("rolling back by restoring the backup {} (the objects it holds are replaced)", b.display());
        return crate::restore::run(b, to, true).await;
    }
    let (r, what) = match report {
        Some(report) => (ferry_core::rollback::rollback(report, to, force, |_: &str| {}).await?, report.display().to_string()),
        None => (ferry_core::rollback::rollback_unfinished(to, schema, |line: &str| println!("{line}")).await?, "the unfinished run".to_string()),
    };
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
    println!("rolled back {what} in {}: {} dropped, {} emptied, {} already gone, in {:.2} s", r.target, n(&r.dropped, "object", "objects"), n(&r.emptied, "table", "tables"), n(&r.missing, "object", "objects"), r.seconds);
    Ok(status::exit(status::OK))
}
