/**
 * Writes a batch of queued predictions in one transaction with one prepared statement: the per-commit cost
 * (WAL append, locking) is paid once per batch instead of once per prediction.
 */
import type { Database } from 'better-sqlite3';
import { encodeFeatures } from './features.js';
import type { QueuedPrediction } from './queued-prediction.js';

export interface RejectedPrediction {
  readonly predictionId: string;
  readonly error: Error;
}

export interface BatchResult {
  /** Records committed. */
  readonly written: number;
  /** Records the database refused one by one (a constraint, e.g. a duplicate id); the rest committed. */
  readonly rejected: readonly RejectedPrediction[];
}

/** Writes one batch; throws (and commits nothing) when the database itself fails. */
export type BatchWriter = (batch: readonly QueuedPrediction[]) => BatchResult;

function isConstraintError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}

/** The 13 values of a prediction row, in the column order of the INSERTs here and in sqlite-decisions.ts. */
export function predictionValues(p: QueuedPrediction, transactionId: string | null) {
  return [
    p.predictionId,
    p.createdAt,
    transactionId,
    p.modelVersion,
    p.engine,
    p.score,
    p.threshold,
    p.isFraud,
    p.latencyMs,
    encodeFeatures(p.features),
    p.amount,
    p.time,
    p.topFeaturesJson,
  ] as const;
}

export function createBatchWriter(db: Database): BatchWriter {
  const insert = db.prepare(
    `INSERT INTO predictions (prediction_id, created_at, transaction_id, model_version, engine, score,
       threshold, is_fraud, latency_ms, features, amount, time, top_features)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const writeAll = db.transaction((batch: readonly QueuedPrediction[]): BatchResult => {
    let written = 0;
    const rejected: RejectedPrediction[] = [];
    for (const p of batch) {
      try {
        insert.run(...predictionValues(p, p.transactionId));
        written += 1;
      } catch (error) {
        // A constraint failure undoes only this statement and the transaction stays open (SQLite's default
        // ABORT resolution), so one bad record must not block the batch, nor be retried forever and fill
        // the queue. Any other error (I/O, lock, missing table) aborts the whole batch for a retry.
        if (!isConstraintError(error)) throw error;
        rejected.push({ predictionId: p.predictionId, error });
      }
    }
    return { written, rejected };
  });
  // IMMEDIATE takes the write lock at BEGIN, so a busy database fails before any work, not at COMMIT.
  return function writeBatch(batch) {
    return writeAll.immediate(batch);
  };
}
