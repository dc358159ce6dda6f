// What the Pre-flight and Diff views found, kept while the user moves between views (the
// views themselves are rebuilt on every visit). Reactive, one instance (`checks`).
import type { IpcError } from './bindings/IpcError';
import type { Preflight } from './bindings/Preflight';
import type { SchemaDiff } from './bindings/SchemaDiff';

export class Checks {
  preflight: Preflight | null = $state(null);
  /** The plan (`planKey`) the pre-flight ran with; another plan makes the result stale. */
  preflightPlan = $state('');
  preflightRunning = $state(false);
  preflightError: IpcError | null = $state(null);

  diff: SchemaDiff | null = $state(null);
  /** The plan and target (`planKey` of both) the diff was made for. */
  diffKey = $state('');
  diffRunning = $state(false);
  diffError: IpcError | null = $state(null);
  /** The destructive steps (`destructiveKey`) the user acknowledged, if any. */
  acknowledged = $state('');
}

export const checks = new Checks();

/** The Pre-flight step's line in the nav. */
export function preflightHint(): string {
  if (checks.preflightRunning) return 'Checking…';
  if (!checks.preflight) return 'Check every value';
  return checks.preflight.groups.length ? 'Unresolved rows' : 'Ready to migrate';
}

/** The Diff step's line in the nav. */
export function diffHint(): string {
  if (checks.diffRunning) return 'Comparing…';
  if (!checks.diff) return 'Planned vs the target';
  if (checks.diff.destructive.length) return 'Destructive steps';
  if (checks.diff.tables.every((t) => t.status === 'create')) return 'Target is empty';
  return checks.diff.tables.every((t) => t.status === 'equal') ? 'Target matches' : 'Target differs';
}
