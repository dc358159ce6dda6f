//! PostgreSQL's index over a `jsonb` column's documents: GIN, with `jsonb_path_ops` (the
//! default here: smaller, faster, containment `@>` only) or `jsonb_ops` (also the key
//! existence operators `?`, `?|`, `?&`).

use crate::dialect::Dialect;
use crate::plan::planned::{PlannedIndex, PlannedPart};
use crate::sqlexpr::quote_ident;

pub const OPCLASSES: &[&str] = &["jsonb_path_ops", "jsonb_ops"];

pub fn index(name: &str, column: &str, opclass: &str) -> PlannedIndex {
    PlannedIndex {
        name: name.into(),
        unique: false,
        parts: vec![PlannedPart::Column { name: column.into(), desc: false }],
        where_sql: None,
        source_sql: format!("[[production]] json_index on {column}"),
        using: Some("gin".into()),
        opclass: Some(opclass.into()),
        include: vec![],
    }
}

fn q(s: &str) -> String {
    quote_ident(s, Dialect::Postgres)
}

pub fn sql(table: &str, ix: &PlannedIndex) -> String {
    let col = match ix.parts.first() {
        Some(PlannedPart::Column { name, .. }) => q(name),
        _ => String::new(),
    };
    format!("CREATE INDEX {} ON {} USING gin ({col} {})", q(&ix.name), q(table), ix.opclass.as_deref().unwrap_or(OPCLASSES[0]))
}

pub fn note(table: &str, column: &str, ix: &PlannedIndex, (key, value): (&str, &serde_json::Value)) -> String {
    let lit = serde_json::json!({ key: value }).to_string().replace('\'', "''");
    let probe = format!("SELECT … FROM {} WHERE {} @> '{lit}'", q(table), q(column));
    match ix.opclass.as_deref() {
        Some("jsonb_ops") => format!(
            "jsonb_ops: the documents' keys come and go, so asking whether a key is there (`{} ? '{key}'`, ?| and ?&) is a real question, and jsonb_path_ops cannot answer it; it also serves containment ({probe}). It is about twice the size of jsonb_path_ops and slower to search; like any GIN index it makes each write to the column a little slower",
            q(column)
        ),
        _ => format!(
            "jsonb_path_ops: the documents share their keys, so the question is a value, asked by containment ({probe}); this operator class serves only @> (and the jsonpath @? @@), not key existence (?, ?|, ?&): take jsonb_ops for those. It is smaller and faster than jsonb_ops; like any GIN index it makes each write to the column a little slower"
        ),
    }
}
