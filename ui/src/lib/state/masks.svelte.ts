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

  /** Starts afresh for another file. */
  follow(path: string | null): void {
    if (path === this.source) return;
    this.source = path;
    this.status = null;
    this.keyFile = null;
  }
}

export const maskKey = new MaskKeyState();
