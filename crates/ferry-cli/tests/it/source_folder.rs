//! The source's folder is left exactly as it was by every command that reads it: the same
//! file names and sizes, the main file's bytes and modification time unchanged — for WAL-mode
//! files (checkpointed and closed; open in another program; left with a `-wal`, with and
//! without its `-shm`) and a rollback-journal file. Rows still in a `-wal` are read.

use crate::common::*;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::Path;

/// Names and sizes of a folder's files, and the main file's SHA-256 and mtime.
fn look(folder: &Path, main: &Path) -> (BTreeMap<String, u64>, String, std::time::SystemTime) {
    let files = std::fs::read_dir(folder).unwrap().map(|e| e.unwrap()).map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().unwrap().len())).collect();
    (files, sha256(main), std::fs::metadata(main).unwrap().modified().unwrap())
}

/// 100 rows in the main file, and 50 more committed after a checkpoint that has not been
/// copied back (`wal_autocheckpoint = 0`). Returns the connection that wrote them, still open.
fn wal_with_frames(path: &Path) -> Connection {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) INSERT INTO t SELECT i, 'v' || i FROM n;
         PRAGMA wal_checkpoint(TRUNCATE);
         WITH RECURSIVE n(i) AS (SELECT 101 UNION ALL SELECT i + 1 FROM n WHERE i < 150) INSERT INTO t SELECT i, 'v' || i FROM n;",
    )
    .unwrap();
    c
}

/// Copies `from` and the files beside it named by `suffixes` to `to` (as a user copies a
/// folder while a program has the file open, or after it crashed).
fn copy_with(from: &Path, to: &Path, suffixes: &[&str]) {
    std::fs::copy(from, to).unwrap();
    for s in suffixes {
        std::fs::copy(format!("{}{s}", from.display()), format!("{}{s}", to.display())).unwrap();
    }
}

/// `ferry` with its temporary folder in `tmp`, where a private copy would be made.
fn ferry_with_tmp(args: &[&str], tmp: &Path) -> Run {
    let audit = std::env::temp_dir().join(format!("ferry-test-audit-{}.jsonl", std::process::id()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferry")).args(args).env("FERRY_AUDIT_LOG", audit).env("TMPDIR", tmp).output().expect("ferry runs");
    Run { code: out.status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&out.stdout).into(), stderr: String::from_utf8_lossy(&out.stderr).into() }
}

#[tokio::test]
async fn every_command_leaves_the_source_folder_as_it_was() {
    let dir = Scratch::new();
    let work = dir.path("work");
    let tmp = dir.path("tmp");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    // (case, rows Ferry must read, what is beside the file)
    let cases: [(&str, i64, &[&str]); 5] = [
        ("rollback journal", 150, &[]),
        ("WAL, checkpointed and closed", 150, &[]),
        ("WAL, open in another program", 150, &["-wal", "-shm"]),
        ("WAL, left with its -wal and -shm", 150, &["-wal", "-shm"]),
        ("WAL, a -wal copied without its -shm", 150, &["-wal"]),
    ];
    for (i, (case, rows, beside)) in cases.into_iter().enumerate() {
        let folder = dir.path(&format!("case{i}"));
        std::fs::create_dir_all(&folder).unwrap();
        let src = folder.join("src.sqlite");
        let scratch = work.join(format!("w{i}.sqlite"));
        // Held open for the whole case when another program has it open.
        let mut _open = None;
        match i {
            0 => {
                let c = Connection::open(&src).unwrap();
                c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150) INSERT INTO t SELECT i, 'v' || i FROM n;").unwrap();
            }
            1 => drop(wal_with_frames(&src)),
            2 => _open = Some(wal_with_frames(&src)),
            3 => {
                let c = wal_with_frames(&scratch);
                copy_with(&scratch, &src, &["-wal", "-shm"]);
                drop(c);
            }
            _ => {
                let c = wal_with_frames(&scratch);
                copy_with(&scratch, &src, &["-wal"]);
                drop(c);
            }
        }
        let before = look(&folder, &src);
        let names: Vec<String> = before.0.keys().cloned().collect();
        let mut want: Vec<String> = std::iter::once("src.sqlite".to_string()).chain(beside.iter().map(|s| format!("src.sqlite{s}"))).collect();
        want.sort();
        assert_eq!(names, want, "{case}: the case is set up as named");
        let db = TestDb::new(Kind::Pg, "folder").await;
        let s = src.to_str().unwrap();
        let plan = work.join(format!("plan{i}.toml"));
        let out = work.join(format!("backups{i}"));
        let inspect = ferry_with_tmp(&["inspect", s], &tmp);
        assert_eq!(inspect.code, 0, "{case}: {}", inspect.stderr);
        assert!(inspect.stdout.contains(&format!("table t — {rows} rows")), "{case}: the rows in the -wal are read:\n{}", inspect.stdout);
        for (cmd, args) in [
            ("inspect", vec!["inspect", s]),
            ("plan", vec!["plan", s, "--to", &db.url, "--out", plan.to_str().unwrap()]),
            ("migrate", vec!["migrate", s, "--to", &db.url]),
            ("validate", vec!["validate", s, "--to", &db.url]),
            ("backup", vec!["backup", s, "--out", out.to_str().unwrap()]),
        ] {
            let r = ferry_with_tmp(&args, &tmp);
            assert_eq!(r.code, 0, "{case}: ferry {cmd}: {}", r.stderr);
            assert_eq!(look(&folder, &src), before, "{case}: ferry {cmd} left the source's folder as it was");
            let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().map(|e| e.unwrap().file_name()).collect();
            assert!(left.is_empty(), "{case}: ferry {cmd} removed its private copy: {left:?}");
        }
        assert_eq!(db.texts("SELECT count(*)::text FROM t").await, vec![Some(rows.to_string())], "{case}: every row arrived");
        // The backup holds the rows too, in one self-contained file.
        let snap = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|e| e == "sqlite")).unwrap();
        let n: i64 = Connection::open(&snap).unwrap().query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, rows, "{case}: the backup holds every row");
    }
}
