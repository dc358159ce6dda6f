// The target connection: the form's fields and the URL the engine takes, both ways.
// The password is kept apart from the fields (it is never saved in a file).

export type Kind = 'postgres' | 'mysql';
export type TlsMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** The modes that check the server's certificate against a CA: the form asks for its file. */
export const VERIFYING: readonly TlsMode[] = ['verify-ca', 'verify-full'];

export interface TargetFields {
  kind: Kind;
  host: string;
  port: number;
  database: string;
  user: string;
  tls: TlsMode;
  /** PostgreSQL schema for the tables; empty means public. */
  schema: string;
  /** The CA certificate (PEM) verify-ca / verify-full check against; empty: the system's CAs. */
  caFile?: string;
}

export const DEFAULT_PORT: Record<Kind, number> = { postgres: 5432, mysql: 3306 };

export function defaultFields(kind: Kind = 'postgres'): TargetFields {
  return { kind, host: '127.0.0.1', port: DEFAULT_PORT[kind], database: '', user: kind === 'postgres' ? 'postgres' : 'root', tls: 'prefer', schema: '', caFile: '' };
}

/** One line under the TLS choice saying what it protects against, and what it does not. */
export function tlsHint(tls: TlsMode): string {
  const hints: Record<TlsMode, string> = {
    disable: 'Not encrypted: the password and the data cross the network in clear.',
    prefer: 'Encrypted only if the server offers it, and the server’s certificate is not checked.',
    require: 'Encrypted, but the server’s certificate is not checked; use verify-full with the CA file to be sure of the server.',
    'verify-ca': 'Encrypted; the certificate must be signed by the CA file, but the host name in it is not checked.',
    'verify-full': 'Encrypted; the certificate must be signed by the CA file (or a CA this system trusts) and name this host.',
  };
  return hints[tls];
}

/** The TLS query parameter each server's URL understands. */
function tlsParam(kind: Kind, tls: TlsMode): string {
  if (kind === 'postgres') return `sslmode=${tls}`;
  const my: Record<TlsMode, string> = { disable: 'DISABLED', prefer: 'PREFERRED', require: 'REQUIRED', 'verify-ca': 'VERIFY_CA', 'verify-full': 'VERIFY_IDENTITY' };
  return `ssl-mode=${my[tls]}`;
}

/** The CA file's query parameter, when the mode verifies and a file is named. */
function caParam(f: TargetFields): string {
  const file = f.caFile?.trim() ?? '';
  if (!file || !VERIFYING.includes(f.tls)) return '';
  return `&${f.kind === 'postgres' ? 'sslrootcert' : 'ssl-ca'}=${encodeURIComponent(file)}`;
}

/** The engine's URL for the fields and password. */
export function buildUrl(f: TargetFields, password: string): string {
  const auth = encodeURIComponent(f.user) + (password ? ':' + encodeURIComponent(password) : '');
  const host = f.host.includes(':') && !f.host.startsWith('[') ? `[${f.host}]` : f.host;
  return `${f.kind}://${auth}@${host}:${f.port}/${encodeURIComponent(f.database)}?${tlsParam(f.kind, f.tls)}${caParam(f)}`;
}

/** What is wrong with the fields, by field name; empty when they can be used. */
export function validateFields(f: TargetFields): Partial<Record<keyof TargetFields, string>> {
  const errors: Partial<Record<keyof TargetFields, string>> = {};
  if (!f.host.trim()) errors.host = 'Enter the server’s host name or address.';
  if (!Number.isInteger(f.port) || f.port < 1 || f.port > 65535) errors.port = 'A port is a whole number from 1 to 65535.';
  if (!f.database.trim()) errors.database = 'Enter the database to migrate into (it must exist and be empty).';
  if (!f.user.trim()) errors.user = 'Enter the user name.';
  if (f.kind === 'mysql' && f.schema.trim()) errors.schema = 'Schemas are a PostgreSQL idea; on MySQL the database is the schema.';
  return errors;
}

export interface ParsedUrl {
  fields: TargetFields;
  password: string;
}

/** Reads a pasted URL into fields and password; an error message when it is not one. */
export function parseUrl(text: string): ParsedUrl | string {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return 'That is not a URL. It looks like postgres://user:password@host:5432/database or mysql://user:password@host:3306/database.';
  }
  const scheme = u.protocol.replace(/:$/, '');
  const kind: Kind | null = scheme === 'postgres' || scheme === 'postgresql' ? 'postgres' : scheme === 'mysql' || scheme === 'mariadb' ? 'mysql' : null;
  if (!kind) return `Ferry migrates into PostgreSQL (postgres://…) or MySQL/MariaDB (mysql://…), not ${scheme}://.`;
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) return 'The URL names no database: add /database after the host.';
  const f = defaultFields(kind);
  f.host = u.hostname.replace(/^\[|\]$/g, '') || f.host;
  f.port = u.port ? Number(u.port) : DEFAULT_PORT[kind];
  f.database = database;
  if (u.username) f.user = decodeURIComponent(u.username);
  const q = u.searchParams;
  const mode = (q.get('sslmode') ?? q.get('ssl-mode') ?? q.get('ssl_mode') ?? '').toLowerCase();
  const fromMode: Record<string, TlsMode> = {
    disable: 'disable', disabled: 'disable', allow: 'prefer', prefer: 'prefer', preferred: 'prefer',
    require: 'require', required: 'require', 'verify-ca': 'verify-ca', verify_ca: 'verify-ca', 'verify-full': 'verify-full', verify_identity: 'verify-full',
  };
  if (mode) f.tls = fromMode[mode] ?? f.tls;
  f.schema = q.get('schema') ?? '';
  f.caFile = q.get('sslrootcert') ?? q.get('ssl-root-cert') ?? q.get('ssl-ca') ?? q.get('sslca') ?? q.get('ssl_ca') ?? '';
  return { fields: f, password: decodeURIComponent(u.password) };
}

/** The URL as it may be shown: the password replaced by ***. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}
