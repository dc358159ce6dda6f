//! `ferry monitor` against the real servers: a small database migrated with `ferry`, a few
//! queries run on it, and the snapshot must show them — the statement, the tables' sizes, the
//! index never used, a cache hit ratio, the connections — or say how to turn a figure on.

use crate::common::*;
use rusqlite::Connection;
use serde_json::Value as J;

/// A shop with an index the probe query uses (`items_sku`) and one nothing uses (`items_note`).
fn shop(path: &std::path::Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, note TEXT, price INTEGER);
         CREATE INDEX items_sku ON items (sku);
         CREATE INDEX items_note ON items (note);
         CREATE TABLE orders (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES items (id), qty INTEGER);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
         INSERT INTO items SELECT i, printf('sku-%05d', i), printf('note %d', i), i * 7 FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         INSERT INTO orders SELECT i, 1 + i % 3000, i % 5 FROM n;",
    )
    .unwrap();
}

/// Runs the probe query (through `items_sku`) `times` times on one connection, then closes it,
/// so the server flushes its statistics. PostgreSQL runs it as a prepared statement; MariaDB
/// gets it as text, as it digests only those (see the note the snapshot carries).
async fn probe(db: &TestDb, times: usize) {
    for i in 0..times {
        let sku = format!("sku-{:05}", i + 1);
        let n: i64 = match db.kind {
            Kind::Pg => {
                let mut c = db.pg().await;
                sqlx::raw_sql("SET enable_seqscan = off").execute(&mut c).await.unwrap();
                let n = sqlx::query_scalar("SELECT count(*) AS monitor_probe FROM items WHERE sku = $1").bind(sku).fetch_one(&mut c).await.unwrap();
                sqlx::Connection::close(c).await.unwrap();
                n
            }
            Kind::My => {
                let mut c = db.my().await;
                let sql = format!("SELECT count(*) AS monitor_probe FROM items FORCE INDEX (items_sku) WHERE sku = '{sku}'");
                let row = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).fetch_one(&mut c).await.unwrap();
                sqlx::Connection::close(c).await.unwrap();
                sqlx::Row::get(&row, 0)
            }
        };
        assert_eq!(n, 1);
    }
}

fn monitor_json(url: &str, extra: &[&str]) -> J {
    let mut args = vec!["monitor", "--to", url, "--json"];
    args.extend_from_slice(extra);
    let run = ferry(&args);
    assert_eq!(run.code, 0, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn index<'a>(snap: &'a J, name: &str) -> &'a J {
    snap["indexes"].as_array().unwrap().iter().find(|i| i["name"] == name).unwrap_or_else(|| panic!("index {name} in {:#}", snap["indexes"]))
}

/// The statistics reach the server's views a moment after the probe's session ends: take
/// snapshots until the probe's index shows its scans (at most 10 s).
fn settled_snapshot(url: &str) -> J {
    for _ in 0..20 {
        let snap = monitor_json(url, &[]);
        if index(&snap, "items_sku")["scans"].as_u64().unwrap_or(0) > 0 {
            return snap;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    monitor_json(url, &[])
}

#[tokio::test]
async fn snapshot_shows_statements_sizes_unused_indexes_cache_and_connections() {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    shop(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "monitor").await;
        let (run, _) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 0, "{kind:?} migrate: {}{}", run.stdout, run.stderr);
        if kind == Kind::Pg {
            // The server (preloading the library) counts statements in every database; the
            // extension only makes them readable here.
            db.exec("CREATE EXTENSION pg_stat_statements").await.unwrap();
        }
        if kind == Kind::My {
            // The server's digest table (5,000 rows by default) fills up over many test runs —
            // every test database's statements are digests of their own — and then counts
            // nothing new. The snapshot says so (checked here), and emptying it counts again.
            let full: Vec<Option<String>> = db.texts("SELECT CAST(COUNT(*) >= @@performance_schema_digests_size AS CHAR) FROM performance_schema.events_statements_summary_by_digest").await;
            if full[0].as_deref() == Some("1") {
                let before = monitor_json(&db.url, &[]);
                assert!(before["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("digest table is full")), "{:#}", before["notes"]);
            }
            db.exec("TRUNCATE TABLE performance_schema.events_statements_summary_by_digest").await.unwrap();
        }
        probe(&db, 5).await;

        let snap = settled_snapshot(&db.url);
        assert_eq!(snap["database"], db.name.as_str());
        let server = snap["server"].as_str().unwrap();
        assert!(server.starts_with(if kind == Kind::Pg { "PostgreSQL " } else { "MariaDB " }), "{server}");
        assert!(snap["taken_at"].as_str().unwrap().ends_with('Z'));

        // The probe query, once per call, and none of Ferry's own monitoring queries.
        let statements = snap["statements"].as_array().unwrap();
        let probe_stmt = statements
            .iter()
            .find(|s| s["query"].as_str().unwrap().contains("monitor_probe"))
            .unwrap_or_else(|| panic!("{kind:?}: the probe query among {statements:#?}"));
        assert_eq!(probe_stmt["calls"].as_u64(), Some(5), "{probe_stmt:#}");
        assert_eq!(probe_stmt["rows"].as_u64(), Some(5), "{probe_stmt:#}");
        assert!(probe_stmt["total_ms"].as_f64().unwrap() > 0.0);
        if kind == Kind::My {
            assert!(snap["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("prepared statements")), "{:#}", snap["notes"]);
        }
        for s in statements {
            let q = s["query"].as_str().unwrap();
            assert!(!q.contains("ferry monitor") && !q.contains("pg_stat_statements s") && !q.contains("events_statements_summary"), "{q}");
        }

        // Both tables, with a size.
        for table in ["items", "orders"] {
            let t =
                snap["tables"].as_array().unwrap().iter().find(|t| t["name"] == table).unwrap_or_else(|| panic!("{kind:?}: {table} in {:#}", snap["tables"]));
            assert!(t["data_bytes"].as_u64().unwrap() > 0 && t["total_bytes"].as_u64().unwrap() >= t["data_bytes"].as_u64().unwrap(), "{t:#}");
        }

        // The index nobody used is listed as unused; the probe's index and the keys are not.
        let note = index(&snap, "items_note");
        assert_eq!((note["scans"].as_u64(), note["unused"].as_bool()), (Some(0), Some(true)), "{kind:?} {note:#}");
        let sku = index(&snap, "items_sku");
        assert!(sku["scans"].as_u64().unwrap() > 0 && sku["unused"] == false, "{kind:?} {sku:#}");
        for i in snap["indexes"].as_array().unwrap() {
            if i["primary"] == true || i["unique"] == true {
                assert_eq!(i["unused"], false, "{i:#}");
            }
        }

        let ratio = snap["cache_hit_ratio"].as_f64().unwrap_or_else(|| panic!("{kind:?}: a cache hit ratio after reading: {:#}", snap["cache"]));
        assert!((0.0..=1.0).contains(&ratio), "{ratio}");
        let c = &snap["connections"];
        assert!(c["total"].as_u64().unwrap() >= 1 && c["active"].as_u64().unwrap() >= 1 && c["max"].as_u64().unwrap() >= c["total"].as_u64().unwrap(), "{c:#}");
        assert!(snap["notes"].as_array().unwrap().iter().all(|n| !n.as_str().unwrap().contains("not measured")), "{:#}", snap["notes"]);

        // The same snapshot as tables for people.
        let run = ferry(&["monitor", "--to", &db.url]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        for needle in ["connections:", "cache hit ratio:", "slowest statements", "most frequent statements", "monitor_probe", "items_note", "statistics: gathered for "] {
            assert!(run.stdout.contains(needle), "{kind:?}: {needle:?} in\n{}", run.stdout);
        }
        // An index is called unused only once the statistics are old and busy enough to say so.
        let enough = snap["stats"]["enough"].as_bool().unwrap_or_else(|| panic!("{kind:?}: how old the statistics are: {:#}", snap["stats"]));
        let (said, unsaid) = if enough { ("unused indexes", "too early to judge") } else { ("no scans yet", "UNUSED") };
        assert!(run.stdout.contains(said) && !run.stdout.contains(unsaid), "{kind:?} (enough: {enough}): {said:?}, not {unsaid:?}, in\n{}", run.stdout);
    }
}

#[tokio::test]
async fn postgres_without_the_extension_says_how_and_shows_the_rest() {
    let dir = Scratch::new();
    let src = dir.path("shop.sqlite");
    shop(&src);
    let db = TestDb::new(Kind::Pg, "monitor_noext").await;
    let (run, _) = migrate(&src, &db, &["--schema", "shop"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    db.exec("CREATE TABLE public.elsewhere (id int PRIMARY KEY)").await.unwrap();

    let snap = monitor_json(&db.url, &["--schema", "shop"]);
    assert_eq!(snap["statements"].as_array().unwrap().len(), 0);
    let notes: Vec<&str> = snap["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    let how = notes.iter().find(|n| n.contains("pg_stat_statements is not installed")).unwrap_or_else(|| panic!("{notes:?}"));
    assert!(how.contains("CREATE EXTENSION pg_stat_statements;") && how.contains(&db.name), "{how}");
    // The rest still arrives, narrowed to the schema asked for.
    let tables: Vec<&str> = snap["tables"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        {
            let mut t = tables.clone();
            t.sort();
            t
        },
        ["items", "orders"]
    );
    assert!(snap["tables"].as_array().unwrap().iter().all(|t| t["schema"] == "shop" && t["total_bytes"].as_u64().unwrap() > 0));
    assert_eq!(index(&snap, "items_note")["unused"], true);
    assert!(snap["connections"]["total"].as_u64().unwrap() >= 1);
    assert!(snap["cache"].is_object());

    let run = ferry(&["monitor", "--to", &db.url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("CREATE EXTENSION pg_stat_statements;") && run.stdout.contains("public.elsewhere"), "{}", run.stdout);
}

#[tokio::test]
async fn the_connection_password_never_shows() {
    // The test server trusts local logins, so any password connects; a utility statement that
    // holds it verbatim (pg_stat_statements keeps those unnormalized) must still not show it.
    let db = TestDb::new(Kind::Pg, "monitor_secret").await;
    db.exec("CREATE EXTENSION pg_stat_statements; CREATE TABLE t (id int PRIMARY KEY)").await.unwrap();
    let mut u = url::Url::parse(&db.url).unwrap();
    u.set_password(Some("Xyzzy-s3cret-42")).unwrap();
    for extra in [&["--json"][..], &[]] {
        let mut args = vec!["monitor", "--to", u.as_str()];
        args.extend_from_slice(extra);
        // The server keeps 5,000 statements for all databases and evicts the least used when
        // full; with every other test's statements arriving beside this one, a statement run
        // once can be gone before the snapshot reads it. Run it often enough to be kept, and
        // try again (a bounded few times) where it was evicted all the same.
        let mut listed = None;
        for _ in 0..5 {
            for _ in 0..20 {
                db.exec("COMMENT ON TABLE t IS 'Xyzzy-s3cret-42'").await.unwrap();
            }
            let run = ferry(&args);
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert!(!run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"), "{}", run.stdout);
            if run.stdout.contains("COMMENT ON TABLE t IS") {
                listed = Some(run);
                break;
            }
        }
        assert!(listed.is_some(), "the statement is listed in one of five snapshots");
    }
}

#[tokio::test]
async fn bad_logins_and_unreachable_servers_get_one_line() {
    let db = TestDb::new(Kind::My, "monitor_login").await;
    let mut u = url::Url::parse(&db.url).unwrap();
    u.set_password(Some("wrong-pw-123")).unwrap();
    let cases: [(String, &[&str]); 3] = [
        (u.to_string(), &["refused the login", "root", "Check the user name and password"]),
        ("postgres://postgres@127.0.0.1:1/nowhere".into(), &["cannot reach", "127.0.0.1:1", "Check that the server is running"]),
        ("mysql://root@127.0.0.1:1/nowhere".into(), &["cannot reach", "127.0.0.1:1"]),
    ];
    for (url, needles) in cases {
        for extra in [&["--json"][..], &[]] {
            let mut args = vec!["monitor", "--to", url.as_str()];
            args.extend_from_slice(extra);
            let run = ferry(&args);
            assert_eq!(run.code, 1, "{url}: {}{}", run.stdout, run.stderr);
            assert!(run.stdout.is_empty(), "{}", run.stdout);
            let line = run.stderr.trim_end();
            assert_eq!(line.lines().count(), 1, "{line}");
            assert!(!line.contains("wrong-pw-123"), "{line}");
            for n in needles {
                assert!(line.contains(n), "{line:?} should mention {n:?}");
            }
        }
    }
}
