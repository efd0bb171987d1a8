/**
 * Train / validation / test splits as sorted row-index arrays. Everything downstream (scaler, threshold)
 * is fitted on the training or validation rows only; the test rows are touched once, at the end.
 */
import { CardwatchError } from '../util/errors.js';
import { Prng } from '../util/prng.js';
import type { Dataset, SplitIndices } from './types.js';

export interface SplitOptions {
  /** `stratified`: random, class ratios kept in every split; `time`: train on the past, test on the future */
  strategy: 'stratified' | 'time';
  /** Share of all rows (per class, when stratified) held out for the test split. */
  testFraction: number;
  /** Share of the remaining rows (the training period) held out for validation. */
  valFraction: number;
  seed: number;
}

function checkFraction(name: string, value: number): void {
  if (!(value >= 0 && value < 1)) {
    throw new CardwatchError('INVALID_INPUT', `${name} must be in [0, 1), got ${value}`);
  }
}

/**
 * Splits the rows of `dataset`.
 * - stratified: per class, the rows are shuffled with `Prng(seed)`; `round(testFraction·n)` go to test,
 *   `round(valFraction·rest)` of the rest to validation, the remainder to training.
 * - time: rows ordered by Time (ties by row index); the latest `testFraction` are the test split, the
 *   latest `valFraction` of the earlier rows the validation split, the earliest rows training.
 * @throws CardwatchError DATA_INVALID for a stratified split without labels; INVALID_INPUT for fractions.
 */
export function splitDataset(dataset: Dataset, options: SplitOptions): SplitIndices {
  checkFraction('testFraction', options.testFraction);
  checkFraction('valFraction', options.valFraction);
  const parts = options.strategy === 'time' ? timeSplit(dataset, options) : stratifiedSplit(dataset, options);
  return { train: parts.train.sort(), val: parts.val.sort(), test: parts.test.sort() };
}

function stratifiedSplit(dataset: Dataset, options: SplitOptions): SplitIndices {
  const labels = dataset.y;
  if (labels === null) {
    throw new CardwatchError('DATA_INVALID', 'a stratified split needs labels: the data has no Class column');
  }
  const prng = new Prng(options.seed);
  const train: number[] = [];
  const val: number[] = [];
  const test: number[] = [];
  for (const label of [0, 1]) {
    let count = 0;
    for (let i = 0; i < dataset.rows; i++) if (labels[i] === label) count++;
    const members = new Uint32Array(count);
    let k = 0;
    for (let i = 0; i < dataset.rows; i++) if (labels[i] === label) members[k++] = i;
    prng.shuffle(members);
    const testCount = Math.round(options.testFraction * count);
    const valCount = Math.round(options.valFraction * (count - testCount));
    for (let i = 0; i < count; i++) {
      const row = members[i]!;
      if (i < testCount) test.push(row);
      else if (i < testCount + valCount) val.push(row);
      else train.push(row);
    }
  }
  return { train: Uint32Array.from(train), val: Uint32Array.from(val), test: Uint32Array.from(test) };
}

function timeSplit(dataset: Dataset, options: SplitOptions): SplitIndices {
  const width = dataset.columns.length;
  const timeColumn = dataset.columns.indexOf('Time');
  if (timeColumn === -1) throw new CardwatchError('DATA_INVALID', 'a time split needs the Time column');
  const order = Uint32Array.from({ length: dataset.rows }, (_, i) => i);
  const x = dataset.x;
  order.sort((a, b) => x[a * width + timeColumn]! - x[b * width + timeColumn]! || a - b);
  const testCount = Math.round(options.testFraction * dataset.rows);
  const earlier = dataset.rows - testCount;
  const valCount = Math.round(options.valFraction * earlier);
  return {
    train: order.slice(0, earlier - valCount),
    val: order.slice(earlier - valCount, earlier),
    test: order.slice(earlier),
  };
}
