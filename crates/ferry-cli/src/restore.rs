//! `ferry restore BACKUP.json --to URL [--replace]`: a target backup back into a database.

use ferry_core::FerryError;
use std::path::Path;
use crate::status;
use crate::words::count;
use std::process::ExitCode;

/// Restores and says what is there now, what was replaced and what was left alone.
pub async fn run(backup: &Path, to: &str, replace: bool) -> Result<ExitCode, FerryError> {
    let verbose = std::env::var_os("FERRY_VERBOSE").is_some();
    let r = ferry_core::restore::restore(backup, to, replace, |step: &str| {
        if verbose {
            eprintln!("{step}");
        }
    })
    .await?;
    if !r.dropped.is_empty() {
        println!("replaced (dropped first): {}", r.dropped.join(", "));
    }
    let rows = r.rows.map(|n| format!(", {}", count(n, "row", "rows"))).unwrap_or_default();
    println!("restored {} into {}: {}, {}{rows} in {:.2} s", r.backup, r.target, count(r.tables.len() as u64, "table", "tables"), count(r.views.len() as u64, "view", "views"), r.seconds);
    if !r.left.is_empty() {
        println!("left as they were (not in the backup): {}", r.left.join(", "));
    }
    Ok(status::exit(status::OK))
}
