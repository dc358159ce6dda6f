//! A masked copy in the plan: proposing each column's mask (`ferry plan --mask-pii`), with
//! its evidence, and checking the masks a plan holds against the source — a rule that fits
//! the column's type, a key masked the same way wherever it is referenced, and in a safe
//! copy no text column left without a word on it.

use super::model::Plan;
use crate::error::Result;
use crate::mask::{detect, Rule};
use crate::schema::{LogicalType, Schema, Table};
use std::collections::HashSet;
use std::path::Path;

/// Values sampled from each text column to look for personal data.
pub const SAMPLE_ROWS: usize = 200;

/// What `propose` decided for one column.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskDecision {
    pub table: String,
    pub column: String,
    pub rule: Rule,
    pub why: String,
}

/// The columns keys are made of: primary keys, foreign keys and what they reference.
fn key_columns(schema: &Schema, t: &Table) -> HashSet<String> {
    let mut s: HashSet<String> = HashSet::new();
    if let Some(pk) = &t.primary_key {
        s.extend(pk.columns.iter().map(|c| c.to_lowercase()));
    }
    for fk in &t.foreign_keys {
        s.extend(fk.columns.iter().map(|c| c.to_lowercase()));
    }
    for other in &schema.tables {
        for fk in other.foreign_keys.iter().filter(|fk| fk.ref_table.eq_ignore_ascii_case(&t.name)) {
            if fk.ref_columns.is_empty() {
                s.extend(t.primary_key.iter().flat_map(|p| p.columns.iter().map(|c| c.to_lowercase())));
            } else {
                s.extend(fk.ref_columns.iter().map(|c| c.to_lowercase()));
            }
        }
    }
    s
}

/// Whether a column of this type is one a safe copy needs a word on: text, JSON, bytes.
fn needs_a_word(ty: &LogicalType) -> bool {
    matches!(ty, LogicalType::Text { .. } | LogicalType::Json | LogicalType::Bytes)
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Up to `SAMPLE_ROWS` non-NULL values of a column, as text (blobs that are not UTF-8 left out).
fn sample(conn: &rusqlite::Connection, table: &str, column: &str) -> Vec<String> {
    let sql = format!("SELECT {c} FROM {t} WHERE {c} IS NOT NULL LIMIT {SAMPLE_ROWS}", c = quoted(column), t = quoted(table));
    let Ok(mut st) = conn.prepare(&sql) else { return vec![] };
    let Ok(rows) = st.query_map([], |r| {
        Ok(match r.get_ref(0)? {
            rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => std::str::from_utf8(t).ok().map(str::to_string),
            _ => None,
        })
    }) else {
        return vec![];
    };
    rows.filter_map(|r| r.ok().flatten()).collect()
}

/// Proposes a mask for every column of the plan (`ferry plan --mask-pii`) and makes it a
/// safe copy: personal-looking columns (by name, or by sampled values) get their rule and
/// the evidence; keys and the other text, JSON and binary columns get `clear`, with why, so
/// the plan lists every column it copies in clear. Returns the decisions, masked first.
pub fn propose(plan: &mut Plan, schema: &Schema, source: &Path) -> Result<Vec<MaskDecision>> {
    let conn = crate::source::sqlite::inspect::open(source)?;
    let dialect = plan.dialect;
    let mut out = vec![];
    plan.safe_copy = true;
    for tp in plan.tables.iter_mut().filter(|t| !t.skip) {
        let Some(t) = schema.table(&tp.source) else { continue };
        let keys = key_columns(schema, t);
        for cp in tp.columns.iter_mut() {
            let Some(c) = t.column(&cp.source) else { continue };
            let Ok(ty) = dialect.read_plan_type(&cp.target_type) else { continue };
            if c.generated.is_some() {
                continue;
            }
            let textual = needs_a_word(&ty);
            let (rule, why) = if keys.contains(&c.name.to_lowercase()) {
                if !textual {
                    continue;
                }
                (Rule::Clear, "a key: masked only when asked (then give every column that references it the same rule)".to_string())
            } else {
                let named = detect::by_name(&t.name, &c.name);
                let samples = if textual { sample(&conn, &t.name, &c.name) } else { vec![] };
                let seen = detect::by_values(&samples, matches!(ty, LogicalType::Json));
                let found = match (named, seen) {
                    (Some((r, n)), Some((v, s))) if r == v => Some((r, format!("{n}; {s}"))),
                    // What the values are beats what the name suggests (a `username` of addresses).
                    (Some(_), Some((v, s))) if matches!(v, Rule::Email | Rule::Json) => Some((v, s)),
                    (Some(n), _) => Some(n),
                    (None, s) => s,
                };
                match found {
                    Some((r, why)) if r.refuses(&ty, c.not_null).is_none() => (r, why),
                    _ if !textual => continue,
                    // A personal column the rule cannot take (a name carried as bytes because
                    // one value is not text): the keyed hash can, so it is not left in clear.
                    Some((r, why)) if Rule::Hash.refuses(&ty, c.not_null).is_none() => (Rule::Hash, format!("{why}; {r} cannot mask a {} column, so hash", ty.label())),
                    Some((r, why)) => (Rule::Clear, format!("{why}, but {r} cannot mask a {} column: check it", ty.label())),
                    None if samples.is_empty() => (Rule::Clear, "no personal name, and no values to sample".to_string()),
                    None => (Rule::Clear, format!("nothing personal in its name or in {}", crate::value::plural(samples.len() as u64, "sampled value", "sampled values"))),
                }
            };
            cp.mask = Some(rule);
            cp.mask_why = Some(why.clone());
            out.push(MaskDecision { table: tp.source.clone(), column: cp.source.clone(), rule, why });
        }
    }
    out.sort_by_key(|d| d.rule.is_clear());
    Ok(out)
}

/// What is wrong with the plan's masks against `schema` (empty when nothing): a key masked
/// one way and referenced from a column masked another, and in a safe copy the text, JSON
/// and binary columns without a mask. (A rule that does not fit its column's type is
/// `Plan::check_against`'s, column by column.)
pub fn problems(plan: &Plan, schema: &Schema) -> Vec<String> {
    let mut problems = vec![];
    let mask_of = |table: &str, column: &str| -> Rule {
        plan.table(table).and_then(|t| t.columns.iter().find(|c| c.source.eq_ignore_ascii_case(column))).and_then(|c| c.mask).unwrap_or(Rule::Clear)
    };
    for t in &schema.tables {
        for fk in &t.foreign_keys {
            let Some(parent) = schema.table(&fk.ref_table) else { continue };
            let refs: Vec<String> = if fk.ref_columns.is_empty() { parent.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default() } else { fk.ref_columns.clone() };
            for (cc, pc) in fk.columns.iter().zip(&refs) {
                let (child, par) = (mask_of(&t.name, cc), mask_of(&parent.name, pc));
                if child != par {
                    problems.push(format!(
                        "column {}.{cc} references {}.{pc}, which is masked by {par:?} while it is masked by {child:?}: a key is masked the same way wherever it is, or joins break (give both the same mask)",
                        t.name,
                        parent.name,
                        par = par.to_string(),
                        child = child.to_string()
                    ));
                }
            }
        }
    }
    if plan.safe_copy {
        let mut bare = vec![];
        for tp in plan.tables.iter().filter(|t| !t.skip) {
            let Some(t) = schema.table(&tp.source) else { continue };
            for cp in tp.columns.iter().filter(|c| c.mask.is_none()) {
                let generated = t.column(&cp.source).is_some_and(|c| c.generated.is_some());
                if !generated && plan.dialect.read_plan_type(&cp.target_type).is_ok_and(|ty| needs_a_word(&ty)) {
                    bare.push(format!("{}.{}", tp.source, cp.source));
                }
            }
        }
        if !bare.is_empty() {
            let n = bare.len() as u64;
            problems.push(format!(
                "the plan is a safe copy, which copies a text column only when the plan says so: {} {} no mask (give each a mask, or mask = \"clear\" to copy it as it is)",
                bare.join(", "),
                if n == 1 { "has" } else { "have" }
            ));
        }
    }
    problems
}

/// A masked run's masks: the key's masker (with the collisions of unique columns resolved)
/// and each loaded column's rule. Shared by the copy and validation, so both mask alike.
#[derive(Debug)]
pub struct RunMasks {
    pub masker: crate::mask::Masker,
    /// (source table, source column) → its rule; `clear` columns are not here.
    rules: std::collections::HashMap<(String, String), Rule>,
    /// Per rule, what `make_unique` found among the unique columns' values.
    pub collisions: Vec<(Rule, crate::mask::Collisions)>,
}

/// What a masked value's place in a report shows: the value is never there.
pub const HIDDEN: &str = "(masked)";

impl RunMasks {
    /// The masks `plan` asks for, with `key`; None when it masks nothing. Refused without a
    /// key. Reads the distinct values of every masked column a primary key, UNIQUE or
    /// unique index covers, to resolve collisions before anything is written.
    pub fn new(plan: &Plan, schema: &Schema, source: &Path, key: Option<&crate::mask::MaskKey>) -> Result<Option<RunMasks>> {
        if !plan.masks() {
            return Ok(None);
        }
        let Some(key) = key else {
            let n = plan.tables.iter().filter(|t| !t.skip).flat_map(|t| &t.columns).filter(|c| c.mask.is_some_and(|m| !m.is_clear())).count() as u64;
            return Err(crate::error::FerryError::MaskKey(format!(
                "the plan masks {} but no mask key was given: set {} or pass --mask-key-file PATH (at least {} bytes)",
                crate::value::plural(n, "column", "columns"),
                crate::mask::KEY_ENV,
                crate::mask::MaskKey::MIN_BYTES
            )));
        };
        let mut rules = std::collections::HashMap::new();
        for tp in plan.tables.iter().filter(|t| !t.skip) {
            for cp in &tp.columns {
                if let Some(r) = cp.mask.filter(|m| !m.is_clear()) {
                    rules.insert((tp.source.clone(), cp.source.clone()), r);
                }
            }
        }
        let mut masker = crate::mask::Masker::new(key.clone());
        // Unique masked columns, by rule: all of one rule's values are made distinct together.
        let mut by_rule: Vec<(Rule, LogicalType, Vec<rusqlite::types::Value>)> = vec![];
        let conn = crate::source::sqlite::inspect::open(source)?;
        for t in &schema.tables {
            // Any column of a key or unique index (a masked column in a composite key is made
            // unique on its own: more than needed, never less).
            let mut unique: Vec<&String> = vec![];
            unique.extend(t.primary_key.iter().flat_map(|p| &p.columns));
            unique.extend(t.uniques.iter().flat_map(|u| &u.columns));
            for i in t.indexes.iter().filter(|i| i.unique && i.where_clause.is_none()) {
                for p in &i.parts {
                    if let crate::schema::IndexPart::Column { name, .. } = p {
                        unique.push(name);
                    }
                }
            }
            unique.sort();
            unique.dedup();
            for c in unique {
                let Some(rule) = rules.get(&(t.name.clone(), c.clone())).copied() else { continue };
                let Some(ty) = plan.table(&t.name).and_then(|tp| tp.columns.iter().find(|x| x.source == *c)).and_then(|cp| plan.dialect.read_plan_type(&cp.target_type).ok()) else { continue };
                let sql = format!("SELECT DISTINCT {} FROM {}", quoted(c), quoted(&t.name));
                let mut st = conn.prepare(&sql).map_err(|e| crate::source::sqlite::inspect::map_err(source, e))?;
                let values = st.query_map([], |r| r.get::<_, rusqlite::types::Value>(0)).and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>()).map_err(|e| crate::source::sqlite::inspect::map_err(source, e))?;
                match by_rule.iter_mut().find(|(r, _, _)| *r == rule) {
                    Some((_, _, all)) => all.extend(values),
                    None => by_rule.push((rule, ty, values)),
                }
            }
        }
        let mut collisions = vec![];
        for (rule, ty, values) in by_rule {
            let found = masker.make_unique(rule, crate::mask::Column { logical: &ty, transform: None }, values);
            collisions.push((rule, found));
        }
        Ok(Some(RunMasks { masker, rules, collisions }))
    }

    pub fn rule(&self, table: &str, column: &str) -> Option<Rule> {
        self.rules.get(&(table.to_string(), column.to_string())).copied()
    }

    /// A row's key as a report shows it: the value of a masked key column hidden (the row
    /// then also named by its rowid, where it has one).
    pub fn hide_key(&self, table: &str, key: serde_json::Value, rowid: Option<i64>) -> serde_json::Value {
        let serde_json::Value::Object(mut m) = key else { return key };
        let mut hid = false;
        for (c, v) in m.iter_mut() {
            if self.rule(table, c).is_some() {
                *v = serde_json::Value::String(HIDDEN.into());
                hid = true;
            }
        }
        if hid {
            if let Some(r) = rowid {
                m.insert("rowid".into(), r.into());
            }
        }
        serde_json::Value::Object(m)
    }
}

impl Plan {
    /// Whether the run masks anything (a rule other than `clear` on some loaded column): it
    /// then needs the key.
    pub fn masks(&self) -> bool {
        self.tables.iter().filter(|t| !t.skip).flat_map(|t| &t.columns).any(|c| c.mask.is_some_and(|m| !m.is_clear()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Dialect;

    /// A file with people, their orders (by a key) and a log, under the temp dir.
    struct Source(std::path::PathBuf);

    impl Drop for Source {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn source() -> Source {
        let p = std::env::temp_dir().join(format!("ferry-masks-{}-{:?}.sqlite", std::process::id(), std::thread::current().id()));
        let _ = std::fs::remove_file(&p);
        let c = rusqlite::Connection::open(&p).unwrap();
        c.execute_batch(
            "CREATE TABLE people (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, full_name TEXT, phone TEXT, city TEXT, born DATE, kind TEXT NOT NULL);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, person TEXT NOT NULL REFERENCES people(id), total REAL, meta TEXT, by_whom TEXT);
             INSERT INTO people VALUES ('p1', 'ann@example.com', 'Ann Lee', '+1-555-0100', 'Oslo', '1990-01-02', 'a'), ('p2', 'bo@example.org', 'Bo Yu', '+1-555-0101', 'Rome', '1985-05-06', 'b');
             INSERT INTO orders VALUES (1, 'p1', 9.5, '{\"contact\":{\"phone\":\"+1-555-0100\"}}', 'ann@example.com'), (2, 'p2', 3.25, '{\"gift\":true}', 'bo@example.org');
             CREATE TABLE signers (id INTEGER PRIMARY KEY, full_name TEXT);
             INSERT INTO signers VALUES (1, 'Ann' || char(0) || 'Lee'), (2, 'Bo Yu');",
        )
        .unwrap();
        Source(p)
    }

    fn mask_of(plan: &Plan, t: &str, c: &str) -> Option<Rule> {
        plan.table(t).unwrap().columns.iter().find(|x| x.source == c).unwrap().mask
    }

    fn set(plan: &mut Plan, t: &str, c: &str, m: Option<Rule>) {
        plan.tables.iter_mut().find(|x| x.source == t).unwrap().columns.iter_mut().find(|x| x.source == c).unwrap().mask = m;
    }

    #[test]
    fn proposes_masks_by_name_and_values_and_checks_them() {
        let src = source();
        let schema = crate::source::sqlite::read_source(&src.0, true, 1).unwrap();
        let mut plan = super::super::propose(&schema, "s", Dialect::Postgres);
        let decisions = propose(&mut plan, &schema, &src.0).unwrap();
        assert!(plan.safe_copy && plan.masks());
        let cases = [
            ("people", "id", Some(Rule::Clear)),
            ("people", "email", Some(Rule::Email)),
            ("people", "full_name", Some(Rule::Name)),
            ("people", "phone", Some(Rule::Phone)),
            ("people", "city", Some(Rule::Clear)),
            ("people", "kind", Some(Rule::Clear)),
            ("orders", "person", Some(Rule::Clear)),
            ("orders", "total", None),
            ("orders", "meta", Some(Rule::Json)),
            ("orders", "by_whom", Some(Rule::Email)),
            // A NUL byte makes the column bytea: a name it is still, hashed rather than clear.
            ("signers", "full_name", Some(Rule::Hash)),
        ];
        for (t, c, want) in cases {
            assert_eq!(mask_of(&plan, t, c), want, "{t}.{c}");
        }
        let email = decisions.iter().find(|d| d.column == "by_whom").unwrap();
        assert_eq!(email.why, "email addresses: 2 of 2 sampled values");
        let bytes = decisions.iter().find(|d| d.table == "signers" && d.column == "full_name").unwrap();
        assert!(bytes.why.ends_with("name cannot mask a bytes column, so hash"), "{}", bytes.why);
        assert!(decisions.iter().position(|d| d.rule.is_clear()) > decisions.iter().position(|d| d.rule == Rule::Email), "masked first");
        assert!(plan.check_against(&schema, "p.toml").is_ok(), "{:?}", plan.check_against(&schema, "p.toml"));
        // Through TOML and back, the masks and their evidence stay.
        let back = Plan::from_toml(&plan.to_toml(), "p.toml").unwrap();
        assert_eq!(back, plan);
        assert!(plan.to_toml().contains("mask = \"email\""));

        type Edit = fn(&mut Plan);
        let refused: &[(Edit, &str)] = &[
            (|p| set(p, "people", "city", None), "people.city has no mask"),
            (|p| set(p, "people", "id", Some(Rule::Hash)), "orders.person references people.id, which is masked by \"hash\" while it is masked by \"clear\""),
            (|p| set(p, "orders", "total", Some(Rule::Email)), "orders.total: mask \"email\" needs a text column"),
            (|p| set(p, "people", "kind", Some(Rule::Null)), "people.kind: mask \"null\" cannot apply: the column is NOT NULL"),
            (|p| set(p, "people", "born", Some(Rule::Noise(5))), "people.born: mask \"noise:±5%\" needs a number column"),
        ];
        for (edit, want) in refused {
            let mut p = plan.clone();
            edit(&mut p);
            let e = p.check_against(&schema, "p.toml").expect_err(want).to_string();
            assert!(e.contains(want), "{want}\n{e}");
        }
        // Keys masked alike on both sides are fine; outside a safe copy a bare column is too.
        let mut p = plan.clone();
        set(&mut p, "people", "id", Some(Rule::Hash));
        set(&mut p, "orders", "person", Some(Rule::Hash));
        set(&mut p, "people", "born", Some(Rule::ShiftDays(30)));
        p.safe_copy = false;
        set(&mut p, "people", "city", None);
        assert!(p.check_against(&schema, "p.toml").is_ok());
    }
}
