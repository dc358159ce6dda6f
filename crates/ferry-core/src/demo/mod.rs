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

use rusqlite::{params, Connection};
use serde_json::json;

use crate::error::FerryError;

mod attributes;
mod counts;
mod random;
mod time;
mod words;

use attributes::*;
use counts::{count_in_slot, Counts};
use random::*;
use time::*;
use words::*;

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
// The data

fn fill(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;

    // tenants
    {
        let mut rng = Rng::new(K_TENANT);
        let mut st = tx.prepare_cached(
            "INSERT INTO tenants (id, name, slug, plan, currency, is_active, settings, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for t in 0..t_n {
            let (base_name, base_slug) = TENANT_NAMES[(t % TENANT_NAMES.len() as u64) as usize];
            let round = t / TENANT_NAMES.len() as u64;
            let (name, slug) = if round == 0 {
                (base_name.to_string(), base_slug.to_string())
            } else {
                (
                    format!("{base_name} {}", round + 1),
                    format!("{base_slug}-{}", round + 1),
                )
            };
            let plan = *rng.pick(&["free", "free", "pro", "pro", "enterprise"]);
            let is_active = i64::from(t == 0 || rng.chance(90));
            let settings = if rng.chance(15) {
                None
            } else {
                let tz = *rng.pick(&["UTC", "Europe/Paris", "Asia/Tokyo", "America/New_York"]);
                let locale = *rng.pick(&["en-US", "fr-FR", "ja-JP", "de-DE"]);
                Some(
                    json!({
                        "timezone": tz,
                        "locale": locale,
                        "features": {"exports": rng.chance(70), "ingest": rng.chance(50)},
                        "max_users": rng.range(5, 500),
                    })
                    .to_string(),
                )
            };
            st.execute(params![
                uuid(K_TENANT, t),
                name,
                slug,
                plan,
                tenant_currency(t),
                is_active,
                settings,
                sqlts(tenant_created_ms(t)),
            ])?;
        }
    }

    // products
    {
        let mut rng = Rng::new(K_PRODUCT);
        let mut st = tx.prepare_cached(
            "INSERT INTO products (id, tenant_id, sku, name, description, price, currency,
                                   weight_grams, attributes, is_active, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for j in 0..c.products {
            let t = j % t_n;
            let k = j / t_n;
            let prefix = *rng.pick(SKU_PREFIXES);
            let sku = format!("{prefix}-{k:05}");
            let name = if rng.chance(10) {
                rng.pick(SPECIAL_PRODUCTS).to_string()
            } else {
                format!("{} {}", rng.pick(ADJECTIVES), rng.pick(NOUNS))
            };
            let description = if rng.chance(15) {
                None
            } else {
                Some(*rng.pick(DESCRIPTIONS))
            };
            let weight = if rng.chance(20) {
                None
            } else {
                Some(rng.range(20, 5000))
            };
            let attributes = match rng.below(4) {
                0 => "{}".to_string(),
                1 => json!({"color": *rng.pick(&["red", "blue", "noir", "グレー"]), "size": *rng.pick(&["S", "M", "L", "XL"])})
                    .to_string(),
                2 => json!({
                    "material": *rng.pick(&["coton bio", "stoneware", "recycled PET"]),
                    "tags": ["new", *rng.pick(&["sale", "gift", "limited"])],
                    "dimensions": {"w_cm": rng.range(5, 60) as f64 / 2.0, "h_cm": rng.range(1, 40)},
                })
                .to_string(),
                _ => json!({"origin": *rng.pick(&["JP", "FR", "PT", "VN"]), "organic": rng.chance(50), "rating": null})
                    .to_string(),
            };
            let is_active = i64::from(rng.chance(92));
            let created = product_created_ms(j);
            let updated = if rng.chance(40) {
                None
            } else {
                Some(iso(created + rng.range(HOUR_MS, 400 * DAY_MS)))
            };
            st.execute(params![
                uuid(K_PRODUCT, j),
                uuid(K_TENANT, t),
                sku,
                name,
                description,
                money(product_price_cents(j)),
                tenant_currency(t),
                weight,
                attributes,
                is_active,
                iso(created),
                updated,
            ])?;
        }
    }

    // customers
    {
        let mut rng = Rng::new(K_CUSTOMER);
        let mut st = tx.prepare_cached(
            "INSERT INTO customers (id, tenant_id, email, full_name, phone, country,
                                    marketing_opt_in, notes, created_at, last_seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for j in 0..c.customers {
            let t = j % t_n;
            let h = attr(K_CUSTOMER, 1, j);
            let full_name = if rng.chance(3) {
                None
            } else if rng.chance(6) {
                Some(rng.pick(CJK_NAMES).to_string())
            } else {
                let (first, _) = FIRST_NAMES[(h % FIRST_NAMES.len() as u64) as usize];
                let (last, _) = LAST_NAMES[((h >> 16) % LAST_NAMES.len() as u64) as usize];
                Some(format!("{first} {last}"))
            };
            let phone = match rng.below(10) {
                0..=2 => None,
                3..=5 => Some(format!("+1-555-{:04}", rng.below(10_000))),
                6 | 7 => Some(format!(
                    "+33 6 {:02} {:02} {:02} {:02}",
                    rng.below(100),
                    rng.below(100),
                    rng.below(100),
                    rng.below(100)
                )),
                _ => Some(format!(
                    "+81 90-{:04}-{:04}",
                    rng.below(10_000),
                    rng.below(10_000)
                )),
            };
            let country = if rng.chance(5) {
                None
            } else {
                Some(*rng.pick(COUNTRIES))
            };
            let opt_in = i64::from(rng.chance(35));
            let notes = if rng.chance(80) {
                None
            } else {
                Some(*rng.pick(NOTES))
            };
            let created = CATALOG_FROM_MS + rng.range(0, 365 * DAY_MS - 1);
            let last_seen = if rng.chance(25) {
                None
            } else {
                Some(iso(ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1)))
            };
            st.execute(params![
                uuid(K_CUSTOMER, j),
                uuid(K_TENANT, t),
                customer_email(j),
                full_name,
                phone,
                country,
                opt_in,
                notes,
                sqlts(created),
                last_seen,
            ])?;
        }
    }

    // orders and their items
    let mut item_rows = 0u64;
    {
        let mut rng = Rng::new(K_ORDER);
        let mut orders = tx.prepare_cached(
            "INSERT INTO orders (id, tenant_id, customer_id, order_number, status, currency, subtotal,
                                 tax, total, metadata, created_at, updated_at, shipped_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let mut items = tx.prepare_cached(
            "INSERT INTO order_items (id, order_id, product_id, quantity, unit_price, discount,
                                      line_total, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        // (product index, quantity, unit cents, discount cents, line cents)
        let mut lines: Vec<(u64, i64, i64, i64, i64)> = Vec::with_capacity(4);
        for i in 0..c.orders {
            let t = i % t_n;
            let order_id = uuid(K_ORDER, i);
            let created = ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1);
            let customer = t + t_n * rng.below(count_in_slot(c.customers, t_n, t));
            let currency = tenant_currency(t);
            let status = match rng.below(100) {
                0..=9 => "pending",
                10..=49 => "paid",
                50..=84 => "shipped",
                85..=94 => "cancelled",
                _ => "refunded",
            };
            lines.clear();
            let products_of_tenant = count_in_slot(c.products, t_n, t);
            for _ in 0..rng.range(1, 4) {
                let p = t + t_n * rng.below(products_of_tenant);
                let qty = if rng.chance(70) { 1 } else { rng.range(2, 6) };
                let unit = product_price_cents(p);
                let discount = if rng.chance(15) { (unit * qty) / 10 } else { 0 };
                lines.push((p, qty, unit, discount, unit * qty - discount));
            }
            let subtotal: i64 = lines.iter().map(|l| l.4).sum();
            let tax = if rng.chance(10) {
                None
            } else {
                Some((subtotal * tax_bp(currency) + 5_000) / 10_000)
            };
            let total = subtotal + tax.unwrap_or(0);
            let metadata = match rng.below(20) {
                0 => None,
                1..=7 => Some("{}".to_string()),
                8..=16 => Some(
                    json!({"channel": *rng.pick(CHANNELS), "utm": {"source": *rng.pick(&["newsletter", "google", "instagram"]), "campaign": null}})
                        .to_string(),
                ),
                _ => Some(
                    json!({"channel": *rng.pick(CHANNELS), "gift": true,
                           "gift_message": *rng.pick(&["Joyeux anniversaire ! 🎂", "お誕生日おめでとう", "Happy \"30th\"\nLove, M."]),
                           "coupons": ["WELCOME10"]})
                    .to_string(),
                ),
            };
            let updated = if status == "pending" {
                None
            } else {
                Some(sqlts(created + rng.range(10 * SECOND_MS, 3 * DAY_MS)))
            };
            let shipped = if matches!(status, "shipped" | "refunded") {
                Some(iso(created + rng.range(HOUR_MS, 10 * DAY_MS)))
            } else {
                None
            };
            orders.execute(params![
                order_id,
                uuid(K_TENANT, t),
                uuid(K_CUSTOMER, customer),
                (1001 + i / t_n) as i64,
                status,
                currency,
                money(subtotal),
                tax.map(money),
                money(total),
                metadata,
                iso(created),
                updated,
                shipped,
            ])?;
            let created_text = iso(created);
            for &(p, qty, unit, discount, line) in &lines {
                items.execute(params![
                    uuid(K_ITEM, item_rows),
                    order_id,
                    uuid(K_PRODUCT, p),
                    qty,
                    money(unit),
                    money(discount),
                    money(line),
                    created_text,
                ])?;
                item_rows += 1;
            }
        }
    }

    // stock events: whatever is left of the scale
    let stock_event_rows = c.scale.saturating_sub(c.fixed_rows() + item_rows).max(1);
    let mut on_hand_delta = vec![0i64; c.products as usize];
    {
        let mut rng = Rng::new(K_STOCK_EVENT);
        let mut st = tx.prepare_cached(
            "INSERT INTO stock_events (id, tenant_id, product_id, kind, quantity_delta, reference, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for k in 0..stock_event_rows {
            let p = rng.below(c.products);
            let t = p % t_n;
            let (kind, delta, reference) = match rng.below(100) {
                0..=24 => (
                    "receive",
                    rng.range(10, 200),
                    Some(format!(
                        "PO-{}-{:05}",
                        2023 + rng.below(2),
                        rng.below(100_000)
                    )),
                ),
                25..=79 => ("sale", -rng.range(1, 5), None),
                80..=89 => {
                    let d = rng.range(1, 3);
                    let reason =
                        *rng.pick(&["cycle count", "damaged — water", "inventaire annuel"]);
                    (
                        "adjust",
                        if rng.chance(50) { d } else { -d },
                        Some(reason.to_string()),
                    )
                }
                _ => (
                    "return",
                    rng.range(1, 2),
                    Some(format!("RMA-{:06}", rng.below(1_000_000))),
                ),
            };
            on_hand_delta[p as usize] += delta;
            st.execute(params![
                uuid(K_STOCK_EVENT, k),
                uuid(K_TENANT, t),
                uuid(K_PRODUCT, p),
                kind,
                delta,
                reference,
                iso(ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1)),
            ])?;
        }
    }

    // stock levels: one per product
    {
        let mut rng = Rng::new(K_STOCK_LEVEL);
        let mut st = tx.prepare_cached(
            "INSERT INTO stock_levels (tenant_id, product_id, on_hand, reserved, reorder_point, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for p in 0..c.products {
            let on_hand = (rng.range(0, 300) + on_hand_delta[p as usize]).max(0);
            let reserved = if on_hand == 0 {
                0
            } else {
                rng.range(0, on_hand.min(10))
            };
            let reorder = if rng.chance(30) {
                None
            } else {
                Some(rng.range(5, 50))
            };
            st.execute(params![
                uuid(K_TENANT, p % t_n),
                uuid(K_PRODUCT, p),
                on_hand,
                reserved,
                reorder,
                sqlts(ORDERS_FROM_MS + ORDERS_SPAN_MS + rng.range(0, 30 * DAY_MS)),
            ])?;
        }
    }

    // price history: version v of product p is row v * products + p; the last version is current
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO price_history (id, tenant_id, product_id, price, currency, valid_from, valid_to)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let valid_from = |p: u64, v: u64| {
            product_created_ms(p)
                + v as i64 * 45 * DAY_MS
                + (attr(K_PRICE_HISTORY, v, p) % DAY_MS as u64) as i64
        };
        for k in 0..c.price_history {
            let p = k % c.products;
            let v = k / c.products;
            let versions = count_in_slot(c.price_history, c.products, p);
            let is_last = v + 1 == versions;
            let current = product_price_cents(p);
            // Older versions were dearer by 5% a step (a catalogue going on sale over time).
            let price = current * (100 + 5 * (versions - 1 - v) as i64) / 100;
            let t = p % t_n;
            st.execute(params![
                uuid(K_PRICE_HISTORY, k),
                uuid(K_TENANT, t),
                uuid(K_PRODUCT, p),
                money(price.max(1)),
                tenant_currency(t),
                iso(valid_from(p, v)),
                if is_last {
                    None
                } else {
                    Some(iso(valid_from(p, v + 1)))
                },
            ])?;
        }
    }

    // price events (INTEGER PRIMARY KEY)
    {
        let mut rng = Rng::new(K_PRICE_EVENT);
        let mut st = tx.prepare_cached(
            "INSERT INTO price_events (id, tenant_id, product_id, old_price, new_price, reason, changed_by, occurred_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for k in 0..c.price_events {
            let p = rng.below(c.products);
            let t = p % t_n;
            let new = product_price_cents(p);
            let old = (new * rng.range(80, 125) / 100).max(1);
            let reason = if rng.chance(30) {
                None
            } else {
                Some(*rng.pick(&[
                    "promo",
                    "supplier increase",
                    "soldes d'été",
                    "price match",
                    "Black Friday 🛍️",
                ]))
            };
            let by = if rng.chance(20) {
                None
            } else {
                Some(customer_email(
                    t + t_n * rng.below(count_in_slot(c.customers, t_n, t)),
                ))
            };
            st.execute(params![
                (k + 1) as i64,
                uuid(K_TENANT, t),
                uuid(K_PRODUCT, p),
                money(old),
                money(new),
                reason,
                by,
                sqlts(ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1)),
            ])?;
        }
    }

    // idempotency keys
    {
        let mut rng = Rng::new(K_IDEMPOTENCY);
        let mut st = tx.prepare_cached(
            "INSERT INTO idempotency_keys (id, tenant_id, key, request_method, request_path, request_hash,
                                           response_status, response_body, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for k in 0..c.idempotency_keys {
            let t = k % t_n;
            let key = format!("idem_{:016x}", attr(K_IDEMPOTENCY, 1, k));
            let (method, path) = *rng.pick(&[
                ("POST", "/v1/orders"),
                ("POST", "/v1/payments"),
                ("PUT", "/v1/products/{id}"),
                ("PATCH", "/v1/customers/{id}"),
                ("DELETE", "/v1/carts/{id}"),
            ]);
            let (status, body) = match rng.below(10) {
                0 => (None, None), // still in flight
                1 => (
                    Some(409),
                    Some(
                        json!({"error": "conflict", "message": "order already exists"}).to_string(),
                    ),
                ),
                2 => (
                    Some(422),
                    Some(
                        json!({"error": "invalid", "fields": {"email": "n'est pas valide"}})
                            .to_string(),
                    ),
                ),
                _ => (
                    Some(if method == "POST" { 201 } else { 200 }),
                    Some(
                        json!({"ok": true, "id": uuid(K_ORDER, rng.below(c.orders)).as_str()})
                            .to_string(),
                    ),
                ),
            };
            let created = ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1);
            st.execute(params![
                uuid(K_IDEMPOTENCY, k),
                uuid(K_TENANT, t),
                key,
                method,
                path,
                rng.hex::<64>(),
                status,
                body,
                iso(created),
                iso(created + DAY_MS),
            ])?;
        }
    }

    // ingest uploads and their chunks
    {
        let mut rng = Rng::new(K_UPLOAD);
        let mut st = tx.prepare_cached(
            "INSERT INTO ingest_uploads (id, tenant_id, filename, content_type, size_bytes, sha256, header,
                                         status, error, uploaded_at, processed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for u in 0..c.ingest_uploads {
            let t = u % t_n;
            let filename = *rng.pick(UPLOAD_NAMES);
            let content_type = if filename.ends_with(".jsonl") {
                "application/x-ndjson"
            } else {
                "text/csv"
            };
            let status = if u < c.uploads_with_chunks {
                if rng.chance(85) {
                    "done"
                } else {
                    "processing"
                }
            } else if rng.chance(60) {
                "received"
            } else {
                "failed"
            };
            let error = (status == "failed").then(|| {
                *rng.pick(&[
                    "line 42: unexpected \"quote\" in field 3",
                    "encoding: invalid UTF-8 at byte 1037",
                    "header mismatch:\nexpected order_id,sku,qty",
                ])
            });
            let header: Option<Vec<u8>> = match rng.below(4) {
                0 => None,
                1 => Some(b"\xef\xbb\xbforder_id,sku,qty".to_vec()), // UTF-8 byte-order mark
                2 => Some(vec![0xff, 0xfe, b'o', 0, b'r', 0, b'd', 0]), // UTF-16, not text
                _ => Some(b"order_id,sku,qty,price".to_vec()),
            };
            let uploaded = ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1);
            let processed = matches!(status, "done" | "failed")
                .then(|| sqlts(uploaded + rng.range(SECOND_MS, HOUR_MS)));
            st.execute(params![
                uuid(K_UPLOAD, u),
                uuid(K_TENANT, t),
                filename,
                content_type,
                rng.range(200, 50_000_000),
                rng.hex::<64>(),
                header,
                status,
                error,
                sqlts(uploaded),
                processed,
            ])?;
        }
    }
    {
        let mut rng = Rng::new(K_UPLOAD_CHUNK);
        let mut st = tx.prepare_cached(
            "INSERT INTO order_ingest_chunks (id, upload_id, tenant_id, chunk_index, row_count,
                                              first_order_id, checksum, is_final, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let active = c.uploads_with_chunks;
        for k in 0..c.order_ingest_chunks {
            let u = k % active;
            let index = k / active;
            let t = u % t_n;
            let chunks = count_in_slot(c.order_ingest_chunks, active, u);
            let first_order = if rng.chance(20) {
                None
            } else {
                Some(uuid(
                    K_ORDER,
                    t + t_n * rng.below(count_in_slot(c.orders, t_n, t)),
                ))
            };
            st.execute(params![
                uuid(K_UPLOAD_CHUNK, k),
                uuid(K_UPLOAD, u),
                uuid(K_TENANT, t),
                index as i64,
                rng.range(1, 500),
                first_order,
                rng.hex::<16>(),
                i64::from(index + 1 == chunks),
                iso(ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1)),
            ])?;
        }
    }

    // export jobs and their chunks
    {
        let mut rng = Rng::new(K_EXPORT_JOB);
        let mut st = tx.prepare_cached(
            "INSERT INTO export_jobs (id, tenant_id, requested_by, format, status, filters, row_count,
                                      error, created_at, started_at, finished_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for x in 0..c.export_jobs {
            let t = x % t_n;
            let status = if x < c.jobs_with_chunks {
                if rng.chance(80) {
                    "done"
                } else {
                    "running"
                }
            } else if rng.chance(50) {
                "queued"
            } else {
                "failed"
            };
            let filters = match rng.below(3) {
                0 => "{}".to_string(),
                1 => {
                    json!({"from": "2024-01-01", "to": "2024-03-31", "status": ["paid", "shipped"]})
                        .to_string()
                }
                _ => json!({"table": "customers", "country": *rng.pick(COUNTRIES), "q": "o'brien"})
                    .to_string(),
            };
            let created = ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1);
            let started =
                (status != "queued").then(|| created + rng.range(SECOND_MS, 10 * 60 * SECOND_MS));
            let finished = match (status, started) {
                ("done" | "failed", Some(s)) => Some(iso(s + rng.range(SECOND_MS, HOUR_MS))),
                _ => None,
            };
            let row_count = (status == "done").then(|| rng.range(0, 2_000_000));
            let error = (status == "failed").then_some("worker lost: timeout after 3600 s");
            let by = customer_email(t + t_n * rng.below(count_in_slot(c.customers, t_n, t)));
            st.execute(params![
                uuid(K_EXPORT_JOB, x),
                uuid(K_TENANT, t),
                by,
                *rng.pick(&["csv", "csv", "jsonl", "parquet"]),
                status,
                filters,
                row_count,
                error,
                iso(created),
                started.map(iso),
                finished,
            ])?;
        }
    }
    {
        let mut rng = Rng::new(K_EXPORT_CHUNK);
        let mut st = tx.prepare_cached(
            "INSERT INTO export_chunks (id, job_id, chunk_no, row_count, byte_size, storage_url, checksum, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let active = c.jobs_with_chunks;
        for k in 0..c.export_chunks {
            let x = k % active;
            let no = k / active;
            let job = uuid(K_EXPORT_JOB, x);
            let url = format!(
                "s3://ferry-exports/{}/{}/part-{no:05}.csv.gz",
                uuid(K_TENANT, x % t_n).as_str(),
                job.as_str()
            );
            let checksum = if rng.chance(10) {
                None
            } else {
                Some(rng.hex::<32>())
            };
            st.execute(params![
                uuid(K_EXPORT_CHUNK, k),
                job,
                no as i64,
                rng.range(1, 50_000),
                rng.range(1_000, 64_000_000),
                url,
                checksum,
                iso(ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1)),
            ])?;
        }
    }

    // metrics: row r is (tenant r % T, metric (r / T) % 4, day r / 4T)
    {
        let mut rng = Rng::new(K_METRIC);
        let mut st = tx.prepare_cached(
            "INSERT INTO metrics_preagg (tenant_id, metric, bucket_date, value, sample_count, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        const METRICS: [&str; 4] = ["orders", "revenue", "new_customers", "refunds"];
        let first_day = ORDERS_FROM_MS / DAY_MS;
        for r in 0..c.metrics {
            let t = r % t_n;
            let metric = METRICS[((r / t_n) % 4) as usize];
            let day = first_day + (r / (t_n * 4)) as i64;
            let samples = rng.range(0, 400);
            let value = match metric {
                "revenue" => money(samples * rng.range(500, 9_000)),
                "refunds" => (samples / 20) as f64,
                _ => samples as f64,
            };
            st.execute(params![
                uuid(K_TENANT, t),
                metric,
                date(day),
                value,
                samples,
                sqlts((day + 1) * DAY_MS + rng.range(0, 2 * HOUR_MS)),
            ])?;
        }
    }

    // audit logs (AUTOINCREMENT); the last few are deleted again
    {
        let mut rng = Rng::new(K_AUDIT);
        let mut st = tx.prepare_cached(
            "INSERT INTO audit_logs (tenant_id, actor, action, entity_type, entity_id, payload, ip_address, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for _ in 0..c.audit_logs + c.audit_deleted {
            let (entity_type, kind, n) = *rng.pick(&[
                ("order", K_ORDER, c.orders),
                ("order", K_ORDER, c.orders),
                ("product", K_PRODUCT, c.products),
                ("customer", K_CUSTOMER, c.customers),
                ("export_job", K_EXPORT_JOB, c.export_jobs),
            ]);
            let e = rng.below(n);
            let t = e % t_n;
            let (action, payload) = match entity_type {
                "order" => {
                    let to = *rng.pick(&["paid", "shipped", "cancelled", "refunded"]);
                    (
                        format!("order.{to}"),
                        json!({"from": "pending", "to": to, "note": *rng.pick(&["", "Client a appelé — remboursement partiel", "auto"])}),
                    )
                }
                "product" => {
                    let cents = product_price_cents(e);
                    (
                        "product.updated".to_string(),
                        json!({"before": {"price": money(cents + 100)}, "after": {"price": money(cents)}, "by": "José Álvarez", "reason": "Prix réduit — été 🌞"}),
                    )
                }
                "customer" => (
                    "customer.updated".to_string(),
                    json!({"changed": ["email", "phone"], "gdpr": rng.chance(10), "comment": "asked to \"forget\" old address\nsee ticket #123"}),
                ),
                _ => ("export.requested".to_string(), json!({})),
            };
            let actor = if rng.chance(25) {
                None // the system did it
            } else {
                Some(customer_email(
                    t + t_n * rng.below(count_in_slot(c.customers, t_n, t)),
                ))
            };
            let ip = match rng.below(5) {
                0 => None,
                1 => Some(format!("2001:db8::{:x}", rng.below(65_536))),
                _ => Some(format!("203.0.113.{}", rng.below(256))),
            };
            st.execute(params![
                uuid(K_TENANT, t),
                actor,
                action,
                entity_type,
                uuid(kind, e),
                payload.to_string(),
                ip,
                iso(ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1)),
            ])?;
        }
        tx.execute(
            "DELETE FROM audit_logs WHERE id > ?1",
            params![c.audit_logs as i64],
        )?;
    }
    Ok(())
}

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
