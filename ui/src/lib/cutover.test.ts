import { describe, expect, it } from 'vitest';
import { DAY_STEPS, syncTotals, syncVerdict } from './cutover';
import { ITEMS } from './checklist';
import type { SyncReport } from './bindings/SyncReport';
import type { TableSync } from './bindings/TableSync';

const table = (name: string, t: Partial<TableSync>): TableSync => ({ table: name, target: name, method: 'key', key: ['id'], inserted: 0, updated: 0, deleted: 0, unchanged: 0, rejected: [], rejected_total: 0, reloaded: false, notes: [], error: null, seconds: 0.1, ...t });
const report = (tables: TableSync[], r: Partial<SyncReport> = {}): SyncReport => ({ ferry_version: '0.1.0', source: '/d/shop.sqlite', target: 'postgres://x/shop', target_server: 'PostgreSQL 15', started_at: '2026-05-04T10:00:00Z', snapshot_at: '2026-05-04T10:00:00.250Z', dry_run: false, plan: null, tables, notes: [], completed: true, seconds: 2.5, ...r });

describe('cutover', () => {
  it('says what a sync did and how long it took', () => {
    const cases: [SyncReport, string, string, string][] = [
      [report([table('a', { unchanged: 10 }), table('b', { unchanged: 1 })]), 'ok', 'Nothing to do: the target matches the file', '11 rows unchanged. It took 2.5 s.'],
      [report([table('a', { inserted: 2, updated: 1, unchanged: 7 }), table('b', { deleted: 1 })]), 'ok', 'Synced: 4 rows changed', '2 rows inserted, 1 row updated, 1 row deleted; the target matches the file as of 2026-05-04 10:00:00 UTC. It took 2.5 s.'],
      [report([table('a', { inserted: 3 })], { dry_run: true }), 'warn', 'Dry run: 3 rows would change', '3 rows inserted; nothing was written. It took 2.5 s.'],
      [report([table('a', { updated: 1, rejected_total: 1 })]), 'warn', 'Synced: 1 row changed', '1 row updated; the target matches the file as of 2026-05-04 10:00:00 UTC. 1 row is refused and not in the target (listed below). It took 2.5 s.'],
      [report([table('a', { error: 'not synced: gone' }), table('b', { inserted: 1 })], { completed: false }), 'error', '1 table not synced — listed below', 'The others are synced; sync again once that is fixed. It took 2.5 s.'],
    ];
    for (const [r, tone, title, detail] of cases) {
      expect(syncVerdict(r)).toEqual({ tone, title, detail });
    }
    expect(syncTotals(report([table('a', { inserted: 1, unchanged: 2 }), table('b', { deleted: 3, rejected_total: 4 })]))).toEqual({ inserted: 1, updated: 0, deleted: 3, unchanged: 2, rejected: 4 });
  });

  it('lists the day in the guide’s order, each step an item of the Checklist', () => {
    expect(DAY_STEPS.map((s) => s.id)).toEqual(['maintenance', 'final_sync', 'validation', 'switch_url', 'smoke']);
    const day = ITEMS.filter((i) => i.phase === 'day').map((i) => i.id);
    for (const s of DAY_STEPS) expect(day).toContain(s.id);
    // In the Checklist too, in that order.
    expect(day.filter((id) => DAY_STEPS.some((s) => s.id === id))).toEqual(DAY_STEPS.map((s) => s.id));
  });
});
