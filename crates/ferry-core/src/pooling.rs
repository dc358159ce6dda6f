//! A connection pooler for the new database: `ferry advise URL --pgbouncer DIR` writes a
//! `pgbouncer.ini` and its auth file template (`userlist.txt`, no secret in it) for this
//! database — transaction pooling, pool sizes from the server's `max_connections` and the
//! cores, the caveats of transaction mode said in comments — that PgBouncer starts as it is
//! (`pgbouncer DIR/pgbouncer.ini`, as a user that may write DIR).
//!
//! Clients authenticate against the server's own password hashes: PgBouncer asks the server
//! (`auth_user` + `auth_query`) rather than keeping a copy, so the auth file names only the
//! `auth_user`, without its password.

use crate::dialect::TargetUrl;
use crate::error::{FerryError, Result};
use std::path::{Path, PathBuf};

/// What the server allows, read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerFigures {
    pub max_connections: u64,
    /// `superuser_reserved_connections`: not for ordinary users.
    pub reserved: u64,
    pub version: String,
    /// Passwords kept as SCRAM-SHA-256 (`password_encryption`), else MD5.
    pub scram: bool,
}

/// Where the cores figure came from, for the file's comment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cores {
    /// The server runs on this machine: its cores.
    Here(u64),
    /// The server is elsewhere: an assumed figure, to be set to the server's.
    Assumed(u64),
}

impl Cores {
    pub fn count(self) -> u64 {
        match self {
            Cores::Here(n) | Cores::Assumed(n) => n.max(1),
        }
    }
    /// This machine's cores when `host` is this machine, else an assumed 4.
    pub fn for_host(host: &str) -> Cores {
        let name = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host).trim_matches(['[', ']']);
        if matches!(name, "127.0.0.1" | "localhost" | "::1") {
            Cores::Here(std::thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(1))
        } else {
            Cores::Assumed(4)
        }
    }
}

/// Connections kept for people and tools beside the pool (psql, Ferry, a replica's slot).
pub const KEPT_FREE: u64 = 5;

/// The pool's sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSizes {
    /// Server connections per user and database: about twice the cores (busy connections
    /// beyond that wait on the CPU and on each other's locks).
    pub default_pool_size: u64,
    /// Extra connections lent when a client has waited `reserve_pool_timeout`.
    pub reserve_pool_size: u64,
    /// Server connections to this database in all, whatever the user: what the server
    /// allows ordinary users, less `KEPT_FREE`.
    pub max_db_connections: u64,
    /// Client connections PgBouncer accepts (cheap: a few kB each).
    pub max_client_conn: u64,
}

pub fn sizes(f: &ServerFigures, cores: Cores) -> PoolSizes {
    let budget = f.max_connections.saturating_sub(f.reserved).saturating_sub(KEPT_FREE).max(2);
    let default_pool_size = (cores.count() * 2).clamp(2, budget);
    let reserve_pool_size = (default_pool_size / 4).max(1).min(budget.saturating_sub(default_pool_size));
    PoolSizes { default_pool_size, reserve_pool_size, max_db_connections: budget, max_client_conn: (budget * 10).clamp(100, 10_000) }
}

/// The two files' text.
#[derive(Debug, Clone, PartialEq)]
pub struct PgBouncerFiles {
    pub ini: String,
    pub userlist: String,
    pub sizes: PoolSizes,
}

/// `pgbouncer.ini` and `userlist.txt` for the database of `t`, with PgBouncer listening on
/// 127.0.0.1:`port` and keeping its log and pid file in `dir`.
pub fn pgbouncer_files(t: &TargetUrl, f: &ServerFigures, cores: Cores, dir: &Path, port: u16) -> PgBouncerFiles {
    let s = sizes(f, cores);
    let (host, server_port) = match t.host.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => (h.to_string(), p.to_string()),
        _ => (t.host.clone(), "5432".to_string()),
    };
    let tls = url::Url::parse(&t.url).ok().and_then(|u| u.query_pairs().find(|(k, _)| k == "sslmode").map(|(_, v)| v.to_string()));
    let server_tls = match tls.as_deref() {
        Some("require" | "verify-ca" | "verify-full") => tls.clone().unwrap_or_default(),
        _ => "prefer".to_string(),
    };
    let cores_words = match cores {
        Cores::Here(n) => format!("{n} cores (the server runs on this machine)"),
        Cores::Assumed(n) => format!("{n} cores ASSUMED (the server is elsewhere: set default_pool_size to about 2 x its cores)"),
    };
    let auth = if f.scram { "scram-sha-256" } else { "md5" };
    let db = &t.database;
    let user = &t.user;
    let dir = dir.display();
    let ini = format!(
        ";; PgBouncer for database {db} on {host}:{server_port} ({version}), written by `ferry advise --pgbouncer`.
;; Start it as a user that may write {dir}:   pgbouncer {dir}/pgbouncer.ini
;; Then point the application at postgres://USER:PASSWORD@127.0.0.1:{port}/{db}
;;
;; Transaction pooling: a server connection is lent to a client for one transaction, then to
;; the next client. Caveats of transaction mode:
;;  - Session state does not carry from one transaction to the next: SET (use SET LOCAL, or
;;    set_config('name', 'value', true), inside each transaction -- app.tenant_id of Ferry's
;;    row-level security included), temporary tables, LISTEN/NOTIFY, WITH HOLD cursors.
;;  - Session advisory locks (pg_advisory_lock) may be taken on one server connection and
;;    released on another: use pg_advisory_xact_lock.
;;  - Prepared statements: PgBouncer 1.21 and later track protocol-level ones
;;    (max_prepared_statements, below, commented out for older versions); with an older
;;    PgBouncer, turn them off in the driver (JDBC prepareThreshold=0, asyncpg
;;    statement_cache_size=0, psycopg prepare_threshold=None, node-postgres: no `name`).
;;    SQL-level PREPARE/EXECUTE never works through transaction pooling.
;;  - Session pooling (pool_mode = session) has none of these limits and pools far less.
;;
;; Sizes: max_connections {max} on the server, {reserved} kept for superusers, {kept} left free
;; for psql, migrations and replicas: {budget} for the pool. {cores_words}.

[databases]
{db} = host={host} port={server_port} dbname={db}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
pool_mode = transaction

;; Clients log in with their own server passwords: PgBouncer reads each one's hash from the
;; server as auth_user (auth_query). auth_user must be able to read pg_shadow (a superuser),
;; or give it a SECURITY DEFINER function instead, e.g.:
;;   CREATE FUNCTION public.pgbouncer_auth(u text, OUT usename text, OUT passwd text)
;;     RETURNS record LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
;;     AS $$ SELECT usename::text, passwd::text FROM pg_shadow WHERE usename = u $$;
;;   REVOKE ALL ON FUNCTION public.pgbouncer_auth(text) FROM PUBLIC;
;;   GRANT EXECUTE ON FUNCTION public.pgbouncer_auth(text) TO pgbouncer_auth_user;
;; and auth_query = SELECT usename, passwd FROM public.pgbouncer_auth($1)
auth_type = {auth}
auth_file = {dir}/userlist.txt
auth_user = {user}
admin_users = {user}
stats_users = {user}

default_pool_size = {dps}
min_pool_size = 0
reserve_pool_size = {rps}
reserve_pool_timeout = 3
max_db_connections = {mdc}
max_client_conn = {mcc}
server_idle_timeout = 600
;; max_prepared_statements = 200

;; Drivers that send it (JDBC) are otherwise refused.
ignore_startup_parameters = extra_float_digits
server_tls_sslmode = {server_tls}

logfile = {dir}/pgbouncer.log
pidfile = {dir}/pgbouncer.pid
",
        version = f.version,
        max = f.max_connections,
        reserved = f.reserved,
        kept = KEPT_FREE,
        budget = s.max_db_connections,
        dps = s.default_pool_size,
        rps = s.reserve_pool_size,
        mdc = s.max_db_connections,
        mcc = s.max_client_conn,
    );
    let userlist = format!(
        ";; PgBouncer's auth file: only auth_user ({user}) is needed here -- the clients' passwords
;; are read from the server. No secret is written by Ferry: if the server asks {user} for a
;; password, put it between the second pair of quotes (or its SCRAM secret, from
;; SELECT rolpassword FROM pg_authid WHERE rolname = '{user}'), and keep this file readable
;; by PgBouncer's user only.
\"{user}\" \"\"
"
    );
    PgBouncerFiles { ini, userlist, sizes: s }
}

/// Reads the server's figures and writes `pgbouncer.ini` and `userlist.txt` into `dir` (made
/// when missing; the auth file readable by its owner only). Returns the files' paths and the
/// sizes chosen.
pub async fn write_pgbouncer(url: &str, dir: &Path, port: u16) -> Result<(Vec<PathBuf>, PoolSizes)> {
    let t = TargetUrl::parse(url)?;
    let figures = t.pool_figures().await?;
    let io = |p: &Path, e: std::io::Error| FerryError::Io(format!("cannot write {}: {e}", p.display()));
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let dir = std::fs::canonicalize(dir).map_err(|e| io(dir, e))?;
    let files = pgbouncer_files(&t, &figures, Cores::for_host(&t.host), &dir, port);
    let (ini, users) = (dir.join("pgbouncer.ini"), dir.join("userlist.txt"));
    std::fs::write(&ini, &files.ini).map_err(|e| io(&ini, e))?;
    // The auth file is where the auth_user's password goes: its owner's alone from the start.
    let mut f = crate::private::create(&users).map_err(|e| io(&users, e))?;
    std::io::Write::write_all(&mut f, files.userlist.as_bytes()).map_err(|e| io(&users, e))?;
    Ok((vec![ini, users], files.sizes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_fit_under_the_servers_limit() {
        let f = |max, reserved| ServerFigures { max_connections: max, reserved, version: "15".into(), scram: true };
        let cases = [
            // (max_connections, reserved, cores) → (default, reserve, max_db, max_client)
            ((100, 3, Cores::Here(2)), (4, 1, 92, 920)),
            ((100, 3, Cores::Assumed(4)), (8, 2, 92, 920)),
            ((20, 3, Cores::Here(16)), (12, 0, 12, 120)),
            ((10, 3, Cores::Here(8)), (2, 0, 2, 100)),
            ((5000, 3, Cores::Here(64)), (128, 32, 4992, 10_000)),
        ];
        for ((max, reserved, cores), (d, r, m, c)) in cases {
            let s = sizes(&f(max, reserved), cores);
            assert_eq!((s.default_pool_size, s.reserve_pool_size, s.max_db_connections, s.max_client_conn), (d, r, m, c), "{max} {reserved} {cores:?}");
            assert!(s.default_pool_size + s.reserve_pool_size <= s.max_db_connections.max(2));
        }
    }

    #[test]
    fn the_files_name_the_database_and_hold_no_secret() {
        let t = TargetUrl::parse("postgres://shop_admin:s3cret@db.example:5433/shop?sslmode=require").unwrap();
        let f = ServerFigures { max_connections: 100, reserved: 3, version: "15.20".into(), scram: true };
        let files = pgbouncer_files(&t, &f, Cores::for_host(&t.host), Path::new("/etc/pgb"), 6432);
        assert!(files.ini.contains("shop = host=db.example port=5433 dbname=shop"), "{}", files.ini);
        assert!(files.ini.contains("pool_mode = transaction") && files.ini.contains("auth_type = scram-sha-256") && files.ini.contains("server_tls_sslmode = require"));
        assert!(files.ini.contains("ASSUMED"), "a server elsewhere: the cores are assumed");
        assert!(files.userlist.contains("\"shop_admin\" \"\""));
        assert!(!files.ini.contains("s3cret") && !files.userlist.contains("s3cret"));
        for caveat in ["SET LOCAL", "pg_advisory_xact_lock", "prepared statements"] {
            assert!(files.ini.to_lowercase().contains(&caveat.to_lowercase()), "{caveat}");
        }
    }
}
