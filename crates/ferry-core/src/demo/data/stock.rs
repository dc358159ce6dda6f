//! The stock: its events, and the levels they move.

use rusqlite::{params, Connection};

use crate::demo::counts::Counts;
use crate::demo::random::{uuid, K_PRODUCT, K_STOCK_EVENT, K_STOCK_LEVEL, K_TENANT, Rng};
use crate::demo::time::{iso, sqlts, DAY_MS, ORDERS_FROM_MS, ORDERS_SPAN_MS};

/// The stock events: whatever is left of the scale once the other tables are counted;
/// returns how much each product's stock moved.
pub(super) fn stock_events(tx: &Connection, c: &Counts, item_rows: u64) -> rusqlite::Result<Vec<i64>> {
    let t_n = c.tenants;
    let stock_event_rows = c.scale.saturating_sub(c.fixed_rows() + item_rows).max(1);
    let mut on_hand_delta = vec![0i64; c.products as usize];
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
    Ok(on_hand_delta)
}

/// The stock levels: one per product, moved by its stock events.
pub(super) fn stock_levels(tx: &Connection, c: &Counts, on_hand_delta: &[i64]) -> rusqlite::Result<()> {
    let t_n = c.tenants;
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
    Ok(())
}
