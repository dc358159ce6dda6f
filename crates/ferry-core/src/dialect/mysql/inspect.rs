//! What the target already holds.

use crate::dialect::inspect::{Existing, Inspect};
use sqlx::mysql::MySqlConnection;

/// Tables, views and sequences (MariaDB) already in the current database.
pub async fn existing_objects(conn: &mut MySqlConnection) -> Result<Vec<Existing>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT CAST(table_name AS CHAR), CAST(table_type AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1")
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|(name, kind)| Existing::new(name, &kind)).collect())
}

impl Inspect for MySqlConnection {
    async fn schema_exists(&mut self, _schema: &str) -> Result<bool, sqlx::Error> {
        Ok(true)
    }
    async fn existing_tables(&mut self, _schema: &str, dialect: Dialect) -> Result<Vec<ExistingTable>, sqlx::Error> {
        existing_tables(self, dialect).await
    }
    async fn has_rows(&mut self, _schema: &str, table: &str) -> Result<bool, sqlx::Error> {
        has_rows(self, table).await
    }
    async fn count_rows(&mut self, _schema: &str, table: &str) -> Result<i64, sqlx::Error> {
        let sql = format!("SELECT COUNT(*) FROM {}", crate::sqlexpr::quote_ident(table, Dialect::MySql));
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(self).await
    }
}

use crate::diff::{ExistingColumn, ExistingForeignKey, ExistingIndex, ExistingPartition, ExistingTable};
use crate::schema::FkAction;
use crate::dialect::Dialect;
use sqlx::Row;
use std::collections::BTreeMap;

/// Every base table of the current database as `information_schema` describes it: columns
/// (`COLUMN_TYPE`, nullability, default, AUTO_INCREMENT, generation, collation), primary key,
/// UNIQUE constraints, foreign keys, CHECKs, and the other indexes. MariaDB's `json` columns
/// (a `longtext` with a column-level `json_valid` CHECK) read back as `json`.
pub async fn existing_tables(conn: &mut MySqlConnection, dialect: Dialect) -> Result<Vec<ExistingTable>, sqlx::Error> {
    let mut tables: BTreeMap<String, ExistingTable> = BTreeMap::new();
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    for n in names {
        tables.insert(n.clone(), ExistingTable { name: n, ..Default::default() });
    }
    let cols = sqlx::query(
        "SELECT CAST(TABLE_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_TYPE AS CHAR), CAST(IS_NULLABLE AS CHAR),
                CAST(COLUMN_DEFAULT AS CHAR), CAST(EXTRA AS CHAR), CAST(GENERATION_EXPRESSION AS CHAR), CAST(COLLATION_NAME AS CHAR)
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in cols {
        let table: String = r.try_get(0)?;
        let Some(t) = tables.get_mut(&table) else { continue };
        let extra = r.try_get::<Option<String>, _>(5)?.unwrap_or_default().to_ascii_lowercase();
        let generated = r.try_get::<Option<String>, _>(6)?.filter(|g| !g.is_empty() && extra.contains("generated"));
        // MariaDB spells "no default" as NULL and "DEFAULT NULL" as the word NULL.
        let default = r.try_get::<Option<String>, _>(4)?.filter(|d| d != "NULL" && generated.is_none());
        t.columns.push(ExistingColumn {
            name: r.try_get(1)?,
            type_sql: r.try_get(2)?,
            not_null: r.try_get::<String, _>(3)? == "NO",
            default,
            identity: extra.contains("auto_increment"),
            generated,
            collation: r.try_get(7)?,
        });
    }
    let keys = sqlx::query(
        "SELECT CAST(tc.TABLE_NAME AS CHAR), CAST(tc.CONSTRAINT_NAME AS CHAR), CAST(tc.CONSTRAINT_TYPE AS CHAR), CAST(k.COLUMN_NAME AS CHAR),
                CAST(k.REFERENCED_TABLE_NAME AS CHAR), CAST(k.REFERENCED_COLUMN_NAME AS CHAR), CAST(rc.UPDATE_RULE AS CHAR), CAST(rc.DELETE_RULE AS CHAR)
         FROM information_schema.TABLE_CONSTRAINTS tc
         JOIN information_schema.KEY_COLUMN_USAGE k
           ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND k.TABLE_NAME = tc.TABLE_NAME AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
         LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS rc
           ON rc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND rc.TABLE_NAME = tc.TABLE_NAME AND rc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
         WHERE tc.CONSTRAINT_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
         ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_NAME, k.ORDINAL_POSITION",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in keys {
        let table: String = r.try_get(0)?;
        let Some(t) = tables.get_mut(&table) else { continue };
        let (name, kind, col): (String, String, String) = (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        match kind.as_str() {
            "PRIMARY KEY" => t.primary_key.get_or_insert_with(|| (name, vec![])).1.push(col),
            "UNIQUE" => match t.uniques.iter_mut().find(|u| u.0 == name) {
                Some(u) => u.1.push(col),
                None => t.uniques.push((name, vec![col])),
            },
            _ => {
                let ref_col: String = r.try_get::<Option<String>, _>(5)?.unwrap_or_default();
                match t.foreign_keys.iter_mut().find(|f| f.name == name) {
                    Some(f) => {
                        f.columns.push(col);
                        f.ref_columns.push(ref_col);
                    }
                    None => t.foreign_keys.push(ExistingForeignKey {
                        name,
                        columns: vec![col],
                        ref_table: r.try_get::<Option<String>, _>(4)?.unwrap_or_default(),
                        ref_columns: vec![ref_col],
                        on_update: FkAction::parse(&r.try_get::<Option<String>, _>(6)?.unwrap_or_default()),
                        on_delete: FkAction::parse(&r.try_get::<Option<String>, _>(7)?.unwrap_or_default()),
                    }),
                }
            }
        }
    }
    // CHECKs: MariaDB names the table and the level (a column-level CHECK is the column's
    // own, as `json` is); MySQL 8 only through TABLE_CONSTRAINTS.
    let checks = if dialect == Dialect::MariaDb {
        sqlx::query(
            "SELECT CAST(TABLE_NAME AS CHAR), CAST(CONSTRAINT_NAME AS CHAR), CAST(CHECK_CLAUSE AS CHAR), CAST(LEVEL AS CHAR)
             FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME",
        )
        .fetch_all(&mut *conn)
        .await?
    } else {
        sqlx::query(
            "SELECT CAST(tc.TABLE_NAME AS CHAR), CAST(cc.CONSTRAINT_NAME AS CHAR), CAST(cc.CHECK_CLAUSE AS CHAR), CAST('Table' AS CHAR)
             FROM information_schema.CHECK_CONSTRAINTS cc
             JOIN information_schema.TABLE_CONSTRAINTS tc
               ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
             WHERE cc.CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2",
        )
        .fetch_all(&mut *conn)
        .await?
    };
    for r in checks {
        let table: String = r.try_get(0)?;
        let Some(t) = tables.get_mut(&table) else { continue };
        let (name, clause, level): (String, String, String) = (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        if level.eq_ignore_ascii_case("Column") {
            let is_json = clause.to_ascii_lowercase().replace(['`', ' '], "") == format!("json_valid({})", name.to_ascii_lowercase());
            if let Some(c) = t.columns.iter_mut().find(|c| c.name.eq_ignore_ascii_case(&name)) {
                if is_json && c.type_sql.eq_ignore_ascii_case("longtext") {
                    c.type_sql = "json".into();
                    continue;
                }
            }
        }
        t.checks.push((name, clause));
    }
    // Indexes other than the primary key; MySQL 8 names a functional part's EXPRESSION.
    let with_expr = "SELECT CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), NON_UNIQUE = 0, CAST(COLUMN_NAME AS CHAR), CAST(COLLATION AS CHAR), CAST(EXPRESSION AS CHAR)
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME <> 'PRIMARY' ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";
    let without_expr = "SELECT CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), NON_UNIQUE = 0, CAST(COLUMN_NAME AS CHAR), CAST(COLLATION AS CHAR), CAST(NULL AS CHAR)
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME <> 'PRIMARY' ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";
    let idx = if dialect == Dialect::MySql { sqlx::query(with_expr).fetch_all(&mut *conn).await? } else { sqlx::query(without_expr).fetch_all(&mut *conn).await? };
    for r in idx {
        let table: String = r.try_get(0)?;
        let Some(t) = tables.get_mut(&table) else { continue };
        let name: String = r.try_get(1)?;
        let unique: bool = r.try_get::<i64, _>(2)? != 0;
        let part = match (r.try_get::<Option<String>, _>(3)?, r.try_get::<Option<String>, _>(5)?) {
            (Some(c), _) => c,
            (None, Some(e)) => format!("({e})"),
            (None, None) => String::new(),
        };
        let desc = r.try_get::<Option<String>, _>(4)?.as_deref() == Some("D");
        match t.indexes.iter_mut().find(|i| i.name == name) {
            Some(i) => i.parts.push((part, desc)),
            None => t.indexes.push(ExistingIndex { name, unique, parts: vec![(part, desc)], where_sql: None, include: vec![] }),
        }
    }
    // Partitioned tables: one row per partition (a plain table has one with no name), with its
    // bound.
    let parts = sqlx::query(
        "SELECT CAST(TABLE_NAME AS CHAR), CAST(PARTITION_NAME AS CHAR), CAST(PARTITION_METHOD AS CHAR), CAST(PARTITION_EXPRESSION AS CHAR), CAST(PARTITION_DESCRIPTION AS CHAR)
         FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND PARTITION_NAME IS NOT NULL
         ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in parts {
        let table: String = r.try_get(0)?;
        let Some(t) = tables.get_mut(&table) else { continue };
        let name: String = r.try_get(1)?;
        let p = t.partition.get_or_insert_with(|| {
            let method = r.try_get::<Option<String>, _>(2).ok().flatten().unwrap_or_default();
            let expr = r.try_get::<Option<String>, _>(3).ok().flatten().unwrap_or_default();
            ExistingPartition { method: partition_method(&method), key: partition_key(&expr), ..Default::default() }
        });
        p.partitions.push(name);
        p.bounds.push(super::partition::bound_words(&r.try_get::<Option<String>, _>(4)?.unwrap_or_default()));
    }
    Ok(tables.into_values().collect())
}

/// `RANGE COLUMNS` reads as `range` (the key is then columns), `LINEAR HASH` as `hash`.
fn partition_method(m: &str) -> String {
    let m = m.trim().to_ascii_lowercase();
    let m = m.strip_suffix(" columns").unwrap_or(&m);
    m.strip_prefix("linear ").unwrap_or(m).to_string()
}

/// `PARTITION_EXPRESSION` (`` `created_at` ``, `` `a`,`b` ``, `year(`d`)`) as its columns,
/// unquoted, or expressions as printed.
fn partition_key(expr: &str) -> Vec<String> {
    crate::dialect::inspect::key_parts(expr, '`')
}

/// Whether the table holds at least one row.
pub async fn has_rows(conn: &mut MySqlConnection, table: &str) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", crate::sqlexpr::quote_ident(table, Dialect::MySql));
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(conn).await?;
    Ok(n != 0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_partition_key_reads_as_its_method_and_columns() {
        let cases: [(&str, &str, &str, &[&str]); 4] = [
            ("RANGE COLUMNS", "`created_at`", "range", &["created_at"]),
            ("RANGE", "year(`d`)", "range", &["year(`d`)"]),
            ("LINEAR HASH", "`a`,`b`", "hash", &["a", "b"]),
            ("LIST COLUMNS", "`a,b`", "list", &["a,b"]),
        ];
        for (method, expr, m, key) in cases {
            assert_eq!((super::partition_method(method).as_str(), super::partition_key(expr)), (m, key.iter().map(|s| s.to_string()).collect::<Vec<_>>()), "{method} {expr}");
        }
    }
}
