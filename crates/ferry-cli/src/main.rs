//! `ferry`: the command line over ferry-core, for scripts and CI.
//!
//! Exit statuses: see `status` (0 done, 2 done with something listed, 1 failed, 64 a wrong
//! command line, 130 Ctrl-C); each command's `--help` lists its own.

mod access;
mod advise;
mod audit;
mod backup_target;
mod diff;
mod monitor;
mod preflight;
mod restore;
mod rollback;
mod status;
mod words;

use clap::{Parser, Subcommand};
use ferry_core::events::{Event, Events, Phase};
use ferry_core::report::Report;
use ferry_core::schema::Schema;
use ferry_core::dialect::TargetUrl;
use ferry_core::FerryError;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

mod sync;
mod validate;

#[derive(Parser)]
#[command(name = "ferry", version, about = "Move a SQLite database to PostgreSQL or MySQL/MariaDB — schema, data, indexes, constraints — with nothing lost silently.", after_help = status::help_all())]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The audit log migrate, backup, restore, rollback, validate and sync append to (default
    /// $FERRY_AUDIT_LOG, else ferry/audit.jsonl in the platform's data folder).
    #[arg(long, global = true)]
    audit_log: Option<PathBuf>,
    /// Read the target's password from standard input (its first line) rather than from the
    /// URL, so it stays out of the command line, the shell's history and `ps`.
    #[arg(long, global = true)]
    password_stdin: bool,
}

impl Command {
    /// The target URL the command takes, if it takes one.
    fn target_url(&mut self) -> Option<&mut String> {
        match self {
            Command::Backup { to, .. } => to.as_mut(),
            Command::Restore { to, .. } | Command::Rollback { to, .. } | Command::Connect { to, .. } | Command::Plan { to, .. } | Command::Monitor { to, .. } | Command::Advise { to, .. } => Some(to),
            Command::Preflight { job, .. } | Command::Diff { job, .. } | Command::Migrate { job, .. } => Some(&mut job.to),
            Command::Validate(args) => Some(&mut args.to),
            Command::Sync(args) => Some(&mut args.to),
            Command::Demo { .. } | Command::Audit { .. } | Command::Inspect { .. } => None,
        }
    }
}

/// The command line, or the status to end with: `--help` and `--version` print and end with
/// 0; an unknown flag, a missing argument or a bad value prints clap's message and ends
/// with `status::USAGE`, never with a status a run could end with.
fn parse() -> Result<Cli, ExitCode> {
    Cli::try_parse().map_err(|e| {
        let _ = e.print();
        status::exit(if e.use_stderr() { status::USAGE } else { status::OK })
    })
}

/// `--password-stdin`: the first line of standard input becomes the password of the
/// command's target URL.
fn password_from_stdin(cli: &mut Cli) -> Result<(), FerryError> {
    if !cli.password_stdin {
        return Ok(());
    }
    let Some(url) = cli.command.target_url() else {
        return Err(FerryError::Other("--password-stdin is for a command that takes a target (--to)".into()));
    };
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| FerryError::Other(format!("cannot read the password from standard input: {e}")))?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err(FerryError::Other("--password-stdin: standard input's first line is empty; give the password on it".into()));
    }
    *url = ferry_core::dialect::with_password(url, password)?;
    Ok(())
}

/// The terminal's password prompt: when the target URL names no password, standard input
/// is a terminal, no `--password-stdin` was given and the server refuses the login (no
/// password from `PGPASSWORD`, `~/.pgpass` or `MYSQL_PWD` either, or a wrong one), asks
/// `Password for USER@HOST:` without echo and goes on with the answer, once. A command that
/// does not connect (`plan`) is left alone; a server that does not answer ends the command
/// here (recorded in the audit log as its failure).
async fn password_from_prompt(cli: &mut Cli) -> Result<(), FerryError> {
    if cli.password_stdin || !std::io::stdin().is_terminal() || matches!(cli.command, Command::Plan { .. }) {
        return Ok(());
    }
    let Some(url) = cli.command.target_url() else { return Ok(()) };
    if !ferry_core::dialect::probe::asks_for_password(url).await? {
        return Ok(());
    }
    let t = TargetUrl::parse(url)?;
    let password = rpassword::prompt_password(format!("Password for {}@{}: ", t.user, t.host)).map_err(|e| FerryError::Other(format!("cannot read the password from the terminal: {e}")))?;
    if password.is_empty() {
        return Err(FerryError::Other("no password given: type it at the prompt, or use --password-stdin".into()));
    }
    *url = ferry_core::dialect::with_password(url, &password)?;
    Ok(())
}

/// A source, a target and, optionally, the plan that joins them.
#[derive(clap::Args)]
struct Job {
    /// The SQLite file (opened read-only, never written).
    source: PathBuf,
    /// postgres://… or mysql://… (mariadb://…).
    #[arg(long = "to")]
    to: String,
    /// A plan made by `ferry plan` (edited or not); without it the proposal is used.
    #[arg(long)]
    plan: Option<PathBuf>,
    /// The mask key of a plan that masks columns (`ferry plan --mask-pii`), read from this
    /// file; without it from $FERRY_MASK_KEY. At least 16 bytes; never written anywhere.
    #[arg(long, value_name = "PATH")]
    mask_key_file: Option<PathBuf>,
}

/// `--choose`: a choice as written (`TABLE.COLUMN:KIND=CHOICE`), refused with the command
/// line's status when it does not read as one (whether it applies is for the pre-flight).
fn choice_arg(s: &str) -> Result<String, String> {
    ferry_core::plan::PlanChoice::parse(s).map(|_| s.to_string())
}

impl Job {
    fn load_plan(&self) -> Result<Option<ferry_core::plan::Plan>, FerryError> {
        self.plan.as_deref().map(ferry_core::plan::Plan::load).transpose()
    }
}

/// The mask key a plan needs (one that masks columns), from `--mask-key-file` or
/// $FERRY_MASK_KEY, noted for the audit log by its fingerprint; None for other plans.
pub(crate) fn mask_key(plan: Option<&ferry_core::plan::Plan>, file: Option<&Path>) -> Result<Option<ferry_core::mask::MaskKey>, FerryError> {
    if !plan.is_some_and(|p| p.masks()) {
        return Ok(None);
    }
    let key = ferry_core::mask::MaskKey::from_file_or_env(file)?;
    audit::note_mask_key(key.fingerprint());
    Ok(Some(key))
}

#[derive(Subcommand)]
enum Command {
    /// Build the demo database (a multi-tenant commerce schema, stored as a SQLite app stores it).
    #[command(after_help = status::help("demo"))]
    Demo {
        #[arg(long)]
        out: PathBuf,
        /// About this many rows in all.
        #[arg(long, default_value_t = 100_000)]
        scale: u64,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Take a consistent snapshot of a SQLite file (safe while another program writes to it),
    /// or with --to back up the target database before a run; size, time and SHA-256 are
    /// recorded beside it.
    #[command(after_help = status::help("backup"))]
    Backup {
        /// The SQLite file (opened read-only).
        #[arg(required_unless_present = "to", conflicts_with = "to")]
        source: Option<PathBuf>,
        /// The folder the snapshot and its `.json` record go to (made when missing).
        #[arg(long)]
        out: PathBuf,
        /// Back up this target database instead: postgres://… or mysql://… (mariadb://…).
        #[arg(long = "to")]
        to: Option<String>,
        /// PostgreSQL schema to back up (default public).
        #[arg(long, requires = "to")]
        schema: Option<String>,
        /// native (pg_dump / mariadb-dump; the default when installed) or ferry (Ferry's own dump).
        #[arg(long, requires = "to", value_parser = ["native", "ferry"])]
        engine: Option<String>,
    },
    /// Restore a target backup (`ferry backup --to`) into a database: an empty one, or with
    /// --replace one whose objects of the same names are dropped first.
    #[command(after_help = status::help("restore"))]
    Restore {
        /// The backup's `.json` record.
        backup: PathBuf,
        /// postgres://… or mysql://… (mariadb://…).
        #[arg(long = "to")]
        to: String,
        /// Drop the objects the backup holds that are already in the target first.
        #[arg(long)]
        replace: bool,
    },
    /// Remove exactly what one run made in the target (from its --report; without one, what
    /// the unfinished run the target holds names), or with --backup put the target's backup
    /// back instead.
    #[command(after_help = status::help("rollback"))]
    Rollback {
        /// The run's JSON report (`ferry migrate --report`). Without it, the unfinished run
        /// the target holds (killed before it wrote a report) is taken back by its journal.
        report: Option<PathBuf>,
        /// postgres://… or mysql://… (mariadb://…): the database that run wrote to.
        #[arg(long = "to")]
        to: String,
        /// Restore this target backup (its `.json` record) instead, replacing what it holds.
        #[arg(long, conflicts_with = "report")]
        backup: Option<PathBuf>,
        /// Drop the run's tables even when they hold other rows than the run wrote.
        #[arg(long)]
        force: bool,
        /// PostgreSQL: the schema the unfinished run wrote to, without a report (default
        /// public).
        #[arg(long, conflicts_with_all = ["report", "backup"])]
        schema: Option<String>,
    },
    /// Print the audit log: every migrate, backup, restore, rollback, validate and sync, with its outcome.
    #[command(after_help = status::help("audit"))]
    Audit {
        /// As CSV (RFC 4180), for a spreadsheet.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        /// As JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// Test a target: connect as a migration would, and say what is there (server and
    /// version, whether the database is empty, whether the user may create tables).
    #[command(after_help = status::help("connect"))]
    Connect {
        /// postgres://… or mysql://… (mariadb://…).
        #[arg(long = "to")]
        to: String,
        /// PostgreSQL schema the tables would go to (default public).
        #[arg(long)]
        schema: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show the whole SQLite schema and what each column's values hold.
    #[command(after_help = status::help("inspect"))]
    Inspect {
        source: PathBuf,
        #[arg(long)]
        json: bool,
        /// A quick look: profile each table's values on about this many rows spread over it,
        /// not every row (plans and migrations always read every row).
        #[arg(long, value_name = "ROWS")]
        sample: Option<u64>,
    },
    /// Propose each column's target type, with the reason.
    #[command(after_help = status::help("plan"))]
    Plan {
        source: PathBuf,
        /// postgres://… or mysql://… (mariadb://…); only the kind of server matters here.
        #[arg(long = "to")]
        to: String,
        /// Write the plan (TOML) here; without it the plan goes to stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Take each column's narrowest type even where some values do not fit it: those rows
        /// are rejected (pre-flight lists them, with choices). By default every row arrives.
        #[arg(long)]
        narrow: bool,
        /// Take suggestions at once, as if each were taken alone: `high` (every high-confidence
        /// one), `all`, or `kind:<kind>` (decimal, bool_01, bool_words, timestamp, uuid,
        /// narrower). Prints how many columns in how many tables change.
        #[arg(long, value_name = "WHICH", value_parser = parse_take)]
        take: Option<String>,
        /// With --take: only these tables (comma-separated source names).
        #[arg(long, value_delimiter = ',', requires = "take")]
        tables: Option<Vec<String>>,
        /// Citus: distribute the tables by this column (tenant_id): each table's role, with
        /// its evidence, goes in the plan's [distribution].
        #[arg(long, value_name = "COLUMN")]
        distribute: Option<String>,
        /// With --distribute: this table's role, chosen (repeatable): `orders=reference`,
        /// `audit_logs=local`, `notes=distributed`; the other tables are placed around it.
        #[arg(long = "role", value_name = "TABLE=ROLE", requires = "distribute", value_parser = parse_role)]
        table_roles: Vec<ferry_core::plan::distribute::RoleChoice>,
        /// A safe copy for staging: propose a mask for every column whose name or sampled
        /// values look personal (emails, phones, names, addresses, IP addresses, personal
        /// keys in JSON), each with its evidence, and `clear` for the others, listed; a run
        /// then copies a text column in clear only where the plan says `mask = "clear"`.
        #[arg(long)]
        mask_pii: bool,
        /// Propose the production features the data points at (JSON indexes, full-text search,
        /// partial indexes, partitions, UUID and time defaults, extensions), each with its
        /// evidence and DDL, into the plan's [[production]]; those without a trade-off are
        /// accepted (`accept = true`), the others are listed for you to accept.
        #[arg(long)]
        production: bool,
        #[command(flatten)]
        access: access::AccessArgs,
    },
    /// Find, without writing anything, every value and row the target would refuse or
    /// change, grouped by cause, with the choices for each (exit 0 when ready to migrate:
    /// no group left to a default that rejects rows; 2 when some group needs a choice).
    /// When the target can be reached, the schema is rehearsed on it in a scratch schema or
    /// database, taken away after, to find the DEFAULTs, CHECKs, indexes and views it refuses.
    #[command(after_help = status::help("preflight"))]
    Preflight {
        #[command(flatten)]
        job: Job,
        /// PostgreSQL schema the tables would go in (default public), for the SQL shown.
        #[arg(long)]
        schema: Option<String>,
        #[arg(long)]
        json: bool,
        /// Choose for a group: TABLE.COLUMN:KIND=CHOICE (repeat it); saved with --out.
        #[arg(long, requires = "out", value_parser = choice_arg)]
        choose: Vec<String>,
        /// Write the plan, with the choices, here.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Compare the planned schema with what the target already holds: create, equal,
    /// different, extra, and (listed apart, never run) destructive steps. Writes nothing
    /// (exit 0 when the target matches the plan or is empty, 2 when anything differs).
    #[command(after_help = status::help("diff"))]
    Diff {
        #[command(flatten)]
        job: Job,
        /// PostgreSQL schema to compare with (default public).
        #[arg(long)]
        schema: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Copy schema and data into an existing, empty database.
    #[command(after_help = status::help("migrate"))]
    Migrate {
        #[command(flatten)]
        job: Job,
        /// Write the run's JSON report here; `x.html` writes the page and the JSON as `x.json`.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Tables loaded at once.
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// PostgreSQL schema to create the tables in (made if missing).
        #[arg(long)]
        schema: Option<String>,
        /// Stop at the first value or row the target would refuse or change.
        #[arg(long)]
        strict: bool,
        /// Rows per COPY / INSERT batch.
        #[arg(long, default_value_t = 20000)]
        batch_rows: usize,
        /// Write every rejected or changed value here, one JSON object a line (default: beside
        /// the report, `NAME.rejects.jsonl`; the report itself keeps the first 1,000 per table).
        #[arg(long)]
        rejects: Option<PathBuf>,
        /// Load only the rows, into tables that already exist as the plan makes them and are
        /// empty (checked with `ferry diff` first).
        #[arg(long)]
        data_only: bool,
        /// Continue the unfinished run the target holds (killed, failed or cancelled): tables
        /// it finished are kept, the others loaded again, then keys, indexes and constraints.
        #[arg(long)]
        resume: bool,
        /// Citus: distribute the tables by this column (as `ferry plan --distribute` plans it),
        /// unless the plan given already distributes them by it.
        #[arg(long, value_name = "COLUMN")]
        distribute: Option<String>,
        #[command(flatten)]
        access: access::AccessArgs,
    },
    /// One snapshot of the target database's health: slowest and most frequent statements,
    /// index use (and unused indexes), table and index sizes, cache hit ratio, connections.
    #[command(after_help = status::help("monitor"))]
    Monitor {
        /// postgres://… or mysql://… (mariadb://…).
        #[arg(long = "to")]
        to: String,
        /// PostgreSQL: only this schema's tables and indexes; MySQL/MariaDB: this database
        /// instead of the URL's.
        #[arg(long)]
        schema: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// What to fix in the target database: duplicate and unused indexes, foreign keys without
    /// an index, tables without a primary key, keys near their type's end, NOT VALID
    /// constraints, tables never analyzed; TLS, archiving, replicas, a superuser application
    /// — each with its code, the evidence and the SQL or setting that fixes it (never run).
    #[command(after_help = status::help("advise"))]
    Advise {
        /// postgres://… or mysql://… (mariadb://…).
        #[arg(value_name = "URL")]
        to: String,
        #[arg(long)]
        json: bool,
        /// PostgreSQL: also write a PgBouncer configuration for this database into DIR
        /// (pgbouncer.ini and a userlist.txt template without secrets): transaction pooling,
        /// pool sizes from the server's max_connections and the cores, caveats in comments.
        #[arg(long, value_name = "DIR")]
        pgbouncer: Option<PathBuf>,
        /// The port the written PgBouncer listens on.
        #[arg(long, value_name = "PORT", default_value_t = 6432, requires = "pgbouncer")]
        pgbouncer_port: u16,
    },
    /// Compare the target a migration filled with the source, row by row: counts, per-column
    /// aggregates and a hash of every row (exit 0 when everything matches, 2 when not).
    #[command(after_help = status::help("validate"))]
    Validate(validate::Args),
    /// Bring a target `ferry migrate` filled up to the SQLite file as it is now: the rows
    /// inserted, updated and deleted since, found by key, in one transaction per table
    /// (exit 0 when the target matches, 2 when rows were refused, listed).
    #[command(after_help = status::help("sync"))]
    Sync(sync::Args),
}

fn main() -> ExitCode {
    let mut cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    if cli.password_stdin && cli.command.target_url().is_none() {
        eprintln!("ferry: --password-stdin is for a command that takes a target (--to)");
        return status::exit(status::USAGE);
    }
    if let Err(e) = password_from_stdin(&mut cli) {
        eprintln!("ferry: {e}");
        return status::exit(status::FAILED);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let audit_rec = audit::start(&cli);
    let result = match rt.block_on(password_from_prompt(&mut cli)) {
        Ok(()) => rt.block_on(run(cli)),
        Err(e) => Err(e),
    };
    audit::finish(audit_rec, &result);
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ferry: {e}");
            status::exit(if matches!(e, FerryError::Cancelled) { status::INTERRUPTED } else { status::FAILED })
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, FerryError> {
    let audit_path = audit::log_path(&cli);
    match cli.command {
        Command::Demo { out, scale, force } => {
            let t0 = std::time::Instant::now();
            let s = ferry_core::demo::build(&out, scale, force)?;
            println!("{}: {} in {}, built in {:.1} s", out.display(), count(s.total_rows, "row", "rows"), count(s.tables.len() as u64, "table", "tables"), t0.elapsed().as_secs_f64());
            Ok(status::exit(status::OK))
        }
        Command::Backup { source, out, to: Some(to), schema, engine } => {
            let _ = source;
            backup_target::run(&to, &out, schema.as_deref(), engine.as_deref()).await
        }
        Command::Backup { source, out, .. } => {
            let source = source.expect("clap requires SOURCE without --to");
            let b = ferry_core::backup::backup_source(&source, &out, |_, _| {})?;
            println!("{}: {} in {:.2} s, sha256 {}", b.path, size(b.bytes), b.seconds, b.sha256);
            Ok(status::exit(status::OK))
        }
        Command::Connect { to, schema, json } => {
            let info = ferry_core::dialect::probe::probe(&to, schema.as_deref()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&info).expect("server info serializes"));
            } else {
                print_server(&info);
            }
            Ok(status::exit(status::OK))
        }
        Command::Inspect { source, json, sample } => {
            let schema = ferry_core::source::sqlite::read_source_sampled(&source, true, 2, sample)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&schema).expect("schema serializes"));
            } else {
                print_schema(&schema);
            }
            Ok(status::exit(status::OK))
        }
        Command::Plan { source, to, out, narrow, take, tables, distribute, table_roles, mask_pii, production, access } => {
            let parsed = TargetUrl::parse(&to)?;
            let dialect = parsed.dialect;
            let schema = read(&source)?;
            let mut plan = ferry_core::plan::propose(&schema, &source.display().to_string(), dialect);
            let mut said = vec![];
            if let Some(column) = &distribute {
                if dialect.is_mysql_family() {
                    return Err(FerryError::Other(format!("--distribute is for a Citus cluster (postgres://…); {} has no equivalent Ferry supports yet (Vitess is not supported)", dialect.name())));
                }
                let d = ferry_core::plan::distribute::propose_with(&schema, column, &table_roles).map_err(FerryError::Other)?;
                said = distribution_lines(&d, &source, &schema, &to).await;
                plan.distribution = Some(d);
            }
            if narrow {
                let n = plan.narrow();
                eprintln!("narrowed: {} will be rejected (ferry preflight lists them)", count(n as u64, "value", "values"));
            }
            if let Some(which) = take {
                take_suggestions(&mut plan, &which, tables)?;
            }
            if mask_pii {
                let decisions = ferry_core::plan::masks::propose(&mut plan, &schema, &source)?;
                let masked = decisions.iter().filter(|d| !d.rule.is_clear()).count() as u64;
                eprintln!("masked: {}", count(masked, "column", "columns"));
                for d in decisions.iter().filter(|d| !d.rule.is_clear()) {
                    eprintln!("  {}.{}: {} ({})", d.table, d.column, d.rule, d.why);
                }
                let clear = decisions.len() as u64 - masked;
                eprintln!("left in clear: {} (mask = \"clear\" in the plan; change it to mask one)", count(clear, "text column", "text columns"));
                for d in decisions.iter().filter(|d| d.rule.is_clear()) {
                    eprintln!("  {}.{}: {}", d.table, d.column, d.why);
                }
                eprintln!("the run needs the key: {} or --mask-key-file PATH (at least {} bytes; never written anywhere)", ferry_core::mask::KEY_ENV, ferry_core::mask::MaskKey::MIN_BYTES);
            }
            said.extend(access::plan_access(&mut plan, &schema, &access, &parsed)?);
            if production {
                plan.production = ferry_core::plan::production::propose(&schema, &plan, &source)?;
                said.extend(production_lines(&plan.production));
            }
            match out {
                Some(path) => {
                    std::fs::write(&path, plan.to_toml()).map_err(|e| FerryError::Io(format!("cannot write {}: {e}", path.display())))?;
                    print_plan(&plan);
                    for l in &said {
                        println!("{l}");
                    }
                    println!("\nplan written to {}", path.display());
                }
                None => {
                    print!("{}", plan.to_toml());
                    for l in &said {
                        eprintln!("{l}");
                    }
                }
            }
            Ok(status::exit(status::OK))
        }
        Command::Preflight { job, schema, json, choose, out } => preflight::run(&job.source, &job.to, schema.as_deref(), job.plan.as_deref(), json, &choose, out.as_deref()).await,
        Command::Diff { job, schema, json } => diff::run(&job.source, &job.to, job.plan.as_deref(), schema.as_deref(), json).await,
        Command::Migrate { job, report, jobs, schema, strict, batch_rows, rejects, data_only, resume, distribute, access } => {
            let access_request = access.request(&TargetUrl::parse(&job.to)?)?;
            access.check_passwords_file()?;
            let plan_loaded = job.load_plan()?;
            let mask_key = mask_key(plan_loaded.as_ref(), job.mask_key_file.as_deref())?;
            let Job { source, to, plan, .. } = job;
            if let Some(r) = &report {
                check_writable(r)?;
            }
            let opts = ferry_core::copy::MigrateOptions {
                plan: plan_loaded,
                plan_path: plan.map(|p| p.display().to_string()),
                pg_schema: schema,
                jobs,
                strict,
                batch_rows,
                rejects: rejects.or_else(|| report.as_ref().map(|r| r.with_extension("rejects.jsonl"))),
                data_only,
                resume,
                distribute,
                mask_key,
                access: access_request,
            };
            let progress = Progress::new();
            let events = progress.events();
            // Ctrl-C stops between batches; the report says how far the run got.
            // (The engine also stops a strict run through the same flag: only the signal
            // makes the status "interrupted".)
            let on_signal = events.clone();
            let interrupted = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let signalled = interrupted.clone();
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    signalled.store(true, std::sync::atomic::Ordering::SeqCst);
                    on_signal.cancel();
                }
            });
            let rep = ferry_core::copy::migrate(&source, &to, opts, events).await?;
            progress.finish();
            if let Some(r) = &report {
                // `x.html`: the page, and the JSON beside it as `x.json`.
                let is_html = r.extension().is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
                let json_path = if is_html { r.with_extension("json") } else { r.clone() };
                std::fs::write(&json_path, rep.to_json()).map_err(|e| FerryError::Io(format!("cannot write the report {}: {e}", json_path.display())))?;
                if is_html {
                    std::fs::write(r, ferry_core::html::run_report(&rep)).map_err(|e| FerryError::Io(format!("cannot write the report {}: {e}", r.display())))?;
                }
            }
            print_summary(&rep, report.as_deref());
            access::hand_over(&rep.logins, access.roles_passwords.as_deref());
            if let Some(e) = &rep.error {
                audit::note_failure(e);
                let cancelled = interrupted.load(std::sync::atomic::Ordering::SeqCst);
                match rep.resumable {
                    // One line: what stopped it, and the command that goes on.
                    Some(true) => eprintln!("ferry: {}", go_on(e, &source, &rep.target, report.as_deref(), cancelled)),
                    _ => eprintln!("ferry: {e}"),
                }
                return Ok(status::exit(if cancelled { status::INTERRUPTED } else { status::FAILED }));
            }
            Ok(if rep.is_exact() { status::exit(status::OK) } else { status::exit(status::LISTED) })
        }
        Command::Monitor { to, schema, json } => monitor::run(&to, schema.as_deref(), json).await,
        Command::Advise { to, json, pgbouncer, pgbouncer_port } => {
            if let Some(dir) = &pgbouncer {
                let (files, sizes) = ferry_core::pooling::write_pgbouncer(&to, dir, pgbouncer_port).await?;
                let said = format!(
                    "pgbouncer: {} written (transaction pooling, {} server connections per user, at most {} to the database); start it with: pgbouncer {}",
                    files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(" and "),
                    sizes.default_pool_size,
                    sizes.max_db_connections,
                    files[0].display()
                );
                // Standard output stays the advice's (--json).
                eprintln!("{said}");
            }
            advise::run(&to, json).await
        }
        Command::Restore { backup, to, replace } => restore::run(&backup, &to, replace).await,
        Command::Rollback { report, to, backup, force, schema } => rollback::run(report.as_deref(), &to, backup.as_deref(), force, schema.as_deref()).await,
        Command::Audit { csv, json } => audit::run(&audit_path, csv, json),
        Command::Validate(args) => validate::run(args).await,
        Command::Sync(args) => sync::run(args).await,
    }
}

/// A stopped run's error, and how to continue it or take it back, in one line. A run the
/// user cancelled (Ctrl-C) goes on whenever they like; one the target stopped (a lost
/// connection, a restart) once the target answers again.
fn go_on(error: &str, source: &Path, target: &str, report: Option<&Path>, cancelled: bool) -> String {
    let back = match report {
        Some(r) => format!(", or take it back with `ferry rollback {} --to {target}`", r.display()),
        None => String::new(),
    };
    let when = if cancelled { "" } else { " once the target answers again" };
    format!("{}. The target keeps the run's journal: continue it with `ferry migrate {} --to {target} --resume`{when}{back}", error.trim_end_matches('.'), source.display())
}

fn print_server(info: &ferry_core::dialect::probe::ServerInfo) {
    let place = match &info.schema {
        Some(schema) => format!("database {:?}, schema {schema:?}", info.database),
        None => format!("database {:?}", info.database),
    };
    println!("{} at {} as {} ({}), {place}", info.server, info.host, info.user, if info.tls { "TLS" } else { "no TLS" });
    if let Some(citus) = &info.citus {
        println!("{citus}");
    }
    if info.is_empty() {
        println!("empty: ready for a migration");
    } else {
        let n = info.objects.len() as u64;
        println!("not empty: {} already there: {}", count(n, "table or view", "tables or views"), info.objects.join(", "));
    }
    if info.may_create {
        println!("{} may create tables there", info.user);
    } else {
        println!("{} may NOT create tables there: grant CREATE, or connect as another user", info.user);
    }
    if let Some(pooler) = &info.pooler {
        println!("{pooler}");
    }
    if let Some(rights) = &info.rights {
        println!("{rights}");
    }
}

fn read(source: &Path) -> Result<Schema, FerryError> {
    ferry_core::source::sqlite::read_source(source, true, 2)
}

fn check_writable(path: &Path) -> Result<(), FerryError> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(FerryError::Io(format!("cannot write the report {}: folder {} does not exist", path.display(), dir.display())));
    }
    Ok(())
}

use words::{and_list, count, group, size};

/// Progress bars per table on a terminal; nothing otherwise.
struct Progress {
    multi: Option<MultiProgress>,
    bars: Arc<Mutex<HashMap<String, ProgressBar>>>,
}

impl Progress {
    fn new() -> Progress {
        let multi = std::io::stderr().is_terminal().then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Progress { multi, bars: Arc::new(Mutex::new(HashMap::new())) }
    }

    fn events(&self) -> Events {
        let multi = self.multi.clone();
        let bars = self.bars.clone();
        Events::new(move |e| {
            let Some(multi) = &multi else { return };
            let mut bars = bars.lock().unwrap();
            match e {
                Event::TableStarted { table, rows } => {
                    // A table loaded again (its plan changed once every row was seen) starts over on its bar.
                    if let Some(pb) = bars.get(&table) {
                        pb.reset();
                        pb.set_length(rows);
                        return;
                    }
                    let pb = multi.add(ProgressBar::new(rows));
                    pb.set_style(
                        ProgressStyle::with_template("{prefix:>24} [{bar:30}] {human_pos:>11}/{human_len:11} {msg:>14} eta {eta}").unwrap().progress_chars("=> "),
                    );
                    pb.set_prefix(table.clone());
                    bars.insert(table, pb);
                }
                Event::Progress { table, rows_done, .. } => {
                    if let Some(pb) = bars.get(&table) {
                        pb.set_position(rows_done);
                        let secs = pb.elapsed().as_secs_f64();
                        if secs > 0.0 {
                            pb.set_message(format!("{} rows/s", group((rows_done as f64 / secs) as u64)));
                        }
                    }
                }
                Event::TableDone { table, .. } => {
                    if let Some(pb) = bars.get(&table) {
                        pb.finish();
                    }
                }
                Event::Warning { object, reason, .. } => {
                    let _ = multi.println(format!("warning: {object}: {reason}"));
                }
                _ => {}
            }
        })
    }

    fn finish(&self) {
        if let Some(m) = &self.multi {
            let _ = m.clear();
        }
    }
}

/// Citus: where the cluster put the tables, per node, and the biggest tenants.
fn print_placement(p: &ferry_core::report::Placement) {
    let kinds = |k: &str| p.tables.iter().filter(|t| t.kind == k).count() as u64;
    println!(
        "\nplacement on the cluster: {} and {} on {}; {}",
        count(kinds("distributed"), "distributed table", "distributed tables"),
        count(kinds("reference"), "reference table", "reference tables"),
        count(p.nodes.len() as u64, "node", "nodes"),
        p.describe_skew()
    );
    for n in &p.nodes {
        let refs = if n.reference_bytes > 0 { format!(" (+ {} of reference copies)", size(n.reference_bytes)) } else { String::new() };
        println!("  {:<24} {:>12} {:>14} {:>12}{refs}", n.node, count(n.shards, "shard", "shards"), count(n.rows, "row", "rows"), size(n.bytes));
    }
    if !p.tenants.is_empty() {
        println!("  biggest tenants ({} of {}):", group(p.tenants.len() as u64), group(p.tenants_distinct));
        for t in &p.tenants {
            println!("    {:<38} {:>5.1}% {:>14}{}", t.tenant, t.share * 100.0, count(t.rows, "row", "rows"), t.node.as_ref().map(|n| format!(" on {n}")).unwrap_or_default());
        }
    }
}

fn print_summary(rep: &Report, report_path: Option<&Path>) {
    println!("{:<32} {:>12} {:>12} {:>9} {:>9}", "table", "read", "written", "rejected", "seconds");
    let (mut tr, mut tw, mut tj) = (0, 0, 0);
    for (name, t) in &rep.tables {
        let shown = if t.target != *name { format!("{name} → {}", t.target) } else { name.clone() };
        let rejected = t.rejected_total.max(t.rejected.len() as u64);
        println!("{:<32} {:>12} {:>12} {:>9} {:>9.2}", shown, group(t.rows_read), group(t.rows_written), group(rejected), t.seconds);
        tr += t.rows_read;
        tw += t.rows_written;
        tj += rejected;
    }
    println!("{:<32} {:>12} {:>12} {:>9} {:>9.2}", "total (wall clock)", group(tr), group(tw), group(tj), rep.seconds);
    println!();
    let phases: Vec<(&str, f64)> = Phase::ALL.iter().map(|p| (p.name(), rep.phase_seconds(*p))).collect();
    for line in words::phase_lines(&phases, rep.seconds) {
        println!("{line}");
    }
    if let Some(p) = &rep.placement {
        print_placement(p);
    }
    let changed = rep.changed_count();
    if !rep.warnings.is_empty() {
        println!("\nleft behind or changed ({}):", group(rep.warnings.len() as u64));
        for w in &rep.warnings {
            println!("  - {}{}: {}", w.table.as_ref().map(|t| format!("{t}: ")).unwrap_or_default(), w.object, w.reason);
        }
    }
    if let Some(fp) = &rep.mask_key_fingerprint {
        let cols: Vec<(&String, &ferry_core::report::MaskedColumn)> = rep.tables.iter().flat_map(|(t, r)| r.masked.iter().map(move |m| (t, m))).collect();
        let values: u64 = cols.iter().map(|(_, m)| m.values).sum();
        println!("\nmasked copy (key fingerprint {fp}): {} in {}", count(values, "value", "values"), count(cols.len() as u64, "column", "columns"));
        for (t, m) in cols {
            println!("  {t}.{}: {} ({})", m.column, m.rule, count(m.values, "value", "values"));
        }
        for n in rep.notes.iter().filter(|n| n.object.starts_with("mask ")) {
            println!("  {}: {}", n.object, n.reason);
        }
    }
    for r in &rep.renames {
        println!("  renamed {}{} → {} ({})", r.table.as_ref().map(|t| format!("{t}.")).unwrap_or_default(), r.from, r.to, r.reason);
    }
    if tj > 0 || changed > 0 {
        let listed = match (&rep.rejects_file, report_path) {
            (Some(f), _) => format!(": each is listed in {f}"),
            (None, Some(p)) => format!(": each is listed in {}", p.display()),
            (None, None) => " (use --report FILE to list them)".into(),
        };
        println!("\n{} rejected, {} changed{listed}", count(tj, "row", "rows"), count(changed as u64, "value", "values"));
    }
    if rep.completed && tj == 0 && changed == 0 {
        let left = if rep.warnings.is_empty() { String::new() } else { format!("; {} not carried exactly, listed above", count(rep.warnings.len() as u64, "object", "objects")) };
        println!("\nevery row arrived exactly: {}, {} → {}{left}", count(tw, "row", "rows"), rep.source, rep.target_server);
    }
    let wider: Vec<String> = rep
        .tables
        .iter()
        .flat_map(|(name, t)| {
            let mut cols: Vec<&str> = t.widened.iter().filter_map(|w| w.column.as_deref()).collect();
            cols.dedup();
            cols.into_iter().map(move |c| format!("{name}.{c}"))
        })
        .collect();
    if !wider.is_empty() {
        let n: u64 = rep.tables.values().map(|t| t.widened_total).sum();
        let (keep, its) = if n == 1 { ("value keeps", "its") } else { ("values keep", "their") };
        println!("{} {keep} {} wider than {its} best type so their rows arrive (listed in the report; `ferry preflight` offers the narrower type)", group(n), and_list(&wider));
    }
}

/// `--take`'s value, checked as clap reads it (a wrong one is a usage error).
/// `--role orders=reference`; clap names the flag and the value before the reason.
fn parse_role(s: &str) -> Result<ferry_core::plan::distribute::RoleChoice, String> {
    ferry_core::plan::distribute::RoleChoice::parse(s).map_err(|e| e.strip_prefix(&format!("--role {s}: ")).unwrap_or(&e).to_string())
}

fn parse_take(s: &str) -> Result<String, String> {
    ferry_core::plan::bulk::BulkDecision::parse(ferry_core::plan::bulk::Verb::Take, s, None).map(|_| s.to_string())
}

/// `--take`: says what changes (to stderr: stdout may be the plan), then takes it.
fn take_suggestions(plan: &mut ferry_core::plan::Plan, which: &str, tables: Option<Vec<String>>) -> Result<(), FerryError> {
    use ferry_core::plan::bulk;
    let d = bulk::BulkDecision::parse(bulk::Verb::Take, which, tables).map_err(FerryError::Other)?;
    let pv = bulk::preview(plan, &d);
    eprintln!("--take {which}: {}", pv.summary());
    for c in &pv.changes {
        eprintln!("  {}.{}: {} → {} ({}, {} confidence)", c.table, c.column, c.from, c.to, c.kind.label(), c.confidence.label());
    }
    bulk::apply(plan, &d);
    Ok(())
}

/// What `ferry plan --distribute` says beside the plan: the cluster (when the target can be
/// reached), each table's role with its evidence, and how the rows spread over the column.
async fn distribution_lines(d: &ferry_core::plan::distribute::Distribution, source: &Path, schema: &Schema, to: &str) -> Vec<String> {
    let mut out = vec![];
    let mut shards = None;
    match ferry_core::dialect::probe::citus(to).await {
        Ok(Some(c)) => {
            out.push(format!("target: {}", c.describe()));
            shards = Some(c.shard_count);
        }
        Ok(None) => out.push("target: PostgreSQL without Citus: `ferry migrate --distribute` refuses it until CREATE EXTENSION citus is run there and workers are added".into()),
        Err(e) => out.push(format!("target: not reached to check it is Citus ({e})")),
    }
    out.push(format!("distribution by {} ({}):", d.column, d.summary()));
    let width = d.tables.iter().map(|t| t.table.chars().count()).max().unwrap_or(0);
    for t in &d.tables {
        out.push(format!("  {:<width$}  {:<11}  {}", t.table, t.role.name(), t.evidence));
    }
    match ferry_core::plan::distribute::skew(source, schema, d) {
        Ok(s) => out.push(format!("skew: {}{}", s.describe(&d.column), shards.map(|n| format!("; {} per distributed table (citus.shard_count)", count(n, "shard", "shards"))).unwrap_or_default())),
        Err(e) => out.push(format!("skew: not read ({e})")),
    }
    out
}

/// `ferry plan --production`: each proposal on a line with its evidence, then its DDL.
fn production_lines(proposals: &[ferry_core::plan::production::Proposal]) -> Vec<String> {
    let taken = proposals.iter().filter(|p| p.accept).count() as u64;
    let mut out = vec![format!("\nproduction: {} ({taken} accepted; set accept = true in [[production]] to take another)", count(proposals.len() as u64, "proposal", "proposals"))];
    for p in proposals {
        let kind = p.kind.map_or("?", |k| k.name());
        out.push(format!("  [{}] {kind} on {}: {}", if p.accept { "x" } else { " " }, p.subject(), p.evidence));
        if let Some(n) = &p.note {
            out.push(format!("      note: {n}"));
        }
        // A partitioned table's statements run to one per month: the first and last few say
        // the shape, the plan holds them all.
        let shown = if p.sql.len() > 6 { [&p.sql[..3], &p.sql[p.sql.len() - 2..]].concat() } else { p.sql.clone() };
        for (i, sql) in shown.iter().enumerate() {
            if p.sql.len() > 6 && i == 3 {
                out.push(format!("      … ({} in all; the plan's sql holds every one)", count(p.sql.len() as u64, "statement", "statements")));
            }
            out.push(format!("      {sql}"));
        }
    }
    out
}

fn print_plan(plan: &ferry_core::plan::Plan) {
    for t in &plan.tables {
        println!("{}{}", t.source, if t.target != t.source { format!(" → {}", t.target) } else { String::new() });
        for c in &t.columns {
            let transform = c.transform.map(|t| format!(" (transform {})", t.name())).unwrap_or_default();
            println!("  {:<28} {:<18} {}{transform}", c.source, c.target_type, c.reason);
            if let Some(s) = &c.suggestion {
                let how = s.transform.map(|t| format!(" with transform {}", t.name())).unwrap_or_default();
                let unfit = if s.unfit > 0 { format!("; {} would not fit", count(s.unfit, "value", "values")) } else { String::new() };
                println!("  {:<28} ↳ suggested {}{how} ({} confidence, not applied): {}{unfit}", "", s.target_type, s.confidence.label(), s.reason);
            }
        }
    }
}

fn print_schema(s: &Schema) {
    for t in &s.tables {
        let mut flags = vec![];
        if t.without_rowid {
            flags.push("WITHOUT ROWID".to_string());
        }
        if t.strict {
            flags.push("STRICT".into());
        }
        if let Some(seq) = t.sqlite_sequence {
            flags.push(format!("AUTOINCREMENT (sqlite_sequence {seq})"));
        }
        if let Some(f) = &t.fts {
            let content = f.content.as_ref().map(|c| format!(", documents from {c}")).unwrap_or_default();
            flags.push(format!("{} virtual table, tokenizer {}{content}, read as its documents (shadow tables: {})", f.module, f.tokenizer_name(), f.shadow_tables.join(", ")));
        }
        println!("table {} — {}{}", t.name, count(t.row_count, "row", "rows"), if flags.is_empty() { String::new() } else { format!(" — {}", flags.join(", ")) });
        if let Some(n) = t.profile_sample {
            println!("  (values below profiled on a sample of {} of its {} rows — a quick look; plans read every row)", group(n), group(t.row_count));
        }
        for c in &t.columns {
            let mut attrs = vec![];
            if t.primary_key.as_ref().is_some_and(|p| p.columns.contains(&c.name)) {
                attrs.push("PK".to_string());
            }
            if c.not_null {
                attrs.push("NOT NULL".into());
            }
            if let Some(d) = &c.default {
                attrs.push(format!("DEFAULT {d}"));
            }
            if let Some(coll) = &c.collation {
                attrs.push(format!("COLLATE {coll}"));
            }
            if let Some(g) = &c.generated {
                attrs.push(format!("GENERATED AS ({}) {}", g.expr, if g.stored { "STORED" } else { "VIRTUAL" }));
            }
            let decl = if c.declared_type.is_empty() { "(no type)".to_string() } else { c.declared_type.clone() };
            println!("  {:<28} {:<20} {}", c.name, decl, attrs.join(" "));
            if let Some(p) = &c.profile {
                let mut held = vec![];
                for (n, what) in [(p.integers, "integer"), (p.reals, "real"), (p.texts, "text"), (p.blobs, "blob"), (p.nulls, "NULL")] {
                    if n > 0 {
                        held.push(format!("{} {what}", group(n)));
                    }
                }
                let mut extra = vec![];
                if let (Some(a), Some(b)) = (p.min_integer, p.max_integer) {
                    extra.push(format!("integers {a}..{b}"));
                }
                if let (Some(a), Some(b)) = (p.min_real, p.max_real) {
                    extra.push(format!("reals {a}..{b}"));
                }
                if let (Some(a), Some(b)) = (&p.min_text, &p.max_text) {
                    extra.push(format!("texts {a:?}..{b:?}"));
                }
                if p.texts > 0 {
                    extra.push(format!("longest text {}", count(p.max_text_chars, "character", "characters")));
                }
                if p.blobs > 0 {
                    extra.push(format!("longest blob {}", size(p.max_blob_bytes)));
                }
                if p.invalid_utf8 > 0 {
                    extra.push(format!("{} not UTF-8", group(p.invalid_utf8)));
                }
                if p.with_nul > 0 {
                    extra.push(format!("{} with NUL", group(p.with_nul)));
                }
                println!("  {:<28} holds: {}{}", "", if held.is_empty() { "nothing".into() } else { held.join(", ") }, if extra.is_empty() { String::new() } else { format!("; {}", extra.join("; ")) });
            }
        }
        for u in &t.uniques {
            println!("  UNIQUE ({}){}", u.columns.join(", "), u.name.as_ref().map(|n| format!(" [{n}]")).unwrap_or_default());
        }
        for fk in &t.foreign_keys {
            println!(
                "  FOREIGN KEY ({}) → {}({}) ON UPDATE {} ON DELETE {}",
                fk.columns.join(", "),
                fk.ref_table,
                fk.ref_columns.join(", "),
                fk.on_update.sql(),
                fk.on_delete.sql()
            );
        }
        for c in &t.checks {
            println!("  CHECK ({}){}", c.expr, c.name.as_ref().map(|n| format!(" [{n}]")).unwrap_or_default());
        }
        for i in &t.indexes {
            let parts: Vec<String> = i
                .parts
                .iter()
                .map(|p| match p {
                    ferry_core::schema::IndexPart::Column { name, desc, .. } => format!("{name}{}", if *desc { " DESC" } else { "" }),
                    ferry_core::schema::IndexPart::Expr { expr, desc } => format!("({expr}){}", if *desc { " DESC" } else { "" }),
                })
                .collect();
            println!(
                "  {}INDEX {} ({}){}",
                if i.unique { "UNIQUE " } else { "" },
                i.name,
                parts.join(", "),
                i.where_clause.as_ref().map(|w| format!(" WHERE {w}")).unwrap_or_default()
            );
        }
        println!();
    }
    for v in &s.views {
        println!("view {}", v.name);
    }
    for t in &s.triggers {
        println!("trigger {} on {}", t.name, t.table);
    }
    for v in &s.virtual_tables {
        println!("virtual table {} USING {} (shadow tables: {})", v.name, v.module, v.shadow_tables.join(", "));
    }
}

#[cfg(test)]
mod tests {
    /// clap's own checks of every command's arguments (two with one name, a `requires` that
    /// names nothing), which otherwise fail only when that command runs: `--role` was first
    /// named `roles`, as `--roles` of the access options already is, and `ferry plan` stopped.
    #[test]
    fn the_commands_arguments_are_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
