// The Backups and Validation views' logic: what a restore or a rollback will do, said before
// the confirming click; the backup list's lines; the validation's verdict. Pure, tested.
import type { BackupItem } from './bindings/BackupItem';
import type { BackupStep } from './bindings/BackupStep';
import type { CreatedObject } from './bindings/CreatedObject';
import type { ValidationReport } from './bindings/ValidationReport';
import { bytes, n, plural } from './format';
import type { Tone } from './report';

/** A list of names for a sentence: "a, b and c", or "a, b, c and 4 more". */
export function names(list: string[], max = 5): string {
  if (list.length === 0) return 'nothing';
  if (list.length === 1) return list[0];
  if (list.length <= max) return `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
  return `${list.slice(0, max).join(', ')} and ${n(list.length - max)} more`;
}

/** What "Restore" will do, said before the confirming click. */
export function restoreWarning(b: BackupItem, target: string): string {
  const t = b.target_backup;
  if (!t) return '';
  const objects = [...t.tables, ...t.views];
  const place = t.schema && t.schema !== 'public' ? ` (schema ${t.schema})` : '';
  return `This replaces ${plural(objects.length, 'object', 'objects')} in ${target}${place} — ${names(objects)} — with the copy taken ${t.taken_at.slice(0, 16).replace('T', ' ')} UTC. Their rows now are lost; other tables stay as they are.`;
}

/** What "Roll back this run" will remove, said before the confirming click. */
export function rollbackWarning(created: CreatedObject[], target: string): string {
  if (created.length === 0) return 'This run’s report lists nothing it created: there is nothing to roll back. Restore a backup instead.';
  const word = (c: CreatedObject) => (c.kind === 'rows' ? `the rows of ${c.name}` : `${c.kind} ${c.name}`);
  const dropped = created.filter((c) => c.kind !== 'rows');
  const emptied = created.filter((c) => c.kind === 'rows');
  const parts = [];
  if (dropped.length) parts.push(`drops ${names(dropped.map(word))}`);
  if (emptied.length) parts.push(`deletes ${names(emptied.map(word))}`);
  return `This ${parts.join(' and ')} in ${target} — exactly what the run created, nothing else. It stops if someone wrote to those tables since.`;
}

export interface BackupLine {
  key: string;
  kind: 'source' | 'target';
  title: string;
  detail: string;
  file: string;
  bytes: number;
  sha256: string;
  taken_at: string;
}

/** One line per backup for the list. */
export function backupLine(b: BackupItem): BackupLine {
  if (b.target_backup) {
    const t = b.target_backup;
    const engine = t.engine === 'ferry' ? 'Ferry’s own dump' : t.format;
    return {
      key: b.record, kind: 'target', title: `Target ${t.database}${t.schema && t.schema !== 'public' ? ` (${t.schema})` : ''}`,
      detail: `${plural(t.tables.length, 'table', 'tables')}${t.views.length ? `, ${plural(t.views.length, 'view', 'views')}` : ''} · ${engine} · ${t.server}`,
      file: t.path, bytes: t.bytes, sha256: t.sha256, taken_at: t.taken_at,
    };
  }
  const s = b.source_backup!;
  return { key: b.record, kind: 'source', title: `Source ${s.source.split(/[\\/]/).pop()}`, detail: `snapshot before run ${b.run_id ?? ''}`.trim(), file: s.path, bytes: s.bytes, sha256: s.sha256, taken_at: s.taken_at };
}

/** The progress line while a target backup runs. */
export function backupProgress(p: BackupStep | null): string {
  if (!p) return 'Connecting…';
  const tables = p.tables_total > 0 && p.tables_done > 0 ? `, ${n(p.tables_done)} of ${plural(p.tables_total, 'table')}` : '';
  const est = p.size_estimate > 0 ? ` (the data takes about ${bytes(p.size_estimate)} on the server)` : '';
  return `${bytes(p.bytes)} written${tables}${est}`;
}

/** The validation's verdict, read first. */
export function validationVerdict(v: ValidationReport): { tone: Tone; title: string; detail: string } {
  const failed = v.tables.filter((t) => t.error).length;
  if (v.clean) {
    const exp = v.expected > 0 ? ` ${plural(v.expected, 'row is', 'rows are')} absent on purpose (refused by the run, listed in its report).` : '';
    return { tone: v.expected > 0 ? 'warn' : 'ok', title: 'The target matches the source', detail: `${plural(v.rows_compared, 'row', 'rows')} compared in ${plural(v.tables.length, 'table', 'tables')}.${exp}` };
  }
  const parts = [];
  if (v.mismatches > 0) parts.push(plural(v.mismatches, 'difference', 'differences'));
  if (failed > 0) parts.push(`${plural(failed, 'table', 'tables')} not compared`);
  const schema = v.schema?.length ?? 0;
  if (schema > 0) parts.push(`the schema differs from the plan in ${plural(schema, 'place', 'places')}`);
  return { tone: 'error', title: `${parts.join(', ') || 'Differences'} — listed below`, detail: schema > 0 ? 'Each way the target’s schema differs from the plan is named, planned against found; each table shows its counts on both sides and the first rows that differ.' : 'Each table shows its counts on both sides and the first rows that differ.' };
}

/** The heading an error gets, by its kind (the engine's message follows it). */
export function errorTitle(kind: string): string {
  const titles: Record<string, string> = {
    unreachable: 'The server cannot be reached',
    auth_failed: 'The server refused the login',
    no_database: 'That database does not exist',
    tls: 'The secure connection failed',
    bad_url: 'The target is not a valid connection',
    target: 'The target refused',
    not_found: 'Not there any more',
    io: 'A file could not be read or written',
    source_missing: 'The SQLite file is not there',
    plan_mismatch: 'The plan does not match the file',
    busy: 'Busy',
  };
  return titles[kind] ?? 'That did not work';
}
