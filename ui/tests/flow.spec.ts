// The guided flow at the smallest window (1024×700): Back and Next lead through every step in
// the sidebar's order and back, each screen opening at its top with Next in sight; a
// confirmation appears where the user is looking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { open, setState, start, stop } from './browser';
import * as demo from './demo-data';
import * as after from './after-data';

beforeAll(start);
afterAll(stop);

const server = { dialect: 'postgres', server: 'PostgreSQL 16.4', host: 'db.internal:5432', user: 'ferry', database: 'shop', schema: 'public', objects: [], may_create: true, tls: true, pooler: null };

const spec = {
  data: { backups: after.backups, report: after.createdReport, reports: demo.reports, runs: demo.runs, audit: after.audit, history: after.history },
  handlers: {
    engine_version: '0.1.0',
    initial_source: null,
    initial_target: null,
    list_connections: [],
    keyring_status: { available: true, detail: null },
    preview_tables: [],
    propose_production: ({ plan }: any) => ({ ...plan, production: [] }),
    access_offer: { roles: { owner: 'shop_owner', app: 'shop_app', read: 'shop_read', login: false }, row_security: true, row_security_why: null, tenant: null },
    list_runs: (_a: any, mock: any) => mock.data.runs,
    open_run: (a: any, mock: any) => (a.id === '20260504-094107' ? mock.data.report : mock.data.reports[a.id]),
    list_backups: (_a: any, mock: any) => mock.data.backups,
    monitor_history: (_a: any, mock: any) => mock.data.history,
    checklist_state: { target: 'postgres://ferry@db.internal:5432/shop?sslmode=require', ticks: {} },
    latest_advice: null,
    list_audit: (_a: any, mock: any) => mock.data.audit,
    run_sync: null,
  },
};

/** The step shown, the view's scroll, and whether Back and Next are inside the window. */
async function where(page: Page): Promise<{ step: string | null; scrollTop: number; next: boolean; back: boolean }> {
  return page.evaluate(() => {
    const inside = (id: string) => {
      const r = document.getElementById(id)!.getBoundingClientRect();
      return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
    };
    return {
      step: document.querySelector('nav [aria-current="page"]')?.id.replace('nav-', '') ?? null,
      scrollTop: document.getElementById('view')!.scrollTop,
      next: inside('step-next'),
      back: inside('step-back'),
    };
  });
}

const ORDER = ['connections', 'mapping', 'production', 'preflight', 'diff', 'run', 'report', 'validation', 'cutover', 'monitor', 'backups', 'checklist', 'audit'];

describe('Back and Next', () => {
  it('lead through every step and back, each at its top, Next always in sight', async () => {
    const { page, errors } = await open(spec);
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan }, target: { fields: after.fields, password: after.PASSWORD, server } });
    const seen: string[] = [];
    for (const [i, step] of ORDER.entries()) {
      const at = await where(page);
      expect(at).toEqual({ step, scrollTop: 0, next: true, back: true });
      seen.push(at.step!);
      expect(await page.textContent('#step-todo')).toMatch(/\S/);
      // Leave each screen scrolled down: the next one must still open at its top.
      await page.evaluate(() => document.getElementById('view')!.scrollTo(0, 1e6));
      if (i < ORDER.length - 1) await page.click('#step-next');
    }
    expect(seen).toEqual(ORDER);
    expect(await page.isDisabled('#step-next')).toBe(true);
    for (const step of [...ORDER].reverse().slice(1)) {
      await page.click('#step-back');
      expect((await where(page)).step).toBe(step);
      expect((await where(page)).scrollTop).toBe(0);
      await page.evaluate(() => document.getElementById('view')!.scrollTo(0, 1e6));
    }
    expect(await page.isDisabled('#step-back')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('say what to do next, and Next stands out once the step is done', async () => {
    const { page, errors } = await open(spec);
    expect(await page.textContent('#step-todo')).toBe('Choose a SQLite file, or try the demo database.');
    expect(await page.getAttribute('#step-next', 'class')).not.toContain('primary');
    await setState(page, { source: { file: demo.source }, plan: { current: demo.plan }, target: { fields: after.fields, password: after.PASSWORD, server } });
    expect(await page.textContent('#step-todo')).toContain('Next: review the schema');
    expect(await page.getAttribute('#step-next', 'class')).toContain('primary');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('A confirmation', () => {
  it('is scrolled into sight when it appears', async () => {
    const { page, errors } = await open(spec);
    await setState(page, { source: { file: demo.source }, target: { fields: after.fields, password: after.PASSWORD } });
    await page.click('#nav-backups');
    // The last run's "Roll back…", brought just into the window at its bottom edge.
    const last = page.locator('[data-rollback]').last();
    await last.waitFor();
    await last.evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await last.click();
    await page.locator('#rollback-confirm').waitFor();
    await expect
      .poll(() =>
        page.evaluate(() => {
          const view = document.getElementById('view')!.getBoundingClientRect();
          const r = document.getElementById('rollback-confirm')!.getBoundingClientRect();
          return r.top >= view.top && r.bottom <= view.bottom;
        }),
      )
      .toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('A report no browser can show', () => {
  it('says where it is, with a button that copies the path', async () => {
    const path = '/home/ada/.local/share/ferry/runs/20260504-094107/report.html';
    const { page, calls, errors } = await open({
      data: { reports: demo.reports, path },
      handlers: {
        engine_version: '0.1.0',
        list_runs: demo.runs,
        open_run: (a: any, mock: any) => mock.data.reports[a.id],
        open_run_file: (_a: any, mock: any) => {
          throw { kind: 'not_opened', message: `Ferry could not open report.html: no browser or other app started (xdg-open: exit status 3; gio: exit status 2). The file is at ${mock.data.path}`, detail: mock.data.path };
        },
      },
    });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.click('#nav-report');
    await page.click('[data-run="20260504-094107"]');
    await page.click('#open-report-html');
    await page.locator('#not-opened').waitFor();
    expect(await page.textContent('#not-opened-text')).toBe(`Ferry could not open the report: no browser started. It is at ${path}`);
    await page.click('#copy-path');
    await page.locator('#path-copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(path);
    expect((await calls()).filter((c) => c.cmd === 'open_run_file').map((c) => c.args.file)).toEqual(['html']);
    expect(errors).toEqual([]);
    await page.close();
  });
});
