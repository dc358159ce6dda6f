//! The orders and their items.

use rusqlite::{params, Connection};
use serde_json::json;

use crate::demo::attributes::{money, product_price_cents, tax_bp, tenant_currency};
use crate::demo::counts::{count_in_slot, Counts};
use crate::demo::random::{uuid, K_CUSTOMER, K_ITEM, K_ORDER, K_PRODUCT, K_TENANT, Rng};
use crate::demo::time::{iso, sqlts, DAY_MS, HOUR_MS, ORDERS_FROM_MS, ORDERS_SPAN_MS, SECOND_MS};
use crate::demo::words::CHANNELS;

/// The orders and their items; returns how many items it wrote.
pub(super) fn orders_and_items(tx: &Connection, c: &Counts) -> rusqlite::Result<u64> {
    let t_n = c.tenants;
    let mut item_rows = 0u64;
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
    Ok(item_rows)
}
