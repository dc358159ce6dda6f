//! The data: one function per table (or per table and its children), called in the order
//! the tables are filled. Each table draws from its own random stream, so the order of the
//! calls decides nothing but which counts one table hands the next.

use rusqlite::Connection;

use crate::demo::counts::Counts;

mod audit;
mod catalog;
mod exports;
mod idempotency;
mod ingest;
mod metrics;
mod orders;
mod prices;
mod stock;
mod tenants;

pub(super) fn fill(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    tenants::tenants(tx, c)?;
    catalog::products(tx, c)?;
    catalog::customers(tx, c)?;
    let item_rows = orders::orders_and_items(tx, c)?;
    let on_hand_delta = stock::stock_events(tx, c, item_rows)?;
    stock::stock_levels(tx, c, &on_hand_delta)?;
    prices::price_history(tx, c)?;
    prices::price_events(tx, c)?;
    idempotency::idempotency_keys(tx, c)?;
    ingest::ingest_uploads(tx, c)?;
    ingest::order_ingest_chunks(tx, c)?;
    exports::export_jobs(tx, c)?;
    exports::export_chunks(tx, c)?;
    metrics::metrics_preagg(tx, c)?;
    audit::audit_logs(tx, c)?;
    Ok(())
}
