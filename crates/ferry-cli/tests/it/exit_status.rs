//! Every exit status of every command, with the real binary against the real PostgreSQL: 0
//! done, 2 done with something listed, 1 failed, 64 a wrong command line (never 2, which a
//! script reads as "the run completed"), 130 Ctrl-C. Each status a command ends with is one
//! its `--help` lists.

use crate::common::*;
use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};

/// A command line, the status it must end with, and a piece of what it prints (stdout or
/// stderr; "" for anything).
struct Case {
    args: Vec<String>,
    status: i32,
    says: &'static str,
}

fn case(args: &[&str], status: i32, says: &'static str) -> Case {
    Case { args: args.iter().map(|s| s.to_string()).collect(), status, says }
}

fn sqlite(path: &Path, sql: &str) {
    Connection::open(path).unwrap().execute_batch(sql).unwrap();
}

/// The statuses `ferry COMMAND --help` lists (the numbers at the start of the lines under
/// "Exit status:").
fn listed_in_help(command: &str) -> Vec<i32> {
    let help = ferry(&[command, "--help"]);
    assert_eq!(help.code, 0, "{command} --help: {}", help.stderr);
    let list = help.stdout.split_once("Exit status:").unwrap_or_else(|| panic!("{command} --help lists no exit status:\n{}", help.stdout)).1;
    list.lines().filter_map(|l| l.trim_start().split_whitespace().next()?.parse().ok()).collect()
}

#[tokio::test]
async fn every_status_of_every_command() {
    let dir = Scratch::new();
    let p = |name: &str| dir.path(name).to_str().unwrap().to_string();
    let (clean, listed, narrow_src) = (p("clean.sqlite"), p("listed.sqlite"), p("narrow.sqlite"));
    sqlite(dir.path("clean.sqlite").as_path(), "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');");
    // A DEFAULT the planned type cannot hold: left off and listed, every row arriving.
    sqlite(dir.path("listed.sqlite").as_path(), "CREATE TABLE item (id INTEGER PRIMARY KEY, qty SMALLINT DEFAULT 70000); INSERT INTO item VALUES (1, 1), (2, 2);");
    // A text with a NUL, which the target refuses: a choice for pre-flight.
    sqlite(dir.path("narrow.sqlite").as_path(), "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT NOT NULL); INSERT INTO t VALUES (1, 'a'), (2, 'b' || char(0) || 'c');");
    let nowhere = "postgres://nobody@127.0.0.1:1/none";
    let narrow = narrow_plan(&dir.path("narrow.sqlite"), nowhere, &dir.path("narrow.toml"));
    let narrow = narrow.to_str().unwrap().to_string();

    let empty = TestDb::new(Kind::Pg, "st_empty").await;
    let filled = TestDb::new(Kind::Pg, "st_filled").await;
    let changed = TestDb::new(Kind::Pg, "st_changed").await;
    let other = TestDb::new(Kind::Pg, "st_other").await;
    let rolled = TestDb::new(Kind::Pg, "st_rolled").await;
    let restored = TestDb::new(Kind::Pg, "st_restored").await;
    let fresh = TestDb::new(Kind::Pg, "st_fresh").await;
    for db in [&filled, &changed, &rolled] {
        let (run, _) = migrate(&dir.path("clean.sqlite"), db, &[]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    }
    // The narrow file migrated on its narrow plan: the row with a NUL is refused, then and at
    // every sync.
    let refusing = TestDb::new(Kind::Pg, "st_refusing").await;
    let (run, _) = migrate(&dir.path("narrow.sqlite"), &refusing, &["--plan", &narrow]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    changed.exec("UPDATE t SET name = 'z' WHERE id = 2").await.unwrap();
    other.exec("CREATE TABLE t (id bigint PRIMARY KEY, name varchar(3))").await.unwrap();
    let run_report = dir.path("clean.sqlite").with_extension(format!("{}.report.json", rolled.name));
    let run_report = run_report.to_str().unwrap().to_string();
    let backups = p("backups");
    let b = ferry(&["backup", "--to", &filled.url, "--out", &backups, "--engine", "ferry"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let record = std::fs::read_dir(dir.path("backups")).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|e| e == "json")).expect("the backup's record");
    let record = record.to_str().unwrap().to_string();
    let garbage_log = p("garbage.jsonl");
    std::fs::write(&garbage_log, "not an entry\n").unwrap();
    let (demo_out, missing, report) = (p("demo.sqlite"), p("missing.sqlite"), p("r.json"));

    let cases: Vec<(&str, Vec<Case>)> = vec![
        ("", vec![
            case(&["--help"], 0, "Exit status"),
            case(&["--version"], 0, "ferry "),
            case(&[], 64, "Usage"),
            case(&["bogus"], 64, "unrecognized subcommand"),
            case(&["audit", "--password-stdin"], 64, "--password-stdin is for a command that takes a target"),
        ]),
        ("demo", vec![
            case(&["demo", "--out", &demo_out, "--scale", "100"], 0, "rows in"),
            case(&["demo", "--out", &p("no/such/folder/d.sqlite")], 1, "does not exist"),
            case(&["demo"], 64, "--out"),
            case(&["demo", "--out", &demo_out, "--scale", "lots"], 64, "invalid value"),
        ]),
        ("backup", vec![
            case(&["backup", &clean, "--out", &backups], 0, "sha256"),
            case(&["backup", &missing, "--out", &backups], 1, "no such file"),
            case(&["backup", "--out", &backups], 64, "required"),
            case(&["backup", "--to", &filled.url, "--out", &backups, "--engine", "pg_dumpall"], 64, "invalid value"),
        ]),
        ("restore", vec![
            case(&["restore", &record, "--to", &restored.url], 0, "restored"),
            case(&["restore", &p("nope.json"), "--to", &restored.url], 1, "nope.json"),
            case(&["restore", &record], 64, "--to"),
        ]),
        ("rollback", vec![
            case(&["rollback", &run_report, "--to", &rolled.url], 0, "rolled back"),
            case(&["rollback", &p("nope.json"), "--to", &rolled.url], 1, "nope.json"),
            case(&["rollback", &run_report], 64, "--to"),
        ]),
        ("audit", vec![
            case(&["audit"], 0, ""),
            case(&["--audit-log", &garbage_log, "audit"], 1, "not an entry"),
            case(&["audit", "--csv", "--json"], 64, "cannot be used with"),
        ]),
        ("connect", vec![
            case(&["connect", "--to", &empty.url], 0, "empty: ready for a migration"),
            case(&["connect", "--to", nowhere], 1, "cannot reach"),
            case(&["connect"], 64, "--to"),
        ]),
        ("inspect", vec![
            case(&["inspect", &clean], 0, "table t"),
            case(&["inspect", &missing], 1, "no such file"),
            case(&["inspect", &clean, "--bogus-flag"], 64, "--bogus-flag"),
        ]),
        ("plan", vec![
            case(&["plan", &clean, "--to", nowhere], 0, "[[tables]]"),
            case(&["plan", &missing, "--to", nowhere], 1, "no such file"),
            case(&["plan", &clean], 64, "--to"),
        ]),
        ("preflight", vec![
            case(&["preflight", &clean, "--to", nowhere], 0, "ready to migrate"),
            case(&["preflight", &narrow_src, "--to", nowhere, "--plan", &narrow], 2, "would reject rows"),
            case(&["preflight", &missing, "--to", nowhere], 1, "no such file"),
            case(&["preflight", &clean, "--to", nowhere, "--choose", "t.v", "--out", &p("c.toml")], 64, "expected TABLE.COLUMN:KIND=CHOICE"),
        ]),
        ("diff", vec![
            case(&["diff", &clean, "--to", &empty.url], 0, "creates everything"),
            case(&["diff", &clean, "--to", &filled.url], 0, "the target matches the plan"),
            case(&["diff", &clean, "--to", &other.url], 2, "different"),
            case(&["diff", &clean, "--to", nowhere], 1, "cannot reach"),
            case(&["diff", &clean], 64, "--to"),
        ]),
        ("migrate", vec![
            case(&["migrate", &clean, "--to", &empty.url, "--bogus-flag"], 64, "--bogus-flag"),
            case(&["migrate", &clean, "--to", &empty.url, "--jobs", "many"], 64, "invalid value"),
            case(&["migrate", &clean], 64, "--to"),
            case(&["migrate", &clean, "--to", &other.url], 1, "not empty"),
            case(&["migrate", &missing, "--to", &empty.url], 1, "no such file"),
            case(&["migrate", &clean, "--to", &fresh.url], 0, "every row arrived exactly"),
            case(&["migrate", &listed, "--to", &empty.url, "--report", &report], 2, "left behind or changed"),
        ]),
        ("monitor", vec![
            case(&["monitor", "--to", &filled.url], 0, "cache hit ratio"),
            case(&["monitor", "--to", nowhere], 1, "cannot reach"),
            case(&["monitor", "--to", &filled.url, "--schema"], 64, "--schema"),
        ]),
        ("advise", vec![
            case(&["advise", &filled.url], 0, "not checked"),
            case(&["advise", nowhere], 1, "cannot reach"),
            case(&["advise"], 64, "URL"),
        ]),
        ("validate", vec![
            case(&["validate", &clean, "--to", &filled.url], 0, "valid: every row matches"),
            case(&["validate", &clean, "--to", &changed.url], 2, "NOT valid"),
            case(&["validate", &clean, "--to", nowhere], 1, "cannot reach"),
            case(&["validate", &clean, "--to", &filled.url, "--jobs", "x"], 64, "--jobs"),
        ]),
        ("sync", vec![
            case(&["sync", &clean, "--to", &filled.url], 0, "nothing to do"),
            case(&["sync", &narrow_src, "--to", &refusing.url, "--plan", &narrow], 2, "1 row refused"),
            case(&["sync", &clean, "--to", nowhere], 1, "cannot reach"),
            case(&["sync", &clean, "--to", &filled.url, "--jobs", "x"], 64, "--jobs"),
        ]),
    ];
    let mut seen: Vec<(String, i32)> = vec![];
    for (command, list) in &cases {
        let in_help = if command.is_empty() { vec![0, 1, 2, 64, 130] } else { listed_in_help(command) };
        for c in list {
            let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
            let run = ferry(&args);
            assert_eq!(run.code, c.status, "ferry {}\nstdout: {}\nstderr: {}", args.join(" "), run.stdout, run.stderr);
            assert!(run.stdout.contains(c.says) || run.stderr.contains(c.says), "ferry {}: should say {:?}\nstdout: {}\nstderr: {}", args.join(" "), c.says, run.stdout, run.stderr);
            assert!(in_help.contains(&c.status), "ferry {command} --help does not list {} ({in_help:?})", c.status);
            seen.push((command.to_string(), c.status));
        }
        // Every status the help lists is tested (130 apart, below).
        for s in in_help.iter().filter(|s| **s != 130 && !command.is_empty()) {
            assert!(seen.contains(&(command.to_string(), *s)), "ferry {command}: status {s} is listed in --help but not tested");
        }
    }
    // A usage error did nothing: the target the wrong command lines named is still empty
    // but for the one run that was meant to go there.
    let tables = empty.texts("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1").await;
    assert_eq!(tables, vec![Some("item".to_string())]);
}

/// Ctrl-C during a run: it stops between batches, the report says how far it got, and the
/// status is 130 (not 1, a failure, nor 2).
#[tokio::test]
async fn ctrl_c_ends_a_run_with_130() {
    let dir = Scratch::new();
    let src = dir.path("big.sqlite");
    let built = ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "300000"]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let db = TestDb::new(Kind::Pg, "st_int").await;
    let report = dir.path("int.json");
    let audit = dir.path("audit.jsonl");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["migrate", src.to_str().unwrap(), "--to", &db.url, "--report", report.to_str().unwrap(), "--jobs", "1"])
        .env("FERRY_AUDIT_LOG", &audit)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    // Until the run has made its tables (it is loading), then Ctrl-C; at most 60 s.
    loop {
        let made = db.texts("SELECT count(*)::text FROM information_schema.tables WHERE table_schema = 'public'").await;
        if made[0].as_deref().is_some_and(|n| n != "0") || started.elapsed() > Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(300));
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let sent = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < deadline, "the run did not stop within 60 s of Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(130), "stdout: {}\nstderr: {stderr}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.contains("cancelled by the user"), "{stderr}");
    let rep: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(rep["completed"], false, "{rep}");
    assert!(listed_in_help("migrate").contains(&130));
}
