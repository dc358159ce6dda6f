// The Distribution panel in Schema & mapping, built, in headless Chromium at 1024×700, the IPC
// answered from canned engine answers: absent for plain PostgreSQL; for a Citus target
// proposed unasked once (the engine's column), each table's role with its evidence and
// placement, the skew's figures, the rewrite's changes by kind; another column picked, one
// refused with the engine's words, turned off and not proposed again, on again. The real
// commands are tested in src-tauri (commands::distribute), the roles in ferry-core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { open, getState, setState, SCREENSHOTS, start, stop } from './browser';
import * as demo from './demo-data';

beforeAll(start);
afterAll(stop);

const plain = { dialect: 'postgres', server: 'PostgreSQL 15.20', host: '127.0.0.1:5432', user: 'postgres', database: 'shop', schema: 'public', objects: [], may_create: true, tls: true, pooler: null, rights: null, citus: null };
const citus = { ...plain, host: '127.0.0.1:9700', citus: 'Citus 13.2: coordinator and 2 workers' };
const fields = { kind: 'postgres', host: '127.0.0.1', port: 9700, database: 'shop', user: 'postgres', tls: 'prefer', schema: '' };

const evidence: Record<string, [string, string]> = {
  customers: ['distributed', 'has tenant_id (2,000 rows): distributed by it, co-located with the others'],
  orders: ['distributed', 'has tenant_id (8,000 rows): distributed by it, co-located with the others'],
  products: ['reference', 'tenant_id of customers, orders points to it: a reference table (400 rows copied to every node)'],
  events: ['distributed', 'no tenant_id, but (order_id) → orders (9,600 rows): tenant_id added, filled from orders while loading'],
  [demo.HOSTILE]: ['local', 'no tenant_id and no foreign key that reaches it (<b>3 rows</b>): <script>alert(1)</script>'],
};
const roles = demo.plan.tables.map((t) => {
  const [role, why] = evidence[t.source] ?? ['local', `no tenant_id and no foreign key that reaches it (${t.source})`];
  return { table: t.source, role, evidence: why, ...(t.source === 'events' ? { filled_from: [{ columns: ['order_id'], parent: 'orders', parent_columns: ['id'] }] } : {}) };
});
const locals = roles.filter((r) => r.role === 'local').length;

/** The engine's answers, in the page: tenant_id proposed (3 of the tables reference products
 * by it), region refused, the skew and the rewrite of any distribution. */
function spec() {
  return {
    data: { roles, tables: demo.plan.tables.length },
    handlers: {
      engine_version: '0.1.0',
      list_runs: [],
      preview_tables: () => [],
      mask_problems: [],
      distribution_choice: (_a: any, mock: any) => ({
        proposed: { column: 'tenant_id', references: 'products', tables: 3 },
        columns: [{ column: 'tenant_id', tables: 3 }, { column: 'customer_id', tables: 1 }, { column: 'region', tables: 1 }],
        tables: mock.data.tables,
      }),
      propose_distribution: async ({ plan, column, chosen }: any, mock: any) => {
        await mock.sleep(150);
        if (column === 'region') throw { kind: 'invalid', message: '--distribute region: no table has a column named region; the columns that key most tables: tenant_id (3 tables)', detail: null };
        const refused = (chosen ?? []).find((c: any) => c.table === 'products' && c.role === 'distributed');
        if (refused) throw { kind: 'invalid', message: '--role products=distributed: it has no tenant_id, and none of its foreign keys (never NULL) reaches a distributed table to fill tenant_id from: make it a reference or local table', detail: null };
        const pick = (r: any) => (chosen ?? []).find((c: any) => c.table === r.table);
        // orders made local: events, filled through it, stays local too.
        const ordersLocal = (chosen ?? []).some((c: any) => c.table === 'orders' && c.role === 'local');
        const tables = mock.data.roles.map((r: any) => {
          const c = pick(r);
          if (c) return { table: r.table, role: c.role, evidence: `chosen: ${c.role}`, chosen: true };
          if (ordersLocal && r.table === 'events') return { table: r.table, role: 'local', evidence: 'no tenant_id and no foreign key that reaches it' };
          return { ...r, evidence: r.evidence.replaceAll('tenant_id', column) };
        });
        return { ...plan, distribution: column ? { column, tables } : null };
      },
      distribution_skew: ({ plan, url }: any) => ({
        tenants: plan.distribution.column === 'tenant_id' ? 12 : 2000, largest: 1450, rows: 16000, largest_share: 9.0625,
        text: `12 distinct values of ${plan.distribution.column}; the largest holds 1,450 of the 16,000 distributed rows that have it (9.1%)`,
        cluster: url ? 'Citus 13.2: coordinator and 2 workers' : null, shard_count: url ? 32 : null, cluster_error: null,
      }),
      distribution_rewrite: ({ plan }: any) => ({
        placements: plan.distribution.tables.map((r: any) => ({
          table: r.table, target: r.table, role: r.table === 'events' ? 'local' : r.role,
          column: r.role === 'distributed' && r.table !== 'events' ? plan.distribution.column : null,
          colocate_with: r.role === 'distributed' && r.table !== 'customers' && r.table !== 'events' ? 'customers' : null,
        })),
        changes: [
          { table: 'orders', kind: 'key_widened', object: 'primary key', reason: '(id) made (tenant_id, id): Citus needs the distribution column in every unique key', warning: false },
          { table: 'customers', kind: 'unique_per_tenant', object: 'UNIQUE customers_email_key', reason: 'made (tenant_id, email): (email) is unique within each tenant_id only, no longer across them', warning: true },
          { table: 'orders', kind: 'foreign_key_widened', object: 'foreign key (customer_id) → customers', reason: '(customer_id) → customers (id) made (tenant_id, customer_id) → customers (tenant_id, id)', warning: false },
          { table: 'orders', kind: 'action_dropped', object: 'foreign key (customer_id) → customers', reason: 'kept without ON DELETE SET NULL: Citus refuses it <img src=x onerror=alert(2)>', warning: true },
          { table: 'events', kind: 'placement', object: 'distribution of events', reason: 'not distributed: it has no tenant_id and the plan gives no foreign keys to fill it through', warning: true },
        ],
      }),
    },
  };
}

const column = (page: any) => getState(page, (s) => s.plan.current.distribution?.column ?? null);
const count = async (calls: () => Promise<{ cmd: string }[]>, cmd: string) => (await calls()).filter((c) => c.cmd === cmd).length;

describe('Distribution', () => {
  it('is not there for plain PostgreSQL, and asks nothing', async () => {
    const { page, calls, errors } = await open(spec());
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan }, target: { server: plain, fields } });
    await page.click('#nav-mapping');
    await page.waitForSelector('#mask-panel');
    expect(await page.locator('#distribution-panel').count()).toBe(0);
    expect((await calls()).filter((c) => c.cmd.startsWith('distribution') || c.cmd === 'propose_distribution')).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('proposes unasked for Citus, shows roles, skew and changes, picks, refuses, turns off and on', async () => {
    const { page, calls, errors } = await open(spec());
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan }, target: { server: citus, fields, password: '' } });
    await page.click('#nav-mapping');
    await page.waitForSelector('#distribution-panel');
    expect(await page.textContent('#distribution-cluster')).toBe('Citus 13.2: coordinator and 2 workers.');

    // Unasked: the engine's column, into the plan.
    await page.locator('#distribution-summary').waitFor();
    expect(await column(page)).toBe('tenant_id');
    expect(await page.isChecked('#distribution-toggle')).toBe(true);
    expect(await page.inputValue('#distribution-column')).toBe('tenant_id');
    expect((await page.textContent('#distribution-summary'))!.replace(/\s+/g, ' ')).toBe(`3 distributed, 1 reference, ${locals} local by tenant_id — proposed: tenant_id references products from 3 of ${demo.plan.tables.length} tables.`);
    const proposed = (await calls()).filter((c) => c.cmd === 'propose_distribution');
    expect(proposed.map((c) => c.args.column)).toEqual(['tenant_id']);
    expect(proposed[0].args.plan.tables.length).toBe(demo.plan.tables.length);

    // The skew, read for the cluster's URL.
    await page.locator('#distribution-skew dl').waitFor();
    expect(await page.locator('#distribution-skew dd').allTextContents()).toEqual(['12', '9.1% of the rows (1,450 of 16,000)', '32']);
    expect(await page.textContent('#distribution-skew-text')).toContain('12 distinct values of tenant_id');
    const skewCall = (await calls()).find((c) => c.cmd === 'distribution_skew')!;
    expect(skewCall.args.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:9700\/shop/);
    expect(skewCall.args.plan.distribution.column).toBe('tenant_id');

    // Each table: its role, its evidence, where the run places it; markup stays text.
    await page.locator('[data-dist-table="orders"] .placed').waitFor();
    expect(await page.locator('[data-dist-table="orders"]').textContent()).toContain('by tenant_id, co-located with customers');
    expect(await page.inputValue('[data-dist-table="products"] select.role')).toBe('reference');
    expect(await page.locator('[data-dist-table="events"]').textContent()).toContain('tenant_id from orders');
    expect(await page.locator('[data-dist-table="events"] .placed.differs').textContent()).toBe('the run places it otherwise: on the coordinator');
    expect(await page.locator(`[data-dist-table="${demo.HOSTILE}"] .why`).textContent()).toContain('<script>alert(1)</script>');
    await page.click('[data-role-filter="reference"]');
    expect(await page.locator('[data-dist-table]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-dist-table')))).toEqual(['products']);
    // A table's name shows its columns.
    await page.click('[data-dist-table="products"] button.link');
    await page.waitForFunction(() => document.querySelector('#table-title')?.textContent === 'products');

    // The rewrite's changes by kind, open since some are warnings.
    expect(await page.textContent('#distribution-changes summary')).toBe('What the rewrite for Citus changes (5 changes, 3 warnings)');
    expect(await page.locator('#distribution-changes').getAttribute('open')).not.toBeNull();
    expect(await page.locator('[data-change-kind]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-change-kind')))).toEqual(['key_widened', 'foreign_key_widened', 'unique_per_tenant', 'action_dropped', 'placement']);
    expect(await page.locator('[data-change-kind="action_dropped"] li').textContent()).toContain('kept without ON DELETE SET NULL');
    expect(await page.locator('[data-change-kind="unique_per_tenant"] .tag.warn').count()).toBe(1);
    expect(await page.locator('main img, main script, main b').count()).toBe(0);

    // Another column, by the picker: the engine's roles for it.
    await page.selectOption('#distribution-column', 'customer_id');
    await page.waitForFunction(() => (window as any).__FERRY_STATE__.plan.current.distribution?.column === 'customer_id');
    await page.locator('#distribution-skew dd', { hasText: '2,000' }).waitFor();
    // One the engine refuses: its words, the plan keeps its column.
    await page.selectOption('#distribution-column', 'region');
    await page.locator('#distribution-error').getByText('no table has a column named region').waitFor();
    expect(await column(page)).toBe('customer_id');

    // Off: no [distribution]; the hint says what is proposed.
    await page.uncheck('#distribution-toggle');
    await page.locator('#distribution-off').waitFor();
    expect(await column(page)).toBeNull();
    expect(await page.textContent('#distribution-off')).toContain('Proposed: tenant_id references products from 3 of');
    // Away and back: not proposed again, the choice asked once for this file.
    const before = await count(calls, 'propose_distribution');
    await page.click('#nav-connections');
    await page.click('#nav-mapping');
    await page.locator('#distribution-off').waitFor();
    await page.waitForTimeout(400);
    expect(await count(calls, 'propose_distribution')).toBe(before);
    expect(await column(page)).toBeNull();
    expect(await count(calls, 'distribution_choice')).toBe(1);
    // On again: the engine's column.
    await page.check('#distribution-toggle');
    await page.locator('#distribution-summary').waitFor();
    expect(await column(page)).toBe('tenant_id');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('changes one table\'s role: the engine places the others around it, refuses what cannot be, gives it back', async () => {
    const { page, calls, errors } = await open(spec());
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan }, target: { server: citus, fields, password: '' } });
    await page.click('#nav-mapping');
    await page.locator('[data-dist-table="orders"] select.role').waitFor();
    expect(await page.locator('[data-role-back]').count()).toBe(0);
    // orders made local: asked of the engine with the choice, its answer shown — events,
    // whose column came through orders, is local now too.
    await page.selectOption('[data-dist-table="orders"] select.role', 'local');
    await page.locator('[data-dist-table="orders"] .tag.chosen').waitFor();
    const last = async () => (await calls()).filter((c) => c.cmd === 'propose_distribution').at(-1)!.args;
    expect((await last()).chosen).toEqual([{ table: 'orders', role: 'local' }]);
    expect(await page.inputValue('[data-dist-table="events"] select.role')).toBe('local');
    expect(await getState(page, (s) => s.plan.current.distribution.tables.find((t: any) => t.table === 'orders'))).toMatchObject({ role: 'local', chosen: true });
    // A second choice keeps the first.
    await page.selectOption('[data-dist-table="products"] select.role', 'local');
    await page.locator('[data-dist-table="products"] .tag.chosen').waitFor();
    expect((await last()).chosen).toEqual([{ table: 'orders', role: 'local' }, { table: 'products', role: 'local' }]);
    await page.locator('#distribution-tables').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'distribution-roles.png') });
    // One the table cannot have: the engine's words, the plan as it was.
    await page.selectOption('[data-dist-table="products"] select.role', 'distributed');
    await page.locator('#distribution-error').getByText('products=distributed: it has no tenant_id').waitFor();
    expect(await getState(page, (s) => s.plan.current.distribution.tables.find((t: any) => t.table === 'products').role)).toBe('local');
    expect(await page.inputValue('[data-dist-table="products"] select.role')).toBe('local');
    // Back to the proposal: the choice dropped, the engine's role again.
    await page.click('[data-dist-table="orders"] [data-role-back]');
    await page.waitForFunction(() => (window as any).__FERRY_STATE__.plan.current.distribution.tables.find((t: any) => t.table === 'orders').role === 'distributed');
    expect((await last()).chosen).toEqual([{ table: 'products', role: 'local' }]);
    expect(await page.inputValue('[data-dist-table="events"] select.role')).toBe('distributed');
    expect(await page.locator('[data-dist-table="orders"] .tag.chosen').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps a plan that distributes on a target without Citus, and says the run is refused there', async () => {
    const { page, calls, errors } = await open(spec());
    const plan = { ...demo.plan, distribution: { column: 'tenant_id', tables: roles } };
    await setState(page, { source: { file: demo.source }, plan: { current: plan }, target: { server: plain, fields: { ...fields, port: 5432 } } });
    await page.click('#nav-mapping');
    await page.locator('#distribution-summary').waitFor();
    expect(await page.textContent('#distribution-target')).toContain('PostgreSQL 15.20 without Citus: a run with this plan is refused there');
    // Not proposed over it; it can be turned off.
    expect(await count(calls, 'propose_distribution')).toBe(0);
    await page.uncheck('#distribution-toggle');
    await page.waitForFunction(() => !(window as any).__FERRY_STATE__.plan.current.distribution);
    // Off on plain PostgreSQL: nothing left to show.
    await page.locator('#distribution-panel').waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
    await page.close();
  });
});
