//! `ferry preflight`: every group of values, rows and names the target would refuse or
//! change, with its count, examples and choices; `--choose` records choices in a plan.

use ferry_core::plan::PlanChoice;
use ferry_core::plan::choices::Choice;
use ferry_core::preflight::Preflight;
use ferry_core::dialect::TargetUrl;
use crate::words::{count, group};
use ferry_core::FerryError;
use ferry_core::events::{Event, Events, Phase};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use crate::status;
use std::process::ExitCode;

/// Runs the pre-flight; with `choose`, adds those choices to the plan (loaded or proposed) and
/// writes it to `out`. Exit 0 when ready to migrate (no group left on a default that rejects
/// rows), 2 when some group still needs a choice. Where the target can be reached, its schema
/// is rehearsed there too (`ferry_core::preflight::preflight_against`); where it cannot, one
/// line says so and the exit code is the same.
pub async fn run(source: &Path, to: &str, schema: Option<&str>, plan: Option<&Path>, json: bool, choose: &[String], out: Option<&Path>) -> Result<ExitCode, FerryError> {
    TargetUrl::parse(to)?;
    let loaded = plan.map(ferry_core::plan::Plan::load).transpose()?;
    let choices = choose.iter().map(|c| PlanChoice::parse(c).map_err(|e| FerryError::Other(format!("--choose {e}")))).collect::<Result<Vec<_>, _>>()?;
    if !choices.is_empty() && out.is_none() {
        return Err(FerryError::Other("--choose needs --out FILE: the choices are saved in that plan (give --plan the same file to update it)".into()));
    }
    let (pf, used) = ferry_core::preflight::preflight_against(source, to, schema, loaded.as_ref(), &choices, 2, &interruptible()).await?;
    if let Some(path) = out {
        std::fs::write(path, used.to_toml()).map_err(|e| FerryError::Io(format!("cannot write {}: {e}", path.display())))?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&pf).expect("preflight serializes"));
    } else {
        print(&pf);
        if let Some(path) = out {
            println!("\nplan with {} written to {}", count(used.choices.len() as u64, "choice", "choices"), path.display());
        }
    }
    Ok(if pf.is_clean() { status::exit(status::OK) } else { status::exit(status::LISTED) })
}

/// Ctrl-C stops the process at once, as it always did, except while the schema is rehearsed
/// on the target: then it cancels the rehearsal, which takes its scratch schema or database
/// away before the pre-flight ends ("schema not rehearsed: … interrupted"); a second Ctrl-C
/// stops at once.
fn interruptible() -> Events {
    let rehearsing = Arc::new(AtomicBool::new(false));
    let flag = rehearsing.clone();
    let events = Events::new(move |e| match e {
        Event::PhaseStarted { phase: Phase::Schema } => flag.store(true, Ordering::SeqCst),
        Event::PhaseDone { phase: Phase::Schema, .. } => flag.store(false, Ordering::SeqCst),
        _ => {}
    });
    let on_signal = events.clone();
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if !rehearsing.load(Ordering::SeqCst) || on_signal.cancelled() {
                std::process::exit(status::INTERRUPTED.into());
            }
            eprintln!("ferry: interrupted: taking the rehearsal's scratch schema or database away…");
            on_signal.cancel();
        }
    });
    events
}

fn print(pf: &Preflight) {
    println!("{} checked for {} in {:.1} s", count(pf.rows_checked, "row", "rows"), pf.dialect.map(|d| d.name()).unwrap_or("the target"), pf.seconds);
    for g in &pf.groups {
        let choices: Vec<String> = g
            .choices
            .iter()
            .map(|c| {
                let mut s = c.name().to_string();
                if *c == g.default {
                    s.push_str(" (default)");
                }
                if Some(*c) == g.chosen {
                    s = format!("[{s}]");
                }
                s
            })
            .collect();
        let column = g.column.as_ref().map(|c| format!(".{c}")).unwrap_or_default();
        println!("\n{}{column}  {}: {} — {} {}", g.table, g.kind.name(), g.cause, group(g.count), g.outcome);
        for e in &g.examples {
            println!("    row {}  value {}", e.row, e.value);
        }
        let state = match g.chosen {
            Some(c) => format!("chosen in the plan: {}", c.name()),
            None if g.is_unresolved() => format!("UNRESOLVED: choose with --choose '{}{column}:{}=CHOICE'", g.table, g.kind.name()),
            None => format!("default: {}", g.default.name()),
        };
        if g.choices != [Choice::Keep] {
            println!("    choices: {}  — {state}", choices.join(", "));
        }
    }
    if !pf.objects.is_empty() {
        println!("\nnot carried as they are:");
        for w in &pf.objects {
            println!("  - {}{}: {}", w.table.as_ref().map(|t| format!("{t}: ")).unwrap_or_default(), w.object, w.reason);
        }
    }
    if let Some(line) = &pf.rehearsal {
        println!("\n{line}");
    }
    let open = pf.unresolved().len();
    if open == 0 {
        println!("\nready to migrate: every group has a choice that keeps its rows, or one made in the plan");
    } else {
        let (groups, each) = if open == 1 { ("1 group would", "choose for it") } else { ("groups would", "choose for each") };
        let groups = if open == 1 { groups.to_string() } else { format!("{} {groups}", group(open as u64)) };
        println!("\n{groups} reject rows by default: {each} (reject_rows too) to be ready to migrate");
    }
}
