import { describe, expect, it } from 'vitest';
import type { Report } from './bindings/Report';
import type { RunSummary } from './bindings/RunSummary';
import type { TableReport } from './bindings/TableReport';
import { baseName, changedCount, filesToOffer, phaseRows, phasesOverlap, rejectedCount, summaryTag, tableRows, verdict, when, databaseOf } from './report';

const table = (t: Partial<TableReport> = {}): TableReport => ({ target: 't', rows_read: 10, rows_written: 10, seconds: 0.5, rejected: [], changed: [], rejected_total: 0, changed_total: 0, ...t });
const rej = (i: number) => ({ row: { id: i }, column: 'd', value: 'x', reason: 'not a date' });
const chg = (i: number) => ({ row: { id: i }, column: 'p', from: 'a\u0000', to: 'a', reason: 'NUL removed' });

function report(r: Partial<Report> = {}): Report {
  return {
    ferry_version: '0.1.0', source: '/data/shop.sqlite', target: 'postgres://u@h/db', target_server: 'PostgreSQL 16.4', started_at: '2026-05-04T09:41:07Z', seconds: 3,
    tables: { a: table({ target: 'a' }), b: table({ target: 'b', rows_read: 5, rows_written: 5 }) }, warnings: [], notes: [], renames: [], phases: {}, completed: true, created: [], ...r,
  };
}

describe('verdict', () => {
  it.each([
    ['exact', report(), 'ok', 'Every row arrived exactly', '15 rows in 2 tables, nothing refused or changed.'],
    ['a note does not make it inexact', report({ notes: [{ table: 'a', object: 'index i', reason: 'virtual column' }] }), 'ok', 'Every row arrived exactly', '15 rows in 2 tables, nothing refused or changed.'],
    ['refused and changed', report({ tables: { a: table({ rejected: [rej(1), rej(2)], rejected_total: 12, rows_written: 8 }), b: table({ changed: [chg(1)], changed_total: 3 }) } }), 'error', '12 values refused, 3 changed — listed below', 'Every other row arrived.'],
    ['one refused', report({ tables: { a: table({ rejected: [rej(1)], rejected_total: 1 }) } }), 'error', '1 value refused — listed below', ''],
    ['only changed', report({ tables: { a: table({ changed: [chg(1)], changed_total: 1 }) } }), 'warn', '1 value changed — listed below', 'Every row arrived;'],
    ['changed and warnings', report({ tables: { a: table({ changed: [chg(1), chg(2)], changed_total: 2 }) }, warnings: [{ table: 'a', object: 'check c', reason: 'r' }] }), 'warn', '2 values changed — listed below', '1 object was not carried as is.'],
    ['only warnings', report({ warnings: [{ table: 'a', object: 'check c', reason: 'r' }, { table: null, object: 'view v', reason: 'r' }] }), 'warn', 'Every row arrived; 2 objects were not carried as is — listed below', ''],
    ['stopped with an error', report({ completed: false, error: 'the connection was lost' }), 'error', 'Stopped early: the connection was lost', 'The tables below show how far it got.'],
    ['cancelled by the user', report({ completed: false, error: 'cancelled by the user' }), 'warn', 'Cancelled before the end', 'The tables below show how far it got.'],
    ['stopped, no error text', report({ completed: false, error: null }), 'error', 'Stopped early: the run was cancelled or stopped before the end', ''],
    ['stopped after refusing', report({ completed: false, error: 'strict: a value was refused', tables: { a: table({ rejected: [rej(1)], rejected_total: 1 }) } }), 'error', 'Stopped early: strict: a value was refused', '1 value refused before it stopped'],
    // Totals are what counts; a report older than *_total counts its lists.
    ['totals missing', report({ tables: { a: table({ rejected: [rej(1), rej(2)], rejected_total: 0 }) } }), 'error', '2 values refused — listed below', ''],
  ] as const)('%s', (_name, r, tone, title, detail) => {
    const v = verdict(r);
    expect(v.tone).toBe(tone);
    expect(v.title).toBe(title);
    expect(v.detail).toContain(detail);
  });

  it('counts across tables', () => {
    const r = report({ tables: { a: table({ rejected_total: 1500, rejected: Array.from({ length: 1000 }, (_, i) => rej(i)) }), b: table({ changed_total: 4, changed: [chg(1)] }) } });
    expect(rejectedCount(r)).toBe(1500);
    expect(changedCount(r)).toBe(4);
    expect(verdict(r).title).toBe('1,500 values refused, 4 changed — listed below');
  });
});

describe('per-table rows', () => {
  it('one row per table, in the report’s order, with totals and truncation', () => {
    const r = report({
      tables: {
        events: table({ target: 'events', rows_read: 9600, rows_written: 9600, seconds: 4.1, changed: [chg(1)], changed_total: 1 }),
        orders: table({ target: 'orders', rows_read: 8000, rows_written: 6500, seconds: 3.2, rejected: Array.from({ length: 1000 }, (_, i) => rej(i)), rejected_total: 1500 }),
        '<b>x</b>': table({ target: 'b_x_b' }),
      },
    });
    expect(tableRows(r).map(({ report: _r, ...row }) => row)).toEqual([
      { name: 'events', target: 'events', read: 9600, written: 9600, rejected: 0, changed: 1, seconds: 4.1, truncated: false },
      { name: 'orders', target: 'orders', read: 8000, written: 6500, rejected: 1500, changed: 0, seconds: 3.2, truncated: true },
      { name: '<b>x</b>', target: 'b_x_b', read: 10, written: 10, rejected: 0, changed: 0, seconds: 0.5, truncated: false },
    ]);
  });

  it('phases in run order, unknown ones last', () => {
    const r = report({ phases: { views: 0.1, data: 11.9, source: 0.3, schema: 0.2, later_phase: 1, indexes: 1.4 } });
    expect(phaseRows(r)).toEqual([
      { phase: 'source', label: 'Reading the source', seconds: 0.3 },
      { phase: 'schema', label: 'Creating tables', seconds: 0.2 },
      { phase: 'data', label: 'Copying rows', seconds: 11.9 },
      { phase: 'indexes', label: 'Building indexes', seconds: 1.4 },
      { phase: 'views', label: 'Creating views', seconds: 0.1 },
      { phase: 'later_phase', label: 'later_phase', seconds: 1 },
    ]);
  });
});

// The case: "Copying rows 1.2 s" inside "Total time 1.0 s", unexplained.
describe('phases that overlap', () => {
  it.each([
    [1.0, { source: 0.1, data: 1.2 }, true],
    [2.0, { source: 0.1, data: 1.2 }, false],
    [1.0, { data: 1.02 }, false],
    [1.0, {}, false],
  ])('total %s, phases %j → %s', (seconds, phases, want) => expect(phasesOverlap(report({ seconds, phases }))).toBe(want));
});

describe('files to offer', () => {
  it.each([
    ['exact: HTML, report and folder', report(), ['html', 'report', 'folder']],
    ['refused rows: rejects first', report({ tables: { a: table({ rejected: [rej(1)], rejected_total: 1 }) } }), ['rejects', 'html', 'report', 'folder']],
    ['changed values are in the rejects file too', report({ tables: { a: table({ changed: [chg(1)], changed_total: 1 }) } }), ['rejects', 'html', 'report', 'folder']],
    ['a rejects file named', report({ rejects_file: '/runs/x/rejects.jsonl' }), ['rejects', 'html', 'report', 'folder']],
  ])('%s', (_name, r, want) => expect(filesToOffer(r).map((o) => o.file)).toEqual(want));

  it('gives each a stable id and a label', () => {
    expect(filesToOffer(report({ rejects_file: 'x' }))).toEqual([
      { file: 'rejects', id: 'open-rejects', label: 'Open the rejected rows' },
      { file: 'html', id: 'open-report-html', label: 'Open the HTML report' },
      { file: 'report', id: 'open-report-file', label: 'Open the report file' },
      { file: 'folder', id: 'open-run-folder', label: 'Open the run’s folder' },
    ]);
  });
});

describe('past runs', () => {
  const s = (x: Partial<RunSummary>): RunSummary => ({ id: '1', started_at: '', source: '', target: '', target_server: '', completed: true, exact: true, tables: 1, rows_written: 1, rejected: 0, changed: 0, seconds: 1, error: null, rolled_back: null, ...x });
  it.each([
    [s({}), 'ok', 'exact'],
    [s({ exact: false, rejected: 1200, changed: 3 }), 'error', '1,200 refused'],
    [s({ exact: false, changed: 3 }), 'warn', '3 changed'],
    [s({ exact: false }), 'warn', 'with warnings'],
    [s({ completed: false, exact: false, rejected: 4, error: 'cancelled' }), 'error', 'stopped early'],
  ])('tag %#', (run, tone, label) => expect(summaryTag(run)).toEqual({ tone, label }));

  it.each([
    ['2026-05-04T09:41:07Z', '2026-05-04 09:41 UTC'],
    ['2026-05-04T09:41:07.123456Z', '2026-05-04 09:41 UTC'],
    ['2026-05-04T09:41:07+00:00', '2026-05-04 09:41 UTC'],
    ['2026-05-04T11:41:07+02:00', '2026-05-04 11:41 +02:00'],
    ['2026-05-04 09:41:07', '2026-05-04 09:41'],
    ['yesterday', 'yesterday'],
  ])('when(%s)', (iso, want) => expect(when(iso)).toBe(want));

  it.each([
    ['/home/ada/shop.sqlite', 'shop.sqlite'],
    ['C:\\data\\shop.db', 'shop.db'],
    ['shop.db', 'shop.db'],
    ['/trailing/', '/trailing/'],
  ])('baseName(%s)', (p, want) => expect(baseName(p)).toBe(want));
});

// Found in the app: the Validation's run choice cut at "…ferry_gui_107" by the whole URL.
describe('databaseOf', () => {
  it.each([
    ['postgres://postgres@127.0.0.1:5432/ferry_gui_10772_484555700?sslmode=prefer', 'ferry_gui_10772_484555700'],
    ['mysql://ferry:***@db.internal:3306/shop', 'shop'],
    ['postgres://h/my%20db', 'my db'],
    ['not a url', 'not a url'],
  ])('%s', (url, db) => expect(databaseOf(url)).toBe(db));
});
