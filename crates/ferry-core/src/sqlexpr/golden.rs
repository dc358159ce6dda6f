//! The golden file: the translator's output for a large table of SQLite expressions, for
//! PostgreSQL, MySQL and MariaDB, kept in `golden.txt` beside this file. A change to the
//! translator that changes any translation (or refusal) shows here as a diff; when the change
//! is meant, rewrite the file with `FERRY_UPDATE_GOLDEN=1 cargo test -p ferry-core --lib golden`
//! and read the diff.
//!
//! The inputs: every expression, default and view of this module's tests, the defaults, CHECKs,
//! index expressions and view of the demo database (`demo.rs`), the column defaults of the
//! conformance corpus (`../shared/corpus`), and templates applied to columns of every type.

use std::collections::HashMap;
use std::fmt::Write;

use super::*;
use crate::schema::LogicalType as L;

const DIALECTS: [Dialect; 3] = [Dialect::Postgres, Dialect::MySql, Dialect::MariaDb];

/// One line of text: newlines shown as `\n`.
fn line(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

fn shown(r: Result<Option<String>, String>) -> String {
    match r {
        Ok(Some(s)) => line(&s),
        Ok(None) => "(no DEFAULT)".into(),
        Err(e) => format!("REFUSED {}", line(&e)),
    }
}

struct Golden {
    out: String,
    translations: usize,
}

impl Golden {
    /// One input and its translation for each dialect; MariaDB's line says `= postgres` and
    /// MySQL's `= mariadb` when the two are the same.
    fn case(&mut self, head: &str, f: impl Fn(Dialect) -> Result<Option<String>, String>) {
        let _ = writeln!(self.out, "{}", line(head));
        let got: Vec<String> = DIALECTS.iter().map(|d| shown(f(*d))).collect();
        self.translations += got.len();
        let (pg, my, ma) = (&got[0], &got[1], &got[2]);
        let _ = writeln!(self.out, "  postgres {pg}");
        let _ = writeln!(self.out, "  mysql    {}", if my == ma { "= mariadb" } else { my });
        let _ = writeln!(self.out, "  mariadb  {}", if ma == pg { "= postgres" } else { ma });
    }
    fn section(&mut self, title: &str) {
        let _ = writeln!(self.out, "\n## {title}\n");
    }
}

fn dedup<'a>(xs: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    xs.into_iter().filter(|x| seen.insert(*x)).collect()
}

// --- the inputs -------------------------------------------------------------------------------

const TEST_EXPRS: &[&str] = &[
    "qty > 0",
    "qty IS NOT NULL",
    "qty NOT NULL",
    "qty IS NULL OR qty >= 0",
    "qty BETWEEN 1 AND 10",
    "qty NOT BETWEEN 1 AND 10",
    "qty = '5'",
    "qty = 'five'",
    "qty IS 5",
    "qty IS NOT 5",
    "0x1F = qty",
    "active IN (0,1)",
    "active = 1",
    "active = TRUE",
    "active",
    "NOT active",
    "active = 2",
    "NOT qty",
    "qty AND active",
    "(qty > 0) + (ratio > 0) = 1",
    "iif(active, 1, 0)",
    "name = 5",
    "name IN ('a', 'b')",
    "name = \"pending\"",
    "name = \"active\"",
    "\"name\" <> ''",
    "[name] <> ''",
    "NAME <> ''",
    "t.name <> ''",
    "name < 'm'",
    "name BETWEEN 'a' AND 'm'",
    "name = qty",
    "length(name) <= 50",
    "length(blob) = 16",
    "lower(name)",
    "upper(name) = name",
    "abs(qty) < 100",
    "coalesce(name, 'x')",
    "ifnull(active, 0)",
    "nullif(qty, 0)",
    "substr(name, 1, 3)",
    "substr(name, 2)",
    "substr(name, -2)",
    "substr(name, 0, 2)",
    "substr(name, 1, qty)",
    "trim(name)",
    "ltrim(name)",
    "trim(name, 'x')",
    "rtrim(name, '.')",
    "trim(name, 'xy')",
    "replace(name, 'a', 'b')",
    "instr(name, 'x') > 0",
    "name || '-' || qty",
    "name || 1",
    "name || ratio",
    "name LIKE 'ab%'",
    "name NOT LIKE 'AB_'",
    "name LIKE 'a\\%'",
    "name LIKE 'a!%' ESCAPE '!'",
    "name LIKE 'é%'",
    "name LIKE name",
    "name GLOB 'a*_?'",
    "name GLOB '[a-z]*'",
    "qty / 2",
    "qty / qty",
    "ratio / 2",
    "qty / 2.0",
    "price / 2",
    "qty % 3",
    "ratio % 3",
    "qty * 1.5 > 2",
    "price * qty",
    "-qty < 0",
    "qty + name",
    "qty & 1",
    "max(qty, 5)",
    "min(qty, ratio)",
    "max(name, 'a')",
    "CASE WHEN qty > 0 THEN 'pos' ELSE 'neg' END",
    "CASE active WHEN 1 THEN 'y' ELSE 'n' END",
    "CAST(ratio AS INTEGER)",
    "CAST(name AS INT)",
    "CAST(qty AS TEXT)",
    "CAST(qty AS REAL)",
    "CAST(ratio AS TEXT)",
    "CAST(qty AS NUMERIC)",
    "CAST(qty AS BLOB)",
    "typeof(qty) = 'integer'",
    "typeof(name) IN ('text', 'null')",
    "typeof(name) = 'null'",
    "typeof(ratio) <> 'real'",
    "typeof(price) = 'real'",
    "typeof(qty)",
    "json_valid(data)",
    "json_valid(name)",
    "json_extract(data, '$.a') = 1",
    "data ->> '$.a' = 1",
    "data = '{}'",
    "data IS NOT NULL",
    "created > '2020-01-01 10:00:00'",
    "created > '2020-01-01'",
    "created <= '2020-01-01'",
    "'2020-01-01' < created",
    "created = '2020-01-01'",
    "seen <= '2020-01-01T10:00:00+02:00'",
    "seen > created",
    "created > 0",
    "created > day",
    "day >= '2020-01-01'",
    "day >= '2020-1-1'",
    "created < datetime('now', '-7 days')",
    "day = date('now')",
    "date(created) = day",
    "uid = '0b6a2f4e-9f5c-4d7e-8a1b-2c3d4e5f6a7b'",
    "uid > 'a'",
    "blob = X'00ff'",
    "random() > 0",
    "round(ratio, 2) > 1",
    "printf('%d', qty) = '1'",
    "name REGEXP 'a'",
    "name COLLATE NOCASE = 'a'",
    "name COLLATE BINARY = 'a'",
    "x > 0",
    "rowid > 5",
    "qty IN (SELECT 1)",
    "qty > ",
    "qty > 0 garbage",
    "name LIKE '%B_'",
    "name LIKE 'a!_b%' ESCAPE '!'",
    "name LIKE 'e%'",
    "name NOT LIKE 'a%'",
    "name GLOB 'a*'",
    "name GLOB 'A?C'",
    "qty / (qty - 3)",
    "length(name)",
    "ifnull(qty, 0) + 1",
    "substr(name, 2, 2)",
    "rtrim(name, 'c')",
    "instr(name, 'b')",
    "name < 'b'",
    "name > 'B'",
    "name BETWEEN 'a' AND 'b'",
    "name = 'abc'",
    "name = 'a'",
    "name IN ('abc', 'a ')",
    "CASE WHEN qty > 5 THEN 'big' ELSE 'small' END",
    "CAST(qty AS REAL) / 4",
    "typeof(name) IN ('text')",
    "qty IS NOT NULL AND qty > 0",
    "abs(qty)",
    "(qty > 0) + (ratio > 0)",
    "created > '2020-06-01'",
    "created >= '2020-06-01'",
    "created <= '2020-06-01'",
    "created < '2020-06-01'",
    "created > '2020-06-01 12:00:00'",
    "created BETWEEN '2020-06-01 00:00:00' AND '2020-06-01 12:00:00'",
    "date(created) = '2020-06-01'",
    "-qty",
    "price > 3",
    "price * 2",
    "qty >= 0",
    "created > '2000-01-01'",
    "name NOT LIKE '%forbidden%'",
    "CASE WHEN qty > 100 THEN 0 ELSE 1 END = 1",
    "ratio / 2 < 1000",
    "quoted IS NOT NULL AND quoted <> 'bad'",
    "flag = 0 OR active",
    "active = 1 AND qty > 0",
    "name IS NOT NULL",
    "typeof(name) = 'text'",
    "name LIKE 'a%'",
    "qty * 2",
    "coalesce(name, '')",
    "date(created)",
];

const TEST_VIEWS: &[&str] = &[
    "SELECT o.id, c.name AS customer, total / 100.0 AS amount FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid' ORDER BY o.id DESC LIMIT 10",
    "CREATE VIEW v AS SELECT orders.id, count(*) AS n FROM orders, customers LEFT JOIN orders x ON x.id = customers.id GROUP BY orders.id HAVING count(*) > 1",
    "WITH t AS (SELECT * FROM orders) SELECT * FROM t WHERE id IN (SELECT id FROM customers) AND name LIKE 'a%'",
    "SELECT * FROM (SELECT id FROM main.orders) WHERE id > 0 ORDER BY id NULLS LAST",
    "SELECT name, avg(total) FROM orders GROUP BY name ORDER BY 2",
    "SELECT id FROM orders WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = orders.customer_id) UNION ALL SELECT id FROM customers",
    "SELECT id || ':' || status AS label FROM orders WHERE created_at > datetime('now', '-1 day')",
    "SELECT group_concat(name, '; ') FROM customers",
    "SELECT * FROM missing",
    "SELECT x.id FROM orders",
    "SELECT rowid FROM orders",
    "SELECT id / 2 FROM orders",
    "SELECT sum(total) OVER (PARTITION BY id) FROM orders",
    "CREATE VIEW v(a) AS SELECT id FROM orders",
    "SELECT * FROM orders FULL JOIN customers USING (id)",
    "DELETE FROM orders",
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

const TEST_DEFAULTS: &[&str] = &[
    "'it''s'",
    "'\"0\"'",
    "\"\"",
    "\"abc\"",
    "0",
    "1.5",
    "X'00ff'",
    "-1",
    "'42'",
    "0x10",
    "2.0",
    "2.5",
    "'abc'",
    "-1.5",
    "(1.25)",
    "NULL",
    "(NULL)",
    "TRUE",
    "'1'",
    "'t'",
    "'f'",
    "'false'",
    "2",
    "CURRENT_TIMESTAMP",
    "(datetime('now'))",
    "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
    "current_date",
    "(date('now'))",
    "CURRENT_TIME",
    "DATETIME('now','localtime')",
    "date('now','localtime')",
    "(datetime('now', '+1 day'))",
    "(datetime('now', '+1 month'))",
    "(datetime('now', 'weekday 0'))",
    "(strftime('%s','now'))",
    "(julianday('now'))",
    "'2020-01-01 10:00:00'",
    "'2020-01-01T10:00:00.250+02:00'",
    "'2020-01-01'",
    "'yesterday'",
    "'2020-02-29'",
    "'2021-02-29'",
    "'ab'",
    "'{}'",
    "'[1, \"a\"]'",
    "'{oops'",
    "'0b6a2f4e-9f5c-4d7e-8a1b-2c3d4e5f6a7b'",
    "random()",
    "(randomblob(16))",
    "(lower(hex(randomblob(16))))",
    "(1 + 1)",
    "(1+2)",
    "(randomblob(20))",
    "(hex('ab'))",
    "(CAST(strftime('%s','now') AS INTEGER))",
    "(abs(-3) * 2)",
    "'x'",
];

/// The column defaults of the conformance corpus (`pgloader/sqlite.db`), as PRAGMA table_info
/// reports them.
const CORPUS_DEFAULTS: &[&str] = &[
    "'0'",
    "\"\"",
    "0",
    "strftime('%Y-%m-%d %H:%M:%f', 'now')",
    "'\"0\"'",
    "NULL",
    "current_date",
    "DATETIME('now', 'localtime')",
];

/// The demo database's column defaults.
const DEMO_DEFAULTS: &[&str] = &[
    "'free'", "'USD'", "1", "'{}'", "CURRENT_TIMESTAMP", "strftime('%Y-%m-%dT%H:%M:%fZ','now')", "0", "'pending'",
    "'text/csv'", "'received'", "'csv'", "'queued'",
];

const MORE_DEFAULTS: &[&str] = &[
    "-0.0", "1e3", "'1e3'", "' 42 '", "0.1", "+5", "- 5", "'abc'", "X''", "x'DEADBEEF'", "X'0'", "X'zz'",
    "9223372036854775807", "-9223372036854775808", "9223372036854775808", "0xFFFFFFFFFFFFFFFF", "0x1FFFFFFFFFFFFFFFF",
    "TRUE", "FALSE", "'true'", "'T'", "'yes'", "' 1 '", "1.0", "0.0", "1e-7", "123456789012345678", "1e400",
    "'2020-01-01 10:00'", "'2020-01-01T10:00:00Z'", "'2020-01-01 10:00:00.1234567'", "'2020-01-01 10:00:00.123456000'",
    "'2020-01-01 25:00:00'", "'2020-01-01T10:00:00-05:30'", "'2020-1-1'",
    "time('now')", "datetime('now','start of month','+1 month')", "datetime('now','+1 month')",
    "datetime('now','start of year','-1 year')", "datetime('now','localtime','+1 hour')", "datetime('now','+1 hour','localtime')",
    "strftime('%Y-%m-%d %H:%M','now')", "strftime('%Y','now')", "strftime('%j %%','now')", "strftime('%H:%M:%f','now')",
    "strftime('%w','now')", "strftime('%Y-%m-%d %H:%M:%S','now','utc')", "date('now','start of year')", "date('now','-1 day')",
    "datetime('now','+30 minutes')", "datetime('now','+90 seconds')", "datetime('now','-2 hours')", "strftime('now')",
    "datetime('now', '+1.5 day')", "datetime('2020-01-01')", "datetime('now','start of day')", "CURRENT_TIME",
    "abs(1)", "'[1,2'", "'null'", "'\"s\"'", "'0b6a2f4e9f5c4d7e8a1b2c3d4e5f6a7b'",
    "'0B6A2F4E-9F5C-4D7E-8A1B-2C3D4E5F6A7B'", "unixepoch()", "julianday('now')", "?", "bare_word", "\"dq word\"",
    "(('nested'))", "-'1'", "'it''s'", "'É'", "''", "CAST(1 AS TEXT)", "(SELECT 1)",
];

/// `{a}` is replaced by each test column (and by a name that is no column).
const ONE_COLUMN: &[&str] = &[
    "{a}", "NOT {a}", "-{a}", "+{a}", "~{a}", "{a} IS NULL", "{a} IS NOT NULL", "{a} NOTNULL", "{a} ISNULL",
    "{a} = 0", "{a} = 1", "{a} = 2", "{a} > 0", "{a} <> ''", "{a} = 'x'", "{a} < 'm'", "{a} = '5'", "{a} = 1.5",
    "{a} = X'00'", "{a} = NULL", "{a} IS 1", "{a} IS NOT 'a'", "{a} IN (0, 1)", "{a} NOT IN ('a', 'b')", "{a} IN ()",
    "{a} BETWEEN 1 AND 10", "{a} BETWEEN 'a' AND 'z'", "{a} > '2020-01-01'", "{a} >= '2020-01-01 10:00:00'",
    "{a} = '0b6a2f4e-9f5c-4d7e-8a1b-2c3d4e5f6a7b'", "{a} > datetime('now')", "{a} < date('now')", "{a} = CURRENT_TIMESTAMP",
    "{a} LIKE 'a%'", "{a} NOT LIKE '%b_'", "{a} LIKE 'A' ESCAPE '\\'", "{a} GLOB 'a*'", "{a} GLOB '*[0-9]'",
    "{a} REGEXP 'x'", "{a} + 1", "{a} - 1.5", "{a} * 2", "{a} / 2", "{a} / 0", "{a} / 2.0", "{a} % 2", "{a} & 1",
    "{a} | 2", "{a} << 1", "{a} || 'x'", "'x' || {a}", "length({a})", "lower({a})", "upper({a})", "abs({a})",
    "trim({a})", "ltrim({a}, 'x')", "rtrim({a}, 'xy')", "substr({a}, 1, 2)", "substring({a}, 2)",
    "replace({a}, 'a', 'b')", "instr({a}, 'a')", "coalesce({a}, 0)", "ifnull({a}, '')", "nullif({a}, 1)",
    "iif({a}, 1, 0)", "max({a}, 1)", "min({a}, 'a')", "typeof({a}) = 'integer'", "typeof({a}) = 'text'",
    "typeof({a}) IN ('real', 'null')", "typeof({a}) <> 'blob'", "json_valid({a})", "json_extract({a}, '$.a')",
    "hex({a})", "quote({a})", "round({a})", "round({a}, 1)", "date({a})", "datetime({a})", "strftime('%Y', {a})",
    "julianday({a})", "unixepoch({a})", "CAST({a} AS INTEGER)", "CAST({a} AS TEXT)", "CAST({a} AS REAL)",
    "CAST({a} AS NUMERIC)", "CAST({a} AS BLOB)", "CAST({a} AS VARCHAR(10))", "CASE WHEN {a} THEN 1 ELSE 0 END",
    "CASE {a} WHEN 1 THEN 'a' WHEN 'x' THEN 'b' END", "{a} COLLATE NOCASE = 'a'", "{a} COLLATE BINARY < 'a'",
    "{a} COLLATE RTRIM = 'a'", "({a})", "{a} AND 1", "{a} OR {a} IS NULL", "count({a})", "sum({a})",
    "group_concat({a})", "char({a})", "unicode({a})", "printf('%s', {a})", "likely({a})", "random() > {a}",
    "{a} -> '$.a'", "{a} ->> '$.a'", "t.{a} > 0", "main.t.{a} > 0", "\"{a}\" = 1", "[{a}] = 1", "`{a}` = 1",
];

/// `{a}` and `{b}`: every pair of test columns.
const TWO_COLUMNS: &[&str] = &["{a} = {b}", "{a} < {b}", "{a} + {b}", "{a} || {b}", "max({a}, {b})", "{a} IS NOT {b}"];

const LITERAL_EXPRS: &[&str] = &[
    "1", "1 = 1", "'a' = 'a'", "NULL", "NULL IS NULL", "1 / 0", "7 / 2", "7.0 / 2", "7 % 0", "-9223372036854775808",
    "9223372036854775808", "0x7FFFFFFFFFFFFFFF", "0x10000000000000000", "X'0102'", "X'010'", "'a' || 'b'",
    "'a' || 1 || 2.5", "TRUE", "FALSE", "NOT 1", "1 AND 0", "1 + '2'", "'3' * 2", "CURRENT_TIMESTAMP",
    "CURRENT_DATE", "CURRENT_TIME", "datetime('now')", "datetime('now', 'localtime')", "date('now', 'start of month', '+1 month')",
    "strftime('%Y-%m-%d %H:%M:%f', 'now')", "strftime('%d/%m/%Y', 'now')", "strftime('%%', 'now')",
    "time('now', '+5 minutes')", "datetime('now') > '2020-01-01'", "length('abc')", "lower('ABC')", "upper('é')",
    "abs(-1)", "coalesce(NULL, 1)", "iif(1, 'a', 'b')", "CASE WHEN 1 THEN 2 END", "CASE 1 WHEN 1 THEN 2 ELSE 3 END",
    "CAST('1' AS INTEGER)", "CAST(1.9 AS INTEGER)", "CAST(1 AS TEXT)", "CAST('a' AS BLOB)", "'abc' LIKE 'A%'",
    "'abc' GLOB 'a*'", "'a' < 'B'", "1 < 'a'", "? > 1", ":x > 1", "qty > 0 AND (name LIKE 'a%' OR name IS NULL)",
    "(qty > 0) = (ratio > 0)", "qty IN (1, 2, '3')", "name IN (1, 'a')", "qty BETWEEN ratio AND price",
    "coalesce(qty, ratio, price)", "max(qty, ratio, price)", "min(qty)", "max()", "nullif(name, '')",
    "substr(name, 1)", "substr(name, qty)", "substr(name, 1, -1)", "trim(name, '')", "replace(name, '', 'x')",
    "length(qty)", "length(ratio)", "length(active)", "lower(qty)", "typeof(1)", "typeof(NULL) = 'null'",
    "typeof(qty) = typeof(ratio)", "json_valid('{}')", "json(data)", "json_type(data)", "data -> 'a'",
    "created = seen", "created > seen", "day < created", "date(seen) = day", "date(day)", "datetime(created)",
    "datetime(created, '+1 day')", "strftime('%Y-%m-%d', created)", "created > datetime('now', '-1 day')",
    "seen > datetime('now', 'localtime')", "day > date('now', '-7 days')", "created BETWEEN '2020-01-01' AND '2021-01-01'",
    "created IN ('2020-01-01 00:00:00', '2020-01-02')", "day IN ('2020-01-01', 'x')", "uid IN ('0b6a2f4e-9f5c-4d7e-8a1b-2c3d4e5f6a7b')",
    "blob = 'ab'", "blob < X'00'", "name = X'61'", "active IN (0, 1, 2)", "active BETWEEN 0 AND 1", "active = 'true'",
    "active + 1", "active * qty", "NOT NOT active", "active IS TRUE", "active IS NOT FALSE", "qty IS TRUE",
    "name COLLATE NOCASE", "name = 'a' COLLATE NOCASE", "name LIKE '%'", "name LIKE ''", "name LIKE 'a' ESCAPE 'ab'",
    "name LIKE NULL", "name GLOB ''", "name GLOB 'a?b'", "name GLOB '[abc]'", "name GLOB 'a\\*'",
    "name NOT GLOB 'x*'", "name MATCH 'x'", "qty IN (SELECT qty FROM t)", "EXISTS (SELECT 1)", "(SELECT 1)",
    "CAST(name AS DATE)", "CAST(created AS TEXT)", "CAST(day AS INTEGER)", "CAST(active AS INTEGER)",
    "CAST(active AS TEXT)", "CAST(price AS INTEGER)", "CAST(price AS REAL)", "CAST(ratio AS REAL)", "CAST(NULL AS TEXT)",
    "qty / 2 * 2", "qty / (qty - 1)", "qty % qty", "price + 1", "price - price", "price * 1.5", "price / price",
    "ratio / ratio", "ratio / qty", "qty / ratio", "-price", "-ratio", "- -qty", "qty - -1", "qty + 9223372036854775807",
    "qty || qty", "ratio || 'x'", "price || 'x'", "active || 'x'", "day || 'x'", "created || 'x'", "uid || 'x'",
    "data || 'x'", "blob || 'x'", "name || NULL", "NULL || name", "name || ''",
    "qty > 0 OR qty < 0 AND qty = 0", "(qty > 0 OR qty < 0) AND qty = 0", "NOT (qty > 0 AND ratio > 0)",
    "qty = 1 = 1", "qty > 0 IS NOT NULL", "(qty IS NULL) = (ratio IS NULL)",
];

/// The demo database's CHECKs, partial-index predicate and index expressions.
const DEMO_EXPRS: &[&str] = &[
    "plan IN ('free', 'pro', 'enterprise')", "currency IN ('USD','EUR','GBP')", "is_active IN (0, 1)", "price > 0",
    "status IN ('pending','paid','shipped','cancelled','refunded')", "total >= 0", "quantity > 0", "unit_price > 0",
    "kind IN ('receive','sale','adjust','return')", "quantity_delta <> 0", "reserved >= 0", "new_price > 0",
    "request_method IN ('POST','PUT','PATCH','DELETE')", "size_bytes >= 0", "status IN ('received','processing','done','failed')",
    "chunk_index >= 0", "format IN ('csv','jsonl','parquet')", "status IN ('queued','running','done','failed')",
    "lower(email)", "status = 'pending'", "marketing_opt_in IN (0, 1)", "created_at > '2020-01-01'",
];

const DEMO_VIEWS: &[&str] = &["CREATE VIEW order_totals AS
SELECT o.id AS order_id,
       o.tenant_id,
       o.customer_id,
       o.status,
       o.currency,
       COUNT(i.id) AS item_count,
       COALESCE(SUM(i.quantity), 0) AS units,
       COALESCE(SUM(i.line_total), 0) AS items_total,
       o.total
FROM orders o
LEFT JOIN order_items i ON i.order_id = o.id
GROUP BY o.id"];

const MORE_VIEWS: &[&str] = &[
    "SELECT id FROM orders ORDER BY total", "SELECT id FROM orders ORDER BY total DESC", "SELECT id FROM orders ORDER BY total ASC NULLS FIRST",
    "SELECT id FROM orders ORDER BY total DESC NULLS LAST", "SELECT id FROM orders ORDER BY status COLLATE NOCASE",
    "SELECT id FROM orders LIMIT 5 OFFSET 2", "SELECT id FROM orders LIMIT 2, 5", "SELECT id FROM orders LIMIT -1",
    "SELECT id FROM orders LIMIT 5 + 1", "SELECT DISTINCT status FROM orders", "SELECT ALL status FROM orders",
    "SELECT status, count(*) FROM orders GROUP BY status HAVING count(*) > 1",
    "SELECT * FROM orders o, customers c WHERE o.customer_id = c.id", "SELECT * FROM orders NATURAL JOIN customers",
    "SELECT * FROM orders JOIN customers USING (id)", "SELECT * FROM orders LEFT OUTER JOIN customers ON 1",
    "SELECT * FROM orders RIGHT JOIN customers ON orders.customer_id = customers.id", "SELECT * FROM orders CROSS JOIN customers",
    "SELECT * FROM orders INNER JOIN customers ON orders.customer_id = customers.id",
    "SELECT * FROM orders JOIN customers", "SELECT * FROM orders LEFT JOIN customers",
    "SELECT id FROM orders UNION SELECT id FROM customers", "SELECT id FROM orders UNION ALL SELECT id FROM customers",
    "SELECT id FROM orders INTERSECT SELECT id FROM customers", "SELECT id FROM orders EXCEPT SELECT id FROM customers",
    "SELECT id FROM orders UNION SELECT id FROM customers ORDER BY 1 LIMIT 3",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r",
    "WITH a AS (SELECT id FROM orders), b AS (SELECT id FROM a) SELECT * FROM b",
    "WITH a(x) AS (SELECT id FROM orders) SELECT x FROM a", "SELECT 1", "SELECT 1 AS one, 'a' AS two", "VALUES (1)",
    "SELECT orders.* FROM orders", "SELECT o.* FROM orders o", "SELECT c.* FROM orders o", "SELECT * FROM orders INDEXED BY x",
    "SELECT * FROM orders NOT INDEXED", "SELECT * FROM (SELECT * FROM orders) AS s", "SELECT s.id FROM (SELECT id FROM orders) s",
    "SELECT * FROM (SELECT * FROM orders), (SELECT * FROM customers)", "SELECT id FROM main.orders", "SELECT id FROM other.orders",
    "SELECT id AS \"Order Id\" FROM orders", "SELECT [id] FROM [orders]", "SELECT `id` FROM `orders`", "SELECT \"id\" FROM \"orders\"",
    "SELECT id FROM ORDERS", "SELECT id FROM Orders AS O WHERE o.id > 0", "SELECT id FROM orders WHERE id = ?",
    "SELECT row_number() OVER (ORDER BY id) FROM orders", "SELECT id FROM orders WINDOW w AS (ORDER BY id)",
    "SELECT id FROM orders; SELECT id FROM customers", "", "SELECT", "CREATE VIEW IF NOT EXISTS v AS SELECT id FROM orders",
    "CREATE TEMP VIEW v AS SELECT id FROM orders", "INSERT INTO orders VALUES (1)", "SELECT * FROM orders, orders",
    "SELECT * FROM orders o JOIN orders o", "SELECT id FROM orders o WHERE o.id IN (SELECT o.id FROM customers o)",
    "SELECT (SELECT max(id) FROM customers c WHERE c.id = o.customer_id) FROM orders o",
    "SELECT id FROM orders GROUP BY 1", "SELECT id FROM orders ORDER BY id COLLATE BINARY",
    "SELECT id FROM customers WHERE name LIKE 'a%' ESCAPE '\\'", "SELECT count(DISTINCT status) FROM orders",
    "SELECT count(*) FILTER (WHERE total > 0) FROM orders", "SELECT group_concat(DISTINCT status) FROM orders",
    "SELECT total(total) FROM orders", "SELECT sum(total) / count(*) FROM orders", "SELECT avg(DISTINCT total) FROM orders",
];

/// View output columns: in a view, column types are unknown.
const VIEW_COLUMNS: &[&str] = &[
    "id", "total / 100.0", "total / 2", "total * 2", "total + 0.5", "status || '-' || id", "count(*)", "count(id)", "sum(total)",
    "avg(total)", "min(total)", "max(total)", "min(total, 1)", "max(total, id)", "total(total)", "group_concat(status)",
    "group_concat(status, ',')", "string_agg(status, ',')", "lower(status)", "upper(status)", "length(status)", "abs(total)",
    "round(total)", "round(total, 2)", "substr(status, 1, 2)", "substr(status, 2)", "trim(status)", "replace(status, 'a', 'b')",
    "instr(status, 'a')", "coalesce(total, 0)", "ifnull(total, 0)", "nullif(total, 0)", "iif(total > 0, 'y', 'n')",
    "CAST(total AS TEXT)", "CAST(total AS INTEGER)", "CAST(total AS REAL)", "CAST(status AS INTEGER)", "datetime('now')",
    "date('now')", "CURRENT_TIMESTAMP", "strftime('%Y', 'now')", "date(created_at)", "datetime(created_at)",
    "strftime('%Y', created_at)", "julianday(created_at)", "CASE WHEN total > 0 THEN 1 END", "CASE status WHEN 'paid' THEN 1 ELSE 0 END",
    "total IS NULL", "total IS 1", "total IS NOT NULL", "typeof(total)", "typeof(total) = 'integer'", "status LIKE 'p%'",
    "status GLOB 'p*'", "status = 'paid'", "status < 'p'", "NOT total", "-total", "total & 1", "json_extract(status, '$.a')",
    "rowid", "oid", "_rowid_", "orders.id", "o.id", "main.orders.id", "(SELECT max(id) FROM customers)",
    "EXISTS (SELECT 1 FROM customers)", "id IN (SELECT id FROM customers)", "id IN (1, 2)", "total BETWEEN 1 AND 2",
    "random()", "hex(status)", "printf('%d', id)", "char(65)", "id = 1 AND status = 'paid'", "'lit'", "1.5", "NULL",
    "X'00'", "TRUE", "id || status", "status || NULL", "total || ''", "count(*) > 1", "sum(total) OVER ()",
];

/// WHERE clauses of a view.
const VIEW_WHERES: &[&str] = &[
    "total > 0", "total / 2 > 1", "status = 'paid'", "status <> 'paid'", "status < 'b'", "status LIKE 'P%'", "status NOT LIKE '%a'",
    "status GLOB '*a*'", "status IN ('a', 'b')", "status IS NULL", "status IS 'a'", "status IS NOT 'a'", "total IS NOT NULL",
    "created_at > datetime('now', '-1 day')", "created_at > '2020-01-01'", "date(created_at) = date('now')",
    "id IN (SELECT customer_id FROM orders)", "EXISTS (SELECT 1 FROM customers c WHERE c.id = orders.customer_id)",
    "NOT EXISTS (SELECT 1 FROM customers)", "id = (SELECT max(id) FROM orders)", "total", "NOT total", "1", "0",
    "total BETWEEN 1 AND 10", "length(status) > 2", "lower(status) = 'paid'", "status COLLATE NOCASE = 'paid'",
    "typeof(total) = 'integer'", "total + 1 > 2", "total % 2 = 0", "total & 1", "status || 'x' = 'ax'",
    "coalesce(total, 0) > 0", "x.id > 0", "orders.id > 0", "customers.id > 0", "rowid > 0", "id > ?",
];

/// The column types a default is tried on: one of each kind the translator tells apart.
fn default_types() -> Vec<L> {
    vec![
        L::Integer { bits: 64 },
        L::Decimal { precision: Some(10), scale: Some(2) },
        L::Float,
        L::Boolean,
        L::Text { max: None },
        L::Bytes,
        L::Uuid,
        L::Date,
        L::Timestamp { tz: true },
        L::Timestamp { tz: false },
        L::Json,
        L::Unsupported { reason: "geometry".into() },
    ]
}

/// The demo database's columns that its CHECKs and index expressions name.
fn demo_columns() -> HashMap<String, (String, LogicalType)> {
    let mut c = HashMap::new();
    for (n, ty) in [
        ("plan", L::Text { max: None }),
        ("currency", L::Text { max: None }),
        ("is_active", L::Integer { bits: 64 }),
        ("price", L::Float),
        ("unit_price", L::Float),
        ("new_price", L::Float),
        ("total", L::Float),
        ("status", L::Text { max: None }),
        ("quantity", L::Integer { bits: 64 }),
        ("kind", L::Text { max: None }),
        ("quantity_delta", L::Integer { bits: 64 }),
        ("reserved", L::Integer { bits: 64 }),
        ("request_method", L::Text { max: None }),
        ("size_bytes", L::Integer { bits: 64 }),
        ("chunk_index", L::Integer { bits: 64 }),
        ("format", L::Text { max: None }),
        ("email", L::Text { max: None }),
        ("marketing_opt_in", L::Boolean),
        ("created_at", L::Timestamp { tz: false }),
    ] {
        c.insert(n.to_string(), (n.to_string(), ty));
    }
    c
}

fn generate() -> Golden {
    let mut g = Golden { out: String::new(), translations: 0 };
    let _ = writeln!(g.out, "# sqlexpr golden file: SQLite text → each target's SQL (or the refusal). Generated by sqlexpr/golden.rs; rewrite with FERRY_UPDATE_GOLDEN=1.");

    g.section("quoting: quote_ident, quote_literal");
    for s in ["plain", "Order", "a\"b", "a`b", "sp ace", "ünï", ""] {
        g.case(&format!("ident {s}"), |d| Ok(Some(quote_ident(s, d))));
        g.case(&format!("literal {s}"), |d| Ok(Some(quote_literal(s, d))));
    }

    g.section("DEFAULT: translate_default(text, type)");
    let defaults = dedup(TEST_DEFAULTS.iter().chain(CORPUS_DEFAULTS).chain(DEMO_DEFAULTS).chain(MORE_DEFAULTS).copied());
    for ty in default_types() {
        for dflt in &defaults {
            g.case(&format!("DEFAULT {dflt} ON {ty:?}"), |d| translate_default(dflt, &ty, d));
        }
    }

    g.section("expressions: translate_expr over the test columns (qty integer, price decimal, ratio float, active boolean → is_active, name text → Name, data json, created timestamptz, seen timestamp, day date, blob bytes, uid uuid)");
    let cols = super::tests::columns();
    let expr = |g: &mut Golden, cols: &HashMap<String, (String, LogicalType)>, src: &str| {
        g.case(&format!("EXPR {src}"), |d| translate_expr(src, &ExprContext { dialect: d, columns: cols }).map(Some));
    };
    let mut exprs: Vec<String> = TEST_EXPRS.iter().map(|s| s.to_string()).collect();
    let names = ["qty", "price", "ratio", "active", "name", "data", "created", "seen", "day", "blob", "uid", "nope"];
    for t in ONE_COLUMN {
        for a in names {
            exprs.push(t.replace("{a}", a));
        }
    }
    for t in TWO_COLUMNS {
        for a in names {
            for b in names {
                if a != "nope" && b != "nope" {
                    exprs.push(t.replace("{a}", a).replace("{b}", b));
                }
            }
        }
    }
    exprs.extend(LITERAL_EXPRS.iter().map(|s| s.to_string()));
    for src in dedup(exprs.iter().map(String::as_str)) {
        expr(&mut g, &cols, src);
    }

    g.section("expressions: the demo database's CHECKs and index expressions");
    let demo = demo_columns();
    for src in DEMO_EXPRS {
        expr(&mut g, &demo, src);
    }

    g.section("views: translate_select (orders → Orders, customers, order_items, products)");
    let mut tables = HashMap::new();
    for (s, t) in [("orders", "Orders"), ("customers", "customers"), ("order_items", "order_items"), ("products", "products")] {
        tables.insert(s.to_string(), t.to_string());
    }
    let mut views: Vec<String> = TEST_VIEWS.iter().chain(DEMO_VIEWS).chain(MORE_VIEWS).map(|s| s.to_string()).collect();
    for t in VIEW_COLUMNS {
        views.push(format!("SELECT {t} AS v FROM orders"));
    }
    for t in VIEW_WHERES {
        views.push(format!("SELECT id FROM orders WHERE {t}"));
    }
    for src in dedup(views.iter().map(String::as_str)) {
        g.case(&format!("VIEW {src}"), |d| translate_select(src, d, &tables).map(Some));
    }
    let _ = writeln!(g.out, "\n# {} translations", g.translations);
    g
}

#[test]
fn golden() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sqlexpr/golden.txt");
    let g = generate();
    assert!(g.translations >= 1500, "only {} translations", g.translations);
    if std::env::var_os("FERRY_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &g.out).expect("write golden.txt");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want == g.out {
        return;
    }
    // The first differing lines, with the input they belong to.
    let (w, o): (Vec<&str>, Vec<&str>) = (want.lines().collect(), g.out.lines().collect());
    let mut diffs = Vec::new();
    let mut head = "";
    for i in 0..w.len().max(o.len()) {
        let (a, b) = (w.get(i).copied().unwrap_or("<end>"), o.get(i).copied().unwrap_or("<end>"));
        if !b.starts_with("  ") {
            head = b;
        }
        if a != b {
            diffs.push(format!("line {}: {head}\n  golden: {a}\n  now:    {b}", i + 1));
            if diffs.len() == 20 {
                break;
            }
        }
    }
    panic!("the translations differ from src/sqlexpr/golden.txt (FERRY_UPDATE_GOLDEN=1 rewrites it):\n{}", diffs.join("\n"));
}
