// The Monitor view's logic: the series plotted over time from the snapshots kept for a
// target, the statement lists, and how each figure reads. Pure functions, tested.
import type { IndexStat } from './bindings/IndexStat';
import type { Snapshot } from './bindings/Snapshot';
import type { Statement } from './bindings/Statement';
import type { Point } from './chart';
import type { StatsAge } from './bindings/StatsAge';
import type { Cluster } from './bindings/Cluster';
import type { NodeStat } from './bindings/NodeStat';
import type { Routing } from './bindings/Routing';
import { bytes, n, plural } from './format';

export type Unit = 'ratio' | 'count' | 'bytes';

export interface Series {
  id: string;
  label: string;
  unit: Unit;
  points: Point[];
}

/** Milliseconds since the epoch of an RFC 3339 time; NaN when it is not one. */
export function time(iso: string): number {
  return Date.parse(iso);
}

/**
 * The figures plotted over time, oldest first: cache hit ratio, connections (open and
 * active), total size of the tables, and statement calls. A snapshot without a figure
 * (statistics off, nothing read yet) leaves a gap rather than a zero.
 */
export function seriesOf(snaps: Snapshot[]): Series[] {
  const sorted = snaps.filter((s) => Number.isFinite(time(s.taken_at))).sort((a, b) => time(a.taken_at) - time(b.taken_at));
  const of = (f: (s: Snapshot) => number | null | undefined): Point[] =>
    sorted.flatMap((s) => {
      const v = f(s);
      return v === null || v === undefined || !Number.isFinite(v) ? [] : [{ t: time(s.taken_at), v }];
    });
  return [
    { id: 'cache', label: 'Cache hit ratio', unit: 'ratio', points: of((s) => s.cache_hit_ratio) },
    { id: 'connections', label: 'Open connections', unit: 'count', points: of((s) => s.connections?.total) },
    { id: 'active', label: 'Active connections', unit: 'count', points: of((s) => s.connections?.active) },
    { id: 'size', label: 'Total size (tables and indexes)', unit: 'bytes', points: of((s) => (s.tables.length ? totalBytes(s) : null)) },
    { id: 'calls', label: 'Statement calls (since reset)', unit: 'count', points: of((s) => (s.statements.length ? s.statements.reduce((t, st) => t + st.calls, 0) : null)) },
  ];
}

export function totalBytes(s: Snapshot): number {
  return s.tables.reduce((t, x) => t + x.total_bytes, 0);
}

/** A figure as the axis and the tables show it. */
export function formatValue(unit: Unit, v: number): string {
  if (unit === 'ratio') return `${+(v * 100).toFixed(1)} %`;
  if (unit === 'bytes') return bytes(v);
  return Math.abs(v) >= 10_000 ? compact(v) : n(v);
}

function compact(v: number): string {
  const units = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const;
  for (const [size, s] of units) if (Math.abs(v) >= size) return `${+(v / size).toFixed(1)}${s}`;
  return n(v);
}

/** The `count` slowest statements by total time. */
export function slowest(s: Snapshot, count = 10): Statement[] {
  return [...s.statements].sort((a, b) => b.total_ms - a.total_ms || b.calls - a.calls).slice(0, count);
}

/** The `count` most frequent statements. */
export function mostFrequent(s: Snapshot, count = 10): Statement[] {
  return [...s.statements].sort((a, b) => b.calls - a.calls || b.total_ms - a.total_ms).slice(0, count);
}

/** Indexes, unused ones first (the ones worth a look), then by size. */
export function indexesByConcern(s: Snapshot): IndexStat[] {
  return [...s.indexes].sort((a, b) => Number(b.unused) - Number(a.unused) || (b.size_bytes ?? 0) - (a.size_bytes ?? 0) || a.name.localeCompare(b.name));
}

/** Milliseconds for people: "0.042 ms", "12.3 ms", "4.56 s", "2.0 min". */
export function ms(x: number): string {
  if (x < 1) return `${x.toFixed(3)} ms`;
  if (x < 1000) return `${x.toFixed(1)} ms`;
  if (x < 60_000) return `${(x / 1000).toFixed(2)} s`;
  return `${(x / 60_000).toFixed(1)} min`;
}

/** A statement on one line, cut to `max` characters with "…". */
export function oneLine(q: string, max = 90): string {
  const line = q.split(/\s+/).filter(Boolean).join(' ');
  const chars = [...line];
  return chars.length <= max ? line : chars.slice(0, max - 1).join('') + '…';
}

/** A span for people, as the engine says it: "45 s", "3 min", "2 h 05 min", "3 days". */
export function age(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 2 * 86_400) return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, '0')} min`;
  return `${Math.floor(s / 86_400)} days`;
}

/** "Statistics gathered for 3 min over 12 transactions, since the server started." */
export function statsText(s: StatsAge | null | undefined): string | null {
  if (!s) return null;
  return `Statistics gathered for ${age(s.seconds)} over ${plural(s.transactions, 'transaction')}, since ${s.since}.`;
}

/**
 * Whether the figures mean something yet: not before an hour and 1,000 transactions (the
 * engine's `enough`). A snapshot without the age (kept before Ferry asked) is judged as before.
 */
export function judged(snap: Snapshot): boolean {
  return snap.stats ? snap.stats.enough : true;
}

/** "too early to judge: statistics gathered for 3 min over 12 transactions", or null. */
export function tooEarly(snap: Snapshot): string | null {
  if (judged(snap) || !snap.stats) return null;
  return `too early to judge: statistics gathered for ${age(snap.stats.seconds)} over ${plural(snap.stats.transactions, 'transaction')}`;
}

/**
 * How the cache reads: ≥ 99 % good, ≥ 90 % fair, else low (a tag tone and a word) — once
 * the statistics are old and busy enough to judge by (`judge`); before, no verdict.
 */
export function cacheTone(r: number | null, judge = true): { tone: 'ok' | 'warn' | 'error' | 'info'; label: string } {
  if (r === null) return { tone: 'info', label: 'not measured yet' };
  if (!judge) return { tone: 'info', label: 'too early to judge' };
  if (r >= 0.99) return { tone: 'ok', label: 'good' };
  if (r >= 0.9) return { tone: 'warn', label: 'fair' };
  return { tone: 'error', label: 'low' };
}

/** Allowed auto-refresh periods in seconds. */
export const PERIODS = [10, 30, 60, 300];

/** The snapshot's notes on what was not measured, as the Monitor shows them: the section in
 * words as the title ("statements: …" → "Statements not measured"), and the statements' note
 * left out when the box offering to turn them on says it already. */
export function notesShown(snap: Snapshot): { title: string; text: string }[] {
  return snap.notes
    .map((note) => {
      const m = /^([a-z_ ]+): (?:not measured: )?(.*)$/s.exec(note);
      if (!m) return { section: '', title: 'Not measured', text: note };
      const section = m[1].replaceAll('_', ' ');
      return { section: m[1], title: `${section[0].toUpperCase()}${section.slice(1)} not measured`, text: m[2] };
    })
    .filter((x) => !(snap.statements_setup && x.section === 'statements'))
    .map(({ title, text }) => ({ title, text }));
}

/** How Citus routed a statement's calls, as the engine says it (`Routing::words`):
 *  "one tenant: 7 of 7 calls (1 tenant)", "every shard: 3 of 3 calls", or both. */
export function routingText(r: Routing | null | undefined): string | null {
  if (!r) return null;
  const calls = r.tenant_calls + r.fanout_calls;
  const parts: string[] = [];
  if (r.tenant_calls > 0) parts.push(`one tenant: ${n(r.tenant_calls)} of ${plural(calls, 'call')} (${plural(r.tenants, 'tenant')})`);
  if (r.fanout_calls > 0 || calls === 0) parts.push(`every shard: ${n(r.fanout_calls)} of ${plural(calls, 'call')}`);
  return parts.join('; ');
}

/** Each node with its share of the cluster's bytes (0..1), for a bar; the workers' skew: the
 *  largest worker's bytes over the workers' mean (1 when even; null with fewer than 2 workers
 *  holding data). */
export function nodeShares(c: Cluster): { nodes: (NodeStat & { share: number })[]; skew: number | null } {
  const total = c.nodes.reduce((a, x) => a + x.bytes, 0);
  const nodes = c.nodes.map((x) => ({ ...x, share: total > 0 ? x.bytes / total : 0 }));
  const workers = c.nodes.filter((x) => !x.coordinator).map((x) => x.bytes);
  const mean = workers.reduce((a, b) => a + b, 0) / (workers.length || 1);
  const skew = workers.length >= 2 && mean > 0 ? Math.max(...workers) / mean : null;
  return { nodes, skew };
}
