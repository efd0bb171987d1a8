/**
 * Writes a batch of queued predictions in one transaction: the per-commit cost (WAL append, locking) is paid
 * once per batch instead of once per prediction.
 *
 * Rows go in multi-row INSERTs (`ROWS_PER_INSERT` rows per statement) rather than one statement per row: each
 * `run()` costs a call into the addon, a VDBE start and reset, clearing the bindings and a result object, and
 * sharing that among 32 rows cut the writer thread's CPU per row by ~20% (~6.5-7 → ~5.2-5.5 µs with the WAL
 * writes, bench/prediction-writer.mjs).
 *
 * The rows are read through `PredictionRows` rather than as objects: the writer thread fills each statement's
 * parameters straight from the columns it receives (writer-thread-protocol.ts), without first building one
 * object and one values array per prediction.
 */
import type { Database, Statement } from 'better-sqlite3';
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

/** A value bound to a column of `predictions`. A Uint8Array (Buffer or not) binds as a BLOB of its bytes. */
export type SqlValue = string | number | Uint8Array | null;

/** The columns every INSERT of a prediction fills, in order (here and in sqlite-decisions.ts). */
export const PREDICTION_COLUMNS = [
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
] as const;

/** Values per row, i.e. bound parameters per row of an INSERT. */
export const PREDICTION_COLUMN_COUNT = PREDICTION_COLUMNS.length;

/**
 * Rows per INSERT. The CPU per row was flat from 16 to 64 rows per statement within the bench's noise (8 was
 * measurably worse, 1 is the old way). 32 keeps a typical batch (~80) to three statements, the statements
 * cached per size to at most 32, and the row-by-row retry after a refused record short. It stays far below
 * SQLite's limit on bound parameters (32,766 since 3.32): 32 × 13 = 416.
 */
export const ROWS_PER_INSERT = 32;

/**
 * A batch, row by row, without one object per row: the queue's objects (`queuedRows`) or the columns the
 * writer thread receives (`packedRows` in writer-thread-protocol.ts).
 */
export interface PredictionRows {
  readonly count: number;
  predictionId(row: number): string;
  /** Puts the row's `PREDICTION_COLUMN_COUNT` values into `params[at …]`, in the order of the INSERT's columns. */
  fill(row: number, params: SqlValue[], at: number): void;
}

/** Writes rows in one transaction; throws (and commits nothing) when the database itself fails. */
export type RowsWriter = (rows: PredictionRows) => BatchResult;

function isConstraintError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}

/**
 * Puts the 13 values of a prediction row into `params[at …]`, in `PREDICTION_COLUMNS` order: the one place that
 * maps a queued record onto the table, for the INSERTs here and in sqlite-decisions.ts.
 */
function fillPredictionValues(
  p: QueuedPrediction,
  transactionId: string | null,
  params: SqlValue[],
  at: number,
): void {
  params[at] = p.predictionId;
  params[at + 1] = p.createdAt;
  params[at + 2] = transactionId;
  params[at + 3] = p.modelVersion;
  params[at + 4] = p.engine;
  params[at + 5] = p.score;
  params[at + 6] = p.threshold;
  params[at + 7] = p.isFraud;
  params[at + 8] = p.latencyMs;
  params[at + 9] = encodeFeatures(p.features);
  params[at + 10] = p.amount;
  params[at + 11] = p.time;
  params[at + 12] = p.topFeaturesJson;
}

/** The 13 values of a prediction row as a new array, in `PREDICTION_COLUMNS` order. */
export function predictionValues(p: QueuedPrediction, transactionId: string | null): SqlValue[] {
  const values: SqlValue[] = [];
  fillPredictionValues(p, transactionId, values, 0);
  return values;
}

/** The queue's records as `PredictionRows`: the values `predictionValues` gives, written in place. */
export function queuedRows(batch: readonly QueuedPrediction[]): PredictionRows {
  return {
    count: batch.length,
    predictionId: (row) => (batch[row] as QueuedPrediction).predictionId,
    fill(row, params, at) {
      const p = batch[row] as QueuedPrediction;
      fillPredictionValues(p, p.transactionId, params, at);
    },
  };
}

function insertSql(rows: number): string {
  const row = `(${PREDICTION_COLUMNS.map(() => '?').join(', ')})`;
  return `INSERT INTO predictions (${PREDICTION_COLUMNS.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')}`;
}

/**
 * A writer of `PredictionRows`: one IMMEDIATE transaction per call, `rowsPerInsert` rows per statement (a
 * parameter for the tests and the bench; the service uses the default).
 */
export function createRowsWriter(db: Database, rowsPerInsert: number = ROWS_PER_INSERT): RowsWriter {
  if (!Number.isInteger(rowsPerInsert) || rowsPerInsert < 1) {
    throw new RangeError(`rowsPerInsert must be a positive integer, got ${rowsPerInsert}`);
  }
  // inserts[n] inserts n rows. A batch's last chunk can have any size up to rowsPerInsert, so the others are
  // prepared on first use; the full-size and single-row ones now, so a missing table fails here, at open.
  const inserts: (Statement<SqlValue[]> | undefined)[] = [];
  const insertOf = (rows: number): Statement<SqlValue[]> =>
    (inserts[rows] ??= db.prepare<SqlValue[]>(insertSql(rows)));
  insertOf(1);
  insertOf(rowsPerInsert);
  // One parameter array for every statement: filled in place, its length set to the chunk's.
  const params: SqlValue[] = [];

  /** Inserts rows [start, end) in one statement, or one by one once the statement hits a constraint. */
  function insertChunk(
    rows: PredictionRows,
    start: number,
    end: number,
    rejected: RejectedPrediction[],
  ): number {
    const count = end - start;
    params.length = count * PREDICTION_COLUMN_COUNT;
    for (let row = start; row < end; row++) rows.fill(row, params, (row - start) * PREDICTION_COLUMN_COUNT);
    try {
      // Spread rather than `run(params)`: better-sqlite3 reads an array argument element by element through
      // the generic property lookup (v8::Object::Get), which profiled at ~5% of the thread; arguments are
      // read directly.
      insertOf(count).run(...params);
      return count;
    } catch (error) {
      // A constraint failure undoes only this statement and the transaction stays open (SQLite's default
      // ABORT resolution), so one bad record must not block the batch, nor be retried forever and fill
      // the queue. Any other error (I/O, lock, missing table) aborts the whole batch for a retry.
      if (!isConstraintError(error)) throw error;
      if (count === 1) {
        rejected.push({ predictionId: rows.predictionId(start), error });
        return 0;
      }
    }
    // The multi-row statement was undone as a whole: insert its rows one by one, in order, so only the
    // refused ones are rejected (and of two rows with one id, the first is kept, as row by row would).
    let written = 0;
    for (let row = start; row < end; row++) written += insertChunk(rows, row, row + 1, rejected);
    return written;
  }

  const writeAll = db.transaction((rows: PredictionRows): BatchResult => {
    let written = 0;
    const rejected: RejectedPrediction[] = [];
    for (let start = 0; start < rows.count; start += rowsPerInsert) {
      written += insertChunk(rows, start, Math.min(rows.count, start + rowsPerInsert), rejected);
    }
    return { written, rejected };
  });
  // IMMEDIATE takes the write lock at BEGIN, so a busy database fails before any work, not at COMMIT.
  return function writeRows(rows) {
    return writeAll.immediate(rows);
  };
}

/** The batch writer over the queue's objects (the in-process log); the writer thread uses `createRowsWriter`. */
export function createBatchWriter(db: Database): BatchWriter {
  const writeRows = createRowsWriter(db);
  return function writeBatch(batch) {
    return writeRows(queuedRows(batch));
  };
}
