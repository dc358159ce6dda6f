//! The migration pipeline: source → plan → target → report.
//!
//! One reader thread per table streams bounded batches through a channel to that table's
//! writer (back-pressure: memory stays flat whatever the size); `jobs` tables load at once.
//! As soon as a table's rows are in, its keys, indexes, CHECKs and identity are built on
//! the same connection while other tables still load. Foreign keys come last. A batch the
//! server refuses is split until the refused rows are found; every refused or changed value
//! lands in the report with its row's key, the column and the original value.

mod finish;
pub(crate) mod journal;
mod load;
mod resume;
mod schedule;
mod shared;
mod triggers;

pub use shared::MigrateOptions;
pub(crate) use triggers::trigger_tables;
use finish::*;
use load::*;
use schedule::*;
use shared::*;
use crate::error::{FerryError, Result};
use crate::events::{Event, Events, Phase, Warning};
use crate::plan::Plan;
use crate::report::{CreatedKind, CreatedObject, RejectLog, Report, TableReport};
use crate::schema::Schema;
use crate::source::sqlite::{read_source, read_source_spread, Integrity};
use crate::plan::resolve::PlannedTable;
use crate::dialect::session::{db_message, target_err, Conn, Target};
use crate::dialect::{Dialect, TargetUrl};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Mutex;

/// Migrates `source` into the empty target at `url`. Errors before anything is written come
/// back as `Err`; a run that stops midway comes back as a report with `completed = false`
/// and its `error`.
pub async fn migrate(source: &Path, url: &str, opts: MigrateOptions, events: Events) -> Result<Report> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let started_unix = chrono::Utc::now().timestamp();
    let jobs = opts.jobs.max(1);
    // The source's schema (with a spread sample of each table's values, or — into existing
    // tables, `--data-only` — the profile of every row) is read while the target is opened
    // and checked; the target's problems are said first. Into new tables the load then starts
    // at once, and checks the sampled plan against the profile of every row it reads (`run`).
    // Resuming, the plan must be the one the interrupted run finished its tables on: the plan
    // of every row, so every row is profiled first.
    let speculative = !opts.data_only && !opts.resume;
    let src = source.to_path_buf();
    let read_started = Instant::now();
    // The source's fingerprint for the run's journal, hashed beside the reading.
    let fp_src = source.to_path_buf();
    let fp_events = events.clone();
    let hashing = tokio::task::spawn_blocking(move || journal::fingerprint(&fp_src, &fp_events));
    events.emit(Event::PhaseStarted { phase: Phase::Source });
    let reading = tokio::task::spawn_blocking(move || -> Result<(Schema, Option<Integrity>)> {
        if speculative {
            let (schema, check) = read_source_spread(&src, SPREAD_SAMPLE_ROWS, jobs)?;
            Ok((schema, Some(check)))
        } else {
            Ok((read_source(&src, true, jobs)?, None))
        }
    });
    // The loaders' sessions open beside the first one (each a TLS handshake, where the server
    // offers TLS); they are set up for the server once it is known.
    let parsed = TargetUrl::parse(url)?;
    let (opened, bare) = tokio::join!(Target::open(url, opts.pg_schema.as_deref()), futures_util::future::join_all((0..jobs).map(|_| Target::connect_bare(&parsed))));
    let (target, mut admin) = opened?;
    let jr = journal::Journal::new(&target);
    let unfinished = if opts.data_only { None } else { jr.find(&mut admin).await? };
    if let (Some(u), false) = (&unfinished, opts.resume) {
        return Err(FerryError::UnfinishedRun { started: u.started(), loaded: u.loaded, tables: u.tables, src: source.display().to_string(), to: target.url.redacted.clone() });
    }
    let existing = target.existing_objects(&mut admin).await?;
    if !existing.is_empty() && !opts.data_only && unfinished.is_none() {
        let where_ = target.ddl().place(&target.url.database);
        // MySQL/MariaDB have no schemas: there, another place is another database.
        let another = if target.dialect.has_schemas() { "schema" } else { "database" };
        return Err(FerryError::TargetNotEmpty { where_, objects: crate::dialect::inspect::describe(&existing, 5), another: another.into() });
    }
    let (read, sessions) = tokio::join!(reading, async {
        let mut ready = vec![];
        for c in bare {
            ready.push(target.prepare(c?).await?);
        }
        Ok::<_, FerryError>(ready)
    });
    let (schema, integrity) = read.map_err(|e| FerryError::Other(e.to_string()))??;
    let sessions = sessions?;
    let read_secs = read_started.elapsed().as_secs_f64();
    events.emit(Event::PhaseDone { phase: Phase::Source, seconds: read_secs });
    let dialect = target.dialect;
    let (plan, planned, value_choices, dropped) = plan_tables(&opts, source, &schema, dialect)?;
    if let Some(d) = &plan.distribution {
        // Distributing asks for a Citus cluster; refused before anything is written.
        if target.citus.is_none() {
            return Err(FerryError::Other(format!(
                "the plan distributes the tables by {} but {} is not a Citus cluster (no citus extension in database {:?}): run CREATE EXTENSION citus there and add the workers, or migrate without --distribute",
                d.column, target.url.redacted, target.url.database
            )));
        }
    }
    // Roles and tenant isolation: names the server takes, and roles not there already (unless
    // reused), before anything is written.
    if let Some(a) = &plan.access {
        crate::access::check(a, &plan, dialect).map_err(|detail| FerryError::PlanUnreadable { path: "[access]".into(), detail })?;
        crate::access::check_existing(&target, &mut admin, a, opts.access.as_ref().is_some_and(|r| r.reuse)).await?;
    }
    // A masked copy's masks, collisions of unique columns resolved, before anything is written.
    let masks = crate::plan::masks::RunMasks::new(&plan, &schema, source, opts.mask_key.as_ref())?.map(Arc::new);
    if opts.data_only {
        crate::diff::check_data_only(&target, &mut admin, &planned).await?;
    }
    // A PostgreSQL schema is made when missing, once the source and the plan are known good.
    let made_schema = admin.ensure_place(&target).await?;
    let fp = hashing.await.map_err(|e| FerryError::Other(e.to_string()))??;
    let plan_hash = journal::plan_hash(opts.plan.as_ref(), opts.pg_schema.as_deref(), opts.strict, dialect, opts.mask_key.as_ref());
    let mut resumed = std::collections::HashMap::new();
    let journal = if opts.data_only {
        None
    } else {
        match &unfinished {
            // Continued only on the same source and plan: anything else would load a mix.
            Some(u) => {
                if let Some(what) = jr.changed(&mut admin, u, &fp, &plan_hash).await? {
                    // A changed file is what a catch-up sync is for, once a run has completed.
                    let way = if what.starts_with("the source changed") {
                        format!("; once that run completes, `ferry sync {} --to URL` brings the target up to what the application writes meanwhile, so the file need not stand still for the migration", source.display())
                    } else {
                        String::new()
                    };
                    return Err(FerryError::ResumeMismatch { started: u.started(), what, way });
                }
                for t in &planned {
                    resumed.insert(t.source.name.clone(), jr.state(&mut admin, &t.source.name).await?);
                }
            }
            None => {
                let names: Vec<(String, String)> = planned.iter().map(|t| (t.source.name.clone(), t.name.clone())).collect();
                let views: Vec<String> = schema.views.iter().map(|v| v.name.clone()).collect();
                jr.begin(&mut admin, started_unix, &fp, &plan_hash, &names, &views).await?;
            }
        }
        Some(jr)
    };
    let mut report = Report {
        ferry_version: crate::version().into(),
        source: source.display().to_string(),
        target: target.url.redacted.clone(),
        target_server: target.server.clone(),
        started_at,
        completed: false,
        plan: Some(plan.clone()),
        ..Default::default()
    };
    if let Some(m) = &masks {
        report.mask_key_fingerprint = Some(m.masker.key().fingerprint().to_string());
        for (rule, c) in &m.collisions {
            if c.resolved > 0 {
                report.notes.push(Warning { table: None, object: format!("mask {rule}"), reason: format!("{} among the values of unique columns resolved (each moved to another mask)", crate::value::plural(c.resolved, "collision", "collisions")) });
            }
            if c.unresolved > 0 {
                report.warnings.push(Warning { table: None, object: format!("mask {rule}"), reason: format!("{} among the values of unique columns could not be resolved: the target may refuse those rows", crate::value::plural(c.unresolved, "collision", "collisions")) });
            }
        }
    }
    if made_schema {
        report.created.push(CreatedObject { kind: CreatedKind::Schema, schema: None, name: target.pg_schema.clone() });
    }
    if let Some(note) = shard_statistics_note(&target, &planned) {
        report.notes.push(note);
    }
    for t in &planned {
        report.tables.insert(t.source.name.clone(), TableReport { target: t.name.clone(), ..Default::default() });
        if let Some(tp) = plan.table(&t.source.name) {
            if tp.target != tp.source {
                report.renames.push(crate::events::Rename { table: None, from: tp.source.clone(), to: tp.target.clone(), reason: rename_reason(dialect, &tp.source) });
            }
            for cp in &tp.columns {
                if cp.target != cp.source {
                    report.renames.push(crate::events::Rename { table: Some(tp.source.clone()), from: cp.source.clone(), to: cp.target.clone(), reason: rename_reason(dialect, &cp.source) });
                }
            }
        }
    }
    // Columns compared without case in SQLite: which collation the target gave them.
    for t in &planned {
        for c in t.columns.iter().filter(|c| c.case_insensitive) {
            let src = &t.source.columns[c.source_index];
            let on_column = src.collation.as_deref().is_some_and(|n| crate::mapping::collation::meaning(n).ignores_case());
            let name = if on_column { src.collation.clone().unwrap_or_default() } else { format!("{} (on its key)", src.key_collation.clone().unwrap_or_default()) };
            report.notes.push(Warning {
                table: Some(t.source.name.clone()),
                object: format!("column {}", c.source),
                reason: format!("COLLATE {name} carried as collation {}: compared without case, accents kept", target.collations().1),
            });
        }
    }
    for tp in plan.tables.iter().filter(|t| t.skip) {
        report.warnings.push(Warning { table: Some(tp.source.clone()), object: format!("table {}", tp.source), reason: "skipped by the plan".into() });
    }
    for vt in &schema.virtual_tables {
        report.warnings.push(Warning {
            table: Some(vt.name.clone()),
            object: format!("virtual table {} (USING {})", vt.name, vt.module),
            reason: vt.why.clone().unwrap_or_else(|| format!("not carried: {} virtual tables exist only in SQLite; use the target's own search or index features", vt.module)),
        });
    }
    let log = RejectLog::new(opts.rejects.clone());
    let sh = Arc::new(Shared {
        target,
        source: source.to_path_buf(),
        dialect,
        opts: MigrateOptions { jobs, ..opts },
        events: events.clone(),
        report: Mutex::new(report),
        phase_seconds: Mutex::new(BTreeMap::from([(Phase::Source, read_secs)])),
        checks_inline: Mutex::new(Default::default()),
        log,
        value_choices,
        tables: planned.iter().map(|t| t.name.clone()).collect(),
        sessions: std::sync::Mutex::new(sessions),
        plain_generated: Default::default(),
        journal,
        resumed,
        masks,
    });
    let sure = if speculative { None } else { Some((plan, dropped)) };
    // A cancel reaches what the server is running for the run, not only the next batch.
    let interrupter = tokio::spawn(interrupt_on_cancel(sh.clone()));
    let mut result = run(&sh, planned, schema, sure, integrity, &mut admin).await;
    interrupter.abort();
    // Once the run is complete its journal is gone: a failure making the roles is not resumed.
    let loaded = result.is_ok();
    if loaded {
        result = access(&sh, &mut admin).await;
    }
    if let Err(e @ FerryError::SourceCorrupt { .. }) = result {
        // A damaged file is refused as before anything was written: what was made is gone.
        return Err(e);
    }
    // A Citus cluster: where it put the tables, shard by shard, once they are all in. Not
    // read, the run is still done: a note says why.
    let placement = match (&result, sh.target.citus.is_some()) {
        (Ok(()), true) => Some(sh.target.placement(&mut admin).await),
        _ => None,
    };
    let phases = sh.phase_seconds.lock().await.clone();
    let mut report = sh.report.lock().await.clone();
    report.notes.extend(sh.target.into_shards_note());
    match placement {
        Some(Ok(Some(p))) if !p.shards.is_empty() => report.placement = Some(crate::report::Placement::from_placed(p)),
        Some(Err(e)) => report.notes.push(Warning { table: None, object: "placement of the shards".into(), reason: format!("not read, so not in this report: {e}") }),
        _ => {}
    }
    report.phases = phases.into_iter().map(|(p, s)| (p.name().to_string(), (s * 1000.0).round() / 1000.0)).collect();
    report.seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(()) => report.completed = true,
        Err(e) => {
            // The journal stays in the target (a lost connection, a restart, a cancel): the
            // run can go on from there. Not after a `--strict` stop: the same value would
            // stop it again, and a source fixed since is not resumed.
            report.resumable = sh.journal.as_ref().filter(|_| !loaded && !matches!(e, FerryError::Strict(_))).map(|_| true);
            report.error = Some(if loaded { format!("every table is loaded, but {e}; take the run back with `ferry rollback` (the roles it made go too), or grant by hand") } else { e.to_string() });
        }
    }
    match sh.log.finish() {
        Ok(path) => report.rejects_file = path,
        Err(e) => {
            report.completed = false;
            report.error.get_or_insert(format!("the rejects file: {e}"));
        }
    }
    Ok(report)
}

/// Once the run is cancelled, stops the statements its sessions are running (an index build,
/// a constraint's check, a COPY, a LOAD DATA batch: `Target::interrupt`), from a session of
/// its own; and again every 100 ms while the run winds down, so a statement sent after the
/// first (the next index of the same table) stops too. Ctrl-C took 1.3–1.9 s on a 1,000,000-row
/// demo while the server finished what it had been sent. Ends when the caller aborts it, or
/// after a minute.
async fn interrupt_on_cancel(sh: Arc<Shared>) {
    sh.events.until_cancelled().await;
    let Ok(mut side) = Target::connect_bare(&sh.target.url).await else { return };
    for _ in 0..600 {
        sh.target.interrupt(&mut side).await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Roles, grants and row-level security of the plan's `[access]`, once everything else is
/// made: what it made joins the report's `created` (a rollback drops it), the login users'
/// passwords its `logins` (never serialized).
async fn access(sh: &Shared, admin: &mut Conn) -> Result<()> {
    let (plan, views) = {
        let report = sh.report.lock().await;
        let views: Vec<String> = report.created.iter().filter(|c| c.kind == CreatedKind::View).map(|c| c.name.clone()).collect();
        (report.plan.clone(), views)
    };
    let Some((plan, a)) = plan.and_then(|p| p.access.clone().map(|a| (p, a))) else { return Ok(()) };
    let t0 = Instant::now();
    let mut out = crate::access::Applied::default();
    let reuse = sh.opts.access.as_ref().is_some_and(|r| r.reuse);
    let result = crate::access::apply(&sh.target, admin, &a, &plan, &views, reuse, &mut out).await;
    let mut report = sh.report.lock().await;
    report.created.extend(out.created);
    report.logins.extend(out.logins);
    report.notes.extend(out.notes);
    report.warnings.extend(out.warnings);
    drop(report);
    sh.add_phase(Phase::Constraints, t0.elapsed().as_secs_f64()).await;
    result
}

/// When the unfinished run the target holds started (its journal is there), if one is.
pub async fn unfinished_run(target: &Target, conn: &mut Conn) -> Result<Option<String>> {
    Ok(journal::Journal::new(target).find(conn).await?.map(|u| u.started()))
}

/// What the data phase will copy: every planned table and the rows the source holds in them.
fn planned_event(tables: &[Arc<PlannedTable>]) -> Event {
    Event::Planned { tables: tables.len() as u64, rows: tables.iter().map(|t| t.source.row_count).sum() }
}

fn rename_reason(dialect: Dialect, name: &str) -> String {
    if crate::dialect::ident_fits(dialect, name) {
        "clashes with another name once case is ignored".into()
    } else {
        format!("longer than {}", dialect.identifier_limit())
    }
}


/// Rows of each table a speculative plan is made from (`profile_table_spread`).
const SPREAD_SAMPLE_ROWS: u64 = 4096;

/// Drops the tables this run made (and the PostgreSQL schema and collation, when it made them): a
/// damaged source found after the load began leaves the target as it was.
async fn drop_created(sh: &Shared, admin: &mut Conn) {
    let created = sh.report.lock().await.created.clone();
    for c in created.iter().rev() {
        let sql = match c.kind {
            CreatedKind::Table => sh.target.ddl().drop_table(&c.name),
            CreatedKind::Schema => match sh.target.ddl().drop_schema(&c.name) {
                Some(sql) => sql,
                None => continue,
            },
            CreatedKind::Extension => match sh.dialect.drop_extension(&c.name) {
                Some(sql) => sql,
                None => continue,
            },
            _ => continue,
        };
        if admin.execute(&sql).await.is_ok() {
            sh.report.lock().await.created.retain(|x| x != c);
        }
    }
    // The case-insensitive collation the tables needed (PostgreSQL), unless a column still
    // uses it (then the server refuses, and it stays).
    if let Some((_, _, drop)) = sh.dialect.own_collation_sql(&sh.target.pg_schema) {
        let _ = admin.execute(&drop).await;
    }
}

/// Schema, rows, keys and indexes, foreign keys, views, triggers.
///
/// `sure`: the plan (and what its choices dropped) when it rests on every row already
/// (`--data-only`). Otherwise the tables are made and loaded on the plan of a spread sample
/// (`speculative`) while every row is profiled; then the plan is made again from every row —
/// exactly the plan a full profile first would have made — and a table whose load it would
/// have made differently, or that met a value the sampled plan could not carry exactly, is
/// made and loaded again. Only then are keys, indexes and constraints built, and rows
/// reported.
async fn run(sh: &Arc<Shared>, mut planned: Vec<PlannedTable>, schema: Schema, sure: Option<(Plan, Vec<Warning>)>, integrity: Option<Integrity>, admin: &mut Conn) -> Result<()> {
    let speculative = sure.is_none();
    // Schema: every table, with its columns, defaults and (MySQL) keys.
    let t0 = Instant::now();
    sh.events.emit(Event::PhaseStarted { phase: Phase::Schema });
    // The extensions the plan's accepted proposals need, before the tables that use them.
    // Where the role may not create one: said in one line, and the run goes on without it.
    // One the run creates (not there before) is in its report's `created` and its journal,
    // so a rollback drops it; a resumed run keeps what its journal says the first one made.
    if !sh.opts.data_only {
        let plan = sh.report.lock().await.plan.clone();
        let made_before = match (&sh.journal, sh.resumed.is_empty()) {
            (Some(j), false) => j.extensions(admin).await?,
            _ => vec![],
        };
        for name in plan.as_ref().map(crate::plan::production::defaults::extensions).unwrap_or_default() {
            let Some(sql) = sh.dialect.create_extension(&name) else { continue };
            let there = match sh.dialect.extension_exists_sql(&name) {
                Some(q) => admin.query_i64(&q).await.map_err(|e| target_err(&format!("extension {name}"), e))?.unwrap_or(0) > 0,
                None => false,
            };
            let created = admin.execute(&sql).await;
            if created.is_ok() && (!there || made_before.contains(&name)) {
                sh.report.lock().await.created.push(sh.created(CreatedKind::Extension, &name));
                if let (Some(j), false) = (&sh.journal, there) {
                    j.made_extension(admin, &name).await?;
                }
            }
            if let Err(e) = created {
                let why = crate::dialect::session::db_message(&e);
                let what = plan.as_ref().map(|p| crate::plan::production::defaults::without_extension(p, &name)).unwrap_or_default();
                sh.warn(None, format!("extension {name}"), format!("not created ({why}): {what}")).await;
                // The indexes that need it are left out rather than refused one by one.
                for t in planned.iter_mut() {
                    t.indexes.retain(|ix| sh.dialect.index_extension(ix).is_none_or(|x| x != name));
                }
            }
        }
    }
    if sh.opts.data_only {
        // Each table was checked empty before the run: rolling back removes all its rows.
        let mut report = sh.report.lock().await;
        for t in &planned {
            report.created.push(sh.created(CreatedKind::Rows, &t.name));
        }
    }
    // Where the dialect can: every table in one round trip (one transaction: all or none);
    // where the server refuses any, one by one, each with the fallbacks `create_table` has.
    let mut made = false;
    let ddl = sh.target.ddl();
    if ddl.creates_tables_together() && ddl.checks_at_create(speculative) && !sh.opts.data_only && sh.resumed.is_empty() {
        let all: Vec<String> = planned.iter().map(|t| ddl.create_table(t, true)).collect();
        if !all.is_empty() && admin.execute(&all.join(";\n")).await.is_ok() {
            let mut inline = sh.checks_inline.lock().await;
            inline.extend(planned.iter().filter(|t| !t.checks.is_empty()).map(|t| t.name.clone()));
            made = true;
        }
    }
    for t in planned.iter().filter(|_| !sh.opts.data_only) {
        if !sh.resumed.is_empty() {
            resume::resume_table(sh, admin, t).await?;
        } else if !made {
            create_table(sh, admin, t, speculative).await?;
        }
        sh.report.lock().await.created.push(sh.created(CreatedKind::Table, &t.name));
    }
    for t in &mut planned {
        sh.as_made(t);
    }
    if let Some(j) = &sh.journal {
        j.mark_all(admin, journal::State::Created).await?;
    }
    let secs = t0.elapsed().as_secs_f64();
    sh.add_phase(Phase::Schema, secs).await;
    sh.events.emit(Event::PhaseDone { phase: Phase::Schema, seconds: secs });

    // Data: each table loaded, then — once the plan of every row it depends on is known — made
    // again where that plan differs, and finished (keys, indexes, CHECKs, identity); on
    // PostgreSQL without cycles its foreign keys follow as soon as their tables are ready. All of
    // it `jobs` at a time, so index builds run beside other tables' loads.
    let t0 = Instant::now();
    sh.events.emit(Event::PhaseStarted { phase: Phase::Data });
    let spec: Vec<Arc<PlannedTable>> = planned.into_iter().map(Arc::new).collect();
    sh.events.emit(planned_event(&spec));
    let interleaved = sh.target.ddl().foreign_keys_per_table() && !sh.opts.data_only && parents_first(&spec).is_some();
    let views = schema.views.clone();
    let source_triggers = schema.triggers.clone();
    let (plan, final_planned, dropped) = match schedule(sh, spec, schema, sure, integrity, interleaved).await {
        Ok(done) => done,
        Err(e) => {
            // A damaged file stops the run whatever else happened, and takes back what was made.
            // The journal goes first: nothing is left to resume, and it lives in the schema
            // the run may have made.
            if matches!(e, FerryError::SourceCorrupt { .. }) && !sh.opts.data_only {
                if let Some(j) = &sh.journal {
                    let _ = j.remove(admin).await;
                }
                drop_created(sh, admin).await;
            }
            return Err(e);
        }
    };
    {
        let mut report = sh.report.lock().await;
        report.plan = Some(plan.clone());
        // What planning found, first among the warnings.
        let mut found: Vec<Warning> = final_planned.iter().flat_map(|t| t.warnings.iter().cloned()).collect();
        found.extend(dropped);
        report.warnings.splice(0..0, found);
        let notes: Vec<Warning> = final_planned.iter().flat_map(|t| t.notes.iter().cloned()).collect();
        report.notes.splice(0..0, notes);
    }
    let mut order: Vec<Arc<PlannedTable>> = final_planned.into_iter().map(Arc::new).collect();
    order.sort_by_key(|t| std::cmp::Reverse(t.source.row_count));
    sh.events.emit(Event::PhaseDone { phase: Phase::Data, seconds: t0.elapsed().as_secs_f64() });
    if sh.opts.data_only {
        return Ok(());
    }
    // Foreign keys.
    if !interleaved {
        let t0 = Instant::now();
        sh.events.emit(Event::PhaseStarted { phase: Phase::Constraints });
        foreign_keys(sh, &order, admin).await?;
        if let Some(j) = &sh.journal {
            j.mark_all(admin, journal::State::Keyed).await?;
        }
        let secs = t0.elapsed().as_secs_f64();
        sh.add_phase(Phase::Constraints, secs).await;
        sh.events.emit(Event::PhaseDone { phase: Phase::Constraints, seconds: secs });
    }
    // Views, translated where possible, each after the views it reads.
    let t0 = Instant::now();
    // Resuming a run stopped while it made them: what it made goes, and is made again as
    // this run plans it (else each says "already exists" and the run ends with warnings).
    if !sh.resumed.is_empty() {
        if let Some(j) = &sh.journal {
            take_back_views_and_triggers(sh, j, admin).await?;
        }
    }
    let mut queue = crate::plan::views::ViewQueue::new(sh.dialect, order.iter().map(|t| &**t), &views);
    while let Some((v, columns, sql)) = queue.next() {
        let object = format!("view {}", v.name);
        let stmt = sh.target.ddl().create_view(&v.name, &columns, &sql);
        match admin.execute(&stmt).await {
            Err(e) => {
                let why = db_message(&e);
                sh.warn(None, object, format!("not created: {why}")).await;
                queue.done(&v.name, Err(why));
            }
            Ok(()) => {
                sh.report.lock().await.created.push(sh.created(CreatedKind::View, &v.name));
                queue.done(&v.name, Ok(()));
            }
        }
    }
    for (v, why) in queue.refused() {
        sh.warn(None, format!("view {}", v.name), format!("not created: {why}")).await;
    }
    // Triggers, once every row is in: none fires during the copy.
    triggers::make_triggers(sh, &order, &source_triggers, admin).await;
    sh.add_phase(Phase::Views, t0.elapsed().as_secs_f64()).await;
    // A cancel stopped a view or a trigger (said as not made): the run is not complete.
    stop_if_cancelled(sh)?;
    failpoint("before_journal_removed");
    // The run is complete: its journal goes.
    if let Some(j) = &sh.journal {
        j.remove(admin).await?;
    }
    // Everything durable before the run says it is done.
    admin.make_durable().await?;
    Ok(())
}

/// Resuming: drops the views the interrupted run set out to make and the triggers it noted
/// as made (its journal names both), so that this run makes them again.
async fn take_back_views_and_triggers(sh: &Shared, j: &journal::Journal, admin: &mut Conn) -> Result<()> {
    let Some((_, views, triggers)) = j.objects(admin).await? else { return Ok(()) };
    let ddl = sh.target.ddl();
    for t in &triggers {
        admin.execute(&ddl.drop_trigger(t)).await.map_err(|e| target_err(&format!("trigger {t}"), e))?;
    }
    j.forget_triggers(admin).await?;
    if !views.is_empty() {
        // One statement: views that read each other go together.
        let names: Vec<String> = views.iter().map(|v| ddl.table(v)).collect();
        admin.execute(&format!("DROP VIEW IF EXISTS {}", names.join(", "))).await.map_err(|e| target_err("the interrupted run's views", e))?;
    }
    Ok(())
}

/// On a Citus cluster, what the distributed tables' shards are analyzed with
/// (`Citus::shard_statistics_target`), said once for the run.
fn shard_statistics_note(target: &Target, planned: &[PlannedTable]) -> Option<Warning> {
    let c = target.citus.as_ref()?;
    let n = c.shard_statistics_target()?;
    let distributed = planned.iter().filter(|t| t.citus.as_ref().is_some_and(|c| c.role == crate::plan::distribute::Role::Distributed)).count() as u64;
    (distributed > 0).then(|| Warning {
        table: None,
        object: "statistics".into(),
        reason: format!(
            "the shards of the {} analyzed with default_statistics_target {n}: the server's {} shared among {} a table, so that they sample about as many rows together as one table's ANALYZE does; ANALYZE a table again for fuller statistics on each shard",
            crate::value::plural(distributed, "distributed table", "distributed tables"),
            c.statistics_target,
            crate::value::plural(c.shard_count, "shard", "shards"),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg_admin_url() -> String {
        std::env::var("FERRY_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
    }

    /// A demo of `rows` rows in a scratch folder and an empty PostgreSQL database named after
    /// `tag`: (folder, file, database, its URL, an admin connection to drop it with, the
    /// demo's row count).
    async fn demo_and_db(tag: &str, rows: u64) -> (std::path::PathBuf, std::path::PathBuf, String, url::Url, sqlx::PgConnection, u64) {
        use sqlx::Connection;
        let dir = std::env::temp_dir().join(format!("ferry-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("demo.sqlite");
        let demo = crate::demo::build(&src, rows, true).unwrap();
        let db = format!("ferry_{tag}_{}", std::process::id());
        let admin_url = pg_admin_url();
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("PostgreSQL for tests");
        for sql in [format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"), format!("CREATE DATABASE {db}")] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await.unwrap();
        }
        let mut url = url::Url::parse(&admin_url).unwrap();
        url.set_path(&format!("/{db}"));
        (dir, src, db, url, admin, demo.total_rows)
    }

    /// A run's total is known before its first batch: the `Planned` event comes before any
    /// table starts and counts every row the run reads (the app's total grew from 17,000 to
    /// 20,000 as tables started, two at a time).
    #[tokio::test]
    async fn the_total_is_sent_before_the_first_batch() {
        let (dir, src, db, url, mut admin, total_rows) = demo_and_db("planned", 5_000).await;
        let seen = Arc::new(std::sync::Mutex::new(Vec::<Event>::new()));
        let sink = seen.clone();
        let events = Events::new(move |e| sink.lock().unwrap().push(e));
        let report = tokio::time::timeout(std::time::Duration::from_secs(120), migrate(&src, url.as_str(), MigrateOptions { jobs: 2, ..Default::default() }, events)).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))).execute(&mut admin).await.unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let report = report.expect("the run ends within 120 s").expect("the run");
        assert!(report.completed, "{:?}", report.error);
        let seen = seen.lock().unwrap();
        let planned: Vec<(usize, u64, u64)> = seen.iter().enumerate().filter_map(|(i, e)| if let Event::Planned { tables, rows } = e { Some((i, *tables, *rows)) } else { None }).collect();
        assert_eq!(planned.len(), 1, "one Planned event");
        let (at, tables, rows) = planned[0];
        let first_table = seen.iter().position(|e| matches!(e, Event::TableStarted { .. })).expect("tables start");
        assert!(at < first_table, "Planned ({at}) before the first table ({first_table})");
        assert_eq!(rows, total_rows, "the total is every row of the source");
        assert_eq!(rows, report.tables.values().map(|t| t.rows_read).sum::<u64>(), "the total is what the run read");
        assert_eq!(tables, report.tables.len() as u64);
    }

    /// A resumed run's progress reaches its total: the tables the interrupted run finished are
    /// kept, and each is said done (`TableDone`) with its rows, so the app's bar and its
    /// "N of M tables done" count them (they stayed short of the total, as nothing was sent
    /// for a kept table).
    #[tokio::test]
    async fn a_resumed_run_counts_the_tables_it_keeps_as_done() {
        let (dir, src, db, url, mut admin, _) = demo_and_db("kept", 20_000).await;
        // The first run is cancelled as soon as one table is done.
        let handle: Arc<std::sync::OnceLock<Events>> = Arc::new(std::sync::OnceLock::new());
        let h = handle.clone();
        let first = Events::new(move |e| {
            if matches!(e, Event::TableDone { .. }) {
                if let Some(ev) = h.get() {
                    ev.cancel();
                }
            }
        });
        handle.set(first.clone()).ok();
        let limit = std::time::Duration::from_secs(120);
        let stopped = tokio::time::timeout(limit, migrate(&src, url.as_str(), MigrateOptions { jobs: 1, ..Default::default() }, first)).await;
        let seen = Arc::new(std::sync::Mutex::new(Vec::<Event>::new()));
        let sink = seen.clone();
        let events = Events::new(move |e| sink.lock().unwrap().push(e));
        let resumed = tokio::time::timeout(limit, migrate(&src, url.as_str(), MigrateOptions { jobs: 1, resume: true, ..Default::default() }, events)).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))).execute(&mut admin).await.unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        // A cancelled run ends in an error or in a report that says it did not complete.
        if let Ok(r) = stopped.expect("the first run ends within 120 s") {
            assert!(!r.completed, "the first run was cancelled");
        }
        let report = resumed.expect("the resumed run ends within 120 s").expect("the resumed run");
        assert!(report.completed, "{:?}", report.error);
        let kept = report.notes.iter().filter(|w| w.reason.starts_with("kept:")).count();
        assert!(kept >= 1, "the interrupted run had finished a table: {:?}", report.notes);
        let seen = seen.lock().unwrap();
        let planned = seen.iter().find_map(|e| if let Event::Planned { rows, .. } = e { Some(*rows) } else { None }).expect("a Planned event");
        let done: std::collections::BTreeMap<&str, u64> = seen.iter().filter_map(|e| if let Event::TableDone { table, rows_read, .. } = e { Some((table.as_str(), *rows_read)) } else { None }).collect();
        let names: Vec<&str> = report.tables.keys().map(|k| k.as_str()).collect();
        assert_eq!(seen.iter().filter(|e| matches!(e, Event::TableDone { .. })).count(), names.len(), "one TableDone per table");
        assert_eq!(done.keys().copied().collect::<Vec<_>>(), names, "every table, kept or loaded, is said done once");
        assert_eq!(done.values().sum::<u64>(), planned, "the rows said done add up to the total");
    }
}
