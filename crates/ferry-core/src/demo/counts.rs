//! How many rows each table gets, for a scale.

pub(super) struct Counts {
    pub(super) scale: u64,
    pub(super) tenants: u64,
    pub(super) products: u64,
    pub(super) customers: u64,
    pub(super) orders: u64,
    pub(super) price_history: u64,
    pub(super) price_events: u64,
    pub(super) idempotency_keys: u64,
    pub(super) ingest_uploads: u64,
    /// Uploads `0..uploads_with_chunks` have chunks (status done/processing); the rest none.
    pub(super) uploads_with_chunks: u64,
    pub(super) order_ingest_chunks: u64,
    pub(super) export_jobs: u64,
    pub(super) jobs_with_chunks: u64,
    pub(super) export_chunks: u64,
    pub(super) metrics: u64,
    pub(super) audit_logs: u64,
    /// Audit rows inserted then deleted, so `sqlite_sequence.seq` > `max(id)`.
    pub(super) audit_deleted: u64,
}

impl Counts {
    pub(super) fn for_scale(scale: u64) -> Counts {
        let per_mille = |m: u64| ((scale as u128 * m as u128) / 1000) as u64;
        let tenants = (scale / 20_000).max(3);
        let ingest_uploads = per_mille(5).max(1);
        let export_jobs = per_mille(5).max(1);
        let audit_logs = per_mille(60).max(1);
        Counts {
            scale,
            tenants,
            products: per_mille(30).max(tenants),
            customers: per_mille(50).max(tenants),
            orders: per_mille(100).max(tenants),
            price_history: per_mille(50).max(1),
            price_events: per_mille(40).max(1),
            idempotency_keys: per_mille(30).max(1),
            ingest_uploads,
            uploads_with_chunks: (ingest_uploads * 3 / 4).max(1),
            order_ingest_chunks: per_mille(20).max(1),
            export_jobs,
            jobs_with_chunks: (export_jobs * 3 / 4).max(1),
            export_chunks: per_mille(30).max(1),
            metrics: per_mille(40).max(1),
            audit_logs,
            audit_deleted: 3 + (audit_logs / 500).min(47),
        }
    }

    /// Rows in every table but `order_items` and `stock_events`.
    pub(super) fn fixed_rows(&self) -> u64 {
        self.tenants
            + self.products // products
            + self.products // stock_levels: one per product
            + self.customers
            + self.orders
            + self.price_history
            + self.price_events
            + self.idempotency_keys
            + self.ingest_uploads
            + self.order_ingest_chunks
            + self.export_jobs
            + self.export_chunks
            + self.metrics
            + self.audit_logs
    }
}

/// How many of `0..n` fall on `slot` when index `i` goes to slot `i % slots`.
pub(super) fn count_in_slot(n: u64, slots: u64, slot: u64) -> u64 {
    if slot >= n {
        0
    } else {
        (n - slot).div_ceil(slots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_track_the_scale() {
        for scale in [1_000u64, 10_000, 100_000, 1_000_000, 10_000_000] {
            let c = Counts::for_scale(scale);
            // order_items average 2.5 per order; stock_events take the rest.
            let items = c.orders * 5 / 2;
            let left = scale as i64 - (c.fixed_rows() + items) as i64;
            assert!(
                left > scale as i64 / 5,
                "scale {scale}: {left} stock events"
            );
            assert!(c.fixed_rows() + items < scale);
        }
    }
}
