//! Into MySQL/MariaDB through LOAD DATA LOCAL INFILE streamed from memory (#15): every value
//! arrives exactly; a batch the server takes with a warning (LOAD DATA LOCAL skips a duplicate
//! and clips a value too long, with a warning) is rolled back and sent again by INSERT, so each
//! refused row is reported exactly as without the path; where the server refuses LOAD DATA
//! LOCAL, the run says so once and loads by INSERT.

use crate::common::*;
use rusqlite::{params, Connection};
use serde_json::Value as J;
use std::path::Path;
use std::time::Duration;

/// The text values whose escaping matters, one row each (a NULL between them).
const TEXTS: &[&str] = &["a\tb", "line\nbreak", "cr\rlf\r\n", "back\\slash", "\\N", "\\\\N", "NULL", "N", "", "\\", "ends\\", "\\t not a tab", "🚀 four bytes 𝄞", "nul\0inside", "it's \"quoted\"", "\t\n\\"];

fn build_edges(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE edge (id INTEGER PRIMARY KEY, s TEXT, b BLOB, f REAL, d TEXT, flag BOOLEAN, day DATE, at TIMESTAMP, doc JSON);
         CREATE TABLE counter (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
         INSERT INTO counter VALUES (0, 'zero'), (1, 'one'), (2, 'two');",
    )
    .unwrap();
    let blobs: [&[u8]; 6] = [&[0, 9, 10, 13, 92], &[0xe0, 9, 0xf0], &[], &[0xff; 1000], &[b'\\', b'N'], &[0]];
    let floats = [-0.0, 0.0, 1e-300, f64::MAX, -2.5, 0.1, f64::MIN_POSITIVE];
    let decimals = ["12345678901234567890123456789012345.123456789012345678901234567891", "-0.000000000000000000000000000001", "1.500000000000000000000000000000", "99999999999999999999999999999999999.999999999999999999999999999999"];
    let days = ["2024-02-29", "1000-01-01", "9999-12-31"];
    let docs = ["{\"a\":\"x\\ty\",\"b\":[1,2.5,null]}", "[\"\\\\N\",\"\\u00e9\"]", "\"\\n\""];
    for i in 0..400usize {
        let s: Option<&str> = if i % (TEXTS.len() + 1) == TEXTS.len() { None } else { Some(TEXTS[i % (TEXTS.len() + 1)]) };
        let b: Option<&[u8]> = if i % 7 == 6 { None } else { Some(blobs[i % 6]) };
        c.execute(
            "INSERT INTO edge VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![i as i64 + 1, s, b, floats[i % floats.len()], decimals[i % decimals.len()], (i % 3 != 2).then_some(i % 3 == 1), days[i % days.len()], format!("2024-03-05 13:22:{:02}.{:06}", i % 60, i * 7919 % 1_000_000), docs[i % docs.len()]],
        )
        .unwrap();
    }
}

async fn com_load(db: &TestDb) -> i64 {
    db.texts("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'COM_LOAD'").await[0].clone().unwrap().parse().unwrap()
}

fn warnings_naming_load_data(rep: &J) -> Vec<J> {
    rep["warnings"].as_array().cloned().unwrap_or_default().into_iter().filter(|w| w.to_string().contains("LOAD DATA")).collect()
}

#[tokio::test]
async fn edge_values_arrive_exactly_through_load_data() {
    let dir = Scratch::new();
    let src = dir.path("edges.sqlite");
    build_edges(&src);
    let db = TestDb::new(Kind::My, "infile_edges").await;
    let before = com_load(&db).await;
    // The decimals as text (each with all 30 places: validate compares a text source as
    // text), planned as the widest DECIMAL: every digit goes through.
    let plan = plan_with_type(&src, &db.url, "d", "decimal(65,30)", &dir.path("plan.toml"));
    let (run, rep) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(com_load(&db).await > before, "the rows went by LOAD DATA");
    assert!(warnings_naming_load_data(&rep).is_empty(), "{rep}");
    for (name, t) in rep["tables"].as_object().unwrap() {
        assert_eq!((t["rows_written"].clone(), t["rejected_total"].clone(), t["changed_total"].clone()), (t["rows_read"].clone(), J::from(0), J::from(0)), "{name}: {t}");
    }
    // Validated against the plan the run used: every value equal, the schema as planned.
    let v = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap(), "--json"]);
    let v: J = serde_json::from_str(&v.stdout).unwrap_or_else(|e| panic!("validate --json: {e}: {}", v.stderr));
    assert_eq!((v["mismatches"].as_u64(), v["rows_compared"].as_u64()), (Some(0), Some(403)), "{v}");
    assert_eq!(v["schema"].as_array().map(|a| a.len()), Some(0), "{v}");
    // The values themselves, byte for byte.
    let n = TEXTS.len() + 1;
    let got = db.texts(&format!("SELECT HEX(s) FROM edge WHERE id <= {n} ORDER BY id")).await;
    let want: Vec<Option<String>> = (0..n).map(|i| TEXTS.get(i).map(|s| s.bytes().map(|b| format!("{b:02X}")).collect())).collect();
    assert_eq!(got, want);
    let got = db.texts("SELECT CONCAT_WS(' ', IFNULL(HEX(b), 'null'), LENGTH(b)) FROM edge WHERE id <= 7 ORDER BY id").await;
    assert_eq!(got.iter().map(|s| s.clone().unwrap()).collect::<Vec<_>>(), ["00090A0D5C 5", "E009F0 3", " 0", format!("{} 1000", "FF".repeat(1000)).as_str(), "5C4E 2", "00 1", "null"]);
    let got = db.texts("SELECT CAST(f AS CHAR) FROM edge WHERE id <= 2 ORDER BY id").await;
    // MariaDB keeps no negative zero (an INSERT of -0e0 stores 0 too); validate takes them as equal.
    assert_eq!(got, [Some("0".to_string()), Some("0".to_string())]);
    let got = db.texts("SELECT CAST(d AS CHAR) FROM edge WHERE id <= 2 ORDER BY id").await;
    assert_eq!(got, [Some("12345678901234567890123456789012345.123456789012345678901234567891".to_string()), Some("-0.000000000000000000000000000001".to_string())]);
    assert_eq!(db.texts("SELECT GROUP_CONCAT(id ORDER BY id) FROM counter").await, [Some("0,1,2".to_string())], "an AUTO_INCREMENT 0 stays 0");
}

/// A UNIQUE column SQLite compares by ASCII case only (`é` and `É` differ) that the target
/// compares in full, and a value too long for the planned `tinytext` (255 bytes): the same
/// rows are refused, with the same reasons, whether the path is on or refused.
fn build_refusals(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch("CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE UNIQUE, note TEXT);").unwrap();
    for i in 1..=600i64 {
        let name = match i {
            100 => "é".to_string(),
            200 => "É".to_string(),
            _ => format!("name {i}"),
        };
        let note = if i == 300 || i == 450 { "🚀".repeat(200) } else { format!("note\t{i}\\") };
        c.execute("INSERT INTO u VALUES (?1, ?2, ?3)", params![i, name, note]).unwrap();
    }
}

fn migrate_with(src: &Path, db: &TestDb, plan: &Path, env: &[(&str, &str)]) -> (Run, J) {
    let report = src.with_extension(format!("{}.report.json", db.name));
    let args = ["migrate", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap(), "--report", report.to_str().unwrap()];
    let (run, _) = ferry_within(&args, env, Duration::from_secs(120));
    let rep = std::fs::read_to_string(&report).map(|s| serde_json::from_str(&s).expect("report is JSON")).unwrap_or(J::Null);
    (run, rep)
}

#[tokio::test]
async fn refusals_in_a_load_data_batch_are_reported_as_by_insert_and_a_refused_path_is_said_once() {
    let dir = Scratch::new();
    let src = dir.path("refusals.sqlite");
    build_refusals(&src);
    let on = TestDb::new(Kind::My, "infile_on").await;
    let off = TestDb::new(Kind::My, "infile_off").await;
    let plan = plan_with_type(&src, &on.url, "note", "tinytext", &dir.path("plan.toml"));
    let (run_on, rep_on) = migrate_with(&src, &on, &plan, &[]);
    let (run_off, rep_off) = migrate_with(&src, &off, &plan, &[("FERRY_TEST_REFUSE_LOCAL_INFILE", "1")]);
    for (run, rep) in [(&run_on, &rep_on), (&run_off, &rep_off)] {
        assert_eq!(run.code, 2, "rows were rejected: {}{}", run.stdout, run.stderr);
        let t = &rep["tables"]["u"];
        assert_eq!((t["rows_written"].as_u64(), t["rejected_total"].as_u64()), (Some(597), Some(3)), "{t}");
    }
    // Each report's refusals, with the database's name (in some messages) taken out.
    let rejected = |rep: &J, db: &TestDb| {
        let mut r = rep["tables"]["u"]["rejected"].as_array().cloned().unwrap();
        r.sort_by_key(|x| x["row"]["id"].as_i64());
        serde_json::from_str::<Vec<J>>(&J::from(r).to_string().replace(&db.name, "DB")).unwrap()
    };
    let (a, b) = (rejected(&rep_on, &on), rejected(&rep_off, &off));
    assert_eq!(a, b, "the same refusals with and without LOAD DATA");
    let ids: Vec<i64> = a.iter().map(|r| r["row"]["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [200, 300, 450]);
    assert!(a[0]["reason"].as_str().unwrap().contains("Duplicate entry"), "{}", a[0]);
    assert!(a[1]["reason"].as_str().unwrap().contains("Incorrect string value"), "{}", a[1]);
    assert!(warnings_naming_load_data(&rep_on).is_empty(), "{rep_on}");
    let said = warnings_naming_load_data(&rep_off);
    assert_eq!(said.len(), 1, "said once: {said:?}");
    assert!(said[0].to_string().contains("loaded by INSERT"), "{}", said[0]);
    // What arrived is the same too.
    let sums = "SELECT CONCAT(COUNT(*), ' ', SUM(CRC32(CONCAT_WS('|', id, name, note)))) FROM u";
    assert_eq!(on.texts(sums).await, off.texts(sums).await);
}
