// The Report view's logic: the verdict a person reads first, the per-table summary (read /
// written / rejected / changed / time, as pgloader prints it), the phases in run order, and
// which of the run's files to offer. Pure functions, tested with tables of cases.
import type { Phase } from './bindings/Phase';
import type { Report } from './bindings/Report';
import type { RunFile } from './bindings/RunFile';
import type { RunSummary } from './bindings/RunSummary';
import type { TableReport } from './bindings/TableReport';
import { n, plural } from './format';
import { CANCELLED, PHASE_LABEL } from './run';

export type Tone = 'ok' | 'warn' | 'error';

export interface Verdict {
  tone: Tone;
  /** The one line read first. */
  title: string;
  /** What follows from it, or "" when nothing does. */
  detail: string;
}

export function rejectedCount(r: Report): number {
  return Object.values(r.tables).reduce((s, t) => s + Math.max(t.rejected_total, t.rejected.length), 0);
}

export function changedCount(r: Report): number {
  return Object.values(r.tables).reduce((s, t) => s + Math.max(t.changed_total, t.changed.length), 0);
}

/** "Every row arrived exactly" / "N values refused, M changed — listed below" / "Stopped early: …". */
export function verdict(r: Report): Verdict {
  const rejected = rejectedCount(r);
  const changed = changedCount(r);
  const parts: string[] = [];
  if (rejected > 0) parts.push(`${plural(rejected, 'value', 'values')} refused`);
  if (changed > 0) parts.push(rejected > 0 ? `${n(changed)} changed` : `${plural(changed, 'value', 'values')} changed`);
  const problems = parts.join(', ');
  if (!r.completed) {
    const detail = `The tables below show how far it got${problems ? `; ${problems} before it stopped` : ''}.`;
    // The user's own Cancel is no failure: said as what happened, not as problems.
    if (r.error?.trim() === CANCELLED) return { tone: 'warn', title: 'Cancelled before the end', detail };
    const why = r.error?.trim() || 'the run was cancelled or stopped before the end';
    return { tone: 'error', title: `Stopped early: ${why}`, detail };
  }
  if (rejected > 0 || changed > 0) {
    const rest = rejected > 0 ? 'Every other row arrived. The rejects file lists each refused row with its key, column, value and the target’s reason.' : 'Every row arrived; the changed values are listed with what they were and what they became.';
    const warned = r.warnings.length > 0 ? ` ${plural(r.warnings.length, 'object was', 'objects were')} not carried as is.` : '';
    return { tone: rejected > 0 ? 'error' : 'warn', title: `${problems} — listed below`, detail: rest + warned };
  }
  if (r.warnings.length > 0) {
    return { tone: 'warn', title: `Every row arrived; ${plural(r.warnings.length, 'object was', 'objects were')} not carried as is — listed below`, detail: '' };
  }
  return { tone: 'ok', title: 'Every row arrived exactly', detail: `${plural(totalWritten(r), 'row', 'rows')} in ${plural(Object.keys(r.tables).length, 'table', 'tables')}, nothing refused or changed.` };
}

export function totalWritten(r: Report): number {
  return Object.values(r.tables).reduce((s, t) => s + t.rows_written, 0);
}

export interface TableRow {
  name: string;
  target: string;
  read: number;
  written: number;
  rejected: number;
  changed: number;
  seconds: number;
  /** The report keeps the first 1,000 of each kind; true when it holds fewer than happened. */
  truncated: boolean;
  report: TableReport;
}

/** One row per table, by name (the report's own order). */
export function tableRows(r: Report): TableRow[] {
  return Object.entries(r.tables).map(([name, t]) => {
    const rejected = Math.max(t.rejected_total, t.rejected.length);
    const changed = Math.max(t.changed_total, t.changed.length);
    return { name, target: t.target, read: t.rows_read, written: t.rows_written, rejected, changed, seconds: t.seconds, truncated: rejected > t.rejected.length || changed > t.changed.length, report: t };
  });
}

const PHASE_ORDER: Phase[] = ['source', 'schema', 'data', 'indexes', 'constraints', 'sequences', 'statistics', 'views'];

/** Each phase's time in run order, labelled; phases the report names but this UI does not know come last, as named. */
export function phaseRows(r: Report): { phase: string; label: string; seconds: number }[] {
  const known = PHASE_ORDER.filter((p) => p in r.phases).map((p) => ({ phase: p, label: PHASE_LABEL[p], seconds: r.phases[p] }));
  const other = Object.keys(r.phases)
    .filter((p) => !(PHASE_ORDER as string[]).includes(p))
    .map((p) => ({ phase: p, label: p, seconds: r.phases[p] }));
  return [...known, ...other];
}

/**
 * Whether the phases' times add up to more than the run took: each is summed over tables
 * that load, index and check side by side, so "Copying rows 1.2 s" can sit under a total of
 * 1.0 s. The view says so rather than leave it looking wrong (`Report::phases_overlap`).
 */
export function phasesOverlap(r: Report): boolean {
  return Object.values(r.phases).reduce((a, b) => a + b, 0) > r.seconds + 0.05;
}

export interface FileOffer {
  file: RunFile;
  /** The button's DOM id. */
  id: string;
  label: string;
}

/**
 * The run's files the view offers to open, in this order. The one place to add a file.
 */
export function filesToOffer(r: Report): FileOffer[] {
  const offers: (FileOffer & { when: boolean })[] = [
    { file: 'rejects', id: 'open-rejects', label: 'Open the rejected rows', when: rejectedCount(r) + changedCount(r) > 0 || !!r.rejects_file },
    { file: 'html', id: 'open-report-html', label: 'Open the HTML report', when: true },
    { file: 'report', id: 'open-report-file', label: 'Open the report file', when: true },
    { file: 'folder', id: 'open-run-folder', label: 'Open the run’s folder', when: true },
  ];
  return offers.filter((o) => o.when).map(({ file, id, label }) => ({ file, id, label }));
}

/** The tag a past run gets in the list. */
export function summaryTag(s: RunSummary): { tone: Tone; label: string } {
  if (!s.completed) return { tone: 'error', label: 'stopped early' };
  if (s.rejected > 0) return { tone: 'error', label: `${n(s.rejected)} refused` };
  if (s.changed > 0) return { tone: 'warn', label: `${n(s.changed)} changed` };
  if (!s.exact) return { tone: 'warn', label: 'with warnings' };
  return { tone: 'ok', label: 'exact' };
}

/** "2026-05-04T10:12:03Z" → "2026-05-04 10:12" (as stored; UTC marked). */
export function when(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/.exec(iso);
  if (!m) return iso;
  return `${m[1]} ${m[2]}${m[3] === 'Z' || m[3] === '+00:00' ? ' UTC' : m[3] ? ` ${m[3]}` : ''}`;
}

/** The database a target URL names ("shop" of postgres://u@h:5432/shop?sslmode=require),
 * else the URL as it is. */
export function databaseOf(url: string): string {
  const m = /^[a-z]+:\/\/[^/]*\/([^/?#]+)/i.exec(url);
  return m ? decodeURIComponent(m[1]) : url;
}

/** The last part of a path, either slash. */
export function baseName(p: string): string {
  return p.split(/[\\/]/).pop() || p;
}
