/**
 * The data-drift preset: only a generator of metric specs (Evidently's `DataDriftPreset`), one value-drift
 * metric per monitored column plus one dataset-drift metric over them. One options object, validated once.
 */
import { z } from 'zod';
import { CardwatchError } from '../util/errors.js';
import type { DatasetDriftSpec, MetricSpec, ValueDriftSpec } from './metrics.js';
import { STAT_TEST_NAMES } from './stats/index.js';
import { SCORE_COLUMN } from './table.js';

/** V1..V28 and Amount: the inputs drift watches. Time is left out: it only ever grows, so it always drifts. */
export const DEFAULT_DRIFT_FEATURES: readonly string[] = [
  ...Array.from({ length: 28 }, (_, i) => `V${i + 1}`),
  'Amount',
];

export const driftOptionsSchema = z.strictObject({
  /** Dataset drift when at least this share of the compared columns drift. */
  drift_share: z.number().gt(0).max(1).default(0.5),
  /** Reference size up to which KS is used; above, normed Wasserstein (Evidently's default: 1,000). */
  ks_max_reference_rows: z.number().int().min(1).default(1000),
  /** Force one test for every column instead of the choice by reference size. */
  method: z.enum(STAT_TEST_NAMES).optional(),
  /** Threshold of the forced or chosen test (default: the test's own). */
  threshold: z.number().positive().optional(),
  features: z
    .array(z.string().min(1))
    .min(1)
    .default(() => [...DEFAULT_DRIFT_FEATURES]),
  /** Also test the model's score (prediction drift). */
  prediction: z.boolean().default(true),
});

export type DriftOptionsInput = z.input<typeof driftOptionsSchema>;
export type DriftOptions = z.output<typeof driftOptionsSchema>;

/** Parses drift options, INVALID_INPUT naming the key otherwise. */
export function parseDriftOptions(input: DriftOptionsInput = {}): DriftOptions {
  const parsed = driftOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`)
      .join('; ');
    throw new CardwatchError('INVALID_INPUT', `drift options: ${detail}`);
  }
  return parsed.data;
}

/**
 * The metric specs of a data-drift report.
 * @example driftPreset(parseDriftOptions()).length // 31: 29 columns + score + the dataset metric
 */
export function driftPreset(options: DriftOptions): MetricSpec[] {
  const column = (name: string, kind: ValueDriftSpec['kind']): ValueDriftSpec => ({
    metric: 'value_drift',
    column: name,
    kind,
    ksMaxReferenceRows: options.ks_max_reference_rows,
    ...(options.method === undefined ? {} : { method: options.method }),
    ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
  });
  const columns = options.features.map((name) => column(name, 'feature'));
  if (options.prediction) columns.push(column(SCORE_COLUMN, 'prediction'));
  const dataset: DatasetDriftSpec = { metric: 'dataset_drift', columns, share: options.drift_share };
  return [...columns, dataset];
}
