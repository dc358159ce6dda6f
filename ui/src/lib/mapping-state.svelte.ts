// What the Schema & mapping view remembers while the user goes to other views and back:
// the chosen table, the suggestions accepted, the proposals behind overrides, the plan file
// path. Not part of the plan (state/plan.svelte.ts holds that).
import type { BulkUndo } from './bindings/BulkUndo';
import type { ColumnPlan } from './bindings/ColumnPlan';

export class MappingState {
  /** The table whose columns are shown (its source name). */
  selected: string | null = $state(null);
  query = $state('');
  onlyAttention = $state(false);
  /** Suggestions the user looked at and kept (`table.column`). */
  accepted: Record<string, boolean> = $state({});
  /** A column as proposed, kept when it is first overridden, for "reset to proposal". */
  proposals: Record<string, ColumnPlan> = $state({});
  planPath = $state('');
  /** The last decision for many columns: what it did, what undoes it (null once undone), and
   * the file its plan was of (another file's plan is never "undone" by it). */
  lastBulk: { text: string; undo: BulkUndo | null; verb: 'take' | 'keep'; source: string } | null = $state(null);
}

export const mappingState = new MappingState();
