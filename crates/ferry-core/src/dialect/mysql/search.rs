//! MySQL/MariaDB full-text search for an FTS table carried as a table: a stored generated
//! column holding the searched columns' text under a case-insensitive collation, and a
//! `FULLTEXT` index on it, built after the load. InnoDB's parser splits words itself: no
//! stemming, words shorter than `innodb_ft_min_token_size` (3) and its stop words are not
//! indexed.
//!
//! Why not the index over the columns themselves: Ferry's text columns compare in binary, as
//! SQLite's do, and a FULLTEXT index over a binary column is case-sensitive in a way no user
//! can rely on. MariaDB 10.11 indexes the rows there when the index is built in lower case and
//! the rows written afterwards as written, so `'Gilded'` finds only the later rows and
//! `'gilded'` only the earlier ones. The generated column's collation decides instead:
//! `utf8mb4_unicode_ci` (MySQL 8 and MariaDB alike) ignores case and accents, as SQLite's
//! `unicode61` tokenizer does by default.

use crate::schema::Fts;
use crate::sqlexpr::quote_ident;
use crate::dialect::Dialect;

fn differs(fts: &Fts) -> String {
    let tok = fts.tokenizer_name();
    let mut s = "InnoDB's parser indexes words of at least innodb_ft_min_token_size characters (3 by default) and leaves out its stop words".to_string();
    match fts.tokenizer_words().first().map(String::as_str) {
        Some("porter") => s.push_str(&format!("; SQLite's {tok} stems English words, InnoDB does not (search word* to match endings)")),
        Some("trigram") => s.push_str(&format!("; SQLite's {tok} tokenizer matches any substring, InnoDB whole words (or word* prefixes)")),
        _ => s.push_str(&format!("; SQLite's tokenizer was {tok}")),
    }
    s
}

/// The generated column's name where no column has it already (`plan::search::vector_name`).
pub const COLUMN: &str = "search_text";

/// The collation the searched text is indexed under: case- and accent-insensitive, on MySQL 8
/// and MariaDB alike.
pub const COLLATION: &str = "utf8mb4_unicode_ci";

/// How the table is searched, for the plan's column reasons.
pub fn how_short(fts: &Fts, vector: &str) -> String {
    format!("searched through {vector} and its FULLTEXT index, ignoring case (SQLite tokenizer {})", fts.tokenizer_name())
}

/// How the table is searched, for the report's notes.
pub fn how(fts: &Fts, columns: &[String], vector: &str, index: &str) -> String {
    format!(
        "{} table carried as a table: generated column {vector} = concat_ws(' ', {}) under {COLLATION} (case and accents ignored, as SQLite's unicode61 does) with FULLTEXT index {index}; search it with WHERE MATCH ({vector}) AGAINST ('+word' IN BOOLEAN MODE).{}",
        fts.module.to_ascii_uppercase(),
        columns.join(", "),
        differs(fts)
    )
}

/// The generated column's definition, for `CREATE TABLE` and `ADD COLUMN`: the searched
/// columns' text, space-separated (NULLs skipped), stored so that FULLTEXT can index it.
pub fn text_column(vector: &str, columns: &[String]) -> String {
    let cols: Vec<String> = columns.iter().map(|c| quote_ident(c, Dialect::MySql)).collect();
    let doc = if cols.is_empty() { "''".to_string() } else { format!("concat_ws(' ', {})", cols.join(", ")) };
    format!("{} LONGTEXT CHARACTER SET utf8mb4 COLLATE {COLLATION} GENERATED ALWAYS AS ({doc}) STORED", quote_ident(vector, Dialect::MySql))
}

/// The ALTER TABLE clause that adds the index on the generated column.
pub fn index_clause(index: &str, vector: &str) -> String {
    format!("ADD FULLTEXT INDEX {} ({})", quote_ident(index, Dialect::MySql), quote_ident(vector, Dialect::MySql))
}

/// An ordinary table's search (`[[production]]` search): the DDL as the proposal shows it
/// (names unqualified) and its note.
pub fn proposal(table: &str, columns: &[String], vector: &str, index: &str) -> (Vec<String>, String) {
    let t = quote_ident(table, Dialect::MySql);
    let sql = vec![format!("ALTER TABLE {t} ADD COLUMN {}", text_column(vector, columns)), format!("ALTER TABLE {t} {}", index_clause(index, vector))];
    let note = format!(
        "InnoDB FULLTEXT over a stored generated column {vector} = concat_ws(' ', {}) under {COLLATION}, so that a search ignores case and accents for every row, loaded or written later (the columns themselves compare in binary, as SQLite's do; an index over them would be case-sensitive, and unevenly so). Words shorter than innodb_ft_min_token_size (3 characters by default) and InnoDB's stop words (\"the\", \"about\", …) are not indexed, and words are not stemmed (search word* for endings). Search with WHERE MATCH ({vector}) AGAINST ('+word' IN BOOLEAN MODE). The trade-off: the stored column takes about the text's size again, each insert or update recomputes it and updates the index, and InnoDB keeps an FTS_DOC_ID column and auxiliary tables for it",
        columns.join(", ")
    );
    (sql, note)
}
