import { describe, expect, it } from 'vitest';
import type { BackupItem } from './bindings/BackupItem';
import type { ValidationReport } from './bindings/ValidationReport';
import type { TableValidation } from './bindings/TableValidation';
import { backupLine, backupProgress, errorTitle, names, restoreWarning, rollbackWarning, validationVerdict } from './safety';

const target: BackupItem = {
  kind: 'target', record: '/d/backups/shop-1.json', run_id: null, taken_at: '2026-05-04T09:30:00.000Z', source_backup: null,
  target_backup: { kind: 'target', engine: 'native', format: 'pg_dump custom', dialect: 'postgres', target: 'postgres://app:***@db/shop', database: 'shop', schema: 'public', server: 'PostgreSQL 15.2', tables: ['customers', 'orders'], views: ['recent'], path: '/d/backups/shop-1.dump', bytes: 2048, seconds: 1, sha256: 'ab'.repeat(32), taken_at: '2026-05-04T09:30:00.000Z' },
};
const source: BackupItem = { kind: 'source', record: '/d/runs/r1/source-backup/shop.json', run_id: 'r1', taken_at: '2026-05-04T09:00:00.000Z', target_backup: null, source_backup: { source: '/data/shop.sqlite', path: '/d/runs/r1/source-backup/shop.sqlite', bytes: 4096, seconds: 0.1, sha256: 'cd'.repeat(32), taken_at: '2026-05-04T09:00:00.000Z' } };

describe('names', () => {
  it.each([
    [[], 'nothing'],
    [['a'], 'a'],
    [['a', 'b'], 'a and b'],
    [['a', 'b', 'c'], 'a, b and c'],
    [['a', 'b', 'c', 'd', 'e', 'f', 'g'], 'a, b, c, d, e and 2 more'],
  ])('%j → %s', (list, want) => expect(names(list)).toBe(want));
});

describe('confirmations say what they replace or remove', () => {
  it('restore', () => {
    expect(restoreWarning(target, 'postgres://app:***@db/shop')).toBe(
      'This replaces 3 objects in postgres://app:***@db/shop — customers, orders and recent — with the copy taken 2026-05-04 09:30 UTC. Their rows now are lost; other tables stay as they are.',
    );
    expect(restoreWarning(source, 'x')).toBe('');
  });
  it('rollback', () => {
    expect(rollbackWarning([{ kind: 'table', schema: 'public', name: 'customers' }, { kind: 'view', schema: 'public', name: 'recent' }], 'T')).toBe(
      'This drops table customers and view recent in T — exactly what the run created, nothing else. It stops if someone wrote to those tables since.',
    );
    expect(rollbackWarning([{ kind: 'rows', schema: null, name: 'orders' }], 'T')).toContain('deletes the rows of orders');
    expect(rollbackWarning([{ kind: 'table', schema: 'public', name: 'events' }, { kind: 'extension', schema: 'public', name: 'pg_trgm' }], 'T')).toContain('drops table events and extension pg_trgm in T');
    expect(rollbackWarning([], 'T')).toContain('nothing to roll back');
  });
});

describe('backup lines', () => {
  it('reads both kinds', () => {
    expect(backupLine(target)).toMatchObject({ kind: 'target', title: 'Target shop', detail: '2 tables, 1 view · pg_dump custom · PostgreSQL 15.2', bytes: 2048 });
    expect(backupLine(source)).toMatchObject({ kind: 'source', title: 'Source shop.sqlite', detail: 'snapshot before run r1', bytes: 4096 });
  });
  it('progress', () => {
    expect(backupProgress(null)).toBe('Connecting…');
    expect(backupProgress({ bytes: 1536, tables_done: 2, tables_total: 5, size_estimate: 0 })).toBe('1.5 KiB written, 2 of 5 tables');
    expect(backupProgress({ bytes: 0, tables_done: 0, tables_total: 0, size_estimate: 8192 })).toBe('0 bytes written (the data takes about 8.0 KiB on the server)');
  });
});

const tv = (t: Partial<TableValidation> = {}): TableValidation => ({ table: 't', target: 't', method: 'key', key: ['id'], rows_source: 5, rows_target: 5, rows_matched: 5, columns: [], mismatches: [], mismatches_total: 0, expected: [], expected_total: 0, notes: [], seconds: 0.1, ...t });
const vr = (v: Partial<ValidationReport> = {}): ValidationReport => ({ ferry_version: '0.1.0', source: 's', source_sha256: 'x', target: 't', target_server: 'PG', started_at: '2026-05-04T10:00:00Z', seconds: 1, tables: [tv(), tv()], rows_compared: 10, mismatches: 0, expected: 0, clean: true, notes: [], schema: [], ...v });

describe('validationVerdict', () => {
  it.each([
    ['clean', vr(), 'ok', 'The target matches the source', '10 rows compared in 2 tables.'],
    ['clean with expected rows', vr({ expected: 2 }), 'warn', 'The target matches the source', '2 rows are absent on purpose'],
    ['mismatches', vr({ clean: false, mismatches: 3 }), 'error', '3 differences — listed below', ''],
    ['schema only', vr({ clean: false, schema: [{ table: 'users', kind: 'column', name: 'slug', status: 'different', planned: 'varchar(10)', found: 'text', differences: ['type: text in the target, varchar(10) planned'] }] }), 'error', 'the schema differs from the plan in 1 place — listed below', 'planned against found'],
    ['a table not compared', vr({ clean: false, mismatches: 1, tables: [tv({ error: 'missing in the target' })] }), 'error', '1 difference, 1 table not compared — listed below', ''],
  ] as const)('%s', (_n, v, tone, title, detail) => {
    const got = validationVerdict(v);
    expect([got.tone, got.title]).toEqual([tone, title]);
    expect(got.detail).toContain(detail);
  });
});

describe('errorTitle', () => {
  it.each([
    ['unreachable', 'The server cannot be reached'],
    ['auth_failed', 'The server refused the login'],
    ['other', 'That did not work'],
    ['something_new', 'That did not work'],
  ])('%s → %s', (kind, want) => expect(errorTitle(kind)).toBe(want));
});
