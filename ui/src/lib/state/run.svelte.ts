// The migration run and its report: whether one is running, its progress and outcome, and
// the report the Report view shows. One instance (`run`), reactive (Svelte 5 runes).
import type { Report, RunOutcome } from '../ipc';
import { emptyRun, type RunState } from '../run';

export class Run {
  running = $state(false);
  /** The engine's events so far, folded (lib/run.ts). */
  progress: RunState = $state(emptyRun());
  outcome: RunOutcome | null = $state(null);
  /** The report the Report view shows (the last run's, or a past one). */
  report: Report | null = $state(null);
  reportId: string | null = $state(null);
}

export const run = new Run();
