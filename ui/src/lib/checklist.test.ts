import { describe, expect, it } from 'vitest';
import type { Advice } from './bindings/Advice';
import type { AuditEntry } from './bindings/AuditEntry';
import type { Finding } from './bindings/Finding';
import type { Plan } from './bindings/Plan';
import type { Report } from './bindings/Report';
import type { RunSummary } from './bindings/RunSummary';
import type { Snapshot } from './bindings/Snapshot';
import { evaluate, fromAdvice, latestRun, progress, type Facts } from './checklist';

const SRC = '/data/shop.sqlite';
const TGT = 'postgres://app:pw@db:5432/shop?sslmode=prefer';
const AS_LOGGED = 'postgres://app:***@db:5432/shop?sslmode=prefer';
const SCRATCH = 'postgres://app:***@db:5432/scratch';

const entry = (e: Partial<AuditEntry>): AuditEntry => ({ at: '2026-05-04T10:00:00.000Z', action: 'migrate', options: {}, outcome: 'ok', seconds: 1, ...e });
const table = { target: 't', rows_read: 10, rows_written: 10, seconds: 1, rejected: [], changed: [], rejected_total: 0, changed_total: 0 };

function report(r: Partial<Report> = {}): Report {
  return {
    ferry_version: '0.1.0', source: SRC, target: AS_LOGGED, target_server: 'PostgreSQL 15', started_at: '2026-05-04T11:00:00Z', seconds: 3, tables: { t: table }, warnings: [], notes: [], renames: [],
    phases: { schema: 0.1, data: 1, indexes: 0.2 }, completed: true, created: [{ kind: 'table', schema: 'public', name: 't' }], ...r,
  };
}

function snap(at: string): Snapshot {
  return { taken_at: at, dialect: 'postgres', server: 'PostgreSQL 15', database: 'shop', schema: null, statements: [], indexes: [], tables: [], cache_hit_ratio: 0.995, cache: null, connections: { active: 1, total: 3, max: 100 }, notes: [], stats: null, statements_setup: null, cluster: null };
}

function facts(f: Partial<Facts> = {}): Facts {
  return { source: SRC, target: TGT, audit: [], runs: [], lastRun: null, snapshots: [], ticks: {}, ...f };
}

const state = (f: Facts) => Object.fromEntries(evaluate(f).map((i) => [i.id, i.by ?? '-']));

describe('checklist rules', () => {
  it('starts with nothing done', () => {
    const items = evaluate(facts());
    expect(items.every((i) => !i.done && i.by === null)).toBe(true);
    expect(progress(items)).toBe('0 of 18 done');
  });

  it('ticks itself from what happened to this source and target', () => {
    const audit = [
      entry({ action: 'backup', target: AS_LOGGED, at: '2026-05-04T10:30:00.000Z' }),
      entry({ action: 'migrate', source: SRC, target: SCRATCH, at: '2026-05-04T09:00:00.000Z' }),
      entry({ action: 'rollback', target: SCRATCH, at: '2026-05-04T09:10:00.000Z' }),
      entry({ action: 'migrate', source: SRC, target: AS_LOGGED, at: '2026-05-04T11:00:00.000Z' }),
      entry({ action: 'sync', source: SRC, target: AS_LOGGED, at: '2026-05-04T11:04:00.000Z', options: { dry_run: false, changed: 3 }, message: '3 rows changed.' }),
      entry({ action: 'validate', source: SRC, target: AS_LOGGED, at: '2026-05-04T11:05:00.000Z', options: { clean: true, mismatches: 0 }, message: 'clean: 10 rows compared in 1 tables' }),
    ];
    const items = evaluate(facts({ audit, lastRun: report(), snapshots: [snap('2026-05-04T12:00:00Z')] }));
    expect(Object.fromEntries(items.map((i) => [i.id, i.by ?? '-']))).toEqual({
      backup: 'auto', preflight: '-', dry_run: 'auto', rollback: 'auto', schema: 'auto', data: 'auto', indexes: 'auto', maintenance: '-', final_sync: 'auto', validation: 'auto', switch_url: '-', smoke: '-', monitoring: 'auto',
      statements: '-', tls: '-', archiving: '-', roles: '-', isolation: '-',
    });
    const ev = Object.fromEntries(items.map((i) => [i.id, i.evidence]));
    expect(ev.backup).toBe('Target backup taken 2026-05-04 10:30 UTC.');
    expect(ev.dry_run).toBe(`Run into ${SCRATCH} 2026-05-04 09:00 UTC.`);
    expect(ev.data).toBe('10 rows copied, nothing refused (run of 2026-05-04 11:00 UTC).');
    expect(ev.validation).toBe('Clean 2026-05-04 11:05 UTC: 10 rows compared in 1 tables.');
    expect(ev.final_sync).toBe('Synced 2026-05-04 11:04 UTC: 3 rows changed.');
    expect(ev.monitoring).toBe('Snapshot 2026-05-04 12:00 UTC, cache hit ratio 99.5 %, 3 connections.');
  });

  it.each([
    ['a failed backup is no backup', { audit: [entry({ action: 'backup', target: AS_LOGGED, outcome: 'failed' })] }, 'backup', '-'],
    ['a backup of another target is not this one’s', { audit: [entry({ action: 'backup', target: SCRATCH })] }, 'backup', '-'],
    ['a run into the same target is not a dry run', { audit: [entry({ action: 'migrate', source: SRC, target: AS_LOGGED })] }, 'dry_run', '-'],
    ['a dry run of another file does not count', { audit: [entry({ action: 'migrate', source: '/other.sqlite', target: SCRATCH })] }, 'dry_run', '-'],
    ['a stopped run copied not every row', { lastRun: report({ completed: false, error: 'cancelled by the user' }) }, 'data', '-'],
    ['refused values leave data open', { lastRun: report({ tables: { t: { ...table, rejected_total: 2 } } }) }, 'data', '-'],
    ['a stopped run built no indexes', { lastRun: report({ completed: false }) }, 'indexes', '-'],
    ['mismatches leave validation open', { audit: [entry({ action: 'validate', source: SRC, target: AS_LOGGED, options: { clean: false, mismatches: 3 } })] }, 'validation', '-'],
    ['the newest validation counts', { audit: [entry({ action: 'validate', source: SRC, target: AS_LOGGED, options: { clean: true }, at: '2026-05-04T10:00:00Z' }), entry({ action: 'validate', source: SRC, target: AS_LOGGED, options: { clean: false, mismatches: 1 }, at: '2026-05-04T12:00:00Z' })] }, 'validation', '-'],
    ['a snapshot before the run is not after it', { lastRun: report(), snapshots: [snap('2026-05-04T10:00:00Z')] }, 'monitoring', '-'],
    ['a ready pre-flight of this file ticks it', { audit: [entry({ action: 'preflight', source: SRC, options: { ready: true, unresolved: 0, rows_checked: 10 } })] }, 'preflight', 'auto'],
    ['a pre-flight with groups left open does not', { audit: [entry({ action: 'preflight', source: SRC, options: { ready: false, unresolved: 2 } })] }, 'preflight', '-'],
    ['the newest pre-flight counts', { audit: [entry({ action: 'preflight', source: SRC, options: { ready: true }, at: '2026-05-04T09:00:00Z' }), entry({ action: 'preflight', source: SRC, options: { ready: false, unresolved: 1 }, at: '2026-05-04T12:00:00Z' })] }, 'preflight', '-'],
    ['a pre-flight of another file does not count', { audit: [entry({ action: 'preflight', source: '/other.sqlite', options: { ready: true } })] }, 'preflight', '-'],
    ['a dry run is not the final sync', { lastRun: report(), audit: [entry({ action: 'sync', source: SRC, target: AS_LOGGED, options: { dry_run: true }, at: '2026-05-04T12:00:00Z' })] }, 'final_sync', '-'],
    ['a sync before the last run is not its final sync', { lastRun: report(), audit: [entry({ action: 'sync', source: SRC, target: AS_LOGGED, options: { dry_run: false }, at: '2026-05-04T10:00:00Z' })] }, 'final_sync', '-'],
    ['a failed sync is not done', { lastRun: report(), audit: [entry({ action: 'sync', source: SRC, target: AS_LOGGED, outcome: 'failed', options: { dry_run: false }, at: '2026-05-04T12:00:00Z' })] }, 'final_sync', '-'],
    ['a sync of this file into this target after the run ticks it', { lastRun: report(), audit: [entry({ action: 'sync', source: SRC, target: AS_LOGGED, options: { dry_run: false }, at: '2026-05-04T12:00:00Z' })] }, 'final_sync', 'auto'],
    ['a hand tick counts where Ferry cannot see', { ticks: { smoke: { at: '2026-05-04T13:00:00Z' } } }, 'smoke', 'hand'],
    ['a hand tick stands in for an automatic item', { ticks: { backup: { at: '2026-05-04T13:00:00Z' } } }, 'backup', 'hand'],
  ] as [string, Partial<Facts>, string, string][])('%s', (_name, f, id, want) => {
    expect(state(facts(f))[id]).toBe(want);
  });

  it('says why an item is open', () => {
    const items = evaluate(facts({ audit: [entry({ action: 'validate', source: SRC, target: AS_LOGGED, options: { clean: false, mismatches: 3 } })] }));
    expect(items.find((i) => i.id === 'validation')!.evidence).toBe('The last validation (2026-05-04 10:00 UTC) found 3 mismatches.');
    const hand = evaluate(facts({ ticks: { data: { at: '2026-05-04T13:00:00Z' } }, lastRun: report({ completed: false, error: 'lost' }) })).find((i) => i.id === 'data')!;
    expect(hand.evidence).toBe('Ticked by hand 2026-05-04 13:00 UTC. Ferry saw: The last run stopped early: lost.');
  });

  it('a rolled-back run unticks what it did, as the audit log says (through the run list)', () => {
    const summary = (rolled_back: string | null): RunSummary => ({ id: 'r1', started_at: '2026-05-04T11:00:00Z', source: SRC, target: AS_LOGGED, target_server: '', completed: true, exact: true, tables: 1, rows_written: 10, rejected: 0, changed: 0, seconds: 3, error: null, rolled_back });
    const audit = [entry({ action: 'validate', source: SRC, target: AS_LOGGED, at: '2026-05-04T11:05:00.000Z', options: { clean: true, mismatches: 0 } })];
    const cases: [string | null, Record<string, string>][] = [
      [null, { schema: 'auto', data: 'auto', indexes: 'auto', validation: 'auto' }],
      ['2026-05-04T11:30:00Z', { schema: '-', data: '-', indexes: '-', validation: '-' }],
    ];
    for (const [rolled, want] of cases) {
      const got = state(facts({ audit, runs: [summary(rolled)], lastRun: report() }));
      expect({ schema: got.schema, data: got.data, indexes: got.indexes, validation: got.validation }).toEqual(want);
    }
    const ev = Object.fromEntries(evaluate(facts({ audit, runs: [summary('2026-05-04T11:30:00Z')], lastRun: report() })).map((i) => [i.id, i.evidence]));
    expect(ev.data).toBe('The run of 2026-05-04 11:00 UTC was rolled back 2026-05-04 11:30 UTC: what it made is gone.');
    expect(ev.validation).toBe('The run it validated was rolled back 2026-05-04 11:30 UTC: nothing left to validate.');
  });

  it('a validation older than the last run is not the last run’s', () => {
    const audit = [entry({ action: 'validate', source: SRC, target: AS_LOGGED, at: '2026-05-04T10:00:00.000Z', options: { clean: true } })];
    const item = evaluate(facts({ audit, lastRun: report() })).find((i) => i.id === 'validation')!;
    expect([item.done, item.evidence]).toEqual([false, 'The last validation (2026-05-04 10:00 UTC) is older than the last run: validate again.']);
  });

  it('needs a project: no source or target, nothing automatic', () => {
    const items = evaluate(facts({ source: null, audit: [entry({ action: 'backup', target: AS_LOGGED })] }));
    expect(items.find((i) => i.id === 'backup')!.done).toBe(false);
  });
});

describe('latestRun', () => {
  const run = (id: string, source: string, target: string): RunSummary => ({ id, started_at: id, source, target, target_server: '', completed: true, exact: true, tables: 1, rows_written: 1, rejected: 0, changed: 0, seconds: 1, error: null, rolled_back: null });
  it('picks the newest run of this file into this target', () => {
    const runs = [run('2026-05-01', SRC, AS_LOGGED), run('2026-05-03', SRC, SCRATCH), run('2026-05-02', SRC, 'postgres://app@db/shop'), run('2026-05-04', '/other', AS_LOGGED)];
    expect(latestRun(runs, SRC, TGT)?.id).toBe('2026-05-02');
    expect(latestRun(runs, '/none', TGT)).toBeNull();
  });
});

describe('the guide’s production items, from the advice and the run', () => {
  const finding = (code: string, title: string): Finding => ({ code, scope: 'server', severity: 'warning', title, evidence: 'figures', objects: [], fix_sql: null, fix_setting: null });
  const advice = (codes: string[], more: Partial<Advice> = {}): Advice => ({
    taken_at: '2026-05-04T12:30:00Z', dialect: 'postgres', server: 'PostgreSQL 15.20', database: 'shop', user: 'ferry',
    findings: codes.map((c) => finding(c, `${c} title`)), unchecked: [], ...more,
  });
  const access = { roles: { owner: 'shop_owner', app: 'shop_app', read: 'shop_read', login: true }, isolation: { column: 'tenant_id', setting: 'app.tenant_id', open: [], tables: [{ table: 'orders', by: 'column' as const, column: 'tenant_id', why: 'w' }, { table: 'tenants', by: 'key' as const, column: 'id', why: 'w' }] } };
  const withAccess = (a: object | null, more: Partial<Report> = {}) => report({ plan: { ferry_version: '0.1.0', source: SRC, dialect: 'postgres', tables: [], access: a } as unknown as Plan, ...more });
  const roleMade = (n: string) => ({ kind: 'role' as const, schema: null, name: n });
  const items = ['statements', 'tls', 'archiving', 'roles', 'isolation'];
  const pick = (f: Partial<Facts>) => {
    const s = state(facts(f));
    return Object.fromEntries(items.map((i) => [i, s[i]]));
  };

  it.each<[string, Partial<Facts>, Record<string, string>]>([
    ['no advice, no access: nothing', {}, { statements: '-', tls: '-', archiving: '-', roles: '-', isolation: '-' }],
    ['clean advice on PostgreSQL: statistics, TLS, archiving and roles', { advice: advice([]) }, { statements: 'auto', tls: 'auto', archiving: 'auto', roles: 'auto', isolation: '-' }],
    ['each finding leaves its item open', { advice: advice(['tls_off', 'no_wal_archiving', 'statements_off', 'app_is_superuser']) }, { statements: '-', tls: '-', archiving: '-', roles: '-', isolation: '-' }],
    ['MySQL’s no_wal_archiving is not its archiving; no_binlog is', { advice: advice(['no_wal_archiving'], { dialect: 'mariadb' }) }, { statements: 'auto', tls: 'auto', archiving: 'auto', roles: 'auto', isolation: '-' }],
    ['no_binlog on MariaDB', { advice: advice(['no_binlog'], { dialect: 'mariadb' }) }, { statements: 'auto', tls: 'auto', archiving: '-', roles: 'auto', isolation: '-' }],
    ['a check not made ticks nothing', { advice: advice([], { unchecked: [{ code: 'tls_off', why: 'no privilege to read ssl' }, { code: 'app_is_superuser', why: 'x' }] }) }, { statements: 'auto', tls: '-', archiving: 'auto', roles: '-', isolation: '-' }],
    ['the run made roles and isolation', { lastRun: withAccess(access, { created: [roleMade('shop_owner'), roleMade('shop_app'), roleMade('shop_read')] }) }, { statements: '-', tls: '-', archiving: '-', roles: 'auto', isolation: 'auto' }],
    ['the run’s roles count over a superuser in the advice; its isolation does not', { lastRun: withAccess(access), advice: advice(['app_is_superuser']) }, { statements: 'auto', tls: 'auto', archiving: 'auto', roles: 'auto', isolation: '-' }],
    ['a stopped run made neither', { lastRun: withAccess(access, { completed: false }) }, { statements: '-', tls: '-', archiving: '-', roles: '-', isolation: '-' }],
    ['a rolled-back run’s roles are gone', { lastRun: withAccess(access), runs: [{ id: 'r1', started_at: '2026-05-04T11:00:00Z', source: SRC, target: AS_LOGGED, target_server: '', completed: true, exact: true, tables: 1, rows_written: 10, rejected: 0, changed: 0, seconds: 3, error: null, rolled_back: '2026-05-04T11:30:00Z' }] }, { statements: '-', tls: '-', archiving: '-', roles: '-', isolation: '-' }],
  ])('%s', (_what, f, want) => {
    expect(pick(f)).toEqual(want);
  });

  it('says where each tick came from', () => {
    const ev = (f: Partial<Facts>) => Object.fromEntries(evaluate(facts(f)).map((i) => [i.id, i.evidence]));
    const clean = ev({ advice: advice([]) });
    expect(clean.tls).toBe('The advice of 2026-05-04 12:30 UTC found no tls_off (PostgreSQL 15.20).');
    expect(clean.archiving).toBe('The advice of 2026-05-04 12:30 UTC found no no_wal_archiving (PostgreSQL 15.20).');
    expect(clean.roles).toBe('The advice of 2026-05-04 12:30 UTC found no app_is_superuser (PostgreSQL 15.20): ferry is no superuser.');
    const found = ev({ advice: advice(['tls_off', 'statements_off']) });
    expect(found.tls).toBe('The advice of 2026-05-04 12:30 UTC found tls_off: tls_off title.');
    expect(found.statements).toBe('The advice of 2026-05-04 12:30 UTC found statements_off: statements_off title.');
    expect(ev({}).tls).toBe('Monitor → Advice has not looked at this target yet.');
    expect(ev({ advice: advice([], { unchecked: [{ code: 'tls_off', why: 'no privilege' }] }) }).tls).toBe('The advice of 2026-05-04 12:30 UTC could not check tls_off: no privilege.');
    const run = ev({ lastRun: withAccess({ ...access, isolation: { ...access.isolation, open: ['audit_log: no tenant_id'] } }, { created: [roleMade('shop_app')] }) });
    expect(run.roles).toBe('Roles shop_owner, shop_app and shop_read made (shop_app) and granted by the run of 2026-05-04 11:00 UTC, with login users.');
    expect(run.isolation).toBe('Row-level security by tenant_id on 2 tables (setting app.tenant_id), made by the run of 2026-05-04 11:00 UTC; 1 table not isolated: see Production → Access.');
    expect(ev({ lastRun: withAccess(access), advice: advice(['app_is_superuser']) }).isolation).toBe(
      'Row-level security by tenant_id was made by the run of 2026-05-04 11:00 UTC, but the advice of 2026-05-04 12:30 UTC found app_is_superuser: app_is_superuser title — a superuser passes every policy.',
    );
    expect(ev({ advice: advice([], { dialect: 'mariadb' }) }).isolation).toBe('MySQL and MariaDB have no row-level security: tick it by hand once the application keeps tenants apart.');
    expect(fromAdvice(null, 'tls_off').done).toBe(false);
  });
});
