//! The idempotency keys of the API.

use rusqlite::{params, Connection};
use serde_json::json;

use crate::demo::counts::Counts;
use crate::demo::random::{attr, uuid, K_IDEMPOTENCY, K_ORDER, K_TENANT, Rng};
use crate::demo::time::{iso, DAY_MS, ORDERS_FROM_MS, ORDERS_SPAN_MS};

/// The idempotency keys.
pub(super) fn idempotency_keys(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;
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
    Ok(())
}
