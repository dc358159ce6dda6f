//! PostgreSQL full-text search for an FTS table carried as a table: a stored generated
//! `tsvector` over the searched columns and a GIN index on it. The SQLite tokenizer is
//! mapped to a text search configuration: `porter` stems English words, so `english`; the
//! others split and lowercase words without stemming, so `simple`.

use crate::schema::Fts;
use crate::sqlexpr::quote_ident;
use crate::dialect::Dialect;

/// The generated column's name where no column has it already (`plan::search::vector_name`).
pub const COLUMN: &str = "search_vector";

/// The text search configuration the tokenizer maps to.
pub fn config(fts: &Fts) -> &'static str {
    if fts.stems() { "english" } else { "simple" }
}

/// What differs from SQLite's tokenizer under that configuration, in words.
fn differs(fts: &Fts) -> String {
    let tok = fts.tokenizer_name();
    match fts.tokenizer_words().first().map(String::as_str) {
        Some("porter") => format!("SQLite's {tok} stems English words; 'english' stems them too (Snowball, close to Porter) and also leaves out English stop words such as \"the\""),
        Some("trigram") => format!("SQLite's {tok} tokenizer matches any substring of three or more characters; 'simple' matches whole words only (pg_trgm would be the substring index)"),
        Some("unicode61") => format!("SQLite's {tok} lowercases and folds accents; 'simple' lowercases and keeps accents"),
        Some("simple" | "ascii") => format!("SQLite's {tok} tokenizer lowercases ASCII words; 'simple' lowercases them too, splitting words by PostgreSQL's parser"),
        _ => format!("{tok} is a tokenizer SQLite does not build in; 'simple' splits words by PostgreSQL's parser, without stemming"),
    }
}

/// How the table is searched, for the plan's column reasons.
pub fn how_short(fts: &Fts, vector: &str) -> String {
    format!("searched through {vector} = to_tsvector('{}') (SQLite tokenizer {})", config(fts), fts.tokenizer_name())
}

/// How the table is searched, for the report's notes.
pub fn how(fts: &Fts, columns: &[String], vector: &str, index: &str) -> String {
    format!(
        "{} table carried as a table: generated column {vector} = to_tsvector('{}', {}) with GIN index {index}; search it with WHERE {vector} @@ to_tsquery('{}', 'word') (or websearch_to_tsquery). {}",
        fts.module.to_ascii_uppercase(),
        config(fts),
        columns.join(" || ' ' || "),
        config(fts),
        differs(fts)
    )
}

fn q(s: &str) -> String {
    quote_ident(s, Dialect::Postgres)
}

/// The generated column's definition, for `CREATE TABLE`.
pub fn vector_column(config: &str, vector: &str, columns: &[String]) -> String {
    let doc: Vec<String> = columns.iter().map(|c| format!("coalesce({}::text, '')", q(c))).collect();
    let doc = if doc.is_empty() { "''".to_string() } else { doc.join(" || ' ' || ") };
    format!("{} tsvector GENERATED ALWAYS AS (to_tsvector({}::regconfig, {doc})) STORED", q(vector), super::simple::lit(config))
}

/// An ordinary table's search (`[[production]]` search): the DDL as the proposal shows it
/// (names unqualified) and its note. `prose`: a column reads as prose (so `english`).
pub fn proposal(table: &str, columns: &[String], config: &str, vector: &str, index_name: &str) -> (Vec<String>, String) {
    let sql = vec![format!("ALTER TABLE {} ADD COLUMN {}", q(table), vector_column(config, vector, columns)), index(&q(table), vector, index_name)];
    let why = if config == "english" {
        "'english' because a column reads as prose: words are stemmed (\"shipping\" finds \"shipped\") and English stop words left out; names in the same vector are stemmed alike, so they match when searched with 'english' too"
    } else {
        "'simple' because the columns are names: they are not English words to stem (\"Jones\" stays \"jones\"), and no word is left out as a stop word"
    };
    let note = format!(
        "{why}. Search with WHERE {vector} @@ websearch_to_tsquery('{config}', 'words'). The trade-off: the stored column takes about the text's size again, and each insert or update recomputes it and updates the GIN index {index_name}"
    );
    (sql, note)
}

/// The GIN index on the generated column.
pub fn index(table_sql: &str, vector: &str, index: &str) -> String {
    format!("CREATE INDEX {} ON {table_sql} USING gin ({})", q(index), q(vector))
}
