//! Round trips of edge cases this test builds: every value read back from each target
//! equals the source value, or sits in the report; each schema fact holds.

use crate::common::*;
use rusqlite::{params, Connection};
use serde_json::Value as J;

/// One column of the `edge` table: its declaration, the values stored, and how a target
/// value reads back (as text) for each.
struct Case {
    column: &'static str,
    decl: &'static str,
    values: Vec<rusqlite::types::Value>,
}

fn big_text() -> String {
    let unit = "héllo\t\"wörld\"\r\n\\ 🚀 it's ";
    unit.repeat(1_000_000 / unit.len() + 1)
}

fn cases() -> Vec<Case> {
    use rusqlite::types::Value::*;
    vec![
        Case { column: "i64", decl: "INTEGER", values: vec![Integer(i64::MIN), Integer(i64::MAX), Integer(0), Integer(-1), Null] },
        Case {
            column: "dbl",
            decl: "REAL",
            values: vec![Real(0.1), Real(1e300), Real(-2.5e-7), Real(5e-324), Real(f64::MAX), Real(1.0 / 3.0), Real(19.99)],
        },
        Case { column: "money", decl: "NUMERIC(10,2)", values: vec![Real(19.99), Real(0.01), Real(-12345678.99), Integer(7), Null] },
        Case {
            column: "txt",
            decl: "TEXT",
            values: vec![
                Text("emoji 🚀 and 日本語".into()),
                Text("tab\there\r\nCRLF and \\backslash\\ and 'quotes' \"double\"".into()),
                Text(String::new()),
                Text(big_text()),
                Text("\\N".into()),
                Null,
            ],
        },
        Case {
            column: "blb",
            decl: "BLOB",
            values: vec![Blob(vec![]), Blob((0..=255).collect()), Blob((0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect()), Null],
        },
        Case { column: "flag", decl: "BOOLEAN", values: vec![Integer(0), Integer(1), Null] },
        Case {
            column: "ts",
            decl: "DATETIME",
            values: vec![
                Text("2024-03-05 14:22:01".into()),
                Text("2024-03-05T14:22:01.123456".into()),
                Text("2024-03-05T14:22:01+02:00".into()),
                Text("1999-12-31 23:59:59.5Z".into()),
            ],
        },
        Case { column: "js", decl: "JSON", values: vec![Text(r#"{"a": [1, 2, {"b": null}], "é": "x\ny"}"#.into()), Text("[]".into()), Text(r#"{"n": 1.5e10}"#.into())] },
        Case { column: "day", decl: "DATE", values: vec![Text("2024-02-29".into()), Text("1970-01-01".into())] },
        Case { column: "untyped", decl: "", values: vec![Integer(42), Integer(-42), Null] },
    ]
}

const ROWS: usize = 7;

fn value_at(c: &Case, row: usize) -> rusqlite::types::Value {
    c.values[row % c.values.len()].clone()
}

fn build_source(path: &std::path::Path) {
    let conn = Connection::open(path).unwrap();
    let cs = cases();
    let cols: Vec<String> = cs.iter().map(|c| format!("\"{}\" {}", c.column, c.decl)).collect();
    conn.execute_batch(&format!("CREATE TABLE edge (id INTEGER PRIMARY KEY, {});", cols.join(", "))).unwrap();
    let names: Vec<String> = cs.iter().map(|c| format!("\"{}\"", c.column)).collect();
    let marks: Vec<String> = (0..=cs.len()).map(|i| format!("?{}", i + 1)).collect();
    let sql = format!("INSERT INTO edge (id, {}) VALUES ({})", names.join(", "), marks.join(", "));
    for row in 0..ROWS {
        let mut vals: Vec<rusqlite::types::Value> = vec![rusqlite::types::Value::Integer(row as i64 + 1)];
        vals.extend(cs.iter().map(|c| value_at(c, row)));
        conn.execute(&sql, rusqlite::params_from_iter(vals)).unwrap();
    }
    // Values a target cannot hold, each in a column whose other values are fine.
    conn.execute_batch(
        "CREATE TABLE bad (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, t TEXT, r REAL, d DATETIME, j JSON);
         INSERT INTO bad VALUES (1, 1, 'ok', 1.5, '2024-01-01 00:00:00', '{}');
         INSERT INTO bad VALUES (2, 2, 'ok', 2.5, '2024-01-02 00:00:00', '[]');
         INSERT INTO bad VALUES (3, 3, 'ok', 3.5, '2024-01-03 00:00:00', '[1]');
         INSERT INTO bad VALUES (4, 4, 'ok', 4.5, '2024-01-04 00:00:00', '{\"a\":1}');
         INSERT INTO bad VALUES (5, 'lots-of-it', 'ok', 5.5, '2024-01-05 00:00:00', '{}');
         INSERT INTO bad VALUES (6, 6, 'ok', 6.5, '2023-02-30 10:00:00', '{}');
         INSERT INTO bad VALUES (7, 7, 'ok', 7.5, '2024-01-07 00:00:00', '{not json');
         INSERT INTO bad VALUES (8, 8, 'ok', 1e999, '2024-01-08 00:00:00', '{}');",
    )
    .unwrap();
    conn.execute("INSERT INTO bad VALUES (9, 9, ?1, 9.5, '2024-01-09 00:00:00', '{}')", params!["nul\0inside"]).unwrap();
    conn.execute("INSERT INTO bad VALUES (10, 10, CAST(?1 AS TEXT), 10.5, '2024-01-10 00:00:00', '{}')", params![vec![0xffu8, 0xfe, b'x']]).unwrap();
    // Schema facts.
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE parent (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            code TEXT NOT NULL UNIQUE,
            qty INTEGER NOT NULL DEFAULT 5 CHECK (qty >= 0),
            note TEXT DEFAULT 'it''s',
            quoted TEXT DEFAULT '\"0\"',
            created TEXT DEFAULT CURRENT_TIMESTAMP
         );
         INSERT INTO parent (id, code, qty) VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3), (40, 'gone', 4);
         DELETE FROM parent WHERE id = 40;
         CREATE TABLE child (
            id INTEGER PRIMARY KEY,
            parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE,
            name TEXT
         );
         INSERT INTO child VALUES (1, 1, 'x'), (2, 2, 'y'), (3, 999, 'orphan'), (4, NULL, 'no parent is fine');
         CREATE TABLE \"order\" (\"select\" INTEGER PRIMARY KEY, \"Mixed Case\" TEXT, \"a_column_name_that_is_much_longer_than_sixty_four_characters_in_total_x\" TEXT, \"a_column_name_that_is_much_longer_than_sixty_four_characters_in_total_y\" TEXT);
         INSERT INTO \"order\" VALUES (1, 'M', 'x', 'y');
         CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE UNIQUE);
         INSERT INTO names VALUES (1, 'Émile'), (2, 'émile'), (3, 'bob');
         CREATE TABLE calc (id INTEGER PRIMARY KEY, qty INTEGER, doubled INTEGER GENERATED ALWAYS AS (qty * 2) VIRTUAL, \"it's \"\"odd\"\" `x`\" TEXT);
         INSERT INTO calc (id, qty, \"it's \"\"odd\"\" `x`\") VALUES (1, 21, 'q');
         CREATE VIEW v_child AS SELECT c.name, p.code FROM child c JOIN parent p ON p.id = c.parent_id;
         CREATE TRIGGER trg_child AFTER INSERT ON child BEGIN UPDATE parent SET qty = qty + 1 WHERE id = NEW.parent_id; END;
         CREATE VIRTUAL TABLE docs USING fts5(body);
         INSERT INTO docs VALUES ('hello world');
         CREATE TABLE gp (id INTEGER PRIMARY KEY);
         CREATE TABLE par (id INTEGER PRIMARY KEY, gp_id INTEGER REFERENCES gp(id));
         CREATE TABLE kid (id INTEGER PRIMARY KEY, par_id INTEGER REFERENCES par(id));
         INSERT INTO gp VALUES (1);
         INSERT INTO par VALUES (1, 99), (2, 1);
         INSERT INTO kid VALUES (1, 1), (2, 2);
         CREATE INDEX ix_child_name ON child (name) WHERE name IS NOT NULL;
         CREATE INDEX ix_names_lower ON names (lower(name));",
    )
    .unwrap();
}

/// What a source value reads back as, in the text form `read_back` produces.
fn expected(c: &Case, v: &rusqlite::types::Value) -> Option<String> {
    use rusqlite::types::Value::*;
    Some(match v {
        Null => return None,
        Integer(i) if c.decl == "BOOLEAN" => (if *i == 1 { "true" } else { "false" }).into(),
        Integer(i) => i.to_string(),
        Real(f) if c.decl == "REAL" => format!("{:016x}", f.to_bits()),
        Real(f) => ferry_core::value::Decimal::from_f64(*f).unwrap().to_plain(),
        Text(t) if c.decl == "DATETIME" => ferry_core::value::parse_iso_timestamp(t).unwrap().utc_text(),
        Text(t) if c.decl == "JSON" => crate::compare::canonical_json(&serde_json::from_str::<J>(t).unwrap()),
        Text(t) => t.clone(),
        Blob(b) => ferry_core::value::hex(b),
    })
}

/// Reads a column back as text, in a form where equal means the same value.
async fn read_back(db: &TestDb, c: &Case) -> Vec<Option<String>> {
    let col = db.q(c.column);
    match (db.kind, c.decl) {
        (Kind::Pg, "REAL") => {
            let mut conn = db.pg().await;
            let rows: Vec<Option<f64>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {col} FROM edge ORDER BY id"))).fetch_all(&mut conn).await.unwrap();
            rows.into_iter().map(|f| f.map(|f| format!("{:016x}", f.to_bits()))).collect()
        }
        (Kind::My, "REAL") => {
            let mut conn = db.my().await;
            let rows: Vec<Option<f64>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {col} FROM edge ORDER BY id"))).fetch_all(&mut conn).await.unwrap();
            rows.into_iter().map(|f| f.map(|f| format!("{:016x}", f.to_bits()))).collect()
        }
        (Kind::Pg, "BLOB") => db.texts(&format!("SELECT encode({col}, 'hex') FROM edge ORDER BY id")).await,
        (Kind::My, "BLOB") => db.texts(&format!("SELECT LOWER(HEX({col})) FROM edge ORDER BY id")).await.into_iter().collect(),
        (Kind::Pg, "BOOLEAN") => db.texts(&format!("SELECT CASE WHEN {col} THEN 'true' WHEN NOT {col} THEN 'false' END FROM edge ORDER BY id")).await,
        (Kind::My, "BOOLEAN") => db.texts(&format!("SELECT CASE WHEN {col} = 1 THEN 'true' WHEN {col} = 0 THEN 'false' END FROM edge ORDER BY id")).await,
        (Kind::Pg, "DATETIME") => db.texts(&format!("SELECT to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM edge ORDER BY id")).await,
        (Kind::My, "DATETIME") => db.texts(&format!("SELECT DATE_FORMAT({col}, '%Y-%m-%d %H:%i:%s.%f') FROM edge ORDER BY id")).await,
        (Kind::Pg, "JSON") => db.texts(&format!("SELECT {col}::text FROM edge ORDER BY id")).await,
        (Kind::My, "JSON") => db.texts(&format!("SELECT CAST({col} AS CHAR) FROM edge ORDER BY id")).await,
        (Kind::Pg, _) => db.texts(&format!("SELECT {col}::text FROM edge ORDER BY id")).await,
        (Kind::My, _) => db.texts(&format!("SELECT CAST({col} AS CHAR) FROM edge ORDER BY id")).await,
    }
}

fn normalize(c: &Case, s: Option<String>) -> Option<String> {
    let s = s?;
    Some(match c.decl {
        // Both sides as the same instant at microseconds.
        "DATETIME" => ferry_core::value::parse_iso_timestamp(&s).map(|i| i.utc_text()).unwrap_or(s),
        // The same JSON document, whatever the spacing and key order.
        "JSON" => serde_json::from_str::<J>(&s).map(|j| crate::compare::canonical_json(&j)).unwrap_or(s),
        "NUMERIC(10,2)" => ferry_core::value::Decimal::parse(&s).map(|d| d.to_plain()).unwrap_or(s),
        _ => s,
    })
}

async fn roundtrip(kind: Kind) {
    let dir = Scratch::new();
    let src = dir.path("edge.sqlite");
    build_source(&src);
    let before = sha256(&src);
    let db = TestDb::new(kind, "rt").await;
    // The narrowest types, so the values they refuse are rejected and reported.
    let plan = narrow_plan(&src, &db.url, &dir.path("narrow.toml"));
    let (run, rep) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
    assert_eq!(sha256(&src), before, "the source file is never written to");
    assert_eq!(run.code, 2, "rejections make exit status 2\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert_eq!(rep["completed"], J::Bool(true), "{}", rep);

    // Every value of `edge` arrives exactly.
    for c in cases() {
        let got: Vec<Option<String>> = read_back(&db, &c).await.into_iter().map(|s| normalize(&c, s)).collect();
        let want: Vec<Option<String>> = (0..ROWS).map(|r| expected(&c, &value_at(&c, r))).collect();
        assert_eq!(got.len(), want.len(), "{kind:?} {}", c.column);
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(g == w, "{kind:?} column {} row {}: got {:?}, want {:?}", c.column, i + 1, g.as_ref().map(|s| &s[..s.len().min(80)]), w.as_ref().map(|s| &s[..s.len().min(80)]));
        }
    }
    assert!(rep["tables"]["edge"]["rejected"].as_array().unwrap().is_empty(), "{}", rep["tables"]["edge"]);

    // Every bad value is named in the report with its key, column and value; the good rows load.
    let rejected = rep["tables"]["bad"]["rejected"].as_array().unwrap().clone();
    let find = |id: i64| rejected.iter().find(|r| r["row"]["id"] == id).cloned();
    let expect_rejected: Vec<(i64, &str)> = match kind {
        Kind::Pg => vec![(5, "n"), (6, "d"), (7, "j"), (9, "t"), (10, "t")],
        Kind::My => vec![(5, "n"), (6, "d"), (7, "j"), (8, "r"), (10, "t")],
    };
    for (id, col) in &expect_rejected {
        let r = find(*id).unwrap_or_else(|| panic!("{kind:?}: row {id} is not in the report: {rejected:?}"));
        assert_eq!(r["column"], J::from(*col), "{r}");
        assert!(!r["reason"].as_str().unwrap().is_empty());
        assert!(!r["value"].is_null(), "{r}");
    }
    assert_eq!(rejected.len(), expect_rejected.len(), "{kind:?}: {rejected:?}");
    let ids = db.texts(&format!("SELECT CAST(id AS {}) FROM bad ORDER BY id", if kind == Kind::Pg { "text" } else { "CHAR" })).await;
    let loaded: Vec<i64> = ids.into_iter().map(|s| s.unwrap().parse().unwrap()).collect();
    let want: Vec<i64> = (1..=10).filter(|i| !expect_rejected.iter().any(|(r, _)| r == i)).collect();
    assert_eq!(loaded, want, "{kind:?}: the good rows of `bad` load");
    if kind == Kind::Pg {
        let inf = db.texts("SELECT r::text FROM bad WHERE id = 8").await;
        assert_eq!(inf, vec![Some("Infinity".into())]);
    } else {
        let nul = db.texts("SELECT HEX(t) FROM bad WHERE id = 9").await;
        assert_eq!(nul, vec![Some("6E756C00696E73696465".into())], "NUL arrives in MySQL text");
    }

    // Orphans load with the rest, under a foreign key that guards new writes but is not
    // checked against them (PostgreSQL NOT VALID; MySQL/MariaDB made with checks off); the
    // report lists each under its key. Nothing is rejected for them.
    let orphans_of = |table: &str| {
        let t = &rep["tables"][table];
        assert_eq!(t["rejected_total"], 0, "{kind:?} {table}: {t}");
        let keys = t["unchecked_keys"].as_array().unwrap_or_else(|| panic!("{kind:?} {table}: no unchecked key: {t}"));
        assert_eq!(keys.len(), 1, "{kind:?} {table}: {keys:?}");
        let rows: Vec<(J, J)> = keys[0]["rows"].as_array().unwrap().iter().map(|r| (r["row"]["id"].clone(), r["value"].clone())).collect();
        (keys[0]["orphans"].as_u64().unwrap(), rows, keys[0]["state"].as_str().unwrap().to_string())
    };
    let state = if kind == Kind::Pg { "left NOT VALID" } else { "created with foreign_key_checks off" };
    assert_eq!(orphans_of("child"), (1, vec![(J::from(3), J::from(999))], state.to_string()));
    assert_eq!(orphans_of("par"), (1, vec![(J::from(1), J::from(99))], state.to_string()));
    let as_text = if kind == Kind::Pg { "text" } else { "CHAR" };
    assert_eq!(db.texts(&format!("SELECT CAST(parent_id AS {as_text}) FROM child WHERE id = 3")).await, vec![Some("999".into())], "{kind:?}: the orphan arrived");
    // Its own children stay too, with their parent.
    assert_eq!(
        db.texts("SELECT CONCAT(CAST(k.id AS CHAR), '/', CAST(p.id AS CHAR)) FROM kid k JOIN par p ON p.id = k.par_id ORDER BY k.id").await,
        vec![Some("1/1".into()), Some("2/2".into())]
    );
    let warnings = rep["warnings"].to_string();
    assert!(warnings.contains(&format!("{state}: 1 row has no parent row")), "{kind:?}: {warnings}");
    // The key still refuses a new orphan, and takes a row with a parent.
    let refused = db.exec("INSERT INTO child (id, parent_id, name) VALUES (50, 12345, 'new orphan')").await;
    assert!(refused.is_err(), "{kind:?}: the foreign key refuses new orphans");
    db.exec("INSERT INTO child (id, parent_id, name) VALUES (51, 2, 'new child')").await.unwrap();
    // trg_child is carried and fires: parent b's qty went from 2 to 3.
    let qty = db.texts(&format!("SELECT CAST(qty AS {}) FROM parent WHERE id = 2", if kind == Kind::Pg { "text" } else { "CHAR" })).await;
    assert_eq!(qty, vec![Some("3".into())], "{kind:?}: the trigger fired");

    // Schema facts.
    let t = |s: &str| db.q(s);
    assert!(db.exec("INSERT INTO parent (id, code) VALUES (1, 'dup-id')").await.is_err(), "primary key holds");
    assert!(db.exec("INSERT INTO parent (code) VALUES ('a')").await.is_err(), "UNIQUE holds");
    assert!(db.exec("INSERT INTO parent (code, qty) VALUES ('neg', -1)").await.is_err(), "CHECK refuses a bad row");
    db.exec("INSERT INTO parent (code) VALUES ('new')").await.unwrap();
    let row = db.texts(&format!("SELECT CAST(id AS {c}) FROM parent WHERE code = 'new'", c = if kind == Kind::Pg { "text" } else { "CHAR" })).await;
    let new_id: i64 = row[0].clone().unwrap().parse().unwrap();
    assert!(new_id > 40, "the next id lands above max(id) and sqlite_sequence (got {new_id})");
    let defaults = db.texts(&format!("SELECT CONCAT(CAST(qty AS {c}), '|', note, '|', quoted, '|', {created}) FROM parent WHERE code = 'new'",
        c = if kind == Kind::Pg { "text" } else { "CHAR" },
        created = if kind == Kind::Pg { "CASE WHEN created::text ~ '^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d' THEN 'ts' ELSE created::text END" } else { "CASE WHEN CAST(created AS CHAR) REGEXP '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}' THEN 'ts' ELSE CAST(created AS CHAR) END" })).await;
    assert_eq!(defaults, vec![Some("5|it's|\"0\"|ts".into())], "DEFAULTs fill a row inserted without them");
    // ON DELETE CASCADE carried.
    db.exec("DELETE FROM parent WHERE id = 1").await.unwrap();
    let left = db.texts("SELECT name FROM child ORDER BY id").await;
    assert_eq!(left, vec![Some("y".into()), Some("orphan".into()), Some("no parent is fine".into()), Some("new child".into())]);
    assert!(db.exec("INSERT INTO child (id, parent_id) VALUES (10, 12345)").await.is_err(), "foreign key holds");
    if kind == Kind::Pg {
        // Made NOT VALID and then validated: every key the rows satisfy ends validated; the two
        // with orphans stay NOT VALID (they refuse the row above too, and vouch for nothing
        // already there — the report says so).
        let keys = db.texts("SELECT string_agg(conname || '=' || convalidated::text, ',' ORDER BY conname) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace").await;
        assert_eq!(keys, vec![Some("child_parent_id_fkey=false,kid_par_id_fkey=true,par_gp_id_fkey=false".into())]);
    }

    // Reserved words, case and spaces quoted; the long names renamed and reported.
    let o = db.texts(&format!("SELECT {} FROM {} WHERE {} = 1", t("Mixed Case"), t("order"), t("select"))).await;
    assert_eq!(o, vec![Some("M".into())]);
    let renames = rep["renames"].as_array().unwrap();
    if kind == Kind::Pg {
        assert_eq!(renames.len(), 2, "{renames:?}");
        assert_ne!(renames[0]["to"], renames[1]["to"]);
    } else {
        assert_eq!(renames.len(), 2, "{renames:?}");
    }
    // NOCASE + UNIQUE: SQLite folds ASCII only, so 'Émile' and 'émile' are two values there;
    // both targets' case-insensitive collations fold É too: one of them is reported, none vanish.
    let names_rej = rep["tables"]["names"]["rejected"].as_array().unwrap();
    assert_eq!(names_rej.len(), 1, "{kind:?}: {names_rej:?}");
    assert_eq!(names_rej[0]["row"]["id"], J::from(2));
    // A generated column stays generated; an identifier with quotes of both kinds arrives.
    let calc = db.texts(&format!("SELECT CONCAT(CAST(doubled AS {c}), {q}) FROM calc", c = if kind == Kind::Pg { "text" } else { "CHAR" }, q = t("it's \"odd\" `x`"))).await;
    assert_eq!(calc, vec![Some("42q".into())]);
    db.exec("UPDATE calc SET qty = 5").await.unwrap();
    assert_eq!(db.texts(&format!("SELECT CAST(doubled AS {}) FROM calc", if kind == Kind::Pg { "text" } else { "CHAR" })).await, vec![Some("10".into())]);
    // The view and the trigger are translated; the FTS5 table arrives as a table of its
    // documents (fts.rs tests its search), without its shadow tables.
    // (Child 2 and the new child 51 both have parent b; the orphan joins nothing.)
    assert_eq!(db.texts("SELECT code FROM v_child ORDER BY code").await, vec![Some("b".into()), Some("b".into())]);
    let warned: Vec<String> = rep["warnings"].as_array().unwrap().iter().map(|w| w["object"].as_str().unwrap().to_string()).collect();
    assert!(!warned.iter().any(|w| w.starts_with("trigger ")), "{warned:?}");
    assert!(rep["created"].as_array().unwrap().iter().any(|c| c["kind"] == "trigger" && c["name"] == "trg_child"), "{}", rep["created"]);
    assert!(!warned.iter().any(|w| w.starts_with("virtual table")), "{warned:?}");
    let tables = rep["tables"].as_object().unwrap();
    assert!(tables.contains_key("docs") && tables.keys().all(|k| !k.starts_with("docs_")), "FTS shadow tables are not copied: {:?}", tables.keys().collect::<Vec<_>>());
    assert_eq!(db.texts(&format!("SELECT body FROM docs WHERE {} = 1", t("rowid"))).await, vec![Some("hello world".into())]);
    // The partial index and the expression index exist (MariaDB: over a virtual column).
    let idx_sql = match kind {
        Kind::Pg => "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' AND indexname IN ('ix_child_name', 'ix_names_lower') ORDER BY 1",
        Kind::My => "SELECT DISTINCT CAST(index_name AS CHAR) FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name IN ('ix_child_name', 'ix_names_lower') ORDER BY 1",
    };
    assert_eq!(db.texts(idx_sql).await, vec![Some("ix_child_name".into()), Some("ix_names_lower".into())]);
    if kind == Kind::My {
        // The index under the foreign key (made with the table's other indexes) is the one
        // InnoDB would make: named as the key, and the only index on its column.
        let fk = db.texts("SELECT CAST(constraint_name AS CHAR) FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE() AND table_name = 'child'").await;
        let on_parent_id = db.texts("SELECT CAST(index_name AS CHAR) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'child' AND column_name = 'parent_id'").await;
        assert_eq!((fk.len(), on_parent_id), (1, fk.clone()), "one index under the foreign key, named as it");
    }
}

#[tokio::test]
async fn roundtrip_postgres() {
    roundtrip(Kind::Pg).await;
}

#[tokio::test]
async fn roundtrip_mariadb() {
    roundtrip(Kind::My).await;
}

/// `--strict` stops at the first value the target would refuse.
#[tokio::test]
async fn strict_stops_at_the_first_refusal() {
    let dir = Scratch::new();
    let src = dir.path("strict.sqlite");
    let conn = Connection::open(&src).unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER); INSERT INTO t VALUES (1, 1), (2, 'two'), (3, 3);").unwrap();
    drop(conn);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "strict").await;
        let plan = narrow_plan(&src, &db.url, &dir.path("narrow.toml"));
        let (run, _) = migrate(&src, &db, &["--strict", "--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{kind:?}: {}", run.stderr);
        assert!(run.stderr.contains("two") && run.stderr.lines().count() == 1, "{kind:?}: {}", run.stderr);
    }
}

/// A plan's override wins, and a value it rounds is reported as changed.
#[tokio::test]
async fn plan_override_and_changed_values() {
    let dir = Scratch::new();
    let src = dir.path("items.sqlite");
    let conn = Connection::open(&src).unwrap();
    conn.execute_batch("CREATE TABLE items (id INTEGER PRIMARY KEY, price REAL); INSERT INTO items VALUES (1, 1.005), (2, 2.5);").unwrap();
    drop(conn);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "plan").await;
        let plan = dir.path(&format!("{}.toml", db.name));
        let r = ferry(&["plan", src.to_str().unwrap(), "--to", &db.url, "--out", plan.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let text = std::fs::read_to_string(&plan).unwrap();
        let want = if kind == Kind::Pg { "double precision" } else { "double" };
        assert!(text.contains(&format!("type = \"{want}\"")), "{text}");
        let over = if kind == Kind::Pg { "numeric(12,2)" } else { "decimal(12,2)" };
        std::fs::write(&plan, text.replace(&format!("type = \"{want}\""), &format!("type = \"{over}\""))).unwrap();
        let (run, rep) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let changed = rep["tables"]["items"]["changed"].as_array().unwrap();
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert_eq!(changed[0]["row"]["id"], J::from(1));
        assert_eq!(changed[0]["to"], J::from("1.01"));
        assert_eq!(changed[0]["reason"], J::from("rounded to scale 2"));
        let vals = db.texts(&format!("SELECT CAST(price AS {}) FROM items ORDER BY id", if kind == Kind::Pg { "text" } else { "CHAR" })).await;
        assert_eq!(vals, vec![Some("1.01".into()), Some("2.50".into())]);
    }
}

/// `--schema NAME` (PostgreSQL): the schema is made, and tables, keys, foreign keys and
/// views land in it; `public` stays empty.
#[tokio::test]
async fn postgres_schema_option() {
    let dir = Scratch::new();
    let src = dir.path("schema.sqlite");
    let conn = Connection::open(&src).unwrap();
    conn.execute_batch(
        "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));
         INSERT INTO a VALUES (1, 'x'); INSERT INTO b VALUES (1, 1);
         CREATE VIEW ab AS SELECT a.name, b.id FROM a JOIN b ON b.a_id = a.id;",
    )
    .unwrap();
    drop(conn);
    let db = TestDb::new(Kind::Pg, "schema").await;
    let (run, _) = migrate(&src, &db, &["--schema", "Shop Data"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(db.texts("SELECT name FROM \"Shop Data\".ab").await, vec![Some("x".into())]);
    assert!(db.exec("INSERT INTO \"Shop Data\".b VALUES (2, 99)").await.is_err(), "the foreign key holds");
    assert!(db.texts("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'").await.is_empty());
    // A second run into the same schema is refused: it is no longer empty.
    let (again, _) = migrate(&src, &db, &["--schema", "Shop Data"]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("not empty") && again.stderr.contains("Shop Data"), "{}", again.stderr);
}

/// `ferry preflight` finds, without writing or even connecting, what `migrate` rejects:
/// every bad value with its key, and the orphans.
#[test]
fn preflight_finds_what_migrate_rejects() {
    let dir = Scratch::new();
    let src = dir.path("edge.sqlite");
    build_source(&src);
    let before = sha256(&src);
    for (url, kind) in [("postgres://nobody@127.0.0.1:1/none", Kind::Pg), ("mysql://nobody@127.0.0.1:1/none", Kind::My)] {
        let plan = narrow_plan(&src, url, &dir.path("narrow.toml"));
        let run = ferry(&["preflight", src.to_str().unwrap(), "--to", url, "--plan", plan.to_str().unwrap(), "--json"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let pf: J = serde_json::from_str(&run.stdout).unwrap();
        let groups = pf["groups"].as_array().unwrap();
        let mut bad: Vec<(i64, String)> = groups
            .iter()
            .filter(|g| g["table"] == "bad")
            .flat_map(|g| g["examples"].as_array().unwrap().iter().map(move |e| (e["row"]["id"].as_i64().unwrap(), g["column"].as_str().unwrap().to_string())))
            .collect();
        bad.sort();
        let want: Vec<(i64, String)> = match kind {
            Kind::Pg => vec![(5, "n"), (6, "d"), (7, "j"), (9, "t"), (10, "t")],
            Kind::My => vec![(5, "n"), (6, "d"), (7, "j"), (8, "r"), (10, "t")],
        }
        .into_iter()
        .map(|(i, c)| (i, c.to_string()))
        .collect();
        assert_eq!(bad, want, "{kind:?}");
        let orphan = |table: &str| groups.iter().find(|g| g["table"] == table && g["cause"].as_str().unwrap().starts_with("orphan")).map(|g| g["examples"][0]["row"]["id"].clone());
        assert_eq!(orphan("child"), Some(J::from(3)));
        assert_eq!(orphan("par"), Some(J::from(1)));
        assert!(!pf["objects"].as_array().unwrap().iter().any(|o| o["object"] == "trigger trg_child"), "the trigger is carried");
    }
    assert_eq!(sha256(&src), before);
}

/// Many refused rows: the report keeps the first 1,000 of a table and counts them all; the
/// rejects file beside it lists every one with its key, column and value.
#[tokio::test]
async fn every_rejected_row_is_in_the_rejects_file() {
    let dir = Scratch::new();
    let src = dir.path("many.sqlite");
    let conn = Connection::open(&src).unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT);").unwrap();
    for i in 1..=6000i64 {
        if i % 2 == 0 {
            conn.execute("INSERT INTO t VALUES (?1, CAST(?2 AS TEXT))", params![i, vec![0xffu8, i as u8]]).unwrap();
        } else {
            conn.execute("INSERT INTO t VALUES (?1, 'fine')", params![i]).unwrap();
        }
    }
    drop(conn);
    let db = TestDb::new(Kind::Pg, "many").await;
    let plan = narrow_plan(&src, &db.url, &dir.path("narrow.toml"));
    let (run, rep) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let t = &rep["tables"]["t"];
    assert_eq!(t["rejected"].as_array().unwrap().len(), 1000);
    assert_eq!(t["rejected_total"], 3000);
    assert_eq!(t["rows_written"], 3000);
    let file = rep["rejects_file"].as_str().expect("rejects file named in the report");
    let lines: Vec<J> = std::fs::read_to_string(file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3000);
    assert_eq!(mode(std::path::Path::new(file)), 0o600, "the rejected rows are the owner's alone");
    let mut ids: Vec<i64> = lines.iter().map(|l| l["row"]["id"].as_i64().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, (1..=3000).map(|i| i * 2).collect::<Vec<_>>());
    assert!(lines.iter().all(|l| l["table"] == "t" && l["kind"] == "rejected" && l["column"] == "s" && l["value"].as_str().unwrap().starts_with("x'ff")));
    assert!(run.stdout.contains("3,000 rows rejected"), "{}", run.stdout);
}

/// A row bigger than MariaDB's max_allowed_packet is rejected by name instead of ending the
/// run; the rows around it load.
#[tokio::test]
async fn a_row_over_max_allowed_packet_is_rejected_not_fatal() {
    let dir = Scratch::new();
    let src = dir.path("big.sqlite");
    let db = TestDb::new(Kind::My, "packet").await;
    let packet: u64 = db.texts("SELECT CAST(@@max_allowed_packet AS CHAR)").await[0].clone().unwrap().parse().unwrap();
    let conn = Connection::open(&src).unwrap();
    conn.execute_batch("CREATE TABLE b (id INTEGER PRIMARY KEY, data BLOB);").unwrap();
    conn.execute("INSERT INTO b VALUES (1, ?1)", params![vec![7u8; 1000]]).unwrap();
    // As hex in the INSERT it doubles: well over the limit.
    conn.execute("INSERT INTO b VALUES (2, ?1)", params![vec![9u8; packet as usize / 2 + 4096]]).unwrap();
    conn.execute("INSERT INTO b VALUES (3, ?1)", params![vec![8u8; 1000]]).unwrap();
    drop(conn);
    let (run, rep) = migrate(&src, &db, &[]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let rej = rep["tables"]["b"]["rejected"].as_array().unwrap();
    assert_eq!(rej.len(), 1, "{rej:?}");
    assert_eq!(rej[0]["row"]["id"], 2);
    assert!(rej[0]["reason"].as_str().unwrap().contains("max_allowed_packet"));
    assert_eq!(db.texts("SELECT CAST(id AS CHAR) FROM b ORDER BY id").await, vec![Some("1".into()), Some("3".into())]);
}
