// Deciding once for many columns in Schema & mapping: the kinds of suggestion as a person
// names them (as `ferry_core::plan::bulk::BulkKind`), how many of each a plan holds, and the
// words for a decision, its preview and its outcome. The decision itself is the engine's
// (ipc.ts bulkPreview / bulkApply / bulkUndo), so the plan is what one-by-one choices make.
import type { BulkDecision } from './bindings/BulkDecision';
import type { BulkKind } from './bindings/BulkKind';
import type { BulkPreview } from './bindings/BulkPreview';
import type { Plan } from './bindings/Plan';
import type { Suggestion } from './bindings/Suggestion';
import { n, plural } from './format';

export const BULK_KIND_LABEL: Record<BulkKind, string> = {
  decimal: 'REAL used as money → numeric',
  bool_01: '0/1 → boolean',
  bool_words: 'yes/no words → boolean',
  timestamp: 'numbers as times → timestamp',
  uuid: 'UUIDs in uppercase or blobs → uuid',
  narrower: 'narrower type (rejects values)',
};

/** The kind of a suggestion (as the engine's `BulkKind::of`); null for an enum candidate. */
export function bulkKindOf(s: Suggestion): BulkKind | null {
  switch (s.kind) {
    case 'enum':
      return null;
    case 'boolean':
      return s.transform === 'bool_text' ? 'bool_words' : 'bool_01';
    default:
      return s.kind;
  }
}

/** How many suggestions of each kind the given tables hold (skipped tables apart), in the
 * order of BULK_KIND_LABEL, kinds with none left out. */
export function kindCounts(plan: Plan, tables: Set<string> | null): { kind: BulkKind; count: number }[] {
  const counts = new Map<BulkKind, number>();
  for (const t of plan.tables) {
    if (t.skip || (tables && !tables.has(t.source))) continue;
    for (const c of t.columns) {
      const k = c.suggestion ? bulkKindOf(c.suggestion) : null;
      if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  return (Object.keys(BULK_KIND_LABEL) as BulkKind[]).filter((k) => counts.has(k)).map((kind) => ({ kind, count: counts.get(kind)! }));
}

/** The decision in words: "Take every high-confidence suggestion in all 500 tables". */
export function decisionText(d: BulkDecision, tableCount: number): string {
  const what =
    d.which === 'high'
      ? `${d.verb === 'take' ? 'Take every high-confidence suggestion' : 'Keep the proposal over every high-confidence suggestion'}`
      : d.which === 'all'
        ? d.verb === 'take'
          ? 'Take every suggestion'
          : 'Keep every proposal (dismiss the suggestions)'
        : `${d.verb === 'take' ? 'Take' : 'Keep the proposal over'} every “${BULK_KIND_LABEL[d.which.kind]}”`;
  const where = d.tables ? `in the ${plural(d.tables.length, 'table', 'tables')} shown` : `in all ${plural(tableCount, 'table', 'tables')}`;
  return `${what} ${where}`;
}

/** "17 columns in 14 tables will change" (as the engine's `BulkPreview::summary`). */
export function previewSummary(p: BulkPreview): string {
  const cols = p.changes.length;
  if (cols === 0) return 'Nothing would change: no suggestion of this kind in these tables';
  return `${n(cols)} ${cols === 1 ? 'column' : 'columns'} in ${plural(p.tables, 'table', 'tables')} will change`;
}

/** What was done: "Took 17 suggestions in 14 tables" / "Kept 25 proposals in 20 tables". */
export function doneText(verb: 'take' | 'keep', p: BulkPreview): string {
  const cols = p.changes.length;
  return verb === 'take' ? `Took ${plural(cols, 'suggestion', 'suggestions')} in ${plural(p.tables, 'table', 'tables')}` : `Kept ${plural(cols, 'proposal', 'proposals')} in ${plural(p.tables, 'table', 'tables')}`;
}
