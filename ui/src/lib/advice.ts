// The Advice tab's logic: findings grouped by severity, a summary in words, and the text each
// Copy button puts on the clipboard. The engine decides what is found; nothing here runs SQL.
import type { Advice } from './bindings/Advice';
import type { Finding } from './bindings/Finding';
import type { Severity } from './bindings/Severity';
import { plural } from './format';

export const SEVERITIES: { severity: Severity; label: string; tone: 'bad' | 'warn' | 'info' }[] = [
  { severity: 'critical', label: 'Critical', tone: 'bad' },
  { severity: 'warning', label: 'Warnings', tone: 'warn' },
  { severity: 'info', label: 'Worth knowing', tone: 'info' },
];

/** The findings by severity, most severe first; groups with none are left out. */
export function bySeverity(findings: Finding[]): { severity: Severity; label: string; tone: string; findings: Finding[] }[] {
  return SEVERITIES.map((s) => ({ ...s, findings: findings.filter((f) => f.severity === s.severity) })).filter((g) => g.findings.length > 0);
}

/** `2 critical · 5 warnings · 1 to know`, or `Nothing to fix` when there are none. */
export function summary(a: Advice): string {
  if (a.findings.length === 0) return 'Nothing to fix';
  const count = (s: Severity) => a.findings.filter((f) => f.severity === s).length;
  const parts = [`${count('critical')} critical`, plural(count('warning'), 'warning'), `${count('info')} to know`];
  return parts.filter((p) => !p.startsWith('0 ')).join(' · ');
}

/** What a finding's Copy button copies: its SQL, else its setting. */
export function fixText(f: Finding): string {
  return f.fix_sql ?? f.fix_setting ?? '';
}

/** `duplicate_index` → `Duplicate index`. */
export function codeLabel(code: string): string {
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
