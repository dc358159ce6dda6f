//! `ferry advise`: what to fix in the target database, as a list or as JSON. Each finding
//! has its code, severity, evidence and the SQL or setting that fixes it; nothing is run.

use ferry_core::advise::{Advice, Finding, Severity};
use ferry_core::value::plural;
use ferry_core::FerryError;
use crate::status;
use std::process::ExitCode;

/// Looks at the database and prints the findings; exit 0 (the findings are the answer, as
/// `monitor`'s figures are: a server nearly always has some, so they are not a status), or
/// the error for `main` to print as one line. Scripts filter `--json` by code and severity.
pub async fn run(url: &str, json: bool) -> Result<ExitCode, FerryError> {
    let advice = ferry_core::advise::advise(url).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&advice).expect("advice serializes"));
    } else {
        print(&advice);
    }
    Ok(status::exit(status::OK))
}

fn print(a: &Advice) {
    println!("{} — database {} as {} — {}", a.server, a.database, a.user, a.taken_at);
    let count = |s: Severity| a.findings.iter().filter(|f| f.severity == s).count() as u64;
    if a.findings.is_empty() {
        println!("nothing to fix");
    } else {
        println!(
            "{}: {} critical, {}, {} info",
            plural(a.findings.len() as u64, "finding", "findings"),
            count(Severity::Critical),
            plural(count(Severity::Warning), "warning", "warnings"),
            count(Severity::Info)
        );
    }
    for f in &a.findings {
        print_finding(f);
    }
    if !a.unchecked.is_empty() {
        println!("\nnot checked:");
        for u in &a.unchecked {
            println!("  - {}: {}", u.code, u.why);
        }
    }
}

fn print_finding(f: &Finding) {
    println!("\n{:<8} {}  {}", f.severity.word().to_uppercase(), f.code, f.title);
    println!("  {}", f.evidence);
    if let Some(sql) = &f.fix_sql {
        println!("  fix (SQL, not run):");
        for line in sql.lines() {
            println!("    {line}");
        }
    }
    if let Some(setting) = &f.fix_setting {
        println!("  fix (setting): {setting}");
    }
}
