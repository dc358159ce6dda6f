import { describe, expect, it } from 'vitest';
import type { Event } from './bindings/Event';
import { LOG_LIMIT, emptyRun, fold, offersUndo, overall, overallText, runStatus, STATUS_LABEL, type Ended, type RunState, type RunStatus } from './run';

/** Folds a scripted stream: [ms, event] pairs. */
function play(script: [number, Event][], s: RunState = emptyRun()): RunState {
  for (const [at, e] of script) fold(s, e, at);
  return s;
}

describe('fold', () => {
  it('follows a table from start to done: rate, time left, phases', () => {
    const s = play([
      [0, { event: 'phase_started', data: { phase: 'schema' } }],
      [200, { event: 'phase_done', data: { phase: 'schema', seconds: 0.2 } }],
      [200, { event: 'phase_started', data: { phase: 'data' } }],
      [1000, { event: 'table_started', data: { table: 'orders', rows: 1000 } }],
      [1000, { event: 'progress', data: { table: 'orders', rows_done: 0, rows: 1000 } }],
    ]);
    expect(s.phase).toBe('data');
    expect(s.phasesDone).toEqual({ schema: 0.2 });
    expect(s.order).toEqual(['orders']);
    expect(s.tables.orders).toMatchObject({ status: 'loading', done: 0, rows: 1000, rowsPerSecond: 0, secondsLeft: null });

    fold(s, { event: 'progress', data: { table: 'orders', rows_done: 250, rows: 1000 } }, 1500);
    expect(s.tables.orders.seconds).toBeCloseTo(0.5);
    expect(s.tables.orders.rowsPerSecond).toBeCloseTo(500);
    expect(s.tables.orders.secondsLeft).toBeCloseTo(1.5);

    // A row count that grew while loading is taken.
    fold(s, { event: 'progress', data: { table: 'orders', rows_done: 900, rows: 1200 } }, 2800);
    expect(s.tables.orders.rows).toBe(1200);
    expect(s.tables.orders.secondsLeft).toBeCloseTo(((1200 - 900) / 900) * 1.8);

    fold(s, { event: 'table_done', data: { table: 'orders', rows_read: 1200, rows_written: 1198, rejected: 2, seconds: 2 } }, 3000);
    expect(s.tables.orders).toMatchObject({ status: 'done', done: 1200, rows: 1200, rejected: 2, seconds: 2, rowsPerSecond: 600, secondsLeft: 0 });
    expect(overall(s)).toEqual({ done: 1200, rows: 1200 });
  });

  it('keeps tables in the order they started, and counts over all of them', () => {
    const s = play([
      [0, { event: 'table_started', data: { table: 'b', rows: 10 } }],
      [0, { event: 'table_started', data: { table: 'a', rows: 30 } }],
      [1000, { event: 'progress', data: { table: 'a', rows_done: 15, rows: 30 } }],
      [1000, { event: 'progress', data: { table: 'b', rows_done: 5, rows: 10 } }],
    ]);
    expect(s.order).toEqual(['b', 'a']);
    expect(overall(s)).toEqual({ done: 20, rows: 40 });
  });

  // Found in the app: the total grew from 17,000 to 20,000 rows as tables started two at a
  // time. The engine's plan, sent before the first batch, fixes it from the start.
  it('keeps the total the engine planned while tables start', () => {
    const s = play([
      [0, { event: 'phase_started', data: { phase: 'data' } }],
      [0, { event: 'planned', data: { tables: 3, rows: 20000 } }],
    ]);
    const totals = [overall(s).rows];
    for (const [at, e] of [
      [10, { event: 'table_started', data: { table: 'orders', rows: 12000 } }],
      [20, { event: 'table_started', data: { table: 'items', rows: 5000 } }],
      [500, { event: 'table_done', data: { table: 'items', rows_read: 5000, rows_written: 5000, rejected: 0, seconds: 0.5 } }],
      [510, { event: 'table_started', data: { table: 'customers', rows: 3000 } }],
    ] as [number, Event][]) {
      fold(s, e, at);
      totals.push(overall(s).rows);
    }
    expect(totals).toEqual([20000, 20000, 20000, 20000, 20000]);
    expect(overall(emptyRun()).rows).toBe(0);
  });

  it('ignores progress of a table it was not told about, and takes a done one it missed', () => {
    const s = play([
      [0, { event: 'progress', data: { table: 'ghost', rows_done: 5, rows: 10 } }],
      [500, { event: 'table_done', data: { table: 'late', rows_read: 40, rows_written: 40, rejected: 0, seconds: 0.5 } }],
    ]);
    expect(s.tables.ghost).toBeUndefined();
    expect(s.order).toEqual(['late']);
    expect(s.tables.late).toMatchObject({ status: 'done', done: 40, rows: 40, rowsPerSecond: 80 });
  });

  it('counts warnings and refused rows and logs them', () => {
    const s = play([
      [0, { event: 'table_started', data: { table: 't', rows: 3 } }],
      [10, { event: 'warning', data: { table: 't', object: 'index t_expr', reason: 'no translation' } }],
      [20, { event: 'rejected', data: { table: 't', column: 'd', reason: 'not a date' } }],
      [30, { event: 'rejected', data: { table: 'other', column: null, reason: 'row too large' } }],
      [40, { event: 'warning', data: { table: null, object: 'view v', reason: 'not carried' } }],
    ]);
    expect(s.warnings).toBe(2);
    expect(s.rejected).toBe(2);
    expect(s.tables.t.rejected).toBe(1);
    expect(s.log.map((l) => [l.level, l.table, l.text])).toEqual([
      ['warning', 't', 'index t_expr: no translation'],
      ['rejected', 't', 'd: not a date'],
      ['rejected', 'other', 'row too large'],
      ['warning', null, 'view v: not carried'],
    ]);
  });

  it(`keeps the last ${LOG_LIMIT} log lines, but counts them all`, () => {
    const s = emptyRun();
    for (let i = 0; i < LOG_LIMIT + 120; i++) fold(s, { event: 'warning', data: { table: null, object: `o${i}`, reason: 'r' } }, i);
    expect(s.warnings).toBe(LOG_LIMIT + 120);
    expect(s.log.length).toBe(LOG_LIMIT);
    expect(s.log[0].text).toBe('o120: r');
    expect(s.log[LOG_LIMIT - 1].text).toBe(`o${LOG_LIMIT + 119}: r`);
  });

  it('returns the state it was given (folds in place)', () => {
    const s = emptyRun();
    expect(fold(s, { event: 'phase_started', data: { phase: 'indexes' } }, 0)).toBe(s);
  });
});

describe('runStatus', () => {
  const done = { completed: true, error: null };
  it.each([
    ['nothing run', false, null, false, 'idle'],
    ['running', true, null, false, 'running'],
    ['running again after a run', true, done, false, 'running'],
    ['finished', false, done, false, 'finished'],
    ['finished with refused rows is still finished', false, { completed: true }, false, 'finished'],
    ['cancelled by the user', false, { completed: false, error: 'cancelled by the user' }, false, 'cancelled'],
    ['stopped by an error', false, { completed: false, error: 'relation "orders" already exists' }, false, 'failed'],
    ['stopped under strict', false, { completed: false, error: 'orders.placed_at: not a timestamp' }, false, 'failed'],
    ['an error with completed set is no success', false, { completed: true, error: 'lost' }, false, 'failed'],
    ['cancelled, then undone', false, { completed: false, error: 'cancelled by the user' }, true, 'rolled_back'],
  ] as [string, boolean, Ended | null, boolean, RunStatus][])('%s', (_what, running, report, rolledBack, want) => {
    expect(runStatus(running, report, rolledBack)).toBe(want);
  });

  it.each([
    ['cancelled', 3, true],
    ['failed', 1, true],
    ['cancelled before making anything', 0, false],
    ['finished', 3, false],
    ['rolled_back', 3, false],
    ['running', 3, false],
    ['idle', 0, false],
  ] as [RunStatus, number, boolean][])('offers undo: %s, %i made', (status, made, want) => {
    expect(offersUndo(status, made)).toBe(want);
  });

  it('says each status in words', () => {
    expect(STATUS_LABEL).toEqual({ idle: 'Not started', running: 'Running…', finished: 'Finished', cancelled: 'Cancelled', failed: 'Failed', rolled_back: 'Rolled back' });
  });
});

// Found in the app: "0 of 0 rows" while the tables were being created.
describe('overallText', () => {
  const started = (phase: 'source' | 'schema') => play([[0, { event: 'phase_started', data: { phase } }]]);
  const copying = () =>
    play([
      [0, { event: 'planned', data: { tables: 3, rows: 20000 } }],
      [10, { event: 'table_started', data: { table: 'items', rows: 5000 } }],
      [500, { event: 'table_done', data: { table: 'items', rows_read: 5000, rows_written: 5000, rejected: 0, seconds: 0.5 } }],
      [510, { event: 'rejected', data: { table: 'items', column: 'n', reason: 'too big' } }],
    ]);
  it.each([
    ['nothing yet', () => emptyRun(), true, 'Starting · 3 tables to copy'],
    ['reading the source', () => started('source'), true, 'Reading the source · 3 tables to copy'],
    ['creating tables', () => started('schema'), true, 'Creating tables · 3 tables to copy'],
    ['cancelled before copying', () => started('schema'), false, 'No rows copied · 3 tables to copy'],
    ['copying', copying, true, '5,000 of 20,000 rows · 1 of 3 tables done · 1 row refused'],
  ])('%s', (_what, state, running, text) => {
    expect(overallText(state(), running, 3)).toBe(text);
  });
  it('says one table', () => expect(overallText(emptyRun(), true, 1)).toBe('Starting · 1 table to copy'));
});
