/**
 * The supervised models' feature transforms: raw Kaggle columns → the columns the scaler and the network see.
 * `V1..V28` pass as they are; `Amount` becomes log1p(max(Amount, 0)) (amounts span five orders of magnitude and
 * the raw value would let a few large ones dominate the first layer); `Time` becomes the time of day as
 * sin and cos of 2π·(Time mod 86400)/86400 (the raw seconds-since-start count only orders the rows: a model
 * that learned it could not score tomorrow's transactions, while fraud rates do follow the hour of day).
 *
 * The same transforms are nodes of the exported ONNX graph (bundle/onnx-graph.ts), so no client can forget
 * them. `transformRows` reproduces that graph's float32 arithmetic step by step so the export parity check
 * compares like with like.
 */
import { CardwatchError } from '../util/errors.js';

export const SECONDS_PER_DAY = 86_400;

export type FeatureTransform = 'identity' | 'log1p' | 'day_sin' | 'day_cos';

/** One column the scaler and network see, computed from raw input column `source`. */
export interface DerivedFeature {
  /** E.g. `V14`, `log1p(Amount)`, `sin(time of day)`. */
  readonly name: string;
  /** Index into the raw input columns. */
  readonly source: number;
  readonly transform: FeatureTransform;
}

/**
 * Order of the derived columns: grouped by transform, each group in raw column order. The ONNX graph gathers
 * each group with one node and concatenates the groups, so this order needs no permutation there.
 */
const TRANSFORM_ORDER: readonly FeatureTransform[] = ['identity', 'log1p', 'day_sin', 'day_cos'];

function transformsOf(column: string): FeatureTransform[] {
  if (column === 'Amount') return ['log1p'];
  if (column === 'Time') return ['day_sin', 'day_cos'];
  return ['identity'];
}

function nameOf(column: string, transform: FeatureTransform): string {
  switch (transform) {
    case 'identity':
      return column;
    case 'log1p':
      return `log1p(${column})`;
    case 'day_sin':
      return `sin(time of day of ${column})`;
    case 'day_cos':
      return `cos(time of day of ${column})`;
  }
}

/**
 * The derived columns of raw input `columns`.
 * @example derivedFeatures(['V1', 'Amount', 'Time']).map((f) => f.name)
 * // ['V1', 'log1p(Amount)', 'sin(time of day of Time)', 'cos(time of day of Time)']
 */
export function derivedFeatures(columns: readonly string[]): DerivedFeature[] {
  const out: DerivedFeature[] = [];
  for (const transform of TRANSFORM_ORDER) {
    columns.forEach((column, source) => {
      if (transformsOf(column).includes(transform)) {
        out.push({ name: nameOf(column, transform), source, transform });
      }
    });
  }
  return out;
}

/** 2π/86400 as the graph holds it (a float32 initializer). */
const DAY_ANGLE = Math.fround((2 * Math.PI) / SECONDS_PER_DAY);

/**
 * The derived columns of `rows` raw rows (`x` is rows × rawWidth, row-major) as a new rows × derived.length
 * matrix. Each step is rounded to float32 like the graph's node of the same name: log1p is Max → Add(1) → Log,
 * the time of day is Mod(86400, fmod) → Mul(2π/86400) → Sin / Cos.
 * @throws CardwatchError SHAPE_MISMATCH when `x` is not rows × rawWidth.
 */
export function transformRows(
  x: Float32Array,
  rows: number,
  rawWidth: number,
  derived: readonly DerivedFeature[],
): Float32Array {
  if (x.length !== rows * rawWidth) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `expected ${rows} rows × ${rawWidth} raw columns = ${rows * rawWidth} values, got ${x.length}`,
    );
  }
  const width = derived.length;
  const out = new Float32Array(rows * width);
  for (let c = 0; c < width; c++) {
    const { source, transform } = derived[c]!;
    for (let r = 0; r < rows; r++) {
      const value = x[r * rawWidth + source]!;
      out[r * width + c] = applyTransform(transform, value);
    }
  }
  return out;
}

function applyTransform(transform: FeatureTransform, value: number): number {
  switch (transform) {
    case 'identity':
      return value;
    case 'log1p':
      return Math.fround(Math.log(Math.fround(Math.max(value, 0) + 1)));
    case 'day_sin':
      return Math.fround(Math.sin(dayAngle(value)));
    case 'day_cos':
      return Math.fround(Math.cos(dayAngle(value)));
  }
}

/** fmod keeps the sign of the dividend, like ONNX Mod with fmod=1; the sine and cosine do not mind. */
function dayAngle(seconds: number): number {
  return Math.fround((seconds % SECONDS_PER_DAY) * DAY_ANGLE);
}
