// Closing the window while a migration runs asks first: the run would stop half-way.

/** Installs the guard; returns a function that removes it. */
export function confirmCloseDuringRun(running: () => boolean): () => void {
  let unlisten: (() => void) | null = null;
  let stopped = false;
  import('@tauri-apps/api/window')
    .then(async ({ getCurrentWindow }) => {
      const w = getCurrentWindow();
      const off = await w.onCloseRequested((event) => {
        if (running() && !window.confirm('A migration is running. Close Ferry and stop it? The target keeps what was written so far; the report of this run will be incomplete.')) {
          event.preventDefault();
        }
      });
      if (stopped) off();
      else unlisten = off;
    })
    .catch(() => {
      // Not inside Tauri (the front end alone in a browser): nothing to guard.
    });
  return () => {
    stopped = true;
    unlisten?.();
  };
}
