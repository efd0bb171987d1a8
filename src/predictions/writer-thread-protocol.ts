/**
 * What crosses between the service's thread and the SQLite writer thread. A batch travels column-wise (one
 * Float32Array of features and one Float64Array of numbers, transferred, plus arrays of strings) rather than
 * as an array of records: structured-cloning thousands of small objects would cost the request thread much of
 * what moving the writes off it saves.
 */
import { LOGGED_FEATURE_COUNT, type Engine } from './types.js';
import type { QueuedPrediction } from './queued-prediction.js';

/** Numbers per record in `PackedBatch.numbers`; null amount/time travel as NaN (the queue never holds NaN). */
const NUMBERS = 6;

export interface PackedBatch {
  readonly rows: number;
  readonly ids: string[];
  readonly transactionIds: (string | null)[];
  readonly modelVersions: string[];
  readonly engines: Engine[];
  readonly topFeatures: (string | null)[];
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

export function packBatch(batch: readonly QueuedPrediction[]): PackedBatch {
  const rows = batch.length;
  const numbers = new Float64Array(rows * NUMBERS);
  const isFraud = new Uint8Array(rows);
  const features = new Float32Array(rows * LOGGED_FEATURE_COUNT);
  const ids = new Array<string>(rows);
  const transactionIds = new Array<string | null>(rows);
  const modelVersions = new Array<string>(rows);
  const engines = new Array<Engine>(rows);
  const topFeatures = new Array<string | null>(rows);
  for (let i = 0; i < rows; i++) {
    const p = batch[i] as QueuedPrediction;
    ids[i] = p.predictionId;
    transactionIds[i] = p.transactionId;
    modelVersions[i] = p.modelVersion;
    engines[i] = p.engine;
    topFeatures[i] = p.topFeaturesJson;
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
  return { rows, ids, transactionIds, modelVersions, engines, topFeatures, numbers, isFraud, features };
}

/** The buffers `postMessage` may transfer instead of copying. */
export function transferables(batch: PackedBatch): ArrayBuffer[] {
  return [batch.numbers.buffer, batch.isFraud.buffer, batch.features.buffer] as ArrayBuffer[];
}

function nullable(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

export function unpackBatch(packed: PackedBatch): QueuedPrediction[] {
  const out = new Array<QueuedPrediction>(packed.rows);
  for (let i = 0; i < packed.rows; i++) {
    const at = i * NUMBERS;
    out[i] = {
      predictionId: packed.ids[i] as string,
      transactionId: packed.transactionIds[i] ?? null,
      modelVersion: packed.modelVersions[i] as string,
      engine: packed.engines[i] as Engine,
      topFeaturesJson: packed.topFeatures[i] ?? null,
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
