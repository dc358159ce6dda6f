//! Reading a SQLite source for a run: its schema, its columns' profiles (all rows, a sample,
//! or a spread sample for a plan made before the rows are read), and the file's structure
//! check (`PRAGMA quick_check`) before or beside them.

use super::{inspect, profile};
use crate::error::Result;
use crate::schema::Schema;
use std::path::Path;

/// Reads the schema and (when asked) profiles every column, tables in parallel threads.
///
/// The file's structure is checked (`PRAGMA quick_check`) before this returns, so a damaged
/// file is refused before anything is written anywhere; with profiling the check runs beside
/// the profiling threads rather than before them.
pub fn read_source(path: &Path, with_profile: bool, jobs: usize) -> Result<Schema> {
    read_source_sampled(path, with_profile, jobs, None)
}

/// As `read_source`; with `sample`, each table's profile rests on about that many rows spread
/// over it — a quick look (`ferry inspect --sample`), never what a plan or a load uses.
pub fn read_source_sampled(path: &Path, with_profile: bool, jobs: usize, sample: Option<u64>) -> Result<Schema> {
    let conn = inspect::open(path)?;
    let schema = inspect_or_damaged(&conn, path)?;
    if !with_profile {
        inspect::check_integrity(&conn, path)?;
        return Ok(schema);
    }
    profile_beside_check(conn, path, jobs, sample, schema)
}

/// The schema, with the file's structure check still running on a thread of its own: what
/// is read from the file may be trusted once the check's handle has joined `Ok`. For work
/// that reads the rows anyway and can say "damaged" at its end (validation).
pub fn read_schema_check_beside(path: &Path) -> Result<(Schema, std::thread::JoinHandle<Result<()>>)> {
    let conn = inspect::open(path)?;
    let schema = inspect_or_damaged(&conn, path)?;
    let p = path.to_path_buf();
    Ok((schema, std::thread::spawn(move || inspect::check_integrity(&conn, &p))))
}

/// The schema; a damaged file can fail here already, and the structure check words it best
/// (a file another program holds locked is said at once: the check would wait as long again).
fn inspect_or_damaged(conn: &rusqlite::Connection, path: &Path) -> Result<Schema> {
    inspect::inspect(conn, path).map_err(|e| if inspect::is_locked(&e) { e } else { inspect::check_integrity(conn, path).err().unwrap_or(e) })
}

fn profile_beside_check(conn: super::open::SourceConn, path: &Path, jobs: usize, sample: Option<u64>, mut schema: Schema) -> Result<Schema> {
    let (integrity, profiled) = std::thread::scope(|s| {
        let check = s.spawn(move || inspect::check_integrity(&conn, path));
        let profiled = each_table_on_threads(path, jobs, &mut schema.tables, |c, t| profile::profile_table_sampled(c, path, t, sample));
        (check.join().expect("integrity check thread"), profiled)
    });
    // A damaged file: the integrity check's words, whatever profiling ran into.
    integrity?;
    profiled?;
    Ok(schema)
}

/// Runs `work` on each table, `jobs` tables at a time, each thread on a read connection of its
/// own; the first error is returned.
fn each_table_on_threads(path: &Path, jobs: usize, tables: &mut [crate::schema::Table], work: impl Fn(&rusqlite::Connection, &mut crate::schema::Table) -> Result<()> + Sync) -> Result<()> {
    let queue = std::sync::Mutex::new(tables.iter_mut().collect::<Vec<_>>());
    let err = std::sync::Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                let conn = match inspect::open(path) {
                    Ok(c) => c,
                    Err(e) => return *err.lock().unwrap() = Some(e),
                };
                loop {
                    let next = queue.lock().unwrap().pop();
                    let Some(t) = next else { return };
                    if let Err(e) = work(&conn, t) {
                        return *err.lock().unwrap() = Some(e);
                    }
                }
            });
        }
    });
    match err.into_inner().unwrap() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The file's structure check, running beside a speculative load.
pub struct Integrity {
    handle: std::thread::JoinHandle<Result<()>>,
    interrupt: rusqlite::InterruptHandle,
}

impl Integrity {
    /// Waits for the check's verdict.
    pub fn join(self) -> Result<()> {
        self.handle.join().expect("integrity check thread")
    }

    /// A cancelled run does not wait for a verdict: the check is interrupted (on a large file
    /// it reads every page, ten seconds and more) and its thread left to end by itself. A
    /// verdict already in is returned.
    pub fn stop(self) -> Option<Result<()>> {
        if self.handle.is_finished() {
            return Some(self.join());
        }
        self.interrupt.interrupt();
        None
    }
}

/// The schema with a spread sample of each table's values (`profile_table_spread`), for a
/// plan made before the rows are read; the file's structure check (`PRAGMA quick_check`)
/// runs on its own thread meanwhile, and must pass before the run can succeed.
pub fn read_source_spread(path: &Path, rows: u64, jobs: usize) -> Result<(Schema, Integrity)> {
    let p = path.to_path_buf();
    let conn = inspect::open(path)?;
    let checking = inspect::open(path)?;
    let interrupt = checking.get_interrupt_handle();
    let handle = std::thread::spawn(move || {
        // Measured: at normal priority the check slowed the load it runs beside (~0.15 s of
        // 3.5 s on the 1M demo); the load waits for it only once every row is in.
        crate::lowest_priority();
        inspect::check_integrity(&checking, &p)
    });
    let check = Integrity { handle, interrupt };
    let read = || -> Result<Schema> {
        let mut schema = inspect::inspect_with(&conn, path, false)?;
        // The counts and samples, `jobs` tables at a time.
        each_table_on_threads(path, jobs, &mut schema.tables, |c, t| inspect::count_rows(c, path, t).and_then(|()| profile::profile_table_spread(c, path, t, rows)))?;
        Ok(schema)
    };
    match read() {
        Ok(schema) => Ok((schema, check)),
        // A damaged file can fail here already; the integrity check words it best.
        Err(e) => Err(check.join().err().unwrap_or(e)),
    }
}
