/**
 * The durable prediction log of the scoring service: `append` queues a record in memory (synchronous, O(1),
 * no I/O on the request path) and a flusher writes the queue to SQLite in batches, one transaction each.
 *
 * Backpressure: the queue is bounded. When it is full, `append` throws LOG_BACKPRESSURE (HTTP 503) instead of
 * dropping the record or returning a flag that a caller could ignore, and `hasCapacity(n)` lets the service
 * refuse a request before spending CPU on scoring it. Either way a prediction the client receives is one
 * the log holds: the service answers only after `append` returned.
 *
 * Failures: a failed write keeps its records queued, in order, marks the log unhealthy, reports through
 * `onError`, and is retried with exponential backoff; the first successful write makes the log healthy again.
 * Nothing thrown by a write escapes into a timer, so a sick disk cannot crash the process.
 */
import type { Database } from 'better-sqlite3';
import { CardwatchError, describeError } from '../util/errors.js';
import { AsyncBatchLog } from './async-batch-log.js';
import { createBatchWriter, type BatchResult } from './batch-writer.js';
import { openWritableDatabase } from './database.js';
import { createFeedbackStore } from './feedback.js';
import {
  parsePredictionLogOptions,
  type PredictionLogSettings,
  type PredictionLogSettingsInput,
} from './options.js';
import { createQueries } from './queries.js';
import { recordQueuedFeedback } from './queued-feedback.js';
import type { QueuedPrediction } from './queued-prediction.js';
import { createReaderApi, type PredictionReader } from './reader.js';
import { startSqliteWriterThread } from './sqlite-writer-thread.js';
import type { Feedback, FeedbackLabel, PredictionRecord } from './types.js';

/** What `onError` receives. Both kinds are worth a log line at `error` level. */
export type PredictionLogEvent =
  | {
      /** A batch could not be written; its records are still queued and will be retried. */
      readonly kind: 'write-failed';
      readonly error: Error;
      readonly batchSize: number;
      readonly queueDepth: number;
      readonly consecutiveFailures: number;
      /** Delay before the next attempt (0 while closing: `close()` drives the retries). */
      readonly retryInMs: number;
    }
  | {
      /** The database refused one record for good (a constraint, e.g. a duplicate id); the rest committed. */
      readonly kind: 'record-rejected';
      readonly error: Error;
      readonly predictionId: string;
    };

export type PredictionLogOptions = PredictionLogSettingsInput & {
  /** Called on every failed write and rejected record; exceptions it throws are swallowed. */
  readonly onError?: (event: PredictionLogEvent) => void;
};

/** Counters since open, for /metrics and logs. */
export interface PredictionLogStats {
  /** Records accepted by `append`. */
  readonly appended: number;
  /** `append` calls refused because the queue was full. */
  readonly refused: number;
  /** Records committed to the database. */
  readonly written: number;
  /** Records the database refused one by one (reported through `onError`). */
  readonly rejected: number;
  /** Committed transactions. */
  readonly batches: number;
  readonly failedBatches: number;
  /** Failed writes since the last successful one (0 when healthy). */
  readonly consecutiveFailures: number;
  readonly queueDepth: number;
  /** Message of the most recent failed write (kept after recovery), or null if none failed. */
  readonly lastError: string | null;
  /** Size and duration of the last committed batch; the longest and total batch time (ms). */
  readonly lastBatchSize: number;
  readonly lastBatchMs: number;
  readonly maxBatchMs: number;
  readonly totalBatchMs: number;
}

/**
 * What the scoring service needs of a prediction log, whatever database is behind it (SQLite here, PostgreSQL
 * in `postgres-store.ts`): a synchronous, bounded enqueue on the request path, health, counters, feedback and
 * a flushing close. Reads are not part of it: SQLite reads are synchronous and PostgreSQL ones are not (see
 * `PredictionStore` for the async reads both offer).
 */
export interface PredictionLog {
  /**
   * Queues one answered prediction (synchronous, O(1); the database write happens later, in a batch).
   * Throws LOG_BACKPRESSURE (503) when the queue is full, LOG_CLOSED (503) after `close()`, and
   * TypeError/RangeError for a malformed record (a bug in the caller).
   */
  append(record: PredictionRecord): void;
  /** True if `count` more records fit in the queue now: check before scoring, refuse with 503 if not. */
  hasCapacity(count?: number): boolean;
  /** Records waiting to be written (a Prometheus gauge). */
  queueDepth(): number;
  /**
   * The most records the queue holds (the `maxQueue` option): at this depth `append` refuses with
   * LOG_BACKPRESSURE. Fixed when the log opens (a Prometheus gauge, the bound alerts compare the depth with).
   */
  queueCapacity(): number;
  /** False after a failed write until a write succeeds, and after `close()`; for `/ready`. */
  healthy(): boolean;
  stats(): PredictionLogStats;
  /**
   * Writes everything queued when called. Rejects with LOG_UNAVAILABLE if the database fails (the records
   * stay queued and the background retries go on).
   */
  flush(): Promise<void>;
  /**
   * Refuses new records, writes the queue (retrying up to `closeTimeoutMs`), closes the database. Rejects
   * with LOG_UNAVAILABLE (details.unwritten = count) if records could not be written. Idempotent.
   */
  close(): Promise<void>;
  /**
   * Stores a label for a prediction (the label with the latest `labelledAt` wins) and returns the one in force.
   * A prediction still in the queue is flushed first. Unknown id → PREDICTION_NOT_FOUND (404); label not 0/1
   * → INVALID_INPUT (400); database failing → LOG_UNAVAILABLE (503).
   */
  recordFeedback(predictionId: string, label: FeedbackLabel, labelledAt?: number): Promise<Feedback>;
}

/** The SQLite log: the service's `PredictionLog` plus synchronous reads on the same connection. */
export interface SqlitePredictionLog extends PredictionLog, PredictionReader {}

/** How a SQLite log's batches reach the database: in-process, or on a writer thread. */
interface SqliteWriter {
  writeBatch(batch: readonly QueuedPrediction[]): Promise<BatchResult>;
  /** Stops the writer once the queue is drained (before the log's own connection closes). */
  close(): Promise<void>;
}

/** The in-process writer: the batch writer on the log's own connection, as a promise. */
function inlineWriter(db: Database): SqliteWriter {
  const writeBatch = createBatchWriter(db);
  return {
    writeBatch: (batch) => {
      try {
        return Promise.resolve(writeBatch(batch));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    close: () => Promise.resolve(),
  };
}

/**
 * A SQLite log: the queue and flusher every store shares (`AsyncBatchLog`) over `writer`, with reads and
 * feedback on the log's own connection `db` (WAL lets a writer thread's connection write beside it).
 */
function sqliteLogOver(
  db: Database,
  settings: PredictionLogSettings,
  onError: ((event: PredictionLogEvent) => void) | undefined,
  writer: SqliteWriter,
): SqlitePredictionLog {
  const queue = new AsyncBatchLog(
    settings,
    (batch) => writer.writeBatch(batch),
    onError,
    async () => {
      try {
        await writer.close();
      } finally {
        db.close();
      }
    },
  );
  const assertOpen = (): void => {
    if (queue.isClosed()) throw new CardwatchError('LOG_CLOSED', 'the prediction log is closed');
  };
  const feedback = createFeedbackStore(db);
  // A plain object of bound functions: callers can pass `log.append` around.
  return {
    append: (record) => queue.append(record),
    hasCapacity: (count) => queue.hasCapacity(count),
    queueDepth: () => queue.queueDepth(),
    queueCapacity: () => queue.queueCapacity(),
    healthy: () => queue.healthy(),
    stats: () => queue.stats(),
    flush: () => queue.flush(),
    close: () => queue.close(),
    recordFeedback: (predictionId, label, labelledAt = Date.now()) =>
      recordQueuedFeedback(
        queue,
        async (id, value, at) => {
          assertOpen();
          try {
            return feedback.record(id, value, at);
          } catch (error) {
            throw new CardwatchError(
              'LOG_UNAVAILABLE',
              `cannot store feedback in the prediction log: ${describeError(error)}`,
              { cause: error },
            );
          }
        },
        predictionId,
        label,
        labelledAt,
      ),
    ...createReaderApi(createQueries(db), assertOpen),
  };
}

/**
 * Opens (creating and migrating) the log and starts its flusher.
 * @example
 * const log = openPredictionLog({ path: 'data/predictions.sqlite', onError: (e) => app.log.error(e) });
 * log.append({ predictionId: newPredictionId(), createdAt: Date.now(), modelVersion: 'ae-1', engine: 'float32',
 *   score: 0.4, threshold: 1.3, isFraud: false, latencyMs: 0.2, features });
 * await log.close(); // on SIGTERM, after the server stopped taking requests
 */
export function openPredictionLog(options: PredictionLogOptions): SqlitePredictionLog {
  return openSqliteLogWithDatabase(options).log;
}

/**
 * `openPredictionLog`, also handing out its connection, for the SQLite store's extra statements (stream
 * decisions, monitoring reads): one connection per process, so its synchronous writes never wait on a lock
 * held by another connection of the same process.
 */
export function openSqliteLogWithDatabase(
  options: PredictionLogOptions,
  writerThread = false,
): {
  readonly log: SqlitePredictionLog;
  readonly db: Database;
  readonly isClosed: () => boolean;
} {
  const { onError, ...rest } = options;
  const settings = parsePredictionLogOptions(rest);
  const db = openWritableDatabase(settings.path, { busyTimeoutMs: settings.busyTimeoutMs });
  const writer = writerThread
    ? startSqliteWriterThread({ path: settings.path, busyTimeoutMs: settings.busyTimeoutMs })
    : inlineWriter(db);
  return { log: sqliteLogOver(db, settings, onError, writer), db, isClosed: () => !db.open };
}
