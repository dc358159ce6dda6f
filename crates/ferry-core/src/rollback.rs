//! Undoes one run: removes exactly what its report's `created` list says the run made —
//! triggers (with a PostgreSQL trigger's function) and views first, then tables (children
//! before the tables they reference), then the PostgreSQL extensions the run created (when
//! nothing else uses them), then a PostgreSQL schema the run made, when nothing else
//! is left in it, then the roles and login users it made (`--roles`), each once it owns nothing
//! else (roles are the server's). For a `--data-only` run the tables
//! stay and the rows it loaded are removed (the run checked those tables were empty before).
//!
//! Safety first: the report must be of a run into this database; a table that holds another
//! number of rows than the run wrote (someone wrote to it since) stops the rollback unless
//! forced; a table outside the run with a foreign key to one of the run's tables stops it.
//! Objects already gone are reported, not fatal. On PostgreSQL everything happens in one
//! transaction.

use crate::backup::db_err;
use crate::dialect::session::{Conn, Target};
use crate::diff::ExistingTable;
use crate::error::{FerryError, Result};
use crate::report::{CreatedKind, Report};
use crate::restore::objects;
use crate::dialect::TargetUrl;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

/// What a rollback did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RollbackOutcome {
    /// The target without its password.
    pub target: String,
    /// Objects dropped (`view x`, `table y`, `schema z`), in the order they went.
    pub dropped: Vec<String>,
    /// Tables of a `--data-only` run whose rows were removed.
    pub emptied: Vec<String>,
    /// Objects the run made that were already gone.
    pub missing: Vec<String>,
    /// Objects the run made that were kept, with the reason (a schema that holds other things).
    pub kept: Vec<String>,
    pub seconds: f64,
}

/// Reads a run's JSON report (`ferry migrate --report`).
pub fn load_report(path: &Path) -> Result<Report> {
    let text = std::fs::read_to_string(path).map_err(|e| FerryError::Io(format!("cannot read the run's report {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| FerryError::Other(format!("{} is not a run's report ({e}): give the JSON file `ferry migrate --report` wrote", path.display())))
}

/// Removes what the run of `report_path` made in the database at `url`. `force` drops tables
/// even when they hold another number of rows than the run wrote.
pub async fn rollback(report_path: &Path, url: &str, force: bool, progress: impl FnMut(&str) + Send) -> Result<RollbackOutcome> {
    let started = Instant::now();
    let report = load_report(report_path)?;
    if report.created.is_empty() {
        return Err(FerryError::Other(format!(
            "the report {} lists nothing the run created (it stopped before creating anything, or an older Ferry wrote it): nothing to roll back; restore a backup with `ferry restore` instead",
            report_path.display()
        )));
    }
    let parsed = TargetUrl::parse(url)?;
    if let Ok(ran) = TargetUrl::parse(&report.target) {
        if !ran.dialect.same_family(parsed.dialect) || ran.database != parsed.database || ran.host != parsed.host {
            return Err(FerryError::Other(format!(
                "the report {} is of a run into {}, not {}: give the URL of the database that run wrote to",
                report_path.display(),
                report.target,
                parsed.redacted
            )));
        }
    }
    let schema = report.created.iter().find_map(|c| if c.kind == CreatedKind::Schema { Some(c.name.clone()) } else { c.schema.clone() });
    let (target, conn) = Target::open(url, schema.as_deref()).await?;
    undo(&report, target, conn, force, false, started, progress).await
}

/// Takes back an unfinished run that left no report (killed with -9, the machine lost): the
/// tables, views and triggers its journal in the target names, and the journal. A PostgreSQL schema
/// the run may have made is kept (the journal does not say whether it made it). With no
/// report there is no count of the rows the run wrote to compare; the tables outside the
/// run that reference its tables still stop it.
pub async fn rollback_unfinished(url: &str, pg_schema: Option<&str>, mut progress: impl FnMut(&str) + Send) -> Result<RollbackOutcome> {
    let started = Instant::now();
    let (target, mut conn) = Target::open(url, pg_schema).await?;
    let journal = crate::copy::journal::Journal::new(&target);
    let Some((tables, views, triggers)) = journal.objects(&mut conn).await? else {
        return Err(FerryError::Other(format!(
            "the target {} holds no unfinished Ferry run{}: give the run's report (ferry rollback RUN_REPORT.json --to URL), or a backup with --backup BACKUP.json",
            target.ddl().place(&target.url.database),
            if target.dialect.has_schemas() && pg_schema.is_none() { " (a run into another schema: add --schema)" } else { "" }
        )));
    };
    progress(&format!("the target's unfinished run names {} and {}", crate::value::plural(tables.len() as u64, "table", "tables"), crate::value::plural(views.len() as u64, "view", "views")));
    let schema = target.dialect.has_schemas().then(|| target.pg_schema.clone());
    let extensions = journal.extensions(&mut conn).await?;
    let made = tables.into_iter().map(|n| (CreatedKind::Table, n)).chain(views.into_iter().map(|n| (CreatedKind::View, n))).chain(triggers.into_iter().map(|n| (CreatedKind::Trigger, n))).chain(extensions.into_iter().map(|n| (CreatedKind::Extension, n)));
    let created = made.map(|(kind, name)| crate::report::CreatedObject { kind, schema: schema.clone(), name }).collect();
    let report = Report { target: target.url.redacted.clone(), created, ..Default::default() };
    undo(&report, target, conn, false, true, started, progress).await
}

/// Drops what `report.created` lists (`journal`: the list is an unfinished run's journal;
/// the journal goes even when none of its tables were made yet).
async fn undo(report: &Report, target: Target, mut conn: Conn, force: bool, journal: bool, started: Instant, mut progress: impl FnMut(&str) + Send) -> Result<RollbackOutcome> {
    let present = objects(&mut conn, &target.pg_schema).await?;
    let mut out = RollbackOutcome { target: target.url.redacted.clone(), ..Default::default() };
    let of = |k: CreatedKind| report.created.iter().filter(move |c| c.kind == k).map(|c| c.name.clone());
    let views: Vec<String> = of(CreatedKind::View).filter(|v| present.views.contains(v)).collect();
    let tables: Vec<String> = of(CreatedKind::Table).filter(|t| present.tables.contains(t)).collect();
    let emptied: Vec<String> = of(CreatedKind::Rows).filter(|t| present.tables.contains(t)).collect();
    let mut triggers = vec![];
    for t in of(CreatedKind::Trigger) {
        let sql = target.ddl().trigger_exists(&t);
        if conn.query_i64(&sql).await.map_err(|e| db_err(&format!("trigger {t}"), e))?.unwrap_or(0) > 0 {
            triggers.push(t);
        }
    }
    let mut extensions = vec![];
    for e in of(CreatedKind::Extension) {
        let Some(sql) = target.dialect.extension_exists_sql(&e) else { continue };
        if conn.query_i64(&sql).await.map_err(|x| db_err(&format!("extension {e}"), x))?.unwrap_or(0) > 0 {
            extensions.push(e);
        }
    }
    for c in &report.created {
        let there = match c.kind {
            CreatedKind::Extension => extensions.contains(&c.name),
            CreatedKind::Trigger => triggers.contains(&c.name),
            CreatedKind::View => present.views.contains(&c.name),
            CreatedKind::Table | CreatedKind::Rows => present.tables.contains(&c.name),
            // Looked for as they are dropped (`access::drop_roles`).
            CreatedKind::Schema | CreatedKind::Role | CreatedKind::Login => true,
        };
        if !there {
            out.missing.push(format!("{} {}", kind_word(c.kind), c.name));
        }
    }
    // Rows written by the run, by target table name.
    let written: BTreeMap<&str, u64> = report.tables.values().map(|t| (t.target.as_str(), t.rows_written)).collect();
    let mut changed = vec![];
    for t in tables.iter().chain(&emptied) {
        let n = count_rows(&mut conn, &target, t).await?;
        if let Some(w) = written.get(t.as_str()) {
            if n != *w {
                changed.push(format!("{t} holds {n} rows, the run wrote {w}"));
            }
        }
    }
    if !changed.is_empty() && !force {
        return Err(FerryError::Other(format!(
            "the target changed since the run: {}. Someone wrote to these tables; rolling back would drop their rows too. Look first, restore a backup, or add --force to roll back anyway",
            changed.join("; ")
        )));
    }
    let existing = existing_tables(&mut conn, &target).await?;
    let ours: BTreeSet<&str> = tables.iter().chain(&emptied).map(String::as_str).collect();
    for t in existing.iter().filter(|t| !ours.contains(t.name.as_str())) {
        for fk in t.foreign_keys.iter().filter(|fk| ours.contains(fk.ref_table.as_str())) {
            let holds = emptied.contains(&fk.ref_table) && !tables.contains(&fk.ref_table);
            if holds && !has_rows(&mut conn, &target, &t.name).await? {
                continue;
            }
            return Err(FerryError::Other(format!(
                "table {} was not made by this run but has a foreign key {} to {}, which the rollback {}: drop that key (or that table) first",
                t.name,
                fk.name,
                fk.ref_table,
                if holds { "empties" } else { "drops" }
            )));
        }
    }
    let edges: Vec<(String, String)> = existing.iter().flat_map(|t| t.foreign_keys.iter().map(move |fk| (t.name.clone(), fk.ref_table.clone()))).collect();
    let tables = children_first(&tables, &edges);
    let emptied = children_first(&emptied, &edges);
    let name = |n: &str| target.table_sql_name(n);
    let pg = target.dialect.transactional_ddl();
    let step = |sql: &str, e: sqlx::Error| FerryError::Target { object: sql.to_string(), detail: e.as_database_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string()) };
    if pg {
        conn.execute("BEGIN").await.map_err(|e| step("BEGIN", e))?;
    }
    let result = async {
        // Triggers first: a PostgreSQL trigger's function outlives its table.
        for t in &triggers {
            let sql = target.ddl().drop_trigger(t);
            progress(&sql);
            conn.execute(&sql).await.map_err(|e| step(&sql, e))?;
            out.dropped.push(format!("trigger {t}"));
        }
        if !views.is_empty() {
            let sql = format!("DROP VIEW {}", views.iter().map(|v| name(v)).collect::<Vec<_>>().join(", "));
            progress(&sql);
            conn.execute(&sql).await.map_err(|e| step(&sql, e))?;
            out.dropped.extend(views.iter().map(|v| format!("view {v}")));
        }
        if !tables.is_empty() {
            // One statement: the keys between the run's own tables go with them.
            let sql = format!("DROP TABLE {}", tables.iter().map(|t| name(t)).collect::<Vec<_>>().join(", "));
            progress(&sql);
            conn.execute(&sql).await.map_err(|e| step(&sql, e))?;
            out.dropped.extend(tables.iter().map(|t| format!("table {t}")));
        }
        if !tables.is_empty() || journal {
            // The run's journal (a run that stopped leaves it) goes with its tables: else the
            // next migration would take the target for one holding an unfinished run.
            let sql = format!("DROP TABLE IF EXISTS {}", name(crate::dialect::session::JOURNAL_TABLE));
            conn.execute(&sql).await.map_err(|e| step(&sql, e))?;
            // The case-insensitive collation runs create (PostgreSQL), once no column uses it.
            if let Some((coll, exists, drop)) = target.dialect.own_collation_sql(&target.pg_schema) {
                if conn.query_i64(&exists).await.map_err(|e| step(&exists, e))?.unwrap_or(0) > 0 {
                    conn.execute("SAVEPOINT ferry_collation").await.map_err(|e| step("SAVEPOINT", e))?;
                    match conn.execute(&drop).await {
                        Ok(()) => out.dropped.push(format!("collation {coll}")),
                        Err(_) => {
                            conn.execute("ROLLBACK TO SAVEPOINT ferry_collation").await.map_err(|e| step("ROLLBACK TO SAVEPOINT", e))?;
                            out.kept.push(format!("collation {coll}: other tables' columns use it"));
                        }
                    }
                }
            }
        }
        // The extensions the run created, once the tables whose indexes used them are gone;
        // one that objects the run did not make still use is kept, and said.
        for (i, e) in extensions.iter().enumerate() {
            let Some(sql) = target.dialect.drop_extension(e) else { continue };
            let savepoint = format!("ferry_extension_{i}");
            if pg {
                conn.execute(&format!("SAVEPOINT {savepoint}")).await.map_err(|x| step("SAVEPOINT", x))?;
            }
            progress(&sql);
            match conn.execute(&sql).await {
                Ok(()) => out.dropped.push(format!("extension {e}")),
                Err(x) => {
                    if pg {
                        conn.execute(&format!("ROLLBACK TO SAVEPOINT {savepoint}")).await.map_err(|x| step("ROLLBACK TO SAVEPOINT", x))?;
                    }
                    let why = x.as_database_error().map(|d| d.message().to_string()).unwrap_or_else(|| x.to_string());
                    out.kept.push(format!("extension {e}: objects the run did not make use it ({why})"));
                }
            }
        }
        if !emptied.is_empty() {
            let stmts = target.dialect.empty_tables_sql(&emptied.iter().map(|t| name(t)).collect::<Vec<_>>());
            for sql in stmts {
                progress(&sql);
                conn.execute(&sql).await.map_err(|e| step(&sql, e))?;
            }
            out.emptied = emptied.clone();
        }
        if let Some(s) = report.created.iter().find(|c| c.kind == CreatedKind::Schema) {
            if let Some(sql) = target.dialect.drop_schema_sql(&s.name) {
                conn.execute("SAVEPOINT ferry_schema").await.map_err(|e| step("SAVEPOINT", e))?;
                match conn.execute(&sql).await {
                    Ok(()) => out.dropped.push(format!("schema {}", s.name)),
                    Err(e) => {
                        conn.execute("ROLLBACK TO SAVEPOINT ferry_schema").await.map_err(|e| step("ROLLBACK TO SAVEPOINT", e))?;
                        let why = e.as_database_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string());
                        out.kept.push(format!("schema {}: it holds objects the run did not make ({why})", s.name));
                    }
                }
            }
        }
        // The roles and login users the run made (`--roles`), once its tables are gone.
        let (dropped, kept) = crate::access::drop_roles(&target, &mut conn, &report.created, pg, |s| progress(s)).await;
        out.dropped.extend(dropped);
        out.kept.extend(kept);
        Ok::<(), FerryError>(())
    }
    .await;
    if pg {
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let closed = conn.execute(end).await;
        if result.is_ok() {
            closed.map_err(|e| step(end, e))?;
        }
    }
    result?;
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

fn kind_word(k: CreatedKind) -> &'static str {
    match k {
        CreatedKind::Schema => "schema",
        CreatedKind::Table => "table",
        CreatedKind::View => "view",
        CreatedKind::Trigger => "trigger",
        CreatedKind::Rows => "rows of table",
        CreatedKind::Role => "role",
        CreatedKind::Login => "login user",
        CreatedKind::Extension => "extension",
    }
}

async fn count_rows(conn: &mut Conn, target: &Target, table: &str) -> Result<u64> {
    let n = conn.count_rows(&target.pg_schema, table).await.map_err(|e| db_err(&format!("table {table}"), e))?;
    Ok(n.max(0) as u64)
}

async fn has_rows(conn: &mut Conn, target: &Target, table: &str) -> Result<bool> {
    conn.has_rows(&target.pg_schema, table).await.map_err(|e| db_err(&format!("table {table}"), e))
}

async fn existing_tables(conn: &mut Conn, target: &Target) -> Result<Vec<ExistingTable>> {
    conn.existing_tables(&target.pg_schema, target.dialect).await.map_err(|e| db_err("the tables' foreign keys", e))
}

/// `names` ordered so that a table comes before every table it references (`edges` are
/// (child, parent)); tables in a cycle keep their order, at the end.
pub fn children_first(names: &[String], edges: &[(String, String)]) -> Vec<String> {
    let set: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    // A table can go once no table still waiting references it.
    let mut waiting: Vec<&String> = names.iter().collect();
    let mut out = vec![];
    loop {
        let ready: Vec<&String> = waiting
            .iter()
            .copied()
            .filter(|t| !edges.iter().any(|(child, parent)| parent == *t && child != *t && set.contains(child.as_str()) && waiting.contains(&child)))
            .collect();
        if ready.is_empty() {
            break;
        }
        waiting.retain(|w| !ready.contains(w));
        out.extend(ready.into_iter().cloned());
    }
    out.extend(waiting.into_iter().cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_go_before_their_parents() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let e = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        type Case = (Vec<String>, Vec<(String, String)>, Vec<String>);
        let cases: Vec<Case> = vec![
            (s(&["gp", "par", "kid"]), e(&[("kid", "par"), ("par", "gp")]), s(&["kid", "par", "gp"])),
            (s(&["a", "b"]), e(&[]), s(&["a", "b"])),
            // A self-reference does not hold a table back.
            (s(&["tree"]), e(&[("tree", "tree")]), s(&["tree"])),
            // A child outside the list does not matter here.
            (s(&["p"]), e(&[("outside", "p")]), s(&["p"])),
            // A cycle keeps its order, after what could go.
            (s(&["x", "y", "z"]), e(&[("x", "y"), ("y", "x"), ("z", "x")]), s(&["z", "x", "y"])),
            (vec![], e(&[]), vec![]),
        ];
        for (names, edges, want) in cases {
            assert_eq!(children_first(&names, &edges), want, "{names:?} {edges:?}");
        }
    }
}
