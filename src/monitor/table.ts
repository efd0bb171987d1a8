/**
 * The column-wise tables drift compares: one Float64Array per column name, NaN where a value is unknown
 * (a column the model does not take is logged as NaN; Amount may be missing). Builders for each source
 * (bundle reference sample, Kaggle CSV, prediction log window) turn their row-major data into this shape.
 */
import type { ReferenceSample } from '../bundle/index.js';
import type { Dataset } from '../data/index.js';

export interface MonitorTable {
  readonly rows: number;
  readonly columns: ReadonlyMap<string, Float64Array>;
}

/** Name of the model-score column in every table (prediction drift). */
export const SCORE_COLUMN = 'score';

/** Splits a row-major matrix into named columns. */
export function tableFromRowMajor(
  columns: readonly string[],
  values: ArrayLike<number>,
  rows: number,
): MonitorTable {
  const width = columns.length;
  const out = new Map<string, Float64Array>();
  columns.forEach((name, c) => {
    const column = new Float64Array(rows);
    for (let r = 0; r < rows; r++) column[r] = values[r * width + c]!;
    out.set(name, column);
  });
  return { rows, columns: out };
}

/** The bundle's `reference.csv` (input columns, Class and score). */
export function tableFromReference(sample: ReferenceSample): MonitorTable {
  return tableFromRowMajor(sample.columns, sample.rows, sample.count);
}

/** A parsed Kaggle CSV, plus the model's scores of its rows when they were computed. */
export function tableFromDataset(dataset: Dataset, scores?: ArrayLike<number>): MonitorTable {
  const table = tableFromRowMajor(dataset.columns, dataset.x, dataset.rows);
  if (scores === undefined) return table;
  const columns = new Map(table.columns);
  columns.set(SCORE_COLUMN, Float64Array.from(scores));
  return { rows: table.rows, columns };
}
