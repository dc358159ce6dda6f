//! Ferry's own logical dump of one PostgreSQL schema: each table's DDL rebuilt from the
//! catalogs (`format_type`, `pg_get_constraintdef`, `pg_get_indexdef`, `pg_get_viewdef`),
//! its rows as `COPY … TO STDOUT` text, and its restore through `COPY … FROM STDIN`.

use crate::backup::{DumpError, DumpObjects, TableSql};
use crate::dialect::dump::Dump;
use crate::sqlexpr::{quote_ident, quote_literal};
use crate::dialect::Dialect;
use futures_util::StreamExt;
use super::simple;
use sqlx::postgres::PgConnection;
use sqlx::Row;

/// Put before each query that prints names (`format_type`, `pg_get_*def`, `pg_get_expr`): with
/// nothing on the search path the catalogs print every name schema-qualified, so the
/// statements mean the same whatever the restoring session's search path. Carried by each
/// query (one message, one transaction) so that it holds through a transaction pooler and
/// is not left on a server connection another client gets next.
const CATALOG_PATH: &str = "SET LOCAL search_path = pg_catalog; ";

fn q(s: &str) -> String {
    quote_ident(s, Dialect::Postgres)
}

fn lit(s: &str) -> String {
    quote_literal(s, Dialect::Postgres)
}

impl Dump for PgConnection {
    async fn dump_objects(&mut self, schema: &str) -> Result<DumpObjects, sqlx::Error> {
        objects(self, schema).await
    }
    async fn dump_size(&mut self, schema: &str) -> Result<u64, sqlx::Error> {
        size(self, schema).await
    }
    /// Nothing to set for the session: each query carries its search path (`CATALOG_PATH`).
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
        write_rows(self, schema, table, &t.columns, t.partitioned, sink).await
    }
    async fn restore_rows(&mut self, schema: &str, table: &str, t: &TableSql, _max_statement: usize, lines: &mut dyn Iterator<Item = std::io::Result<Vec<u8>>>) -> Result<u64, DumpError> {
        read_rows(self, schema, table, &t.columns, lines).await
    }
}

/// The schema's tables and views, in the order they were made; a partitioned table once (its
/// partitions' rows are read through it). Not those an extension owns (`pg_stat_statements`
/// puts two views in the schema it is created in): they come with their extension, and
/// their functions are not in the dump.
pub async fn objects(conn: &mut PgConnection, schema: &str) -> Result<DumpObjects, sqlx::Error> {
    let sql = format!(
        "SELECT c.relname::text, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = {} AND c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
         ORDER BY c.oid",
        simple::lit(schema)
    );
    let rows = simple::rows(conn, &sql).await?;
    let mut out = DumpObjects::default();
    for r in rows {
        let (name, kind): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        if kind == "v" { out.views.push(name) } else { out.tables.push(name) }
    }
    for r in simple::rows(conn, &extensions_sql(schema)).await? {
        let (name, place): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        out.extensions.extend(create_extension(&name, &place, schema));
    }
    Ok(out)
}

/// The extensions a restore of the schema needs: those installed in it, and those whose
/// objects (a type, an operator class, a function) the schema's tables, columns and indexes
/// depend on. Not `plpgsql` (every database has it), nor Citus's (a cluster's own, made
/// with the server's preloaded library, not by a restore).
fn extensions_sql(schema: &str) -> String {
    format!(
        "SELECT e.extname::text, en.nspname::text FROM pg_extension e JOIN pg_namespace en ON en.oid = e.extnamespace
         WHERE e.extname <> 'plpgsql' AND e.extname NOT LIKE 'citus%'
           AND (en.nspname = {s} OR EXISTS (
             SELECT 1 FROM pg_depend x
             JOIN pg_depend d ON d.refclassid = x.classid AND d.refobjid = x.objid AND d.classid = 'pg_class'::regclass
             JOIN pg_class c ON c.oid = d.objid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE x.refclassid = 'pg_extension'::regclass AND x.refobjid = e.oid AND x.deptype = 'e' AND n.nspname = {s}))
         ORDER BY e.oid",
        s = simple::lit(schema)
    )
}

/// The statements that make one extension where a restore finds it missing: in the schema
/// it was in, made first when that is not the dumped schema (which the restore makes).
fn create_extension(name: &str, place: &str, schema: &str) -> Vec<String> {
    let make = format!("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}", q(name), q(place));
    if place == schema { vec![make] } else { vec![format!("CREATE SCHEMA IF NOT EXISTS {}", q(place)), make] }
}

/// The schema's size on disk (tables, their indexes and TOAST), for progress and messages.
pub async fn size(conn: &mut PgConnection, schema: &str) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = {} AND c.relkind IN ('r', 'p')",
        simple::lit(schema)
    );
    let n: i64 = simple::scalar(conn, &sql).await?;
    Ok(n.max(0) as u64)
}

/// One table as statements: sequences its columns' `nextval` defaults need, the CREATE TABLE
/// (columns, types, collations, defaults, identity, generation, NOT NULL), then keys,
/// UNIQUE, CHECK and exclusion constraints and the other indexes, then foreign keys, then
/// where its sequences stood.
pub async fn table_sql(conn: &mut PgConnection, schema: &str, table: &str) -> Result<TableSql, sqlx::Error> {
    let qt = format!("{}.{}", q(schema), q(table));
    let sql = format!("SELECT c.oid::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = {} AND c.relname = {}", simple::lit(schema), simple::lit(table));
    let oid: i64 = simple::scalar(&mut *conn, &sql).await?;
    let sql = format!(
        "{CATALOG_PATH}SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                a.attidentity::text, a.attgenerated::text, co.collname::text, cn.nspname::text,
                pg_get_serial_sequence({}, a.attname)
         FROM pg_attribute a
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 0 AND a.attcollation <> (SELECT typcollation FROM pg_type WHERE oid = a.atttypid)
         LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
         WHERE a.attrelid = {oid}::bigint::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        simple::lit(&qt)
    );
    let cols = simple::rows(&mut *conn, &sql).await?;
    let mut out = TableSql::default();
    let mut defs = vec![];
    for r in cols {
        let name: String = r.try_get(0)?;
        let mut d = format!("{} {}", q(&name), r.try_get::<String, _>(1)?);
        if let (Some(coll), Some(ns)) = (r.try_get::<Option<String>, _>(6)?, r.try_get::<Option<String>, _>(7)?) {
            d.push_str(&format!(" COLLATE {}.{}", q(&ns), q(&coll)));
        }
        let expr: Option<String> = r.try_get(3)?;
        let identity: String = r.try_get(4)?;
        let generated: String = r.try_get(5)?;
        let sequence: Option<String> = r.try_get(8)?;
        if !generated.is_empty() {
            d.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", expr.unwrap_or_default()));
        } else {
            out.columns.push(name.clone());
            match identity.as_str() {
                "a" => d.push_str(" GENERATED ALWAYS AS IDENTITY"),
                "d" => d.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
                _ => {
                    if let Some(e) = &expr {
                        d.push_str(&format!(" DEFAULT {e}"));
                    }
                }
            }
            if let Some(seq) = &sequence {
                if identity.is_empty() {
                    // A serial column: its sequence comes first and belongs to the column.
                    out.pre.push(format!("CREATE SEQUENCE IF NOT EXISTS {seq}"));
                    out.post.push(format!("ALTER SEQUENCE {seq} OWNED BY {qt}.{}", q(&name)));
                }
                // Where it stands, `is_called` included (a RESTART leaves it false).
                let r = simple::one(&mut *conn, &format!("SELECT last_value, is_called FROM {seq}")).await?;
                let (last, called): (i64, bool) = (r.try_get(0)?, r.try_get(1)?);
                out.after_data.push(format!("SELECT setval(pg_get_serial_sequence({}, {}), {last}, {called})", lit(&qt), lit(&name)));
            }
        }
        if r.try_get::<bool, _>(2)? {
            d.push_str(" NOT NULL");
        }
        defs.push(d);
    }
    out.create = format!("CREATE TABLE {qt} (\n  {}\n)", defs.join(",\n  "));
    // A partitioned table: its key, then its partitions (and theirs, a level down), each a
    // table of the schema made `PARTITION OF` its parent with its bounds as the server prints
    // them (a timestamptz bound with its offset).
    let sql = format!(
        "{CATALOG_PATH}WITH RECURSIVE tree(oid, parent, depth) AS (
             SELECT i.inhrelid, i.inhparent, 1 FROM pg_inherits i WHERE i.inhparent = {oid}::bigint::oid
             UNION ALL SELECT i.inhrelid, i.inhparent, t.depth + 1 FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid WHERE t.depth < 16)
         SELECT pg_get_partkeydef({oid}::bigint::oid),
                ARRAY(SELECT format('CREATE TABLE %s.%s PARTITION OF %s.%s %s%s', quote_ident(cn.nspname), quote_ident(c.relname), quote_ident(pn.nspname), quote_ident(p.relname),
                                    pg_get_expr(c.relpartbound, c.oid), CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END)
                      FROM tree t JOIN pg_class c ON c.oid = t.oid JOIN pg_namespace cn ON cn.oid = c.relnamespace
                      JOIN pg_class p ON p.oid = t.parent JOIN pg_namespace pn ON pn.oid = p.relnamespace
                      WHERE c.relispartition ORDER BY t.depth, c.relname)
         FROM pg_class WHERE oid = {oid}::bigint::oid AND relkind = 'p'"
    );
    if let Some(r) = simple::rows(&mut *conn, &sql).await?.into_iter().next() {
        let key: Option<String> = r.try_get(0)?;
        if let Some(key) = key {
            out.create.push_str(&format!(" PARTITION BY {key}"));
            out.partitions = r.try_get(1)?;
            out.partitioned = true;
        }
    }
    let sql = format!("{CATALOG_PATH}SELECT conname::text, contype::text, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = {oid}::bigint::oid AND contype IN ('p', 'u', 'c', 'x', 'f') ORDER BY contype = 'f', contype <> 'p', conname");
    let cons = simple::rows(&mut *conn, &sql).await?;
    for r in cons {
        let (name, kind, def): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let sql = format!("ALTER TABLE {qt} ADD CONSTRAINT {} {def}", q(&name));
        if kind == "f" { out.foreign_keys.push(sql) } else { out.post.push(sql) }
    }
    let sql = format!(
        "{CATALOG_PATH}SELECT pg_get_indexdef(x.indexrelid), i.relkind = 'I', quote_ident(i.relname) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
         WHERE x.indrelid = {oid}::bigint::oid AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid)
         ORDER BY i.relname"
    );
    for r in simple::rows(&mut *conn, &sql).await? {
        let (def, partitioned, name): (String, bool, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        out.post.push(if partitioned { on_every_partition(&def, &name) } else { def });
    }
    Ok(out)
}

/// A partitioned table's index as `pg_get_indexdef` prints it (`CREATE INDEX i ON ONLY
/// s.t …`: the parent alone, its partitions' indexes attached one by one, as `pg_dump` does)
/// made on the table, so that it reaches every partition as the run made it.
fn on_every_partition(def: &str, quoted_name: &str) -> String {
    let only = format!(" {quoted_name} ON ONLY ");
    match def.find(&only) {
        Some(at) => format!("{} {quoted_name} ON {}", &def[..at], &def[at + only.len()..]),
        None => def.to_string(),
    }
}

/// `CREATE VIEW` for one view, as the server prints its definition.
pub async fn view_sql(conn: &mut PgConnection, schema: &str, view: &str) -> Result<String, sqlx::Error> {
    let qv = format!("{}.{}", q(schema), q(view));
    let def: String = simple::scalar(conn, &format!("{CATALOG_PATH}SELECT pg_get_viewdef({}::regclass, true)", simple::lit(&qv))).await?;
    Ok(format!("CREATE VIEW {qv} AS\n{}", def.trim_end().trim_end_matches(';')))
}

/// Streams the table's rows (the columns `table_sql` listed, generated ones left out) as COPY
/// text, one line a row, to `sink`; returns the rows.
pub async fn write_rows(conn: &mut PgConnection, schema: &str, table: &str, columns: &[String], partitioned: bool, sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> Result<u64, crate::backup::DumpError> {
    let cols: Vec<String> = columns.iter().map(|c| q(c)).collect();
    let sql = if partitioned {
        // COPY reads no partitioned table itself; its rows, every partition's, through a query.
        format!("COPY (SELECT {} FROM {}.{}) TO STDOUT", cols.join(", "), q(schema), q(table))
    } else {
        format!("COPY {}.{} ({}) TO STDOUT", q(schema), q(table), cols.join(", "))
    };
    // Floats printed exactly (the default from PostgreSQL 12 on; set here for older servers,
    // as pg_dump does), for the COPY's own transaction: a session setting would not last
    // through a transaction pooler.
    sqlx::raw_sql(sqlx::AssertSqlSafe(super::with_own_limits("BEGIN READ ONLY; SET LOCAL extra_float_digits = 3"))).execute(&mut *conn).await?;
    let rows = copy_out(conn, &sql, sink).await;
    let end = if rows.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = sqlx::raw_sql(end).execute(&mut *conn).await;
    let rows = rows?;
    ended?;
    Ok(rows)
}

/// Streams one `COPY … TO STDOUT` to `sink`; returns the rows (lines).
async fn copy_out(conn: &mut PgConnection, sql: &str, sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> Result<u64, crate::backup::DumpError> {
    let mut stream = conn.copy_out_raw(sql).await?;
    let mut rows = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        rows += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        sink(&chunk)?;
    }
    Ok(rows)
}

/// `pg_restore` into the database in one transaction, stopping at the first error; the
/// schema's own entry left out when the schema is there already.
pub fn restore_command(t: &crate::dialect::TargetUrl, tool: &std::path::Path, schema: Option<&str>, dump: &std::path::Path, schema_exists: bool) -> crate::error::Result<(std::process::Command, Option<std::path::PathBuf>)> {
    use crate::error::FerryError;
    let tool_name = tool.file_name().and_then(|n| n.to_str()).unwrap_or("the client").to_string();
    let mut cmd = std::process::Command::new(tool);
    let mut list_file = None;
    cmd.args(["--no-owner", "--exit-on-error", "--single-transaction", "--no-password"]);
    cmd.arg(format!("--dbname={}", t.database));
    if let (true, Some(schema)) = (schema_exists, schema) {
        // The dump makes the schema; it is there already.
        let listed = std::process::Command::new(tool).arg("--list").arg(dump).output().map_err(|e| FerryError::Io(format!("cannot run {tool_name}: {e}")))?;
        if !listed.status.success() {
            return Err(FerryError::Other(format!("{tool_name} --list {} failed: {}", dump.display(), String::from_utf8_lossy(&listed.stderr).trim())));
        }
        let text = String::from_utf8_lossy(&listed.stdout);
        let kept: Vec<&str> = text.lines().filter(|l| !is_schema_entry(l, schema)).collect();
        let path = std::env::temp_dir().join(format!("ferry-restore-{}-{}.list", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)));
        crate::private::write(&path, kept.join("\n")).map_err(|e| FerryError::Io(format!("cannot write {}: {e}", path.display())))?;
        cmd.arg(format!("--use-list={}", path.display()));
        list_file = Some(path);
    }
    cmd.arg(dump);
    cmd.stdin(std::process::Stdio::null());
    Ok((cmd, list_file))
}

/// A `pg_restore --list` line for the schema itself or its comment.
fn is_schema_entry(line: &str, schema: &str) -> bool {
    if line.starts_with(';') {
        return false;
    }
    let rest = line.split_once(' ').map(|x| x.1).unwrap_or("");
    let words: Vec<&str> = rest.split_whitespace().collect();
    // "<id>; <catalog> <oid> SCHEMA - <name> <owner>" and "<id>; 0 0 COMMENT - SCHEMA <name> <owner>".
    matches!(words.as_slice(), [_, _, "SCHEMA", "-", n, ..] if *n == schema) || matches!(words.as_slice(), [_, _, "COMMENT", "-", "SCHEMA", n, ..] if *n == schema)
}

/// Loads COPY text lines (as `write_rows` wrote them) into the table.
pub async fn read_rows(conn: &mut PgConnection, schema: &str, table: &str, columns: &[String], lines: &mut dyn Iterator<Item = std::io::Result<Vec<u8>>>) -> Result<u64, crate::backup::DumpError> {
    let cols: Vec<String> = columns.iter().map(|c| q(c)).collect();
    let sql = format!("COPY {}.{} ({}) FROM STDIN", q(schema), q(table), cols.join(", "));
    let mut copy = conn.copy_in_raw(&sql).await?;
    let mut buf = Vec::with_capacity(1 << 20);
    let mut failed = None;
    for line in lines {
        match line {
            Ok(l) => buf.extend_from_slice(&l),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
        if buf.len() >= 1 << 20 {
            if let Err(e) = copy.send(std::mem::take(&mut buf)).await {
                return Err(e.into());
            }
        }
    }
    if let Some(e) = failed {
        let _ = copy.abort("the backup file could not be read").await;
        return Err(e.into());
    }
    if !buf.is_empty() {
        copy.send(buf).await?;
    }
    Ok(copy.finish().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partitioned_tables_index_is_made_on_every_partition() {
        let cases = [
            ("CREATE INDEX ev_k ON ONLY public.ev USING btree (k) INCLUDE (id)", "ev_k", "CREATE INDEX ev_k ON public.ev USING btree (k) INCLUDE (id)"),
            ("CREATE UNIQUE INDEX \"a ON ONLY b\" ON ONLY s.\"t\" USING btree (x)", "\"a ON ONLY b\"", "CREATE UNIQUE INDEX \"a ON ONLY b\" ON s.\"t\" USING btree (x)"),
            ("CREATE INDEX i ON public.t USING btree (x)", "i", "CREATE INDEX i ON public.t USING btree (x)"),
        ];
        for (def, name, want) in cases {
            assert_eq!(on_every_partition(def, name), want, "{def}");
        }
    }

    #[test]
    fn the_schema_entries_are_found_in_a_restore_list() {
        let cases = [
            ("4; 2615 2200 SCHEMA - public pg_database_owner", "public", true),
            ("3353; 0 0 COMMENT - SCHEMA public pg_database_owner", "public", true),
            ("216; 1259 23373 TABLE public t postgres", "public", false),
            ("6; 2615 23378 SCHEMA - s2 postgres", "public", false),
            ("6; 2615 23378 SCHEMA - s2 postgres", "s2", true),
            ("; Archive created at 2025-01-01", "public", false),
        ];
        for (line, schema, want) in cases {
            assert_eq!(is_schema_entry(line, schema), want, "{line}");
        }
    }
}
