//! The audit log from the command line: each migrate, preflight, backup, restore, rollback, validate and sync appends
//! one entry (`--audit-log PATH`, else `$FERRY_AUDIT_LOG`, else the platform's data folder);
//! `ferry audit [--csv]` prints the log.

use crate::{Cli, Command};
use ferry_core::audit::{AuditEntry, Recorder};
use ferry_core::FerryError;
use std::path::{Path, PathBuf};
use crate::status;
use std::process::ExitCode;
use std::sync::Mutex;

/// A failure the command reported itself (printed, exit 1) rather than returned.
static FAILURE: Mutex<Option<String>> = Mutex::new(None);

/// The source's SHA-256 a command computed itself (validation), for its entry.
static SOURCE_SHA256: Mutex<Option<String>> = Mutex::new(None);

/// The fingerprint of the mask key a masked copy (or its validation) used.
static MASK_KEY: Mutex<Option<String>> = Mutex::new(None);

/// Notes that the command masks, and with which key (by its fingerprint, never the key).
pub fn note_mask_key(fingerprint: &str) {
    *MASK_KEY.lock().expect("audit note") = Some(fingerprint.to_string());
}

/// Notes the source's SHA-256 the command computed, so the entry need not hash the file again.
pub fn note_source_sha256(sha: &str) {
    *SOURCE_SHA256.lock().expect("audit note") = Some(sha.to_string());
}

/// Notes why a command that returns an exit code rather than an error failed.
pub fn note_failure(message: &str) {
    *FAILURE.lock().expect("audit note") = Some(message.to_string());
}

/// The log's path: `--audit-log`, else `$FERRY_AUDIT_LOG`, else the platform's data folder.
pub fn log_path(cli: &Cli) -> PathBuf {
    cli.audit_log.clone().unwrap_or_else(ferry_core::audit::default_path)
}

/// Starts the entry for a command that changes something; None for the ones that only read.
pub fn start(cli: &Cli) -> Option<Recorder> {
    let path = log_path(cli);
    let rec = match &cli.command {
        Command::Migrate { job, report, jobs, schema, strict, batch_rows, rejects, data_only, resume, distribute, access } => {
            let mut r = Recorder::start(path, "migrate");
            r.source(&job.source);
            r.target(&job.to);
            r.option("plan", job.plan.as_ref().map(|p| p.display().to_string()));
            r.option("report", report.as_ref().map(|p| p.display().to_string()));
            r.option("schema", schema.clone());
            r.option("jobs", *jobs);
            r.option("strict", *strict);
            r.option("batch_rows", *batch_rows);
            r.option("rejects", rejects.as_ref().map(|p| p.display().to_string()));
            r.option("data_only", *data_only);
            r.option("resume", *resume);
            r.option("distribute", distribute.clone());
            // The request, never a password (the passwords' file is named, not read).
            r.option("roles", access.roles.clone());
            r.option("roles_login", access.roles_login);
            r.option("roles_passwords", access.roles_passwords.as_ref().map(|p| p.display().to_string()));
            r.option("tenant_isolation", access.tenant_isolation.clone());
            // A masked copy says so from its first line, so a run killed part way shows it too
            // (the key by its fingerprint; a missing key is the run's own error, said there).
            if job.plan.as_deref().and_then(|p| ferry_core::plan::Plan::load(p).ok()).is_some_and(|p| p.masks()) {
                r.option("masked_copy", true);
                if let Ok(key) = ferry_core::mask::MaskKey::from_file_or_env(job.mask_key_file.as_deref()) {
                    r.option("mask_key_fingerprint", key.fingerprint());
                }
            }
            // Written now, so a run killed before it ends still shows ("did not finish").
            if let Err(e) = r.announce() {
                eprintln!("ferry: warning: {e}");
            }
            r
        }
        Command::Backup { source, out, to, schema, engine } => {
            let mut r = Recorder::start(path, "backup");
            if let Some(s) = source {
                r.source(s);
            }
            if let Some(t) = to {
                r.target(t);
            }
            r.option("out", out.display().to_string());
            r.option("schema", schema.clone());
            r.option("engine", engine.clone());
            r
        }
        Command::Restore { backup, to, replace } => {
            let mut r = Recorder::start(path, "restore");
            r.target(to);
            r.option("backup", backup.display().to_string());
            r.option("replace", *replace);
            r
        }
        Command::Rollback { report, to, backup, force, schema } => {
            let mut r = Recorder::start(path, "rollback");
            r.target(to);
            r.option("report", report.as_ref().map(|p| p.display().to_string()));
            r.option("backup", backup.as_ref().map(|p| p.display().to_string()));
            r.option("force", *force);
            r.option("schema", schema.clone());
            r
        }
        Command::Preflight { job, schema, choose, out, .. } => {
            let mut r = Recorder::start(path, "preflight");
            r.source(&job.source);
            r.target(&job.to);
            r.option("plan", job.plan.as_ref().map(|p| p.display().to_string()));
            r.option("schema", schema.clone());
            r.option("choose", choose.clone());
            r.option("out", out.as_ref().map(|p| p.display().to_string()));
            r
        }
        Command::Validate(a) => {
            let mut r = Recorder::start(path, "validate");
            // Its report has the source's SHA-256 (`note_source_sha256`).
            r.source_hashed_by_action(&a.source);
            r.target(&a.to);
            r.option("plan", a.plan.as_ref().map(|p| p.display().to_string()));
            r.option("schema", a.schema.clone());
            r.option("report", a.report.as_ref().map(|p| p.display().to_string()));
            r.option("run_report", a.run_report.as_ref().map(|p| p.display().to_string()));
            r
        }
        Command::Sync(a) => {
            let mut r = Recorder::start(path, "sync");
            r.source(&a.source);
            r.target(&a.to);
            r.option("plan", a.plan.as_ref().map(|p| p.display().to_string()));
            r.option("run_report", a.run_report.as_ref().map(|p| p.display().to_string()));
            r.option("dry_run", a.dry_run);
            r
        }
        _ => return None,
    };
    Some(rec)
}

/// Writes the entry with the command's outcome; a log that cannot be written is a warning.
pub fn finish(rec: Option<Recorder>, result: &Result<ExitCode, FerryError>) {
    let Some(mut rec) = rec else { return };
    if rec.entry.action == "preflight" {
        if let Ok(code) = result {
            rec.option("ready", *code == status::exit(status::OK));
        }
    }
    if let Some(fp) = MASK_KEY.lock().expect("audit note").take() {
        rec.option("masked_copy", true);
        rec.option("mask_key_fingerprint", fp);
    }
    if let Some(sha) = SOURCE_SHA256.lock().expect("audit note").take() {
        rec.source_sha256(sha);
    }
    let noted = FAILURE.lock().expect("audit note").take();
    let cancelled = match result {
        Err(e @ FerryError::Cancelled) => Some(e.to_string()),
        Ok(code) if *code == status::exit(status::INTERRUPTED) => Some(noted.clone().unwrap_or_else(|| "cancelled".into())),
        _ => None,
    };
    if let Some(m) = cancelled {
        if let Err(e) = rec.cancelled(m) {
            eprintln!("ferry: warning: {e}");
        }
        return;
    }
    let outcome = match result {
        Err(e) => Err(e.to_string()),
        Ok(code) if *code == status::exit(status::OK) => Ok(None),
        Ok(code) if *code == status::exit(status::LISTED) && rec.entry.action == "preflight" => Ok(Some("groups left to a default that rejects rows: choose for them (--choose) or accept it".into())),
        Ok(code) if *code == status::exit(status::LISTED) && rec.entry.action == "validate" => Ok(Some("completed; the target differs from the source, the mismatches are listed in the report".into())),
        Ok(code) if *code == status::exit(status::LISTED) => Ok(Some("completed; rejected or changed values, or objects left behind, are listed in the report".into())),
        Ok(_) => Err(noted.unwrap_or_else(|| "failed".into())),
    };
    if let Err(e) = rec.finish(outcome) {
        eprintln!("ferry: warning: {e}");
    }
}

/// `ferry audit`: the log as a table, as CSV, or as JSON lines.
pub fn run(path: &Path, csv: bool, json: bool) -> Result<ExitCode, FerryError> {
    let entries = ferry_core::audit::read(path)?;
    if csv {
        print!("{}", ferry_core::audit::to_csv(&entries));
    } else if json {
        for e in &entries {
            println!("{}", serde_json::to_string(e).expect("entry serializes"));
        }
    } else {
        print(path, &entries);
    }
    Ok(status::exit(status::OK))
}

fn print(path: &Path, entries: &[AuditEntry]) {
    if entries.is_empty() {
        println!("{}: no entries yet", path.display());
        return;
    }
    println!("{:<24} {:<9} {:<7} {:>9}  what", "when", "action", "outcome", "seconds");
    for e in entries {
        let what = match (&e.source, &e.target) {
            (Some(s), Some(t)) => format!("{s} → {t}"),
            (Some(s), None) => s.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => String::new(),
        };
        println!("{:<24} {:<9} {:<7} {:>9.2}  {what}", e.at, e.action, e.outcome, e.seconds);
        if let Some(m) = &e.message {
            println!("{:<24} {m}", "");
        }
    }
    println!("\n{} in {}", crate::words::count(entries.len() as u64, "entry", "entries"), path.display());
}
