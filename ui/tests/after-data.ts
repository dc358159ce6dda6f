// Canned data for the views after the run (Validation, Monitor, Backups, Checklist, Audit
// log), shaped like what the demo database's run would give, from the bindings' types.
import type { AuditEntry } from '../src/lib/bindings/AuditEntry';
import type { BackupItem } from '../src/lib/bindings/BackupItem';
import type { Snapshot } from '../src/lib/bindings/Snapshot';
import type { TargetBackup } from '../src/lib/bindings/TargetBackup';
import type { ValidationReport } from '../src/lib/bindings/ValidationReport';
import type { SyncReport } from '../src/lib/bindings/SyncReport';
import { HOSTILE, report, runs, source } from './demo-data';

export const fields = { kind: 'postgres', host: 'db.internal', port: 5432, database: 'shop', user: 'ferry', tls: 'require', schema: '' };
export const PASSWORD = 's3cret';
export const TARGET = 'postgres://ferry:***@db.internal:5432/shop?sslmode=require';
export const SCRATCH = 'postgres://ferry:***@db.internal:5432/shop_scratch?sslmode=require';

const base = Date.UTC(2026, 4, 4, 10, 0);
const at = (min: number) => new Date(base + min * 60_000).toISOString().replace('.000Z', 'Z');

export function snapshot(i: number): Snapshot {
  const grow = 1 + i * 0.04;
  return {
    taken_at: at(i * 5),
    dialect: 'postgres',
    server: 'PostgreSQL 16.4',
    database: 'shop',
    schema: null,
    statements: [
      { id: '-311', query: 'SELECT o.id, o.total, c.email\n  FROM orders o JOIN customers c ON c.id = o.customer_id\n WHERE o.placed_at > $1 ORDER BY o.placed_at DESC LIMIT $2', calls: 1200 + i * 340, total_ms: 5400 + i * 820, mean_ms: 4.5, rows: 24000 + i * 6800, routing: null },
      { id: '-512', query: 'SELECT * FROM products WHERE sku = $1', calls: 9800 + i * 2100, total_ms: 980 + i * 160, mean_ms: 0.1, rows: 9800 + i * 2100, routing: null },
      { id: '-713', query: 'UPDATE orders SET status = $1 WHERE id = $2', calls: 300 + i * 45, total_ms: 2100 + i * 300, mean_ms: 7, rows: 300 + i * 45, routing: null },
      { id: '-914', query: `SELECT count(*) FROM events WHERE payload->>'kind' = $1 -- ${HOSTILE}`, calls: 12 + i, total_ms: 8800 + i * 1200, mean_ms: 733, rows: 12 + i, routing: null },
    ],
    indexes: [
      { schema: 'public', table: 'orders', name: 'orders_pkey', unique: true, primary: true, scans: 5200 + i * 300, size_bytes: 196_608, unused: false },
      { schema: 'public', table: 'orders', name: 'orders_by_customer', unique: false, primary: false, scans: 1800 + i * 200, size_bytes: 262_144, unused: false },
      { schema: 'public', table: 'customers', name: 'customers_email_key', unique: true, primary: false, scans: 0, size_bytes: 98_304, unused: false },
      { schema: 'public', table: 'events', name: 'events_by_session', unique: false, primary: false, scans: 0, size_bytes: 417_792, unused: true },
    ],
    tables: [
      { schema: 'public', name: 'events', rows: 9600, data_bytes: Math.round(2_400_000 * grow), index_bytes: 700_000, total_bytes: Math.round(3_100_000 * grow), dead_rows: 40 + i * 3, placement: null },
      { schema: 'public', name: 'orders', rows: 7988 + i * 20, data_bytes: 960_000, index_bytes: 460_000, total_bytes: 1_420_000 + i * 12_000, dead_rows: 120 + i * 15, placement: null },
      { schema: 'public', name: 'customers', rows: 2000, data_bytes: 240_000, index_bytes: 180_000, total_bytes: 420_000, dead_rows: 0, placement: null },
      { schema: 'public', name: 'products', rows: 400, data_bytes: 180_000, index_bytes: 40_000, total_bytes: 220_000, dead_rows: 0, placement: null },
    ],
    cache_hit_ratio: [0.912, 0.948, 0.967, 0.981, 0.986, 0.991, 0.993, 0.994, 0.995, 0.996][i],
    cache: null,
    connections: { active: [1, 2, 4, 3, 5, 2, 3, 6, 4, 3][i], total: [4, 6, 9, 8, 11, 9, 10, 12, 11, 10][i], max: 100 },
    notes: [],
    stats: { seconds: 3 * 86_400 + i * 300, since: 'the server started', transactions: 180_000 + i * 5000, enough: true },
    statements_setup: null,
    cluster: null,
  };
}

export const history: Snapshot[] = Array.from({ length: 9 }, (_, i) => snapshot(i));
export const fresh: Snapshot = { ...snapshot(9), statements: [], notes: ['statements: not measured: pg_stat_statements is not installed — add it to shared_preload_libraries, restart, then CREATE EXTENSION pg_stat_statements'] };

/** A database that has served next to nothing yet: 3 min, 12 transactions, no pg_stat_statements. */
export const young: Snapshot = {
  ...snapshot(0),
  statements: [],
  cache_hit_ratio: 0.821,
  stats: { seconds: 180, since: 'the server started', transactions: 12, enough: false },
  notes: ['statements: pg_stat_statements is not installed in database "shop". To see them: run CREATE EXTENSION pg_stat_statements; in database "shop"'],
  statements_setup: { sql: 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements', restart: false, how: 'The server loads pg_stat_statements; this database only needs CREATE EXTENSION IF NOT EXISTS pg_stat_statements.' },
};

/** A Citus coordinator and two workers: the tables' figures are their shards', one worker
 *  holds more than the other, tenants are tracked and statements say how they were routed. */
export const citus: Snapshot = {
  ...snapshot(9),
  tables: [
    { schema: 'public', name: 'orders', rows: 7988, data_bytes: 960_000, index_bytes: 460_000, total_bytes: 1_420_000, dead_rows: 12, placement: 'distributed by tenant_id, 32 shards' },
    { schema: 'public', name: 'tenants', rows: 40, data_bytes: 8192, index_bytes: 16_384, total_bytes: 24_576, dead_rows: 0, placement: 'reference, a copy on every node' },
    { schema: 'public', name: 'settings', rows: 3, data_bytes: 8192, index_bytes: 8192, total_bytes: 16_384, dead_rows: 0, placement: null },
  ],
  statements: [
    { id: '-21', query: 'SELECT * FROM orders WHERE tenant_id = $1 AND id = $2', calls: 9800, total_ms: 980, mean_ms: 0.1, rows: 9800, routing: { tenant_calls: 9800, fanout_calls: 0, tenants: 37, executor: 'adaptive' } },
    { id: '-22', query: 'SELECT count(*) FROM orders WHERE placed_at > $1', calls: 12, total_ms: 8800, mean_ms: 733, rows: 12, routing: { tenant_calls: 0, fanout_calls: 12, tenants: 0, executor: 'adaptive' } },
    { id: '-23', query: 'SELECT name FROM settings', calls: 40, total_ms: 4, mean_ms: 0.1, rows: 40, routing: null },
  ],
  cluster: {
    engine: 'Citus 13.2: coordinator and 2 workers',
    nodes: [
      { node: '10.0.0.1:5432', coordinator: true, shards: 1, rows: 40, bytes: 24_576 },
      { node: '10.0.0.2:5432', coordinator: false, shards: 17, rows: 5600, bytes: 1_000_000 },
      { node: '10.0.0.3:5432', coordinator: false, shards: 17, rows: 2428, bytes: 444_576 },
    ],
    tenants: [
      { tenant: '6f1c0d2e-5a7b-4c3d-9e8f-0a1b2c3d4e5f', colocation_id: 2, queries: 5200, queries_last: 4100, reads: 5100, reads_last: 4000, cpu_seconds: 0.82, cpu_seconds_last: 0.61 },
      { tenant: `acme ${HOSTILE}`, colocation_id: 2, queries: 410, queries_last: 380, reads: 400, reads_last: 370, cpu_seconds: 0.05, cpu_seconds_last: 0.04 },
    ],
    tenant_period_seconds: 60,
  },
};

export const targetBackup: TargetBackup = {
  kind: 'target', engine: 'native', format: 'pg_dump custom', dialect: 'postgres', target: TARGET, database: 'shop', schema: 'public', server: 'PostgreSQL 16.4',
  tables: ['customers', 'orders', 'products', 'events', 'img_src_x_onerror_alert_1'], views: [], path: '/home/ada/.local/share/ferry/backups/shop-20260504T093500123Z.dump', bytes: 1_874_112, seconds: 1.9,
  sha256: '3f9a1c0e7b24d5a8e61f0c9b2d7e4a1f8c3b6d0e9f2a5c8b1d4e7f0a3c6b9d2e', taken_at: '2026-05-04T09:35:00.123Z',
};

export const backups: BackupItem[] = [
  { kind: 'target', record: '/home/ada/.local/share/ferry/backups/shop-20260504T093500123Z.json', run_id: null, taken_at: targetBackup.taken_at, source_backup: null, target_backup: targetBackup },
  {
    kind: 'source', record: `/home/ada/.local/share/ferry/runs/${runs[0].id}/source-backup/demo-20260504T094107500Z.json`, run_id: runs[0].id, taken_at: '2026-05-04T09:41:07.500Z', target_backup: null,
    source_backup: { source: source.path, path: `/home/ada/.local/share/ferry/runs/${runs[0].id}/source-backup/demo-20260504T094107500Z.sqlite`, bytes: 3_481_600, seconds: 0.2, sha256: 'a71e0c3d9b8f2e4a6c1d0b9e8f7a6c5d4b3e2f1a0c9d8e7f6a5b4c3d2e1f0a9b', taken_at: '2026-05-04T09:41:07.500Z' },
  },
  {
    kind: 'source', record: `/home/ada/.local/share/ferry/runs/${runs[1].id}/source-backup/demo-20260503T160244100Z.json`, run_id: runs[1].id, taken_at: '2026-05-03T16:02:44.100Z', target_backup: null,
    source_backup: { source: source.path, path: `/home/ada/.local/share/ferry/runs/${runs[1].id}/source-backup/demo-20260503T160244100Z.sqlite`, bytes: 3_481_600, seconds: 0.2, sha256: 'a71e0c3d9b8f2e4a6c1d0b9e8f7a6c5d4b3e2f1a0c9d8e7f6a5b4c3d2e1f0a9b', taken_at: '2026-05-03T16:02:44.100Z' },
  },
];

export const createdReport = { ...report, created: [
  { kind: 'table' as const, schema: 'public', name: 'customers' },
  { kind: 'table' as const, schema: 'public', name: 'orders' },
  { kind: 'table' as const, schema: 'public', name: 'products' },
  { kind: 'table' as const, schema: 'public', name: 'events' },
  { kind: 'table' as const, schema: 'public', name: 'img_src_x_onerror_alert_1' },
] };

const SHA = 'a71e0c3d9b8f2e4a6c1d0b9e8f7a6c5d4b3e2f1a0c9d8e7f6a5b4c3d2e1f0a9b';
export const audit: AuditEntry[] = [
  { at: '2026-05-04T10:46:12.200Z', action: 'validate', source: source.path, source_sha256: SHA, target: TARGET, options: { run: runs[0].id, clean: true, mismatches: 0 }, outcome: 'ok', message: 'The target matches: 19,991 rows in 5 tables compared.', seconds: 6.2 },
  { at: '2026-05-04T09:41:07.100Z', action: 'migrate', source: source.path, source_sha256: SHA, target: TARGET, options: { jobs: 2, backup_source: true }, outcome: 'ok', message: `Run ${runs[0].id}: 5 tables, 20,000 rows; 12 rows refused, 3 values changed.`, seconds: 14.6 },
  { at: '2026-05-04T09:35:00.123Z', action: 'backup', target: TARGET, options: { out: '/home/ada/.local/share/ferry/backups' }, outcome: 'ok', message: 'shop-20260504T093500123Z.dump: 5 tables, 1.8 MiB.', seconds: 1.9 },
  { at: '2026-05-03T16:20:00.000Z', action: 'rollback', target: SCRATCH, options: { run: '20260503-161000', force: false }, outcome: 'ok', message: 'Dropped view recent, table orders, table customers.', seconds: 0.4 },
  { at: '2026-05-03T16:10:00.000Z', action: 'migrate', source: source.path, source_sha256: SHA, target: SCRATCH, options: { jobs: 2, backup_source: true }, outcome: 'ok', message: 'Run 20260503-161000: 5 tables, 20,000 rows; nothing refused or changed.', seconds: 9.1 },
  { at: '2026-05-03T15:58:31.000Z', action: 'restore', target: 'mysql://root@127.0.0.1:3306/shop', options: { backup: '/home/ada/.local/share/ferry/backups/shop-20260502.json', replace: true }, outcome: 'failed', message: 'the server 127.0.0.1:3306 cannot be reached: Connection refused. Is MariaDB running there, and is the port right?', seconds: 0.1 },
];

export const validation: ValidationReport = {
  ferry_version: '0.1.0', source: source.path, source_sha256: SHA, target: TARGET, target_server: 'PostgreSQL 16.4', started_at: '2026-05-04T10:46:12Z', seconds: 6.2,
  plan: `/home/ada/.local/share/ferry/runs/${runs[0].id}/plan.toml`, run_report: `/home/ada/.local/share/ferry/runs/${runs[0].id}/report.json`,
  tables: [
    { table: 'customers', target: 'customers', method: 'key', key: ['id'], rows_source: 2000, rows_target: 2000, rows_matched: 2000, columns: [], mismatches: [], mismatches_total: 0, expected: [], expected_total: 0, notes: [], seconds: 0.8 },
    { table: 'orders', target: 'orders', method: 'key', key: ['id'], rows_source: 8000, rows_target: 7987, rows_matched: 7986, columns: [], mismatches: [
      { kind: 'value', row: { id: 4411 }, column: 'total', source: '18.50', target: '18.05', count: 1 },
      { kind: 'missing_in_target', row: { id: 5120 }, column: null, source: null, target: null, count: 1 },
    ], mismatches_total: 2, expected: [], expected_total: 12, notes: [], seconds: 2.1 },
    { table: 'products', target: 'products', method: 'key', key: ['id'], rows_source: 400, rows_target: 400, rows_matched: 400, columns: [], mismatches: [], mismatches_total: 0, expected: [], expected_total: 0, notes: [], seconds: 0.3 },
    { table: HOSTILE, target: 'img_src_x_onerror_alert_1', method: 'multiset', key: [], rows_source: 3, rows_target: 3, rows_matched: 3, columns: [], mismatches: [], mismatches_total: 0, expected: [], expected_total: 0, notes: [], seconds: 0.1 },
  ],
  schema: [
    { table: 'orders', kind: 'column', name: 'status', status: 'different', planned: 'varchar(20) NOT NULL', found: 'text', differences: ['type: text in the target, varchar(20) planned', 'nullability: NULL allowed in the target, NOT NULL planned'] },
    { table: 'orders', kind: 'index', name: 'orders_customer_id_idx', status: 'create', planned: '(customer_id)', found: null, differences: [] },
  ],
  rows_compared: 10403, mismatches: 2, expected: 12, clean: false, notes: [],
};

/** A sync of the demo's run: rows written since the run, a keyless table reloaded, one row refused. */
export const sync: SyncReport = {
  ferry_version: '0.1.0', source: source.path, target: TARGET, target_server: 'PostgreSQL 16.4', started_at: '2026-05-04T11:20:00Z', snapshot_at: '2026-05-04T11:20:00.412Z', dry_run: false,
  plan: `/home/ada/.local/share/ferry/runs/${runs[0].id}/plan.toml`, completed: true, seconds: 3.4, notes: [],
  tables: [
    { table: 'customers', target: 'customers', method: 'key', key: ['id'], inserted: 12, updated: 3, deleted: 0, unchanged: 1997, rejected: [], rejected_total: 0, reloaded: false, notes: [], error: null, seconds: 0.9 },
    { table: 'orders', target: 'orders', method: 'key', key: ['id'], inserted: 40, updated: 7, deleted: 2, unchanged: 7951, rejected: [{ row: { id: 8041 }, column: 'total', value: 'n/a', reason: 'not a number' }], rejected_total: 1, reloaded: false, notes: [], error: null, seconds: 1.6 },
    { table: 'audit_log', target: 'audit_log', method: 'multiset', key: [], inserted: 520, updated: 0, deleted: 500, unchanged: 0, rejected: [], rejected_total: 0, reloaded: true, notes: ['no primary key or NOT NULL UNIQUE: compared as a multiset of row hashes; the rows differ, so the table was emptied and loaded again (500 rows out, 520 rows in)'], error: null, seconds: 0.7 },
  ],
};

/** The same, counted by a dry run after the sync: nothing to do. */
export const syncNothing: SyncReport = { ...sync, dry_run: true, seconds: 2.9, tables: sync.tables.map((t) => ({ ...t, unchanged: t.unchanged + t.inserted + t.updated, inserted: 0, updated: 0, deleted: 0, reloaded: false, notes: [], rejected: [], rejected_total: 0 })) };
