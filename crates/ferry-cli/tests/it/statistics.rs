//! Statistics after the load (#20): each table is analyzed as soon as it is finished, so the
//! first queries after the move are planned with statistics — on both targets.

use crate::common::*;
use rusqlite::Connection;

#[tokio::test]
async fn every_table_is_analyzed_by_the_run() {
    let dir = Scratch::new();
    let src = dir.path("stats.sqlite");
    Connection::open(&src)
        .unwrap()
        .execute_batch(
            "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO a SELECT i, 'v' || i FROM n;
             CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));
             INSERT INTO b SELECT id, id FROM a;
             CREATE TABLE empty (id INTEGER PRIMARY KEY);",
        )
        .unwrap();
    for kind in Kind::all() {
        let db = TestDb::new(kind, "stats").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 0, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert!(rep["phases"]["statistics"].as_f64().is_some(), "{kind:?}: {}", rep["phases"]);
        let analyzed = match kind {
            // Not autovacuum's doing: last_analyze is only set by ANALYZE itself.
            Kind::Pg => db.texts("SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'public' AND last_analyze IS NOT NULL ORDER BY relname").await,
            // InnoDB also recalculates in the background, so what shows the run analyzed each
            // table is the statement itself, in the server's digest summary for this database
            // (performance_schema is on: scripts/setup.sh).
            Kind::My => db
                .texts(&format!(
                    "SELECT REPLACE(REPLACE(TRIM(DIGEST_TEXT), 'ANALYZE TABLE ', ''), '`', '') FROM performance_schema.events_statements_summary_by_digest WHERE SCHEMA_NAME = '{}' AND DIGEST_TEXT LIKE 'ANALYZE TABLE%' ORDER BY 1",
                    db.name
                ))
                .await,
        };
        assert_eq!(analyzed, vec![Some("a".into()), Some("b".into()), Some("empty".into())], "{kind:?}");
        if kind == Kind::Pg {
            let rows = db.texts("SELECT reltuples::bigint::text FROM pg_class WHERE relname = 'a'").await;
            assert_eq!(rows, vec![Some("500".into())], "the planner knows the row count");
        }
    }
}
