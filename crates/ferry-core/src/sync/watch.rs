//! Whether another program committed to the source while sync read it. Sync reads the file
//! itself (as `validate` does, each table through its own connection) and looks again when
//! the comparisons are done: nothing committed in between means every table was read as the
//! file stood when the watch began — one consistent state, with no copy taken. Otherwise
//! sync takes the copy (`backup::private_snapshot`) and compares again.
//!
//! Two witnesses, either enough to say "changed": SQLite's `PRAGMA data_version` on a
//! connection of the watch's own (it moves when any other connection commits, in rollback
//! and WAL mode alike), and the length and modification time of the main file and its
//! `-wal` (for a file read `immutable=1`, whose connections see no other program's commits).

use crate::error::Result;
use crate::source::sqlite::inspect;
use crate::source::sqlite::open::SourceConn;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

type Stamp = Option<(u64, SystemTime)>;

pub(super) struct Watch {
    conn: std::sync::Mutex<SourceConn>,
    path: PathBuf,
    version: i64,
    files: [Stamp; 2],
}

fn stamp(p: &Path) -> Stamp {
    let m = std::fs::metadata(p).ok()?;
    Some((m.len(), m.modified().unwrap_or(SystemTime::UNIX_EPOCH)))
}

impl Watch {
    /// Starts watching `source` (before any of its tables is read).
    pub(super) fn start(source: &Path) -> Result<Watch> {
        let conn = inspect::open(source)?;
        let mut w = Watch { conn: std::sync::Mutex::new(conn), path: source.to_path_buf(), version: 0, files: [None, None] };
        (w.version, w.files) = w.look()?;
        Ok(w)
    }

    fn look(&self) -> Result<(i64, [Stamp; 2])> {
        // The files first: a commit between the two looks shows in the version.
        let mut wal = self.path.as_os_str().to_owned();
        wal.push("-wal");
        let files = [stamp(&self.path), stamp(Path::new(&wal))];
        let version = self.conn.lock().expect("the watch's connection").query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0)).map_err(|e| inspect::map_err(&self.path, e))?;
        Ok((version, files))
    }

    /// Whether another program committed to the source since the watch began.
    pub(super) fn changed(&self) -> Result<bool> {
        let (version, files) = self.look()?;
        Ok(version != self.version || files != self.files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_by_another_connection_is_seen_in_either_journal_mode() {
        for mode in ["DELETE", "WAL"] {
            let dir = std::env::temp_dir().join(format!("ferry-watch-{}-{mode}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("app.sqlite");
            let app = rusqlite::Connection::open(&path).unwrap();
            app.execute_batch(&format!("PRAGMA journal_mode = {mode}; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a');")).unwrap();
            let w = Watch::start(&path).unwrap();
            // Reading, by the watch or another reader, is no change.
            let reader = inspect::open(&path).unwrap();
            assert_eq!(reader.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0)).unwrap(), 1);
            assert!(!w.changed().unwrap(), "{mode}: nothing committed yet");
            // An update that leaves the file's length as it was.
            app.execute_batch("UPDATE t SET v = 'b' WHERE id = 1").unwrap();
            assert!(w.changed().unwrap(), "{mode}: a commit since the watch began");
            drop((w, reader, app));
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
