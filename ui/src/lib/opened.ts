// What the UI says when no browser or other app could open a file the user asked to see
// (the shell's `not_opened`, whose `detail` is the file's path).
import type { IpcError, RunFile } from './ipc';

/** The files a button opens: a run's (RunFile) or its validation's HTML page. */
export type Opened = RunFile | 'validation';

const WHAT: Record<Opened, [string, string]> = {
  html: ['the report', 'no browser'],
  validation: ['the validation report', 'no browser'],
  report: ['the report file', 'no app'],
  rejects: ['the rejected rows', 'no app'],
  folder: ['the run’s folder', 'no file manager'],
};

/** The path of a file none could open, when `e` says so; else null. */
export function notOpenedPath(e: IpcError): string | null {
  return e.kind === 'not_opened' && e.detail ? e.detail : null;
}

/** "Ferry could not open the report: no browser started. It is at" — the path follows. */
export function notOpenedLine(file: Opened): string {
  const [what, who] = WHAT[file];
  return `Ferry could not open ${what}: ${who} started. It is at`;
}
