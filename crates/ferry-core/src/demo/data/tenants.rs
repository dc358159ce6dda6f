//! The tenants.

use rusqlite::{params, Connection};
use serde_json::json;

use crate::demo::attributes::{tenant_created_ms, tenant_currency};
use crate::demo::counts::Counts;
use crate::demo::random::{uuid, K_TENANT, Rng};
use crate::demo::time::sqlts;
use crate::demo::words::TENANT_NAMES;

/// The tenants.
pub(super) fn tenants(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;
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
    Ok(())
}
