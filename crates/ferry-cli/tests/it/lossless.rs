//! Every row arrives by default (#13): values the best type of their column cannot hold make
//! the plan carry the column in the narrowest type that holds them all, the best type is
//! offered back as a suggestion with how many values it would reject, and validate compares
//! the run clean — into both targets.

use crate::common::*;
use rusqlite::{params, Connection};
use ferry_core::mapping::SuggestionKind;
use serde_json::Value as J;
use std::path::Path;

/// The values the issue names, one table each: `'maybe'` in a BOOLEAN column, an impossible
/// date, text in NUMERIC(20,6), a NUL byte and bytes that are not UTF-8 in TEXT, text in an
/// INTEGER column, and year 0 in a TIMESTAMP (MariaDB's DATETIME starts at year 1000).
fn build(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE flags (id INTEGER PRIMARY KEY, b BOOLEAN);
         INSERT INTO flags (b) VALUES (0), (1), (1), ('maybe');
         CREATE TABLE days (id INTEGER PRIMARY KEY, d DATE);
         INSERT INTO days (d) VALUES ('2024-01-01'), ('2024-03-01'), ('2024-02-30');
         CREATE TABLE money (id INTEGER PRIMARY KEY, n NUMERIC(20,6));
         INSERT INTO money (n) VALUES (1.5), (2.25), ('abc');
         CREATE TABLE counts (id INTEGER PRIMARY KEY, k INTEGER);
         INSERT INTO counts (k) VALUES (1), (2), ('lots');
         CREATE TABLE stamps (id INTEGER PRIMARY KEY, at TIMESTAMP NOT NULL DEFAULT '0000-01-01T00:00:00.000Z');
         INSERT INTO stamps (id) VALUES (1);
         CREATE TABLE notes (id INTEGER PRIMARY KEY, s TEXT, raw TEXT);
         INSERT INTO notes VALUES (1, 'a', 'x'), (2, 'b', 'y');",
    )
    .unwrap();
    c.execute("INSERT INTO notes VALUES (3, ?1, CAST(?2 AS TEXT))", params!["nul\0inside", vec![0xffu8, 0xfe, b'z']]).unwrap();
}

/// Each table's column the test is about, and the type the plan must carry it as in each target.
const COLUMNS: &[(&str, &str, &str, &str, &str)] = &[
    // table, column, PostgreSQL type, MariaDB type, the narrower type offered back (either of `a|b`)
    ("flags", "b", "text", "longtext", "boolean|tinyint(1)"),
    ("days", "d", "text", "longtext", "date"),
    ("money", "n", "text", "longtext", "(20,6)"),
    ("counts", "k", "text", "longtext", "int"),
    ("notes", "s", "bytea", "longtext", "text"),
    ("notes", "raw", "bytea", "longblob", "text"),
    ("stamps", "at", "timestamp", "longtext", "datetime"),
];

#[tokio::test]
async fn values_the_best_type_refuses_arrive_and_validate_clean() {
    let dir = Scratch::new();
    let src = dir.path("refused.db");
    build(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "lossless").await;
        // The plan: each column widened, the best type a suggestion that counts what it rejects.
        let plan_path = dir.path(&format!("{}.toml", db.name));
        let plan = ferry(&["plan", src.to_str().unwrap(), "--to", &db.url, "--out", plan_path.to_str().unwrap()]);
        assert_eq!(plan.code, 0, "{kind:?}: {}", plan.stderr);
        let plan = ferry_core::plan::Plan::load(&plan_path).unwrap();
        for (table, column, pg, my, narrower) in COLUMNS {
            let col = plan.tables.iter().find(|t| t.source == *table).and_then(|t| t.columns.iter().find(|c| c.source == *column)).unwrap_or_else(|| panic!("{table}.{column} in the plan"));
            let want = if kind == Kind::Pg { pg } else { my };
            assert!(col.target_type.to_lowercase().starts_with(want), "{kind:?} {table}.{column}: {}, want {want} ({})", col.target_type, col.reason);
            // Where the best type holds every value (a NUL in MariaDB's text, year 0 in
            // PostgreSQL's timestamp) nothing is widened and nothing is offered back.
            if (kind == Kind::My && *column == "s") || (kind == Kind::Pg && *column == "at") {
                assert_eq!(col.unfit, 0, "{kind:?} {table}.{column}: {}", col.reason);
                continue;
            }
            // No value fits the declared type (year 0 in MariaDB's DATETIME): the values decide
            // and the reason says so; a type that holds none is not offered back.
            if kind == Kind::My && *column == "at" {
                assert!(col.reason.contains("only 0 of 1 values fit") && col.suggestion.is_none(), "{kind:?} {table}.{column}: {}", col.reason);
                continue;
            }
            let s = col.suggestion.as_ref().unwrap_or_else(|| panic!("{kind:?} {table}.{column}: no suggestion ({})", col.reason));
            assert_eq!((s.kind, s.unfit), (SuggestionKind::Narrower, 1), "{kind:?} {table}.{column}: {s:?}");
            assert!(narrower.split('|').any(|n| s.target_type.to_lowercase().contains(n)), "{kind:?} {table}.{column}: {s:?}");
            assert!(col.reason.contains("every row arrives"), "{kind:?} {table}.{column}: {}", col.reason);
        }
        // The default run: every row written, none rejected; validate compares clean.
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert!(!run.stdout.contains("left behind or changed"), "{kind:?}: {}", run.stdout);
        for (name, t) in rep["tables"].as_object().unwrap() {
            assert_eq!(t["rows_written"], t["rows_read"], "{kind:?} {name}: {t}");
            assert_eq!(t["rejected_total"], 0, "{kind:?} {name}: {t}");
        }
        // The report lists each value that keeps its column wider, with why.
        let widened = |table: &str| rep["tables"][table]["widened"].as_array().cloned().unwrap_or_default();
        let w = widened("flags");
        assert_eq!(w.len(), 1, "{kind:?}: {w:?}");
        assert_eq!((w[0]["row"]["id"].as_i64(), w[0]["column"].as_str(), w[0]["value"].as_str()), (Some(4), Some("b"), Some("maybe")), "{kind:?}");
        assert!(w[0]["reason"].as_str().unwrap().contains("cannot hold it"), "{kind:?}: {}", w[0]);
        assert_eq!(widened("days")[0]["value"], "2024-02-30", "{kind:?}");
        assert_eq!(widened("counts")[0]["value"], "lots", "{kind:?}");
        assert!(run.stdout.contains("wider than") && run.stdout.contains("flags.b"), "{kind:?}: {}", run.stdout);
        let v = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url, "--json"]);
        let v: J = serde_json::from_str(&v.stdout).unwrap_or_else(|e| panic!("{kind:?}: validate --json: {e}: {}", v.stderr));
        assert_eq!((v["clean"].as_bool(), v["mismatches"].as_u64()), (Some(true), Some(0)), "{kind:?}: {v}");
        // The values themselves, as written.
        assert_eq!(db.texts(&format!("SELECT b FROM {} WHERE id = 4", db.q("flags"))).await, [Some("maybe".to_string())], "{kind:?}");
        assert_eq!(db.texts(&format!("SELECT d FROM {} WHERE id = 3", db.q("days"))).await, [Some("2024-02-30".to_string())], "{kind:?}");
    }
}

/// A foreign-key column holding a value of another kind (text in an INTEGER column that
/// references an INTEGER key): by default the row arrives — the column is carried as text —
/// and the key, which the target cannot make between text and integers, is left off and
/// named with how to keep it; pre-flight says so first. Choosing the narrower type keeps the
/// key and rejects that row, by name.
#[tokio::test]
async fn a_widened_foreign_key_column_keeps_its_rows_and_names_the_key() {
    let dir = Scratch::new();
    let src = dir.path("fk.db");
    Connection::open(&src)
        .unwrap()
        .execute_batch(
            "PRAGMA foreign_keys = OFF; CREATE TABLE p (id INTEGER PRIMARY KEY); INSERT INTO p VALUES (1), (2);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id)); INSERT INTO c VALUES (1, 1), (2, 2), (3, 'abc');",
        )
        .unwrap();
    for kind in Kind::all() {
        let url = if kind == Kind::Pg { "postgres://nobody@127.0.0.1:1/none" } else { "mysql://nobody@127.0.0.1:1/none" };
        let pf = ferry(&["preflight", src.to_str().unwrap(), "--to", url]);
        assert_eq!(pf.code, 0, "{kind:?}: {}", pf.stderr);
        assert!(pf.stdout.contains("foreign key (p_id) → p: not created: column p_id is carried as") && pf.stdout.contains("choose narrow_type for c.p_id"), "{kind:?}: {}", pf.stdout);

        let db = TestDb::new(kind, "fkwide").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 2, "{kind:?}: the key left off is reported: {}{}", run.stdout, run.stderr);
        let c = &rep["tables"]["c"];
        assert_eq!((c["rows_written"].as_u64(), c["rejected_total"].as_u64()), (Some(3), Some(0)), "{kind:?}: {c}");
        assert_eq!(db.texts("SELECT p_id FROM c WHERE id = 3").await, vec![Some("abc".into())], "{kind:?}");
        assert!(rep["warnings"].to_string().contains("the target cannot compare that with p.id"), "{kind:?}: {}", rep["warnings"]);
        drop(db);

        // narrow_type: the key is made and the row it cannot hold is rejected by name.
        let plan = dir.path(&format!("{kind:?}.toml"));
        let run = ferry(&["preflight", src.to_str().unwrap(), "--to", url, "--choose", "c.p_id:narrower_type=narrow_type", "--out", plan.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{kind:?}: the row the narrower type refuses needs a choice: {}", run.stdout);
        let db = TestDb::new(kind, "fknarrow").await;
        let (run, rep) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert!(!run.stdout.contains("foreign key (p_id)"), "{kind:?}: the foreign key is made: {}", run.stdout);
        let c = &rep["tables"]["c"];
        assert_eq!((c["rows_written"].as_u64(), c["rejected_total"].as_u64(), c["rejected"][0]["row"]["id"].as_i64()), (Some(2), Some(1), Some(3)), "{kind:?}: {c}");
        assert!(db.exec("INSERT INTO c (id, p_id) VALUES (9, 99)").await.is_err(), "{kind:?}: the key holds");
    }
}

/// Pre-flight offers each narrower type back as a group: the rows that keep the column wider,
/// kept by default; `narrow_type` takes the best type, and the values it cannot hold are then
/// groups of their own, counted before the run, rejected unless chosen otherwise.
#[tokio::test]
async fn preflight_offers_the_narrower_type_with_the_rows_it_would_refuse() {
    let dir = Scratch::new();
    let src = dir.path("refused.db");
    build(&src);
    for (kind, url) in [(Kind::Pg, "postgres://nobody@127.0.0.1:1/none"), (Kind::My, "mysql://nobody@127.0.0.1:1/none")] {
        let pf = ferry(&["preflight", src.to_str().unwrap(), "--to", url, "--json"]);
        assert_eq!(pf.code, 0, "{kind:?}: every row arrives by default: {}", pf.stderr);
        let pf: J = serde_json::from_str(&pf.stdout).unwrap();
        let group = |pf: &J, table: &str, column: &str, kind_name: &str| pf["groups"].as_array().unwrap().iter().find(|g| g["table"] == table && g["column"] == column && g["kind"] == kind_name).cloned();
        let g = group(&pf, "flags", "b", "narrower_type").unwrap_or_else(|| panic!("{kind:?}: no narrower_type group for flags.b: {}", pf["groups"]));
        assert_eq!((g["count"].as_u64(), g["default"].as_str(), g["outcome"].as_str()), (Some(1), Some("keep"), Some("kept (wider type)")), "{kind:?}: {g}");
        assert_eq!(g["choices"], serde_json::json!(["keep", "narrow_type"]));
        assert_eq!((g["examples"][0]["row"]["id"].as_i64(), g["examples"][0]["value"].as_str()), (Some(4), Some("maybe")), "{kind:?}: {g}");
        assert!(g["cause"].as_str().unwrap().contains("cannot hold these values"), "{g}");
        let d = group(&pf, "days", "d", "narrower_type").expect("days.d");
        assert_eq!(d["examples"][0]["value"], "2024-02-30");

        // Take the narrower type for two columns: they change in the plan, and the values they
        // cannot hold are counted, each row named, before anything runs.
        let plan = dir.path(&format!("{kind:?}.toml"));
        let args = ["preflight", src.to_str().unwrap(), "--to", url, "--json", "--choose", "flags.b:narrower_type=narrow_type", "--choose", "days.d:narrower_type=narrow_type", "--out", plan.to_str().unwrap()];
        let run = ferry(&args);
        assert_eq!(run.code, 2, "{kind:?}: the rows the narrower types refuse need a choice: {}", run.stderr);
        let pf: J = serde_json::from_str(&run.stdout).unwrap();
        assert!(group(&pf, "flags", "b", "narrower_type").is_none(), "{kind:?}: taken");
        let refused: Vec<&J> = pf["groups"].as_array().unwrap().iter().filter(|g| (g["table"] == "flags" || g["table"] == "days") && g["default"] == "reject_rows").collect();
        assert_eq!(refused.len(), 2, "{kind:?}: {refused:?}");
        assert!(refused.iter().all(|g| g["count"] == 1 && g["outcome"] == "rejected"), "{kind:?}: {refused:?}");
        let saved = ferry_core::plan::Plan::load(&plan).unwrap();
        let col = |t: &str, c: &str| saved.tables.iter().find(|x| x.source == t).unwrap().columns.iter().find(|x| x.source == c).unwrap().clone();
        assert!(col("flags", "b").target_type.contains("bool") || col("flags", "b").target_type.contains("tinyint"), "{kind:?}: {:?}", col("flags", "b"));
        assert_eq!((col("days", "d").target_type.as_str(), col("days", "d").unfit), ("date", 1), "{kind:?}");
        assert!(saved.choices.is_empty(), "{kind:?}: done, the choice leaves the plan: {:?}", saved.choices);
        // Asked again of a column already in its best type: said plainly.
        let again = ferry(&["preflight", src.to_str().unwrap(), "--to", url, "--plan", plan.to_str().unwrap(), "--choose", "days.d:narrower_type=narrow_type", "--out", dir.path("x.toml").to_str().unwrap()]);
        assert_eq!(again.code, 1, "{kind:?}: {}", again.stdout);
        assert!(again.stderr.contains("already in its best type (date)"), "{kind:?}: {}", again.stderr);
    }
    // The run with the narrowed plan rejects exactly the rows pre-flight named.
    for kind in Kind::all() {
        let db = TestDb::new(kind, "narrowed").await;
        let plan = dir.path(&format!("{kind:?}.toml"));
        let (run, rep) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{kind:?}: {}", run.stderr);
        assert_eq!((rep["tables"]["flags"]["rejected_total"].as_u64(), rep["tables"]["flags"]["rejected"][0]["row"]["id"].as_i64()), (Some(1), Some(4)), "{kind:?}");
        assert_eq!((rep["tables"]["days"]["rejected_total"].as_u64(), rep["tables"]["days"]["rejected"][0]["row"]["id"].as_i64()), (Some(1), Some(3)), "{kind:?}");
    }
}
