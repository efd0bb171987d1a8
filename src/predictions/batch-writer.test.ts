import type { Database } from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRecord } from './__fixtures__/records.js';
import {
  createBatchWriter,
  createRowsWriter,
  predictionValues,
  queuedRows,
  ROWS_PER_INSERT,
  type BatchResult,
  type PredictionRows,
} from './batch-writer.js';
import { openWritableDatabase } from './database.js';
import { toQueuedPrediction, type QueuedPrediction } from './queued-prediction.js';
import { packBatch, packedRows } from './writer-thread-protocol.js';

const opened: Database[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function freshDb(): Database {
  const db = openWritableDatabase(':memory:', { busyTimeoutMs: 100 });
  opened.push(db);
  return db;
}

/**
 * The specification the multi-row writer must match: one single-row INSERT per record, in order, in one
 * IMMEDIATE transaction, a constraint error rejecting that record alone (what batch-writer.ts did before).
 */
function referenceWrite(db: Database, batch: readonly QueuedPrediction[]): BatchResult {
  const insert = db.prepare(
    `INSERT INTO predictions (prediction_id, created_at, transaction_id, model_version, engine, score,
       threshold, is_fraud, latency_ms, features, amount, time, top_features)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return db
    .transaction((): BatchResult => {
      let written = 0;
      const rejected: { predictionId: string; error: Error }[] = [];
      for (const p of batch) {
        try {
          insert.run(...predictionValues(p, p.transactionId));
          written += 1;
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (!(typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'))) throw error;
          rejected.push({ predictionId: p.predictionId, error: error as Error });
        }
      }
      return { written, rejected };
    })
    .immediate();
}

const COLUMNS = [
  'prediction_id',
  'created_at',
  'transaction_id',
  'model_version',
  'engine',
  'score',
  'threshold',
  'is_fraud',
  'latency_ms',
  'features',
  'amount',
  'time',
  'top_features',
  'source',
];

/** Every stored value with its storage class (an INTEGER stored as REAL would differ), in key order. */
function dump(db: Database): unknown[] {
  const select = COLUMNS.map((c) => `${c}, typeof(${c}) AS "${c}:type"`).join(', ');
  return db.prepare(`SELECT ${select} FROM predictions ORDER BY prediction_id`).all();
}

/** What a writer answered, errors reduced to their messages (one Error is never `toEqual` another). */
function summary(result: BatchResult) {
  return {
    written: result.written,
    rejected: result.rejected.map((r) => ({ predictionId: r.predictionId, message: r.error.message })),
  };
}

type Way = (db: Database, batch: readonly QueuedPrediction[], rowsPerInsert?: number) => BatchResult;

/** The two ways batches reach `createRowsWriter`: the queue's objects (in-process) and packed columns (thread). */
const WAYS: Record<string, Way> = {
  'queued objects': (db, batch, rowsPerInsert) =>
    rowsPerInsert === undefined
      ? createBatchWriter(db)(batch)
      : createRowsWriter(db, rowsPerInsert)(queuedRows(batch)),
  'packed columns': (db, batch, rowsPerInsert) =>
    createRowsWriter(db, rowsPerInsert)(packedRows(packBatch(batch))),
};

/** Record i with nulls, both engines, two model versions and fraud flags varying from row to row. */
function varied(i: number, predictionId?: string): QueuedPrediction {
  return toQueuedPrediction(
    makeRecord(i, {
      ...(predictionId === undefined ? {} : { predictionId }),
      transactionId: i % 5 === 0 ? null : `tx-${i}`,
      modelVersion: i % 3 === 0 ? 'ae-test' : 'clf-2',
      engine: i % 2 === 0 ? 'float32' : 'int8',
      isFraud: i % 4 === 1,
      amount: i % 6 === 0 ? null : 10.5 + i,
      time: i % 7 === 0 ? null : 100 + i,
      topFeatures: i % 3 === 1 ? null : [{ name: `V${(i % 28) + 1}`, contribution: i / 3 }],
      // Not a whole number: a value landing in the wrong REAL column shows.
      latencyMs: 0.125 + i / 1024,
    }),
  );
}

describe.each(Object.entries(WAYS))('the multi-row batch writer, from %s', (_, write) => {
  it.each([0, 1, 2, ROWS_PER_INSERT - 1, ROWS_PER_INSERT, ROWS_PER_INSERT + 1, 80, 2 * ROWS_PER_INSERT + 1])(
    'stores a batch of %i exactly as one INSERT per row does',
    (size) => {
      const batch = Array.from({ length: size }, (_, i) => varied(i));
      const db = freshDb();
      const expected = freshDb();
      expect(summary(write(db, batch))).toEqual(summary(referenceWrite(expected, batch)));
      expect(dump(db)).toEqual(dump(expected));
      expect(dump(db)).toHaveLength(size);
    },
  );

  it('rejects only a duplicate in the middle of a chunk, and a record already stored; the rest commit', () => {
    const db = freshDb();
    const earlier = varied(1000);
    expect(write(db, [earlier])).toMatchObject({ written: 1, rejected: [] });
    const batch = Array.from({ length: 80 }, (_, i) => varied(i));
    // Row 20 reuses row 10's id (both in the first chunk of 32); row 45 (second chunk) reuses a stored id.
    batch[20] = varied(20, batch[10]?.predictionId);
    batch[45] = varied(45, earlier.predictionId);
    const result = write(db, batch);
    expect(result.written).toBe(78);
    expect(result.rejected.map((r) => r.predictionId)).toEqual([
      batch[10]?.predictionId,
      earlier.predictionId,
    ]);
    for (const r of result.rejected) expect(r.error.message).toMatch(/UNIQUE constraint failed/);
    // The same as the record-by-record writer: the first of two records with one id is the one kept.
    const expected = freshDb();
    referenceWrite(expected, [earlier]);
    referenceWrite(expected, batch);
    expect(dump(db)).toEqual(dump(expected));
    expect(dump(db)).toHaveLength(79);
  });

  it('matches the record-by-record writer on any batch, duplicates and chunk sizes included', () => {
    // Ids drawn from a small pool: duplicates within a chunk, across chunks and against stored rows.
    const batchArb = fc.array(fc.record({ seed: fc.nat(200), id: fc.nat(40) }), { maxLength: 100 });
    fc.assert(
      fc.property(
        batchArb,
        batchArb,
        fc.constantFrom(1, 2, 3, 7, ROWS_PER_INSERT, undefined),
        (first, second, rowsPerInsert) => {
          const toBatch = (rows: { seed: number; id: number }[]) =>
            rows.map(({ seed, id }) => varied(seed, `p-${String(id).padStart(2, '0')}`));
          const db = freshDb();
          const expected = freshDb();
          for (const batch of [toBatch(first), toBatch(second)]) {
            expect(summary(write(db, batch, rowsPerInsert))).toEqual(
              summary(referenceWrite(expected, batch)),
            );
          }
          expect(dump(db)).toEqual(dump(expected));
          db.close();
          expected.close();
          opened.length = 0;
        },
      ),
      { numRuns: 60 },
    );
  });

  it('commits nothing when a statement fails other than by a constraint, and writes the next batch', () => {
    const db = freshDb();
    // A row whose INSERT throws a plain error (not SQLITE_CONSTRAINT), as an I/O or lock failure would.
    db.function('fail_insert', () => {
      throw new Error('simulated database failure');
    });
    db.exec(`CREATE TEMP TRIGGER fail_on_marker BEFORE INSERT ON predictions
             WHEN NEW.transaction_id = 'fail' BEGIN SELECT fail_insert(); END`);
    const stored = varied(500);
    write(db, [stored]);
    const batch = Array.from({ length: 80 }, (_, i) => varied(i));
    // In the third chunk, after two chunks' statements have run; and again with a duplicate in its chunk,
    // so that the failure comes during the row-by-row retry.
    batch[70] = toQueuedPrediction(makeRecord(70, { transactionId: 'fail' }));
    expect(() => write(db, batch)).toThrow(/simulated database failure/);
    batch[66] = varied(66, batch[65]?.predictionId);
    expect(() => write(db, batch)).toThrow(/simulated database failure/);
    expect(dump(db)).toHaveLength(1);
    batch[70] = varied(70);
    expect(write(db, batch)).toMatchObject({
      written: 79,
      rejected: [{ predictionId: batch[65]?.predictionId }],
    });
    expect(dump(db)).toHaveLength(80);
  });
});

describe('createRowsWriter', () => {
  it('refuses a chunk size below 1', () => {
    expect(() => createRowsWriter(freshDb(), 0)).toThrow(RangeError);
  });

  it('writes in order the values rows put in, one statement per chunk', () => {
    const db = freshDb();
    const fills: number[] = [];
    const batch = Array.from({ length: 7 }, (_, i) => varied(i));
    const inner = queuedRows(batch);
    const rows: PredictionRows = {
      count: inner.count,
      predictionId: (row) => inner.predictionId(row),
      fill(row, params, at) {
        fills.push(row);
        inner.fill(row, params, at);
      },
    };
    expect(createRowsWriter(db, 3)(rows)).toEqual({ written: 7, rejected: [] });
    expect(fills).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
