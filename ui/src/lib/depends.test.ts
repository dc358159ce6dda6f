import { describe, expect, it } from 'vitest';
import { holds, targetKey, type Basis, type Dependency } from './depends';
import { defaultFields } from './url';

const pg = { ...defaultFields('postgres'), host: 'db.internal', database: 'shop', user: 'ferry' };

describe('targetKey', () => {
  it.each([
    ['the same target', pg, true],
    ['another password or TLS mode is the same target', { ...pg, tls: 'require' as const }, true],
    ['host case and spaces do not matter', { ...pg, host: ' DB.internal ' }, true],
    ['another database', { ...pg, database: 'shop2' }, false],
    ['another host', { ...pg, host: 'db2' }, false],
    ['another port', { ...pg, port: 5433 }, false],
    ['another user', { ...pg, user: 'app' }, false],
    ['another schema', { ...pg, schema: 'sales' }, false],
    ['another kind', { ...pg, kind: 'mysql' as const }, false],
  ])('%s', (_what, other, same) => {
    expect(targetKey(other) === targetKey(pg)).toBe(same);
  });
});

describe('holds', () => {
  const made: Basis = { source: 3, target: 'pg' };
  it.each([
    ['nothing made', null, made, ['source'], false],
    ['same file and target', made, { source: 3, target: 'pg' }, ['source', 'target'], true],
    ['another opening of a file', made, { source: 4, target: 'pg' }, ['source'], false],
    ['another target, for a result about the file only', made, { source: 3, target: 'my' }, ['source'], true],
    ['another target, for a result about both', made, { source: 3, target: 'my' }, ['source', 'target'], false],
    ['another file, for a result about the target only', made, { source: 9, target: 'pg' }, ['target'], true],
  ] as [string, Basis | null, Basis, Dependency[], boolean][])('%s', (_what, m, now, on, want) => {
    expect(holds(m, now, on)).toBe(want);
  });
});
