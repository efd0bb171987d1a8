/**
 * How features are stored: V1..V28 as one 112-byte BLOB of little-endian float32 (the model runs in
 * float32, so nothing the model saw is lost, and it is a quarter of 28 REAL columns), with `Amount` and
 * `Time` beside it as nullable REAL columns because not every model takes them.
 */
import { LOGGED_FEATURE_COUNT } from './types.js';

export const FEATURES_BLOB_BYTES = LOGGED_FEATURE_COUNT * 4;

// Typed arrays use the platform's byte order; every platform Node supports in practice is little-endian.
// Refuse to run elsewhere instead of writing BLOBs that other machines would misread.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('cardwatch predictions: big-endian platforms are not supported (features are stored LE)');
}

/** The BLOB bytes of a feature vector: a view of a Float32Array, other numbers rounded to float32 first. */
export function encodeFeatures(features: Float32Array | ArrayLike<number>): Buffer {
  const vector = features instanceof Float32Array ? features : new Float32Array(features);
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/**
 * The BLOB bytes of vector `row` of a column of float32 vectors laid end to end (a packed batch's features):
 * a view, no copy, and the same bytes `encodeFeatures` gives for that vector alone. A plain Uint8Array rather
 * than a Buffer, which better-sqlite3 binds alike (as a BLOB of the view's bytes): `Buffer.from` costs ~70 ns
 * per call against ~45 ns for the view, and this runs once per logged prediction on the writer thread.
 */
export function featuresBlobAt(column: Float32Array, row: number): Uint8Array {
  return new Uint8Array(column.buffer, column.byteOffset + row * FEATURES_BLOB_BYTES, FEATURES_BLOB_BYTES);
}

/** A Float32Array from a stored BLOB. Copies: SQLite's buffer need not be 4-byte aligned. */
export function decodeFeatures(blob: Uint8Array): Float32Array {
  const out = new Float32Array(blob.byteLength >>> 2);
  new Uint8Array(out.buffer).set(blob.subarray(0, out.byteLength));
  return out;
}

/** A model input row split into what the log stores. */
export interface LoggedFeatures {
  /** V1..V28; NaN where the model does not take that column. */
  readonly features: Float32Array;
  readonly amount: number | null;
  readonly time: number | null;
}

/**
 * A function that splits rows in a model's input column order into V1..V28, `Amount` and `Time`. Build it
 * once per loaded model (the column plan is resolved here, not per request).
 * @example
 * const split = createFeatureMapper(['Time', 'V1', 'V2', 'Amount']);
 * split([10, 0.5, -1, 99.9]) // { features: [0.5, -1, NaN × 26], amount: 99.9, time: 10 }
 */
export function createFeatureMapper(
  columns: readonly string[],
): (values: ArrayLike<number>) => LoggedFeatures {
  // targets[i] = index into V1..V28 of model column i, or -1 for Amount/Time.
  const targets = new Int8Array(columns.length).fill(-1);
  let amountAt = -1;
  let timeAt = -1;
  columns.forEach((column, index) => {
    const match = /^V([1-9]\d?)$/.exec(column);
    const v = match === null ? 0 : Number(match[1]);
    if (v >= 1 && v <= LOGGED_FEATURE_COUNT) {
      targets[index] = v - 1;
    } else if (column === 'Amount') {
      amountAt = index;
    } else if (column === 'Time') {
      timeAt = index;
    } else {
      throw new RangeError(
        `cannot log model input column ${JSON.stringify(column)}: expected V1..V${LOGGED_FEATURE_COUNT}, Amount or Time`,
      );
    }
  });
  return function splitLoggedFeatures(values) {
    if (values.length !== columns.length) {
      throw new RangeError(`expected ${columns.length} values (one per model column), got ${values.length}`);
    }
    const features = new Float32Array(LOGGED_FEATURE_COUNT).fill(NaN);
    for (let i = 0; i < columns.length; i++) {
      const target = targets[i];
      if (target >= 0) features[target] = values[i];
    }
    return {
      features,
      amount: amountAt < 0 ? null : values[amountAt],
      time: timeAt < 0 ? null : values[timeAt],
    };
  };
}
