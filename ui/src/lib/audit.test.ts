import { describe, expect, it } from 'vitest';
import type { AuditEntry } from './bindings/AuditEntry';
import { csvFileName, filterEntries, optionsText, sameTarget, shortHash, targetKey, withCsvExtension } from './audit';

describe('targets', () => {
  it.each([
    ['postgres://bob:s3cret@DB.example:5432/shop?sslmode=prefer', 'postgres://bob@db.example:5432/shop'],
    ['postgresql://bob@db.example/shop', 'postgres://bob@db.example:5432/shop'],
    ['mariadb://root:***@127.0.0.1/shop', 'mysql://root@127.0.0.1:3306/shop'],
    ['mysql://root@[::1]:3307/shop', 'mysql://root@::1:3307/shop'],
    ['not a url', null],
    ['', null],
  ])('%s → %s', (url, key) => expect(targetKey(url)).toBe(key));

  it('compares without passwords or options', () => {
    expect(sameTarget('postgres://bob:***@db/shop', 'postgres://bob:real@db:5432/shop?sslmode=require')).toBe(true);
    expect(sameTarget('postgres://bob@db/shop', 'postgres://bob@db/shop2')).toBe(false);
    expect(sameTarget('postgres://bob@db/shop', 'mysql://bob@db/shop')).toBe(false);
    expect(sameTarget(null, null)).toBe(false);
  });
});

const entry = (e: Partial<AuditEntry>): AuditEntry => ({ at: '2026-05-04T10:00:00.000Z', action: 'migrate', options: {}, outcome: 'ok', seconds: 1, ...e });

describe('entries', () => {
  it('reads options', () => {
    expect(optionsText(entry({ options: { jobs: 2, strict: true, out: '/home/me/.local/share/ferry/backups', schema: 'sales' } }))).toBe('jobs: 2, strict, out: backups, schema: sales');
    expect(optionsText(entry({}))).toBe('');
  });
  it('shortens hashes', () => {
    expect(shortHash('0123456789abcdef0123')).toBe('0123456789ab');
    expect(shortHash(null)).toBe('');
  });
  it('filters by action and outcome', () => {
    const all = [entry({ action: 'migrate' }), entry({ action: 'backup', outcome: 'failed' }), entry({ action: 'backup' })];
    expect(filterEntries(all, '', false).length).toBe(3);
    expect(filterEntries(all, 'backup', false).length).toBe(2);
    expect(filterEntries(all, '', true).map((e) => e.action)).toEqual(['backup']);
  });
});

describe('CSV export naming', () => {
  it('proposes a dated name and adds the extension when missing', () => {
    expect(csvFileName(new Date(2026, 4, 4, 23, 59))).toBe('ferry-audit-2026-05-04.csv');
    expect(withCsvExtension('/home/me/audit')).toBe('/home/me/audit.csv');
    expect(withCsvExtension('/home/me/audit.csv')).toBe('/home/me/audit.csv');
    expect(withCsvExtension('C:\\Users\\me\\log.txt')).toBe('C:\\Users\\me\\log.txt');
    expect(withCsvExtension('/home/my.folder/audit')).toBe('/home/my.folder/audit.csv');
  });
});
