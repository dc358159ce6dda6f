// The Connections and Run views, built, in headless Chromium at 1024×700, the IPC mocked:
// the form validates and reads pasted URLs, "Test connection" shows what was found or the
// server's refusal, saved connections keep no password in the saved record, and the Run view
// follows a scripted stream of engine events to the end — and to a cancel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, getState, setState, start, stop } from './browser';
import * as demo from './demo-data';
import * as checkData from './check-data';
import type { Event } from '../src/lib/bindings/Event';
import type { ServerInfo } from '../src/lib/bindings/ServerInfo';

beforeAll(start);
afterAll(stop);

const server: ServerInfo = { dialect: 'postgres', server: 'PostgreSQL 16.4', host: 'db.internal:5432', user: 'ferry', database: 'shop', schema: 'public', objects: [], may_create: true, tls: true };

const connectSpec = {
  data: { source: demo.source, plan: demo.plan, server },
  handlers: {
    engine_version: '0.1.0',
    initial_source: null,
    list_runs: [],
    list_connections: [],
    keyring_status: {
      available: false,
      detail: 'The system keyring is not available (no D-Bus session), so the password will not be remembered: Ferry asks for it each time.',
      raw: 'Platform failure: zbus error: Failed to connect to address unix:path=/run/user/0/bus: No such file or directory (os error 2)',
    },
    demo_source: '/home/ada/.local/share/dev.ferry.desktop/demo/demo.sqlite',
    open_source: (_args: any, mock: any) => mock.data.source,
    propose_plan: (_args: any, mock: any) => mock.data.plan,
    save_connection: (args: any) => ({ ...args.connection, password_saved: false }),
    test_connection: (args: any, mock: any) => {
      if (args.url.includes(':wrong@')) {
        throw { kind: 'auth_failed', message: 'the PostgreSQL server at db.internal:5432 refused the login for user "ferry": password authentication failed. Check the user name and password', detail: 'password authentication failed' };
      }
      return mock.data.server;
    },
  },
};

describe('Connections', () => {
  it('opens the demo, validates, reads a pasted URL, tests the connection, saves without the password', async () => {
    const { page, calls, errors } = await open(connectSpec);
    await page.click('#try-demo');
    const summary = await page.locator('#source-summary').textContent();
    expect(summary).toContain(`${demo.source.schema.tables.length} tables`);

    // Validation before any call: no database named.
    await page.fill('#database', '');
    await page.click('#test-connection');
    expect(await page.locator('#database-error').textContent()).toContain('Enter the database');
    expect((await calls()).filter((c) => c.cmd === 'test_connection')).toEqual([]);

    // A pasted URL fills the form (and its password, decoded).
    await page.click('details.paste summary');
    await page.fill('#paste-url', 'postgres://ferry:wrong@db.internal:5432/shop?sslmode=require');
    await page.click('details.paste button[type=submit]');
    expect(await page.inputValue('#host')).toBe('db.internal');
    expect(await page.inputValue('#database')).toBe('shop');
    expect(await page.inputValue('#tls')).toBe('require');

    // The server's refusal, in words, in the form.
    await page.click('#test-connection');
    expect(await page.locator('#connection-error-text').textContent()).toContain('refused the login for user "ferry"');

    // The right password: what was found.
    await page.fill('#password', 'right');
    await page.click('#test-connection');
    const found = await page.locator('#connection-result').textContent();
    expect(found).toContain('Connected: PostgreSQL 16.4');
    expect(found).toContain('Empty — ready for the migration.');
    expect(found).toContain('encrypted (TLS)');
    const tested = (await calls()).filter((c) => c.cmd === 'test_connection').map((c) => c.args.url);
    expect(tested.at(-1)).toBe('postgres://ferry:right@db.internal:5432/shop?sslmode=require');

    // No keyring here: said plainly; the saved record never holds the password.
    // The raw error is behind "Details", not in the sentence (it read "Platform failure: zbus error: …").
    const keyringNote = page.locator('#keyring-unavailable');
    expect(await keyringNote.textContent()).toContain('asks for it each time');
    expect(await keyringNote.locator('details').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await keyringNote.locator('summary').textContent()).toBe('Details');
    expect(await keyringNote.locator('details code').textContent()).toContain('zbus error');
    await page.fill('#save-name', 'shop on db.internal');
    await page.click('#save-connection');
    await page.getByText('without its password').waitFor();
    const saved = (await calls()).find((c) => c.cmd === 'save_connection')!;
    expect(saved.args.password).toBe('right');
    expect(JSON.stringify(saved.args.connection)).not.toContain('right');

    // File and target ready: Next is the thing to press, and says so.
    expect(await page.textContent('#step-todo')).toContain('Next: review the schema');
    expect(await page.getAttribute('#step-next', 'class')).toContain('primary');
    await page.click('#step-next');
    expect(await page.getAttribute('#nav-mapping', 'aria-current')).toBe('page');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('Connections: chosen files and TLS', () => {
  // The shell takes only paths the user chose in its dialogs: open_source refuses others
  // (not_chosen) until pick_path, the dialog, returns them.
  const spec = {
    ...connectSpec,
    data: { ...connectSpec.data, chosen: [] as string[] },
    handlers: {
      ...connectSpec.handlers,
      pick_path: (args: any, mock: any) => {
        const answer = args.kind === 'ca_file' ? '/home/ada/certs/db ca.pem' : args.suggested;
        mock.data.chosen.push(answer);
        return answer;
      },
      open_source: (args: any, mock: any) => {
        if (!mock.data.chosen.includes(args.path)) throw { kind: 'not_chosen', message: `${args.path} was not chosen`, detail: null };
        return mock.data.source;
      },
    },
  };

  it('confirms a typed path in the dialog before opening it', async () => {
    const { page, calls, errors } = await open(spec);
    await page.fill('#source-path', '/home/ada/shop.sqlite');
    await page.click('#open-source');
    await page.locator('#source-summary').waitFor();
    const picks = (await calls()).filter((c) => c.cmd === 'pick_path');
    expect(picks.map((c) => c.args)).toEqual([{ kind: 'sqlite', suggested: '/home/ada/shop.sqlite' }]);
    expect((await calls()).filter((c) => c.cmd === 'open_source').map((c) => c.args.path)).toEqual(['/home/ada/shop.sqlite', '/home/ada/shop.sqlite']);
    // Chosen once, it opens again without a dialog.
    await page.click('#open-source');
    await expect.poll(async () => (await calls()).filter((c) => c.cmd === 'open_source').length).toBe(3);
    expect((await calls()).filter((c) => c.cmd === 'pick_path').length).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says what each TLS mode checks, and asks for the CA file when verifying', async () => {
    const { page, calls, errors } = await open(spec);

    // One line under the select, changing with the mode; no CA field until a mode verifies.
    const hints: Record<string, string> = {};
    for (const mode of ['disable', 'prefer', 'require', 'verify-ca', 'verify-full']) {
      await page.selectOption('#tls', mode);
      hints[mode] = (await page.textContent('#tls-hint')) ?? '';
      expect(await page.locator('#ca-file').count()).toBe(mode.startsWith('verify') ? 1 : 0);
    }
    expect(hints.require).toBe('Encrypted, but the server’s certificate is not checked; use verify-full with the CA file to be sure of the server.');
    expect(hints.disable).toContain('Not encrypted');
    expect(hints['verify-ca']).toContain('host name in it is not checked');
    expect(new Set(Object.values(hints)).size).toBe(5);

    // Nothing cut off at the smallest window (1024×700): every option label fits the select,
    // the hint and the CA row fit the card.
    await page.selectOption('#tls', 'verify-full');
    const fit = await page.evaluate(() => {
      const sel = document.querySelector('#tls') as HTMLSelectElement;
      const ctx = document.createElement('canvas').getContext('2d')!;
      const cs = getComputedStyle(sel);
      ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      const widest = Math.max(...Array.from(sel.options).map((o) => ctx.measureText(o.text).width));
      const card = sel.closest('section')!.getBoundingClientRect();
      const inside = (css: string) => {
        const r = document.querySelector(css)!.getBoundingClientRect();
        return r.left >= card.left && r.right <= card.right + 0.5;
      };
      const hint = document.querySelector('#tls-hint') as HTMLElement;
      // The select's box minus its padding and arrow (about 24px) must hold the widest label.
      return { room: sel.clientWidth - 24 - widest, hint: inside('#tls-hint') && hint.scrollWidth <= hint.clientWidth, ca: inside('#ca-browse') && inside('#ca-file') };
    });
    if (process.env.FERRY_E2E_FULL) await page.screenshot({ path: `${process.env.FERRY_E2E_FULL}/connections-tls-fit.png` });
    expect(fit.room).toBeGreaterThanOrEqual(0);
    expect(fit.hint).toBe(true);
    expect(fit.ca).toBe(true);

    // Browse fills the CA field; the URL carries it as sslrootcert, then as ssl-ca for MySQL.
    await page.click('#ca-browse');
    await expect.poll(() => page.inputValue('#ca-file')).toBe('/home/ada/certs/db ca.pem');
    // A long path scrolls in the field; its title shows it whole.
    expect(await page.getAttribute('#ca-file', 'title')).toBe('/home/ada/certs/db ca.pem');
    expect((await calls()).filter((c) => c.cmd === 'pick_path').at(-1)!.args).toEqual({ kind: 'ca_file', suggested: null });
    await page.fill('#host', 'db.internal');
    await page.fill('#database', 'shop');
    await page.fill('#user', 'ferry');
    await page.fill('#password', 'right');
    await page.click('#test-connection');
    await page.locator('#connection-result').waitFor();
    const url = () => calls().then((cs) => cs.filter((c) => c.cmd === 'test_connection').at(-1)!.args.url);
    expect(await url()).toBe('postgres://ferry:right@db.internal:5432/shop?sslmode=verify-full&sslrootcert=%2Fhome%2Fada%2Fcerts%2Fdb%20ca.pem');
    if (process.env.FERRY_E2E_FULL) await page.screenshot({ path: `${process.env.FERRY_E2E_FULL}/connections-tls.png` });

    // Saved connections remember the CA file (the password goes to the keyring only).
    await page.fill('#save-name', 'shop verified');
    await page.click('#save-connection');
    await page.getByText('without its password').waitFor();
    const saved = (await calls()).find((c) => c.cmd === 'save_connection')!;
    expect(saved.args.connection.ca_file).toBe('/home/ada/certs/db ca.pem');
    expect(saved.args.connection.tls).toBe('verify-full');
    expect(JSON.stringify(saved.args.connection)).not.toContain('right');

    await page.click('#kind-mysql');
    await page.selectOption('#tls', 'verify-ca');
    await page.click('#test-connection');
    await expect.poll(url).toBe('mysql://ferry:right@db.internal:3306/shop?ssl-mode=VERIFY_CA&ssl-ca=%2Fhome%2Fada%2Fcerts%2Fdb%20ca.pem');
    // A mode that does not verify leaves the file out of the URL.
    await page.selectOption('#tls', 'require');
    await page.click('#test-connection');
    await expect.poll(url).toBe('mysql://ferry:right@db.internal:3306/shop?ssl-mode=REQUIRED');
    expect(errors).toEqual([]);
    await page.close();
  });
});

/** A load of two tables: a few progress steps each, a refused row, a warning. */
const events: Event[] = [
  { event: 'phase_started', data: { phase: 'schema' } },
  { event: 'phase_done', data: { phase: 'schema', seconds: 0.2 } },
  { event: 'phase_started', data: { phase: 'data' } },
  { event: 'table_started', data: { table: 'orders', rows: 8000 } },
  { event: 'table_started', data: { table: 'customers', rows: 2000 } },
  { event: 'progress', data: { table: 'orders', rows_done: 2000, rows: 8000 } },
  { event: 'progress', data: { table: 'customers', rows_done: 1000, rows: 2000 } },
  { event: 'rejected', data: { table: 'orders', column: 'placed_at', reason: 'not a timestamp PostgreSQL accepts' } },
  { event: 'progress', data: { table: 'orders', rows_done: 4000, rows: 8000 } },
  // — a cancel, when the test asks for one, comes here —
  { event: 'table_done', data: { table: 'customers', rows_read: 2000, rows_written: 2000, rejected: 0, seconds: 0.6 } },
  { event: 'progress', data: { table: 'orders', rows_done: 8000, rows: 8000 } },
  { event: 'table_done', data: { table: 'orders', rows_read: 8000, rows_written: 7999, rejected: 1, seconds: 3.2 } },
  { event: 'phase_done', data: { phase: 'data', seconds: 3.4 } },
  { event: 'warning', data: { table: 'orders', object: 'trigger orders_touch', reason: 'not carried: a trigger is SQLite code; rewrite it for the target' } },
];

function runSpec(cancelAfter: number | null) {
  return {
    data: { events, cancelAfter, done: { id: '20260504-094107', dir: '/runs/20260504-094107', report: demo.report, backup: '/runs/20260504-094107/source-backup/demo.sqlite' }, stopped: { id: '20260502-112000', dir: '/runs/20260502-112000', report: { ...demo.stoppedReport, created: [{ kind: 'table', schema: null, name: 'orders' }, { kind: 'table', schema: null, name: 'customers' }] }, backup: null } },
    handlers: {
      engine_version: '0.1.0',
      initial_source: null,
      list_runs: [],
      list_connections: [],
      keyring_status: { available: true, detail: null, raw: null },
      cancel_run: true,
      rollback_run: async (args: any, mock: any) => {
        mock.send(args.onProgress, 'dropping table customers');
        await mock.sleep(50);
        return { target: 'postgres://ferry:***@db.internal:5432/shop?sslmode=require', dropped: ['table customers', 'table orders'], emptied: [], missing: [], kept: [], seconds: 0.2 };
      },
      backup_target: async (args: any, mock: any) => {
        mock.send(args.onProgress, { bytes: 0, tables_done: 0, tables_total: 0, size_estimate: 8192 });
        await mock.sleep(50);
        mock.send(args.onProgress, { bytes: 2048, tables_done: 0, tables_total: 0, size_estimate: 8192 });
        await mock.sleep(50);
        return { kind: 'target', engine: 'native', format: 'pg_dump custom', dialect: 'postgres', target: 'postgres://ferry:***@db.internal:5432/shop', database: 'shop', schema: 'public', server: 'PostgreSQL 16.4', tables: [], views: [], path: '/backups/shop.dump', bytes: 2048, seconds: 0.1, sha256: 'ab'.repeat(32), taken_at: '2026-05-04T09:40:00Z' };
      },
      start_run: async (args: any, mock: any) => {
        for (const [i, e] of mock.data.events.entries()) {
          if (i === mock.data.cancelAfter) {
            // Wait for the user's Cancel, then stop as the engine does: between batches.
            for (let t = 0; t < 200 && !mock.calls.some((c: any) => c.cmd === 'cancel_run'); t++) await mock.sleep(25);
            return mock.data.stopped;
          }
          mock.send(args.onEvent, e);
          await mock.sleep(60);
        }
        return mock.data.done;
      },
    },
  };
}

async function readyToRun(page: any): Promise<void> {
  await setState(page, {
    source: { file: demo.source },
    plan: { current: demo.plan },
    target: { server, fields: { kind: 'postgres', host: 'db.internal', port: 5432, database: 'shop', user: 'ferry', tls: 'require', schema: '' }, password: 's3cret' },
  });
  await page.click('#nav-run');
}

describe('Run', () => {
  it('follows the engine’s events to the end and leads to the report', async () => {
    const { page, calls, errors } = await open(runSpec(null));
    await readyToRun(page);
    // The target is shown without its password.
    expect(await page.locator('#run-target').textContent()).toContain('postgres://ferry:***@db.internal:5432/shop');
    // One click backs up the target first, with its progress.
    await page.click('#backup-target');
    await page.locator('#backup-done').waitFor();
    expect(await page.locator('.backup').textContent()).toContain('0 tables, 2.0 KiB');
    expect((await calls()).find((c) => c.cmd === 'backup_target')!.args.url).toBe('postgres://ferry:s3cret@db.internal:5432/shop?sslmode=require');
    // Every line of totals the run shows, as it changes.
    await page.evaluate(() => {
      const seen: string[] = ((window as any).__overall = []);
      new MutationObserver(() => {
        const t = document.querySelector('#run-overall')?.textContent;
        if (t && seen[seen.length - 1] !== t) seen.push(t);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.click('#start-run');
    await page.locator('#cancel-run').waitFor();
    // Mid-run: a table row with its progress; the log names the refused row's column.
    await page.locator('tr[data-run-table="orders"]').waitFor();
    await page.locator('#run-log').getByText('placed_at: not a timestamp').waitFor();
    
    await page.locator('#run-result').waitFor({ timeout: 10_000 });
    expect(await page.locator('#run-overall').textContent()).toContain('10,000 of 10,000 rows');
    // Before the data phase counts the rows: the phase in words, never "0 of 0 rows".
    const overall: string[] = await page.evaluate(() => (window as any).__overall);
    expect(overall[0]).toMatch(/^Creating tables · \d+ tables to copy$/);
    expect(overall.filter((t) => t.includes(' of 0 rows'))).toEqual([]);
    expect(await page.locator('tr[data-run-table="customers"]').textContent()).toContain('done');
    expect(await page.locator('#run-log').textContent()).toContain('trigger orders_touch');
    const start = (await calls()).find((c) => c.cmd === 'start_run')!;
    expect(start.args.options).toEqual({ jobs: 2, strict: false, pg_schema: null, backup_source: true, resume: false, mask_key_file: null });
    expect(start.args.url).toBe('postgres://ferry:s3cret@db.internal:5432/shop?sslmode=require');
    await page.click('#to-report');
    expect(await page.locator('#report-verdict').textContent()).toContain('12 values refused');
    expect(await getState(page, (s) => s.run.reportId)).toBe('20260504-094107');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('cancels between batches: the status in words, the results kept, Undo offered right there', async () => {
    const { page, calls, errors } = await open(runSpec(9));
    await readyToRun(page);
    await page.click('#start-run');
    await page.locator('#run-log').getByText('placed_at').waitFor();
    // Nothing in the setup card to click while it runs; Cancel sits with the progress.
    expect(await page.locator('#start-run').count()).toBe(0);
    const box = (await page.locator('#cancel-run').boundingBox())!;
    await page.click('#cancel-run');
    await page.locator('#run-result').waitFor({ timeout: 10_000 });
    expect(await page.locator('#run-result').textContent()).toContain('The migration was cancelled after 3.1 s');
    expect(await page.locator('#progress-h').textContent()).toContain('Cancelled');
    expect(await page.locator('#run-status').textContent()).toBe('cancelled');
    expect(await page.textContent('#nav-run')).toContain('Cancelled');
    // Where Cancel was there is no button now: a second click there starts nothing.
    expect(await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.id ?? null, [box.x + box.width / 2, box.y + box.height / 2])).toBeNull();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    expect((await calls()).filter((c) => c.cmd === 'start_run').length).toBe(1);
    expect(await page.locator('#start-run').count()).toBe(0);
    // The results stay: the tables it got to.
    expect(await page.locator('tr[data-run-table="orders"]').textContent()).toContain('stopped');
    // Beside Undo, Continue: the two ways on from a stopped run.
    expect(await page.isEnabled('#continue-run')).toBe(true);

    // Undo: says what it removes, waits for the confirming click, then runs this run's rollback.
    await page.click('#undo-run');
    expect(await page.textContent('#undo-confirm')).toContain('This drops table orders and table customers in postgres://ferry:***@db.internal:5432/shop?sslmode=require — exactly what the run created');
    expect((await calls()).some((c) => c.cmd === 'rollback_run')).toBe(false);
    await page.click('#undo-keep');
    expect(await page.locator('#undo-confirm').count()).toBe(0);
    await page.click('#undo-run');
    await page.click('#undo-go');
    await page.locator('#undo-outcome').waitFor();
    expect(await page.textContent('#undo-outcome')).toContain('Removed: table customers and table orders.');
    // In words, not the engine's raw "cancelled by the user" beside the heading.
    expect(await page.locator('#run-result').textContent()).toMatch(/^\s*The migration was cancelled, then undone\s*Read the report/);
    const rb = (await calls()).filter((c) => c.cmd === 'rollback_run');
    expect(rb.map((c) => [c.args.id, c.args.url, c.args.force])).toEqual([['20260502-112000', 'postgres://ferry:s3cret@db.internal:5432/shop?sslmode=require', false]]);
    expect(await page.locator('#progress-h').textContent()).toContain('Rolled back');
    expect(await page.textContent('#nav-run')).toContain('Rolled back');
    expect(await page.locator('#undo-run').count()).toBe(0);
    expect(await page.locator('#continue-run').count()).toBe(0);

    // A new run is a deliberate step, up in the setup card; then Start is back.
    await page.click('#new-run');
    expect(await page.locator('#run-result').count()).toBe(0);
    expect(await page.isEnabled('#start-run')).toBe(true);
    expect(await page.textContent('#nav-run')).toContain('Not started');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('names the place to choose instead of a target that is not empty: a schema on PostgreSQL, a database on MariaDB', async () => {
    const mariadb: ServerInfo = { ...server, dialect: 'mariadb', server: 'MariaDB 10.11.6', host: 'db.internal:3306', schema: null, objects: ['orders'] };
    const cases: [ServerInfo, string, string | null][] = [
      [{ ...server, objects: ['orders', 'customers'] }, 'Not empty: 2 tables or views already there (orders, customers). Choose an empty database or another schema.', null],
      [mariadb, 'Not empty: 1 table or view already there (orders). Choose an empty database (MySQL and MariaDB have no schemas).', 'another schema'],
    ];
    for (const [s, want, never] of cases) {
      const { page, errors } = await open(connectSpec);
      const kind = s.dialect === 'postgres' ? 'postgres' : 'mysql';
      await setState(page, { target: { server: s, fields: { kind, host: 'db.internal', port: kind === 'postgres' ? 5432 : 3306, database: 'shop', user: 'ferry', tls: 'require', schema: '' }, password: '' } });
      await page.click('#nav-connections');
      const text = (await page.locator('#connection-result').textContent()) ?? '';
      expect(text).toContain(want);
      if (never) expect(text).not.toContain(never);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('continues a cancelled run where it stopped, as migrate --resume does', async () => {
    const { page, calls, errors } = await open(runSpec(9));
    await readyToRun(page);
    await page.click('#start-run');
    await page.locator('#run-log').getByText('placed_at').waitFor();
    await page.click('#cancel-run');
    await page.locator('#run-result').waitFor({ timeout: 10_000 });
    expect(await page.locator('#run-result').textContent()).toContain('continue this run where it stopped, or undo it');
    await page.click('#continue-run');
    await page.waitForFunction(() => (window as any).__FERRY_MOCK__.calls.filter((c: any) => c.cmd === 'start_run').length === 2, null, { timeout: 10_000 });
    const starts = (await calls()).filter((c) => c.cmd === 'start_run');
    // The same plan and target; resumed, and the source not snapshotted again.
    expect(starts.map((c) => [c.args.options.resume, c.args.options.backup_source])).toEqual([[false, true], [true, false]]);
    expect(starts[1].args.url).toBe(starts[0].args.url);
    expect(starts[1].args.plan).toEqual(starts[0].args.plan);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a finished run stays until the user leaves it; opening another file resets every status that depended on the last', async () => {
    const spec = runSpec(null);
    const { page, calls, errors } = await open({
      ...spec,
      data: { ...spec.data, preflight: checkData.cleanPreflight, diff: checkData.emptyDiff },
      handlers: { ...spec.handlers, run_preflight: (_a: any, mock: any) => mock.data.preflight, schema_diff: (_a: any, mock: any) => mock.data.diff },
    });
    await readyToRun(page);
    // A pre-flight (its renames are no unresolved rows) and a diff, made on this file and target.
    await page.click('#nav-preflight');
    await page.click('#run-preflight');
    await page.waitForSelector('#preflight-verdict[data-ready="true"]');
    await page.click('#nav-diff');
    await page.click('#run-diff');
    await page.waitForSelector('#diff-headline');
    await page.click('#nav-run');
    await page.click('#start-run');
    const box = (await page.locator('#cancel-run').boundingBox())!;
    await page.locator('#run-result').waitFor({ timeout: 10_000 });
    // A click meant for Cancel, landing just after the end: nothing starts, nothing is wiped.
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    expect((await calls()).filter((c) => c.cmd === 'start_run').length).toBe(1);
    expect(await page.locator('#run-result').textContent()).toContain('The migration finished');
    expect(await page.locator('#run-status').textContent()).toBe('finished');
    const nav = async () => Promise.all(['#nav-preflight', '#nav-diff', '#nav-run'].map((id) => page.locator(`${id} small`).textContent()));
    expect(await nav()).toEqual(['Ready to migrate', 'Target is empty', 'Finished']);

    // Another file opens: nothing made for the last one is shown for it.
    await setState(page, { source: { file: { ...demo.source, path: '/home/ada/other.sqlite' } } });
    expect(await nav()).toEqual(['Check every value', 'Planned vs the target', 'Not started']);
    expect(await page.locator('#run-result').count()).toBe(0);
    expect(await page.locator('tr[data-run-table]').count()).toBe(0);
    expect(await page.isEnabled('#start-run')).toBe(true);
    await page.click('#nav-preflight');
    expect(await page.locator('#preflight-verdict').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('Closing the window', () => {
  /** The window's close button, as Tauri reports it to the page's listener. */
  async function requestClose(page: any): Promise<void> {
    await page.evaluate(() => {
      const w = window as any;
      const l = (w.__listeners ?? []).find((x: any) => x.event === 'tauri://close-requested');
      if (!l) throw new Error('no close-requested listener');
      w.__TAURI_INTERNALS__.runCallback(l.handler, { event: 'tauri://close-requested', id: 7, payload: null });
    });
  }

  it('asks first during a run, and not otherwise', async () => {
    const spec = runSpec(9);
    const { page, calls, errors } = await open({
      ...spec,
      handlers: {
        ...spec.handlers,
        'plugin:event|listen': (args: any) => {
          const w = window as any;
          w.__listeners = [...(w.__listeners ?? []), { event: args.event, handler: args.handler }];
          return w.__listeners.length;
        },
        'plugin:event|unlisten': null,
        'plugin:window|destroy': null,
      },
    });
    await readyToRun(page);
    await page.click('#start-run');
    await page.locator('#run-log').getByText('placed_at').waitFor();
    // During the run: a question (the test's dialog handler answers "no"), and the window stays.
    await requestClose(page);
    await page.waitForTimeout(200);
    expect(errors).toEqual([expect.stringContaining('dialog: A migration is running. Close Ferry and stop it?')]);
    expect((await calls()).some((c) => c.cmd === 'plugin:window|destroy')).toBe(false);
    errors.length = 0;
    // After it: closes at once.
    await page.click('#cancel-run');
    await page.locator('#run-result').waitFor({ timeout: 10_000 });
    await requestClose(page);
    await page.waitForTimeout(200);
    expect((await calls()).some((c) => c.cmd === 'plugin:window|destroy')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
