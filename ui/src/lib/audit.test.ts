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
  // The cases: "jobs: 2, backup_source", "rows_checked: 20000" read as sentences.
  it.each([
    [{ jobs: 2, backup_source: true }, 'migrate', '2 tables at a time; backed up the source first.'],
    [{ backup_source: true, jobs: 1 }, 'migrate', 'Backed up the source first; 1 table at a time.'],
    [{ jobs: 2, backup_source: false, resume: true }, 'migrate', '2 tables at a time; continued the run that had stopped.'],
    [{ jobs: 2, strict: true, out: '/home/me/.local/share/ferry/backups', schema: 'sales' }, 'migrate', '2 tables at a time; stopped at the first refused value (strict); into backups; schema sales.'],
    [{ dialect: 'postgres', ready: true, rows_checked: 20000 }, 'preflight', 'Ready to migrate; checked 20,000 rows for PostgreSQL.'],
    [{ dialect: 'mariadb', unresolved: 3, rows_checked: 1 }, 'preflight', '3 groups of refused values left to decide; checked 1 row for MariaDB.'],
    [{ run: '20260504-094107', clean: true }, 'validate', 'Run 20260504-094107; the target matches the source.'],
    [{ run: '20260504-094107', mismatches: 12 }, 'validate', 'Run 20260504-094107; 12 differences found.'],
    [{ backup: '/b/shop.dump', replace: true }, 'restore', 'From shop.dump; replacing what was there.'],
    [{ run: 'r1', report: '/runs/r1/report.json', force: true }, 'rollback', 'Run r1; report report.json; forced, though rows were written since the run.'],
    [{ jobs: 1, masked_copy: true, mask_key_fingerprint: 'f99a71b5a5fe' }, 'migrate', '1 table at a time; a masked copy; mask key f99a71b5a5fe.'],
    [{ batch_rows: 5000, data_only: true }, 'migrate', '5,000 rows per batch; rows only, into tables already there.'],
    [{ some_new_flag: true, level: 3, path: 'C:\\x\\y.txt' }, 'migrate', 'Some new flag; level: 3; path: y.txt.'],
    [{}, 'migrate', ''],
  ])('options %j of %s read %s', (options, action, want) => {
    expect(optionsText(entry({ action, options }))).toBe(want);
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
