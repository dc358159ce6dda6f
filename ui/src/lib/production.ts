// The Production step, kept free of Svelte so it can be tested with tables of cases: the
// plan's `[[production]]` proposals (`ferry plan --production`) grouped by table, filtered
// by kind, counted, each with its words (kind, subject, the SQL to copy), and whether the
// step should propose on its own. What is proposed, and every refusal, is the engine's
// (propose_production, set_production_accept).
import type { Plan } from './bindings/Plan';
import type { Proposal } from './bindings/Proposal';
import type { ProposalKind } from './bindings/ProposalKind';
import { dialectName, plural } from './format';

export type { Proposal, ProposalKind };

/** Every kind, in the order the engine proposes them, with its name in the view. */
export const KINDS: { kind: ProposalKind; label: string }[] = [
  { kind: 'json_index', label: 'JSON index' },
  { kind: 'search', label: 'Full-text search' },
  { kind: 'partial_index', label: 'Partial index' },
  { kind: 'partition', label: 'Partitions' },
  { kind: 'default', label: 'Default' },
  { kind: 'extension', label: 'Extension' },
  { kind: 'covering_index', label: 'Covering index' },
];

/** A kind's name in the view ("JSON index"); a proposal with none says so. */
export function kindLabel(kind: ProposalKind | null | undefined): string {
  if (!kind) return 'No kind';
  return KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

/** What it is about, as the engine's `Proposal::subject` says it: "orders.metadata",
 * "orders.status, placed_at", "orders", or "the database" (an extension). */
export function subject(p: Proposal): string {
  const cols = p.columns ?? [];
  if (!p.table) return 'the database';
  return cols.length ? `${p.table}.${cols.join(', ')}` : p.table;
}

/** Its parameters in words, beside the subject: the form, the key path, the rows it keeps,
 * the extra columns and the SQLite indexes it replaces (empty when it has none). */
export function details(p: Proposal): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  const usingLabel: Partial<Record<ProposalKind, string>> = { json_index: 'operator class', search: 'configuration', partition: 'by', default: 'value', extension: 'extension' };
  if (p.using) out.push({ label: (p.kind && usingLabel[p.kind]) || 'using', value: p.using });
  if (p.key) out.push({ label: 'key', value: p.key });
  if (p.predicate) out.push({ label: 'where', value: p.predicate });
  if (p.include?.length) out.push({ label: 'include', value: p.include.join(', ') });
  if (p.replaces?.length) out.push({ label: 'replaces', value: p.replaces.join(', ') });
  return out;
}

/** The SQL it makes, one statement a line, each ending in a semicolon: what Copy copies. */
export function sqlText(p: Proposal): string {
  return (p.sql ?? [])
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.endsWith(';') ? s : `${s};`))
    .join('\n');
}

/** How many proposals there are, and how many are taken. */
export function counts(production: readonly Proposal[]): { total: number; accepted: number } {
  return { total: production.length, accepted: production.filter((p) => p.accept).length };
}

/** The header line: "7 proposals, 3 accepted". */
export function countLine(production: readonly Proposal[]): string {
  const c = counts(production);
  return `${plural(c.total, 'proposal')}, ${c.accepted} accepted`;
}

/** The kinds the proposals have, in the engine's order, each with its count: the filter's choices. */
export function kindsPresent(production: readonly Proposal[]): { kind: ProposalKind; label: string; count: number }[] {
  return KINDS.map((k) => ({ ...k, count: production.filter((p) => p.kind === k.kind).length })).filter((k) => k.count > 0);
}

/** One table's proposals, each with its place in the plan's list (what `set_production_accept`
 * names). The database's own (an extension) come under "The database". */
export interface TableGroup {
  table: string;
  label: string;
  items: { index: number; p: Proposal }[];
}

/** The proposals of `kind` (all when ''), grouped by table in the plan's order. */
export function byTable(production: readonly Proposal[], kind: ProposalKind | '' = ''): TableGroup[] {
  const groups = new Map<string, TableGroup>();
  production.forEach((p, index) => {
    if (kind && p.kind !== kind) return;
    let g = groups.get(p.table);
    if (!g) {
      g = { table: p.table, label: p.table || 'The database', items: [] };
      groups.set(p.table, g);
    }
    g.items.push({ index, p });
  });
  return [...groups.values()];
}

/** `plan` with the engine's proposals in place of its own, the rest as it is now (the user
 * may have changed the plan while the proposal was being made). */
export function withProduction(plan: Plan, production: Proposal[] | undefined): Plan {
  return { ...plan, production: production ?? [] };
}

/** `plan` with proposal `index` taken or left, the rest as it is (out of range: unchanged). */
export function withAccept(plan: Plan, index: number, accept: boolean): Plan {
  const production = plan.production ?? [];
  if (index < 0 || index >= production.length) return plan;
  return { ...plan, production: production.map((p, i) => (i === index ? { ...p, accept } : p)) };
}

/** The sidebar's line under Production: "3 of 7 taken", or what the step is about. */
export function navHint(plan: Plan | null): string {
  const c = counts(plan?.production ?? []);
  return c.total ? `${c.accepted} of ${c.total} taken` : 'Indexes, partitions';
}

/** The key of what a proposal is made for: the file's opening and the server kind. */
export function productionKey(generation: number, dialect: string | null | undefined): string {
  return `${generation}|${dialect ?? ''}`;
}

/** Whether the step proposes on its own: on the first visit for this file and server kind,
 * unless the plan already holds proposals (a plan file opened, or proposed before). */
export function proposeUnasked(plan: Plan | null, proposedFor: string | null, key: string): boolean {
  return !!plan && proposedFor !== key && (plan.production ?? []).length === 0;
}

/** What the step looked at when it found nothing, in words: the plan's tables (those not
 * skipped) and their columns, for its server kind. */
export function emptyText(plan: Plan): string {
  const kept = plan.tables.filter((t) => !t.skip);
  const columns = kept.reduce((s, t) => s + t.columns.length, 0);
  return `Looked at ${plural(kept.length, 'table')} and ${plural(columns, 'column')} for ${dialectName(plan.dialect)}: no JSON columns, no prose, no skewed flags, no table large enough to partition — nothing to propose. The tables are built as Schema & mapping shows them.`;
}
