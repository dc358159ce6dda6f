//! Every database in ../shared/corpus into both targets, with nothing lost silently: each
//! value arrives (compared row by row) or the report names its row.

use crate::common::*;

fn corpus_files() -> Option<Vec<std::path::PathBuf>> {
    let dir = corpus_dir()?;
    let mut files = vec![];
    for sub in std::fs::read_dir(&dir).unwrap() {
        let sub = sub.unwrap().path();
        if !sub.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&sub).unwrap() {
            let f = f.unwrap().path();
            if matches!(f.extension().and_then(|e| e.to_str()), Some("db" | "sqlite" | "sqlite3")) {
                files.push(f);
            }
        }
    }
    files.sort();
    Some(files)
}

async fn corpus_into(kind: Kind) {
    let Some(files) = corpus_files() else {
        println!("skipped: ../shared/corpus is not beside this checkout");
        return;
    };
    assert!(!files.is_empty());
    let dir = Scratch::new();
    for f in files {
        // Work on a copy so a bug can never touch the shared file; check the copy is untouched.
        let src = dir.path(f.file_name().unwrap().to_str().unwrap());
        std::fs::copy(&f, &src).unwrap();
        let before = sha256(&src);
        let db = TestDb::new(kind, "corpus").await;
        let (run, rep) = migrate(&src, &db, &[]);
        assert!(run.code == 0 || run.code == 2, "{kind:?} {}: exit {}\n{}\n{}", f.display(), run.code, run.stdout, run.stderr);
        assert_eq!(rep["completed"], serde_json::Value::Bool(true), "{}", f.display());
        if run.code == 2 {
            let listed = rep["warnings"].as_array().unwrap().len()
                + rep["tables"].as_object().unwrap().values().map(|t| t["rejected"].as_array().unwrap().len() + t["changed"].as_array().unwrap().len()).sum::<usize>();
            assert!(listed > 0, "exit 2 means the report lists something: {rep}");
        }
        crate::compare::assert_same_rows(&src, &db, &rep).await;
        assert_eq!(sha256(&src), before);
        println!("{kind:?} {}: ok (exit {})", f.display(), run.code);
    }
}

#[tokio::test]
async fn corpus_into_postgres() {
    corpus_into(Kind::Pg).await;
}

#[tokio::test]
async fn corpus_into_mariadb() {
    corpus_into(Kind::My).await;
}
