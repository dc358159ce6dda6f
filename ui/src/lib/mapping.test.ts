import { describe, expect, it } from 'vitest';
import type { ColumnPlan } from './bindings/ColumnPlan';
import type { ColumnProfile } from './bindings/ColumnProfile';
import type { Plan } from './bindings/Plan';
import type { TablePlan } from './bindings/TablePlan';
import type { TypeCheck } from './bindings/TypeCheck';
import { acceptSuggestion as takeSuggestion, keepProposal, suggestionNeedsLook, suggestionTag } from './mapping';
import type { Suggestion } from './bindings/Suggestion';
import {
  applyOverride, canAccept, checkTone, columnAttention, columnKey, describeForeignKey, describeIndex, filterTables, isSuggestion, needsAttention,
  normalizeType, nullSummary, rangeSummary, resetColumn, setSkip, storageSummary, tableAttention, textShapes, typeOptions, valueHazards,
} from './mapping';

function prof(p: Partial<ColumnProfile>): ColumnProfile {
  return {
    rows: 0, nulls: 0, integers: 0, reals: 0, texts: 0, blobs: 0, min_integer: null, max_integer: null, min_real: null, max_real: null, max_text_chars: 0,
    max_blob_bytes: 0, max_scale: 0, max_int_digits: 0, non_integral_reals: 0, infinite_reals: 0, invalid_utf8: 0, with_nul: 0, text_numeric: 0,
    text_iso_timestamp: 0, text_iso_date: 0, text_uuid: 0, text_json: 0, text_json_scalar: 0, text_bool: 0, blob_utf8: 0, sub_micro: 0, min_text: null, max_text: null,
    text_uuid_any_case: 0, text_ts_offset: 0, blob_uuid: 0, distinct_texts: [], many_texts: false, ...p,
  };
}

const cp = (reason: string, unfit = 0, type = 'text'): ColumnPlan => ({ source: 'c', target: 'c', type, reason, unfit });

describe('what the values hold', () => {
  it.each([
    [null, 'not profiled'],
    [prof({}), 'no rows'],
    [prof({ rows: 5, nulls: 5 }), 'only NULLs'],
    [prof({ rows: 1000, integers: 1000 }), '1,000 integers'],
    [prof({ rows: 1, texts: 1 }), '1 text'],
    [prof({ rows: 1000, integers: 20, texts: 980 }), '980 texts, 20 integers'],
    [prof({ rows: 10, integers: 3, reals: 3, texts: 2, blobs: 1, nulls: 1 }), '3 integers, 3 reals, 2 texts, 1 blob'],
  ])('storageSummary %#', (p, want) => expect(storageSummary(p)).toBe(want));

  it.each([
    [null, ''],
    [prof({ rows: 10 }), ''],
    [prof({ rows: 10, nulls: 1 }), '1 NULL'],
    [prof({ rows: 10, nulls: 3 }), '3 NULLs'],
    [prof({ rows: 10, nulls: 10 }), 'all NULL'],
  ])('nullSummary %#', (p, want) => expect(nullSummary(p)).toBe(want));

  it.each([
    [null, []],
    [prof({ integers: 3, min_integer: -5, max_integer: 98311 }), ['integers -5 … 98311']],
    [prof({ integers: 3, min_integer: 7, max_integer: 7 }), ['integer 7']],
    [prof({ reals: 2, min_real: 0.5, max_real: 18250.75 }), ['reals 0.5 … 18250.75']],
    [prof({ texts: 4, max_text_chars: 1 }), ['longest text 1 character']],
    [prof({ texts: 4, max_text_chars: 1840, blobs: 1, max_blob_bytes: 1536 }), ['longest text 1,840 characters', 'largest blob 1.5 KiB']],
  ])('rangeSummary %#', (p, want) => expect(rangeSummary(p)).toEqual(want));

  it.each([
    [prof({ texts: 0 }), ''],
    [prof({ texts: 10 }), ''],
    [prof({ texts: 10, text_uuid: 10 }), 'texts: all UUIDs'],
    [prof({ texts: 10, text_json: 9, text_numeric: 1 }), 'texts: 9 of 10 JSON'],
    [prof({ texts: 10, text_iso_timestamp: 10, text_iso_date: 2 }), 'texts: all ISO timestamps'],
  ])('textShapes %#', (p, want) => expect(textShapes(p)).toBe(want));

  it('names the values a target will refuse or change', () => {
    expect(valueHazards(prof({ invalid_utf8: 2, with_nul: 1, infinite_reals: 1, sub_micro: 3 }))).toEqual([
      '2 texts are not UTF-8', '1 text holds NUL', '1 infinite real', '3 timestamps finer than microseconds',
    ]);
    expect(valueHazards(prof({}))).toEqual([]);
  });
});

describe('type options', () => {
  it.each([
    ['postgres', ['bigint', 'integer', 'smallint', 'double precision', 'boolean', 'text', 'bytea', 'uuid', 'date', 'timestamptz', 'timestamp', 'jsonb', 'json'], ['longtext', 'datetime(6)', 'tinyint(1)']],
    ['mysql', ['bigint', 'int', 'smallint', 'tinyint(1)', 'double', 'longtext', 'text', 'longblob', 'char(36)', 'date', 'datetime(6)', 'json'], ['jsonb', 'bytea', 'uuid', 'timestamptz']],
    ['mariadb', ['longtext', 'datetime(6)', 'char(36)'], ['jsonb', 'double precision']],
  ] as const)('%s', (dialect, has, hasNot) => {
    const opts = typeOptions(dialect);
    for (const t of has) expect(opts).toContain(t);
    for (const t of hasNot) expect(opts).not.toContain(t);
    expect(opts.some((t) => /^(numeric|decimal)\(\d+,\d+\)$/.test(t))).toBe(true);
    expect(opts.some((t) => /^varchar\(\d+\)$/.test(t))).toBe(true);
    expect(new Set(opts).size).toBe(opts.length);
  });

  it.each([
    ['  varchar(20) ', 'varchar(20)'],
    ['double    precision', 'double precision'],
    ['numeric(12,2)', 'numeric(12,2)'],
  ])('normalizeType(%j)', (t, want) => expect(normalizeType(t)).toBe(want));
});

describe('needs attention', () => {
  // [reason, unfit, accepted, kind or null]
  it.each([
    ['declared INTEGER: 64-bit integer', 0, false, null],
    ['all 9,600 values are UUIDs → uuid', 0, false, null],
    ['declared DATETIME: timestamp; 12 values cannot be carried and will be rejected', 12, false, 'unfit'],
    ['declared DATETIME: timestamp; 12 values cannot be carried and will be rejected', 12, true, null],
    ['declared TEXT: text; 1 value cannot be carried and will be rejected', 0, false, 'unfit'],
    ['no declared type: the stored values decide', 0, false, 'suggestion'],
    ['no declared type; all 10 values are integers → bigint', 0, false, 'suggestion'],
    ['no declared type and no values → text', 0, false, 'suggestion'],
    ['declared "INTEGER" but only 3 of 10 values fit it; all 10 values are text → text', 0, false, 'suggestion'],
    ['declared VARCHAR(20): text; values up to 64 characters, longer than 20 → text', 0, false, 'suggestion'],
    ['declared SMALLINT: 16-bit integer; values exceed its range → bigint', 0, false, 'suggestion'],
    ['declared INTEGER: 64-bit integer; 3 values have fractions → exact decimal', 0, false, 'suggestion'],
    ['declared BOOLEAN: boolean; values other than 0 and 1 → bigint', 0, false, 'suggestion'],
    ['declared DATE: date; 4 values have a time of day → timestamp', 0, true, null],
    ['override', 0, false, null],
    ['override', 5, false, 'override-rejects'],
    ['override', 5, true, 'override-rejects'],
  ] as const)('%s (unfit %s, accepted %s) → %s', (reason, unfit, accepted, kind) => {
    expect(columnAttention(cp(reason, unfit), accepted)?.kind ?? null).toBe(kind);
  });

  it('labels with counts and tones', () => {
    expect(columnAttention(cp('x; 1,204 values cannot be carried and will be rejected', 1204), false)).toEqual({ kind: 'unfit', label: '1,204 will be rejected', tone: 'error' });
    expect(columnAttention(cp('no declared type: the stored values decide'), false)).toEqual({ kind: 'suggestion', label: 'values decided', tone: 'warn' });
    expect(columnAttention(cp('override', 3), false)).toEqual({ kind: 'override-rejects', label: 'override refuses 3', tone: 'error' });
  });

  it('never calls an override a suggestion', () => {
    expect(isSuggestion('override')).toBe(false);
    expect(isSuggestion('no declared type: the stored values decide')).toBe(true);
  });

  const t = (source: string, reasons: [string, number][], skip = false): TablePlan => ({
    source, target: source, skip, columns: reasons.map(([reason, unfit], i) => ({ source: `c${i}`, target: `c${i}`, type: 'text', reason, unfit })),
  });
  const fine = t('fine', [['declared TEXT: text', 0]]);
  const odd = t('odd', [['declared TEXT: text', 0], ['no declared type: the stored values decide', 0], ['x; 2 values cannot be carried and will be rejected', 2]]);
  const skipped = t('skipped', [['x; 2 values cannot be carried and will be rejected', 2]], true);
  const none = () => false;
  const preview = (table: string, warnings: number) => ({ table, target: table, statements: [], warnings: Array.from({ length: warnings }, () => ({ table, object: 'index i', reason: 'r' })) });

  it.each([
    [fine, undefined, none, { columns: 0, warnings: 0 }, false],
    [fine, preview('fine', 2), none, { columns: 0, warnings: 2 }, true],
    [odd, undefined, none, { columns: 2, warnings: 0 }, true],
    [odd, undefined, (k: string) => k === 'odd.c1', { columns: 1, warnings: 0 }, true],
    [odd, undefined, () => true, { columns: 0, warnings: 0 }, false],
    [skipped, preview('skipped', 1), none, { columns: 0, warnings: 0 }, false],
  ])('table %#', (table, p, accepted, want, needs) => {
    expect(tableAttention(table, p, accepted)).toEqual(want);
    expect(needsAttention(table, p, accepted)).toBe(needs);
  });

  it.each([
    ['', false, ['fine', 'odd', 'skipped']],
    ['OD', false, ['odd']],
    ['  i ', false, ['fine', 'skipped']],
    ['', true, ['odd']],
    ['fi', true, []],
  ])('filterTables(%j, attention %s)', (q, only, want) => {
    const attention = (x: TablePlan) => needsAttention(x, undefined, none);
    expect(filterTables([fine, odd, skipped], q, only, attention).map((x) => x.source)).toEqual(want);
  });
});

describe('overrides on a plan', () => {
  const plan: Plan = {
    ferry_version: '0.1.0', source: '/s.sqlite', dialect: 'postgres',
    tables: [
      { source: 'events', target: 'events', columns: [
        { source: 'id', target: 'id', type: 'bigint', reason: 'declared INTEGER: 64-bit integer' },
        { source: 'note', target: 'note', type: 'text', reason: 'declared VARCHAR(20): …; longer than 20 → text', unfit: 0 },
      ] },
      { source: 'other', target: 'other', columns: [{ source: 'note', target: 'note', type: 'text', reason: 'declared TEXT: text' }] },
    ],
  };
  const refuses: TypeCheck = { known: true, message: '12 values will not fit varchar(20)', check: { values: 100, rejected: 12, changed: 0, examples: [], reason: 'too long' } };
  const fits: TypeCheck = { known: true, message: 'all 100 values fit text', check: { values: 100, rejected: 0, changed: 0, examples: [], reason: null } };
  const unknown: TypeCheck = { known: false, message: '"varchr" is not a PostgreSQL type', check: null };

  it('sets type, reason "override" and unfit, on that column only, without touching the plan given', () => {
    const before = JSON.stringify(plan);
    const after = applyOverride(plan, 'events', 'note', 'varchar(20)', refuses);
    expect(JSON.stringify(plan)).toBe(before);
    expect(after.tables[0].columns[1]).toEqual({ source: 'note', target: 'note', type: 'varchar(20)', reason: 'override', unfit: 12, transform: null });
    expect(after.tables[0].columns[0]).toBe(plan.tables[0].columns[0]);
    expect(after.tables[1]).toBe(plan.tables[1]);
    expect(applyOverride(plan, 'events', 'note', 'text', fits).tables[0].columns[1].unfit).toBe(0);
  });

  it('resets to the proposal', () => {
    const proposal = plan.tables[0].columns[1];
    const after = resetColumn(applyOverride(plan, 'events', 'note', 'varchar(20)', refuses), 'events', 'note', proposal);
    expect(after.tables[0].columns[1]).toEqual({ ...proposal, unfit: 0, transform: null, suggestion: null });
  });

  it('skips a table and carries it again', () => {
    expect(setSkip(plan, 'other', true).tables.map((t) => !!t.skip)).toEqual([false, true]);
    expect(setSkip(setSkip(plan, 'other', true), 'other', false).tables[1].skip).toBe(false);
  });

  it.each([
    [refuses, true, 'error'],
    [fits, true, 'ok'],
    [unknown, false, 'error'],
    [{ ...fits, check: { ...fits.check!, changed: 2 } }, true, 'warn'],
  ] as const)('check %# → accept %s, tone %s', (check, accept, tone) => {
    expect(canAccept(check)).toBe(accept);
    expect(checkTone(check)).toBe(tone);
  });

  it('keys columns as table.column', () => expect(columnKey('events', 'note')).toBe('events.note'));
});

describe('source definitions in words', () => {
  it.each([
    [{ name: null, columns: ['customer_id'], ref_table: 'customers', ref_columns: ['id'], on_update: 'no_action', on_delete: 'cascade' }, '(customer_id) → customers(id) · on delete cascade'],
    [{ name: 'fk', columns: ['a', 'b'], ref_table: 'p', ref_columns: [], on_update: 'set_null', on_delete: 'no_action' }, '(a, b) → p (its primary key) · on update set null'],
  ] as const)('foreign key %#', (fk, want) => expect(describeForeignKey({ ...fk, columns: [...fk.columns], ref_columns: [...fk.ref_columns] })).toBe(want));

  it('describes indexes', () => {
    expect(describeIndex({ name: 'i', unique: true, where_clause: 'deleted IS NULL', sql: '', parts: [{ kind: 'column', name: 'a', desc: false, collation: null }, { kind: 'expr', expr: 'lower(b)', desc: true }] })).toBe(
      'unique (a, (lower(b)) desc) where deleted IS NULL',
    );
  });
});

describe('suggestions', () => {
  const sg = (p: Partial<Suggestion>): Suggestion => ({ type: 'timestamptz', reason: 'all values are epoch milliseconds', transform: 'epoch_ms', kind: 'timestamp', confidence: 'high', values: [], unfit: 2, ...p });
  const withSuggestion = (s: Suggestion | null): Plan => ({
    ferry_version: '0.1.0', source: 's', dialect: 'postgres',
    tables: [{ source: 't', target: 't', columns: [{ source: 'c', target: 'c', type: 'bigint', reason: 'declared INTEGER', unfit: 0, transform: null, suggestion: s }] }],
  });
  const col = (p: Plan) => p.tables[0].columns[0];

  it('tags each kind of suggestion, the narrower type with what it rejects', () => {
    const cases: [Partial<Suggestion>, string][] = [
      [{}, 'suggested · high confidence'],
      [{ confidence: 'low' }, 'suggested · low confidence'],
      [{ kind: 'enum', type: 'text', transform: null, values: ['paid', 'shipped'] }, 'few distinct values'],
      [{ kind: 'narrower', type: 'boolean', transform: null, confidence: 'low', unfit: 1 }, 'narrower type · rejects 1 value'],
      [{ kind: 'narrower', type: 'date', transform: null, confidence: 'low', unfit: 1200 }, 'narrower type · rejects 1,200 values'],
    ];
    for (const [p, want] of cases) expect(suggestionTag(sg(p)), JSON.stringify(p)).toBe(want);
  });

  it('needs a look unless it only lists values or is a long shot', () => {
    const cases: [Partial<Suggestion>, boolean][] = [
      [{}, true],
      [{ confidence: 'medium' }, true],
      [{ confidence: 'low' }, false],
      [{ kind: 'enum', type: 'text', transform: null, values: ['paid', 'shipped'] }, false],
    ];
    for (const [p, want] of cases) expect(suggestionNeedsLook(sg(p)), JSON.stringify(p)).toBe(want);
    expect(columnAttention(col(withSuggestion(sg({}))), false)).toMatchObject({ kind: 'suggestion', label: 'suggested: timestamptz (read as epoch milliseconds)' });
    expect(columnAttention(col(withSuggestion(sg({}))), true)).toBeNull();
    expect(columnAttention(col(withSuggestion(sg({ confidence: 'low' }))), false)).toBeNull();
  });

  it('taking one moves its type, transform and unfit into the column; reset brings it back', () => {
    const before = withSuggestion(sg({}));
    const taken = takeSuggestion(before, 't', 'c');
    expect(col(taken)).toEqual({ source: 'c', target: 'c', type: 'timestamptz', reason: 'suggestion accepted: all values are epoch milliseconds', unfit: 2, transform: 'epoch_ms', suggestion: null });
    expect(columnAttention(col(taken), false)).toMatchObject({ kind: 'override-rejects', label: 'suggestion taken refuses 2' });
    // Keeping the proposal: the suggestion leaves, the reason says so, nothing else moves.
    const kept = keepProposal(before, 't', 'c');
    expect(col(kept)).toEqual({ ...col(before), reason: `${col(before).reason}; kept over the suggested timestamptz`, suggestion: null });
    expect(columnAttention(col(kept), false)).toBeNull();
    expect(col(before).type).toBe('bigint'); // the old plan is untouched
    const back = resetColumn(taken, 't', 'c', col(before));
    expect(col(back)).toEqual(col(before));
    // A typed-in override drops the transform: the values go in as they are.
    const typed = applyOverride(taken, 't', 'c', 'text', { known: true, message: '', check: null });
    expect(col(typed).transform).toBeNull();
    // Nothing to take: unchanged.
    expect(takeSuggestion(withSuggestion(null), 't', 'c')).toEqual(withSuggestion(null));
  });
});
