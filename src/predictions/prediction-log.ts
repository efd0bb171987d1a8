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
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import type { Database } from 'better-sqlite3';
import { CardwatchError, describeError } from '../util/errors.js';
import { createBatchWriter, type BatchWriter } from './batch-writer.js';
import { BoundedQueue } from './bounded-queue.js';
import { openWritableDatabase } from './database.js';
import { createFeedbackStore, type FeedbackStore } from './feedback.js';
import {
  parsePredictionLogOptions,
  type PredictionLogSettings,
  type PredictionLogSettingsInput,
} from './options.js';
import { createQueries } from './queries.js';
import { toQueuedPrediction, type QueuedPrediction } from './queued-prediction.js';
import { createReaderApi, type PredictionReader } from './reader.js';
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

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

class SqliteLog {
  private readonly queue: BoundedQueue<QueuedPrediction>;
  private readonly writeBatch: BatchWriter;
  private readonly feedback: FeedbackStore;
  readonly reader: PredictionReader;

  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Totals of records ever queued and ever taken off the queue (written or rejected): flush targets. */
  private enqueued = 0;
  private dequeued = 0;
  private consecutiveFailures = 0;
  private lastError: string | null = null;
  private readonly counters = {
    appended: 0,
    refused: 0,
    written: 0,
    rejected: 0,
    batches: 0,
    failedBatches: 0,
    lastBatchSize: 0,
    lastBatchMs: 0,
    maxBatchMs: 0,
    totalBatchMs: 0,
  };

  constructor(
    private readonly db: Database,
    private readonly settings: PredictionLogSettings,
    private readonly onError: ((event: PredictionLogEvent) => void) | undefined,
  ) {
    this.queue = new BoundedQueue(settings.maxQueue);
    this.writeBatch = createBatchWriter(db);
    this.feedback = createFeedbackStore(db);
    this.reader = createReaderApi(createQueries(db), () => this.assertNotClosed());
  }

  append(record: PredictionRecord): void {
    if (this.state !== 'open') {
      throw new CardwatchError('LOG_CLOSED', 'the prediction log is closed: the service is shutting down');
    }
    if (this.queue.length >= this.queue.capacity) {
      this.counters.refused += 1;
      throw new CardwatchError(
        'LOG_BACKPRESSURE',
        `the prediction log is behind (${this.queue.length} predictions waiting to be written); retry shortly`,
      );
    }
    this.queue.push(toQueuedPrediction(record));
    this.counters.appended += 1;
    this.enqueued += 1;
    if (this.timer === null) this.schedule(this.settings.flushIntervalMs);
  }

  hasCapacity(count = 1): boolean {
    return this.state === 'open' && this.queue.length + count <= this.queue.capacity;
  }

  queueDepth(): number {
    return this.queue.length;
  }

  healthy(): boolean {
    return this.state === 'open' && this.consecutiveFailures === 0;
  }

  stats(): PredictionLogStats {
    return {
      ...this.counters,
      consecutiveFailures: this.consecutiveFailures,
      queueDepth: this.queue.length,
      lastError: this.lastError,
    };
  }

  async flush(): Promise<void> {
    const target = this.enqueued;
    while (this.dequeued < target && this.state !== 'closed') {
      const error = this.writeNext();
      if (error !== null) {
        throw new CardwatchError(
          'LOG_UNAVAILABLE',
          `cannot write the prediction log: ${error.message} (${this.queue.length} predictions stay queued and are retried)`,
          { cause: error },
        );
      }
      // Between batches, let requests run: a 50,000-record flush must not freeze the server.
      if (this.dequeued < target) await yieldToEventLoop();
    }
  }

  close(): Promise<void> {
    if (this.closing === null) {
      this.state = 'closing';
      this.cancelTimer();
      this.closing = this.drainAndClose();
    }
    return this.closing;
  }

  async recordFeedback(
    predictionId: string,
    label: FeedbackLabel,
    labelledAt: number = Date.now(),
  ): Promise<Feedback> {
    if (this.state !== 'open') {
      throw new CardwatchError('LOG_CLOSED', 'the prediction log is closed: the service is shutting down');
    }
    if (label !== 0 && label !== 1) {
      throw new CardwatchError('INVALID_INPUT', `label must be 0 or 1, got ${JSON.stringify(label)}`);
    }
    if (!Number.isFinite(labelledAt)) {
      throw new CardwatchError('INVALID_INPUT', `labelledAt must be ms since the epoch, got ${labelledAt}`);
    }
    // The prediction may not be in the table yet; the feedback row references it, so write it first.
    // (A linear scan of the queue: feedback is rare, and the hot append path stays free of an index.)
    if (this.queue.some((queued) => queued.predictionId === predictionId)) await this.flush();
    let stored: Feedback | null;
    try {
      stored = this.feedback.record(predictionId, label, labelledAt);
    } catch (error) {
      throw new CardwatchError(
        'LOG_UNAVAILABLE',
        `cannot store feedback in the prediction log: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
    if (stored === null) {
      throw new CardwatchError(
        'PREDICTION_NOT_FOUND',
        `no prediction has the id ${JSON.stringify(predictionId)}`,
      );
    }
    return stored;
  }

  // --- the flusher -------------------------------------------------------------------------------------

  private schedule(delayMs: number): void {
    this.cancelTimer();
    if (this.state !== 'open') return;
    this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private tick(): void {
    this.timer = null;
    const error = this.writeNext();
    if (error !== null) return; // writeNext scheduled the retry
    // More than one batch was waiting: write the next one on the next turn of the event loop.
    if (this.queue.length > 0) this.schedule(0);
  }

  private retryDelayMs(): number {
    const { retryInitialMs, retryMaxMs } = this.settings;
    return Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(this.consecutiveFailures - 1, 30));
  }

  /** Writes the oldest batch; on failure keeps it queued, reports, schedules a retry and returns the error. */
  private writeNext(): Error | null {
    const batch = this.queue.peek(this.settings.maxBatch);
    if (batch.length === 0) return null;
    const started = performance.now();
    let result;
    try {
      result = this.writeBatch(batch);
    } catch (thrown) {
      const error = asError(thrown);
      this.consecutiveFailures += 1;
      this.counters.failedBatches += 1;
      this.lastError = error.message;
      const retryInMs = this.state === 'open' ? this.retryDelayMs() : 0;
      if (this.state === 'open') this.schedule(retryInMs);
      this.report({
        kind: 'write-failed',
        error,
        batchSize: batch.length,
        queueDepth: this.queue.length,
        consecutiveFailures: this.consecutiveFailures,
        retryInMs,
      });
      return error;
    }
    const elapsed = performance.now() - started;
    this.queue.drop(batch.length);
    this.dequeued += batch.length;
    this.consecutiveFailures = 0;
    const c = this.counters;
    c.written += result.written;
    c.rejected += result.rejected.length;
    c.batches += 1;
    c.lastBatchSize = batch.length;
    c.lastBatchMs = elapsed;
    c.maxBatchMs = Math.max(c.maxBatchMs, elapsed);
    c.totalBatchMs += elapsed;
    for (const { predictionId, error } of result.rejected) {
      this.report({ kind: 'record-rejected', error, predictionId });
    }
    return null;
  }

  private report(event: PredictionLogEvent): void {
    try {
      this.onError?.(event);
    } catch {
      // A broken logger must not stop the flusher; the state is still visible via healthy() and stats().
    }
  }

  private async drainAndClose(): Promise<void> {
    const deadline = performance.now() + this.settings.closeTimeoutMs;
    let lastFailure: Error | null = null;
    while (this.queue.length > 0) {
      const error = this.writeNext();
      if (error === null) continue; // shutting down: no requests left to yield to
      lastFailure = error;
      const wait = this.retryDelayMs();
      if (performance.now() + wait > deadline) break;
      await sleep(wait);
    }
    const unwritten = this.queue.length;
    this.state = 'closed';
    try {
      this.db.close();
    } catch (error) {
      if (unwritten === 0) {
        throw new CardwatchError(
          'LOG_UNAVAILABLE',
          `cannot close the prediction log: ${describeError(error)}`,
          {
            cause: error,
          },
        );
      }
    }
    if (unwritten > 0) {
      throw new CardwatchError(
        'LOG_UNAVAILABLE',
        `closed the prediction log with ${unwritten} predictions unwritten after ${this.settings.closeTimeoutMs} ms of retries: ${lastFailure?.message ?? 'unknown error'}`,
        { cause: lastFailure, details: { unwritten } },
      );
    }
  }

  private assertNotClosed(): void {
    if (this.state === 'closed') {
      throw new CardwatchError('LOG_CLOSED', 'the prediction log is closed');
    }
  }
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
export function openSqliteLogWithDatabase(options: PredictionLogOptions): {
  readonly log: SqlitePredictionLog;
  readonly db: Database;
  readonly isClosed: () => boolean;
} {
  const { onError, ...rest } = options;
  const settings = parsePredictionLogOptions(rest);
  const db = openWritableDatabase(settings.path, { busyTimeoutMs: settings.busyTimeoutMs });
  const log = new SqliteLog(db, settings, onError);
  return { log: publicApi(log), db, isClosed: () => !db.open };
}

function publicApi(log: SqliteLog): SqlitePredictionLog {
  // A plain object of bound methods: callers can pass `log.append` around, and the class internals
  // (timer, counters, database) stay out of the public type.
  return {
    append: (record) => log.append(record),
    hasCapacity: (count) => log.hasCapacity(count),
    queueDepth: () => log.queueDepth(),
    healthy: () => log.healthy(),
    stats: () => log.stats(),
    flush: () => log.flush(),
    close: () => log.close(),
    recordFeedback: (predictionId, label, labelledAt) => log.recordFeedback(predictionId, label, labelledAt),
    ...log.reader,
  };
}
