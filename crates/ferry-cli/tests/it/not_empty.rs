//! A target that is not empty is refused with what is there named as what it is — "16
//! tables and 1 view", not "17 table(s)" — and a way out the server has: another schema on
//! PostgreSQL, another database on MariaDB (which has no schemas).

use crate::common::*;
use rusqlite::Connection;

#[tokio::test]
async fn what_is_there_is_named_as_what_it_is() {
    let dir = Scratch::new();
    let src = dir.path("one.sqlite");
    Connection::open(&src).unwrap().execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);").unwrap();
    let s = src.to_str().unwrap();
    // (tables, views, what the message says they are)
    let cases: [(usize, usize, &str); 4] = [
        (1, 0, "1 table: t01 —"),
        (0, 1, "1 view: v01 —"),
        (2, 2, "2 tables and 2 views: t01, t02, v01, v02 —"),
        (16, 1, "16 tables and 1 view: t01, t02, t03, t04, t05 and 12 more —"),
    ];
    for kind in Kind::all() {
        let another = match kind {
            Kind::Pg => "drop them or choose another schema",
            Kind::My => "drop them or choose another database",
        };
        for (tables, views, says) in cases {
            let db = TestDb::new(kind, "notempty").await;
            for i in 1..=tables {
                db.exec(&format!("CREATE TABLE t{i:02} (id int)")).await.unwrap();
            }
            for i in 1..=views {
                db.exec(&format!("CREATE VIEW v{i:02} AS SELECT 1 AS one")).await.unwrap();
            }
            let run = ferry(&["migrate", s, "--to", &db.url]);
            assert_eq!(run.code, 1, "{kind:?} {says}: {}{}", run.stdout, run.stderr);
            let line = run.stderr.trim_end();
            assert_eq!(line.lines().count(), 1, "{kind:?}: one line: {line}");
            assert!(line.contains("is not empty: it already holds ") && line.contains(says) && line.ends_with(another), "{kind:?}: {line}");
            assert!(!line.contains("(s)"), "{kind:?}: {line}");
            // `connect` says it too, in words.
            let c = ferry(&["connect", "--to", &db.url]);
            assert_eq!(c.code, 0, "{}", c.stderr);
            let n = tables + views;
            let counted = if n == 1 { "not empty: 1 table or view already there".to_string() } else { format!("not empty: {n} tables or views already there") };
            assert!(c.stdout.contains(&counted) && !c.stdout.contains("(s)"), "{kind:?}: {}", c.stdout);
        }
    }
}
