//! What a target already holds where a run's tables would go, named as what each object is
//! ("16 tables and 1 view: …"). Below `session` and `inspect`, which both speak of it.

/// A table, view, … already where a run's tables would go.
#[derive(Debug, Clone, PartialEq)]
pub struct Existing {
    pub name: String,
    /// What it is, as a person says it: "table", "view", "materialized view", "foreign
    /// table" or "sequence" (the kinds `KINDS` names, in its order).
    pub kind: &'static str,
}

/// The kinds an `Existing` is, each with its plural, in the order they are counted.
pub const KINDS: [(&str, &str); 5] = [("table", "tables"), ("view", "views"), ("materialized view", "materialized views"), ("foreign table", "foreign tables"), ("sequence", "sequences")];

impl Existing {
    /// `kind` as a dialect's catalog names it (PostgreSQL's `relkind`, MySQL's `TABLE_TYPE`);
    /// anything else is a table.
    pub fn new(name: String, kind: &str) -> Existing {
        let kind = match kind {
            "v" | "VIEW" => "view",
            "m" => "materialized view",
            "f" => "foreign table",
            "S" | "SEQUENCE" => "sequence",
            _ => "table",
        };
        Existing { name, kind }
    }
}

/// What is there, each named as what it is, with the first `shown` names: "16 tables and 1
/// view: a, b, c, d, e and 12 more".
pub fn describe(objects: &[Existing], shown: usize) -> String {
    let counts: Vec<String> = KINDS
        .iter()
        .filter_map(|(one, many)| {
            let n = objects.iter().filter(|o| o.kind == *one).count() as u64;
            (n > 0).then(|| crate::value::plural(n, one, many))
        })
        .collect();
    let counted = match counts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => counts.concat(),
    };
    let names: Vec<&str> = objects.iter().take(shown).map(|o| o.name.as_str()).collect();
    let more = if objects.len() > shown { format!(" and {} more", crate::value::group_thousands((objects.len() - shown) as u64)) } else { String::new() };
    format!("{counted}: {}{more}", names.join(", "))
}
