//! Bad input gets one clear line that names the thing and the fix, a non-zero exit, and
//! the source file byte-identical afterwards.

use crate::common::*;
use rusqlite::Connection;

fn small_db(path: &std::path::Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO t SELECT i, printf('value %d', i) FROM n;").unwrap();
}

fn assert_fails(run: &Run, needles: &[&str]) {
    assert_eq!(run.code, 1, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    let line = run.stderr.trim_end();
    assert_eq!(line.lines().count(), 1, "one line on stderr: {line:?}");
    for n in needles {
        assert!(line.contains(n), "{line:?} should mention {n:?}");
    }
}

#[tokio::test]
async fn bad_sources_are_named_and_untouched() {
    let dir = Scratch::new();
    let db = TestDb::new(Kind::Pg, "bad").await;
    // Not SQLite at all.
    let text = dir.path("notes.txt");
    std::fs::write(&text, "this is not a database\n".repeat(100)).unwrap();
    let before = sha256(&text);
    assert_fails(&ferry(&["migrate", text.to_str().unwrap(), "--to", &db.url]), &["notes.txt", "not a SQLite database"]);
    assert_eq!(sha256(&text), before);
    // Empty file.
    let empty = dir.path("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert_fails(&ferry(&["inspect", empty.to_str().unwrap()]), &["empty.db", "not a SQLite database", "empty"]);
    // Missing file.
    let missing = dir.path("missing.sqlite");
    assert_fails(&ferry(&["migrate", missing.to_str().unwrap(), "--to", &db.url]), &["missing.sqlite", "no such file"]);
    // A folder.
    assert_fails(&ferry(&["inspect", dir.0.to_str().unwrap()]), &["cannot be read"]);
    // Truncated database.
    let good = dir.path("good.sqlite");
    small_db(&good);
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path("truncated.sqlite");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let before = sha256(&cut);
    assert_fails(&ferry(&["migrate", cut.to_str().unwrap(), "--to", &db.url]), &["truncated.sqlite", "damaged"]);
    assert_eq!(sha256(&cut), before, "the source file is never written to");
    // Nothing was created in the target by the failed runs.
    assert!(db.texts("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'").await.is_empty());
}

/// A file whose rows all read but whose structure check fails (its header counts seven free
/// pages more than its free list holds). The load starts before the check ends; the damage
/// still stops the run with one line, and what the run made is gone again. A validation,
/// whose comparisons likewise start before the check ends, fails the same way.
#[tokio::test]
async fn damage_found_while_loading_leaves_the_target_as_it_was() {
    let dir = Scratch::new();
    let src = dir.path("freelist.sqlite");
    {
        let c = Connection::open(&src).unwrap();
        c.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT COLLATE NOCASE); CREATE TABLE junk (x);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO t SELECT i, printf('value %d', i) FROM n;
             INSERT INTO junk SELECT randomblob(1000) FROM t LIMIT 500; DELETE FROM junk;",
        )
        .unwrap();
    }
    // A plan made while the file was whole: validation given a plan reads the rows while the
    // structure check runs beside it.
    let plan = dir.path("plan.toml");
    let pg = TestDb::new(Kind::Pg, "damagedplan").await;
    let made = ferry(&["plan", src.to_str().unwrap(), "--to", &pg.url, "--out", plan.to_str().unwrap()]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let mut bytes = std::fs::read(&src).unwrap();
    let free = u32::from_be_bytes(bytes[36..40].try_into().unwrap());
    assert!(free > 0, "the deleted rows left free pages");
    bytes[36..40].copy_from_slice(&(free + 7).to_be_bytes());
    std::fs::write(&src, &bytes).unwrap();
    let before = sha256(&src);
    assert_eq!(ferry(&["inspect", src.to_str().unwrap()]).code, 1, "the structure check refuses it");
    assert_fails(&ferry(&["validate", src.to_str().unwrap(), "--to", &pg.url, "--plan", plan.to_str().unwrap()]), &["freelist.sqlite", "damaged"]);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "damaged").await;
        assert_fails(&ferry(&["migrate", src.to_str().unwrap(), "--to", &db.url]), &["freelist.sqlite", "damaged"]);
        let tables = match kind {
            Kind::Pg => "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
            Kind::My => "SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE()",
        };
        assert!(db.texts(tables).await.is_empty(), "{kind:?}: nothing left in the target");
        // Into a schema the run makes itself: that goes too.
        if kind == Kind::Pg {
            // The collation the NOCASE column needed goes too.
            assert_eq!(db.texts("SELECT count(*)::text FROM pg_collation WHERE collname = 'ferry_nocase'").await, vec![Some("0".into())]);
            assert_fails(&ferry(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--schema", "fresh"]), &["damaged"]);
            assert!(db.texts("SELECT nspname::text FROM pg_namespace WHERE nspname = 'fresh'").await.is_empty());
        }
    }
    assert_eq!(sha256(&src), before, "the source file is never written to");
}

#[tokio::test]
async fn bad_targets_are_named() {
    let dir = Scratch::new();
    let src = dir.path("src.sqlite");
    small_db(&src);
    let before = sha256(&src);
    let s = src.to_str().unwrap();
    // Wrong password (MariaDB) and unknown role (PostgreSQL, trust auth here).
    let my_bad = mysql_base().replace("root@", "root:wrong-password@") + "/mysql";
    assert_fails(&ferry(&["migrate", s, "--to", &my_bad]), &["refused the login", "root", "password"]);
    assert!(!ferry(&["migrate", s, "--to", &my_bad]).stderr.contains("wrong-password"), "the password is never echoed");
    let pg_bad = pg_base().replace("postgres@", "nosuchuser@");
    assert_fails(&ferry(&["migrate", s, "--to", &pg_bad]), &["refused the login", "nosuchuser"]);
    // Unreachable hosts.
    assert_fails(&ferry(&["migrate", s, "--to", "postgres://postgres@127.0.0.1:1/x"]), &["cannot reach", "127.0.0.1:1"]);
    assert_fails(&ferry(&["migrate", s, "--to", "mysql://root@127.0.0.1:1/x"]), &["cannot reach", "127.0.0.1:1"]);
    // A database that does not exist.
    let mut u = url::Url::parse(&pg_base()).unwrap();
    u.set_path("/ferry_missing_nope");
    let pg_missing = u.to_string();
    assert_fails(&ferry(&["migrate", s, "--to", &pg_missing]), &["does not exist", "Create it", "createdb"]);
    let my_missing = format!("{}/ferry_missing_nope", mysql_base());
    assert_fails(&ferry(&["migrate", s, "--to", &my_missing]), &["does not exist", "Create it", "CREATE DATABASE"]);
    // Not a URL Ferry knows.
    assert_fails(&ferry(&["migrate", s, "--to", "sqlserver://x/y"]), &["not valid", "postgres://"]);
    // A target that is not empty.
    for kind in Kind::all() {
        let db = TestDb::new(kind, "notempty").await;
        db.exec("CREATE TABLE existing (id int)").await.unwrap();
        assert_fails(&ferry(&["migrate", s, "--to", &db.url]), &["not empty", "existing"]);
    }
    // A plan made for another source.
    let other = dir.path("other.sqlite");
    Connection::open(&other).unwrap().execute_batch("CREATE TABLE other (id INTEGER PRIMARY KEY);").unwrap();
    let plan = dir.path("other.toml");
    let db = TestDb::new(Kind::Pg, "plan").await;
    assert_eq!(ferry(&["plan", other.to_str().unwrap(), "--to", &db.url, "--out", plan.to_str().unwrap()]).code, 0);
    assert_fails(&ferry(&["migrate", s, "--to", &db.url, "--plan", plan.to_str().unwrap()]), &["does not match the source", "other", "ferry plan"]);
    // A MySQL plan used for PostgreSQL.
    let myplan = dir.path("my.toml");
    assert_eq!(ferry(&["plan", s, "--to", "mysql://root@127.0.0.1/x", "--out", myplan.to_str().unwrap()]).code, 0);
    assert_fails(&ferry(&["migrate", s, "--to", &db.url, "--plan", myplan.to_str().unwrap()]), &["made for MySQL", "PostgreSQL"]);
    assert_eq!(sha256(&src), before, "the source file is never written to");
}

/// TLS modes in the URL are honoured: `sslmode=require` works against the local PostgreSQL
/// (Debian's cluster has TLS on), `verify-full` refuses its self-signed certificate, and a
/// MariaDB without TLS refuses `ssl-mode=REQUIRED`, each with a clear line.
#[tokio::test]
async fn tls_modes() {
    let dir = Scratch::new();
    let src = dir.path("src.sqlite");
    small_db(&src);
    let s = src.to_str().unwrap();
    let db = TestDb::new(Kind::Pg, "tls").await;
    let ssl_on = db.texts("SHOW ssl").await == vec![Some("on".to_string())];
    if ssl_on {
        let r = ferry(&["migrate", s, "--to", &format!("{}?sslmode=require", db.url)]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let db2 = TestDb::new(Kind::Pg, "tls").await;
        assert_fails(&ferry(&["migrate", s, "--to", &format!("{}?sslmode=verify-full", db2.url)]), &["TLS"]);
    } else {
        println!("skipped the PostgreSQL TLS half: this server has ssl = off");
    }
    let my = TestDb::new(Kind::My, "tls").await;
    let have_ssl = my.texts("SELECT CAST(@@have_ssl AS CHAR)").await;
    if have_ssl != vec![Some("YES".to_string())] {
        assert_fails(&ferry(&["migrate", s, "--to", &format!("{}?ssl-mode=REQUIRED", my.url)]), &["TLS"]);
    }
}

/// A CHECK as deep as SQLite stores (a 900-term sum) never aborts the run: it is carried, or
/// the target's refusal is named, and every row arrives.
#[tokio::test]
async fn a_deep_check_is_carried_or_named_never_aborts() {
    let dir = Scratch::new();
    let src = dir.path("deep.sqlite");
    let sum = vec!["a"; 900].join(" + ");
    let c = Connection::open(&src).unwrap();
    c.execute_batch(&format!("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER CHECK ({sum} >= 0)); INSERT INTO t (a) VALUES (1), (2), (3);")).unwrap();
    drop(c);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "deep").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert!(run.code == 0 || run.code == 2, "{kind:?}: exit {}: {}", run.code, run.stderr);
        assert_eq!(rep["tables"]["t"]["rows_written"], 3, "{kind:?}: {rep}");
        let named = rep["warnings"].as_array().unwrap().iter().any(|w| w["object"].as_str().is_some_and(|o| o.starts_with("CHECK")));
        assert!(run.code == 0 || named, "{kind:?}: a CHECK left off is named: {rep}");
    }
}

/// A plan's type is read with a strict grammar and written from what was read: a type that
/// smuggles SQL into the DDL (MariaDB runs the whole batch) is refused, naming the column,
/// and nothing runs.
#[tokio::test]
async fn a_plan_type_cannot_carry_sql() {
    let dir = Scratch::new();
    let src = dir.path("t.sqlite");
    Connection::open(&src).unwrap().execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t VALUES (1, 'a');").unwrap();
    let db = TestDb::new(Kind::My, "typeinj").await;
    let bystander = TestDb::new(Kind::My, "typeinj_other").await;
    bystander.exec("CREATE TABLE keep (x INT)").await.unwrap();
    let plan = dir.path("plan.toml");
    assert_eq!(ferry(&["plan", src.to_str().unwrap(), "--to", &db.url, "--out", plan.to_str().unwrap()]).code, 0);
    let proposed = std::fs::read_to_string(&plan).unwrap();
    // The first was read as varchar and written into the DDL as it stood.
    for evil in ["varchar(10 /*".to_string(), format!("varchar(10, x INT) ; DROP TABLE `{}`.`keep`; --", bystander.name)] {
        let mut replaced = false;
        let text: String = proposed
            .lines()
            .map(|l| if !replaced && l.trim_start().starts_with("type = ") && l.contains("text") { replaced = true; format!("type = {}", toml_string(&evil)) } else { l.to_string() })
            .collect::<Vec<_>>()
            .join("\n");
        assert!(replaced, "the plan names a text column's type:\n{text}");
        std::fs::write(&plan, text).unwrap();
        let r = ferry(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--plan", plan.to_str().unwrap()]);
        assert_fails(&r, &["column t.name", "not a MySQL type", "such as"]);
        assert!(db.exec("SELECT 1 FROM t").await.is_err(), "{evil}: nothing was made");
        assert!(bystander.exec("SELECT x FROM keep").await.is_ok(), "{evil}: the other database's table is still there");
    }
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A DEFAULT the target refuses (`SMALLINT DEFAULT 70000`, past its range: MariaDB refuses it
/// at CREATE, PostgreSQL at the first INSERT that leaves the column out) is left off and named;
/// the table, its other DEFAULTs and every row arrive. The year-0 DEFAULT of a real file
/// (`'0000-01-01T00:00:00.000Z'`), once refused by PostgreSQL, is carried there as 1 BC.
#[tokio::test]
async fn a_default_the_target_refuses_is_left_off_and_named() {
    let dir = Scratch::new();
    let src = dir.path("dflt.sqlite");
    Connection::open(&src)
        .unwrap()
        .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, last_insert TIMESTAMP NOT NULL DEFAULT '0000-01-01T00:00:00.000Z', s SMALLINT NOT NULL DEFAULT 70000, n INTEGER DEFAULT 5); INSERT INTO t (id, last_insert, s) VALUES (1, '2024-01-02T03:04:05.000Z', 1), (2, '2024-01-03T00:00:00.000Z', 2);")
        .unwrap();
    for kind in Kind::all() {
        let db = TestDb::new(kind, "dflt").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert!(run.code == 0 || run.code == 2, "{kind:?}: exit {}: {}", run.code, run.stderr);
        assert_eq!(rep["tables"]["t"]["rows_written"], 2, "{kind:?}: {rep}");
        let named = |col: &str| rep["warnings"].as_array().unwrap().iter().any(|w| w["object"].as_str().is_some_and(|o| o.starts_with("DEFAULT") && o.ends_with(&format!("column {col}"))));
        let (last_insert, s) = (named("last_insert"), named("s"));
        // MariaDB's DATETIME holds years 1000 to 9999 only: there the year-0 DEFAULT is named too.
        assert!(s && last_insert == (kind == Kind::My), "{kind:?}: the refused DEFAULTs are named, the others kept: {rep}");
        // The other DEFAULTs are there.
        db.exec("INSERT INTO t (id, last_insert, s) VALUES (3, '2024-01-04 00:00:00', 3)").await.unwrap();
        assert_eq!(db.texts("SELECT TRIM(CAST(n AS CHAR(10))) FROM t WHERE id = 3").await, [Some("5".to_string())], "{kind:?}: the other DEFAULT is there");
    }
}
