// The Schema & mapping and Report views, built, in headless Chromium at 1024×700, the IPC
// answered from demo-like data. Screenshots go to docs/screenshots/ with FERRY_UPDATE_SCREENSHOTS=1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { open, getState, SCREENSHOTS, setState, start, stop } from './browser';
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
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan } });
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
    const col = () => getState(page, (s) => ({ c: s.plan.current.tables.find((t: any) => t.source === 'events').columns.find((c: any) => c.source === 'note'), o: s.plan.overridden['events.note'] ?? false }));
    expect(await col()).toEqual({ c: { source: 'note', target: 'note', type: 'varchar(20)', reason: 'override', unfit: 12, transform: null }, o: true });
    expect(await page.locator('tr[data-column="note"] .tag.error').textContent()).toContain('override refuses 12');

    // An unknown type cannot be accepted.
    await page.fill('[data-override="uuid"]', 'nonsense');
    await page.locator('[data-verdict="uuid"]').waitFor();
    expect(await page.isDisabled('[data-accept="uuid"]')).toBe(true);
    await page.press('[data-override="uuid"]', 'Escape');

    // Reset to the proposal.
    await page.click('[data-reset="note"]');
    await page.waitForFunction(() => (window as any).__FERRY_STATE__.plan.current.tables.find((t: any) => t.source === 'events').columns.find((c: any) => c.source === 'note').reason !== 'override');
    expect((await col()).c.type).toBe('text');
    expect((await col()).o).toBe(false);

    // A suggestion can be kept; then it no longer needs a look.
    await page.click('button[data-table="customers"]');
    await page.click('[data-accept-proposal="loyalty"]');
    expect(await page.locator('tr[data-column="loyalty"] .tag.ok').textContent()).toContain('reviewed');

    // Skip a table.
    await page.check('#skip-table');
    expect(await getState(page, (s) => s.plan.current.tables.find((t: any) => t.source === 'customers').skip)).toBe(true);
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
    await page.evaluate(() => document.getElementById('view')!.scrollTo(0, (document.querySelector('.layout') as HTMLElement).offsetTop - 12));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'mapping.png') });
    if (process.env.FERRY_E2E_FULL) await page.screenshot({ path: path.join(process.env.FERRY_E2E_FULL, 'mapping-full.png'), fullPage: true });

    expect(errors).toEqual([]);
    await page.close();
  });

  it('stays quick with hundreds of tables', async () => {
    const { page, errors } = await open(mappingSpec);
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan } });
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
    await page.waitForFunction(() => document.querySelector('#report-verdict')?.textContent?.includes('Cancelled'));
    expect(await page.textContent('#report-verdict')).toContain('! look Cancelled before the end');

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
    // A value that keeps its column wider than its best type: listed with why.
    expect(await page.locator('[data-widened="products"] tbody tr').allTextContents()).toEqual(['id = 17in_stockmaybeboolean cannot hold it (not a boolean): carried as text']);
    // Orphans kept under a foreign key left NOT VALID: each row with its key value.
    const orphans = page.locator('[data-orphans="orders"]');
    expect(await orphans.textContent()).toContain('The key is left NOT VALID and refuses new rows without a customers row; 2 rows were in the source without one.');
    expect(await orphans.locator('tbody tr').allTextContents()).toEqual(['id = 410099001', 'id = 410199002']);

    await page.click('#open-rejects');
    await page.click('#open-report-file');
    await page.click('#open-run-folder');
    const opened = (await calls()).filter((c) => c.cmd === 'open_run_file').map((c) => [c.args.id, c.args.file]);
    expect(opened).toEqual([
      ['20260504-094107', 'rejects'],
      ['20260504-094107', 'report'],
      ['20260504-094107', 'folder'],
    ]);
    expect(await getState(page, (s) => s.run.reportId)).toBe('20260504-094107');

    await page.evaluate(() => document.getElementById('view')!.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'report.png') });
    if (process.env.FERRY_E2E_FULL) await page.screenshot({ path: path.join(process.env.FERRY_E2E_FULL, 'report-full.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});

// --- After the run: Validation, Monitor, Backups & rollback, Checklist, Audit log ----------

import * as after from './after-data';

/** The project as Connections leaves it: the demo file open, the target entered with a password. */
const withTarget = { source: { file: demo.source }, target: { fields: after.fields, password: after.PASSWORD } };

describe('Monitor', () => {
  const spec = {
    data: { history: after.history, fresh: after.fresh },
    handlers: {
      engine_version: '0.1.0',
      monitor_history: (_a: any, mock: any) => mock.data.history,
      monitor_snapshot: async (_a: any, mock: any) => {
        await mock.sleep(30);
        return mock.data.fresh;
      },
    },
  };

  it('Advice: findings by severity, each fix shown with a Copy button and never run', async () => {
    const finding = (code: string, severity: string, title: string, fix: { sql?: string; setting?: string }) => ({
      code, scope: code === 'tls_off' ? 'server' : 'schema', severity, title, evidence: `evidence of ${code} ${demo.HOSTILE}`, objects: [title], fix_sql: fix.sql ?? null, fix_setting: fix.setting ?? null,
    });
    const advice = {
      taken_at: '2026-12-06T20:00:00Z', dialect: 'postgres', server: 'PostgreSQL 15.20', database: 'shop', user: 'ferry',
      findings: [
        finding('sequence_near_max', 'critical', 'public.orders.id (integer) has used 90.0 % of its range', { sql: 'ALTER TABLE "public"."orders" ALTER COLUMN "id" TYPE bigint;' }),
        finding('duplicate_index', 'warning', 'index b duplicates a on public.t (x)', { sql: 'DROP INDEX CONCURRENTLY "public"."b";' }),
        finding('tls_off', 'warning', 'the server does not offer TLS', { setting: 'ssl = on in postgresql.conf' }),
      ],
      unchecked: [{ code: 'unused_index', why: 'too early to judge: statistics gathered for 3 min over 12 transactions' }],
    };
    const { page, calls, errors } = await open({ data: { ...spec.data, advice }, handlers: { ...spec.handlers, monitor_advice: async (_a: any, mock: any) => { await mock.sleep(30); return mock.data.advice; } } });
    await setState(page, withTarget);
    await page.click('#nav-monitor');
    await page.click('#monitor-tab-advice');
    await page.locator('#advice-empty').waitFor();
    expect((await calls()).filter((c) => c.cmd === 'monitor_advice').length).toBe(0);
    await page.click('#advice-look');
    await page.locator('#advice-summary').waitFor();
    expect(await page.textContent('#advice-summary')).toContain('1 critical · 2 warnings');
    expect((await calls()).find((c) => c.cmd === 'monitor_advice')!.args).toEqual({ url: 'postgres://ferry:s3cret@db.internal:5432/shop?sslmode=require', pgSchema: null });
    // Most severe first; each with its code, evidence (text, never markup) and fix.
    expect(await page.locator('.finding').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')))).toEqual(['sequence_near_max', 'duplicate_index', 'tls_off']);
    expect(await page.textContent('[data-code="duplicate_index"] pre.fix')).toBe('DROP INDEX CONCURRENTLY "public"."b";');
    expect(await page.textContent('[data-code="tls_off"] pre.fix')).toBe('ssl = on in postgresql.conf');
    expect(await page.textContent('[data-code="duplicate_index"] .evidence')).toContain(demo.HOSTILE);
    expect(await page.textContent('#advice-unchecked')).toContain('too early to judge');
    // Copy puts the fix on the clipboard (or selects it where the clipboard is refused); nothing runs.
    const before = (await calls()).length;
    await page.click('[data-code="duplicate_index"] button.copy');
    await page.locator('[data-code="duplicate_index"] [role="status"]').waitFor();
    expect(await page.textContent('[data-code="duplicate_index"] [role="status"]')).toMatch(/^(Copied\.|Selected: press Ctrl\+C to copy it\.)$/);
    expect((await calls()).length).toBe(before);
    expect((await calls()).filter((c) => c.cmd === 'monitor_advice').length).toBe(1);
    expect(await page.locator('main img').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('asks for a target first', async () => {
    const { page, errors } = await open(spec);
    await page.click('#nav-monitor');
    await page.locator('#monitor-no-target').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the kept snapshots over time, takes one on demand and every N seconds, marks unused indexes', async () => {
    const { page, calls, errors } = await open(spec);
    await page.clock.install();
    await setState(page, withTarget);
    await page.click('#nav-monitor');
    await page.waitForSelector('[data-chart="cache"] path.line');
    expect(await page.locator('figure[data-chart]').count()).toBe(4);
    expect(await page.locator('[data-chart="cache"] circle').count()).toBe(9);
    expect(await page.textContent('#monitor-target')).toContain('9 snapshots kept');
    // The password goes to the engine, never on screen.
    expect(await page.textContent('#monitor-target')).not.toContain(after.PASSWORD);
    const first = (await calls()).find((c) => c.cmd === 'monitor_history')!;
    expect(first.args).toEqual({ url: 'postgres://ferry:s3cret@db.internal:5432/shop?sslmode=require', pgSchema: null });

    // Unused indexes are marked in words, not only colour; values are text, never markup.
    expect(await page.locator('[data-index="events_by_session"] .tag.warn').textContent()).toContain('unused');
    expect(await page.locator('[data-index="customers_email_key"] .tag').textContent()).toBe('unique');
    expect(await page.locator('#monitor-slowest tbody tr').first().textContent()).toContain('SELECT count(*) FROM events');
    expect(await page.locator('#monitor-slowest').textContent()).toContain(demo.HOSTILE);
    expect(await page.locator('main img').count()).toBe(0);

    // On demand: the new snapshot's note (how to enable pg_stat_statements) is shown.
    await page.click('#monitor-take');
    await page.locator('[data-note="0"]').waitFor();
    expect(await page.textContent('[data-note="0"]')).toMatch(/^Statements not measuredpg_stat_statements is not installed .*CREATE EXTENSION pg_stat_statements$/);
    expect(await page.textContent('#monitor-target')).toContain('10 snapshots kept');
    expect(await page.locator('[data-chart="cache"] circle').count()).toBe(10);

    // Every 10 seconds while on; nothing once off.
    await page.selectOption('#monitor-period', '10');
    await page.check('#monitor-auto');
    await page.clock.runFor(21_000);
    await page.waitForFunction(() => (window as any).__FERRY_MOCK__.calls.filter((c: any) => c.cmd === 'monitor_snapshot').length === 3);
    await page.uncheck('#monitor-auto');
    await page.clock.runFor(30_000);
    expect((await calls()).filter((c) => c.cmd === 'monitor_snapshot').length).toBe(3);

    // For the screenshot: the history as it was kept (nine snapshots), notes and charts.
    await page.evaluate(() => document.getElementById('view')!.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'monitor.png') });
    if (process.env.FERRY_E2E_FULL) await page.screenshot({ path: path.join(process.env.FERRY_E2E_FULL, 'monitor-full.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a Citus target: its nodes and their share, the busiest tenants, each table\'s placement, how statements were routed', async () => {
    const { page, errors } = await open({ data: { history: [after.citus] }, handlers: { ...spec.handlers, monitor_history: (_a: any, mock: any) => mock.data.history } });
    await setState(page, withTarget);
    await page.click('#nav-monitor');
    await page.locator('#monitor-nodes').waitFor();
    expect(await page.textContent('#monitor-engine')).toBe('Citus 13.2: coordinator and 2 workers');
    const node = async (n: string) => (await page.locator(`[data-node="${n}"] td`).allTextContents()).map((t) => t.trim());
    expect((await node('10.0.0.1:5432'))[0]).toBe('coordinator');
    expect(await node('10.0.0.2:5432')).toEqual(['worker', '17', '5,600', '977 KiB', '68 %']);
    // 1,000,000 over the workers' mean of 722,288: 1.38×.
    expect(await page.textContent('#monitor-skew')).toContain('1.38×');
    // Tenants: values are text, never markup.
    expect(await page.locator('#monitor-tenants tbody tr').count()).toBe(2);
    expect(await page.locator('#monitor-tenants').textContent()).toContain(demo.HOSTILE);
    expect(await page.locator('#monitor-tenants tbody tr').first().textContent()).toContain('5,200');
    // Placement beside each table's (shard-summed) figures; a table of the coordinator says so.
    expect(await page.locator('[data-table="orders"] .placement').textContent()).toBe('distributed by tenant_id, 32 shards');
    expect(await page.locator('[data-table="settings"] .placement').textContent()).toBe('on the coordinator only');
    // Routing under each statement; fanning out is marked.
    const slowest = page.locator('#monitor-slowest');
    expect(await slowest.locator('.routing.fanout').first().textContent()).toBe('every shard: 12 of 12 calls');
    expect(await slowest.textContent()).toContain('one tenant: 9,800 of 9,800 calls (37 tenants)');
    expect(await page.locator('main img').count()).toBe(0);
    await page.locator('#monitor-nodes').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'monitor-citus.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  // The case: a database that had served no query was "82.1 % low" with unused
  // indexes "worth a look", and the note said to run CREATE EXTENSION by hand.
  it('holds judgement on young statistics, and turns on pg_stat_statements after showing the SQL', async () => {
    const { page, calls, errors } = await open({
      data: { young: after.young, turnedOn: { ...after.young, statements_setup: null } },
      handlers: {
        monitor_history: [],
        monitor_snapshot: (_a: any, mock: any) => (mock.calls.some((c: any) => c.cmd === 'enable_statements') ? mock.data.turnedOn : mock.data.young),
        enable_statements: { ran: 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements', enabled: true, message: 'pg_stat_statements is on in database "shop": statements are counted from now on.' },
      },
    });
    await setState(page, withTarget);
    await page.click('#nav-monitor');
    await page.click('#monitor-take');
    await page.locator('#monitor-too-early').waitFor();
    // The box offering to turn statements on says it once: no note repeats it above.
    expect(await page.locator('[data-note]').count()).toBe(0);
    expect(await page.textContent('#monitor-too-early')).toContain('Too early to judge: statistics gathered for 3 min over 12 transactions');
    expect(await page.textContent('#monitor-taken')).toContain('Statistics gathered for 3 min over 12 transactions, since the server started.');
    const facts = await page.textContent('#monitor-facts');
    expect(facts).toContain('82.1 %');
    expect(facts).not.toContain('low');
    expect(facts).not.toContain('worth a look');
    expect(await page.locator('[data-index="events_by_session"] .tag').first().textContent()).toBe('not used yet');
    expect(await page.locator('#monitor-indexes').textContent()).not.toContain('candidate to drop');

    // One click shows the exact statement; nothing runs until the second.
    await page.click('#monitor-enable');
    expect(await page.textContent('#monitor-enable-sql')).toBe('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    if (process.env.FERRY_E2E_FULL) await page.screenshot({ path: path.join(process.env.FERRY_E2E_FULL, 'monitor-young.png'), fullPage: true });
    expect((await calls()).some((c) => c.cmd === 'enable_statements')).toBe(false);
    await page.click('#monitor-enable-cancel');
    expect(await page.locator('#monitor-enable-sql').count()).toBe(0);
    await page.click('#monitor-enable');
    await page.click('#monitor-enable-run');
    await page.locator('#monitor-enabled').waitFor();
    expect(await page.textContent('#monitor-enabled')).toContain('statements are counted from now on');
    expect((await calls()).find((c) => c.cmd === 'enable_statements')!.args).toEqual({ url: 'postgres://ferry:s3cret@db.internal:5432/shop?sslmode=require' });
    // A new snapshot follows, with nothing left to set up.
    await page.waitForFunction(() => (window as any).__FERRY_MOCK__.calls.filter((c: any) => c.cmd === 'monitor_snapshot').length === 2);
    await page.locator('#monitor-statements-setup').waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says when a server restart is needed instead, and offers nothing to run', async () => {
    const { page, errors } = await open({
      data: { snap: { ...after.young, statements_setup: { sql: null, restart: true, how: 'The server does not load pg_stat_statements: set shared_preload_libraries = \'pg_stat_statements\' in postgresql.conf and restart the server.' } } },
      handlers: { monitor_history: [], monitor_snapshot: (_a: any, mock: any) => mock.data.snap },
    });
    await setState(page, withTarget);
    await page.click('#nav-monitor');
    await page.click('#monitor-take');
    await page.locator('#monitor-statements-setup').waitFor();
    expect(await page.getAttribute('#monitor-statements-setup', 'data-restart')).toBe('true');
    expect(await page.textContent('#monitor-statements-setup')).toContain('restart the server');
    expect(await page.locator('#monitor-enable').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the engine’s error by kind', async () => {
    const { page, errors } = await open({
      handlers: {
        engine_version: '0.1.0',
        monitor_history: [],
        monitor_snapshot: () => {
          throw { kind: 'auth_failed', message: 'PostgreSQL at db.internal:5432 refused the login for user "ferry": check the user name and password', detail: 'password authentication failed' };
        },
      },
    });
    await setState(page, withTarget);
    await page.click('#nav-monitor');
    await page.click('#monitor-take');
    await page.locator('#monitor-error').waitFor();
    expect(await page.getAttribute('#monitor-error', 'data-kind')).toBe('auth_failed');
    expect(await page.textContent('#monitor-error')).toContain('The server refused the login');
    expect(await page.textContent('#monitor-error')).toContain('check the user name and password');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('Backups & rollback', () => {
  const spec = {
    data: { backups: after.backups, backup: after.targetBackup, report: after.createdReport, reports: demo.reports, runs: demo.runs },
    handlers: {
      engine_version: '0.1.0',
      // As the shell does from the audit log: a run rolled back (here: a rollback that
      // succeeded) is marked.
      list_runs: (_a: any, mock: any) =>
        mock.data.runs.map((r: any) => (r.id !== '20260502-112000' && mock.calls.some((c: any) => c.cmd === 'rollback_run' && c.args.id === r.id) ? { ...r, rolled_back: '2026-05-04T12:00:00Z' } : r)),
      list_backups: (_a: any, mock: any) => mock.data.backups,
      open_run: (a: any, mock: any) => (a.id === '20260504-094107' ? mock.data.report : mock.data.reports[a.id]),
      backup_target: async (a: any, mock: any) => {
        mock.send(a.onProgress, { bytes: 524_288, tables_done: 0, tables_total: 5, size_estimate: 5_160_000 });
        await mock.sleep(400);
        return mock.data.backup;
      },
      restore_backup: async (a: any, mock: any) => {
        mock.send(a.onProgress, 'restoring customers');
        await mock.sleep(50);
        return { backup: mock.data.backup.path, target: 'postgres://ferry:***@db.internal:5432/shop?sslmode=require', engine: 'native', tables: mock.data.backup.tables, views: [], rows: null, dropped: ['customers', 'orders'], left: ['audit_trail'], seconds: 1.2 };
      },
      rollback_run: async (a: any) => {
        if (a.id === '20260502-112000') throw { kind: 'unreachable', message: 'the server 127.0.0.1:3306 cannot be reached: Connection refused. Is MariaDB running there, and is the port right?', detail: 'os error 111' };
        return { target: 'postgres://ferry:***@db.internal:5432/shop?sslmode=require', dropped: ['table events', 'table orders', 'table customers'], emptied: [], missing: ['table products'], kept: [], seconds: 0.3 };
      },
    },
  };

  it('backs up the target with progress, restores and rolls back after a confirming click', async () => {
    const { page, calls, errors } = await open(spec);
    await setState(page, withTarget);
    await page.click('#nav-backups');
    await page.waitForSelector('#backups-list tbody tr[data-backup]');
    expect(await page.locator('#backups-list tr[data-backup]').count()).toBe(3);
    expect(await page.textContent('#backups-list')).toContain('1.8 MiB');

    // One click, progress, then the record.
    await page.click('#backup-take');
    await page.locator('#backup-progress').getByText('512 KiB written').waitFor();
    await page.locator('#backup-record').waitFor();
    expect(await page.textContent('#backup-record')).toContain(after.targetBackup.sha256);
    expect(await page.textContent('#backup-target')).not.toContain(after.PASSWORD);

    // Restore: nothing happens until confirmed; the confirmation says what it replaces.
    await page.click(`[data-restore="${after.backups[0].record}"]`);
    expect(await page.textContent('#restore-confirm')).toContain('This replaces 5 objects in postgres://ferry:***@db.internal:5432/shop?sslmode=require');
    expect((await calls()).some((c) => c.cmd === 'restore_backup')).toBe(false);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'backups.png') });
    await page.click('#restore-go');
    await page.locator('#restore-outcome').waitFor();
    expect(await page.textContent('#restore-outcome')).toContain('Replaced: customers and orders. Left as they were: audit_trail.');
    const restore = (await calls()).find((c) => c.cmd === 'restore_backup')!;
    expect(restore.args.record).toBe(after.backups[0].record);
    expect(restore.args.url).toContain(':s3cret@');

    // Roll back: the confirmation lists exactly what the run created; Cancel does nothing.
    await page.click('[data-rollback="20260504-094107"]');
    await page.locator('#rollback-confirm').waitFor();
    expect(await page.textContent('#rollback-confirm')).toContain('This drops table customers, table orders, table products, table events and table img_src_x_onerror_alert_1 in postgres://ferry:***@db.internal:5432/shop?sslmode=require — exactly what the run created');
    await page.click('#rollback-confirm button:not(.danger)');
    expect(await page.locator('#rollback-confirm').count()).toBe(0);
    await page.click('[data-rollback="20260504-094107"]');
    await page.click('#rollback-go');
    await page.locator('#rollback-outcome').waitFor();
    expect(await page.textContent('#rollback-outcome')).toContain('Removed: table events, table orders and table customers. Already gone: table products.');
    expect((await calls()).filter((c) => c.cmd === 'rollback_run').map((c) => [c.args.id, c.args.force])).toEqual([['20260504-094107', false]]);
    // The run is marked rolled back and offers no second rollback.
    await page.locator('[data-rolled-back="20260504-094107"]').waitFor();
    expect(await page.textContent('[data-rolled-back="20260504-094107"]')).toBe('rolled back 2026-05-04 12:00 UTC');
    expect(await page.locator('[data-rollback="20260504-094107"]').count()).toBe(0);
    expect(await page.locator('[data-rollback="20260503-160244"]').count()).toBe(1);

    // A run with nothing recorded cannot be rolled back; an engine error shows by kind.
    await page.click('[data-rollback="20260502-112000"]');
    expect(await page.textContent('#rollback-confirm')).toContain('nothing to roll back');
    expect(await page.isDisabled('#rollback-go')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says why a rollback failed', async () => {
    const reports = { ...demo.reports, '20260502-112000': { ...demo.stoppedReport, created: [{ kind: 'table', schema: null, name: 'customers' }] } };
    const { page, errors } = await open({ ...spec, data: { ...spec.data, reports } });
    await setState(page, withTarget);
    await page.click('#nav-backups');
    await page.click('[data-rollback="20260502-112000"]');
    await page.click('#rollback-go');
    await page.locator('#backups-error').waitFor();
    expect(await page.getAttribute('#backups-error', 'data-kind')).toBe('unreachable');
    expect(await page.textContent('#backups-error')).toContain('The server cannot be reached');
    expect(await page.textContent('#backups-error')).toContain('Is MariaDB running there');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('Validation', () => {
  const spec = {
    data: { validation: after.validation },
    handlers: {
      engine_version: '0.1.0',
      list_runs: demo.runs,
      run_validation: null,
      validate_run: async (a: any, mock: any) => {
        await mock.sleep(50);
        if (a.id === '20260502-112000') throw { kind: 'auth_failed', message: 'MariaDB at 127.0.0.1:3306 refused the login for user "root"', detail: null };
        return mock.data.validation;
      },
      open_validation_html: () => null,
      open_run: (a: any) => ({ id: a.id }),
    },
  };

  it('validates the run, shows the verdict, tables and differences, opens the HTML report', async () => {
    const { page, calls, errors } = await open(spec);
    await setState(page, { ...withTarget, run: { reportId: '20260504-094107' } });
    await page.click('#nav-validation');
    await page.locator('#validation-none').waitFor();
    expect(await page.inputValue('#validation-run')).toBe('20260504-094107');
    await page.click('#validation-go');
    await page.locator('#validation-verdict').waitFor();
    expect(await page.textContent('#validation-verdict')).toContain('2 differences, the schema differs from the plan in 2 places — listed below');
    expect(await page.locator('[data-vtable="orders"] .tag').textContent()).toBe('differs');
    expect(await page.locator('[data-vtable="customers"] .tag').textContent()).toBe('matches');
    expect(await page.locator(`[data-vtable="${demo.HOSTILE}"] th .tname`).textContent()).toBe(demo.HOSTILE);
    expect(await page.textContent('[data-vmismatches="orders"]')).toContain('18.50');
    expect(await page.textContent('[data-vmismatches="orders"]')).toContain('missing in target');
    expect(await page.textContent('[data-vschema="orders.status"]')).toContain('type: text in the target, varchar(20) planned');
    expect(await page.textContent('[data-vschema="orders.orders_customer_id_idx"]')).toContain('missing in the target');
    // The table's name whole, not "order / s" (seen in the screenshot at 1024×700).
    const lines = await page.evaluate(() => {
      const range = document.createRange();
      range.selectNodeContents(document.querySelector('[data-vschema="orders.status"] .tname')!);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    });
    expect(lines).toBe(1);
    await page.click('#validation-html');
    const v = (await calls()).filter((c) => c.cmd === 'validate_run' || c.cmd === 'open_validation_html').map((c) => [c.cmd, c.args.id]);
    expect(v).toEqual([['validate_run', '20260504-094107'], ['open_validation_html', '20260504-094107']]);
    await page.evaluate(() => document.getElementById('view')!.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'validation.png') });

    // Another run, and the engine's error by kind.
    await page.selectOption('#validation-run', '20260502-112000');
    await page.click('#validation-go');
    await page.locator('#validation-error').waitFor();
    expect(await page.textContent('#validation-error')).toContain('The server refused the login');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('is reached from the Report view', async () => {
    const { page, errors } = await open({ ...reportSpec, handlers: { ...reportSpec.handlers, run_validation: null } });
    await page.click('#nav-report');
    await page.click('[data-run="20260503-160244"]');
    await page.click('#report-validate');
    expect(await page.getAttribute('#nav-validation', 'aria-current')).toBe('page');
    await page.locator('#validation-none').waitFor();
    expect(await page.inputValue('#validation-run')).toBe('20260503-160244');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('Cutover', () => {
  const spec = {
    data: { sync: after.sync, nothing: after.syncNothing },
    handlers: {
      engine_version: '0.1.0',
      list_runs: demo.runs,
      run_sync: null,
      sync_run: async (a: any, mock: any) => {
        await mock.sleep(50);
        return a.dryRun ? mock.data.nothing : mock.data.sync;
      },
    },
  };

  it('syncs the run, shows the counts per table and the time it took, and the day’s steps', async () => {
    const { page, calls, errors } = await open(spec);
    await setState(page, { ...withTarget, run: { reportId: '20260504-094107' } });
    await page.click('#nav-cutover');
    await page.locator('#cutover-none').waitFor();
    expect(await page.inputValue('#cutover-run')).toBe('20260504-094107');
    // The day, in the guide's order.
    expect(await page.locator('#cutover-steps li').evaluateAll((ls) => ls.map((l) => (l as HTMLElement).dataset.step))).toEqual(['maintenance', 'final_sync', 'validation', 'switch_url', 'smoke']);

    await page.click('#cutover-sync');
    await page.locator('#cutover-verdict').waitFor();
    expect(await page.textContent('#cutover-verdict')).toContain('Synced: 1,084 rows changed');
    expect(await page.textContent('#cutover-verdict')).toContain('1 row is refused');
    expect(await page.textContent('#cutover-took')).toContain('The last sync took 3.4 s');
    const cells = (t: string) => page.locator(`[data-stable="${t}"] td`).evaluateAll((ts) => ts.map((x) => x.textContent));
    expect(await cells('orders')).toEqual(['40', '7', '2', '7,951', '1', '1.60']);
    expect(await page.textContent('[data-smore="audit_log"]')).toContain('emptied and loaded again');
    expect(await page.textContent('[data-smore="orders"]')).toContain('not a number');
    const sent = (await calls()).filter((c) => c.cmd === 'sync_run');
    expect(sent.map((c) => [c.args.id, c.args.dryRun, c.args.url.includes('db.internal')])).toEqual([['20260504-094107', false, true]]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'cutover.png') });

    // A dry run after it: nothing to do, and it says it wrote nothing.
    await page.click('#cutover-dry');
    await page.waitForFunction(() => document.querySelector('#cutover-verdict')?.textContent?.includes('Nothing to do'));
    expect(await page.textContent('#cutover-took')).toContain('The last dry run took 2.9 s');
    expect((await calls()).filter((c) => c.cmd === 'sync_run').map((c) => c.args.dryRun)).toEqual([false, true]);

    await page.click('#cutover-checklist');
    expect(await page.getAttribute('#nav-checklist', 'aria-current')).toBe('page');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says a run comes first', async () => {
    const { page, errors } = await open({ ...spec, handlers: { ...spec.handlers, list_runs: [] } });
    await page.click('#nav-cutover');
    await page.locator('#cutover-no-run').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('Checklist', () => {
  const spec = {
    data: { audit: after.audit, history: after.history, report: after.createdReport, ticks: {} as Record<string, { at: string }> },
    handlers: {
      engine_version: '0.1.0',
      list_audit: (_a: any, mock: any) => mock.data.audit,
      list_runs: demo.runs,
      open_run: (_a: any, mock: any) => mock.data.report,
      monitor_history: (_a: any, mock: any) => mock.data.history,
      // The latest advice Monitor asked for: archiving off, the rest clean.
      latest_advice: {
        taken_at: '2026-05-04T10:40:00Z', dialect: 'postgres', server: 'PostgreSQL 16.4', database: 'shop', user: 'ferry', unchecked: [],
        findings: [{ code: 'no_wal_archiving', scope: 'server', severity: 'warning', title: 'no point-in-time recovery: archive_mode is off', evidence: 'wal_level replica, archive_mode off', objects: ['archive_mode'], fix_sql: null, fix_setting: 'archive_mode = on' }],
      },
      checklist_state: (_a: any, mock: any) => ({ target: 'postgres://ferry@db.internal:5432/shop?sslmode=require', ticks: mock.data.ticks }),
      set_checklist_tick: (a: any, mock: any) => {
        if (a.ticked) mock.data.ticks[a.item] = { at: '2026-05-04T11:02:00Z' };
        else delete mock.data.ticks[a.item];
        return { target: 'postgres://ferry@db.internal:5432/shop?sslmode=require', ticks: mock.data.ticks };
      },
    },
  };

  it('asks for a project first', async () => {
    const { page, errors } = await open(spec);
    await page.click('#nav-checklist');
    await page.locator('#checklist-no-project').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('ticks what Ferry saw, with the evidence, and keeps hand ticks', async () => {
    const { page, calls, errors } = await open(spec);
    await setState(page, withTarget);
    await page.click('#nav-checklist');
    await page.waitForSelector('li[data-item="backup"]');
    const by = () => page.locator('li[data-item]').evaluateAll((ls) => Object.fromEntries(ls.map((l) => [(l as HTMLElement).dataset.item, (l as HTMLElement).dataset.by])));
    expect(await by()).toEqual({
      backup: 'auto', preflight: 'open', dry_run: 'auto', rollback: 'auto', schema: 'auto', data: 'open', indexes: 'auto', maintenance: 'open', final_sync: 'open', validation: 'auto', switch_url: 'open', smoke: 'open', monitoring: 'auto',
      statements: 'auto', tls: 'auto', archiving: 'open', roles: 'auto', isolation: 'open',
    });
    expect(await page.textContent('li[data-item="tls"] .evidence')).toBe('The advice of 2026-05-04 10:40 UTC found no tls_off (PostgreSQL 16.4).');
    expect(await page.textContent('li[data-item="archiving"] .evidence')).toBe('The advice of 2026-05-04 10:40 UTC found no_wal_archiving: no point-in-time recovery: archive_mode is off.');
    expect(await page.textContent('li[data-item="backup"] .evidence')).toBe('Target backup taken 2026-05-04 09:35 UTC.');
    expect(await page.textContent('li[data-item="dry_run"] .evidence')).toContain('shop_scratch');
    expect(await page.textContent('li[data-item="data"] .evidence')).toBe('The last run refused 12 values: see its report.');
    expect(await page.textContent('#checklist-progress')).toBe('10 of 18 done');
    // Items Ferry ticked cannot be unticked by hand.
    expect(await page.locator('li[data-item="backup"] input').count()).toBe(0);

    await page.check('[data-tick="smoke"]');
    await page.waitForSelector('li[data-item="smoke"][data-by="hand"]');
    expect(await page.textContent('li[data-item="smoke"] .evidence')).toBe('Ticked by hand 2026-05-04 11:02 UTC.');
    expect(await page.textContent('#checklist-progress')).toBe('11 of 18 done');
    const tick = (await calls()).find((c) => c.cmd === 'set_checklist_tick')!;
    expect([tick.args.source, tick.args.item, tick.args.ticked]).toEqual([demo.source.path, 'smoke', true]);

    await page.evaluate(() => document.getElementById('view')!.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'checklist.png') });
    if (process.env.FERRY_E2E_FULL) await page.screenshot({ path: path.join(process.env.FERRY_E2E_FULL, 'checklist-full.png'), fullPage: true });
    await page.uncheck('[data-tick="smoke"]');
    await page.waitForSelector('li[data-item="smoke"][data-by="open"]');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('Audit log', () => {
  const spec = {
    data: { audit: after.audit },
    handlers: {
      engine_version: '0.1.0',
      list_audit: (_a: any, mock: any) => mock.data.audit,
      // The shell's save dialog adds the ending (src-tauri commands/pick.rs).
      pick_path: '/home/ada/audit-export.csv',
      export_audit_csv: (_a: any, mock: any) => mock.data.audit.length,
    },
  };

  it('lists every action with its outcome, filters, and exports CSV', async () => {
    const { page, calls, errors } = await open(spec);
    await page.click('#nav-audit');
    await page.waitForSelector('#audit-list tr[data-audit]');
    expect(await page.locator('#audit-list tr[data-audit]').count()).toBe(6);
    const first = page.locator('#audit-list tr[data-audit="0"]');
    expect(await first.locator('td').first().textContent()).toBe('2026-05-04 10:46 UTC');
    expect(await first.textContent()).toContain('Validation');
    expect(await first.textContent()).toContain('sha256 a71e0c3d9b8f');
    expect(await page.textContent('#audit-list')).not.toContain(after.PASSWORD);
    const failed = page.locator('#audit-list tr[data-action="restore"] .tag');
    expect(await failed.textContent()).toBe('✕ failed');

    await page.check('#audit-failed');
    expect(await page.locator('#audit-list tr[data-audit]').count()).toBe(1);
    await page.uncheck('#audit-failed');
    await page.selectOption('#audit-action', 'migrate');
    expect(await page.locator('#audit-list tr[data-audit]').count()).toBe(2);
    await page.selectOption('#audit-action', '');

    await page.click('#audit-export');
    await page.locator('#audit-exported').waitFor();
    expect(await page.textContent('#audit-exported')).toContain('6 entries written to /home/ada/audit-export.csv');
    const save = (await calls()).find((c) => c.cmd === 'pick_path')!;
    expect(save.args.kind).toBe('csv_save');
    expect(save.args.suggested).toMatch(/^ferry-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    expect((await calls()).find((c) => c.cmd === 'export_audit_csv')!.args).toEqual({ path: '/home/ada/audit-export.csv' });

    await page.evaluate(() => document.getElementById('view')!.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'audit.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});
