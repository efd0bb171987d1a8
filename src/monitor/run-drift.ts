/**
 * The drift report of a registered model, from its bundle's reference sample against either a CSV or a
 * window of the prediction log: the one function `cardwatch monitor drift` calls.
 */
import { loadScorer, resolveBundle } from '../bundle/index.js';
import type { MonitorWindow } from '../predictions/monitor-queries.js';
import type { DriftOptionsInput } from './preset.js';
import { computeDrift } from './report.js';
import type { DriftReport } from './report-schema.js';
import { csvTable, referenceTable, windowTable } from './sources.js';

export type DriftCurrent =
  | { readonly kind: 'csv'; readonly path: string }
  /** A window already read from the prediction log (`limit` and `since` as asked, for the report). */
  | { readonly kind: 'log'; readonly window: MonitorWindow; readonly limit: number; readonly since?: Date };

export interface BundleDriftInput {
  readonly modelsDir: string;
  /** Bundle id or alias. */
  readonly model: string;
  readonly current: DriftCurrent;
  readonly options?: DriftOptionsInput;
}

export async function driftForBundle(input: BundleDriftInput): Promise<DriftReport> {
  const bundle = resolveBundle(input.modelsDir, input.model);
  const reference = referenceTable(bundle.dir, bundle.manifest);
  const { current } = input;
  if (current.kind === 'csv') {
    // The CSV has no scores: the bundle's model scores it, so prediction drift is measured too.
    const scorer = await loadScorer(input.modelsDir, bundle.id);
    try {
      return computeDrift(
        {
          reference: reference.table,
          current: await csvTable(current.path, scorer),
          referenceSource: reference.source,
          currentSource: current.path,
          modelVersion: bundle.id,
        },
        input.options,
      );
    } finally {
      await scorer.dispose();
    }
  }
  return computeDrift(
    {
      reference: reference.table,
      current: windowTable(current.window, bundle.id),
      referenceSource: reference.source,
      currentSource:
        current.since === undefined
          ? `prediction log, newest ${current.limit} predictions`
          : `prediction log, at most ${current.limit} predictions`,
      modelVersion: bundle.id,
      ...(current.since === undefined ? {} : { since: current.since }),
    },
    input.options,
  );
}
