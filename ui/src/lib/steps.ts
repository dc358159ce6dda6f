// The steps of a migration, in the order the sidebar shows them: Back and Next (StepNav, at
// the foot of every view) walk this list, and the line beside them says what to do next on
// the step shown, from what is done so far (`Facts`).
import type { View } from './state/nav.svelte';
import type { RunStatus } from './run';

export interface Step {
  id: View;
  label: string;
  /** 'flow': the numbered steps of a migration; 'after': checking, watching and undoing. */
  group: 'flow' | 'after';
}

export const STEPS: readonly Step[] = [
  { id: 'connections', label: 'Connections', group: 'flow' },
  { id: 'mapping', label: 'Schema & mapping', group: 'flow' },
  { id: 'production', label: 'Production', group: 'flow' },
  { id: 'preflight', label: 'Pre-flight', group: 'flow' },
  { id: 'diff', label: 'Diff', group: 'flow' },
  { id: 'run', label: 'Run', group: 'flow' },
  { id: 'report', label: 'Report', group: 'flow' },
  { id: 'validation', label: 'Validation', group: 'after' },
  { id: 'cutover', label: 'Cutover', group: 'after' },
  { id: 'monitor', label: 'Monitor', group: 'after' },
  { id: 'backups', label: 'Backups', group: 'after' },
  { id: 'checklist', label: 'Checklist', group: 'after' },
  { id: 'audit', label: 'Audit log', group: 'after' },
];

/** The steps before and after `view` (null at either end). */
export function around(view: View): { back: Step | null; next: Step | null } {
  const i = STEPS.findIndex((s) => s.id === view);
  if (i < 0) return { back: null, next: null };
  return { back: STEPS[i - 1] ?? null, next: STEPS[i + 1] ?? null };
}

/** What is done so far, as the shared state says. */
export interface Facts {
  file: boolean;
  /** The target as "Test connection" found it. */
  target: 'untested' | 'ready' | 'not_empty' | 'no_create';
  preflight: 'none' | 'running' | 'ready' | 'unresolved' | 'stale';
  diff: 'none' | 'running' | 'done' | 'stale' | 'destructive';
  run: RunStatus;
}

/** One line: what to do on `view` now, and what comes next. */
export function todo(view: View, f: Facts): string {
  return prerequisite(view, f) ?? ownPart(view, f);
}

/** Whether this step's own part is done, so that Next is the thing to press. */
export function done(view: View, f: Facts): boolean {
  if (prerequisite(view, f)) return false;
  switch (view) {
    case 'preflight':
      return f.preflight === 'ready' || f.preflight === 'unresolved';
    case 'diff':
      return f.diff === 'done';
    case 'run':
      return f.run === 'finished';
    default:
      return true;
  }
}

function ownPart(view: View, f: Facts): string {
  switch (view) {
    case 'connections':
      return 'File and target are ready. Next: review the schema and the types.';
    case 'mapping':
      return 'Look at the tables marked for a look. Next: the production features in Production.';
    case 'production':
      return 'Take the features worth building (each with its figures and its SQL), then check every value in Pre-flight.';
    case 'preflight':
      return {
        none: 'Run the pre-flight: it checks every value against the target’s types, writing nothing.',
        running: 'Checking every value…',
        stale: 'The plan changed since: run the pre-flight again.',
        unresolved: 'Choose what happens to the rows listed, then compare with the target in Diff.',
        ready: 'Every value fits. Next: compare the plan with the target in Diff.',
      }[f.preflight];
    case 'diff':
      return {
        none: 'Compare the plan with the target, then start the migration in Run.',
        running: 'Comparing…',
        stale: 'The plan or the target changed since: compare again.',
        destructive: 'Read the destructive steps and acknowledge them before the run.',
        done: 'Next: back up the target and start the migration in Run.',
      }[f.diff];
    case 'run':
      return {
        idle: 'Back up the target if you wish, then start the migration.',
        running: 'The migration is under way; Cancel is with its progress.',
        finished: 'Finished. Next: read the report.',
        cancelled: 'Undo what the run made before starting again, or read its report.',
        failed: 'Undo what the run made before starting again, or read its report.',
        rolled_back: 'Undone. Set up a new run to start again.',
      }[f.run];
    case 'report':
      return 'Read what arrived and what changed. Next: compare every row in Validation.';
    case 'validation':
      return 'Compare every row of the file with the target. Next: the cutover.';
    case 'cutover':
      return 'Sync the rows written since the run; on the day, follow the steps in order. Next: the target’s health in Monitor.';
    case 'monitor':
      return 'Watch the target at work. Next: backups, and rolling a run back.';
    case 'backups':
      return 'Restore a target backup or roll a run back here. Next: the checklist.';
    case 'checklist':
      return 'Tick what is done before, on and after the day. Next: the audit log.';
    case 'audit':
      return 'The last step: everything Ferry did, in order.';
  }
}

/** What must be done elsewhere before `view` can do its part, if anything. */
function prerequisite(view: View, f: Facts): string | null {
  const needsFile = ['connections', 'mapping', 'production', 'preflight', 'diff', 'run'].includes(view);
  const needsTarget = ['connections', 'diff', 'run'].includes(view);
  if (needsFile && !f.file) return view === 'connections' ? 'Choose a SQLite file, or try the demo database.' : 'Open a SQLite file in Connections first.';
  if (needsTarget && f.run === 'idle') {
    const here = view === 'connections';
    if (f.target === 'untested') return here ? 'Enter the target database and test the connection.' : 'Test the target connection in Connections first.';
    if (f.target === 'not_empty') return here ? 'The target is not empty: choose an empty database.' : 'The target is not empty: choose an empty database in Connections.';
    if (f.target === 'no_create') return here ? 'This user may not create tables: connect as another.' : 'The target user may not create tables: see Connections.';
  }
  return null;
}
