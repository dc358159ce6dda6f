// Nothing clipped: every view, filled with long data (a 70-character table name wherever a
// table is named, row counts in the millions), at the smallest window the app allows
// (1024×700, tauri.conf.json) and at its default (1100×760). No element sticks out of its card
// (or notice, or the view) sideways, no box cuts its content or scrolls sideways, the page
// never scrolls sideways, and each select shows its choice whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { open, setState, start, stop } from './browser';
import * as demo from './demo-data';
import * as checks from './check-data';
import * as after from './after-data';
import { proposals } from './production-data';

beforeAll(start);
afterAll(stop);

/** 70 characters: longer than PostgreSQL's 63, as SQLite allows. */
const LONG = 'customer_loyalty_programme_membership_tier_history_by_region_and_month';

/** `value` with the table "orders" renamed to LONG wherever it is named on its own. */
function longer<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll('"orders"', JSON.stringify(LONG)));
}

const source = longer(demo.source);
/** The plan, and on the long table a 0/1 column offered as a boolean. */
const plan = longer(demo.plan);
const long = plan.tables.find((t) => t.source === LONG)!;
long.target = LONG.slice(0, 63);
long.columns = [
  ...long.columns,
  { source: 'is_gift_wrapped_and_delivered_to_a_different_address', target: 'is_gift_wrapped_and_delivered_to_a_different_address', type: 'integer', reason: 'declared INTEGER: 32-bit integer', unfit: 0, suggestion: { type: 'boolean', reason: 'all 8,000 values are 0 or 1 → boolean', transform: 'bool_01', kind: 'boolean', confidence: 'high', values: ['0', '1'] } },
];
const server = { dialect: 'postgres', server: 'PostgreSQL 16.4 (Debian 16.4-1.pgdg120+1) on x86_64-pc-linux-gnu', host: 'db.internal:5432', user: 'ferry', database: 'shop', schema: 'public', objects: [LONG, `${LONG}_archive`, 'customers'], may_create: true, tls: true, pooler: null };
const BIG = 12_345_678;
const events = [
  { event: 'phase_started', data: { phase: 'data' } },
  { event: 'table_started', data: { table: LONG, rows: BIG } },
  { event: 'table_started', data: { table: 'customers', rows: 2000 } },
  { event: 'progress', data: { table: LONG, rows_done: BIG, rows: BIG } },
  { event: 'rejected', data: { table: LONG, column: 'placed_at', reason: `not a timestamp PostgreSQL accepts: ${LONG}` } },
  { event: 'table_done', data: { table: LONG, rows_read: BIG, rows_written: BIG - 1, rejected: 1, seconds: 1234.5 } },
  { event: 'table_done', data: { table: 'customers', rows_read: 2000, rows_written: 2000, rejected: 0, seconds: 0.6 } },
  // The demo's longest names, beside the millions: whole, not "order_inge / st_chunks".
  ...['order_ingest_chunks', 'idempotency_keys', 'price_history'].flatMap((table) => [
    { event: 'table_started', data: { table, rows: BIG } },
    { event: 'table_done', data: { table, rows_read: BIG, rows_written: BIG, rejected: 0, seconds: 12.5 } },
  ]),
  { event: 'phase_done', data: { phase: 'data', seconds: 1235 } },
];
const report = longer(after.createdReport);
/** A target as the GUI test's makes it: one long word to a browser. */
const URL_AS_TESTED = 'postgres://postgres@127.0.0.1:5432/ferry_gui_10772_484555700?sslmode=prefer';
/** Names of up to 20 characters, as the demo has: each shown whole, never broken inside. */
const preflight = longer(checks.preflight);
preflight.objects.push({ table: 'products', object: 'trigger trg_products_updated_at', reason: 'not carried: a trigger is SQLite code; rewrite it for the target' });
const diff = longer(checks.mixedDiff);
diff.tables.push({ name: 'order_ingest_chunks', source: 'order_ingest_chunks', status: 'create', items: [{ kind: 'table', name: 'order_ingest_chunks', status: 'create', planned: 'table order_ingest_chunks', actual: null, differences: [] }] });

/** The proposals, on the long table wherever they name orders, with long columns and SQL. */
const production = longer(proposals);
production.push({ table: LONG, kind: 'covering_index', accept: false, evidence: `${LONG}: 12,345,678 rows read by customer_id, 98% of them also reading placed_at and total`, columns: ['is_gift_wrapped_and_delivered_to_a_different_address', 'customer_id'], include: ['placed_at', 'total'], note: 'a wider index: about 240 MiB more, and slower writes', sql: [`CREATE INDEX ${LONG.slice(0, 50)}_covering ON ${LONG.slice(0, 63)} (is_gift_wrapped_and_delivered_to_a_different_address, customer_id) INCLUDE (placed_at, total)`] });

const spec = {
  data: { production, events, report, runs: longer(demo.runs).map((r: any) => ({ ...r, target: URL_AS_TESTED })), backups: after.backups, audit: longer(after.audit), history: after.history, validation: longer(after.validation), sync: longer(after.sync), previews: longer(demo.previews), preflight, diff },
  handlers: {
    engine_version: '0.1.0',
    initial_source: null,
    initial_target: null,
    list_connections: [{ name: `shop on ${LONG}.internal`, kind: 'postgres', host: `${LONG}.internal`, port: 5432, database: LONG, user: 'ferry', tls: 'require', ca_file: null, schema: null, password_saved: true }],
    keyring_status: { available: true, detail: null },
    preview_tables: (_a: any, mock: any) => mock.data.previews,
    propose_production: ({ plan }: any, mock: any) => ({ ...plan, production: mock.data.production }),
    access_offer: { roles: { owner: 'shop_owner', app: 'shop_app', read: 'shop_read', login: false }, row_security: true, row_security_why: null, tenant: { column: 'customer_id', table: 'customers', tables: 3, of: 5 } },
    run_preflight: async (_a: any, mock: any) => mock.data.preflight,
    schema_diff: async (_a: any, mock: any) => mock.data.diff,
    start_run: async (args: any, mock: any) => {
      for (const e of mock.data.events) {
        mock.send(args.onEvent, e);
        await mock.sleep(10);
      }
      return { id: '20260504-094107', dir: '/runs/20260504-094107', report: mock.data.report, backup: null };
    },
    list_runs: (_a: any, mock: any) => mock.data.runs,
    open_run: (_a: any, mock: any) => mock.data.report,
    list_backups: (_a: any, mock: any) => mock.data.backups,
    validate_run: async (_a: any, mock: any) => mock.data.validation,
    run_sync: null,
    sync_run: async (_a: any, mock: any) => mock.data.sync,
    monitor_history: (_a: any, mock: any) => mock.data.history,
    checklist_state: { target: 'postgres://ferry@db.internal:5432/shop?sslmode=require', ticks: {} },
    latest_advice: null,
    list_audit: (_a: any, mock: any) => mock.data.audit,
  },
};

/** What is cut or sticks out sideways in the window now, in words (empty: nothing). */
async function clipped(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const name = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).filter((c) => !c.startsWith('svelte-')).join('.')}` : ''} “${(el.textContent ?? '').trim().slice(0, 40)}”`;
    const scrolls = (el: Element) => getComputedStyle(el).overflowX !== 'visible';
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1) out.push(`the page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth} px`);
    // Every step in the sidebar is in sight, the last one too.
    const steps = document.querySelector('nav[aria-label="Steps"]')!;
    if (steps.scrollHeight > steps.clientHeight + 1) out.push(`the sidebar is cut at the bottom: ${steps.scrollHeight} > ${steps.clientHeight} px`);
    const boxes = '.card, .notice, #view, .stepnav, nav[aria-label="Steps"]';
    // Only the outermost of what sticks out: its children go with it.
    const out_ = new Set<Element>();
    for (const el of document.querySelectorAll('#view *, .stepnav *, nav[aria-label="Steps"] *')) {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      if (r.width === 0 || cs.visibility === 'hidden' || (cs.position === 'absolute' && r.width <= 1)) continue;
      // The nearest card, notice, view, or box of its own that clips.
      let box = el.parentElement;
      while (box && !box.matches(boxes) && !scrolls(box)) box = box.parentElement;
      if (box) {
        const b = box.getBoundingClientRect();
        const left = b.left + box.clientLeft;
        const right = left + box.clientWidth;
        if (r.right > right + 1 || r.left < left - 1) {
          out_.add(el);
          if (!el.parentElement || !out_.has(el.parentElement)) out.push(`${name(el)} sticks out of ${name(box)} by ${Math.round(Math.max(r.right - right, left - r.left))} px`);
        }
      }
      const field = el.matches('input, textarea, select');
      if (!field && scrolls(el) && cs.textOverflow !== 'ellipsis' && el.scrollWidth > el.clientWidth + 1) out.push(`${name(el)} cuts or scrolls its content sideways: ${el.scrollWidth} > ${el.clientWidth} px`);
      if (el instanceof HTMLSelectElement && el.selectedOptions[0]) {
        // The choice shown is whole ("when offered", not "when offere").
        const c = document.createElement('canvas').getContext('2d')!;
        c.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const shown = c.measureText(el.selectedOptions[0].text).width;
        // The arrow and the padding take about 20 px.
        if (el.clientWidth - 20 < shown) out.push(`${name(el)} cuts its choice by ${Math.round(shown - el.clientWidth + 20)} px`);
      }
      // A placeholder says what to type whole ("/path/to/plan.toml", not "— empty: c").
      if (el instanceof HTMLInputElement && el.placeholder && !el.value) {
        const c = document.createElement('canvas').getContext('2d')!;
        c.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        const shown = c.measureText(el.placeholder).width;
        if (shown > room + 1) out.push(`${name(el)} cuts its placeholder “${el.placeholder}” by ${Math.round(shown - room)} px`);
      }
    }
    // A short name is never broken inside ("produc / ts"): a text of one word of up to 20
    // characters ("order_ingest_chunks") stays on one line.
    const walker = document.createTreeWalker(document.getElementById('view')!, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const word = (t.textContent ?? '').trim();
      // A size with its unit is one word too ("1.8 MiB", not "1.8 / MiB").
      const sized = /^[\d.,]+ (bytes|KiB|MiB|GiB|TiB)$/.test(word);
      if (!word || word.length > 20 || (/\s/.test(word) && !sized)) continue;
      const range = document.createRange();
      range.selectNodeContents(t);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) out.push(`“${word}” is broken over ${lines.size} lines in ${name(t.parentElement!)}`);
    }
    return out;
  });
}

/** Each view, brought to its fullest with the long data. */
const views: [string, (page: Page) => Promise<void>][] = [
  ['connections', async (page) => {
    await page.locator('#connection-result').waitFor();
    await page.locator('[data-connection]').waitFor();
  }],
  ['mapping', async (page) => {
    await page.click(`button[data-table="${LONG}"]`);
    await page.locator('[data-column="is_gift_wrapped_and_delivered_to_a_different_address"] .attention').waitFor();
  }],
  ['production', async (page) => {
    await page.locator('#production-count').waitFor();
    await page.locator('[data-proposal]').last().waitFor();
  }],
  ['preflight', async (page) => {
    await page.click('#run-preflight');
    await page.locator('#preflight-verdict').waitFor();
  }],
  ['diff', async (page) => {
    await page.click('#run-diff');
    await page.locator('#diff-headline').waitFor();
  }],
  ['run', async (page) => {
    await page.click('#start-run');
    await page.locator('#run-result').waitFor();
  }],
  ['report', async (page) => {
    await page.locator('#report-verdict').waitFor();
  }],
  ['validation', async (page) => {
    await page.click('#validation-go');
    await page.locator('#validation-verdict').waitFor();
  }],
  ['cutover', async (page) => {
    await page.click('#cutover-sync');
    await page.locator('#cutover-verdict').waitFor();
  }],
  ['backups', async (page) => {
    await page.locator('[data-rollback]').first().click();
    await page.locator('#rollback-confirm').waitFor();
  }],
  ['checklist', async (page) => {
    await page.locator('li[data-item]').first().waitFor();
  }],
  ['audit', async (page) => {
    await page.locator('#audit-list tr[data-audit]').first().waitFor();
  }],
  // Last, as it unsets the tested target: the longest TLS choice, shown whole, with the CA
  // file's row.
  ['connections', async (page) => {
    await page.selectOption('#tls', 'verify-full');
    await page.locator('#ca-file').waitFor();
  }],
];

describe('Nothing clipped', () => {
  for (const [width, height] of [[1024, 700], [1100, 760]]) {
    it(`at ${width}×${height}, with a ${LONG.length}-character table name`, async () => {
      const { page, errors } = await open(spec);
      await page.setViewportSize({ width, height });
      await setState(page, { source: { file: source }, plan: { current: plan }, target: { fields: after.fields, password: after.PASSWORD, server } });
      const found: string[] = [];
      for (const [view, fill] of views) {
        await page.click(`#nav-${view}`);
        await fill(page);
        for (const f of await clipped(page)) found.push(`${view}: ${f}`);
        if (process.env.FERRY_CLIP_SHOTS) await page.screenshot({ path: `${process.env.FERRY_CLIP_SHOTS}/${view}-${width}x${height}.png` });
        // The same with the view scrolled to its end: what is further down.
        await page.evaluate(() => document.getElementById('view')!.scrollTo(0, 1e6));
        for (const f of await clipped(page)) if (!found.includes(`${view}: ${f}`)) found.push(`${view}: ${f}`);
        if (process.env.FERRY_CLIP_SHOTS) await page.screenshot({ path: `${process.env.FERRY_CLIP_SHOTS}/${view}-${width}x${height}-end.png` });
      }
      // The plan changed after the checks: the sidebar says so whole, not "Changed: compare ag…".
      await setState(page, { plan: { current: { ...plan, tables: plan.tables.slice(1) } } });
      await page.waitForFunction(() => document.querySelector('#nav-diff')?.textContent?.includes('again'));
      const cut = await page.evaluate(() => [...document.querySelectorAll('nav[aria-label="Steps"] small')].filter((s) => s.scrollWidth > s.clientWidth + 1).map((s) => s.textContent));
      for (const c of cut) found.push(`sidebar: “${c}” is cut`);
      expect(found).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
