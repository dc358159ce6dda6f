//! What the target already holds.

use crate::dialect::inspect::{Existing, Inspect};
use super::simple;
use sqlx::postgres::PgConnection;

/// Tables, views, materialized views and foreign tables already in the schema — not the
/// partitions of a partitioned table (`relispartition`: they are its parent's), nor those an
/// extension owns (`pg_stat_statements` puts two views in `public`; they do not make a
/// database "not empty").
pub async fn existing_objects(conn: &mut PgConnection, schema: &str) -> Result<Vec<Existing>, sqlx::Error> {
    let rows = simple::rows(conn, &format!(
        "SELECT c.relname::text, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = {s} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
         ORDER BY 1",
        s = simple::lit(schema)
    ))
    .await?;
    rows.iter().map(|r| Ok(Existing::new(r.try_get(0)?, &r.try_get::<String, _>(1)?))).collect()
}

pub async fn schema_exists(conn: &mut PgConnection, schema: &str) -> Result<bool, sqlx::Error> {
    simple::scalar(conn, &format!("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = {})", simple::lit(schema))).await
}

impl Inspect for PgConnection {
    async fn schema_exists(&mut self, schema: &str) -> Result<bool, sqlx::Error> {
        schema_exists(self, schema).await
    }
    async fn existing_tables(&mut self, schema: &str, _dialect: crate::dialect::Dialect) -> Result<Vec<ExistingTable>, sqlx::Error> {
        existing_tables(self, schema).await
    }
    async fn has_rows(&mut self, schema: &str, table: &str) -> Result<bool, sqlx::Error> {
        has_rows(self, schema, table).await
    }
    async fn count_rows(&mut self, schema: &str, table: &str) -> Result<i64, sqlx::Error> {
        // A scan of the whole table: with Ferry's own limits (no statement timeout).
        let sql = format!("SELECT count(*) FROM {}", super::ddl::qualified(schema, table));
        simple::scalar(self, &super::with_own_limits(&sql)).await
    }
}

use crate::diff::{ExistingColumn, ExistingForeignKey, ExistingIndex, ExistingPartition, ExistingTable};
use crate::schema::FkAction;
use sqlx::Row;
use std::collections::BTreeMap;

/// `pg_constraint`'s one-letter referential action.
fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// Every ordinary and partitioned table of the schema (not the partitions, which hold a
/// partitioned table's rows and clones of its keys) as the catalogs describe it: columns (type as
/// `format_type` spells it, nullability, default, identity, generation), primary key, UNIQUE
/// constraints, foreign keys, CHECKs, and the indexes that back no constraint.
pub async fn existing_tables(conn: &mut PgConnection, schema: &str) -> Result<Vec<ExistingTable>, sqlx::Error> {
    let mut tables: BTreeMap<String, ExistingTable> = BTreeMap::new();
    let names: Vec<String> = simple::scalars(&mut *conn, &format!(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = {s} AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1",
        s = simple::lit(schema)
    ))
    .await?;
    for n in names {
        tables.insert(n.clone(), ExistingTable { name: n, ..Default::default() });
    }
    let cols = simple::rows(&mut *conn, &format!(
        "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text, co.collname::text
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 0
         WHERE n.nspname = {s} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY c.relname, a.attnum",
        s = simple::lit(schema)
    ))
    .await?;
    for r in cols {
        let table: String = r.try_get(0)?;
        let Some(t) = tables.get_mut(&table) else { continue };
        let expr: Option<String> = r.try_get(4)?;
        let identity: String = r.try_get(5)?;
        let generated: String = r.try_get(6)?;
        let is_generated = !generated.is_empty();
        // A `serial` column's nextval() default is its identity.
        let serial = expr.as_deref().is_some_and(|e| e.starts_with("nextval("));
        t.columns.push(ExistingColumn {
            name: r.try_get(1)?,
            type_sql: r.try_get(2)?,
            not_null: r.try_get(3)?,
            default: if is_generated || serial { None } else { expr.clone() },
            identity: !identity.is_empty() || serial,
            generated: if is_generated { expr } else { None },
            collation: r.try_get::<Option<String>, _>(7)?.filter(|c| c != "default"),
        });
    }
    let cons = simple::rows(&mut *conn, &format!(
        "SELECT c.relname::text, con.conname::text, con.contype::text,
                ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o),
                f.relname::text,
                ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o),
                con.confupdtype::text, con.confdeltype::text, pg_get_expr(con.conbin, con.conrelid, true)
         FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_class f ON f.oid = con.confrelid
         WHERE n.nspname = {s} AND con.contype IN ('p', 'u', 'f', 'c')
         ORDER BY c.relname, con.conname",
        s = simple::lit(schema)
    ))
    .await?;
    for r in cons {
        let table: String = r.try_get(0)?;
        let Some(t) = tables.get_mut(&table) else { continue };
        let name: String = r.try_get(1)?;
        let kind: String = r.try_get(2)?;
        let columns: Vec<String> = r.try_get(3)?;
        match kind.as_str() {
            "p" => t.primary_key = Some((name, columns)),
            "u" => t.uniques.push((name, columns)),
            "f" => t.foreign_keys.push(ExistingForeignKey {
                name,
                columns,
                ref_table: r.try_get::<Option<String>, _>(4)?.unwrap_or_default(),
                ref_columns: r.try_get(5)?,
                on_update: fk_action(&r.try_get::<String, _>(6)?),
                on_delete: fk_action(&r.try_get::<String, _>(7)?),
            }),
            _ => t.checks.push((name, r.try_get::<Option<String>, _>(8)?.unwrap_or_default())),
        }
    }
    // Indexes that no PRIMARY KEY / UNIQUE / EXCLUDE constraint of the same table owns.
    let idx = simple::rows(&mut *conn, &format!(
        "SELECT t.relname::text, i.relname::text, x.indisunique,
                ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) k ORDER BY k),
                x.indoption::text, pg_get_expr(x.indpred, x.indrelid, true),
                ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(x.indnkeyatts + 1, x.indnatts) k ORDER BY k)
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = {s} AND t.relkind IN ('r', 'p')
           AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x'))
         ORDER BY t.relname, i.relname",
        s = simple::lit(schema)
    ))
    .await?;
    for r in idx {
        let table: String = r.try_get(0)?;
        let Some(t) = tables.get_mut(&table) else { continue };
        let parts: Vec<String> = r.try_get(3)?;
        let options: String = r.try_get(4)?;
        // indoption bit 0: DESC.
        let desc: Vec<bool> = options.split_whitespace().map(|o| o.parse::<i32>().unwrap_or(0) & 1 == 1).collect();
        t.indexes.push(ExistingIndex {
            name: r.try_get(1)?,
            unique: r.try_get(2)?,
            parts: parts.into_iter().enumerate().map(|(i, p)| (p, desc.get(i).copied().unwrap_or(false))).collect(),
            where_sql: r.try_get(5)?,
            include: r.try_get(6)?,
        });
    }
    // Partitioned tables: the key as `pg_get_partkeydef` prints it (`RANGE (created_at)`) and
    // the partitions attached to each, with their bounds.
    let parts = simple::rows(&mut *conn, &format!(
        "SELECT c.relname::text, pg_get_partkeydef(c.oid),
                ARRAY(SELECT p.relname::text FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = c.oid ORDER BY p.relname),
                ARRAY(SELECT pg_get_expr(p.relpartbound, p.oid) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = c.oid ORDER BY p.relname)
         FROM pg_partitioned_table pt
         JOIN pg_class c ON c.oid = pt.partrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = {s} AND NOT c.relispartition
         ORDER BY 1",
        s = simple::lit(schema)
    ))
    .await?;
    for r in parts {
        let table: String = r.try_get(0)?;
        let Some(t) = tables.get_mut(&table) else { continue };
        let (method, key) = partition_key(&r.try_get::<String, _>(1)?);
        let bounds: Vec<Option<String>> = r.try_get(3)?;
        let bounds = bounds.into_iter().map(|b| super::partition::bound_words(&b.unwrap_or_default())).collect();
        t.partition = Some(ExistingPartition { method, key, partitions: r.try_get(2)?, bounds });
    }
    Ok(tables.into_values().collect())
}

/// `RANGE (created_at)`, `LIST ("Kind")`, `RANGE (a, lower(b))` read as the method (lower
/// case) and the key's columns or expressions, column names unquoted.
fn partition_key(def: &str) -> (String, Vec<String>) {
    let Some((method, rest)) = def.split_once('(') else { return (def.trim().to_ascii_lowercase(), vec![]) };
    let inner = rest.trim_end().strip_suffix(')').unwrap_or(rest);
    (method.trim().to_ascii_lowercase(), crate::dialect::inspect::key_parts(inner, '"'))
}

/// Whether the table holds at least one row.
pub async fn has_rows(conn: &mut PgConnection, schema: &str, table: &str) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", super::ddl::qualified(schema, table));
    simple::scalar(conn, &sql).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_partition_key_reads_as_its_method_and_columns() {
        let cases: [(&str, &str, &[&str]); 5] = [
            ("RANGE (created_at)", "range", &["created_at"]),
            ("LIST (\"Kind\")", "list", &["Kind"]),
            ("RANGE (a, lower(b))", "range", &["a", "lower(b)"]),
            ("HASH (\"a,b\")", "hash", &["a,b"]),
            ("RANGE (\"say \"\"hi\"\"\")", "range", &["say \"hi\""]),
        ];
        for (def, method, key) in cases {
            let (m, k) = super::partition_key(def);
            assert_eq!((m.as_str(), k), (method, key.iter().map(|s| s.to_string()).collect::<Vec<_>>()), "{def}");
        }
    }
}
