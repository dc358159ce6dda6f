// A masked copy in the app, kept free of Svelte so it can be tested with tables of cases:
// the rules the engine knows (crate::mask::Rule) as the column row's select offers them, a
// rule read into its name and number and written back as the plan spells it, what a plan
// masks and leaves in clear (each with its evidence), turning masks off, and the key line.
// Which rule fits a column, and every refusal, is the engine's (check_mask).
import type { MaskKeyStatus } from './bindings/MaskKeyStatus';
import type { MaskedColumn } from './bindings/MaskedColumn';
import type { Plan } from './bindings/Plan';
import type { Report } from './bindings/Report';
import { n, plural } from './format';

/** A rule's name, its label in the select, and the number it takes (if any). */
export interface RuleChoice {
  name: string;
  label: string;
  /** `keep_last:N`, `shift_days:±N`, `noise:±P%`: what N is, its default and its bounds. */
  param: { what: string; default: number; max: number } | null;
}

/** Every rule of `Rule::NAMES`, in its order. */
export const RULES: RuleChoice[] = [
  { name: 'clear', label: 'clear (as it is)', param: null },
  { name: 'email', label: 'email', param: null },
  { name: 'name', label: 'name', param: null },
  { name: 'phone', label: 'phone', param: null },
  { name: 'text', label: 'text', param: null },
  { name: 'ip', label: 'ip address', param: null },
  { name: 'json', label: 'json', param: null },
  { name: 'hash', label: 'hash', param: null },
  { name: 'null', label: 'null', param: null },
  { name: 'keep_last', label: 'keep last N', param: { what: 'characters kept', default: 4, max: 1000 } },
  { name: 'shift_days', label: 'shift days ±N', param: { what: 'days at most', default: 30, max: 36_500 } },
  { name: 'noise', label: 'noise ±P%', param: { what: 'percent at most', default: 10, max: 99 } },
];

export function ruleChoice(name: string): RuleChoice | undefined {
  return RULES.find((r) => r.name === name);
}

/** A rule as the plan spells it (`keep_last:4`, `shift_days:±30`, `noise:±10%`, `email`),
 * read into its name and number; `''` for no mask. The engine judges what is valid. */
export function ruleParts(mask: string | null | undefined): { name: string; n: number | null } {
  const s = (mask ?? '').trim();
  if (!s) return { name: '', n: null };
  const i = s.indexOf(':');
  if (i < 0) return { name: s, n: null };
  const digits = s.slice(i + 1).trim().replace(/^±|^\+-/, '').replace(/%$/, '');
  const num = /^\d+$/.test(digits) ? Number(digits) : null;
  return { name: s.slice(0, i).trim(), n: num };
}

/** A rule written as the plan spells it: `keep_last:4`, `shift_days:±30`, `noise:±10%`. A
 * rule with a number and none given takes its default. */
export function ruleText(name: string, num: number | null): string {
  const c = ruleChoice(name);
  if (!c?.param) return name;
  const v = num ?? c.param.default;
  if (name === 'keep_last') return `keep_last:${v}`;
  if (name === 'shift_days') return `shift_days:±${v}`;
  return `noise:±${v}%`;
}

/** One column of a masked copy, with why its rule was proposed (or chosen). */
export interface MaskLine {
  table: string;
  column: string;
  rule: string;
  why: string;
}

export interface MaskSummary {
  /** Columns masked (a rule other than `clear`). */
  masked: MaskLine[];
  /** Columns the plan says to copy in clear (`mask = "clear"`). */
  clear: MaskLine[];
  /** Whether the plan is a safe copy (text copied only when the plan says so). */
  safeCopy: boolean;
}

/** What `plan` masks and leaves in clear, table by table (skipped tables aside). */
export function maskSummary(plan: Plan | null | undefined): MaskSummary {
  const out: MaskSummary = { masked: [], clear: [], safeCopy: !!plan?.safe_copy };
  for (const t of plan?.tables ?? []) {
    if (t.skip) continue;
    for (const c of t.columns) {
      if (!c.mask) continue;
      const line = { table: t.source, column: c.source, rule: c.mask, why: c.mask_why ?? '' };
      (c.mask === 'clear' ? out.clear : out.masked).push(line);
    }
  }
  return out;
}

/** Whether a run of `plan` masks anything, and so needs the key. */
export function planMasks(plan: Plan | null | undefined): boolean {
  return maskSummary(plan).masked.length > 0;
}

/** "7 columns masked, 12 left in clear". */
export function summaryText(s: MaskSummary): string {
  return `${plural(s.masked.length, 'column')} masked, ${n(s.clear.length)} left in clear`;
}

/** `plan` with no mask anywhere and no safe copy: a plain copy again. */
export function clearMasks(plan: Plan): Plan {
  return {
    ...plan,
    safe_copy: false,
    tables: plan.tables.map((t) => ({ ...t, columns: t.columns.map((c) => ({ ...c, mask: null, mask_why: null })) })),
  };
}

/** Words for a rule the user chose: the proposal it replaced, said once. */
export const CHOSEN = 'chosen by you';

/** `plan` with `table.column` masked by `rule` (a valid rule, as the engine wrote it; null
 * for no mask), its reason saying it was chosen, and what was proposed. */
export function setMask(plan: Plan, table: string, column: string, rule: string | null): Plan {
  return {
    ...plan,
    tables: plan.tables.map((t) =>
      t.source !== table
        ? t
        : {
            ...t,
            columns: t.columns.map((c) => {
              if (c.source !== column || (c.mask ?? null) === rule) return c;
              const before = c.mask_why ?? '';
              const why = before.startsWith(CHOSEN) ? before : c.mask ? `${CHOSEN} (proposed “${c.mask}”${before ? `: ${before}` : ''})` : CHOSEN;
              return { ...c, mask: rule, mask_why: rule === null ? null : why };
            }),
          },
    ),
  };
}

/** The key line's words: whose fingerprint, where it is kept, or what to do. */
export function keyLine(k: MaskKeyStatus | null, keyFile: string | null): { tone: 'ok' | 'warn' | 'error'; text: string } {
  if (!k) return { tone: 'warn', text: 'Looking for the mask key…' };
  if (k.fingerprint && k.kept_in === 'keyring') return { tone: 'ok', text: `fingerprint ${k.fingerprint}, kept in the system keyring` };
  if (k.fingerprint && keyFile) return { tone: 'ok', text: `fingerprint ${k.fingerprint}, from the key file ${keyFile} (given with each run: no keyring keeps it here)` };
  if (!k.keyring) return { tone: 'error', text: `${k.keyring_detail ?? 'No system keyring answers here.'} Give a key file for the run (“Use a key file…”).` };
  return { tone: 'warn', text: 'No key yet: make one (kept in the system keyring) or use the key file your team shares.' };
}

/** A masked report's columns, table by table, with their values masked. */
export function reportMasked(r: Report | null | undefined): { table: string; col: MaskedColumn }[] {
  if (!r?.mask_key_fingerprint) return [];
  return Object.entries(r.tables).flatMap(([table, t]) => (t.masked ?? []).map((col) => ({ table, col })));
}
