import { describe, expect, it } from 'vitest';
import type { Snapshot } from './bindings/Snapshot';
import { age, cacheTone, formatValue, indexesByConcern, judged, mostFrequent, ms, nodeShares, notesShown, oneLine, routingText, seriesOf, slowest, statsText, tooEarly } from './monitor';

const st = (id: string, calls: number, total_ms: number) => ({ id, query: id, calls, total_ms, mean_ms: total_ms / calls, rows: 0, routing: null });
const idx = (name: string, unused: boolean, size: number | null) => ({ schema: 'public', table: 't', name, unique: false, primary: false, scans: unused ? 0 : 5, size_bytes: size, unused });

function snap(at: string, s: Partial<Snapshot> = {}): Snapshot {
  return {
    taken_at: at, dialect: 'postgres', server: 'PostgreSQL 15.2', database: 'shop', schema: null, statements: [], indexes: [], tables: [],
    cache_hit_ratio: null, cache: null, connections: null, notes: [], stats: null, statements_setup: null, cluster: null, ...s,
  };
}

describe('seriesOf', () => {
  it('orders by time, leaves gaps where a figure is missing', () => {
    const snaps = [
      snap('2026-05-04T10:10:00Z', { cache_hit_ratio: 0.99, connections: { active: 1, total: 4, max: 100 }, statements: [st('a', 10, 5), st('b', 5, 1)] }),
      snap('2026-05-04T10:00:00Z', { cache_hit_ratio: 0.5, tables: [{ schema: 'p', name: 't', rows: 1, data_bytes: 8192, index_bytes: 8192, total_bytes: 16384, dead_rows: 0, placement: null }] }),
      snap('not a time', { cache_hit_ratio: 1 }),
    ];
    const s = Object.fromEntries(seriesOf(snaps).map((x) => [x.id, x.points.map((p) => [new Date(p.t).toISOString().slice(11, 16), p.v])]));
    expect(s.cache).toEqual([['10:00', 0.5], ['10:10', 0.99]]);
    expect(s.connections).toEqual([['10:10', 4]]);
    expect(s.active).toEqual([['10:10', 1]]);
    expect(s.size).toEqual([['10:00', 16384]]);
    expect(s.calls).toEqual([['10:10', 15]]);
  });

  it('has every series even with no snapshot', () => {
    expect(seriesOf([]).map((s) => [s.id, s.points.length])).toEqual([['cache', 0], ['connections', 0], ['active', 0], ['size', 0], ['calls', 0]]);
  });
});

describe('statements and indexes', () => {
  const s = snap('2026-05-04T10:00:00Z', { statements: [st('slow', 1, 900), st('busy', 1000, 50), st('both', 500, 800)], indexes: [idx('big', false, 900), idx('dead', true, 10), idx('small', false, 5)] });
  it('lists slowest and most frequent', () => {
    expect(slowest(s, 2).map((x) => x.id)).toEqual(['slow', 'both']);
    expect(mostFrequent(s, 2).map((x) => x.id)).toEqual(['busy', 'both']);
  });
  it('puts unused indexes first', () => {
    expect(indexesByConcern(s).map((i) => i.name)).toEqual(['dead', 'big', 'small']);
  });
});

describe('formatting', () => {
  it.each([
    ['ratio', 0.9876, '98.8 %'],
    ['ratio', 1, '100 %'],
    ['ratio', 0, '0 %'],
    ['ratio', 0.95, '95 %'],
    ['bytes', 1536, '1.5 KiB'],
    ['count', 42, '42'],
    ['count', 12_500, '12.5k'],
    ['count', 3_000_000, '3M'],
  ] as const)('%s %d → %s', (unit, v, want) => {
    expect(formatValue(unit, v)).toBe(want);
  });
  it.each([
    [0.0421, '0.042 ms'],
    [12.34, '12.3 ms'],
    [4560, '4.56 s'],
    [120_000, '2.0 min'],
  ])('%d ms → %s', (x, want) => expect(ms(x)).toBe(want));
  it('fits a statement on one line', () => {
    expect(oneLine('SELECT *\n  FROM t\n WHERE id = $1')).toBe('SELECT * FROM t WHERE id = $1');
    expect(oneLine('SELECT abcdef', 8)).toBe('SELECT …');
  });
  it.each([
    [null, 'info'],
    [0.995, 'ok'],
    [0.95, 'warn'],
    [0.5, 'error'],
  ] as const)('cache %s → %s', (r, tone) => expect(cacheTone(r).tone).toBe(tone));
});

// The issue's case: a database that had served no query was "82.1 % low" with "14 unused
// indexes — worth a look". No verdict before an hour and 1,000 transactions.
describe('judgement waits for the statistics', () => {
  const young = { seconds: 180, since: 'the server started', transactions: 12, enough: false };
  const old = { seconds: 2 * 3600, since: 'the statistics were reset', transactions: 50_000, enough: true };
  it.each([
    ['young', young, false, 'too early to judge: statistics gathered for 3 min over 12 transactions', 'Statistics gathered for 3 min over 12 transactions, since the server started.'],
    ['old', old, true, null, 'Statistics gathered for 2 h 00 min over 50,000 transactions, since the statistics were reset.'],
    ['kept before the age was asked', null, true, null, null],
  ] as const)('%s', (_name, stats, want, early, text) => {
    const s = snap('2026-05-04T10:00:00Z', { cache_hit_ratio: 0.821, stats, indexes: [idx('a', true, 1)] });
    expect(judged(s)).toBe(want);
    expect(tooEarly(s)).toBe(early);
    expect(statsText(stats)).toBe(text);
    expect(cacheTone(s.cache_hit_ratio, judged(s))).toEqual(want ? { tone: 'error', label: 'low' } : { tone: 'info', label: 'too early to judge' });
  });

  it.each([
    [0, '0 s'],
    [59, '59 s'],
    [180, '3 min'],
    [3600, '1 h 00 min'],
    [7500, '2 h 05 min'],
    [3 * 86_400, '3 days'],
  ])('age(%s) = %s', (s, want) => expect(age(s)).toBe(want));
});

// Found in the app: "Not measured — statements: pg_stat_statements is not installed … run
// CREATE EXTENSION" above the box that offers to run it.
describe('notesShown', () => {
  const setup = { sql: 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements', restart: false, how: 'only needs CREATE EXTENSION' };
  it.each([
    ['the section as the title', ['statements: pg_stat_statements is not installed'], null, [{ title: 'Statements not measured', text: 'pg_stat_statements is not installed' }]],
    ['an error, without "not measured" twice', ['connections: not measured: permission denied'], null, [{ title: 'Connections not measured', text: 'permission denied' }]],
    ['a section of two words', ['index_use: not measured: timeout'], null, [{ title: 'Index use not measured', text: 'timeout' }]],
    ['no section', ['Something else'], null, [{ title: 'Not measured', text: 'Something else' }]],
    ['the statements\' note left to the box that turns them on', ['statements: not installed', 'cache: denied'], setup, [{ title: 'Cache not measured', text: 'denied' }]],
  ])('%s', (_what, notes, statements_setup, want) => {
    expect(notesShown(snap('2026-05-04T09:00:00Z', { notes, statements_setup }))).toEqual(want);
  });
});

describe('a Citus target', () => {
  it.each([
    ['one tenant', { tenant_calls: 7, fanout_calls: 0, tenants: 1, executor: 'adaptive' }, 'one tenant: 7 of 7 calls (1 tenant)'],
    ['every shard', { tenant_calls: 0, fanout_calls: 3, tenants: 0, executor: 'adaptive' }, 'every shard: 3 of 3 calls'],
    ['both', { tenant_calls: 1200, fanout_calls: 1, tenants: 40, executor: 'adaptive' }, 'one tenant: 1,200 of 1,201 calls (40 tenants); every shard: 1 of 1,201 calls'],
    ['nothing', { tenant_calls: 0, fanout_calls: 0, tenants: 0, executor: '' }, 'every shard: 0 of 0 calls'],
  ])('routing in words: %s (as the engine says it)', (_what, r, want) => {
    expect(routingText(r)).toBe(want);
  });

  it('no routing, no words', () => {
    expect(routingText(null)).toBeNull();
  });

  it.each([
    ['even workers', [0, 500, 500], 1],
    ['one worker twice the other', [100, 1000, 500], 1000 / 750],
    ['one worker only', [0, 800], null],
    ['no data', [0, 0, 0], null],
  ])('node shares and the workers\' skew: %s', (_what, bytes, skew) => {
    const c = { engine: 'Citus 13.2', tenants: [], tenant_period_seconds: 60, nodes: bytes.map((b, i) => ({ node: `n${i}:5432`, coordinator: i === 0, shards: 1, rows: 1, bytes: b })) };
    const got = nodeShares(c);
    const total = bytes.reduce((a, b) => a + b, 0);
    expect(got.nodes.map((x) => x.share)).toEqual(bytes.map((b) => (total ? b / total : 0)));
    if (skew === null) expect(got.skew).toBeNull();
    else expect(got.skew).toBeCloseTo(skew, 9);
  });
});
