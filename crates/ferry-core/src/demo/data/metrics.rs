//! The pre-aggregated metrics (a composite key, WITHOUT ROWID).

use rusqlite::{params, Connection};

use crate::demo::attributes::money;
use crate::demo::counts::Counts;
use crate::demo::random::{uuid, K_METRIC, K_TENANT, Rng};
use crate::demo::time::{date, sqlts, DAY_MS, HOUR_MS, ORDERS_FROM_MS};

/// The metrics: row r is (tenant r % T, metric (r / T) % 4, day r / 4T).
pub(super) fn metrics_preagg(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;
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
    Ok(())
}
