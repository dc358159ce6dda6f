// The Cutover view's logic: the migration day's steps in the guide's order, and what a sync
// (`ferry sync`, the app's "Sync now") did, in words. Pure, tested.
import type { SyncReport } from './bindings/SyncReport';
import { duration, plural } from './format';

export interface DayStep {
  /** The Checklist item that ticks when the step is done. */
  id: string;
  label: string;
  hint: string;
}

/** The migration day, in order (each is an item of the Checklist's "On the day"). */
export const DAY_STEPS: readonly DayStep[] = [
  { id: 'maintenance', label: 'Maintenance mode on', hint: 'Stop the application writing to the SQLite file: its maintenance mode, or stop it.' },
  { id: 'final_sync', label: 'Final sync', hint: '“Sync now” here: the rows written since the run go over, in about the time the last sync took.' },
  { id: 'validation', label: 'Validation', hint: 'Validation → “Validate”: every row of the file compared with the target.' },
  { id: 'switch_url', label: 'Switch the application’s URL', hint: 'Point the application at the new database, and take it out of maintenance.' },
  { id: 'smoke', label: 'Smoke test', hint: 'Run a real query from the application against the new database.' },
];

/** Rows inserted, updated, deleted, unchanged and refused in all tables. */
export function syncTotals(r: SyncReport): { inserted: number; updated: number; deleted: number; unchanged: number; rejected: number } {
  const sum = (f: (t: SyncReport['tables'][number]) => number) => r.tables.reduce((s, t) => s + f(t), 0);
  return { inserted: sum((t) => t.inserted), updated: sum((t) => t.updated), deleted: sum((t) => t.deleted), unchanged: sum((t) => t.unchanged), rejected: sum((t) => t.rejected_total) };
}

/** A sync's verdict: what it did, and how long the application would be down for it. */
export function syncVerdict(r: SyncReport): { tone: 'ok' | 'warn' | 'error'; title: string; detail: string } {
  const t = syncTotals(r);
  const changed = t.inserted + t.updated + t.deleted;
  const failed = r.tables.filter((x) => x.error).length;
  const parts = [t.inserted && `${plural(t.inserted, 'row')} inserted`, t.updated && `${plural(t.updated, 'row')} updated`, t.deleted && `${plural(t.deleted, 'row')} deleted`].filter(Boolean).join(', ');
  const refused = t.rejected > 0 ? ` ${plural(t.rejected, 'row is', 'rows are')} refused and not in the target (listed below).` : '';
  const took = ` It took ${duration(r.seconds)}.`;
  if (failed > 0) return { tone: 'error', title: `${plural(failed, 'table')} not synced — listed below`, detail: `The others are synced; sync again once that is fixed.${took}` };
  if (changed === 0) return { tone: t.rejected > 0 ? 'warn' : 'ok', title: 'Nothing to do: the target matches the file', detail: `${plural(t.unchanged, 'row')} unchanged.${refused}${took}` };
  if (r.dry_run) return { tone: 'warn', title: `Dry run: ${plural(changed, 'row')} would change`, detail: `${parts}; nothing was written.${refused}${took}` };
  return { tone: t.rejected > 0 ? 'warn' : 'ok', title: `Synced: ${plural(changed, 'row')} changed`, detail: `${parts}; the target matches the file as of ${r.snapshot_at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}.${refused}${took}` };
}
