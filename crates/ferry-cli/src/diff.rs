//! `ferry diff`: the planned schema against what the target already holds, printed side by
//! side or as JSON. Reads only.

use ferry_core::diff::{SchemaDiff, Status};
use ferry_core::FerryError;
use std::path::Path;
use crate::status;
use std::process::ExitCode;

/// Runs the diff; exit 0 when the target matches the plan or holds nothing of it, 2 when
/// anything differs.
pub async fn run(source: &Path, to: &str, plan: Option<&Path>, schema: Option<&str>, json: bool) -> Result<ExitCode, FerryError> {
    let loaded = plan.map(ferry_core::plan::Plan::load).transpose()?;
    let plan_path = plan.map(|p| p.display().to_string());
    let d = ferry_core::diff::diff(source, to, loaded.as_ref(), plan_path.as_deref(), schema).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&d).expect("diff serializes"));
    } else {
        print(&d);
    }
    Ok(if d.matches() || d.target_empty() { status::exit(status::OK) } else { status::exit(status::LISTED) })
}

fn print(d: &SchemaDiff) {
    println!("planned schema against {} ({})\n", d.target, d.place);
    for t in &d.tables {
        let from = match &t.source {
            Some(s) if *s != t.name => format!(" (from {s})"),
            _ => String::new(),
        };
        let gap = if t.status == Status::Equal { "" } else { "\n" };
        println!("{gap}{:<12} table {}{from}", t.status.label(), t.name);
        for i in t.items.iter().filter(|i| i.status != Status::Equal) {
            let side = match (&i.planned, &i.actual) {
                (Some(p), Some(a)) => format!("target: {a}  |  planned: {p}"),
                (Some(p), None) => p.clone(),
                (None, Some(a)) => a.clone(),
                (None, None) => String::new(),
            };
            println!("  {:<12} {} {}: {side}", i.status.label(), i.kind.label(), i.name);
            for x in &i.differences {
                println!("  {:<12}   - {x}", "");
            }
        }
        let equal = t.items.iter().filter(|i| i.status == Status::Equal).count();
        if equal > 0 && t.status != Status::Equal {
            println!("  {:<12} {}", "equal", crate::words::count(equal as u64, "other object", "other objects"));
        }
    }
    if !d.destructive.is_empty() {
        println!("\nDESTRUCTIVE — would lose data; listed for you to decide, never run by ferry:");
        for s in &d.destructive {
            println!("  ! {} {}: {}", s.action, s.object, s.detail);
        }
    }
    let counts: Vec<String> = d.counts().iter().filter(|(_, n)| *n > 0).map(|(s, n)| format!("{n} {}", s.label())).collect();
    println!("\n{}", counts.join(", "));
    if d.matches() {
        println!("the target matches the plan");
    } else if d.target_empty() {
        println!("the target holds none of it: `ferry migrate` creates everything");
    }
}
