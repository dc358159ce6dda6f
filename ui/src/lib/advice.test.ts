import { describe, expect, it } from 'vitest';
import type { Advice } from './bindings/Advice';
import type { Finding } from './bindings/Finding';
import { bySeverity, codeLabel, fixText, summary } from './advice';

const f = (code: string, severity: Finding['severity'], fix: { sql?: string; setting?: string } = {}): Finding => ({
  code, scope: 'schema', severity, title: code, evidence: 'e', objects: [], fix_sql: fix.sql ?? null, fix_setting: fix.setting ?? null,
});
const advice = (findings: Finding[]): Advice => ({ taken_at: '2026-12-06T20:00:00Z', dialect: 'postgres', server: 'PostgreSQL 15.20', database: 'shop', user: 'app', findings, unchecked: [] });

describe('advice', () => {
  it('groups by severity, most severe first, leaving out empty groups', () => {
    const cases: [Finding[], string[]][] = [
      [[f('a', 'info'), f('b', 'critical'), f('c', 'warning'), f('d', 'critical')], ['critical:b,d', 'warning:c', 'info:a']],
      [[f('a', 'info')], ['info:a']],
      [[], []],
    ];
    for (const [list, want] of cases) {
      expect(bySeverity(list).map((g) => `${g.severity}:${g.findings.map((x) => x.code).join(',')}`)).toEqual(want);
    }
  });

  it('sums up in words', () => {
    const cases: [Finding[], string][] = [
      [[], 'Nothing to fix'],
      [[f('a', 'critical'), f('b', 'warning'), f('c', 'warning'), f('d', 'info')], '1 critical · 2 warnings · 1 to know'],
      [[f('b', 'warning')], '1 warning'],
      [[f('a', 'info'), f('b', 'info')], '2 to know'],
    ];
    for (const [list, want] of cases) expect(summary(advice(list))).toBe(want);
  });

  it('copies the SQL, else the setting', () => {
    expect(fixText(f('a', 'info', { sql: 'ANALYZE t;', setting: 'x' }))).toBe('ANALYZE t;');
    expect(fixText(f('a', 'info', { setting: 'ssl = on' }))).toBe('ssl = on');
    expect(fixText(f('a', 'info'))).toBe('');
  });

  it('names codes in words', () => {
    for (const [code, want] of [['duplicate_index', 'Duplicate index'], ['tls_off', 'Tls off'], ['errors', 'Errors']]) expect(codeLabel(code)).toBe(want);
  });
});
