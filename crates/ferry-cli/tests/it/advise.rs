//! `ferry advise` against the real servers (#20): a database spoiled on purpose shows each
//! fault under its code, naming the object, and once each finding's own fix is run the fault
//! is gone; on the freshly migrated demo no schema finding is of Ferry's making.

use crate::common::*;
use serde_json::Value as J;

fn advise_json(url: &str) -> J {
    let (run, took) = ferry_within(&["advise", url, "--json"], &[], std::time::Duration::from_secs(120));
    assert_eq!(run.code, 0, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert!(took < std::time::Duration::from_secs(60), "advise took {took:?}");
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn findings<'a>(a: &'a J, code: &str) -> Vec<&'a J> {
    a["findings"].as_array().unwrap().iter().filter(|f| f["code"] == code).collect()
}

/// The first object each finding of `code` names, sorted.
fn objects(a: &J, code: &str) -> Vec<String> {
    let mut v: Vec<String> = findings(a, code).iter().map(|f| f["objects"][0].as_str().unwrap_or("").to_string()).collect();
    v.sort();
    v
}

fn unchecked(a: &J, code: &str) -> Option<String> {
    a["unchecked"].as_array().unwrap().iter().find(|u| u["code"] == code).map(|u| u["why"].as_str().unwrap().to_string())
}

/// A finding's fix as separate statements: comment lines and trailing comments left out.
fn statements(f: &J) -> Vec<String> {
    let sql = f["fix_sql"].as_str().unwrap_or_else(|| panic!("a fix in SQL: {f:#}"));
    sql.lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .map(|l| l.split(" -- ").next().unwrap().trim().trim_end_matches(';').to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Runs the fix of every finding of `code`, one statement at a time.
async fn fix(db: &TestDb, a: &J, code: &str) {
    for f in findings(a, code) {
        for s in statements(f) {
            db.exec(&s).await.unwrap_or_else(|e| panic!("{code}: {s}: {e}"));
        }
    }
}

const SCHEMA_FIXED: [&str; 9] = ["duplicate_index", "redundant_index", "unindexed_foreign_key", "no_primary_key", "sequence_near_max", "never_analyzed", "not_valid_constraint", "json_text_column", "dead_rows"];

#[tokio::test]
async fn postgres_spoiled_on_purpose() {
    let db = TestDb::new(Kind::Pg, "advise").await;
    db.exec(
        "CREATE TABLE parent (id serial PRIMARY KEY, email text NOT NULL);
         INSERT INTO parent (email) SELECT 'e' || i FROM generate_series(1, 50) i;
         CREATE INDEX parent_email ON parent (email);
         CREATE INDEX parent_email_copy ON parent (email);
         CREATE TABLE child (id serial PRIMARY KEY, parent_id int REFERENCES parent (id), qty int);
         INSERT INTO child (parent_id, qty) SELECT 1 + i % 50, i FROM generate_series(1, 100) i;
         SELECT setval('child_id_seq', 1932735283);
         CREATE TABLE keyless (at timestamptz, line text);
         INSERT INTO keyless VALUES (now(), 'x');
         CREATE TABLE orphan (id int PRIMARY KEY, parent_id int);
         CREATE INDEX orphan_parent_id ON orphan (parent_id);
         INSERT INTO orphan VALUES (1, 999), (2, 1), (3, NULL);
         ALTER TABLE orphan ADD CONSTRAINT orphan_parent FOREIGN KEY (parent_id) REFERENCES parent (id) NOT VALID;
         CREATE TABLE cold (id int PRIMARY KEY) WITH (autovacuum_enabled = false);
         INSERT INTO cold SELECT generate_series(1, 100);
         CREATE INDEX child_qty ON child (qty);
         CREATE INDEX child_qty_parent ON child (qty, parent_id);
         CREATE TABLE doc (id int PRIMARY KEY, body text);
         INSERT INTO doc SELECT i, '{\"n\": ' || i || ', \"tags\": [\"a\"]}' FROM generate_series(1, 20) i;
         CREATE TABLE churn (id int PRIMARY KEY, v text);
         INSERT INTO churn SELECT i, 'v' FROM generate_series(1, 6000) i;
         ANALYZE parent; ANALYZE child; ANALYZE keyless; ANALYZE orphan; ANALYZE doc; ANALYZE churn;",
    )
    .await
    .unwrap();
    // A unique index built concurrently over duplicate values fails and is left invalid.
    db.exec("CREATE TABLE half (id int PRIMARY KEY, line text); INSERT INTO half VALUES (1, 'x'), (2, 'x'); ANALYZE half").await.unwrap();
    assert!(db.exec("CREATE UNIQUE INDEX CONCURRENTLY half_line ON half (line)").await.is_err());
    // Dead rows: the server counts them once the deleting session's statistics arrive (bounded wait).
    db.exec("DELETE FROM churn WHERE id > 1000").await.unwrap();
    let started = std::time::Instant::now();
    while db.texts("SELECT n_dead_tup::text FROM pg_stat_user_tables WHERE relname = 'churn'").await != [Some("5000".to_string())] {
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "the server counts 5,000 dead rows in churn");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let a = advise_json(&db.url);
    assert_eq!(objects(&a, "redundant_index"), ["public.child.child_qty"], "{a:#}");
    assert_eq!(objects(&a, "invalid_index"), ["public.half.half_line"], "{a:#}");
    assert_eq!(objects(&a, "json_text_column"), ["public.doc.body"], "{a:#}");
    assert_eq!(objects(&a, "dead_rows"), ["public.churn"], "{a:#}");
    assert_eq!(objects(&a, "duplicate_index"), ["public.parent.parent_email_copy"], "{a:#}");
    assert_eq!(objects(&a, "unindexed_foreign_key"), ["public.child.child_parent_id_fkey"]);
    assert_eq!(objects(&a, "no_primary_key"), ["public.keyless"]);
    assert_eq!(objects(&a, "sequence_near_max"), ["public.child.id"]);
    assert!(findings(&a, "sequence_near_max")[0]["title"].as_str().unwrap().contains("90.0 %"), "{a:#}");
    assert_eq!(objects(&a, "never_analyzed"), ["public.cold"]);
    assert_eq!(objects(&a, "not_valid_constraint"), ["public.orphan.orphan_parent"]);
    let nv = findings(&a, "not_valid_constraint")[0];
    assert!(nv["evidence"].as_str().unwrap().starts_with("1 row breaks it"), "the NULL key does not count: {nv:#}");
    assert_eq!(objects(&a, "autovacuum_off").iter().filter(|o| o.as_str() == "public.cold").count(), 1);
    for f in a["findings"].as_array().unwrap() {
        assert!(["critical", "warning", "info"].contains(&f["severity"].as_str().unwrap()) && !f["evidence"].as_str().unwrap().is_empty(), "{f:#}");
        assert!(f["fix_sql"].is_string() || f["fix_setting"].is_string(), "every finding says how to fix it: {f:#}");
    }
    // The user the URL names: the finding follows what the server says of it.
    let superuser = db.texts("SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user").await == [Some("true".to_string())];
    assert_eq!(findings(&a, "app_is_superuser").len(), superuser as usize, "{a:#}");
    // Statistics a few minutes old are not judged.
    let young = db.texts("SELECT (xact_commit + xact_rollback < 1000 OR now() - COALESCE(stats_reset, pg_postmaster_start_time()) < interval '1 hour')::text FROM pg_stat_database WHERE datname = current_database()").await;
    if young == [Some("true".to_string())] {
        assert!(unchecked(&a, "unused_index").is_some_and(|w| w.starts_with("too early to judge")), "{a:#}");
    }

    // Each fix, run as shown, takes its finding away (the orphan row removed first).
    db.exec("DELETE FROM orphan WHERE id = 1").await.unwrap();
    for code in SCHEMA_FIXED {
        fix(&db, &a, code).await;
    }
    let after = advise_json(&db.url);
    for code in SCHEMA_FIXED {
        assert!(findings(&after, code).is_empty(), "{code} after its fix: {after:#}");
    }
    assert_eq!(db.texts("SELECT data_type::text FROM information_schema.columns WHERE table_name = 'child' AND column_name = 'id'").await, [Some("bigint".to_string())]);

    // The words on a terminal: each code, the fix marked as not run.
    let run = ferry(&["advise", &db.url]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for f in after["findings"].as_array().unwrap() {
        let line = format!("{}  {}", f["code"].as_str().unwrap(), f["title"].as_str().unwrap());
        assert!(run.stdout.contains(&line), "{line:?} in\n{}", run.stdout);
    }
    assert!(run.stdout.contains("fix (SQL, not run):") && run.stdout.contains("not checked:"), "{}", run.stdout);
}

#[tokio::test]
async fn mariadb_spoiled_on_purpose() {
    let db = TestDb::new(Kind::My, "advise").await;
    db.exec(
        "CREATE TABLE parent (id int AUTO_INCREMENT PRIMARY KEY, email varchar(100) NOT NULL, meta text);
         INSERT INTO parent (email, meta) VALUES ('a', '{\"tags\": [1]}'), ('b', '[]');
         CREATE INDEX parent_email ON parent (email);
         CREATE INDEX parent_email_copy ON parent (email);
         CREATE TABLE pair (id int PRIMARY KEY, a int, b int, KEY pair_a (a), KEY pair_a_b (a, b));
         CREATE TABLE counter (id int AUTO_INCREMENT PRIMARY KEY, v int);
         ALTER TABLE counter AUTO_INCREMENT = 1932735284;
         CREATE TABLE keyless (at datetime, line text);
         INSERT INTO keyless VALUES (NOW(), 'x');
         CREATE TABLE cold (id int PRIMARY KEY) STATS_PERSISTENT = 1 STATS_AUTO_RECALC = 0;
         INSERT INTO cold VALUES (1), (2), (3);
         ANALYZE TABLE parent, counter, keyless;",
    )
    .await
    .unwrap();
    let a = advise_json(&db.url);
    let d = &db.name;
    assert_eq!(objects(&a, "duplicate_index"), [format!("{d}.parent.parent_email_copy")], "{a:#}");
    assert_eq!(objects(&a, "redundant_index"), [format!("{d}.pair.pair_a")], "{a:#}");
    assert_eq!(objects(&a, "no_primary_key"), [format!("{d}.keyless")]);
    assert_eq!(objects(&a, "sequence_near_max"), [format!("{d}.counter.id")]);
    assert!(findings(&a, "sequence_near_max")[0]["title"].as_str().unwrap().contains("90.0 %"), "{a:#}");
    assert_eq!(objects(&a, "never_analyzed"), [format!("{d}.cold")]);
    assert_eq!(objects(&a, "json_text_column"), [format!("{d}.parent.meta")]);
    // What MariaDB has no equivalent for is said, not skipped.
    for code in ["not_valid_constraint", "invalid_index", "autovacuum_off", "unindexed_foreign_key"] {
        let why = unchecked(&a, code).unwrap_or_else(|| panic!("{code} listed as not checked: {a:#}"));
        assert!(why.contains("MariaDB"), "{code}: {why}");
    }
    // New tables: their indexes are not called unused, however long the server has counted.
    assert!(findings(&a, "unused_index").is_empty(), "{a:#}");
    let why = unchecked(&a, "unused_index").expect("said why unused_index was not judged");
    assert!(why.starts_with("too early to judge") || why.contains("made less than 1 h 00 min ago"), "{why}");
    let everything = db.texts("SHOW GRANTS").await.iter().flatten().any(|g| g.contains("ALL PRIVILEGES ON *.*"));
    assert_eq!(findings(&a, "app_is_superuser").len(), everything as usize, "{a:#}");
    let log_bin = db.texts("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME = 'LOG_BIN'").await == [Some("OFF".to_string())];
    assert_eq!(findings(&a, "no_binlog").len(), log_bin as usize, "{a:#}");

    let fixed = ["duplicate_index", "redundant_index", "no_primary_key", "sequence_near_max", "never_analyzed", "json_text_column"];
    for code in fixed {
        fix(&db, &a, code).await;
    }
    let after = advise_json(&db.url);
    for code in fixed {
        assert!(findings(&after, code).is_empty(), "{code} after its fix: {after:#}");
    }
}

/// Whether the SQLite file has an index leading with `columns` (in any order) on `table`.
fn source_has_index(src: &std::path::Path, table: &str, columns: &[String]) -> bool {
    let c = rusqlite::Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let names: Vec<String> = c.prepare(&format!("SELECT name FROM pragma_index_list('{table}')")).unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    names.iter().any(|ix| {
        let mut lead: Vec<String> = c.prepare(&format!("SELECT name FROM pragma_index_info('{ix}') ORDER BY seqno")).unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).take(columns.len()).collect();
        let mut want = columns.to_vec();
        lead.sort();
        want.sort();
        lead == want
    })
}

/// The demo migrated as a new user would: the only schema findings are the source's own
/// design (a foreign key the SQLite file has no index for either), none of Ferry's making.
#[tokio::test]
async fn the_migrated_demo_has_nothing_of_ferrys_making() {
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    let run = ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "20000"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "advise_demo").await;
        let (run, _) = migrate(&src, &db, &[]);
        assert!(run.code == 0 || run.code == 2, "{kind:?}: {}{}", run.stdout, run.stderr);
        let a = advise_json(&db.url);
        for f in a["findings"].as_array().unwrap().iter().filter(|f| f["scope"] == "schema") {
            let code = f["code"].as_str().unwrap();
            // unused_index waits for older statistics and (MariaDB, whose counters are the
            // server's) for tables an hour old, so it cannot be here on a new database.
            assert_eq!(code, "unindexed_foreign_key", "{kind:?}: a finding of Ferry's making: {f:#}");
            let title = f["title"].as_str().unwrap();
            // `public.stock_events has no index for its foreign key NAME (a, b)`
            let table = title.split(' ').next().unwrap().rsplit('.').next().unwrap();
            let columns: Vec<String> = title.rsplit_once('(').unwrap().1.trim_end_matches(')').split(", ").map(str::to_string).collect();
            assert!(!source_has_index(&src, table, &columns), "{kind:?}: the source has an index for {table} {columns:?}, the target none: {f:#}");
        }
        assert!(!a["findings"].as_array().unwrap().iter().any(|f| f["code"] == "never_analyzed"), "{kind:?}: the run analyzes every table");
    }
}

/// unused_index once PostgreSQL's statistics are old and busy enough (this database's 1,000
/// transactions, an hour since the server started): the indexes never scanned are found, with
/// the statistics' age; the one the queries use and the primary keys are not. On a server
/// started less than an hour ago the check waits, and says so.
#[tokio::test]
async fn postgres_unused_index_once_statistics_are_old_enough() {
    let db = TestDb::new(Kind::Pg, "advise_unused").await;
    db.exec(
        "CREATE TABLE busy (id int PRIMARY KEY, note text, code text); CREATE INDEX busy_note ON busy (note); CREATE INDEX busy_code ON busy (code);
         INSERT INTO busy SELECT i, 'n' || i, 'c' || i FROM generate_series(1, 100) i;
         CREATE TABLE idle (id int PRIMARY KEY, note text); CREATE INDEX idle_note ON idle (note);",
    )
    .await
    .unwrap();
    {
        use sqlx::Connection;
        let mut c = db.pg().await;
        sqlx::raw_sql("SET enable_seqscan = off").execute(&mut c).await.unwrap();
        for i in 0..1000 {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM busy WHERE code = 'c{}'", i % 100 + 1))).execute(&mut c).await.unwrap();
        }
        c.close().await.unwrap();
    }
    let started = std::time::Instant::now();
    while db.texts("SELECT (xact_commit >= 1000 AND (SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'busy_code') >= 1000)::text FROM pg_stat_database WHERE datname = current_database()").await != [Some("true".to_string())] {
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "the server counts the 1,000 transactions through busy_code");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let old_server = db.texts("SELECT (now() - pg_postmaster_start_time() >= interval '1 hour')::text").await == [Some("true".to_string())];
    let a = advise_json(&db.url);
    let why = unchecked(&a, "unused_index");
    if old_server {
        assert_eq!(objects(&a, "unused_index"), ["public.busy.busy_note", "public.idle.idle_note"], "{a:#}");
        assert!(findings(&a, "unused_index")[0]["evidence"].as_str().unwrap().contains("statistics gathered for"), "{a:#}");
        assert_eq!(why, None);
    } else {
        assert!(findings(&a, "unused_index").is_empty() && why.is_some_and(|w| w.starts_with("too early to judge")), "{a:#}");
    }
}
