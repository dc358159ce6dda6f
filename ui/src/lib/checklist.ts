// The migration checklist (the guide's, as a view): what to have done before the day, on the
// day, and after. Items Ferry can see tick themselves from what happened to this project's
// source and target (the audit log, the runs, the kept validation and monitor snapshots),
// saying what they saw; the rest are ticked by hand and remembered per project. The guide's
// production items (query statistics, TLS, archiving, roles, isolation) tick from the latest
// advice Monitor asked for the target, and from the roles and row-level security the last
// run made. Pure, tested.
import type { Advice } from './bindings/Advice';
import type { AuditEntry } from './bindings/AuditEntry';
import type { ManualTick } from './bindings/ManualTick';
import type { Report } from './bindings/Report';
import type { RunSummary } from './bindings/RunSummary';
import type { Snapshot } from './bindings/Snapshot';
import { sameTarget } from './audit';
import { n, plural } from './format';
import { baseName, totalWritten, when } from './report';

export type Phase = 'before' | 'day' | 'after';

export const PHASE_LABEL: Record<Phase, string> = { before: 'Before the day', day: 'On the day', after: 'After the run' };

export interface ItemDef {
  id: string;
  phase: Phase;
  label: string;
  /** What to do, and where in the app. */
  hint: string;
  /** Ferry can tell on its own when it is done. */
  auto: boolean;
}

export const ITEMS: ItemDef[] = [
  { id: 'backup', phase: 'before', label: 'A backup of the target is taken', hint: 'Backups → “Back up the target”, just before the run.', auto: true },
  { id: 'preflight', phase: 'before', label: 'Pre-flight is clean', hint: 'Pre-flight → “Run pre-flight”, and choose for every group that would lose rows.', auto: true },
  { id: 'dry_run', phase: 'before', label: 'A dry run went into a scratch database', hint: 'Migrate the same file into a throw-away database first, and read its report.', auto: true },
  { id: 'rollback', phase: 'before', label: 'The way back is ready', hint: 'Know how to undo: rehearse “Roll back this run” or a restore on the scratch database.', auto: true },
  { id: 'schema', phase: 'day', label: 'Schema created', hint: 'The run creates the tables first (Run).', auto: true },
  { id: 'data', phase: 'day', label: 'Every row copied', hint: 'The run copies the rows; its report lists anything refused or changed.', auto: true },
  { id: 'indexes', phase: 'day', label: 'Indexes and constraints built', hint: 'The run builds them after the data.', auto: true },
  { id: 'maintenance', phase: 'day', label: 'The application is in maintenance mode', hint: 'Stop the application writing to the SQLite file (Cutover lists the day’s steps in order).', auto: false },
  { id: 'final_sync', phase: 'day', label: 'The final sync is done', hint: 'Cutover → “Sync now” once the application has stopped writing.', auto: true },
  { id: 'validation', phase: 'day', label: 'Validation is clean', hint: 'Validation → “Validate” compares every row with the source.', auto: true },
  { id: 'switch_url', phase: 'day', label: 'The application uses the new database', hint: 'Switch the application’s database URL to the target, and take it out of maintenance.', auto: false },
  { id: 'smoke', phase: 'day', label: 'A smoke query from the application works', hint: 'Point the application (or a test copy) at the new database and run a real query.', auto: false },
  { id: 'monitoring', phase: 'after', label: 'A monitoring snapshot after the run', hint: 'Monitor → “Take a snapshot” once the application uses the new database.', auto: true },
  { id: 'statements', phase: 'after', label: 'Query statistics are on', hint: 'Monitor → Advice: pg_stat_statements (PostgreSQL) or performance_schema (MySQL/MariaDB); the finding says how.', auto: true },
  { id: 'tls', phase: 'after', label: 'Connections to the database use TLS', hint: 'Monitor → Advice checks it; connect with sslmode=require (or verify-full) once the server has a certificate.', auto: true },
  { id: 'archiving', phase: 'after', label: 'Point-in-time recovery is possible', hint: 'WAL archiving (PostgreSQL) or the binary log (MySQL/MariaDB): Monitor → Advice says what to set.', auto: true },
  { id: 'roles', phase: 'after', label: 'The application has its own role', hint: 'Production → Access → “Make roles”, then migrate: the application connects as a role that reads and writes rows and nothing else.', auto: true },
  { id: 'isolation', phase: 'after', label: 'Tenants are kept to their own rows', hint: 'For a multi-tenant application: Production → Access → “Tenant isolation” (PostgreSQL row-level security).', auto: true },
];

export interface Facts {
  /** The project's SQLite file (its path) and target (any URL form; compared without password). */
  source: string | null;
  target: string | null;
  audit: AuditEntry[];
  runs: RunSummary[];
  /** The report of the latest run of this source into this target, when there is one. */
  lastRun: Report | null;
  snapshots: Snapshot[];
  /** The latest advice Monitor asked for this target, when there is one. */
  advice?: Advice | null;
  ticks: Record<string, ManualTick>;
}

export interface ItemState extends ItemDef {
  done: boolean;
  /** How it was ticked: by Ferry from what it saw, by hand, or not yet. */
  by: 'auto' | 'hand' | null;
  /** What Ferry saw (also when it is not done: why not). */
  evidence: string;
}

const ok = (e: AuditEntry) => e.outcome === 'ok';
const newestFirst = (a: { at: string }, b: { at: string }) => b.at.localeCompare(a.at);

/** The latest run of `source` into `target`, from the list of past runs. */
export function latestRun(runs: RunSummary[], source: string | null, target: string | null): RunSummary | null {
  return runs.filter((r) => r.source === source && sameTarget(r.target, target)).sort((a, b) => b.started_at.localeCompare(a.started_at) || b.id.localeCompare(a.id))[0] ?? null;
}

/** The advice code that says an item is not done, for the advice's server kind. */
const ADVICE_CODE: Record<string, (a: Advice) => string> = {
  statements: () => 'statements_off',
  tls: () => 'tls_off',
  archiving: (a) => (a.dialect === 'postgres' ? 'no_wal_archiving' : 'no_binlog'),
};

/** What the latest advice says of `code`: found (its title), checked and not found, not
 * checked (why), or no advice asked yet. */
export function fromAdvice(a: Advice | null | undefined, code: string): { done: boolean; evidence: string } {
  if (!a) return { done: false, evidence: 'Monitor → Advice has not looked at this target yet.' };
  const of = `The advice of ${when(a.taken_at)}`;
  const found = a.findings.find((f) => f.code === code);
  if (found) return { done: false, evidence: `${of} found ${code}: ${found.title}.` };
  const skipped = a.unchecked.find((u) => u.code === code);
  if (skipped) return { done: false, evidence: `${of} could not check ${code}: ${skipped.why}.` };
  return { done: true, evidence: `${of} found no ${code} (${a.server}).` };
}

/** What Ferry can tell for one item: done with its evidence, or why not (evidence may be ""). */
export function autoCheck(id: string, f: Facts): { done: boolean; evidence: string } {
  const forTarget = f.audit.filter((e) => sameTarget(e.target, f.target)).sort(newestFirst);
  const no = (evidence = '') => ({ done: false, evidence });
  const r = f.lastRun;
  // A run rolled back (the audit log says so, through the run list) made nothing that stays.
  const rolledBack = r ? (latestRun(f.runs, f.source, f.target)?.rolled_back ?? null) : null;
  const gone = () => no(`The run of ${when(r!.started_at)} was rolled back ${when(rolledBack!)}: what it made is gone.`);
  switch (id) {
    case 'backup': {
      const b = forTarget.find((e) => e.action === 'backup' && ok(e));
      return b ? { done: true, evidence: `Target backup taken ${when(b.at)}.` } : no();
    }
    case 'preflight': {
      // The latest pre-flight of this file (it reads only the file: any target of the same kind).
      const p = f.audit.filter((e) => e.action === 'preflight' && e.source === f.source).sort(newestFirst)[0];
      if (!p) return no();
      if (!ok(p)) return no(`The last pre-flight failed: ${p.message ?? 'see the audit log'}.`);
      if (p.options.ready === true) return { done: true, evidence: `Ready to migrate ${when(p.at)}${typeof p.options.rows_checked === 'number' ? ` (${plural(p.options.rows_checked, 'row', 'rows')} checked)` : ''}.` };
      return no(`The last pre-flight (${when(p.at)}) left ${typeof p.options.unresolved === 'number' ? plural(p.options.unresolved, 'group', 'groups') : 'groups'} to choose for.`);
    }
    case 'dry_run': {
      const d = f.audit.filter((e) => e.action === 'migrate' && ok(e) && e.source === f.source && e.target && !sameTarget(e.target, f.target)).sort(newestFirst)[0];
      return d ? { done: true, evidence: `Run into ${d.target} ${when(d.at)}.` } : no();
    }
    case 'rollback': {
      const rb = f.audit.filter((e) => (e.action === 'rollback' || e.action === 'restore') && ok(e)).sort(newestFirst)[0];
      return rb ? { done: true, evidence: `${rb.action === 'rollback' ? 'Rollback' : 'Restore'} done ${when(rb.at)}${rb.target ? ` on ${rb.target}` : ''}.` } : no();
    }
    case 'schema':
      if (!r) return no();
      if (rolledBack) return gone();
      return 'schema' in r.phases || r.created.length > 0 ? { done: true, evidence: `${plural(Object.keys(r.tables).length, 'table', 'tables')} created by the run of ${when(r.started_at)}.` } : no('The last run stopped before creating the tables.');
    case 'data': {
      if (!r) return no();
      if (rolledBack) return gone();
      const refused = Object.values(r.tables).reduce((s, t) => s + Math.max(t.rejected_total, t.rejected.length), 0);
      if (!r.completed) return no(`The last run stopped early${r.error ? `: ${r.error}` : ''}.`);
      if (refused > 0) return no(`The last run refused ${plural(refused, 'value', 'values')}: see its report.`);
      return { done: true, evidence: `${plural(totalWritten(r), 'row', 'rows')} copied, nothing refused (run of ${when(r.started_at)}).` };
    }
    case 'indexes':
      if (!r) return no();
      if (rolledBack) return gone();
      return r.completed && ('indexes' in r.phases || 'constraints' in r.phases) ? { done: true, evidence: `Built by the run of ${when(r.started_at)}.` } : no(r.completed ? '' : 'The last run stopped before building them.');
    case 'validation': {
      const v = forTarget.find((e) => e.action === 'validate' && e.source === f.source);
      if (!v) return no();
      if (rolledBack) return no(`The run it validated was rolled back ${when(rolledBack)}: nothing left to validate.`);
      if (r && Date.parse(v.at) < Date.parse(r.started_at)) return no(`The last validation (${when(v.at)}) is older than the last run: validate again.`);
      if (!ok(v)) return no(`The last validation failed: ${v.message ?? 'see the audit log'}.`);
      if (v.options.clean === true) return { done: true, evidence: `Clean ${when(v.at)}${v.message ? `: ${v.message.replace(/^clean: /, '')}` : ''}.` };
      const m = typeof v.options.mismatches === 'number' ? v.options.mismatches : null;
      return no(`The last validation (${when(v.at)}) found ${m === null ? 'differences' : plural(m, 'mismatch', 'mismatches')}.`);
    }
    case 'final_sync': {
      const syncs = forTarget.filter((e) => e.action === 'sync' && e.source === f.source && e.options.dry_run !== true);
      const s = syncs[0];
      if (!s) return no(forTarget.some((e) => e.action === 'sync' && e.source === f.source) ? 'Only dry runs so far: “Sync now” writes.' : '');
      if (rolledBack) return no(`The run was rolled back ${when(rolledBack)}: nothing left to sync.`);
      if (r && Date.parse(s.at) < Date.parse(r.started_at)) return no(`The last sync (${when(s.at)}) is older than the last run: sync again.`);
      if (!ok(s)) return no(`The last sync failed: ${s.message ?? 'see the audit log'}.`);
      return { done: true, evidence: `Synced ${when(s.at)}${s.message ? `: ${s.message}` : '.'}` };
    }
    case 'monitoring': {
      const after = r ? Date.parse(r.started_at) : -Infinity;
      const s = f.snapshots.filter((x) => Date.parse(x.taken_at) >= after).sort((a, b) => b.taken_at.localeCompare(a.taken_at))[0];
      if (s) return { done: true, evidence: `Snapshot ${when(s.taken_at)}${s.cache_hit_ratio !== null ? `, cache hit ratio ${(s.cache_hit_ratio * 100).toFixed(1)} %` : ''}${s.connections ? `, ${plural(s.connections.total, 'connection')}` : ''}.` };
      return no(f.snapshots.length ? 'The snapshots kept are older than the last run.' : '');
    }
    case 'statements':
    case 'tls':
    case 'archiving':
      return f.advice ? fromAdvice(f.advice, ADVICE_CODE[id](f.advice)) : no(fromAdvice(null, '').evidence);
    case 'roles': {
      const made = r && r.completed && !rolledBack ? r.plan?.access?.roles : null;
      if (made) {
        const created = r!.created.filter((c) => c.kind === 'role').map((c) => c.name);
        const how = created.length === 3 ? 'made' : created.length ? `made (${created.join(', ')}) and granted` : 'granted';
        return { done: true, evidence: `Roles ${made.owner}, ${made.app} and ${made.read} ${how} by the run of ${when(r!.started_at)}${made.login ? ', with login users' : ''}.` };
      }
      if (r && rolledBack && r.plan?.access?.roles) return gone();
      if (!f.advice) return no();
      const su = fromAdvice(f.advice, 'app_is_superuser');
      if (su.done) return { done: true, evidence: `${su.evidence.replace(/\.$/, '')}: ${f.advice.user} is no superuser.` };
      return su;
    }
    case 'isolation': {
      const iso = r && r.completed && !rolledBack ? r.plan?.access?.isolation : null;
      if (iso) {
        // A superuser passes every policy: the advice says whether the application is one.
        const su = f.advice?.findings.find((x) => x.code === 'app_is_superuser');
        if (su) return no(`Row-level security by ${iso.column} was made by the run of ${when(r!.started_at)}, but the advice of ${when(f.advice!.taken_at)} found app_is_superuser: ${su.title} — a superuser passes every policy.`);
        const open = iso.open?.length ?? 0;
        return { done: true, evidence: `Row-level security by ${iso.column} on ${plural(iso.tables.length, 'table', 'tables')} (setting ${iso.setting}), made by the run of ${when(r!.started_at)}${open ? `; ${plural(open, 'table', 'tables')} not isolated: see Production → Access` : ''}.` };
      }
      if (r && rolledBack && r.plan?.access?.isolation) return gone();
      const server = f.advice?.dialect ?? r?.plan?.dialect;
      if (server && server !== 'postgres') return no('MySQL and MariaDB have no row-level security: tick it by hand once the application keeps tenants apart.');
      return no();
    }
    default:
      return no();
  }
}

/** Every item with its state: ticked by Ferry when it can see it done, else by hand when ticked so. */
export function evaluate(f: Facts): ItemState[] {
  return ITEMS.map((def) => {
    const seen = def.auto && f.source && f.target ? autoCheck(def.id, f) : { done: false, evidence: '' };
    if (seen.done) return { ...def, done: true, by: 'auto', evidence: seen.evidence };
    const hand = f.ticks[def.id];
    if (hand) return { ...def, done: true, by: 'hand', evidence: `Ticked by hand ${when(hand.at)}.${seen.evidence ? ` Ferry saw: ${seen.evidence}` : ''}` };
    return { ...def, done: false, by: null, evidence: seen.evidence };
  });
}

/** "3 of 10 done". */
export function progress(items: ItemState[]): string {
  return `${n(items.filter((i) => i.done).length)} of ${n(items.length)} done`;
}

/** The project's name as the view heads it: "shop.sqlite → postgres://…/shop". */
export function projectLabel(source: string | null, target: string | null): string {
  return `${source ? baseName(source) : 'no file'} → ${target ?? 'no target'}`;
}
