// The Distribution panel (Citus, `ferry plan --distribute`), kept free of Svelte so it can be
// tested with tables of cases: when the panel shows and when it proposes on its own, the
// column picker's list, each table's role beside where the run places it, the skew's figures
// and the rewrite's changes grouped by kind, all in words. Every role, evidence, figure and
// change is the engine's (distribution_choice, propose_distribution, distribution_skew,
// distribution_rewrite); nothing here decides one.
import type { ChangeKind } from './bindings/ChangeKind';
import type { DistributionChoice } from './bindings/DistributionChoice';
import type { DistributionSkew } from './bindings/DistributionSkew';
import type { DistributionPlacement as Placement } from './bindings/DistributionPlacement';
import type { Plan } from './bindings/Plan';
import type { RewriteChange } from './bindings/RewriteChange';
import type { Role } from './bindings/Role';
import type { RoleChoice } from './bindings/RoleChoice';
import type { ServerInfo } from './bindings/ServerInfo';
import type { TableRole } from './bindings/TableRole';
import { n, plural } from './format';

export type { ChangeKind, DistributionChoice, DistributionSkew, Placement, RewriteChange, Role, RoleChoice, TableRole };

/** Whether the target is a Citus cluster, as "Test connection" found it. */
export function isCitus(server: ServerInfo | null | undefined): boolean {
  return !!server?.citus;
}

/** Whether Schema & mapping shows the panel: a PostgreSQL plan into a Citus cluster, or one
 * that distributes already (a plan file opened) whatever the target. */
export function panelShown(plan: Plan | null, server: ServerInfo | null | undefined): boolean {
  if (!plan || plan.dialect !== 'postgres') return false;
  return isCitus(server) || !!plan.distribution;
}

/** The key of what a proposal was made (or turned off) for: the opening of the file and
 * the target's URL. */
export function distributionKey(generation: number, url: string): string {
  return `${generation}|${url}`;
}

/** The column to distribute by without being asked: the engine's, when the target is Citus,
 * the plan distributes nothing yet and the user has not turned it off for this file and
 * target; else null. */
export function proposeUnasked(plan: Plan | null, server: ServerInfo | null | undefined, choice: DistributionChoice | null, declined: boolean): string | null {
  if (!plan || plan.dialect !== 'postgres' || plan.distribution || declined || !isCitus(server)) return null;
  return choice?.proposed?.column ?? null;
}

/** Why that column, in words: "tenant_id references tenants from 13 of 16 tables". */
export function proposedText(choice: DistributionChoice | null): string | null {
  const p = choice?.proposed;
  if (!p) return null;
  return `${p.column} references ${p.references} from ${n(p.tables)} of ${plural(choice.tables, 'table')}`;
}

/** The picker's columns, most tables first, each with its count; the plan's own column kept
 * at the top when the engine's list lacks it (a plan file opened). */
export function columnOptions(choice: DistributionChoice | null, current: string | null | undefined): { column: string; label: string }[] {
  const out = (choice?.columns ?? []).map((c) => ({ column: c.column, label: `${c.column} (${plural(c.tables, 'table')})` }));
  if (current && !out.some((o) => o.column === current)) out.unshift({ column: current, label: current });
  return out;
}

export const ROLES: { role: Role; label: string; tone: string }[] = [
  { role: 'distributed', label: 'distributed', tone: 'ok' },
  { role: 'reference', label: 'reference', tone: 'info' },
  { role: 'local', label: 'local', tone: 'warn' },
];

export function roleLabel(r: Role): string {
  return ROLES.find((x) => x.role === r)?.label ?? r;
}

/** How many tables have each role: "12 distributed, 1 reference, 0 local" (the engine's
 * `Distribution::summary`, said from the same roles). */
export function roleSummary(roles: TableRole[]): string {
  return ROLES.map((r) => `${n(roles.filter((t) => t.role === r.role).length)} ${r.label}`).join(', ');
}

/** One table of the panel's list: the plan's role and evidence, and where the run places it. */
export interface RoleRow {
  table: string;
  role: Role;
  /** The user chose this role; the engine placed the others around it. */
  chosen: boolean;
  evidence: string;
  /** A distributed table that gets the column, filled from its parents: "orders" or
   * "items → orders"; null for one that has it. */
  filledFrom: string | null;
  /** Where the run places it, when the rewrite was read: "by tenant_id, co-located with
   * orders"; null before. */
  placed: string | null;
  /** The run places it otherwise than the plan says (a distributed table with no way to its
   * column stays local). */
  differs: boolean;
}

function placedText(p: Placement): string {
  if (p.role === 'distributed') return `by ${p.column ?? '?'}${p.colocate_with ? `, co-located with ${p.colocate_with}` : ', the table the others are co-located with'}`;
  if (p.role === 'reference') return 'copied to every node';
  return 'on the coordinator';
}

export function roleRows(roles: TableRole[], placements: Placement[]): RoleRow[] {
  return roles.map((r) => {
    const p = placements.find((x) => x.table === r.table);
    const hops = r.filled_from ?? [];
    return {
      table: r.table,
      role: r.role,
      chosen: !!r.chosen,
      evidence: r.evidence,
      filledFrom: hops.length ? hops.map((h) => h.parent).join(' → ') : null,
      placed: p ? placedText(p) : null,
      differs: !!p && p.role !== r.role,
    };
  });
}

/** The roles the user chose, with `table`'s set to `role` (or, with null, given back to the
 * engine's proposal): what the engine keeps when it places the others again. */
export function chosenWith(roles: TableRole[], table: string, role: Role | null): RoleChoice[] {
  const out = roles.filter((r) => r.chosen && r.table !== table).map((r) => ({ table: r.table, role: r.role }));
  if (role) out.push({ table, role });
  return out;
}

/** The tables with `role` (all for ''). */
export function filterRoles(rows: RoleRow[], role: Role | ''): RoleRow[] {
  return role ? rows.filter((r) => r.role === role) : rows;
}

/** The skew's figures in words: the tenants, the largest one's share, the shards. */
export function skewFigures(s: DistributionSkew): { label: string; value: string }[] {
  const share = s.largest_share >= 10 ? s.largest_share.toFixed(0) : s.largest_share.toFixed(1);
  return [
    { label: 'Tenants', value: n(s.tenants) },
    { label: 'Largest tenant', value: `${share}% of the rows (${n(s.largest)} of ${n(s.rows)})` },
    { label: 'Shards per table', value: s.shard_count === null ? 'not read' : n(s.shard_count) },
  ];
}

/** Every kind of change, in the order the panel lists them, with its heading. */
export const CHANGE_KINDS: { kind: ChangeKind; label: string }[] = [
  { kind: 'column_added', label: 'Column added, filled from the parent' },
  { kind: 'key_widened', label: 'Primary keys widened' },
  { kind: 'foreign_key_widened', label: 'Foreign keys widened' },
  { kind: 'unique_per_tenant', label: 'Global UNIQUEs, now per tenant' },
  { kind: 'action_dropped', label: 'Kept without their ON DELETE / ON UPDATE action' },
  { kind: 'foreign_key_left_off', label: 'Foreign keys left off' },
  { kind: 'placement', label: 'Placement adjusted' },
];

export interface ChangeGroup {
  kind: ChangeKind;
  label: string;
  /** Whether any of them is a warning (the source had it, the target will not do it). */
  warning: boolean;
  changes: RewriteChange[];
}

/** The changes grouped by kind, in `CHANGE_KINDS`' order, the engine's order within; kinds
 * with none left out. */
export function changeGroups(changes: RewriteChange[]): ChangeGroup[] {
  return CHANGE_KINDS.map((k) => {
    const of = changes.filter((c) => c.kind === k.kind);
    return { kind: k.kind, label: k.label, warning: of.some((c) => c.warning), changes: of };
  }).filter((g) => g.changes.length > 0);
}

/** The rewrite in a line: "23 changes, 2 warnings" / "nothing to change". */
export function changesLine(changes: RewriteChange[]): string {
  if (changes.length === 0) return 'nothing to change';
  const w = changes.filter((c) => c.warning).length;
  return `${plural(changes.length, 'change')}${w ? `, ${plural(w, 'warning')}` : ''}`;
}

/** What the panel says of the target when it cannot distribute there. */
export function targetNote(plan: Plan | null, server: ServerInfo | null | undefined): string | null {
  if (!plan?.distribution) return null;
  if (!server) return 'Test the connection in Connections: a run that distributes needs a Citus cluster.';
  if (!isCitus(server)) return `The target is ${server.server} without Citus: a run with this plan is refused there before anything is written. Choose a Citus coordinator, or turn distribution off.`;
  return null;
}
