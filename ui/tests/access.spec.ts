// The Access panel (in Production), built, in headless Chromium at 1024×700, the IPC answered
// by a stand-in for the engine: off at first, with the engine's names and tenant column
// proposed; roles turned on (into the plan, the DDL shown and copied), a name the engine
// refuses said in its words, login users, tenant isolation with each table's way; no keyring
// and MariaDB said plainly; a login user's password copied from the keyring; everything off
// again. The real commands are tested in src-tauri (commands::access), `[access]` itself in
// ferry-core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { open, getState, setState, start, stop, SCREENSHOTS } from './browser';
import * as demo from './demo-data';
import * as after from './after-data';

beforeAll(start);
afterAll(stop);

const OFFER = { roles: { owner: 'shop_owner', app: 'shop_app', read: 'shop_read', login: false }, row_security: true, row_security_why: null, tenant: { column: 'customer_id', table: 'customers', tables: 3, of: 5 } };
const NO_RLS = { ...OFFER, row_security: false, row_security_why: 'MariaDB: MariaDB has no row-level security', tenant: null };

/** The engine's answers, in the page: set_access builds `[access]` and its DDL from the
 * choice (as `access::propose` and `access::preview` would, in short), refusing names that
 * are not lower case. */
function spec(keyring = true, offer: unknown = OFFER) {
  return {
    data: { offer, keyring },
    handlers: {
      engine_version: '0.1.0',
      list_runs: [],
      preview_tables: [],
      propose_production: ({ plan }: any) => ({ ...plan, production: [] }),
      keyring_status: (_a: any, mock: any) => (mock.data.keyring ? { available: true, detail: null, raw: null } : { available: false, detail: 'No keyring service (GNOME Keyring or KWallet) is running.', raw: 'ServiceUnknown' }),
      access_offer: (_a: any, mock: any) => mock.data.offer,
      set_access: async ({ plan, choice }: any, mock: any) => {
        await mock.sleep(50);
        const r = choice.roles;
        for (const n of r ? [r.owner, r.app, r.read] : []) {
          if (!/^[a-z_][a-z0-9_]*$/.test(n)) throw { kind: 'invalid', message: `role name ${JSON.stringify(n)}: use lower-case letters, digits and _ (starting with a letter)`, detail: null };
        }
        const ddl: string[] = [];
        let access: any = null;
        if (r) {
          ddl.push(...[r.owner, r.app, r.read].map((n: string) => `CREATE ROLE "${n}" NOLOGIN`), `GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "public"."orders" TO "${r.app}"`, `-- and USAGE on the tables' identity sequences to ${r.app}`);
          if (r.login) ddl.push(`CREATE ROLE "${r.app}_login" LOGIN INHERIT PASSWORD '<generated>' IN ROLE "${r.app}"`);
          access = { roles: r };
        }
        if (choice.tenant_column) {
          const c = choice.tenant_column;
          const setting = choice.setting ?? 'app.tenant_id';
          access = {
            ...(access ?? {}),
            isolation: {
              column: c, setting,
              open: ['products: no customer_id and no foreign key to a table that has it — every tenant sees all its rows'],
              tables: [
                { table: 'customers', by: 'key', column: 'id', why: `the tenants table (${c} references its id)` },
                { table: 'orders', by: 'column', column: c, why: `${c} compared with ${setting}; index orders_by_customer leads with it` },
                { table: 'events', by: 'parent', parent: 'orders', through: ['order_id'], parent_columns: ['id'], why: 'no customer_id: held through orders (order_id → orders.id). Cost: one lookup of the parent by its key per row read' },
              ],
            },
          };
          ddl.push(`ALTER TABLE "public"."orders" ENABLE ROW LEVEL SECURITY`, `ALTER TABLE "public"."orders" FORCE ROW LEVEL SECURITY`, `CREATE POLICY ferry_tenant_isolation ON "public"."orders" USING ("${c}" = (SELECT NULLIF(current_setting('${setting}', true), '')::bigint))`);
        }
        return { plan: { ...plan, access }, ddl };
      },
      login_passwords: ({ users }: any) => users.map((u: string) => ({ user: u, kept: u.endsWith('_app_login') && (globalThis as any).__forgot !== u })),
      forget_login_password: ({ user }: any) => {
        (globalThis as any).__forgot = user;
        return null;
      },
      login_password: ({ user }: any) => (user === 'shop_app_login' ? 'Xq7mP2vR9sT4uW6yZ8aB1cD3' : null),
    },
  };
}

const state = { source: { file: demo.source }, target: { fields: after.fields, password: after.PASSWORD }, plan: { current: { ...demo.plan, production: [] } } };
const planAccess = (page: any) => getState(page, (s) => s.plan.current.access ?? null);
const setCalls = async (calls: () => Promise<any[]>) => (await calls()).filter((c) => c.cmd === 'set_access');

describe('Access, in Production', () => {
  it('turns roles, login users and tenant isolation on through the engine, shows and copies the DDL, and off again', async () => {
    const { page, calls, errors } = await open(spec());
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await setState(page, state);
    // The sidebar's steps are unchanged: Access is a part of Production.
    expect(await page.locator('nav ol button').evaluateAll((bs) => bs.map((b) => b.id))).toEqual(['nav-connections', 'nav-mapping', 'nav-production', 'nav-preflight', 'nav-diff', 'nav-run', 'nav-report']);
    await page.click('#nav-production');
    await page.locator('#access').waitFor();

    // Off at first (opt-in); the engine's tenant column proposed with its figures.
    await page.locator('#access-tenant-hint').waitFor();
    expect(await page.textContent('#access-summary')).toBe('Off: the tables belong to the user Ferry connects as.');
    expect(await page.isChecked('#access-roles')).toBe(false);
    expect(await page.textContent('#access-tenant-hint')).toBe('Proposed: customer_id references customers from 3 of 5 tables.');
    expect(await page.locator('#access-ddl').count()).toBe(0);
    const offer = (await calls()).find((c) => c.cmd === 'access_offer')!;
    expect(offer.args.database).toBe('shop');
    expect(await setCalls(calls)).toEqual([]);

    // Roles: the engine's names, into the plan, the DDL shown.
    await page.check('#access-roles');
    await page.locator('#access-ddl').waitFor();
    expect(await page.inputValue('#access-owner')).toBe('shop_owner');
    expect(await page.inputValue('#access-app')).toBe('shop_app');
    expect(await planAccess(page)).toEqual({ roles: { owner: 'shop_owner', app: 'shop_app', read: 'shop_read', login: false } });
    expect(await page.textContent('#access-ddl')).toContain('CREATE ROLE "shop_app" NOLOGIN;\n');
    expect(await page.textContent('#access-ddl')).toContain("-- and USAGE on the tables' identity sequences to shop_app");
    expect(await page.textContent('#access-summary')).toBe('Roles shop_owner, shop_app and shop_read, made once the rows are in.');
    const first = (await setCalls(calls))[0];
    expect([first.args.database, first.args.pgSchema, first.args.choice]).toEqual(['shop', null, { roles: { owner: 'shop_owner', app: 'shop_app', read: 'shop_read', login: false }, tenant_column: null, setting: null }]);

    // A name the engine refuses: said in its words, the plan unchanged; then one it takes.
    await page.fill('#access-app', 'Shop-App');
    await page.press('#access-app', 'Tab');
    await page.locator('#access-error').waitFor();
    expect(await page.getAttribute('#access-error', 'data-kind')).toBe('invalid');
    expect(await page.textContent('#access-error')).toContain('Role name "Shop-App": use lower-case letters');
    expect((await planAccess(page)).roles.app).toBe('shop_app');
    await page.fill('#access-app', 'shop_api');
    await page.press('#access-app', 'Tab');
    await page.waitForFunction(() => document.querySelector('#access-ddl')?.textContent?.includes('"shop_api"'));
    expect(await page.locator('#access-error').count()).toBe(0);
    expect((await planAccess(page)).roles.app).toBe('shop_api');

    // Login users: their passwords never shown, only said where they go.
    await page.check('#access-login');
    await page.waitForFunction(() => document.querySelector('#access-ddl')?.textContent?.includes('<generated>'));
    expect(await page.textContent('#access-login-hint')).toContain('kept in the system keyring');
    expect((await planAccess(page)).roles.login).toBe(true);

    // Tenant isolation by the proposed column: each table's way, what is left open.
    await page.check('#access-isolation');
    await page.locator('#access-tables').waitFor();
    expect(await page.inputValue('#access-column')).toBe('customer_id');
    expect(await page.inputValue('#access-setting')).toBe('app.tenant_id');
    const rows = await page.locator('#access-tables tbody tr').evaluateAll((rs) => rs.map((r) => [...r.querySelectorAll('td')].slice(0, 2).map((d) => d.textContent)));
    expect(rows).toEqual([['customers', 'the tenants table'], ['orders', 'its own column'], ['events', 'through orders']]);
    expect(await page.textContent('[data-iso-table="events"]')).toContain('Cost: one lookup of the parent');
    expect(await page.textContent('#access-open')).toContain('products: no customer_id');
    expect(await page.textContent('#access-summary')).toBe('Roles shop_owner, shop_api and shop_read, with login users; tenant isolation by customer_id on 3 tables (1 not isolated), made once the rows are in.');
    await page.fill('#access-setting', 'app.customer');
    await page.press('#access-setting', 'Tab');
    await page.waitForFunction(() => document.querySelector('#access-ddl')?.textContent?.includes("'app.customer'"));
    expect((await planAccess(page)).isolation.setting).toBe('app.customer');

    // Copy: the DDL on the clipboard, as shown.
    await page.click('#access-copy');
    await page.locator('#access').getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await page.textContent('#access-ddl'));

    await page.locator('#access').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'production-access.png') });

    // Everything off: no [access] in the plan, no DDL.
    await page.uncheck('#access-isolation');
    await page.waitForFunction(() => !document.querySelector('#access-tables'));
    await page.uncheck('#access-roles');
    await page.waitForFunction(() => !document.querySelector('#access-ddl'));
    expect(await planAccess(page)).toBeNull();
    expect(await page.textContent('#access-summary')).toBe('Off: the tables belong to the user Ferry connects as.');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says plainly when no keyring keeps passwords, and that MariaDB has no row-level security', async () => {
    const { page, errors } = await open(spec(false, NO_RLS));
    await setState(page, { ...state, plan: { current: { ...demo.plan, dialect: 'mariadb', production: [] } } });
    await page.click('#nav-production');
    await page.locator('#access-no-rls').waitFor();
    expect(await page.textContent('#access-no-rls')).toContain('MySQL and MariaDB have no row-level security');
    expect(await page.locator('#access-isolation').count()).toBe(0);
    await page.check('#access-roles');
    await page.locator('#access-no-keyring').waitFor();
    expect(await page.isDisabled('#access-login')).toBe(true);
    expect(await page.textContent('#access-no-keyring')).toContain('a run that makes them is refused here');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a plan’s [access] as it holds it, and copies a login user’s password from the keyring', async () => {
    const { page, calls, errors } = await open(spec());
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const access = { roles: { owner: 'shop_owner', app: 'shop_app', read: 'shop_read', login: true } };
    await setState(page, { ...state, plan: { current: { ...demo.plan, production: [], access } } });
    await page.click('#nav-production');
    await page.locator('#access-logins').waitFor();
    expect(await page.isChecked('#access-roles')).toBe(true);
    expect(await page.isChecked('#access-login')).toBe(true);
    // The DDL asked afresh for the plan as it is.
    expect((await calls()).filter((c) => c.cmd === 'set_access').length).toBe(1);
    const asked = (await calls()).find((c) => c.cmd === 'login_passwords')!;
    expect(asked.args.users).toEqual(['shop_owner_login', 'shop_app_login', 'shop_read_login']);
    expect(asked.args.url).toBe('postgres://ferry:s3cret@db.internal:5432/shop?sslmode=require');
    expect(await page.locator('[data-login]').evaluateAll((ls) => ls.map((l) => (l as HTMLElement).dataset.login))).toEqual(['shop_app_login']);
    expect(await page.textContent('#access')).not.toContain('Xq7mP2vR9sT4uW6yZ8aB1cD3');
    await page.click('[data-login="shop_app_login"] button[aria-label^="Copy"]');
    await page.locator('[data-login="shop_app_login"]').getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('Xq7mP2vR9sT4uW6yZ8aB1cD3');
    // Not left in the page.
    expect(await page.locator('[data-login="shop_app_login"] textarea').inputValue()).toBe('');
    // Forget asks first; kept, nothing is asked of the engine.
    await page.click('[data-login="shop_app_login"] button.forget');
    expect(await page.textContent('[data-login="shop_app_login"] .forget-ask')).toContain('only a new password set on the server');
    await page.getByRole('button', { name: 'Keep it' }).click();
    expect((await calls()).filter((c) => c.cmd === 'forget_login_password')).toEqual([]);
    // Forgotten: asked of the engine for this server and user, and the list asked again.
    const listed = (await calls()).filter((c) => c.cmd === 'login_passwords').length;
    await page.click('[data-login="shop_app_login"] button.forget');
    await page.getByRole('button', { name: 'Forget it' }).click();
    await page.locator('#access-logins').waitFor({ state: 'detached' });
    const forgot = (await calls()).filter((c) => c.cmd === 'forget_login_password');
    expect(forgot.map((c) => c.args)).toEqual([{ url: 'postgres://ferry:s3cret@db.internal:5432/shop?sslmode=require', user: 'shop_app_login' }]);
    expect((await calls()).filter((c) => c.cmd === 'login_passwords').length).toBeGreaterThan(listed);
    expect(errors).toEqual([]);
    await page.close();
  });
});
