// The Pre-flight and Diff views, built, in headless Chromium at 1024×700, the IPC answered
// from canned data (check-data.ts). Screenshots go to docs/screenshots/ with FERRY_UPDATE_SCREENSHOTS=1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { open, getState, SCREENSHOTS, setState, start, stop } from './browser';
import * as demo from './demo-data';
import * as data from './check-data';

beforeAll(start);
afterAll(stop);

const preflightSpec = {
  data: { results: [data.preflight, data.cleanPreflight], next: 0 },
  handlers: {
    engine_version: '0.1.0',
    list_runs: [],
    // The first run finds problems, the next ones (after the "fix") none; each takes a while.
    run_preflight: async (_args: any, mock: any) => {
      await mock.sleep(400);
      const r = mock.data.results[Math.min(mock.data.next, mock.data.results.length - 1)];
      mock.data.next += 1;
      return r;
    },
  },
};

describe('Pre-flight', () => {
  it('points to Connections while no file is open', async () => {
    const { page, errors } = await open(preflightSpec);
    await page.click('#nav-preflight');
    await page.getByText('Nothing to check yet').waitFor();
    await page.click('#preflight-go');
    expect(await page.getAttribute('#nav-connections', 'aria-current')).toBe('page');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs with progress, lists what is unresolved by table, re-runs after a plan change, then is ready', async () => {
    const { page, calls, errors } = await open(preflightSpec);
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan } });
    await page.click('#nav-preflight');
    // The step sits between Production and Run.
    const steps = await page.locator('nav ol button').evaluateAll((bs) => bs.map((b) => b.id));
    expect(steps).toEqual(['nav-connections', 'nav-mapping', 'nav-production', 'nav-preflight', 'nav-diff', 'nav-run', 'nav-report']);

    await page.click('#run-preflight');
    // While it runs: the button says so and cannot be pressed twice.
    await page.locator('#run-preflight', { hasText: 'Checking…' }).waitFor();
    expect(await page.isDisabled('#run-preflight')).toBe(true);
    await page.waitForSelector('#preflight-verdict');
    expect(await page.isDisabled('#run-preflight')).toBe(false);

    // Unresolved: the headline, then one line per group, most rows first.
    expect(await page.getAttribute('#preflight-verdict', 'data-ready')).toBe('false');
    expect(await page.textContent('#preflight-verdict')).toContain('15 rows would be rejected and 40 values would arrive changed (of 20,400 rows checked)');
    expect(await page.locator('#unresolved-list li').allTextContents()).toEqual([
      'orders: 12 rows rejected — orphan: no matching row in customers (the foreign key is not enforced in SQLite)',
      'orders.placed_at: 3 rows rejected — not a date or timestamp',
    ]);

    // Groups by table, each with its default outcome and examples (key and value, as text).
    expect(await page.locator('[data-preflight-table]').evaluateAll((d) => d.map((x) => (x as HTMLElement).dataset.preflightTable))).toEqual(['events', 'orders']);
    const orphans = page.locator('[data-group="orders."]');
    expect(await orphans.textContent()).toContain('Reject the rows (listed in the report and the rejects file) — default');
    expect(await orphans.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['id = 7001', '—']);
    expect(await orphans.textContent()).toContain('and 7 more');
    const note = page.locator('[data-group="events.note"]');
    expect(await note.locator('.tag').first().textContent()).toBe('values changed');
    expect(await note.locator('tbody tr').nth(1).locator('td').allTextContents()).toEqual(['id = 230', '<b>not bold</b>']);
    expect(await note.locator('tbody tr').first().locator('td.value').textContent()).toBe('a\u2400b');
    expect(await page.locator('main b').count()).toBe(0);
    expect(await page.locator('[data-group="orders.placed_at"] tbody tr').nth(2).locator('td.value').textContent()).toBe('20240101');

    // Filter by table, then by words.
    await page.selectOption('#preflight-table', 'orders');
    expect(await page.locator('[data-group]').count()).toBe(2);
    await page.fill('#preflight-filter', 'orphan');
    expect(await page.locator('[data-group]').count()).toBe(1);
    await page.fill('#preflight-filter', 'no such cause');
    await page.getByText('Nothing matches the filter.').waitFor();
    await page.fill('#preflight-filter', '');
    await page.selectOption('#preflight-table', '');
    expect(await page.locator('[data-group]').count()).toBe(3);

    // Objects not carried and renames; an odd name stays text.
    expect(await page.textContent('#preflight-objects')).toContain('trigger orders_touch');
    expect(await page.textContent('#preflight-objects')).toContain('virtual table search (USING fts5)');
    // Renames are said with the renames, in words — never as rows with a NULL key and JSON.
    expect(await page.locator('#preflight-renames li').allTextContents()).toEqual([
      `Table ${demo.HOSTILE} will be named img_src_x_onerror_alert_1 because it is longer than PostgreSQL’s identifier limit.`,
      'Column Email of table customers will be named Email_2 because it clashes with another name once case is ignored.',
    ]);
    const groupsText = await page.textContent('section.groups');
    expect(groupsText).not.toContain('renamed to');
    expect(groupsText).not.toContain('{"from"');
    expect(await page.textContent('#nav-preflight')).toContain('Unresolved rows');
    expect(await page.locator('main img').count()).toBe(0);

    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.evaluate(() => document.getElementById('view')!.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'preflight.png') });
    if (process.env.FERRY_E2E_FULL) await page.screenshot({ path: path.join(process.env.FERRY_E2E_FULL, 'preflight-full.png'), fullPage: true });

    // The plan changes (an override in Schema & mapping): the result is marked stale.
    expect(await page.locator('#preflight-stale').count()).toBe(0);
    await page.evaluate(() => {
      const s = (window as any).__FERRY_STATE__;
      s.plan.current.tables.find((t: any) => t.source === 'orders').columns.find((c: any) => c.source === 'placed_at').type = 'text';
    });
    await page.waitForSelector('#preflight-stale');

    // Run again (the rows are fixed by now): ready, nothing unresolved, the stale note gone.
    await page.click('#run-preflight');
    await page.waitForSelector('#preflight-verdict[data-ready="true"]');
    expect(await page.textContent('#preflight-verdict')).toContain('Ready to migrate: every value of the 20,400 rows checked fits the target as planned');
    expect(await page.locator('#unresolved-list').count()).toBe(0);
    expect(await page.textContent('#preflight-verdict')).toContain('1 object is not carried as it is');
    expect(await page.locator('#preflight-stale').count()).toBe(0);
    expect(await page.textContent('#nav-preflight')).toContain('Ready to migrate');
    const runs = (await calls()).filter((c) => c.cmd === 'run_preflight');
    expect(runs.length).toBe(2);
    expect(runs[1].args.plan.tables.find((t: any) => t.source === 'orders').columns.find((c: any) => c.source === 'placed_at').type).toBe('text');

    // Kept while moving between views.
    await page.click('#nav-run');
    await page.click('#nav-preflight');
    expect(await page.getAttribute('#preflight-verdict', 'data-ready')).toBe('true');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('records a choice per group in the plan, and is ready once every group that loses rows has one', async () => {
    const { page, errors } = await open(preflightSpec);
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan } });
    await page.click('#nav-preflight');
    await page.click('#run-preflight');
    await page.waitForSelector('#preflight-verdict[data-ready="false"]');
    expect(await page.locator('[data-group="orders."] .tag.error', { hasText: 'needs a choice' }).count()).toBe(1);
    // The default is offered first and marked; a choice is kept in the plan.
    const orphanChoice = page.locator('[data-choice="orders.:orphan"]');
    expect(await orphanChoice.locator('option').allTextContents()).toEqual(['Reject the rows (listed in the report and the rejects file) — default', 'Do not create the constraint (listed in the report)']);
    await orphanChoice.selectOption('reject_rows');
    await page.locator('[data-choice="orders.placed_at:wrong_type"]').selectOption('set_null');
    const choices = await getState(page, (s) => s.plan.current.choices);
    expect(choices).toEqual([
      { table: 'orders', column: null, kind: 'orphan', choice: 'reject_rows' },
      { table: 'orders', column: 'placed_at', kind: 'wrong_type', choice: 'set_null' },
    ]);
    // Nothing left to a default that loses rows: ready, as chosen; the counts want a new run.
    await page.waitForSelector('#preflight-verdict[data-ready="true"]');
    expect(await page.textContent('#preflight-verdict')).toContain('Ready to migrate as chosen');
    await page.waitForSelector('#preflight-stale');
    expect(await page.locator('[data-group="orders.placed_at"] .tag.ok').textContent()).toContain('chosen');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('rehearses the schema on the target once one is set, and lists what the server refuses', async () => {
    const refused = {
      table: 'events',
      object: 'index ix_day',
      reason: 'the target refuses it: functions in index expression must be marked IMMUTABLE; migrate leaves it off. SQL: CREATE INDEX "ix_day" ON "sales"."events" ((to_char(now(), \'YYYY\')))',
    };
    const rehearsed = {
      ...data.cleanPreflight,
      objects: [...data.cleanPreflight.objects, refused],
      rehearsal: 'schema rehearsed on PostgreSQL 16.2 in the scratch schema ferry_rehearsal_0a1b2c3d4e5f, taken away after: 1 object refused',
    };
    // The handler runs in the page: what it answers comes with it as data.
    const { page, calls, errors } = await open({
      data: { rehearsed, clean: data.cleanPreflight },
      handlers: { engine_version: '0.1.0', list_runs: [], run_preflight: (args: any, mock: any) => (args.url ? mock.data.rehearsed : mock.data.clean) },
    });
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan } });
    await page.click('#nav-preflight');
    // No target yet: the source alone, and nothing said about a rehearsal.
    await page.click('#run-preflight');
    await page.waitForSelector('#preflight-verdict');
    expect(await page.locator('#preflight-rehearsal').count()).toBe(0);
    // A target of the plan's kind: its URL and schema go with the run.
    await setState(page, {
      target: { fields: { kind: 'postgres', host: '127.0.0.1', port: 5432, database: 'shop', user: 'postgres', tls: 'prefer', schema: 'sales', caFile: '' }, password: 's3cret' },
    });
    await page.click('#run-preflight');
    await page.waitForSelector('#preflight-rehearsal');
    const runs = (await calls()).filter((c) => c.cmd === 'run_preflight');
    expect(runs.map((r) => [r.args.url === null, r.args.pgSchema])).toEqual([[true, null], [false, 'sales']]);
    expect(runs[1].args.url).toContain('postgres://postgres:s3cret@127.0.0.1:5432/shop');
    expect(await page.textContent('#preflight-rehearsal')).toBe(rehearsed.rehearsal);
    expect(await page.textContent('#preflight-objects')).toContain('the target refuses it: functions in index expression must be marked IMMUTABLE');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says why it could not run', async () => {
    const { page, errors } = await open({
      handlers: {
        engine_version: '0.1.0',
        run_preflight: () => {
          throw { kind: 'plan_mismatch', message: 'the plan was made for another file: table "orders" has no column "placed_at"', detail: null };
        },
      },
    });
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan } });
    await page.click('#nav-preflight');
    await page.click('#run-preflight');
    await page.waitForSelector('#preflight-error');
    expect(await page.textContent('#preflight-error')).toContain('has no column "placed_at"');
    expect(await page.locator('#preflight-verdict').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});

const diffSpec = {
  data: { results: [data.emptyDiff, data.mixedDiff], next: 0 },
  handlers: {
    engine_version: '0.1.0',
    list_runs: [],
    schema_diff: async (_args: any, mock: any) => {
      await mock.sleep(200);
      const r = mock.data.results[Math.min(mock.data.next, mock.data.results.length - 1)];
      mock.data.next += 1;
      return r;
    },
  },
};

describe('Diff', () => {
  it('points to Schema & mapping while there is no plan', async () => {
    const { page, errors } = await open(diffSpec);
    await setState(page, { source: { file: demo.source } });
    await page.click('#nav-diff');
    await page.getByText('Nothing to compare yet').waitFor();
    await page.click('#diff-go');
    expect(await page.getAttribute('#nav-mapping', 'aria-current')).toBe('page');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows an empty target as all "create", then a used one side by side; destructive steps need a confirming click', async () => {
    const { page, calls, errors } = await open(diffSpec);
    await setState(page, {
      source: { file: demo.source },
      plan: { current: demo.plan },
      target: { fields: { kind: 'postgres', host: '127.0.0.1', port: 5432, database: 'shop', user: 'postgres', tls: 'prefer', schema: 'sales' }, password: 's3cret' },
    });
    await page.click('#nav-diff');
    expect(await page.textContent('#diff-status')).not.toContain('s3cret');

    // An empty target: everything is "create", nothing destructive.
    await page.click('#run-diff');
    await page.locator('#run-diff', { hasText: 'Comparing…' }).waitFor();
    await page.waitForSelector('#diff-headline');
    expect(await page.textContent('#diff-headline')).toBe('The target holds none of it: migrate creates everything');
    const statuses = await page.locator('[data-diff-table]').evaluateAll((d) => d.map((x) => (x as HTMLElement).dataset.status));
    expect(statuses).toEqual(['create', 'create', 'create', 'create']);
    expect(await page.locator('[data-diff-table="orders"] tbody td').allTextContents()).toEqual(['table', 'table orders', '—', 'create']);
    expect(await page.locator('#diff-destructive').count()).toBe(0);
    expect(await page.textContent('[data-count="create"]')).toBe('create 4');
    const sent = (await calls()).filter((c) => c.cmd === 'schema_diff');
    expect(sent[0].args.pgSchema).toBe('sales');
    expect(sent[0].args.url).toContain('postgres://postgres:s3cret@127.0.0.1:5432/shop');
    expect(sent[0].args.plan.tables.length).toBe(demo.plan.tables.length);

    // A target holding an older copy.
    await page.click('#run-diff');
    await page.waitForFunction(() => document.querySelector('#diff-headline')?.textContent?.includes('differs'));
    expect(await page.textContent('#diff-headline')).toBe('The target differs from the plan: 4 objects to look at');
    const counts = await page.locator('#diff-counts li').allTextContents();
    expect(counts.map((s) => s.replace(/\s+/g, ' ').trim())).toEqual(['create 1', 'equal 5', 'different 1', 'extra 2', 'destructive 1']);
    // Side by side, each change with its label in words.
    const loyalty = page.locator('[data-diff-table="customers"] [data-item="column:loyalty"] td');
    expect((await loyalty.allTextContents()).slice(0, 3)).toEqual(['column loyalty', 'text', 'bytea']);
    expect(await loyalty.nth(3).textContent()).toBe('destructive');
    expect(await page.textContent('[data-diff-table="customers"] [data-differences="column:loyalty"]')).toContain('type: bytea in the target, text planned (narrower: values could be lost)');
    expect((await page.locator('[data-diff-table="customers"] [data-item="index:customers_old_idx"] td').allTextContents()).map((x) => x.trim())).toEqual(['index customers_old_idx', '—', 'INDEX (name)', 'extra']);
    expect(await page.locator(`[data-diff-table="${demo.HOSTILE}"] th`).first().textContent()).toBe(demo.HOSTILE);
    expect(await page.locator('main img').count()).toBe(0);

    // Destructive steps, apart: Ferry never runs them; acknowledging takes a confirming click.
    const box = page.locator('#diff-destructive');
    expect(await box.textContent()).toContain('Ferry never runs them');
    expect(await box.locator('li').count()).toBe(2);
    expect(await box.getAttribute('data-acknowledged')).toBe('false');
    await page.click('#acknowledge-destructive');
    expect(await box.getAttribute('data-acknowledged')).toBe('false');
    await page.click('#cancel-destructive');
    expect(await page.locator('#confirm-destructive').count()).toBe(0);
    expect(await box.getAttribute('data-acknowledged')).toBe('false');
    await page.click('#acknowledge-destructive');
    await page.click('#confirm-destructive');
    await page.waitForSelector('#destructive-acknowledged');
    expect(await box.getAttribute('data-acknowledged')).toBe('true');

    // Only differences: equal tables and items leave.
    await page.check('#only-differences');
    expect(await page.locator('[data-diff-table="products"]').count()).toBe(0);
    expect(await page.locator('[data-diff-table="customers"] [data-item]').evaluateAll((r) => r.map((x) => (x as HTMLElement).dataset.item))).toEqual(['column:loyalty', 'column:created_at', 'index:customers_old_idx']);
    await page.uncheck('#only-differences');
    expect(await page.locator('[data-diff-table="products"]').count()).toBe(1);

    // A change of target makes the comparison stale.
    await page.check('#only-differences');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.evaluate(() => document.getElementById('view')!.scrollTo(0, (document.querySelector('.summary') as HTMLElement).offsetTop - 12));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'diff.png') });
    if (process.env.FERRY_E2E_FULL) await page.screenshot({ path: path.join(process.env.FERRY_E2E_FULL, 'diff-full.png'), fullPage: true });
    await setState(page, { target: { password: 'other' } });
    expect(await page.locator('#diff-stale').count()).toBe(0);
    await page.evaluate(() => ((window as any).__FERRY_STATE__.target.fields.database = 'shop2'));
    await page.waitForSelector('#diff-stale');
    expect(await getState(page, (s) => s.nav.view)).toBe('diff');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says why it could not compare', async () => {
    const { page, errors } = await open({
      handlers: {
        engine_version: '0.1.0',
        schema_diff: () => {
          throw { kind: 'no_database', message: 'database "shop" does not exist on 127.0.0.1:5432: create it (CREATE DATABASE shop) or choose another', detail: null };
        },
      },
    });
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan } });
    await page.click('#nav-diff');
    await page.click('#run-diff');
    await page.waitForSelector('#diff-error');
    expect(await page.textContent('#diff-error')).toContain('Database "shop" does not exist');
    expect(errors).toEqual([]);
    await page.close();
  });
});
