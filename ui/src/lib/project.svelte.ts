// The project the views share: the SQLite file, the target, the plan, the run. One
// instance (`project`), reactive (Svelte 5 runes), so every view sees the same state.
import type { Dialect, Plan, Report, RunOutcome, ServerInfo, SourceView } from './ipc';
import { defaultFields, type TargetFields } from './url';
import { emptyRun, type RunState } from './run';

export type View = 'connections' | 'mapping' | 'preflight' | 'diff' | 'run' | 'report' | 'validation' | 'monitor' | 'backups' | 'checklist' | 'audit';

export class Project {
  view: View = $state('connections');
  source: SourceView | null = $state(null);
  /** A file to open as soon as the Connections view can (the app's start argument). */
  pendingOpen: string | null = $state(null);
  fields: TargetFields = $state(defaultFields());
  password = $state('');
  /** What "Test connection" found for the fields as they were then. */
  server: ServerInfo | null = $state(null);
  plan: Plan | null = $state(null);
  /** Columns the user changed (`table.column`), to mark and to keep over a new proposal. */
  overridden: Record<string, boolean> = $state({});
  running = $state(false);
  run: RunState = $state(emptyRun());
  outcome: RunOutcome | null = $state(null);
  /** The report the Report view shows (the last run's, or a past one). */
  report: Report | null = $state(null);
  reportId: string | null = $state(null);

  /** The target's dialect: as the server said when tested, else from the kind chosen. */
  get dialect(): Dialect {
    if (this.server) return this.server.dialect;
    return this.fields.kind === 'postgres' ? 'postgres' : 'mysql';
  }
}

export const project = new Project();
