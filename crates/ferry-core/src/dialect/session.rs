//! A target session, whichever the dialect: `Target` (the server, identified once) opens
//! `Conn`s, and the engine asks them for what it needs; how each dialect does it lives in its
//! own folder.

use crate::dialect::mysql::{self, flavor::Flavor, MySqlConnection};
use crate::dialect::postgres::{self, PgConnection};
use crate::dialect::{Dialect, TargetUrl};
use crate::dialect::ddl::Ddl;
use crate::error::{FerryError, Result};
use crate::events::Warning;
use crate::plan::resolve::{PlannedForeignKey, PlannedTable};
use std::collections::HashSet;

/// Runs `$body` with `$c` bound to the session's own connection (`PgConnection` or
/// `MySqlConnection`): the one place a session's dialect is matched. Each concern's trait
/// (`Session` here, the others beside it in `dialect/`) is implemented for both connections
/// in the dialect's folder, so `$body` is the same call for each, and a dialect that lacks
/// an operation does not build.
macro_rules! each {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::dialect::session::Conn::Pg($c) => $body,
            $crate::dialect::session::Conn::My($c) => $body,
        }
    };
}
#[allow(unused_imports)] // for the door files beside this one
pub(crate) use each;

/// The table a run keeps in the target while it runs (`copy::journal`): how far it got, for
/// `ferry migrate --resume`. Never counted as the user's (not-empty check, diff, validate).
pub const JOURNAL_TABLE: &str = "ferry_run_journal";

/// Whether a target table is Ferry's run journal.
pub fn is_journal(name: &str) -> bool {
    name.eq_ignore_ascii_case(JOURNAL_TABLE)
}

/// An open target session of either dialect.
pub enum Conn {
    Pg(PgConnection),
    My(MySqlConnection),
}

/// The target, connected and identified.
pub struct Target {
    pub url: TargetUrl,
    pub dialect: Dialect,
    pub server: String,
    pub pg_schema: String,
    pub flavor: Option<Flavor>,
    /// PostgreSQL with Citus: its version and workers.
    pub citus: Option<postgres::flavor::Citus>,
    ddl: Box<dyn Ddl>,
    /// MySQL's bulk path (LOAD DATA LOCAL INFILE), shared by the run's sessions.
    infile: Option<std::sync::Arc<mysql::infile::Infile>>,
    /// Citus's: COPY into the shards on the workers.
    shards: Option<std::sync::Arc<postgres::shard_copy::ShardPaths>>,
    /// The server's ids of the sessions opened to it (`interrupt`).
    pub ids: SessionIds,
}

pub use crate::dialect::ids::SessionIds;

pub use crate::dialect::write::Sent;

/// A table's bulk path beside its session (`Target::bulk`).
pub enum Bulk {
    /// MySQL: LOAD DATA LOCAL INFILE, rows in its own format.
    Infile(mysql::infile::Loader),
    /// Citus: COPY straight into a distributed table's shards, rows as COPY takes them.
    Shards(postgres::shard_copy::ShardLoader),
}

impl Bulk {
    /// The row format the table's reader encodes in, where it is not the dialect's own.
    pub fn format(&self) -> Option<mysql::infile::LoadDataFormat> {
        match self {
            Bulk::Infile(l) => Some(l.format()),
            Bulk::Shards(_) => None,
        }
    }
    /// How the path is named in the report's notes.
    pub fn name(&self) -> &'static str {
        match self {
            Bulk::Infile(_) => "LOAD DATA LOCAL INFILE",
            Bulk::Shards(_) => postgres::shard_copy::PATH,
        }
    }
    /// Sends rows; what the bulk path does not take goes through `send_rows`. `conn`: the
    /// table's session.
    pub async fn send(&mut self, conn: &mut Conn, rows: Rows<'_>) -> Sent {
        let each: Vec<&[u8]> = rows.each().collect();
        match (self, conn) {
            (Bulk::Infile(l), _) => l.send(rows.data, &each).await,
            (Bulk::Shards(l), Conn::Pg(c)) => l.send(c, &each).await,
            (Bulk::Shards(_), Conn::My(_)) => Sent::Again,
        }
    }
    /// Rows as `Session::send_rows` takes them, appended to `data`, with where each ends.
    pub fn insert_rows(&self, rows: &[&[u8]], data: &mut Vec<u8>, ends: &mut Vec<usize>) {
        match self {
            Bulk::Infile(l) => l.insert_rows(rows, data, ends),
            Bulk::Shards(_) => {
                for r in rows {
                    data.extend_from_slice(r);
                    ends.push(data.len());
                }
            }
        }
    }
    /// The table is loaded.
    pub fn done(self) {
        match self {
            Bulk::Infile(l) => l.done(),
            Bulk::Shards(l) => l.done(),
        }
    }
}

impl Target {
    /// Connects once to learn what the server is; `connect` opens the working sessions.
    pub async fn open(url: &str, pg_schema: Option<&str>) -> Result<(Target, Conn)> {
        let url = TargetUrl::parse(url)?;
        match url.dialect {
            Dialect::Postgres => {
                let mut c = postgres::connect(&url).await?;
                let server = postgres::flavor::server_version(&mut c).await.map_err(|e| target_err("the server version", e))?;
                let citus = postgres::flavor::citus(&mut c).await.map_err(|e| target_err("the Citus extension", e))?;
                if let Some(ci) = &citus {
                    postgres::flavor::keep_worker_connections(&mut c, ci).await.map_err(|e| target_err("Citus's connections to the workers (citus.max_cached_conns_per_worker)", e))?;
                }
                // "PostgreSQL 15.20 (Citus 13.2: coordinator and 2 workers)" in the run's summary.
                let server = match &citus {
                    Some(ci) => format!("{server} ({})", ci.describe()),
                    None => server,
                };
                let schema = pg_schema.unwrap_or("public").to_string();
                let ddl = Box::new(postgres::ddl::PgDdl::new(&schema, citus.as_ref()));
                let ids = SessionIds::default();
                let mut c = Conn::Pg(c);
                c.record_id(&ids).await;
                let shards = citus.as_ref().map(|_| std::sync::Arc::new(postgres::shard_copy::ShardPaths::new(&url)));
                Ok((Target { url, dialect: Dialect::Postgres, server, pg_schema: schema, flavor: None, citus, ddl, infile: None, shards, ids }, c))
            }
            _ => {
                let mut c = mysql::connect(&url).await?;
                let flavor = mysql::flavor::detect(&mut c).await.map_err(|e| target_err("the server version", e))?;
                mysql::set_collation(&mut c, &flavor).await.map_err(|e| target_err("the session collation", e))?;
                let ids = SessionIds::default();
                let infile = Some(std::sync::Arc::new(mysql::infile::Infile::new(&url, &mut c, &flavor, ids.clone()).await));
                let mut c = Conn::My(c);
                c.record_id(&ids).await;
                Ok((Target { url, dialect: flavor.dialect, server: flavor.version.clone(), pg_schema: String::new(), flavor: Some(flavor.clone()), citus: None, ddl: Box::new(mysql::ddl::MyDdl { flavor }), infile, shards: None, ids }, c))
            }
        }
    }

    /// A target known without connecting (tests of the SQL it writes): MySQL's flavor is
    /// taken as the URL's dialect with a 64 MiB packet.
    #[cfg(test)]
    pub(crate) fn offline(url: &str, pg_schema: &str) -> Target {
        let url = TargetUrl::parse(url).expect("a target URL");
        match url.dialect {
            Dialect::Postgres => Target { dialect: url.dialect, url, server: String::new(), pg_schema: pg_schema.into(), flavor: None, citus: None, ddl: Box::new(postgres::ddl::PgDdl::new(pg_schema, None)), infile: None, shards: None, ids: SessionIds::default() },
            dialect => {
                let flavor = Flavor { dialect, version: String::new(), max_packet: 64 << 20 };
                Target { dialect, url, server: String::new(), pg_schema: String::new(), flavor: Some(flavor.clone()), citus: None, ddl: Box::new(mysql::ddl::MyDdl { flavor }), infile: None, shards: None, ids: SessionIds::default() }
            }
        }
    }

    /// The same server with the run's tables going to the scratch place `name` instead (a
    /// pre-flight rehearsal): on PostgreSQL the schema `name`; MySQL's tables are named
    /// without their database, so they go wherever the session is (`USE name`).
    pub fn scratch(&self, name: &str) -> Target {
        let (pg_schema, ddl): (String, Box<dyn Ddl>) = match &self.flavor {
            None => (name.to_string(), Box::new(postgres::ddl::PgDdl::new(name, self.citus.as_ref()))),
            Some(flavor) => (String::new(), Box::new(mysql::ddl::MyDdl { flavor: flavor.clone() })),
        };
        Target { url: self.url.clone(), dialect: self.dialect, server: self.server.clone(), pg_schema, flavor: self.flavor.clone(), citus: self.citus.clone(), ddl, infile: self.infile.clone(), shards: self.shards.clone(), ids: self.ids.clone() }
    }

    pub async fn connect(&self) -> Result<Conn> {
        self.prepare(Target::connect_bare(&self.url).await?).await
    }

    /// A session as the URL gives it, before the server is known (`prepare` finishes it).
    pub async fn connect_bare(url: &TargetUrl) -> Result<Conn> {
        Ok(match url.dialect {
            Dialect::Postgres => Conn::Pg(postgres::connect(url).await?),
            _ => Conn::My(mysql::connect(url).await?),
        })
    }

    /// Sets a bare session up for this server: the MySQL session's collation (a PostgreSQL
    /// session needs nothing: every name is schema-qualified).
    pub async fn prepare(&self, mut conn: Conn) -> Result<Conn> {
        each!(&mut conn, c => c.prepare(self).await)?;
        conn.record_id(&self.ids).await;
        Ok(conn)
    }

    /// Stops the statements the target's sessions are running (PostgreSQL
    /// `pg_cancel_backend`, MySQL `KILL QUERY`), asked on `side`, a session of its own: a
    /// cancelled run stops at once, not when the server has finished what it was sent (an
    /// index build, a constraint's check, a COPY, a LOAD DATA batch). Each session's
    /// transaction is rolled back; the sessions stay open. Best effort: what the server
    /// refuses is ignored (the run stops between statements anyway).
    pub async fn interrupt(&self, side: &mut Conn) {
        let ids = self.ids.all();
        if !ids.is_empty() {
            let _ = each!(side, c => c.interrupt(&ids).await);
        }
    }

    /// The tables and views already there (Ferry's run journal, `JOURNAL_TABLE`, aside).
    pub async fn existing_objects(&self, conn: &mut Conn) -> Result<Vec<crate::dialect::existing::Existing>> {
        let all = each!(conn, c => c.existing_objects(self).await).map_err(|e| target_err("the list of existing tables", e))?;
        Ok(all.into_iter().filter(|o| !is_journal(&o.name)).collect())
    }

    /// The bulk path for loading table `t` on `conn` (MySQL: LOAD DATA LOCAL INFILE on a
    /// connection of its own, into the database `conn` is in; Citus: a distributed table's
    /// shards on the workers); None where the dialect has none or it is off. `check_fks`:
    /// foreign keys are checked while loading (`--data-only`; the shards check their own).
    pub async fn bulk(&self, conn: &mut Conn, t: &PlannedTable, check_fks: bool) -> Option<Bulk> {
        match (conn, &self.infile, &self.shards) {
            (Conn::My(c), Some(infile), _) => infile.loader(c, t, check_fks).await.map(Bulk::Infile),
            (Conn::Pg(c), _, Some(shards)) if t.distribution_column().is_some() => shards.loader(c, &self.ddl.table(&t.name), &t.loaded_columns()).await.map(Bulk::Shards),
            _ => None,
        }
    }

    /// The DDL this target's dialect writes, for its schema or server.
    pub fn ddl(&self) -> &dyn Ddl {
        self.ddl.as_ref()
    }

    /// MySQL's binary collation for this server (empty for PostgreSQL).
    pub fn binary_collation(&self) -> &'static str {
        self.flavor.as_ref().map(|f| f.binary_collation()).unwrap_or("")
    }

    /// The collation text columns get where the target names one (MySQL's binary one), and
    /// the one for columns compared without case (`dialect/*/collation.rs`), as the target's
    /// catalog names them.
    pub fn collations(&self) -> (Option<&'static str>, &'static str) {
        match &self.flavor {
            Some(f) => (Some(f.binary_collation()), f.nocase_collation()),
            None => (None, super::postgres::collation::NOCASE),
        }
    }

    pub fn table_sql_name(&self, name: &str) -> String {
        self.ddl.table(name)
    }

    /// Citus: how many rows of how many tables went straight into their shards on the
    /// workers (`postgres::shard_copy`), as a note for the run's report; None where none did.
    pub fn into_shards_note(&self) -> Option<Warning> {
        let (tables, rows) = self.shards.as_ref().map(|s| s.went()).filter(|(t, _)| *t > 0)?;
        Some(Warning {
            table: None,
            object: postgres::shard_copy::PATH.into(),
            reason: format!(
                "{} of {} went straight into their shards, a COPY on each worker, not through the coordinator (which was asked the shard of each distribution value)",
                crate::value::plural(rows, "row", "rows"),
                crate::value::plural(tables, "distributed table", "distributed tables"),
            ),
        })
    }

    /// Where a Citus cluster put the tables of the run's schema, shard by shard, with the
    /// rows in each and the largest tenants (`dialect::placement`); None where the target is
    /// no Citus cluster.
    pub async fn placement(&self, conn: &mut Conn) -> Result<Option<crate::dialect::placement::Placed>> {
        let (Some(_), Conn::Pg(c)) = (&self.citus, conn) else { return Ok(None) };
        postgres::flavor::placement(c, &self.pg_schema).await.map(Some).map_err(|e| target_err("where Citus placed the tables (citus_shards)", e))
    }
}

/// A statement that failed on the target as an error of the run's: one a cancel stopped
/// (`Target::interrupt`) is the cancel.
pub fn target_err(object: &str, e: sqlx::Error) -> FerryError {
    if crate::dialect::errors::Interrupted::of(&e) {
        return FerryError::Cancelled;
    }
    FerryError::Target { object: object.into(), detail: db_message(&e) }
}


/// Encoded rows back to back (`data`), and where each ends (`ends`, offsets past `base`).
pub struct Rows<'a> {
    pub data: &'a [u8],
    pub ends: &'a [usize],
    pub base: usize,
}

impl<'a> Rows<'a> {
    /// Each row's bytes.
    pub fn each(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&e| {
            let row = &self.data[start..e - self.base];
            start = e - self.base;
            row
        })
    }
}

/// Where a session says what it found while it builds: objects not made, things made
/// differently from the source, and rows it had to take out (the pipeline reports them).
#[allow(async_fn_in_trait)]
pub trait Findings {
    /// An object not made as planned, and why.
    async fn warn(&self, table: Option<&str>, object: String, reason: String);
    /// Something made differently from the source, for the report's notes.
    async fn note(&self, note: Warning);
    /// Rows a constraint refused, taken out of the target, with the columns it names
    /// (none for a CHECK). Errs where the run stops at the first (`--strict`).
    async fn removed(&self, t: &PlannedTable, rows: Vec<serde_json::Value>, columns: &[String], reason: &str) -> Result<()>;
    /// The run is stopping (cancelled): no further statement is worth sending.
    fn stopping(&self) -> bool {
        false
    }
}

/// What the pipeline asks of a target session. Implemented in `dialect/postgres/session.rs`
/// and `dialect/mysql/session.rs`; the engine calls it through `Conn`.
#[allow(async_fn_in_trait)]
pub trait Session {
    /// Runs statements whose results are not wanted.
    async fn execute(&mut self, sql: &str) -> std::result::Result<(), sqlx::Error>;
    /// The one integer (or NULL) a query returns.
    async fn query_i64(&mut self, sql: &str) -> std::result::Result<Option<i64>, sqlx::Error>;
    /// The first column of every row a query returns, as text.
    async fn query_texts(&mut self, sql: &str) -> std::result::Result<Vec<Option<String>>, sqlx::Error>;
    /// Sets a new session up for the target (MySQL: its collation; PostgreSQL: nothing, every
    /// name being schema-qualified).
    async fn prepare(&mut self, target: &Target) -> Result<()>;
    /// The tables and views already where the run's tables go.
    async fn existing_objects(&mut self, target: &Target) -> std::result::Result<Vec<crate::dialect::existing::Existing>, sqlx::Error>;
    /// Makes the place the run's tables go where the dialect has one apart from the
    /// database (a PostgreSQL schema); true when it was made.
    async fn ensure_place(&mut self, target: &Target) -> Result<bool>;
    /// Sends rows with the statement `Ddl::load_statement` gave; returns the rows taken.
    /// `alone`: no transaction is open around it (the dialect may give it one of its own).
    async fn send_rows(&mut self, statement: &str, rows: Rows<'_>, alone: bool) -> std::result::Result<u64, sqlx::Error>;
    /// Loading into tables that exist (`--data-only`): the target's foreign keys refuse
    /// orphans, reported by row, rather than take them unchecked.
    async fn check_foreign_keys_while_loading(&mut self) -> std::result::Result<(), sqlx::Error>;
    /// A loaded table's keys and indexes; `in_run`: the target names of the run's tables.
    async fn keys_and_indexes(&mut self, target: &Target, t: &PlannedTable, in_run: &HashSet<String>, found: &impl Findings) -> Result<()>;
    /// Takes out the rows that fail a CHECK, returned for the report.
    async fn delete_check_failures(&mut self, target: &Target, t: &PlannedTable, check_sql: &str) -> std::result::Result<Vec<serde_json::Value>, sqlx::Error>;
    /// A foreign key's orphans (rows whose key names no parent row), returned for the report;
    /// taken out of the table when `remove`.
    async fn orphans(&mut self, target: &Target, t: &PlannedTable, fk: &PlannedForeignKey, remove: bool) -> std::result::Result<Vec<serde_json::Value>, sqlx::Error>;
    /// The identity / AUTO_INCREMENT of a table this run made starts at `next`.
    async fn restart_identity(&mut self, target: &Target, t: &PlannedTable, column: &str, next: i64) -> std::result::Result<(), sqlx::Error>;
    /// The identity / AUTO_INCREMENT a table already had continues at `next`.
    async fn continue_identity(&mut self, target: &Target, t: &PlannedTable, column: &str, next: i64) -> std::result::Result<(), sqlx::Error>;
    /// Waits until everything committed on this session is on disk.
    async fn make_durable(&mut self) -> Result<()>;
    /// The server's id of this session (`SessionIds`).
    async fn session_id(&mut self) -> std::result::Result<i64, sqlx::Error>;
    /// Stops what the sessions `ids` are running (`Target::interrupt`); this session is not
    /// one of them.
    async fn interrupt(&mut self, ids: &[i64]) -> std::result::Result<(), sqlx::Error>;
}

impl Conn {
    pub async fn execute(&mut self, sql: &str) -> std::result::Result<(), sqlx::Error> {
        each!(self, c => c.execute(sql).await)
    }
    pub async fn query_i64(&mut self, sql: &str) -> std::result::Result<Option<i64>, sqlx::Error> {
        each!(self, c => c.query_i64(sql).await)
    }
    pub async fn query_texts(&mut self, sql: &str) -> std::result::Result<Vec<Option<String>>, sqlx::Error> {
        each!(self, c => c.query_texts(sql).await)
    }
    pub async fn ensure_place(&mut self, target: &Target) -> Result<bool> {
        each!(self, c => c.ensure_place(target).await)
    }
    pub async fn send_rows(&mut self, statement: &str, rows: Rows<'_>, alone: bool) -> std::result::Result<u64, sqlx::Error> {
        each!(self, c => c.send_rows(statement, rows, alone).await)
    }
    pub async fn check_foreign_keys_while_loading(&mut self) -> std::result::Result<(), sqlx::Error> {
        each!(self, c => c.check_foreign_keys_while_loading().await)
    }
    pub async fn keys_and_indexes(&mut self, target: &Target, t: &PlannedTable, in_run: &HashSet<String>, found: &impl Findings) -> Result<()> {
        each!(self, c => c.keys_and_indexes(target, t, in_run, found).await)
    }
    pub async fn delete_check_failures(&mut self, target: &Target, t: &PlannedTable, check_sql: &str) -> std::result::Result<Vec<serde_json::Value>, sqlx::Error> {
        each!(self, c => c.delete_check_failures(target, t, check_sql).await)
    }
    pub async fn orphans(&mut self, target: &Target, t: &PlannedTable, fk: &PlannedForeignKey, remove: bool) -> std::result::Result<Vec<serde_json::Value>, sqlx::Error> {
        each!(self, c => c.orphans(target, t, fk, remove).await)
    }
    pub async fn restart_identity(&mut self, target: &Target, t: &PlannedTable, column: &str, next: i64) -> std::result::Result<(), sqlx::Error> {
        each!(self, c => c.restart_identity(target, t, column, next).await)
    }
    pub async fn continue_identity(&mut self, target: &Target, t: &PlannedTable, column: &str, next: i64) -> std::result::Result<(), sqlx::Error> {
        each!(self, c => c.continue_identity(target, t, column, next).await)
    }
    pub async fn make_durable(&mut self) -> Result<()> {
        each!(self, c => c.make_durable().await)
    }
    /// Adds this session's server id to `ids`, where the server says it.
    async fn record_id(&mut self, ids: &SessionIds) {
        if let Ok(id) = each!(self, c => c.session_id().await) {
            ids.add(id);
        }
    }
}

pub fn db_message(e: &sqlx::Error) -> String {
    let message = match e.as_database_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    };
    match crate::dialect::errors::Limit::of(e) {
        Some(limit) => format!("{message} — {}", limit.advice()),
        None => message,
    }
}
