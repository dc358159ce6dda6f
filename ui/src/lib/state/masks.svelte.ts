// A masked copy's key, as the page knows it: the fingerprint and where the key is kept (never
// the key), for the file it was looked up for; and, where no system keyring answers, the key
// file the user chose, passed with each run and validation. One instance (`maskKey`).
import type { MaskKeyStatus } from '../ipc';

export class MaskKeyState {
  status: MaskKeyStatus | null = $state(null);
  /** The SQLite file `status` is of. */
  source: string | null = $state(null);
  /** A key file chosen for this session's runs of `source` (no keyring keeps the key). */
  keyFile: string | null = $state(null);

  /** The key file to pass with a run of `path`, if one was chosen for it. */
  fileFor(path: string | null | undefined): string | null {
    return path && path === this.source ? this.keyFile : null;
  }

  /** The file whose key is being looked up (not reactive: views' effects call `lookUp`). */
  #pending: string | null = null;

  /** Looks `path`'s key up with `fetch` once (not again while it is under way, nor once
   * known); the answer is kept unless another file was opened meanwhile. */
  async lookUp(path: string, fetch: (path: string) => Promise<MaskKeyStatus>): Promise<void> {
    this.follow(path);
    if (this.status || this.#pending === path) return;
    this.#pending = path;
    try {
      const s = await fetch(path);
      if (this.source === path) this.status = s;
    } finally {
      if (this.#pending === path) this.#pending = null;
    }
  }

  /** Starts afresh for another file. */
  follow(path: string | null): void {
    if (path === this.source) return;
    this.source = path;
    this.status = null;
    this.keyFile = null;
  }
}

export const maskKey = new MaskKeyState();
