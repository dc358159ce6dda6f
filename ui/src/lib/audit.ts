// The audit log's view logic: which target an entry names (compared without passwords or
// options), how an entry reads, and the file name "Export as CSV" proposes. Pure, tested.
import type { AuditEntry } from './bindings/AuditEntry';

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
};

export function actionLabel(a: string): string {
  return ACTION_LABEL[a] ?? a;
}

/** The options an entry ran with, as "name: value" pairs (paths shortened to their file name). */
export function optionsText(e: AuditEntry): string {
  return Object.entries(e.options)
    .map(([k, v]) => {
      const text = typeof v === 'string' ? (/[\\/]/.test(v) ? v.split(/[\\/]/).pop() : v) : JSON.stringify(v);
      return v === true ? k : `${k}: ${text}`;
    })
    .join(', ');
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
