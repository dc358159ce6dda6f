//! The demo database: a multi-tenant commerce application's SQLite file, built at any scale.
//!
//! [`build`] writes a realistic source for Ferry to migrate (the guide's walk-through, the
//! CLI's `ferry demo`, the engine's tests and benchmarks). The data is stored the way SQLite
//! applications really store it, so it exercises the inspector, the profiler and the mapper:
//!
//! - UUID keys as lowercase 36-character `TEXT`, declared `TEXT PRIMARY KEY` on most tables;
//!   `price_events` has an `INTEGER PRIMARY KEY`, `audit_logs` an `AUTOINCREMENT` key (so
//!   `sqlite_sequence` exists, its value above `max(id)`), `stock_levels` a composite key and
//!   `metrics_preagg` a composite key `WITHOUT ROWID`;
//! - instants as ISO-8601 text (`2024-03-05T14:22:01.123Z`) or as SQLite's own
//!   `YYYY-MM-DD HH:MM:SS`, declared `TEXT`, `DATETIME` or `TIMESTAMP`; a `DATE` column;
//! - JSON as text (declared `TEXT` or `JSON`), money as `REAL` with at most two decimals,
//!   booleans as 0/1 (`INTEGER ... CHECK (x IN (0, 1))` or `BOOLEAN`), one `BLOB` column;
//! - foreign keys (some `ON DELETE CASCADE`, one `ON DELETE SET NULL`), `UNIQUE` and `CHECK`
//!   constraints, `DEFAULT` expressions, composite, partial, expression, descending and
//!   unique indexes, a view and a trigger;
//! - NULLs, empty strings, non-ASCII text (é, 日本, emoji), quotes, tabs and newlines.
//!
//! Every value comes from a seeded PRNG (splitmix64), so a given scale always gives the same
//! rows. The total row count is `scale` (within a few rows; at least one row per table), and
//! `order_items` and `stock_events` are the largest tables. The file is built beside `path`
//! under a temporary name (one transaction, no journal, indexes after the data) and renamed
//! into place at the end, so a half-built file never looks complete.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::error::FerryError;

mod attributes;
mod counts;
mod data;
mod random;
mod time;
mod words;
pub mod wide;

use counts::Counts;
use data::fill;

/// The 16 tables of the demo database, in creation order (parents before children).
pub const TABLES: &[&str] = &[
    "tenants",
    "products",
    "customers",
    "orders",
    "order_items",
    "stock_events",
    "stock_levels",
    "price_history",
    "price_events",
    "idempotency_keys",
    "ingest_uploads",
    "order_ingest_chunks",
    "export_jobs",
    "export_chunks",
    "metrics_preagg",
    "audit_logs",
];

/// What [`build`] made: each table (in [`TABLES`] order) with its row count, and the total.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    pub tables: Vec<(String, u64)>,
    pub total_rows: u64,
}

/// Builds the demo database at `path` with about `scale` rows in all (deterministic for a given scale).
/// Refuses to overwrite an existing file unless `overwrite`.
pub fn build(path: &Path, scale: u64, overwrite: bool) -> crate::Result<DemoSummary> {
    if scale == 0 {
        return Err(FerryError::Other(
            "the demo database needs a scale of at least 1 row (e.g. 100000)".into(),
        ));
    }
    check_destination(path, overwrite)?;
    let tmp = temp_path(path)?;
    if tmp.exists() {
        // Left by a build that died in an earlier process with the same id; never complete.
        std::fs::remove_file(&tmp).map_err(|e| {
            FerryError::Io(format!("cannot remove the stale {}: {e}", tmp.display()))
        })?;
    }
    let summary = match build_at(&tmp, scale) {
        Ok(summary) => summary,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    // Check again: another process may have created the file while this one was building.
    if let Err(e) = check_destination(path, overwrite) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(FerryError::Io(format!(
            "cannot move the demo database into place at {}: {e}. Check the folder's permissions",
            path.display()
        )));
    }
    Ok(summary)
}

fn check_destination(path: &Path, overwrite: bool) -> crate::Result<()> {
    if path.is_dir() {
        return Err(FerryError::Io(format!(
            "{} is a folder. Give the path of the database file to create, e.g. {}",
            path.display(),
            path.join("demo.sqlite").display()
        )));
    }
    if path.exists() && !overwrite {
        return Err(FerryError::Io(format!(
            "{} already exists. Choose another path, or allow overwriting it",
            path.display()
        )));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(FerryError::Io(format!(
            "the folder {} does not exist. Create it first, or choose another path",
            parent.display()
        )));
    }
    Ok(())
}

/// `dir/.name.<pid>-<n>.building` beside `path`: unique to this process and this build.
fn temp_path(path: &Path) -> crate::Result<PathBuf> {
    static BUILDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path.file_name().ok_or_else(|| {
        FerryError::Io(format!(
            "{} does not name a file. Give the path of the database file to create",
            path.display()
        ))
    })?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}-{n}.building", std::process::id()));
    Ok(path.with_file_name(tmp_name))
}

fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> FerryError + '_ {
    move |e| {
        use rusqlite::ErrorCode as C;
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(
                    f.code,
                    C::DiskFull | C::CannotOpen | C::ReadOnly | C::SystemIoFailure | C::PermissionDenied
                ) =>
            {
                FerryError::Io(format!(
                    "cannot write the demo database {}: {e}. Check the free space and the folder's permissions",
                    path.display()
                ))
            }
            _ => FerryError::Other(format!("building the demo database {} failed: {e}", path.display())),
        }
    }
}

fn build_at(tmp: &Path, scale: u64) -> crate::Result<DemoSummary> {
    let err = db_err(tmp);
    let mut conn = Connection::open(tmp).map_err(&err)?;
    conn.set_prepared_statement_cache_capacity(32);
    // A brand-new file that is renamed into place only when complete: no journal, no syncs.
    conn.execute_batch(
        "PRAGMA journal_mode = OFF;
         PRAGMA synchronous = OFF;
         PRAGMA locking_mode = EXCLUSIVE;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -262144;
         PRAGMA foreign_keys = OFF;",
    )
    .map_err(&err)?;
    let counts = Counts::for_scale(scale);
    {
        let tx = conn.transaction().map_err(&err)?;
        tx.execute_batch(SCHEMA).map_err(&err)?;
        fill(&tx, &counts).map_err(&err)?;
        tx.execute_batch(INDEXES_VIEWS_TRIGGERS).map_err(&err)?;
        tx.commit().map_err(&err)?;
    }
    let mut tables = Vec::with_capacity(TABLES.len());
    for t in TABLES {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
            .map_err(&err)?;
        tables.push((t.to_string(), n as u64));
    }
    conn.close().map_err(|(_, e)| err(e))?;
    let total_rows = tables.iter().map(|(_, n)| n).sum();
    Ok(DemoSummary { tables, total_rows })
}

// ---------------------------------------------------------------------------------------------
// Schema

const SCHEMA: &str = include_str!("schema.sql");

/// Created after the data is in: building an index once is much faster than keeping it up.
const INDEXES_VIEWS_TRIGGERS: &str = include_str!("indexes.sql");

// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::types::ValueRef;
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A unique path under the temp dir, removed (with any leftovers) on drop.
    struct TempDb(PathBuf);

    impl TempDb {
        fn new(tag: &str) -> TempDb {
            static N: AtomicU64 = AtomicU64::new(0);
            let n = N.fetch_add(1, Ordering::Relaxed);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            TempDb(std::env::temp_dir().join(format!(
                "ferry-demo-test-{}-{tag}-{n}-{nanos}.sqlite",
                std::process::id()
            )))
        }
        fn build(tag: &str, scale: u64) -> (TempDb, DemoSummary) {
            let db = TempDb::new(tag);
            let summary = build(&db.0, scale, false).expect("build the demo database");
            (db, summary)
        }
        fn open(&self) -> Connection {
            Connection::open_with_flags(&self.0, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap()
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
            for tmp in leftovers(&self.0) {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }

    /// Temporary files of builds of `path` still beside it.
    fn leftovers(path: &Path) -> Vec<PathBuf> {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let prefix = format!(".{name}.");
        std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                let n = p.file_name().unwrap().to_string_lossy();
                n.starts_with(&prefix) && n.ends_with(".building")
            })
            .collect()
    }

    fn strings(conn: &Connection, sql: &str) -> Vec<String> {
        let mut st = conn.prepare(sql).unwrap();
        let rows = st.query_map([], |r| r.get::<_, String>(0)).unwrap();
        rows.map(|r| r.unwrap()).collect()
    }

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// A hash of every table's rows in a total order (and of sqlite_sequence).
    fn table_hashes(conn: &Connection) -> Vec<(String, [u8; 32])> {
        let mut out = Vec::new();
        for t in TABLES.iter().copied().chain(["sqlite_sequence"]) {
            let n: usize = conn
                .prepare(&format!("SELECT * FROM \"{t}\""))
                .unwrap()
                .column_count();
            let order: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
            let mut st = conn
                .prepare(&format!(
                    "SELECT * FROM \"{t}\" ORDER BY {}",
                    order.join(", ")
                ))
                .unwrap();
            let mut rows = st.query([]).unwrap();
            let mut h = Sha256::new();
            while let Some(row) = rows.next().unwrap() {
                for i in 0..n {
                    match row.get_ref(i).unwrap() {
                        ValueRef::Null => h.update([0]),
                        ValueRef::Integer(v) => {
                            h.update([1]);
                            h.update(v.to_le_bytes());
                        }
                        ValueRef::Real(v) => {
                            h.update([2]);
                            h.update(v.to_bits().to_le_bytes());
                        }
                        ValueRef::Text(b) | ValueRef::Blob(b) => {
                            h.update([3]);
                            h.update((b.len() as u64).to_le_bytes());
                            h.update(b);
                        }
                    }
                }
                h.update([0xff]);
            }
            out.push((t.to_string(), h.finalize().into()));
        }
        out
    }

    #[test]
    fn builds_every_table_with_about_scale_rows() {
        for scale in [1_000u64, 20_000] {
            let (db, summary) = TempDb::build("scale", scale);
            let conn = db.open();
            let names: Vec<&str> = summary.tables.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, TABLES, "scale {scale}");
            assert_eq!(TABLES.len(), 16);
            let existing = strings(&conn, "SELECT name FROM sqlite_master WHERE type = 'table'");
            for (table, rows) in &summary.tables {
                assert!(existing.contains(table), "{table} missing at scale {scale}");
                assert_eq!(
                    *rows as i64,
                    count(&conn, &format!("SELECT count(*) FROM {table}")),
                    "{table}"
                );
                assert!(*rows > 0, "{table} is empty at scale {scale}");
            }
            let total: u64 = summary.tables.iter().map(|(_, n)| n).sum();
            assert_eq!(total, summary.total_rows);
            let (lo, hi) = (scale * 95 / 100, scale * 105 / 100);
            assert!((lo..=hi).contains(&total), "scale {scale}: {total} rows");
            // order_items and stock_events are the two largest tables.
            let mut by_size = summary.tables.clone();
            by_size.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            let top: Vec<&str> = by_size[..2].iter().map(|(n, _)| n.as_str()).collect();
            assert!(
                top.contains(&"order_items") && top.contains(&"stock_events"),
                "{by_size:?}"
            );
            // Tenants: scale / 20000, at least 3.
            assert_eq!(summary.tables[0].1, (scale / 20_000).max(3));
        }
    }

    #[test]
    fn same_scale_builds_the_same_rows() {
        let (a, _) = TempDb::build("det-a", 3_000);
        let (b, _) = TempDb::build("det-b", 3_000);
        let (ha, hb) = (table_hashes(&a.open()), table_hashes(&b.open()));
        assert_eq!(ha, hb);
        let schema = "SELECT type || name || coalesce(sql, '') FROM sqlite_master ORDER BY name";
        assert_eq!(strings(&a.open(), schema), strings(&b.open(), schema));
        let (c, _) = TempDb::build("det-c", 3_100);
        assert_ne!(ha, table_hashes(&c.open()));
    }

    #[test]
    fn integrity_and_foreign_keys_hold() {
        let (db, _) = TempDb::build("integrity", 5_000);
        let conn = db.open();
        assert_eq!(
            strings(&conn, "PRAGMA integrity_check"),
            vec!["ok".to_string()]
        );
        let fk = count(&conn, "SELECT count(*) FROM pragma_foreign_key_check");
        assert_eq!(fk, 0, "foreign key violations");
        // Same-tenant consistency, which no FK enforces.
        let cross = [
            "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.tenant_id <> o.tenant_id",
            "SELECT count(*) FROM order_items i JOIN orders o ON o.id = i.order_id JOIN products p ON p.id = i.product_id WHERE p.tenant_id <> o.tenant_id",
            "SELECT count(*) FROM stock_events e JOIN products p ON p.id = e.product_id WHERE p.tenant_id <> e.tenant_id",
            "SELECT count(*) FROM order_ingest_chunks k JOIN ingest_uploads u ON u.id = k.upload_id WHERE u.tenant_id <> k.tenant_id",
            "SELECT count(*) FROM order_totals WHERE abs(items_total - (SELECT subtotal FROM orders WHERE id = order_id)) > 0.001",
            "SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id)",
            "SELECT count(*) FROM price_history WHERE valid_to IS NOT NULL AND valid_to <= valid_from",
        ];
        for sql in cross {
            assert_eq!(count(&conn, sql), 0, "{sql}");
        }
        // The constraints hold when checked: a violating row is refused.
        let rw = Connection::open(&db.0).unwrap();
        rw.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        let refused = [
            "UPDATE products SET price = 0 WHERE rowid = 1",
            "UPDATE orders SET status = 'lost' WHERE rowid = 1",
            "UPDATE tenants SET currency = 'JPY' WHERE rowid = 1",
            "UPDATE tenants SET is_active = 2 WHERE rowid = 1",
            "UPDATE orders SET customer_id = 'nobody' WHERE rowid = 1",
            "UPDATE products SET sku = (SELECT sku FROM products p2 WHERE p2.tenant_id = products.tenant_id AND p2.rowid <> products.rowid LIMIT 1) WHERE rowid = 1",
        ];
        for sql in refused {
            assert!(rw.execute(sql, []).is_err(), "accepted: {sql}");
        }
    }

    #[test]
    fn refuses_to_overwrite_without_the_flag() {
        let db = TempDb::new("overwrite");
        std::fs::write(&db.0, b"keep me").unwrap();
        let err = build(&db.0, 1_000, false).unwrap_err();
        assert_eq!(err.kind(), "io");
        assert_eq!(
            leftovers(&db.0),
            Vec::<PathBuf>::new(),
            "refused, yet a build started"
        );
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(std::fs::read(&db.0).unwrap(), b"keep me");
        let summary = build(&db.0, 1_000, true).unwrap();
        assert!(summary.total_rows > 0);
        assert!(std::fs::read(&db.0)
            .unwrap()
            .starts_with(b"SQLite format 3\0"));
        assert_eq!(
            leftovers(&db.0),
            Vec::<PathBuf>::new(),
            "temporary files left behind"
        );
        assert_eq!(
            db.open()
                .query_row("SELECT count(*) FROM tenants", [], |r| r.get::<_, i64>(0))
                .unwrap(),
            3
        );
    }

    #[test]
    fn bad_destinations_and_scales_are_refused() {
        let dir = std::env::temp_dir();
        let missing = dir
            .join(format!("ferry-demo-no-such-dir-{}", std::process::id()))
            .join("demo.sqlite");
        let cases: [(&Path, u64, &str); 3] = [
            (&missing, 1_000, "does not exist"),
            (&dir, 1_000, "is a folder"),
            (Path::new("unused.sqlite"), 0, "at least 1"),
        ];
        for (path, scale, needle) in cases {
            let err = build(path, scale, true).unwrap_err();
            assert!(err.to_string().contains(needle), "{path:?}: {err}");
        }
        assert!(!Path::new("unused.sqlite").exists());
    }

    #[test]
    fn checks_uniques_and_foreign_keys_are_declared() {
        let (db, _) = TempDb::build("declared", 1_000);
        let conn = db.open();
        let sql_of = |t: &str| -> String {
            conn.query_row("SELECT sql FROM sqlite_master WHERE name = ?1", [t], |r| {
                r.get(0)
            })
            .unwrap()
        };
        let declared: &[(&str, &str)] = &[
            ("tenants", "id          TEXT PRIMARY KEY"),
            ("tenants", "CHECK (currency IN ('USD','EUR','GBP'))"),
            (
                "tenants",
                "is_active   INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1))",
            ),
            ("tenants", "DEFAULT CURRENT_TIMESTAMP"),
            ("products", "CHECK (price > 0)"),
            ("products", "UNIQUE (tenant_id, sku)"),
            ("products", "attributes   JSON NOT NULL DEFAULT '{}'"),
            ("products", "DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))"),
            ("customers", "marketing_opt_in BOOLEAN"),
            (
                "orders",
                "CHECK (status IN ('pending','paid','shipped','cancelled','refunded'))",
            ),
            ("orders", "DEFAULT 'pending'"),
            ("orders", "total        REAL NOT NULL DEFAULT 0"),
            ("orders", "metadata     TEXT DEFAULT '{}'"),
            ("orders", "currency     TEXT NOT NULL DEFAULT 'USD'"),
            ("idempotency_keys", "UNIQUE (tenant_id, key)"),
            ("stock_levels", "PRIMARY KEY (tenant_id, product_id)"),
            (
                "metrics_preagg",
                "PRIMARY KEY (tenant_id, metric, bucket_date)",
            ),
            ("metrics_preagg", "bucket_date  DATE NOT NULL"),
            ("metrics_preagg", ") WITHOUT ROWID"),
            (
                "audit_logs",
                "id          INTEGER PRIMARY KEY AUTOINCREMENT",
            ),
            ("audit_logs", "payload     JSON"),
            ("price_events", "id          INTEGER PRIMARY KEY,"),
            ("ingest_uploads", "header       BLOB"),
        ];
        for (table, needle) in declared {
            assert!(sql_of(table).contains(needle), "{table} lacks {needle}");
        }
        // (table, column, parent, on_delete)
        let fks: &[(&str, &str, &str, &str)] = &[
            ("products", "tenant_id", "tenants", "NO ACTION"),
            ("customers", "tenant_id", "tenants", "NO ACTION"),
            ("orders", "customer_id", "customers", "NO ACTION"),
            ("orders", "tenant_id", "tenants", "NO ACTION"),
            ("order_items", "order_id", "orders", "CASCADE"),
            ("order_items", "product_id", "products", "NO ACTION"),
            ("stock_levels", "product_id", "products", "CASCADE"),
            (
                "order_ingest_chunks",
                "upload_id",
                "ingest_uploads",
                "CASCADE",
            ),
            (
                "order_ingest_chunks",
                "first_order_id",
                "orders",
                "SET NULL",
            ),
            ("export_chunks", "job_id", "export_jobs", "CASCADE"),
            ("metrics_preagg", "tenant_id", "tenants", "NO ACTION"),
            ("audit_logs", "tenant_id", "tenants", "NO ACTION"),
        ];
        for (table, from, parent, on_delete) in fks {
            let found: Vec<(String, String, String, String)> = {
                let mut st = conn
                    .prepare(&format!("PRAGMA foreign_key_list({table})"))
                    .unwrap();
                let rows = st
                    .query_map([], |r| Ok((r.get(2)?, r.get(3)?, r.get(4)?, r.get(6)?)))
                    .unwrap();
                rows.map(|r| r.unwrap()).collect()
            };
            let want = (
                parent.to_string(),
                from.to_string(),
                "id".to_string(),
                on_delete.to_string(),
            );
            assert!(found.contains(&want), "{table}.{from}: {found:?}");
        }
        // Every table but tenants has a foreign key.
        for t in &TABLES[1..] {
            assert!(
                count(
                    &conn,
                    &format!("SELECT count(*) FROM pragma_foreign_key_list('{t}')")
                ) > 0,
                "{t}"
            );
        }
    }

    #[test]
    fn indexes_view_and_trigger_are_declared() {
        let (db, _) = TempDb::build("indexes", 1_000);
        let conn = db.open();
        let index_sql = |name: &str| -> String {
            conn.query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .unwrap_or_else(|_| panic!("no index {name}"))
        };
        let cases = [
            (
                "idx_orders_tenant_created",
                "ON orders (tenant_id, created_at)",
            ),
            ("idx_order_items_order", "ON order_items (order_id)"),
            (
                "idx_stock_events_tenant_product_created",
                "(tenant_id, product_id, created_at)",
            ),
            ("idx_orders_pending", "WHERE status = 'pending'"),
            ("idx_customers_email_lower", "ON customers (lower(email))"),
            ("ux_orders_tenant_number", "CREATE UNIQUE INDEX"),
            ("idx_price_history_product_from", "valid_from DESC"),
        ];
        for (name, needle) in cases {
            assert!(index_sql(name).contains(needle), "{name} lacks {needle}");
        }
        assert_eq!(
            count(&conn, "SELECT count(*) FROM pragma_index_list('orders') WHERE name = 'ux_orders_tenant_number' AND \"unique\" = 1 AND origin = 'c'"),
            1
        );
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM pragma_index_list('orders') WHERE partial = 1"
            ),
            1
        );
        assert_eq!(
            strings(&conn, "SELECT name FROM sqlite_master WHERE type = 'view'"),
            ["order_totals"]
        );
        assert_eq!(
            strings(
                &conn,
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ),
            ["trg_products_updated_at"]
        );
        assert_eq!(
            count(&conn, "SELECT count(*) FROM order_totals"),
            count(&conn, "SELECT count(*) FROM orders")
        );
        // The trigger works.
        let rw = Connection::open(&db.0).unwrap();
        rw.execute("UPDATE products SET updated_at = NULL WHERE rowid = 1", [])
            .unwrap();
        rw.execute("UPDATE products SET name = 'renamed' WHERE rowid = 1", [])
            .unwrap();
        let stamped: Option<String> = rw
            .query_row("SELECT updated_at FROM products WHERE rowid = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(stamped.is_some_and(|s| s.len() == 24 && s.ends_with('Z')));
    }

    #[test]
    fn audit_sequence_is_above_max_id() {
        for scale in [1_000u64, 20_000] {
            let (db, _) = TempDb::build("seq", scale);
            let conn = db.open();
            let seq = count(
                &conn,
                "SELECT seq FROM sqlite_sequence WHERE name = 'audit_logs'",
            );
            let max = count(&conn, "SELECT max(id) FROM audit_logs");
            let rows = count(&conn, "SELECT count(*) FROM audit_logs");
            assert!(seq > max, "seq {seq} <= max {max}");
            assert_eq!(max, rows, "ids 1..=n without gaps");
        }
    }

    #[test]
    fn values_have_the_documented_shapes() {
        let (db, _) = TempDb::build("shapes", 5_000);
        let conn = db.open();
        let uuid_cols = [
            ("tenants", "id"),
            ("products", "id"),
            ("customers", "id"),
            ("orders", "id"),
            ("orders", "customer_id"),
            ("order_items", "id"),
            ("order_items", "product_id"),
            ("stock_events", "id"),
            ("stock_levels", "product_id"),
            ("price_history", "id"),
            ("idempotency_keys", "id"),
            ("ingest_uploads", "id"),
            ("order_ingest_chunks", "first_order_id"),
            ("export_jobs", "id"),
            ("export_chunks", "job_id"),
            ("metrics_preagg", "tenant_id"),
            ("audit_logs", "entity_id"),
        ];
        let uuid_glob = "'[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-4[0-9a-f][0-9a-f][0-9a-f]-[89ab][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'";
        for (t, c) in uuid_cols {
            let bad = count(&conn, &format!("SELECT count(*) FROM {t} WHERE {c} IS NOT NULL AND NOT ({c} GLOB {uuid_glob} AND length({c}) = 36)"));
            assert_eq!(bad, 0, "{t}.{c}");
            for id in strings(
                &conn,
                &format!("SELECT {c} FROM {t} WHERE {c} IS NOT NULL LIMIT 5"),
            ) {
                assert_eq!(
                    uuid::Uuid::parse_str(&id).unwrap().hyphenated().to_string(),
                    id
                );
            }
        }
        let iso_glob = "'[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'";
        let sql_glob =
            "'[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]'";
        let date_glob = "'[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'";
        let time_cols = [
            ("products", "created_at", iso_glob),
            ("products", "updated_at", iso_glob),
            ("orders", "created_at", iso_glob),
            ("orders", "shipped_at", iso_glob),
            ("orders", "updated_at", sql_glob),
            ("tenants", "created_at", sql_glob),
            ("customers", "created_at", sql_glob),
            ("customers", "last_seen_at", iso_glob),
            ("stock_events", "created_at", iso_glob),
            ("price_events", "occurred_at", sql_glob),
            ("idempotency_keys", "expires_at", iso_glob),
            ("ingest_uploads", "uploaded_at", sql_glob),
            ("metrics_preagg", "bucket_date", date_glob),
            ("audit_logs", "created_at", iso_glob),
        ];
        for (t, c, glob) in time_cols {
            let bad = count(&conn, &format!("SELECT count(*) FROM {t} WHERE {c} IS NOT NULL AND NOT ({c} GLOB {glob} AND julianday({c}) IS NOT NULL)"));
            assert_eq!(bad, 0, "{t}.{c}");
        }
        let json_cols = [
            ("tenants", "settings"),
            ("products", "attributes"),
            ("orders", "metadata"),
            ("idempotency_keys", "response_body"),
            ("export_jobs", "filters"),
            ("audit_logs", "payload"),
        ];
        for (t, c) in json_cols {
            assert_eq!(
                count(
                    &conn,
                    &format!(
                        "SELECT count(*) FROM {t} WHERE {c} IS NOT NULL AND NOT json_valid({c})"
                    )
                ),
                0,
                "{t}.{c}"
            );
        }
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM products WHERE json_type(attributes) <> 'object'"
            ),
            0
        );
        let money_cols = [
            ("products", "price"),
            ("orders", "subtotal"),
            ("orders", "tax"),
            ("orders", "total"),
            ("order_items", "unit_price"),
            ("order_items", "discount"),
            ("order_items", "line_total"),
            ("price_history", "price"),
            ("price_events", "old_price"),
        ];
        for (t, c) in money_cols {
            let bad = count(&conn, &format!("SELECT count(*) FROM {t} WHERE {c} IS NOT NULL AND (typeof({c}) <> 'real' OR {c} <> round({c}, 2))"));
            assert_eq!(bad, 0, "{t}.{c}");
        }
        // Variety the profiler and the copier must meet.
        let present = [
            "SELECT count(*) FROM products WHERE description IS NULL",
            "SELECT count(*) FROM products WHERE description = ''",
            "SELECT count(*) FROM products WHERE description LIKE '%' || char(10) || '%'",
            "SELECT count(*) FROM products WHERE description LIKE '%\"%'",
            "SELECT count(*) FROM products WHERE name GLOB '*日本*' OR name LIKE '%🧦%'",
            "SELECT count(*) FROM customers WHERE notes LIKE '%''%' OR notes LIKE '%' || char(10) || '%'",
            "SELECT count(*) FROM customers WHERE full_name LIKE '%é%' OR full_name LIKE '%ö%'",
            "SELECT count(*) FROM customers WHERE email <> lower(email)",
            "SELECT count(*) FROM orders WHERE tax IS NULL",
            "SELECT count(*) FROM orders WHERE status = 'pending'",
            "SELECT count(*) FROM ingest_uploads WHERE typeof(header) = 'blob'",
            "SELECT count(*) FROM tenants WHERE is_active = 1",
            "SELECT count(*) FROM customers WHERE marketing_opt_in = 1",
            "SELECT count(*) FROM customers WHERE marketing_opt_in = 0",
        ];
        for sql in present {
            assert!(count(&conn, sql) > 0, "none: {sql}");
        }
        let booleans = [
            ("tenants", "is_active"),
            ("products", "is_active"),
            ("customers", "marketing_opt_in"),
            ("order_ingest_chunks", "is_final"),
        ];
        for (t, c) in booleans {
            assert_eq!(count(&conn, &format!("SELECT count(*) FROM {t} WHERE {c} NOT IN (0, 1) OR typeof({c}) <> 'integer'")), 0, "{t}.{c}");
        }
        // Exactly one final chunk per upload that has chunks.
        assert_eq!(
            count(&conn, "SELECT count(*) FROM (SELECT upload_id FROM order_ingest_chunks GROUP BY upload_id HAVING sum(is_final) <> 1)"),
            0
        );
    }

    /// `cargo test --release -p ferry-core --lib demo::tests::time_one_million -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn time_one_million() {
        let db = TempDb::new("million");
        let start = std::time::Instant::now();
        let summary = build(&db.0, 1_000_000, false).unwrap();
        let elapsed = start.elapsed();
        let size = std::fs::metadata(&db.0).unwrap().len();
        eprintln!(
            "1,000,000 rows: {} rows in {elapsed:.2?}, {} MB",
            summary.total_rows,
            size / 1_000_000
        );
        for (t, n) in &summary.tables {
            eprintln!("  {t:<20} {n:>9}");
        }
    }
}
