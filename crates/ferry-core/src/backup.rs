//! Snapshots of the source: SQLite's online backup API stepped once over every page inside
//! one read transaction, so it is consistent and finishes however busy another program's
//! writes to the file are (WAL included), with size, time and SHA-256 recorded. A write lock
//! held past a bounded wait is named, not waited on.
//!
//! The snapshot is written beside its final name and renamed only once it is complete and
//! passes `PRAGMA integrity_check`, so a half-written file never looks like a backup. The
//! source is opened read-only.
//!
//! Backups of the target (`backup_target`) are taken before a run: with `pg_dump` /
//! `mariadb-dump` when installed, else with Ferry's own logical dump (each table's DDL from
//! the catalogs, its rows streamed out). The same rules hold: written as `.NAME.partial`,
//! renamed when complete, a `NAME.json` record beside it, nothing half-written left behind,
//! and a full disk said plainly. `restore` reads them back.

use crate::error::{FerryError, Result};
use crate::source::sqlite::inspect;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a snapshot is; also written beside it as `NAME.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    Ok(sha256_file_unless(path, &|| false)?.expect("never stopped"))
}

/// `sha256_file`, given up (None) once `stop` says so: it is asked after every MiB read, so a
/// cancelled run does not wait for the rest of a large file.
pub fn sha256_file_unless(path: &Path, stop: &dyn Fn() -> bool) -> std::io::Result<Option<String>> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        if stop() {
            return Ok(None);
        }
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(Some(crate::value::hex(&h.finalize())))
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
        // Made the owner's alone before SQLite writes a page into it.
        crate::private::create(&partial).map_err(|e| FerryError::Io(format!("cannot write {}: {e}", partial.display())))?;
        let mut dst = rusqlite::Connection::open(&partial).map_err(|e| FerryError::Io(format!("cannot write {}: {e}", partial.display())))?;
        let map = |e: rusqlite::Error| {
            if full_disk(&e) {
                FerryError::Io(format!("the disk holding {} is full: free some space or choose another --out", out_dir.display()))
            } else {
                inspect::map_err(source, e)
            }
        };
        // One read transaction for the whole copy: the file as it stood at one commit, however
        // busy its writers (a WAL reader does not block them; a rollback-journal writer waits
        // for the copy's end to commit). The backup API, stepped once over every page inside
        // it, never sees the source change, so it never starts again.
        begin_snapshot(&src, source, lock_wait())?;
        {
            let backup = rusqlite::backup::Backup::new(&src, &mut dst).map_err(map)?;
            let r = backup.step(-1).map_err(map)?;
            let p = backup.progress();
            progress((p.pagecount - p.remaining).max(0) as u64, p.pagecount.max(0) as u64);
            if r != rusqlite::backup::StepResult::Done {
                return Err(FerryError::Source(format!("{}: the copy stopped part way ({r:?}) although it held the file still; try again", source.display())));
            }
        }
        let _ = src.execute_batch("COMMIT");
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
    crate::private::write(&manifest, serde_json::to_string_pretty(&backup).expect("backup serializes"))
        .map_err(|e| FerryError::Io(format!("cannot write {}: {e}", manifest.display())))?;
    Ok(backup)
}

/// A consistent copy of the source in a private temporary folder (the owner's alone),
/// removed with it: what `sync` reads, so the file is read once, at one commit, while its
/// application goes on writing.
pub struct PrivateSnapshot {
    dir: PathBuf,
    path: PathBuf,
    /// When the copy was taken (RFC 3339, UTC).
    pub taken_at: String,
    /// How long taking it took.
    pub seconds: f64,
}

impl PrivateSnapshot {
    /// The copy's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PrivateSnapshot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Takes a consistent snapshot of `source` (as `backup_source` does: one read transaction,
/// the backup API stepped once over every page) into a private temporary folder.
pub fn private_snapshot(source: &Path) -> Result<PrivateSnapshot> {
    let started = Instant::now();
    let taken_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let src = inspect::open(source)?;
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("ferry-sync-{}-{n}", std::process::id()));
    let shown = dir.display().to_string();
    let failed = |e: &dyn std::fmt::Display| FerryError::Io(format!("cannot copy {} into {shown} to read it ({e}): free space there or point TMPDIR elsewhere", source.display()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(&dir).map_err(|e| failed(&e))?;
    }
    let mut snap = PrivateSnapshot { path: dir.join("source.sqlite"), dir, taken_at, seconds: 0.0 };
    let mut dst = rusqlite::Connection::open(&snap.path).map_err(|e| failed(&e))?;
    begin_snapshot(&src, source, lock_wait())?;
    {
        let backup = rusqlite::backup::Backup::new(&src, &mut dst).map_err(|e| if full_disk(&e) { failed(&e) } else { inspect::map_err(source, e) })?;
        let r = backup.step(-1).map_err(|e| if full_disk(&e) { failed(&e) } else { inspect::map_err(source, e) })?;
        if r != rusqlite::backup::StepResult::Done {
            return Err(FerryError::Source(format!("{}: the copy stopped part way ({r:?}) although it held the file still; try again", source.display())));
        }
    }
    let _ = src.execute_batch("COMMIT");
    dst.execute_batch("PRAGMA journal_mode = DELETE;").map_err(|e| failed(&e))?;
    drop(dst);
    snap.seconds = started.elapsed().as_secs_f64();
    Ok(snap)
}

/// How long a backup waits for a moment when no other program is committing to the source:
/// 30 s, or `FERRY_LOCK_WAIT_SECONDS`.
fn lock_wait() -> std::time::Duration {
    let secs = std::env::var("FERRY_LOCK_WAIT_SECONDS").ok().and_then(|s| s.trim().parse::<u64>().ok()).unwrap_or(30);
    std::time::Duration::from_secs(secs)
}

/// Opens a read transaction on `src` and reads in it, so every later read sees the file as
/// it stood then. Another program's write lock is waited on for `wait` at most, then named.
fn begin_snapshot(src: &rusqlite::Connection, source: &Path, wait: std::time::Duration) -> Result<()> {
    let started = Instant::now();
    let _ = src.busy_timeout(std::time::Duration::from_millis(100).min(wait));
    let result = loop {
        let r = src.execute_batch("BEGIN DEFERRED").and_then(|()| src.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)));
        match r {
            Ok(_) => break Ok(()),
            Err(e) if is_busy(&e) => {
                let _ = src.execute_batch("ROLLBACK");
                if started.elapsed() >= wait {
                    break Err(FerryError::Source(format!(
                        "{} stayed locked by another program writing to it for {} s, so no consistent copy could be taken: close that program or back up when it is idle",
                        source.display(),
                        wait.as_secs()
                    )));
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => {
                let _ = src.execute_batch("ROLLBACK");
                break Err(inspect::map_err(source, e));
            }
        }
    };
    let _ = src.busy_timeout(crate::source::sqlite::open::LOCK_WAIT);
    result
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

// ---------------------------------------------------------------------------------------
// Target backups.

use crate::dialect::{Dialect, TargetUrl};
use std::io::Write;

/// The tables and views a dump holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DumpObjects {
    pub tables: Vec<String>,
    pub views: Vec<String>,
    /// PostgreSQL: the extensions the schema's objects need (a `citext` column, a
    /// `gin_trgm_ops` index) or that live in it, each `CREATE EXTENSION IF NOT EXISTS … WITH
    /// SCHEMA …`, made before the tables when the dump is restored. A dump taken before
    /// these were kept has none, and reads as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
}

/// One table of Ferry's own dump, as statements.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TableSql {
    /// Statements before the table (PostgreSQL: the sequences of serial columns).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pre: Vec<String>,
    pub create: String,
    /// Right after `create`: a partitioned table's partitions (PostgreSQL, where each is a
    /// table of its own; MySQL's are in `create`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<String>,
    /// A partitioned table (PostgreSQL): its rows are read through a query, as `COPY` reads
    /// no partitioned table itself.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partitioned: bool,
    /// The columns whose values are dumped (generated columns are left out: they are computed again).
    pub columns: Vec<String>,
    /// MySQL/MariaDB: which of `columns` hold bytes (dumped as hex).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub binary: Vec<bool>,
    /// After the rows: keys, constraints, indexes (PostgreSQL).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post: Vec<String>,
    /// After every table's rows and keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<String>,
    /// Where identity / serial sequences stood.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_data: Vec<String>,
}

/// What can go wrong while a dump is written or read back.
#[derive(Debug)]
pub enum DumpError {
    Db(sqlx::Error),
    Io(std::io::Error),
    Format(String),
}

impl From<sqlx::Error> for DumpError {
    fn from(e: sqlx::Error) -> Self {
        DumpError::Db(e)
    }
}
impl From<std::io::Error> for DumpError {
    fn from(e: std::io::Error) -> Self {
        DumpError::Io(e)
    }
}

/// How a target backup is taken.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// The server's own tool: `pg_dump` (custom format) or `mariadb-dump` / `mysqldump`.
    Native,
    /// Ferry's own logical dump.
    Ferry,
}

impl Engine {
    /// `native` or `ferry`.
    pub fn parse(s: &str) -> Result<Engine> {
        match s {
            "native" => Ok(Engine::Native),
            "ferry" => Ok(Engine::Ferry),
            _ => Err(FerryError::Other(format!("unknown backup engine {s:?}: use native (pg_dump / mariadb-dump) or ferry (Ferry's own dump)"))),
        }
    }
}

/// What a target backup is; also written beside it as `NAME.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TargetBackup {
    /// Always `target`, so a record says which kind it is.
    pub kind: String,
    pub engine: Engine,
    /// `pg_dump custom`, `mariadb-dump sql`, `mysqldump sql` or `ferry 1`.
    pub format: String,
    pub dialect: Dialect,
    /// The target without its password.
    pub target: String,
    pub database: String,
    /// PostgreSQL: the schema backed up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub server: String,
    pub tables: Vec<String>,
    pub views: Vec<String>,
    pub path: String,
    pub bytes: u64,
    pub seconds: f64,
    pub sha256: String,
    pub taken_at: String,
}

/// How far a target backup has got.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackupProgress {
    pub bytes: u64,
    /// Ferry's own dump: tables written, and how many there are (0 for a native dump).
    pub tables_done: usize,
    pub tables_total: usize,
    /// The server's figure for the data's size on disk: a rough guide to how large the dump gets.
    pub size_estimate: u64,
}

/// The first program of `names` found on `PATH` (as `command -v` finds it).
pub fn find_tool(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for n in names {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Whether an I/O error means the disk is full.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28)
}

/// The message for a full disk: how much was written, how much the data takes on the server,
/// and what to do.
pub(crate) fn disk_full(out_dir: &Path, written: u64, estimate: u64) -> FerryError {
    let need = if estimate > written { format!("free at least {} more", human_bytes(estimate - written)) } else { "free some space".into() };
    FerryError::Io(format!(
        "the disk is full: the backup stopped after {} in {} (the data takes about {} on the server); {need} or choose another folder with --out. The partial file was removed",
        human_bytes(written),
        out_dir.display(),
        human_bytes(estimate)
    ))
}

pub use crate::value::human_bytes;

/// Counts what goes through it.
struct Counting<W: Write> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The line that ends one table's rows in Ferry's own dump (COPY's own end marker: a data
/// line can never be just this).
pub(crate) const END_OF_ROWS: &[u8] = b"\\.\n";

/// Records of Ferry's own dump, one JSON object a line; a table's rows follow its `rows`
/// record, one a line, up to `END_OF_ROWS`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DumpRecord {
    Header { ferry_dump: u32, dialect: Dialect, database: String, schema: Option<String>, server: String, objects: DumpObjects },
    Table { name: String, sql: TableSql },
    Rows { table: String },
    View { name: String, sql: String },
    End { tables: usize, rows: u64 },
}

/// Backs up the target database (PostgreSQL: one schema, `public` by default) into `out_dir`
/// (made when missing): with the server's own dump tool (`Engine::Native`, the default when it
/// is installed) or Ferry's own dump, calling `progress` as it goes.
pub async fn backup_target(url: &str, out_dir: &Path, schema: Option<&str>, engine: Option<Engine>, mut progress: impl FnMut(&BackupProgress) + Send) -> Result<TargetBackup> {
    let started = Instant::now();
    let taken_at = chrono::Utc::now();
    let parsed = TargetUrl::parse(url)?;
    if schema.is_some() && !parsed.dialect.has_schemas() {
        return Err(FerryError::Other("--schema is for PostgreSQL; on MySQL/MariaDB name the database in the URL".into()));
    }
    let (target, mut conn) = crate::dialect::session::Target::open(url, schema).await?;
    let schema_name = target.dialect.has_schemas().then(|| target.pg_schema.clone());
    let place = schema_name.as_deref().unwrap_or("");
    let objects = conn.dump_objects(place).await.map_err(|e| db_err("the list of tables", e))?;
    let estimate = conn.dump_size(place).await.unwrap_or(0);
    let exists = conn.schema_exists(place).await.map_err(|e| db_err("the schema list", e))?;
    if !exists {
        return Err(FerryError::Other(format!("schema {place:?} does not exist in database {:?}: nothing to back up", target.url.database)));
    }
    conn.dump_begin().await.map_err(|e| db_err("the search path", e))?;
    let dump_names = target.dialect.dump_tools();
    let tool = find_tool(dump_names);
    let engine = match (engine, &tool) {
        (Some(Engine::Native), None) => {
            return Err(FerryError::Other(format!(
                "{} is not installed here: install it ({}) or use --engine ferry for Ferry's own dump",
                dump_names[0],
                target.dialect.client_package()
            )))
        }
        (Some(Engine::Native), Some(_)) if target.url.native_refusal().is_some() => return Err(FerryError::Other(target.url.native_refusal().unwrap_or_default())),
        (Some(e), _) => e,
        // A URL whose settings the tools cannot keep (TLS) is backed up by Ferry's own dump.
        (None, Some(_)) if target.url.native_refusal().is_some() => Engine::Ferry,
        (None, Some(_)) => Engine::Native,
        (None, None) => Engine::Ferry,
    };
    std::fs::create_dir_all(out_dir).map_err(|e| FerryError::Io(format!("cannot make the backup folder {}: {e}", out_dir.display())))?;
    let ext = match engine {
        Engine::Ferry => "ferry",
        Engine::Native => target.dialect.native_extension(),
    };
    let stem = match &schema_name {
        Some(s) if s != "public" => format!("{}-{s}", target.url.database),
        _ => target.url.database.clone(),
    };
    let name = format!("{}-{}.{ext}", sanitize(&stem), taken_at.format("%Y%m%dT%H%M%S%3fZ"));
    let final_path = out_dir.join(&name);
    let partial = out_dir.join(format!(".{name}.partial"));
    let mut state = BackupProgress { tables_total: objects.tables.len(), size_estimate: estimate, ..Default::default() };
    progress(&state);
    let format = match engine {
        Engine::Native => {
            let tool = tool.expect("checked above");
            drop(conn);
            // The tool writes into a file that is already the owner's alone (it keeps the mode).
            if let Err(e) = crate::private::create(&partial) {
                return Err(FerryError::Io(format!("cannot write {}: {e}", partial.display())));
            }
            let r = run_native_dump(&target.url, schema_name.as_deref(), &tool, &partial, out_dir, &mut state, &mut progress).await;
            if let Err(e) = r {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
            let tool_name = tool.file_name().and_then(|n| n.to_str()).unwrap_or("dump").to_string();
            format!("{tool_name} {}", target.dialect.native_format())
        }
        Engine::Ferry => {
            let header = DumpRecord::Header { ferry_dump: 1, dialect: target.dialect, database: target.url.database.clone(), schema: schema_name.clone(), server: target.server.clone(), objects: objects.clone() };
            let r = write_ferry_dump(&mut conn, place, header, &objects, &partial, out_dir, &mut state, &mut progress).await;
            if let Err(e) = r {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
            "ferry 1".into()
        }
    };
    if let Err(e) = std::fs::rename(&partial, &final_path) {
        let _ = std::fs::remove_file(&partial);
        return Err(FerryError::Io(format!("cannot rename {} to {}: {e}", partial.display(), final_path.display())));
    }
    let bytes = std::fs::metadata(&final_path)?.len();
    let backup = TargetBackup {
        kind: "target".into(),
        engine,
        format,
        dialect: target.dialect,
        target: target.url.redacted.clone(),
        database: target.url.database.clone(),
        schema: schema_name,
        server: target.server.clone(),
        tables: objects.tables,
        views: objects.views,
        path: final_path.display().to_string(),
        bytes,
        seconds: started.elapsed().as_secs_f64(),
        sha256: sha256_file(&final_path)?,
        taken_at: taken_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    let manifest = final_path.with_extension("json");
    let written = crate::private::write(&manifest, serde_json::to_string_pretty(&backup).expect("backup serializes"));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&manifest);
        if is_disk_full(&e) {
            return Err(FerryError::Io(format!("the disk is full: the backup {} is complete but its record {} could not be written; free some space or choose another folder", final_path.display(), manifest.display())));
        }
        return Err(FerryError::Io(format!("cannot write {}: {e}", manifest.display())));
    }
    Ok(backup)
}

fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

pub(crate) fn db_err(object: &str, e: sqlx::Error) -> FerryError {
    let detail = match e.as_database_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    };
    FerryError::Target { object: object.into(), detail }
}

/// Runs `pg_dump` / `mariadb-dump` into `partial`, reporting the file's size as it grows.
async fn run_native_dump(t: &TargetUrl, schema: Option<&str>, tool: &Path, partial: &Path, out_dir: &Path, state: &mut BackupProgress, progress: &mut (impl FnMut(&BackupProgress) + Send)) -> Result<()> {
    let mut cmd = std::process::Command::new(tool);
    cmd.envs(t.tool_env());
    cmd.args(t.dump_args(schema, partial));
    cmd.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
    let tool_name = tool.file_name().and_then(|n| n.to_str()).unwrap_or("the dump tool").to_string();
    let mut child = cmd.spawn().map_err(|e| FerryError::Io(format!("cannot run {}: {e}", tool.display())))?;
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| FerryError::Io(format!("{tool_name}: {e}")))? {
            break st;
        }
        state.bytes = std::fs::metadata(partial).map(|m| m.len()).unwrap_or(0);
        progress(state);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let err_text = reader.join().unwrap_or_default();
    state.bytes = std::fs::metadata(partial).map(|m| m.len()).unwrap_or(0);
    progress(state);
    if status.success() {
        return std::fs::File::open(partial).and_then(|f| f.sync_all()).map_err(|e| if is_disk_full(&e) { disk_full(out_dir, state.bytes, state.size_estimate) } else { FerryError::Io(e.to_string()) });
    }
    if ["No space left on device", "Errcode: 28", "errno 28"].iter().any(|s| err_text.contains(s)) {
        return Err(disk_full(out_dir, state.bytes, state.size_estimate));
    }
    let first = err_text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no message").to_string();
    let hint = if first.contains("server version mismatch") || first.contains("version mismatch") { ": this tool is older than the server; install a matching one or use --engine ferry" } else { "" };
    Err(FerryError::Other(format!("{tool_name} failed ({status}): {first}{hint}")))
}

/// Writes Ferry's own dump: the header, every table's DDL, its rows, the views, an end record.
#[allow(clippy::too_many_arguments)]
async fn write_ferry_dump(conn: &mut crate::dialect::session::Conn, schema: &str, header: DumpRecord, objects: &DumpObjects, partial: &Path, out_dir: &Path, state: &mut BackupProgress, progress: &mut (impl FnMut(&BackupProgress) + Send)) -> Result<()> {
    let estimate = state.size_estimate;
    let io_err = |e: std::io::Error, written: u64| if is_disk_full(&e) { disk_full(out_dir, written, estimate) } else { FerryError::Io(format!("cannot write {}: {e}", partial.display())) };
    let file = crate::private::create(partial).map_err(|e| io_err(e, 0))?;
    let mut out = Counting { inner: std::io::BufWriter::with_capacity(1 << 20, file), bytes: 0 };
    let record = |out: &mut Counting<_>, r: &DumpRecord| -> std::io::Result<()> {
        let mut line = serde_json::to_vec(r).expect("dump record serializes");
        line.push(b'\n');
        out.write_all(&line)
    };
    record(&mut out, &header).map_err(|e| io_err(e, out.bytes))?;
    let mut total_rows = 0u64;
    for (i, table) in objects.tables.iter().enumerate() {
        let dump_err = |e: DumpError, written: u64| match e {
            DumpError::Io(e) => io_err(e, written),
            DumpError::Db(e) => db_err(&format!("table {table}"), e),
            DumpError::Format(m) => FerryError::Other(m),
        };
        let sql = conn.dump_table(schema, table).await.map_err(|e| db_err(&format!("the definition of table {table}"), e))?;
        record(&mut out, &DumpRecord::Table { name: table.clone(), sql: sql.clone() }).map_err(|e| io_err(e, out.bytes))?;
        record(&mut out, &DumpRecord::Rows { table: table.clone() }).map_err(|e| io_err(e, out.bytes))?;
        let mut last_report = Instant::now();
        let rows = {
            let mut sink = |b: &[u8]| -> std::io::Result<()> {
                out.write_all(b)?;
                if last_report.elapsed().as_millis() >= 100 {
                    state.bytes = out.bytes;
                    progress(state);
                    last_report = Instant::now();
                }
                Ok(())
            };
            conn.dump_rows(schema, table, &sql, &mut sink).await
        }
        .map_err(|e| dump_err(e, out.bytes))?;
        total_rows += rows;
        out.write_all(END_OF_ROWS).map_err(|e| io_err(e, out.bytes))?;
        state.tables_done = i + 1;
        state.bytes = out.bytes;
        progress(state);
    }
    for view in &objects.views {
        let sql = conn.dump_view(schema, view).await.map_err(|e| db_err(&format!("the definition of view {view}"), e))?;
        record(&mut out, &DumpRecord::View { name: view.clone(), sql }).map_err(|e| io_err(e, out.bytes))?;
    }
    record(&mut out, &DumpRecord::End { tables: objects.tables.len(), rows: total_rows }).map_err(|e| io_err(e, out.bytes))?;
    out.flush().map_err(|e| io_err(e, out.bytes))?;
    let written = out.bytes;
    let file = out.inner.into_inner().map_err(|e| io_err(e.into_error(), written))?;
    file.sync_all().map_err(|e| io_err(e, written))?;
    state.bytes = written;
    progress(state);
    Ok(())
}

/// Reads a target backup's record (`NAME.json`) and finds its dump beside it, checking the
/// dump's SHA-256 against the record.
pub fn load_target_backup(record: &Path) -> Result<(TargetBackup, PathBuf)> {
    let text = std::fs::read_to_string(record).map_err(|e| FerryError::Io(format!("cannot read the backup record {}: {e}", record.display())))?;
    let b: TargetBackup = serde_json::from_str(&text).map_err(|e| {
        FerryError::Other(format!("{} is not a target backup's record ({e}): give the .json file that `ferry backup --to` wrote beside the dump", record.display()))
    })?;
    if b.kind != "target" {
        return Err(FerryError::Other(format!("{} is not a target backup's record", record.display())));
    }
    // Where the record says, or beside the record (the folder may have moved).
    let named = PathBuf::from(&b.path);
    let beside = record.parent().unwrap_or(Path::new(".")).join(named.file_name().unwrap_or_default());
    let dump = if beside.is_file() { beside } else { named };
    if !dump.is_file() {
        return Err(FerryError::Io(format!("the backup file {} is missing (it should be beside {})", dump.display(), record.display())));
    }
    let sha = sha256_file(&dump)?;
    if sha != b.sha256 {
        return Err(FerryError::Other(format!("the backup file {} does not match its record (SHA-256 {sha}, recorded {}): it was changed or damaged since; use another backup", dump.display(), b.sha256)));
    }
    Ok((b, dump))
}

#[cfg(test)]
mod target_tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        for (n, want) in [(0, "0 bytes"), (1023, "1023 bytes"), (1536, "1.5 KiB"), (5 << 20, "5.0 MiB"), (3 << 30, "3.0 GiB")] {
            assert_eq!(human_bytes(n), want);
        }
        assert!(is_disk_full(&std::io::Error::from_raw_os_error(28)));
        assert!(!is_disk_full(&std::io::Error::from_raw_os_error(13)));
        for (s, e) in [("native", Some(Engine::Native)), ("ferry", Some(Engine::Ferry)), ("pg_dump", None)] {
            assert_eq!(Engine::parse(s).ok(), e);
        }
    }
}
