//! `ferry validate` against the real PostgreSQL and MariaDB: a migrated database validates
//! clean; a value changed behind Ferry's back in each type family, a deleted row, an inserted
//! row and a changed row in a keyless table are each found and named; rows the run rejected
//! are expected, not mismatches; the demo validates clean; the HTML report renders.

use crate::common::*;
use rusqlite::Connection;
use serde_json::{json, Value as J};
use std::path::Path;

const EVIL: &str = "<img src=x onerror=alert(1)>";

/// A table with a column of every type family, a keyless table, a table with a name that is
/// markup, and a parent/child pair with an orphan and a value the target refuses.
fn build_source(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        r#"
        PRAGMA foreign_keys = OFF;
        CREATE TABLE fam (
            id INTEGER PRIMARY KEY, i INTEGER, money NUMERIC(10,2), dbl REAL, txt TEXT, blb BLOB,
            uid TEXT, day DATE, ts DATETIME, js JSON, flag BOOLEAN
        );
        INSERT INTO fam VALUES (1, 1, 19.99, 0.1, 'plain', x'00ff', '0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10', '2024-02-29', '2024-03-05T14:22:01.5+01:00', '{{"b": [1, 2], "a": "é"}}', 1);
        INSERT INTO fam VALUES (2, -42, 7, 1e300, '日本語 🚀 tab	here', x'deadbeef', '1c2d3e4f-0000-4abc-8def-000000000002', '1970-01-01', '1999-12-31 23:59:59', '[]', 0);
        INSERT INTO fam VALUES (3, 9223372036854775807, -12345678.99, -2.5e-7, 'it''s "quoted"
newline \ backslash', x'', '2c2d3e4f-0000-4abc-8def-000000000003', '2000-01-01', '2024-01-01 00:00:00Z', '{{"n": 1.5e10}}', 1);
        INSERT INTO fam (id) VALUES (4);
        INSERT INTO fam VALUES (5, 0, 0.5, 3.25, 'Ünïcödé', x'01', '3c2d3e4f-0000-4abc-8def-000000000005', '2024-12-31', '2024-06-30 12:00:00.123456', '{{"x": null}}', 0);
        CREATE TABLE loose (a TEXT, n INTEGER);
        INSERT INTO loose VALUES ('a', 1), ('b', 2), ('b', 2), ('c', NULL);
        CREATE TABLE "{EVIL}" (id INTEGER PRIMARY KEY, v TEXT);
        INSERT INTO "{EVIL}" VALUES (1, '<b>bold</b> & more');
        CREATE TABLE ref_parent (id INTEGER PRIMARY KEY, name TEXT);
        INSERT INTO ref_parent VALUES (1, 'one');
        CREATE TABLE ref_child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES ref_parent(id), n INTEGER NOT NULL);
        INSERT INTO ref_child VALUES (1, 1, 10), (2, 999, 20), (3, 1, 'lots-of-it'), (4, 1, 40);
        "#
    ))
    .unwrap();
}

fn validate(src: &Path, db: &TestDb, extra: &[&str]) -> (Run, J) {
    let mut args = vec!["validate", src.to_str().unwrap(), "--to", &db.url, "--json"];
    args.extend_from_slice(extra);
    let run = ferry(&args);
    let rep = serde_json::from_str(&run.stdout).unwrap_or(J::Null);
    (run, rep)
}

fn table<'a>(rep: &'a J, name: &str) -> &'a J {
    rep["tables"].as_array().unwrap().iter().find(|t| t["table"] == name).unwrap_or_else(|| panic!("table {name} in {rep}"))
}

fn mismatches(rep: &J, name: &str) -> Vec<J> {
    table(rep, name)["mismatches"].as_array().unwrap().clone()
}

#[tokio::test]
async fn validate_finds_what_changed_behind_ferrys_back() {
    let dir = Scratch::new();
    let src = dir.path("fam.sqlite");
    build_source(&src);
    let before = sha256(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "validate").await;
        let run_report = dir.path(&format!("{kind:?}.run.json"));
        // The narrowest types, so the text in an INTEGER column is refused and reported.
        let plan = narrow_plan(&src, &db.url, &dir.path(&format!("{kind:?}.narrow.toml")));
        let np = plan.to_str().unwrap();
        let run = ferry(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--plan", np, "--report", run_report.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{kind:?}: the orphan and the refused value are reported: {}\n{}", run.stdout, run.stderr);
        let rr: J = serde_json::from_str(&std::fs::read_to_string(&run_report).unwrap()).unwrap();
        let rejected: Vec<J> = rr["tables"]["ref_child"]["rejected"].as_array().unwrap().iter().map(|r| r["row"].clone()).collect();
        assert_eq!(rejected, vec![json!({"id": 3})], "{kind:?}: the run rejected the refused value");
        let kept = &rr["tables"]["ref_child"]["unchecked_keys"][0];
        assert_eq!((kept["orphans"].as_u64(), kept["rows"][0]["row"].clone()), (Some(1), json!({"id": 2})), "{kind:?}: the orphan arrived, listed under its key: {kept}");

        // Without the run's report: the orphan is there; the refused value is recognised from
        // the conversion itself.
        let (v, rep) = validate(&src, &db, &["--plan", np]);
        assert_eq!(v.code, 0, "{kind:?}: {}\n{}", v.stdout, v.stderr);
        let child = table(&rep, "ref_child");
        assert_eq!(child["mismatches"], json!([]), "{kind:?}");
        assert_eq!(child["expected"][0]["row"], json!({"id": 3}), "{kind:?}");
        assert!(child["expected"][0]["reason"].as_str().unwrap().contains("refused by the conversion, column n"), "{kind:?}: {}", child["expected"]);
        for t in rep["tables"].as_array().unwrap().iter().filter(|t| t["table"] != "ref_child") {
            assert_eq!(t["mismatches_total"], 0, "{kind:?} {}: {}", t["table"], t["mismatches"]);
        }

        // With it: clean, the refused row expected.
        let (v, rep) = validate(&src, &db, &["--plan", np, "--run-report", run_report.to_str().unwrap()]);
        assert_eq!(v.code, 0, "{kind:?}: {}\n{}", v.stdout, v.stderr);
        assert_eq!(rep["clean"], true);
        assert_eq!(rep["expected"], 1, "{kind:?}");
        let reasons: Vec<&str> = table(&rep, "ref_child")["expected"].as_array().unwrap().iter().map(|e| e["reason"].as_str().unwrap()).collect();
        assert!(reasons.iter().all(|r| !r.contains("orphan")), "{kind:?}: {reasons:?}");
        let fam = table(&rep, "fam");
        assert_eq!((fam["method"].as_str(), fam["rows_source"].as_u64(), fam["rows_matched"].as_u64()), (Some("key"), Some(5), Some(5)), "{kind:?}");
        assert_eq!(table(&rep, "loose")["method"], "multiset");
        assert_eq!(table(&rep, EVIL)["rows_matched"], 1);
        // The aggregates, side by side, are equal; spot-check what they say.
        let col = |name: &str| fam["columns"].as_array().unwrap().iter().find(|c| c["column"] == name).unwrap().clone();
        assert_eq!(col("i")["source"]["sum"], json!((i64::MAX as i128 - 41).to_string()), "{kind:?}");
        assert_eq!(col("money")["source"]["sum"], "-12345651.5", "{kind:?}");
        assert_eq!(col("txt")["source"]["nulls"], 1);
        assert_eq!(col("blb")["source"]["length"], 7);
        for c in fam["columns"].as_array().unwrap() {
            assert_eq!(c["equal"], true, "{kind:?}: {c}");
        }

        // Behind Ferry's back: one value per type family in row 2, a value to NULL in row 3,
        // row 4 deleted, row 100 inserted, a keyless row changed.
        let q = |s: &str| db.q(s);
        let updates = match kind {
            Kind::Pg => vec![
                "i = 999",
                "money = 1.23",
                "dbl = 2.5",
                "txt = 'changed ü'",
                "blb = '\\xff'::bytea",
                "uid = 'ffffffff-ffff-4fff-8fff-ffffffffffff'",
                "day = '2001-01-01'",
                "ts = '2001-01-01 00:00:00+00'",
                "js = '{\"changed\": true}'",
                "flag = true",
            ],
            Kind::My => vec![
                "i = 999",
                "money = 1.23",
                "dbl = 2.5",
                "txt = 'changed ü'",
                "blb = X'FF'",
                "uid = 'ffffffff-ffff-4fff-8fff-ffffffffffff'",
                "day = '2001-01-01'",
                "ts = '2001-01-01 00:00:00'",
                "js = '{\"changed\": true}'",
                "flag = 1",
            ],
        };
        db.exec(&format!("UPDATE {} SET {} WHERE id = 2", q("fam"), updates.join(", "))).await.unwrap();
        db.exec(&format!("UPDATE {} SET txt = NULL WHERE id = 3", q("fam"))).await.unwrap();
        db.exec(&format!("DELETE FROM {} WHERE id = 4", q("fam"))).await.unwrap();
        db.exec(&format!("INSERT INTO {} (id, i) VALUES (100, 5)", q("fam"))).await.unwrap();
        db.exec(&format!("UPDATE {} SET n = 3 WHERE a = 'c'", q("loose"))).await.unwrap();

        let html = dir.path(&format!("{kind:?}.validation.html"));
        let (v, rep) = validate(&src, &db, &["--plan", np, "--run-report", run_report.to_str().unwrap(), "--report", html.to_str().unwrap()]);
        assert_eq!(v.code, 2, "{kind:?}: {}\n{}", v.stdout, v.stderr);
        assert_eq!(rep["clean"], false);
        let got = mismatches(&rep, "fam");
        let value = |col: &str, s: Option<&str>, t: Option<&str>, id: i64| json!({"kind": "value", "row": {"id": id}, "column": col, "source": s, "target": t});
        let want = vec![
            value("i", Some("-42"), Some("999"), 2),
            value("money", Some("7"), Some("1.23"), 2),
            value("dbl", Some("1e300"), Some("2.5"), 2),
            value("txt", Some("日本語 🚀 tab\there"), Some("changed ü"), 2),
            value("blb", Some("deadbeef"), Some("ff"), 2),
            value("uid", Some("1c2d3e4f-0000-4abc-8def-000000000002"), Some("ffffffff-ffff-4fff-8fff-ffffffffffff"), 2),
            value("day", Some("1970-01-01"), Some("2001-01-01"), 2),
            value("ts", Some("1999-12-31 23:59:59.000000"), Some("2001-01-01 00:00:00.000000"), 2),
            value("js", Some("[]"), Some("{\"changed\":true}"), 2),
            value("flag", Some("false"), Some("true"), 2),
            value("txt", Some("it's \"quoted\"\nnewline \\ backslash"), None, 3),
            json!({"kind": "missing_in_target", "row": {"id": 4}, "source": null, "target": null}),
            json!({"kind": "extra_in_target", "row": {"id": 100}, "source": null, "target": null}),
        ];
        assert_eq!(got, want, "{kind:?}");
        assert_eq!(table(&rep, "fam")["mismatches_total"], want.len());
        let loose = mismatches(&rep, "loose");
        assert_eq!(loose.len(), 2, "{kind:?}: {loose:?}");
        assert!(loose.contains(&json!({"kind": "missing_in_target", "row": {"a": "c", "n": null}, "source": null, "target": null})), "{kind:?}: {loose:?}");
        assert!(loose.contains(&json!({"kind": "extra_in_target", "row": {"a": "c", "n": 3}, "source": null, "target": null})), "{kind:?}: {loose:?}");
        // Aggregates see it too.
        let fam = table(&rep, "fam");
        let differ: Vec<&str> = fam["columns"].as_array().unwrap().iter().filter(|c| c["equal"] == false).map(|c| c["column"].as_str().unwrap()).collect();
        assert!(differ.contains(&"i") && differ.contains(&"txt") && differ.contains(&"money"), "{kind:?}: {differ:?}");
        for t in [EVIL, "ref_parent", "ref_child"] {
            assert_eq!(table(&rep, t)["mismatches_total"], 0, "{kind:?} {t}");
        }

        // The HTML: the verdict, every value as text, nothing fetched, nothing run.
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(page.contains("Not valid"), "{kind:?}");
        assert!(!page.contains("<img") && page.contains("&lt;img src=x onerror=alert(1)&gt;"), "{kind:?}: a table name became markup");
        assert!(page.contains("&lt;b&gt;bold") && !page.contains("<b>bold"), "{kind:?}: a value became markup");
        assert!(!page.contains("<script") && !page.contains("src=\"http") && !page.contains("href=\"http"), "{kind:?}");
        assert!(page.contains("ffffffff-ffff-4fff-8fff-ffffffffffff") && page.contains("missing in target") && page.contains("extra in target"));
        // The JSON file form: the same report.
        let json_path = dir.path(&format!("{kind:?}.validation.json"));
        let again = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url, "--report", json_path.to_str().unwrap()]);
        assert_eq!(again.code, 2, "{kind:?}: {}", again.stderr);
        assert!(again.stdout.contains("NOT valid") && again.stdout.contains("column dbl"), "{kind:?}: {}", again.stdout);
        let from_file: J = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
        assert_eq!(from_file["tables"].as_array().unwrap().len(), 5);
        assert_eq!(from_file["source_sha256"], before.as_str());
        if kind == Kind::Pg {
            screenshot(&html, &dir);
        }
    }
    assert_eq!(sha256(&src), before, "the source is never written");
}

/// Renders the report in headless Chromium: into docs/screenshots with
/// `FERRY_UPDATE_SCREENSHOTS=1` (the README shows it), else beside the test's files.
fn screenshot(html: &Path, dir: &Scratch) {
    let out = if std::env::var_os("FERRY_UPDATE_SCREENSHOTS").is_some() {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots/validation-report.png")
    } else {
        dir.path("validation-report.png")
    };
    let _ = std::fs::remove_file(&out);
    let status = std::process::Command::new("/usr/bin/chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", &format!("--screenshot={}", out.display()), "--window-size=1200,1600"])
        .arg(format!("file://{}", html.canonicalize().unwrap().display()))
        .output()
        .expect("chromium runs");
    assert!(status.status.success(), "chromium: {}", String::from_utf8_lossy(&status.stderr));
    let png = std::fs::read(&out).expect("the screenshot is written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "a real picture");
}

#[tokio::test]
async fn demo_validates_clean_on_both_targets() {
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    assert_eq!(ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "3000"]).code, 0);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "valdemo").await;
        // `--report x.html`: the page, and the JSON beside it.
        let page = dir.path(&format!("{kind:?}.run.html"));
        let run = ferry(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--report", page.to_str().unwrap(), "--jobs", "3"]);
        assert!(run.code == 0 || run.code == 2, "{kind:?}: {}", run.stderr);
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Migration report") && html.contains("order_items"), "{kind:?}");
        let run_json: J = serde_json::from_str(&std::fs::read_to_string(page.with_extension("json")).unwrap()).unwrap();
        assert_eq!(run_json["completed"], true);
        for rr in [None, Some(page.with_extension("json"))] {
            let mut extra = vec![];
            let p;
            if let Some(r) = &rr {
                p = r.to_str().unwrap().to_string();
                extra = vec!["--run-report", p.as_str()];
            }
            let (v, rep) = validate(&src, &db, &extra);
            assert_eq!(v.code, 0, "{kind:?}: {}\n{}", v.stdout, v.stderr);
            assert_eq!(rep["clean"], true);
            assert_eq!(rep["mismatches"], 0);
            assert_eq!(rep["tables"].as_array().unwrap().len(), ferry_core::demo::TABLES.len());
            let rows: u64 = rep["tables"].as_array().unwrap().iter().map(|t| t["rows_matched"].as_u64().unwrap()).sum();
            assert_eq!(rows, rep["rows_compared"].as_u64().unwrap(), "{kind:?}: every row matched");
            for t in rep["tables"].as_array().unwrap() {
                assert_eq!(t["method"], "key", "{kind:?} {}: every demo table has a key", t["table"]);
            }
        }
    }
}

#[tokio::test]
async fn validate_says_what_is_wrong_with_bad_input() {
    let dir = Scratch::new();
    let src = dir.path("fam.sqlite");
    build_source(&src);
    // An empty target: every table is named as not there.
    let db = TestDb::new(Kind::Pg, "valempty").await;
    let (v, rep) = validate(&src, &db, &[]);
    assert_eq!(v.code, 2, "{}", v.stderr);
    let err = table(&rep, "fam")["error"].as_str().unwrap();
    assert!(err.contains("fam") && err.contains("does not exist"), "{err}");
    // A password in the URL (the test server trusts any) stays out of every report.
    let mut with_secret = url::Url::parse(&db.url).unwrap();
    with_secret.set_password(Some("s3cret")).unwrap();
    let page = dir.path("secret.html");
    let v = ferry(&["validate", src.to_str().unwrap(), "--to", with_secret.as_str(), "--json", "--report", page.to_str().unwrap()]);
    let rep: J = serde_json::from_str(&v.stdout).unwrap_or(J::Null);
    assert_eq!(v.code, 2, "{}", v.stderr);
    assert!(!v.stdout.contains("s3cret") && rep["target"].as_str().unwrap().contains("***"), "{}", rep["target"]);
    assert!(!std::fs::read_to_string(&page).unwrap().contains("s3cret"));
    // Unreachable server, wrong password, missing file: one line, exit 1, no password shown.
    let r = ferry(&["validate", src.to_str().unwrap(), "--to", "postgres://postgres:s3cret@127.0.0.1:1/x"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("cannot reach") && !r.stderr.contains("s3cret"), "{}", r.stderr);
    let r = ferry(&["validate", dir.path("nope.sqlite").to_str().unwrap(), "--to", &db.url]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no such file"), "{}", r.stderr);
    let not_a_report = dir.path("other.json");
    std::fs::write(&not_a_report, "{\"x\": 1}").unwrap();
    let r = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url, "--run-report", not_a_report.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("is not a report"), "{}", r.stderr);
}

/// Year 0 (ISO 8601's 1 BC) in a TIMESTAMP column and its DEFAULT: PostgreSQL holds it (its
/// DEFAULT written as `0001 … BC`, read back as year 0000 by validate); MariaDB's DATETIME
/// starts at year 1000, so the column is carried as text. Every row arrives, nothing is left
/// behind, and validate compares clean.
#[tokio::test]
async fn year_zero_arrives_with_its_default_and_validates_clean() {
    let dir = Scratch::new();
    let src = dir.path("year0.db");
    Connection::open(&src)
        .unwrap()
        .execute_batch(
            "CREATE TABLE stamps (id INTEGER PRIMARY KEY, at TIMESTAMP NOT NULL DEFAULT '0000-01-01T00:00:00.000Z');
             INSERT INTO stamps (id) VALUES (1);
             INSERT INTO stamps VALUES (2, '2024-05-06T07:08:09.123Z'), (3, '0000-12-31T23:59:59Z');",
        )
        .unwrap();
    for kind in Kind::all() {
        let db = TestDb::new(kind, "year0").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert!(!run.stdout.contains("left behind"), "{kind:?}: {}", run.stdout);
        assert_eq!(rep["tables"]["stamps"]["rows_written"], 3, "{kind:?}: {rep}");
        let (v, rep) = validate(&src, &db, &[]);
        assert_eq!((rep["clean"].as_bool(), rep["mismatches"].as_u64()), (Some(true), Some(0)), "{kind:?}: {}{}", v.stdout, v.stderr);
        if kind == Kind::Pg {
            // The DEFAULT is there and means year 0.
            db.exec("INSERT INTO stamps (id) VALUES (4)").await.unwrap();
            let got = db.texts("SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS BC') FROM stamps WHERE id IN (1, 4) ORDER BY id").await;
            assert_eq!(got, [Some("0001-01-01 00:00:00 BC".to_string()), Some("0001-01-01 00:00:00 BC".to_string())]);
        }
    }
}
