// The SQLite file to migrate: what opening it read, and a file waiting to be opened.
// One instance (`source`), reactive (Svelte 5 runes), shared by every view.
import type { SourceView } from '../ipc';

export class Source {
  /** The open file's schema and column profiles; null until one opens. */
  file: SourceView | null = $state(null);
  /** A file to open as soon as the Connections view can (the app's start argument). */
  pendingOpen: string | null = $state(null);
}

export const source = new Source();
