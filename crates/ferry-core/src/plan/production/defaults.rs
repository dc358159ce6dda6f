//! `[[production]]` proposals of kinds `default`, `extension` and `covering_index` (see mod.rs).
//!
//! - `default`: a UUID primary key with no DEFAULT gets the target's generator
//!   (`gen_random_uuid()`, MariaDB `uuid()`, MySQL `(uuid())`), a creation-time column
//!   (`created_at`, `inserted_at`, …) the current time (`now()`, `CURRENT_TIMESTAMP(6)`).
//!   Parameters: `columns` (one column), `using` = `uuid` or `now`. Where SQLite's DEFAULT
//!   already gives the time (`CURRENT_TIMESTAMP`, `strftime(…, 'now')`), it is carried at
//!   SQLite's precision (`date_trunc('milliseconds', CURRENT_TIMESTAMP)`): the proposal to
//!   take the server's own is written, not taken.
//! - `extension`: the extensions the other proposals need (`pg_trgm` for a trigram index)
//!   and `pg_stat_statements` for `ferry monitor`; `table` empty, `using` = its name.
//!   Migrate creates them before the tables; where the role may not, it says so and goes on.
//! - `covering_index`: not proposed here yet; a plan's entry is refused by `check`.

use super::proposal::{Proposal, ProposalKind};
use crate::dialect::defaults::EXTENSIONS;
use crate::dialect::{Dialect, Names};
use crate::error::Result;
use crate::plan::model::Plan;
use crate::plan::planned::{table_mut, PlannedTable};
use crate::schema::{Column, Schema};
use crate::value::group_thousands as n;

/// Names of columns that hold when a row was made (compared lowercased, without `_`).
const CREATION_NAMES: &[&str] = &["createdat", "insertedat", "created", "createdon", "createddate", "creationtime", "creationdate", "datecreated", "addedat"];

/// Whether a column's name says it holds the row's creation time.
pub fn creation_name(name: &str) -> bool {
    let k: String = name.chars().filter(|c| *c != '_').flat_map(char::to_lowercase).collect();
    CREATION_NAMES.contains(&k.as_str())
}

/// Whether an SQLite DEFAULT is the current time (`CURRENT_TIMESTAMP`, `datetime('now')`,
/// `strftime('%Y-…', 'now')`).
pub fn now_default(d: &str) -> bool {
    let l = d.to_ascii_lowercase();
    l.contains("current_timestamp") || l.contains("'now'") || l.contains("\"now\"")
}

fn single_key(t: &crate::schema::Table) -> Option<&str> {
    match t.primary_key.as_ref().map(|p| p.columns.as_slice()) {
        Some([c]) => Some(c.as_str()),
        _ => None,
    }
}

/// "98,311 of 98,311 values are UUIDs"; None when some value is not one.
fn uuid_evidence(c: &Column) -> Option<String> {
    let p = c.profile.as_ref()?;
    let values = p.rows - p.nulls;
    let uuids = p.text_uuid_any_case + p.blob_uuid;
    (uuids == values).then(|| if values == 0 { "no rows yet".to_string() } else { format!("{} of {} values are UUIDs", n(uuids), n(values)) })
}

/// "10,000 of 10,000 values are timestamps"; None when some value is not one.
fn time_evidence(c: &Column) -> Option<String> {
    let p = c.profile.as_ref()?;
    let values = p.rows - p.nulls;
    (p.text_iso_timestamp == values).then(|| if values == 0 { "no rows yet".to_string() } else { format!("{} of {} values are timestamps", n(values), n(values)) })
}

/// The proposals for this schema; `others` are the other kinds' (an extension they need).
pub fn propose(schema: &Schema, plan: &Plan, dialect: Dialect, others: &[Proposal]) -> Result<Vec<Proposal>> {
    let mut out = vec![];
    for tp in plan.tables.iter().filter(|t| !t.skip) {
        let Some(t) = schema.table(&tp.source) else { continue };
        for cp in &tp.columns {
            let Some(c) = t.column(&cp.source) else { continue };
            let Ok(logical) = cp.logical(dialect) else { continue };
            if c.generated.is_some() {
                continue;
            }
            let is_key = single_key(t).is_some_and(|k| k.eq_ignore_ascii_case(&c.name));
            if is_key && c.default.is_none() {
                let (Some(sql), Some(ev)) = (dialect.uuid_default(&logical, &cp.target_type), uuid_evidence(c)) else { continue };
                let mut p = Proposal::new(&t.name, ProposalKind::Default, format!("{ev}; no DEFAULT in SQLite"));
                p.columns = vec![c.name.clone()];
                p.using = Some("uuid".into());
                p.note = Some(format!("an INSERT that leaves {} out gets a new UUID ({sql}); {}", cp.target, dialect.uuid_default_words()));
                p.sql = vec![dialect.set_default_sql(&tp.target, &cp.target, &sql)];
                out.push(p);
                continue;
            }
            if !creation_name(&c.name) {
                continue;
            }
            let (Some(sql), Some(ev)) = (dialect.now_default(&logical, &cp.target_type), time_evidence(c)) else { continue };
            let mut p = Proposal::new(&t.name, ProposalKind::Default, String::new());
            p.columns = vec![c.name.clone()];
            p.using = Some("now".into());
            p.sql = vec![dialect.set_default_sql(&tp.target, &cp.target, &sql)];
            match c.default.as_deref() {
                None => {
                    p.evidence = format!("{ev}; no DEFAULT in SQLite");
                    p.note = Some(format!("an INSERT that leaves {} out gets the time of its transaction ({sql})", cp.target));
                }
                Some(d) if now_default(d) => {
                    let carried = crate::sqlexpr::translate_default(d, &logical, dialect).ok().flatten();
                    let Some(carried) = carried.filter(|x| *x != sql) else { continue };
                    p.evidence = format!("{ev}; SQLite's DEFAULT {d} is carried as {carried}");
                    p.note = Some(format!("what changes: new rows get the server's time at its full precision ({sql}) instead of at SQLite's precision, {carried}, so their times have digits the copied rows never have; written, not taken"));
                    p.accept = false;
                }
                Some(_) => continue,
            }
            out.push(p);
        }
    }
    if dialect.has_extensions() {
        let trigram: Vec<&Proposal> = others.iter().filter(|p| needs_trigram(p)).collect();
        if !trigram.is_empty() {
            let who: Vec<String> = trigram.iter().map(|p| format!("{} on {}", p.kind.map_or("?", |k| k.name()), p.subject())).collect();
            out.push(extension(dialect, "pg_trgm", format!("the trigram index{} of {} need{} it", if who.len() == 1 { "" } else { "es" }, who.join(", "), if who.len() == 1 { "s" } else { "" }), trigram.iter().any(|p| p.accept)));
        }
        out.push(extension(dialect, "pg_stat_statements", "ferry monitor reads the slowest and most frequent statements from it".into(), true));
    }
    Ok(out)
}

/// A proposal that makes a trigram index (`gin_trgm_ops`, `pg_trgm`).
fn needs_trigram(p: &Proposal) -> bool {
    let says = |s: &str| s.contains("trgm");
    p.using.as_deref().is_some_and(says) || p.sql.iter().any(|s| says(s))
}

fn extension(dialect: Dialect, name: &str, evidence: String, accept: bool) -> Proposal {
    let mut p = Proposal::new("", ProposalKind::Extension, evidence);
    p.using = Some(name.into());
    p.accept = accept;
    p.note = dialect.extension_note(name).map(String::from);
    p.sql = dialect.create_extension(name).into_iter().collect();
    p
}

/// What is wrong with one proposal's parameters.
pub fn check(p: &Proposal, plan: &Plan, schema: &Schema) -> Vec<String> {
    let dialect = plan.dialect;
    match p.kind {
        Some(ProposalKind::Extension) => {
            if !dialect.has_extensions() {
                return vec![format!("{} has no extensions", dialect.name())];
            }
            match p.using.as_deref() {
                None => vec!["using (the extension's name) is missing".into()],
                Some(u) if !EXTENSIONS.contains(&u) => vec![format!("using = {u:?} is not an extension Ferry creates (one of {})", EXTENSIONS.join(", "))],
                _ => vec![],
            }
        }
        Some(ProposalKind::CoveringIndex) => vec!["covering_index is not made yet: take the entry out".into()],
        _ => check_default(p, plan, schema),
    }
}

fn check_default(p: &Proposal, plan: &Plan, schema: &Schema) -> Vec<String> {
    let dialect = plan.dialect;
    let [col] = p.columns.as_slice() else {
        return vec![format!("a default is for one column; columns = {:?}", p.columns)];
    };
    let using = p.using.as_deref().unwrap_or("");
    if !matches!(using, "uuid" | "now") {
        return vec![format!("using = {using:?} is not a default Ferry makes (uuid or now)")];
    }
    let (Some(t), Some(tp)) = (schema.table(&p.table), plan.table(&p.table)) else { return vec![] };
    let (Some(c), Some(cp)) = (t.column(col), tp.columns.iter().find(|c| c.source.eq_ignore_ascii_case(col))) else { return vec![] };
    let Ok(logical) = cp.logical(dialect) else { return vec![] };
    let made = if using == "uuid" { dialect.uuid_default(&logical, &cp.target_type) } else { dialect.now_default(&logical, &cp.target_type) };
    let mut out = vec![];
    if made.is_none() {
        out.push(format!("column {}.{col} is carried as {}, which cannot take a {using} default", p.table, cp.target_type));
    }
    if let Some(d) = c.default.as_deref().filter(|d| using == "uuid" || !now_default(d)) {
        out.push(format!("column {}.{col} has DEFAULT {d} in SQLite, which a {using} default would replace", p.table));
    }
    if c.generated.is_some() {
        out.push(format!("column {}.{col} is generated", p.table));
    }
    out
}

/// One accepted proposal applied to the planned tables.
pub fn apply(p: &Proposal, tables: &mut [PlannedTable], _schema: &Schema, dialect: Dialect, _names: &mut Names) -> Result<()> {
    if p.kind != Some(ProposalKind::Default) {
        return Ok(()); // extensions: migrate creates them before the tables (`copy`)
    }
    let Some(t) = table_mut(tables, &p.table) else { return Ok(()) };
    let Some(col) = p.columns.first() else { return Ok(()) };
    let Some(i) = t.columns.iter().position(|c| c.source.eq_ignore_ascii_case(col)) else { return Ok(()) };
    let source_default = t.source.columns.get(t.columns[i].source_index).and_then(|c| c.default.clone());
    let c = &mut t.columns[i];
    if c.generated_sql.is_some() || source_default.as_deref().is_some_and(|d| !now_default(d)) {
        return Ok(());
    }
    let made = match p.using.as_deref() {
        Some("uuid") if source_default.is_none() => dialect.uuid_default(&c.logical, &c.type_sql),
        Some("now") => dialect.now_default(&c.logical, &c.type_sql),
        _ => None,
    };
    if let Some(sql) = made {
        c.default_sql = Some(sql);
    }
    Ok(())
}

/// The accepted extensions of a plan, by name, for migrate to create before the tables.
pub fn extensions(plan: &Plan) -> Vec<String> {
    plan.production.iter().filter(|p| p.accept && p.kind == Some(ProposalKind::Extension)).filter_map(|p| p.using.clone()).collect()
}

/// What goes without extension `name` when the role may not create it, for the run's one
/// line: the accepted proposals that need it, by subject.
pub fn without_extension(plan: &Plan, name: &str) -> String {
    if name == "pg_stat_statements" {
        return "ferry monitor cannot list the statements; the run goes on without it".into();
    }
    let who: Vec<String> = plan
        .production
        .iter()
        .filter(|p| p.accept && p.kind != Some(ProposalKind::Extension) && (name == "pg_trgm" && needs_trigram(p)))
        .map(|p| format!("{} on {}", p.kind.map_or("?", |k| k.name()), p.subject()))
        .collect();
    if who.is_empty() { "the run goes on without it".into() } else { format!("left out: {}; the run goes on without it", who.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_columns_by_name() {
        for (name, want) in [("created_at", true), ("CreatedAt", true), ("inserted_at", true), ("date_created", true), ("created", true), ("updated_at", false), ("creator", false), ("created_by", false)] {
            assert_eq!(creation_name(name), want, "{name}");
        }
    }

    #[test]
    fn current_time_defaults() {
        for (d, want) in [("CURRENT_TIMESTAMP", true), ("(strftime('%Y-%m-%dT%H:%M:%fZ','now'))", true), ("(datetime('now'))", true), ("'2020-01-01'", false), ("0", false)] {
            assert_eq!(now_default(d), want, "{d}");
        }
    }

    fn plan(dialect: &str) -> Plan {
        toml::from_str(&format!("ferry_version = \"0\"\nsource = \"x\"\ndialect = \"{dialect}\"\ntables = []")).unwrap()
    }

    /// pg_trgm comes with a proposal that makes a trigram index, taken as it is;
    /// pg_stat_statements always on PostgreSQL; no extension on MySQL/MariaDB.
    #[test]
    fn the_extensions_follow_the_other_proposals() {
        let mut search = Proposal::new("products", ProposalKind::Search, "names");
        search.columns = vec!["name".into()];
        search.using = Some("gin_trgm_ops".into());
        let plain = Proposal::new("orders", ProposalKind::JsonIndex, "documents");
        let cases: Vec<(&str, Vec<Proposal>, Vec<(&str, bool)>)> = vec![
            ("postgres", vec![search.clone(), plain.clone()], vec![("pg_trgm", true), ("pg_stat_statements", true)]),
            ("postgres", vec![Proposal { accept: false, ..search.clone() }], vec![("pg_trgm", false), ("pg_stat_statements", true)]),
            ("postgres", vec![plain.clone()], vec![("pg_stat_statements", true)]),
            ("mariadb", vec![search.clone()], vec![]),
            ("mysql", vec![], vec![]),
        ];
        for (d, others, want) in cases {
            let p = plan(d);
            let got: Vec<Proposal> = propose(&Schema::default(), &p, p.dialect, &others).unwrap().into_iter().filter(|p| p.kind == Some(ProposalKind::Extension)).collect();
            let names: Vec<(&str, bool)> = got.iter().map(|p| (p.using.as_deref().unwrap(), p.accept)).collect();
            assert_eq!(names, want, "{d}");
            let mut p = p;
            p.production = others.clone();
            assert_eq!(without_extension(&p, "pg_trgm").contains("left out: search on products.name"), others.iter().any(|o| o.accept && o.kind == Some(ProposalKind::Search)), "{d}");
            if let Some(t) = got.iter().find(|p| p.using.as_deref() == Some("pg_trgm")) {
                assert_eq!(t.evidence, "the trigram index of search on products.name needs it");
                assert!(t.table.is_empty() && t.sql == ["CREATE EXTENSION IF NOT EXISTS \"pg_trgm\""], "{t:?}");
            }
        }
    }
}
