//! The audit logs.

use rusqlite::{params, Connection};
use serde_json::json;

use crate::demo::attributes::{customer_email, money, product_price_cents};
use crate::demo::counts::{count_in_slot, Counts};
use crate::demo::random::{uuid, K_AUDIT, K_CUSTOMER, K_EXPORT_JOB, K_ORDER, K_PRODUCT, K_TENANT, Rng};
use crate::demo::time::{iso, ORDERS_FROM_MS, ORDERS_SPAN_MS};

/// The audit logs (AUTOINCREMENT); the last few are deleted again.
pub(super) fn audit_logs(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;
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
    Ok(())
}
