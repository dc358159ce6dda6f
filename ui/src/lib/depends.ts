// What a result was made for — the SQLite file (each opening counts: the file may have
// changed on disk) and the target (the database, not the password) — and whether it still
// holds. Results keep the basis they were asked for; one made for another file or target is
// not shown, and a late answer to an earlier question lands on its own, outdated basis.
// Pure, tested; the reactive side is lib/state/.
import type { TargetFields } from './url';

export interface Basis {
  /** The opening of the source file (`Source.generation`). */
  source: number;
  /** The target's identity (`targetKey`). */
  target: string;
}

export type Dependency = 'source' | 'target';

/** The target as an identity: the server, database, user and schema (TLS and the password
 * change how one reaches it, not what it is). */
export function targetKey(f: TargetFields): string {
  return [f.kind, f.host.trim().toLowerCase(), f.port, f.database.trim(), f.user.trim(), f.schema.trim()].join('\u0000');
}

/** Whether a result made on `made` still holds now, for what it depends `on`. */
export function holds(made: Basis | null, now: Basis, on: readonly Dependency[]): boolean {
  if (!made) return false;
  return on.every((d) => made[d] === now[d]);
}
