//! Source against target, every row: each table's rows read from SQLite (less the rows the
//! report names as rejected) must equal the target's rows as multisets, value by value, in a
//! canonical form per type (the same instant, the same double's bits, the same decimal, the
//! same JSON document).

use crate::common::{Kind, TestDb};
use ferry_core::convert::{convert, Encoder};
use ferry_core::schema::LogicalType;
use ferry_core::dialect::Dialect;
use rusqlite::types::ValueRef;
use serde_json::Value as J;
use std::path::Path;

/// Records converted values as plain text, unescaped.
struct Plain(Option<String>);

impl Encoder for Plain {
    fn null(&mut self) {
        self.0 = None;
    }
    fn number(&mut self, s: &str) {
        self.0 = Some(s.into());
    }
    fn text(&mut self, s: &str) {
        self.0 = Some(s.into());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.0 = Some(ferry_core::value::hex(b));
    }
    fn boolean(&mut self, b: bool) {
        self.0 = Some(if b { "1" } else { "0" }.into());
    }
}

pub fn canonical_json(v: &J) -> String {
    match v {
        J::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys.iter().map(|k| format!("{}:{}", J::String((*k).clone()), canonical_json(&m[*k]))).collect();
            format!("{{{}}}", parts.join(","))
        }
        J::Array(a) => format!("[{}]", a.iter().map(canonical_json).collect::<Vec<_>>().join(",")),
        J::Number(n) => format!("{:?}", n.as_f64().unwrap()),
        other => other.to_string(),
    }
}

/// Both sides' text of one value, made comparable.
pub fn normalize(t: &LogicalType, s: Option<String>) -> Option<String> {
    let s = s?;
    Some(match t {
        LogicalType::Decimal { .. } => ferry_core::value::Decimal::parse(&s).map(|d| d.to_plain()).unwrap_or(s),
        LogicalType::Float => s.parse::<f64>().map(|f| format!("{:016x}", f.to_bits())).unwrap_or(s),
        LogicalType::Timestamp { .. } => ferry_core::value::parse_iso_timestamp(&s).map(|i| i.utc_text()).unwrap_or(s),
        LogicalType::Boolean => match s.as_str() {
            "t" | "true" | "1" => "1".into(),
            "f" | "false" | "0" => "0".into(),
            _ => s,
        },
        LogicalType::Json => serde_json::from_str::<J>(&s).map(|j| canonical_json(&j)).unwrap_or(s),
        _ => s,
    })
}

fn target_expr(kind: Kind, t: &LogicalType, col: &str) -> String {
    match (kind, t) {
        (Kind::Pg, LogicalType::Bytes) => format!("encode({col}, 'hex')"),
        (Kind::Pg, LogicalType::Boolean) => format!("CASE WHEN {col} THEN '1' WHEN NOT {col} THEN '0' END"),
        (Kind::Pg, LogicalType::Float) => format!("float8send({col})::text"),
        (Kind::Pg, _) => format!("{col}::text"),
        (Kind::My, LogicalType::Bytes) => format!("LOWER(HEX({col}))"),
        (Kind::My, LogicalType::Timestamp { .. }) => format!("DATE_FORMAT({col}, '%Y-%m-%d %H:%i:%s.%f')"),
        (Kind::My, LogicalType::Float) => format!("CAST({col} AS CHAR)"),
        (Kind::My, _) => format!("CAST({col} AS CHAR)"),
    }
}

/// PostgreSQL's float8send gives the 8 bytes; turn `\x3fb999…` into the bits' hex.
fn pg_float_bits(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim_start_matches("\\x").to_string())
}

pub async fn assert_same_rows(src: &Path, db: &TestDb, report: &J) {
    let dialect = if db.kind == Kind::Pg { Dialect::Postgres } else { Dialect::MariaDb };
    let schema = ferry_core::source::sqlite::read_source(src, true, 2).unwrap();
    let plan = ferry_core::plan::propose(&schema, "", dialect);
    let conn = rusqlite::Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    for tp in &plan.tables {
        let table = schema.table(&tp.source).unwrap();
        let tr = &report["tables"][&tp.source];
        assert!(!tr.is_null(), "table {} is in the report", tp.source);
        let rejected: Vec<J> = tr["rejected"].as_array().cloned().unwrap_or_default().into_iter().map(|r| r["row"].clone()).collect();
        let types: Vec<LogicalType> = tp.columns.iter().map(|c| dialect.parse_type(&c.target_type).unwrap()).collect();
        let generated: Vec<bool> = tp.columns.iter().map(|c| table.column(&c.source).unwrap().generated.is_some()).collect();
        // Source rows.
        // Rows are keyed as the report keys them: by the primary key the target got, else by rowid.
        let pk_dropped = report["warnings"].as_array().is_some_and(|w| w.iter().any(|w| w["table"] == tp.source.as_str() && w["object"] == "primary key"));
        let pk: Vec<String> = if pk_dropped { vec![] } else { table.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default() };
        let cols: Vec<String> = tp.columns.iter().map(|c| format!("\"{}\"", c.source.replace('"', "\"\""))).collect();
        let has_rowid = !table.without_rowid;
        let sql = format!("SELECT {}{} FROM \"{}\"", if has_rowid { "rowid, " } else { "" }, cols.join(", "), tp.source.replace('"', "\"\""));
        let mut stmt = conn.prepare(&sql).unwrap();
        let mut rows = stmt.query([]).unwrap();
        let off = usize::from(has_rowid);
        let mut want: Vec<Vec<Option<String>>> = vec![];
        'rows: while let Some(row) = rows.next().unwrap() {
            let mut key = serde_json::Map::new();
            if pk.is_empty() {
                if has_rowid {
                    key.insert("rowid".into(), J::from(row.get::<_, i64>(0).unwrap()));
                }
            } else {
                for c in &pk {
                    let i = tp.columns.iter().position(|x| x.source.eq_ignore_ascii_case(c)).unwrap();
                    key.insert(tp.columns[i].source.clone(), ferry_core::value::value_to_json(row.get_ref(i + off).unwrap()));
                }
            }
            let key = J::Object(key);
            let mut vals = vec![];
            for (i, t) in types.iter().enumerate() {
                let v: ValueRef = row.get_ref(i + off).unwrap();
                let mut p = Plain(None);
                if convert(v, t, dialect, &mut p).is_err() {
                    assert!(rejected.contains(&key) || (pk.is_empty() && !rejected.is_empty()), "{}: row {key} has a value the target refuses but the report does not name it", tp.source);
                    continue 'rows;
                }
                vals.push(if generated[i] { None } else { normalize(t, p.0) });
            }
            if rejected.contains(&key) {
                continue;
            }
            want.push(vals);
        }
        // Target rows.
        let exprs: Vec<String> = tp.columns.iter().zip(&types).map(|(c, t)| target_expr(db.kind, t, &db.q(&c.target))).collect();
        let tq = match db.kind {
            Kind::Pg => format!("\"public\".{}", db.q(&tp.target)),
            Kind::My => db.q(&tp.target),
        };
        let mut got: Vec<Vec<Option<String>>> = vec![];
        let sep = "\u{1}";
        let concat = match db.kind {
            Kind::Pg => format!("SELECT concat_ws('{sep}', {}) FROM {tq}", exprs.iter().map(|e| format!("coalesce('v' || {e}, 'n')")).collect::<Vec<_>>().join(", ")),
            Kind::My => format!("SELECT CONCAT_WS('{sep}', {}) FROM {tq}", exprs.iter().map(|e| format!("COALESCE(CONCAT('v', {e}), 'n')")).collect::<Vec<_>>().join(", ")),
        };
        for line in db.texts(&concat).await {
            let line = line.unwrap_or_default();
            let parts: Vec<Option<String>> = line.split(sep).map(|p| p.strip_prefix('v').map(String::from)).collect();
            let vals = parts
                .into_iter()
                .zip(&types)
                .enumerate()
                .map(|(i, (p, t))| {
                    if generated[i] {
                        return None;
                    }
                    if db.kind == Kind::Pg && *t == LogicalType::Float {
                        return pg_float_bits(p);
                    }
                    normalize(t, p)
                })
                .collect();
            got.push(vals);
        }
        want.sort();
        got.sort();
        assert_eq!(got.len(), want.len(), "{:?} table {}: row counts differ (target {}, source less rejected {})", db.kind, tp.source, got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            if g != w {
                let i = g.iter().zip(w).position(|(a, b)| a != b).unwrap();
                panic!("{:?} table {} column {}: target {:?} ≠ source {:?}", db.kind, tp.source, tp.columns[i].source, g[i].as_ref().map(|s| &s[..s.len().min(100)]), w[i].as_ref().map(|s| &s[..s.len().min(100)]));
            }
        }
        assert_eq!(tr["rows_written"].as_u64().unwrap(), got.len() as u64, "{}: rows_written in the report", tp.source);
        assert_eq!(tr["rows_read"].as_u64().unwrap(), table.row_count, "{}: rows_read in the report", tp.source);
    }
}
