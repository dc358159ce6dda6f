import { describe, expect, it } from 'vitest';
import { around, done, STEPS, todo, type Facts, type Step } from './steps';

const none: Facts = { file: false, target: 'untested', preflight: 'none', diff: 'none', run: 'idle' };
const ready: Facts = { file: true, target: 'ready', preflight: 'ready', diff: 'done', run: 'idle' };

describe('steps', () => {
  it('lists every view once, the migration first, then what comes after', () => {
    expect(STEPS.map((s) => s.id)).toEqual(['connections', 'mapping', 'production', 'preflight', 'diff', 'run', 'report', 'validation', 'cutover', 'monitor', 'backups', 'checklist', 'audit']);
    expect(STEPS.filter((s) => s.group === 'flow').map((s) => s.id)).toEqual(['connections', 'mapping', 'production', 'preflight', 'diff', 'run', 'report']);
  });

  it('leads back and on, with nothing before the first nor after the last', () => {
    const cases: [Parameters<typeof around>[0], string | null, string | null][] = [
      ['connections', null, 'mapping'],
      ['mapping', 'connections', 'production'],
      ['production', 'mapping', 'preflight'],
      ['preflight', 'production', 'diff'],
      ['report', 'run', 'validation'],
      ['validation', 'report', 'cutover'],
      ['cutover', 'validation', 'monitor'],
      ['audit', 'checklist', null],
    ];
    for (const [view, back, next] of cases) {
      const a = around(view);
      expect([view, a.back?.id ?? null, a.next?.id ?? null]).toEqual([view, back, next]);
    }
  });

  it('walks every step forward and back to where it began', () => {
    const forward: string[] = [];
    let s: Step | null = STEPS[0] ?? null;
    for (let i = 0; s && i < 20; i++, s = around(s.id).next) forward.push(s.id);
    expect(forward).toEqual(STEPS.map((x) => x.id));
    const backward: string[] = [];
    s = STEPS[STEPS.length - 1] ?? null;
    for (let i = 0; s && i < 20; i++, s = around(s.id).back) backward.push(s.id);
    expect(backward).toEqual([...forward].reverse());
  });

  it('says what to do next, from what is done', () => {
    const cases: [Parameters<typeof todo>[0], Partial<Facts>, RegExp][] = [
      ['connections', {}, /Choose a SQLite file/],
      ['connections', { file: true }, /test the connection/],
      ['connections', { file: true, target: 'not_empty' }, /not empty: choose an empty database\.$/],
      ['connections', { ...ready }, /Next: review the schema/],
      ['mapping', {}, /Open a SQLite file in Connections first/],
      ['mapping', { ...ready }, /Next: the production features in Production\.$/],
      ['production', {}, /Open a SQLite file in Connections first/],
      // No target is needed to choose them.
      ['production', { file: true }, /Take the features worth building.*Pre-flight\.$/],
      ['preflight', { ...ready, preflight: 'none' }, /Run the pre-flight/],
      ['preflight', { ...ready, preflight: 'unresolved' }, /rows listed/],
      ['preflight', { ...ready, preflight: 'stale' }, /again/],
      ['diff', { file: true, target: 'untested' }, /Test the target connection in Connections/],
      ['diff', { ...ready }, /Next: .*Run/],
      ['diff', { ...ready, diff: 'destructive' }, /acknowledge/],
      ['run', { ...ready }, /start the migration/],
      ['run', { ...ready, run: 'finished' }, /read the report/],
      // A finished run: the target is not empty any more, and that is no reason to stop.
      ['run', { ...ready, target: 'not_empty', run: 'finished' }, /read the report/],
      ['run', { ...ready, run: 'cancelled' }, /Undo/],
      ['report', {}, /Validation/],
      ['audit', {}, /last step/],
    ];
    for (const [view, facts, want] of cases) {
      expect(`${view}: ${todo(view, { ...none, ...facts })}`).toMatch(want);
    }
  });

  it('marks a step done once its own part is', () => {
    const cases: [Parameters<typeof done>[0], Partial<Facts>, boolean][] = [
      ['connections', {}, false],
      ['connections', { file: true, target: 'no_create' }, false],
      ['connections', ready, true],
      ['mapping', ready, true],
      ['production', none, false],
      ['production', { file: true }, true],
      ['preflight', { ...ready, preflight: 'none' }, false],
      ['preflight', { ...ready, preflight: 'unresolved' }, true],
      ['diff', { ...ready, diff: 'stale' }, false],
      ['diff', ready, true],
      ['run', ready, false],
      ['run', { ...ready, run: 'finished' }, true],
      ['monitor', none, true],
    ];
    for (const [view, facts, want] of cases) expect([view, facts, done(view, { ...none, ...facts })]).toEqual([view, facts, want]);
  });

  it('has a line for every step in every state', () => {
    const states: Facts[] = [none, ready, { ...ready, preflight: 'running', diff: 'running', run: 'running' }, { ...ready, run: 'rolled_back' }];
    for (const s of STEPS) for (const f of states) expect(todo(s.id, f)).toMatch(/\S/);
  });
});
