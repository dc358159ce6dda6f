//! Snapshots of the source: SQLite's online backup API, consistent even while another
//! program writes to the file (WAL included), with size, time and SHA-256 recorded.
//!
//! The snapshot is written beside its final name and renamed only once it is complete and
//! passes `PRAGMA integrity_check`, so a half-written file never looks like a backup. The
//! source is opened read-only.
//!
//! Target backups (`pg_dump` / `mysqldump` or Ferry's own dump), restore and rollback are
//! the next part of this module and not written yet.

use crate::error::{FerryError, Result};
use crate::source::sqlite::inspect;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a snapshot is; also written beside it as `NAME.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceBackup {
    pub source: String,
    pub path: String,
    pub bytes: u64,
    pub seconds: f64,
    pub sha256: String,
    pub taken_at: String,
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(crate::value::hex(&h.finalize()))
}

fn full_disk(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull)
}

/// Takes a consistent snapshot of `source` into `out_dir` (made when missing), calling
/// `progress(pages_done, pages_total)` as it goes.
pub fn backup_source(source: &Path, out_dir: &Path, mut progress: impl FnMut(u64, u64)) -> Result<SourceBackup> {
    let started = Instant::now();
    let taken_at = chrono::Utc::now();
    let src = inspect::open(source)?;
    std::fs::create_dir_all(out_dir).map_err(|e| FerryError::Io(format!("cannot make the backup folder {}: {e}", out_dir.display())))?;
    let stem = source.file_stem().and_then(|s| s.to_str()).unwrap_or("source");
    let name = format!("{stem}-{}.sqlite", taken_at.format("%Y%m%dT%H%M%S%3fZ"));
    let final_path = out_dir.join(&name);
    let partial: PathBuf = out_dir.join(format!(".{name}.partial"));
    let result = (|| -> Result<()> {
        let mut dst = rusqlite::Connection::open(&partial).map_err(|e| FerryError::Io(format!("cannot write {}: {e}", partial.display())))?;
        let map = |e: rusqlite::Error| {
            if full_disk(&e) {
                FerryError::Io(format!("the disk holding {} is full: free some space or choose another --out", out_dir.display()))
            } else {
                inspect::map_err(source, e)
            }
        };
        {
            let backup = rusqlite::backup::Backup::new(&src, &mut dst).map_err(map)?;
            // One step copies every page inside one read transaction: a consistent snapshot
            // even while another connection writes (a WAL reader does not block writers).
            loop {
                let r = backup.step(-1).map_err(map)?;
                let p = backup.progress();
                progress((p.pagecount - p.remaining).max(0) as u64, p.pagecount.max(0) as u64);
                match r {
                    rusqlite::backup::StepResult::Done => break,
                    rusqlite::backup::StepResult::More => continue,
                    // Busy or locked: try again shortly.
                    _ => std::thread::sleep(std::time::Duration::from_millis(50)),
                }
            }
        }
        // A self-contained file: no -wal beside it.
        dst.execute_batch("PRAGMA journal_mode = DELETE;").map_err(map)?;
        let check: String = dst.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(map)?;
        if check != "ok" {
            return Err(FerryError::SourceCorrupt { path: source.to_path_buf(), detail: format!("the snapshot fails integrity_check: {check}") });
        }
        drop(dst);
        std::fs::File::open(&partial).and_then(|f| f.sync_all())?;
        std::fs::rename(&partial, &final_path)?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    let bytes = std::fs::metadata(&final_path)?.len();
    let backup = SourceBackup {
        source: source.display().to_string(),
        path: final_path.display().to_string(),
        bytes,
        seconds: started.elapsed().as_secs_f64(),
        sha256: sha256_file(&final_path)?,
        taken_at: taken_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    let manifest = final_path.with_extension("json");
    std::fs::write(&manifest, serde_json::to_string_pretty(&backup).expect("backup serializes"))
        .map_err(|e| FerryError::Io(format!("cannot write {}: {e}", manifest.display())))?;
    Ok(backup)
}
