//! FTS tables in the plan. `source::sqlite::fts` reads an FTS3/4/5 table as a table of its
//! documents (its row id, then its columns); here its columns are planned as text, each
//! reason saying how the target searches it, and the search the target builds is named: a
//! generated `tsvector` and its GIN index in PostgreSQL, a generated case-insensitive text
//! column and its FULLTEXT index in MySQL/MariaDB (`dialect/*/search.rs`).

use crate::dialect::{derived_name, Dialect, Names};
use crate::events::Warning;
use crate::plan::model::TablePlan;
use crate::schema::{LogicalType, Table};

/// The search a planned FTS table gets on the target.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedSearch {
    /// The generated column holding the searchable words (PostgreSQL's `tsvector`,
    /// MySQL/MariaDB's text under a case-insensitive collation).
    pub vector: String,
    /// The index that searches them.
    pub index: String,
    /// The searched columns, by target name, in order.
    pub columns: Vec<String>,
    /// An ordinary table's text search configuration (`[[production]]` search: `english`,
    /// `simple`), where the dialect has them; None for an FTS table, whose tokenizer decides.
    pub config: Option<String>,
}

/// The generated column's name: the dialect's (`search_vector`, `search_text`), or
/// `search_vector_1`, `search_text_1`… when a column has it.
pub fn vector_name(dialect: Dialect, taken: &[String]) -> String {
    let base = dialect.search_column();
    let free = |n: &str| !taken.iter().any(|t| t.eq_ignore_ascii_case(n));
    (0..).map(|i| if i == 0 { base.to_string() } else { format!("{base}_{i}") }).find(|n| free(n)).expect("a free name")
}

fn is_key(t: &Table, column: &str) -> bool {
    t.primary_key.as_ref().is_some_and(|p| p.columns.iter().any(|c| c.eq_ignore_ascii_case(column)))
}

fn searched(t: &Table, column: &str) -> bool {
    t.fts.as_ref().is_some_and(|f| !is_key(t, column) && !f.unindexed.iter().any(|u| u.eq_ignore_ascii_case(column)))
}

/// An FTS table's proposed columns: its documents as text (whatever their values look like:
/// they are words to search), each reason saying whether and how it is searched.
pub fn propose(t: &Table, tp: &mut TablePlan, dialect: Dialect) {
    let Some(fts) = &t.fts else { return };
    let module = fts.module.to_ascii_uppercase();
    let targets: Vec<String> = tp.columns.iter().map(|c| c.target.clone()).collect();
    let vector = vector_name(dialect, &targets);
    let index = derived_name(dialect, &[&tp.target, "search"], "idx");
    let cols: Vec<String> = tp.columns.iter().filter(|c| searched(t, &c.source)).map(|c| c.target.clone()).collect();
    let (short, _) = dialect.search_how(fts, &cols, &vector, &index);
    for c in tp.columns.iter_mut() {
        if is_key(t, &c.source) {
            c.reason = format!("the {module} table's row id, kept as its key; {}", c.reason);
            continue;
        }
        c.target_type = dialect.format_type(&LogicalType::Text { max: None });
        c.transform = None;
        c.suggestion = None;
        c.unfit = 0;
        c.reason = if searched(t, &c.source) { format!("{module} document column → text, {short}") } else { format!("{module} column stored, not searched (UNINDEXED) → text") };
    }
}

/// The search a planned FTS table gets, and the note that says it (how the target searches,
/// how its tokenizer differs, what stays behind), or none and the warning why not.
/// `columns`: (source, target, is text).
pub fn plan(t: &Table, dialect: Dialect, target: &str, columns: &[(String, String, bool)], object_names: &mut Names) -> Option<(Option<PlannedSearch>, Warning)> {
    let fts = t.fts.as_ref()?;
    let cols: Vec<String> = columns.iter().filter(|(s, _, text)| *text && searched(t, s)).map(|(_, n, _)| n.clone()).collect();
    let object = format!("{} search of {}", fts.module.to_ascii_uppercase(), t.name);
    if cols.is_empty() {
        return Some((None, Warning { table: Some(t.name.clone()), object, reason: "not indexed for search: the plan carries none of its searched columns as text".into() }));
    }
    let taken: Vec<String> = columns.iter().map(|(_, n, _)| n.clone()).collect();
    let vector = vector_name(dialect, &taken);
    let index = object_names.take(&derived_name(dialect, &[target, "search"], "idx"));
    let (_, mut note) = dialect.search_how(fts, &cols, &vector, &index);
    if let Some(c) = &fts.content {
        note.push_str(&format!(". Its documents are the rows of its content table {c}, read through it with the same row ids and stored here again; the triggers that kept the index in step with {c} are not carried"));
    }
    if !fts.shadow_tables.is_empty() {
        note.push_str(&format!(". SQLite's own index ({}) is not copied", fts.shadow_tables.join(", ")));
    }
    Some((Some(PlannedSearch { vector, index, columns: cols, config: None }), Warning { table: Some(t.name.clone()), object, reason: note }))
}
