//! What to do about the new database: findings over a target's schema and server, each with a
//! stable code, a severity, the evidence in words (figures and the objects named) and the SQL
//! or the setting that fixes it. `ferry advise` prints them; the app's Advice tab shows the
//! same list. Nothing here changes the database: a fix is shown, never run.
//!
//! The queries live per dialect in `dialect::{postgres, mysql}::advise` (the same function
//! names in each); this module holds the model, the thresholds and the pure judgements they
//! rest on (which index makes another one redundant, whether a foreign key has an index, how
//! near a key is to its type's end). A check the server cannot answer is not dropped: it is
//! listed in `Advice::unchecked` with the reason, as is a check that has no equivalent on the
//! server (MariaDB has no NOT VALID constraint, no invalid index, no autovacuum).

use crate::error::Result;
use crate::dialect::{Dialect, TargetUrl};
use serde::{Deserialize, Serialize};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong yet.
    Info,
    /// Costs speed, space or safety; fix it when you can.
    Warning,
    /// Data or the server are at risk; fix it first.
    Critical,
}

impl Severity {
    pub fn word(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// Whether a finding is about the database's objects or the server it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Schema,
    Server,
}

/// The stable codes, as they appear in `--json` and in the app.
pub mod code {
    pub const DUPLICATE_INDEX: &str = "duplicate_index";
    pub const REDUNDANT_INDEX: &str = "redundant_index";
    pub const UNINDEXED_FOREIGN_KEY: &str = "unindexed_foreign_key";
    pub const NO_PRIMARY_KEY: &str = "no_primary_key";
    pub const UNUSED_INDEX: &str = "unused_index";
    pub const SEQUENCE_NEAR_MAX: &str = "sequence_near_max";
    pub const NOT_VALID_CONSTRAINT: &str = "not_valid_constraint";
    pub const NEVER_ANALYZED: &str = "never_analyzed";
    pub const INVALID_INDEX: &str = "invalid_index";
    pub const JSON_TEXT_COLUMN: &str = "json_text_column";
    pub const TLS_OFF: &str = "tls_off";
    pub const STATEMENTS_OFF: &str = "statements_off";
    pub const NO_WAL_ARCHIVING: &str = "no_wal_archiving";
    pub const NO_BINLOG: &str = "no_binlog";
    pub const NO_REPLICA: &str = "no_replica";
    pub const REPLICA_LAG: &str = "replica_lag";
    pub const CONNECTIONS_NEAR_MAX: &str = "connections_near_max";
    pub const APP_IS_SUPERUSER: &str = "app_is_superuser";
    pub const AUTOVACUUM_OFF: &str = "autovacuum_off";
    pub const DEAD_ROWS: &str = "dead_rows";
    pub const CACHE_HIT_LOW: &str = "cache_hit_low";
    pub const ERRORS: &str = "errors";
    pub const STORAGE_GROWTH: &str = "storage_growth";

    /// The schema codes (the rest are the server's).
    pub const SCHEMA: [&str; 10] = [
        DUPLICATE_INDEX,
        REDUNDANT_INDEX,
        UNINDEXED_FOREIGN_KEY,
        NO_PRIMARY_KEY,
        UNUSED_INDEX,
        SEQUENCE_NEAR_MAX,
        NOT_VALID_CONSTRAINT,
        NEVER_ANALYZED,
        INVALID_INDEX,
        JSON_TEXT_COLUMN,
    ];
}

/// One thing to look at, and how to fix it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    /// A stable code (`duplicate_index`, `tls_off`, …): scripts and the app match on it.
    pub code: String,
    pub scope: Scope,
    pub severity: Severity,
    /// What is wrong, in one line: `orders has no index for its foreign key customer_id`.
    pub title: String,
    /// The figures it rests on, in words.
    pub evidence: String,
    /// The objects it names (`schema.table`, `schema.table.index`, a setting's name).
    pub objects: Vec<String>,
    /// The statements that fix it, to be read and run by a person (never run by Ferry).
    pub fix_sql: Option<String>,
    /// The server setting that fixes it, when the fix is configuration, not SQL.
    pub fix_setting: Option<String>,
}

/// A check that was not made here, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Unchecked {
    pub code: String,
    pub why: String,
}

/// Everything `advise` found in one database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Advice {
    /// When it was made, RFC 3339 in UTC.
    pub taken_at: String,
    pub dialect: Dialect,
    /// The server and its version, e.g. `PostgreSQL 15.20`.
    pub server: String,
    pub database: String,
    /// The user the checks ran as (the URL's).
    pub user: String,
    /// Most severe first, then by code and object.
    pub findings: Vec<Finding>,
    /// The checks not made, each with the reason (no equivalent on this server, a privilege
    /// missing, statistics too young to judge by).
    pub unchecked: Vec<Unchecked>,
}

impl Advice {
    /// The findings about the schema (the database's own objects).
    pub fn schema_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.scope == Scope::Schema)
    }
}

impl Finding {
    /// A finding with its code's scope and severity; fill in the rest with the builders.
    pub fn new(code: &str, title: impl Into<String>, evidence: impl Into<String>) -> Finding {
        Finding {
            code: code.into(),
            scope: if code::SCHEMA.contains(&code) { Scope::Schema } else { Scope::Server },
            severity: severity(code),
            title: title.into(),
            evidence: evidence.into(),
            objects: vec![],
            fix_sql: None,
            fix_setting: None,
        }
    }
    pub fn objects(mut self, objects: impl IntoIterator<Item = String>) -> Finding {
        self.objects = objects.into_iter().collect();
        self
    }
    pub fn sql(mut self, sql: impl Into<String>) -> Finding {
        self.fix_sql = Some(sql.into());
        self
    }
    pub fn setting(mut self, setting: impl Into<String>) -> Finding {
        self.fix_setting = Some(setting.into());
        self
    }
    pub fn severity(mut self, s: Severity) -> Finding {
        self.severity = s;
        self
    }
}

impl Unchecked {
    pub fn new(code: &str, why: impl Into<String>) -> Unchecked {
        Unchecked { code: code.into(), why: why.into() }
    }
}

/// Each code's usual severity.
pub fn severity(c: &str) -> Severity {
    match c {
        code::SEQUENCE_NEAR_MAX | code::APP_IS_SUPERUSER | code::INVALID_INDEX | code::NO_WAL_ARCHIVING | code::NO_BINLOG | code::CONNECTIONS_NEAR_MAX => Severity::Critical,
        code::UNUSED_INDEX | code::NO_REPLICA | code::STATEMENTS_OFF | code::JSON_TEXT_COLUMN => Severity::Info,
        _ => Severity::Warning,
    }
}

/// Looks at the database the URL names and lists what to fix. Only the connection is
/// required: a check the server refuses becomes an `unchecked` entry with its reason.
pub async fn advise(url: &str) -> Result<Advice> {
    let t = TargetUrl::parse(url)?;
    let secret = url::Url::parse(&t.url).ok().and_then(|u| u.password().map(str::to_string)).filter(|s| !s.is_empty());
    let taken_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut a = t.advise(taken_at).await?;
    if let Some(secret) = secret {
        for u in &mut a.unchecked {
            u.why = crate::monitor::hide(&u.why, &secret);
        }
    }
    a.unchecked.push(Unchecked::new(code::STORAGE_GROWTH, NO_HISTORY));
    sort(&mut a.findings);
    Ok(a)
}

/// Why `storage_growth` is not checked without Monitor's snapshots.
const NO_HISTORY: &str = "it compares the snapshots Monitor keeps in the app over days; the command line keeps none";

/// The advice with `storage_growth` judged from Monitor's snapshots of this target (`history`,
/// in any order): a table that grew by `GROWTH_MIN_BYTES` and by half its size between the
/// first snapshot that has it and the last, over at least `GROWTH_MIN_SECONDS`.
pub fn with_history(mut a: Advice, history: &[crate::monitor::Snapshot]) -> Advice {
    a.unchecked.retain(|u| u.code != code::STORAGE_GROWTH);
    let mut snaps: Vec<(i64, &crate::monitor::Snapshot)> =
        history.iter().filter_map(|s| chrono::DateTime::parse_from_rfc3339(&s.taken_at).ok().map(|t| (t.timestamp(), s))).collect();
    snaps.sort_by_key(|x| x.0);
    let span = match (snaps.first(), snaps.last()) {
        (Some(f), Some(l)) => l.0 - f.0,
        _ => 0,
    };
    if span < GROWTH_MIN_SECONDS {
        let kept = crate::value::plural(snaps.len() as u64, "snapshot", "snapshots");
        a.unchecked.push(Unchecked::new(code::STORAGE_GROWTH, format!("needs snapshots at least a day apart: {kept} kept over {}", crate::monitor::format_age(span.max(0) as u64))));
        return a;
    }
    let (last_at, last) = snaps[snaps.len() - 1];
    for t in &last.tables {
        let Some((first_at, first)) = snaps.iter().find_map(|(at, s)| s.tables.iter().find(|x| x.schema == t.schema && x.name == t.name).map(|x| (*at, x.total_bytes))) else { continue };
        let days = (last_at - first_at) as f64 / 86_400.0;
        if (last_at - first_at) < GROWTH_MIN_SECONDS || !grew_much(first, t.total_bytes) {
            continue;
        }
        let per_day = (t.total_bytes - first) as f64 / days;
        let fmt = crate::monitor::format_bytes;
        a.findings.push(
            Finding::new(code::STORAGE_GROWTH, format!("{}.{} grew from {} to {}", t.schema, t.name, fmt(first), fmt(t.total_bytes)), format!("in {:.1} days of Monitor's snapshots: about {} a day", days, fmt(per_day as u64)))
                .objects([format!("{}.{}", t.schema, t.name)])
                .setting(format!("room on the server's disk for {} more a month at this rate; or old rows archived or partitioned away if it should not grow", fmt((per_day * 30.0) as u64))),
        );
    }
    sort(&mut a.findings);
    a
}

/// Growth is judged over at least a day of snapshots …
pub const GROWTH_MIN_SECONDS: i64 = 86_400;
/// … and reported past this many bytes and half the table's first size.
pub const GROWTH_MIN_BYTES: u64 = 64 * 1024 * 1024;

pub fn grew_much(first: u64, last: u64) -> bool {
    last > first && last - first >= GROWTH_MIN_BYTES && (last - first) as f64 >= 0.5 * first as f64
}

/// Most severe first, then schema before server, then by code and first object.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity.cmp(&a.severity).then((a.scope == Scope::Server).cmp(&(b.scope == Scope::Server))).then(a.code.cmp(&b.code)).then(a.objects.cmp(&b.objects))
    });
}

/// A check's section: its findings, or an `unchecked` entry saying why it could not be made.
pub(crate) fn check(findings: &mut Vec<Finding>, unchecked: &mut Vec<Unchecked>, codes: &[&str], r: std::result::Result<Vec<Finding>, sqlx::Error>) {
    match r {
        Ok(mut f) => findings.append(&mut f),
        Err(e) => {
            let why = format!("not checked: {}", e.to_string().split_whitespace().collect::<Vec<_>>().join(" "));
            unchecked.extend(codes.iter().map(|c| Unchecked::new(c, why.clone())));
        }
    }
}

// ---- thresholds ----

/// A key whose sequence has used this share of its range is reported.
pub const SEQUENCE_SHARE: f64 = 0.75;
/// Connections open over the limit that make `connections_near_max`.
pub const CONNECTIONS_SHARE: f64 = 0.8;
/// A cache hit ratio below this is low (once the statistics are old enough).
pub const CACHE_HIT_MIN: f64 = 0.99;
/// Dead rows are reported past this many and this share of the table's row versions.
pub const DEAD_ROWS_MIN: u64 = 1000;
pub const DEAD_ROWS_SHARE: f64 = 0.2;
/// Rolled-back transactions past this share of all are reported (with enough transactions).
pub const ROLLBACK_SHARE: f64 = 0.05;
/// A replica further behind than this many seconds is reported.
pub const REPLICA_LAG_SECONDS: f64 = 30.0;
/// How many values of a text column are read to tell whether it holds JSON documents.
pub const JSON_SAMPLE: usize = 50;
/// A NOT VALID constraint's offending rows are counted when its table has at most this many rows.
pub const COUNT_ROWS_UP_TO: u64 = 5_000_000;

/// The used share of a key's range: `last` of `max` (0 when nothing is used yet).
pub fn share_used(last: i64, max: i64) -> f64 {
    if max <= 0 || last <= 0 {
        0.0
    } else {
        last as f64 / max as f64
    }
}

pub fn sequence_near_max(last: i64, max: i64) -> bool {
    share_used(last, max) >= SEQUENCE_SHARE
}

pub fn connections_near_max(open: u64, max: u64) -> bool {
    max > 0 && open as f64 >= CONNECTIONS_SHARE * max as f64
}

/// Too many dead row versions beside the live ones.
pub fn too_many_dead(live: u64, dead: u64) -> bool {
    dead >= DEAD_ROWS_MIN && dead as f64 >= DEAD_ROWS_SHARE * (live + dead) as f64
}

pub fn cache_hit_low(ratio: f64) -> bool {
    ratio < CACHE_HIT_MIN
}

/// Rollbacks past `ROLLBACK_SHARE` of the transactions, over enough of them to say so.
pub fn rollbacks_high(commits: u64, rollbacks: u64) -> bool {
    let all = commits + rollbacks;
    all >= crate::monitor::JUDGE_AFTER_TRANSACTIONS && rollbacks as f64 > ROLLBACK_SHARE * all as f64
}

/// A percentage with one decimal: `90.0 %`.
pub fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

// ---- indexes ----

/// An index as the overlap checks see it: its key columns in order (a prefix length or an
/// expression written into the column's text so that they only match their equals).
#[derive(Debug, Clone, PartialEq)]
pub struct IndexCols {
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
    /// Backs the primary key or a unique constraint: dropped only with the constraint.
    pub constraint: bool,
    /// A partial index, an expression index, another method than the usual one, or one that
    /// is not valid: left out of the comparisons.
    pub special: bool,
}

/// How one index makes another unneeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// The same columns in the same order.
    Duplicate,
    /// Its columns lead another index's.
    Prefix,
}

/// The indexes of one table that others make unneeded: `(unneeded, kept by, how)`, each
/// unneeded index once. A unique index is never redundant to a longer one (it enforces
/// something the longer one does not); of two duplicates the one that enforces less, or backs
/// no constraint, goes, else the later name.
pub fn overlaps(indexes: &[IndexCols]) -> Vec<(usize, usize, Overlap)> {
    let mut out: Vec<(usize, usize, Overlap)> = vec![];
    let gone = |out: &Vec<(usize, usize, Overlap)>, i: usize| out.iter().any(|o| o.0 == i);
    for a in 0..indexes.len() {
        for b in 0..indexes.len() {
            let (x, y) = (&indexes[a], &indexes[b]);
            if a == b || x.special || y.special || x.columns.is_empty() || gone(&out, a) || gone(&out, b) {
                continue;
            }
            if x.columns == y.columns {
                // Drop `a` in favour of `b` when `a` is the lesser: not unique where b is, no
                // constraint where b has one, else the later name.
                let rank = |i: &IndexCols| (i.unique, i.constraint);
                let a_goes = rank(x) < rank(y) || (rank(x) == rank(y) && x.name > y.name);
                if a_goes {
                    out.push((a, b, Overlap::Duplicate));
                }
            } else if !x.unique && x.columns.len() < y.columns.len() && y.columns.starts_with(&x.columns) {
                out.push((a, b, Overlap::Prefix));
            }
        }
    }
    out
}

/// Whether an index serves a foreign key: some plain index leads with the key's columns (in
/// any order among its first ones).
pub fn fk_has_index(fk: &[String], indexes: &[IndexCols]) -> bool {
    !fk.is_empty()
        && indexes.iter().any(|i| {
            !i.special && i.columns.len() >= fk.len() && {
                let mut lead = i.columns[..fk.len()].to_vec();
                let mut want = fk.to_vec();
                lead.sort();
                want.sort();
                lead == want
            }
        })
}

// ---- values ----

/// Whether sampled values of a text column are JSON documents: at least one value, and every
/// one an object or an array once parsed (a bare number or word is not a document).
pub fn json_documents(values: &[String]) -> bool {
    !values.is_empty()
        && values.iter().all(|v| {
            let t = v.trim_start();
            (t.starts_with('{') || t.starts_with('[')) && serde_json::from_str::<serde_json::Value>(v).is_ok_and(|j| j.is_object() || j.is_array())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ix(name: &str, cols: &[&str], unique: bool, constraint: bool) -> IndexCols {
        IndexCols { name: name.into(), columns: cols.iter().map(|c| c.to_string()).collect(), unique, constraint, special: false }
    }

    #[test]
    fn which_index_is_unneeded() {
        type Case = (Vec<IndexCols>, Vec<(&'static str, &'static str, Overlap)>);
        let cases: Vec<Case> = vec![
            (vec![ix("a", &["x"], false, false), ix("b", &["x"], false, false)], vec![("b", "a", Overlap::Duplicate)]),
            (vec![ix("pk", &["id"], true, true), ix("id_idx", &["id"], false, false)], vec![("id_idx", "pk", Overlap::Duplicate)]),
            (vec![ix("u", &["x"], true, false), ix("uc", &["x"], true, true)], vec![("u", "uc", Overlap::Duplicate)]),
            (vec![ix("x", &["x"], false, false), ix("xy", &["x", "y"], false, false)], vec![("x", "xy", Overlap::Prefix)]),
            (vec![ix("ux", &["x"], true, false), ix("xy", &["x", "y"], false, false)], vec![]),
            (vec![ix("y", &["y"], false, false), ix("xy", &["x", "y"], false, false)], vec![]),
            (vec![ix("yx", &["y", "x"], false, false), ix("xy", &["x", "y"], false, false)], vec![]),
            (vec![ix("a", &["x"], false, false), ix("b", &["x"], false, false), ix("c", &["x", "y"], false, false)], vec![("a", "c", Overlap::Prefix), ("b", "c", Overlap::Prefix)]),
            (vec![IndexCols { special: true, ..ix("p", &["x"], false, false) }, ix("q", &["x"], false, false)], vec![]),
            (vec![ix("e", &[], false, false), ix("f", &[], false, false)], vec![]),
        ];
        for (list, want) in cases {
            let got: Vec<_> = overlaps(&list).into_iter().map(|(a, b, o)| (list[a].name.as_str(), list[b].name.as_str(), o)).collect();
            assert_eq!(got, want, "{list:?}");
        }
    }

    #[test]
    fn foreign_keys_and_their_indexes() {
        let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let cases = [
            (s(&["a"]), vec![ix("i", &["a"], false, false)], true),
            (s(&["a"]), vec![ix("i", &["a", "b"], false, false)], true),
            (s(&["a"]), vec![ix("i", &["b", "a"], false, false)], false),
            (s(&["a", "b"]), vec![ix("i", &["b", "a", "c"], false, false)], true),
            (s(&["a", "b"]), vec![ix("i", &["a"], false, false)], false),
            (s(&["a"]), vec![IndexCols { special: true, ..ix("i", &["a"], false, false) }], false),
            (s(&["a"]), vec![], false),
        ];
        for (fk, list, want) in cases {
            assert_eq!(fk_has_index(&fk, &list), want, "{fk:?} {list:?}");
        }
    }

    #[test]
    fn thresholds() {
        let int4 = i32::MAX as i64;
        for (last, max, near) in [(0, int4, false), (int4 / 2, int4, false), (int4 / 4 * 3, int4, false), (int4 / 100 * 76, int4, true), (int4 / 10 * 9, int4, true), (int4, int4, true), (5, 0, false), (-3, int4, false)] {
            assert_eq!(sequence_near_max(last, max), near, "{last} of {max}");
        }
        for (open, max, near) in [(79, 100, false), (80, 100, true), (100, 100, true), (0, 0, false), (1, 0, false)] {
            assert_eq!(connections_near_max(open, max), near, "{open}/{max}");
        }
        for (live, dead, many) in [(0, 999, false), (0, 1000, true), (4000, 1000, true), (4001, 1000, false), (1_000_000, 100_000, false), (100, 5000, true)] {
            assert_eq!(too_many_dead(live, dead), many, "{live} {dead}");
        }
        for (r, low) in [(0.5, true), (0.989, true), (0.99, false), (1.0, false)] {
            assert_eq!(cache_hit_low(r), low, "{r}");
        }
        for (c, r, high) in [(900, 99, false), (900, 100, true), (10, 5, false), (1_000_000, 50_000, false), (1_000_000, 60_000, true)] {
            assert_eq!(rollbacks_high(c, r), high, "{c} {r}");
        }
        assert_eq!(percent(share_used(1_932_735_283, int4)), "90.0 %");
    }

    #[test]
    fn storage_growth_from_the_snapshots() {
        const MIB: u64 = 1024 * 1024;
        for (first, last, much) in [(0, 64 * MIB, true), (100 * MIB, 150 * MIB, false), (100 * MIB, 164 * MIB, true), (200 * MIB, 299 * MIB, false), (10 * MIB, 5 * MIB, false), (MIB, 60 * MIB, false)] {
            assert_eq!(grew_much(first, last), much, "{first} → {last}");
        }
        let snap = |at: &str, tables: &[(&str, u64)]| crate::monitor::Snapshot {
            taken_at: at.into(),
            dialect: Dialect::Postgres,
            server: "PostgreSQL 15".into(),
            database: "shop".into(),
            schema: None,
            statements: vec![],
            indexes: vec![],
            tables: tables.iter().map(|(n, b)| crate::monitor::TableStat { schema: "public".into(), name: n.to_string(), rows: None, data_bytes: *b, index_bytes: 0, total_bytes: *b, dead_rows: None, placement: None }).collect(),
            cache_hit_ratio: None,
            cache: None,
            connections: None,
            notes: vec![],
            stats: None,
            statements_setup: None,
            cluster: None,
        };
        let empty = Advice { taken_at: String::new(), dialect: Dialect::Postgres, server: String::new(), database: "shop".into(), user: "u".into(), findings: vec![], unchecked: vec![Unchecked::new(code::STORAGE_GROWTH, NO_HISTORY)] };
        let history = vec![
            snap("2026-05-03T10:00:00Z", &[("events", 300 * MIB), ("users", 10 * MIB)]),
            snap("2026-05-01T10:00:00Z", &[("events", 100 * MIB), ("users", 10 * MIB)]),
            snap("not a time", &[("events", 0)]),
            snap("2026-05-02T10:00:00Z", &[("events", 200 * MIB), ("users", 10 * MIB), ("orders", 1)]),
        ];
        let a = with_history(empty.clone(), &history);
        assert!(a.unchecked.is_empty(), "{:?}", a.unchecked);
        let got: Vec<_> = a.findings.iter().map(|f| (f.objects[0].as_str(), f.title.as_str(), f.evidence.as_str())).collect();
        assert_eq!(got, [("public.events", "public.events grew from 100.0 MiB to 300.0 MiB", "in 2.0 days of Monitor's snapshots: about 100.0 MiB a day")]);
        // Under a day of snapshots: not judged, and said so.
        let a = with_history(empty, &[snap("2026-05-01T10:00:00Z", &[("events", 100 * MIB)]), snap("2026-05-02T09:00:00Z", &[("events", 300 * MIB)])]);
        assert!(a.findings.is_empty());
        let why = a.unchecked.iter().find(|u| u.code == code::STORAGE_GROWTH).map(|u| u.why.clone()).unwrap();
        assert_eq!(why, "needs snapshots at least a day apart: 2 snapshots kept over 23 h 00 min");
    }

    #[test]
    fn json_documents_in_text() {
        let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let cases = [
            (s(&[r#"{"a":1}"#, r#"[1,2]"#]), true),
            (s(&[r#" {"a": {"b": [true]}}"#]), true),
            (s(&[r#"{"a":1}"#, "plain"]), false),
            (s(&["42", "\"x\""]), false),
            (s(&["{not json"]), false),
            (s(&["[unclosed"]), false),
            (s(&[]), false),
        ];
        for (values, want) in cases {
            assert_eq!(json_documents(&values), want, "{values:?}");
        }
    }

    #[test]
    fn findings_sort_and_take_their_code_scope() {
        let mut f = vec![
            Finding::new(code::NO_REPLICA, "t", "e"),
            Finding::new(code::DUPLICATE_INDEX, "t", "e").objects(["s.b".to_string()]),
            Finding::new(code::DUPLICATE_INDEX, "t", "e").objects(["s.a".to_string()]),
            Finding::new(code::SEQUENCE_NEAR_MAX, "t", "e"),
            Finding::new(code::TLS_OFF, "t", "e"),
        ];
        sort(&mut f);
        let got: Vec<_> = f.iter().map(|x| (x.code.as_str(), x.scope, x.objects.first().cloned().unwrap_or_default())).collect();
        assert_eq!(
            got,
            [
                ("sequence_near_max", Scope::Schema, String::new()),
                ("duplicate_index", Scope::Schema, "s.a".into()),
                ("duplicate_index", Scope::Schema, "s.b".into()),
                ("tls_off", Scope::Server, String::new()),
                ("no_replica", Scope::Server, String::new()),
            ]
        );
    }
}
