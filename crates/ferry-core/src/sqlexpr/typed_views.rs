//! Unit tests of views over tables whose columns are known (`translate_view`): SQLite's
//! affinity in comparisons, integer division, date and time modifiers of a column, printf,
//! and views that read views.

use super::*;
use LogicalType as L;

const PG: Dialect = Dialect::Postgres;
const MA: Dialect = Dialect::MariaDb;

/// `products` as Northwind declares it, and `people` with dates, times and epoch seconds.
fn sources() -> HashMap<String, ViewSource> {
    let int = L::Integer { bits: 64 };
    let text = L::Text { max: None };
    let cols = |v: Vec<(&str, L, &str)>| v.into_iter().map(|(n, l, d)| (n.to_string(), n.to_string(), l, false, d.to_string())).collect::<Vec<_>>();
    let mut m = HashMap::new();
    m.insert(
        "products".to_string(),
        ViewSource::of_table("Products", cols(vec![
            ("ProductID", int.clone(), "INTEGER"),
            ("Discontinued", text.clone(), "TEXT"),
            ("UnitsInStock", int.clone(), "INTEGER"),
            ("UnitsOnOrder", int.clone(), "INTEGER"),
            ("UnitPrice", L::Float, "REAL"),
            ("Weight", L::Float, "NUMERIC"),
            ("Code", text.clone(), "INTEGER"),
            ("Loose", int.clone(), ""),
        ])),
    );
    m.insert(
        "people".to_string(),
        ViewSource::of_table("people", cols(vec![
            ("id", int.clone(), "INTEGER"),
            ("born", L::Date, "DATE"),
            ("joined", L::Timestamp { tz: false }, "DATETIME"),
            ("seen", L::Timestamp { tz: true }, "TIMESTAMPTZ"),
            ("epoch", int.clone(), "INTEGER"),
            ("note", text, "TEXT"),
        ])),
    );
    m.insert("done".to_string(), ViewSource::untyped("done"));
    m.insert("waiting".to_string(), ViewSource { target: "waiting".into(), columns: None, status: ViewStatus::Pending });
    m.insert("refused".to_string(), ViewSource { target: "refused".into(), columns: None, status: ViewStatus::Refused("no reason".into()) });
    m
}

#[test]
fn typed_views() {
    let s = sources();
    // (SQLite, PostgreSQL, MariaDB); "ERR" = refused.
    let cases: &[(&str, &str, &str)] = &[
        // TEXT affinity: the number becomes text, the comparison is textual ('00' is not 0).
        (
            r#"SELECT "ProductID" FROM "Products" WHERE "Discontinued" = 0"#,
            r#"SELECT "ProductID" FROM "Products" WHERE "Discontinued" = '0'"#,
            "SELECT `ProductID` FROM `Products` WHERE `Discontinued` = '0'",
        ),
        (
            "SELECT ProductID FROM products WHERE Discontinued IN (0, 1.5)",
            r#"SELECT "ProductID" FROM "Products" WHERE "Discontinued" IN ('0', '1.5')"#,
            "SELECT `ProductID` FROM `Products` WHERE `Discontinued` IN ('0', '1.5')",
        ),
        // INTEGER affinity: the text literal becomes a number.
        (
            "SELECT ProductID FROM products p WHERE p.UnitsInStock < '10'",
            r#"SELECT "ProductID" FROM "Products" AS "p" WHERE "p"."UnitsInStock" < 10"#,
            "SELECT `ProductID` FROM `Products` AS `p` WHERE `p`.`UnitsInStock` < 10",
        ),
        // INTEGER affinity carried as text: equality with an integer only.
        ("SELECT 1 FROM products WHERE Code = 5", r#"SELECT 1 FROM "Products" WHERE "Code" = '5'"#, "SELECT 1 FROM `Products` WHERE `Code` = '5'"),
        ("SELECT 1 FROM products WHERE Code = '05'", r#"SELECT 1 FROM "Products" WHERE "Code" = '5'"#, "SELECT 1 FROM `Products` WHERE `Code` = '5'"),
        ("SELECT 1 FROM products WHERE Code < 5", "ERR", "ERR"),
        // No affinity: SQLite never converts the literal.
        ("SELECT 1 FROM products WHERE Loose = '5'", "ERR", "ERR"),
        ("SELECT 1 FROM products WHERE Loose = 5", r#"SELECT 1 FROM "Products" WHERE "Loose" = 5"#, "SELECT 1 FROM `Products` WHERE `Loose` = 5"),
        // Integer over integer: integer division, NULL for a zero divisor.
        (
            "SELECT UnitsInStock / UnitsOnOrder AS r, UnitsInStock % UnitsOnOrder AS m FROM products",
            r#"SELECT "UnitsInStock" / NULLIF("UnitsOnOrder", 0) AS "r", "UnitsInStock" % NULLIF("UnitsOnOrder", 0) AS "m" FROM "Products""#,
            "SELECT `UnitsInStock` DIV NULLIF(`UnitsOnOrder`, 0) AS `r`, `UnitsInStock` % NULLIF(`UnitsOnOrder`, 0) AS `m` FROM `Products`",
        ),
        (
            "SELECT UnitPrice / UnitsOnOrder AS r FROM products",
            r#"SELECT "UnitPrice" / NULLIF("UnitsOnOrder", 0) AS "r" FROM "Products""#,
            "SELECT `UnitPrice` / NULLIF(`UnitsOnOrder`, 0) AS `r` FROM `Products`",
        ),
        // NUMERIC affinity keeps 3.0 as the integer 3: SQLite's division varies by row.
        ("SELECT Weight / UnitsOnOrder FROM products", "ERR", "ERR"),
        ("SELECT Discontinued / 2 FROM products", "ERR", "ERR"),
        // Date and time modifiers of a column; months overflow as SQLite's do.
        (
            "SELECT date(born, '+18 years') AS adult FROM people",
            r#"SELECT to_char((date_trunc('month', CAST("born" AS timestamp)) + INTERVAL '216 month' + (CAST("born" AS timestamp) - date_trunc('month', CAST("born" AS timestamp)))), 'YYYY-MM-DD') AS "adult" FROM "people""#,
            "SELECT DATE_FORMAT((CAST(DATE_FORMAT(CAST(`born` AS DATETIME), '%Y-%m-01') AS DATETIME) + INTERVAL 216 MONTH + INTERVAL TIMESTAMPDIFF(MICROSECOND, CAST(DATE_FORMAT(CAST(`born` AS DATETIME), '%Y-%m-01') AS DATETIME), CAST(`born` AS DATETIME)) MICROSECOND), '%Y-%m-%d') AS `adult` FROM `people`",
        ),
        (
            "SELECT datetime(joined, 'start of month', '-1 day') AS d FROM people",
            r#"SELECT to_char((date_trunc('month', "joined") + INTERVAL '-1 day'), 'YYYY-MM-DD HH24:MI:SS') AS "d" FROM "people""#,
            "SELECT DATE_FORMAT((CAST(DATE_FORMAT(`joined`, '%Y-%m-01') AS DATETIME) + INTERVAL -1 DAY), '%Y-%m-%d %H:%i:%s') AS `d` FROM `people`",
        ),
        (
            "SELECT datetime(epoch, 'unixepoch') AS t FROM people",
            r#"SELECT to_char((to_timestamp("epoch") AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:MI:SS') AS "t" FROM "people""#,
            "SELECT DATE_FORMAT((CAST('1970-01-01 00:00:00' AS DATETIME) + INTERVAL `epoch` SECOND), '%Y-%m-%d %H:%i:%s') AS `t` FROM `people`",
        ),
        (
            "SELECT date(seen, 'weekday 1') AS monday FROM people",
            r#"SELECT to_char((("seen" AT TIME ZONE 'UTC') + ((CAST(1 + 7 - EXTRACT(DOW FROM ("seen" AT TIME ZONE 'UTC')) AS integer) % 7) * INTERVAL '1 day')), 'YYYY-MM-DD') AS "monday" FROM "people""#,
            "SELECT DATE_FORMAT((`seen` + INTERVAL ((1 + 8 - DAYOFWEEK(`seen`)) % 7) DAY), '%Y-%m-%d') AS `monday` FROM `people`",
        ),
        ("SELECT date(joined, 'localtime') FROM people", "ERR", "ERR"),
        ("SELECT datetime(joined, 'utc') FROM people", "ERR", "ERR"),
        ("SELECT date(joined, 'weekday 7') FROM people", "ERR", "ERR"),
        ("SELECT date(note, '+1 day') FROM people", "ERR", "ERR"),
        ("SELECT date(epoch, '+1 day') FROM people", "ERR", "ERR"),
        ("SELECT datetime(born, '+1.5 days') FROM people", "ERR", "ERR"),
        ("SELECT datetime(born, 'unixepoch') FROM people", "ERR", "ERR"),
        // printf's plain forms; NULL prints as '' (%s) and 0 (%d).
        (
            "SELECT printf('%s: %d%%', note, id) AS p FROM people",
            r#"SELECT COALESCE("note", '') || ': ' || COALESCE(CAST("id" AS text), '0') || '%' AS "p" FROM "people""#,
            "SELECT CONCAT(COALESCE(`note`, ''), ': ', COALESCE(`id`, '0'), '%') AS `p` FROM `people`",
        ),
        ("SELECT printf('%.2f', UnitPrice) FROM products", "ERR", "ERR"),
        ("SELECT printf('%5d', id) FROM people", "ERR", "ERR"),
        // A date column as SQLite's text.
        (
            "SELECT born || '!' AS b FROM people",
            r#"SELECT to_char(CAST("born" AS timestamp), 'YYYY-MM-DD') || '!' AS "b" FROM "people""#,
            "SELECT CONCAT(DATE_FORMAT(CAST(`born` AS DATETIME), '%Y-%m-%d'), '!') AS `b` FROM `people`",
        ),
        // Views: made, waiting for another, or reading one that was refused.
        ("SELECT * FROM done", r#"SELECT * FROM "done""#, "SELECT * FROM `done`"),
        ("SELECT * FROM waiting", "ERR", "ERR"),
        ("SELECT * FROM refused", "ERR", "ERR"),
    ];
    let mut failures = vec![];
    for (src, pg, ma) in cases {
        for (dialect, want) in [(PG, *pg), (MA, *ma)] {
            let got = translate_view(src, dialect, &s).map(|v| v.sql);
            match (&got, want) {
                (Err(_), "ERR") => {}
                (Ok(g), w) if g == w => {}
                _ => failures.push(format!("{dialect:?}: `{src}`\n    got  {got:?}\n    want {want}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let waiting = translate_view("SELECT * FROM waiting", PG, &s).unwrap_err();
    assert!(waiting.contains(PENDING_VIEW), "{waiting}");
    let refused = translate_view("SELECT * FROM refused", PG, &s).unwrap_err();
    assert!(refused.contains("no reason"), "{refused}");
    let local = translate_view("SELECT date(joined, 'localtime') FROM people", PG, &s).unwrap_err();
    assert!(local.contains("time zone"), "{local}");
}

/// A view reading a view: the first view's result columns keep their types (a column its
/// affinity, an expression none), so the second compares and divides as SQLite does.
#[test]
fn a_view_reads_a_views_typed_columns() {
    let mut s = sources();
    let base = translate_view(r#"SELECT *, UnitsInStock * 2 AS "Twice", Discontinued AS d, 'x' || Discontinued AS e FROM products WHERE ProductID > 0"#, MA, &s).unwrap();
    let cols = base.columns.clone().expect("typed result columns");
    assert!(cols.contains_key("Discontinued") && cols.contains_key("Twice") && cols.contains_key("d"), "{cols:?}");
    s.insert("base".into(), ViewSource { target: "base".into(), columns: base.columns, status: ViewStatus::Made });
    let cases: &[(&str, &str)] = &[
        ("SELECT b.ProductID FROM base b WHERE b.Discontinued = 0 AND d = 1", "SELECT `b`.`ProductID` FROM `base` AS `b` WHERE (`b`.`Discontinued` = '0') AND (`d` = '1')"),
        ("SELECT Twice / UnitsOnOrder AS r FROM base", "SELECT `Twice` DIV NULLIF(`UnitsOnOrder`, 0) AS `r` FROM `base`"),
        // An expression has no affinity: SQLite never finds its number equal to a text.
        ("SELECT 1 FROM base WHERE Twice = '10'", "ERR"),
        ("SELECT 1 FROM base WHERE e = 1", "ERR"),
    ];
    for (src, want) in cases {
        let got = translate_view(src, MA, &s).map(|v| v.sql);
        match (&got, *want) {
            (Err(_), "ERR") => {}
            (Ok(g), w) if g == w => {}
            _ => panic!("`{src}`\n    got  {got:?}\n    want {want}"),
        }
    }
    // A set operation's or an unknown table's columns are not told.
    assert!(translate_view("SELECT ProductID FROM products UNION SELECT id FROM people", MA, &s).unwrap().columns.is_none());
    let joined = translate_view("SELECT * FROM products, done", MA, &s).unwrap().columns.unwrap();
    assert!(joined.is_empty(), "{joined:?}");
}
