// The audit log's view logic: which target an entry names (compared without passwords or
// options), how an entry reads, and the file name "Export as CSV" proposes. Pure, tested.
import type { AuditEntry } from './bindings/AuditEntry';
import { dialectName, plural } from './format';

/**
 * A target's identity for comparison: the server family, user, host, port and database —
 * no password, no query. Null when it is not a URL.
 */
export function targetKey(url: string | null | undefined): string | null {
  if (!url) return null;
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return null;
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  const family = scheme === 'postgres' || scheme === 'postgresql' ? 'postgres' : scheme === 'mysql' || scheme === 'mariadb' ? 'mysql' : scheme;
  const port = u.port || (family === 'postgres' ? '5432' : family === 'mysql' ? '3306' : '');
  const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const db = decodeURIComponent(u.pathname.replace(/^\//, ''));
  return `${family}://${decodeURIComponent(u.username)}@${host}:${port}/${db}`;
}

/** Whether two URLs name the same database (passwords and options aside). */
export function sameTarget(a: string | null | undefined, b: string | null | undefined): boolean {
  const ka = targetKey(a);
  return ka !== null && ka === targetKey(b);
}

/** What the action was, in words. */
export const ACTION_LABEL: Record<string, string> = {
  migrate: 'Migration',
  backup: 'Backup',
  restore: 'Restore',
  rollback: 'Rollback',
  validate: 'Validation',
  preflight: 'Pre-flight check',
  extension: 'Extension enabled',
};

export function actionLabel(a: string): string {
  return ACTION_LABEL[a] ?? a;
}

/** A path's last part: the file (or folder) name. */
function fileOf(v: unknown): string {
  return String(v).split(/[\\/]/).pop() ?? String(v);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** What each option says, in words, per action; an option not listed reads "name: value". */
const OPTION_WORDS: Record<string, (v: unknown, o: Record<string, unknown>) => string | null> = {
  backup_source: (v) => (v ? 'backed up the source first' : null),
  jobs: (v) => (num(v) !== null ? `${plural(num(v)!, 'table')} at a time` : null),
  strict: (v) => (v ? 'stopped at the first refused value (strict)' : null),
  data_only: (v) => (v ? 'rows only, into tables already there' : null),
  resume: (v) => (v ? 'continued the run that had stopped' : null),
  batch_rows: (v) => (num(v) !== null ? `${plural(num(v)!, 'row')} per batch` : null),
  schema: (v) => `schema ${v}`,
  plan: (v) => `plan ${fileOf(v)}`,
  report: (v) => `report ${fileOf(v)}`,
  run_report: (v) => `run report ${fileOf(v)}`,
  rejects: (v) => `refused rows in ${fileOf(v)}`,
  out: (v) => `into ${fileOf(v)}`,
  engine: (v) => `with ${v}`,
  backup: (v) => `from ${fileOf(v)}`,
  replace: (v) => (v ? 'replacing what was there' : null),
  force: (v) => (v ? 'forced, though rows were written since the run' : null),
  run: (v) => `run ${v}`,
  choose: (v) => `choices given: ${Array.isArray(v) ? v.join(', ') : v}`,
  extension: (v) => `extension ${v}`,
  // A masked copy (the CLI's and the app's migrate): which key, by its fingerprint.
  masked_copy: (v) => (v ? 'a masked copy' : null),
  mask_key_fingerprint: (v) => `mask key ${v}`,
  // Pre-flight's findings.
  dialect: () => null,
  rows_checked: (v, o) => (num(v) !== null ? `checked ${plural(num(v)!, 'row')}${o.dialect ? ` for ${dialectName(String(o.dialect))}` : ''}` : null),
  ready: (v, o) => (v ? 'ready to migrate' : num(o.unresolved) ? null : 'not ready'),
  unresolved: (v) => (num(v) ? `${plural(num(v)!, 'group')} of refused values left to decide` : null),
  // Validation's findings.
  clean: (v) => (v ? 'the target matches the source' : null),
  mismatches: (v) => (num(v) ? `${plural(num(v)!, 'difference')} found` : null),
};

/** The options an entry ran with, in words: "Backed up the source first; 2 tables at a time." */
export function optionsText(e: AuditEntry): string {
  const parts = Object.entries(e.options)
    .map(([k, v]) => (k in OPTION_WORDS ? OPTION_WORDS[k](v, e.options) : v === true ? k.replace(/_/g, ' ') : `${k.replace(/_/g, ' ')}: ${typeof v === 'string' ? (/[\\/]/.test(v) ? fileOf(v) : v) : JSON.stringify(v)}`))
    .filter((p): p is string => !!p);
  if (parts.length === 0) return '';
  const text = parts.join('; ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

/** The short form of a SHA-256 for a table cell: its first 12 hex digits. */
export function shortHash(h: string | null | undefined): string {
  return h ? h.slice(0, 12) : '';
}

/** The name "Export as CSV" proposes: ferry-audit-YYYY-MM-DD.csv (local date). */
export function csvFileName(now: Date): string {
  const p = (x: number) => String(x).padStart(2, '0');
  return `ferry-audit-${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}.csv`;
}

/** The path chosen in the save dialog, with ".csv" added when it has no extension. */
export function withCsvExtension(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  return name.includes('.') ? path : `${path}.csv`;
}

/** The entries an action filter keeps ("" keeps all). */
export function filterEntries(all: AuditEntry[], action: string, failedOnly: boolean): AuditEntry[] {
  return all.filter((e) => (!action || e.action === action) && (!failedOnly || e.outcome !== 'ok'));
}
