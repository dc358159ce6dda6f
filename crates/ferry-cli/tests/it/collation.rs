//! SQLite collations carried natively: a `COLLATE NOCASE` key stays case-insensitive in both
//! targets (PostgreSQL: the nondeterministic ICU collation Ferry creates; MariaDB: its
//! accent-sensitive `_ci`), pre-flight finds the keys only the target's wider folding makes
//! collide, and the fold it uses agrees with both servers.

use crate::common::*;
use rusqlite::Connection;
use serde_json::Value as J;
use std::path::Path;

fn build_customers(path: &Path, extra: &str) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(&format!(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, email TEXT NOT NULL COLLATE NOCASE, name TEXT,
            UNIQUE (tenant_id, email));
         INSERT INTO customers (tenant_id, email, name) VALUES (1, 'alice@example.com', 'Alice'), (1, 'bob@example.com', 'Bob'),
            (2, 'ALICE@EXAMPLE.COM', 'Alice too'), (1, 'zoë@example.org', 'Zoë');
         CREATE VIEW example_com AS SELECT id, email FROM customers WHERE email LIKE '%@EXAMPLE.com';
         CREATE VIEW alice AS SELECT id FROM customers WHERE email = 'Alice@Example.com';
         CREATE VIEW at_sign AS SELECT id, instr(email, '@') AS at, replace(email, 'example', 'x') AS r FROM customers;
         {extra}"
    ))
    .unwrap();
}

/// The same table with NOCASE on the key, not the column: `UNIQUE (tenant_id, email COLLATE NOCASE)`.
fn build_keyed(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, email TEXT NOT NULL, name TEXT,
            UNIQUE (tenant_id, email COLLATE NOCASE));
         INSERT INTO customers (tenant_id, email, name) VALUES (1, 'alice@example.com', 'Alice'), (1, 'bob@example.com', 'Bob'),
            (2, 'ALICE@EXAMPLE.COM', 'Alice too'), (1, 'zoë@example.org', 'Zoë');
         CREATE INDEX customers_name ON customers (name COLLATE NOCASE);",
    )
    .unwrap();
}

#[tokio::test]
async fn a_nocase_unique_key_stays_case_insensitive() {
    for keyed in [false, true] {
        key_stays_case_insensitive(keyed).await;
    }
}

async fn key_stays_case_insensitive(keyed: bool) {
    let dir = Scratch::new();
    let src = dir.path("customers.sqlite");
    if keyed {
        build_keyed(&src);
    } else {
        build_customers(&src, "");
    }
    let before = sha256(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "nocase").await;
        // The plan says which collation and why.
        let plan = dir.path(&format!("{kind:?}.toml"));
        let run = ferry(&["plan", src.to_str().unwrap(), "--to", &db.url, "--out", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let text = std::fs::read_to_string(&plan).unwrap();
        let want = if kind == Kind::Pg { "collation ferry_nocase" } else { "utf8mb4_uca1400_nopad_as_ci" };
        assert!(text.contains(want) && text.contains("COLLATE NOCASE"), "{kind:?}: {text}");
        assert_eq!(text.contains("its key compares it COLLATE NOCASE"), keyed, "{kind:?}: {text}");

        let (run, rep) = migrate(&src, &db, &[]);
        // Exit 2 where something was not carried exactly (the index's collation).
        assert_eq!(run.code, if keyed { 2 } else { 0 }, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        // An index part's own collation the column does not have is said, not dropped silently.
        let said = rep["warnings"].to_string().contains("created without COLLATE NOCASE on column name");
        assert_eq!(said, keyed, "{kind:?}: {}", rep["warnings"]);
        let used = if kind == Kind::Pg { "collation ferry_nocase" } else { "collation utf8mb4_uca1400_nopad_as_ci" };
        let notes = rep["notes"].to_string();
        assert!(notes.contains("column email") && notes.contains(used), "{kind:?}: the report says which collation: {notes}");
        // Case-variant duplicates are refused, accents are not folded, tenants stay apart.
        let ins = |t: i64, e: &str| format!("INSERT INTO customers (tenant_id, email) VALUES ({t}, '{e}')");
        assert!(db.exec(&ins(1, "ALICE@EXAMPLE.COM")).await.is_err(), "{kind:?}: a case variant is refused");
        assert!(db.exec(&ins(1, "Bob@Example.Com")).await.is_err(), "{kind:?}");
        assert!(db.exec(&ins(1, "zoe@example.org")).await.is_ok(), "{kind:?}: ë and e stay apart");
        assert!(db.exec(&ins(3, "alice@example.com")).await.is_ok(), "{kind:?}: another tenant");
        // The views return SQLite's rows: LIKE and = ignore ASCII case as in SQLite.
        let ids = |v: &str| format!("SELECT CAST(id AS CHAR(10)) FROM {v} WHERE id <= 4 ORDER BY id").replace("CHAR(10)", if kind == Kind::Pg { "text" } else { "CHAR" });
        if !keyed {
            assert_eq!(db.texts(&ids("example_com")).await, vec![Some("1".into()), Some("2".into()), Some("3".into())], "{kind:?}");
            assert_eq!(db.texts(&ids("alice")).await, vec![Some("1".into()), Some("3".into())], "{kind:?}");
            // instr and replace match bytes, as SQLite's do (PostgreSQL refuses substring
            // searches under a nondeterministic collation: they read the column under "C").
            let sql = format!("SELECT CONCAT(CAST(at AS {}), ' ', r) FROM at_sign WHERE id IN (1, 3) ORDER BY id", if kind == Kind::Pg { "text" } else { "CHAR" });
            assert_eq!(db.texts(&sql).await, vec![Some("6 alice@x.com".into()), Some("6 ALICE@EXAMPLE.COM".into())], "{kind:?}");
        }
        db.exec("DELETE FROM customers WHERE id > 4").await.unwrap();
        // validate and diff agree with the source.
        let v = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url]);
        assert_eq!(v.code, 0, "{kind:?}: {}\n{}", v.stdout, v.stderr);
        let d = ferry(&["diff", src.to_str().unwrap(), "--to", &db.url, "--json"]);
        let dj: J = serde_json::from_str(&d.stdout).unwrap_or(J::Null);
        let unequal: Vec<String> = dj["tables"].as_array().unwrap().iter().flat_map(|t| t["items"].as_array().unwrap().iter().filter(|i| i["status"] != "equal").map(|i| i.to_string())).collect();
        assert!(unequal.is_empty(), "{kind:?}: {unequal:?}");
        let email = dj["tables"][0]["items"].as_array().unwrap().iter().find(|i| i["name"] == "email").unwrap().to_string();
        assert!(email.contains("COLLATE"), "{kind:?}: the collation is compared: {email}");
        // Rolled back, the run's collation goes with its tables.
        let report = src.with_extension(format!("{}.report.json", db.name));
        let r = ferry(&["rollback", report.to_str().unwrap(), "--to", &db.url]);
        assert_eq!(r.code, 0, "{kind:?}: {}\n{}", r.stdout, r.stderr);
        if kind == Kind::Pg {
            assert!(r.stdout.contains("collation ferry_nocase"), "{}", r.stdout);
            assert_eq!(db.texts("SELECT count(*)::text FROM pg_collation WHERE collname = 'ferry_nocase'").await, vec![Some("0".into())]);
        }
    }
    assert_eq!(sha256(&src), before, "the source is not written to");
}

/// 'É' and 'é' are two values under SQLite's NOCASE, one under the targets' folding:
/// pre-flight names the row, and migrate refuses that row and no other.
#[tokio::test]
async fn keys_that_collide_only_in_the_target_are_found_first() {
    let dir = Scratch::new();
    let src = dir.path("accents.sqlite");
    build_customers(&src, "INSERT INTO customers (tenant_id, email) VALUES (1, 'élodie@example.com'), (1, 'ÉLODIE@example.com');");
    for kind in Kind::all() {
        let db = TestDb::new(kind, "nocase_pf").await;
        let run = ferry(&["preflight", src.to_str().unwrap(), "--to", &db.url, "--json"]);
        let pf: J = serde_json::from_str(&run.stdout).unwrap_or_else(|_| panic!("{kind:?}: {}\n{}", run.stdout, run.stderr));
        let dup: Vec<&J> = pf["groups"].as_array().unwrap().iter().filter(|g| g["kind"] == "duplicate_unique").collect();
        assert_eq!(dup.len(), 1, "{kind:?}: {dup:?}");
        assert_eq!(dup[0]["count"], 1, "{kind:?}: {dup:?}");
        assert_eq!(dup[0]["examples"][0]["row"]["id"], 6, "{kind:?}: {dup:?}");
        let (_, rep) = migrate(&src, &db, &[]);
        let rej = rep["tables"]["customers"]["rejected"].as_array().cloned().unwrap_or_default();
        assert_eq!(rej.len(), 1, "{kind:?}: {rep:#}");
        assert_eq!(rej[0]["row"]["id"], 6, "{kind:?}");
    }
}

/// The fold pre-flight uses equates exactly what the targets' case-insensitive collations do,
/// over Latin, Greek and Cyrillic, the compatibility forms and the ignorable characters.
#[tokio::test]
async fn case_fold_agrees_with_both_servers() {
    // Letters (Latin, Greek, Cyrillic), full-width forms, spaces and format characters; not
    // lone combining marks, C1 controls or IPA ligatures, which the fold does not model.
    let ranges = [0x20u32..0x7F, 0xA0..0x250, 0x370..0x37A, 0x37B..0x400, 0x400..0x483, 0x48A..0x530, 0xFF01..0xFF5F, 0x2000..0x2070];
    let mut samples: Vec<String> = ranges.into_iter().flatten().filter(|&c| c != 0x17F).filter_map(char::from_u32).map(String::from).collect();
    samples.extend(["ﬁ", "fi", "straße", "strasse", "😀", "😁", "a ", "a", "e\u{301}", "Σας", "ΣΑΣ", "x²", "X2", "a\u{1}b", "ab"].map(String::from));
    for kind in Kind::all() {
        let db = TestDb::new(kind, "fold").await;
        match kind {
            Kind::Pg => db
                .exec("CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false); CREATE TABLE f (i int PRIMARY KEY, s text COLLATE ci)")
                .await
                .unwrap(),
            Kind::My => db.exec("CREATE TABLE f (i INT PRIMARY KEY, s VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_nopad_as_ci)").await.unwrap(),
        }
        for (n, chunk) in samples.chunks(500).enumerate() {
            let values: Vec<String> = chunk
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
                    match kind {
                        Kind::Pg => format!("({}, convert_from('\\x{hex}'::bytea, 'UTF8'))", n * 500 + i),
                        Kind::My => format!("({}, X'{hex}')", n * 500 + i),
                    }
                })
                .collect();
            let sql = format!("INSERT INTO f VALUES {}", values.join(","));
            db.exec(&sql).await.unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        }
        let rows = db.texts("SELECT CONCAT(a.i, ' ', MIN(b.i)) FROM f a JOIN f b ON a.s = b.s GROUP BY a.i ORDER BY a.i").await;
        assert_eq!(rows.len(), samples.len());
        let mut disagree = vec![];
        for r in rows {
            let r = r.unwrap();
            let (a, b) = r.split_once(' ').unwrap();
            let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
            let fold = ferry_core::preflight::case_fold::fold;
            let first = samples.iter().position(|s| fold(s) == fold(&samples[a])).unwrap();
            if first != b {
                disagree.push(format!("{:?}: server {:?}, fold {:?}", samples[a], samples[b], samples[first]));
            }
        }
        assert!(disagree.is_empty(), "{kind:?}: {} disagreements: {disagree:?}", disagree.len());
    }
}

/// A file whose application registers its own collations (`unicase`, `pinyin`): read through
/// stand-ins, `unicase` carried with the target's case-insensitive collation, `pinyin` with
/// the default one and reported; the file stays byte for byte as it was.
#[tokio::test]
async fn collations_only_the_application_knows_are_read_and_carried() {
    let dir = Scratch::new();
    let src = dir.path("app.db");
    {
        let c = Connection::open(&src).unwrap();
        let fold = |s: &str| s.to_uppercase().to_lowercase();
        c.create_collation("unicase", move |a: &str, b: &str| fold(a).cmp(&fold(b))).unwrap();
        c.create_collation("pinyin", |a: &str, b: &str| a.cmp(b)).unwrap();
        c.execute_batch(
            "CREATE TABLE tags (id INTEGER PRIMARY KEY, name text COLLATE unicase UNIQUE, sort_key TEXT COLLATE pinyin);
             CREATE INDEX tags_sort ON tags (sort_key);
             INSERT INTO tags (name, sort_key) VALUES ('Rust', 'r'), ('Émile', 'e'), ('zoë', 'z');",
        )
        .unwrap();
    }
    let before = sha256(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "unicase").await;
        let plan = dir.path(&format!("{kind:?}.toml"));
        let run = ferry(&["plan", src.to_str().unwrap(), "--to", &db.url, "--out", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{kind:?}: {}", run.stderr);
        let text = std::fs::read_to_string(&plan).unwrap();
        assert!(text.contains("COLLATE unicase (the application's own collation"), "{kind:?}: {text}");
        assert!(text.contains("COLLATE pinyin not carried"), "{kind:?}: {text}");
        let (run, rep) = migrate(&src, &db, &[]);
        assert!(!run.stderr.contains("no such collation"), "{kind:?}: {}", run.stderr);
        assert_eq!(db.texts("SELECT name FROM tags ORDER BY id").await, vec![Some("Rust".into()), Some("Émile".into()), Some("zoë".into())], "{kind:?}: {}", run.stderr);
        let warnings = rep["warnings"].to_string();
        assert!(warnings.contains("COLLATE pinyin of column sort_key") && warnings.contains("default collation"), "{kind:?}: {warnings}");
        assert!(rep["notes"].to_string().contains("COLLATE unicase carried as collation"), "{kind:?}: {}", rep["notes"]);
        assert!(db.exec("INSERT INTO tags (name) VALUES ('RUST')").await.is_err(), "{kind:?}: unicase's key ignores case in the target");
        assert!(db.exec("INSERT INTO tags (name) VALUES ('émile')").await.is_err(), "{kind:?}");
        assert!(db.exec("INSERT INTO tags (name) VALUES ('Emile')").await.is_ok(), "{kind:?}: accents kept");
    }
    assert_eq!(sha256(&src), before, "the source is not written to");
}

/// JSON documents that are bare scalars (`42`, `"x"`, `true`, `null`): json_valid counts them,
/// so the column declared JSON stays JSON, and the integer 42 SQLite keeps (a JSON column has
/// NUMERIC affinity) arrives as the JSON number 42.
#[tokio::test]
async fn bare_json_scalars_are_json_documents() {
    let dir = Scratch::new();
    let src = dir.path("docs.sqlite");
    {
        let c = Connection::open(&src).unwrap();
        c.execute_batch(
            r#"CREATE TABLE docs (id INTEGER PRIMARY KEY, doc JSON);
               INSERT INTO docs (doc) VALUES ('{"a": 1}'), ('[1, "two"]'), ('42'), ('"x"'), ('true'), ('null'), (2.5), (NULL);"#,
        )
        .unwrap();
        let kinds: String = c.query_row("SELECT group_concat(typeof(doc) || ':' || coalesce(json_valid(doc), 'n'), ',') FROM docs", [], |r| r.get(0)).unwrap();
        assert_eq!(kinds, "text:1,text:1,integer:1,text:1,text:1,text:1,real:1,null:n", "what SQLite keeps");
    }
    for kind in Kind::all() {
        let db = TestDb::new(kind, "jsonscalar").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 0, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        let planned = rep["plan"]["tables"][0]["columns"][1].clone();
        assert_eq!(planned["type"], if kind == Kind::Pg { "jsonb" } else { "json" }, "{kind:?}: {planned}");
        assert_eq!(rep["tables"]["docs"]["rejected"].as_array().map(|a| a.len()), Some(0), "{kind:?}: {rep:#}");
        match kind {
            Kind::Pg => {
                let got = db.texts("SELECT coalesce(jsonb_typeof(doc) || ' ' || doc::text, 'NULL') FROM docs ORDER BY id").await;
                let want = ["object {\"a\": 1}", "array [1, \"two\"]", "number 42", "string \"x\"", "boolean true", "null null", "number 2.5", "NULL"];
                assert_eq!(got, want.map(|s| Some(s.to_string())).to_vec());
            }
            Kind::My => {
                let got = db.texts("SELECT coalesce(CONCAT(JSON_TYPE(doc), ' ', doc), 'NULL') FROM docs ORDER BY id").await;
                let want = ["OBJECT {\"a\": 1}", "ARRAY [1, \"two\"]", "INTEGER 42", "STRING \"x\"", "BOOLEAN true", "NULL null", "DOUBLE 2.5", "NULL"];
                assert_eq!(got, want.map(|s| Some(s.to_string())).to_vec());
            }
        }
        let v = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url]);
        assert_eq!(v.code, 0, "{kind:?}: {}\n{}", v.stdout, v.stderr);
    }
}
