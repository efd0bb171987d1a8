import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRecord, tempDir } from './__fixtures__/records.js';
import { PREDICTION_COLUMN_COUNT, predictionValues, type SqlValue } from './batch-writer.js';
import { openReadonlyDatabase } from './database.js';
import { openPredictionStore } from './open-store.js';
import { toQueuedPrediction } from './queued-prediction.js';
import { startSqliteWriterThread } from './sqlite-writer-thread.js';
import { packBatch, packedRows, unpackBatch } from './writer-thread-protocol.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function logPath(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return join(dir, 'predictions.sqlite');
}

describe('the writer thread protocol', () => {
  it('unpacks exactly what was packed, nulls included', () => {
    const batch = [
      makeRecord(1),
      makeRecord(2, { amount: null, time: null, transactionId: null, topFeatures: null, isFraud: true }),
    ].map(toQueuedPrediction);
    const back = unpackBatch(packBatch(batch));
    expect(back.map((p) => ({ ...p, features: Array.from(p.features) }))).toEqual(
      batch.map((p) => ({ ...p, features: Array.from(p.features) })),
    );
  });

  it('round-trips any strings, nulls, model versions and engines, in order', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const overrides = fc.record({
      predictionId: text.filter((id) => id.length > 0),
      transactionId: fc.option(text, { nil: null }),
      modelVersion: fc.constantFrom('ae-1', 'ae-2', 'clf "3"'),
      engine: fc.constantFrom('float32' as const, 'int8' as const),
      topFeatures: fc.option(
        fc.array(fc.record({ name: text, contribution: fc.double() }), { maxLength: 5 }),
        {
          nil: null,
        },
      ),
    });
    fc.assert(
      fc.property(fc.array(overrides, { maxLength: 60 }), (rows) => {
        const batch = rows.map((row, i) => toQueuedPrediction(makeRecord(i, row)));
        const back = unpackBatch(packBatch(batch));
        expect(back.map((p) => ({ ...p, features: Array.from(p.features) }))).toEqual(
          batch.map((p) => ({ ...p, features: Array.from(p.features) })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('gives the writer, row by row, the values predictionValues gives for each queued record', () => {
    const batch = [
      makeRecord(1),
      makeRecord(2, { amount: null, time: null, transactionId: null, topFeatures: null, isFraud: true }),
      makeRecord(3, {
        modelVersion: 'ae-2',
        engine: 'int8',
        features: Array.from({ length: 28 }, () => NaN),
      }),
    ].map(toQueuedPrediction);
    const rows = packedRows(packBatch(batch));
    expect(rows.count).toBe(3);
    // Bytes as plain arrays: the features go as a Uint8Array view here and a Buffer in predictionValues.
    const plain = (values: readonly SqlValue[]) =>
      values.map((v) => (v instanceof Uint8Array ? Array.from(v) : v));
    // Filled at an offset into a longer array, as for the second row of a multi-row INSERT.
    const params: SqlValue[] = Array<SqlValue>(PREDICTION_COLUMN_COUNT + 2).fill('untouched');
    batch.forEach((p, row) => {
      rows.fill(row, params, 2);
      expect(rows.predictionId(row)).toBe(p.predictionId);
      expect(plain(params.slice(0, 2))).toEqual(['untouched', 'untouched']);
      expect(plain(params.slice(2))).toEqual(plain(predictionValues(p, p.transactionId)));
    });
  });
});

describe('startSqliteWriterThread', () => {
  it('writes batches on its thread and reports records the database refuses, writing the rest', async () => {
    const path = logPath();
    // Create and migrate the log first, as the store does.
    const store = await openPredictionStore(path);
    await store.close();
    const thread = startSqliteWriterThread({ path, busyTimeoutMs: 1_000 });
    try {
      const first = [makeRecord(1), makeRecord(2)].map(toQueuedPrediction);
      expect(await thread.writeBatch(first)).toEqual({ written: 2, rejected: [] });
      // The first record reuses a written id: the database refuses it (primary key), the second is new.
      const again = [makeRecord(3, { predictionId: first[1]?.predictionId as string }), makeRecord(4)].map(
        toQueuedPrediction,
      );
      const result = await thread.writeBatch(again);
      expect(result.written).toBe(1);
      expect(result.rejected.map((r) => r.predictionId)).toEqual([again[0]?.predictionId]);
      expect(result.rejected[0]?.error.message).toMatch(/UNIQUE|constraint/i);
    } finally {
      await thread.close();
    }
    const db = openReadonlyDatabase(path, { busyTimeoutMs: 1_000 });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM predictions').get()).toEqual({ n: 3 });
    } finally {
      db.close();
    }
  });

  it('fails the batch (for the log to retry) when its database cannot be opened, and starts afresh', async () => {
    // A path under a regular file: the worker's open fails (ENOTDIR).
    const blocker = logPath();
    writeFileSync(blocker, 'not a folder');
    const thread = startSqliteWriterThread({ path: join(blocker, 'such.sqlite'), busyTimeoutMs: 100 });
    const batch = [makeRecord(1)].map(toQueuedPrediction);
    await expect(thread.writeBatch(batch)).rejects.toThrow(/writer thread/);
    await expect(thread.writeBatch(batch)).rejects.toThrow(/writer thread/);
    await thread.close();
  });
});
