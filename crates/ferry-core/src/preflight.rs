//! Pre-flight: every value through the same conversion the load uses, every foreign key and
//! every key checked in the source, without writing anything anywhere; what the target would
//! refuse or change, grouped by cause, with a count, example rows and the choices that apply.
//!
//! Each group has a machine-readable [`Kind`] and the [`Choice`]s open to it, the default
//! marked. Choices are saved in the plan (`[[choices]]`, see [`PlanChoice`]) and `migrate`
//! honours them ([`apply_choices`](crate::plan::choices::apply_choices), [`value_choice`](crate::plan::choices::value_choice)). A group whose choice in force loses
//! rows and was not made explicitly is *unresolved*: the source is ready to migrate when no
//! group is ([`Preflight::is_clean`]).
//!
//! Identifiers are always quoted, so a reserved word is carried as it is and never makes a
//! group; names too long for the target, or clashing once case is ignored, are renamed by the
//! plan and show as `identifier_too_long` / `identifier_renamed` (edit the plan's `target` to
//! pick another name).

use crate::convert::{convert, convert_with, Discard, Encoder};
use crate::source::sqlite::rows::RowSelect;
use crate::error::Result;
use crate::plan::choices::{choices_for, plan_choices, unique_index_columns, Choice, GroupId, Kind};
use crate::plan::Plan;
pub use crate::plan::PlanChoice;
use crate::events::{Rename, Warning};
use crate::schema::{LogicalType, Schema};
use crate::source::sqlite::{inspect, read_source};
use crate::plan::resolve::{planned_tables, PlannedTable};
use crate::dialect::Dialect;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

pub mod case_fold;
mod general_ci;
pub mod rehearse;

/// Examples kept per group.
const EXAMPLES: usize = 5;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Example {
    pub row: serde_json::Value,
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Group {
    pub table: String,
    /// The column, or a key's or foreign key's columns joined by ", " (None: the table itself).
    pub column: Option<String>,
    pub kind: Kind,
    pub cause: String,
    /// What `migrate` does with these rows under the choice in force: "rejected", "changed",
    /// "kept (type changed)", "kept (constraint not created)" or "kept".
    pub outcome: String,
    pub count: u64,
    pub examples: Vec<Example>,
    /// The choices open to this group, the default first.
    pub choices: Vec<Choice>,
    pub default: Choice,
    /// The plan's choice for this group, when it has one.
    pub chosen: Option<Choice>,
}

impl Group {
    /// The plan's choice, else the default.
    pub fn in_force(&self) -> Choice {
        self.chosen.unwrap_or(self.default)
    }
    /// Rows would be lost by a default nobody confirmed.
    pub fn is_unresolved(&self) -> bool {
        self.chosen.is_none() && self.default == Choice::RejectRows
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Preflight {
    pub source: String,
    pub dialect: Option<Dialect>,
    pub rows_checked: u64,
    pub groups: Vec<Group>,
    /// Objects that will not be carried as they are (a DEFAULT, CHECK, index, trigger, …).
    pub objects: Vec<Warning>,
    pub renames: Vec<Rename>,
    /// Seconds the pre-flight took (reading the source's profile included).
    pub seconds: f64,
    /// With a target (`preflight_against`): whether the schema was rehearsed on it and how
    /// that went, or why not, in one line. The objects it refused are among `objects`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rehearsal: Option<String>,
}

impl Preflight {
    /// Groups whose rows would be rejected by a default no one chose (`reject_rows` must be
    /// chosen explicitly, like any other choice, to count as decided).
    pub fn unresolved(&self) -> Vec<&Group> {
        self.groups.iter().filter(|g| g.is_unresolved()).collect()
    }
    /// Ready to migrate: no group is unresolved. Objects not carried and renames are listed,
    /// but there is nothing to choose for them in the plan.
    pub fn is_clean(&self) -> bool {
        self.unresolved().is_empty()
    }
}

/// Discards what it is given: only the conversion's verdict matters here.

/// Keeps the value as the target will compare it: its canonical text (numbers without
/// trailing fractional zeros, dates and instants normalised), tagged by form.
#[derive(Default)]
struct Capture(Vec<u8>);

impl Encoder for Capture {
    fn null(&mut self) {}
    fn number(&mut self, s: &str) {
        let s = if s.contains('.') && !s.contains(['e', 'E']) { s.trim_end_matches('0').trim_end_matches('.') } else { s };
        self.0.push(b'n');
        self.0.extend_from_slice(if s == "-0" { b"0" } else { s.as_bytes() });
    }
    fn text(&mut self, s: &str) {
        self.0.push(b't');
        self.0.extend_from_slice(s.as_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.0.push(b'b');
        self.0.extend_from_slice(b);
    }
    fn boolean(&mut self, b: bool) {
        self.0.extend_from_slice(if b { b"B1" } else { b"B0" });
    }
    fn date(&mut self, d: chrono::NaiveDate, _: &str) {
        self.text(&d.to_string());
    }
}

/// A reason without the value it may start with, so equal causes group together
/// (`70000 is out of range …` → `value is out of range …`).
fn cause_of(reason: &str) -> String {
    match reason.split_once(' ') {
        Some((first, rest)) if crate::value::Decimal::parse(first).is_some() || first.parse::<f64>().is_ok() => format!("value {rest}"),
        _ => reason.to_string(),
    }
}

/// Folds text as MariaDB's `utf8mb4_general_nopad_ci` compares it: two strings are equal
/// there exactly when their folds are equal (`Bob` = `bob` = `BÖB`, `ß` = `s`, and every
/// character above U+FFFF equals every other).
pub fn general_ci_fold(s: &str) -> String {
    s.chars()
        .map(|c| {
            let n = c as u32;
            if n > 0xFFFF {
                return '\u{FFFD}';
            }
            if let Ok(i) = general_ci::EXCEPTIONS.binary_search_by_key(&(n as u16), |(k, _)| *k) {
                return char::from_u32(general_ci::EXCEPTIONS[i].1 as u32).unwrap_or(c);
            }
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        })
        .collect()
}

#[derive(Default)]
struct Acc {
    count: u64,
    examples: Vec<Example>,
}

impl Acc {
    fn add(&mut self, row: serde_json::Value, value: serde_json::Value) {
        self.count += 1;
        if self.examples.len() < EXAMPLES {
            self.examples.push(Example { row, value });
        }
    }
}

/// One PRIMARY KEY or UNIQUE the target enforces whose comparison may differ from SQLite's.
struct KeyCheck {
    /// Source columns joined by ", ", as the group names them.
    name: String,
    /// (index into the planned columns, folded case-insensitively).
    columns: Vec<(usize, bool)>,
    seen: HashSet<Vec<u8>>,
}

/// The keys of `t` worth checking for values SQLite keeps apart but the target would not:
/// a column compared case-insensitively (the target also folds non-ASCII letters), a type whose conversion normalises (decimal,
/// float, date, timestamp, boolean, JSON), or a column holding more than one storage class.
fn key_checks(t: &PlannedTable) -> Vec<KeyCheck> {
    let mut keys: Vec<Vec<String>> = vec![];
    if t.primary_key.is_some() {
        keys.push(t.pk_columns());
    }
    keys.extend(t.source.uniques.iter().map(|u| u.columns.clone()));
    keys.extend(t.indexes.iter().filter(|ix| ix.unique && ix.where_sql.is_none()).filter_map(|ix| {
        let target = unique_index_columns(ix)?;
        target.iter().map(|n| t.columns.iter().find(|c| c.name == *n).map(|c| c.source.clone())).collect()
    }));
    let mut out: Vec<KeyCheck> = vec![];
    for key in keys {
        let mut columns = vec![];
        let mut worth = false;
        for k in &key {
            let Some(i) = t.columns.iter().position(|c| c.source.eq_ignore_ascii_case(k)) else { break };
            let c = &t.columns[i];
            let src = &t.source.columns[c.source_index];
            let ci = c.case_insensitive;
            let normalises = matches!(c.logical, LogicalType::Decimal { .. } | LogicalType::Float | LogicalType::Date | LogicalType::Timestamp { .. } | LogicalType::Boolean | LogicalType::Json);
            let mixed = src.profile.as_ref().is_some_and(|p| [p.integers, p.reals, p.texts, p.blobs].iter().filter(|n| **n > 0).count() > 1);
            worth |= ci || normalises || mixed;
            columns.push((i, ci));
        }
        let name = key.join(", ");
        if worth && columns.len() == key.len() && !out.iter().any(|k| k.name == name) {
            out.push(KeyCheck { name, columns, seen: HashSet::new() });
        }
    }
    out
}

type GroupKey = (String, Option<String>, Kind, String);


/// Runs the pre-flight of `source` for `dialect` with `plan` (or the proposed one).
pub fn preflight(source: &Path, dialect: Dialect, plan: Option<&Plan>, jobs: usize) -> Result<Preflight> {
    preflight_choosing(source, dialect, plan, &[], jobs).map(|(pf, _)| pf)
}

/// The same, with `choices` added to the plan (replacing its choice for the same group);
/// returns the plan used, to be saved (`ferry preflight --choose … --out plan.toml`).
pub fn preflight_choosing(source: &Path, dialect: Dialect, plan: Option<&Plan>, choices: &[PlanChoice], jobs: usize) -> Result<(Preflight, Plan)> {
    let started = std::time::Instant::now();
    let (mut pf, plan, _) = scan(source, dialect, plan, choices, jobs)?;
    pf.seconds = started.elapsed().as_secs_f64();
    Ok((pf, plan))
}

/// The pre-flight of `source` for the target at `url`, which is asked too when it can be
/// reached: its dialect is the server's (MySQL or MariaDB, whatever the URL says), and the
/// schema is rehearsed on it (`rehearse`), so the DEFAULTs, CHECKs, indexes, keys, foreign
/// keys and views it refuses are among `objects`. An unreachable target is no error: the
/// pre-flight is the source's alone, and `rehearsal` says why. `events` hears the
/// rehearsal's phase and may cancel it (`rehearse::rehearse`).
pub async fn preflight_against(source: &Path, url: &str, pg_schema: Option<&str>, plan: Option<&Plan>, choices: &[PlanChoice], jobs: usize, events: &crate::events::Events) -> Result<(Preflight, Plan)> {
    let started = std::time::Instant::now();
    let given = crate::dialect::TargetUrl::parse(url)?;
    let opened = crate::dialect::session::Target::open(url, pg_schema).await;
    let dialect = opened.as_ref().map(|(t, _)| t.dialect).unwrap_or(given.dialect);
    let (path, plan, choices) = (source.to_path_buf(), plan.cloned(), choices.to_vec());
    let (mut pf, plan, schema) = tokio::task::spawn_blocking(move || scan(&path, dialect, plan.as_ref(), &choices, jobs))
        .await
        .map_err(|e| crate::error::FerryError::Other(format!("the pre-flight stopped: {e}")))??;
    pf.rehearsal = Some(match opened {
        Err(e) => format!("schema not rehearsed: {e}"),
        Ok((target, mut conn)) => {
            let mut planned = planned_tables(&schema, &plan, dialect)?;
            crate::plan::choices::apply_choices(&mut planned, &plan, dialect)?;
            match rehearse::rehearse(&target, &mut conn, &planned, &schema.views, &schema.triggers, &plan, events).await {
                Ok(r) => {
                    pf.objects.extend(r.refused);
                    r.note
                }
                Err(why) => format!("schema not rehearsed: {why}"),
            }
        }
    });
    pf.seconds = started.elapsed().as_secs_f64();
    Ok((pf, plan))
}

/// The pre-flight's reading and scan, with the schema it read (for a rehearsal).
fn scan(source: &Path, dialect: Dialect, plan: Option<&Plan>, choices: &[PlanChoice], jobs: usize) -> Result<(Preflight, Plan, Schema)> {
    let schema = read_source(source, true, jobs)?;
    let mut plan = Plan::resolve(plan, "plan", &schema, source, dialect)?;
    for c in choices {
        plan.set_choice(c.clone());
    }
    plan.take_chosen_narrowings()?;
    let mut pf = run(source, &schema, &plan, dialect, jobs)?;
    hide_masked(&mut pf, &plan);
    Ok((pf, plan, schema))
}

/// A masked plan's pre-flight shows no clear value of a masked column, as the run's report
/// does not (`plan::masks::HIDDEN`): an example's value when the group is about a masked
/// column (or a key or foreign key one of whose columns is masked), and a masked column's
/// value in an example's row key. What is checked is the clear value all the same: the
/// pre-flight needs no key, and a value the target refuses is refused whatever its mask.
fn hide_masked(pf: &mut Preflight, plan: &Plan) {
    let masked = |table: &str, column: &str| {
        plan.tables.iter().find(|t| t.source == table).and_then(|t| t.columns.iter().find(|c| c.source == column)).and_then(|c| c.mask).is_some_and(|m| !m.is_clear())
    };
    let hidden = || serde_json::Value::String(crate::plan::masks::HIDDEN.into());
    for g in &mut pf.groups {
        let about_masked = g.column.as_deref().is_some_and(|cols| cols.split(", ").any(|c| masked(&g.table, c)));
        for e in &mut g.examples {
            if about_masked && !e.value.is_null() && g.kind != Kind::IdentifierRenamed && g.kind != Kind::IdentifierTooLong {
                e.value = hidden();
            }
            if let serde_json::Value::Object(m) = &mut e.row {
                for (c, v) in m.iter_mut() {
                    if masked(&g.table, c) {
                        *v = hidden();
                    }
                }
            }
        }
    }
}

/// What one table's scan found.
#[derive(Default)]
struct Found {
    rows_checked: u64,
    groups: BTreeMap<GroupKey, Acc>,
    /// The planned column (name, index) a group is about, when it is one column's values.
    columns: HashMap<GroupKey, Option<(String, usize)>>,
    objects: Vec<Warning>,
    /// Row ids of the rows migrate will not load (a refused value, an orphan left to reject_rows).
    rejected: Vec<i64>,
}

/// Scans one table: every value converted, the keys the target compares differently, and the
/// foreign keys' orphans.
fn scan_table(source: &Path, conn: &rusqlite::Connection, t: &PlannedTable, dialect: Dialect, chosen: &HashMap<GroupId, Choice>) -> Result<Found> {
    let mut found = Found::default();
    found.objects.extend(t.warnings.iter().cloned());
    let select = RowSelect::new(&t.source);
    let (rowid, offset) = (select.rowid, select.offset);
    let mut stmt = conn.prepare(&select.sql).map_err(|e| inspect::map_err(source, e))?;
    let mut rows = stmt.query([]).map_err(|e| inspect::map_err(source, e))?;
    let loaded: Vec<(usize, &crate::plan::resolve::PlannedColumn)> = t.columns.iter().enumerate().filter(|(_, c)| c.generated_sql.is_none()).collect();
    let pk = t.source.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default();
    let mut keys = key_checks(t);
    let mut key_buf = vec![];
    while let Some(row) = rows.next().map_err(|e| inspect::map_err(source, e))? {
        found.rows_checked += 1;
        let rid = match rowid {
            Some(_) => Some(row.get::<_, i64>(0).map_err(|e| inspect::map_err(source, e))?),
            None => None,
        };
        let mut rejected = false;
        for &(i, c) in &loaded {
            let v = row.get_ref(c.source_index + offset).map_err(|e| inspect::map_err(source, e))?;
            // A value the best type would refuse: what keeps the column wider.
            if let Some(n) = &c.narrower {
                if convert_with(v, &n.logical, n.transform, dialect, &mut Discard).is_err() {
                    let cause = format!("{} cannot hold these values: the column is carried as {} so their rows arrive", n.type_sql, c.type_sql);
                    let key = (t.source.name.clone(), Some(c.source.clone()), Kind::NarrowerType, cause);
                    found.columns.entry(key.clone()).or_insert(Some((c.source.clone(), i)));
                    found.groups.entry(key).or_default().add(t.row_key(rid, row, offset), crate::value::value_to_json(v));
                }
            }
            if matches!(v, rusqlite::types::ValueRef::Null) && t.primary_key.is_none() && pk.iter().any(|p| p.eq_ignore_ascii_case(&c.source)) && !t.source.without_rowid {
                let key = (
                    t.source.name.clone(),
                    Some(c.source.clone()),
                    Kind::NullInNotNull,
                    "NULL in a primary key column: the target's primary key cannot hold it, so the key is not created".to_string(),
                );
                found.columns.entry(key.clone()).or_insert(Some((c.source.clone(), i)));
                found.groups.entry(key).or_default().add(serde_json::json!({ "rowid": rid }), serde_json::Value::Null);
                continue;
            }
            let (cause, kind) = match convert_with(v, &c.logical, c.transform, dialect, &mut Discard) {
                Ok(None) => continue,
                Ok(Some(ch)) => (ch.reason, ch.kind),
                Err(refusal) => (cause_of(&refusal.reason), refusal.kind),
            };
            let key = (t.source.name.clone(), Some(c.source.clone()), kind, cause);
            found.columns.entry(key.clone()).or_insert(Some((c.source.clone(), i)));
            found.groups.entry(key).or_default().add(t.row_key(rid, row, offset), crate::value::value_to_json(v));
            if chosen.get(&(t.source.name.clone(), Some(c.source.clone()), kind)).copied().unwrap_or(kind.choices()[0]) == Choice::RejectRows {
                rejected = true;
                found.rejected.extend(rid);
                break; // the row is refused once, for its first bad value, as the load does
            }
        }
        if rejected {
            continue;
        }
        // Keys the target compares differently: a loaded row whose key it has seen collides.
        'keys: for k in &mut keys {
            key_buf.clear();
            for &(i, ci) in &k.columns {
                let c = &t.columns[i];
                let v = row.get_ref(c.source_index + offset).map_err(|e| inspect::map_err(source, e))?;
                if matches!(v, rusqlite::types::ValueRef::Null) {
                    continue 'keys; // NULLs never collide under UNIQUE
                }
                let mut cap = Capture::default();
                if convert_with(v, &c.logical, c.transform, dialect, &mut cap).is_err() {
                    continue 'keys;
                }
                if ci {
                    let folded = case_fold::fold(&String::from_utf8_lossy(&cap.0));
                    cap.0 = folded.into_bytes();
                }
                key_buf.extend_from_slice(&(cap.0.len() as u64).to_le_bytes());
                key_buf.extend_from_slice(&cap.0);
            }
            if !k.seen.insert(key_buf.clone()) {
                let values: Vec<serde_json::Value> = k.columns.iter().map(|&(i, _)| row.get_ref(t.columns[i].source_index + offset).map(crate::value::value_to_json).unwrap_or_default()).collect();
                let value = if values.len() == 1 { values.into_iter().next().unwrap() } else { serde_json::Value::Array(values) };
                let how = if k.columns.iter().any(|c| c.1) { "once case is ignored as the target's case-insensitive collation ignores it (SQLite's NOCASE folds only ASCII letters)" } else { "once converted to the target's type" };
                let cause = format!("duplicate under the key ({}): another row has the same value {how}", k.name);
                if chosen.get(&(t.source.name.clone(), Some(k.name.clone()), Kind::DuplicateUnique)) != Some(&Choice::DropConstraint) {
                    found.rejected.extend(rid);
                }
                let key = (t.source.name.clone(), Some(k.name.clone()), Kind::DuplicateUnique, cause);
                found.columns.entry(key.clone()).or_insert(None);
                found.groups.entry(key).or_default().add(t.row_key(rid, row, offset), value);
            }
        }
    }
    // Orphans: SQLite leaves foreign keys unenforced unless asked.
    let check = conn.prepare(&format!("SELECT rowid, \"parent\", fkid FROM pragma_foreign_key_check({})", inspect::quote(&t.source.name)));
    match check.and_then(|mut s| s.query_map([], |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))).and_then(|m| m.collect::<rusqlite::Result<Vec<_>>>())) {
        Ok(orphans) => {
            let mut fk_columns: HashMap<i64, String> = HashMap::new();
            for (rid, parent, fkid) in orphans {
                let cols = fk_columns.entry(fkid).or_insert_with(|| {
                    let sql = format!("SELECT \"from\" FROM pragma_foreign_key_list({}) WHERE id = ?1 ORDER BY seq", inspect::quote(&t.source.name));
                    conn.prepare(&sql).and_then(|mut s| s.query_map([fkid], |r| r.get::<_, String>(0)).and_then(|m| m.collect::<rusqlite::Result<Vec<_>>>())).map(|v| v.join(", ")).unwrap_or_default()
                });
                let row = match (rid, select.by_rowid()) {
                    (Some(r), Some(sql)) => conn.query_row(&sql, [r], |row| Ok(t.row_key(Some(r), row, offset))).unwrap_or_else(|_| serde_json::json!({ "rowid": r })),
                    _ => serde_json::json!({ "rowid": rid }),
                };
                let key = (t.source.name.clone(), Some(cols.clone()), Kind::Orphan, format!("orphan: no matching row in {parent} (the foreign key is not enforced in SQLite)"));
                if chosen.get(&(t.source.name.clone(), Some(cols.clone()), Kind::Orphan)) == Some(&Choice::RejectRows) {
                    found.rejected.extend(rid);
                }
                found.columns.entry(key.clone()).or_insert(None);
                found.groups.entry(key).or_default().add(row, serde_json::Value::Null);
            }
        }
        Err(e) => found.objects.push(Warning { table: Some(t.source.name.clone()), object: "foreign keys".into(), reason: format!("could not be checked in the source: {e}") }),
    }
    Ok(found)
}

/// A row's values in `columns` (positions in the select), as one comparable key; None when
/// one is NULL (a NULL foreign key has no parent to miss).
fn tuple_key(row: &rusqlite::Row<'_>, columns: &[usize]) -> Option<String> {
    let mut k = String::new();
    for &i in columns {
        let v = row.get_ref(i).ok()?;
        if matches!(v, rusqlite::types::ValueRef::Null) {
            return None;
        }
        k.push_str(&crate::value::value_to_json(v).to_string());
        k.push('\u{1}');
    }
    Some(k)
}

/// Rows whose parent row will not load are orphans in the target (migrate keeps them under an
/// unchecked key, or, where the plan chose `reject_rows`, takes them out as it adds the key and
/// their own children after them): found by following the rejected rows down every foreign key
/// not dropped by the plan.
fn cascade(
    source: &Path,
    planned: &[PlannedTable],
    chosen: &HashMap<GroupId, Choice>,
    mut rejected: HashMap<String, HashSet<i64>>,
    groups: &mut BTreeMap<GroupKey, Acc>,
    columns: &mut HashMap<GroupKey, Option<(String, usize)>>,
) -> Result<()> {
    let mut frontier: Vec<(String, Vec<i64>)> = rejected.iter().filter(|(_, r)| !r.is_empty()).map(|(t, r)| (t.clone(), r.iter().copied().collect())).collect();
    if frontier.is_empty() {
        return Ok(());
    }
    let conn = inspect::open(source)?;
    let err = |e| inspect::map_err(source, e);
    while let Some((parent_name, rids)) = frontier.pop() {
        let Some(parent) = planned.iter().find(|t| t.source.name == parent_name) else { continue };
        let Some(parent_rowid) = RowSelect::new(&parent.source).rowid else { continue };
        for child in planned {
            for fk in child.foreign_keys.iter().filter(|fk| fk.ref_source_table == parent_name) {
                let cols = fk.columns.join(", ");
                let choice = chosen.get(&(child.source.name.clone(), Some(cols.clone()), Kind::Orphan));
                if choice == Some(&Choice::DropConstraint) {
                    continue;
                }
                // Kept orphans stay, and so do their own children: only rejected ones go on.
                let rejects = choice == Some(&Choice::RejectRows);
                // The parent's key values of the rows that will not load.
                let pcols: Vec<String> = fk.ref_columns.iter().map(|n| parent.columns.iter().find(|c| c.name == *n).map(|c| c.source.clone()).unwrap_or_else(|| n.clone())).collect();
                let sql = format!("SELECT {} FROM {} WHERE {parent_rowid} = ?1", pcols.iter().map(|c| inspect::quote(c)).collect::<Vec<_>>().join(", "), inspect::quote(&parent.source.name));
                let mut stmt = conn.prepare(&sql).map_err(err)?;
                let positions: Vec<usize> = (0..pcols.len()).collect();
                let mut gone = HashSet::new();
                for r in &rids {
                    if let Some(k) = stmt.query_row([r], |row| Ok(tuple_key(row, &positions))).map_err(err)? {
                        gone.insert(k);
                    }
                }
                if gone.is_empty() {
                    continue;
                }
                // The child rows that point at them.
                let select = RowSelect::new(&child.source);
                let Some(_) = select.rowid else { continue };
                let Some(idx) = fk.columns.iter().map(|c| child.source.column_index(c).map(|i| i + select.offset)).collect::<Option<Vec<_>>>() else { continue };
                let mut stmt = conn.prepare(&select.sql).map_err(err)?;
                let mut rows = stmt.query([]).map_err(err)?;
                let done = rejected.entry(child.source.name.clone()).or_default();
                let mut new = vec![];
                while let Some(row) = rows.next().map_err(err)? {
                    let rid: i64 = row.get(0).map_err(err)?;
                    if done.contains(&rid) || !tuple_key(row, &idx).is_some_and(|k| gone.contains(&k)) {
                        continue;
                    }
                    if rejects {
                        done.insert(rid);
                        new.push(rid);
                    }
                    let key = (child.source.name.clone(), Some(cols.clone()), Kind::Orphan, format!("orphan once its parent row in {parent_name} is rejected (see that table's groups)"));
                    columns.entry(key.clone()).or_insert(None);
                    groups.entry(key).or_default().add(child.row_key(Some(rid), row, select.offset), serde_json::Value::Null);
                }
                if !new.is_empty() {
                    frontier.push((child.source.name.clone(), new));
                }
            }
        }
    }
    Ok(())
}

fn run(source: &Path, schema: &Schema, plan: &Plan, dialect: Dialect, jobs: usize) -> Result<Preflight> {
    let planned = planned_tables(schema, plan, dialect)?;
    let chosen = plan_choices(plan, &planned)?;
    let choice_of = |table: &str, column: Option<&str>, kind: Kind| chosen.get(&(table.to_string(), column.map(String::from), kind)).copied();
    let mut out = Preflight { source: source.display().to_string(), dialect: Some(dialect), ..Default::default() };
    // Tables are scanned `jobs` at a time, largest first, each on its own connection.
    let queue = std::sync::Mutex::new({
        let mut q: Vec<usize> = (0..planned.len()).collect();
        q.sort_by_key(|i| planned[*i].source.row_count);
        q
    });
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                let conn = match inspect::open(source) {
                    Ok(c) => c,
                    Err(e) => return results.lock().unwrap().push((usize::MAX, Err(e))),
                };
                loop {
                    let next = queue.lock().unwrap().pop();
                    let Some(i) = next else { break };
                    let r = scan_table(source, &conn, &planned[i], dialect, &chosen);
                    let failed = r.is_err();
                    results.lock().unwrap().push((i, r));
                    if failed {
                        break;
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let mut groups: BTreeMap<GroupKey, Acc> = BTreeMap::new();
    let mut group_column: HashMap<GroupKey, Option<(String, usize)>> = HashMap::new();
    let mut rejected: HashMap<String, HashSet<i64>> = HashMap::new();
    for (i, r) in results {
        let found = r?;
        out.rows_checked += found.rows_checked;
        groups.extend(found.groups);
        group_column.extend(found.columns);
        out.objects.extend(found.objects);
        rejected.entry(planned[i].source.name.clone()).or_default().extend(found.rejected);
    }
    cascade(source, &planned, &chosen, rejected, &mut groups, &mut group_column)?;
    // Triggers: each one that cannot be carried, and why (the run makes the others).
    let trigger_tables = crate::copy::trigger_tables(&planned);
    let ctx = crate::sqlexpr::TriggerContext { dialect, tables: &trigger_tables, triggers: &schema.triggers };
    for tr in &schema.triggers {
        let carried = crate::sqlexpr::translate_trigger(&tr.sql, &ctx).and_then(|t| dialect.create_trigger_sql("public", &t, planned.iter().find(|p| p.name == t.table)));
        if let Err(e) = carried {
            out.objects.push(Warning { table: Some(tr.table.clone()), object: format!("trigger {}", tr.name), reason: format!("not carried: {e}") });
        }
    }
    for vt in &schema.virtual_tables {
        out.objects.push(Warning { table: Some(vt.name.clone()), object: format!("virtual table {} (USING {})", vt.name, vt.module), reason: vt.why.clone().unwrap_or_else(|| "not carried: it exists only in SQLite".into()) });
    }
    for tp in plan.tables.iter().filter(|t| !t.skip) {
        let mut renamed = |table: Option<&str>, from: &str, to: &str| {
            let fits = crate::dialect::ident_fits(dialect, from);
            let reason = if fits { "clashes with another name once case is ignored".to_string() } else { format!("longer than {}'s identifier limit", dialect.name()) };
            out.renames.push(Rename { table: table.map(String::from), from: from.into(), to: to.into(), reason: reason.clone() });
            let kind = if fits { Kind::IdentifierRenamed } else { Kind::IdentifierTooLong };
            let key = (table.unwrap_or(from).to_string(), table.map(|_| from.to_string()), kind, format!("renamed to {to}: {reason}"));
            group_column.entry(key.clone()).or_insert(None);
            groups.entry(key).or_default().add(serde_json::Value::Null, serde_json::json!({ "from": from, "to": to }));
        };
        if tp.target != tp.source {
            renamed(None, &tp.source, &tp.target);
        }
        for cp in tp.columns.iter().filter(|c| c.target != c.source) {
            renamed(Some(&tp.source), &cp.source, &cp.target);
        }
    }
    out.groups = groups
        .into_iter()
        .map(|(key, acc)| {
            let (table, column, kind, cause) = key.clone();
            let col = group_column.get(&key).cloned().flatten().and_then(|(_, i)| planned.iter().find(|t| t.source.name == table).map(|t| &t.columns[i]));
            let choices = if col.is_some() { choices_for(kind, col) } else { kind.choices().to_vec() };
            let default = choices[0];
            let chosen = choice_of(&table, column.as_deref(), kind);
            let outcome = match (kind, chosen.unwrap_or(default)) {
                (Kind::NarrowerType, Choice::Keep) => "kept (wider type)".to_string(),
                (_, c) => c.outcome().to_string(),
            };
            Group { table, column, kind, cause, outcome, count: acc.count, examples: acc.examples, choices, default, chosen }
        })
        .collect();
    Ok(out)
}

/// What one column's values would do under one target type: the answer to "will my
/// override hold?", with the load's own conversion over every value.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnCheck {
    /// Values looked at (NULLs included; they always fit).
    pub values: u64,
    /// Values the target would refuse (their rows are rejected).
    pub rejected: u64,
    /// Values that would arrive changed (e.g. a NUL stripped).
    pub changed: u64,
    /// The first few refused (or else changed) values with their rows, and why.
    pub examples: Vec<Example>,
    /// The reason given for the first example.
    pub reason: Option<String>,
}

/// Runs every value of `table.column` in `source` through the conversion to `ty`.
pub fn check_column(source: &Path, table: &crate::schema::Table, column: &str, ty: &crate::schema::LogicalType, dialect: Dialect) -> Result<ColumnCheck> {
    let index = table.columns.iter().position(|c| c.name == column).ok_or_else(|| crate::error::FerryError::Source(format!("table {} has no column {column:?}", table.name)))?;
    let conn = inspect::open(source)?;
    let select = RowSelect::new(table);
    let offset = select.offset;
    let mut stmt = conn.prepare(&select.sql).map_err(|e| inspect::map_err(source, e))?;
    let mut rows = stmt.query([]).map_err(|e| inspect::map_err(source, e))?;
    let mut out = ColumnCheck::default();
    let mut changed_examples = vec![];
    while let Some(row) = rows.next().map_err(|e| inspect::map_err(source, e))? {
        out.values += 1;
        let v = row.get_ref(index + offset).map_err(|e| inspect::map_err(source, e))?;
        // The row is named by its primary key, else its row id, as the run's report names it.
        let key = || match (&table.primary_key, select.rowid) {
            (Some(pk), _) => serde_json::Value::Object(
                pk.columns
                    .iter()
                    .filter_map(|c| table.column_index(c).map(|i| (table.columns[i].name.clone(), row.get_ref(i + offset).map(crate::value::value_to_json).unwrap_or_default())))
                    .collect(),
            ),
            (None, Some(_)) => serde_json::json!({ "rowid": row.get::<_, i64>(0).unwrap_or_default() }),
            (None, None) => serde_json::Value::Null,
        };
        match convert(v, ty, dialect, &mut Discard) {
            Ok(None) => {}
            Ok(Some(ch)) => {
                out.changed += 1;
                if changed_examples.len() < EXAMPLES {
                    changed_examples.push((Example { row: key(), value: crate::value::value_to_json(v) }, ch.reason));
                }
            }
            Err(reason) => {
                out.rejected += 1;
                if out.examples.len() < EXAMPLES {
                    out.reason.get_or_insert(reason.reason);
                    out.examples.push(Example { row: key(), value: crate::value::value_to_json(v) });
                }
            }
        }
    }
    if out.examples.is_empty() {
        out.reason = changed_examples.first().map(|(_, r)| r.clone());
        out.examples = changed_examples.into_iter().map(|(e, _)| e).collect();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::cause_of;

    /// The fold equates what MariaDB's general_ci does (checked against the server in
    /// tests/it/preflight.rs), and nothing PostgreSQL-binary would.
    #[test]
    fn general_ci_fold_cases() {
        let same = [("Bob", "bob"), ("bob", "BÖB"), ("straße", "STRASE"), ("😀", "😁"), ("ǅ", "ǆ"), ("é", "E")];
        let apart = [("a", "a "), ("straße", "strasse"), ("æ", "ae"), ("ł", "l"), ("ﬁ", "fi")];
        for (a, b) in same {
            assert_eq!(super::general_ci_fold(a), super::general_ci_fold(b), "{a} = {b}");
        }
        for (a, b) in apart {
            assert_ne!(super::general_ci_fold(a), super::general_ci_fold(b), "{a} ≠ {b}");
        }
    }

    #[test]
    fn causes_group_without_their_values() {
        let cases = [
            ("70000 is out of range for a 16-bit integer", "value is out of range for a 16-bit integer"),
            ("1.5 is not an integer", "value is not an integer"),
            ("not an integer", "not an integer"),
            ("bytes that are not UTF-8 text", "bytes that are not UTF-8 text"),
        ];
        for (reason, want) in cases {
            assert_eq!(cause_of(reason), want);
        }
    }

    /// An override is judged on every value, by the load's own conversion.
    #[test]
    fn a_column_is_checked_against_a_type() {
        use crate::schema::LogicalType;
        use crate::dialect::Dialect;
        let dir = std::env::temp_dir().join(format!("ferry-check-column-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.sqlite");
        let _ = std::fs::remove_file(&path);
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER); INSERT INTO t VALUES (1, 'short', 1), (2, 'a name longer than ten', 70000), (3, NULL, 'x'), (4, 'bad' || char(0) || 'nul', 2);").unwrap();
        drop(c);
        let schema = crate::source::sqlite::read_source(&path, false, 1).unwrap();
        let t = schema.tables.iter().find(|t| t.name == "t").unwrap();
        let cases: [(&str, LogicalType, Dialect, u64, u64, serde_json::Value); 4] = [
            ("name", LogicalType::Text { max: Some(10) }, Dialect::Postgres, 2, 0, serde_json::json!({"id": 2})),
            ("name", LogicalType::Text { max: None }, Dialect::MariaDb, 0, 0, serde_json::Value::Null),
            ("n", LogicalType::Integer { bits: 16 }, Dialect::Postgres, 2, 0, serde_json::json!({"id": 2})),
            ("n", LogicalType::Integer { bits: 64 }, Dialect::MariaDb, 1, 0, serde_json::json!({"id": 3})),
        ];
        for (column, ty, dialect, rejected, changed, first) in cases {
            let got = super::check_column(&path, t, column, &ty, dialect).unwrap();
            assert_eq!((got.values, got.rejected, got.changed), (4, rejected, changed), "{column} as {ty:?}: {got:?}");
            assert_eq!(got.examples.first().map(|e| e.row.clone()).unwrap_or_default(), first, "{column} as {ty:?}");
            assert_eq!(got.reason.is_some(), rejected + changed > 0);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
