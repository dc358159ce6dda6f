// The Pre-flight view's logic: groups by table, filtering, what migrate does with each group
// by default, and the verdict (ready, or the list of what is unresolved). Values from the
// database stay text; the view never renders them as markup.
import type { Choice } from './bindings/Choice';
import type { Group } from './bindings/Group';
import type { Plan } from './bindings/Plan';
import type { Preflight } from './bindings/Preflight';
import type { Rename } from './bindings/Rename';
import type { Warning } from './bindings/Warning';
import { jsonText, plural } from './format';
import { acceptSuggestion } from './mapping';

export type { Group, Preflight, Rename, Warning };

/** Each choice in words, as the Pre-flight view offers it. */
export const CHOICE_LABEL: Record<Choice, string> = {
  reject_rows: 'Reject the rows (listed in the report and the rejects file)',
  set_null: 'Load the rows with NULL here (each one reported as changed)',
  strip_nul: 'Remove the NUL characters (each value reported as changed)',
  store_as_bytes: 'Store the column as bytes (bytea / longblob), values untouched',
  widen_type: 'Widen the column’s type so every value fits',
  drop_constraint: 'Do not create the constraint (listed in the report)',
  narrow_type: 'Take the best type: the values it cannot hold become groups of their own, to choose for (their rows are rejected unless you choose otherwise)',
  keep_unchecked: 'Load the rows; the foreign key guards new rows but is not checked against these (PostgreSQL NOT VALID) — listed in the report',
  keep: 'Keep as listed',
};

/** The choice in force for a group: the plan's, else the default. */
export function inForce(g: Group): Choice {
  return g.chosen ?? g.default;
}

/** A group is unresolved while nobody chose for it and its default loses rows — as the
 * engine's `Preflight::unresolved()` says. */
export function isUnresolved(g: Group): boolean {
  return g.chosen === null && g.default === 'reject_rows';
}

/** The plan with `choice` recorded for the group (replacing an earlier one for it); the plan
 * file keeps it as `[[choices]]`, and `migrate` honours it. */
export function withChoice(plan: Plan, g: Group, choice: Choice): Plan {
  // Taking the narrower type changes the column itself, as the mapping view's "accept" does;
  // the next pre-flight shows the values it cannot hold as groups of their own.
  if (choice === 'narrow_type' && g.column !== null) return acceptSuggestion(plan, g.table, g.column);
  const same = (c: { table: string; column?: string | null; kind: string }) => c.table === g.table && (c.column ?? null) === g.column && c.kind === g.kind;
  const rest = (plan.choices ?? []).filter((c) => !same(c));
  return { ...plan, choices: [...rest, { table: g.table, column: g.column, kind: g.kind, choice }] };
}

/** What `ferry migrate` does with a group's rows when nobody chooses otherwise. */
export function defaultAction(g: Group): string {
  if (g.outcome === 'rejected') return 'Rows rejected: not loaded, written to the rejects file and listed in the report';
  if (g.outcome === 'changed') return 'Values arrive changed: loaded, each change listed in the report';
  return `${g.outcome} (listed in the report)`;
}

/** The short tag for a group's default outcome. */
export function outcomeTag(g: Group): { text: string; tone: 'error' | 'warn' | 'info' } {
  if (g.outcome === 'rejected') return { text: 'rows rejected', tone: 'error' };
  if (g.outcome === 'changed') return { text: 'values changed', tone: 'warn' };
  return { text: g.outcome, tone: 'info' };
}

/** "orders.customer_id", or the table alone for a row-level cause (an orphan). */
export function place(g: Group): string {
  return g.column === null ? g.table : `${g.table}.${g.column}`;
}

export { rowKey } from './format';

/** An example's value as text, "—" when the cause is about the row (an orphan). Control
 * characters (a NUL, an escape) show as their symbols (␀, ␛), or they would be invisible. */
export function exampleValue(g: Group, value: unknown): string {
  if (g.column === null && (value === null || value === undefined)) return '—';
  return jsonText(value).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => String.fromCharCode(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0)));
}

export interface TableGroups {
  table: string;
  groups: Group[];
  /** Rows rejected (each row is refused once, for its first bad value). */
  rejected: number;
  /** Values that arrive changed. */
  changed: number;
}

/** The groups by table, tables by name, groups in the engine's order within each. */
export function byTable(groups: Group[]): TableGroups[] {
  const out = new Map<string, TableGroups>();
  for (const g of groups) {
    let t = out.get(g.table);
    if (!t) {
      t = { table: g.table, groups: [], rejected: 0, changed: 0 };
      out.set(g.table, t);
    }
    t.groups.push(g);
    if (g.outcome === 'rejected') t.rejected += g.count;
    else t.changed += g.count;
  }
  return [...out.values()].sort((a, b) => a.table.localeCompare(b.table));
}

export interface Filter {
  /** One table's name, or '' for all. */
  table: string;
  /** Words to find in the table, column or cause (case-insensitive), or ''. */
  text: string;
}

/** The groups the filter keeps. */
export function filterGroups(groups: Group[], f: Filter): Group[] {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  return groups.filter((g) => {
    if (f.table && g.table !== f.table) return false;
    const hay = `${g.table} ${g.column ?? ''} ${g.cause}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Warnings (objects not carried) by table, the ones about no table last. */
export function objectsByTable(objects: Warning[]): { table: string | null; objects: Warning[] }[] {
  const out = new Map<string | null, Warning[]>();
  for (const o of objects) out.set(o.table, [...(out.get(o.table) ?? []), o]);
  return [...out.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([table, objects]) => ({ table, objects }));
}

/** Group kinds that are renames, not values: the engine lists them among the groups (for
 * scripts), the view says them with the renames, in words. */
export const RENAME_KINDS: readonly string[] = ['identifier_renamed', 'identifier_too_long'];

/** The groups about rows and values: every group but the renames. */
export function valueGroups(groups: Group[]): Group[] {
  return groups.filter((g) => !RENAME_KINDS.includes(g.kind));
}

/** One rename as a sentence, in parts for the view to set the names in code:
 * "column `x` of table `t` will be named `y` because it is longer than …". */
export interface RenameWords {
  /** "Column" or "Table". */
  what: string;
  from: string;
  /** The table a column is in, else null. */
  table: string | null;
  to: string;
  /** "because it is longer than PostgreSQL's identifier limit". */
  because: string;
}

export function renameWords(r: Rename): RenameWords {
  const reason = r.reason.trim().replace(/\.$/, '');
  const because = reason ? `because it ${/^(longer|shorter|too|not|a |an |the )/i.test(reason) ? 'is ' : ''}${reason}` : '';
  return { what: r.table === null ? 'Table' : 'Column', from: r.from, table: r.table, to: r.to, because };
}

/** "customers → customers_" or "orders.id → orders.id_". */
export function renameText(r: Rename): string {
  return r.table === null ? `table ${r.from} → ${r.to}` : `column ${r.table}.${r.from} → ${r.table}.${r.to}`;
}

export interface Verdict {
  /** Nothing the user must decide: every value fits as planned. */
  ready: boolean;
  headline: string;
  /** One line per unresolved group, most rows first. */
  unresolved: string[];
  /** Things Ferry reports but cannot carry (objects), and renames: to know, not to resolve. */
  notes: string[];
}

/** The verdict: ready when no group is left to a default that loses rows; what is
 * unresolved otherwise (most rows first). */
export function verdict(p: Preflight): Verdict {
  const groups = valueGroups(p.groups);
  const rejected = groups.filter((g) => g.outcome === 'rejected').reduce((s, g) => s + g.count, 0);
  const changed = groups.filter((g) => g.outcome === 'changed').reduce((s, g) => s + g.count, 0);
  const unresolved = groups
    .filter(isUnresolved)
    .sort((a, b) => b.count - a.count || place(a).localeCompare(place(b)))
    .map((g) => `${place(g)}: ${plural(g.count, g.outcome === 'rejected' ? 'row rejected' : 'value changed', g.outcome === 'rejected' ? 'rows rejected' : 'values changed')} — ${g.cause}`);
  const notes: string[] = [];
  if (p.objects.length) notes.push(plural(p.objects.length, 'object is not carried as it is', 'objects are not carried as they are'));
  if (p.renames.length) notes.push(`${plural(p.renames.length, 'name changes', 'names change')} in the target`);
  const checked = plural(p.rows_checked, 'row', 'rows');
  if (!groups.length) {
    return { ready: true, headline: `Ready to migrate: every value of the ${checked} checked fits the target as planned`, unresolved, notes };
  }
  const parts: string[] = [];
  if (rejected) parts.push(plural(rejected, 'row would be rejected', 'rows would be rejected'));
  if (changed) parts.push(plural(changed, 'value would arrive changed', 'values would arrive changed'));
  const what = parts.length ? parts.join(' and ') : 'every value loads as chosen';
  if (!unresolved.length) {
    return { ready: true, headline: `Ready to migrate${rejected ? ' as chosen' : ''} — ${what} (of ${checked} checked)`, unresolved, notes };
  }
  return { ready: false, headline: `${what} (of ${checked} checked)`, unresolved, notes };
}

/** The plan as a key: a result is stale once the plan it ran with differs from this one. */
export function planKey(plan: unknown): string {
  return JSON.stringify(plan ?? null);
}
