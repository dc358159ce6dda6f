// The Access panel (in Production), kept free of Svelte so it can be tested with tables of
// cases: the form's choices read from the plan's `[access]` (or the engine's defaults), sent
// back as the choice `set_access` takes, the tenant columns to choose from, and the words the
// panel shows. What `[access]` holds and the DDL it makes are the engine's (access_offer,
// set_access); nothing here writes SQL.
import type { Access } from './bindings/Access';
import type { AccessChoice } from './bindings/AccessChoice';
import type { AccessOffer } from './bindings/AccessOffer';
import type { IsolatedBy } from './bindings/IsolatedBy';
import type { IsolatedTable } from './bindings/IsolatedTable';
import type { Plan } from './bindings/Plan';
import type { Roles } from './bindings/Roles';
import type { TenantHint } from './bindings/TenantHint';
import { n, plural } from './format';

export type { Access, AccessChoice, AccessOffer, Roles, TenantHint };

/** The setting a policy compares with when none is named (the engine's `DEFAULT_SETTING`). */
export const DEFAULT_SETTING = 'app.tenant_id';

/** The panel's fields. */
export interface AccessForm {
  roles: boolean;
  owner: string;
  app: string;
  read: string;
  login: boolean;
  isolation: boolean;
  column: string;
  setting: string;
}

/** The form for a plan: its `[access]` as it holds it (a plan opened from a file keeps its
 * names), else off, with the engine's names and tenant column ready for when it is turned on. */
export function formFrom(access: Access | null | undefined, offer: AccessOffer | null): AccessForm {
  const names = access?.roles ?? offer?.roles ?? { owner: '', app: '', read: '', login: false };
  const iso = access?.isolation;
  return {
    roles: !!access?.roles,
    owner: names.owner,
    app: names.app,
    read: names.read,
    login: !!access?.roles?.login,
    isolation: !!iso,
    column: iso?.column ?? offer?.tenant?.column ?? '',
    setting: iso?.setting ?? DEFAULT_SETTING,
  };
}

/** What `set_access` is asked for: only what is turned on. */
export function toChoice(f: AccessForm): AccessChoice {
  return {
    roles: f.roles ? { owner: f.owner.trim(), app: f.app.trim(), read: f.read.trim(), login: f.login } : null,
    tenant_column: f.isolation && f.column.trim() ? f.column.trim() : null,
    setting: f.isolation && f.setting.trim() ? f.setting.trim() : null,
  };
}

/** Whether the form asks for anything the plan does not hold yet (the panel then asks the
 * engine; a form that asks for isolation without a column waits for one). */
export function wants(f: AccessForm): boolean {
  return f.roles || (f.isolation && f.column.trim() !== '');
}

/** The DDL as Copy copies it: one statement a line, each ending in a semicolon (comments as
 * they are). */
export function ddlText(ddl: readonly string[]): string {
  return ddl
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith('--') || s.endsWith(';') ? s : `${s};`))
    .join('\n');
}

/** The columns a tenant column could be: those of two or more of the tables the plan loads,
 * by source name, most tables first (then by name), with how many. */
export function tenantColumns(plan: Plan | null): { column: string; tables: number }[] {
  const count = new Map<string, number>();
  for (const t of plan?.tables ?? []) {
    if (t.skip) continue;
    for (const c of new Set(t.columns.map((c) => c.source))) count.set(c, (count.get(c) ?? 0) + 1);
  }
  return [...count.entries()]
    .filter(([, k]) => k >= 2)
    .map(([column, tables]) => ({ column, tables }))
    .sort((a, b) => b.tables - a.tables || a.column.localeCompare(b.column));
}

/** The engine's proposal in words: "tenant_id references tenants from 13 of 16 tables". */
export function tenantEvidence(h: TenantHint): string {
  return `${h.column} references ${h.table} from ${n(h.tables)} of ${plural(h.of, 'table', 'tables')}`;
}

const BY: Record<IsolatedBy, string> = { column: 'its own column', key: 'the tenants table', parent: 'through its parent' };

/** How a table is held to its tenant, in words ("through orders"). */
export function byLabel(t: IsolatedTable): string {
  return t.by === 'parent' && t.parent ? `through ${t.parent}` : BY[t.by];
}

/** The login users a run makes for the roles (the engine's `Roles::login_of`). */
export function loginUsers(r: Roles | null | undefined): string[] {
  return r?.login ? [r.owner, r.app, r.read].map((x) => `${x}_login`) : [];
}

/** The panel's one line: what the plan's `[access]` makes. */
export function summary(a: Access | null | undefined): string {
  if (!a?.roles && !a?.isolation) return 'Off: the tables belong to the user Ferry connects as.';
  const parts: string[] = [];
  if (a.roles) parts.push(`roles ${a.roles.owner}, ${a.roles.app} and ${a.roles.read}${a.roles.login ? ', with login users' : ''}`);
  if (a.isolation) {
    const open = a.isolation.open?.length ?? 0;
    parts.push(`tenant isolation by ${a.isolation.column} on ${plural(a.isolation.tables.length, 'table', 'tables')}${open ? ` (${n(open)} not isolated)` : ''}`);
  }
  const s = parts.join('; ');
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}, made once the rows are in.`;
}

/** What the keyring means for login users, in words; null when it answers. */
export function keyringNote(available: boolean, detail: string | null | undefined): string | null {
  if (available) return null;
  return `${detail ?? 'No system keyring answers here.'} Login users’ passwords are generated by the run and kept only in the keyring, so a run that makes them is refused here: make the users yourself, or use \`ferry migrate --roles-login --roles-passwords FILE\`.`;
}
