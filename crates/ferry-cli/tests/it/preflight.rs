//! `ferry preflight`: every group the issue names is found with its count and examples, each
//! choice saved in the plan does what it says in both targets, MariaDB's case-insensitive
//! collation is folded as the server folds it, and the corpus's problems are all found
//! before `migrate` meets them.

use crate::common::*;
use rusqlite::{params, Connection};
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::path::Path;

/// A source with one problem of each kind, each in its own column (and rows otherwise fine).
fn build(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE par (id INTEGER PRIMARY KEY, name TEXT);
         INSERT INTO par VALUES (1, 'one'), (2, 'two');
         CREATE TABLE t (
            id INTEGER PRIMARY KEY, s TEXT, b TEXT, n SMALLINT, v VARCHAR(5), d DATE, j JSON, k INTEGER,
            m NUMERIC(6,2), par_id INTEGER REFERENCES par(id), email TEXT COLLATE NOCASE UNIQUE,
            ts DATETIME UNIQUE, nn TEXT NOT NULL);
         CREATE TABLE np (a INTEGER, b TEXT, PRIMARY KEY (a, b));
         INSERT INTO np VALUES (1, 'x'), (2, NULL);
         CREATE TABLE a_table_name_far_longer_than_what_either_target_allows_for_an_identifier (id INTEGER PRIMARY KEY);
         CREATE TABLE kid (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t(id));
         INSERT INTO kid VALUES (1, 1), (2, 9), (3, 2), (4, NULL), (5, 15), (6, 13);
         CREATE TABLE grandkid (id INTEGER PRIMARY KEY, kid_id INTEGER REFERENCES kid(id));
         INSERT INTO grandkid VALUES (1, 2), (2, 1);",
    )
    .unwrap();
    for i in 1..=20i64 {
        c.execute("INSERT INTO t VALUES (?1, 'ok', 'ok', ?1, 'abc', '2024-01-01', '{}', ?1, 1.25, 1, 'user' || ?1 || '@x', '2024-01-01 00:00:' || printf('%02d', ?1), 'x')", params![i]).unwrap();
    }
    c.execute("UPDATE t SET s = ?1 WHERE id = 2", params!["nul\0inside"]).unwrap();
    c.execute("UPDATE t SET s = ?1 WHERE id = 3", params!["two\0nuls\0"]).unwrap();
    c.execute("UPDATE t SET b = CAST(?1 AS TEXT) WHERE id = 4", params![vec![0xffu8, 0xfe, b'x']]).unwrap();
    c.execute_batch(
        "UPDATE t SET n = 70000 WHERE id = 5;
         UPDATE t SET v = 'far too long' WHERE id = 6;
         UPDATE t SET d = '2023-02-30' WHERE id = 7;
         UPDATE t SET j = '{not json' WHERE id = 8;
         UPDATE t SET k = 'lots' WHERE id = 9;
         UPDATE t SET m = 1.255 WHERE id = 10;
         UPDATE t SET par_id = 99 WHERE id = 11;
         UPDATE t SET email = 'bÖb@x' WHERE id = 12;
         UPDATE t SET email = 'böb@X' WHERE id = 13;
         UPDATE t SET ts = '2024-01-01T00:00:01Z' WHERE id = 15;",
    )
    .unwrap();
    c.execute("UPDATE t SET nn = ?1 WHERE id = 14", params!["NUL\0here"]).unwrap();
}

/// The plan as `ferry plan` proposes it, with narrower types where the test wants refusals.
fn plan(src: &Path, kind: Kind, out: &Path) {
    let url = match kind {
        Kind::Pg => "postgres://x@127.0.0.1:1/x",
        Kind::My => "mysql://x@127.0.0.1:1/x",
    };
    narrow_plan(src, url, out);
    let mut text = std::fs::read_to_string(out).unwrap();
    let narrow = match kind {
        Kind::Pg => [("n", "smallint"), ("v", "varchar(5)"), ("m", "numeric(6,2)")],
        Kind::My => [("n", "smallint"), ("v", "varchar(5)"), ("m", "decimal(6,2)")],
    };
    for (col, ty) in narrow {
        let at = text.find(&format!("source = \"{col}\"\ntarget = \"{col}\"\ntype = \"")).unwrap_or_else(|| panic!("column {col} in\n{text}"));
        let start = text[at..].find("type = \"").unwrap() + at + 8;
        let end = text[start..].find('"').unwrap() + start;
        text.replace_range(start..end, ty);
    }
    std::fs::write(out, text).unwrap();
}

/// `ferry plan --narrow` of `src` for `kind`, beside it.
fn narrowed(src: &Path, kind: Kind) -> std::path::PathBuf {
    narrow_plan(src, url_of(kind), &src.with_extension(format!("{kind:?}.narrow.toml")))
}

fn url_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Pg => "postgres://nobody@127.0.0.1:1/none",
        Kind::My => "mysql://nobody@127.0.0.1:1/none",
    }
}

/// Pre-flight with `extra`; without a `--plan` in it, with the narrowed plan (`narrowed`), so
/// that the values the narrowest types refuse are found.
fn preflight(src: &Path, kind: Kind, extra: &[&str]) -> (Run, J) {
    let mut args = vec!["preflight", src.to_str().unwrap(), "--to", url_of(kind), "--json"];
    let narrow = narrowed(src, kind);
    if !extra.contains(&"--plan") {
        args.extend(["--plan", narrow.to_str().unwrap()]);
    }
    args.extend_from_slice(extra);
    let run = ferry(&args);
    assert!(run.code == 0 || run.code == 2, "{}", run.stderr);
    let pf = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    (run, pf)
}

/// A group's count, example row ids, default and choices.
type GroupSeen = (u64, Vec<J>, String, Vec<String>);

/// (table, column, kind) → what the group holds.
fn groups(pf: &J) -> BTreeMap<(String, String, String), GroupSeen> {
    pf["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let ids = g["examples"].as_array().unwrap().iter().map(|e| e["row"]["id"].clone()).collect();
            let choices = g["choices"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
            let key = (g["table"].as_str().unwrap().to_string(), g["column"].as_str().unwrap_or("").to_string(), g["kind"].as_str().unwrap().to_string());
            (key, (g["count"].as_u64().unwrap(), ids, g["default"].as_str().unwrap().to_string(), choices))
        })
        .collect()
}

/// Every group the issue names, found with its count, its example rows and its choices; no
/// connection is made (the URLs point nowhere).
#[test]
fn every_group_is_found_with_count_examples_and_choices() {
    let dir = Scratch::new();
    let src = dir.path("g.sqlite");
    build(&src);
    let before = sha256(&src);
    for kind in Kind::all() {
        let p = dir.path(&format!("{kind:?}.toml"));
        plan(&src, kind, &p);
        let (run, pf) = preflight(&src, kind, &["--plan", p.to_str().unwrap()]);
        assert_eq!(run.code, 2, "rows would be rejected by defaults no one chose");
        let g = groups(&pf);
        let got = |t: &str, c: &str, k: &str| g.get(&(t.to_string(), c.to_string(), k.to_string())).cloned().unwrap_or_else(|| panic!("{kind:?}: no group {t}.{c} {k} in {g:#?}"));
        let ids = |v: &[i64]| v.iter().map(|i| J::from(*i)).collect::<Vec<_>>();
        let rej = |cs: &[&str]| cs.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(got("t", "b", "invalid_utf8"), (1, ids(&[4]), "reject_rows".into(), rej(&["reject_rows", "set_null", "store_as_bytes"])));
        assert_eq!(got("t", "n", "out_of_range"), (1, ids(&[5]), "reject_rows".into(), rej(&["reject_rows", "set_null", "widen_type"])));
        assert_eq!(got("t", "v", "too_long"), (1, ids(&[6]), "reject_rows".into(), rej(&["reject_rows", "set_null", "widen_type"])));
        assert_eq!(got("t", "d", "impossible_date").1, ids(&[7]));
        assert_eq!(got("t", "j", "invalid_json").1, ids(&[8]));
        assert_eq!(got("t", "k", "wrong_type").1, ids(&[9]));
        // Rounding loses nothing the column can hold: kept, and nothing to decide.
        assert_eq!(got("t", "m", "rounded"), (1, ids(&[10]), "keep".into(), rej(&["keep"])));
        // Orphans load by default, under a key left unchecked: nothing to decide.
        assert_eq!(got("t", "par_id", "orphan"), (1, ids(&[11]), "keep_unchecked".into(), rej(&["keep_unchecked", "reject_rows", "drop_constraint"])));
        // '2024-01-01 00:00:01' and '2024-01-01T00:00:01Z' differ in SQLite, not as timestamps.
        assert_eq!(got("t", "ts", "duplicate_unique"), (1, ids(&[15]), "reject_rows".into(), rej(&["reject_rows", "drop_constraint"])));
        // Rows whose parent will not load are orphans in the target; kept, their own children
        // keep their parents (`each_choice_…` follows rejected orphans down the generations).
        // Their parents 9, 13 and 15 (and on PostgreSQL 2, whose NUL it refuses) do not load.
        assert_eq!(got("kid", "t_id", "orphan").0, if kind == Kind::Pg { 4 } else { 3 }, "{kind:?}: {:?}", got("kid", "t_id", "orphan"));
        assert_eq!(got("kid", "t_id", "orphan").2, "keep_unchecked");
        assert!(!g.contains_key(&("grandkid".into(), "kid_id".into(), "orphan".into())), "{kind:?}: {g:#?}");
        assert_eq!(got("np", "b", "null_in_not_null").0, 1);
        assert_eq!(got("np", "b", "null_in_not_null").2, "drop_constraint");
        let long = "a_table_name_far_longer_than_what_either_target_allows_for_an_identifier";
        assert_eq!(got(long, "", "identifier_too_long").2, "keep");
        match kind {
            Kind::Pg => {
                assert_eq!(got("t", "s", "nul_in_text"), (2, ids(&[2, 3]), "reject_rows".into(), rej(&["reject_rows", "set_null", "strip_nul", "store_as_bytes"])));
                // NOT NULL: no set_null.
                assert_eq!(got("t", "nn", "nul_in_text").3, rej(&["reject_rows", "strip_nul", "store_as_bytes"]));
            }
            Kind::My => {
                assert!(!g.keys().any(|k| k.2 == "nul_in_text"), "MariaDB text holds NUL: {g:#?}");
            }
        }
        // bÖb@x and böb@X: two values under SQLite's NOCASE (ASCII only), one under both
        // targets' case-insensitive collations.
        assert_eq!(got("t", "email", "duplicate_unique").1, ids(&[13]), "{kind:?}");
        let unresolved: usize = pf["groups"].as_array().unwrap().iter().filter(|g| g["default"] == "reject_rows" && g["chosen"].is_null()).count();
        assert!(unresolved >= 8);
        // The readable output names the groups, the choices and how to choose.
        let text = ferry(&["preflight", src.to_str().unwrap(), "--to", url_of(kind), "--plan", p.to_str().unwrap()]);
        assert_eq!(text.code, 2);
        assert!(text.stdout.contains("t.n  out_of_range") && text.stdout.contains("reject_rows (default), set_null, widen_type"), "{}", text.stdout);
        assert!(text.stdout.contains("--choose 't.n:out_of_range=CHOICE'"), "{}", text.stdout);
        assert!(text.stdout.contains("t.par_id  orphan") && text.stdout.contains("kept (foreign key not validated)"), "{}", text.stdout);
        assert!(!text.stdout.contains("--choose 't.par_id:orphan=CHOICE'"), "{}", text.stdout);
    }
    assert_eq!(sha256(&src), before);
}

/// Preflight's verdict against what migrate did: per table, the rows it said would be
/// rejected (and the values changed) are the ones migrate's report lists.
fn assert_preflight_matches(pf: &J, rep: &J, what: &str) {
    let mut want: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for g in pf["groups"].as_array().unwrap() {
        let e = want.entry(g["table"].as_str().unwrap().to_string()).or_default();
        match g["outcome"].as_str().unwrap() {
            "rejected" => e.0 += g["count"].as_u64().unwrap(),
            "changed" => e.1 += g["count"].as_u64().unwrap(),
            _ if g["kind"] == "rounded" => e.1 += g["count"].as_u64().unwrap(),
            _ => {}
        }
    }
    for (name, t) in rep["tables"].as_object().unwrap() {
        let got = (t["rejected_total"].as_u64().unwrap_or(0), t["changed_total"].as_u64().unwrap_or(0));
        let w = want.get(name).copied().unwrap_or_default();
        assert_eq!(got, w, "{what}: table {name}: migrate rejected/changed {got:?}, preflight found {w:?}\nreport: {t}\npreflight: {}", pf["groups"]);
        // Each rejected row migrate lists was an example of some group (when groups are small).
        for r in t["rejected"].as_array().unwrap() {
            let seen = pf["groups"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["table"] == name.as_str() && (g["count"].as_u64().unwrap() > 5 || g["examples"].as_array().unwrap().iter().any(|e| e["row"] == r["row"])));
            assert!(seen, "{what}: {name} row {} rejected by migrate ({}) was not found by preflight", r["row"], r["reason"]);
        }
    }
}

/// Every choice, saved in the plan with --choose, does what it says in both targets; the
/// rows left to the default are rejected, exactly as preflight said.
#[tokio::test]
async fn each_choice_does_what_it_says_in_both_targets() {
    let dir = Scratch::new();
    let src = dir.path("g.sqlite");
    build(&src);
    for kind in Kind::all() {
        let p = dir.path(&format!("{kind:?}.toml"));
        plan(&src, kind, &p);
        // First, the defaults: migrate rejects what preflight said it would.
        let (_, pf) = preflight(&src, kind, &["--plan", p.to_str().unwrap()]);
        let db = TestDb::new(kind, "pfdef").await;
        let (run, rep) = migrate(&src, &db, &["--plan", p.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_preflight_matches(&pf, &rep, &format!("{kind:?} defaults"));
        drop(db);

        let mut choose = vec![
            "t.b:invalid_utf8=set_null",
            "t.n:out_of_range=widen_type",
            "t.v:too_long=widen_type",
            "t.d:impossible_date=set_null",
            "t.j:invalid_json=widen_type",
            "t.k:wrong_type=reject_rows",
            "t.par_id:orphan=drop_constraint",
            "t.ts:duplicate_unique=drop_constraint",
            // The child of the rejected row 9, and its own child.
            "kid.t_id:orphan=reject_rows",
            "grandkid.kid_id:orphan=reject_rows",
        ];
        match kind {
            Kind::Pg => choose.extend(["t.s:nul_in_text=strip_nul", "t.nn:nul_in_text=store_as_bytes"]),
            Kind::My => {}
        }
        choose.push("t.email:duplicate_unique=reject_rows");
        let chosen = dir.path(&format!("{kind:?}-chosen.toml"));
        let mut args = vec!["--plan", p.to_str().unwrap(), "--out", chosen.to_str().unwrap()];
        for c in &choose {
            args.extend(["--choose", c]);
        }
        let (run, pf) = preflight(&src, kind, &args);
        assert_eq!(run.code, 0, "every group chosen: ready to migrate\n{}", pf["groups"]);
        let saved = std::fs::read_to_string(&chosen).unwrap();
        assert_eq!(saved.matches("[[choices]]").count(), choose.len(), "{saved}");
        assert!(saved.contains("kind = \"orphan\"\nchoice = \"drop_constraint\""), "{saved}");
        // The plan as saved shows each group with the choice in force.
        let (_, again) = preflight(&src, kind, &["--plan", chosen.to_str().unwrap()]);
        let n = again["groups"].as_array().unwrap().iter().filter(|g| !g["chosen"].is_null()).count();
        assert_eq!(n, choose.len(), "{}", again["groups"]);

        let db = TestDb::new(kind, "pfchoice").await;
        let (run, rep) = migrate(&src, &db, &["--plan", chosen.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
        assert_preflight_matches(&again, &rep, &format!("{kind:?} chosen"));
        // Validation applies the same choices: values set NULL, stripped or in a widened type
        // compare equal, and the rows the run rejected are expected.
        let run_report = src.with_extension(format!("{}.report.json", db.name));
        let v = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url, "--plan", chosen.to_str().unwrap(), "--run-report", run_report.to_str().unwrap()]);
        assert_eq!(v.code, 0, "{kind:?}: validation with the choices applied\n{}\n{}", v.stdout, v.stderr);
        // The run's report records the plan it ran with: validation needs nothing else (and no
        // profiling of the source); the proposal alone, without the choices, would not match.
        let v = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url, "--run-report", run_report.to_str().unwrap(), "--json"]);
        assert_eq!(v.code, 0, "{kind:?}: validation by the recorded plan\n{}\n{}", v.stdout, v.stderr);
        let vr: J = serde_json::from_str(&v.stdout).unwrap();
        assert!(vr["plan"].as_str().unwrap().starts_with("the plan recorded in"), "{}", vr["plan"]);
        let t = &rep["tables"]["t"];
        // reject_rows: today's behaviour.
        let rejected: Vec<i64> = t["rejected"].as_array().unwrap().iter().map(|r| r["row"]["id"].as_i64().unwrap()).collect();
        let want_rejected = vec![9, 13];
        assert_eq!(rejected, want_rejected, "{t}");
        let ids = db.texts(&format!("SELECT CAST(id AS {}) FROM t ORDER BY id", if kind == Kind::Pg { "text" } else { "CHAR" })).await;
        assert_eq!(ids.len(), 20 - want_rejected.len());
        // set_null: NULL in the target, reported as changed with the original value.
        let changed = t["changed"].as_array().unwrap();
        let change = |id: i64, col: &str| changed.iter().find(|c| c["row"]["id"] == id && c["column"] == col).cloned().unwrap_or_else(|| panic!("no change of {id}.{col} in {changed:?}"));
        assert_eq!(change(4, "b")["to"], J::Null);
        assert_eq!(change(4, "b")["from"], "x'fffe78'");
        assert_eq!(change(7, "d")["to"], J::Null);
        assert!(change(7, "d")["reason"].as_str().unwrap().contains("set NULL by the plan's choice"));
        let one = |sql: String| {
            let db = &db;
            async move { db.texts(&sql).await.into_iter().next().flatten() }
        };
        assert_eq!(one("SELECT b FROM t WHERE id = 4".into()).await, None);
        assert_eq!(one("SELECT d FROM t WHERE id = 7".into()).await, None);
        // widen_type: the column's type widened and the value arrived as it was.
        assert_eq!(one("SELECT CAST(n AS CHAR(10)) FROM t WHERE id = 5".replace("CHAR(10)", if kind == Kind::Pg { "text" } else { "CHAR" })).await.as_deref(), Some("70000"));
        assert_eq!(one("SELECT v FROM t WHERE id = 6".into()).await.as_deref(), Some("far too long"));
        assert_eq!(one("SELECT j FROM t WHERE id = 8".into()).await.as_deref(), Some("{not json"));
        // drop_constraint: the foreign key and the UNIQUE are not created, the report says so,
        // and the rows they would have refused are there.
        let warnings = rep["warnings"].to_string();
        assert!(warnings.contains("foreign key (par_id)") && warnings.contains("UNIQUE") && warnings.contains("drop_constraint"), "{warnings}");
        assert_eq!(one("SELECT CAST(par_id AS CHAR) FROM t WHERE id = 11".replace("CHAR", if kind == Kind::Pg { "text" } else { "CHAR" })).await.as_deref(), Some("99"));
        assert!(db.exec("INSERT INTO t (id, ts, nn) VALUES (100, '2024-01-01 00:00:01', 'x')").await.is_ok(), "no UNIQUE on ts");
        assert!(db.exec("INSERT INTO t (id, par_id, nn) VALUES (101, 12345, 'x')").await.is_ok(), "no foreign key on par_id");
        // The UNIQUE on email stays, case-insensitive, and the row it refuses is the one preflight named.
        assert!(db.exec("INSERT INTO t (id, email, nn) VALUES (102, 'BÖB@X', 'x')").await.is_err(), "{kind:?}: the case-insensitive UNIQUE holds");
        match kind {
            Kind::Pg => {
                // strip_nul: the NULs removed, reported changed.
                assert_eq!(one("SELECT s FROM t WHERE id = 3".into()).await.as_deref(), Some("twonuls"));
                assert_eq!(change(2, "s")["to"], "nulinside");
                // store_as_bytes: bytea holding the bytes as they were.
                assert_eq!(one("SELECT encode(nn, 'hex') FROM t WHERE id = 14".into()).await.as_deref(), Some("4e554c0068657265"));
                assert_eq!(one("SELECT data_type FROM information_schema.columns WHERE table_name = 't' AND column_name = 'nn'".into()).await.as_deref(), Some("bytea"));
                assert_eq!(one("SELECT data_type FROM information_schema.columns WHERE table_name = 't' AND column_name = 'n'".into()).await.as_deref(), Some("bigint"));
            }
            Kind::My => {
                assert_eq!(
                    one(format!("SELECT data_type FROM information_schema.columns WHERE table_schema = '{}' AND table_name = 't' AND column_name = 'n'", db.name)).await.as_deref(),
                    Some("bigint")
                );
            }
        }
    }
}

/// A choice that does not apply is refused with a message that says what would; one that
/// does not read as a choice, or has no --out to go to, is a wrong command line (status 64).
#[test]
fn a_choice_that_does_not_apply_is_refused() {
    let dir = Scratch::new();
    let src = dir.path("g.sqlite");
    build(&src);
    let out = dir.path("p.toml");
    let cases: [(&str, i32, &str); 4] = [
        ("t.nn:nul_in_text=set_null", 1, "choose one of reject_rows, strip_nul, store_as_bytes"),
        ("t.nope:too_long=widen_type", 1, "no column \"nope\""),
        ("t.s:nul_in_txt=strip_nul", 64, "not a pre-flight kind"),
        ("t.s", 64, "expected TABLE.COLUMN:KIND=CHOICE"),
    ];
    for (choice, code, says) in cases {
        let narrow = narrowed(&src, Kind::Pg);
        let run = ferry(&["preflight", src.to_str().unwrap(), "--to", url_of(Kind::Pg), "--plan", narrow.to_str().unwrap(), "--choose", choice, "--out", out.to_str().unwrap()]);
        assert_eq!(run.code, code, "{choice}: {}", run.stdout);
        assert!(run.stderr.contains(says), "{choice}: {}", run.stderr);
    }
    let run = ferry(&["preflight", src.to_str().unwrap(), "--to", url_of(Kind::Pg), "--choose", "t.s:nul_in_text=strip_nul"]);
    assert!(run.code == 64 && run.stderr.contains("--out"), "{}", run.stderr);
}

/// The fold preflight uses for MariaDB's utf8mb4_general_nopad_ci equates exactly what the
/// server does: over a sample of the basic plane, and the characters above it.
#[tokio::test]
async fn general_ci_fold_agrees_with_mariadb() {
    let db = TestDb::new(Kind::My, "fold").await;
    let mut samples: Vec<String> = (0x20u32..0x600).chain((0x600..0xFFFF).step_by(37)).filter_map(char::from_u32).map(String::from).collect();
    samples.extend(["Bob", "bob", "BÖB", "straße", "strase", "strasse", "😀", "😁", "a ", "a", "ǅ", "ǆ", "ı", "I", "Σ", "ς", "ﬁ", "fi"].map(String::from));
    db.exec("CREATE TABLE f (i INT PRIMARY KEY, s VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_nopad_ci)").await.unwrap();
    for (n, chunk) in samples.chunks(500).enumerate() {
        let values: Vec<String> = chunk.iter().enumerate().map(|(i, s)| format!("({}, X'{}')", n * 500 + i, s.bytes().map(|b| format!("{b:02x}")).collect::<String>())).collect();
        db.exec(&format!("INSERT INTO f VALUES {}", values.join(","))).await.unwrap();
    }
    // The server's classes: the smallest i of every string equal to it.
    let rows = db.texts("SELECT CONCAT(a.i, ' ', MIN(b.i)) FROM f a JOIN f b ON a.s = b.s GROUP BY a.i ORDER BY a.i").await;
    assert_eq!(rows.len(), samples.len());
    let mut disagree = vec![];
    for r in rows {
        let r = r.unwrap();
        let (a, b) = r.split_once(' ').unwrap();
        let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
        let first = samples.iter().position(|s| ferry_core::preflight::general_ci_fold(s) == ferry_core::preflight::general_ci_fold(&samples[a])).unwrap();
        if first != b {
            disagree.push((samples[a].clone(), samples[b].clone(), samples[first].clone()));
        }
    }
    assert!(disagree.is_empty(), "(string, the server's first equal, the fold's first equal): {disagree:?}");
}

/// The corpus: every problem `migrate` reports was found by preflight beforehand, in both
/// targets (counts of rejected and changed rows per table, and the rejected rows themselves).
#[tokio::test]
async fn corpus_problems_are_all_found_before_any_write() {
    let Some(dir) = corpus_dir() else {
        println!("skipped: ../shared/corpus is not beside this checkout");
        return;
    };
    let scratch = Scratch::new();
    let mut files = vec![];
    for sub in std::fs::read_dir(&dir).unwrap() {
        let sub = sub.unwrap().path();
        if sub.is_dir() {
            for f in std::fs::read_dir(&sub).unwrap() {
                let f = f.unwrap().path();
                if matches!(f.extension().and_then(|e| e.to_str()), Some("db" | "sqlite" | "sqlite3")) {
                    files.push(f);
                }
            }
        }
    }
    files.sort();
    assert!(!files.is_empty());
    for f in files {
        let src = scratch.path(f.file_name().unwrap().to_str().unwrap());
        std::fs::copy(&f, &src).unwrap();
        for kind in Kind::all() {
            let (_, pf) = preflight(&src, kind, &[]);
            let db = TestDb::new(kind, "pfcorpus").await;
            let narrow = narrowed(&src, kind);
            let (run, rep) = migrate(&src, &db, &["--plan", narrow.to_str().unwrap()]);
            assert!(run.code == 0 || run.code == 2, "{kind:?} {}: {}", f.display(), run.stderr);
            assert_preflight_matches(&pf, &rep, &format!("{kind:?} {}", f.display()));
            println!("{kind:?} {}: {} group(s), ok", f.display(), pf["groups"].as_array().unwrap().len());
        }
    }
}

/// `--strict` stops at what no one decided, not at what the plan chose: a NUL the plan strips
/// loads under `--strict`, and without the choice the run stops at it.
#[tokio::test]
async fn strict_lets_chosen_changes_through() {
    let dir = Scratch::new();
    let src = dir.path("s.sqlite");
    let c = Connection::open(&src).unwrap();
    c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT); INSERT INTO t VALUES (1, 'fine');").unwrap();
    c.execute("INSERT INTO t VALUES (2, ?1)", params!["a\0b"]).unwrap();
    drop(c);
    let db = TestDb::new(Kind::Pg, "pfstrict").await;
    let narrow = narrowed(&src, Kind::Pg);
    let (run, _) = migrate(&src, &db, &["--strict", "--plan", narrow.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("NUL"), "{}", run.stderr);
    drop(db);
    let p = dir.path("p.toml");
    let (run, _) = preflight(&src, Kind::Pg, &["--choose", "t.s:nul_in_text=strip_nul", "--out", p.to_str().unwrap()]);
    assert_eq!(run.code, 0);
    let db = TestDb::new(Kind::Pg, "pfstrict").await;
    let (run, rep) = migrate(&src, &db, &["--strict", "--plan", p.to_str().unwrap()]);
    assert_eq!(run.code, 2, "completed, with a changed value listed: {}\n{}", run.stdout, run.stderr);
    assert_eq!(rep["tables"]["t"]["changed"][0]["to"], "ab");
    assert_eq!(db.texts("SELECT s FROM t ORDER BY id").await, vec![Some("fine".to_string()), Some("ab".to_string())]);
}
