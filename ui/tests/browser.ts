// Shared by the specs: the built UI served once, Chromium launched once, a fresh page per
// test with the IPC mock installed, the shared state reachable, screenshots saved.
import { chromium, type Browser, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { installIpcMock, type MockSpec } from './mock-ipc';

export const UI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The README's pictures are rewritten only when asked (FERRY_UPDATE_SCREENSHOTS=1): a plain
// test run takes them into a scratch folder, and leaves the checkout as it found it.
export const SCREENSHOTS = process.env.FERRY_UPDATE_SCREENSHOTS
  ? path.resolve(UI, '..', 'docs', 'screenshots')
  : fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-screenshots-'));
// A free port unless one is asked for: a fixed one clashes with any other run on the machine.
const PORT = Number(process.env.FERRY_E2E_PORT ?? 0);
let base = '';

let server: PreviewServer | null = null;
let browser: Browser | null = null;

export async function start(): Promise<void> {
  server = await preview({ root: UI, configFile: path.join(UI, 'vite.config.ts'), logLevel: 'warn', preview: { port: PORT, strictPort: PORT !== 0, host: '127.0.0.1' } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error(`the preview server has no port: ${address}`);
  base = `http://127.0.0.1:${address.port}/`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
}

export async function stop(): Promise<void> {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.httpServer.close(() => resolve()) : resolve()));
}

export interface Opened {
  page: Page;
  calls: () => Promise<{ cmd: string; args: any }[]>;
  /** Errors the page threw or logged; a test fails on any. */
  errors: string[];
}

/** A page at 1024×700 with the mock installed and the app loaded. */
export async function open<D>(spec: MockSpec<D>): Promise<Opened> {
  if (!browser) throw new Error('start() first');
  const page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`);
  });
  // Alerts would mean injected markup ran.
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.addInitScript({ content: 'window.__FERRY_EXPOSE_STATE__ = true;' });
  const { calls } = await installIpcMock(page, spec);
  await page.goto(base);
  await page.waitForSelector('#nav-mapping');
  return { page, calls, errors };
}

/** The shared state as the tests reach it: the stores of ui/src/lib/state/, by name. */
export interface State {
  nav: any;
  source: any;
  target: any;
  plan: any;
  run: any;
}

/** Sets fields of the shared state in the page, per store: `{ plan: { current: … } }`
 * does `plan.current = …`. */
export async function setState(page: Page, values: { [K in keyof State]?: Record<string, unknown> }): Promise<void> {
  await page.evaluate((v) => {
    const state = (window as any).__FERRY_STATE__;
    for (const [store, fields] of Object.entries(v)) Object.assign(state[store], fields);
  }, values);
}

export async function getState<T = any>(page: Page, expr: (s: State) => T): Promise<T> {
  return page.evaluate(`(${expr.toString()})(window.__FERRY_STATE__)`) as Promise<T>;
}
