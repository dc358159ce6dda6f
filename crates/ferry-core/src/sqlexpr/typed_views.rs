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
    m.insert(
        "accounts".to_string(),
        ViewSource::of_table("accounts", cols(vec![("id", L::Uuid, "TEXT"), ("active", L::Boolean, "INTEGER"), ("name", L::Text { max: None }, "TEXT")])),
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
        // julianday/unixepoch: of dates and timestamps (and 'now'), not of text or numbers.
        ("SELECT julianday(note) FROM people", "ERR", "ERR"),
        ("SELECT julianday(id) FROM people", "ERR", "ERR"),
        ("SELECT unixepoch(joined, 'localtime') FROM people", "ERR", "ERR"),
        ("SELECT julianday(joined, 'subsec') FROM people", "ERR", "ERR"),
        ("SELECT julianday(epoch, 'unixepoch', '+1.5 days') FROM people", "ERR", "ERR"),
        ("SELECT julianday(NULL) AS j FROM people", r#"SELECT NULL AS "j" FROM "people""#, "SELECT NULL AS `j` FROM `people`"),
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
        // A UUID column as its text (what SQLite holds: the load takes lowercase text only);
        // a boolean's sum and max of its 0 and 1.
        (
            "SELECT upper(id) AS u, substr(id, 1, 8) AS p, length(id) AS l, id || '-x' AS s FROM accounts WHERE id LIKE 'a%'",
            r#"SELECT upper(CAST("id" AS text)) AS "u", substr(CAST("id" AS text), 1, 8) AS "p", length(CAST("id" AS text)) AS "l", CAST("id" AS text) || '-x' AS "s" FROM "accounts" WHERE CAST("id" AS text) COLLATE "C" ILIKE 'a%'"#,
            "SELECT UPPER(`id`) AS `u`, SUBSTRING(`id`, 1, 8) AS `p`, CHAR_LENGTH(`id`) AS `l`, CONCAT(`id`, '-x') AS `s` FROM `accounts` WHERE LOWER(`id`) COLLATE utf8mb4_nopad_bin LIKE 'a%'",
        ),
        (
            "SELECT max(id) AS m, ifnull(id, 'none') AS i, sum(active) AS n FROM accounts",
            r#"SELECT MAX(CAST("id" AS text)) AS "m", COALESCE(CAST("id" AS text), 'none') AS "i", SUM(CAST("active" AS integer)) AS "n" FROM "accounts""#,
            "SELECT MAX(`id`) AS `m`, COALESCE(`id`, 'none') AS `i`, SUM(`active`) AS `n` FROM `accounts`",
        ),
        // Equality with a lowercase UUID is value equality; with an uppercase one SQLite's
        // text never matches, the target's value would.
        (
            "SELECT name FROM accounts WHERE id = '0b6a2f4e-9f5c-4d7e-8a1b-2c3d4e5f6a7b'",
            r#"SELECT "name" FROM "accounts" WHERE "id" = '0b6a2f4e-9f5c-4d7e-8a1b-2c3d4e5f6a7b'"#,
            "SELECT `name` FROM `accounts` WHERE `id` = '0b6a2f4e-9f5c-4d7e-8a1b-2c3d4e5f6a7b'",
        ),
        ("SELECT name FROM accounts WHERE id = '0B6A2F4E-9F5C-4D7E-8A1B-2C3D4E5F6A7B'", "ERR", "ERR"),
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

/// `CREATE VIEW v(a, b) AS …`: the result columns take the view's names in order (a column
/// keeps its affinity, an expression has none), for the views that read it; a SELECT making
/// another number of columns is refused (SQLite refuses every query of such a view).
#[test]
fn a_view_that_names_its_columns() {
    let mut s = sources();
    let names = |v: &[&str]| v.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let v = translate_named_view("SELECT Discontinued, UnitsInStock * 2, ProductID FROM products", &names(&["flag", "twice", "id"]), MA, &s).unwrap();
    assert_eq!(v.sql, "SELECT `Discontinued`, `UnitsInStock` * 2, `ProductID` FROM `Products`");
    let cols = v.columns.clone().expect("typed result columns");
    let mut got: Vec<_> = cols.iter().map(|(n, c)| format!("{n}:{:?}", c.affinity)).collect();
    got.sort();
    assert_eq!(got, ["flag:Text", "id:Integer", "twice:Blob"], "{cols:?}");
    s.insert("named".into(), ViewSource { target: "named".into(), columns: v.columns, status: ViewStatus::Made });
    // `flag` is the TEXT column: compared with 0 as text; `twice` an expression: never equal to text.
    assert_eq!(translate_view("SELECT id FROM named WHERE flag = 0", MA, &s).unwrap().sql, "SELECT `id` FROM `named` WHERE `flag` = '0'");
    assert!(translate_view("SELECT id FROM named WHERE twice = '4'", MA, &s).is_err());
    // Column counts: SQLite makes the view but refuses every query of it.
    for (select, n) in [("SELECT ProductID FROM products", 2), ("SELECT 1, 2, 3", 2), ("SELECT 1, 2 UNION SELECT 3, 4", 3)] {
        let e = translate_named_view(select, &names(&["a", "b", "c"][..n]), PG, &s).unwrap_err();
        assert!(e.contains("SQLite refuses every query"), "{select}: {e}");
    }
    // `*`: the count is the target's to check, the order untold.
    let star = translate_named_view("SELECT * FROM done", &names(&["a"]), PG, &s).unwrap();
    assert_eq!(star.sql, r#"SELECT * FROM "done""#);
    assert!(star.columns.unwrap_or_default().is_empty());
    // Without the names a whole CREATE VIEW with a list is refused: they would be lost.
    assert!(translate_view("CREATE VIEW v(a) AS SELECT 1", PG, &s).is_err());
}

/// `julianday()` and `unixepoch()` count SQLite's whole milliseconds from the target's value
/// and divide the same doubles; with modifiers, rounded to the millisecond first, as SQLite
/// does. (Their values against the real servers: `it/views.rs`.)
#[test]
fn julian_days_count_sqlites_milliseconds() {
    let s = sources();
    for d in [PG, MA] {
        let v = translate_view("SELECT julianday(joined) - julianday(born) AS age, unixepoch(seen) AS u, julianday('now') AS n FROM people", d, &s).unwrap();
        let sql = &v.sql;
        assert!(sql.contains("210866760000000") && sql.contains("86400000"), "{d:?}: {sql}");
        assert!(sql.contains(if d == PG { "0.999 AS double precision" } else { "0.999e0" }), "{d:?}: the .999 cap: {sql}");
        let cols = v.columns.unwrap();
        assert_eq!(cols["age"].logical, Some(L::Float), "{d:?}");
        assert_eq!(cols["u"].logical.as_ref().map(|l| matches!(l, L::Integer { .. })), Some(true), "{d:?}");
        // Modifiers after the millisecond: the value is snapped first.
        let m = translate_view("SELECT julianday(joined, '+1 month') FROM people", d, &s).unwrap().sql;
        let snapped = if d == PG { "* INTERVAL '1 millisecond'" } else { "* 1000 MICROSECOND" };
        assert!(m.contains(snapped) && m.to_ascii_uppercase().contains("1 MONTH"), "{d:?}: {m}");
    }
}

/// Epoch seconds loaded as timestamps: `'unixepoch'` of the column reads the target's
/// timestamp as it is; anything else still sees an untyped value.
#[test]
fn epoch_seconds_loaded_as_timestamps() {
    let mut s = sources();
    let cols = vec![("id".to_string(), "id".to_string(), L::Integer { bits: 64 }, false, "INTEGER".to_string()), ("at".to_string(), "at".to_string(), L::Timestamp { tz: true }, true, "INTEGER".to_string())];
    s.insert("ev".into(), ViewSource::of_table("ev", cols).with_time_of_number("at", "epoch_s", true));
    let v = translate_view("SELECT datetime(at, 'unixepoch') AS t, unixepoch(e.at, 'unixepoch') AS u FROM ev e", PG, &s).unwrap().sql;
    assert!(v.starts_with(r#"SELECT to_char(("at" AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:MI:SS') AS "t""#), "{v}");
    assert!(v.contains(r#"("e"."at" AT TIME ZONE 'UTC')"#), "{v}");
    let m = translate_view("SELECT datetime(at, 'unixepoch') AS t FROM ev", MA, &s).unwrap().sql;
    assert_eq!(m, "SELECT DATE_FORMAT(`at`, '%Y-%m-%d %H:%i:%s') AS `t` FROM `ev`");
    // Without 'unixepoch' SQLite reads the number as a Julian day; compared or computed with,
    // it is a number in SQLite and a timestamp on the target: refused.
    for v in ["SELECT datetime(at) FROM ev", "SELECT id FROM ev WHERE at > 1500000000", "SELECT at + 1 FROM ev", "SELECT id FROM ev ORDER BY at"] {
        let e = translate_view(v, MA, &s).unwrap_err();
        assert!(e.contains("epoch_s") || e.contains("Julian"), "{v}: {e}");
    }
    // As a result column of its own it is the table's value; a view reading that view
    // cannot compute with it either.
    let base = translate_view("SELECT id, at AS stamp FROM ev", MA, &s).unwrap();
    assert_eq!(base.sql, "SELECT `id`, `at` AS `stamp` FROM `ev`");
    s.insert("base".into(), ViewSource { target: "base".into(), columns: base.columns, status: ViewStatus::Made });
    assert!(translate_view("SELECT id FROM base WHERE stamp > 1500000000", MA, &s).unwrap_err().contains("epoch_s"));
    assert!(translate_view("SELECT datetime(stamp, 'unixepoch') AS t FROM base", MA, &s).is_ok());
    let star = translate_view("SELECT * FROM ev", MA, &s).unwrap();
    s.insert("star".into(), ViewSource { target: "star".into(), columns: star.columns, status: ViewStatus::Made });
    assert!(translate_view("SELECT id FROM star WHERE at > 1500000000", MA, &s).is_err());
}

/// `printf('%.Nf', x)` stays refused: SQLite rounds the double's exact value half away from
/// zero, which no target spelling does for every double (PostgreSQL's numeric cast keeps 15
/// digits, its `to_char` and MariaDB's `ROUND` round exact halves to even). What the
/// refusal's reason says of SQLite, checked against the SQLite Ferry reads with.
#[test]
fn printf_rounding_is_sqlites_own() {
    let c = rusqlite::Connection::open_in_memory().unwrap();
    let p = |sql: &str| c.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap();
    assert_eq!(p("SELECT printf('%.2f', 2.675)"), "2.67", "the double is 2.67499999…");
    assert_eq!(p("SELECT printf('%.2f', 0.125)"), "0.13", "an exact half, away from zero");
    assert_eq!(p("SELECT printf('%.2f', 72.585)"), "72.58");
    assert_eq!(p("SELECT printf('%.2f', -0.0)"), "0.00");
    assert_eq!(p("SELECT printf('%.2f', NULL)"), "0.00");
    assert_eq!(p("SELECT printf('%.2f', 1e20)"), "100000000000000000000.00");
    let e = translate_view("SELECT printf('%.2f', UnitPrice) FROM products", PG, &sources()).unwrap_err();
    assert!(e.contains("2.675) is 2.67") && e.contains("half away from zero"), "{e}");
}

/// A key the target widened (Citus puts the distribution column first in it, a partitioned
/// table its partition key): a view grouping by the SQLite key groups by the added columns
/// too, qualified as the key is, once each; grouping by anything else is left as it is.
#[test]
fn grouping_by_a_widened_key_groups_by_its_added_columns() {
    let int = L::Integer { bits: 64 };
    let cols = |v: &[&str]| v.iter().map(|n| (n.to_string(), n.to_string(), int.clone(), false, "INTEGER".to_string())).collect::<Vec<_>>();
    let mut s = HashMap::new();
    s.insert("orders".to_string(), ViewSource::of_table("orders", cols(&["id", "tenant_id", "total"])).with_key_widened("id", vec!["tenant_id".into()]));
    s.insert("order_items".to_string(), ViewSource::of_table("order_items", cols(&["id", "order_id", "tenant_id", "qty"])).with_key_widened("id", vec!["tenant_id".into()]));
    s.insert("events".to_string(), ViewSource::of_table("events", cols(&["id", "at"])).with_key_widened("id", vec!["at".into(), "tenant_id".into()]));
    let cases: &[(&str, &str)] = &[
        (
            "SELECT o.id, o.tenant_id, o.total, sum(i.qty) AS n FROM orders o LEFT JOIN order_items i ON i.order_id = o.id GROUP BY o.id",
            r#"SELECT "o"."id", "o"."tenant_id", "o"."total", SUM("i"."qty") AS "n" FROM "orders" AS "o" LEFT JOIN "order_items" AS "i" ON "i"."order_id" = "o"."id" GROUP BY "o"."id", "o"."tenant_id""#,
        ),
        // Unqualified, one table: qualified by its name.
        ("SELECT id, total FROM orders GROUP BY id", r#"SELECT "id", "total" FROM "orders" GROUP BY "id", "orders"."tenant_id""#),
        // Already in the group: once.
        ("SELECT o.id FROM orders o GROUP BY o.tenant_id, o.id", r#"SELECT "o"."id" FROM "orders" AS "o" GROUP BY "o"."tenant_id", "o"."id""#),
        // Two added columns, in the key's order.
        ("SELECT e.id FROM events e GROUP BY e.id", r#"SELECT "e"."id" FROM "events" AS "e" GROUP BY "e"."id", "e"."at", "e"."tenant_id""#),
        // Not the key; an unqualified name two tables hold: left alone.
        ("SELECT o.total FROM orders o GROUP BY o.total", r#"SELECT "o"."total" FROM "orders" AS "o" GROUP BY "o"."total""#),
        ("SELECT count(*) FROM orders o JOIN order_items i ON i.order_id = o.id GROUP BY qty", r#"SELECT count(*) FROM "orders" AS "o" JOIN "order_items" AS "i" ON "i"."order_id" = "o"."id" GROUP BY "qty""#),
    ];
    for (src, want) in cases {
        let got = translate_view(src, PG, &s).map(|v| v.sql);
        assert_eq!(got.as_deref(), Ok(*want), "{src}");
    }
    let my = translate_view("SELECT o.id FROM orders o GROUP BY o.id", MA, &s).unwrap().sql;
    assert_eq!(my, "SELECT `o`.`id` FROM `orders` AS `o` GROUP BY `o`.`id`, `o`.`tenant_id`");
}

/// Citus: two co-located tables joined by a key that includes both distribution columns are
/// joined on those columns too (the key makes them equal), whichever side the ON names first
/// and however it is nested; a join the key does not make, or one that says it already, is
/// left as it is.
#[test]
fn a_join_of_co_located_tables_by_their_key_names_the_shard_column() {
    let int = L::Integer { bits: 64 };
    let cols = |v: &[&str]| v.iter().map(|n| (n.to_string(), n.to_string(), int.clone(), false, "INTEGER".to_string())).collect::<Vec<_>>();
    let to_orders = SameShard { table: "orders".into(), column: "id".into(), own: "tenant_id".into(), theirs: "tenant_id".into() };
    let mut s = HashMap::new();
    s.insert("orders".to_string(), ViewSource::of_table("orders", cols(&["id", "tenant_id", "total"])).with_key_widened("id", vec!["tenant_id".into()]));
    s.insert("order_items".to_string(), ViewSource::of_table("order_items", cols(&["id", "order_id", "tenant_id", "qty", "note_id"])).with_same_shard("order_id", to_orders));
    s.insert("notes".to_string(), ViewSource::of_table("notes", cols(&["id"])));
    let cases: &[(&str, &str)] = &[
        (
            "SELECT o.id, sum(i.qty) AS n FROM orders o LEFT JOIN order_items i ON i.order_id = o.id GROUP BY o.id",
            r#"SELECT "o"."id", SUM("i"."qty") AS "n" FROM "orders" AS "o" LEFT JOIN "order_items" AS "i" ON ("i"."order_id" = "o"."id") AND "i"."tenant_id" = "o"."tenant_id" GROUP BY "o"."id", "o"."tenant_id""#,
        ),
        (
            "SELECT i.id FROM order_items i JOIN orders o ON (o.id = i.order_id AND o.total > 0)",
            r#"SELECT "i"."id" FROM "order_items" AS "i" JOIN "orders" AS "o" ON ((("o"."id" = "i"."order_id") AND ("o"."total" > 0))) AND "i"."tenant_id" = "o"."tenant_id""#,
        ),
        // Said already (either way round): as written.
        (
            "SELECT i.id FROM order_items i JOIN orders o ON i.order_id = o.id AND o.tenant_id = i.tenant_id",
            r#"SELECT "i"."id" FROM "order_items" AS "i" JOIN "orders" AS "o" ON ("i"."order_id" = "o"."id") AND ("o"."tenant_id" = "i"."tenant_id")"#,
        ),
        // Not the key's columns, another table, an OR: as written.
        ("SELECT i.id FROM order_items i JOIN orders o ON i.qty = o.id", r#"SELECT "i"."id" FROM "order_items" AS "i" JOIN "orders" AS "o" ON "i"."qty" = "o"."id""#),
        ("SELECT i.id FROM order_items i JOIN notes o ON i.order_id = o.id", r#"SELECT "i"."id" FROM "order_items" AS "i" JOIN "notes" AS "o" ON "i"."order_id" = "o"."id""#),
        (
            "SELECT i.id FROM order_items i JOIN orders o ON i.order_id = o.id OR o.total = 0",
            r#"SELECT "i"."id" FROM "order_items" AS "i" JOIN "orders" AS "o" ON ("i"."order_id" = "o"."id") OR ("o"."total" = 0)"#,
        ),
    ];
    for (src, want) in cases {
        let got = translate_view(src, PG, &s).map(|v| v.sql);
        assert_eq!(got.as_deref(), Ok(*want), "{src}");
    }
}
