//! Opening the source so that its folder is left exactly as it was.
//!
//! SQLite opened read-only still makes files beside a WAL-mode database: reading one needs a
//! `-wal` and a `-shm`, and a read-only connection creates both when they are missing and
//! cannot remove them at its close (that needs a write lock). So how the file is opened
//! depends on what is beside it:
//!
//! - no `-wal`, or an empty one with no `-shm`: every committed row is in the main file.
//!   A rollback-journal file is opened as it is (SQLite makes nothing beside it); a WAL-mode
//!   one with `immutable=1`, which reads the main file alone and makes nothing;
//! - a `-wal` and a `-shm` (a program has it open, or left them): opened as it is, through
//!   SQLite's own files, as any reader does — its committed frames are read, nothing is
//!   made, and a read-only connection never checkpoints into the main file;
//! - a `-wal` with frames and no `-shm` (a copied or crashed file): no program has it open,
//!   so the main file and its `-wal` are copied into a private temporary folder and the copy
//!   is read; the phases of a run share it, and it goes a minute after its last use once no
//!   connection is on it, or when the process exits.

use crate::error::{FerryError, Result};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Opens the file read-only, leaving its folder as it was (see above). Missing, unreadable,
/// not-SQLite and damaged files each get their own error.
pub fn open(path: &Path) -> Result<SourceConn> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(FerryError::SourceMissing { path: path.to_path_buf() })
        }
        Err(e) => return Err(FerryError::SourceUnreadable { path: path.to_path_buf(), detail: e.to_string() }),
        Ok(m) if m.is_dir() => {
            return Err(FerryError::SourceUnreadable { path: path.to_path_buf(), detail: "it is a directory".into() })
        }
        Ok(_) => {}
    }
    // Check the header ourselves: SQLite would treat an empty file as an empty database.
    // Its bytes 18 and 19 say whether the file is in WAL mode.
    let mut head = [0u8; 100];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path)
            .map_err(|e| FerryError::SourceUnreadable { path: path.to_path_buf(), detail: e.to_string() })?;
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(FerryError::SourceUnreadable { path: path.to_path_buf(), detail: e.to_string() }),
            }
        }
        n
    };
    if n < 16 || &head[..16] != b"SQLite format 3\0" {
        let detail = if n == 0 { "the file is empty".to_string() } else { "its header is not \"SQLite format 3\"".to_string() };
        return Err(FerryError::NotSqlite { path: path.to_path_buf(), detail });
    }
    let conn = open_source(path, &head[..n])?;
    // Reading must never change the file: refuse writes for the whole connection too. And a
    // file is not trusted: functions its views, triggers, CHECKs and defaults call run only
    // where SQLite knows them harmless (`trusted_schema`).
    conn.execute_batch("PRAGMA query_only = ON; PRAGMA trusted_schema = OFF;").map_err(|e| map_err(path, e))?;
    // Collations the file's application registers, read through stand-ins.
    super::collation::register_stand_ins(&conn).map_err(|e| map_err(path, e))?;
    Ok(conn)
}

const LOCKED: &str = "is locked by another program that is writing to it";

/// Whether `e` says another program holds the source locked.
pub fn is_locked(e: &FerryError) -> bool {
    matches!(e, FerryError::Source(m) if m.contains(LOCKED))
}

/// Translates a rusqlite error on the source into one that names the file and the fix.
pub fn map_err(path: &Path, e: rusqlite::Error) -> FerryError {
    use rusqlite::ErrorCode::*;
    if let rusqlite::Error::SqliteFailure(f, ref msg) = e {
        let detail = msg.clone().unwrap_or_else(|| f.to_string());
        return match f.code {
            NotADatabase => FerryError::NotSqlite { path: path.to_path_buf(), detail },
            DatabaseCorrupt => FerryError::SourceCorrupt { path: path.to_path_buf(), detail },
            CannotOpen | PermissionDenied => FerryError::SourceUnreadable { path: path.to_path_buf(), detail },
            DatabaseBusy | DatabaseLocked => FerryError::Source(format!(
                "{} {LOCKED} (waited {} s): close that program or wait until it is idle, then try again",
                path.display(),
                LOCK_WAIT.as_secs()
            )),
            _ => FerryError::Source(format!("{}: {detail}", path.display())),
        };
    }
    FerryError::Source(format!("{}: {e}", path.display()))
}

/// How a source is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// As it is, read-only: SQLite makes nothing beside it.
    AsItIs,
    /// `immutable=1`: the main file alone, no locks, nothing made.
    Immutable,
    /// A private copy of the main file and its `-wal`.
    Copy,
}

/// What is beside the main file, and what its header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beside {
    /// The header's read/write versions are 2.
    pub wal_header: bool,
    /// The `-wal`'s length, when there is one.
    pub wal: Option<u64>,
    pub shm: bool,
}

/// The way to open a file with `beside` so that nothing is made beside it.
pub fn way(b: Beside) -> Way {
    match (b.wal, b.shm) {
        // SQLite's own files are there: read through them.
        (Some(_), true) => Way::AsItIs,
        // Frames no program is reading: a copy, so no -shm is made beside the source.
        (Some(n), false) if n > 0 => Way::Copy,
        // An empty -wal alone: SQLite would make a -shm to read it.
        (Some(_), false) => Way::Immutable,
        (None, _) if b.wal_header => Way::Immutable,
        (None, _) => Way::AsItIs,
    }
}

/// Looks beside `path` (whose first bytes are `head`).
pub fn beside(path: &Path, head: &[u8]) -> Beside {
    let side = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        std::fs::metadata(PathBuf::from(p)).ok()
    };
    Beside { wal_header: head.len() >= 20 && head[18] == 2 && head[19] == 2, wal: side("-wal").map(|m| m.len()), shm: side("-shm").is_some() }
}

/// A read-only connection on the source (it derefs to `rusqlite::Connection`), holding the
/// private copy it reads, if any, until it closes.
pub struct SourceConn {
    // Dropped first: SQLite closes the copy's files before the copy is removed.
    conn: Connection,
    copy: Option<Arc<Snapshot>>,
    way: Way,
}

impl SourceConn {
    /// How it was opened.
    pub fn way(&self) -> Way {
        self.way
    }

    /// The private copy it reads, when it reads one.
    pub fn copy_path(&self) -> Option<PathBuf> {
        self.copy.as_ref().map(|c| c.db())
    }
}

impl std::ops::Deref for SourceConn {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for SourceConn {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// Opens `path` read-only the way `way` says; the caller has checked it is a SQLite file.
pub fn open_source(path: &Path, head: &[u8]) -> Result<SourceConn> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let map = |e| map_err(path, e);
    let way = way(beside(path, head));
    let (conn, copy) = match way {
        Way::AsItIs => (Connection::open_with_flags(path, flags).map_err(map)?, None),
        Way::Immutable => (Connection::open_with_flags(uri(path)? + "?immutable=1", flags | OpenFlags::SQLITE_OPEN_URI).map_err(map)?, None),
        Way::Copy => {
            let copy = private_copy(path)?;
            (Connection::open_with_flags(copy.db(), flags).map_err(map)?, Some(copy))
        }
    };
    // A program writing a rollback-journal file holds it a moment at each commit: wait that
    // long, and no longer (a lock held past this is reported, not waited on).
    conn.busy_timeout(LOCK_WAIT).map_err(map)?;
    Ok(SourceConn { conn, copy, way })
}

/// How long one statement waits for another program's write lock on the source.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A `file:` URI for `path` (made absolute), every byte outside the unreserved set escaped.
pub fn uri(path: &Path) -> Result<String> {
    let abs = std::path::absolute(path).map_err(|e| FerryError::SourceUnreadable { path: path.to_path_buf(), detail: e.to_string() })?;
    Ok(uri_of(&abs))
}

fn uri_of(abs: &Path) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(abs.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = {
        // C:\x\y → /C:/x/y
        let s = abs.to_string_lossy().replace('\\', "/");
        if s.starts_with('/') { s.into_bytes() } else { format!("/{s}").into_bytes() }
    };
    let mut out = String::from("file:");
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A private copy of a source and its `-wal`, removed when the last handle on it goes.
pub struct Snapshot {
    dir: PathBuf,
    name: std::ffi::OsString,
    /// The source's state it was copied from: (main len, main mtime, wal len, wal mtime).
    from: (u64, Option<std::time::SystemTime>, u64, Option<std::time::SystemTime>),
}

impl Snapshot {
    fn db(&self) -> PathBuf {
        self.dir.join(&self.name)
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn wal_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

fn state(path: &Path) -> (u64, Option<std::time::SystemTime>, u64, Option<std::time::SystemTime>) {
    let m = std::fs::metadata(path).ok();
    let w = std::fs::metadata(wal_path(path)).ok();
    (m.as_ref().map_or(0, |m| m.len()), m.and_then(|m| m.modified().ok()), w.as_ref().map_or(0, |m| m.len()), w.and_then(|m| m.modified().ok()))
}

/// A copy and when it was last handed out.
struct Kept {
    snap: Arc<Snapshot>,
    used: std::time::Instant,
}

/// Copies are kept this long after they were last handed out, so the phases of one run (each
/// opening the source anew) copy a file once; a connection still on one keeps it longer.
const KEEP: std::time::Duration = std::time::Duration::from_secs(60);

static SNAPSHOTS: Mutex<Option<HashMap<PathBuf, Kept>>> = Mutex::new(None);

/// Removes the kept copies (those no connection holds) when the process exits.
#[cfg(unix)]
extern "C" fn forget_copies() {
    // try_lock: a thread copying at exit must not hang it (that copy is left in TMPDIR).
    if let Ok(mut all) = SNAPSHOTS.try_lock() {
        *all = None;
    }
}

fn private_copy(path: &Path) -> Result<Arc<Snapshot>> {
    let key = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut all = SNAPSHOTS.lock().unwrap_or_else(|p| p.into_inner());
    let all = all.get_or_insert_with(|| {
        // SAFETY: registers a function with no arguments that only takes a lock and drops values.
        #[cfg(unix)]
        unsafe {
            libc::atexit(forget_copies);
        }
        HashMap::new()
    });
    all.retain(|_, k| k.used.elapsed() < KEEP);
    let now = state(path);
    if let Some(k) = all.get_mut(&key) {
        if k.snap.from == now {
            k.used = std::time::Instant::now();
            return Ok(k.snap.clone());
        }
    }
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("ferry-source-{}-{n}", std::process::id()));
    let name = path.file_name().map(|n| n.to_owned()).unwrap_or_else(|| "source.sqlite".into());
    let snap = Snapshot { dir, name, from: now };
    let failed = |e: std::io::Error| FerryError::SourceUnreadable {
        path: path.to_path_buf(),
        detail: format!(
            "its -wal holds rows and no -shm is beside it, so Ferry reads a private copy of both, and copying them into {} failed ({e}): free space there or point TMPDIR elsewhere",
            snap.dir.display()
        ),
    };
    make_private_dir(&snap.dir).map_err(failed)?;
    std::fs::copy(path, snap.db()).map_err(failed)?;
    let mut wal_copy = snap.db().into_os_string();
    wal_copy.push("-wal");
    std::fs::copy(wal_path(path), PathBuf::from(wal_copy)).map_err(failed)?;
    let snap = Arc::new(snap);
    all.insert(key, Kept { snap: snap.clone(), used: std::time::Instant::now() });
    Ok(snap)
}

fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_beside_the_file_decides_how_it_is_opened() {
        let b = |wal_header, wal, shm| Beside { wal_header, wal, shm };
        for (case, beside, want) in [
            ("rollback journal", b(false, None, false), Way::AsItIs),
            ("WAL, checkpointed and closed", b(true, None, false), Way::Immutable),
            ("WAL, a stale -shm only", b(true, None, true), Way::Immutable),
            ("WAL, open in a program", b(true, Some(4120), true), Way::AsItIs),
            ("WAL, open, checkpointed (TRUNCATE)", b(true, Some(0), true), Way::AsItIs),
            ("WAL, copied with its -wal", b(true, Some(4120), false), Way::Copy),
            ("WAL, an empty -wal alone", b(true, Some(0), false), Way::Immutable),
            ("rollback header, a -wal with frames", b(false, Some(4120), false), Way::Copy),
        ] {
            assert_eq!(way(beside), want, "{case}");
        }
    }

    /// A -wal without its -shm is read through one private copy, shared by opens that follow
    /// one another (the phases of a run), and nothing is made beside the source.
    #[test]
    fn one_copy_serves_the_opens_of_a_run() {
        let dir = std::env::temp_dir().join(format!("ferry-open-copy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let (live, src) = (dir.join("live.sqlite"), dir.join("src").join("s.sqlite"));
        let w = Connection::open(&live).unwrap();
        w.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (a); INSERT INTO t VALUES (1), (2);").unwrap();
        std::fs::copy(&live, &src).unwrap();
        std::fs::copy(dir.join("live.sqlite-wal"), dir.join("src").join("s.sqlite-wal")).unwrap();
        drop(w);
        let first = open(&src).unwrap();
        assert_eq!(first.way(), Way::Copy);
        let n: i64 = first.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        let copy = first.copy_path().unwrap();
        drop(first);
        let second = open(&src).unwrap();
        assert_eq!((n, second.copy_path().unwrap()), (2, copy), "the rows in the -wal are read, from one copy");
        drop(second);
        let mut names: Vec<_> = std::fs::read_dir(dir.join("src")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names, ["s.sqlite", "s.sqlite-wal"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn uris_escape_what_sqlite_would_read() {
        for (path, want) in [
            ("/a/b.sqlite", "file:/a/b.sqlite"),
            ("/a b/c?d#e%f.db", "file:/a%20b/c%3Fd%23e%25f.db"),
            ("/é.db", "file:/%C3%A9.db"),
        ] {
            assert_eq!(uri_of(Path::new(path)), want);
        }
    }
}
