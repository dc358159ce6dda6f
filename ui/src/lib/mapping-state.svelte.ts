// What the Schema & mapping view remembers while the user goes to other views and back:
// the chosen table, the suggestions accepted, the proposals behind overrides, the plan file
// path. Not part of the plan (state/plan.svelte.ts holds that). All of it is about one
// proposal — one opening of the file, for one kind of server — and starts afresh with another.
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
  /** The proposal all of the above was made on (see `follow`); null before any. */
  #madeOn: string | null = null;

  /** Starts afresh when `proposal` (the file's opening and the plan's dialect, as
   * `mappingKey` says them) is not the one this state was made on; says whether it did. */
  follow(proposal: string): boolean {
    if (proposal === this.#madeOn) return false;
    this.#madeOn = proposal;
    this.reset();
    return true;
  }

  reset(): void {
    this.selected = null;
    this.query = '';
    this.onlyAttention = false;
    this.accepted = {};
    this.proposals = {};
    this.planPath = '';
    this.lastBulk = null;
  }
}

/** Which proposal the mapping is of: the file's opening (`source.generation`) and the
 * plan's dialect (testing another kind of server proposes the plan again). */
export function mappingKey(generation: number, dialect: string | null | undefined): string {
  return `${generation}/${dialect ?? ''}`;
}

export const mappingState = new MappingState();
