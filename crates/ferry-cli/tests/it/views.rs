//! Views carried with SQLite's meaning: a SQLite file made here with views of each shape
//! (date and time modifiers of a column, a TEXT column compared with a number, an INTEGER
//! column compared with text, integer division and zero divisors, `||`, `iif`, `ifnull`,
//! `substr`, `instr`, `printf`, `group_concat`, a view read by a view defined before it, a
//! view that names its columns (`CREATE VIEW v(a, b) AS …`), `julianday` and `unixepoch`, a
//! UUID column's text and a boolean's sum) and
//! data at the edges (month ends, leap days, NULLs, zero divisors, the text '0' beside '00').
//! After `ferry migrate`, each view the target made returns SQLite's rows, compared as text;
//! each one it could not make is named in the report with the reason, and pre-flight names
//! the same ones first.

use crate::common::*;
use rusqlite::Connection;
use serde_json::Value as J;
use sqlx::Row;

const SCHEMA: &str = "
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT,
    born DATE,
    joined DATETIME,
    epoch INTEGER,
    flag TEXT,
    qty INTEGER,
    per INTEGER,
    price REAL,
    active BOOLEAN
);
INSERT INTO people VALUES
    (1, 'Ann',  '2000-01-31', '2024-01-31 10:20:30',     1700000000, '0',  7,  2,  1.5, 1),
    (2, 'Bob',  '2004-02-29', '2023-02-28 23:59:59',     0,          '1',  -7, 2,  2.25, 0),
    (3, 'Cyd',  '1999-12-31', '2024-02-29 00:00:00',     -86400,     '00', 5,  0,  NULL, 1),
    (4, NULL,   NULL,         NULL,                      NULL,       NULL, NULL, NULL, NULL, NULL),
    (5, 'Dee',  '2024-03-31', '2024-12-31 23:59:59',     951782400,  '0',  9,  -4, 0.5, 0),
    (6, 'Eve',  '2023-01-29', '2024-05-31 12:00:00.250', 1234567890, 'x',  0,  3,  3.0, 1),
    (7, 'Flo',  '2024-02-29', '2024-03-30 06:07:08',     86399,      '1',  10, 3,  7.0, 1),
    -- Fractions SQLite reads as doubles: capped at .999, half a millisecond rounded up.
    (8, 'Gus',  '1969-12-31', '1969-12-31 23:59:59.9996', -1,        NULL, 1,  1,  NULL, NULL),
    (9, 'Hal',  '1900-03-01', '2000-01-01 00:00:12.0005', -2208988800, NULL, 2, 1, NULL, NULL),
    (10, 'Ida', '1600-01-01', '1955-07-07 07:07:07.4445', 253402300799, NULL, 3, 1, NULL, NULL);
-- Defined before the view it reads, as SQLite allows.
CREATE VIEW a_reads_base AS SELECT id, adult FROM z_base WHERE id > 1;
CREATE VIEW v_dates AS SELECT id,
    date(born, '+18 years') AS adult,
    date(born, '+1 month') AS next_month,
    date(born, '-1 month') AS prev_month,
    date(born, '+1 year') AS next_year,
    datetime(joined, '+1 month') AS joined_next_month,
    datetime(joined, 'start of month', '+1 month', '-1 day') AS month_end,
    date(joined, 'start of year') AS year_start,
    date(joined, 'start of day', '+1 day') AS next_day,
    date(born, 'weekday 0') AS sunday,
    date(born, 'weekday 3') AS wednesday,
    datetime(epoch, 'unixepoch') AS from_epoch,
    datetime(epoch, 'unixepoch', 'start of month', '-3 months') AS epoch_quarter,
    datetime(joined, '+90 minutes', '-30 seconds') AS shifted,
    strftime('%Y/%m', born) AS ym,
    time(joined, '+2 hours') AS later
    FROM people;
CREATE VIEW v_flag AS SELECT id, name FROM people WHERE flag = 0;
CREATE VIEW v_flag_in AS SELECT id FROM people WHERE flag IN (0, 1);
CREATE VIEW v_active AS SELECT id, iif(active, 'on', 'off') AS state FROM people WHERE active = 1 OR active IS NULL OR NOT active;
CREATE VIEW v_qty_text AS SELECT id FROM people WHERE qty = '5' OR qty > '8';
CREATE VIEW v_div AS SELECT id, qty / per AS q, qty % per AS m, price / per AS p, qty / 2 AS half FROM people;
CREATE VIEW v_text AS SELECT id,
    name || ' #' || id AS label,
    iif(qty > 0, 'pos', 'not pos') AS sign,
    ifnull(name, '?') AS nm,
    substr(name, 2) AS tail,
    substr(name, 1, 2) AS head,
    instr(name, 'e') AS e_at,
    printf('%s has %d', name, qty) AS said,
    born || '' AS born_text
    FROM people;
CREATE VIEW v_group AS SELECT flag, group_concat(name, '; ') AS names FROM people WHERE id IN (1, 2, 3) GROUP BY flag;
CREATE VIEW v_local AS SELECT id, datetime(joined, 'localtime') AS here FROM people;
CREATE VIEW v_reads_local AS SELECT * FROM v_local;
-- The current time with month arithmetic (no row is near the boundary).
CREATE VIEW v_recent AS SELECT id FROM people WHERE born > date('now', '-26 years', '-1 month') AND joined < datetime('now', '+1 month');
-- A view of a view: its columns keep their types (flag compares as text, dbl divides as an integer).
CREATE VIEW v_of_v AS SELECT s.id, s.dbl / s.per AS r FROM v_src s WHERE s.flag = 0 OR s.flag = '1';
CREATE VIEW v_src AS SELECT *, qty * 2 AS dbl FROM people;
CREATE VIEW z_base AS SELECT id, date(born, '+18 years') AS adult FROM people;
-- Julian days and epoch seconds, to the bit: of dates, timestamps, day differences, 'now'.
CREATE VIEW v_julian AS SELECT id,
    julianday(joined) AS j,
    julianday(born) AS jb,
    julianday(joined) - julianday(born) AS age_days,
    unixepoch(joined) AS u,
    julianday(joined, '+1 month', '-30 seconds') AS jm,
    unixepoch(epoch, 'unixepoch', 'start of month') AS ue,
    julianday(epoch, 'unixepoch') AS je
    FROM people;
CREATE VIEW v_julian_now AS SELECT id FROM people WHERE julianday('now') - julianday(joined) > 30 AND unixepoch() > unixepoch(born, '+1 day');
-- A column of UUIDs (a uuid on PostgreSQL) read as SQLite's text, and a boolean summed.
CREATE TABLE accounts (id TEXT PRIMARY KEY, owner INTEGER, enabled BOOLEAN);
INSERT INTO accounts VALUES
    ('0b6a2f4e-9f5c-4d7e-8a1b-2c3d4e5f6a7b', 1, 1),
    ('f47ac10b-58cc-4372-a567-0e02b2c3d479', 2, 0),
    ('9c858901-8a57-4791-81fe-4c455b099bc9', 3, 1),
    ('16fd2706-8baf-433b-82eb-8c7fada847da', NULL, 0);
CREATE VIEW v_uuid AS SELECT upper(id) AS u, substr(id, 1, 8) AS head, length(id) AS n, id || '/' || owner AS path,
    ifnull(owner || '', id) AS who, replace(id, '-', '') AS hex, instr(id, '4') AS four
    FROM accounts WHERE id LIKE '%c%' OR enabled;
CREATE VIEW v_uuid_agg AS SELECT max(id) AS top, min(id) AS low, sum(enabled) AS on_count, max(enabled) AS any_on FROM accounts;
-- Names given by the view, not by the SELECT; read by a view defined before it, by those names.
CREATE VIEW a_reads_named AS SELECT who FROM v_named WHERE code = 0 AND twice > 5;
CREATE VIEW v_named (who, [born on], twice, code) AS SELECT name, born || '', qty * 2, flag FROM people;
";

/// The views every target makes.
const MADE: [&str; 18] = ["v_uuid", "v_uuid_agg", "v_julian", "v_julian_now", "a_reads_named", "v_named", "a_reads_base", "v_of_v", "v_src", "v_dates", "v_flag", "v_flag_in", "v_active", "v_qty_text", "v_div", "v_text", "v_recent", "z_base"];

/// A value as both sides are compared, in the form validate compares: numbers with a
/// fraction by their value (1.0 and 1 alike), booleans as 0/1, timestamps without the UTC
/// offset PostgreSQL prints and without trailing zeros in the fraction; the rest as text.
fn norm(v: Option<String>) -> Option<String> {
    v.map(|s| {
        let b = s.as_bytes();
        if s == "true" || s == "false" {
            (if s == "true" { "1" } else { "0" }).to_string()
        } else if b.len() >= 19 && b[4] == b'-' && b[10] == b' ' && b[13] == b':' {
            let t = s.strip_suffix("+00").unwrap_or(&s);
            if t.contains('.') { t.trim_end_matches('0').trim_end_matches('.').to_string() } else { t.to_string() }
        } else if s.contains('.') {
            s.parse::<f64>().map(|f| f.to_string()).unwrap_or(s)
        } else {
            s
        }
    })
}

fn sqlite_rows(src: &std::path::Path, view: &str) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let c = Connection::open(src).unwrap();
    let cols: Vec<String> = c.prepare(&format!("SELECT name FROM pragma_table_info('{view}')")).unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    let list = cols.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let mut st = c.prepare(&format!("SELECT {list} FROM \"{view}\"")).unwrap();
    // A real by its exact value (SQLite's own text of it keeps 15 digits).
    let text = |v: rusqlite::types::Value| match v {
        rusqlite::types::Value::Null => None,
        rusqlite::types::Value::Integer(n) => Some(n.to_string()),
        rusqlite::types::Value::Real(f) => Some(format!("{f:?}")),
        rusqlite::types::Value::Text(s) => Some(s),
        rusqlite::types::Value::Blob(b) => Some(format!("{b:?}")),
    };
    let mut rows: Vec<Vec<Option<String>>> = st.query_map([], |r| (0..cols.len()).map(|i| r.get::<_, rusqlite::types::Value>(i).map(text)).collect()).unwrap().map(Result::unwrap).collect();
    for r in &mut rows {
        for v in r.iter_mut() {
            *v = norm(v.take());
        }
    }
    rows.sort();
    (cols, rows)
}

async fn target_rows(db: &TestDb, view: &str, cols: &[String]) -> Result<Vec<Vec<Option<String>>>, String> {
    let cast = |c: &str| match db.kind {
        Kind::Pg => format!("CAST({} AS text)", db.q(c)),
        Kind::My => format!("CAST({} AS CHAR)", db.q(c)),
    };
    let sql = format!("SELECT {} FROM {}", cols.iter().map(|c| cast(c)).collect::<Vec<_>>().join(", "), db.q(view));
    let mut rows: Vec<Vec<Option<String>>> = match db.kind {
        Kind::Pg => {
            let mut c = db.pg().await;
            let got = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).fetch_all(&mut c).await.map_err(|e| format!("{sql}: {e}"))?;
            got.iter().map(|r| (0..cols.len()).map(|i| r.try_get::<Option<String>, _>(i).unwrap()).collect()).collect()
        }
        Kind::My => {
            let mut c = db.my().await;
            let got = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).fetch_all(&mut c).await.map_err(|e| format!("{sql}: {e}"))?;
            got.iter()
                .map(|r| {
                    (0..cols.len())
                        .map(|i| r.try_get::<Option<String>, _>(i).or_else(|_| r.try_get::<Option<Vec<u8>>, _>(i).map(|o| o.map(|b| String::from_utf8(b).unwrap()))).unwrap())
                        .collect()
                })
                .collect()
        }
    };
    for r in &mut rows {
        for v in r.iter_mut() {
            *v = norm(v.take());
        }
    }
    rows.sort();
    Ok(rows)
}

fn warning<'a>(rep: &'a J, view: &str) -> Option<&'a str> {
    rep["warnings"].as_array()?.iter().find(|w| w["object"] == format!("view {view}")).and_then(|w| w["reason"].as_str())
}

#[tokio::test]
async fn each_view_returns_sqlites_rows_or_is_named_with_its_reason() {
    let dir = Scratch::new();
    let src = dir.path("views.sqlite");
    Connection::open(&src).unwrap().execute_batch(SCHEMA).unwrap();
    // The edges the data is there for.
    let (_, flag) = sqlite_rows(&src, "v_flag");
    assert_eq!(flag.len(), 2, "'0' only, not '00': {flag:?}");
    for kind in Kind::all() {
        let db = TestDb::new(kind, "views").await;
        // Pre-flight's rehearsal makes the views in migrate's order and names the same ones.
        let pf = ferry(&["preflight", src.to_str().unwrap(), "--to", &db.url, "--json"]);
        let pf: J = serde_json::from_str(&pf.stdout).unwrap_or_else(|e| panic!("{kind:?}: preflight --json: {e}: {}{}", pf.stdout, pf.stderr));
        let mut named: Vec<&str> = pf["objects"].as_array().unwrap().iter().filter_map(|o| o["object"].as_str()).filter(|o| o.starts_with("view ")).collect();
        named.sort();
        let want: &[&str] = if kind == Kind::Pg { &["view v_local", "view v_reads_local"] } else { &["view v_group", "view v_local", "view v_reads_local"] };
        assert_eq!(named, want, "{kind:?}: {}", pf["objects"]);
        let (run, rep) = migrate(&src, &db, &[]);
        assert_eq!(run.code, 2, "{kind:?}: views left behind make exit 2: {}{}", run.stdout, run.stderr);
        let mut failures = Vec::new();
        let mut made = MADE.to_vec();
        if kind == Kind::Pg {
            made.push("v_group");
        }
        for view in &made {
            if let Some(why) = warning(&rep, view) {
                failures.push(format!("{view} not created: {why}"));
                continue;
            }
            let (cols, want) = sqlite_rows(&src, view);
            match target_rows(&db, view, &cols).await {
                Ok(got) if got == want => {}
                Ok(got) => failures.push(format!("{view}: rows differ\n  SQLite {want:?}\n  target {got:?}")),
                Err(e) => failures.push(format!("{view}: {e}")),
            }
        }
        assert!(failures.is_empty(), "{kind:?}:\n{}", failures.join("\n"));
        // What cannot be carried is named, with the reason.
        let local = warning(&rep, "v_local").unwrap_or_else(|| panic!("{kind:?}: v_local is reported: {}", rep["warnings"]));
        assert!(local.contains("'localtime'") && local.contains("time zone"), "{kind:?}: {local}");
        let reads = warning(&rep, "v_reads_local").unwrap_or_else(|| panic!("{kind:?}: v_reads_local is reported: {}", rep["warnings"]));
        assert!(reads.contains("v_local") && reads.contains("not created"), "{kind:?}: {reads}");
        if kind == Kind::My {
            let group = warning(&rep, "v_group").unwrap_or_else(|| panic!("v_group is reported: {}", rep["warnings"]));
            assert!(group.contains("group_concat_max_len"), "{group}");
        }
        let reported: Vec<&str> = rep["warnings"].as_array().unwrap().iter().filter_map(|w| w["object"].as_str()).filter(|o| o.starts_with("view ")).collect();
        assert_eq!(reported.len(), if kind == Kind::Pg { 2 } else { 3 }, "{kind:?}: {reported:?}");
    }
}

/// Epoch seconds the plan loads as timestamps (the `epoch_s` suggestion accepted): SQLite's
/// views read them with `'unixepoch'`, which the target's timestamp already is. Each view
/// returns SQLite's rows; one that uses the number itself is named, not carried as a near-miss.
#[tokio::test]
async fn epoch_seconds_loaded_as_timestamps_read_as_in_sqlite() {
    let dir = Scratch::new();
    let src = dir.path("epoch.sqlite");
    Connection::open(&src)
        .unwrap()
        .execute_batch(
            "CREATE TABLE ev (id INTEGER PRIMARY KEY, created INTEGER);
             INSERT INTO ev VALUES (1, 1700000000), (2, 1600000000), (3, 1234567890), (4, 1000000000), (5, 1709164799), (6, NULL);
             CREATE VIEW v_epoch AS SELECT e.id,
                 datetime(created, 'unixepoch') AS t,
                 date(e.created, 'unixepoch', 'start of month', '+1 month') AS next_month,
                 strftime('%Y/%m %H', created, 'unixepoch') AS ym,
                 julianday(created, 'unixepoch') AS j,
                 unixepoch(created, 'unixepoch', '+1 day') AS tomorrow
                 FROM ev e;
             CREATE VIEW v_number AS SELECT id FROM ev WHERE created > 1500000000;",
        )
        .unwrap();
    for kind in Kind::all() {
        let db = TestDb::new(kind, "views_epoch").await;
        let plan_path = dir.path("plan.toml");
        let run = ferry(&["plan", src.to_str().unwrap(), "--to", &db.url, "--out", plan_path.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let text = crate::infer::accept(&std::fs::read_to_string(&plan_path).unwrap(), "created");
        assert!(text.contains("transform = \"epoch_s\""), "{text}");
        std::fs::write(&plan_path, text).unwrap();
        let (run, rep) = migrate(&src, &db, &["--plan", plan_path.to_str().unwrap()]);
        assert!(run.code == 0 || run.code == 2, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert!(warning(&rep, "v_epoch").is_none(), "{kind:?}: {:?}", warning(&rep, "v_epoch"));
        let (cols, want) = sqlite_rows(&src, "v_epoch");
        assert_eq!(target_rows(&db, "v_epoch", &cols).await.unwrap(), want, "{kind:?}");
        // The number itself is a timestamp on the target: compared with a number, refused
        // (MariaDB would compare the DATETIME with 1500000000 and return other rows).
        let why = warning(&rep, "v_number").unwrap_or_else(|| panic!("{kind:?}: v_number is named: {}", rep["warnings"]));
        assert!(why.contains("epoch_s") && why.contains("'unixepoch'"), "{kind:?}: {why}");
    }
}
