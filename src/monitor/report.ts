/**
 * Runs drift metrics once each and assembles the portable snapshot (`drift.json`), Evidently's
 * `Report.run(current, reference)`. Rendering (HTML, CLI summary) works from the snapshot only.
 */
import { CardwatchError } from '../util/errors.js';
import {
  calculateDatasetDrift,
  calculateValueDrift,
  DriftContext,
  type DatasetDriftResult,
  type MetricSpec,
} from './metrics.js';
import { driftPreset, parseDriftOptions, type DriftOptionsInput } from './preset.js';
import { DRIFT_REPORT_VERSION, type DriftReport, type FeatureDrift } from './report-schema.js';
import type { MonitorTable } from './table.js';

export interface DriftInput {
  readonly reference: MonitorTable;
  readonly current: MonitorTable;
  /** Where each side came from, shown in the report (a bundle path, a CSV path, "prediction log"). */
  readonly referenceSource: string;
  readonly currentSource: string;
  readonly modelVersion: string | null;
  /** The time range of a log window, when the current data is one. */
  readonly since?: Date;
  readonly until?: Date;
  readonly now?: Date;
}

/** Severity first (most drifted on top), then name, so the order is stable. */
function bySeverity(a: FeatureDrift, b: FeatureDrift): number {
  return b.severity - a.severity || a.name.localeCompare(b.name);
}

/**
 * Runs `metrics` (one dataset-drift metric among them) on the input and returns the snapshot.
 * Throws DATA_INVALID when the current window is empty: "no drift" over no data would be a false all-clear.
 */
export function runDriftReport(input: DriftInput, metrics: readonly MetricSpec[]): DriftReport {
  if (input.current.rows === 0) {
    throw new CardwatchError(
      'DATA_INVALID',
      `the current data (${input.currentSource}) has no rows: nothing to compare with the reference`,
    );
  }
  if (input.reference.rows === 0) {
    throw new CardwatchError('DATA_INVALID', `the reference sample (${input.referenceSource}) has no rows`);
  }
  const context = new DriftContext(input.reference, input.current);
  const features: FeatureDrift[] = [];
  let dataset: DatasetDriftResult | null = null;
  let ksMaxReferenceRows = 0;
  for (const spec of metrics) {
    if (spec.metric === 'value_drift') {
      ksMaxReferenceRows = spec.ksMaxReferenceRows;
      const result = calculateValueDrift(context, spec);
      if (!('skipped' in result)) features.push(result);
    } else {
      dataset = calculateDatasetDrift(context, spec);
    }
  }
  if (dataset === null) {
    throw new CardwatchError('INVALID_INPUT', 'a drift report needs one dataset_drift metric');
  }
  features.sort(bySeverity);
  return {
    kind: 'drift',
    version: DRIFT_REPORT_VERSION,
    generated_at: (input.now ?? new Date()).toISOString(),
    model_version: input.modelVersion,
    reference: { source: input.referenceSource, rows: input.reference.rows },
    current: {
      source: input.currentSource,
      rows: input.current.rows,
      ...(input.since === undefined ? {} : { since: input.since.toISOString() }),
      ...(input.until === undefined ? {} : { until: input.until.toISOString() }),
    },
    options: { drift_share: dataset.threshold, ks_max_reference_rows: ksMaxReferenceRows },
    dataset: {
      drift: dataset.drift,
      drift_share: dataset.driftShare,
      drifted_features: dataset.driftedFeatures,
      features: dataset.features,
      threshold: dataset.threshold,
    },
    features,
    skipped: [...dataset.skipped],
  };
}

/**
 * The data-drift preset run with `options` (the usual entry point).
 * @example computeDrift({ reference, current, referenceSource: 'models/m1', currentSource: 'x.csv', modelVersion: 'm1' }).dataset
 * // { drift: true, drift_share: 0.6, drifted_features: 18, features: 30, threshold: 0.5 }
 */
export function computeDrift(input: DriftInput, options: DriftOptionsInput = {}): DriftReport {
  return runDriftReport(input, driftPreset(parseDriftOptions(options)));
}
