//! Bulk load through batched multi-row INSERT (MySQL has no COPY; sqlx has no LOAD DATA LOCAL).

use sqlx::mysql::MySqlConnection;

/// Sends one multi-row INSERT of encoded row tuples `(…)`, led by `MARK`; returns the rows
/// the server took.
pub async fn insert_rows(conn: &mut MySqlConnection, prefix: &str, rows: &[&[u8]]) -> Result<u64, sqlx::Error> {
    let mut sql = Vec::with_capacity(super::MARK.len() + 1 + prefix.len() + rows.iter().map(|r| r.len() + 1).sum::<usize>());
    sql.extend_from_slice(super::MARK.as_bytes());
    sql.push(b' ');
    sql.extend_from_slice(prefix.as_bytes());
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            sql.push(b',');
        }
        sql.extend_from_slice(r);
    }
    let sql = String::from_utf8(sql).expect("encoded rows are UTF-8");
    let r = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(conn).await?;
    Ok(r.rows_affected())
}

/// Rows as SQL value tuples `(…, …)` for a multi-row INSERT.
pub struct ValuesRows;

impl crate::dialect::write::RowFormat for ValuesRows {
    const BOUNDED_BY_STATEMENT: bool = true;
    fn row_start(_buf: &mut Vec<u8>, _columns: usize) {}
    fn value_start(buf: &mut Vec<u8>, n: usize) {
        buf.push(if n == 0 { b'(' } else { b',' });
    }
    fn row_end(buf: &mut Vec<u8>) {
        buf.push(b')');
    }
    fn write(v: rusqlite::types::ValueRef<'_>, ty: &crate::schema::LogicalType, transform: Option<crate::convert::Transform>, dialect: crate::dialect::Dialect, buf: &mut Vec<u8>) -> Result<Option<crate::convert::Change>, crate::convert::Refusal> {
        crate::convert::convert_with(v, ty, transform, dialect, &mut crate::convert::MySqlLiteral { buf })
    }
}

#[cfg(test)]
mod lenient_connection_tests {
    use super::super::{ddl, flavor};
    use crate::plan::resolve::{PlannedColumn, PlannedTable};
    use crate::schema::LogicalType;
    use sqlx::{Connection, Row};

    fn column(name: &str, i: usize, logical: LogicalType, type_sql: &str) -> PlannedColumn {
        PlannedColumn { source: name.into(), name: name.into(), logical, transform: None, type_sql: type_sql.into(), not_null: false, source_index: i, default_sql: None, generated_sql: None, narrower: None, case_insensitive: false }
    }

    fn encode(id: i64, s: &str, at: &str, t: &PlannedTable) -> Vec<u8> {
        use crate::dialect::write::RowFormat;
        use rusqlite::types::ValueRef;
        let mut buf = vec![];
        let values = [(ValueRef::Integer(id), &t.columns[0]), (ValueRef::Text(s.as_bytes()), &t.columns[1]), (ValueRef::Text(at.as_bytes()), &t.columns[2])];
        for (n, (v, c)) in values.into_iter().enumerate() {
            super::ValuesRows::value_start(&mut buf, n);
            super::ValuesRows::write(v, &c.logical, None, crate::dialect::Dialect::MariaDb, &mut buf).expect("encodes");
        }
        super::ValuesRows::row_end(&mut buf);
        buf
    }

    /// A proxy in front of the server (ProxySQL, MaxScale, a provider's) may send a statement
    /// on a server connection that never saw Ferry's session settings. Here the session is made
    /// as lenient as a server's default can be (`sql_mode = ''`: backslashes escape, values
    /// too long are clipped with a warning) and in another time zone than UTC (`+05:30`): the
    /// rows must still arrive exactly — times with an offset stored in UTC, and read back by
    /// `validate`'s expression in UTC — and a value that does not fit (one Ferry's own checks
    /// let by: planned as unbounded text) must still be refused by the server, not clipped.
    #[tokio::test]
    async fn rows_arrive_exactly_on_a_server_connection_without_ferrys_sql_mode() {
        let base = std::env::var("FERRY_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
        let db = format!("ferry_lenient_{}", std::process::id());
        let mut admin = sqlx::MySqlConnection::connect(&base).await.unwrap_or_else(|e| panic!("MariaDB at {base}: {e}"));
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE `{db}` CHARACTER SET utf8mb4"))).execute(&mut admin).await.expect("create the test database");
        let outcome = async {
            let mut c = sqlx::MySqlConnection::connect(&format!("{}/{db}", base.trim_end_matches('/'))).await.map_err(|e| e.to_string())?;
            sqlx::raw_sql("SET SESSION sql_mode = '', time_zone = '+05:30'; SET NAMES utf8mb4; CREATE TABLE t (id int PRIMARY KEY, s varchar(8), at datetime(6))").execute(&mut c).await.map_err(|e| e.to_string())?;
            let flavor = flavor::detect(&mut c).await.map_err(|e| e.to_string())?;
            let at = LogicalType::Timestamp { tz: true };
            let cols = vec![column("id", 0, LogicalType::Integer { bits: 32 }, "int"), column("s", 1, LogicalType::Text { max: None }, "varchar(8)"), column("at", 2, at.clone(), "datetime(6)")];
            let t = PlannedTable { name: "t".into(), columns: cols, ..Default::default() };
            let prefix = ddl::insert_prefix(&t, &flavor);
            let values = ["a\\nb\\'", "C:\\x\\", "it's", "\\\\ é"];
            let times = ["2024-03-05T14:22:01.5+01:00", "2024-03-05 23:59:59", "2024-12-31T22:30:00-02:00", "1969-07-20T20:17:40Z"];
            let rows: Vec<Vec<u8>> = values.iter().zip(times).enumerate().map(|(i, (s, at))| encode(i as i64, s, at, &t)).collect();
            let took = super::insert_rows(&mut c, &prefix, &rows.iter().map(|r| r.as_slice()).collect::<Vec<_>>()).await.map_err(|e| e.to_string())?;
            let read = format!("SELECT s, {} FROM t ORDER BY id", super::super::read::canonical_expr("at", &at));
            let back: Vec<(String, String)> = sqlx::query(sqlx::AssertSqlSafe(read)).fetch_all(&mut c).await.map_err(|e| e.to_string())?.iter().map(|r| (r.get(0), r.get(1))).collect();
            let too_long = super::insert_rows(&mut c, &prefix, &[&encode(9, "nine chars", "2024-01-01", &t)]).await;
            let session: (String, String) = sqlx::query_as("SELECT @@SESSION.sql_mode, @@SESSION.time_zone").fetch_one(&mut c).await.map_err(|e| e.to_string())?;
            Ok::<_, String>((took, back, too_long.map_err(|e| e.to_string()), session, values))
        }
        .await;
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS `{db}`"))).execute(&mut admin).await;
        let (took, back, too_long, session, values) = outcome.expect("the test ran");
        assert_eq!(session, (String::new(), "+05:30".to_string()), "the session stayed lenient and away from UTC: the statement carried its own mode");
        assert_eq!(took, 4);
        let utc = ["2024-03-05 13:22:01.500000", "2024-03-05 23:59:59.000000", "2025-01-01 00:30:00.000000", "1969-07-20 20:17:40.000000"];
        let want: Vec<(String, String)> = values.iter().zip(utc).map(|(s, at)| (s.to_string(), at.to_string())).collect();
        assert_eq!(back, want, "every value as it was, every time in UTC");
        let err = too_long.expect_err("a value too long is refused, not clipped");
        assert!(err.contains("too long"), "{err}");
    }
}
