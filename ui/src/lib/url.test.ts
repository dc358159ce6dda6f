import { describe, expect, it } from 'vitest';
import { buildUrl, defaultFields, parseUrl, redactUrl, tlsHint, validateFields, type ParsedUrl, type TargetFields } from './url';

const pg = (over: Partial<TargetFields> = {}): TargetFields => ({ ...defaultFields('postgres'), database: 'shop', ...over });
const my = (over: Partial<TargetFields> = {}): TargetFields => ({ ...defaultFields('mysql'), database: 'shop', ...over });

function parsed(text: string): ParsedUrl {
  const r = parseUrl(text);
  if (typeof r === 'string') throw new Error(`not parsed: ${r}`);
  return r;
}

describe('buildUrl', () => {
  it.each([
    [pg(), '', 'postgres://postgres@127.0.0.1:5432/shop?sslmode=prefer'],
    [pg({ tls: 'require' }), 'secret', 'postgres://postgres:secret@127.0.0.1:5432/shop?sslmode=require'],
    [pg({ tls: 'verify-full', host: 'db.example.com', port: 6543 }), 'pw', 'postgres://postgres:pw@db.example.com:6543/shop?sslmode=verify-full'],
    [pg({ tls: 'disable' }), '', 'postgres://postgres@127.0.0.1:5432/shop?sslmode=disable'],
    [my(), '', 'mysql://root@127.0.0.1:3306/shop?ssl-mode=PREFERRED'],
    [my({ tls: 'disable' }), 'pw', 'mysql://root:pw@127.0.0.1:3306/shop?ssl-mode=DISABLED'],
    [my({ tls: 'require' }), 'pw', 'mysql://root:pw@127.0.0.1:3306/shop?ssl-mode=REQUIRED'],
    [my({ tls: 'verify-full' }), 'pw', 'mysql://root:pw@127.0.0.1:3306/shop?ssl-mode=VERIFY_IDENTITY'],
    [pg({ host: '::1' }), '', 'postgres://postgres@[::1]:5432/shop?sslmode=prefer'],
    [pg({ host: '[fe80::1]' }), '', 'postgres://postgres@[fe80::1]:5432/shop?sslmode=prefer'],
    [pg({ user: 'a@b', database: 'my db' }), 'p@ss:w/rd#?%', 'postgres://a%40b:p%40ss%3Aw%2Frd%23%3F%25@127.0.0.1:5432/my%20db?sslmode=prefer'],
    // The CA file goes with the verifying modes only, as each server's client spells it.
    [pg({ tls: 'verify-full', caFile: '/etc/ferry/ca.pem' }), '', 'postgres://postgres@127.0.0.1:5432/shop?sslmode=verify-full&sslrootcert=%2Fetc%2Fferry%2Fca.pem'],
    [pg({ tls: 'verify-ca', caFile: '/home/ada/ca & co #1.pem' }), '', 'postgres://postgres@127.0.0.1:5432/shop?sslmode=verify-ca&sslrootcert=%2Fhome%2Fada%2Fca%20%26%20co%20%231.pem'],
    [my({ tls: 'verify-ca', caFile: '/etc/ca.pem' }), '', 'mysql://root@127.0.0.1:3306/shop?ssl-mode=VERIFY_CA&ssl-ca=%2Fetc%2Fca.pem'],
    [my({ tls: 'verify-full', caFile: ' /etc/ca.pem ' }), '', 'mysql://root@127.0.0.1:3306/shop?ssl-mode=VERIFY_IDENTITY&ssl-ca=%2Fetc%2Fca.pem'],
    [pg({ tls: 'require', caFile: '/etc/ca.pem' }), '', 'postgres://postgres@127.0.0.1:5432/shop?sslmode=require'],
    [my({ tls: 'verify-full', caFile: '  ' }), '', 'mysql://root@127.0.0.1:3306/shop?ssl-mode=VERIFY_IDENTITY'],
  ])('%j + %j', (f, pw, want) => expect(buildUrl(f, pw)).toBe(want));
});

describe('parseUrl', () => {
  it.each([
    ['postgres://u:pw@h:5433/db', { kind: 'postgres', host: 'h', port: 5433, database: 'db', user: 'u', tls: 'prefer', schema: '' }, 'pw'],
    ['postgresql://u@h/db', { kind: 'postgres', host: 'h', port: 5432, database: 'db', user: 'u' }, ''],
    ['mariadb://u:pw@h/db', { kind: 'mysql', port: 3306, user: 'u' }, 'pw'],
    ['  mysql://h/db  ', { kind: 'mysql', host: 'h', user: 'root' }, ''],
    ['postgres://u@[2001:db8::7]:5432/db', { host: '2001:db8::7', port: 5432 }, ''],
    ['postgres://u@h/db?sslmode=verify-ca', { tls: 'verify-ca', caFile: '' }, ''],
    ['postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem', { tls: 'verify-full', caFile: '/etc/ca.pem' }, ''],
    ['mysql://u@h/db?ssl-mode=VERIFY_CA&ssl-ca=/etc/ca.pem', { tls: 'verify-ca', caFile: '/etc/ca.pem' }, ''],
    ['mysql://u@h/db?ssl-mode=VERIFY_IDENTITY&sslca=/etc/ca.pem', { tls: 'verify-full', caFile: '/etc/ca.pem' }, ''],
    ['postgres://u@h/db?sslmode=allow', { tls: 'prefer' }, ''],
    ['postgres://u@h/db?sslmode=disable&schema=sales', { tls: 'disable', schema: 'sales' }, ''],
    ['mysql://u@h/db?ssl-mode=REQUIRED', { tls: 'require' }, ''],
    ['mysql://u@h/db?ssl-mode=VERIFY_IDENTITY', { tls: 'verify-full' }, ''],
    ['mysql://u@h/db?ssl_mode=disabled', { tls: 'disable' }, ''],
    ['mysql://u@h/db?ssl-mode=whatever', { tls: 'prefer' }, ''],
    ['postgres://a%40b:p%40ss%3Aw%2Frd%23%3F%25@h/my%20db', { user: 'a@b', database: 'my db' }, 'p@ss:w/rd#?%'],
    ['postgres://u:p%C3%A4ss%20w%C3%B6rd@h/db', {}, 'päss wörd'],
  ])('%s', (text, want, pw) => {
    const r = parsed(text);
    expect(r.fields).toMatchObject(want);
    expect(r.password).toBe(pw);
  });

  it.each([
    ['not a url', 'That is not a URL'],
    ['http://h/db', 'not http://'],
    ['sqlite:///tmp/x.db', 'not sqlite://'],
    ['postgres://u@h', 'names no database'],
    ['postgres://u@h/', 'names no database'],
  ])('%s is refused', (text, says) => {
    const r = parseUrl(text);
    expect(typeof r).toBe('string');
    expect(r).toContain(says);
  });
});

describe('round trips', () => {
  const passwords = ['', 'simple', 'p@ss:w/rd', '#?&=+ %', 'päss wörd ✓', "quote'\"back\\slash", '[]{}|^`~!$*()'];
  const fields: TargetFields[] = [
    pg(),
    pg({ tls: 'require', port: 6543, host: 'db.example.com' }),
    pg({ tls: 'verify-full', host: '::1' }),
    pg({ tls: 'disable', host: '2001:db8::7', user: 'ada@corp', database: 'shop & co' }),
    my(),
    my({ tls: 'require', host: 'mariadb.internal', user: 'app' }),
    my({ tls: 'verify-full', host: 'fe80::1' }),
    my({ tls: 'disable' }),
    pg({ tls: 'verify-full', caFile: '/home/ada/certs/ca & co #1.pem' }),
    pg({ tls: 'verify-ca', caFile: 'C:\\certs\\ca.pem' }),
    my({ tls: 'verify-ca', caFile: '/etc/ssl/ca+chain.pem' }),
    my({ tls: 'verify-full', caFile: '/tmp/päth/ca.pem' }),
  ];
  for (const f of fields) {
    for (const pw of passwords) {
      it(`${f.kind} ${f.host} ${f.tls} ${JSON.stringify(pw)}`, () => {
        const r = parsed(buildUrl(f, pw));
        expect(r.fields).toEqual(f);
        expect(r.password).toBe(pw);
        const shown = redactUrl(buildUrl(f, pw));
        if (pw) {
          expect(shown).toContain(':***@');
          expect(shown).not.toContain(encodeURIComponent(pw));
        } else {
          expect(shown).toBe(buildUrl(f, pw));
        }
      });
    }
  }

  // The PostgreSQL schema travels apart from the URL (start_run's pg_schema), so buildUrl
  // leaves it out; parseUrl reads ?schema= when a pasted URL has it.
  it('leaves the schema out of the URL', () => {
    expect(parsed(buildUrl(pg({ schema: 'sales' }), '')).fields.schema).toBe('');
  });
});

describe('tlsHint', () => {
  it.each([
    ['disable', 'Not encrypted'],
    ['prefer', 'certificate is not checked'],
    ['require', 'Encrypted, but the server’s certificate is not checked; use verify-full with the CA file'],
    ['verify-ca', 'host name in it is not checked'],
    ['verify-full', 'name this host'],
  ] as const)('%s', (mode, says) => expect(tlsHint(mode)).toContain(says));

  it('says something different for each mode', () => {
    const modes = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
    expect(new Set(modes.map(tlsHint)).size).toBe(modes.length);
  });
});

describe('redactUrl', () => {
  it.each([
    ['postgres://u:secret@h:5432/db', 'postgres://u:***@h:5432/db'],
    ['mysql://root:pw@[::1]:3306/db?ssl-mode=REQUIRED', 'mysql://root:***@[::1]:3306/db?ssl-mode=REQUIRED'],
    ['postgres://u@h/db', 'postgres://u@h/db'],
    ['postgres://h/db', 'postgres://h/db'],
    ['postgres://u:p%40ss@h/db', 'postgres://u:***@h/db'],
  ])('%s', (url, want) => expect(redactUrl(url)).toBe(want));
});

describe('validateFields', () => {
  it.each([
    [pg(), []],
    [pg({ host: ' ' }), ['host']],
    [pg({ port: 0 }), ['port']],
    [pg({ port: 65536 }), ['port']],
    [pg({ port: 5432.5 }), ['port']],
    [pg({ port: NaN }), ['port']],
    [pg({ database: '' }), ['database']],
    [pg({ user: '' }), ['user']],
    [pg({ schema: 'sales' }), []],
    [my({ schema: 'sales' }), ['schema']],
    [my({ host: '', database: '', user: '' }), ['host', 'database', 'user']],
  ])('%j', (f, bad) => expect(Object.keys(validateFields(f)).sort()).toEqual([...bad].sort()));
});
