/**
 * Monitor tables drawn from the built-in synthetic generator, for the drift tests, the bench and the
 * false-alarm experiment. The `score` column is a stand-in for a model score (the mean squared V value, an
 * untrained "reconstruction error" around 1 for normal rows) so prediction drift is exercised without ONNX.
 */
import { parseKaggleCsv } from '../data/csv-parse.js';
import type { DriftSpec } from '../data/drift-spec.js';
import { generateSyntheticCsv } from '../data/synthetic.js';
import { tableFromDataset, type MonitorTable } from './table.js';

export interface SyntheticTableOptions {
  readonly rows: number;
  readonly seed: number;
  readonly drift?: DriftSpec;
}

/** A synthetic table with a stand-in score column. */
export function syntheticTable(options: SyntheticTableOptions): MonitorTable {
  const { dataset } = parseKaggleCsv(
    generateSyntheticCsv({
      rows: options.rows,
      seed: options.seed,
      ...(options.drift === undefined ? {} : { drift: options.drift }),
    }),
  );
  const width = dataset.columns.length;
  const first = dataset.columns.indexOf('V1');
  const scores = new Float64Array(dataset.rows);
  for (let r = 0; r < dataset.rows; r++) {
    let sum = 0;
    for (let j = 0; j < 28; j++) sum += dataset.x[r * width + first + j]! ** 2;
    scores[r] = sum / 28;
  }
  return tableFromDataset(dataset, scores);
}
