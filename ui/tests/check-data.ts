// Canned answers for the Pre-flight and Diff views, shaped like the demo database (see
// demo-data.ts), typed by the bindings so a change in Rust's types breaks this at `tsc`.
import type { Preflight } from '../src/lib/bindings/Preflight';
import type { SchemaDiff } from '../src/lib/bindings/SchemaDiff';
import type { TableDiff } from '../src/lib/bindings/TableDiff';
import { HOSTILE, source } from './demo-data';

const orphan = 'orphan: no matching row in customers (the foreign key is not enforced in SQLite)';

export const preflight: Preflight = {
  source: source.path,
  dialect: 'postgres',
  rows_checked: 20_400,
  groups: [
    { table: 'events', column: 'note', cause: 'NUL removed (PostgreSQL text cannot hold it)', outcome: 'changed', count: 40, kind: 'nul_in_text', choices: ['strip_nul', 'reject_rows', 'store_as_bytes', 'set_null'], default: 'strip_nul', chosen: null, examples: [
      { row: { id: 17 }, value: 'a\u0000b' },
      { row: { id: 230 }, value: '<b>not bold</b>' },
    ] },
    { table: 'orders', column: null, cause: orphan, outcome: 'rejected', count: 12, kind: 'orphan', choices: ['reject_rows', 'drop_constraint'], default: 'reject_rows', chosen: null, examples: [
      { row: { id: 7001 }, value: null },
      { row: { id: 7002 }, value: null },
      { row: { id: 7010 }, value: null },
      { row: { id: 7011 }, value: null },
      { row: { id: 7020 }, value: null },
    ] },
    { table: 'orders', column: 'placed_at', cause: 'not a date or timestamp', outcome: 'rejected', count: 3, kind: 'wrong_type', choices: ['reject_rows', 'set_null', 'widen_type'], default: 'reject_rows', chosen: null, examples: [
      { row: { id: 12 }, value: 'yesterday' },
      { row: { id: 13 }, value: '31/02/2024' },
      { row: { id: 88 }, value: 20240101 },
    ] },
    // Renames, as the engine lists them among the groups too (row NULL, value {from, to}).
    { table: HOSTILE, column: null, cause: 'renamed to img_src_x_onerror_alert_1: longer than PostgreSQL’s identifier limit', outcome: 'kept', count: 1, kind: 'identifier_too_long', choices: ['keep'], default: 'keep', chosen: null, examples: [
      { row: null, value: { from: HOSTILE, to: 'img_src_x_onerror_alert_1' } },
    ] },
    { table: 'customers', column: 'Email', cause: 'renamed to Email_2: clashes with another name once case is ignored', outcome: 'kept', count: 1, kind: 'identifier_renamed', choices: ['keep'], default: 'keep', chosen: null, examples: [
      { row: null, value: { from: 'Email', to: 'Email_2' } },
    ] },
  ],
  objects: [
    { table: 'orders', object: 'trigger orders_touch', reason: 'not carried: a trigger is SQLite code; rewrite it for the target' },
    { table: 'search', object: 'virtual table search (USING fts5)', reason: 'not carried: it exists only in SQLite' },
    { table: 'events', object: 'CHECK events_kind', reason: 'has no PostgreSQL translation (uses glob); not carried' },
  ],
  renames: [
    { table: null, from: HOSTILE, to: 'img_src_x_onerror_alert_1', reason: 'longer than PostgreSQL’s identifier limit' },
    { table: 'customers', from: 'Email', to: 'Email_2', reason: 'clashes with another name once case is ignored' },
  ],
};

/** The same file once the orphans and bad dates are fixed: nothing left to decide (the
 * renames stay: they are names, not values). */
export const cleanPreflight: Preflight = { ...preflight, groups: preflight.groups.filter((g) => g.kind.startsWith('identifier_')), objects: [preflight.objects[0]] };

const names = ['customers', 'orders', 'products', 'events'];

/** An empty target: everything would be created. */
export const emptyDiff: SchemaDiff = {
  dialect: 'postgres',
  target: 'postgres://postgres:***@127.0.0.1:5432/shop?sslmode=prefer',
  place: 'schema "public" of database "shop"',
  tables: names.map((name): TableDiff => ({ name, source: name, status: 'create', items: [] })),
  destructive: [],
};

/** A target that holds an older copy: equal, different, extra and destructive. */
export const mixedDiff: SchemaDiff = {
  ...emptyDiff,
  tables: [
    { name: 'customers', source: 'customers', status: 'destructive', items: [
      { kind: 'column', name: 'id', status: 'equal', planned: 'bigint NOT NULL', actual: 'bigint NOT NULL', differences: [] },
      { kind: 'column', name: 'email', status: 'equal', planned: 'text NOT NULL COLLATE "und-x-icu"', actual: 'text NOT NULL COLLATE "und-x-icu"', differences: [] },
      { kind: 'column', name: 'loyalty', status: 'destructive', planned: 'text', actual: 'bytea', differences: ['type: bytea in the target, text planned (narrower: values could be lost)'] },
      { kind: 'column', name: 'created_at', status: 'different', planned: 'timestamptz DEFAULT CURRENT_TIMESTAMP', actual: 'timestamptz', differences: ['default: none in the target, CURRENT_TIMESTAMP planned'] },
      { kind: 'primary_key', name: 'customers_pkey', status: 'equal', planned: '(id)', actual: '(id)', differences: [] },
      { kind: 'index', name: 'customers_old_idx', status: 'extra', planned: null, actual: 'INDEX (name)', differences: [] },
    ] },
    { name: 'orders', source: 'orders', status: 'create', items: [] },
    { name: 'products', source: 'products', status: 'equal', items: [
      { kind: 'column', name: 'id', status: 'equal', planned: 'bigint NOT NULL', actual: 'bigint NOT NULL', differences: [] },
      { kind: 'column', name: 'sku', status: 'equal', planned: 'varchar(12)', actual: 'varchar(12)', differences: [] },
    ] },
    { name: HOSTILE, source: null, status: 'extra', items: [] },
  ],
  destructive: [
    { table: 'customers', action: 'change type', object: 'loyalty', detail: 'column customers.loyalty: type: bytea in the target, text planned (narrower: values could be lost)' },
    { table: HOSTILE, action: 'drop table', object: HOSTILE, detail: `table ${HOSTILE} is not in the plan; dropping it deletes its rows` },
  ],
};
