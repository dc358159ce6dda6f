//! Reads a SQLite file's whole schema into the neutral model, without ever writing to it.
//!
//! PRAGMAs give columns, keys, foreign keys and indexes; the `sqlite_master` text (parsed by
//! `parse`) gives what PRAGMAs do not: CHECKs, collations, generated expressions,
//! AUTOINCREMENT, index expressions and partial-index predicates.

use super::parse;
use crate::error::{FerryError, Result};
use crate::schema::*;
use rusqlite::Connection;
use std::path::Path;

pub use super::open::{is_locked, map_err, open};

/// Checks the file's structure (`PRAGMA quick_check`) so a damaged file is refused before
/// anything is written to the target.
pub fn check_integrity(conn: &Connection, path: &Path) -> Result<()> {
    let mut stmt = conn.prepare("PRAGMA quick_check").map_err(|e| map_err(path, e))?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| map_err(path, e))?
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| map_err(path, e))?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        // One line: SQLite heads its findings with "*** in database main ***" and a newline.
        let one_line = |r: String| r.replace("*** in database main ***", " ").split_whitespace().collect::<Vec<_>>().join(" ");
        Err(FerryError::SourceCorrupt { path: path.to_path_buf(), detail: rows.into_iter().take(3).map(one_line).collect::<Vec<_>>().join("; ") })
    }
}

struct MasterRow {
    kind: String,
    name: String,
    tbl_name: String,
    sql: Option<String>,
}

/// The whole schema. Row counts are filled; profiles are not (see `profile`).
pub fn inspect(conn: &Connection, path: &Path) -> Result<Schema> {
    inspect_with(conn, path, true)
}

/// As `inspect`; without `count`, each table's `row_count` is left at 0 for the caller to
/// fill (`count_rows`), e.g. on several threads.
pub fn inspect_with(conn: &Connection, path: &Path, count: bool) -> Result<Schema> {
    let e = |err| map_err(path, err);
    let master: Vec<MasterRow> = {
        let mut stmt = conn
            .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid")
            .map_err(e)?;
        let rows = stmt
            .query_map([], |r| Ok(MasterRow { kind: r.get(0)?, name: r.get(1)?, tbl_name: r.get(2)?, sql: r.get(3)? }))
            .map_err(e)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(e)?;
        rows
    };
    // Which tables are virtual or shadow tables (SQLite 3.37+ `PRAGMA table_list`).
    let mut kinds = std::collections::HashMap::new();
    {
        let mut stmt = conn.prepare("PRAGMA main.table_list").map_err(e)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .map_err(e)?;
        for row in rows {
            let (name, kind) = row.map_err(e)?;
            kinds.insert(name, kind);
        }
    }
    let sequences = read_sqlite_sequence(conn).map_err(e)?;

    let mut schema = Schema::default();
    for m in &master {
        let sql = m.sql.clone().unwrap_or_default();
        match m.kind.as_str() {
            "table" => {
                if m.name.starts_with("sqlite_") {
                    continue;
                }
                let kind = kinds.get(&m.name).map(String::as_str).unwrap_or("table");
                if kind == "virtual" {
                    let module = virtual_module(&sql);
                    schema.virtual_tables.push(VirtualTable { name: m.name.clone(), module, sql, shadow_tables: vec![], why: None });
                    continue;
                }
                if kind == "shadow" {
                    continue;
                }
                let mut t = read_table(conn, &m.name, &sql, count).map_err(e)?;
                t.sqlite_sequence = sequences.iter().find(|(n, _)| n == &t.name).map(|(_, s)| *s);
                schema.tables.push(t);
            }
            "view" => schema.views.push(View { name: m.name.clone(), sql }),
            "trigger" => schema.triggers.push(Trigger { name: m.name.clone(), table: m.tbl_name.clone(), sql }),
            _ => {}
        }
    }
    // Shadow tables belong to the virtual table whose name prefixes theirs.
    for (name, kind) in &kinds {
        if kind == "shadow" {
            if let Some(vt) = schema.virtual_tables.iter_mut().filter(|v| name.starts_with(&format!("{}_", v.name))).max_by_key(|v| v.name.len()) {
                vt.shadow_tables.push(name.clone());
            }
        }
    }
    for vt in &mut schema.virtual_tables {
        vt.shadow_tables.sort();
    }
    // FTS tables are read as tables of their documents (`fts`), after the others.
    for vt in std::mem::take(&mut schema.virtual_tables) {
        if !super::fts::is_fts(&vt.module) {
            schema.virtual_tables.push(vt);
            continue;
        }
        match super::fts::read(conn, &vt.name, &vt.module, &vt.sql, vt.shadow_tables.clone(), count).map_err(e)? {
            Ok(t) => schema.tables.push(t),
            Err(why) => schema.virtual_tables.push(VirtualTable { why: Some(why), ..vt }),
        }
    }
    // Index definitions (the automatic ones behind UNIQUE/PRIMARY KEY come from PRAGMAs).
    for m in master.iter().filter(|m| m.kind == "index") {
        let Some(sql) = &m.sql else { continue };
        let Some(t) = schema.tables.iter_mut().find(|t| t.name == m.tbl_name) else { continue };
        let unique = {
            let mut stmt = conn.prepare("SELECT \"unique\" FROM pragma_index_list(?1) WHERE name = ?2").map_err(e)?;
            stmt.query_row([&t.name, &m.name], |r| r.get::<_, i64>(0)).map_err(e)? != 0
        };
        let (parts, where_clause) = match parse::parse_create_index(sql) {
            Ok(p) => (p.parts, p.where_clause),
            Err(_) => (index_columns(conn, &m.name).map_err(e)?, None),
        };
        t.indexes.push(Index { name: m.name.clone(), unique, parts, where_clause, sql: sql.clone() });
    }
    Ok(schema)
}

fn read_sqlite_sequence(conn: &Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    let exists: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'",
        [],
        |r| r.get(0),
    )?;
    if exists == 0 {
        return Ok(vec![]);
    }
    let mut stmt = conn.prepare("SELECT name, seq FROM sqlite_sequence")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?.unwrap_or(0))))?;
    rows.collect()
}

fn virtual_module(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    upper
        .find(" USING ")
        .map(|i| sql[i + 7..].trim_start().split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

fn index_columns(conn: &Connection, index: &str) -> rusqlite::Result<Vec<IndexPart>> {
    let mut stmt = conn.prepare("SELECT name, desc, coll, key FROM pragma_index_xinfo(?1) ORDER BY seqno")?;
    let rows = stmt.query_map([index], |r| {
        Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, i64>(3)?))
    })?;
    let mut parts = vec![];
    for row in rows {
        let (name, desc, coll, key) = row?;
        if key == 0 {
            continue;
        }
        let collation = coll.filter(|c| !c.eq_ignore_ascii_case("BINARY"));
        match name {
            Some(name) => parts.push(IndexPart::Column { name, desc: desc != 0, collation }),
            None => parts.push(IndexPart::Expr { expr: "<expression>".into(), desc: desc != 0 }),
        }
    }
    Ok(parts)
}

/// A table's rows, counted.
pub fn count_rows(conn: &Connection, path: &Path, t: &mut Table) -> Result<()> {
    t.row_count = count(conn, &t.name).map_err(|e| map_err(path, e))?;
    Ok(())
}

fn count(conn: &Connection, table: &str) -> rusqlite::Result<u64> {
    Ok(conn.query_row(&format!("SELECT count(*) FROM {}", quote(table)), [], |r| r.get::<_, i64>(0))? as u64)
}

fn read_table(conn: &Connection, name: &str, sql: &str, count_them: bool) -> rusqlite::Result<Table> {
    let parsed = parse::parse_create_table(sql).ok();
    let mut t = Table { name: name.to_string(), sql: sql.to_string(), ..Default::default() };
    let mut pk: Vec<(i64, String)> = vec![];
    {
        let mut stmt = conn.prepare("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1) ORDER BY cid")?;
        let rows = stmt.query_map([name], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                r.get::<_, i64>(2)? != 0,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        for row in rows {
            let (cname, ty, not_null, dflt, pkpos, hidden) = row?;
            if hidden == 1 {
                continue;
            }
            let pc = parsed.as_ref().and_then(|p| p.columns.iter().find(|c| c.name.eq_ignore_ascii_case(&cname)));
            let generated = pc.and_then(|c| c.generated.clone()).or(match hidden {
                2 | 3 => Some(Generated { expr: String::new(), stored: hidden == 3 }),
                _ => None,
            });
            if pkpos > 0 {
                pk.push((pkpos, cname.clone()));
            }
            t.columns.push(Column {
                name: cname,
                declared_type: ty,
                not_null,
                default: dflt,
                collation: pc.and_then(|c| c.collation.clone()),
                key_collation: None,
                generated,
                profile: None,
            });
        }
    }
    pk.sort();
    if let Some(p) = &parsed {
        t.without_rowid = p.without_rowid;
        t.strict = p.strict;
        t.checks = p.checks.clone();
    } else {
        let upper = sql.to_ascii_uppercase();
        t.without_rowid = upper.contains("WITHOUT ROWID");
    }
    if !pk.is_empty() {
        let columns: Vec<String> = pk.into_iter().map(|(_, c)| c).collect();
        if columns.len() == 1 && !t.without_rowid {
            let c = t.column(&columns[0]).unwrap();
            if c.declared_type.eq_ignore_ascii_case("INTEGER") {
                t.rowid_alias = Some(c.name.clone());
            }
        }
        t.primary_key = Some(PrimaryKey {
            name: parsed.as_ref().and_then(|p| p.pk_name.clone()),
            columns,
            autoincrement: parsed.as_ref().map(|p| p.autoincrement).unwrap_or(false),
        });
    }
    // UNIQUE constraints are the indexes of origin 'u'.
    {
        let mut stmt = conn.prepare("SELECT name, origin, \"unique\" FROM pragma_index_list(?1) ORDER BY seq DESC")?;
        let rows: Vec<(String, String, i64)> = stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        // A key's own collation on a column (`UNIQUE (email COLLATE NOCASE)`), kept on the column.
        for (iname, _, unique) in &rows {
            if *unique == 0 {
                continue;
            }
            for part in index_columns(conn, iname)? {
                if let IndexPart::Column { name: cname, collation: Some(coll), .. } = part {
                    if let Some(c) = t.columns.iter_mut().find(|c| c.name.eq_ignore_ascii_case(&cname)) {
                        if !c.collation.as_deref().is_some_and(|own| own.eq_ignore_ascii_case(&coll)) && c.key_collation.is_none() {
                            c.key_collation = Some(coll);
                        }
                    }
                }
            }
        }
        let rows: Vec<(String, String)> = rows.into_iter().map(|(n, o, _)| (n, o)).collect();
        for (iname, origin) in rows {
            if origin != "u" {
                continue;
            }
            let columns: Vec<String> = index_columns(conn, &iname)?
                .into_iter()
                .filter_map(|p| match p {
                    IndexPart::Column { name, .. } => Some(name),
                    IndexPart::Expr { .. } => None,
                })
                .collect();
            let cname = parsed.as_ref().and_then(|p| p.unique_names.iter().find(|(cols, _)| cols == &columns).map(|(_, n)| n.clone()));
            if !t.uniques.iter().any(|u| u.columns == columns) {
                t.uniques.push(Unique { name: cname, columns });
            }
        }
    }
    // Foreign keys: one entry per id, columns in seq order.
    {
        let mut stmt = conn.prepare("SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq")?;
        let rows = stmt.query_map([name], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut last_id = -1;
        for row in rows {
            let (id, rt, from, to, upd, del) = row?;
            if id != last_id {
                last_id = id;
                t.foreign_keys.push(ForeignKey {
                    name: None,
                    columns: vec![],
                    ref_table: rt,
                    ref_columns: vec![],
                    on_update: FkAction::parse(&upd),
                    on_delete: FkAction::parse(&del),
                });
            }
            let fk = t.foreign_keys.last_mut().unwrap();
            fk.columns.push(from);
            if let Some(to) = to {
                fk.ref_columns.push(to);
            }
        }
        // PRAGMA lists them last-declared first; keep the declaration order.
        t.foreign_keys.reverse();
        if let Some(p) = &parsed {
            for fk in &mut t.foreign_keys {
                fk.name = p.fk_names.iter().find(|(cols, _)| cols == &fk.columns).map(|(_, n)| n.clone());
            }
        }
    }
    if count_them {
        t.row_count = count(conn, name)?;
    }
    Ok(t)
}

/// A SQLite identifier in double quotes.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_source_is_opened_read_only_and_untrusted() {
        let dir = std::env::temp_dir().join(format!("ferry-open-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.sqlite");
        rusqlite::Connection::open(&path).unwrap().execute_batch("CREATE TABLE t (a); INSERT INTO t VALUES (1);").unwrap();
        let conn = super::open(&path).unwrap();
        let trusted: i64 = conn.query_row("PRAGMA trusted_schema", [], |r| r.get(0)).unwrap();
        let query_only: i64 = conn.query_row("PRAGMA query_only", [], |r| r.get(0)).unwrap();
        assert_eq!((trusted, query_only), (0, 1));
        assert!(conn.execute("INSERT INTO t VALUES (2)", []).is_err(), "a write is refused");
        drop(conn);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
