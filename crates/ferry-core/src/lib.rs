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

/// Turns off Nagle's algorithm (`TCP_NODELAY`) on the TCP sockets the process has open; called
/// right after each target connection is made. sqlx sets no `TCP_NODELAY` and gives no handle
/// on its socket, and without it a statement longer than one TCP segment, sent after the
/// server's last answer, holds its last segment back until the server's delayed ACK: 40 ms on
/// Linux, measured here as 40-50 ms of nothing before each of `sync`'s multi-row statements.
/// Each open descriptor is tried: a file, a pipe or a Unix socket is left as it is (only a
/// socket is touched, and `TCP_NODELAY` is refused on a non-TCP one), and another of the
/// process's TCP connections only loses the same wait. Elsewhere than Unix it does nothing.
pub fn tcp_no_delay() {
    #[cfg(unix)]
    {
        let fds: Vec<libc::c_int> = match std::fs::read_dir("/proc/self/fd") {
            Ok(dir) => dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect(),
            Err(_) => (0..1024).collect(),
        };
        for fd in fds {
            // SAFETY: fstat and setsockopt on a descriptor number, with a stat buffer and an
            // int of their own; a number closed meanwhile makes them fail, nothing more.
            unsafe {
                let mut st: libc::stat = std::mem::zeroed();
                if libc::fstat(fd, &mut st) != 0 || (st.st_mode & libc::S_IFMT) != libc::S_IFSOCK {
                    continue;
                }
                let one: libc::c_int = 1;
                libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, (&one as *const libc::c_int).cast(), std::mem::size_of::<libc::c_int>() as libc::socklen_t);
            }
        }
    }
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
