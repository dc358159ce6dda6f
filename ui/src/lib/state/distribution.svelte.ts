// The Distribution panel's own state, kept while the user moves between views (the panel is
// rebuilt on every visit of Schema & mapping): the engine's column choice for the file open
// now, the opening of the file and target a proposal was made or turned off for (so the
// panel proposes on its own once, and not again after "off"), the skew and the rewrite last
// read, and the last error. The distribution itself lives in the plan
// (`plan.current.distribution`), saved with it. One instance (`distribution`).
import type { DistributionChoice } from '../bindings/DistributionChoice';
import type { DistributionRewrite } from '../bindings/DistributionRewrite';
import type { DistributionSkew } from '../bindings/DistributionSkew';
import type { IpcError } from '../bindings/IpcError';

export class DistributionState {
  /** The engine's column choice, and the file opening (`source.generation`) it is for. */
  choice: DistributionChoice | null = $state(null);
  choiceFor: number | null = $state(null);
  /** The `distributionKey`s proposed for (on its own) or turned off for. */
  settled: string[] = $state([]);
  busy = $state(false);
  error: IpcError | null = $state(null);
  skew: DistributionSkew | null = $state(null);
  /** The distribution (as JSON) and URL the skew was read for. */
  skewFor: string | null = $state(null);
  skewError: IpcError | null = $state(null);
  rewrite: DistributionRewrite | null = $state(null);
  rewriteError: IpcError | null = $state(null);
}

export const distribution = new DistributionState();
