// Deciding once for many columns in Schema & mapping, built, in headless Chromium at
// 1024×700, the IPC mocked: the engine's bulk_preview / bulk_apply / bulk_undo answered by a
// small in-page copy of their rule (high confidence; every suggestion; one kind). The real
// engine is tested in ferry-core (plan::bulk) and the real app in tests/gui.rs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, getState, setState, start, stop } from './browser';
import { profile } from './demo-data';

beforeAll(start);
afterAll(stop);

/** 30 tables: every third has a high 0/1 suggestion and a medium money one, the others a
 * medium 0/1 one; table `one` has a single row. */
function wide() {
  const tables = [];
  const plans = [];
  for (let i = 1; i <= 30; i++) {
    const name = i === 30 ? 'one' : `t${String(i).padStart(2, '0')}_${i % 2 ? 'orders' : 'events'}`;
    const rows = name === 'one' ? 1 : 120;
    const cols = i % 3 === 0 ? ['id', 'is_active', 'amount'] : ['id', 'state'];
    tables.push({
      name, columns: cols.map((c) => ({ name: c, declared_type: c === 'amount' ? 'REAL' : 'INTEGER', not_null: false, default: null, collation: null, generated: null, profile: profile({ rows, integers: rows }) })),
      primary_key: null, without_rowid: false, strict: false, rowid_alias: null, sqlite_sequence: null, uniques: [], foreign_keys: [], checks: [], indexes: [], row_count: rows, sql: '',
    });
    const sg = (c: string) =>
      c === 'is_active'
        ? { type: 'boolean', reason: 'all 120 values are integers, 0 and 1 only → boolean?', transform: 'bool_01', kind: 'boolean', confidence: 'high', values: [], unfit: 0 }
        : c === 'amount'
          ? { type: 'numeric(12,2)', reason: 'all 120 values are numbers with at most 2 decimals → numeric(12,2)', transform: 'decimal_exact', kind: 'decimal', confidence: 'medium', values: [], unfit: 0 }
          : c === 'state'
            ? { type: 'boolean', reason: 'all 120 values are integers, 0 and 1 only → boolean?', transform: 'bool_01', kind: 'boolean', confidence: 'medium', values: [], unfit: 0 }
            : null;
    plans.push({ source: name, target: name, skip: false, columns: cols.map((c) => ({ source: c, target: c, type: c === 'amount' ? 'double precision' : 'bigint', reason: 'declared', unfit: 0, transform: null, suggestion: sg(c) })) });
  }
  return { source: { path: '/home/ada/wide.sqlite', bytes: 1_000_000, schema: { tables, views: [], triggers: [], virtual_tables: [] } }, plan: { ferry_version: '0.1.0', source: '/home/ada/wide.sqlite', dialect: 'postgres', tables: plans } };
}

/** The engine's rule, in the page (handlers run there and see only their arguments). */
const chosen = (plan: any, d: any) => {
  const out: [number, number][] = [];
  plan.tables.forEach((t: any, ti: number) => {
    if (t.skip || (d.tables && !d.tables.includes(t.source))) return;
    t.columns.forEach((c: any, ci: number) => {
      const s = c.suggestion;
      if (!s || s.kind === 'enum' || c.reason === 'override') return;
      const kind = s.kind === 'boolean' ? (s.transform === 'bool_text' ? 'bool_words' : 'bool_01') : s.kind;
      const ok = d.which === 'high' ? s.confidence === 'high' : d.which === 'all' ? s.confidence !== 'low' : d.which.kind === kind;
      if (ok) out.push([ti, ci]);
    });
  });
  return out;
};

const spec = {
  data: { chosen: chosen.toString() },
  handlers: {
    engine_version: '0.1.0',
    list_runs: [],
    preview_tables: () => [],
    bulk_preview: ({ plan, decision }: any, mock: any) => {
      const at = (0, eval)(`(${mock.data.chosen})`)(plan, decision);
      const changes = at.map(([ti, ci]: [number, number]) => {
        const c = plan.tables[ti].columns[ci];
        return { table: plan.tables[ti].source, column: c.source, from: c.type, to: decision.verb === 'take' ? c.suggestion.type : c.type, kind: 'bool_01', confidence: c.suggestion.confidence, unfit: 0 };
      });
      return { changes, tables: new Set(at.map(([ti]: [number, number]) => ti)).size };
    },
    bulk_apply: ({ plan, decision }: any, mock: any) => {
      const at = (0, eval)(`(${mock.data.chosen})`)(plan, decision);
      const before = JSON.parse(JSON.stringify(plan));
      const undo = { columns: at.map(([ti, ci]: [number, number]) => ({ table: plan.tables[ti].source, column: before.tables[ti].columns[ci] })) };
      for (const [ti, ci] of at) {
        const c = plan.tables[ti].columns[ci];
        const s = c.suggestion;
        plan.tables[ti].columns[ci] = decision.verb === 'take' ? { ...c, type: s.type, transform: s.transform, unfit: s.unfit, reason: `suggestion accepted: ${s.reason}`, suggestion: null } : { ...c, reason: `${c.reason}; kept over the suggested ${s.type}`, suggestion: null };
      }
      return { plan, preview: { changes: undo.columns.map((u: any) => ({ table: u.table, column: u.column.source })), tables: new Set(at.map(([ti]: [number, number]) => ti)).size }, undo };
    },
    bulk_undo: ({ plan, undo }: any) => {
      for (const u of undo.columns) {
        const t = plan.tables.find((t: any) => t.source === u.table);
        t.columns = t.columns.map((c: any) => (c.source === u.column.source ? u.column : c));
      }
      return plan;
    },
  },
};

const types = (page: any) => getState(page, (s) => s.plan.current.tables.flatMap((t: any) => t.columns.map((c: any) => `${t.source}.${c.source}:${c.type}`)));

describe('Decide for many', () => {
  it('says what will change before it changes, takes it in one click, and undoes it', async () => {
    const { page, calls, errors } = await open(spec);
    const w = wide();
    await setState(page, { source: { file: w.source }, plan: { current: w.plan } });
    await page.click('#nav-mapping');
    await page.waitForSelector('#bulk-bar');
    // Every table needs a look; a table of one row says "1 row".
    expect(await page.locator('.lead strong').textContent()).toBe('30 need a look');
    expect(await page.locator('button[data-table="one"] .tmeta').textContent()).toMatch(/^\s*1 row\b/);
    expect(await page.locator('button[data-table="t01_orders"] .tmeta').textContent()).toMatch(/^\s*120 rows\b/);
    const before = await types(page);

    // Take every high-confidence suggestion: the count first, nothing changed yet.
    await page.click('#bulk-take-high');
    expect(await page.locator('#bulk-count').textContent()).toBe('10 columns in 10 tables will change');
    expect(await types(page)).toEqual(before);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('bulk-confirm');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#bulk-undo');
    expect(await page.locator('#bulk-done-text').textContent()).toBe('Took 10 suggestions in 10 tables.');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('bulk-undo');
    const after = await types(page);
    expect(after.filter((x: string, i: number) => x !== before[i])).toEqual(Array.from({ length: 10 }, (_, i) => `${i === 9 ? 'one' : `t${String(3 * (i + 1)).padStart(2, '0')}_${(3 * (i + 1)) % 2 ? 'orders' : 'events'}`}.is_active:boolean`));
    // A taken column is the user's choice, with the proposal to reset to.
    await page.click('[data-table="t03_orders"]');
    await page.waitForSelector('[data-reset="is_active"]');
    expect(await getState(page, (s) => s.plan.overridden['t03_orders.is_active'])).toBe(true);

    // Undo: every column as it was.
    await page.click('#bulk-undo');
    await page.waitForFunction(() => document.querySelector('#bulk-done-text')?.textContent?.startsWith('Undone'));
    expect(await types(page)).toEqual(before);
    expect(await getState(page, (s) => s.plan.overridden['t03_orders.is_active'] ?? false)).toBe(false);
    expect(await page.locator('#bulk-undo').count()).toBe(0);
    expect((await calls()).filter((c) => c.cmd.startsWith('bulk_')).map((c) => c.cmd)).toEqual(['bulk_preview', 'bulk_apply', 'bulk_undo']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('decides by kind over the filtered tables, and keeps proposals', async () => {
    const { page, calls, errors } = await open(spec);
    const w = wide();
    await setState(page, { source: { file: w.source }, plan: { current: w.plan } });
    await page.click('#nav-mapping');
    await page.fill('#table-filter', 'events');
    await page.selectOption('#bulk-scope', 'shown');
    await page.selectOption('#bulk-kind', 'bool_01');
    await page.click('#bulk-take-kind');
    // t02, t04 … t28 events: 14 tables, each one 0/1 column
    expect(await page.locator('#bulk-count').textContent()).toBe('14 columns in 14 tables will change');
    const asked = (await calls()).find((c) => c.cmd === 'bulk_preview')!.args.decision;
    expect(asked.which).toEqual({ kind: 'bool_01' });
    expect(asked.tables).toHaveLength(14);
    await page.click('#bulk-cancel');
    expect(await page.locator('#bulk-preview').count()).toBe(0);

    // Keep every proposal over all tables: the suggestions leave, nothing needs a look.
    await page.fill('#table-filter', '');
    await page.selectOption('#bulk-scope', 'all');
    await page.click('#bulk-keep-all');
    expect(await page.locator('#bulk-count').textContent()).toBe('40 columns in 30 tables will change');
    await page.click('#bulk-confirm');
    await page.waitForSelector('#bulk-undo');
    expect(await page.locator('.lead').textContent()).toContain('none needs a look');
    const reasons = await getState(page, (s) => s.plan.current.tables[0].columns.map((c: any) => [c.type, c.reason, c.suggestion]));
    expect(reasons).toEqual([['bigint', 'declared', null], ['bigint', 'declared; kept over the suggested boolean', null]]);
    // Another file's plan: the last decision is not offered to undo over it.
    await setState(page, { plan: { current: { ...w.plan, source: '/home/ada/other.sqlite' } } });
    await page.waitForSelector('#bulk-done', { state: 'detached' });
    expect(await page.locator('#bulk-undo').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
  it('starts afresh when another file opens: no Undo, no filter, no table kept from before', async () => {
    const { page, errors } = await open(spec);
    const w = wide();
    await setState(page, { source: { file: w.source }, plan: { current: w.plan } });
    await page.click('#nav-mapping');
    await page.fill('#table-filter', 'events');
    await page.check('#needs-attention');
    await page.click('[data-table="t04_events"]');
    await page.click('#bulk-take-high');
    await page.click('#bulk-confirm');
    await page.waitForSelector('#bulk-undo');
    await page.fill('#plan-path', '/home/ada/plan.toml');

    // Another file opens (from Connections), the same path as before: a new proposal.
    await page.click('#nav-connections');
    await setState(page, { source: { file: wide().source }, plan: { current: wide().plan, overridden: {} } });
    await page.click('#nav-mapping');
    await page.waitForSelector('#bulk-bar');
    const seen = await page.evaluate(() => ({
      filter: (document.querySelector('#table-filter') as HTMLInputElement).value,
      attention: (document.querySelector('#needs-attention') as HTMLInputElement).checked,
      planPath: (document.querySelector('#plan-path') as HTMLInputElement).value,
      undo: document.querySelector('#bulk-undo') !== null,
      done: document.querySelector('#bulk-done') !== null,
      current: document.querySelector('button[data-table].current')?.getAttribute('data-table'),
    }));
    expect(seen).toEqual({ filter: '', attention: false, planPath: '', undo: false, done: false, current: 't01_orders' });
    expect(await page.locator('.lead strong').textContent()).toBe('30 need a look');

    // While the view is open, testing another kind of server proposes the plan again.
    await page.fill('#table-filter', 'orders');
    await setState(page, { plan: { current: { ...wide().plan, dialect: 'mysql' } } });
    await page.waitForFunction(() => (document.querySelector('#table-filter') as HTMLInputElement).value === '');
    expect(errors).toEqual([]);
    await page.close();
  });
});
