/** Test helpers: deterministic records and a throw-away folder per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newPredictionId } from '../prediction-id.js';
import type { PredictionRecord } from '../types.js';

export const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

/** Record number `i`: features V(k) = i + k/8 (exact in float32), times one second apart from T0. */
export function makeRecord(i: number, overrides: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    predictionId: newPredictionId(T0 + i * 1000),
    createdAt: T0 + i * 1000,
    transactionId: `tx-${i}`,
    modelVersion: 'ae-test',
    engine: 'float32',
    score: 0.5 + i,
    threshold: 2,
    isFraud: 0.5 + i > 2,
    latencyMs: 0.25,
    features: Array.from({ length: 28 }, (_, k) => i + (k + 1) / 8),
    amount: 10 + i,
    time: 100 + i,
    ...overrides,
  };
}

/** A fresh temporary folder and its removal. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cardwatch-predictions-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
