import { describe, expect, it } from 'vitest';
import type { SchemaDiff } from './bindings/SchemaDiff';
import type { TableDiff } from './bindings/TableDiff';
import { counts, destructiveKey, headline, kindLabel, plannedTable, targetTable, TONE, visible } from './diff';

const diff = (tables: TableDiff[], destructive: SchemaDiff['destructive'] = []): SchemaDiff => ({ dialect: 'postgres', target: 'postgres://u:***@h/shop', place: 'schema "public" of database "shop"', tables, destructive });

const mixed = diff(
  [
    { name: 'customers', source: 'customers', status: 'destructive', items: [
      { kind: 'column', name: 'id', status: 'equal', planned: 'bigint NOT NULL', actual: 'bigint NOT NULL', differences: [] },
      { kind: 'column', name: 'email', status: 'destructive', planned: 'text NOT NULL', actual: 'bytea NOT NULL', differences: ['type: bytea in the target, text planned (narrower: values could be lost)'] },
      { kind: 'primary_key', name: 'customers_pkey', status: 'equal', planned: '(id)', actual: '(id)', differences: [] },
      { kind: 'index', name: 'old_idx', status: 'extra', planned: null, actual: 'INDEX (email)', differences: [] },
    ] },
    { name: 'orders', source: 'orders', status: 'create', items: [] },
    { name: 'products', source: 'products', status: 'equal', items: [{ kind: 'column', name: 'id', status: 'equal', planned: 'bigint', actual: 'bigint', differences: [] }] },
    { name: 'legacy', source: null, status: 'extra', items: [] },
  ],
  [
    { table: 'legacy', action: 'drop table', object: 'legacy', detail: 'table legacy is not in the plan; dropping it deletes its rows' },
    { table: 'customers', action: 'change type', object: 'email', detail: 'column customers.email: type: bytea in the target, text planned' },
  ],
);

describe('the diff', () => {
  it('counts items by label, a table without items once', () => {
    expect(counts(mixed)).toEqual({ create: 1, equal: 3, different: 0, extra: 2, destructive: 1 });
    expect(counts(diff([]))).toEqual({ create: 0, equal: 0, different: 0, extra: 0, destructive: 0 });
  });

  it('shows only differences when asked, leaving equal tables and items out', () => {
    expect(visible(mixed, false)).toBe(mixed.tables);
    const v = visible(mixed, true);
    expect(v.map((t) => t.name)).toEqual(['customers', 'orders', 'legacy']);
    expect(v[0].items.map((i) => i.name)).toEqual(['email', 'old_idx']);
    // The diff itself is left as it was.
    expect(mixed.tables[0].items.length).toBe(4);
  });

  it('sums up in one line', () => {
    const cases: [SchemaDiff, string][] = [
      [diff([]), 'The plan has no tables and the target holds none'],
      [diff([{ name: 'a', source: 'a', status: 'create', items: [] }, { name: 'b', source: 'b', status: 'create', items: [] }]), 'The target holds none of it: migrate creates everything'],
      [diff([{ name: 'a', source: 'a', status: 'equal', items: [] }]), 'The target matches the plan'],
      [mixed, 'The target differs from the plan: 3 objects to look at'],
      [diff([{ name: 'x', source: null, status: 'extra', items: [] }]), 'The target differs from the plan: 1 object to look at'],
    ];
    for (const [d, want] of cases) expect(headline(d)).toBe(want);
  });

  it('names both sides of a table', () => {
    const cases: [TableDiff, string | null, string | null][] = [
      [{ name: 'orders', source: 'orders', status: 'create', items: [] }, 'table orders', null],
      [{ name: 'user_', source: 'user', status: 'equal', items: [] }, 'table user_ (from user)', 'table user_'],
      [{ name: 'legacy', source: null, status: 'extra', items: [] }, null, 'table legacy'],
    ];
    for (const [t, planned, target] of cases) {
      expect(plannedTable(t)).toBe(planned);
      expect(targetTable(t)).toBe(target);
    }
  });

  it('gives every label a tone and every kind a name', () => {
    expect(Object.keys(TONE).sort()).toEqual(['create', 'destructive', 'different', 'equal', 'extra']);
    expect(new Set(Object.values(TONE)).size).toBe(5);
    expect(kindLabel('foreign_key')).toBe('foreign key');
    expect(kindLabel('primary_key')).toBe('primary key');
    expect(kindLabel('partitioning')).toBe('partitioning');
  });

  it('ties an acknowledgement to exactly the steps read', () => {
    const k = destructiveKey(mixed.destructive);
    expect(destructiveKey(structuredClone(mixed.destructive))).toBe(k);
    expect(destructiveKey(mixed.destructive.slice(1))).not.toBe(k);
    expect(destructiveKey([{ ...mixed.destructive[0], detail: 'other' }, mixed.destructive[1]])).not.toBe(k);
  });
});
