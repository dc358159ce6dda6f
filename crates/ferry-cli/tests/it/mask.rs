//! Masked copies (issue 16): `ferry plan --mask-pii`, then `ferry migrate --plan` with the
//! key. The demo goes into both targets with no source email, name or phone anywhere in
//! them; keys, foreign keys and joins on masked columns hold; the same key gives the same
//! copy and another key another; validation through the masks is clean; a missing or short
//! key is refused before anything is written. A unique column whose masks collide still
//! loads every row, and neither the report nor the pre-flight shows a masked value.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const KEY: &str = "test-mask-key-0123456789abcdefgh";
const OTHER_KEY: &str = "another-mask-key-9876543210zyxw";

/// `ferry` with $FERRY_MASK_KEY set to `key`, or unset (whatever the test's own environment).
fn ferry_key(args: &[&str], key: Option<&str>) -> Run {
    let audit = std::env::temp_dir().join(format!("ferry-test-audit-{}.jsonl", std::process::id()));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"));
    cmd.args(args).env("FERRY_AUDIT_LOG", &audit).env_remove("FERRY_MASK_KEY");
    if let Some(k) = key {
        cmd.env("FERRY_MASK_KEY", k);
    }
    let out = cmd.output().expect("ferry runs");
    Run { code: out.status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&out.stdout).into(), stderr: String::from_utf8_lossy(&out.stderr).into() }
}

/// `ferry plan SRC --to URL --mask-pii --out OUT`.
fn mask_plan(src: &Path, url: &str, out: &Path) -> Run {
    let r = ferry_key(&["plan", src.to_str().unwrap(), "--to", url, "--mask-pii", "--out", out.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "ferry plan --mask-pii: {}{}", r.stdout, r.stderr);
    r
}

/// `ferry migrate … --plan PLAN --report` with the key in $FERRY_MASK_KEY.
fn masked_migrate(src: &Path, db: &TestDb, plan: &Path, key: &str) -> (Run, serde_json::Value, PathBuf) {
    let report = src.with_extension(format!("{}.report.json", db.name));
    let run = ferry_key(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap(), "--report", report.to_str().unwrap()], Some(key));
    let rep = std::fs::read_to_string(&report).map(|s| serde_json::from_str(&s).expect("report is JSON")).unwrap_or(serde_json::Value::Null);
    (run, rep, report)
}

/// Every text and JSON column of the target: (table, column) → its values as text, sorted.
async fn text_columns(db: &TestDb) -> BTreeMap<(String, String), Vec<String>> {
    let cols_sql = match db.kind {
        Kind::Pg => "SELECT table_name::text || '.' || column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE')",
        Kind::My => "SELECT CONCAT(c.table_name, '.', c.column_name) FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' WHERE c.table_schema = DATABASE() AND c.data_type IN ('varchar', 'char', 'tinytext', 'text', 'mediumtext', 'longtext', 'json')",
    };
    let mut out = BTreeMap::new();
    for tc in db.texts(cols_sql).await.into_iter().flatten() {
        let (t, c) = tc.split_once('.').unwrap();
        let sql = match db.kind {
            Kind::Pg => format!("SELECT {}::text FROM {} WHERE {0} IS NOT NULL", db.q(c), db.q(t)),
            Kind::My => format!("SELECT CAST({} AS CHAR) FROM {} WHERE {0} IS NOT NULL", db.q(c), db.q(t)),
        };
        let mut values: Vec<String> = db.texts(&sql).await.into_iter().flatten().collect();
        values.sort();
        out.insert((t.to_string(), c.to_string()), values);
    }
    assert!(out.len() > 30, "the demo's text columns are read: {}", out.len());
    out
}

/// The source's values of one column, as text (NULLs and empty strings left out).
fn source_values(src: &Path, sql: &str) -> Vec<String> {
    let c = rusqlite::Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut st = c.prepare(sql).unwrap();
    let v: Vec<String> = st.query_map([], |r| r.get::<_, Option<String>>(0)).unwrap().filter_map(|r| r.unwrap()).filter(|s| !s.is_empty()).collect();
    v
}

fn source_count(src: &Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

async fn target_count(db: &TestDb, sql: &str) -> i64 {
    let sql = match db.kind {
        Kind::Pg => format!("SELECT ({sql})::text"),
        Kind::My => format!("SELECT CAST(({sql}) AS CHAR)"),
    };
    db.texts(&sql).await[0].as_deref().unwrap().parse().unwrap()
}

#[tokio::test]
async fn demo_masked_copy_leaks_nothing_and_keeps_joins() {
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    assert_eq!(ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "3000"]).code, 0);
    let before = sha256(&src);
    // What must not be found anywhere in a target: every email, name and phone of the source
    // (customers' and the addresses copied into other tables), and the name in the audit
    // log's JSON documents.
    let mut secrets = source_values(&src, "SELECT email FROM customers UNION SELECT full_name FROM customers UNION SELECT phone FROM customers UNION SELECT actor FROM audit_logs UNION SELECT changed_by FROM price_events UNION SELECT requested_by FROM export_jobs");
    secrets.push("José Álvarez".into());
    assert!(secrets.len() > 300, "{} values to look for", secrets.len());
    assert!(source_count(&src, "SELECT count(*) FROM audit_logs WHERE payload LIKE '%José Álvarez%'") > 0, "the demo has a name in its JSON");
    // Joins on masked columns: addresses copied from customers into other tables.
    let joins = [
        "SELECT count(*) FROM audit_logs a JOIN customers c ON c.email = a.actor",
        "SELECT count(*) FROM price_events p JOIN customers c ON c.email = p.changed_by",
        "SELECT count(*) FROM export_jobs e JOIN customers c ON c.email = e.requested_by",
        "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id",
    ];
    let want_joins: Vec<i64> = joins.iter().map(|j| source_count(&src, j)).collect();
    assert!(want_joins.iter().all(|n| *n > 0), "{want_joins:?}");

    for kind in Kind::all() {
        let db = TestDb::new(kind, "mask").await;
        let plan = dir.path(&format!("masked-{kind:?}.toml"));
        let made = mask_plan(&src, &db.url, &plan);
        for col in ["customers.email: email", "customers.full_name: name", "customers.phone: phone", "audit_logs.actor: email", "audit_logs.payload: json", "audit_logs.ip_address: ip"] {
            assert!(made.stderr.contains(col), "{kind:?}: proposes {col}: {}", made.stderr);
        }
        assert!(made.stderr.contains("left in clear:") && made.stderr.contains("tenants.name"), "lists the columns left in clear: {}", made.stderr);
        let text = std::fs::read_to_string(&plan).unwrap();
        assert!(text.contains("safe_copy = true") && !text.contains(KEY), "the plan is a safe copy and holds no key");

        let (run, rep, report_path) = masked_migrate(&src, &db, &plan, KEY);
        assert!(run.code == 0 || run.code == 2, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("masked copy (key fingerprint"), "{}", run.stdout);
        for (name, t) in rep["tables"].as_object().unwrap() {
            assert_eq!(t["rejected_total"], 0, "{kind:?} {name}: {}", t["rejected"]);
            assert_eq!(t["changed_total"], 0, "{kind:?} {name}: {}", t["changed"]);
            assert!(t.get("unchecked_keys").is_none(), "{kind:?} {name}: every foreign key holds: {}", t["unchecked_keys"]);
            assert_eq!(t["rows_read"], t["rows_written"], "{kind:?} {name}");
        }
        for w in rep["warnings"].as_array().unwrap() {
            assert!(w["object"].as_str().unwrap().starts_with("trigger "), "{kind:?}: only the trigger is left behind: {w}");
        }
        let masked = &rep["tables"]["customers"]["masked"];
        let emails = masked.as_array().unwrap().iter().find(|m| m["column"] == "email").unwrap_or_else(|| panic!("{masked}"));
        assert_eq!(emails["rule"], "email");
        assert_eq!(emails["values"], 150, "every customer's address was masked");
        let fp = rep["mask_key_fingerprint"].as_str().unwrap();
        assert_eq!(fp.len(), 12);

        // No source email, name or phone anywhere in the target, nor in the report.
        let copy = text_columns(&db).await;
        let haystack: String = copy.values().flatten().map(|v| format!("{v}\n")).collect();
        let leaked: Vec<&String> = secrets.iter().filter(|s| haystack.contains(s.as_str())).collect();
        assert!(leaked.is_empty(), "{kind:?}: {} source values found in the target, e.g. {:?}", leaked.len(), &leaked[..leaked.len().min(5)]);
        let report_text = std::fs::read_to_string(&report_path).unwrap();
        assert!(!report_text.contains(KEY), "no key in the report");
        // (The report holds the plan, whose evidence names no value; the masked values are not there.)
        let in_report: Vec<&String> = secrets.iter().filter(|s| report_text.contains(s.as_str())).collect();
        assert!(in_report.is_empty(), "{kind:?}: the report holds {in_report:?}");
        // Masked values keep their format.
        let emails = &copy[&("customers".to_string(), "email".to_string())];
        assert_eq!(emails.len(), 150);
        assert!(emails.iter().all(|e| e.contains('@') && e.rsplit('.').next().is_some_and(|tld| ["com", "org", "net", "uk", "de"].contains(&tld))), "{emails:?}");
        // Clear columns arrived as they were.
        let slugs = source_values(&src, "SELECT slug FROM tenants ORDER BY slug");
        assert_eq!(copy[&("tenants".to_string(), "slug".to_string())], slugs);

        // Joins on masked columns give the source's counts: one address, one mask, everywhere.
        for (j, want) in joins.iter().zip(&want_joins) {
            assert_eq!(target_count(&db, j).await, *want, "{kind:?}: {j}");
        }

        // Validation through the same masks is clean.
        let v = ferry_key(&["validate", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap(), "--run-report", report_path.to_str().unwrap()], Some(KEY));
        assert_eq!(v.code, 0, "{kind:?}: validate: {}{}", v.stdout, v.stderr);
        // Through another key it is not.
        let v = ferry_key(&["validate", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap()], Some(OTHER_KEY));
        assert_eq!(v.code, 2, "{kind:?}: another key differs: {}{}", v.stdout, v.stderr);
        // Sync does not mask yet: it refuses the masked copy's plan rather than write the
        // new rows in clear, and the copy stays as it was.
        let s = ferry_key(&["sync", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap()], Some(KEY));
        assert_eq!(s.code, 1, "{kind:?}: sync: {}{}", s.stdout, s.stderr);
        assert!(s.stderr.contains("sync does not mask yet and would write the new rows in clear"), "{kind:?}: {}", s.stderr);
        assert_eq!(text_columns(&db).await, copy, "{kind:?}: the refused sync wrote nothing");

        if kind == Kind::Pg {
            // The same key again: the same copy. Another key: another copy of the masked
            // columns, the others the same.
            let again = TestDb::new(kind, "mask_again").await;
            let key_file = dir.path("mask.key");
            std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
            let report2 = dir.path("again.json");
            let r = ferry_key(&["migrate", src.to_str().unwrap(), "--to", &again.url, "--plan", plan.to_str().unwrap(), "--mask-key-file", key_file.to_str().unwrap(), "--report", report2.to_str().unwrap()], None);
            assert!(r.code == 0 || r.code == 2, "{}{}", r.stdout, r.stderr);
            assert_eq!(text_columns(&again).await, copy, "the same key (from a file, with its line break) gives the same copy");
            drop(again);
            let other = TestDb::new(kind, "mask_other").await;
            let (r, rep3, _) = masked_migrate(&src, &other, &plan, OTHER_KEY);
            assert!(r.code == 0 || r.code == 2, "{}{}", r.stdout, r.stderr);
            assert_ne!(rep3["mask_key_fingerprint"].as_str().unwrap(), fp);
            let third = text_columns(&other).await;
            for ((t, c), values) in &copy {
                let masked = plan_mask(&text, t, c).is_some_and(|m| m != "clear");
                if masked {
                    assert_ne!(&third[&(t.clone(), c.clone())], values, "{t}.{c} masked otherwise under another key");
                } else {
                    assert_eq!(&third[&(t.clone(), c.clone())], values, "{t}.{c} is clear");
                }
            }
        }
    }
    assert_eq!(sha256(&src), before, "the source is never written to");
}

/// The mask a plan's TOML gives `table.column`, read with the engine's own reader.
fn plan_mask(text: &str, table: &str, column: &str) -> Option<String> {
    let plan = ferry_core::plan::Plan::from_toml(text, "plan").unwrap();
    plan.table(table)?.columns.iter().find(|c| c.source == column)?.mask.map(|m| m.to_string())
}

#[tokio::test]
async fn a_missing_or_short_key_is_refused_before_anything_is_written() {
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    assert_eq!(ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "500"]).code, 0);
    let db = TestDb::new(Kind::Pg, "mask_nokey").await;
    let plan = dir.path("masked.toml");
    mask_plan(&src, &db.url, &plan);
    let short = dir.path("short.key");
    std::fs::write(&short, "fifteen-bytes!!").unwrap();
    let base = ["migrate", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap()];
    let with = |extra: &[&str]| -> Vec<String> { base.iter().chain(extra).map(|s| s.to_string()).collect() };
    let cases: [(Vec<String>, Option<&str>, &str); 3] = [
        (with(&[]), None, "no mask key was given: set FERRY_MASK_KEY or pass --mask-key-file PATH"),
        (with(&[]), Some("short"), "is 5 bytes long; a mask key needs at least 16 bytes"),
        (with(&["--mask-key-file", short.to_str().unwrap()]), Some(KEY), "is 15 bytes long; a mask key needs at least 16 bytes"),
    ];
    for (args, key, want) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = ferry_key(&args, key);
        assert_eq!(r.code, 1, "{want}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(want), "{want}\n{}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "one line: {}", r.stderr);
        assert!(!r.stderr.contains("fifteen-bytes"), "the key is not shown");
        let tables = db.texts("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'").await;
        assert!(tables.is_empty(), "nothing written: {tables:?}");
    }
    let v = ferry_key(&["validate", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap()], None);
    assert_eq!(v.code, 1, "{}", v.stderr);
    assert!(v.stderr.contains("no mask key was given"), "{}", v.stderr);
}

#[tokio::test]
async fn unique_masked_keys_collide_and_still_load_every_row() {
    let dir = Scratch::new();
    let src = dir.path("codes.sqlite");
    {
        let c = rusqlite::Connection::open(&src).unwrap();
        c.execute_batch(
            "CREATE TABLE people (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, email TEXT NOT NULL, full_name TEXT);
             CREATE TABLE visits (id INTEGER PRIMARY KEY, code TEXT NOT NULL REFERENCES people(code), note TEXT);
             CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT);
             CREATE TABLE tags (code TEXT PRIMARY KEY, note TEXT);
             INSERT INTO tags VALUES ('tag-secret-01', 'ok'), ('tag-secret-02', 'a note too long');",
        )
        .unwrap();
        for i in 0..100 {
            c.execute("INSERT INTO people VALUES (?1, ?2, ?3, ?4)", rusqlite::params![i, format!("{i:03}"), format!("p{i}@example.com"), format!("Person Number{i}")]).unwrap();
        }
        for i in 0..300 {
            c.execute("INSERT INTO visits VALUES (?1, ?2, ?3)", rusqlite::params![i, format!("{:03}", (i * 7) % 100), "came by"]).unwrap();
        }
        for i in 0..20 {
            // Every fifth address is too long for the varchar(16) the plan gives the column.
            let e = if i % 5 == 0 { format!("a.long.address{i}@example.com") } else { format!("c{i}@example.com") };
            c.execute("INSERT INTO contacts VALUES (?1, ?2)", rusqlite::params![i, e]).unwrap();
        }
    }
    let long: Vec<String> = source_values(&src, "SELECT email FROM contacts WHERE length(email) > 16");
    assert_eq!(long.len(), 4);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "mask_codes").await;
        let plan_path = dir.path(&format!("codes-{kind:?}.toml"));
        mask_plan(&src, &db.url, &plan_path);
        // Keys are masked only when asked: here the code, the same way on both sides; the
        // contacts' addresses are given a type too short for some of them.
        let mut plan = ferry_core::plan::Plan::load(&plan_path).unwrap();
        for tp in plan.tables.iter_mut() {
            for c in tp.columns.iter_mut() {
                if c.source == "code" {
                    c.mask = Some(ferry_core::mask::Rule::KeepLast(1));
                }
                if tp.source == "contacts" && c.source == "email" {
                    assert_eq!(c.mask, Some(ferry_core::mask::Rule::Email));
                    c.target_type = "varchar(16)".into();
                }
                if tp.source == "tags" && c.source == "note" {
                    c.mask = Some(ferry_core::mask::Rule::Text);
                    c.target_type = "varchar(4)".into();
                }
            }
        }
        std::fs::write(&plan_path, plan.to_toml()).unwrap();
        // Pre-flight names the same rows, by key, and shows no clear value of a masked column
        // either: not the long addresses, not a masked key.
        let pf = ferry_key(&["preflight", src.to_str().unwrap(), "--to", &db.url, "--plan", plan_path.to_str().unwrap(), "--json"], None);
        assert_eq!(pf.code, 2, "{kind:?}: preflight: {}{}", pf.stdout, pf.stderr);
        let shown: serde_json::Value = serde_json::from_str(&pf.stdout).expect("preflight --json");
        let group = |table: &str, column: &str| shown["groups"].as_array().unwrap().iter().find(|g| g["table"] == table && g["column"] == column).cloned().unwrap_or_else(|| panic!("{kind:?}: no group for {table}.{column}: {}", pf.stdout));
        let g = group("contacts", "email");
        assert_eq!(g["count"], 4, "{g}");
        for e in g["examples"].as_array().unwrap() {
            assert_eq!(e["value"], "(masked)", "{e}");
            assert!(e["row"]["id"].is_number(), "the row is named by its key: {e}");
        }
        let g = group("tags", "note");
        assert_eq!(g["examples"][0]["row"]["code"], "(masked)", "{g}");
        assert_eq!(g["examples"][0]["value"], "(masked)", "{g}");
        for clear in long.iter().map(String::as_str).chain(["tag-secret-02", "a note too long"]) {
            assert!(!pf.stdout.contains(clear) && !pf.stderr.contains(clear), "{kind:?}: pre-flight shows {clear}: {}{}", pf.stdout, pf.stderr);
        }
        let (run, rep, report_path) = masked_migrate(&src, &db, &plan_path, KEY);
        assert_eq!(run.code, 2, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        // The audit log says it was a masked copy, and with which key, from the line written
        // when the run started (a run killed part way leaves only that one) to its end.
        let fp = rep["mask_key_fingerprint"].as_str().unwrap();
        let audit = std::fs::read_to_string(std::env::temp_dir().join(format!("ferry-test-audit-{}.jsonl", std::process::id()))).unwrap();
        let lines: Vec<serde_json::Value> = audit.lines().map(|l| serde_json::from_str(l).unwrap()).filter(|e: &serde_json::Value| e["action"] == "migrate" && e["target"].as_str().is_some_and(|t| t.contains(&db.name))).collect();
        assert_eq!(lines.len(), 2, "{kind:?}: started and ended: {lines:?}");
        for e in &lines {
            assert_eq!(e["options"]["masked_copy"], true, "{e}");
            assert_eq!(e["options"]["mask_key_fingerprint"], fp, "{e}");
        }
        for t in ["people", "visits"] {
            assert_eq!(rep["tables"][t]["rejected_total"], 0, "{kind:?} {t}: {}", rep["tables"][t]["rejected"]);
        }
        assert_eq!(rep["tables"]["people"]["rows_written"], 100);
        assert_eq!(rep["tables"]["visits"]["rows_written"], 300);
        let notes = rep["notes"].to_string();
        assert!(notes.contains("mask keep_last:1") && notes.contains("collisions among the values of unique columns resolved"), "{kind:?}: {notes}");
        // Distinct, masked, and the foreign key and the join hold.
        assert_eq!(target_count(&db, "SELECT count(DISTINCT code) FROM people").await, 100);
        assert_eq!(target_count(&db, "SELECT count(*) FROM visits v JOIN people p ON p.code = v.code").await, 300);
        let pairs = db.texts("SELECT code FROM people ORDER BY id").await;
        let same = pairs.iter().enumerate().filter(|(i, c)| c.as_deref() == Some(format!("{i:03}").as_str())).count();
        assert!(same < 30, "{kind:?}: codes masked ({same} of 100 unchanged)");
        assert!(pairs.iter().enumerate().all(|(i, c)| c.as_deref().unwrap().ends_with(&format!("{}", i % 10))), "the last character kept");
        // The rows the target refused are listed by key only: no clear value of a masked column.
        let contacts = &rep["tables"]["contacts"];
        assert_eq!(contacts["rejected_total"], 4, "{kind:?}: {contacts}");
        for r in contacts["rejected"].as_array().unwrap() {
            assert_eq!(r["value"], "(masked)", "{r}");
            assert!(r["row"]["id"].is_number(), "{r}");
        }
        let mut listed = std::fs::read_to_string(&report_path).unwrap();
        if let Some(f) = rep["rejects_file"].as_str() {
            listed.push_str(&std::fs::read_to_string(f).unwrap());
        }
        for e in &long {
            assert!(!listed.contains(e.as_str()), "{kind:?}: {e} is in the report or the rejects file");
        }
        let v = ferry_key(&["validate", src.to_str().unwrap(), "--to", &db.url, "--plan", plan_path.to_str().unwrap(), "--run-report", report_path.to_str().unwrap()], Some(KEY));
        assert_eq!(v.code, 0, "{kind:?}: validate: {}{}", v.stdout, v.stderr);
    }
}
