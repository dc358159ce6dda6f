//! SQLite triggers carried to the real PostgreSQL and MariaDB: after `ferry migrate` each
//! translated trigger fires on the target as it does in SQLite (the same DML run on both, the
//! effects compared), none fired while the rows were copied, the ones a target cannot have
//! are named with their SQL and the reason, and `ferry rollback` leaves nothing behind.

use super::common::*;
use std::path::Path;

/// Items with an audit log, an `updated_at` trigger, a guard, a cascade, an AFTER INSERT log,
/// one whose WHEN reads a table, and one trigger no target takes (INSERT OR REPLACE). Rows are written before the triggers,
/// so the source holds a row the guard would refuse (qty -3) and a log of 2 rows.
fn build_source(path: &Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL, updated_at TEXT);
         CREATE TABLE item_log (id INTEGER PRIMARY KEY AUTOINCREMENT, item_id INTEGER, old_qty INTEGER, new_qty INTEGER, at TEXT NOT NULL);
         CREATE TABLE parts (id INTEGER PRIMARY KEY, item_id INTEGER, label TEXT);
         INSERT INTO items VALUES (1, 'bolt', 5, '2024-01-01 10:00:00'), (2, 'nut', 9, '2024-01-02 11:00:00'), (3, 'odd', -3, '2024-01-03 12:00:00');
         INSERT INTO item_log (item_id, old_qty, new_qty, at) VALUES (1, 4, 5, '2024-01-01 10:00:00'), (2, 8, 9, '2024-01-02 11:00:00');
         INSERT INTO parts VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 2, 'c'), (4, 3, 'd');
         CREATE TRIGGER trg_audit AFTER UPDATE ON items
         BEGIN
             INSERT INTO item_log VALUES (NULL, NEW.id, OLD.qty, NEW.qty, datetime('now'));
         END;
         CREATE TRIGGER trg_touch AFTER UPDATE ON items FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
         BEGIN
             UPDATE items SET updated_at = datetime('now') WHERE id = NEW.id;
         END;
         CREATE TRIGGER IF NOT EXISTS trg_guard BEFORE INSERT ON items WHEN NEW.qty < 0
         BEGIN
             SELECT RAISE(ABORT, 'negative');
         END;
         CREATE TRIGGER trg_cascade AFTER DELETE ON items BEGIN DELETE FROM parts WHERE item_id = OLD.id; END;
         CREATE TRIGGER trg_part_added AFTER INSERT ON parts
         BEGIN
             INSERT INTO item_log (item_id, old_qty, new_qty, at) VALUES (NEW.item_id, NULL, NULL, CURRENT_TIMESTAMP);
         END;
         CREATE TRIGGER trg_first_part AFTER INSERT ON parts
         WHEN NOT EXISTS (SELECT 1 FROM parts p WHERE p.item_id = NEW.item_id AND p.id <> NEW.id)
         BEGIN
             INSERT INTO item_log (item_id, old_qty, new_qty, at) VALUES (NEW.item_id, 0, 0, datetime('now'));
         END;
         CREATE TRIGGER trg_replace AFTER INSERT ON parts BEGIN INSERT OR REPLACE INTO item_log (item_id, at) VALUES (NEW.item_id, 'x'); END;",
    )
    .unwrap();
}

/// The DML run on the source and on the target, in order; the guard's INSERT fails on both.
const DML: &[&str] = &[
    "UPDATE items SET qty = 7 WHERE id = 1",
    "UPDATE items SET name = 'nut2', updated_at = '2025-05-05 05:05:05' WHERE id = 2",
    "DELETE FROM items WHERE id = 2",
    "INSERT INTO parts (id, item_id, label) VALUES (10, 1, 'e')",
    // Item 2's parts went with it: this is its first part again (trg_first_part's WHEN).
    "INSERT INTO parts (id, item_id, label) VALUES (11, 2, 'f')",
];
const REFUSED: &str = "INSERT INTO items (id, name, qty) VALUES (10, 'bad', -1)";

const LOG: &str = "SELECT concat_ws('|', coalesce(item_id, -1), coalesce(old_qty, -1), coalesce(new_qty, -1)) FROM item_log";
const PARTS: &str = "SELECT concat_ws('|', id, item_id, label) FROM parts";

fn sqlite_rows(c: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut st = c.prepare(sql).unwrap();
    let mut v: Vec<String> = st.query_map([], |r| r.get::<_, String>(0)).unwrap().map(|r| r.unwrap()).collect();
    v.sort();
    v
}

async fn target_rows(db: &TestDb, sql: &str) -> Vec<String> {
    let mut v: Vec<String> = db.texts(sql).await.into_iter().map(|x| x.unwrap_or_default()).collect();
    v.sort();
    v
}

async fn triggers_fire_as_in_sqlite(kind: Kind) {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    build_source(&src);
    let db = TestDb::new(kind, "triggers").await;
    let (run, rep) = migrate(&src, &db, &[]);
    // 2: complete, with objects left behind (named below).
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);

    // What was made, and what was named instead (with its SQL and the reason).
    let created: Vec<String> = rep["created"].as_array().unwrap().iter().filter(|c| c["kind"] == "trigger").map(|c| c["name"].as_str().unwrap().to_string()).collect();
    let warned: Vec<(String, String)> = rep["warnings"].as_array().unwrap().iter()
        .filter(|w| w["object"].as_str().unwrap().starts_with("trigger "))
        .map(|w| (w["object"].as_str().unwrap().trim_start_matches("trigger ").to_string(), w["reason"].as_str().unwrap().to_string()))
        .collect();
    let mut expect_made = vec!["trg_audit", "trg_cascade", "trg_first_part", "trg_guard", "trg_part_added", "trg_touch"];
    if kind == Kind::My {
        expect_made.retain(|t| *t != "trg_touch");
    }
    let mut made = created.clone();
    made.sort();
    assert_eq!(made, expect_made, "{warned:?}");
    let not_made: Vec<&str> = warned.iter().map(|(n, _)| n.as_str()).collect();
    let expect_not: Vec<&str> = if kind == Kind::My { vec!["trg_touch", "trg_replace"] } else { vec!["trg_replace"] };
    let mut sorted = not_made.clone();
    sorted.sort();
    let mut want = expect_not.clone();
    want.sort();
    assert_eq!(sorted, want, "{warned:?}");
    for (name, reason) in &warned {
        assert!(reason.contains(&format!("CREATE TRIGGER {name}")) || reason.contains(&format!("CREATE TRIGGER IF NOT EXISTS {name}")), "the SQL is given: {reason}");
        match name.as_str() {
            "trg_replace" => assert!(reason.contains("INSERT OR IGNORE/REPLACE"), "{reason}"),
            // SQLite's inner UPDATE fires trg_audit again: no BEFORE trigger does the same.
            "trg_touch" => assert!(reason.contains("error 1442") && reason.contains("fires trg_audit"), "{reason}"),
            _ => unreachable!(),
        }
    }

    // The copy fired nothing: the log holds the source's rows, the guarded row arrived, the
    // updated_at values are the source's.
    let source = rusqlite::Connection::open(&src).unwrap();
    assert_eq!(target_rows(&db, LOG).await, sqlite_rows(&source, "SELECT coalesce(item_id, -1) || '|' || coalesce(old_qty, -1) || '|' || coalesce(new_qty, -1) FROM item_log"));
    assert_eq!(db.texts("SELECT name FROM items WHERE qty < 0").await, [Some("odd".to_string())]);
    let touched = |db: &TestDb| {
        let sql = match db.kind {
            Kind::Pg => "SELECT CAST(updated_at AS text) FROM items WHERE id = 1",
            Kind::My => "SELECT CAST(updated_at AS CHAR) FROM items WHERE id = 1",
        };
        sql.to_string()
    };
    let before = db.texts(&touched(&db)).await;
    assert!(before[0].as_deref().is_some_and(|s| s.starts_with("2024-01-01 10:00:00")), "{before:?}");
    drop(source);

    // The same DML on a copy of the source without the triggers the target did not get, and on
    // the target: the same rows come of it.
    let twin = dir.path("twin.sqlite");
    std::fs::copy(&src, &twin).unwrap();
    let sqlite = rusqlite::Connection::open(&twin).unwrap();
    for name in &not_made {
        sqlite.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
    }
    for sql in DML {
        sqlite.execute_batch(sql).unwrap();
        db.exec(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let e = sqlite.execute_batch(REFUSED).unwrap_err().to_string();
    assert!(e.contains("negative"), "{e}");
    let e = db.exec(REFUSED).await.unwrap_err();
    assert!(e.contains("negative"), "the guard's message on the target: {e}");
    assert_eq!(db.texts("SELECT name FROM items WHERE id = 10").await, Vec::<Option<String>>::new(), "the guarded row is refused");

    let sqlite_log = sqlite_rows(&sqlite, "SELECT coalesce(item_id, -1) || '|' || coalesce(old_qty, -1) || '|' || coalesce(new_qty, -1) FROM item_log");
    assert_eq!(target_rows(&db, LOG).await, sqlite_log, "the audit log");
    // Two UPDATEs and two INSERTs into parts each logged, the first part of item 2 once more
    // (and more where trg_touch's own UPDATE is).
    assert!(sqlite_log.len() >= 2 + 5, "the triggers wrote to the log: {sqlite_log:?}");
    assert!(sqlite_log.contains(&"2|0|0".to_string()), "trg_first_part fired: {sqlite_log:?}");
    assert_eq!(target_rows(&db, PARTS).await, sqlite_rows(&sqlite, "SELECT id || '|' || item_id || '|' || label FROM parts"), "the cascade");
    // Every log row the triggers wrote has its time.
    assert_eq!(db.texts("SELECT name FROM items WHERE id = 2").await.len(), 0);
    let untimed = db.texts("SELECT CASE WHEN count(*) = 0 THEN 'none' ELSE 'some' END FROM item_log WHERE at IS NULL").await;
    assert_eq!(untimed, [Some("none".to_string())]);
    let after = db.texts(&touched(&db)).await;
    if kind == Kind::Pg {
        // updated_at moved to the current time (UTC, whole seconds, as datetime('now')).
        assert_ne!(after, before, "trg_touch fired");
        let fresh = db.texts("SELECT CAST(count(*) AS text) FROM items WHERE id = 1 AND updated_at > (now() AT TIME ZONE 'UTC') - interval '5 minutes'").await;
        assert_eq!(fresh, [Some("1".to_string())], "{after:?}");
    } else {
        assert_eq!(after, before, "trg_touch is not on MariaDB");
    }

    // Rollback takes every trigger (and PostgreSQL's functions) back with the tables.
    rolled_back_by_report(&src, &db, &created).await;
}

/// `ferry rollback` of the run's report (`--force`: the test wrote rows since) drops each
/// trigger the run made, by the name it made it under, and leaves no function, trigger or
/// table behind.
async fn rolled_back_by_report(src: &Path, db: &TestDb, made: &[impl AsRef<str>]) {
    let kind = db.kind;
    let report = src.with_extension(format!("{}.report.json", db.name));
    let r = ferry(&["rollback", report.to_str().unwrap(), "--to", &db.url, "--force"]);
    assert_eq!(r.code, 0, "{kind:?}: {}{}", r.stdout, r.stderr);
    for t in made {
        assert!(r.stdout.contains(&format!("dropped trigger {}", t.as_ref())), "{kind:?}: {}", r.stdout);
    }
    let left = match kind {
        Kind::Pg => db.texts("SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' UNION ALL SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal UNION ALL SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'").await,
        Kind::My => db.texts("SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE() UNION ALL SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()").await,
    };
    assert!(left.is_empty(), "{kind:?}: left behind: {left:?}");
}

#[tokio::test]
async fn postgres_triggers_fire_as_in_sqlite() {
    triggers_fire_as_in_sqlite(Kind::Pg).await;
}

#[tokio::test]
async fn mariadb_triggers_fire_as_in_sqlite() {
    triggers_fire_as_in_sqlite(Kind::My).await;
}

/// Pre-flight names, before any run, the triggers each target cannot have.
#[tokio::test]
async fn preflight_names_the_triggers_a_target_cannot_have() {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    build_source(&src);
    // Unreachable servers: pre-flight checks offline, by the URL's dialect.
    for (dialect, expect) in [("postgres", vec!["trg_replace"]), ("mysql", vec!["trg_replace", "trg_touch"])] {
        let url = format!("{dialect}://nobody@127.0.0.1:1/none");
        let r = ferry(&["preflight", src.to_str().unwrap(), "--to", &url, "--json"]);
        assert!(r.code == 0 || r.code == 2, "{}{}", r.stdout, r.stderr);
        let pf: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
        let mut named: Vec<String> = pf["objects"].as_array().unwrap().iter()
            .filter_map(|o| o["object"].as_str().and_then(|s| s.strip_prefix("trigger ")).map(String::from))
            .collect();
        named.sort();
        assert_eq!(named, expect, "{dialect}: {}", pf["objects"]);
    }
}

/// A run stopped after its triggers were made, with no report (kill -9 just before the end):
/// `ferry rollback --to URL` takes the triggers back by the journal too (PostgreSQL's
/// functions would outlive the tables). The journal is put back as the run kept it then.
#[tokio::test]
async fn a_stopped_runs_triggers_go_with_its_journal() {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    build_source(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "triggers_jrb").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 2, "{kind:?}: {}{}", run.stdout, run.stderr);
        let made: Vec<&str> = rep["created"].as_array().unwrap().iter().filter(|c| c["kind"] == "trigger").map(|c| c["name"].as_str().unwrap()).collect();
        assert!(made.len() >= 5, "{kind:?}: {made:?}");
        let objects = ["items", "item_log", "parts"].iter().map(|t| (t, "table")).chain(made.iter().map(|t| (t, "trigger")));
        let rows: Vec<String> = objects.map(|(name, kind)| format!("SELECT 1, 'x', 'y', 0, '{name}', '{name}', '{kind}', 5")).collect();
        db.exec(&format!(
            "CREATE TABLE ferry_run_journal (source_size BIGINT NOT NULL, source_sha256 VARCHAR(64) NOT NULL, plan_hash VARCHAR(64) NOT NULL, started_unix BIGINT NOT NULL, table_name VARCHAR(1000) NOT NULL, target_name VARCHAR(1000) NOT NULL, kind VARCHAR(8) NOT NULL, state BIGINT NOT NULL);
             INSERT INTO ferry_run_journal {}",
            rows.join(" UNION ALL ")
        ))
        .await
        .unwrap();
        let r = ferry(&["rollback", "--to", &db.url]);
        assert_eq!(r.code, 0, "{kind:?}: {}{}", r.stdout, r.stderr);
        for t in &made {
            assert!(r.stdout.contains(&format!("dropped trigger {t}")), "{kind:?}: {}", r.stdout);
        }
        let left = match kind {
            Kind::Pg => db.texts("SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' UNION ALL SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'").await,
            Kind::My => db.texts("SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE() UNION ALL SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()").await,
        };
        assert!(left.is_empty(), "{kind:?}: left behind: {left:?}");
    }
}

/// The `updated_at` pattern alone on its table (as the demo's products have it): MariaDB gets
/// the BEFORE UPDATE trigger setting `NEW.updated_at`, PostgreSQL its AFTER trigger; the same
/// UPDATEs on SQLite and on the target leave the same rows, the fresh times aside (a row
/// changed without its time gets the current one, a row given one keeps it, several rows
/// at once each get theirs, an untouched row stays).
#[tokio::test]
async fn an_own_row_update_trigger_fires_on_both_targets() {
    let dir = Scratch::new();
    let src = dir.path("touch.sqlite");
    let c = rusqlite::Connection::open(&src).unwrap();
    c.execute_batch(
        "CREATE TABLE items (id TEXT PRIMARY KEY, qty INTEGER NOT NULL, updated_at TEXT);
         INSERT INTO items VALUES ('a', 1, '2024-01-01 10:00:00'), ('b', 2, '2024-01-02 10:00:00'), ('c', 3, '2024-01-03 10:00:00'), ('d', 4, '2024-01-04 10:00:00'), ('e', 5, '2024-01-05 10:00:00');
         CREATE TRIGGER touch AFTER UPDATE ON items FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
         BEGIN
             UPDATE items SET updated_at = datetime('now') WHERE id = NEW.id;
         END;",
    )
    .unwrap();
    drop(c);
    const DML: &[&str] = &[
        "UPDATE items SET qty = 7 WHERE id = 'a'",
        "UPDATE items SET qty = 8, updated_at = '2025-05-05 05:05:05' WHERE id = 'b'",
        "UPDATE items SET qty = qty + 10 WHERE id IN ('c', 'd')",
    ];
    let twin = dir.path("twin.sqlite");
    std::fs::copy(&src, &twin).unwrap();
    let sqlite = rusqlite::Connection::open(&twin).unwrap();
    for sql in DML {
        sqlite.execute_batch(sql).unwrap();
    }
    // Each row: its qty and its time, 'fresh' for one within the last five minutes.
    let want = sqlite_rows(&sqlite, "SELECT id || '|' || qty || '|' || CASE WHEN updated_at > datetime('now', '-5 minutes') THEN 'fresh' ELSE updated_at END FROM items");
    assert_eq!(want, ["a|7|fresh", "b|8|2025-05-05 05:05:05", "c|13|fresh", "d|14|fresh", "e|5|2024-01-05 10:00:00"]);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "touch").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert!(rep["created"].as_array().unwrap().iter().any(|c| c["kind"] == "trigger" && c["name"] == "touch"), "{kind:?}: {}", rep["created"]);
        if kind == Kind::My {
            // A BEFORE trigger, saying what it stands for where the server shows it.
            let t = db.texts("SELECT CONCAT(action_timing, ' ', CAST(action_statement AS CHAR)) FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND trigger_name = 'touch'").await;
            let t = t[0].clone().unwrap_or_default();
            assert!(t.starts_with("BEFORE") && t.contains("Ferry: SQLite's AFTER UPDATE trigger") && t.contains("SET NEW.`updated_at` = "), "{t}");
        }
        for sql in DML {
            db.exec(sql).await.unwrap_or_else(|e| panic!("{kind:?}: {sql}: {e}"));
        }
        let sql = match kind {
            Kind::Pg => "SELECT concat_ws('|', id, qty, CASE WHEN updated_at > (now() AT TIME ZONE 'UTC') - interval '5 minutes' THEN 'fresh' ELSE to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') END) FROM items",
            Kind::My => "SELECT concat_ws('|', id, qty, CASE WHEN updated_at > UTC_TIMESTAMP() - INTERVAL 5 MINUTE THEN 'fresh' ELSE DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s') END) FROM items",
        };
        assert_eq!(target_rows(&db, sql).await, want, "{kind:?}");
    }
}

/// A trigger name of 70 characters: SQLite takes it, MariaDB's limit is 64, PostgreSQL's 63
/// bytes.
const LONG: &str = "trg_guard_guard_guard_guard_guard_guard_guard_guard_guard_guard_guard_";

/// A source of one table, `items` (one row), with `triggers` on it.
fn items_with(path: &Path, triggers: &str) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(&format!("CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL); INSERT INTO items VALUES (1, 5); {triggers}"))
        .unwrap();
}

/// Pre-flight's rehearsal makes each translated trigger on the real server, in its scratch
/// place: what the server refuses (MariaDB, a user without the TRIGGER privilege) is named
/// before any run, with the server's reason and the SQL; as root nothing is. A name over 64
/// characters, which SQLite takes, is no longer among what MariaDB refuses: it is cut.
#[tokio::test]
async fn preflight_rehearses_the_triggers_on_the_server() {
    let dir = Scratch::new();
    let src = dir.path("long.sqlite");
    let long = LONG;
    items_with(&src, &format!(
        "CREATE TRIGGER {long} BEFORE INSERT ON items WHEN NEW.qty < 0 BEGIN SELECT RAISE(ABORT, 'negative'); END;
         CREATE TRIGGER short AFTER DELETE ON items BEGIN SELECT RAISE(ABORT, 'kept'); END;"
    ));
    assert!(long.len() > 64);
    let rehearsed = |url: &str| -> Vec<(String, String)> {
        let r = ferry(&["preflight", src.to_str().unwrap(), "--to", url, "--json"]);
        let pf: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{url}: {e}: {}{}", r.stdout, r.stderr));
        assert!(pf["rehearsal"].as_str().is_some_and(|n| n.contains("rehearsed")), "{url}: {}", pf["rehearsal"]);
        pf["objects"].as_array().unwrap().iter()
            .filter_map(|o| Some((o["object"].as_str()?.strip_prefix("trigger ")?.to_string(), o["reason"].as_str().unwrap_or("").to_string())))
            .collect()
    };
    for kind in Kind::all() {
        let db = TestDb::new(kind, "trig_rehearse").await;
        let named = rehearsed(&db.url);
        assert!(named.is_empty(), "{kind:?}: {named:?}");
    }
    let db = TestDb::new(Kind::My, "trig_rehearse_priv").await;
    let (_login, url) = Login::granted(&db, "GRANT ALL ON *.* TO '{name}'@'%'; REVOKE TRIGGER ON *.* FROM '{name}'@'%'").await;
    let mut named = rehearsed(&url);
    named.sort();
    assert_eq!(named.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["short", long], "{named:?}");
    for (n, why) in &named {
        assert!(why.contains("TRIGGER command denied") && why.contains("CREATE TRIGGER"), "{n}: {why}");
    }
}

/// Trigger names longer than the target takes (SQLite takes any): two alike in their first 70
/// characters are made under names cut to the limit and told apart by a hash, the report says
/// which, both fire, and `ferry rollback` finds and drops them. Before, PostgreSQL cut both
/// names to the same 63 bytes (the second trigger was refused as "already exists") and
/// rollback, looking for the whole name, left the first behind; MariaDB refused both.
#[tokio::test]
async fn long_trigger_names_are_cut_to_the_limit_and_kept_apart() {
    let dir = Scratch::new();
    let src = dir.path("long_names.sqlite");
    let stem = LONG;
    let (low, high) = (format!("{stem}low"), format!("{stem}high"));
    items_with(&src, &format!(
        "CREATE TRIGGER {low} BEFORE INSERT ON items WHEN NEW.qty < 0 BEGIN SELECT RAISE(ABORT, 'negative'); END;
         CREATE TRIGGER {high} BEFORE INSERT ON items WHEN NEW.qty > 1000 BEGIN SELECT RAISE(ABORT, 'too many'); END;"
    ));
    assert!(low.len() > 64 && high.len() > 64);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "trig_long").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        let made: Vec<String> = rep["created"].as_array().unwrap().iter().filter(|c| c["kind"] == "trigger").map(|c| c["name"].as_str().unwrap().to_string()).collect();
        let limit = if kind == Kind::Pg { 63 } else { 64 };
        assert!(made.len() == 2 && made[0] != made[1] && made.iter().all(|n| n.len() <= limit && n.starts_with(&stem[..40])), "{kind:?}: {made:?}");
        let notes = rep["notes"].to_string();
        for n in &made {
            assert!(notes.contains(&format!("made as {n}")), "{kind:?}: {notes}");
        }
        for (qty, refused) in [(-1, Some("negative")), (5000, Some("too many")), (7, None)] {
            let got = db.exec(&format!("INSERT INTO items (id, qty) VALUES ({}, {qty})", 100 + qty)).await;
            match refused {
                Some(word) => assert!(got.as_ref().is_err_and(|e| e.contains(word)), "{kind:?} {qty}: {got:?}"),
                None => assert!(got.is_ok(), "{kind:?} {qty}: {got:?}"),
            }
        }
        rolled_back_by_report(&src, &db, &made).await;
    }
}
