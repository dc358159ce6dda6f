//! Stand-ins for the collations a file's own application registers (`name TEXT COLLATE
//! unicase`): SQLite knows only BINARY, NOCASE and RTRIM, and stops any statement that needs
//! another ("no such collation sequence: unicase"). Registered on the read-only connection
//! when SQLite asks for one, so the file is read anyway (nothing is written to it): names that
//! say they ignore case compare by Unicode case folding, any other name compares bytes, as
//! BINARY. The plan says how each is carried (`mapping::collation`).

use crate::mapping::collation::meaning;
use rusqlite::Connection;
use std::cmp::Ordering;

/// Full Unicode case folding, near enough: upper case then lower case (`ß` → `ss`, `Σ`/`ς` → `σ`).
pub fn case_fold(s: &str) -> String {
    s.to_uppercase().to_lowercase()
}

/// How the stand-in for `name` compares.
pub fn compare(name: &str, a: &str, b: &str) -> Ordering {
    if meaning(name).ignores_case() {
        case_fold(a).cmp(&case_fold(b))
    } else {
        a.cmp(b)
    }
}

/// SQLite's call for a collation it does not know: register the stand-in.
fn needed(conn: &Connection, name: &str) -> rusqlite::Result<()> {
    let owned = name.to_string();
    conn.create_collation(name, move |a: &str, b: &str| compare(&owned, a, b))
}

/// Lets `conn` read columns and indexes that name collations only their application knows.
pub fn register_stand_ins(conn: &Connection) -> rusqlite::Result<()> {
    conn.collation_needed(needed)
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::*;

    #[test]
    fn stand_ins_compare_as_their_names_say() {
        let cases = [
            ("unicase", "Émile", "éMILE", Equal),
            ("unicase", "STRASSE", "straße", Equal),
            ("nocase_utf8", "ΣΑΣ", "σας", Equal),
            ("unicase", "a", "B", Less),
            ("pinyin", "a", "A", Greater),
            ("pinyin", "x", "x", Equal),
        ];
        for (name, a, b, want) in cases {
            assert_eq!(super::compare(name, a, b), want, "{name} {a} {b}");
        }
    }

    /// A file whose table, UNIQUE index and view use collations SQLite does not know is read
    /// through the read-only connection, and stays as it was.
    #[test]
    fn a_file_naming_unknown_collations_is_read() {
        let dir = std::env::temp_dir().join(format!("ferry-coll-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("app.db");
        let _ = std::fs::remove_file(&path);
        {
            let w = rusqlite::Connection::open(&path).unwrap();
            w.create_collation("unicase", |a: &str, b: &str| super::case_fold(a).cmp(&super::case_fold(b))).unwrap();
            w.create_collation("pinyin", |a: &str, b: &str| a.cmp(b)).unwrap();
            w.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT COLLATE unicase UNIQUE, py TEXT COLLATE pinyin); INSERT INTO t VALUES (1, 'Émile', 'b'), (2, 'zoë', 'a'); CREATE INDEX t_py ON t (py);").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let conn = crate::source::sqlite::open::open(&path).unwrap();
        let n: i64 = conn.query_row("SELECT count(*) FROM t WHERE name = 'éMILE'", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
        let order: String = conn.query_row("SELECT group_concat(id) FROM (SELECT id FROM t ORDER BY py)", [], |r| r.get(0)).unwrap();
        assert_eq!(order, "2,1");
        drop(conn);
        let schema = crate::source::sqlite::read_source(&path, true, 1).unwrap();
        assert_eq!(schema.tables[0].columns[1].collation.as_deref(), Some("unicase"));
        assert_eq!(std::fs::read(&path).unwrap(), before, "the file is not written to");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
