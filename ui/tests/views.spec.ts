// The Schema & mapping and Report views, built, in headless Chromium at 1024×700, the IPC
// answered from demo-like data. Screenshots go to docs/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { open, getProject, SCREENSHOTS, setProject, start, stop } from './browser';
import * as demo from './demo-data';

beforeAll(start);
afterAll(stop);

/** Handlers for the source side, answering from the demo data. */
const mappingSpec = {
  data: { previews: demo.previews, checks: { 'varchar(20)': demo.typeCheck('varchar(20)'), text: demo.typeCheck('text'), integer: demo.typeCheck('integer'), nonsense: demo.typeCheck('nonsense') }, plan: demo.plan },
  handlers: {
    engine_version: '0.1.0',
    list_runs: [],
    preview_tables: (_args: any, mock: any) => mock.data.previews,
    check_type: async (args: any, mock: any) => {
      await mock.sleep(50);
      return mock.data.checks[args.typeSql] ?? mock.data.checks.nonsense;
    },
    propose_plan: (_args: any, mock: any) => mock.data.plan,
    save_plan: () => null,
    open_plan: (args: any) => {
      throw { kind: 'plan_mismatch', message: `${args.path} was made for another file: table "orders" has no column "placed_at"`, detail: null };
    },
  },
};

describe('Schema & mapping', () => {
  it('points to Connections while no file is open', async () => {
    const { page, errors } = await open(mappingSpec);
    await page.click('#nav-mapping');
    await page.getByText('Nothing to map yet').waitFor();
    await page.click('#mapping-go-connections');
    expect(await page.getAttribute('#nav-connections', 'aria-current')).toBe('page');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists tables, filters, overrides with a checked verdict, resets, skips, saves', async () => {
    const { page, calls, errors } = await open(mappingSpec);
    await setProject(page, { source: demo.source, plan: demo.plan });
    await page.click('#nav-mapping');
    await page.waitForSelector('[data-table="orders"]');

    // Every table is listed; an odd name is text, never markup.
    expect(await page.locator('button[data-table]').count()).toBe(demo.plan.tables.length);
    const hostile = page.locator(`button[data-table="${demo.HOSTILE}"]`);
    expect(await hostile.locator('.tname').textContent()).toBe(demo.HOSTILE);
    expect(await page.locator('main img').count()).toBe(0);

    // Filter by name, then "needs attention".
    await page.fill('#table-filter', 'arch');
    expect(await page.locator('button[data-table]').count()).toBe(240);
    await page.fill('#table-filter', '');
    await page.check('#needs-attention');
    await page.waitForSelector('button[data-table="events"] .tag.warn');
    const attention = await page.locator('button[data-table]').evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.table));
    expect(attention).toEqual(['customers', 'orders', 'events']);
    await page.uncheck('#needs-attention');

    // The chosen table: evidence, reason, preview warnings, source and target definitions.
    await page.click('button[data-table="events"]');
    await page.waitForSelector('tr[data-column="note"]');
    expect(await page.locator('tr[data-column="uuid"] .values').textContent()).toContain('9,600 texts');
    expect(await page.locator('.detail').textContent()).toContain('has no PostgreSQL translation');

    // Override: checked at once; examples on demand; accepted into the plan.
    await page.fill('[data-override="note"]', 'varchar(20)');
    const verdict = page.locator('[data-verdict="note"]');
    await verdict.waitFor();
    expect(await verdict.textContent()).toContain('12 values will not fit varchar(20)');
    await page.click('[data-examples="note"]');
    expect(await page.locator('tr[data-verdict-row="note"] table.examples').textContent()).toContain('<b>not bold</b>');
    await page.click('[data-accept="note"]');
    const col = () => getProject(page, (p) => ({ c: p.plan.tables.find((t: any) => t.source === 'events').columns.find((c: any) => c.source === 'note'), o: p.overridden['events.note'] ?? false }));
    expect(await col()).toEqual({ c: { source: 'note', target: 'note', type: 'varchar(20)', reason: 'override', unfit: 12, transform: null }, o: true });
    expect(await page.locator('tr[data-column="note"] .tag.error').textContent()).toContain('override refuses 12');

    // An unknown type cannot be accepted.
    await page.fill('[data-override="uuid"]', 'nonsense');
    await page.locator('[data-verdict="uuid"]').waitFor();
    expect(await page.isDisabled('[data-accept="uuid"]')).toBe(true);
    await page.press('[data-override="uuid"]', 'Escape');

    // Reset to the proposal.
    await page.click('[data-reset="note"]');
    await page.waitForFunction(() => (window as any).__FERRY_PROJECT__.plan.tables.find((t: any) => t.source === 'events').columns.find((c: any) => c.source === 'note').reason !== 'override');
    expect((await col()).c.type).toBe('text');
    expect((await col()).o).toBe(false);

    // A suggestion can be kept; then it no longer needs a look.
    await page.click('button[data-table="customers"]');
    await page.click('[data-accept-proposal="loyalty"]');
    expect(await page.locator('tr[data-column="loyalty"] .tag.ok').textContent()).toContain('reviewed');

    // Skip a table.
    await page.check('#skip-table');
    expect(await getProject(page, (p) => p.plan.tables.find((t: any) => t.source === 'customers').skip)).toBe(true);
    await page.uncheck('#skip-table');

    // Save by path; open a plan that does not match: the error by kind, with its message.
    await page.fill('#plan-path', '/tmp/shop-plan.toml');
    await page.click('#save-plan');
    await page.locator('#plan-message').getByText('Plan saved').waitFor();
    const saved = (await calls()).filter((c) => c.cmd === 'save_plan');
    expect(saved.length).toBe(1);
    expect(saved[0].args.path).toBe('/tmp/shop-plan.toml');
    expect(saved[0].args.plan.tables.length).toBe(demo.plan.tables.length);
    await page.click('#open-plan');
    await page.locator('#plan-message').getByText('The plan does not match this SQLite file').waitFor();

    // For the screenshot: an override under way on the events table.
    await page.click('button[data-table="events"]');
    await page.fill('[data-override="note"]', 'varchar(20)');
    await page.locator('[data-verdict="note"]').waitFor();
    await page.click('[data-examples="note"]');
    await page.click('#plan-message .dismiss');
    await page.evaluate(() => window.scrollTo(0, (document.querySelector('.layout') as HTMLElement).offsetTop - 12));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'mapping.png') });
    if (process.env.FERRY_E2E_FULL) await page.screenshot({ path: path.join(process.env.FERRY_E2E_FULL, 'mapping-full.png'), fullPage: true });

    expect(errors).toEqual([]);
    await page.close();
  });

  it('stays quick with hundreds of tables', async () => {
    const { page, errors } = await open(mappingSpec);
    await setProject(page, { source: demo.source, plan: demo.plan });
    await page.click('#nav-mapping');
    await page.waitForSelector('[data-table="archive_240"]');
    const t0 = Date.now();
    for (const name of ['archive_001', 'archive_120', 'archive_240', 'orders']) {
      await page.click(`button[data-table="${name}"]`);
      await page.waitForSelector('#table-title');
      expect(await page.textContent('#table-title')).toBe(name);
    }
    expect(Date.now() - t0).toBeLessThan(3000);
    // Keyboard: arrows move through the list.
    await page.focus('button[data-table="orders"]');
    await page.keyboard.press('ArrowDown');
    expect(await page.textContent('#table-title')).toBe('products');
    expect(errors).toEqual([]);
    await page.close();
  });
});

const reportSpec = {
  data: { reports: demo.reports },
  handlers: {
    engine_version: '0.1.0',
    list_runs: demo.runs,
    open_run: (args: any, mock: any) => {
      const r = mock.data.reports[args.id];
      if (!r) throw { kind: 'not_found', message: `no run "${args.id}"`, detail: null };
      return r;
    },
    open_run_file: () => null,
  },
};

describe('Report', () => {
  it('says when there is no run yet', async () => {
    const { page, errors } = await open({ handlers: { engine_version: '0.1.0', list_runs: [] } });
    await page.click('#nav-report');
    await page.getByText('No run yet').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists past runs, opens one, shows verdict, tables, problems and files', async () => {
    const { page, calls, errors } = await open(reportSpec);
    await page.click('#nav-report');
    await page.waitForSelector('[data-run="20260504-094107"]');
    expect(await page.locator('button[data-run]').count()).toBe(3);

    // The exact run: no rejects file to offer.
    await page.click('[data-run="20260503-160244"]');
    await page.waitForSelector('#report-verdict');
    expect(await page.textContent('#report-verdict')).toContain('Every row arrived exactly');
    expect(await page.locator('#open-rejects').count()).toBe(0);

    // The stopped run.
    await page.click('[data-run="20260502-112000"]');
    await page.waitForFunction(() => document.querySelector('#report-verdict')?.textContent?.includes('Stopped early'));
    expect(await page.textContent('#report-verdict')).toContain('Stopped early: cancelled by the user');

    // The run with refused and changed values.
    await page.click('[data-run="20260504-094107"]');
    await page.waitForFunction(() => document.querySelector('#report-verdict')?.textContent?.includes('refused'));
    expect(await page.textContent('#report-verdict')).toContain('12 values refused, 3 changed — listed below');
    const orders = page.locator('[data-report-table="orders"]');
    expect(await orders.locator('td').allTextContents()).toEqual(['orders', '8,000', '7,988', '12', '0', '3.2 s']);
    expect(await page.locator(`[data-report-table="${demo.HOSTILE}"] th`).textContent()).toBe(demo.HOSTILE);
    expect(await page.locator('[data-problems="orders"] tbody tr').count()).toBe(12);
    expect(await page.locator('[data-problems="events"]').textContent()).toContain('NUL removed');
    expect(await page.textContent('#report-warnings')).toContain('index events_recent');
    expect(await page.textContent('#report-renames')).toContain('img_src_x_onerror_alert_1');

    await page.click('#open-rejects');
    await page.click('#open-report-file');
    await page.click('#open-run-folder');
    const opened = (await calls()).filter((c) => c.cmd === 'open_run_file').map((c) => [c.args.id, c.args.file]);
    expect(opened).toEqual([
      ['20260504-094107', 'rejects'],
      ['20260504-094107', 'report'],
      ['20260504-094107', 'folder'],
    ]);
    expect(await getProject(page, (p) => p.reportId)).toBe('20260504-094107');

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'report.png') });
    if (process.env.FERRY_E2E_FULL) await page.screenshot({ path: path.join(process.env.FERRY_E2E_FULL, 'report-full.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
