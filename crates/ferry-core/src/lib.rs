//! Ferry's engine: moves a SQLite database to PostgreSQL or MySQL/MariaDB — schema, data,
//! indexes, constraints — and reports every value it could not carry exactly.
//!
//! Data flows one way: source → plan → target → report. This crate never depends on Tauri;
//! the desktop shell and the `ferry` CLI are thin adapters over it.

pub mod access;
pub mod advise;
pub mod audit;
pub mod backup;
pub mod convert;
pub mod copy;
pub mod demo;
pub mod dialect;
pub mod diff;
pub mod error;
pub mod events;
pub mod html;
pub mod mapping;
pub mod mask;
pub mod monitor;
pub mod plan;
pub mod pooling;
pub mod preflight;
pub mod private;
pub mod report;
pub mod restore;
pub mod rollback;
pub mod schema;
pub mod secret;
pub mod source;
pub mod sqlexpr;
pub mod sync;
pub mod validate;
pub mod value;

pub use error::{FerryError, Result};

/// The engine's version, as the desktop app and the CLI show it.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Lowers the calling thread to the lowest scheduling priority (Linux: nice 19 for this
/// thread alone); elsewhere it does nothing. For work beside a run that must be done by its
/// end but need not be done sooner (the audit's hash of the source, the file's structure
/// check): it takes the CPU the run leaves, and the run's readers and the server do not wait
/// behind it.
pub fn lowest_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on the calling thread's own id; no memory is passed.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 19);
    }
}
