//! The export jobs and their chunks.

use rusqlite::{params, Connection};
use serde_json::json;

use crate::demo::attributes::customer_email;
use crate::demo::counts::{count_in_slot, Counts};
use crate::demo::random::{uuid, K_EXPORT_CHUNK, K_EXPORT_JOB, K_TENANT, Rng};
use crate::demo::time::{iso, HOUR_MS, ORDERS_FROM_MS, ORDERS_SPAN_MS, SECOND_MS};
use crate::demo::words::COUNTRIES;

/// The export jobs: `0..jobs_with_chunks` done or running, the rest queued or failed.
pub(super) fn export_jobs(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;
    let mut rng = Rng::new(K_EXPORT_JOB);
    let mut st = tx.prepare_cached(
        "INSERT INTO export_jobs (id, tenant_id, requested_by, format, status, filters, row_count,
                                  error, created_at, started_at, finished_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for x in 0..c.export_jobs {
        let t = x % t_n;
        let status = if x < c.jobs_with_chunks {
            if rng.chance(80) {
                "done"
            } else {
                "running"
            }
        } else if rng.chance(50) {
            "queued"
        } else {
            "failed"
        };
        let filters = match rng.below(3) {
            0 => "{}".to_string(),
            1 => {
                json!({"from": "2024-01-01", "to": "2024-03-31", "status": ["paid", "shipped"]})
                    .to_string()
            }
            _ => json!({"table": "customers", "country": *rng.pick(COUNTRIES), "q": "o'brien"})
                .to_string(),
        };
        let created = ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1);
        let started =
            (status != "queued").then(|| created + rng.range(SECOND_MS, 10 * 60 * SECOND_MS));
        let finished = match (status, started) {
            ("done" | "failed", Some(s)) => Some(iso(s + rng.range(SECOND_MS, HOUR_MS))),
            _ => None,
        };
        let row_count = (status == "done").then(|| rng.range(0, 2_000_000));
        let error = (status == "failed").then_some("worker lost: timeout after 3600 s");
        let by = customer_email(t + t_n * rng.below(count_in_slot(c.customers, t_n, t)));
        st.execute(params![
            uuid(K_EXPORT_JOB, x),
            uuid(K_TENANT, t),
            by,
            *rng.pick(&["csv", "csv", "jsonl", "parquet"]),
            status,
            filters,
            row_count,
            error,
            iso(created),
            started.map(iso),
            finished,
        ])?;
    }
    Ok(())
}

/// The chunks of the jobs that have them.
pub(super) fn export_chunks(tx: &Connection, c: &Counts) -> rusqlite::Result<()> {
    let t_n = c.tenants;
    let mut rng = Rng::new(K_EXPORT_CHUNK);
    let mut st = tx.prepare_cached(
        "INSERT INTO export_chunks (id, job_id, chunk_no, row_count, byte_size, storage_url, checksum, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let active = c.jobs_with_chunks;
    for k in 0..c.export_chunks {
        let x = k % active;
        let no = k / active;
        let job = uuid(K_EXPORT_JOB, x);
        let url = format!(
            "s3://ferry-exports/{}/{}/part-{no:05}.csv.gz",
            uuid(K_TENANT, x % t_n).as_str(),
            job.as_str()
        );
        let checksum = if rng.chance(10) {
            None
        } else {
            Some(rng.hex::<32>())
        };
        st.execute(params![
            uuid(K_EXPORT_CHUNK, k),
            job,
            no as i64,
            rng.range(1, 50_000),
            rng.range(1_000, 64_000_000),
            url,
            checksum,
            iso(ORDERS_FROM_MS + rng.range(0, ORDERS_SPAN_MS - 1)),
        ])?;
    }
    Ok(())
}
