// The shared state's dependencies: what opening another file, or setting another target,
// retires — and an answer arriving late for an earlier file or target.
import { beforeEach, describe, expect, it } from 'vitest';
import { source } from './source.svelte';
import { target } from './target.svelte';
import { plan } from './plan.svelte';
import { checks, diffHint, diffKeyNow, preflightHint } from './checks.svelte';
import { run, runHint } from './run.svelte';
import { defaultFields } from '../url';
import type { Group } from '../bindings/Group';
import type { Preflight } from '../bindings/Preflight';
import type { SchemaDiff } from '../bindings/SchemaDiff';
import type { SourceView } from '../bindings/SourceView';
import type { RunOutcome } from '../bindings/RunOutcome';

const file = (path: string): SourceView => ({ path, bytes: 1, schema: { tables: [], views: [], triggers: [], virtual_tables: [] } as never });
const preflight: Preflight = { source: 'a.sqlite', dialect: 'postgres', rows_checked: 3, groups: [], objects: [], renames: [], seconds: 0.1 };
const diff = { tables: [{ status: 'create' }], destructive: [] } as unknown as SchemaDiff;
const outcome = (error: string | null): RunOutcome => ({ id: 'r1', dir: '/runs/r1', backup: null, logins: [], report: { completed: error === null, error, created: [{ kind: 'table', schema: null, name: 't' }] } as never });

/** The file and target set, a pre-flight, a diff and a finished run made on them. */
function made(): void {
  source.file = file('/a.sqlite');
  target.fields = { ...defaultFields('postgres'), database: 'shop' };
  target.password = 'pw';
  plan.current = null;
  checks.preflightRunning = true;
  checks.preflight = preflight;
  checks.preflightRunning = false;
  checks.diffRunning = true;
  checks.diff = diff;
  checks.diffKey = diffKeyNow();
  checks.diffRunning = false;
  run.begin();
  run.outcome = outcome(null);
  run.running = false;
}

describe('what depends on the file and the target', () => {
  beforeEach(made);

  it('holds while nothing changes', () => {
    expect([checks.preflight, checks.diff, run.shown, run.status]).toEqual([preflight, diff, true, 'finished']);
    expect([preflightHint(), diffHint(), runHint()]).toEqual(['Ready to migrate', 'Target is empty', 'Finished']);
  });

  it.each([
    ['another file', () => (source.file = file('/b.sqlite')), { preflight: false, diff: false, run: false }],
    ['the same file opened again', () => (source.file = file('/a.sqlite')), { preflight: false, diff: false, run: false }],
    ['the file closed', () => (source.file = null), { preflight: false, diff: false, run: false }],
    ['another database', () => (target.fields.database = 'other'), { preflight: true, diff: 'stale', run: false }],
    ['another server kind', () => (target.fields = { ...defaultFields('mysql'), database: 'shop' }), { preflight: true, diff: 'stale', run: false }],
    ['another password', () => (target.password = 'x'), { preflight: true, diff: true, run: true }],
    ['the connection tested again', () => (target.server = null), { preflight: true, diff: true, run: true }],
  ])('%s', (_what, change, keeps) => {
    change();
    expect({ preflight: checks.preflight !== null, diff: checks.diffStale ? 'stale' : checks.diff !== null, run: run.shown }).toEqual(keeps);
    if (!keeps.preflight) expect(preflightHint()).toBe('Check every value');
    if (!keeps.diff) expect(diffHint()).toBe('Planned vs the target');
    if (keeps.diff === 'stale') expect(diffHint()).toBe('Compare again');
    if (!keeps.run) expect([run.status, runHint()]).toEqual(['idle', 'Not started']);
  });

  it('drops an answer that arrives for the file open before', () => {
    checks.preflightRunning = true; // asked on /a.sqlite …
    source.file = file('/b.sqlite'); // … another file opens meanwhile …
    checks.preflight = { ...preflight, rows_checked: 99 }; // … and the answer for /a arrives.
    checks.preflightRunning = false;
    expect(checks.preflight).toBeNull();
    // A pre-flight asked on the file open now shows.
    checks.preflightRunning = true;
    checks.preflight = preflight;
    checks.preflightRunning = false;
    expect(checks.preflight).toBe(preflight);
  });

  it('drops an error asked on the target before', () => {
    checks.diffRunning = true;
    target.fields.database = 'other';
    checks.diffError = { kind: 'unreachable', message: 'down', detail: null };
    checks.diffRunning = false;
    expect(checks.diffError).toBeNull();
  });

  it('keeps a running run shown whatever changes, then retires it once ended', () => {
    run.begin();
    source.file = file('/b.sqlite');
    expect([run.shown, run.status]).toEqual([true, 'running']);
    run.outcome = outcome(null);
    run.running = false;
    expect([run.shown, run.status]).toEqual([false, 'idle']);
  });

  it.each([
    ['cancelled by the user', false, 'cancelled', 'Cancelled'],
    ['relation "t" already exists', false, 'failed', 'Failed'],
    ['cancelled by the user', true, 'rolled_back', 'Rolled back'],
  ])('a run that ended with %o (undone: %s) says %s', (error, undone, status, hint) => {
    run.begin();
    run.outcome = outcome(error);
    run.running = false;
    if (undone) run.rolledBack = { target: 't', dropped: ['table t'], emptied: [], missing: [], kept: [], seconds: 0.1 };
    expect([run.status, runHint()]).toEqual([status, hint]);
    run.clear();
    expect([run.status, run.outcome, run.rolledBack]).toEqual(['idle', null, null]);
  });

  it('says "Unresolved rows" only when the page does', () => {
    const rename: Group = { table: 't', column: 'Email', kind: 'identifier_renamed', cause: 'renamed', outcome: 'kept', count: 1, examples: [], choices: ['keep'], default: 'keep', chosen: null };
    checks.preflight = { ...preflight, groups: [{ ...rename }] };
    expect(preflightHint()).toBe('Ready to migrate');
    checks.preflight = { ...preflight, groups: [{ ...rename, kind: 'out_of_range', outcome: 'rejected', default: 'reject_rows', choices: ['reject_rows'] }] };
    expect(preflightHint()).toBe('Unresolved rows');
  });
});
