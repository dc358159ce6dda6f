// The SQLite file to migrate: what opening it read, and a file waiting to be opened.
// One instance (`source`), reactive (Svelte 5 runes), shared by every view.
import type { SourceView } from '../ipc';

export class Source {
  #file: SourceView | null = $state(null);
  /** Counts the openings: every result made for the file keeps the one it was made for
   * (lib/depends.ts), so opening another file — or the same one again — retires them. */
  generation = $state(0);
  /** A file to open as soon as the Connections view can (the app's start argument). */
  pendingOpen: string | null = $state(null);

  /** The open file's schema and column profiles; null until one opens. */
  get file(): SourceView | null {
    return this.#file;
  }
  set file(v: SourceView | null) {
    this.#file = v;
    this.generation++;
  }
}

export const source = new Source();
