import { describe, expect, it } from 'vitest';
import type { Plan } from './bindings/Plan';
import type { Report } from './bindings/Report';
import { MaskKeyState } from './state/masks.svelte';
import { CHOSEN, RULES, clearMasks, keyLine, maskSummary, planMasks, reportMasked, ruleParts, ruleText, setMask, summaryText } from './masks';

/** customers (email, name, city, a key), orders (a note), and a skipped table with a mask. */
function plan(): Plan {
  const col = (source: string, mask: string | null, why: string | null, type = 'text') => ({ source, target: source, type, reason: 'declared', mask, mask_why: why });
  return {
    ferry_version: '0.1.0',
    source: '/data/shop.sqlite',
    dialect: 'postgres',
    safe_copy: true,
    tables: [
      { source: 'customers', target: 'customers', columns: [col('id', 'clear', 'a key: masked only when asked'), col('email', 'email', 'email addresses: 200 of 200 sampled values'), col('full_name', 'name', 'its name says a person’s name'), col('city', 'clear', 'nothing personal in its name or in 200 sampled values'), col('born', null, null, 'date')] },
      { source: 'orders', target: 'orders', columns: [col('note', 'text', 'free text')] },
      { source: 'old_people', target: 'old_people', skip: true, columns: [col('email', 'email', 'email addresses')] },
    ],
  } as Plan;
}

describe('rules read and write back as the plan spells them', () => {
  it.each([
    ['email', 'email', null, 'email'],
    ['keep_last:4', 'keep_last', 4, 'keep_last:4'],
    ['shift_days:±30', 'shift_days', 30, 'shift_days:±30'],
    ['shift_days:+-7', 'shift_days', 7, 'shift_days:±7'],
    ['noise:±10%', 'noise', 10, 'noise:±10%'],
    ['noise:5', 'noise', 5, 'noise:±5%'],
    [' clear ', 'clear', null, 'clear'],
  ])('%j → %s %j → %s', (text, name, num, back) => {
    expect(ruleParts(text)).toEqual({ name, n: num });
    expect(ruleText(name, num)).toBe(back);
  });
  it.each([
    [null, { name: '', n: null }],
    ['', { name: '', n: null }],
    ['keep_last:x', { name: 'keep_last', n: null }],
    ['noise:2.5%', { name: 'noise', n: null }],
  ])('%j reads as %j (the engine refuses what is wrong)', (text, want) => expect(ruleParts(text)).toEqual(want));
  it('a rule that takes a number and has none gets its default', () => {
    expect([ruleText('keep_last', null), ruleText('shift_days', null), ruleText('noise', null)]).toEqual(['keep_last:4', 'shift_days:±30', 'noise:±10%']);
  });
  it('the select offers every rule the engine names', () => {
    // Rule::NAMES: "clear, email, name, phone, text, ip, json, hash, null, keep_last:N, shift_days:±N, noise:±P%"
    expect(RULES.map((r) => r.name)).toEqual(['clear', 'email', 'name', 'phone', 'text', 'ip', 'json', 'hash', 'null', 'keep_last', 'shift_days', 'noise']);
    expect(RULES.filter((r) => r.param).map((r) => [r.name, r.param?.max])).toEqual([['keep_last', 1000], ['shift_days', 36500], ['noise', 99]]);
  });
});

describe('what a plan masks and leaves in clear', () => {
  it('lists masked and clear columns with their evidence, skipped tables aside', () => {
    const s = maskSummary(plan());
    expect(s.masked.map((m) => `${m.table}.${m.column}=${m.rule}`)).toEqual(['customers.email=email', 'customers.full_name=name', 'orders.note=text']);
    expect(s.clear.map((m) => `${m.table}.${m.column}`)).toEqual(['customers.id', 'customers.city']);
    expect(s.masked[0].why).toBe('email addresses: 200 of 200 sampled values');
    expect(s.safeCopy).toBe(true);
    expect(summaryText(s)).toBe('3 columns masked, 2 left in clear');
    expect(planMasks(plan())).toBe(true);
  });
  it.each([
    ['no plan', null, '0 columns masked, 0 left in clear', false],
    ['only clear', { ...plan(), tables: [plan().tables[0]].map((t) => ({ ...t, columns: t.columns.filter((c) => c.mask === 'clear') })) }, '0 columns masked, 2 left in clear', false],
    ['one masked', { ...plan(), tables: [plan().tables[1]] }, '1 column masked, 0 left in clear', true],
  ])('%s', (_what, p, text, masks) => {
    expect(summaryText(maskSummary(p as Plan | null))).toBe(text);
    expect(planMasks(p as Plan | null)).toBe(masks);
  });
  it('turning masks off leaves no mask, no evidence and no safe copy', () => {
    const off = clearMasks(plan());
    expect(off.safe_copy).toBe(false);
    expect(off.tables.flatMap((t) => t.columns).every((c) => c.mask === null && c.mask_why === null)).toBe(true);
    expect(maskSummary(off)).toEqual({ masked: [], clear: [], safeCopy: false });
    expect(plan().tables[0].columns[1].mask).toBe('email');
  });
});

describe('a rule the user chooses', () => {
  const col = (p: Plan, t: string, c: string) => p.tables.find((x) => x.source === t)!.columns.find((x) => x.source === c)!;
  it('says it was chosen, and what was proposed, once', () => {
    const p1 = setMask(plan(), 'customers', 'city', 'text');
    expect(col(p1, 'customers', 'city')).toMatchObject({ mask: 'text', mask_why: `${CHOSEN} (proposed “clear”: nothing personal in its name or in 200 sampled values)` });
    const p2 = setMask(p1, 'customers', 'city', 'keep_last:2');
    expect(col(p2, 'customers', 'city').mask_why).toBe(col(p1, 'customers', 'city').mask_why);
    expect(col(setMask(plan(), 'customers', 'born', 'shift_days:±30'), 'customers', 'born')).toMatchObject({ mask: 'shift_days:±30', mask_why: CHOSEN });
    expect(col(setMask(plan(), 'customers', 'email', null), 'customers', 'email')).toMatchObject({ mask: null, mask_why: null });
    // The same rule again changes nothing; other columns stay.
    expect(setMask(plan(), 'customers', 'email', 'email')).toEqual(plan());
    expect(col(p1, 'customers', 'email')).toEqual(col(plan(), 'customers', 'email'));
  });
});

describe('the key line', () => {
  const k = (fingerprint: string | null, kept_in: string | null, keyring = true) => ({ fingerprint, kept_in, keyring, keyring_detail: keyring ? null : 'No keyring service (GNOME Keyring or KWallet) is running, so the password will not be remembered: Ferry asks for it each time.' });
  it.each([
    ['looking', null, null, 'warn', 'Looking for the mask key…'],
    ['in the keyring', k('f99a71b5a5fe', 'keyring'), null, 'ok', 'fingerprint f99a71b5a5fe, kept in the system keyring'],
    ['none yet', k(null, null), null, 'warn', 'No key yet: make one (kept in the system keyring) or use the key file your team shares.'],
    ['no keyring', k(null, null, false), null, 'error', 'No keyring service (GNOME Keyring or KWallet) is running, so the password will not be remembered: Ferry asks for it each time. Give a key file for the run (“Use a key file…”).'],
    ['a key file', k('0a1b2c3d4e5f', 'file', false), '/keys/staging.key', 'ok', 'fingerprint 0a1b2c3d4e5f, from the key file /keys/staging.key (given with each run: no keyring keeps it here)'],
  ])('%s', (_what, status, file, tone, text) => expect(keyLine(status, file)).toEqual({ tone, text }));
});

describe('a report’s masked columns', () => {
  it('only for a masked copy', () => {
    const t = (masked: { column: string; rule: string; values: number }[]) => ({ target: 'x', rows_read: 1, rows_written: 1, seconds: 0, rejected: [], changed: [], rejected_total: 0, changed_total: 0, masked });
    const r = { mask_key_fingerprint: 'f99a71b5a5fe', tables: { customers: t([{ column: 'email', rule: 'email', values: 1500 }]), orders: t([]) } } as unknown as Report;
    expect(reportMasked(r).map((m) => `${m.table}.${m.col.column}:${m.col.values}`)).toEqual(['customers.email:1500']);
    expect(reportMasked({ ...r, mask_key_fingerprint: null })).toEqual([]);
    expect(reportMasked(null)).toEqual([]);
  });
});

describe('the key is looked up once per file', () => {
  const status = (fingerprint: string) => ({ fingerprint, kept_in: 'keyring', keyring: true, keyring_detail: null });
  it('not again while under way or once known; an answer for a file no longer open is dropped', async () => {
    const k = new MaskKeyState();
    const asked: string[] = [];
    let answer: (() => void)[] = [];
    const fetch = (p: string) => {
      asked.push(p);
      return new Promise<ReturnType<typeof status>>((resolve) => answer.push(() => resolve(status(`fp-${p}`))));
    };
    const a = k.lookUp('/a.sqlite', fetch);
    const again = k.lookUp('/a.sqlite', fetch);
    expect(asked).toEqual(['/a.sqlite']);
    answer.forEach((f) => f());
    await Promise.all([a, again]);
    expect(k.status?.fingerprint).toBe('fp-/a.sqlite');
    await k.lookUp('/a.sqlite', fetch);
    expect(asked).toEqual(['/a.sqlite']);
    // Another file: asked afresh; the file changes before the answer comes: not kept.
    answer = [];
    k.keyFile = '/keys/a.key';
    const b = k.lookUp('/b.sqlite', fetch);
    expect([k.status, k.keyFile]).toEqual([null, null]);
    k.follow('/c.sqlite');
    answer.forEach((f) => f());
    await b;
    expect([k.source, k.status]).toEqual(['/c.sqlite', null]);
    expect(k.fileFor('/c.sqlite')).toBe(null);
    k.keyFile = '/keys/c.key';
    expect([k.fileFor('/c.sqlite'), k.fileFor('/a.sqlite'), k.fileFor(null)]).toEqual(['/keys/c.key', null, null]);
  });
});
