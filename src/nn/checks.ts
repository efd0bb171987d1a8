/** Input checks shared by inference and training: shapes and finiteness, with messages naming the culprit. */
import { CardwatchError } from '../util/errors.js';

/** Throws SHAPE_MISMATCH unless `values` is a Float32Array of exactly rows × dim values. */
export function checkMatrix(values: Float32Array, rows: number, dim: number, what: string): void {
  if (!Number.isInteger(rows) || rows < 0) {
    throw new CardwatchError('SHAPE_MISMATCH', `rows must be a non-negative integer, got ${String(rows)}`);
  }
  if (!(values instanceof Float32Array)) {
    throw new CardwatchError('SHAPE_MISMATCH', `${what} must be a Float32Array`);
  }
  if (values.length !== rows * dim) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `${what} has ${values.length} values but ${rows} rows × ${dim} columns need ${rows * dim}`,
    );
  }
}

/** Throws DATA_INVALID at the first non-finite value, naming its row and column. */
export function checkFinite(values: Float32Array, dim: number, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      throw new CardwatchError(
        'DATA_INVALID',
        `${what} has a non-finite value (${v}) at row ${Math.floor(i / dim)}, column ${i % dim}`,
      );
    }
  }
}

/** Throws DATA_INVALID at the first value outside [0, 1] (binary cross-entropy targets). */
export function checkUnitInterval(values: Float32Array, dim: number, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v <= 1)) {
      throw new CardwatchError(
        'DATA_INVALID',
        `${what} must lie in [0, 1] for binary cross-entropy, got ${v} at row ${Math.floor(i / dim)}, column ${i % dim}`,
      );
    }
  }
}
