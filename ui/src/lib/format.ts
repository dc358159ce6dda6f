// Numbers, sizes and durations as the views show them.

/** 98311 → "98,311". */
export function n(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** 1536 → "1.5 KiB": powers of 1024, named as such (KiB, MiB, GiB), as the engine's report does. */
export function bytes(b: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n(v)} bytes` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Seconds → "0.4 s", "12 s", "3 min 05 s", "1 h 02 min". */
export function duration(s: number): string {
  if (!isFinite(s) || s < 0) return '—';
  if (s < 10) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 60) return `${whole} s`;
  const m = Math.floor(whole / 60);
  if (m < 60) return `${m} min ${String(whole - m * 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m - h * 60).padStart(2, '0')} min`;
}

/** A noun's plural by the English rule: index → indexes, entry → entries, row → rows. */
export function pluralOf(one: string): string {
  if (/(s|x|z|ch|sh)$/.test(one)) return `${one}es`;
  if (/[^aeiou]y$/.test(one)) return `${one.slice(0, -1)}ies`;
  return `${one}s`;
}

/**
 * A count with its noun: plural(1, 'row') = "1 row", plural(20000, 'row') = "20,000 rows".
 * `many` when the plural is not the rule's ("row was" / "rows were", "child" / "children").
 */
export function plural(x: number, one: string, many?: string): string {
  return `${n(x)} ${x === 1 ? one : (many ?? pluralOf(one))}`;
}

/** A target dialect as people name it: postgres → "PostgreSQL", mariadb → "MariaDB". */
export function dialectName(d: string | null | undefined): string {
  const names: Record<string, string> = { postgres: 'PostgreSQL', mysql: 'MySQL', mariadb: 'MariaDB' };
  return d ? (names[d] ?? d) : '';
}

/** A JSON value from a report (a row key, a refused value) as one line of text. */
export function jsonText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** One example's row key as text: `id = 3`, `a = 1, b = x`; anything else as JSON. */
export function rowKey(row: unknown): string {
  if (row && typeof row === 'object' && !Array.isArray(row)) {
    const parts = Object.entries(row as Record<string, unknown>).map(([k, v]) => `${k} = ${jsonText(v)}`);
    if (parts.length) return parts.join(', ');
  }
  return jsonText(row);
}

/** An engine's message as a sentence: "the MySQL/MariaDB server … Check the user name and
 * password" → "The MySQL/MariaDB server … Check the user name and password." A first word
 * that is a name (pg_dump, sqlite3, a path) keeps its case. */
export function sentence(message: string): string {
  let s = message.trim();
  if (/^[a-z]+[\s,]/.test(s)) s = s[0].toUpperCase() + s.slice(1);
  if (/[\p{L}\p{N}]$/u.test(s)) s += '.';
  return s;
}
