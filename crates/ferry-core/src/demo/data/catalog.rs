//! The catalogue: products and customers.

use rusqlite::{params, Connection};
use serde_json::json;

use crate::demo::attributes::{customer_email, money, product_created_ms, product_price_cents, tenant_currency};
use crate::demo::counts::Counts;
use crate::demo::random::{attr, uuid, K_CUSTOMER, K_PRODUCT, K_TENANT, Rng};
use crate::demo::time::{iso, sqlts, CATALOG_FROM_MS, DAY_MS, HOUR_MS, ORDERS_FROM_MS, ORDERS_SPAN_MS};
use crate::demo::words::{ADJECTIVES, CJK_NAMES, COUNTRIES, DESCRIPTIONS, FIRST_NAMES, LAST_NAMES, NOTES, NOUNS, SKU_PREFIXES, SPECIAL_PRODUCTS};

/// The products, each of one tenant.
pub(super) fn products(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;
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
    Ok(())
}

/// The customers, each of one tenant.
pub(super) fn customers(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;
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
    Ok(())
}
