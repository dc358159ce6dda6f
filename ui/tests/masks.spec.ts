// A masked copy in the app, built, in headless Chromium at 1024×700, the IPC mocked: the
// Masked copy panel in Schema & mapping (propose, the counts and evidence, the key line, off
// again), a column's rule chosen and refused with the engine's words, the run refused without
// a key and made with a key file, and the report's masked columns. The real engine and
// commands are tested in ferry-core (mask, plan::masks) and src-tauri (commands::masks).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { open, getState, setState, start, stop, SCREENSHOTS } from './browser';
import * as demo from './demo-data';
import type { ServerInfo } from '../src/lib/bindings/ServerInfo';

beforeAll(start);
afterAll(stop);

const server: ServerInfo = { dialect: 'postgres', server: 'PostgreSQL 16.4', host: 'db.internal:5432', user: 'ferry', database: 'shop', schema: 'public', objects: [], may_create: true, tls: true };

/** The engine's answers, in the page: masks for customers' email and name, the rest clear. */
function spec(keyring: boolean) {
  return {
    data: { keyring },
    handlers: {
      engine_version: '0.1.0',
      list_runs: [],
      preview_tables: () => [],
      propose_masks: ({ plan }: any) => {
        plan.safe_copy = true;
        for (const t of plan.tables) {
          for (const c of t.columns) {
            const rule = t.source === 'customers' && c.source === 'email' ? 'email' : t.source === 'customers' && c.source === 'name' ? 'name' : c.type === 'text' || c.type === 'jsonb' ? 'clear' : null;
            c.mask = rule;
            c.mask_why = rule === 'email' ? 'email addresses: 200 of 200 sampled values' : rule === 'name' ? 'its name says a person’s name' : rule ? 'nothing personal in its name or in 200 sampled values' : null;
          }
        }
        return plan;
      },
      check_mask: ({ column, rule }: any) => {
        if (rule === 'keep_last:0') throw { kind: 'invalid', message: 'mask "keep_last:0": a count of characters must be a whole number from 1 to 1000', detail: null };
        if (column === 'email' && rule.startsWith('noise')) throw { kind: 'invalid', message: `mask "${rule}" needs a number column, not text`, detail: null };
        return rule;
      },
      mask_problems: [],
      mask_key_status: (_a: any, mock: any) => ({ fingerprint: null, kept_in: null, keyring: mock.data.keyring, keyring_detail: mock.data.keyring ? null : 'No keyring service (GNOME Keyring or KWallet) is running, so the password will not be remembered: Ferry asks for it each time.' }),
      make_mask_key: { fingerprint: 'f99a71b5a5fe', kept_in: 'keyring', keyring: true, keyring_detail: null },
      pick_path: ({ kind }: any) => (kind === 'mask_key' ? '/keys/staging.key' : null),
      use_mask_key_file: { fingerprint: '0a1b2c3d4e5f', kept_in: 'file', keyring: false, keyring_detail: 'No keyring service is running.' },
      start_run: (args: any) => {
        if (!args.options.mask_key_file) throw { kind: 'mask_key', message: 'the plan masks columns but there is no mask key: no system keyring answers here, so the key is not kept: in Schema & mapping, under Masked copy, choose “Use a key file…” for this run', detail: null };
        const t = (name: string, masked: unknown[]) => ({ target: name, rows_read: 2000, rows_written: 2000, seconds: 0.5, rejected: [], changed: [], rejected_total: 0, changed_total: 0, masked });
        const report = {
          ferry_version: '0.1.0', source: args.source, target: 'postgres://ferry:***@db.internal:5432/shop', target_server: 'PostgreSQL 16.4', started_at: '2026-05-04T09:41:07Z', seconds: 2.5, completed: true,
          tables: { customers: t('customers', [{ column: 'email', rule: 'email', values: 2000 }, { column: 'name', rule: 'keep_last:4', values: 1990 }]) },
          warnings: [], notes: [], renames: [], phases: { data: 2 }, created: [], mask_key_fingerprint: '0a1b2c3d4e5f',
        };
        return { id: '20260504-094107', dir: '/runs/20260504-094107', report, backup: null };
      },
    },
  };
}

const maskOf = (page: any, table: string, column: string) =>
  getState(page, `(s) => { const c = s.plan.current.tables.find((t) => t.source === '${table}').columns.find((c) => c.source === '${column}'); return { mask: c.mask ?? null, why: c.mask_why ?? null }; }` as any);

describe('Masked copy', () => {
  it('proposes masks with their evidence, makes a key, takes a rule per column, and turns off', async () => {
    const { page, calls, errors } = await open(spec(true));
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan } });
    await page.click('#nav-mapping');
    await page.waitForSelector('#mask-panel');
    expect(await page.locator('tr[data-column="email"] [data-mask-select]').count()).toBe(0);

    await page.check('#mask-toggle');
    await page.locator('#mask-summary').waitFor();
    const clear = await getState(page, (s) => s.plan.current.tables.filter((t: any) => !t.skip).flatMap((t: any) => t.columns).filter((c: any) => c.mask === 'clear').length);
    expect(clear).toBeGreaterThan(3);
    expect(await page.locator('#mask-summary').textContent()).toContain(`2 columns masked, ${clear} left in clear`);
    expect(await getState(page, (s) => s.plan.current.safe_copy)).toBe(true);
    expect(await page.locator('[data-masked="customers.email"]').textContent()).toContain('email addresses: 200 of 200 sampled values');
    await page.click('#mask-clear summary');
    expect(await page.locator('[data-clear="orders.status"]').textContent()).toContain('nothing personal');

    // The key: none yet; made, kept in the keyring; only its fingerprint shown.
    await page.locator('#mask-make-key').waitFor();
    expect(await page.locator('#mask-key-text').textContent()).toContain('No key yet');
    await page.click('#mask-make-key');
    await page.locator('#mask-key-text').getByText('fingerprint f99a71b5a5fe, kept in the system keyring').waitFor();
    expect((await calls()).find((c) => c.cmd === 'make_mask_key')!.args).toEqual({ source: demo.source.path });
    expect(await page.locator('#mask-make-key').count()).toBe(0);

    // Each column row: its rule and why.
    await page.click('button[data-table="customers"]');
    await page.waitForSelector('[data-mask-select="email"]');
    expect(await page.locator('[data-mask-select="email"]').inputValue()).toBe('email');
    expect(await page.locator('[data-mask-why="email"]').textContent()).toBe('email addresses: 200 of 200 sampled values');
    // keep_last takes a number: 4 unless told.
    await page.selectOption('[data-mask-select="name"]', 'keep_last');
    await page.waitForFunction(() => (window as any).__FERRY_STATE__.plan.current.tables.find((t: any) => t.source === 'customers').columns.find((c: any) => c.source === 'name').mask === 'keep_last:4');
    expect((await maskOf(page, 'customers', 'name')).why).toBe('chosen by you (proposed “name”: its name says a person’s name)');
    expect(await page.locator('[data-mask-n="name"]').inputValue()).toBe('4');
    await page.locator('#mask-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'mapping-masks.png') });
    // A number the engine refuses: its words, and the plan keeps its rule.
    await page.fill('[data-mask-n="name"]', '0');
    await page.press('[data-mask-n="name"]', 'Tab');
    await page.locator('[data-mask-error="name"]').getByText('must be a whole number from 1 to 1000').waitFor();
    expect((await maskOf(page, 'customers', 'name')).mask).toBe('keep_last:4');
    // A rule that does not fit the column's type: refused likewise.
    await page.selectOption('[data-mask-select="email"]', 'noise');
    await page.locator('[data-mask-error="email"]').getByText('needs a number column, not text').waitFor();
    expect((await maskOf(page, 'customers', 'email')).mask).toBe('email');
    const checked = (await calls()).filter((c) => c.cmd === 'check_mask').map((c) => c.args.rule);
    expect(checked).toEqual(['keep_last:4', 'keep_last:0', 'noise:±10%']);
    expect((await calls()).find((c) => c.cmd === 'check_mask')!.args).toMatchObject({ dialect: 'postgres', table: 'customers', column: 'name', typeSql: 'text' });

    // Off: no mask anywhere, no safe copy, no rule in the rows.
    await page.uncheck('#mask-toggle');
    await page.locator('#mask-summary').waitFor({ state: 'detached' });
    expect(await getState(page, (s) => [s.plan.current.safe_copy, s.plan.current.tables.flatMap((t: any) => t.columns).filter((c: any) => c.mask || c.mask_why).length])).toEqual([false, 0]);
    expect(await page.locator('[data-mask-select]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the Run view finds a masked plan’s key in the keyring by itself', async () => {
    const masked = { ...spec(true), handlers: { ...spec(true).handlers, mask_key_status: { fingerprint: 'f99a71b5a5fe', kept_in: 'keyring', keyring: true, keyring_detail: null } } };
    const { page, calls, errors } = await open(masked);
    const plan = JSON.parse(JSON.stringify(demo.plan));
    plan.tables[0].columns[1].mask = 'email';
    await setState(page, { source: { file: demo.source }, plan: { current: plan }, target: { server, fields: { kind: 'postgres', host: 'db.internal', port: 5432, database: 'shop', user: 'ferry', tls: 'require', schema: '' }, password: '' } });
    await page.click('#nav-run');
    await page.locator('#run-masked').getByText('key f99a71b5a5fe (system keyring)').waitFor();
    expect(await page.locator('#run-masked').textContent()).toContain('1 column masked');
    expect((await calls()).filter((c) => c.cmd === 'mask_key_status').map((c) => c.args)).toEqual([{ source: demo.source.path, keyFile: null }]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('without a keyring: the run is refused with its reason, then made with a key file, and the report says what was masked', async () => {
    const { page, calls, errors } = await open(spec(false));
    await setState(page, {
      source: { file: demo.source },
      plan: { current: demo.plan },
      target: { server, fields: { kind: 'postgres', host: 'db.internal', port: 5432, database: 'shop', user: 'ferry', tls: 'require', schema: '' }, password: 's3cret' },
    });
    await page.click('#nav-mapping');
    await page.check('#mask-toggle');
    await page.locator('#mask-key-line[data-tone="error"]').waitFor();
    expect(await page.locator('#mask-key-text').textContent()).toContain('No keyring service');
    expect(await page.locator('#mask-make-key').count()).toBe(0);

    // The run without a key: refused, in words, with the way to a key.
    await page.click('#nav-run');
    expect(await page.locator('#run-masked').textContent()).toContain('2 columns masked');
    await page.click('#start-run');
    await page.locator('#run-error').getByText('there is no mask key').waitFor();
    await page.click('#run-error-masks');
    await page.waitForSelector('#mask-panel');

    // A key file: its fingerprint, passed with the run (its path, never the key).
    await page.click('#mask-key-file');
    await page.locator('#mask-key-text').getByText('fingerprint 0a1b2c3d4e5f, from the key file /keys/staging.key').waitFor();
    expect((await calls()).find((c) => c.cmd === 'use_mask_key_file')!.args).toEqual({ source: demo.source.path, path: '/keys/staging.key' });
    await page.click('#nav-run');
    expect(await page.locator('#run-masked').textContent()).toContain('key 0a1b2c3d4e5f (key file)');
    await page.click('#start-run');
    await page.locator('#run-result').waitFor();
    const runs = (await calls()).filter((c) => c.cmd === 'start_run');
    expect(runs.map((c) => c.args.options.mask_key_file)).toEqual([null, '/keys/staging.key']);
    expect(runs[1].args.plan.safe_copy).toBe(true);

    // The report: the key's fingerprint and each masked column with its count.
    await page.click('#to-report');
    await page.locator('#report-masked').waitFor();
    expect(await page.locator('#report-mask-key').textContent()).toBe('Masked with the key of fingerprint 0a1b2c3d4e5f; no masked value is in this report.');
    expect(await page.locator('tr[data-masked="customers.name"]').textContent()).toMatch(/customers\s*name\s*keep_last:4\s*1,990/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
