// The front end's door to the window it runs in: the window's close button, files dropped
// on the webview. `ipc.ts` is the door to Ferry's commands (the file dialogs too: the shell
// shows them, to record what the user chose); this is the door to Tauri's own APIs
// (`@tauri-apps/api/window`, `/webview`), so views and stores name no Tauri module. Each is
// imported when first used, and outside Tauri (the front end alone in a browser) the
// listeners do nothing. The e2e tests mock
// all of it below these modules, at `window.__TAURI_INTERNALS__` (tests/mock-ipc.ts).

// --- listeners --------------------------------------------------------------------------

/** Starts a Tauri listener that resolves to its remover; returns a remover that works
 * whenever it is called, before the listener is in place or after, and a no-op when
 * the listener could not start (not inside Tauri). */
function listening(start: () => Promise<() => void>): () => void {
  let unlisten: (() => void) | null = null;
  let stopped = false;
  start()
    .then((off) => {
      if (stopped) off();
      else unlisten = off;
    })
    .catch(() => {
      // Not inside Tauri (the front end alone in a browser): nothing to listen to.
    });
  return () => {
    stopped = true;
    unlisten?.();
  };
}

/** Closing the window while a migration runs asks first: the run would stop half-way.
 * Installs the guard; returns a function that removes it. */
export function confirmCloseDuringRun(running: () => boolean): () => void {
  return listening(async () => {
    const { getCurrentWindow } = await import('@tauri-apps/api/window');
    return getCurrentWindow().onCloseRequested((event) => {
      if (running() && !window.confirm('A migration is running. Close Ferry and stop it? The target keeps what was written so far; the report of this run will be incomplete.')) {
        event.preventDefault();
      }
    });
  });
}

/** Files dragged over the window: `onDragging(true)` while over it, `false` when they
 * leave or drop; `onDrop` gets the first dropped path. Returns a function that stops. */
export function onFileDrop(onDragging: (over: boolean) => void, onDrop: (path: string) => void): () => void {
  return listening(async () => {
    const { getCurrentWebview } = await import('@tauri-apps/api/webview');
    return getCurrentWebview().onDragDropEvent((e) => {
      if (e.payload.type === 'over' || e.payload.type === 'enter') onDragging(true);
      else if (e.payload.type === 'leave') onDragging(false);
      else if (e.payload.type === 'drop') {
        onDragging(false);
        const p = e.payload.paths[0];
        if (p) onDrop(p);
      }
    });
  });
}
