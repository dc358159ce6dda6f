//! Against the real servers: the translated SQL must be accepted, defaults must store what
//! SQLite would have stored, CHECKs must refuse what SQLite refused, and expressions must
//! evaluate to what SQLite evaluates them to (compared value by value with an in-memory SQLite).
//! PostgreSQL from `FERRY_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`),
//! MariaDB/MySQL from `FERRY_TEST_MYSQL_URL` (default `mysql://root@127.0.0.1:3306`). Each test
//! makes its own database and drops it at the end, also when a check fails.

use super::*;
use super::literals::hex_encode;
use sqlx::{AssertSqlSafe, Connection, Row};
use LogicalType as L;

fn pg_url() -> String {
    std::env::var("FERRY_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}
fn my_url() -> String {
    std::env::var("FERRY_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}
fn db_name(tag: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("ferry_sqlexpr_{tag}_{}_{nanos}", std::process::id())
}
fn with_db(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).expect("database URL");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

enum Conn {
    Pg(sqlx::PgConnection),
    My(sqlx::MySqlConnection),
}

impl Conn {
    async fn exec(&mut self, sql: &str) -> Result<(), String> {
        let r = match self {
            Conn::Pg(c) => sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(c).await.map(|_| ()),
            Conn::My(c) => sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(c).await.map(|_| ()),
        };
        r.map_err(|e| format!("{e}\n  in: {sql}"))
    }
    /// Every column of every row, as text.
    async fn rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
        let err = |e: sqlx::Error| format!("{e}\n  in: {sql}");
        match self {
            Conn::Pg(c) => {
                let rows = sqlx::query(AssertSqlSafe(sql.to_string())).fetch_all(c).await.map_err(err)?;
                rows.iter().map(|r| (0..r.len()).map(|i| pg_text(r, i).ok_or_else(|| format!("column {i} has a type the test cannot read\n  in: {sql}"))).collect()).collect()
            }
            Conn::My(c) => {
                let rows = sqlx::query(AssertSqlSafe(sql.to_string())).fetch_all(c).await.map_err(err)?;
                rows.iter().map(|r| (0..r.len()).map(|i| my_text(r, i).ok_or_else(|| format!("column {i} has a type the test cannot read\n  in: {sql}"))).collect()).collect()
            }
        }
    }
    async fn close(self) {
        let _ = match self {
            Conn::Pg(c) => c.close().await,
            Conn::My(c) => c.close().await,
        };
    }
}

fn pg_text(r: &sqlx::postgres::PgRow, i: usize) -> Option<Option<String>> {
    r.try_get::<Option<String>, _>(i).ok()
        .or_else(|| r.try_get::<Option<i64>, _>(i).ok().map(|v| v.map(|x| x.to_string())))
        .or_else(|| r.try_get::<Option<i32>, _>(i).ok().map(|v| v.map(|x| x.to_string())))
        .or_else(|| r.try_get::<Option<i16>, _>(i).ok().map(|v| v.map(|x| x.to_string())))
        .or_else(|| r.try_get::<Option<f64>, _>(i).ok().map(|v| v.map(|x| x.to_string())))
        .or_else(|| r.try_get::<Option<bool>, _>(i).ok().map(|v| v.map(|x| x.to_string())))
}

fn my_text(r: &sqlx::mysql::MySqlRow, i: usize) -> Option<Option<String>> {
    r.try_get::<Option<Vec<u8>>, _>(i).ok().map(|v| v.map(|b| String::from_utf8_lossy(&b).into_owned()))
        .or_else(|| r.try_get::<Option<i64>, _>(i).ok().map(|v| v.map(|x| x.to_string())))
        .or_else(|| r.try_get::<Option<u64>, _>(i).ok().map(|v| v.map(|x| x.to_string())))
        .or_else(|| r.try_get::<Option<f64>, _>(i).ok().map(|v| v.map(|x| x.to_string())))
        .or_else(|| r.try_get::<Option<i32>, _>(i).ok().map(|v| v.map(|x| x.to_string())))
        .or_else(|| r.try_get::<Option<i8>, _>(i).ok().map(|v| v.map(|x| x.to_string())))
}

/// Runs `body` in a fresh database of the dialect's server, then drops the database.
async fn in_fresh_db<F>(dialect: Dialect, tag: &str, body: F)
where
    F: for<'c> FnOnce(&'c mut Conn) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<String>> + 'c>>,
{
    let db = db_name(tag);
    let pg = dialect == Dialect::Postgres;
    let admin_url = if pg { pg_url() } else { my_url() };
    let mut admin = if pg {
        Conn::Pg(sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| panic!("PostgreSQL at {admin_url}: {e}")))
    } else {
        Conn::My(sqlx::MySqlConnection::connect(&admin_url).await.unwrap_or_else(|e| panic!("MySQL/MariaDB at {admin_url}: {e}")))
    };
    let create = if pg {
        format!("CREATE DATABASE {}", quote_ident(&db, dialect))
    } else {
        format!("CREATE DATABASE {} CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin", quote_ident(&db, dialect))
    };
    admin.exec(&create).await.expect("create the test database");
    let url = with_db(&admin_url, &db);
    let conn = if pg { sqlx::PgConnection::connect(&url).await.map(Conn::Pg) } else { sqlx::MySqlConnection::connect(&url).await.map(Conn::My) };
    let failures = match conn {
        Ok(mut conn) => {
            let setup = if pg {
                "SET TIME ZONE 'UTC'".to_string()
            } else {
                "SET SESSION sql_mode='STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'; SET time_zone='+00:00'; SET NAMES utf8mb4 COLLATE utf8mb4_nopad_bin".to_string()
            };
            let f = match conn.exec(&setup).await {
                Ok(()) => body(&mut conn).await,
                Err(e) => vec![e],
            };
            conn.close().await;
            f
        }
        Err(e) => vec![format!("connect to {url}: {e}")],
    };
    let drop = if pg {
        format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&db, dialect))
    } else {
        format!("DROP DATABASE IF EXISTS {}", quote_ident(&db, dialect))
    };
    let dropped = admin.exec(&drop).await;
    admin.close().await;
    assert!(failures.is_empty(), "{dialect:?}:\n{}", failures.join("\n"));
    dropped.expect("drop the test database");
}

/// What a default must read back as.
#[derive(Clone, Copy)]
enum Want {
    /// Exactly this text (PostgreSQL, MySQL/MariaDB).
    Exact(&'static str, &'static str),
    /// The current UTC time, in this chrono format, ending with this text (precision).
    Now(&'static str, &'static str),
    /// Today's UTC date.
    Today,
    /// `n` days before today, at midnight, as `YYYY-MM-DD HH:MM:SS`.
    DaysAgoMidnight(i64),
}

struct Col {
    name: &'static str,
    ty: L,
    sqlite_default: Option<&'static str>,
    want: Option<Want>,
}

fn col(name: &'static str, ty: L, dflt: &'static str, want: Want) -> Col {
    Col { name, ty, sqlite_default: Some(dflt), want: Some(want) }
}

/// The target type, as `dialect::{postgres,mysql}::types` format it.
fn type_sql(d: Dialect, t: &L) -> String {
    let pg = d == Dialect::Postgres;
    match t {
        L::Integer { bits } if *bits <= 32 => if pg { "integer" } else { "int" }.into(),
        L::Integer { .. } => "bigint".into(),
        L::Decimal { precision: Some(p), scale } => format!("{}({p},{})", if pg { "numeric" } else { "decimal" }, scale.unwrap_or(0)),
        L::Decimal { .. } => if pg { "numeric" } else { "decimal(65,30)" }.into(),
        L::Float => if pg { "double precision" } else { "double" }.into(),
        L::Boolean => if pg { "boolean" } else { "tinyint(1)" }.into(),
        L::Text { max: Some(n) } => format!("varchar({n})"),
        L::Text { max: None } => if pg { "text" } else { "longtext" }.into(),
        L::Bytes => if pg { "bytea" } else { "longblob" }.into(),
        L::Uuid => if pg { "uuid" } else { "char(36)" }.into(),
        L::Date => "date".into(),
        L::Timestamp { tz } => if !pg { "datetime(6)" } else if *tz { "timestamptz" } else { "timestamp" }.into(),
        L::Json => if pg { "jsonb" } else { "json" }.into(),
        L::Unsupported { .. } => "text".into(),
    }
}

/// A column read back as text in a canonical form.
fn read_sql(d: Dialect, name: &str, t: &L) -> String {
    let q = quote_ident(name, d);
    match (d == Dialect::Postgres, t) {
        (true, L::Bytes) => format!("encode({q}, 'hex')"),
        (false, L::Bytes) => format!("LOWER(HEX({q}))"),
        (true, L::Timestamp { tz: true }) => format!("to_char({q} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"),
        (true, L::Timestamp { tz: false }) => format!("to_char({q}, 'YYYY-MM-DD HH24:MI:SS.US')"),
        (false, L::Timestamp { .. }) => format!("DATE_FORMAT({q}, '%Y-%m-%d %H:%i:%s.%f')"),
        (true, _) => format!("CAST({q} AS text)"),
        (false, _) => format!("CAST({q} AS CHAR)"),
    }
}

fn columns_under_test() -> Vec<Col> {
    use Want::*;
    let text = L::Text { max: None };
    vec![
        Col { name: "id", ty: L::Integer { bits: 64 }, sqlite_default: None, want: None },
        col("qty", L::Integer { bits: 64 }, "0", Exact("0", "0")),
        col("neg", L::Integer { bits: 32 }, "-1", Exact("-1", "-1")),
        col("hexint", L::Integer { bits: 64 }, "0x10", Exact("16", "16")),
        col("ratio", L::Float, "-1.5", Exact("-1.5", "-1.5")),
        col("price", L::Decimal { precision: Some(10), scale: Some(2) }, "'1.25'", Exact("1.25", "1.25")),
        col("active", L::Boolean, "TRUE", Exact("true", "1")),
        col("flag", L::Boolean, "'f'", Exact("false", "0")),
        col("name", text.clone(), "'it''s'", Exact("it's", "it's")),
        col("quoted", L::Text { max: Some(20) }, "'\"0\"'", Exact("\"0\"", "\"0\"")),
        col("empty", text.clone(), "\"\"", Exact("", "")),
        col("num_txt", text.clone(), "1.5", Exact("1.5", "1.5")),
        col("created", L::Timestamp { tz: true }, "CURRENT_TIMESTAMP", Now("%Y-%m-%d %H:%M:%S%.6f", ".000000")),
        col("seen", L::Timestamp { tz: false }, "(datetime('now'))", Now("%Y-%m-%d %H:%M:%S%.6f", ".000000")),
        col("precise", L::Timestamp { tz: true }, "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))", Now("%Y-%m-%d %H:%M:%S%.6f", "000")),
        col("created_txt", text.clone(), "CURRENT_TIMESTAMP", Now("%Y-%m-%d %H:%M:%S", "")),
        col("iso_txt", text.clone(), "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))", Now("%Y-%m-%dT%H:%M:%S%.3fZ", "Z")),
        col("day", L::Date, "current_date", Today),
        col("day_txt", text.clone(), "(date('now'))", Today),
        // The test sessions run in UTC, so local time is UTC here.
        col("local_ts", L::Timestamp { tz: false }, "DATETIME('now','localtime')", Now("%Y-%m-%d %H:%M:%S%.6f", ".000000")),
        col("week_txt", text.clone(), "(datetime('now','start of day','-7 days'))", DaysAgoMidnight(7)),
        col("blob", L::Bytes, "X'00ff'", Exact("00ff", "00ff")),
        col("data", L::Json, "'{}'", Exact("{}", "{}")),
        col("fixed", L::Timestamp { tz: true }, "'2020-01-01 10:00:00'", Exact("2020-01-01 10:00:00.000000", "2020-01-01 10:00:00.000000")),
        col("fixed2", L::Timestamp { tz: false }, "'2020-01-01T10:00:00+02:00'", Exact("2020-01-01 08:00:00.000000", "2020-01-01 08:00:00.000000")),
        col("uid", L::Uuid, "'0b6a2f4e-9f5c-4d7e-8a1b-2c3d4e5f6a7b'", Exact("0b6a2f4e-9f5c-4d7e-8a1b-2c3d4e5f6a7b", "0b6a2f4e-9f5c-4d7e-8a1b-2c3d4e5f6a7b")),
        col("d", L::Date, "'2020-02-29'", Exact("2020-02-29", "2020-02-29")),
    ]
}

fn check_want(d: Dialect, name: &str, want: Want, got: Option<&str>, failures: &mut Vec<String>) {
    let pg = d == Dialect::Postgres;
    let Some(got) = got else {
        failures.push(format!("{name}: read back NULL"));
        return;
    };
    let now = chrono::Utc::now().naive_utc();
    let ok = match want {
        Want::Exact(p, m) => got == if pg { p } else { m },
        Want::Now(fmt, suffix) => {
            got.ends_with(suffix)
                && chrono::NaiveDateTime::parse_from_str(got, fmt).is_ok_and(|t| (t - now).num_seconds().abs() < 120)
        }
        Want::Today => chrono::NaiveDate::parse_from_str(got, "%Y-%m-%d").is_ok_and(|t| (t - now.date()).num_days().abs() <= 1) && got.len() == 10,
        Want::DaysAgoMidnight(n) => {
            let want = (now.date() - chrono::Duration::days(n)).format("%Y-%m-%d 00:00:00").to_string();
            let before = (now.date() - chrono::Duration::days(n + 1)).format("%Y-%m-%d 00:00:00").to_string();
            got == want || got == before
        }
    };
    if !ok {
        failures.push(format!("{name}: read back {got:?}, wanted {}", match want {
            Want::Exact(p, m) => (if pg { p } else { m }).to_string(),
            Want::Now(f, s) => format!("now in {f} ending {s:?}"),
            Want::Today => "today".into(),
            Want::DaysAgoMidnight(n) => format!("{n} days ago at midnight"),
        }));
    }
}

/// Defaults, CHECKs, partial and expression indexes, generated columns.
async fn schema_objects(conn: &mut Conn, d: Dialect) -> Vec<String> {
    let mut failures = vec![];
    let pg = d == Dialect::Postgres;
    let cols = columns_under_test();
    let map: HashMap<String, (String, LogicalType)> = cols.iter().map(|c| (c.name.to_string(), (c.name.to_string(), c.ty.clone()))).collect();
    let ctx = ExprContext { dialect: d, columns: &map };
    let q = |s: &str| quote_ident(s, d);
    // Defaults translated for MySQL are also valid on MariaDB: create that table too.
    let flavours: &[Dialect] = if pg { &[Dialect::Postgres] } else { &[Dialect::MariaDb, Dialect::MySql] };
    for (ti, flavour) in flavours.iter().enumerate() {
        let table = format!("t{ti}");
        let mut defs = vec![];
        for c in &cols {
            let mut def = format!("{} {}", q(c.name), type_sql(d, &c.ty));
            if c.name == "id" {
                def.push_str(" PRIMARY KEY");
            }
            if let Some(dflt) = c.sqlite_default {
                match translate_default(dflt, &c.ty, *flavour) {
                    Ok(Some(sql)) => def.push_str(&format!(" DEFAULT {sql}")),
                    Ok(None) => {}
                    Err(e) => failures.push(format!("{flavour:?} DEFAULT {dflt}: {e}")),
                }
            }
            defs.push(def);
        }
        // Generated column.
        match translate_expr("name || '-' || qty", &ctx) {
            Ok(sql) => defs.push(if pg { format!("{} text GENERATED ALWAYS AS ({sql}) STORED", q("label")) } else { format!("{} varchar(200) AS ({sql}) STORED", q("label")) }),
            Err(e) => failures.push(e),
        }
        // CHECKs.
        let checks = [
            "qty >= 0",
            "active IN (0,1)",
            "length(name) <= 50",
            "typeof(qty) = 'integer'",
            "json_valid(data)",
            "created > '2000-01-01'",
            "name NOT LIKE '%forbidden%'",
            "CASE WHEN qty > 100 THEN 0 ELSE 1 END = 1",
            "ratio / 2 < 1000",
            "quoted IS NOT NULL AND quoted <> 'bad'",
            "flag = 0 OR active",
        ];
        for (i, c) in checks.iter().enumerate() {
            match translate_expr(c, &ctx) {
                Ok(sql) => defs.push(format!("CONSTRAINT {} CHECK ({sql})", q(&format!("{table}_chk{i}")))),
                Err(e) => failures.push(e),
            }
        }
        let tail = if pg { String::new() } else { " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin".into() };
        let create = format!("CREATE TABLE {} (\n  {}\n){tail}", q(&table), defs.join(",\n  "));
        if let Err(e) = conn.exec(&create).await {
            failures.push(format!("{flavour:?} CREATE TABLE refused: {e}"));
            continue;
        }
        // A row relying on every default.
        if let Err(e) = conn.exec(&format!("INSERT INTO {} ({}) VALUES (1)", q(&table), q("id"))).await {
            failures.push(format!("{flavour:?} insert with defaults: {e}"));
            continue;
        }
        let reads: Vec<String> = cols.iter().filter(|c| c.want.is_some()).map(|c| read_sql(d, c.name, &c.ty)).collect();
        match conn.rows(&format!("SELECT {}, {} FROM {} WHERE {} = 1", reads.join(", "), read_sql(d, "label", &L::Text { max: None }), q(&table), q("id"))).await {
            Ok(rows) => {
                let row = &rows[0];
                for (c, got) in cols.iter().filter(|c| c.want.is_some()).zip(row) {
                    check_want(d, &format!("{flavour:?} {}", c.name), c.want.unwrap(), got.as_deref(), &mut failures);
                }
                if row.last().unwrap().as_deref() != Some("it's-0") {
                    failures.push(format!("generated label read back {:?}", row.last()));
                }
            }
            Err(e) => failures.push(e),
        }
        // Another session time zone must not shift what is stored as UTC.
        let tz = if pg { "SET TIME ZONE 'Asia/Kolkata'" } else { "SET time_zone = '+05:30'" };
        let back = if pg { "SET TIME ZONE 'UTC'" } else { "SET time_zone = '+00:00'" };
        if let Err(e) = conn.exec(tz).await {
            failures.push(e);
        } else {
            let r = conn.exec(&format!("INSERT INTO {} ({}) VALUES (2)", q(&table), q("id"))).await;
            let _ = conn.exec(back).await;
            match r {
                Err(e) => failures.push(format!("insert at +05:30: {e}")),
                Ok(()) => {
                    let names = ["created", "seen", "precise", "created_txt", "iso_txt", "fixed", "fixed2"];
                    let sel: Vec<String> = names.iter().map(|n| read_sql(d, n, &map[*n].1)).collect();
                    match conn.rows(&format!("SELECT {} FROM {} WHERE {} = 2", sel.join(", "), q(&table), q("id"))).await {
                        Ok(rows) => {
                            for (n, got) in names.iter().zip(&rows[0]) {
                                let want = cols.iter().find(|c| c.name == *n).unwrap().want.unwrap();
                                check_want(d, &format!("{flavour:?} {n} (session at +05:30)"), want, got.as_deref(), &mut failures);
                            }
                        }
                        Err(e) => failures.push(e),
                    }
                }
            }
        }
        // Rows SQLite's CHECKs refuse must be refused; a good row must pass.
        let good = format!("INSERT INTO {} ({}, {}, {}) VALUES (3, 5, 'fine')", q(&table), q("id"), q("qty"), q("name"));
        if let Err(e) = conn.exec(&good).await {
            failures.push(format!("{flavour:?} a good row was refused: {e}"));
        }
        let bad = [
            (q("qty"), "-1"),
            (q("name"), "'a FORBIDDEN word'"),
            (q("name"), "'forbidden'"),
            (q("qty"), "101"),
            (q("ratio"), "5000"),
            (q("quoted"), "'bad'"),
            (q("created"), "'1999-12-31 23:59:59'"),
            (q("flag"), if pg { "true" } else { "1" }),
        ];
        for (i, (c, v)) in bad.iter().enumerate() {
            // flag = 1 needs active = 0 to break `flag = 0 OR active`.
            let extra = if c.contains("flag") { format!(", {}", q("active")) } else { String::new() };
            let extra_v = if c.contains("flag") { if pg { ", false" } else { ", 0" } } else { "" };
            let sql = format!("INSERT INTO {} ({}, {c}{extra}) VALUES ({}, {v}{extra_v})", q(&table), q("id"), 100 + i);
            if conn.exec(&sql).await.is_ok() {
                failures.push(format!("{flavour:?} a CHECK let this row in: {sql}"));
            }
        }
        // A name that is fine in SQLite (LIKE without wildcards in the value).
        let ok2 = format!("INSERT INTO {} ({}, {}) VALUES (4, 'for_bidden')", q(&table), q("id"), q("name"));
        if let Err(e) = conn.exec(&ok2).await {
            failures.push(format!("{flavour:?} 'for_bidden' was refused: {e}"));
        }
    }
    let t0 = q("t0");
    // Partial indexes (PostgreSQL; MariaDB has none) and expression indexes (PostgreSQL and
    // MySQL 8; MariaDB has none). On MariaDB the predicates and expressions are checked in
    // a query instead.
    let predicates = ["active = 1 AND qty > 0", "name IS NOT NULL", "created > '2020-01-01'", "typeof(name) = 'text'", "name LIKE 'a%'"];
    let exprs = ["lower(name)", "substr(name, 1, 3)", "qty * 2", "coalesce(name, '')", "CAST(qty AS TEXT)", "name || '-' || qty", "date(created)", "length(name)", "abs(qty)", "seen > created"];
    for (i, p) in predicates.iter().enumerate() {
        let sql = match translate_expr(p, &ctx) {
            Ok(s) => s,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let stmt = if pg {
            format!("CREATE INDEX {} ON {t0} ({}) WHERE {sql}", q(&format!("p{i}")), q("name"))
        } else {
            format!("SELECT COUNT(*) FROM {t0} WHERE {sql}")
        };
        if let Err(e) = if pg { conn.exec(&stmt).await } else { conn.rows(&stmt).await.map(|_| ()) } {
            failures.push(format!("predicate {p}: {e}"));
        }
    }
    for (i, x) in exprs.iter().enumerate() {
        let sql = match translate_expr(x, &ctx) {
            Ok(s) => s,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let stmt = if pg { format!("CREATE INDEX {} ON {t0} (({sql}))", q(&format!("x{i}"))) } else { format!("SELECT CAST(({sql}) AS CHAR) FROM {t0}") };
        if let Err(e) = if pg { conn.exec(&stmt).await } else { conn.rows(&stmt).await.map(|_| ()) } {
            failures.push(format!("index expression {x}: {e}"));
        }
    }
    if pg {
        // A unique partial index refuses duplicates inside its predicate only.
        let ix = translate_expr("active = 1 AND qty > 0", &ctx).unwrap();
        let stmts = [
            (format!("CREATE UNIQUE INDEX {} ON {t0} ({}) WHERE {ix}", q("u_active"), q("name")), true),
            (format!("INSERT INTO {t0} ({}, {}, {}) VALUES (20, 'dup', 1)", q("id"), q("name"), q("qty")), true),
            (format!("INSERT INTO {t0} ({}, {}, {}) VALUES (21, 'dup', 0)", q("id"), q("name"), q("qty")), true),
            (format!("INSERT INTO {t0} ({}, {}, {}) VALUES (22, 'dup', 2)", q("id"), q("name"), q("qty")), false),
        ];
        for (s, should_pass) in stmts {
            let r = conn.exec(&s).await;
            if r.is_ok() != should_pass {
                failures.push(format!("{s}: expected {}, got {r:?}", if should_pass { "success" } else { "refusal" }));
            }
        }
    }
    failures
}

#[tokio::test]
async fn postgres_schema_objects() {
    in_fresh_db(Dialect::Postgres, "pg", |c| Box::pin(schema_objects(c, Dialect::Postgres))).await;
}

#[tokio::test]
async fn mariadb_schema_objects() {
    in_fresh_db(Dialect::MariaDb, "my", |c| Box::pin(schema_objects(c, Dialect::MariaDb))).await;
}

// --- the same expressions evaluated by SQLite and by the target -------------------------------

/// (id, qty, price, ratio, active, name, created, data) — SQLite literals.
const ROWS: &[[&str; 8]] = &[
    ["1", "3", "9.99", "2.5", "1", "'abc'", "'2020-06-01 10:00:00'", "'{\"a\":1}'"],
    ["2", "0", "0", "-1.5", "0", "'ABC'", "'2020-06-01 00:00:00'", "'[]'"],
    ["3", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"],
    ["4", "12", "100.5", "0.0", "1", "'Émile'", "'2020-05-31 23:59:59'", "'{}'"],
    ["5", "-7", "1.25", "7.0", "0", "'a '", "'2021-01-01 12:00:00.5'", "'null'"],
    ["6", "5", "3", "3.5", "1", "'5'", "'2020-06-01 12:00:00'", "'1'"],
    ["7", "8", "2", "1.0", "1", "'a_b%c\\d'", "'2020-06-02 00:00:00'", "'\"x\"'"],
    ["8", "1", "7", "-0.5", "0", "'b'", "'2020-06-01 12:00:00.25'", "'{}'"],
];

const DIFF_EXPRS: &[&str] = &[
    "qty > 0",
    "active IN (0,1)",
    "active = 1",
    "active",
    "NOT active",
    "qty AND active",
    "name LIKE 'ab%'",
    "name LIKE '%B_'",
    "name LIKE 'a\\%'",
    "name LIKE 'a!_b%' ESCAPE '!'",
    "name LIKE 'e%'",
    "name NOT LIKE 'a%'",
    "name GLOB 'a*'",
    "name GLOB 'A?C'",
    "name || '-' || qty",
    "qty / 2",
    "qty / (qty - 3)",
    "qty % 3",
    "ratio / 2",
    "qty / 2.0",
    "qty * 1.5 > 2",
    "length(name)",
    "coalesce(name, 'x')",
    "ifnull(qty, 0) + 1",
    "substr(name, 2, 2)",
    "substr(name, 2)",
    "trim(name)",
    "rtrim(name, 'c')",
    "replace(name, 'a', 'b')",
    "instr(name, 'b')",
    "qty BETWEEN 1 AND 10",
    "name < 'b'",
    "name > 'B'",
    "name BETWEEN 'a' AND 'b'",
    "name = 'abc'",
    "name = 'a'",
    "name = 5",
    "qty = '5'",
    "name IN ('abc', 'a ')",
    "CASE WHEN qty > 5 THEN 'big' ELSE 'small' END",
    "CASE active WHEN 1 THEN 'y' ELSE 'n' END",
    "CAST(ratio AS INTEGER)",
    "CAST(qty AS TEXT)",
    "CAST(qty AS REAL) / 4",
    "typeof(qty) = 'integer'",
    "typeof(name) IN ('text')",
    "qty IS 5",
    "qty IS NOT 5",
    "qty IS NOT NULL AND qty > 0",
    "max(qty, 5)",
    "min(qty, ratio)",
    "iif(active, 1, 0)",
    "abs(qty)",
    "(qty > 0) + (ratio > 0)",
    "created > '2020-06-01'",
    "created >= '2020-06-01'",
    "created <= '2020-06-01'",
    "created < '2020-06-01'",
    "created > '2020-06-01 12:00:00'",
    "created BETWEEN '2020-06-01 00:00:00' AND '2020-06-01 12:00:00'",
    "json_valid(data)",
    "date(created) = '2020-06-01'",
    "-qty",
    "nullif(qty, 0)",
    "price > 3",
    "price * 2",
];

fn sqlite_text(v: rusqlite::types::Value) -> Option<String> {
    use rusqlite::types::Value as V;
    match v {
        V::Null => None,
        V::Integer(n) => Some(n.to_string()),
        V::Real(f) => Some(f.to_string()),
        V::Text(s) => Some(s),
        V::Blob(b) => Some(hex_encode(&b)),
    }
}

fn same(a: &Option<String>, b: &Option<String>) -> bool {
    let norm = |s: &str| match s {
        "true" => "1".to_string(),
        "false" => "0".to_string(),
        x => x.to_string(),
    };
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            let (a, b) = (norm(a), norm(b));
            match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                _ => a == b,
            }
        }
        _ => false,
    }
}

async fn differential(conn: &mut Conn, d: Dialect) -> Vec<String> {
    let mut failures = vec![];
    let pg = d == Dialect::Postgres;
    let q = |s: &str| quote_ident(s, d);
    let cols: [(&str, L, &str); 8] = [
        ("id", L::Integer { bits: 64 }, "INTEGER PRIMARY KEY"),
        ("qty", L::Integer { bits: 64 }, "INTEGER"),
        ("price", L::Decimal { precision: Some(10), scale: Some(2) }, "NUMERIC"),
        ("ratio", L::Float, "REAL"),
        ("active", L::Boolean, "BOOLEAN"),
        ("name", L::Text { max: None }, "TEXT"),
        ("created", L::Timestamp { tz: true }, "TEXT"),
        ("data", L::Json, "TEXT"),
    ];
    let map: HashMap<String, (String, LogicalType)> = cols.iter().map(|(n, t, _)| (n.to_string(), (n.to_string(), t.clone()))).collect();
    let ctx = ExprContext { dialect: d, columns: &map };
    // SQLite.
    let lite = rusqlite::Connection::open_in_memory().unwrap();
    let ddl: Vec<String> = cols.iter().map(|(n, _, t)| format!("{n} {t}")).collect();
    lite.execute_batch(&format!("CREATE TABLE t ({})", ddl.join(", "))).unwrap();
    for r in ROWS {
        lite.execute_batch(&format!("INSERT INTO t VALUES ({})", r.join(", "))).unwrap();
    }
    // The target.
    let tdefs: Vec<String> = cols.iter().map(|(n, t, _)| format!("{} {}", q(n), type_sql(d, t))).collect();
    let tail = if pg { "" } else { " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin" };
    if let Err(e) = conn.exec(&format!("CREATE TABLE {} ({}){tail}", q("t"), tdefs.join(", "))).await {
        return vec![e];
    }
    for r in ROWS {
        let vals: Vec<String> = r.iter().enumerate().map(|(i, v)| match (i, *v) {
            (_, "NULL") => "NULL".to_string(),
            (4, b) if pg => (b == "1").to_string(),
            (6, t) if pg => format!("{}+00'", t.trim_end_matches('\'')),
            (_, v) => v.to_string(),
        }).collect();
        if let Err(e) = conn.exec(&format!("INSERT INTO {} VALUES ({})", q("t"), vals.join(", "))).await {
            return vec![e];
        }
    }
    let mut compared = 0;
    for src in DIFF_EXPRS {
        let mut stmt = lite.prepare(&format!("SELECT {src} FROM t ORDER BY id")).unwrap();
        let want: Vec<Option<String>> = stmt.query_map([], |r| r.get::<_, rusqlite::types::Value>(0)).unwrap().map(|v| sqlite_text(v.unwrap())).collect();
        let sql = match translate_expr(src, &ctx) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{d:?} refused `{src}`: {e}"));
                continue;
            }
        };
        let cast = if pg { format!("CAST(({sql}) AS text)") } else { format!("CAST(({sql}) AS CHAR)") };
        match conn.rows(&format!("SELECT {cast} FROM {} ORDER BY {}", q("t"), q("id"))).await {
            Ok(rows) => {
                let got: Vec<Option<String>> = rows.into_iter().map(|mut r| r.remove(0)).collect();
                for (i, (w, g)) in want.iter().zip(&got).enumerate() {
                    if !same(w, g) {
                        failures.push(format!("{d:?} `{src}` → `{sql}`: row {} SQLite {w:?}, target {g:?}", i + 1));
                    }
                }
            }
            Err(e) => failures.push(format!("{d:?} `{src}` → `{sql}`: {e}")),
        }
        compared += want.len();
    }
    assert_eq!(compared, DIFF_EXPRS.len() * ROWS.len(), "every expression compared on every row");
    failures
}

#[tokio::test]
async fn postgres_evaluates_like_sqlite() {
    in_fresh_db(Dialect::Postgres, "pgdiff", |c| Box::pin(differential(c, Dialect::Postgres))).await;
}

#[tokio::test]
async fn mariadb_evaluates_like_sqlite() {
    in_fresh_db(Dialect::MariaDb, "mydiff", |c| Box::pin(differential(c, Dialect::MariaDb))).await;
}

#[tokio::test]
async fn views_are_accepted() {
    for d in [Dialect::Postgres, Dialect::MariaDb] {
        in_fresh_db(d, "views", move |c| Box::pin(views_on(c, d))).await;
    }
}

async fn views_on(conn: &mut Conn, d: Dialect) -> Vec<String> {
    let mut failures = vec![];
    let q = |s: &str| quote_ident(s, d);
    let tail = if d == Dialect::Postgres { "" } else { " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin" };
    let setup = [
        format!("CREATE TABLE {} (id bigint PRIMARY KEY, customer_id bigint, status varchar(20), total bigint, created_at varchar(30)){tail}", q("Orders")),
        format!("CREATE TABLE {} (id bigint PRIMARY KEY, name varchar(50)){tail}", q("customers")),
        format!("INSERT INTO {} VALUES (1, 'ann'), (2, 'Bob')", q("customers")),
        format!("INSERT INTO {} VALUES (1, 1, 'paid', 1250, '2020-01-01 00:00:00'), (2, 2, 'open', NULL, '2020-01-02 00:00:00'), (3, 1, 'paid', 99, '2020-01-03 00:00:00')", q("Orders")),
    ];
    for s in &setup {
        if let Err(e) = conn.exec(s).await {
            return vec![e];
        }
    }
    let mut tables = HashMap::new();
    tables.insert("orders".to_string(), "Orders".to_string());
    tables.insert("customers".to_string(), "customers".to_string());
    // The same tables in SQLite, which says what each view must return.
    let lite = rusqlite::Connection::open_in_memory().unwrap();
    lite.execute_batch(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, status TEXT, total INTEGER, created_at TEXT);
         CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
         INSERT INTO customers VALUES (1, 'ann'), (2, 'Bob');
         INSERT INTO orders VALUES (1, 1, 'paid', 1250, '2020-01-01 00:00:00'), (2, 2, 'open', NULL, '2020-01-02 00:00:00'), (3, 1, 'paid', 99, '2020-01-03 00:00:00');",
    )
    .unwrap();
    let views: &[&str] = &[
        "SELECT o.id, c.name AS customer, total / 100.0 AS amount FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid' ORDER BY o.id DESC LIMIT 10",
        "SELECT orders.id, count(*) AS n FROM orders, customers LEFT JOIN orders x ON x.customer_id = customers.id GROUP BY orders.id HAVING count(*) > 1 ORDER BY 1",
        "WITH t AS (SELECT * FROM orders) SELECT id FROM t WHERE customer_id IN (SELECT id FROM customers WHERE name LIKE 'B%') ORDER BY id",
        "SELECT total FROM (SELECT total FROM main.orders) ORDER BY total",
        "SELECT total FROM orders ORDER BY total DESC",
        "SELECT total FROM orders ORDER BY total NULLS LAST",
        "SELECT name, avg(total) FROM orders JOIN customers ON customers.id = orders.customer_id GROUP BY name ORDER BY 1",
        "SELECT name FROM customers ORDER BY name DESC",
        "SELECT name FROM customers WHERE name > 'a' ORDER BY 1",
        "SELECT id || ':' || status AS label FROM orders WHERE created_at > '2020-01-01' ORDER BY id",
        "SELECT id FROM orders WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = orders.customer_id AND c.name = 'bob') UNION ALL SELECT id FROM customers ORDER BY 1",
        "SELECT id FROM orders WHERE created_at < datetime('now') ORDER BY 1",
        "SELECT DISTINCT status FROM orders ORDER BY status",
        "SELECT customer_id, sum(total), count(DISTINCT status) FROM orders GROUP BY customer_id ORDER BY customer_id",
    ];
    let cell = |v: rusqlite::types::Value| sqlite_text(v).unwrap_or_else(|| "NULL".into());
    for (i, v) in views.iter().enumerate() {
        let mut stmt = lite.prepare(v).unwrap();
        let n = stmt.column_count();
        let want = stmt
            .query_map([], |r| Ok((0..n).map(|k| cell(r.get(k).unwrap())).collect::<Vec<_>>().join("|")))
            .unwrap()
            .map(|r| r.unwrap())
            .collect::<Vec<_>>()
            .join(";");

        let sql = match translate_select(v, d, &tables) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{d:?} refused view {v}: {e}"));
                continue;
            }
        };
        let name = q(&format!("v{i}"));
        if let Err(e) = conn.exec(&format!("CREATE VIEW {name} AS {sql}")).await {
            failures.push(format!("{d:?} CREATE VIEW: {e}"));
            continue;
        }
        let cols_sql = if d == Dialect::Postgres {
            format!("SELECT CAST(column_name AS text) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'v{i}' ORDER BY ordinal_position")
        } else {
            format!("SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'v{i}' ORDER BY ordinal_position")
        };
        let names = match conn.rows(&cols_sql).await {
            Ok(r) => r.into_iter().map(|mut x| x.remove(0).unwrap_or_default()).collect::<Vec<_>>(),
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let cast = |c: &String| if d == Dialect::Postgres { format!("CAST({} AS text)", q(c)) } else { format!("CAST({} AS CHAR)", q(c)) };
        let read = format!("SELECT {} FROM {name}", names.iter().map(cast).collect::<Vec<_>>().join(", "));
        match conn.rows(&read).await {
            Ok(rows) => {
                let got = rows.iter().map(|r| r.iter().map(|c| c.clone().unwrap_or_else(|| "NULL".into())).collect::<Vec<_>>().join("|")).collect::<Vec<_>>().join(";");
                // Numbers may print with other trailing zeros.
                let norm = |s: &str| s.split([';', '|']).map(|x| x.parse::<f64>().map(|f| f.to_string()).unwrap_or(x.to_string())).collect::<Vec<_>>().join(",");
                if norm(&got) != norm(&want) {
                    failures.push(format!("{d:?} view {v}\n    → {sql}\n    returned {got}, SQLite {want}"));
                }
            }
            Err(e) => failures.push(e),
        }
    }
    failures
}
