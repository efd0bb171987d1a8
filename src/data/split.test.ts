import { describe, expect, it } from 'vitest';
import { INPUT_COLUMNS } from './columns.js';
import { splitDataset, type SplitOptions } from './split.js';
import type { Dataset, SplitIndices } from './types.js';

/** `rows` rows, every 20th a fraud, Time shuffled (descending blocks) so row order ≠ time order. */
function dataset(rows: number, labelled = true): Dataset {
  const x = new Float32Array(rows * 30);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    x[r * 30] = (r * 7919) % rows; // a permutation of 0..rows-1 when rows is prime to 7919
    x[r * 30 + 1] = r;
    y[r] = r % 20 === 0 ? 1 : 0;
  }
  return { columns: INPUT_COLUMNS, rows, x, y: labelled ? y : null };
}

const base: SplitOptions = { strategy: 'stratified', testFraction: 0.3, valFraction: 0.15, seed: 42 };

function expectPartition(splits: SplitIndices, rows: number): void {
  const seen = new Uint8Array(rows);
  for (const part of [splits.train, splits.val, splits.test]) {
    for (let i = 0; i < part.length; i++) {
      if (i > 0) expect(part[i]!).toBeGreaterThan(part[i - 1]!);
      seen[part[i]!]!++;
    }
  }
  expect(seen.every((count) => count === 1)).toBe(true);
}

const frauds = (data: Dataset, part: Uint32Array): number =>
  part.reduce((sum, row) => sum + data.y![row]!, 0);

describe('splitDataset: stratified', () => {
  const data = dataset(2000);
  const splits = splitDataset(data, base);

  it('gives disjoint, sorted splits that cover every row', () => {
    expectPartition(splits, 2000);
  });

  it('keeps the class ratio in every split, with the requested sizes per class', () => {
    // 100 frauds: test round(30) = 30, val round(0.15 × 70) = 11 (10.5 rounds up), train 59.
    expect(frauds(data, splits.test)).toBe(30);
    expect(frauds(data, splits.val)).toBe(11);
    expect(frauds(data, splits.train)).toBe(59);
    // 1900 normal rows: test 570, val round(0.15 × 1330) = 200, train 1130.
    expect(splits.test.length).toBe(600);
    expect(splits.val.length).toBe(211);
    expect(splits.train.length).toBe(1189);
  });

  it('is deterministic per seed, and another seed gives another split', () => {
    expect(splitDataset(data, base)).toEqual(splits);
    expect(splitDataset(data, { ...base, seed: 43 }).test).not.toEqual(splits.test);
  });

  it('shuffles: the test rows are spread over the file, not a block', () => {
    expect(splits.test[0]!).toBeLessThan(50);
    expect(splits.test.at(-1)!).toBeGreaterThan(1950);
  });

  it('needs labels', () => {
    expect(() => splitDataset(dataset(100, false), base)).toThrow(/stratified split needs labels/);
  });

  it('refuses fractions outside [0, 1)', () => {
    expect(() => splitDataset(data, { ...base, testFraction: 1 })).toThrow(/testFraction must be in/);
    expect(() => splitDataset(data, { ...base, valFraction: -0.1 })).toThrow(/valFraction must be in/);
  });
});

describe('splitDataset: time', () => {
  const data = dataset(1009, false);
  const splits = splitDataset(data, { ...base, strategy: 'time' });
  const time = (row: number): number => data.x[row * 30]!;

  it('trains on the earliest rows, validates on the next, tests on the latest', () => {
    expectPartition(splits, 1009);
    expect(splits.test.length).toBe(Math.round(0.3 * 1009));
    expect(splits.val.length).toBe(Math.round(0.15 * (1009 - 303)));
    const latestTrain = Math.max(...Array.from(splits.train, time));
    const earliestVal = Math.min(...Array.from(splits.val, time));
    const latestVal = Math.max(...Array.from(splits.val, time));
    const earliestTest = Math.min(...Array.from(splits.test, time));
    expect(latestTrain).toBeLessThan(earliestVal);
    expect(latestVal).toBeLessThan(earliestTest);
  });

  it('breaks ties in Time by row index (stable)', () => {
    const tied: Dataset = { columns: INPUT_COLUMNS, rows: 10, x: new Float32Array(300), y: null };
    const split = splitDataset(tied, { ...base, strategy: 'time', testFraction: 0.2, valFraction: 0.25 });
    expect(Array.from(split.test)).toEqual([8, 9]);
    expect(Array.from(split.val)).toEqual([6, 7]);
    expect(Array.from(split.train)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
