// The database to migrate into: its connection fields, the password, and what "Test
// connection" found. One instance (`target`), reactive (Svelte 5 runes), shared by every view.
import type { Dialect, ServerInfo } from '../ipc';
import { defaultFields, type TargetFields } from '../url';

export class Target {
  fields: TargetFields = $state(defaultFields());
  password = $state('');
  /** What "Test connection" found for the fields as they were then. */
  server: ServerInfo | null = $state(null);

  /** The target's dialect: as the server said when tested, else from the kind chosen. */
  get dialect(): Dialect {
    if (this.server) return this.server.dialect;
    return this.fields.kind === 'postgres' ? 'postgres' : 'mysql';
  }
}

export const target = new Target();
