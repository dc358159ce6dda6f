//! Types inferred from the values: `ferry plan` suggests them beside the safe type without
//! applying them; accepted in the plan file (by editing its TOML, as a person does), they
//! load on PostgreSQL and MariaDB with the meaning the source gives them — the expected
//! values are computed by SQLite itself — and a value a transform cannot read is rejected by
//! name, in pre-flight and in the run's report.

use crate::common::*;
use rusqlite::{params, Connection};
use serde_json::Value as J;

/// Rows with good values; row 13 holds the one value of `created_ms` that is not a number.
const GOOD: i64 = 12;
const STATUSES: [&str; 3] = ["new", "paid", "shipped"];

fn build_source(path: &std::path::Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            up_uuid TEXT,
            blob_uuid BLOB,
            created_s INTEGER,
            created_ms INTEGER,
            jd REAL,
            flag INTEGER,
            answer TEXT,
            price REAL,
            status TEXT,
            happened DATETIME
         );",
    )
    .unwrap();
    let formats = ["2024-03-05 14:22:01", "2024-03-05T14:22:01.123456", "2024-03-05T14:22:01+02:00"];
    for i in 1..=GOOD {
        let up = format!("{:08X}-ABCD-4EF0-8A{:02X}-{:012X}", 0xDEAD_0000u32 + i as u32, i, 0xBEEF_0000_0000u64 + i as u64);
        let mut blob = vec![0u8; 16];
        blob[0] = i as u8;
        blob[5] = 0xC3;
        blob[6] = 0x41; // version 4
        blob[8] = 0x9F; // variant 10xx
        blob[15] = 0xFE;
        let ms = 1_700_000_000_123 + (i - 1) * 86_400_001;
        conn.execute(
            "INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5, julianday(?6), ?7, ?8, ?9, ?10, ?11)",
            params![
                i,
                up,
                blob,
                1_600_000_000 + i * 3_601,
                ms,
                format!("2023-11-{:02} 22:13:20.{:03}", i, i * 37),
                i % 2,
                if i % 3 == 0 { "yes" } else { "no" },
                [19.99, 0.1, 1234.5, 7.0, 5.25, 99.95][(i % 6) as usize],
                STATUSES[(i % 3) as usize],
                formats[(i % 3) as usize],
            ],
        )
        .unwrap();
    }
    // Rows 13 to 20 repeat rows 1 to 8, except that row 13's created_ms is the word 'soon':
    // 19 of 20 values are epoch milliseconds, so the suggestion stands and counts one unfit.
    for i in GOOD + 1..=20 {
        conn.execute(
            "INSERT INTO events (id, up_uuid, blob_uuid, created_s, created_ms, jd, flag, answer, price, status, happened)
             SELECT ?1, up_uuid, blob_uuid, created_s, CASE WHEN ?1 = 13 THEN 'soon' ELSE created_ms END, jd, flag, answer, price, status, happened FROM events WHERE id = ?1 - 12",
            params![i],
        )
        .unwrap();
    }
}

/// The plan's column `name` with its suggestion accepted, by editing the TOML text: the
/// suggestion's `type` and `transform` replace the column's, the suggestion block goes.
pub(crate) fn accept(toml: &str, name: &str) -> String {
    let lines: Vec<&str> = toml.lines().collect();
    let start = lines.iter().position(|l| *l == format!("source = \"{name}\"")).unwrap_or_else(|| panic!("column {name} in the plan"));
    let sugg = start + lines[start..].iter().position(|l| *l == "[tables.columns.suggestion]").unwrap();
    let end = sugg + 1 + lines[sugg + 1..].iter().position(|l| l.is_empty() || l.starts_with('[')).unwrap_or(lines.len() - sugg - 1);
    let field = |key: &str| lines[sugg + 1..end].iter().find_map(|l| l.strip_prefix(&format!("{key} = "))).map(str::to_string);
    let ty = field("type").unwrap();
    let mut out: Vec<String> = vec![];
    for (i, l) in lines.iter().enumerate() {
        if (sugg..end).contains(&i) {
            continue;
        }
        if i > start && i < sugg && l.starts_with("type = ") {
            out.push(format!("type = {ty}"));
            if let Some(tr) = field("transform") {
                out.push(format!("transform = {tr}"));
            }
            continue;
        }
        out.push(l.to_string());
    }
    out.join("\n") + "\n"
}

fn plan(src: &std::path::Path, url: &str, out: &std::path::Path) -> ferry_core::plan::Plan {
    let run = ferry(&["plan", src.to_str().unwrap(), "--to", url, "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("↳ suggested"), "suggestions are printed under their columns:\n{}", run.stdout);
    ferry_core::plan::Plan::load(out).unwrap()
}

#[test]
fn plan_suggests_without_applying() {
    let dir = Scratch::new();
    let src = dir.path("infer.sqlite");
    build_source(&src);
    for (url, safe, suggested) in [
        (
            "postgres://u@h/db",
            ["text", "bytea", "bigint", "text", "double precision", "bigint", "text", "double precision", "text", "timestamptz"],
            ["uuid", "uuid", "timestamptz", "timestamptz", "timestamptz", "boolean", "boolean", "numeric(12,2)", "text", ""],
        ),
        (
            "mariadb://u@h/db",
            ["longtext", "longblob", "bigint", "longtext", "double", "bigint", "longtext", "double", "longtext", "datetime(6)"],
            ["char(36)", "char(36)", "datetime(6)", "datetime(6)", "datetime(6)", "tinyint(1)", "tinyint(1)", "decimal(12,2)", "longtext", ""],
        ),
    ] {
        let p = plan(&src, url, &dir.path("plan.toml"));
        let cols = &p.tables[0].columns;
        let transforms = ["uuid_text", "uuid_blob", "epoch_s", "epoch_ms", "julian_day", "bool_01", "bool_text", "decimal_exact", "", ""];
        for (i, c) in cols.iter().skip(1).enumerate() {
            assert_eq!(c.target_type, safe[i], "{url} {}: the safe type stays ({})", c.source, c.reason);
            assert_eq!(c.transform, None, "{url} {}", c.source);
            let s = c.suggestion.as_ref();
            assert_eq!(s.map(|s| s.target_type.as_str()).unwrap_or(""), suggested[i], "{url} {}: {:?}", c.source, s);
            assert_eq!(s.and_then(|s| s.transform).map(|t| t.name()).unwrap_or(""), transforms[i], "{url} {}", c.source);
            assert_eq!(s.map(|s| s.unfit).unwrap_or(0), if c.source == "created_ms" { 1 } else { 0 }, "{url} {}: {s:?}", c.source);
        }
        let by = |n: &str| cols.iter().find(|c| c.source == n).unwrap();
        let status = by("status").suggestion.as_ref().unwrap();
        assert_eq!(status.values, STATUSES, "the enum candidate lists its values");
        assert!(by("price").suggestion.as_ref().unwrap().reason.contains("at most 2 decimals, used as money"));
        assert!(by("created_ms").suggestion.as_ref().unwrap().reason.starts_with("19 of 20 values are integers"), "{:?}", by("created_ms").suggestion);
        assert!(by("flag").suggestion.as_ref().unwrap().reason.contains("0 and 1 only"));
        assert!(by("happened").reason.contains("name an offset"), "{}", by("happened").reason);
    }
}

#[tokio::test]
async fn accepted_suggestions_load_with_their_meaning_pg() {
    accepted_suggestions(Kind::Pg).await;
}

#[tokio::test]
async fn accepted_suggestions_load_with_their_meaning_mariadb() {
    accepted_suggestions(Kind::My).await;
}

async fn accepted_suggestions(kind: Kind) {
    let dir = Scratch::new();
    let src = dir.path("infer.sqlite");
    build_source(&src);
    let db = TestDb::new(kind, "infer").await;
    let plan_path = dir.path("plan.toml");
    let proposed = plan(&src, &db.url, &plan_path);
    let mut text = std::fs::read_to_string(&plan_path).unwrap();
    for c in ["up_uuid", "blob_uuid", "created_s", "created_ms", "jd", "flag", "answer", "price"] {
        text = accept(&text, c);
    }
    std::fs::write(&plan_path, &text).unwrap();
    let edited = ferry_core::plan::Plan::load(&plan_path).unwrap();
    let ms = edited.tables[0].columns.iter().find(|c| c.source == "created_ms").unwrap();
    assert_eq!(ms.transform.map(|t| t.name()), Some("epoch_ms"), "{text}");
    assert_ne!(edited, proposed);

    // The data moves on after planning: values the transforms cannot read.
    let conn = Connection::open(&src).unwrap();
    conn.execute_batch(
        "INSERT INTO events (id, flag) VALUES (101, 2);
         INSERT INTO events (id, answer) VALUES (102, 'maybe');
         INSERT INTO events (id, price) VALUES (103, 0.125);
         INSERT INTO events (id, blob_uuid) VALUES (104, x'0102');
         INSERT INTO events (id, jd) VALUES (105, 'when');",
    )
    .unwrap();
    drop(conn);
    let bad = [(13, "created_ms", "epoch_ms"), (101, "flag", "bool_01"), (102, "answer", "bool_text"), (103, "price", "decimal_exact"), (104, "blob_uuid", "uuid_blob"), (105, "jd", "julian_day")];

    // Pre-flight finds them, without writing.
    let pf = ferry(&["preflight", src.to_str().unwrap(), "--to", &db.url, "--plan", plan_path.to_str().unwrap(), "--json"]);
    assert_eq!(pf.code, 2, "{}\n{}", pf.stdout, pf.stderr);
    let pf: J = serde_json::from_str(&pf.stdout).unwrap();
    for (_, col, tr) in bad {
        let g = pf["groups"].as_array().unwrap().iter().find(|g| g["column"] == col).unwrap_or_else(|| panic!("pre-flight names {col}: {pf}"));
        assert!(g["cause"].as_str().unwrap().contains(tr), "{g}");
        assert_eq!(g["outcome"], "rejected", "{g}");
    }

    let before = sha256(&src);
    let (run, rep) = migrate(&src, &db, &["--plan", plan_path.to_str().unwrap()]);
    assert_eq!(sha256(&src), before, "the source is never written");
    assert_eq!(run.code, 2, "rejections make exit status 2\n{}\n{}", run.stdout, run.stderr);
    let rejected = rep["tables"]["events"]["rejected"].as_array().unwrap().clone();
    for (id, col, tr) in bad {
        let r = rejected.iter().find(|r| r["row"]["id"] == id).unwrap_or_else(|| panic!("{kind:?}: row {id} in the report: {rejected:?}"));
        assert_eq!(r["column"], J::from(col), "{r}");
        assert!(r["reason"].as_str().unwrap().contains(tr), "{r}");
        assert!(!r["value"].is_null(), "{r}");
    }
    assert_eq!(rejected.len(), bad.len(), "{rejected:?}");

    // Every loaded value means what it meant in SQLite; SQLite computes the expectation.
    let conn = Connection::open_with_flags(&src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let ts = |c: &str| match kind {
        Kind::Pg => format!("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')"),
        Kind::My => format!("LEFT(DATE_FORMAT({c}, '%Y-%m-%d %H:%i:%s.%f'), 23)"),
    };
    let b = |c: &str| match kind {
        Kind::Pg => format!("CASE WHEN {c} THEN '1' ELSE '0' END"),
        Kind::My => format!("CAST({c} AS CHAR)"),
    };
    let txt = |c: &str| match kind {
        Kind::Pg => format!("CAST({c} AS text)"),
        Kind::My => format!("CAST({c} AS CHAR)"),
    };
    let checks: Vec<(&str, String, &str)> = vec![
        ("up_uuid", txt("up_uuid"), "lower(up_uuid)"),
        ("blob_uuid", txt("blob_uuid"), "lower(substr(hex(blob_uuid),1,8)||'-'||substr(hex(blob_uuid),9,4)||'-'||substr(hex(blob_uuid),13,4)||'-'||substr(hex(blob_uuid),17,4)||'-'||substr(hex(blob_uuid),21))"),
        ("created_s", ts("created_s"), "strftime('%Y-%m-%d %H:%M:%f', created_s, 'unixepoch')"),
        ("created_ms", ts("created_ms"), "strftime('%Y-%m-%d %H:%M:%S', created_ms / 1000, 'unixepoch') || printf('.%03d', created_ms % 1000)"),
        ("jd", ts("jd"), "strftime('%Y-%m-%d %H:%M:%f', jd)"),
        ("flag", b("flag"), "CAST(flag AS TEXT)"),
        ("answer", b("answer"), "CASE answer WHEN 'yes' THEN '1' ELSE '0' END"),
        ("price", txt("price"), "printf('%.2f', price)"),
        ("status", txt("status"), "status"),
        ("happened", ts("happened"), "strftime('%Y-%m-%d %H:%M:%f', happened)"),
    ];
    let ids = "id <= 20 AND id <> 13";
    for (col, target_expr, sqlite_expr) in checks {
        let got = db.texts(&format!("SELECT {target_expr} FROM events WHERE {ids} ORDER BY id")).await;
        let mut stmt = conn.prepare(&format!("SELECT {sqlite_expr} FROM events WHERE {ids} ORDER BY id")).unwrap();
        let want: Vec<Option<String>> = stmt.query_map([], |r| r.get::<_, Option<String>>(0)).unwrap().map(Result::unwrap).collect();
        assert_eq!(want.len(), 19);
        assert_eq!(got, want, "{kind:?} column {col}");
    }
    // The example the issue gives, spelled out.
    let first = db.texts(&format!("SELECT {} FROM events WHERE id = 1", ts("created_ms"))).await;
    assert_eq!(first, [Some("2023-11-14 22:13:20.123".to_string())]);

    // Validation reads the source through the same transforms: everything loaded matches.
    let report = dir.path("run.json");
    std::fs::copy(src.with_extension(format!("{}.report.json", db.name)), &report).unwrap();
    let v = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url, "--plan", plan_path.to_str().unwrap(), "--run-report", report.to_str().unwrap()]);
    assert_eq!(v.code, 0, "{kind:?}: validate\n{}\n{}", v.stdout, v.stderr);
}
