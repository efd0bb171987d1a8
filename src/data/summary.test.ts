import { describe, expect, it } from 'vitest';
import { csv } from './__fixtures__/csv.js';
import { INPUT_COLUMNS, KAGGLE_COLUMNS, KAGGLE_FRAUDS, KAGGLE_ROWS } from './columns.js';
import { parseKaggleCsv } from './csv-parse.js';
import { datasetSummary } from './summary.js';

describe('columns', () => {
  it('are the Kaggle schema', () => {
    expect(INPUT_COLUMNS).toHaveLength(30);
    expect(INPUT_COLUMNS[0]).toBe('Time');
    expect(INPUT_COLUMNS[28]).toBe('V28');
    expect(KAGGLE_COLUMNS).toEqual([...INPUT_COLUMNS, 'Class']);
    expect(KAGGLE_FRAUDS / KAGGLE_ROWS).toBeCloseTo(0.001727, 6);
  });
});

describe('datasetSummary', () => {
  it('gives rows, frauds, time range and amount figures', () => {
    const { dataset } = parseKaggleCsv(csv(5));
    // Amounts (column 29) of rows 0..4: (i+1) × 14.5 × 0.137 rounded to 4 decimals.
    const amounts = [1, 2, 3, 4, 5].map((k) => Math.fround(Number((k * 14.5 * 0.137).toFixed(4))));
    const summary = datasetSummary(dataset);
    expect(summary.rows).toBe(5);
    expect(summary.frauds).toBe(1);
    expect(summary.fraud_rate).toBe(0.2);
    expect(summary.time_range).toEqual([0, 28]);
    expect(summary.amount!.median).toBe(amounts[2]);
    expect(summary.amount!.max).toBe(amounts[4]);
    expect(summary.amount!.mean).toBeCloseTo(amounts.reduce((a, b) => a + b) / 5, 5);
  });

  it('has null figures where there is nothing to summarise', () => {
    const empty = datasetSummary({ columns: INPUT_COLUMNS, rows: 0, x: new Float32Array(0), y: null });
    expect(empty).toEqual({ rows: 0, frauds: null, fraud_rate: null, time_range: null, amount: null });
    const even = parseKaggleCsv(csv(4)).dataset;
    const median = datasetSummary(even).amount!.median;
    expect(median).toBeCloseTo((2 + 3) * 0.5 * 14.5 * 0.137, 4);
  });
});
