// The Production step's own state, kept while the user moves between views (the view is
// rebuilt on every visit): for which opening of the file and server kind the proposals were
// last made (`productionKey`), so the first visit proposes on its own and later ones do not;
// whether a proposal is under way; and the last error. The proposals themselves live in the
// plan (`plan.current.production`), saved with it. One instance (`production`).
import type { IpcError } from '../bindings/IpcError';

export class ProductionState {
  /** The `productionKey` the last proposal was asked for; null before any. */
  proposedFor: string | null = $state(null);
  busy = $state(false);
  error: IpcError | null = $state(null);
  /** The kind the list is filtered by ('' for all). */
  kind = $state('');
}

export const production = new ProductionState();
