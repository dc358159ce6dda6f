//! The demo database at a small scale into both targets: every row equal, nothing rejected
//! or changed; its trigger carried to both and firing (PostgreSQL as it is; MySQL/MariaDB,
//! which refuse a trigger that writes its own table, as the BEFORE UPDATE trigger setting
//! `NEW.updated_at` it is equivalent to).

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
        assert_eq!(rep["warnings"].as_array().unwrap().len(), 0, "{kind:?}: nothing left behind: {}", rep["warnings"]);
        let carried = rep["created"].as_array().unwrap().iter().any(|c| c["kind"] == "trigger" && c["name"] == "trg_products_updated_at");
        assert!(carried, "{kind:?}: {}", rep["created"]);
        assert!(run.stdout.contains("phase") && run.stdout.contains("order_items"), "summary printed: {}", run.stdout);
        crate::compare::assert_same_rows(&src, &db, &rep).await;
        // The types the data calls for.
        let id_type = match kind {
            Kind::Pg => db.texts("SELECT data_type::text FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'id'").await,
            Kind::My => db.texts("SELECT CAST(column_type AS CHAR) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'orders' AND column_name = 'id'").await,
        };
        let want = if kind == Kind::Pg { "uuid" } else { "char(36)" };
        assert_eq!(id_type, vec![Some(want.into())], "{kind:?}");
        // The trigger fires: a product changed without its updated_at gets the time now (UTC),
        // one changed with it keeps the value given, the others are as they were.
        let (text, now) = match kind {
            Kind::Pg => ("CAST(id AS text)", "now() - interval '5 minutes'"),
            Kind::My => ("CAST(id AS CHAR)", "UTC_TIMESTAMP() - INTERVAL 5 MINUTE"),
        };
        let ids: Vec<String> = db.texts(&format!("SELECT {text} FROM products ORDER BY id LIMIT 2")).await.into_iter().flatten().collect();
        let fresh_before = db.texts(&format!("SELECT {text} FROM products WHERE updated_at > {now}")).await;
        db.exec(&format!("UPDATE products SET name = CONCAT(name, '!') WHERE id = '{}'", ids[0])).await.unwrap();
        db.exec(&format!("UPDATE products SET name = CONCAT(name, '?'), updated_at = '2001-02-03 04:05:06' WHERE id = '{}'", ids[1])).await.unwrap();
        let fresh = db.texts(&format!("SELECT {text} FROM products WHERE updated_at > {now}")).await;
        assert_eq!(fresh_before.len() + 1, fresh.len(), "{kind:?}: one more fresh row");
        assert!(fresh.contains(&Some(ids[0].clone())), "{kind:?}: trg_products_updated_at fired: {fresh:?}");
        let given = db.texts(&format!("SELECT {text} FROM products WHERE updated_at < '2001-02-05' AND updated_at > '2001-02-01'")).await;
        assert_eq!(given, vec![Some(ids[1].clone())], "{kind:?}: the value given is kept");
    }
}
