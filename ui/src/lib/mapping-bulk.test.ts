import { describe, expect, it } from 'vitest';
import type { Plan } from './bindings/Plan';
import type { Suggestion } from './bindings/Suggestion';
import { bulkKindOf, decisionText, doneText, kindCounts, previewSummary } from './mapping-bulk';

const sg = (p: Partial<Suggestion>): Suggestion => ({ type: 'boolean', reason: 'r', transform: 'bool_01', kind: 'boolean', confidence: 'high', values: [], unfit: 0, ...p });
const col = (source: string, s: Suggestion | null) => ({ source, target: source, type: 'bigint', reason: 'declared', unfit: 0, transform: null, suggestion: s });
const plan: Plan = {
  ferry_version: '0.1.0',
  source: 's',
  dialect: 'postgres',
  tables: [
    { source: 'a', target: 'a', columns: [col('x', sg({})), col('y', sg({ kind: 'decimal', transform: 'decimal_exact', type: 'numeric(12,2)' })), col('z', sg({ kind: 'enum', transform: null, type: 'text' }))] },
    { source: 'b', target: 'b', columns: [col('w', sg({ transform: 'bool_text' })), col('v', sg({}))] },
    { source: 'c', target: 'c', skip: true, columns: [col('u', sg({}))] },
  ],
};

describe('deciding for many', () => {
  it('names the kind of each suggestion as the engine does', () => {
    const cases: [Partial<Suggestion>, string | null][] = [
      [{}, 'bool_01'],
      [{ transform: 'bool_text' }, 'bool_words'],
      [{ kind: 'enum' }, null],
      [{ kind: 'uuid', transform: 'uuid_blob' }, 'uuid'],
      [{ kind: 'narrower', transform: null }, 'narrower'],
      [{ kind: 'timestamp', transform: 'julian_day' }, 'timestamp'],
    ];
    for (const [p, want] of cases) expect(bulkKindOf(sg(p)), JSON.stringify(p)).toBe(want);
  });

  it('counts the kinds over all tables or the shown ones, skipped tables apart', () => {
    expect(kindCounts(plan, null)).toEqual([{ kind: 'decimal', count: 1 }, { kind: 'bool_01', count: 2 }, { kind: 'bool_words', count: 1 }]);
    expect(kindCounts(plan, new Set(['b']))).toEqual([{ kind: 'bool_01', count: 1 }, { kind: 'bool_words', count: 1 }]);
  });

  it('says what will change and what changed, in plural where it is plural', () => {
    const ch = { table: 'a', column: 'x', from: 'bigint', to: 'boolean', kind: 'bool_01' as const, confidence: 'high' as const, unfit: 0 };
    expect(previewSummary({ changes: [ch], tables: 1 })).toBe('1 column in 1 table will change');
    expect(previewSummary({ changes: Array(1200).fill(ch), tables: 500 })).toBe('1,200 columns in 500 tables will change');
    expect(previewSummary({ changes: [], tables: 0 })).toMatch(/^Nothing would change/);
    expect(doneText('take', { changes: [ch, ch], tables: 1 })).toBe('Took 2 suggestions in 1 table');
    expect(doneText('keep', { changes: [ch], tables: 1 })).toBe('Kept 1 proposal in 1 table');
    expect(decisionText({ verb: 'take', which: 'high', tables: null }, 500)).toBe('Take every high-confidence suggestion in all 500 tables');
    expect(decisionText({ verb: 'keep', which: { kind: 'bool_01' }, tables: ['a'] }, 500)).toBe('Keep the proposal over every “0/1 → boolean” in the 1 table shown');
  });
});
