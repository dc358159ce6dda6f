//! The demo database at a small scale into both targets: every row equal, nothing rejected
//! or changed; what cannot be carried (its trigger) is named.

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
            assert!(w["object"].as_str().unwrap().starts_with("trigger "), "{kind:?}: only the trigger is left behind: {w}");
        }
        assert!(run.stdout.contains("phase") && run.stdout.contains("order_items"), "summary printed: {}", run.stdout);
        crate::compare::assert_same_rows(&src, &db, &rep).await;
        // The types the data calls for.
        let id_type = match kind {
            Kind::Pg => db.texts("SELECT data_type::text FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'id'").await,
            Kind::My => db.texts("SELECT CAST(column_type AS CHAR) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'orders' AND column_name = 'id'").await,
        };
        let want = if kind == Kind::Pg { "uuid" } else { "char(36)" };
        assert_eq!(id_type, vec![Some(want.into())], "{kind:?}");
    }
}
