//! The ingest uploads and their chunks.

use rusqlite::{params, Connection};

use crate::demo::counts::{count_in_slot, Counts};
use crate::demo::random::{uuid, K_ORDER, K_TENANT, K_UPLOAD, K_UPLOAD_CHUNK, Rng};
use crate::demo::time::{iso, sqlts, HOUR_MS, ORDERS_FROM_MS, ORDERS_SPAN_MS, SECOND_MS};
use crate::demo::words::UPLOAD_NAMES;

/// The ingest uploads: `0..uploads_with_chunks` done or processing, the rest received or failed.
pub(super) fn ingest_uploads(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;
    let mut rng = Rng::new(K_UPLOAD);
    let mut st = tx.prepare_cached(
        "INSERT INTO ingest_uploads (id, tenant_id, filename, content_type, size_bytes, sha256, header,
                                     status, error, uploaded_at, processed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for u in 0..c.ingest_uploads {
        let t = u % t_n;
        let filename = *rng.pick(UPLOAD_NAMES);
        let content_type = if filename.ends_with(".jsonl") {
            "application/x-ndjson"
        } else {
            "text/csv"
        };
        let status = if u < c.uploads_with_chunks {
            if rng.chance(85) {
                "done"
            } else {
                "processing"
            }
        } else if rng.chance(60) {
            "received"
        } else {
            "failed"
        };
        let error = (status == "failed").then(|| {
            *rng.pick(&[
                "line 42: unexpected \"quote\" in field 3",
                "encoding: invalid UTF-8 at byte 1037",
                "header mismatch:\nexpected order_id,sku,qty",
            ])
        });
        let header: Option<Vec<u8>> = match rng.below(4) {
            0 => None,
            1 => Some(b"\xef\xbb\xbforder_id,sku,qty".to_vec()), // UTF-8 byte-order mark
            2 => Some(vec![0xff, 0xfe, b'o', 0, b'r', 0, b'd', 0]), // UTF-16, not text
            _ => Some(b"order_id,sku,qty,price".to_vec()),
        };
        let uploaded = ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1);
        let processed = matches!(status, "done" | "failed")
            .then(|| sqlts(uploaded + rng.range(SECOND_MS, HOUR_MS)));
        st.execute(params![
            uuid(K_UPLOAD, u),
            uuid(K_TENANT, t),
            filename,
            content_type,
            rng.range(200, 50_000_000),
            rng.hex::<64>(),
            header,
            status,
            error,
            sqlts(uploaded),
            processed,
        ])?;
    }
    Ok(())
}

/// The chunks of the uploads that have them; the last of each is final.
pub(super) fn order_ingest_chunks(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;
    let mut rng = Rng::new(K_UPLOAD_CHUNK);
    let mut st = tx.prepare_cached(
        "INSERT INTO order_ingest_chunks (id, upload_id, tenant_id, chunk_index, row_count,
                                          first_order_id, checksum, is_final, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let active = c.uploads_with_chunks;
    for k in 0..c.order_ingest_chunks {
        let u = k % active;
        let index = k / active;
        let t = u % t_n;
        let chunks = count_in_slot(c.order_ingest_chunks, active, u);
        let first_order = if rng.chance(20) {
            None
        } else {
            Some(uuid(
                K_ORDER,
                t + t_n * rng.below(count_in_slot(c.orders, t_n, t)),
            ))
        };
        st.execute(params![
            uuid(K_UPLOAD_CHUNK, k),
            uuid(K_UPLOAD, u),
            uuid(K_TENANT, t),
            index as i64,
            rng.range(1, 500),
            first_order,
            rng.hex::<16>(),
            i64::from(index + 1 == chunks),
            iso(ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1)),
        ])?;
    }
    Ok(())
}
