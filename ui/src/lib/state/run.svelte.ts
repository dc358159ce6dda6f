// The migration run and its report: whether one is running, its progress and outcome, and
// the report the Report view shows. One instance (`run`), reactive (Svelte 5 runes).
//
// The run shown belongs to the file and target it ran with (`basis`): once another file is
// opened or another target set, it is no longer shown (`shown`), unless it is still running.
// A run undone from the Run view keeps what the rollback answered (`rolledBack`).
import type { Report, RollbackOutcome, RunOutcome } from '../ipc';
import { emptyRun, runStatus, STATUS_LABEL, type RunState, type RunStatus } from '../run';
import { basisNow, stillHolds, type Basis } from './basis.svelte';

export class Run {
  running = $state(false);
  /** The engine's events so far, folded (lib/run.ts). */
  progress: RunState = $state(emptyRun());
  outcome: RunOutcome | null = $state(null);
  /** The file and target the shown run was started on. */
  basis: Basis | null = $state(null);
  /** What undoing the shown run removed, once it was undone. */
  rolledBack: RollbackOutcome | null = $state(null);
  /** The report the Report view shows (the last run's, or a past one). */
  report: Report | null = $state(null);
  reportId: string | null = $state(null);

  /** Whether the run in memory is for the file and target as they are now (or running). */
  get shown(): boolean {
    return this.running || (this.basis !== null && stillHolds(this.basis, ['source', 'target']));
  }

  get status(): RunStatus {
    if (!this.shown) return 'idle';
    return runStatus(this.running, this.outcome?.report ?? null, this.rolledBack !== null);
  }

  /** A new run starts: the last one's progress and outcome make way. */
  begin(): void {
    this.progress = emptyRun();
    this.outcome = null;
    this.rolledBack = null;
    this.basis = basisNow();
    this.running = true;
  }

  /** Clears the run shown (the user chose to set up a new one). */
  clear(): void {
    if (this.running) return;
    this.progress = emptyRun();
    this.outcome = null;
    this.rolledBack = null;
    this.basis = null;
  }
}

export const run = new Run();

/** The Run step's line in the nav: the status the Run view shows. */
export function runHint(): string {
  return STATUS_LABEL[run.status];
}
