// The Production step, built, in headless Chromium at 1024×700, the IPC answered from canned
// proposals (production-data.ts): proposed unasked on the first visit (busy while it runs),
// grouped by table with kind, subject, evidence, trade-off and SQL; one accepted (by mouse and
// by keyboard), one refused with the engine's words, the SQL copied, the list filtered by
// kind; nothing found said as such; an error said by its kind. The real commands are tested
// in src-tauri (commands::production), the proposals themselves in ferry-core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { open, getState, setState, start, stop } from './browser';
import * as demo from './demo-data';
import { proposals } from './production-data';

beforeAll(start);
afterAll(stop);

/** The engine's answers, in the page: `proposals` for any plan (the user's earlier accept kept
 * by table, kind and columns, as the command does), a while to make; taking the hostile
 * table's proposal refused. */
function spec(found: unknown[] = proposals, fail = false) {
  return {
    data: { found, fail },
    handlers: {
      engine_version: '0.1.0',
      list_runs: [],
      preview_tables: () => [],
      keyring_status: { available: true, detail: null, raw: null },
      access_offer: { roles: { owner: 'shop_owner', app: 'shop_app', read: 'shop_read', login: false }, row_security: true, row_security_why: null, tenant: null },
      propose_production: async ({ plan }: any, mock: any) => {
        await mock.sleep(300);
        if (mock.data.fail) throw { kind: 'source_unreadable', message: 'the SQLite file cannot be read: database is locked', detail: 'database is locked (code 5)' };
        const same = (a: any, b: any) => a.table === b.table && a.kind === b.kind && JSON.stringify(a.columns ?? []) === JSON.stringify(b.columns ?? []);
        const production = (mock.data.found as any[]).map((p) => ({ ...p, accept: (plan.production ?? []).find((e: any) => same(e, p))?.accept ?? p.accept }));
        return { ...plan, production };
      },
      set_production_accept: ({ plan, index, accept }: any) => {
        const p = plan.production[index];
        if (accept && p.table.startsWith('<img')) throw { kind: 'invalid', message: `[[production]] ${index + 1} (covering_index): column ${p.table}.x is not in the source`, detail: null };
        plan.production[index] = { ...p, accept };
        return plan;
      },
    },
  };
}

const state = { source: { file: demo.source }, plan: { current: { ...demo.plan, production: [] } } };
const accepted = (page: any) => getState(page, (s) => s.plan.current.production.map((p: any) => p.accept));

describe('Production', () => {
  it('points to Connections while no file is open', async () => {
    const { page, calls, errors } = await open(spec());
    await page.click('#nav-production');
    await page.getByText('Nothing to propose yet').waitFor();
    await page.click('#production-go');
    expect(await page.getAttribute('#nav-connections', 'aria-current')).toBe('page');
    expect((await calls()).filter((c) => c.cmd === 'propose_production')).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('proposes on the first visit, shows each proposal by table, accepts, refuses, copies and filters', async () => {
    const { page, calls, errors } = await open(spec());
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await setState(page, state);
    // The step sits between Schema & mapping and Pre-flight.
    const steps = await page.locator('nav ol button').evaluateAll((bs) => bs.map((b) => b.id));
    expect(steps).toEqual(['nav-connections', 'nav-mapping', 'nav-production', 'nav-preflight', 'nav-diff', 'nav-run', 'nav-report']);
    expect(await page.textContent('#nav-production small')).toBe('Indexes, partitions');

    await page.click('#nav-production');
    // Unasked: proposing, the button busy and not pressable twice.
    await page.locator('#propose-production', { hasText: 'Proposing…' }).waitFor();
    expect(await page.isDisabled('#propose-production')).toBe(true);
    await page.locator('#production-count').waitFor();
    expect(await page.textContent('#production-count')).toBe('7 proposals, 4 accepted');
    expect(await page.textContent('#propose-production')).toContain('Propose again');
    expect(await page.textContent('#nav-production small')).toBe('4 of 7 taken');
    expect((await calls()).filter((c) => c.cmd === 'propose_production').length).toBe(1);

    // Grouped by table in the engine's order; the database's own last.
    const tables = await page.locator('[data-production-table]').evaluateAll((ds) => ds.map((d) => d.querySelector('h3')!.textContent));
    expect(tables).toEqual(['orders', 'products', 'events', demo.HOSTILE, 'The database']);
    // Each: its kind, its subject, its figures, its trade-off, its SQL; markup stays text.
    const partition = page.locator('[data-proposal="1"]');
    expect(await partition.locator('.tag.info').textContent()).toBe('Partitions');
    expect(await partition.locator('h4').textContent()).toBe('orders.placed_at');
    expect(await partition.locator('.evidence').textContent()).toContain('8,000 rows from 2019-01-02 to 2025-12-30');
    expect(await partition.locator('.note').textContent()).toMatch(/^trade-off\s+the primary key becomes \(id, placed_at\)/);
    expect(await partition.locator('.params').textContent()).toContain('bymonth');
    expect(await partition.locator('pre.sql').textContent()).toBe("CREATE TABLE orders (…) PARTITION BY RANGE (placed_at);\nCREATE TABLE orders_2025_12 PARTITION OF orders FOR VALUES FROM ('2025-12-01') TO ('2026-01-01');");
    expect(await partition.locator('pre.sql').evaluate((el) => getComputedStyle(el).fontFamily)).toMatch(/mono/i);
    expect(await page.locator('[data-proposal="0"] .params').textContent()).toContain("wherestatus IN ('new','paid')");
    const hostile = page.locator('[data-proposal="5"]');
    expect(await hostile.locator('.evidence').textContent()).toContain('<b>3 rows</b> read by <script>alert(1)</script>');
    expect(await page.locator('main img, main b, main script').count()).toBe(0);
    expect(await page.locator('[data-proposal="6"] h4').textContent()).toBe('the database');

    // Accepting: labelled by its subject, through the engine, into the plan; Pre-flight's plan moves on.
    expect(await page.getByRole('checkbox', { name: 'Accept' }).count()).toBe(7);
    expect(await page.locator('#accept-1').getAttribute('aria-describedby')).toBe('proposal-1-h');
    await page.check('#accept-1');
    await page.waitForFunction(() => document.querySelector('#production-count')?.textContent === '7 proposals, 5 accepted');
    expect(await accepted(page)).toEqual([true, true, true, false, true, false, true]);
    const set = (await calls()).filter((c) => c.cmd === 'set_production_accept');
    expect(set.map((c) => [c.args.index, c.args.accept, c.args.plan.production.length])).toEqual([[1, true, 7]]);
    // By keyboard: Space on the focused box leaves the JSON index.
    await page.focus('#accept-2');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.querySelector('#production-count')?.textContent === '7 proposals, 4 accepted');
    expect(await accepted(page)).toEqual([true, true, false, false, true, false, true]);

    // Refused by the engine: said by the proposal, the box unticked again, the plan unchanged.
    await page.click('#accept-5');
    await hostile.locator('.refused').waitFor();
    expect(await hostile.locator('.refused').textContent()).toContain('is not in the source');
    expect(await page.isChecked('#accept-5')).toBe(false);
    expect(await accepted(page)).toEqual([true, true, false, false, true, false, true]);

    // Copy: the SQL on the clipboard, as shown.
    await partition.locator('button.copy').click();
    await partition.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await partition.locator('pre.sql').textContent());
    expect(await partition.locator('button.copy').getAttribute('aria-label')).toBe('Copy the SQL of Partitions on orders.placed_at');

    // Filtered by kind: only those, under their table.
    const options = await page.locator('#production-kind option').allTextContents();
    expect(options).toEqual(['All kinds (7)', 'JSON index (1)', 'Full-text search (1)', 'Partial index (1)', 'Partitions (1)', 'Default (1)', 'Extension (1)', 'Covering index (1)']);
    await page.selectOption('#production-kind', 'search');
    expect(await page.locator('[data-proposal]').evaluateAll((as) => as.map((a) => (a as HTMLElement).dataset.kind))).toEqual(['search']);
    expect(await page.locator('[data-production-table] h3').allTextContents()).toEqual(['events']);
    await page.selectOption('#production-kind', '');
    expect(await page.locator('[data-proposal]').count()).toBe(7);

    if (process.env.FERRY_E2E_FULL) await page.screenshot({ path: path.join(process.env.FERRY_E2E_FULL, 'production-full.png'), fullPage: true });

    // Away and back: not proposed again unasked; proposed again on asking, the choices kept.
    await page.click('#nav-mapping');
    await page.click('#nav-production');
    await page.locator('#production-count').waitFor();
    expect((await calls()).filter((c) => c.cmd === 'propose_production').length).toBe(1);
    await page.click('#propose-production');
    await page.locator('#propose-production', { hasText: 'Propose again' }).waitFor();
    expect((await calls()).filter((c) => c.cmd === 'propose_production').length).toBe(2);
    expect(await accepted(page)).toEqual([true, true, false, false, true, false, true]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says what it looked at when it finds nothing, and proposes again for another server kind', async () => {
    const { page, calls, errors } = await open(spec([]));
    await setState(page, state);
    await page.click('#nav-production');
    await page.locator('#production-empty').waitFor();
    const text = await page.textContent('#production-empty');
    expect(text).toContain('Nothing to propose');
    expect(text).toContain(`Looked at ${demo.plan.tables.length.toLocaleString('en-US')} tables and`);
    expect(text).toContain('for PostgreSQL: no JSON columns, no prose, no skewed flags, no table large enough to partition');
    expect(await page.locator('[data-proposal]').count()).toBe(0);
    // Once per file and server kind: back again, nothing asked; MySQL now, asked again.
    await page.click('#nav-mapping');
    await page.click('#nav-production');
    await page.locator('#production-empty').waitFor();
    expect((await calls()).filter((c) => c.cmd === 'propose_production').length).toBe(1);
    await setState(page, { plan: { current: { ...demo.plan, dialect: 'mysql', production: [] } } });
    await page.waitForFunction(() => (window as any).__FERRY_MOCK__.calls.filter((c: any) => c.cmd === 'propose_production').length === 2);
    await page.locator('#production-empty').getByText('for MySQL').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says an error by its kind, and can propose again', async () => {
    const { page, errors } = await open(spec(proposals, true));
    await setState(page, state);
    await page.click('#nav-production');
    await page.locator('#production-error').waitFor();
    expect(await page.getAttribute('#production-error', 'data-kind')).toBe('source_unreadable');
    expect(await page.textContent('#production-error')).toContain('The SQLite file cannot be read: database is locked.');
    expect(await page.locator('#production-empty').count()).toBe(0);
    await page.evaluate(() => ((window as any).__FERRY_MOCK__.data.fail = false));
    await page.click('#propose-production');
    await page.locator('#production-count').waitFor();
    expect(await page.locator('#production-error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
