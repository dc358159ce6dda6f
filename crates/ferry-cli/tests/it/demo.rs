//! The demo database at a small scale into both targets: every row equal, nothing rejected
//! or changed; its trigger carried where the target can have it (PostgreSQL; MySQL/MariaDB
//! refuse a trigger that writes its own table) and named where not.

use crate::common::*;

#[tokio::test]
async fn demo_into_both_targets() {
    let dir = Scratch::new();
    let src = dir.path("demo.sqlite");
    let r = ferry(&["demo", "--out", src.to_str().unwrap(), "--scale", "3000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Same scale, same file contents (deterministic).
    let again = dir.path("again.sqlite");
    assert_eq!(ferry(&["demo", "--out", again.to_str().unwrap(), "--scale", "3000"]).code, 0);
    assert_eq!(ferry(&["demo", "--out", again.to_str().unwrap(), "--scale", "3000"]).code, 1, "refuses to overwrite without --force");
    let inspect = ferry(&["inspect", src.to_str().unwrap()]);
    assert_eq!(inspect.code, 0);
    for t in ferry_core::demo::TABLES {
        assert!(inspect.stdout.contains(&format!("table {t} ")), "inspect lists {t}");
    }
    for kind in Kind::all() {
        let db = TestDb::new(kind, "demo").await;
        let (run, rep) = migrate(&src, &db, &["--jobs", "3"]);
        assert!(run.code == 0 || run.code == 2, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        for (name, t) in rep["tables"].as_object().unwrap() {
            assert!(t["rejected"].as_array().unwrap().is_empty(), "{kind:?} {name}: {}", t["rejected"]);
            assert!(t["changed"].as_array().unwrap().is_empty(), "{kind:?} {name}: {}", t["changed"]);
        }
        for w in rep["warnings"].as_array().unwrap() {
            assert!(w["object"] == "trigger trg_products_updated_at" && kind == Kind::My, "{kind:?}: only the trigger is left behind, on MariaDB: {w}");
        }
        let carried = rep["created"].as_array().unwrap().iter().any(|c| c["kind"] == "trigger" && c["name"] == "trg_products_updated_at");
        assert_eq!(carried, kind == Kind::Pg, "{kind:?}: {}", rep["created"]);
        assert!(run.stdout.contains("phase") && run.stdout.contains("order_items"), "summary printed: {}", run.stdout);
        crate::compare::assert_same_rows(&src, &db, &rep).await;
        // The types the data calls for.
        let id_type = match kind {
            Kind::Pg => db.texts("SELECT data_type::text FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'id'").await,
            Kind::My => db.texts("SELECT CAST(column_type AS CHAR) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'orders' AND column_name = 'id'").await,
        };
        let want = if kind == Kind::Pg { "uuid" } else { "char(36)" };
        assert_eq!(id_type, vec![Some(want.into())], "{kind:?}");
        if kind == Kind::Pg {
            // The trigger fires: a product changed without its updated_at gets the time now.
            db.exec("UPDATE products SET name = name || '!' WHERE id = (SELECT id FROM products ORDER BY id LIMIT 1)").await.unwrap();
            let fresh = db.texts("SELECT CAST(count(*) AS text) FROM products WHERE id = (SELECT id FROM products ORDER BY id LIMIT 1) AND updated_at > now() - interval '5 minutes'").await;
            assert_eq!(fresh, vec![Some("1".into())], "trg_products_updated_at fired");
        }
    }
}
