/**
 * Column selection and standard scaling. The scaler is fitted here but applied at inference by the ONNX
 * graph (its Sub and Div nodes), so `applyScaler` reproduces that graph's float32 arithmetic exactly.
 */
import { CardwatchError } from '../util/errors.js';
import type { Dataset } from './types.js';

/** Per-column mean and population std (ddof 0, like sklearn's StandardScaler). */
export interface StandardScaler {
  columns: string[];
  mean: number[];
  std: number[];
}

function columnIndices(dataset: Dataset, columns: readonly string[]): number[] {
  return columns.map((name) => {
    const index = dataset.columns.indexOf(name);
    if (index === -1) {
      throw new CardwatchError(
        'SHAPE_MISMATCH',
        `unknown column ${JSON.stringify(name)}; the dataset has ${dataset.columns.join(',')}`,
      );
    }
    return index;
  });
}

/**
 * The given columns of the given rows (all rows by default) as a row-major `rows × columns.length` matrix.
 * @throws CardwatchError SHAPE_MISMATCH naming a column the dataset does not have.
 */
export function selectColumns(
  dataset: Dataset,
  columns: readonly string[],
  indices?: Uint32Array,
): Float32Array {
  const picked = columnIndices(dataset, columns);
  const width = dataset.columns.length;
  const rows = indices === undefined ? dataset.rows : indices.length;
  const k = picked.length;
  const out = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const row = indices === undefined ? r : indices[r]!;
    if (row >= dataset.rows) {
      throw new CardwatchError('SHAPE_MISMATCH', `row index ${row} is out of range (${dataset.rows} rows)`);
    }
    const from = row * width;
    for (let c = 0; c < k; c++) out[r * k + c] = dataset.x[from + picked[c]!]!;
  }
  return out;
}

/**
 * Fits mean and population std per column over the given rows (all by default), in float64 with two
 * passes for accuracy. A std of 0 (constant column) or a non-finite one becomes 1, so scaling never divides
 * by zero.
 * @throws CardwatchError DATA_INVALID for zero rows; SHAPE_MISMATCH for an unknown column.
 */
export function fitStandardScaler(
  dataset: Dataset,
  columns: readonly string[],
  indices?: Uint32Array,
): StandardScaler {
  const k = columns.length;
  const x = selectColumns(dataset, columns, indices);
  const rows = x.length / Math.max(k, 1);
  if (rows === 0) throw new CardwatchError('DATA_INVALID', 'cannot fit a scaler on zero rows');
  const mean = new Array<number>(k).fill(0);
  const std = new Array<number>(k).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) mean[c]! += x[r * k + c]!;
  for (let c = 0; c < k; c++) mean[c] = mean[c]! / rows;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < k; c++) {
      const d = x[r * k + c]! - mean[c]!;
      std[c]! += d * d;
    }
  }
  for (let c = 0; c < k; c++) {
    const value = Math.sqrt(std[c]! / rows);
    std[c] = Number.isFinite(value) && value > 0 ? value : 1;
  }
  return { columns: [...columns], mean, std };
}

/**
 * Scales a row-major `rows × scaler.columns.length` matrix into a new array:
 * `fround(fround(x − mean₃₂) / std₃₂)` with mean₃₂ = fround(mean), std₃₂ = fround(std). This is exactly
 * the exported ONNX graph's float32 Sub then Div (each float32 op is correctly rounded, and so is one
 * double op on float32 inputs rounded back to float32), which the export parity check relies on.
 * @throws CardwatchError SHAPE_MISMATCH when the length is not rows × columns.
 */
export function applyScaler(x: Float32Array, rows: number, scaler: StandardScaler): Float32Array {
  const k = scaler.columns.length;
  if (x.length !== rows * k) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `expected ${rows} × ${k} = ${rows * k} values to scale, got ${x.length}`,
    );
  }
  const mean = scaler.mean.map((value) => Math.fround(value));
  const std = scaler.std.map((value) => Math.fround(value));
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < k; c++) {
      const i = r * k + c;
      // Storing into the Float32Array is the final fround.
      out[i] = Math.fround(x[i]! - mean[c]!) / std[c]!;
    }
  }
  return out;
}
