import { describe, expect, it } from 'vitest';
import type { Group } from './bindings/Group';
import type { Preflight } from './bindings/Preflight';
import { CHOICE_LABEL, inForce, isUnresolved, withChoice } from './preflight';
import type { Plan } from './bindings/Plan';
import { byTable, defaultAction, exampleValue, filterGroups, objectsByTable, outcomeTag, planKey, renameText, renameWords, rowKey, valueGroups, verdict } from './preflight';

const g = (table: string, column: string | null, cause: string, outcome: string, count: number, more: Partial<Group> = {}): Group => ({
  table, column, cause, outcome, count, examples: [], kind: column === null ? 'orphan' : 'out_of_range',
  choices: outcome === 'rejected' ? ['reject_rows', 'set_null'] : ['strip_nul', 'reject_rows'], default: outcome === 'rejected' ? 'reject_rows' : 'strip_nul', chosen: null, ...more,
});

const groups: Group[] = [
  g('orders', 'total', 'value is out of range for numeric(10,2)', 'rejected', 3),
  g('orders', null, 'orphan: no matching row in customers (the foreign key is not enforced in SQLite)', 'rejected', 12),
  g('events', 'note', 'NUL removed', 'changed', 40),
  g('customers', 'email', 'longer than 20 characters', 'rejected', 1),
];

const pf = (p: Partial<Preflight>): Preflight => ({ source: 'shop.sqlite', dialect: 'postgres', rows_checked: 10400, groups: [], objects: [], renames: [], seconds: 0.4, ...p });

describe('groups', () => {
  it('gather by table, tables by name, rows rejected and values changed counted apart', () => {
    const t = byTable(groups);
    expect(t.map((x) => x.table)).toEqual(['customers', 'events', 'orders']);
    expect(t[2]).toMatchObject({ rejected: 15, changed: 0 });
    expect(t[2].groups.map((x) => x.column)).toEqual(['total', null]);
    expect(t[1]).toMatchObject({ rejected: 0, changed: 40 });
    expect(byTable([])).toEqual([]);
  });

  it('filter by table and by words in the column or cause', () => {
    const cases: [string, string, (string | null)[]][] = [
      ['', '', ['total', null, 'note', 'email']],
      ['orders', '', ['total', null]],
      ['', 'ORPHAN', [null]],
      ['', 'nul', ['note']],
      ['orders', 'range numeric', ['total']],
      ['events', 'range', []],
      ['', 'customers', [null, 'email']],
    ];
    for (const [table, text, want] of cases) {
      expect(filterGroups(groups, { table, text }).map((x) => x.column), `${table}/${text}`).toEqual(want);
    }
  });

  it('say what migrate does by default, in words and a tone', () => {
    expect(defaultAction(groups[0])).toMatch(/^Rows rejected: not loaded, written to the rejects file/);
    expect(defaultAction(groups[2])).toMatch(/^Values arrive changed/);
    expect(outcomeTag(groups[0])).toEqual({ text: 'rows rejected', tone: 'error' });
    expect(outcomeTag(groups[2])).toEqual({ text: 'values changed', tone: 'warn' });
  });

  it('show row keys and values as text', () => {
    const cases: [unknown, string][] = [
      [{ id: 3 }, 'id = 3'],
      [{ a: 1, b: 'x' }, 'a = 1, b = x'],
      [{ rowid: null }, 'rowid = NULL'],
      [{}, '{}'],
      [7, '7'],
      ['<b>k</b>', '<b>k</b>'],
    ];
    for (const [row, want] of cases) expect(rowKey(row)).toBe(want);
    expect(exampleValue(groups[1], null)).toBe('—');
    expect(exampleValue(groups[0], null)).toBe('NULL');
    expect(exampleValue(groups[0], 123456789.5)).toBe('123456789.5');
    expect(exampleValue(groups[2], 'a\u0000b\u001b[0m\u007f')).toBe('a\u2400b\u241b[0m\u2421');
    expect(exampleValue(groups[2], 'two\nlines\tand a tab')).toBe('two\nlines\tand a tab');
  });
});

describe('verdict', () => {
  it('is ready when no row or value needs a decision, noting objects and renames', () => {
    const v = verdict(pf({ objects: [{ table: 'orders', object: 'trigger t', reason: 'not carried' }], renames: [{ table: null, from: 'a', to: 'b', reason: 'clash' }] }));
    expect(v.ready).toBe(true);
    expect(v.headline).toBe('Ready to migrate: every value of the 10,400 rows checked fits the target as planned');
    expect(v.unresolved).toEqual([]);
    expect(v.notes).toEqual(['1 object is not carried as it is', '1 name changes in the target']);
    expect(verdict(pf({})).notes).toEqual([]);
  });

  it('lists what is unresolved, most rows first', () => {
    const v = verdict(pf({ groups }));
    expect(v.ready).toBe(false);
    expect(v.headline).toBe('16 rows would be rejected and 40 values would arrive changed (of 10,400 rows checked)');
    expect(v.unresolved).toEqual([
      'orders: 12 rows rejected — orphan: no matching row in customers (the foreign key is not enforced in SQLite)',
      'orders.total: 3 rows rejected — value is out of range for numeric(10,2)',
      'customers.email: 1 row rejected — longer than 20 characters',
    ]);
    expect(verdict(pf({ groups: [groups[2]] }))).toMatchObject({ ready: true, headline: 'Ready to migrate — 40 values would arrive changed (of 10,400 rows checked)' });
  });
});

describe('the rest', () => {
  it('orders objects by table, the ones about no table last', () => {
    const o = objectsByTable([
      { table: null, object: 'x', reason: 'r' },
      { table: 'orders', object: 'trigger a', reason: 'r' },
      { table: 'events', object: 'index e', reason: 'r' },
      { table: 'orders', object: 'trigger b', reason: 'r' },
    ]);
    expect(o.map((x) => [x.table, x.objects.map((w) => w.object)])).toEqual([
      ['events', ['index e']],
      ['orders', ['trigger a', 'trigger b']],
      [null, ['x']],
    ]);
  });

  it('names renames, and tells a changed plan from the same one', () => {
    expect(renameText({ table: null, from: 'user', to: 'user_', reason: '' })).toBe('table user → user_');
    expect(renameText({ table: 't', from: 'a', to: 'a_1', reason: '' })).toBe('column t.a → t.a_1');
    const plan = { tables: [{ source: 'a', skip: false }] };
    expect(planKey(plan)).toBe(planKey(structuredClone(plan)));
    expect(planKey(plan)).not.toBe(planKey({ tables: [{ source: 'a', skip: true }] }));
    expect(planKey(null)).toBe('null');
  });
});

describe('choices', () => {
  it('a group is unresolved while its default loses rows and nobody chose', () => {
    const cases: [Partial<Group>, string, boolean, string][] = [
      [{}, 'rejected', true, 'reject_rows'],
      [{ chosen: 'reject_rows' }, 'rejected', false, 'reject_rows'],
      [{ chosen: 'set_null' }, 'changed', false, 'set_null'],
      [{}, 'changed', false, 'strip_nul'],
    ];
    for (const [more, outcome, unresolved, force] of cases) {
      const x = g('t', 'c', 'cause', outcome, 1, more);
      expect(isUnresolved(x), JSON.stringify(more)).toBe(unresolved);
      expect(inForce(x)).toBe(force);
    }
    for (const c of ['reject_rows', 'set_null', 'strip_nul', 'store_as_bytes', 'widen_type', 'drop_constraint', 'keep'] as const) expect(CHOICE_LABEL[c].length).toBeGreaterThan(5);
  });

  it('a choice goes into the plan once per group, replacing an earlier one', () => {
    const plan: Plan = { ferry_version: '0.1.0', source: 's', dialect: 'postgres', tables: [] };
    const orphans = g('orders', null, 'orphan', 'rejected', 12);
    const total = g('orders', 'total', 'out of range', 'rejected', 3);
    let p = withChoice(plan, orphans, 'reject_rows');
    p = withChoice(p, total, 'set_null');
    p = withChoice(p, total, 'reject_rows');
    expect(p.choices).toEqual([
      { table: 'orders', column: null, kind: 'orphan', choice: 'reject_rows' },
      { table: 'orders', column: 'total', kind: 'out_of_range', choice: 'reject_rows' },
    ]);
    expect(plan.choices).toBeUndefined();
  });

  it('takes the narrower type into the column itself, not into the choices', () => {
    const col = { source: 'b', target: 'b', type: 'text', reason: 'carried as text', unfit: 0, suggestion: { type: 'boolean', reason: '3 of 4 fit', kind: 'narrower' as const, confidence: 'high' as const, unfit: 1 } };
    const plan: Plan = { ferry_version: '0.1.0', source: 's', dialect: 'postgres', tables: [{ source: 'flags', target: 'flags', columns: [col] }] };
    const narrower = g('flags', 'b', 'boolean cannot hold these values', 'kept (wider type)', 1, { kind: 'narrower_type', choices: ['keep', 'narrow_type'], default: 'keep' });
    const p = withChoice(plan, narrower, 'narrow_type');
    expect(p.tables[0].columns[0]).toMatchObject({ type: 'boolean', unfit: 1, suggestion: null });
    expect(p.choices ?? []).toEqual([]);
    expect(plan.tables[0].columns[0].type).toBe('text');
    // Keeping the wider type is an ordinary choice.
    expect(withChoice(plan, narrower, 'keep').choices).toEqual([{ table: 'flags', column: 'b', kind: 'narrower_type', choice: 'keep' }]);
  });

  it('is ready once every group that loses rows has a choice', () => {
    const chosen = [g('orders', null, 'orphan', 'rejected', 12, { chosen: 'reject_rows' }), g('events', 'note', 'NUL', 'changed', 40)];
    const v = verdict(pf({ groups: chosen }));
    expect(v.ready).toBe(true);
    expect(v.headline).toBe('Ready to migrate as chosen — 12 rows would be rejected and 40 values would arrive changed (of 10,400 rows checked)');
    expect(v.unresolved).toEqual([]);
  });
});

describe('renames', () => {
  // As the engine lists them among the groups: row NULL, value {from, to}, outcome "kept".
  const renameGroup = (kind: 'identifier_renamed' | 'identifier_too_long', table: string, column: string | null): Group =>
    g(table, column, `renamed to x: why`, 'kept', 1, { kind, choices: ['keep'], default: 'keep', examples: [{ row: null, value: { from: 'a', to: 'b' } }] });
  const renames = [renameGroup('identifier_renamed', 'users', 'Email'), renameGroup('identifier_too_long', 'a_very_long_table_name', null)];

  it('are not among the rows and values', () => {
    expect(valueGroups([...groups, ...renames])).toEqual(groups);
    expect(valueGroups(renames)).toEqual([]);
  });

  it('do not keep the verdict from "ready", and do not count as values', () => {
    const only = verdict(pf({ groups: renames, renames: [{ table: 'users', from: 'Email', to: 'Email_2', reason: 'clashes with another name once case is ignored' }] }));
    expect(only.ready).toBe(true);
    expect(only.headline).toBe('Ready to migrate: every value of the 10,400 rows checked fits the target as planned');
    expect(only.notes).toEqual(['1 name changes in the target']);
    const mixed = verdict(pf({ groups: [...groups, ...renames] }));
    expect(mixed).toEqual(verdict(pf({ groups })));
  });

  it.each([
    [{ table: 'users', from: 'Email', to: 'Email_2', reason: 'clashes with another name once case is ignored' }, { what: 'Column', from: 'Email', table: 'users', to: 'Email_2', because: 'because it clashes with another name once case is ignored' }],
    [{ table: null, from: 'a'.repeat(70), to: 'a'.repeat(63), reason: 'longer than PostgreSQL’s identifier limit' }, { what: 'Table', from: 'a'.repeat(70), table: null, to: 'a'.repeat(63), because: 'because it is longer than PostgreSQL’s identifier limit' }],
    [{ table: 't', from: 'x', to: 'y', reason: '' }, { what: 'Column', from: 'x', table: 't', to: 'y', because: '' }],
    [{ table: 't', from: 'x', to: 'y', reason: 'too long for MariaDB.' }, { what: 'Column', from: 'x', table: 't', to: 'y', because: 'because it is too long for MariaDB' }],
  ])('in words: %o', (r, want) => {
    expect(renameWords(r)).toEqual(want);
  });
});
