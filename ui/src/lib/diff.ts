// The Diff view's logic: labels and tones per status, summary counts, the "only
// differences" filter, and the acknowledgement of destructive steps (which Ferry never runs).
import type { DestructiveStep } from './bindings/DestructiveStep';
import type { ItemDiff } from './bindings/ItemDiff';
import type { ObjectKind } from './bindings/ObjectKind';
import type { SchemaDiff } from './bindings/SchemaDiff';
import type { Status } from './bindings/Status';
import type { TableDiff } from './bindings/TableDiff';

export type { DestructiveStep, ItemDiff, ObjectKind, SchemaDiff, Status, TableDiff };

/** Every label, in the order the summary lists them. */
export const STATUSES: Status[] = ['create', 'equal', 'different', 'extra', 'destructive'];

/** The tag class each label gets (colour) — always shown with its text. */
export const TONE: Record<Status, string> = {
  create: 'info',
  equal: 'ok',
  different: 'warn',
  extra: 'neutral',
  destructive: 'error',
};

/** What each label means, for the legend and the tags' titles. */
export const MEANING: Record<Status, string> = {
  create: 'planned, not in the target: migrate creates it',
  equal: 'in the target exactly as planned',
  different: 'in the target, not as planned; no value would be lost',
  extra: 'in the target, not in the plan',
  destructive: 'bringing it to the plan could lose values',
};

const KIND: Record<ObjectKind, string> = {
  column: 'column',
  primary_key: 'primary key',
  unique: 'unique',
  foreign_key: 'foreign key',
  check: 'check',
  index: 'index',
  partitioning: 'partitioning',
};

export function kindLabel(k: ObjectKind): string {
  return KIND[k] ?? k;
}

/** How many items carry each label (a table without items counts once), as the CLI counts. */
export function counts(d: SchemaDiff): Record<Status, number> {
  const out: Record<Status, number> = { create: 0, equal: 0, different: 0, extra: 0, destructive: 0 };
  for (const t of d.tables) {
    if (!t.items.length) out[t.status] += 1;
    else for (const i of t.items) out[i.status] += 1;
  }
  return out;
}

/** The tables to show, and in each the items: all, or only what is not equal. */
export function visible(d: SchemaDiff, onlyDifferences: boolean): TableDiff[] {
  if (!onlyDifferences) return d.tables;
  return d.tables.filter((t) => t.status !== 'equal').map((t) => ({ ...t, items: t.items.filter((i) => i.status !== 'equal') }));
}

/** The one-line summary. */
export function headline(d: SchemaDiff): string {
  if (!d.tables.length) return 'The plan has no tables and the target holds none';
  if (d.tables.every((t) => t.status === 'create')) return 'The target holds none of it: migrate creates everything';
  if (d.tables.every((t) => t.status === 'equal')) return 'The target matches the plan';
  const c = counts(d);
  const changes = c.different + c.extra + c.destructive;
  return `The target differs from the plan: ${changes} ${changes === 1 ? 'object' : 'objects'} to look at`;
}

/** A table's row on the planned side, or null when it is not planned (extra). */
export function plannedTable(t: TableDiff): string | null {
  if (t.source === null) return null;
  return t.source === t.name ? `table ${t.name}` : `table ${t.name} (from ${t.source})`;
}

/** A table's row on the target's side, or null when the target does not hold it. */
export function targetTable(t: TableDiff): string | null {
  return t.status === 'create' ? null : `table ${t.name}`;
}

/** A key for a set of destructive steps: an acknowledgement holds for exactly these. */
export function destructiveKey(steps: DestructiveStep[]): string {
  return JSON.stringify(steps.map((s) => [s.table, s.action, s.object, s.detail]));
}
