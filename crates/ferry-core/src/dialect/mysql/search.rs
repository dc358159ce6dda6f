//! MySQL/MariaDB full-text search for an FTS table carried as a table: a `FULLTEXT` index
//! over the searched columns, built after the load. InnoDB's parser splits words itself: no
//! stemming, words shorter than `innodb_ft_min_token_size` (3) and its stop words are not
//! indexed.

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

/// How the table is searched, for the plan's column reasons.
pub fn how_short(fts: &Fts, _vector: &str) -> String {
    format!("searched through a FULLTEXT index (SQLite tokenizer {})", fts.tokenizer_name())
}

/// How the table is searched, for the report's notes.
pub fn how(fts: &Fts, columns: &[String], _vector: &str, index: &str) -> String {
    format!(
        "{} table carried as a table: FULLTEXT index {index} over ({}); search it with WHERE MATCH ({}) AGAINST ('+word' IN BOOLEAN MODE).{}",
        fts.module.to_ascii_uppercase(),
        columns.join(", "),
        columns.join(", "),
        differs(fts)
    )
}

/// The ALTER TABLE clause that adds the index.
pub fn index_clause(index: &str, columns: &[String]) -> String {
    let cols: Vec<String> = columns.iter().map(|c| quote_ident(c, Dialect::MySql)).collect();
    format!("ADD FULLTEXT INDEX {} ({})", quote_ident(index, Dialect::MySql), cols.join(", "))
}

/// An ordinary table's search (`[[production]]` search): the DDL as the proposal shows it
/// (names unqualified) and its note.
pub fn proposal(table: &str, columns: &[String], index: &str) -> (Vec<String>, String) {
    let sql = vec![format!("ALTER TABLE {} {}", quote_ident(table, Dialect::MySql), index_clause(index, columns))];
    let note = format!(
        "InnoDB FULLTEXT: words shorter than innodb_ft_min_token_size (3 characters by default) and InnoDB's stop words (\"the\", \"about\", …) are not indexed, and words are not stemmed (search word* for endings). The columns compare in binary, as SQLite's do, which makes the search case-sensitive: the rows loaded before the index is built are indexed in lower case, rows written afterwards as they are written (MariaDB 10.11), so search a word in both forms: AGAINST ('gilded Gilded' IN BOOLEAN MODE). Search with WHERE MATCH ({}) AGAINST ('+word' IN BOOLEAN MODE), naming exactly these columns. The trade-off: each insert or update also updates the index, and InnoDB keeps an FTS_DOC_ID column and auxiliary tables for it",
        columns.join(", ")
    );
    (sql, note)
}
