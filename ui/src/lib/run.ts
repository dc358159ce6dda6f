// The Run view's state, folded from the engine's event stream: per-table progress with
// rows per second and time left, the current phase, and a log of warnings and refused rows.
import type { Event } from './bindings/Event';
import type { Phase } from './bindings/Phase';
import { n, plural } from './format';

export type TableStatus = 'waiting' | 'loading' | 'done';

export interface TableProgress {
  table: string;
  rows: number;
  done: number;
  rejected: number;
  status: TableStatus;
  /** When it started (ms, the clock `fold` is given). */
  startedAt: number;
  seconds: number;
  rowsPerSecond: number;
  /** Seconds left at the current rate; null until there is a rate. */
  secondsLeft: number | null;
}

export interface LogEntry {
  at: number;
  level: 'warning' | 'rejected' | 'info';
  table: string | null;
  text: string;
}

export interface RunState {
  phase: Phase | null;
  phasesDone: Partial<Record<Phase, number>>;
  tables: Record<string, TableProgress>;
  /** Table names in the order they started. */
  order: string[];
  log: LogEntry[];
  rejected: number;
  warnings: number;
  /** What the run will copy, from the engine before its first batch; null until then. */
  planned: { tables: number; rows: number } | null;
}

/** Log lines kept in memory (the report has them all). */
export const LOG_LIMIT = 500;

export function emptyRun(): RunState {
  return { phase: null, phasesDone: {}, tables: {}, order: [], log: [], rejected: 0, warnings: 0, planned: null };
}

function pushLog(s: RunState, e: LogEntry): void {
  s.log.push(e);
  if (s.log.length > LOG_LIMIT) s.log.splice(0, s.log.length - LOG_LIMIT);
}

/** Applies one event (received at `now`, in ms) to the state, in place; returns it. */
export function fold(s: RunState, e: Event, now: number): RunState {
  switch (e.event) {
    case 'phase_started':
      s.phase = e.data.phase;
      break;
    case 'phase_done':
      s.phasesDone[e.data.phase] = e.data.seconds;
      break;
    case 'planned':
      s.planned = { tables: e.data.tables, rows: e.data.rows };
      break;
    case 'table_started': {
      const t = e.data.table;
      if (!s.tables[t]) s.order.push(t);
      s.tables[t] = { table: t, rows: e.data.rows, done: 0, rejected: 0, status: 'loading', startedAt: now, seconds: 0, rowsPerSecond: 0, secondsLeft: null };
      break;
    }
    case 'progress': {
      const p = s.tables[e.data.table];
      if (!p) break;
      p.done = e.data.rows_done;
      p.rows = Math.max(e.data.rows, p.rows);
      p.seconds = (now - p.startedAt) / 1000;
      p.rowsPerSecond = p.seconds > 0 ? p.done / p.seconds : 0;
      p.secondsLeft = p.rowsPerSecond > 0 ? Math.max(0, (p.rows - p.done) / p.rowsPerSecond) : null;
      break;
    }
    case 'table_done': {
      const p = s.tables[e.data.table] ?? { table: e.data.table, rows: e.data.rows_read, done: 0, rejected: 0, status: 'loading', startedAt: now, seconds: 0, rowsPerSecond: 0, secondsLeft: null };
      if (!s.tables[e.data.table]) s.order.push(e.data.table);
      p.status = 'done';
      p.done = e.data.rows_read;
      p.rows = Math.max(p.rows, e.data.rows_read);
      p.rejected = e.data.rejected;
      p.seconds = e.data.seconds;
      p.rowsPerSecond = e.data.seconds > 0 ? e.data.rows_read / e.data.seconds : 0;
      p.secondsLeft = 0;
      s.tables[e.data.table] = p;
      break;
    }
    case 'warning':
      s.warnings++;
      pushLog(s, { at: now, level: 'warning', table: e.data.table, text: `${e.data.object}: ${e.data.reason}` });
      break;
    case 'rejected':
      s.rejected++;
      if (s.tables[e.data.table]) s.tables[e.data.table].rejected++;
      pushLog(s, { at: now, level: 'rejected', table: e.data.table, text: `${e.data.column ? e.data.column + ': ' : ''}${e.data.reason}` });
      break;
  }
  return s;
}

/**
 * Rows done over rows to do. The total is the engine's plan, sent before the first batch, so
 * it stays put while tables start; before that (or should tables hold more than the source
 * counted), the sum over the tables that have started.
 */
export function overall(s: RunState): { done: number; rows: number } {
  let done = 0;
  let rows = 0;
  for (const t of Object.values(s.tables)) {
    done += t.done;
    rows += t.rows;
  }
  return { done, rows: Math.max(rows, s.planned?.rows ?? 0) };
}

export const PHASE_LABEL: Record<Phase, string> = {
  source: 'Reading the source',
  schema: 'Creating tables',
  data: 'Copying rows',
  indexes: 'Building indexes',
  constraints: 'Adding constraints',
  sequences: 'Setting sequences',
  statistics: 'Gathering statistics',
  views: 'Creating views',
};

/**
 * The Run view's line of totals: rows done over rows to do, tables done, rows refused. Before
 * the engine has counted what it will copy (it does so as the data phase starts), the phase it
 * is in, not "0 of 0 rows".
 */
export function overallText(s: RunState, running: boolean, tables: number): string {
  const refused = s.rejected ? ` · ${plural(s.rejected, 'row refused', 'rows refused')}` : '';
  if (s.planned === null && s.order.length === 0) {
    const before = running ? (s.phase ? PHASE_LABEL[s.phase] : 'Starting') : 'No rows copied';
    return `${before} · ${plural(tables, 'table')} to copy${refused}`;
  }
  const total = overall(s);
  const done = Object.values(s.tables).filter((t) => t.status === 'done').length;
  return `${n(total.done)} of ${plural(total.rows, 'row')} · ${n(done)} of ${plural(tables, 'table')} done${refused}`;
}

/** Where a run stands, as the Run view and the nav say it. */
export type RunStatus = 'idle' | 'running' | 'finished' | 'cancelled' | 'failed' | 'rolled_back';

export const STATUS_LABEL: Record<RunStatus, string> = {
  idle: 'Not started',
  running: 'Running…',
  finished: 'Finished',
  cancelled: 'Cancelled',
  failed: 'Failed',
  rolled_back: 'Rolled back',
};

/** The engine's words for a run stopped by Cancel (`FerryError::Cancelled`). */
export const CANCELLED = 'cancelled by the user';

/** What a run's report says about how it ended. */
export interface Ended {
  completed: boolean;
  error?: string | null;
}

/** The run's status: running; else rolled back once undone; else as its report says —
 * finished, cancelled by the user, or failed (stopped by an error or a refused value under
 * "stop at the first value"). No report and not running: nothing started. */
export function runStatus(running: boolean, report: Ended | null, rolledBack: boolean): RunStatus {
  if (running) return 'running';
  if (!report) return 'idle';
  if (rolledBack) return 'rolled_back';
  if (report.completed && !report.error) return 'finished';
  return report.error?.trim() === CANCELLED ? 'cancelled' : 'failed';
}

/** A run that ended early can be undone from the Run view, when it made anything. */
export function offersUndo(status: RunStatus, created: number): boolean {
  return (status === 'cancelled' || status === 'failed') && created > 0;
}
