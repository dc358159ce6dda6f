//! Ferry's own logical dump of one MySQL/MariaDB database: each table's DDL as
//! `SHOW CREATE TABLE` prints it, its rows as JSON arrays of text (binary columns as hex),
//! and its restore through batched INSERTs.

use crate::backup::{DumpError, DumpObjects, TableSql};
use crate::dialect::dump::Dump;
use crate::sqlexpr::{quote_ident, quote_literal};
use crate::dialect::Dialect;
use futures_util::TryStreamExt;
use sqlx::mysql::MySqlConnection;
use sqlx::Row;

fn q(s: &str) -> String {
    quote_ident(s, Dialect::MySql)
}

impl Dump for MySqlConnection {
    async fn dump_objects(&mut self, schema: &str) -> Result<DumpObjects, sqlx::Error> {
        objects(self, schema).await
    }
    async fn dump_size(&mut self, schema: &str) -> Result<u64, sqlx::Error> {
        size(self, schema).await
    }
    async fn dump_begin(&mut self) -> Result<(), sqlx::Error> {
        Ok(())
    }
    async fn dump_table(&mut self, schema: &str, table: &str) -> Result<TableSql, sqlx::Error> {
        table_sql(self, schema, table).await
    }
    async fn dump_view(&mut self, schema: &str, view: &str) -> Result<String, sqlx::Error> {
        view_sql(self, schema, view).await
    }
    async fn dump_rows(&mut self, schema: &str, table: &str, t: &TableSql, sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> Result<u64, DumpError> {
        write_rows(self, schema, table, t, sink).await
    }
    async fn restore_rows(&mut self, _schema: &str, table: &str, t: &TableSql, max_statement: usize, lines: &mut dyn Iterator<Item = std::io::Result<Vec<u8>>>) -> Result<u64, DumpError> {
        read_rows(self, table, t, max_statement, lines).await
    }
}

/// The database's tables and views.
pub async fn objects(conn: &mut MySqlConnection, _schema: &str) -> Result<DumpObjects, sqlx::Error> {
    let rows = sqlx::query("SELECT CAST(TABLE_NAME AS CHAR), CAST(TABLE_TYPE AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY CREATE_TIME, TABLE_NAME")
        .fetch_all(conn)
        .await?;
    let mut out = DumpObjects::default();
    for r in rows {
        let (name, kind): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        if kind == "VIEW" { out.views.push(name) } else { out.tables.push(name) }
    }
    Ok(out)
}

/// The database's size on disk (data and indexes), for progress and messages.
pub async fn size(conn: &mut MySqlConnection, _schema: &str) -> Result<u64, sqlx::Error> {
    let n: Option<i64> = sqlx::query_scalar("SELECT CAST(SUM(DATA_LENGTH + INDEX_LENGTH) AS SIGNED) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")
        .fetch_one(conn)
        .await?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

/// Whether a column type's values are bytes (dumped as hex, restored as `X'…'`).
pub fn is_binary_type(data_type: &str) -> bool {
    matches!(data_type.to_ascii_lowercase().as_str(), "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" | "bit")
}

/// One table as `SHOW CREATE TABLE` prints it (keys, indexes, CHECKs, foreign keys and the
/// AUTO_INCREMENT counter included); the columns that hold stored values, and which are bytes.
pub async fn table_sql(conn: &mut MySqlConnection, _schema: &str, table: &str) -> Result<TableSql, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SHOW CREATE TABLE {}", q(table)))).fetch_one(&mut *conn).await?;
    let create: String = row.try_get::<String, _>(1).or_else(|_| row.try_get::<Vec<u8>, _>(1).map(|b| String::from_utf8_lossy(&b).into_owned()))?;
    let cols = sqlx::query(
        "SELECT CAST(COLUMN_NAME AS CHAR), CAST(DATA_TYPE AS CHAR), CAST(EXTRA AS CHAR) FROM information_schema.COLUMNS
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = TableSql { create, ..Default::default() };
    for r in cols {
        let extra = r.try_get::<Option<String>, _>(2)?.unwrap_or_default().to_ascii_lowercase();
        if extra.contains("generated") {
            continue;
        }
        out.columns.push(r.try_get(0)?);
        out.binary.push(is_binary_type(&r.try_get::<String, _>(1)?));
    }
    Ok(out)
}

/// `CREATE VIEW` for one view, as `SHOW CREATE VIEW` prints it.
pub async fn view_sql(conn: &mut MySqlConnection, _schema: &str, view: &str) -> Result<String, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SHOW CREATE VIEW {}", q(view)))).fetch_one(conn).await?;
    row.try_get::<String, _>(1).or_else(|_| row.try_get::<Vec<u8>, _>(1).map(|b| String::from_utf8_lossy(&b).into_owned()))
}

/// Streams the table's rows to `sink`, one JSON array a line: each value as text (`CAST … AS
/// CHAR`, as the server prints it in the session's UTC time zone), bytes as hex, NULL as null.
pub async fn write_rows(conn: &mut MySqlConnection, _schema: &str, table: &str, t: &TableSql, sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> Result<u64, crate::backup::DumpError> {
    let exprs: Vec<String> = t.columns.iter().zip(&t.binary).map(|(c, bin)| if *bin { format!("HEX({})", q(c)) } else { format!("CAST({} AS CHAR)", q(c)) }).collect();
    let sql = format!("SELECT {} FROM {}", exprs.join(", "), q(table));
    let mut rows = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).fetch(conn);
    let mut n = 0u64;
    while let Some(row) = rows.try_next().await? {
        let mut values = Vec::with_capacity(t.columns.len());
        for i in 0..t.columns.len() {
            let v: Option<String> = row.try_get::<Option<String>, _>(i).or_else(|_| row.try_get::<Option<Vec<u8>>, _>(i).map(|o| o.map(|b| String::from_utf8_lossy(&b).into_owned())))?;
            values.push(v.map(serde_json::Value::String).unwrap_or(serde_json::Value::Null));
        }
        let mut line = serde_json::Value::Array(values).to_string().into_bytes();
        line.push(b'\n');
        sink(&line)?;
        n += 1;
    }
    Ok(n)
}

/// One multi-row INSERT for rows as `write_rows` wrote them.
pub fn insert_sql(table: &str, t: &TableSql, rows: &[Vec<serde_json::Value>]) -> String {
    let cols: Vec<String> = t.columns.iter().map(|c| q(c)).collect();
    let mut sql = format!("INSERT INTO {} ({}) VALUES ", q(table), cols.join(", "));
    for (i, r) in rows.iter().enumerate() {
        sql.push_str(if i == 0 { "(" } else { ",(" });
        for (j, v) in r.iter().enumerate() {
            if j > 0 {
                sql.push(',');
            }
            match (v, t.binary.get(j).copied().unwrap_or(false)) {
                (serde_json::Value::String(s), true) => sql.push_str(&format!("X'{s}'")),
                (serde_json::Value::String(s), false) => sql.push_str(&quote_literal(s, Dialect::MySql)),
                _ => sql.push_str("NULL"),
            }
        }
        sql.push(')');
    }
    sql
}

/// Loads rows (JSON lines as `write_rows` wrote them) into the table in INSERTs of at most
/// `max_statement` bytes.
pub async fn read_rows(conn: &mut MySqlConnection, table: &str, t: &TableSql, max_statement: usize, lines: &mut dyn Iterator<Item = std::io::Result<Vec<u8>>>) -> Result<u64, crate::backup::DumpError> {
    let budget = max_statement.clamp(64 << 10, 4 << 20) / 2;
    let (mut batch, mut bytes, mut n) = (vec![], 0usize, 0u64);
    for line in lines {
        let line = line?;
        bytes += line.len() * 2;
        let row: Vec<serde_json::Value> = serde_json::from_slice(&line).map_err(|e| crate::backup::DumpError::Format(format!("a row of table {table}: {e}")))?;
        if row.len() != t.columns.len() {
            return Err(crate::backup::DumpError::Format(format!("a row of table {table} has {} values for {} columns", row.len(), t.columns.len())));
        }
        batch.push(row);
        if bytes >= budget {
            sqlx::raw_sql(sqlx::AssertSqlSafe(insert_sql(table, t, &batch))).execute(&mut *conn).await?;
            n += batch.len() as u64;
            batch.clear();
            bytes = 0;
        }
    }
    if !batch.is_empty() {
        sqlx::raw_sql(sqlx::AssertSqlSafe(insert_sql(table, t, &batch))).execute(&mut *conn).await?;
        n += batch.len() as u64;
    }
    Ok(n)
}

/// The `mariadb` / `mysql` client fed the SQL file on its standard input.
pub fn restore_command(t: &crate::dialect::TargetUrl, tool: &std::path::Path, dump: &std::path::Path) -> crate::error::Result<(std::process::Command, Option<std::path::PathBuf>)> {
    let mut cmd = std::process::Command::new(tool);
    // A dump is SQL the client runs; its own commands (`\! …` runs a shell command, `\.`
    // reads another file) must not run from one.
    cmd.arg(no_client_commands(tool)?);
    cmd.args(t.mysql_args());
    cmd.arg(format!("--database={}", t.database));
    let f = std::fs::File::open(dump).map_err(|e| crate::error::FerryError::Io(format!("cannot read {}: {e}", dump.display())))?;
    cmd.stdin(f);
    Ok((cmd, None))
}

/// The client's switch that stops it running commands of its own found in the SQL it reads:
/// MariaDB's `--sandbox`, MySQL's `--skip-system-command` (8.0.40, 8.4.3). A client with
/// neither is refused: the restore says which client to use instead.
fn no_client_commands(tool: &std::path::Path) -> crate::error::Result<&'static str> {
    let help = std::process::Command::new(tool).arg("--help").output().map_err(|e| crate::error::FerryError::Other(format!("cannot run {}: {e}", tool.display())))?;
    let help = String::from_utf8_lossy(&help.stdout);
    pick_no_client_commands(&help).ok_or_else(|| {
        crate::error::FerryError::Other(format!(
            "{} cannot be told not to run commands found in a dump (it has neither --sandbox nor --skip-system-command): install MariaDB's client 10.5.25 or later, or MySQL's 8.0.40 or later, or restore a backup taken with --engine ferry",
            tool.display()
        ))
    })
}

fn pick_no_client_commands(help: &str) -> Option<&'static str> {
    if help.contains("--sandbox") {
        Some("--sandbox")
    } else if help.contains("--system-command") {
        Some("--skip-system-command")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_told_not_to_run_a_dumps_commands() {
        let cases = [
            ("  --sandbox           Disallow commands that access the file system", Some("--sandbox")),
            ("  --system-command    Enable or disable (by default) system command", Some("--skip-system-command")),
            ("  --batch             Don't use history file.", None),
        ];
        for (help, want) in cases {
            assert_eq!(pick_no_client_commands(help), want, "{help}");
        }
    }

    #[test]
    fn inserts_quote_text_and_write_bytes_as_hex() {
        let t = TableSql { columns: vec!["id".into(), "note".into(), "data".into()], binary: vec![false, false, true], ..Default::default() };
        let rows = vec![
            vec![serde_json::json!("1"), serde_json::json!("it's"), serde_json::json!("00FF")],
            vec![serde_json::json!("2"), serde_json::Value::Null, serde_json::Value::Null],
        ];
        assert_eq!(insert_sql("t`x", &t, &rows), "INSERT INTO `t``x` (`id`, `note`, `data`) VALUES ('1','it''s',X'00FF'),('2',NULL,NULL)");
        for (ty, bin) in [("blob", true), ("VARBINARY", true), ("bit", true), ("varchar", false), ("json", false), ("datetime", false)] {
            assert_eq!(is_binary_type(ty), bin, "{ty}");
        }
    }
}
