//! `ferry backup --to URL --out DIR`: the target database before a run, with `pg_dump` /
//! `mariadb-dump` or Ferry's own dump, a progress line while it runs and its record beside it.

use crate::words::{count, size};
use ferry_core::backup::{BackupProgress, Engine};
use ferry_core::FerryError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use crate::status;
use std::process::ExitCode;

/// Takes the backup and prints where it went; exit 0, or the error for `main` to print.
pub async fn run(to: &str, out: &Path, schema: Option<&str>, engine: Option<&str>) -> Result<ExitCode, FerryError> {
    let engine = engine.map(Engine::parse).transpose()?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        pb.set_style(ProgressStyle::with_template("{spinner} backing up: {msg}").expect("template"));
        pb
    });
    let shown = bar.clone();
    let b = ferry_core::backup::backup_target(to, out, schema, engine, move |p: &BackupProgress| {
        if let Some(pb) = &shown {
            let tables = if p.tables_total > 0 && p.tables_done > 0 { format!(", {} of {}", p.tables_done, count(p.tables_total as u64, "table", "tables")) } else { String::new() };
            pb.set_message(format!("{} written{tables} (the data takes about {} on the server)", size(p.bytes), size(p.size_estimate)));
            pb.tick();
        }
    })
    .await;
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    let b = b?;
    let engine = match b.engine {
        Engine::Native => b.format.clone(),
        Engine::Ferry => "Ferry's own dump".into(),
    };
    let place = b.schema.as_ref().map(|s| format!(" schema {s}")).unwrap_or_default();
    println!(
        "{}: {}{place}, {} and {}, {} in {:.2} s with {engine}, sha256 {}",
        b.path,
        b.target,
        count(b.tables.len() as u64, "table", "tables"),
        count(b.views.len() as u64, "view", "views"),
        size(b.bytes),
        b.seconds,
        b.sha256
    );
    println!("record: {}", Path::new(&b.path).with_extension("json").display());
    Ok(status::exit(status::OK))
}
