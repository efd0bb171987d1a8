/**
 * What crosses between the service's thread and the SQLite writer thread. A batch travels column-wise, in few
 * objects: numbers and features in typed arrays (transferred), each string column as one long string plus
 * lengths, repeated strings (model version, engine) as a dictionary. Structured-cloning thousands of small
 * objects or strings would cost the request thread much of what moving the writes off it saves (a batch of
 * separate strings measured ~3 % of the request thread under load).
 */
import type { PredictionRows } from './batch-writer.js';
import { featuresBlobAt } from './features.js';
import { LOGGED_FEATURE_COUNT, type Engine } from './types.js';
import type { QueuedPrediction } from './queued-prediction.js';

/** Numbers per record in `PackedBatch.numbers`; null amount/time travel as NaN (the queue never holds NaN). */
const NUMBERS = 6;

/** A column of strings (or nulls) as one string: `lengths[i]` is the length of value i, -1 for null. */
export interface PackedStrings {
  readonly text: string;
  readonly lengths: Int32Array;
}

/** A column of few distinct strings: `codes[i]` indexes `values`. */
export interface PackedDictionary<T extends string> {
  readonly values: T[];
  readonly codes: Uint32Array;
}

export interface PackedBatch {
  readonly rows: number;
  readonly ids: PackedStrings;
  readonly transactionIds: PackedStrings;
  readonly topFeatures: PackedStrings;
  readonly modelVersions: PackedDictionary<string>;
  readonly engines: PackedDictionary<Engine>;
  /** rows × 6: createdAt, score, threshold, latencyMs, amount, time. */
  readonly numbers: Float64Array;
  readonly isFraud: Uint8Array;
  /** rows × 28. */
  readonly features: Float32Array;
}

export interface WriterOpen {
  readonly path: string;
  readonly busyTimeoutMs: number;
}

export type WriterRequest =
  { readonly id: number; readonly batch: PackedBatch } | { readonly id: number; readonly close: true };

export type WriterReply =
  | {
      readonly id: number;
      readonly written: number;
      readonly rejected: { predictionId: string; message: string }[];
    }
  | { readonly id: number; readonly error: string }
  | { readonly id: number; readonly closed: true };

function packStrings(rows: number, value: (i: number) => string | null): PackedStrings {
  const lengths = new Int32Array(rows);
  let text = '';
  for (let i = 0; i < rows; i++) {
    const v = value(i);
    if (v === null) {
      lengths[i] = -1;
    } else {
      lengths[i] = v.length;
      text += v;
    }
  }
  return { text, lengths };
}

function unpackStrings(packed: PackedStrings): (string | null)[] {
  const out = new Array<string | null>(packed.lengths.length);
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    const length = packed.lengths[i] as number;
    if (length < 0) {
      out[i] = null;
    } else {
      out[i] = packed.text.slice(at, at + length);
      at += length;
    }
  }
  return out;
}

function packDictionary<T extends string>(rows: number, value: (i: number) => T): PackedDictionary<T> {
  const values: T[] = [];
  const codes = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = value(i);
    // Nearly always one value per batch (one model, one engine): a scan beats a Map here.
    let code = values.indexOf(v);
    if (code < 0) code = values.push(v) - 1;
    codes[i] = code;
  }
  return { values, codes };
}

export function packBatch(batch: readonly QueuedPrediction[]): PackedBatch {
  const rows = batch.length;
  const numbers = new Float64Array(rows * NUMBERS);
  const isFraud = new Uint8Array(rows);
  const features = new Float32Array(rows * LOGGED_FEATURE_COUNT);
  for (let i = 0; i < rows; i++) {
    const p = batch[i] as QueuedPrediction;
    const at = i * NUMBERS;
    numbers[at] = p.createdAt;
    numbers[at + 1] = p.score;
    numbers[at + 2] = p.threshold;
    numbers[at + 3] = p.latencyMs;
    numbers[at + 4] = p.amount ?? NaN;
    numbers[at + 5] = p.time ?? NaN;
    isFraud[i] = p.isFraud;
    features.set(p.features, i * LOGGED_FEATURE_COUNT);
  }
  const row = (i: number) => batch[i] as QueuedPrediction;
  return {
    rows,
    ids: packStrings(rows, (i) => row(i).predictionId),
    transactionIds: packStrings(rows, (i) => row(i).transactionId),
    topFeatures: packStrings(rows, (i) => row(i).topFeaturesJson),
    modelVersions: packDictionary(rows, (i) => row(i).modelVersion),
    engines: packDictionary(rows, (i) => row(i).engine),
    numbers,
    isFraud,
    features,
  };
}

/** The buffers `postMessage` may transfer instead of copying. */
export function transferables(batch: PackedBatch): ArrayBuffer[] {
  return [
    batch.numbers.buffer,
    batch.isFraud.buffer,
    batch.features.buffer,
    batch.ids.lengths.buffer,
    batch.transactionIds.lengths.buffer,
    batch.topFeatures.lengths.buffer,
    batch.modelVersions.codes.buffer,
    batch.engines.codes.buffer,
  ] as ArrayBuffer[];
}

function nullable(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/**
 * A packed batch as the batch writer's rows: each row's values go from the columns into the INSERT's
 * parameters, with the values `predictionValues(unpackBatch(packed)[i])` would give (the features as a view of
 * the same 112 bytes). This is what the writer thread writes: rebuilding one object and one Buffer per
 * prediction first (`unpackBatch`) made filling the parameters cost ~0.4 µs a row instead of ~0.3, plus the
 * garbage; ~4% of the thread's CPU per row in bench/prediction-writer.mjs.
 */
export function packedRows(packed: PackedBatch): PredictionRows {
  // Slicing the strings is the one per-row allocation left besides the features view: binding needs a string.
  const ids = unpackStrings(packed.ids);
  const transactionIds = unpackStrings(packed.transactionIds);
  const topFeatures = unpackStrings(packed.topFeatures);
  const { numbers, isFraud, features, modelVersions, engines } = packed;
  return {
    count: packed.rows,
    predictionId: (row) => ids[row] as string,
    fill(row, params, at) {
      const n = row * NUMBERS;
      params[at] = ids[row] as string;
      params[at + 1] = numbers[n] as number;
      params[at + 2] = transactionIds[row] ?? null;
      params[at + 3] = modelVersions.values[modelVersions.codes[row] as number] as string;
      params[at + 4] = engines.values[engines.codes[row] as number] as Engine;
      params[at + 5] = numbers[n + 1] as number;
      params[at + 6] = numbers[n + 2] as number;
      params[at + 7] = isFraud[row] === 1 ? 1 : 0;
      params[at + 8] = numbers[n + 3] as number;
      params[at + 9] = featuresBlobAt(features, row);
      params[at + 10] = nullable(numbers[n + 4] as number);
      params[at + 11] = nullable(numbers[n + 5] as number);
      params[at + 12] = topFeatures[row] ?? null;
    },
  };
}

/**
 * The queued records back, as objects: the inverse of `packBatch`, which the tests check packing against and
 * bench/prediction-writer.mjs uses for the old way. The writer thread itself uses `packedRows`.
 */
export function unpackBatch(packed: PackedBatch): QueuedPrediction[] {
  const ids = unpackStrings(packed.ids);
  const transactionIds = unpackStrings(packed.transactionIds);
  const topFeatures = unpackStrings(packed.topFeatures);
  const out = new Array<QueuedPrediction>(packed.rows);
  for (let i = 0; i < packed.rows; i++) {
    const at = i * NUMBERS;
    out[i] = {
      predictionId: ids[i] as string,
      transactionId: transactionIds[i] ?? null,
      modelVersion: packed.modelVersions.values[packed.modelVersions.codes[i] as number] as string,
      engine: packed.engines.values[packed.engines.codes[i] as number] as Engine,
      topFeaturesJson: topFeatures[i] ?? null,
      createdAt: packed.numbers[at] as number,
      score: packed.numbers[at + 1] as number,
      threshold: packed.numbers[at + 2] as number,
      latencyMs: packed.numbers[at + 3] as number,
      amount: nullable(packed.numbers[at + 4] as number),
      time: nullable(packed.numbers[at + 5] as number),
      isFraud: packed.isFraud[i] === 1 ? 1 : 0,
      features: packed.features.subarray(i * LOGGED_FEATURE_COUNT, (i + 1) * LOGGED_FEATURE_COUNT),
    };
  }
  return out;
}
