// The Schema & mapping view's logic, kept free of Svelte so it can be tested with tables of
// cases: what a column's values hold in words, which columns and tables need a look, the
// type choices per dialect, and applying or resetting an override on a plan.
import type { Column } from './bindings/Column';
import type { ColumnPlan } from './bindings/ColumnPlan';
import type { ColumnProfile } from './bindings/ColumnProfile';
import type { Dialect } from './bindings/Dialect';
import type { FkAction } from './bindings/FkAction';
import type { ForeignKey } from './bindings/ForeignKey';
import type { Index } from './bindings/Index';
import type { IpcError } from './bindings/IpcError';
import type { Plan } from './bindings/Plan';
import type { Table } from './bindings/Table';
import type { TablePlan } from './bindings/TablePlan';
import type { TablePreview } from './bindings/TablePreview';
import type { TypeCheck } from './bindings/TypeCheck';
import type { Suggestion } from './bindings/Suggestion';
import type { Transform } from './bindings/Transform';
import { bytes, n, plural } from './format';

/** The key of a column in `plan.overridden` (state/plan.svelte.ts) and the view's own records. */
export function columnKey(table: string, column: string): string {
  return `${table}.${column}`;
}

// --- what the values hold -----------------------------------------------------------------

/** The storage classes found, most frequent first: "980 integers, 20 texts". NULLs apart. */
export function storageSummary(p: ColumnProfile | null | undefined): string {
  if (!p) return 'not profiled';
  const parts: [number, string, string][] = [
    [p.integers, 'integer', 'integers'],
    [p.reals, 'real', 'reals'],
    [p.texts, 'text', 'texts'],
    [p.blobs, 'blob', 'blobs'],
  ];
  const seen = parts.filter(([c]) => c > 0).sort((a, b) => b[0] - a[0]);
  if (seen.length === 0) return p.rows === 0 ? 'no rows' : 'only NULLs';
  return seen.map(([c, one, many]) => plural(c, one, many)).join(', ');
}

/** "3 NULLs", or "" when there are none. */
export function nullSummary(p: ColumnProfile | null | undefined): string {
  if (!p || p.nulls === 0) return '';
  if (p.nulls === p.rows) return 'all NULL';
  return plural(p.nulls, 'NULL', 'NULLs');
}

/** The range of the values: "1 … 98,311", "longest 42 characters", "largest blob 1.5 KiB". */
export function rangeSummary(p: ColumnProfile | null | undefined): string[] {
  if (!p) return [];
  const out: string[] = [];
  if (p.min_integer !== null && p.max_integer !== null) {
    out.push(p.min_integer === p.max_integer ? `integer ${p.min_integer}` : `integers ${p.min_integer} … ${p.max_integer}`);
  }
  if (p.min_real !== null && p.max_real !== null) {
    out.push(p.min_real === p.max_real ? `real ${p.min_real}` : `reals ${p.min_real} … ${p.max_real}`);
  }
  if (p.texts > 0) out.push(`longest text ${plural(p.max_text_chars, 'character', 'characters')}`);
  if (p.blobs > 0) out.push(`largest blob ${bytes(p.max_blob_bytes)}`);
  return out;
}

/** What the texts turned out to be, when most of them are one thing: "all UUIDs". */
export function textShapes(p: ColumnProfile | null | undefined): string {
  if (!p || p.texts === 0) return '';
  const kinds: [number, string][] = [
    [p.text_uuid, 'UUIDs'],
    [p.text_json, 'JSON'],
    [p.text_iso_timestamp, 'ISO timestamps'],
    [p.text_iso_date, 'ISO dates'],
    [p.text_numeric, 'numbers as text'],
    [p.text_bool, 'booleans as text'],
  ];
  const best = kinds.filter(([c]) => c > 0).sort((a, b) => b[0] - a[0])[0];
  if (!best) return '';
  return best[0] === p.texts ? `texts: all ${best[1]}` : `texts: ${n(best[0])} of ${n(p.texts)} ${best[1]}`;
}

/** Things in the values that some target will refuse or change. */
export function valueHazards(p: ColumnProfile | null | undefined): string[] {
  if (!p) return [];
  const out: string[] = [];
  if (p.invalid_utf8 > 0) out.push(`${plural(p.invalid_utf8, 'text is', 'texts are')} not UTF-8`);
  if (p.with_nul > 0) out.push(`${plural(p.with_nul, 'text holds', 'texts hold')} NUL`);
  if (p.infinite_reals > 0) out.push(`${plural(p.infinite_reals, 'infinite real', 'infinite reals')}`);
  if (p.sub_micro > 0) out.push(`${plural(p.sub_micro, 'timestamp', 'timestamps')} finer than microseconds`);
  return out;
}

// --- the target types ---------------------------------------------------------------------

const PG_TYPES = ['bigint', 'integer', 'smallint', 'numeric', 'numeric(12,2)', 'double precision', 'boolean', 'text', 'varchar(255)', 'bytea', 'uuid', 'date', 'timestamptz', 'timestamp', 'jsonb', 'json'];
const MY_TYPES = ['bigint', 'int', 'smallint', 'tinyint(1)', 'decimal(12,2)', 'double', 'varchar(255)', 'longtext', 'text', 'longblob', 'char(36)', 'date', 'datetime(6)', 'json'];

/** The types the override picker offers for a dialect (free text is always allowed too). */
export function typeOptions(dialect: Dialect): string[] {
  return dialect === 'postgres' ? PG_TYPES : MY_TYPES;
}

/** A type as typed by a person, tidied for the check: outer spaces off, inner runs of spaces as one. */
export function normalizeType(t: string): string {
  return t.trim().replace(/\s+/g, ' ');
}

// --- what needs attention -----------------------------------------------------------------

/** Reasons where the values, not the declared type, decided: a suggestion to look at. */
const VALUES_DECIDE = [
  /no declared type/i,
  /values decide/i,
  /but only .* values fit it/i,
  /values exceed/i,
  /longer than \d+/i,
  /have fractions/i,
  /time of day/i,
  /values other than/i,
  /mixed values/i,
];

/** Reasons that say some values will not arrive. */
const WILL_NOT_FIT = [/cannot be carried/i, /will be rejected/i, /will not fit/i, /would be rejected/i];

export type AttentionKind = 'unfit' | 'suggestion' | 'override-rejects';

export interface Attention {
  kind: AttentionKind;
  /** A short label for the tag ("12 will be rejected", "values decided"). */
  label: string;
  /** Tag tone. */
  tone: 'error' | 'warn';
}

/** The reason a taken suggestion leaves (as `ColumnPlan::accept_suggestion` writes it). */
const TAKEN = 'suggestion accepted: ';

/** Whether the column's type is the user's choice: typed over, or a suggestion taken. */
export function isChosen(c: { reason: string }): boolean {
  return c.reason === 'override' || c.reason.startsWith(TAKEN);
}

/** Whether the reason reads as a suggestion drawn from the values (not the declared type). */
export function isSuggestion(reason: string): boolean {
  return !isChosen({ reason }) && VALUES_DECIDE.some((r) => r.test(reason));
}

/**
 * Why a column needs a look, or null when it does not. The rule:
 * - an override with refused values: always (the user chose to lose rows);
 * - refused values (`unfit > 0` or a reason saying values will not fit): until accepted;
 * - a type the values decided (no declared type, or they overruled it): until accepted.
 */
export function columnAttention(c: ColumnPlan, accepted: boolean): Attention | null {
  const unfit = c.unfit ?? 0;
  if (isChosen(c)) {
    return unfit > 0 ? { kind: 'override-rejects', label: `${c.reason === 'override' ? 'override' : 'suggestion taken'} refuses ${n(unfit)}`, tone: 'error' } : null;
  }
  if (accepted) return null;
  const sg = c.suggestion;
  if (sg && suggestionNeedsLook(sg)) {
    return { kind: 'suggestion', label: `suggested: ${sg.type}${sg.transform ? ` (${TRANSFORM_LABEL[sg.transform]})` : ''}`, tone: 'warn' };
  }
  if (unfit > 0 || WILL_NOT_FIT.some((r) => r.test(c.reason))) {
    return { kind: 'unfit', label: unfit > 0 ? `${n(unfit)} will be rejected` : 'values will be rejected', tone: 'error' };
  }
  if (isSuggestion(c.reason)) return { kind: 'suggestion', label: 'values decided', tone: 'warn' };
  return null;
}

/** How many of a table's columns need a look, and whether its preview warns. */
export function tableAttention(t: TablePlan, preview: TablePreview | undefined, accepted: (key: string) => boolean): { columns: number; warnings: number } {
  if (t.skip) return { columns: 0, warnings: 0 };
  const columns = t.columns.filter((c) => columnAttention(c, accepted(columnKey(t.source, c.source))) !== null).length;
  return { columns, warnings: preview?.warnings.length ?? 0 };
}

export function needsAttention(t: TablePlan, preview: TablePreview | undefined, accepted: (key: string) => boolean): boolean {
  const a = tableAttention(t, preview, accepted);
  return a.columns > 0 || a.warnings > 0;
}

/** The tables the list shows: by name (case-insensitive, anywhere in it), and only those that need a look when asked. */
export function filterTables(tables: TablePlan[], query: string, onlyAttention: boolean, attention: (t: TablePlan) => boolean): TablePlan[] {
  const q = query.trim().toLowerCase();
  return tables.filter((t) => (!q || t.source.toLowerCase().includes(q) || t.target.toLowerCase().includes(q)) && (!onlyAttention || attention(t)));
}

// --- overrides ----------------------------------------------------------------------------

function mapColumn(plan: Plan, table: string, column: string, f: (c: ColumnPlan) => ColumnPlan): Plan {
  return {
    ...plan,
    tables: plan.tables.map((t) => (t.source !== table ? t : { ...t, columns: t.columns.map((c) => (c.source === column ? f(c) : c)) })),
  };
}

/** The plan with a column's type overridden; `check` is what `checkType` said about it. A
 * typed-in type carries no transform (the values go in as they are). */
export function applyOverride(plan: Plan, table: string, column: string, type: string, check: TypeCheck): Plan {
  const rejected = check.check?.rejected ?? 0;
  return mapColumn(plan, table, column, (c) => ({ ...c, type, reason: 'override', unfit: rejected, transform: null }));
}

/** The plan with a column's suggestion taken: its type and transform, and the values it
 * cannot hold (rejected by name at load), as `ColumnPlan::accept_suggestion` does in Rust
 * (so one click per column and one for many leave the same plan file). */
export function acceptSuggestion(plan: Plan, table: string, column: string): Plan {
  return mapColumn(plan, table, column, (c) => {
    const s = c.suggestion;
    if (!s) return c;
    return { ...c, type: s.type, transform: s.transform ?? null, unfit: s.unfit ?? 0, reason: `${TAKEN}${s.reason}`, suggestion: null };
  });
}

/** The plan with the proposal kept over a column's suggestion: the suggestion leaves and the
 * reason says so, as `ColumnPlan::keep_proposal` does in Rust. */
export function keepProposal(plan: Plan, table: string, column: string): Plan {
  return mapColumn(plan, table, column, (c) => {
    const s = c.suggestion;
    if (!s) return c;
    return { ...c, reason: `${c.reason}; kept over the suggested ${s.type}`, suggestion: null };
  });
}

/** The plan with a column back as proposed (its suggestion and transform too). */
export function resetColumn(plan: Plan, table: string, column: string, proposed: ColumnPlan): Plan {
  return mapColumn(plan, table, column, (c) => ({
    ...c,
    type: proposed.type,
    reason: proposed.reason,
    unfit: proposed.unfit ?? 0,
    transform: proposed.transform ?? null,
    suggestion: proposed.suggestion ?? null,
  }));
}

/** What each conversion does, in words. */
export const TRANSFORM_LABEL: Record<Transform, string> = {
  epoch_s: 'read as epoch seconds',
  epoch_ms: 'read as epoch milliseconds',
  julian_day: 'read as Julian day',
  bool_01: '0/1 as false/true',
  bool_text: 'words as true/false',
  uuid_text: 'UUID text in any case',
  uuid_blob: '16-byte UUIDs',
  decimal_exact: 'each value checked exactly',
};

/** A suggestion worth the user's look: one that would change the type (an enum candidate only
 * lists values) and is not a long shot. */
/** The tag beside a suggestion: what kind of hint it is, and for the narrower type its cost. */
export function suggestionTag(s: Suggestion): string {
  if (s.kind === 'enum') return 'few distinct values';
  if (s.kind === 'narrower') return `narrower type · rejects ${plural(s.unfit ?? 0, 'value', 'values')}`;
  return `suggested · ${s.confidence} confidence`;
}

export function suggestionNeedsLook(s: Suggestion): boolean {
  return s.kind !== 'enum' && s.confidence !== 'low';
}

/** The plan with a table skipped (or carried again). */
export function setSkip(plan: Plan, table: string, skip: boolean): Plan {
  return { ...plan, tables: plan.tables.map((t) => (t.source === table ? { ...t, skip } : t)) };
}

/** Whether an override can be accepted: the dialect knows the type. Refused values are allowed (the user is told). */
export function canAccept(check: TypeCheck | null): boolean {
  return !!check && check.known;
}

/** The verdict's tone for the notice beside an override. */
export function checkTone(check: TypeCheck): 'ok' | 'warn' | 'error' {
  if (!check.known) return 'error';
  const c = check.check;
  if (!c) return 'ok';
  if (c.rejected > 0) return 'error';
  if (c.changed > 0) return 'warn';
  return 'ok';
}

// --- the source's definitions in words ----------------------------------------------------

const FK_ACTION: Record<FkAction, string> = { no_action: 'no action', restrict: 'restrict', set_null: 'set null', set_default: 'set default', cascade: 'cascade' };

export function describeForeignKey(fk: ForeignKey): string {
  const ref = fk.ref_columns.length ? `${fk.ref_table}(${fk.ref_columns.join(', ')})` : `${fk.ref_table} (its primary key)`;
  const actions = [fk.on_delete !== 'no_action' ? `on delete ${FK_ACTION[fk.on_delete]}` : '', fk.on_update !== 'no_action' ? `on update ${FK_ACTION[fk.on_update]}` : ''].filter(Boolean);
  return `(${fk.columns.join(', ')}) → ${ref}${actions.length ? ' · ' + actions.join(', ') : ''}`;
}

export function describeIndex(ix: Index): string {
  const parts = ix.parts.map((p) => (p.kind === 'column' ? p.name : `(${p.expr})`) + (p.desc ? ' desc' : '')).join(', ');
  return `${ix.unique ? 'unique ' : ''}(${parts})${ix.where_clause ? ` where ${ix.where_clause}` : ''}`;
}

/** The column's own flags: "not null", "default 0", "generated (stored)", "collate nocase". */
export function columnFlags(c: Column, t: Table): string[] {
  const out: string[] = [];
  if (t.primary_key?.columns.includes(c.name)) out.push(t.primary_key.autoincrement ? 'primary key (autoincrement)' : 'primary key');
  if (c.not_null) out.push('not null');
  if (c.default !== null) out.push(`default ${c.default}`);
  if (c.generated) out.push(`generated${c.generated.stored ? ' (stored)' : ''}: ${c.generated.expr}`);
  if (c.collation) out.push(`collate ${c.collation}`);
  return out;
}

/** An error from a command as a person reads it, by kind (never by its text). */
export function errorTitle(e: IpcError): string {
  switch (e.kind) {
    case 'plan_mismatch':
      return 'The plan does not match this SQLite file';
    case 'plan_unreadable':
      return 'The plan file cannot be read';
    case 'io':
      return 'The file could not be written or read';
    case 'no_source':
      return 'No SQLite file is open';
    case 'not_found':
      return 'Not found';
    case 'invalid':
      return 'Not valid';
    default:
      return 'Something went wrong';
  }
}
