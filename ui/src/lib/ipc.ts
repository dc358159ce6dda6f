// The front end's one door to Rust. Every call to a `#[tauri::command]` goes through a
// function here, so views never name a command string and tests replace the IPC
// (`@tauri-apps/api/mocks`' `mockIPC`) in one place. Tauri's own APIs (dialogs, the
// window, dropped files) are behind the sibling `shell.ts`. The types come from the Rust types
// (ts-rs, `src/lib/bindings/`, checked fresh by `cargo test`).
import { Channel, invoke } from '@tauri-apps/api/core';
import type { RoleChoice } from './bindings/RoleChoice';
import type { Dialect } from './bindings/Dialect';
import type { ErrorKind } from './bindings/ErrorKind';
import type { Event } from './bindings/Event';
import type { IpcError } from './bindings/IpcError';
import { sentence } from './format';
import type { KeyringStatus } from './bindings/KeyringStatus';
import type { MaskKeyStatus } from './bindings/MaskKeyStatus';
import type { PickKind } from './bindings/PickKind';
import type { Plan } from './bindings/Plan';
import type { BulkApplied } from './bindings/BulkApplied';
import type { BulkDecision } from './bindings/BulkDecision';
import type { BulkPreview } from './bindings/BulkPreview';
import type { BulkUndo } from './bindings/BulkUndo';
import type { Report } from './bindings/Report';
import type { RunFile } from './bindings/RunFile';
import type { RunOptions } from './bindings/RunOptions';
import type { RunOutcome } from './bindings/RunOutcome';
import type { RunSummary } from './bindings/RunSummary';
import type { SavedConnection } from './bindings/SavedConnection';
import type { ServerInfo } from './bindings/ServerInfo';
import type { SourceView } from './bindings/SourceView';
import type { TablePreview } from './bindings/TablePreview';
import type { TypeCheck } from './bindings/TypeCheck';
import type { AuditEntry } from './bindings/AuditEntry';
import type { BackupItem } from './bindings/BackupItem';
import type { BackupStep } from './bindings/BackupStep';
import type { ChecklistState } from './bindings/ChecklistState';
import type { RestoreOutcome } from './bindings/RestoreOutcome';
import type { RollbackOutcome } from './bindings/RollbackOutcome';
import type { Snapshot } from './bindings/Snapshot';
import type { Advice } from './bindings/Advice';
import type { Finding } from './bindings/Finding';
import type { EnableOutcome } from './bindings/EnableOutcome';
import type { AccessChoice } from './bindings/AccessChoice';
import type { AccessOffer } from './bindings/AccessOffer';
import type { AccessPreview } from './bindings/AccessPreview';
import type { LoginStatus } from './bindings/LoginStatus';
import type { TargetBackup } from './bindings/TargetBackup';
import type { ValidationReport } from './bindings/ValidationReport';
import type { SyncReport } from './bindings/SyncReport';

export type { Advice, Finding };
export type { AuditEntry, BackupItem, BackupStep, ChecklistState, EnableOutcome, RestoreOutcome, RollbackOutcome, Snapshot, SyncReport, TargetBackup, ValidationReport };
export type { BulkApplied, BulkDecision, BulkPreview, BulkUndo };
export type { MaskKeyStatus };
export type { AccessChoice, AccessOffer, AccessPreview, LoginStatus };
export type { Dialect, Event, IpcError, ErrorKind, KeyringStatus, PickKind, Plan, Report, RunFile, RunOptions, RunOutcome, RunSummary, SavedConnection, ServerInfo, SourceView, TablePreview, TypeCheck };

/** An error from a command, always `{kind, message, detail}`; anything else (a bug, a
 * dropped connection to the core) is wrapped as kind "other". */
export function asIpcError(e: unknown): IpcError {
  // The engine's one line, said as a sentence (capital, full stop) wherever a view shows it.
  if (e && typeof e === 'object' && 'kind' in e && 'message' in e) {
    const err = e as IpcError;
    return { ...err, message: sentence(String(err.message)) };
  }
  return { kind: 'other', message: sentence(e instanceof Error ? e.message : String(e)), detail: null };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asIpcError(e);
  }
}

/** The engine's version (`ferry_core::version()`), e.g. "0.1.0". */
export function engineVersion(): Promise<string> {
  return call<string>('engine_version');
}

// --- files the user chooses --------------------------------------------------------------

/** The native dialog for `kind`, shown by the shell, which records the answer: the other
 * commands take a path only when the user chose it (in a dialog, by dropping it on the
 * window, on the command line) or it is in Ferry's own folders. `suggested` opens the dialog
 * at a file name or a typed path. Null when the user cancels. */
export function pickPath(kind: PickKind, suggested: string | null = null): Promise<string | null> {
  return call('pick_path', { kind, suggested });
}

/** Runs `use` on a path the user typed; when the shell refuses it as not chosen in this
 * session, shows the dialog at that path for the user to confirm, and runs `use` on what they
 * chose. Resolves with the path used and the result, or null when they cancel. */
export async function withChosenPath<T>(path: string, kind: PickKind, use: (path: string) => Promise<T>): Promise<{ path: string; value: T } | null> {
  try {
    return { path, value: await use(path) };
  } catch (e) {
    if (asIpcError(e).kind !== 'not_chosen') throw e;
  }
  const chosen = await pickPath(kind, path);
  return chosen === null ? null : { path: chosen, value: await use(chosen) };
}

// --- the SQLite file --------------------------------------------------------------------

/** Opens a SQLite file read-only, reads its schema and profiles every column. */
export function openSource(path: string): Promise<SourceView> {
  return call('open_source', { path });
}

/** Builds the demo database once (in the app's data folder) and returns its path. */
export function demoSource(): Promise<string> {
  return call('demo_source');
}

export function proposePlan(dialect: Dialect): Promise<Plan> {
  return call('propose_plan', { dialect });
}

/** Whether `typeSql` is a type of `dialect`, and what every value of the column does under it. */
export function checkType(dialect: Dialect, table: string, column: string, typeSql: string): Promise<TypeCheck> {
  return call('check_type', { dialect, table, column, typeSql });
}

export function previewTables(plan: Plan, pgSchema: string | null): Promise<TablePreview[]> {
  return call('preview_tables', { plan, pgSchema });
}

/** What deciding once for many columns would change; nothing changes. */
export function bulkPreview(plan: Plan, decision: BulkDecision): Promise<BulkPreview> {
  return call('bulk_preview', { plan, decision });
}

/** The decision carried out on `plan`: the new plan, what changed, and what undoes it. */
export function bulkApply(plan: Plan, decision: BulkDecision): Promise<BulkApplied> {
  return call('bulk_apply', { plan, decision });
}

export function bulkUndo(plan: Plan, undo: BulkUndo): Promise<Plan> {
  return call('bulk_undo', { plan, undo });
}

export function savePlan(plan: Plan, path: string): Promise<void> {
  return call('save_plan', { plan, path });
}

export function openPlan(path: string): Promise<Plan> {
  return call('open_plan', { path });
}

// --- production features -------------------------------------------------------------------

/** `plan` with its production features (`[[production]]`, `ferry plan --production`) proposed
 * afresh for the open file, each with its evidence, note and SQL; the user's earlier accept
 * is kept on a proposal still made. */
export function proposeProduction(plan: Plan): Promise<Plan> {
  return call('propose_production', { plan });
}

/** `plan` with proposal `index` taken or left; taking one the engine would refuse is an
 * `invalid` error with its words. */
export function setProductionAccept(plan: Plan, index: number, accept: boolean): Promise<Plan> {
  return call('set_production_accept', { plan, index, accept });
}

// --- access: roles and tenant isolation ----------------------------------------------------

/** What the Access panel offers for `plan` and the target's `database`: the roles' default
 * names (`ferry plan --roles`), whether the server kind has row-level security, and the
 * tenant column the engine proposes unasked. */
export function accessOffer(plan: Plan, database: string): Promise<AccessOffer> {
  return call('access_offer', { plan, database });
}

/** `plan` with `[access]` as chosen (the engine's proposal, checked as a run would) and the
 * DDL the run would make of it; a refused choice is an `invalid` error with its words. */
export function setAccess(plan: Plan, choice: AccessChoice, database: string, pgSchema: string | null): Promise<AccessPreview> {
  return call('set_access', { plan, choice, database, pgSchema });
}

/** Which login users have their password in the keyring for the server `url` names. */
export function loginPasswords(url: string, users: string[]): Promise<LoginStatus[]> {
  return call('login_passwords', { url, users });
}

/** A login user's password from the keyring, for Copy. */
export function loginPassword(url: string, user: string): Promise<string> {
  return call('login_password', { url, user });
}

/** Takes a login user's password out of the keyring (the user stays on the server). */
export function forgetLoginPassword(url: string, user: string): Promise<void> {
  return call('forget_login_password', { url, user });
}

// --- distribution over a Citus cluster ---------------------------------------------------

/** The column the engine proposes unasked for the open file (most tables key by it), and the
 * columns that key tables, most first. */
export function distributionChoice(): Promise<import('./bindings/DistributionChoice').DistributionChoice> {
  return call('distribution_choice');
}

/** `plan` distributed by `column` (each table's role with its evidence), or with `null` not
 * distributed; a column no table has is an `invalid` error with the engine's words. */
/** `plan` distributed by `column`, the `chosen` roles kept and the others placed around them. */
export function proposeDistribution(plan: Plan, column: string | null, chosen: RoleChoice[] = []): Promise<Plan> {
  return call('propose_distribution', { plan, column, chosen });
}

/** How the rows spread over the plan's distribution column, with the shards of the cluster
 * at `url` (not reaching it is said in `cluster_error`). */
export function distributionSkew(plan: Plan, url: string | null): Promise<import('./bindings/DistributionSkew').DistributionSkew> {
  return call('distribution_skew', { plan, url });
}

/** Where the run places each table, and every change the rewrite for Citus makes. */
export function distributionRewrite(plan: Plan): Promise<import('./bindings/DistributionRewrite').DistributionRewrite> {
  return call('distribution_rewrite', { plan });
}

// --- a masked copy ------------------------------------------------------------------------

/** `plan` with a mask proposed for every column (`ferry plan --mask-pii`), as a safe copy:
 * each column's rule and its evidence (`mask_why`). */
export function proposeMasks(plan: Plan): Promise<Plan> {
  return call('propose_masks', { plan });
}

/** A rule for one column (its planned type `typeSql`): the rule as the plan spells it, or the
 * engine's refusal (kind `invalid`). */
export function checkMask(dialect: Dialect, table: string, column: string, typeSql: string, rule: string): Promise<string> {
  return call('check_mask', { dialect, table, column, typeSql, rule });
}

/** What is wrong with the plan's masks as a whole; empty when nothing. */
export function maskProblems(plan: Plan): Promise<string[]> {
  return call('mask_problems', { plan });
}

/** The mask key of `source` (its fingerprint only, never the key); with `keyFile`, that file's. */
export function maskKeyStatus(source: string, keyFile: string | null = null): Promise<MaskKeyStatus> {
  return call('mask_key_status', { source, keyFile });
}

/** Makes a new key for `source`, kept in the system keyring. */
export function makeMaskKey(source: string): Promise<MaskKeyStatus> {
  return call('make_mask_key', { source });
}

/** Imports the key file at `path` as `source`'s key (into the keyring, where one answers). */
export function useMaskKeyFile(source: string, path: string): Promise<MaskKeyStatus> {
  return call('use_mask_key_file', { source, path });
}

export function forgetMaskKey(source: string): Promise<MaskKeyStatus> {
  return call('forget_mask_key', { source });
}

// --- the target -------------------------------------------------------------------------

export function testConnection(url: string, pgSchema: string | null): Promise<ServerInfo> {
  return call('test_connection', { url, pgSchema });
}

export function keyringStatus(): Promise<KeyringStatus> {
  return call('keyring_status');
}

export function listConnections(): Promise<SavedConnection[]> {
  return call('list_connections');
}

export function saveConnection(connection: SavedConnection, password: string | null): Promise<SavedConnection> {
  return call('save_connection', { connection, password });
}

export function forgetConnection(name: string): Promise<void> {
  return call('forget_connection', { name });
}

export function connectionPassword(name: string): Promise<string | null> {
  return call('connection_password', { name });
}

// --- runs -------------------------------------------------------------------------------

/** Starts a migration; `onEvent` receives the engine's (thinned) events until it resolves. */
export function startRun(source: string, url: string, plan: Plan, options: RunOptions, onEvent: (e: Event) => void): Promise<RunOutcome> {
  const channel = new Channel<Event>();
  channel.onmessage = onEvent;
  return call('start_run', { source, url, plan, options, onEvent: channel });
}

export function cancelRun(): Promise<boolean> {
  return call('cancel_run');
}

export function listRuns(): Promise<RunSummary[]> {
  return call('list_runs');
}

export function openRun(id: string): Promise<Report> {
  return call('open_run', { id });
}

export function openRunFile(id: string, file: RunFile): Promise<void> {
  return call('open_run_file', { id, file });
}

// --- after the run: monitor, backups, rollback, validation, audit, checklist --------------

/** One snapshot of the target's health, kept with the target's earlier ones. */
export function monitorSnapshot(url: string, pgSchema: string | null): Promise<Snapshot> {
  return call('monitor_snapshot', { url, pgSchema });
}

/** What to fix in the target's database, each finding with its fix (never run). */
/** The latest advice Monitor asked for the target, kept by the app (null when none was). */
export function latestAdvice(url: string, pgSchema: string | null): Promise<Advice | null> {
  return call('latest_advice', { url, pgSchema });
}

export function monitorAdvice(url: string, pgSchema: string | null): Promise<Advice> {
  return call('monitor_advice', { url, pgSchema });
}

/** The snapshots kept for the target, oldest first. */
export function monitorHistory(url: string, pgSchema: string | null): Promise<Snapshot[]> {
  return call('monitor_history', { url, pgSchema });
}

/**
 * Turns on the statements' statistics in the target's database (PostgreSQL: runs
 * `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`), or says a restart is needed. Audited.
 */
export function enableStatements(url: string): Promise<EnableOutcome> {
  return call('enable_statements', { url });
}

/** Backs up the target into the app's backups folder; `onProgress` hears how far it got. */
export function backupTarget(url: string, pgSchema: string | null, onProgress: (p: BackupStep) => void): Promise<TargetBackup> {
  const channel = new Channel<BackupStep>();
  channel.onmessage = onProgress;
  return call('backup_target', { url, pgSchema, onProgress: channel });
}

export function listBackups(): Promise<BackupItem[]> {
  return call('list_backups');
}

/** Restores a target backup (its record's path) into `url`, replacing the objects it holds. */
export function restoreBackup(record: string, url: string, onProgress: (m: string) => void): Promise<RestoreOutcome> {
  const channel = new Channel<string>();
  channel.onmessage = onProgress;
  return call('restore_backup', { record, url, onProgress: channel });
}

/** Removes exactly what run `id` created in `url`. */
export function rollbackRun(id: string, url: string, force: boolean, onProgress: (m: string) => void): Promise<RollbackOutcome> {
  const channel = new Channel<string>();
  channel.onmessage = onProgress;
  return call('rollback_run', { id, url, force, onProgress: channel });
}

/** Validates run `id` against the target at `url` (the plan and report it ran with). */
export function validateRun(id: string, url: string, pgSchema: string | null, maskKeyFile: string | null = null): Promise<ValidationReport> {
  return call('validate_run', { id, url, pgSchema, maskKeyFile });
}

/** The last validation kept for run `id`, or null. */
export function runValidation(id: string): Promise<ValidationReport | null> {
  return call('run_validation', { id });
}

/** Writes the run's last validation as HTML into its folder and opens it. */
export function openValidationHtml(id: string): Promise<void> {
  return call('open_validation_html', { id });
}

/** Syncs run `id`'s target at `url` with its source as it is now (`ferry sync`); `dryRun` writes nothing. */
export function syncRun(id: string, url: string, pgSchema: string | null, dryRun: boolean): Promise<SyncReport> {
  return call('sync_run', { id, url, pgSchema, dryRun });
}

/** The last sync kept for run `id`, or null. */
export function runSync(id: string): Promise<SyncReport | null> {
  return call('run_sync', { id });
}

/** The audit log, newest first. */
export function listAudit(): Promise<AuditEntry[]> {
  return call('list_audit');
}

/** Writes the audit log as CSV to `path`; resolves with the number of entries. */
export function exportAuditCsv(path: string): Promise<number> {
  return call('export_audit_csv', { path });
}

export function checklistState(source: string, url: string): Promise<ChecklistState> {
  return call('checklist_state', { source, url });
}

export function setChecklistTick(source: string, url: string, item: string, ticked: boolean): Promise<ChecklistState> {
  return call('set_checklist_tick', { source, url, item, ticked });
}

// --- how the app was started -----------------------------------------------------------

/** The file the app was started with (`ferry-app FILE`, or the demo with `--demo`), if any. */
export function initialSource(): Promise<string | null> {
  return call('initial_source');
}

/** The target URL the app was started with (`--to URL`), if any. */
export function initialTarget(): Promise<string | null> {
  return call('initial_target');
}

// --- checks before a migration -----------------------------------------------------------

/** Every value of the open file through the load's conversion under `plan`; reads only. With
 * the target's `url`, its schema is also rehearsed there (in a scratch schema or database,
 * taken away after) to find the objects the server refuses. */
export function runPreflight(plan: Plan, url: string | null = null, pgSchema: string | null = null): Promise<import('./bindings/Preflight').Preflight> {
  return call('run_preflight', { plan, url, pgSchema });
}

/** The schema `plan` makes against what the target at `url` holds; reads only. */
export function schemaDiff(url: string, plan: Plan, pgSchema: string | null): Promise<import('./bindings/SchemaDiff').SchemaDiff> {
  return call('schema_diff', { url, plan, pgSchema });
}
