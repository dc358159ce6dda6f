// The migration plan: the one proposed for (or opened over) the file, as the user changed
// it. One instance (`plan`), reactive (Svelte 5 runes), shared by every view.
import type { Plan } from '../ipc';

export class PlanState {
  /** The plan the checks, the diff and the run use; null until a file is open. */
  current: Plan | null = $state(null);
  /** Columns the user changed (`table.column`), to mark and to keep over a new proposal. */
  overridden: Record<string, boolean> = $state({});
}

export const plan = new PlanState();
