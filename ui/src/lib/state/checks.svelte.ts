// What the Pre-flight and Diff views found, kept while the user moves between views (the
// views themselves are rebuilt on every visit). Reactive, one instance (`checks`).
//
// Each result keeps the basis (file opening, target) it was asked on — taken when its run
// starts (`…Running = true`) — and reads as null once another file is opened: both read the
// file. An answer arriving for an earlier file is stored on its own, outdated basis, so it
// never shows. A diff made on another target (or plan) is kept but marked stale, as the Diff
// view and its nav line say.
import type { IpcError } from '../bindings/IpcError';
import type { Preflight } from '../bindings/Preflight';
import type { SchemaDiff } from '../bindings/SchemaDiff';
import { basisNow, stillHolds, type Basis } from './basis.svelte';
import { plan } from './plan.svelte';
import { target } from './target.svelte';
import { buildUrl, redactUrl } from '../url';
import { planKey, verdict } from '../preflight';

export class Checks {
  #preflight: Preflight | null = $state(null);
  #preflightBasis: Basis | null = $state(null);
  #preflightAsked: Basis | null = null;
  #preflightRunning = $state(false);
  /** The plan (`planKey`) the pre-flight ran with; another plan makes the result stale. */
  preflightPlan = $state('');
  #preflightError: IpcError | null = $state(null);
  #preflightErrorBasis: Basis | null = $state(null);

  #diff: SchemaDiff | null = $state(null);
  #diffBasis: Basis | null = $state(null);
  #diffAsked: Basis | null = null;
  #diffRunning = $state(false);
  /** The plan and target (`planKey` of both) the diff was made for. */
  diffKey = $state('');
  #diffError: IpcError | null = $state(null);
  #diffErrorBasis: Basis | null = $state(null);
  /** The destructive steps (`destructiveKey`) the user acknowledged, if any. */
  acknowledged = $state('');

  /** The pre-flight of the file as it is open now; null before one, or for another file. */
  get preflight(): Preflight | null {
    return stillHolds(this.#preflightBasis, ['source']) ? this.#preflight : null;
  }
  set preflight(v: Preflight | null) {
    this.#preflight = v;
    this.#preflightBasis = v ? (this.#preflightAsked ?? basisNow()) : null;
  }
  get preflightRunning(): boolean {
    return this.#preflightRunning;
  }
  /** Starting a run records what it is asked on. */
  set preflightRunning(v: boolean) {
    if (v) this.#preflightAsked = basisNow();
    this.#preflightRunning = v;
  }
  get preflightError(): IpcError | null {
    return stillHolds(this.#preflightErrorBasis, ['source']) ? this.#preflightError : null;
  }
  set preflightError(e: IpcError | null) {
    this.#preflightError = e;
    this.#preflightErrorBasis = e ? (this.#preflightAsked ?? basisNow()) : null;
  }

  /** The diff of the open file's plan (against the target it was asked on: `diffStale`). */
  get diff(): SchemaDiff | null {
    return stillHolds(this.#diffBasis, ['source']) ? this.#diff : null;
  }
  set diff(v: SchemaDiff | null) {
    this.#diff = v;
    this.#diffBasis = v ? (this.#diffAsked ?? basisNow()) : null;
  }
  get diffRunning(): boolean {
    return this.#diffRunning;
  }
  set diffRunning(v: boolean) {
    if (v) this.#diffAsked = basisNow();
    this.#diffRunning = v;
  }
  get diffError(): IpcError | null {
    return stillHolds(this.#diffErrorBasis, ['source', 'target']) ? this.#diffError : null;
  }
  set diffError(e: IpcError | null) {
    this.#diffError = e;
    this.#diffErrorBasis = e ? (this.#diffAsked ?? basisNow()) : null;
  }

  /** Whether the shown pre-flight ran with another plan than the current one. */
  get preflightStale(): boolean {
    const p = this.preflight;
    return p !== null && plan.current !== null && this.preflightPlan !== planKey(plan.current);
  }

  /** Whether the shown diff was made for another plan or target than the current ones. */
  get diffStale(): boolean {
    return this.diff !== null && this.diffKey !== diffKeyNow();
  }
}

/** The plan and target a diff would be made for now (the Diff view stores it as `diffKey`). */
export function diffKeyNow(): string {
  const url = buildUrl(target.fields, target.password);
  const pgSchema = target.fields.kind === 'postgres' ? target.fields.schema || null : null;
  return planKey({ plan: plan.current, url: redactUrl(url), pgSchema });
}

export const checks = new Checks();

/** The Pre-flight step's line in the nav: the same verdict the page shows. */
export function preflightHint(): string {
  if (checks.preflightRunning) return 'Checking…';
  const p = checks.preflight;
  if (!p) return 'Check every value';
  if (checks.preflightStale) return 'Check again';
  return verdict(p).ready ? 'Ready to migrate' : 'Unresolved rows';
}

/** The Diff step's line in the nav. */
export function diffHint(): string {
  if (checks.diffRunning) return 'Comparing…';
  const d = checks.diff;
  if (!d) return 'Planned vs the target';
  if (checks.diffStale) return 'Compare again';
  if (d.destructive.length) return 'Destructive steps';
  if (d.tables.every((t) => t.status === 'create')) return 'Target is empty';
  return d.tables.every((t) => t.status === 'equal') ? 'Target matches' : 'Target differs';
}
