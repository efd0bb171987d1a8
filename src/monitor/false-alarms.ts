/**
 * How often drift is reported where there is none: reference and current drawn from the same distribution
 * with different seeds, repeated. Reports the share of runs with dataset drift and the share of column
 * tests that drifted (the per-test false-positive rate).
 */
import type { DriftOptionsInput } from './preset.js';
import { computeDrift } from './report.js';
import { syntheticTable } from './synthetic-table.js';

export interface FalseAlarmOptions {
  readonly referenceRows: number;
  readonly currentRows: number;
  readonly seeds: number;
  /** First seed; run i uses reference seed first + 2i and current seed first + 2i + 1. */
  readonly firstSeed?: number;
  readonly drift?: DriftOptionsInput;
}

export interface FalseAlarmResult {
  readonly runs: number;
  /** Runs that reported dataset drift. */
  readonly datasetAlarms: number;
  readonly datasetAlarmRate: number;
  /** Column tests that reported drift, over all runs. */
  readonly columnAlarms: number;
  readonly columnTests: number;
  readonly columnAlarmRate: number;
  /** The test the columns used (depends on the reference size). */
  readonly method: string;
}

export function falseAlarmRate(options: FalseAlarmOptions): FalseAlarmResult {
  const first = options.firstSeed ?? 1000;
  let datasetAlarms = 0;
  let columnAlarms = 0;
  let columnTests = 0;
  let method = '';
  for (let i = 0; i < options.seeds; i++) {
    const reference = syntheticTable({ rows: options.referenceRows, seed: first + 2 * i });
    const current = syntheticTable({ rows: options.currentRows, seed: first + 2 * i + 1 });
    const report = computeDrift(
      { reference, current, referenceSource: 'synthetic', currentSource: 'synthetic', modelVersion: null },
      options.drift,
    );
    if (report.dataset.drift) datasetAlarms++;
    columnAlarms += report.dataset.drifted_features;
    columnTests += report.dataset.features;
    method = report.features[0]?.method ?? method;
  }
  return {
    runs: options.seeds,
    datasetAlarms,
    datasetAlarmRate: options.seeds === 0 ? 0 : datasetAlarms / options.seeds,
    columnAlarms,
    columnTests,
    columnAlarmRate: columnTests === 0 ? 0 : columnAlarms / columnTests,
    method,
  };
}
