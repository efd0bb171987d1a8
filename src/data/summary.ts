/** A few headline figures of a dataset, for printing and for the prepared dataset's meta.json. */
import type { Dataset } from './types.js';

export interface DatasetSummary {
  rows: number;
  /** Null when the data has no labels. */
  frauds: number | null;
  fraud_rate: number | null;
  /** [min, max] of Time in seconds; null for an empty dataset. */
  time_range: [number, number] | null;
  /** Null for an empty dataset. */
  amount: { mean: number; median: number; max: number } | null;
}

export function datasetSummary(dataset: Dataset): DatasetSummary {
  const { rows, x, y } = dataset;
  const width = dataset.columns.length;
  let frauds: number | null = null;
  if (y !== null) {
    frauds = 0;
    for (let i = 0; i < rows; i++) frauds += y[i]!;
  }
  const fraud_rate = frauds === null || rows === 0 ? null : frauds / rows;
  const timeColumn = dataset.columns.indexOf('Time');
  const amountColumn = dataset.columns.indexOf('Amount');
  if (rows === 0 || timeColumn === -1 || amountColumn === -1) {
    return { rows, frauds, fraud_rate, time_range: null, amount: null };
  }
  let minTime = Infinity;
  let maxTime = -Infinity;
  const amounts = new Float64Array(rows);
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const time = x[i * width + timeColumn]!;
    if (time < minTime) minTime = time;
    if (time > maxTime) maxTime = time;
    const amount = x[i * width + amountColumn]!;
    amounts[i] = amount;
    sum += amount;
  }
  amounts.sort();
  const middle = rows >> 1;
  const median = rows % 2 === 1 ? amounts[middle]! : (amounts[middle - 1]! + amounts[middle]!) / 2;
  return {
    rows,
    frauds,
    fraud_rate,
    time_range: [minTime, maxTime],
    amount: { mean: sum / rows, median, max: amounts[rows - 1]! },
  };
}
