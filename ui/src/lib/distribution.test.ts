import { describe, expect, it } from 'vitest';
import type { Plan } from './bindings/Plan';
import type { ServerInfo } from './bindings/ServerInfo';
import {
  chosenWith,
  changeGroups,
  changesLine,
  columnOptions,
  distributionKey,
  filterRoles,
  panelShown,
  proposedText,
  proposeUnasked,
  roleRows,
  roleSummary,
  skewFigures,
  targetNote,
  type DistributionChoice,
  type DistributionSkew,
  type Placement,
  type RewriteChange,
  type TableRole,
} from './distribution';

const server = (citus: string | null, dialect: ServerInfo['dialect'] = 'postgres'): ServerInfo => ({
  dialect, server: 'PostgreSQL 15.20', host: '127.0.0.1:9700', user: 'postgres', database: 'shop', schema: 'public', objects: [], may_create: true, tls: true, pooler: null, rights: null, citus,
});
const CITUS = server('Citus 13.2: coordinator and 2 workers');
const PLAIN = server(null);

/** The demo's shape: tenants referenced, orders with the column, items filled from orders. */
const ROLES: TableRole[] = [
  { table: 'tenants', role: 'reference', evidence: 'tenant_id of orders points to it: a reference table' },
  { table: 'orders', role: 'distributed', evidence: 'has tenant_id (8,000 rows): distributed by it, co-located with the others' },
  { table: 'order_items', role: 'distributed', evidence: 'no tenant_id, but (order_id) → orders', filled_from: [{ columns: ['order_id'], parent: 'orders', parent_columns: ['id'] }] },
  { table: 'item_notes', role: 'distributed', evidence: 'no tenant_id, but (item_id) → order_items', filled_from: [{ columns: ['item_id'], parent: 'order_items', parent_columns: ['id'] }, { columns: ['order_id'], parent: 'orders', parent_columns: ['id'] }] },
  { table: 'settings', role: 'local', evidence: 'no tenant_id and no foreign key that reaches it' },
];

function plan(distributed = true, dialect: Plan['dialect'] = 'postgres'): Plan {
  return {
    ferry_version: '0.1.0', source: '/data/shop.sqlite', dialect,
    tables: ROLES.map((r) => ({ source: r.table, target: r.table, columns: [] })),
    distribution: distributed ? { column: 'tenant_id', tables: ROLES } : null,
  } as unknown as Plan;
}

const CHOICE: DistributionChoice = { proposed: { column: 'tenant_id', references: 'tenants', tables: 13 }, columns: [{ column: 'tenant_id', tables: 13 }, { column: 'customer_id', tables: 3 }, { column: 'order_id', tables: 1 }], tables: 16 };
const NONE: DistributionChoice = { proposed: null, columns: [{ column: 'account_id', tables: 2 }], tables: 7 };

describe('when the panel shows and proposes', () => {
  it.each([
    [plan(false), CITUS, true],
    [plan(false), PLAIN, false],
    [plan(false), null, false],
    // A plan that distributes already: shown whatever the target, so it can be turned off.
    [plan(true), PLAIN, true],
    [plan(true), null, true],
    [plan(false, 'mysql'), CITUS, false],
    [null, CITUS, false],
  ] as const)('%# shown: %s', (p, s, want) => {
    expect(panelShown(p as Plan | null, s)).toBe(want);
  });

  it.each([
    // (plan, server, choice, declined, the column proposed)
    [plan(false), CITUS, CHOICE, false, 'tenant_id'],
    [plan(false), CITUS, CHOICE, true, null],
    [plan(true), CITUS, CHOICE, false, null],
    [plan(false), PLAIN, CHOICE, false, null],
    [plan(false), null, CHOICE, false, null],
    [plan(false), CITUS, NONE, false, null],
    [plan(false), CITUS, null, false, null],
    [plan(false, 'mysql'), CITUS, CHOICE, false, null],
    [null, CITUS, CHOICE, false, null],
  ] as const)('%# proposed unasked: %s', (p, s, c, declined, want) => {
    expect(proposeUnasked(p as Plan | null, s, c, declined)).toBe(want);
  });

  it('keys a proposal by the opening of the file and the target', () => {
    expect(distributionKey(3, 'postgres://postgres@127.0.0.1:9700/shop')).toBe('3|postgres://postgres@127.0.0.1:9700/shop');
    expect(distributionKey(3, 'x')).not.toBe(distributionKey(4, 'x'));
  });

  it('says why the column, from the engine’s counts', () => {
    expect(proposedText(CHOICE)).toBe('tenant_id references tenants from 13 of 16 tables');
    expect(proposedText(NONE)).toBeNull();
    expect(proposedText(null)).toBeNull();
  });

  it.each([
    [CHOICE, 'tenant_id', ['tenant_id (13 tables)', 'customer_id (3 tables)', 'order_id (1 table)']],
    // A plan's column the list lacks (a plan file opened) stays, first.
    [CHOICE, 'region', ['region', 'tenant_id (13 tables)', 'customer_id (3 tables)', 'order_id (1 table)']],
    [NONE, null, ['account_id (2 tables)']],
    [null, 'tenant_id', ['tenant_id']],
    [null, null, []],
  ] as const)('%# the picker lists the columns most tables first', (c, current, want) => {
    expect(columnOptions(c, current).map((o) => o.label)).toEqual(want);
  });

  it.each([
    [plan(true), CITUS, null],
    [plan(false), PLAIN, null],
    [plan(true), PLAIN, /without Citus: a run with this plan is refused/],
    [plan(true), null, /Test the connection/],
  ] as const)('%# says when the target cannot take it', (p, s, want) => {
    const got = targetNote(p, s);
    if (want === null) expect(got).toBeNull();
    else expect(got).toMatch(want);
  });
});

describe('roles, placements and the skew', () => {
  const placements: Placement[] = [
    { table: 'tenants', target: 'tenants', role: 'reference', column: null, colocate_with: null },
    { table: 'orders', target: 'orders', role: 'distributed', column: 'tenant_id', colocate_with: null },
    { table: 'order_items', target: 'order_items', role: 'distributed', column: 'tenant_id', colocate_with: 'orders' },
    // The plan says distributed, the rewrite could not: it stays on the coordinator.
    { table: 'item_notes', target: 'item_notes', role: 'local', column: null, colocate_with: null },
    { table: 'settings', target: 'settings', role: 'local', column: null, colocate_with: null },
  ];

  it('counts the roles as the engine’s summary does', () => {
    expect(roleSummary(ROLES)).toBe('3 distributed, 1 reference, 1 local');
    expect(roleSummary([])).toBe('0 distributed, 0 reference, 0 local');
  });

  it('puts each role beside where the run places it', () => {
    const rows = roleRows(ROLES, placements);
    expect(rows.map((r) => [r.table, r.role, r.filledFrom, r.placed, r.differs])).toEqual([
      ['tenants', 'reference', null, 'copied to every node', false],
      ['orders', 'distributed', null, 'by tenant_id, the table the others are co-located with', false],
      ['order_items', 'distributed', 'orders', 'by tenant_id, co-located with orders', false],
      ['item_notes', 'distributed', 'order_items → orders', 'on the coordinator', true],
      ['settings', 'local', null, 'on the coordinator', false],
    ]);
    expect(rows[1].evidence).toBe(ROLES[1].evidence);
    // Before the rewrite is read: the plan's roles only.
    expect(roleRows(ROLES, []).every((r) => r.placed === null && !r.differs)).toBe(true);
    expect(filterRoles(rows, 'reference').map((r) => r.table)).toEqual(['tenants']);
    expect(filterRoles(rows, '').length).toBe(5);
  });

  it.each([
    ['a first choice', ROLES, 'orders', 'local', [{ table: 'orders', role: 'local' }]],
    ['another beside one made', ROLES.map((r) => (r.table === 'settings' ? { ...r, role: 'reference' as const, chosen: true } : r)), 'tenants', 'local', [{ table: 'settings', role: 'reference' }, { table: 'tenants', role: 'local' }]],
    ['one changed again', ROLES.map((r) => (r.table === 'orders' ? { ...r, role: 'local' as const, chosen: true } : r)), 'orders', 'reference', [{ table: 'orders', role: 'reference' }]],
    ['one given back to the proposal', ROLES.map((r) => (r.table === 'orders' ? { ...r, role: 'local' as const, chosen: true } : r)), 'orders', null, []],
  ] as const)('the chosen roles: %s', (_what, roles, table, role, want) => {
    expect(chosenWith([...roles], table, role)).toEqual(want);
  });

  it('marks the chosen rows', () => {
    const rows = roleRows(ROLES.map((r) => (r.table === 'settings' ? { ...r, role: 'reference' as const, chosen: true } : r)), []);
    expect(rows.filter((r) => r.chosen).map((r) => r.table)).toEqual(['settings']);
  });

  const skew = (more: Partial<DistributionSkew>): DistributionSkew => ({ tenants: 12, largest: 1_450, rows: 16_000, largest_share: 9.0625, text: '12 distinct values of tenant_id', cluster: 'Citus 13.2: coordinator and 2 workers', shard_count: 32, cluster_error: null, ...more });
  it.each([
    [skew({}), ['12', '9.1% of the rows (1,450 of 16,000)', '32']],
    [skew({ largest: 9_000, largest_share: 56.25 }), ['12', '56% of the rows (9,000 of 16,000)', '32']],
    [skew({ shard_count: null, cluster: null, cluster_error: 'the target was not reached' }), ['12', '9.1% of the rows (1,450 of 16,000)', 'not read']],
    [skew({ tenants: 0, largest: 0, rows: 0, largest_share: 0 }), ['0', '0.0% of the rows (0 of 0)', '32']],
  ])('%# says the skew in figures', (s, want) => {
    expect(skewFigures(s).map((f) => f.value)).toEqual(want);
    expect(skewFigures(s).map((f) => f.label)).toEqual(['Tenants', 'Largest tenant', 'Shards per table']);
  });
});

describe('what the rewrite changes', () => {
  const c = (table: string, kind: RewriteChange['kind'], warning = false): RewriteChange => ({ table, kind, object: `${kind} of ${table}`, reason: 'the engine’s words', warning });
  const CHANGES = [
    c('orders', 'key_widened'),
    c('order_items', 'column_added'),
    c('order_items', 'key_widened'),
    c('order_items', 'foreign_key_widened'),
    c('order_ingest_chunks', 'action_dropped', true),
    c('users', 'unique_per_tenant', true),
  ];

  it('groups them by kind in a fixed order, the engine’s order within', () => {
    const groups = changeGroups(CHANGES);
    expect(groups.map((g) => [g.kind, g.changes.map((x) => x.table), g.warning])).toEqual([
      ['column_added', ['order_items'], false],
      ['key_widened', ['orders', 'order_items'], false],
      ['foreign_key_widened', ['order_items'], false],
      ['unique_per_tenant', ['users'], true],
      ['action_dropped', ['order_ingest_chunks'], true],
    ]);
    expect(groups[4].label).toMatch(/without their ON DELETE/);
    expect(changeGroups([])).toEqual([]);
  });

  it.each([
    [CHANGES, '6 changes, 2 warnings'],
    [[c('orders', 'key_widened')], '1 change'],
    [[c('notes', 'foreign_key_left_off', true)], '1 change, 1 warning'],
    [[], 'nothing to change'],
  ])('%# says them in a line', (changes, want) => {
    expect(changesLine(changes)).toBe(want);
  });
});
