//! FTS3/4/5 tables carried as tables of their documents: the same search answers the same
//! row ids on the target (PostgreSQL: the generated `tsvector` and its GIN index; MySQL/MariaDB:
//! the FULLTEXT index over a generated case-insensitive column) as SQLite's MATCH, in either
//! letter case, validate is clean, and SQLite's shadow tables stay behind.

use crate::common::*;
use rusqlite::Connection;
use serde_json::Value as J;
use std::path::Path;

/// An FTS5 table (porter, one UNINDEXED column), an FTS4 one with its own docids, and an
/// external-content FTS5 table over `posts`. The words searched are three letters or more and
/// none is a stop word in either target; a word that appears only in the UNINDEXED column must
/// not be found.
fn build(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT);
         INSERT INTO posts VALUES (5, 'Morning ferry', 'The harbor at dawn'), (7, 'Lighthouse keeper', 'Lamps and ferry timetables'),
            (9, 'Harbor lights', NULL), (12, 'Quiet night', 'nothing moves');
         CREATE VIRTUAL TABLE posts_fts USING fts5(title, body, content='posts', content_rowid='id');
         INSERT INTO posts_fts (posts_fts) VALUES ('rebuild');
         CREATE VIRTUAL TABLE docs5 USING fts5(title, body, note UNINDEXED, tokenize = 'porter unicode61');
         INSERT INTO docs5 (rowid, title, body, note) VALUES (1, 'The ferry crosses', 'A harbor at dawn', NULL),
            (2, 'Lighthouse keeper', 'ferry schedule', 'kept'), (3, 'Harbor lights', 'quiet night', 'ferry in the note only'),
            (4, NULL, 'ferry and harbor', NULL);
         CREATE VIRTUAL TABLE docs4 USING fts4(subject, text, tokenize=simple);
         INSERT INTO docs4 (docid, subject, text) VALUES (10, 'ferry', 'harbor crossing'), (20, 'lighthouse', 'beacon'), (30, 'beacon harbor', NULL);",
    )
    .unwrap();
}

/// The row ids SQLite's MATCH answers.
fn sqlite_match(path: &Path, table: &str, word: &str) -> Vec<String> {
    let c = Connection::open(path).unwrap();
    let mut s = c.prepare(&format!("SELECT rowid FROM {table} WHERE {table} MATCH ?1 ORDER BY rowid")).unwrap();
    s.query_map([word], |r| r.get::<_, i64>(0)).unwrap().map(|r| r.unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_migrated_search_answers_the_same_rows() {
    let dir = Scratch::new();
    let src = dir.path("fts.sqlite");
    build(&src);
    let s = src.to_str().unwrap();
    // (table, PostgreSQL configuration, words)
    let searches: [(&str, &str, &[&str]); 3] = [
        ("docs5", "english", &["ferry", "harbor", "lighthouse", "quiet", "kept"]),
        ("docs4", "simple", &["ferry", "harbor", "beacon", "crossing"]),
        ("posts_fts", "simple", &["ferry", "harbor", "lighthouse", "nothing"]),
    ];
    // What SQLite answers, and that the test's words tell rows apart.
    assert_eq!(sqlite_match(&src, "docs5", "ferry"), ["1", "2", "4"], "the UNINDEXED note is not searched");
    assert_eq!(sqlite_match(&src, "posts_fts", "ferry"), ["5", "7"]);
    let shadow: Vec<String> = {
        let c = Connection::open(&src).unwrap();
        let mut st = c.prepare("SELECT name FROM pragma_table_list WHERE type = 'shadow' ORDER BY name").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    };
    assert!(shadow.len() >= 10, "{shadow:?}");
    for kind in Kind::all() {
        let db = TestDb::new(kind, "fts").await;
        // The plan has the FTS tables, their columns as text, each saying how it is searched.
        let plan = dir.path(&format!("{kind:?}.toml"));
        let run = ferry(&["plan", s, "--to", &db.url, "--out", plan.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let text = std::fs::read_to_string(&plan).unwrap();
        let how = if kind == Kind::Pg { "to_tsvector('english')" } else { "search_text and its FULLTEXT index, ignoring case" };
        assert!(text.contains("source = \"docs5\"") && text.contains(how) && text.contains("not searched (UNINDEXED)"), "{kind:?}: {text}");

        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 0, "{kind:?}: {}\n{}", run.stdout, run.stderr);
        let notes = rep["notes"].to_string();
        let index_word = if kind == Kind::Pg { "GIN index" } else { "FULLTEXT index" };
        assert!(notes.contains(index_word) && notes.contains("content table posts"), "{kind:?}: {notes}");
        for (table, config, words) in searches {
            // SQLite's MATCH ignores case: so does the target's search, in both forms.
            for word in words.iter().flat_map(|w| [w.to_string(), w.to_uppercase()]) {
                let want = sqlite_match(&src, table, &word);
                let sql = match kind {
                    Kind::Pg => format!("SELECT rowid::text FROM {table} WHERE search_vector @@ to_tsquery('{config}', '{word}') ORDER BY rowid"),
                    Kind::My => format!("SELECT CAST(`rowid` AS CHAR) FROM {table} WHERE MATCH (search_text) AGAINST ('+{word}' IN BOOLEAN MODE) ORDER BY `rowid`"),
                };
                let got: Vec<String> = db.texts(&sql).await.into_iter().map(Option::unwrap).collect();
                assert_eq!(got, want, "{kind:?}: {table} searched for {word}");
                assert!(!want.is_empty() || word.eq_ignore_ascii_case("kept"), "{table} {word}: the test's word finds something");
            }
        }
        // A document written on the target afterwards gets a row id and is searched.
        db.exec("INSERT INTO docs5 (title, body) VALUES ('Night ferry', 'late')").await.unwrap();
        let sql = match kind {
            Kind::Pg => "SELECT count(*)::text FROM docs5 WHERE search_vector @@ to_tsquery('english', 'ferry')",
            Kind::My => "SELECT CAST(count(*) AS CHAR) FROM docs5 WHERE MATCH (search_text) AGAINST ('+Ferry' IN BOOLEAN MODE)",
        };
        assert_eq!(db.texts(sql).await, [Some("4".to_string())], "{kind:?}");
        db.exec("DELETE FROM docs5 WHERE rowid > 4").await.unwrap();

        // SQLite's shadow tables stay behind: the target has the four tables and no more.
        let tables = match kind {
            Kind::Pg => "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
            Kind::My => "SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1",
        };
        let got: Vec<String> = db.texts(tables).await.into_iter().map(Option::unwrap).collect();
        assert_eq!(got, ["docs4", "docs5", "posts", "posts_fts"], "{kind:?}");

        let v = ferry(&["validate", s, "--to", &db.url]);
        assert_eq!(v.code, 0, "{kind:?}: {}\n{}", v.stdout, v.stderr);
        let d = ferry(&["diff", s, "--to", &db.url, "--json"]);
        let dj: J = serde_json::from_str(&d.stdout).unwrap_or(J::Null);
        let unequal: Vec<String> = dj["tables"].as_array().unwrap_or(&vec![]).iter().flat_map(|t| t["items"].as_array().cloned().unwrap_or_default().into_iter().filter(|i| i["status"] != "equal").map(|i| i.to_string())).collect();
        assert!(unequal.is_empty() && dj["tables"].is_array(), "{kind:?}: {unequal:?} {}", d.stderr);
    }
}

/// A contentless FTS table keeps no documents: it is not carried, and the report says why.
#[tokio::test]
async fn a_contentless_fts_table_is_reported() {
    let dir = Scratch::new();
    let src = dir.path("contentless.sqlite");
    Connection::open(&src)
        .unwrap()
        .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); INSERT INTO t VALUES (1, 'ferry');
            CREATE VIRTUAL TABLE idx USING fts5(a, content=''); INSERT INTO idx (rowid, a) VALUES (1, 'ferry');")
        .unwrap();
    let db = TestDb::new(Kind::Pg, "fts_contentless").await;
    let (run, rep) = migrate(&src, &db, &[]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let w = rep["warnings"].to_string();
    assert!(w.contains("virtual table idx") && w.contains("contentless"), "{w}");
}
