// The IPC mock for driving the built front end in headless Chromium: one function that
// installs, before the page's scripts run, a `window.__TAURI_INTERNALS__` whose `invoke`
// answers from a table of command → handler (modelled on @tauri-apps/api/mocks.js, which
// a page script cannot import). Every call is recorded for the test to read.
//
// A handler is either a plain JSON value (returned as is, a fresh copy each call) or a
// function `(args, mock) => value | Promise<value>` that runs IN THE PAGE: it is sent as
// source text, so it may use only its arguments — canned data goes in `data`, reachable as
// `mock.data`. Throwing `{kind, message, detail}` makes the command fail as Rust's would.
// `mock.send(channel, message)` delivers a message to a `Channel` argument (e.g. start_run's
// `onEvent`); `mock.sleep(ms)` waits.
import type { Page } from 'playwright-core';

export interface MockApi<D = unknown> {
  data: D;
  /** Every call so far, in order. */
  calls: { cmd: string; args: Record<string, unknown> }[];
  send(channel: unknown, message: unknown): void;
  sleep(ms: number): Promise<void>;
}

export type Handler<D = any> = ((args: any, mock: MockApi<D>) => unknown) | string | number | boolean | null | object;

export interface MockSpec<D = unknown> {
  data?: D;
  handlers: Record<string, Handler<D>>;
}

/** The page-side installer; runs in the browser before any app script. */
function install(spec: { data: unknown; values: Record<string, string>; fns: Record<string, string> }): void {
  const w = window as any;
  const callbacks = new Map<number, (x: unknown) => void>();
  const channelIndex = new Map<number, number>();
  const handlers: Record<string, (args: any, mock: any) => unknown> = {};
  for (const [cmd, src] of Object.entries(spec.fns)) handlers[cmd] = (0, eval)(`(${src})`);
  for (const [cmd, json] of Object.entries(spec.values)) handlers[cmd] = () => JSON.parse(json);
  const mock = {
    data: spec.data,
    calls: [] as { cmd: string; args: unknown }[],
    send(channel: { id: number }, message: unknown) {
      const i = channelIndex.get(channel.id) ?? 0;
      channelIndex.set(channel.id, i + 1);
      callbacks.get(channel.id)?.({ index: i, message });
    },
    sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)),
  };
  w.__FERRY_MOCK__ = mock;
  w.__TAURI_INTERNALS__ = w.__TAURI_INTERNALS__ ?? {};
  w.__TAURI_EVENT_PLUGIN_INTERNALS__ = w.__TAURI_EVENT_PLUGIN_INTERNALS__ ?? { unregisterListener() {} };
  w.__TAURI_INTERNALS__.metadata = { currentWindow: { label: 'main' }, currentWebview: { windowLabel: 'main', label: 'main' } };
  w.__TAURI_INTERNALS__.transformCallback = (cb: (x: unknown) => void, once = false) => {
    const id = window.crypto.getRandomValues(new Uint32Array(1))[0];
    callbacks.set(id, (x) => {
      if (once) callbacks.delete(id);
      cb?.(x);
    });
    return id;
  };
  w.__TAURI_INTERNALS__.unregisterCallback = (id: number) => callbacks.delete(id);
  w.__TAURI_INTERNALS__.runCallback = (id: number, x: unknown) => callbacks.get(id)?.(x);
  w.__TAURI_INTERNALS__.callbacks = callbacks;
  w.__TAURI_INTERNALS__.convertFileSrc = (p: string) => p;
  w.__TAURI_INTERNALS__.invoke = async (cmd: string, args: Record<string, unknown> = {}) => {
    mock.calls.push({ cmd, args: JSON.parse(JSON.stringify(args ?? {}, (_k, v) => (v && typeof v === 'object' && 'id' in v && 'onmessage' in v ? `__CHANNEL__:${v.id}` : v))) });
    const h = handlers[cmd];
    if (!h) throw { kind: 'other', message: `the IPC mock has no handler for ${cmd}`, detail: null };
    return await h(args, mock);
  };
}

/** Installs the mock on a page (before navigation); returns a reader of the calls made. */
export async function installIpcMock<D>(page: Page, spec: MockSpec<D>): Promise<{ calls: () => Promise<{ cmd: string; args: any }[]> }> {
  const values: Record<string, string> = {};
  const fns: Record<string, string> = {};
  for (const [cmd, h] of Object.entries(spec.handlers)) {
    if (typeof h === 'function') fns[cmd] = h.toString();
    else values[cmd] = JSON.stringify(h);
  }
  const payload = JSON.stringify({ data: spec.data ?? null, values, fns });
  await page.addInitScript({ content: `(${install.toString()})(${payload});` });
  return { calls: () => page.evaluate(() => (window as any).__FERRY_MOCK__.calls) };
}
