import { describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { INPUT_COLUMNS } from './columns.js';
import { applyScaler, fitStandardScaler, selectColumns } from './scaler.js';
import type { Dataset } from './types.js';

function dataset(rows: number[][]): Dataset {
  const x = new Float32Array(rows.length * 30);
  rows.forEach((values, r) => values.forEach((value, c) => (x[r * 30 + c] = value)));
  return { columns: INPUT_COLUMNS, rows: rows.length, x, y: null };
}

// Time, V1, V2 set; the other columns stay 0 (constant).
const data = dataset([
  [0, 1, 10],
  [1, 2, 20],
  [2, 3, 30],
  [3, 6, 40.5],
]);

describe('selectColumns', () => {
  it('picks columns in the requested order, for all or some rows', () => {
    expect(Array.from(selectColumns(data, ['V2', 'Time']))).toEqual([10, 0, 20, 1, 30, 2, 40.5, 3]);
    expect(Array.from(selectColumns(data, ['V1'], Uint32Array.of(3, 0)))).toEqual([6, 1]);
  });

  it('names an unknown column', () => {
    expect(() => selectColumns(data, ['V1', 'V29'])).toThrow(CardwatchError);
    expect(() => selectColumns(data, ['V1', 'V29'])).toThrow(/unknown column "V29"/);
  });
});

describe('fitStandardScaler', () => {
  it('fits the mean and the population std (ddof 0), like sklearn', () => {
    const scaler = fitStandardScaler(data, ['V1', 'V2']);
    expect(scaler.columns).toEqual(['V1', 'V2']);
    expect(scaler.mean[0]).toBeCloseTo(3, 12);
    expect(scaler.std[0]).toBeCloseTo(Math.sqrt((4 + 1 + 0 + 9) / 4), 12);
    expect(scaler.mean[1]).toBeCloseTo(25.125, 12);
  });

  it('fits on the given rows only', () => {
    const scaler = fitStandardScaler(data, ['V1'], Uint32Array.of(0, 1));
    expect(scaler.mean).toEqual([1.5]);
    expect(scaler.std).toEqual([0.5]);
  });

  it('uses std 1 for a constant column', () => {
    expect(fitStandardScaler(data, ['V28']).std).toEqual([1]);
  });

  it('refuses zero rows', () => {
    expect(() => fitStandardScaler(data, ['V1'], new Uint32Array(0))).toThrow(/zero rows/);
  });
});

describe('applyScaler', () => {
  it('computes fround(fround(x − mean32) / std32), as the ONNX graph does in float32', () => {
    const scaler = { columns: ['a', 'b'], mean: [0.1, -2.7182818], std: [0.3, 1.4142135623] };
    const x = Float32Array.of(1.1, 2.2, -3.3, 4.4, 1e-7, 123456.789);
    const out = applyScaler(x, 3, scaler);
    for (let i = 0; i < x.length; i++) {
      const c = i % 2;
      const expected = Math.fround(
        Math.fround(x[i]! - Math.fround(scaler.mean[c]!)) / Math.fround(scaler.std[c]!),
      );
      expect(out[i]).toBe(expected);
    }
    // Not the same as scaling in float64 then rounding once (so the test can tell the two apart).
    const double = Float32Array.from(x, (v, i) => (v - scaler.mean[i % 2]!) / scaler.std[i % 2]!);
    expect(Array.from(out)).not.toEqual(Array.from(double));
    expect(out).not.toBe(x);
  });

  it('checks the shape', () => {
    expect(() =>
      applyScaler(new Float32Array(5), 2, { columns: ['a', 'b'], mean: [0, 0], std: [1, 1] }),
    ).toThrow(/expected 2 × 2 = 4 values/);
  });
});
