// Canned data shaped like the demo database (the guide's commerce schema), built from the
// bindings' types so a change in Rust's types breaks this file at `tsc` rather than a view
// at run time. Also a hostile table name and many filler tables (the list must cope).
import type { Column } from '../src/lib/bindings/Column';
import type { ColumnProfile } from '../src/lib/bindings/ColumnProfile';
import type { Plan } from '../src/lib/bindings/Plan';
import type { Report } from '../src/lib/bindings/Report';
import type { RunSummary } from '../src/lib/bindings/RunSummary';
import type { SourceView } from '../src/lib/bindings/SourceView';
import type { Table } from '../src/lib/bindings/Table';
import type { TablePreview } from '../src/lib/bindings/TablePreview';
import type { TypeCheck } from '../src/lib/bindings/TypeCheck';

export function profile(p: Partial<ColumnProfile>): ColumnProfile {
  return {
    rows: 0, nulls: 0, integers: 0, reals: 0, texts: 0, blobs: 0, min_integer: null, max_integer: null, min_real: null, max_real: null,
    max_text_chars: 0, max_blob_bytes: 0, max_scale: 0, max_int_digits: 0, non_integral_reals: 0, infinite_reals: 0, invalid_utf8: 0, with_nul: 0,
    text_numeric: 0, text_iso_timestamp: 0, text_iso_date: 0, text_uuid: 0, text_json: 0, text_json_scalar: 0, text_bool: 0, blob_utf8: 0, sub_micro: 0, min_text: null, max_text: null,
    text_uuid_any_case: 0, text_ts_offset: 0, blob_uuid: 0, distinct_texts: [], many_texts: false,
    ...p,
  };
}

function col(name: string, declared: string, p: Partial<ColumnProfile>, extra: Partial<Column> = {}): Column {
  return { name, declared_type: declared, not_null: false, default: null, collation: null, generated: null, profile: profile(p), ...extra };
}

function table(name: string, rows: number, columns: Column[], extra: Partial<Table> = {}): Table {
  return { name, columns, primary_key: null, without_rowid: false, strict: false, rowid_alias: null, sqlite_sequence: null, uniques: [], foreign_keys: [], checks: [], indexes: [], row_count: rows, sql: `CREATE TABLE ${name} (…)`, ...extra };
}

const ids = (rows: number) => col('id', 'INTEGER', { rows, integers: rows, min_integer: 1, max_integer: rows, max_int_digits: String(rows).length }, { not_null: true });

export const HOSTILE = '<img src=x onerror=alert(1)>';

const tables: Table[] = [
  table('customers', 2000, [
    ids(2000),
    col('email', 'TEXT', { rows: 2000, texts: 2000, max_text_chars: 41 }, { not_null: true, collation: 'NOCASE' }),
    col('name', 'TEXT', { rows: 2000, texts: 1990, nulls: 10, max_text_chars: 38 }),
    col('created_at', 'TEXT', { rows: 2000, texts: 2000, text_iso_timestamp: 2000, max_text_chars: 20, min_text: '2019-01-02T08:00:00Z', max_text: '2025-12-30T21:14:09Z' }, { default: 'CURRENT_TIMESTAMP' }),
    col('loyalty', '', { rows: 2000, integers: 1700, texts: 300, min_integer: 0, max_integer: 9800, max_text_chars: 6, text_numeric: 280 }),
  ], { primary_key: { name: null, columns: ['id'], autoincrement: true }, rowid_alias: 'id', sqlite_sequence: 2004, uniques: [{ name: null, columns: ['email'] }] }),
  table('orders', 8000, [
    ids(8000),
    col('customer_id', 'INTEGER', { rows: 8000, integers: 8000, min_integer: 1, max_integer: 2003 }, { not_null: true }),
    col('status', 'TEXT', { rows: 8000, texts: 8000, max_text_chars: 9 }, { default: "'new'" }),
    col('placed_at', 'DATETIME', { rows: 8000, texts: 8000, text_iso_timestamp: 7988, max_text_chars: 25 }),
    col('total', 'NUMERIC(10,2)', { rows: 8000, reals: 7400, integers: 600, min_real: 0.5, max_real: 18250.75, max_scale: 2, max_int_digits: 5, non_integral_reals: 7000 }),
  ], {
    primary_key: { name: null, columns: ['id'], autoincrement: false },
    foreign_keys: [{ name: null, columns: ['customer_id'], ref_table: 'customers', ref_columns: ['id'], on_update: 'no_action', on_delete: 'cascade' }],
    checks: [{ name: 'status_known', expr: "status IN ('new','paid','shipped','cancelled')" }],
    indexes: [{ name: 'orders_by_customer', unique: false, parts: [{ kind: 'column', name: 'customer_id', desc: false, collation: null }, { kind: 'column', name: 'placed_at', desc: true, collation: null }], where_clause: null, sql: '' }],
  }),
  table('products', 400, [
    ids(400),
    col('sku', 'VARCHAR(12)', { rows: 400, texts: 400, max_text_chars: 12 }),
    col('price', 'NUMERIC(10,2)', { rows: 400, reals: 400, min_real: 1.99, max_real: 1299, max_scale: 2, max_int_digits: 4, non_integral_reals: 380 }),
    col('attrs', 'TEXT', { rows: 400, texts: 396, nulls: 4, text_json: 396, max_text_chars: 210 }),
    col('photo', 'BLOB', { rows: 400, blobs: 120, nulls: 280, max_blob_bytes: 48213 }),
  ], { primary_key: { name: null, columns: ['id'], autoincrement: false } }),
  table('events', 9600, [
    ids(9600),
    col('uuid', 'TEXT', { rows: 9600, texts: 9600, text_uuid: 9600, max_text_chars: 36 }),
    col('payload', 'TEXT', { rows: 9600, texts: 9600, text_json: 9590, with_nul: 3, max_text_chars: 1840 }),
    col('note', 'VARCHAR(20)', { rows: 9600, texts: 4100, nulls: 5500, max_text_chars: 64 }),
  ], {
    indexes: [{ name: 'events_recent', unique: false, parts: [{ kind: 'expr', expr: "json_extract(payload, '$.kind')", desc: false }], where_clause: "payload IS NOT NULL", sql: '' }],
  }),
  table(HOSTILE, 3, [col('"; DROP TABLE x; --', 'TEXT', { rows: 3, texts: 3, max_text_chars: 24, min_text: '<script>alert(1)</script>' })]),
  ...Array.from({ length: 240 }, (_, i) => table(`archive_${String(i + 1).padStart(3, '0')}`, 100 + i, [ids(100 + i), col('body', 'TEXT', { rows: 100 + i, texts: 100 + i, max_text_chars: 80 })])),
];

export const source: SourceView = { path: '/home/ada/shop/demo.sqlite', bytes: 3_481_600, schema: { tables, views: [], triggers: [], virtual_tables: [] } };

export const plan: Plan = {
  ferry_version: '0.1.0',
  source: source.path,
  dialect: 'postgres',
  tables: tables.map((t) => ({
    source: t.name,
    target: t.name === HOSTILE ? 'img_src_x_onerror_alert_1' : t.name,
    skip: false,
    columns: t.columns.map((c) => {
      const reasons: Record<string, [string, string, number?]> = {
        'customers.loyalty': ['text', 'no declared type; mixed values (300 text, 1,700 numbers) → text; numbers carried as their text'],
        'customers.created_at': ['timestamptz', 'all 2,000 values are ISO-8601 timestamps → timestamp (read as UTC where no offset is given)'],
        'orders.placed_at': ['timestamptz', 'declared DATETIME: timestamp; 12 values cannot be carried and will be rejected', 12],
        'orders.total': ['numeric(10,2)', 'declared NUMERIC(10,2): decimal(10,2)'],
        'events.uuid': ['uuid', 'all 9,600 values are UUIDs → uuid'],
        'events.payload': ['jsonb', 'declared TEXT: text; all values are JSON → jsonb'],
        'events.note': ['text', 'declared VARCHAR(20): text up to 20 characters; values up to 64 characters, longer than 20 → text'],
        'products.attrs': ['jsonb', 'all 396 values are JSON objects or arrays → json'],
        'products.photo': ['bytea', 'declared BLOB: bytes'],
        'products.sku': ['varchar(12)', 'declared VARCHAR(12): text up to 12 characters'],
        'products.price': ['numeric(10,2)', 'declared NUMERIC(10,2): decimal(10,2)'],
      };
      const [type, reason, unfit] = reasons[`${t.name}.${c.name}`] ?? (c.declared_type === 'INTEGER' ? ['bigint', 'declared INTEGER: 64-bit integer'] : ['text', `declared ${c.declared_type || 'nothing'}: text`]);
      return { source: c.name, target: c.name, type, reason, unfit: unfit ?? 0 };
    }),
  })),
};

export const previews: TablePreview[] = plan.tables.map((t) => ({
  table: t.source,
  target: t.target,
  statements: [
    `CREATE TABLE "${t.target}" (\n${t.columns.map((c) => `  "${c.target}" ${c.type}`).join(',\n')}\n)`,
    ...(t.source === 'orders'
      ? [
          'ALTER TABLE "orders" ADD PRIMARY KEY ("id")',
          'ALTER TABLE "orders" ADD CONSTRAINT "status_known" CHECK ("status" IN (\'new\', \'paid\', \'shipped\', \'cancelled\'))',
          'CREATE INDEX "orders_by_customer" ON "orders" ("customer_id", "placed_at" DESC)',
          'ALTER TABLE "orders" ADD FOREIGN KEY ("customer_id") REFERENCES "customers" ("id") ON DELETE CASCADE',
        ]
      : []),
  ],
  warnings:
    t.source === 'events'
      ? [{ table: 'events', object: 'index events_recent', reason: "the expression json_extract(payload, '$.kind') has no PostgreSQL translation; the index is not created" }]
      : [],
}));

export function typeCheck(type: string): TypeCheck {
  if (/^varchar\(20\)$/i.test(type)) {
    return {
      known: true,
      message: '12 values will not fit varchar(20) (longer than 20 characters); their rows would be rejected',
      check: { values: 9600, rejected: 12, changed: 0, reason: 'longer than 20 characters', examples: [{ row: { id: 311 }, value: 'delivered to the neighbour at number 12, signed by K.' }, { row: { id: 2048 }, value: '<b>not bold</b> — shown as text, never as HTML markup' }] },
    };
  }
  if (/^(text|varchar\(\d+\)|bigint|integer|jsonb|json|uuid|timestamptz|date|bytea|numeric.*|double precision|boolean|smallint)$/i.test(type)) {
    return { known: true, message: `all 9,600 values fit ${type}`, check: { values: 9600, rejected: 0, changed: 0, reason: null, examples: [] } };
  }
  return { known: false, message: `type "${type}" is not a PostgreSQL type Ferry accepts: it is not a type name with at most one list of whole numbers in parentheses (no comments, quotes, semicolons or text after it). Accepted: smallint, integer, bigint, numeric(p,s), double precision, boolean, text, varchar(n), bytea, uuid, date, timestamp, timestamptz, jsonb`, check: null };
}

const started = '2026-05-04T09:41:07Z';

export const report: Report = {
  ferry_version: '0.1.0',
  source: source.path,
  target: 'postgres://ferry@db.internal:5432/shop?sslmode=require',
  target_server: 'PostgreSQL 16.4',
  started_at: started,
  seconds: 14.6,
  completed: true,
  tables: {
    customers: { target: 'customers', rows_read: 2000, rows_written: 2000, seconds: 0.6, rejected: [], changed: [], rejected_total: 0, changed_total: 0 },
    events: {
      target: 'events', rows_read: 9600, rows_written: 9600, seconds: 4.1, rejected: [],
      changed: [
        { row: { id: 77 }, column: 'payload', from: '{"kind":"a\\u0000"}', to: '{"kind":"a"}', reason: 'NUL removed: PostgreSQL text cannot hold it' },
        { row: { id: 912 }, column: 'payload', from: '{"note":"x\\u0000y"}', to: '{"note":"xy"}', reason: 'NUL removed: PostgreSQL text cannot hold it' },
        { row: { id: 4410 }, column: 'payload', from: '{"v":"\\u0000"}', to: '{"v":""}', reason: 'NUL removed: PostgreSQL text cannot hold it' },
      ],
      rejected_total: 0, changed_total: 3,
    },
    orders: {
      target: 'orders', rows_read: 8000, rows_written: 7988, seconds: 3.2,
      rejected: Array.from({ length: 12 }, (_, i) => ({ row: { id: 100 + i * 531 }, column: 'placed_at', value: i % 2 ? 'yesterday' : '31/02/2021 25:00', reason: 'not a timestamp PostgreSQL accepts' })),
      changed: [], rejected_total: 12, changed_total: 0,
      unchecked_keys: [{
        object: 'foreign key orders_customer_id_fkey (customer_id) → customers', name: 'orders_customer_id_fkey', parent: 'customers', state: 'left NOT VALID', orphans: 2,
        rows: [{ row: { id: 4100 }, value: 99001 }, { row: { id: 4101 }, value: 99002 }],
      }],
    },
    products: {
      target: 'products', rows_read: 400, rows_written: 400, seconds: 0.4, rejected: [], changed: [], rejected_total: 0, changed_total: 0,
      widened: [{ row: { id: 17 }, column: 'in_stock', value: 'maybe', reason: 'boolean cannot hold it (not a boolean): carried as text' }], widened_total: 1,
    },
    [HOSTILE]: { target: 'img_src_x_onerror_alert_1', rows_read: 3, rows_written: 3, seconds: 0.1, rejected: [], changed: [], rejected_total: 0, changed_total: 0 },
  },
  warnings: [{ table: 'events', object: 'index events_recent', reason: "the expression json_extract(payload, '$.kind') has no PostgreSQL translation; not created" }],
  notes: [],
  renames: [{ table: null, from: HOSTILE, to: 'img_src_x_onerror_alert_1', reason: 'not a portable identifier' }],
  phases: { source: 0.3, schema: 0.2, data: 11.9, indexes: 1.4, constraints: 0.6, sequences: 0.1, views: 0.1 },
  rejects_file: '/home/ada/.local/share/ferry/runs/20260504-094107/rejects.jsonl',
  error: null,
  created: [],
};

export const exactReport: Report = {
  ...report,
  started_at: '2026-05-03T16:02:44Z',
  seconds: 9.8,
  tables: Object.fromEntries(Object.entries(report.tables).map(([k, t]) => [k, { ...t, rows_written: t.rows_read, rejected: [], changed: [], rejected_total: 0, changed_total: 0, unchecked_keys: [], widened: [], widened_total: 0 }])),
  warnings: [],
  renames: [],
  created: [],
  rejects_file: null,
};

export const stoppedReport: Report = { ...exactReport, started_at: '2026-05-02T11:20:00Z', completed: false, error: 'cancelled by the user', seconds: 3.1 };

export const runs: RunSummary[] = [
  { id: '20260504-094107', started_at: report.started_at, source: source.path, target: report.target, target_server: 'PostgreSQL 16.4', completed: true, exact: false, tables: 5, rows_written: 19991, rejected: 12, changed: 3, seconds: 14.6, error: null, rolled_back: null },
  { id: '20260503-160244', started_at: exactReport.started_at, source: source.path, target: report.target, target_server: 'PostgreSQL 16.4', completed: true, exact: true, tables: 5, rows_written: 20003, rejected: 0, changed: 0, seconds: 9.8, error: null, rolled_back: null },
  { id: '20260502-112000', started_at: stoppedReport.started_at, source: source.path, target: 'mysql://root@127.0.0.1:3306/shop', target_server: 'MariaDB 10.11.6', completed: false, exact: false, tables: 5, rows_written: 4100, rejected: 0, changed: 0, seconds: 3.1, error: 'cancelled by the user', rolled_back: null },
];

export const reports: Record<string, Report> = { [runs[0].id]: report, [runs[1].id]: exactReport, [runs[2].id]: stoppedReport };
