//! The prices: their history and their change events.

use rusqlite::{params, Connection};

use crate::demo::attributes::{customer_email, money, product_created_ms, product_price_cents, tenant_currency};
use crate::demo::counts::{count_in_slot, Counts};
use crate::demo::random::{attr, uuid, K_PRICE_EVENT, K_PRICE_HISTORY, K_PRODUCT, K_TENANT, Rng};
use crate::demo::time::{iso, sqlts, DAY_MS, ORDERS_FROM_MS, ORDERS_SPAN_MS};

/// The price history: version v of product p is row v * products + p; the last version is current.
pub(super) fn price_history(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;
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
    Ok(())
}

/// The price events (INTEGER PRIMARY KEY).
pub(super) fn price_events(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;
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
    Ok(())
}
