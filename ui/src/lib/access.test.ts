import { describe, expect, it } from 'vitest';
import type { Plan } from './bindings/Plan';
import type { IsolatedTable } from './bindings/IsolatedTable';
import { byLabel, ddlText, DEFAULT_SETTING, formFrom, keyringNote, loginUsers, summary, tenantColumns, tenantEvidence, toChoice, wants, type Access, type AccessForm, type AccessOffer } from './access';

const OFFER: AccessOffer = {
  roles: { owner: 'shop_owner', app: 'shop_app', read: 'shop_read', login: false },
  row_security: true,
  row_security_why: null,
  tenant: { column: 'tenant_id', table: 'tenants', tables: 13, of: 16 },
};

const iso = (table: string, by: IsolatedTable['by'], more: Partial<IsolatedTable> = {}): IsolatedTable => ({ table, by, why: `${table} why`, ...more });

const ACCESS: Access = {
  roles: { owner: 'crm_owner', app: 'crm_api', read: 'crm_bi', login: true },
  isolation: { column: 'org_id', setting: 'app.org', open: ['audit: no org_id'], tables: [iso('orgs', 'key', { column: 'id' }), iso('deals', 'column', { column: 'org_id' }), iso('notes', 'parent', { parent: 'deals', through: ['deal_id'], parent_columns: ['id'] })] },
};

function plan(): Plan {
  const t = (name: string, cols: string[], skip = false) => ({ source: name, target: name, skip, columns: cols.map((c) => ({ source: c, target: c, type: 'text', reason: 'declared' })) });
  return {
    ferry_version: '0.1.0',
    source: '/data/shop.sqlite',
    dialect: 'postgres',
    tables: [t('orders', ['id', 'tenant_id', 'created_at']), t('items', ['id', 'tenant_id', 'order_id']), t('tenants', ['id', 'name', 'created_at']), t('old', ['id', 'tenant_id', 'legacy'], true), t('legacy', ['legacy', 'id'])],
  } as unknown as Plan;
}

describe('the form', () => {
  it('starts off with the engine’s names and tenant column ready', () => {
    expect(formFrom(null, OFFER)).toEqual({ roles: false, owner: 'shop_owner', app: 'shop_app', read: 'shop_read', login: false, isolation: false, column: 'tenant_id', setting: DEFAULT_SETTING });
    // Before the offer answers: empty names, nothing on.
    expect(formFrom(undefined, null)).toEqual({ roles: false, owner: '', app: '', read: '', login: false, isolation: false, column: '', setting: 'app.tenant_id' });
  });

  it('keeps what a plan holds over the engine’s defaults (a plan opened from a file)', () => {
    expect(formFrom(ACCESS, OFFER)).toEqual({ roles: true, owner: 'crm_owner', app: 'crm_api', read: 'crm_bi', login: true, isolation: true, column: 'org_id', setting: 'app.org' });
    expect(formFrom({ roles: null, isolation: ACCESS.isolation }, OFFER)).toMatchObject({ roles: false, owner: 'shop_owner', isolation: true, column: 'org_id' });
  });

  const base: AccessForm = formFrom(null, OFFER);
  it.each<[string, Partial<AccessForm>, ReturnType<typeof toChoice>, boolean]>([
    ['nothing on', {}, { roles: null, tenant_column: null, setting: null }, false],
    ['roles, names trimmed', { roles: true, app: ' shop_api ' }, { roles: { owner: 'shop_owner', app: 'shop_api', read: 'shop_read', login: false }, tenant_column: null, setting: null }, true],
    ['roles with login users', { roles: true, login: true }, { roles: { owner: 'shop_owner', app: 'shop_app', read: 'shop_read', login: true }, tenant_column: null, setting: null }, true],
    ['login ticked but roles off: nothing', { login: true }, { roles: null, tenant_column: null, setting: null }, false],
    ['isolation by a column', { isolation: true, column: ' org_id ', setting: ' app.org ' }, { roles: null, tenant_column: 'org_id', setting: 'app.org' }, true],
    ['isolation without a column waits', { isolation: true, column: '  ' }, { roles: null, tenant_column: null, setting: 'app.tenant_id' }, false],
    ['isolation with the setting cleared: the engine’s default', { isolation: true, setting: '' }, { roles: null, tenant_column: 'tenant_id', setting: null }, true],
    ['a column typed but isolation off: not sent', { column: 'org_id' }, { roles: null, tenant_column: null, setting: null }, false],
  ])('%s', (_what, change, choice, asks) => {
    const f = { ...base, ...change };
    expect(toChoice(f)).toEqual(choice);
    expect(wants(f)).toBe(asks);
  });
});

describe('in words', () => {
  it('copies the DDL one statement a line, comments as they are', () => {
    expect(ddlText(['CREATE ROLE "a" NOLOGIN', ' GRANT SELECT ON TABLE x TO "b"; ', '', '-- and USAGE on the tables’ identity sequences to shop_app'])).toBe(
      'CREATE ROLE "a" NOLOGIN;\nGRANT SELECT ON TABLE x TO "b";\n-- and USAGE on the tables’ identity sequences to shop_app',
    );
    expect(ddlText([])).toBe('');
  });

  it('offers as tenant columns those of two or more loaded tables, most first', () => {
    expect(tenantColumns(plan())).toEqual([
      { column: 'id', tables: 4 },
      { column: 'created_at', tables: 2 },
      { column: 'tenant_id', tables: 2 },
    ]);
    expect(tenantColumns(null)).toEqual([]);
  });

  it('says the engine’s evidence, each table’s way, the login users and the plan’s access', () => {
    expect(tenantEvidence(OFFER.tenant!)).toBe('tenant_id references tenants from 13 of 16 tables');
    expect(tenantEvidence({ column: 'org', table: 'orgs', tables: 2, of: 3 })).toBe('org references orgs from 2 of 3 tables');
    expect(ACCESS.isolation!.tables.map(byLabel)).toEqual(['the tenants table', 'its own column', 'through deals']);
    expect(loginUsers(ACCESS.roles)).toEqual(['crm_owner_login', 'crm_api_login', 'crm_bi_login']);
    expect(loginUsers({ ...ACCESS.roles!, login: false })).toEqual([]);
    expect(loginUsers(null)).toEqual([]);
    expect(summary(null)).toBe('Off: the tables belong to the user Ferry connects as.');
    expect(summary({ roles: null, isolation: null })).toBe('Off: the tables belong to the user Ferry connects as.');
    expect(summary(ACCESS)).toBe('Roles crm_owner, crm_api and crm_bi, with login users; tenant isolation by org_id on 3 tables (1 not isolated), made once the rows are in.');
    expect(summary({ roles: null, isolation: { ...ACCESS.isolation!, open: [], tables: [iso('a', 'column')] } })).toBe('Tenant isolation by org_id on 1 table, made once the rows are in.');
  });

  it('says what a missing keyring means for login users', () => {
    expect(keyringNote(true, null)).toBeNull();
    const note = keyringNote(false, 'No keyring service (GNOME Keyring or KWallet) is running, so the password will not be remembered: Ferry asks for it each time.')!;
    expect(note).toMatch(/^No keyring service/);
    expect(note).toContain('a run that makes them is refused here');
    expect(note).toContain('--roles-passwords FILE');
    expect(keyringNote(false, null)).toMatch(/^No system keyring answers here\./);
  });
});
