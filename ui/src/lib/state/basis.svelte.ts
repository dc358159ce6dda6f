// The basis every result is made on, now: which opening of the source file and which target.
// Results depending on them (state/checks, state/run) keep the basis they were asked on and
// hide once it no longer holds (lib/depends.ts).
import { holds, targetKey, type Basis, type Dependency } from '../depends';
import { source } from './source.svelte';
import { target } from './target.svelte';

export type { Basis, Dependency };

/** The file and target as they are now (reactive: read in a `$derived`, it follows them). */
export function basisNow(): Basis {
  return { source: source.generation, target: targetKey(target.fields) };
}

/** Whether a result made on `made` still holds for the file and target as they are now. */
export function stillHolds(made: Basis | null, on: readonly Dependency[]): boolean {
  return holds(made, basisNow(), on);
}
