import { describe, expect, it } from 'vitest';
import { notOpenedLine, notOpenedPath } from './opened';

describe('a file no app could open', () => {
  it('is named with what would have shown it', () => {
    expect(notOpenedLine('html')).toBe('Ferry could not open the report: no browser started. It is at');
    expect(notOpenedLine('validation')).toBe('Ferry could not open the validation report: no browser started. It is at');
    expect(notOpenedLine('folder')).toBe('Ferry could not open the run’s folder: no file manager started. It is at');
  });

  it('has its path only from the shell’s not_opened', () => {
    const cases: [Parameters<typeof notOpenedPath>[0], string | null][] = [
      [{ kind: 'not_opened', message: 'Ferry could not open report.html: …', detail: '/runs/1/report.html' }, '/runs/1/report.html'],
      [{ kind: 'not_opened', message: 'x', detail: null }, null],
      [{ kind: 'io', message: 'x', detail: '/runs/1/report.html' }, null],
    ];
    for (const [e, want] of cases) expect(notOpenedPath(e)).toBe(want);
  });
});
