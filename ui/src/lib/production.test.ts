import { describe, expect, it } from 'vitest';
import type { Plan } from './bindings/Plan';
import type { Proposal } from './bindings/Proposal';
import { byTable, countLine, counts, details, emptyText, kindLabel, kindsPresent, KINDS, navHint, productionKey, proposeUnasked, sqlText, subject, withAccept, withProduction } from './production';

const p = (table: string, kind: Proposal['kind'], accept: boolean, more: Partial<Proposal> = {}): Proposal => ({ table, kind, accept, evidence: `${kind} on ${table}`, ...more });

/** The demo's shape: orders with two, products with one, the database with an extension. */
const PROPOSALS: Proposal[] = [
  p('orders', 'json_index', true, { columns: ['metadata'], using: 'jsonb_path_ops', sql: ['CREATE INDEX orders_metadata_gin ON orders USING gin (metadata jsonb_path_ops)'] }),
  p('products', 'search', false, { columns: ['name', 'description'], using: 'english', note: 'a generated column and its index: about 12% more space', sql: ['ALTER TABLE products ADD COLUMN search tsvector GENERATED ALWAYS AS (…) STORED', 'CREATE INDEX products_search ON products USING gin (search);'] }),
  p('orders', 'partial_index', true, { columns: ['status'], predicate: "status = 'pending'", replaces: ['idx_orders_status'] }),
  p('', 'extension', true, { using: 'pg_trgm', sql: ['CREATE EXTENSION IF NOT EXISTS pg_trgm'] }),
];

function plan(production: Proposal[] = PROPOSALS, skip = false): Plan {
  const col = (source: string) => ({ source, target: source, type: 'text', reason: 'declared' });
  return {
    ferry_version: '0.1.0',
    source: '/data/shop.sqlite',
    dialect: 'postgres',
    tables: [
      { source: 'orders', target: 'orders', columns: [col('id'), col('status'), col('metadata')] },
      { source: 'products', target: 'products', columns: [col('id'), col('name')] },
      { source: 'old', target: 'old', skip, columns: [col('id')] },
    ],
    production,
  } as Plan;
}

describe('a proposal in words', () => {
  it.each([
    [p('orders', 'json_index', true, { columns: ['metadata'] }), 'orders.metadata'],
    [p('orders', 'covering_index', true, { columns: ['customer_id', 'placed_at'] }), 'orders.customer_id, placed_at'],
    [p('events', 'partition', false), 'events'],
    [p('', 'extension', true, { columns: [] }), 'the database'],
  ])('%# its subject is the engine’s (%s)', (proposal, want) => {
    expect(subject(proposal)).toBe(want);
  });

  it('names every kind, and one with none', () => {
    expect(KINDS.map((k) => kindLabel(k.kind))).toEqual(['JSON index', 'Full-text search', 'Partial index', 'Partitions', 'Default', 'Extension', 'Covering index']);
    expect(kindLabel(null)).toBe('No kind');
  });

  it.each([
    [PROPOSALS[0], [{ label: 'operator class', value: 'jsonb_path_ops' }]],
    [PROPOSALS[2], [{ label: 'where', value: "status = 'pending'" }, { label: 'replaces', value: 'idx_orders_status' }]],
    [p('orders', 'covering_index', true, { include: ['total', 'status'] }), [{ label: 'include', value: 'total, status' }]],
    [p('orders', 'json_index', true, { key: '$.source', using: 'btree' }), [{ label: 'operator class', value: 'btree' }, { label: 'key', value: '$.source' }]],
    [p('events', 'partition', false, { using: 'month' }), [{ label: 'by', value: 'month' }]],
    [p('events', 'partition', false), []],
  ])('%# its parameters', (proposal, want) => {
    expect(details(proposal)).toEqual(want);
  });

  it.each([
    [PROPOSALS[0], 'CREATE INDEX orders_metadata_gin ON orders USING gin (metadata jsonb_path_ops);'],
    // One statement a line, a semicolon each, never two.
    [PROPOSALS[1], 'ALTER TABLE products ADD COLUMN search tsvector GENERATED ALWAYS AS (…) STORED;\nCREATE INDEX products_search ON products USING gin (search);'],
    [PROPOSALS[2], ''],
    [p('t', 'default', true, { sql: ['  ', ' ALTER TABLE t ALTER COLUMN id SET DEFAULT gen_random_uuid() '] }), 'ALTER TABLE t ALTER COLUMN id SET DEFAULT gen_random_uuid();'],
  ])('%# its SQL, as Copy copies it', (proposal, want) => {
    expect(sqlText(proposal)).toBe(want);
  });
});

describe('the proposals together', () => {
  it('are counted, taken and all', () => {
    expect(counts(PROPOSALS)).toEqual({ total: 4, accepted: 3 });
    const cases: [Proposal[], string, string][] = [
      [PROPOSALS, '4 proposals, 3 accepted', '3 of 4 taken'],
      [[PROPOSALS[1]], '1 proposal, 0 accepted', '0 of 1 taken'],
      [[], '0 proposals, 0 accepted', 'Indexes, partitions'],
    ];
    for (const [list, line, hint] of cases) expect([countLine(list), navHint(plan(list))]).toEqual([line, hint]);
    expect(navHint(null)).toBe('Indexes, partitions');
  });

  it('are grouped by table in their order, each with its place in the plan', () => {
    const g = byTable(PROPOSALS);
    expect(g.map((x) => [x.table, x.label, x.items.map((i) => i.index)])).toEqual([
      ['orders', 'orders', [0, 2]],
      ['products', 'products', [1]],
      ['', 'The database', [3]],
    ]);
    expect(g[0].items[1].p).toBe(PROPOSALS[2]);
  });

  it.each([
    ['', ['orders', 'products', '']],
    ['partial_index', ['orders']],
    ['extension', ['']],
    ['partition', []],
  ] as const)('filtered by kind %j', (kind, tables) => {
    expect(byTable(PROPOSALS, kind).map((g) => g.table)).toEqual(tables);
    if (kind) expect(byTable(PROPOSALS, kind).flatMap((g) => g.items.map((i) => PROPOSALS[i.index].kind))).toEqual(byTable(PROPOSALS, kind).flatMap((g) => g.items.map(() => kind)));
  });

  it('offer the kinds they have as the filter’s choices, in the engine’s order', () => {
    expect(kindsPresent(PROPOSALS)).toEqual([
      { kind: 'json_index', label: 'JSON index', count: 1 },
      { kind: 'search', label: 'Full-text search', count: 1 },
      { kind: 'partial_index', label: 'Partial index', count: 1 },
      { kind: 'extension', label: 'Extension', count: 1 },
    ]);
    expect(kindsPresent([])).toEqual([]);
  });
});

describe('the plan', () => {
  it('takes the engine’s proposals, the rest as it is', () => {
    const before = plan([]);
    const after = withProduction(before, PROPOSALS);
    expect(after.production).toBe(PROPOSALS);
    expect(after.tables).toBe(before.tables);
    expect(withProduction(before, undefined).production).toEqual([]);
  });

  it('takes or leaves one proposal, never another, and nothing out of range', () => {
    const before = plan();
    const left = withAccept(before, 0, false);
    expect(left.production!.map((x) => x.accept)).toEqual([false, false, true, true]);
    expect(before.production![0].accept).toBe(true);
    expect(withAccept(before, 1, true).production!.map((x) => x.accept)).toEqual([true, true, true, true]);
    for (const i of [-1, 4, 99]) expect(withAccept(before, i, false)).toBe(before);
  });

  it('is proposed for unasked once per file and server kind, never over proposals it has', () => {
    const key = productionKey(3, 'postgres');
    expect(key).not.toBe(productionKey(4, 'postgres'));
    expect(key).not.toBe(productionKey(3, 'mysql'));
    const cases: [Plan | null, string | null, boolean][] = [
      [plan([]), null, true],
      [plan([]), productionKey(2, 'postgres'), true],
      [plan([]), productionKey(3, 'mysql'), true],
      [plan([]), key, false],
      [plan(), null, false],
      [{ ...plan(), production: undefined }, null, true],
      [null, null, false],
    ];
    for (const [pl, asked, want] of cases) expect([asked, pl?.production?.length, proposeUnasked(pl, asked, key)]).toEqual([asked, pl?.production?.length, want]);
  });

  it('says what was looked at when nothing was found', () => {
    expect(emptyText(plan([]))).toBe('Looked at 3 tables and 6 columns for PostgreSQL: no JSON columns, no prose, no skewed flags, no table large enough to partition — nothing to propose. The tables are built as Schema & mapping shows them.');
    // A skipped table was not looked at.
    expect(emptyText(plan([], true))).toMatch(/^Looked at 2 tables and 5 columns for PostgreSQL: /);
  });
});
