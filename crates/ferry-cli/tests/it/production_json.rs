//! `ferry plan --production` on JSON columns, UUID keys and creation times, and the
//! extensions: the proposal with its figures in the plan, migrate builds it, the target's
//! catalog has it and it answers as SQLite does, validate and diff are clean, and a hostile
//! `[[production]]` entry is refused by name.

use crate::common::*;
use rusqlite::Connection;
use std::path::Path;

const SOURCES: [&str; 3] = ["web", "mobile", "api"];

/// `events`: 1,200 object documents (every one with `source`, a third with `promo`), 30 NULL.
fn build_json(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, doc JSON)").unwrap();
    let tx = c.unchecked_transaction().unwrap();
    for i in 0..1230i64 {
        let doc = if i >= 1200 {
            None
        } else if i % 3 == 0 {
            Some(format!("{{\"source\":\"{}\",\"n\":{i},\"promo\":\"p{}\"}}", SOURCES[(i % 3) as usize], i % 7))
        } else {
            Some(format!("{{\"source\":\"{}\",\"n\":{i}}}", SOURCES[(i % 3) as usize]))
        };
        tx.execute("INSERT INTO events (kind, doc) VALUES ('e', ?1)", [doc]).unwrap();
    }
    tx.commit().unwrap();
}

/// `build_json` over again (a test changed the file).
fn build_json_again(path: &Path) {
    std::fs::remove_file(path).unwrap();
    build_json(path);
}

fn sqlite_ids(path: &Path, sql: &str) -> Vec<String> {
    let c = Connection::open(path).unwrap();
    let mut s = c.prepare(sql).unwrap();
    s.query_map([], |r| r.get::<_, i64>(0)).unwrap().map(|r| r.unwrap().to_string()).collect()
}

/// Row ids in number order (the targets' text of them may come in any).
fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort_by_key(|i| i.parse::<i64>().unwrap());
    ids
}

fn plan_production(src: &Path, url: &str, out: &Path) -> String {
    let run = ferry(&["plan", src.to_str().unwrap(), "--to", url, "--production", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    std::fs::read_to_string(out).unwrap()
}

/// The `[[production]]` entries of one kind in a plan file.
fn proposals(text: &str, kind: &str) -> Vec<toml::Value> {
    let v: toml::Value = toml::from_str(text).unwrap();
    v.get("production").and_then(|p| p.as_array()).cloned().unwrap_or_default().into_iter().filter(|p| p.get("kind").and_then(|k| k.as_str()) == Some(kind)).collect()
}

/// The plan with the first proposal of `kind` changed by `edit`, written to `out`.
fn edited(text: &str, kind: &str, out: &Path, edit: impl Fn(&mut toml::Table)) {
    let mut v: toml::Value = toml::from_str(text).unwrap();
    let list = v.get_mut("production").and_then(|p| p.as_array_mut()).unwrap();
    let p = list.iter_mut().find(|p| p.get("kind").and_then(|k| k.as_str()) == Some(kind)).unwrap();
    edit(p.as_table_mut().unwrap());
    std::fs::write(out, toml::to_string(&v).unwrap()).unwrap();
}

#[tokio::test]
async fn a_json_index_is_built_used_and_validated() {
    let dir = Scratch::new();
    let src = dir.path("json.sqlite");
    build_json(&src);
    let s = src.to_str().unwrap();
    let want_web = sqlite_ids(&src, "SELECT id FROM events WHERE json_extract(doc, '$.source') = 'web' ORDER BY id");
    assert_eq!(want_web.len(), 400);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "pjson").await;
        let plan = dir.path(&format!("{kind:?}.toml"));
        let text = plan_production(&src, &db.url, &plan);
        let ps = proposals(&text, "json_index");
        assert_eq!(ps.len(), 1, "{kind:?}: {text}");
        let p = &ps[0];
        let evidence = p["evidence"].as_str().unwrap();
        assert!(evidence.starts_with("1,200 of 1,200 documents (100%) are objects; keys in most: n in 1,200 (100%, integer"), "{evidence}");
        assert!(evidence.contains("source in 1,200 (100%, text, up to 6 characters)") && evidence.contains("1 other key"), "{evidence}");
        assert_eq!(p["accept"].as_bool(), Some(true), "{p:?}");
        let sql = p["sql"].as_array().unwrap()[0].as_str().unwrap().to_string();
        match kind {
            Kind::Pg => {
                // promo is in a third of the documents: keys come and go, `?` is a question.
                assert_eq!(p["using"].as_str(), Some("jsonb_ops"), "{p:?}");
                assert_eq!(sql, "CREATE INDEX \"events_doc_gin\" ON \"events\" USING gin (\"doc\" jsonb_ops)");
                assert!(p["note"].as_str().unwrap().contains("jsonb_path_ops cannot answer it"), "{p:?}");
            }
            Kind::My => {
                assert_eq!(p["key"].as_str(), Some("$.source"), "{p:?}");
                assert!(sql.contains("'$.source'"), "{sql}");
            }
        }

        let run = ferry(&["preflight", s, "--to", &db.url, "--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?} preflight: {}\n{}", run.stdout, run.stderr);
        let (run, rep) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(rep["tables"]["events"]["rows_written"].as_u64(), Some(1230), "{rep}");
        match kind {
            Kind::Pg => {
                let def = db.texts("SELECT am.amname || ' ' || o.opcname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam JOIN pg_opclass o ON o.oid = x.indclass[0] WHERE i.relname = 'events_doc_gin'").await;
                assert_eq!(def, [Some("gin jsonb_ops".to_string())]);
                let got: Vec<String> = db.texts("SELECT id::text FROM events WHERE doc @> '{\"source\": \"web\"}' ORDER BY id").await.into_iter().flatten().collect();
                let got = sorted(got);
                assert_eq!(got, want_web);
                let with_promo = db.texts("SELECT count(*)::text FROM events WHERE doc ? 'promo'").await;
                let sqlite_promo = sqlite_ids(&src, "SELECT count(*) FROM events WHERE json_extract(doc, '$.promo') IS NOT NULL");
                assert_eq!(with_promo[0].as_deref(), Some(sqlite_promo[0].as_str()));
                let mut c = db.pg().await;
                use sqlx::Row;
                sqlx::raw_sql("SET enable_seqscan = off").execute(&mut c).await.unwrap();
                let rows = sqlx::query("EXPLAIN SELECT id FROM events WHERE doc @> '{\"source\": \"web\"}'").fetch_all(&mut c).await.unwrap();
                let plan_text: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
                assert!(plan_text.join("\n").contains("events_doc_gin"), "{plan_text:?}");
            }
            Kind::My => {
                let rows = db.texts(&format!("SELECT column_name FROM information_schema.statistics WHERE table_schema = '{}' AND table_name = 'events' AND index_name = 'events_doc_source_idx'", db.name)).await;
                assert_eq!(rows.len(), 1, "{rows:?}");
                let col = rows[0].clone().unwrap();
                let gen = db.texts(&format!("SELECT generation_expression FROM information_schema.columns WHERE table_schema = '{}' AND table_name = 'events' AND column_name = '{col}'", db.name)).await;
                assert!(gen[0].as_deref().unwrap_or("").to_lowercase().contains("json_value"), "{gen:?}");
                let got: Vec<String> = db.texts(&format!("SELECT CAST(id AS CHAR) FROM events WHERE `{col}` = 'web' ORDER BY id")).await.into_iter().flatten().collect();
                let got = sorted(got);
                assert_eq!(got, want_web);
                let mut c = db.my().await;
                use sqlx::Row;
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN SELECT id FROM events WHERE `{col}` = 'web'"))).fetch_all(&mut c).await.unwrap();
                let key: Option<String> = rows[0].try_get::<Option<String>, _>("key").unwrap();
                assert_eq!(key.as_deref(), Some("events_doc_source_idx"));
            }
        }
        let run = ferry(&["validate", s, "--to", &db.url, "--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?} validate: {}\n{}", run.stdout, run.stderr);
        let run = ferry(&["diff", s, "--to", &db.url, "--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?} diff: {}\n{}", run.stdout, run.stderr);

        // The source goes on changing: sync carries it, the index follows, validate is clean.
        let c = Connection::open(&src).unwrap();
        let next: i64 = c.query_row("SELECT max(id) + 1 FROM events", [], |r| r.get(0)).unwrap();
        c.execute_batch(&format!(
            "UPDATE events SET doc = '{{\"source\":\"web\",\"n\":-2}}' WHERE id = 2; INSERT INTO events (id, kind, doc) VALUES ({next}, 'e', '{{\"source\":\"web\"}}');"
        ))
        .unwrap();
        drop(c);
        let run = ferry(&["sync", s, "--to", &db.url, "--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?} sync: {}\n{}", run.stdout, run.stderr);
        let run = ferry(&["validate", s, "--to", &db.url, "--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?} validate after sync: {}\n{}", run.stdout, run.stderr);
        let want = sqlite_ids(&src, "SELECT id FROM events WHERE json_extract(doc, '$.source') = 'web' ORDER BY id");
        assert_eq!(want.len(), 402);
        let sql = match kind {
            Kind::Pg => "SELECT id::text FROM events WHERE doc @> '{\"source\": \"web\"}'".to_string(),
            Kind::My => {
                let col = db.texts(&format!("SELECT column_name FROM information_schema.statistics WHERE table_schema = '{}' AND index_name = 'events_doc_source_idx'", db.name)).await;
                format!("SELECT CAST(id AS CHAR) FROM events WHERE `{}` = 'web'", col[0].clone().unwrap())
            }
        };
        assert_eq!(sorted(db.texts(&sql).await.into_iter().flatten().collect()), want);
        // Restore the source for the next target.
        build_json_again(&src);

        // Hostile entries are refused by name, before anything runs.
        let bad = dir.path(&format!("{kind:?}-bad.toml"));
        let cases: Vec<(Box<dyn Fn(&mut toml::Table)>, &str)> = match kind {
            Kind::Pg => vec![
                (Box::new(|p| { p.insert("using".into(), "gin_trgm_ops".into()); }), "using = \"gin_trgm_ops\" is not an operator class"),
                (Box::new(|p| { p.insert("columns".into(), toml::Value::Array(vec!["nope".into()])); }), "column events.nope is not in the source"),
                (Box::new(|p| { p.insert("columns".into(), toml::Value::Array(vec!["kind".into()])); }), "column events.kind is carried as text, not as JSON"),
            ],
            Kind::My => vec![
                (Box::new(|p| { p.insert("key".into(), "$.a b'; DROP TABLE events; --".into()); }), "is not a path to one plain key"),
                (Box::new(|p| { p.insert("using".into(), "char(999)".into()); }), "using = \"char(999)\" is not the cast"),
                (Box::new(|p| { p.remove("key"); }), "key is missing"),
            ],
        };
        for (edit, want) in cases {
            edited(&text, "json_index", &bad, edit);
            let run = ferry(&["validate", s, "--to", &db.url, "--plan", bad.to_str().unwrap()]);
            assert_eq!(run.code, 1, "{kind:?} {want}: {}\n{}", run.stdout, run.stderr);
            assert!(run.stderr.contains(want) && run.stderr.contains("[[production]] 1 (json_index)"), "{kind:?}: {}", run.stderr);
        }
    }
}

/// `accounts`: UUID keys and creation times in text, no DEFAULT; `notes`: SQLite's own
/// `CURRENT_TIMESTAMP` DEFAULT, already carried.
fn build_defaults(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);
         CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);",
    )
    .unwrap();
    for i in 0..20u32 {
        let id = format!("{:08x}-1234-4abc-8def-{:012x}", i * 7919 + 1, u64::from(i) * 104_729);
        c.execute("INSERT INTO accounts VALUES (?1, ?2, ?3)", [id, format!("a{i}"), format!("2024-03-{:02}T10:00:{:02}.123Z", i + 1, i)]).unwrap();
        c.execute("INSERT INTO notes (body, created_at) VALUES (?1, ?2)", [format!("n{i}"), format!("2024-03-{:02} 10:00:00", i + 1)]).unwrap();
    }
}

/// The plan with `entry` added to its `[[production]]`.
fn added(text: &str, out: &Path, entry: toml::Table) {
    let mut v: toml::Value = toml::from_str(text).unwrap();
    let t = v.as_table_mut().unwrap();
    let list = t.entry("production").or_insert_with(|| toml::Value::Array(vec![])).as_array_mut().unwrap();
    list.push(toml::Value::Table(entry));
    std::fs::write(out, toml::to_string(&v).unwrap()).unwrap();
}

#[tokio::test]
async fn uuid_keys_and_creation_times_get_the_targets_defaults() {
    let dir = Scratch::new();
    let src = dir.path("defaults.sqlite");
    build_defaults(&src);
    let s = src.to_str().unwrap();
    for kind in Kind::all() {
        let db = TestDb::new(kind, "pdefault").await;
        let plan = dir.path(&format!("{kind:?}.toml"));
        let text = plan_production(&src, &db.url, &plan);
        let ds = proposals(&text, "default");
        let find = |col: &str| ds.iter().find(|p| p["table"].as_str() == Some(if col == "body" { "notes" } else { "accounts" }) && p["columns"][0].as_str() == Some(col)).cloned();
        let id = find("id").unwrap_or_else(|| panic!("{kind:?}: {text}"));
        assert_eq!(id["evidence"].as_str(), Some("20 of 20 values are UUIDs; no DEFAULT in SQLite"));
        assert_eq!((id["using"].as_str(), id["accept"].as_bool()), (Some("uuid"), Some(true)));
        let created = find("created_at").unwrap();
        assert_eq!(created["evidence"].as_str(), Some("20 of 20 values are timestamps; no DEFAULT in SQLite"));
        assert_eq!(created["accept"].as_bool(), Some(true));
        // notes.created_at: SQLite's CURRENT_TIMESTAMP is carried already; now() is written, not taken.
        let notes = ds.iter().find(|p| p["table"].as_str() == Some("notes")).unwrap_or_else(|| panic!("{text}"));
        assert_eq!(notes["accept"].as_bool(), Some(false), "{notes:?}");
        assert!(notes["evidence"].as_str().unwrap().contains("SQLite's DEFAULT CURRENT_TIMESTAMP is carried as"), "{notes:?}");
        let exts = proposals(&text, "extension");
        match kind {
            Kind::Pg => {
                assert_eq!(id["sql"][0].as_str(), Some("ALTER TABLE \"accounts\" ALTER COLUMN \"id\" SET DEFAULT gen_random_uuid()"));
                assert_eq!(exts.len(), 1, "{exts:?}");
                assert_eq!((exts[0]["using"].as_str(), exts[0]["accept"].as_bool(), exts[0]["table"].as_str()), (Some("pg_stat_statements"), Some(true), Some("")));
            }
            Kind::My => assert!(exts.is_empty(), "{exts:?}"),
        }

        let (run, rep) = migrate(&src, &db, &["--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(rep["tables"]["accounts"]["rows_written"].as_u64(), Some(20), "{rep}");
        let run = ferry(&["validate", s, "--to", &db.url, "--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?} validate: {}\n{}", run.stdout, run.stderr);
        let run = ferry(&["diff", s, "--to", &db.url, "--plan", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?} diff: {}\n{}", run.stdout, run.stderr);
        if kind == Kind::Pg {
            let e = db.texts("SELECT extname::text FROM pg_extension WHERE extname = 'pg_stat_statements'").await;
            assert_eq!(e.len(), 1, "{e:?}");
        }
        // An INSERT that leaves them out gets a UUID and a time.
        db.exec("INSERT INTO accounts (name) VALUES ('fresh')").await.unwrap();
        let cast = if kind == Kind::Pg { "SELECT id::text || ' ' || created_at::text FROM accounts WHERE name = 'fresh'" } else { "SELECT CONCAT(id, ' ', created_at) FROM accounts WHERE name = 'fresh'" };
        let got = db.texts(cast).await;
        let got = got[0].clone().unwrap();
        let (uuid, time) = got.split_once(' ').unwrap();
        assert!(uuid.len() == 36 && uuid.chars().filter(|c| *c == '-').count() == 4, "{got}");
        assert!(time.starts_with("20"), "{got}");

        // Hostile entries.
        let bad = dir.path(&format!("{kind:?}-bad.toml"));
        let cases: Vec<(toml::Table, &str)> = {
            let entry = |kind: &str, table: &str, col: Option<&str>, using: &str| {
                let mut t = toml::Table::new();
                t.insert("table".into(), table.into());
                t.insert("kind".into(), kind.into());
                t.insert("accept".into(), true.into());
                t.insert("evidence".into(), "hand-written".into());
                if let Some(c) = col {
                    t.insert("columns".into(), toml::Value::Array(vec![c.into()]));
                }
                t.insert("using".into(), using.into());
                t
            };
            let mut v = vec![
                (entry("default", "accounts", Some("created_at"), "serial"), "using = \"serial\" is not a default Ferry makes"),
                (entry("default", "accounts", Some("name"), "uuid"), "column accounts.name is carried as"),
                (entry("default", "accounts", Some("missing"), "now"), "column accounts.missing is not in the source"),
            ];
            v.push(match kind {
                Kind::Pg => (entry("extension", "", None, "plpython3u"), "using = \"plpython3u\" is not an extension Ferry creates"),
                Kind::My => (entry("extension", "", None, "pg_trgm"), "has no extensions"),
            });
            v
        };
        for (entry, want) in cases {
            added(&text, &bad, entry);
            let run = ferry(&["validate", s, "--to", &db.url, "--plan", bad.to_str().unwrap()]);
            assert_eq!(run.code, 1, "{kind:?} {want}: {}\n{}", run.stdout, run.stderr);
            assert!(run.stderr.contains(want), "{kind:?}: {}", run.stderr);
        }
    }
}

/// A login role of the test's own, dropped at the end (declared before the database it
/// owns, so dropped after it).
struct Role(String);

impl Drop for Role {
    fn drop(&mut self) {
        cleanup(Kind::Pg, format!("DROP ROLE IF EXISTS \"{}\"", self.0), 30);
    }
}

/// Issue #22: a database owner that is no superuser may not create pg_stat_statements; the
/// run says so in one line and goes on, and the rows are all there.
#[tokio::test]
async fn an_extension_the_role_may_not_create_is_said_and_left_out() {
    let dir = Scratch::new();
    let src = dir.path("defaults.sqlite");
    build_defaults(&src);
    let s = src.to_str().unwrap();
    let role = Role(unique_name("extowner"));
    let db = TestDb::new(Kind::Pg, "pext").await;
    for sql in [format!("CREATE ROLE \"{}\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE", role.0), format!("ALTER DATABASE \"{}\" OWNER TO \"{}\"", db.name, role.0)] {
        let admin = TestDb { kind: Kind::Pg, name: String::new(), url: pg_base() };
        let r = admin.exec(&sql).await;
        std::mem::forget(admin);
        r.unwrap();
    }
    let mut u = url::Url::parse(&db.url).unwrap();
    u.set_username(&role.0).unwrap();
    let url = u.to_string();
    let plan = dir.path("pg.toml");
    let text = plan_production(&src, &url, &plan);
    assert_eq!(proposals(&text, "extension").len(), 1, "{text}");
    let report = dir.path("run.json");
    let run = ferry(&["migrate", s, "--to", &url, "--plan", plan.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    assert!(run.code == 0 || run.code == 2, "exit {}: {}\n{}", run.code, run.stdout, run.stderr);
    let all = format!("{}\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = all.lines().filter(|l| l.contains("extension pg_stat_statements")).collect();
    assert_eq!(lines.len(), 1, "{all}");
    assert!(lines[0].contains("not created") && lines[0].contains("ferry monitor cannot list the statements; the run goes on without it"), "{all}");
    let rep: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(rep["completed"].as_bool(), Some(true), "{rep}");
    assert_eq!(rep["tables"]["accounts"]["rows_written"].as_u64(), Some(20));
    let run = ferry(&["validate", s, "--to", &url, "--plan", plan.to_str().unwrap()]);
    assert_eq!(run.code, 0, "validate: {}\n{}", run.stdout, run.stderr);
    // The defaults were made all the same.
    let d = db.texts("SELECT column_default::text FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'id'").await;
    assert_eq!(d, [Some("gen_random_uuid()".to_string())]);
}
