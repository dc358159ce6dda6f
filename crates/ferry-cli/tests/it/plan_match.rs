//! The plan and the target never differ in silence, against the real servers: a plan file
//! whose type is not one of the dialect's accepted forms is refused before anything is
//! written; after a clean run, every change made to the target's schema by hand (a type, a
//! length, NOT NULL dropped, a default changed, an index dropped, a foreign key dropped) makes
//! `ferry validate` say "NOT valid" (exit 2) naming table, object, planned and found, and
//! `ferry diff` names the same; a clean run of the demo validates clean, schema included.

use crate::common::*;
use rusqlite::Connection;
use serde_json::Value as J;
use std::path::Path;

/// Two tables: a foreign key, NOT NULL columns with and without defaults, a VARCHAR(15)
/// column, an index.
fn build_source(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE posts (
           id INTEGER PRIMARY KEY,
           author_id INTEGER NOT NULL REFERENCES authors(id),
           slug VARCHAR(15) NOT NULL,
           title TEXT NOT NULL,
           lang TEXT NOT NULL DEFAULT 'en',
           views INTEGER NOT NULL DEFAULT 0
         );
         CREATE INDEX posts_views ON posts(views);",
    )
    .unwrap();
    for i in 1..=5 {
        conn.execute(
            "INSERT INTO authors (id, name) VALUES (?1, ?2)",
            rusqlite::params![i, format!("Author {i}")],
        )
        .unwrap();
    }
    for i in 1..=40 {
        conn.execute(
            "INSERT INTO posts (id, author_id, slug, title, lang, views) VALUES (?1, ?2, ?3, ?4, 'en', ?5)",
            rusqlite::params![i, i % 5 + 1, format!("post-number-{i:03}"), format!("Title {i}"), i * 7],
        )
        .unwrap();
    }
}

/// The tables the target holds (in `public`, or the MariaDB database).
async fn target_tables(db: &TestDb) -> Vec<String> {
    let sql = match db.kind {
        Kind::Pg => "SELECT table_name::text FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1".to_string(),
        Kind::My => format!("SELECT table_name FROM information_schema.tables WHERE table_schema = '{}' ORDER BY 1", db.name),
    };
    db.texts(&sql).await.into_iter().flatten().collect()
}

fn json_of(run: &Run) -> J {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("JSON ({e}): {}\n{}", run.stdout, run.stderr))
}

#[tokio::test]
async fn a_type_that_is_not_an_accepted_form_is_refused_before_anything_is_written() {
    let dir = Scratch::new();
    let src = dir.path("posts.sqlite");
    build_source(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "planbad").await;
        // A mysql:// plan names MySQL, whichever of the two the server is.
        let name = if kind == Kind::Pg {
            "PostgreSQL"
        } else {
            "MySQL"
        };
        // (the type typed into the plan, what the refusal says is wrong with it)
        let cases = [
            (
                "varchar(10 /*",
                "not a type name with at most one list of whole numbers",
            ),
            (
                "varchar(10) /* note */",
                "not a type name with at most one list of whole numbers",
            ),
            (
                "text; DROP TABLE authors",
                "not a type name with at most one list of whole numbers",
            ),
            (
                "varchar(10))",
                "not a type name with at most one list of whole numbers",
            ),
            ("varchar(10,2)", "varchar does not take those numbers here"),
            ("date(3)", "date does not take those numbers here"),
            ("geometry", "Ferry does not create geometry columns"),
        ];
        for (i, (ty, why)) in cases.iter().enumerate() {
            let plan = plan_with_type(
                &src,
                &db.url,
                "slug",
                ty,
                &dir.path(&format!("{kind:?}-{i}.toml")),
            );
            let plan = plan.to_str().unwrap();
            let run = ferry(&[
                "migrate",
                src.to_str().unwrap(),
                "--to",
                &db.url,
                "--plan",
                plan,
            ]);
            assert_ne!(
                run.code, 0,
                "{kind:?} {ty:?}: refused\n{}{}",
                run.stdout, run.stderr
            );
            let said = format!("{}{}", run.stdout, run.stderr);
            assert!(
                said.contains(&format!("type {ty:?} is not a {name} type Ferry accepts")),
                "{kind:?} {ty:?}: {said}"
            );
            assert!(
                said.contains(why) && said.contains("Accepted: ") && said.contains("varchar(n)"),
                "{kind:?} {ty:?}: says why and which forms are accepted: {said}"
            );
            assert!(
                said.contains("slug"),
                "{kind:?} {ty:?}: names the column: {said}"
            );
            assert!(!said.contains("panicked"), "{said}");
            assert_eq!(
                target_tables(&db).await,
                Vec::<String>::new(),
                "{kind:?} {ty:?}: nothing written to the target"
            );
            // validate and diff read the same plan: refused the same way, never believed.
            for cmd in ["validate", "diff"] {
                let run = ferry(&[cmd, src.to_str().unwrap(), "--to", &db.url, "--plan", plan]);
                let said = format!("{}{}", run.stdout, run.stderr);
                assert!(
                    run.code != 0 && said.contains("Ferry accepts") && said.contains(why),
                    "{kind:?} {cmd} {ty:?}: {said}"
                );
            }
        }
    }
}

/// A clean run of `src`, validated clean; returns the diff's JSON.
async fn migrate_clean(src: &Path, db: &TestDb, kind: Kind) -> J {
    let (run, _) = migrate(src, db, &[]);
    assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
    let v = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url, "--json"]);
    let rep = json_of(&v);
    assert_eq!(
        (v.code, &rep["schema"]),
        (0, &J::Array(vec![])),
        "{kind:?}: a clean run validates clean: {:#}",
        rep["schema"]
    );
    let d = ferry(&["diff", src.to_str().unwrap(), "--to", &db.url, "--json"]);
    assert_eq!(d.code, 0, "{kind:?}: {}", d.stdout);
    json_of(&d)
}

/// The name of the one `kind` item of `table` in a diff.
fn item_name(d: &J, table: &str, kind: &str) -> String {
    let t = d["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == table)
        .unwrap();
    let items: Vec<&J> = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == kind)
        .collect();
    assert_eq!(items.len(), 1, "one {kind} in {table}: {t:#}");
    items[0]["name"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_change_to_the_schema_behind_ferrys_back_is_named_by_validate_and_diff() {
    let dir = Scratch::new();
    let src = dir.path("posts.sqlite");
    build_source(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "planmatch").await;
        let before = migrate_clean(&src, &db, kind).await;
        let (fk, index) = (
            item_name(&before, "posts", "foreign_key"),
            item_name(&before, "posts", "index"),
        );
        let col_type = |c: &str| {
            let t = before["tables"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["name"] == "posts")
                .unwrap();
            let i = t["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["kind"] == "column" && i["name"] == c)
                .unwrap();
            i["actual"]
                .as_str()
                .unwrap()
                .split(" NOT NULL")
                .next()
                .unwrap()
                .split(" COLLATE")
                .next()
                .unwrap()
                .to_string()
        };
        let title_type = col_type("title");
        // Every change a person (or a server) could make: a type, a length, NOT NULL
        // dropped, a default changed, an index dropped, a foreign key dropped.
        let changes = match kind {
            Kind::Pg => vec![
                "ALTER TABLE posts ALTER COLUMN views TYPE numeric(20,0)".to_string(),
                "ALTER TABLE posts ALTER COLUMN slug TYPE varchar(40)".into(),
                "ALTER TABLE posts ALTER COLUMN title DROP NOT NULL".into(),
                "ALTER TABLE posts ALTER COLUMN lang SET DEFAULT 'fr'".into(),
                format!("DROP INDEX \"{index}\""),
                format!("ALTER TABLE posts DROP CONSTRAINT \"{fk}\""),
            ],
            Kind::My => vec![
                "ALTER TABLE posts MODIFY views decimal(20,0) NOT NULL DEFAULT 0".to_string(),
                "ALTER TABLE posts MODIFY slug varchar(40) NOT NULL".into(),
                format!("ALTER TABLE posts MODIFY title {title_type} NULL"),
                "ALTER TABLE posts ALTER COLUMN lang SET DEFAULT 'fr'".into(),
                format!("ALTER TABLE posts DROP FOREIGN KEY `{fk}`"),
                format!("DROP INDEX `{index}` ON posts"),
            ],
        };
        for sql in &changes {
            db.exec(sql)
                .await
                .unwrap_or_else(|e| panic!("{kind:?} {sql}: {e}"));
        }
        // (kind, name, a word of what differs)
        let want = [
            ("column", "views", "type: "),
            ("column", "slug", "(40) in the target, varchar(15) planned"),
            (
                "column",
                "title",
                "nullability: NULL allowed in the target, NOT NULL planned",
            ),
            ("column", "lang", "default: 'fr'"),
            ("index", index.as_str(), ""),
            ("foreign_key", fk.as_str(), ""),
        ];
        let report = dir.path(&format!("{kind:?}.validation.html"));
        let v = ferry(&[
            "validate",
            src.to_str().unwrap(),
            "--to",
            &db.url,
            "--json",
            "--report",
            report.to_str().unwrap(),
        ]);
        let rep = json_of(&v);
        assert_eq!(
            v.code, 2,
            "{kind:?}: the schema differs: {:#}",
            rep["schema"]
        );
        assert_eq!(
            (rep["clean"].clone(), rep["mismatches"].clone()),
            (J::Bool(false), J::from(0)),
            "{kind:?}: every row still matches; the schema does not"
        );
        let schema = rep["schema"].as_array().unwrap();
        for (k, name, what) in want {
            let found = schema
                .iter()
                .find(|d| d["table"] == "posts" && d["kind"] == k && d["name"] == name);
            let d = found.unwrap_or_else(|| {
                panic!("{kind:?}: validate names {k} {name}: {:#}", rep["schema"])
            });
            let text = format!("{d}");
            assert!(
                text.contains(what),
                "{kind:?} {k} {name}: {what:?} in {d:#}"
            );
            if k == "column" {
                assert!(
                    d["planned"].is_string() && d["found"].is_string(),
                    "{kind:?}: planned and found: {d:#}"
                );
            } else {
                assert_eq!(
                    (d["status"].as_str(), d["found"].is_null()),
                    (Some("create"), true),
                    "{kind:?}: planned, missing: {d:#}"
                );
            }
        }
        let html = std::fs::read_to_string(&report).unwrap();
        assert!(
            html.contains("Schema differs from the plan")
                && html.contains("(40) in the target")
                && html.contains(&fk)
                && html.contains(&index),
            "{kind:?}: the HTML report lists them"
        );
        // The summary a person reads names table, object, planned vs found.
        let v = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url]);
        assert_eq!(v.code, 2, "{}", v.stdout);
        for line in [
            "posts.views: column differs: type: ",
            "posts.slug: column differs: type: ",
            "(40) in the target, varchar(15) planned",
            "posts.title: column differs: nullability",
            "posts.lang: column differs: default: 'fr'",
        ] {
            assert!(
                v.stdout.contains(line),
                "{kind:?}: {line:?} in\n{}",
                v.stdout
            );
        }
        assert!(
            v.stdout
                .contains(&format!("posts.{fk}: foreign key planned"))
                && v.stdout.contains(&format!("posts.{index}: index planned")),
            "{kind:?}: {}",
            v.stdout
        );
        assert!(
            v.stdout.contains("NOT valid")
                && v.stdout.contains("the schema differs from the plan in"),
            "{}",
            v.stdout
        );
        // diff names each of them too.
        let d = ferry(&["diff", src.to_str().unwrap(), "--to", &db.url, "--json"]);
        assert_eq!(d.code, 2, "{kind:?}: {}", d.stdout);
        let dj = json_of(&d);
        let posts = dj["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "posts")
            .unwrap();
        for (k, name, what) in want {
            let i = posts["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["kind"] == k && i["name"] == name)
                .unwrap();
            assert_ne!(i["status"], "equal", "{kind:?} diff: {k} {name}: {i:#}");
            assert!(
                format!("{i}").contains(what),
                "{kind:?} diff {k} {name}: {what:?} in {i:#}"
            );
        }
        // The same list, nothing more, nothing less: diff and validate agree.
        let from_diff: Vec<(String, String)> = dj["tables"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| {
                t["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|i| i["status"] != "equal")
                    .map(move |i| {
                        (
                            t["name"].as_str().unwrap().to_string(),
                            i["name"].as_str().unwrap().to_string(),
                        )
                    })
            })
            .collect();
        let from_validate: Vec<(String, String)> = schema
            .iter()
            .map(|d| {
                (
                    d["table"].as_str().unwrap().to_string(),
                    d["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            from_diff, from_validate,
            "{kind:?}: diff and validate name the same differences"
        );
    }
}

#[tokio::test]
async fn the_demo_validates_clean_schema_and_all_on_both_targets_and_in_a_schema() {
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    assert_eq!(
        ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "1000"]).code,
        0
    );
    // (kind, PostgreSQL schema)
    for (kind, schema) in [
        (Kind::Pg, None),
        (Kind::My, None),
        (Kind::Pg, Some("sales")),
    ] {
        let db = TestDb::new(kind, "matchdemo").await;
        let mut extra = vec![];
        if let Some(s) = schema {
            extra = vec!["--schema", s];
        }
        let (run, _) = migrate(&src, &db, &extra);
        assert!(
            run.code == 0 || run.code == 2,
            "{kind:?} {schema:?}: {}{}",
            run.stdout,
            run.stderr
        );
        let mut args = vec!["validate", src.to_str().unwrap(), "--to", &db.url, "--json"];
        args.extend_from_slice(&extra);
        let v = ferry(&args);
        let rep = json_of(&v);
        assert_eq!(
            rep["schema"],
            J::Array(vec![]),
            "{kind:?} {schema:?}: no false differences"
        );
        assert_eq!(
            (v.code, &rep["clean"]),
            (0, &J::Bool(true)),
            "{kind:?} {schema:?}: {}",
            v.stderr
        );
        let mut args = vec!["diff", src.to_str().unwrap(), "--to", &db.url];
        args.extend_from_slice(&extra);
        let d = ferry(&args);
        assert!(
            d.code == 0 && d.stdout.contains("the target matches the plan"),
            "{kind:?} {schema:?}: {}",
            d.stdout
        );
    }
}
