//! `ferry restore BACKUP.json --to URL [--replace]`: a target backup back into a database.

use ferry_core::FerryError;
use std::path::Path;
use crate::status;
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
    let rows = r.rows.map(|n| format!(", {} rows", ferry_core::value::group_thousands(n))).unwrap_or_default();
    println!("restored {} into {}: {} table(s), {} view(s){rows} in {:.2} s", r.backup, r.target, r.tables.len(), r.views.len(), r.seconds);
    if !r.left.is_empty() {
        println!("left as they were (not in the backup): {}", r.left.join(", "));
    }
    Ok(status::exit(status::OK))
}
