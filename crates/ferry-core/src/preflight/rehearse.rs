//! Pre-flight's rehearsal of the schema on the target: every table, DEFAULT, CHECK, key,
//! index, foreign key, view and trigger `migrate` would make, made in a scratch place on the server
//! (`dialect::rehearse`) and taken away again, to learn which the server refuses before any
//! data moves. No rows go in, so only definitions are judged: a CHECK that rows fail is a
//! pre-flight group already.

use crate::dialect::rehearse::{key_steps, Step};
use crate::dialect::session::{db_message, Conn, Target};
use crate::events::{Event, Events, Phase, Warning};
use crate::plan::resolve::PlannedTable;
use crate::plan::Plan;
use crate::schema::{Trigger, View};
use std::collections::HashSet;

/// What a rehearsal found: the objects the server refused, and how it went, in one line.
pub struct Rehearsal {
    pub refused: Vec<Warning>,
    pub note: String,
}

/// A scratch name no one else uses: `ferry_rehearsal_` and 12 hex digits of time and process.
pub fn scratch_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let mixed = (nanos as u64) ^ ((std::process::id() as u64) << 40);
    format!("ferry_rehearsal_{:012x}", mixed & 0xffff_ffff_ffff)
}

/// The reason given for an object the server refused: its message, what `migrate` does, and
/// the SQL as `migrate` would send it.
fn refused_reason(message: &str, sql: &str, consequence: &str) -> String {
    format!("the target refuses it: {message}; {consequence}. SQL: {sql}")
}

/// Rehearses `planned` (with `views` and `triggers`) on `target` through `conn`. Errs, saying why, where no
/// scratch place could be made, the session was lost or `events` was cancelled (checked
/// before each statement); the scratch place is gone either way (or the note says it could
/// not be taken away, and its name). While the scratch place exists, `events` hears
/// `PhaseStarted`/`PhaseDone` of `Phase::Schema`: a caller that stops on Ctrl-C cancels
/// instead, meanwhile, so that the place is taken away.
pub async fn rehearse(target: &Target, conn: &mut Conn, planned: &[PlannedTable], views: &[View], triggers: &[Trigger], plan: &Plan, events: &Events) -> Result<Rehearsal, String> {
    let started = std::time::Instant::now();
    events.emit(Event::PhaseStarted { phase: Phase::Schema });
    let r = rehearse_in_scratch(target, conn, planned, views, triggers, plan, events).await;
    events.emit(Event::PhaseDone { phase: Phase::Schema, seconds: started.elapsed().as_secs_f64() });
    r
}

async fn rehearse_in_scratch(target: &Target, conn: &mut Conn, planned: &[PlannedTable], views: &[View], triggers: &[Trigger], plan: &Plan, events: &Events) -> Result<Rehearsal, String> {
    let name = scratch_name();
    let place = if target.flavor.is_some() { "database" } else { "schema" };
    if let Err(e) = conn.enter_scratch(&name).await {
        return Err(format!("could not make the scratch {place} {name} to rehearse in: {}", db_message(&e)));
    }
    let scratch = target.scratch(&name);
    let mut run = Run { conn, real: target, scratch: &scratch, events, refused: vec![] };
    let outcome = run.all(planned, views, triggers, plan).await;
    let refused = std::mem::take(&mut run.refused);
    let mut left = conn.leave_scratch(&name).await;
    if left.is_err() {
        // The session itself may be gone: a new one takes the scratch place away.
        left = match target.connect().await {
            Ok(mut fresh) => fresh.leave_scratch(&name).await,
            Err(e) => Err(sqlx::Error::Protocol(e.to_string())),
        };
    }
    let left_note = match &left {
        Ok(()) => String::new(),
        Err(e) => format!("; the scratch {place} {name} could not be dropped ({}): drop it by hand", db_message(e)),
    };
    match outcome {
        Err(Stopped::Interrupted) => return Err(format!("the rehearsal stopped: interrupted{left_note}")),
        Err(Stopped::Lost(e)) => return Err(format!("the rehearsal stopped: the session was lost: {}{left_note}", db_message(&e))),
        Ok(()) => {}
    }
    let gone = if left.is_ok() { ", taken away after" } else { "" };
    let note = format!("schema rehearsed on {} in the scratch {place} {name}{gone}: {} refused{left_note}", target.server, crate::value::plural(refused.len() as u64, "object", "objects"));
    Ok(Rehearsal { refused, note })
}

/// Why a rehearsal stopped before its end.
enum Stopped {
    /// The session failed (not a refusal: no server message for a statement).
    Lost(sqlx::Error),
    /// The caller cancelled it (Ctrl-C).
    Interrupted,
}

struct Run<'a> {
    conn: &'a mut Conn,
    /// The target as `migrate` sees it: the SQL reported is written for it.
    real: &'a Target,
    /// The same server with the tables in the scratch place: the SQL run is written for it.
    scratch: &'a Target,
    /// Cancelled: the rehearsal stops before its next statement.
    events: &'a Events,
    refused: Vec<Warning>,
}

impl Run<'_> {
    /// Tables (each with its DEFAULTs, CHECKs, keys and indexes), then foreign keys, then
    /// views, then triggers, in `migrate`'s order. Errs only where the session is lost.
    async fn all(&mut self, planned: &[PlannedTable], views: &[View], triggers: &[Trigger], _plan: &Plan) -> Result<(), Stopped> {
        let mut made = HashSet::new();
        for t in planned {
            if self.table(t).await? {
                made.insert(t.name.clone());
            }
        }
        for t in planned.iter().filter(|t| made.contains(&t.name)) {
            for fk in t.foreign_keys.iter().filter(|fk| made.contains(&fk.ref_table)) {
                let object = format!("foreign key {} ({}) → {}", fk.name, fk.columns.join(", "), fk.ref_source_table);
                let step = |tg: &Target| tg.ddl().foreign_key(t, fk);
                self.step(Some(&t.source.name), object, &step(self.scratch), &step(self.real)).await?;
            }
        }
        // Each view after the views it reads, as `migrate` makes them.
        let mut queue = crate::plan::views::ViewQueue::new(self.real.dialect, planned.iter().filter(|t| made.contains(&t.name)), views);
        while let Some((v, columns, select)) = queue.next() {
            let object = format!("view {}", v.name);
            let (sql, shown) = (self.scratch.ddl().create_view(&v.name, &columns, &select), self.real.ddl().create_view(&v.name, &columns, &select));
            let before = self.refused.len();
            self.step(None, object, &sql, &shown).await?;
            let result = match self.refused.get(before) {
                None => Ok(()),
                Some(w) => Err(w.reason.clone()),
            };
            queue.done(&v.name, result);
        }
        for (v, why) in queue.refused() {
            self.refused.push(Warning { table: None, object: format!("view {}", v.name), reason: format!("not created: {why}") });
        }
        // Triggers, each as `migrate` makes it: one the translator does not carry is named by
        // pre-flight already; one the server refuses is named here.
        let tables = crate::copy::trigger_tables(planned.iter().filter(|t| made.contains(&t.name)));
        let ctx = crate::sqlexpr::TriggerContext { dialect: self.real.dialect, tables: &tables, triggers };
        for tr in triggers {
            let Ok(t) = crate::sqlexpr::translate_trigger(&tr.sql, &ctx) else { continue };
            let on = planned.iter().find(|p| p.name == t.table);
            let (Ok(stmts), Ok(shown)) = (self.scratch.ddl().create_trigger(&t, None), self.real.ddl().create_trigger(&t, on)) else { continue };
            for sql in &stmts {
                if let Err(e) = self.attempt(sql).await? {
                    let reason = refused_reason(&db_message(&e), &shown.join(";\n"), "migrate leaves it off");
                    self.refused.push(Warning { table: Some(tr.table.clone()), object: format!("trigger {}", tr.name), reason });
                    break;
                }
            }
        }
        Ok(())
    }

    /// Makes one table as `migrate` does: where the server refuses it with its DEFAULTs,
    /// without them and then each DEFAULT alone; then its CHECKs, keys and indexes one by
    /// one. False when the table itself is refused (`migrate` stops there).
    async fn table(&mut self, t: &PlannedTable) -> Result<bool, Stopped> {
        let create = |tg: &Target, t: &PlannedTable| tg.ddl().create_table(t, false);
        if let Err(e) = self.attempt(&create(self.scratch, t)).await? {
            let defaults: Vec<_> = t.columns.iter().filter(|c| c.default_sql.is_some() && c.generated_sql.is_none()).collect();
            let mut bare = t.clone();
            for c in &mut bare.columns {
                c.default_sql = None;
            }
            let without = if defaults.is_empty() { None } else { Some(self.attempt(&create(self.scratch, &bare)).await?) };
            if !matches!(without, Some(Ok(()))) {
                let reason = refused_reason(&db_message(&e), &create(self.real, t), "migrate cannot make the table and stops");
                self.refused.push(Warning { table: Some(t.source.name.clone()), object: format!("table {}", t.source.name), reason });
                return Ok(false);
            }
            for c in defaults {
                let dflt = c.default_sql.as_deref().unwrap_or_default();
                let object = format!("DEFAULT {dflt} of column {}", c.source);
                let step = |tg: &Target| tg.ddl().set_default(t, &c.name, dflt);
                self.step(Some(&t.source.name), object, &step(self.scratch), &step(self.real)).await?;
            }
        }
        for ck in &t.checks {
            let step = |tg: &Target| tg.ddl().check(t, &ck.name, &ck.sql);
            self.step(Some(&t.source.name), format!("CHECK ({})", ck.source_sql), &step(self.scratch), &step(self.real)).await?;
        }
        let (steps, shown) = (key_steps(self.scratch, t), key_steps(self.real, t));
        for (Step { object, sql }, shown) in steps.into_iter().zip(shown) {
            self.step(Some(&t.source.name), object, &sql, &shown.sql).await?;
        }
        Ok(true)
    }

    /// Runs `sql`: the server's refusal inside, a lost session (or a cancelled rehearsal)
    /// outside.
    async fn attempt(&mut self, sql: &str) -> Result<Result<(), sqlx::Error>, Stopped> {
        if self.events.cancelled() {
            return Err(Stopped::Interrupted);
        }
        match self.conn.attempt(sql).await {
            Err(e) if e.as_database_error().is_none() => Err(Stopped::Lost(e)),
            r => Ok(r),
        }
    }

    /// Runs `sql` for `object`; a refusal is recorded with `shown`, the SQL `migrate` sends.
    async fn step(&mut self, table: Option<&str>, object: String, sql: &str, shown: &str) -> Result<(), Stopped> {
        if let Err(e) = self.attempt(sql).await? {
            let reason = refused_reason(&db_message(&e), shown, "migrate leaves it off");
            self.refused.push(Warning { table: table.map(String::from), object, reason });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::dialect::session::Target;

    /// Each key and index after the table, one statement each, named as `migrate` names it:
    /// PostgreSQL adds the primary key, UNIQUEs, indexes and identity; MariaDB made its keys
    /// with the table, makes an expression's virtual column in the same ALTER, and leaves a
    /// partial UNIQUE index off without asking (migrate says why).
    #[test]
    fn key_steps_are_what_migrate_makes_after_the_table() {
        let dir = std::env::temp_dir().join(format!("ferry-key-steps-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k.sqlite");
        let _ = std::fs::remove_file(&path);
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, name TEXT, n INTEGER, CONSTRAINT uq_email UNIQUE (email));
                 CREATE INDEX ix_name ON t (name);
                 CREATE UNIQUE INDEX ux_n ON t (n) WHERE n > 0;
                 CREATE INDEX ix_lower ON t (lower(name));",
            )
            .unwrap();
        let schema = crate::source::sqlite::read_source(&path, true, 1).unwrap();
        let cases: [(&str, &[(&str, &str)]); 2] = [
            (
                "postgres://u@h/d",
                &[
                    ("primary key", "ALTER TABLE \"s\".\"t\" ADD CONSTRAINT"),
                    ("UNIQUE uq_email", "ADD CONSTRAINT \"uq_email\" UNIQUE (\"email\")"),
                    ("index ix_name", "CREATE INDEX \"ix_name\" ON \"s\".\"t\" (\"name\")"),
                    ("index ux_n", "CREATE UNIQUE INDEX \"ux_n\" ON \"s\".\"t\" (\"n\") WHERE"),
                    ("index ix_lower", "CREATE INDEX \"ix_lower\" ON \"s\".\"t\" ((lower(\"name\")))"),
                    ("identity of id", "ADD GENERATED BY DEFAULT AS IDENTITY"),
                ],
            ),
            (
                "mariadb://u@h/d",
                &[
                    ("index ix_name", "ALTER TABLE `t` ADD INDEX `ix_name` (`name`"),
                    ("index ix_lower", "ALTER TABLE `t` ADD COLUMN `ferry_ix_lower_0_expr` varchar(768) AS (LOWER(`name`)) VIRTUAL, ADD INDEX `ix_lower`"),
                ],
            ),
        ];
        for (url, want) in cases {
            let target = Target::offline(url, "s");
            let plan = crate::plan::propose(&schema, "k.sqlite", target.dialect);
            let planned = crate::plan::resolve::planned_tables(&schema, &plan, target.dialect).unwrap();
            let got = super::key_steps(&target, &planned[0]);
            let objects: Vec<&str> = got.iter().map(|s| s.object.as_str()).collect();
            assert_eq!(objects, want.iter().map(|(o, _)| *o).collect::<Vec<_>>(), "{url}: {got:#?}");
            for (step, (object, sql)) in got.iter().zip(want) {
                assert!(step.sql.contains(sql), "{url} {object}: {}", step.sql);
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn scratch_names_are_identifiers_that_fit_every_target() {
        let a = super::scratch_name();
        assert!(a.starts_with("ferry_rehearsal_") && a.len() == 28, "{a}");
        assert!(a.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{a}");
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert_ne!(a, super::scratch_name());
    }
}
