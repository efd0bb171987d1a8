/**
 * The write side of every prediction log (`PredictionLog`): `append` queues synchronously in a bounded queue
 * and refuses when full; a flusher writes batches in order, one at a time, through the store's writer (SQLite
 * in-process or on its writer thread, PostgreSQL); a failed write keeps its records queued, reports, and is
 * retried with exponential backoff; `close()` drains with retries up to `closeTimeoutMs`, then releases the
 * database.
 */
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { CardwatchError, describeError } from '../util/errors.js';
import type { BatchResult } from './batch-writer.js';
import { BoundedQueue } from './bounded-queue.js';
import type { PredictionLogSettings } from './options.js';
import type { PredictionLogEvent, PredictionLogStats } from './prediction-log.js';
import { toQueuedPrediction, type QueuedPrediction } from './queued-prediction.js';
import type { PredictionRecord } from './types.js';

export type AsyncBatchWriter = (batch: readonly QueuedPrediction[]) => Promise<BatchResult>;

type Settings = Omit<PredictionLogSettings, 'path' | 'busyTimeoutMs'>;

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

export class AsyncBatchLog {
  private readonly queue: BoundedQueue<QueuedPrediction>;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** The write in progress, if any: writes never overlap, so batches commit in append order. */
  private writing: Promise<Error | null> | null = null;
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
    private readonly settings: Settings,
    private readonly writeBatch: AsyncBatchWriter,
    private readonly onError: ((event: PredictionLogEvent) => void) | undefined,
    private readonly release: () => Promise<void>,
  ) {
    this.queue = new BoundedQueue(settings.maxQueue);
  }

  isOpen(): boolean {
    return this.state === 'open';
  }

  isClosed(): boolean {
    return this.state === 'closed';
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

  /** The queue bound (`maxQueue`): `append` refuses once this many records wait. */
  queueCapacity(): number {
    return this.queue.capacity;
  }

  healthy(): boolean {
    return this.state === 'open' && this.consecutiveFailures === 0;
  }

  holds(predictionId: string): boolean {
    return this.queue.some((queued) => queued.predictionId === predictionId);
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
      const error = await this.writeNext();
      if (error !== null) {
        throw new CardwatchError(
          'LOG_UNAVAILABLE',
          `cannot write the prediction log: ${error.message} (${this.queue.length} predictions stay queued and are retried)`,
          { cause: error },
        );
      }
      // Between batches, let requests run: an in-process writer resolves at once, and a 50,000-record flush
      // must not freeze the server.
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

  private schedule(delayMs: number): void {
    this.cancelTimer();
    if (this.state !== 'open') return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    this.timer = null;
    const error = await this.writeNext();
    if (error === null && this.queue.length > 0 && this.timer === null) this.schedule(0);
  }

  private retryDelayMs(): number {
    const { retryInitialMs, retryMaxMs } = this.settings;
    return Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(this.consecutiveFailures - 1, 30));
  }

  /** Writes the oldest batch, or waits for the write already running (then returns its outcome). */
  private writeNext(): Promise<Error | null> {
    if (this.writing !== null) return this.writing;
    const batch = this.queue.peek(this.settings.maxBatch);
    if (batch.length === 0) return Promise.resolve(null);
    this.writing = this.write(batch).finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  private async write(batch: readonly QueuedPrediction[]): Promise<Error | null> {
    const started = performance.now();
    let result: BatchResult;
    try {
      result = await this.writeBatch(batch);
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
    while (this.queue.length > 0 || this.writing !== null) {
      const error = await this.writeNext();
      if (error === null) continue;
      lastFailure = error;
      const wait = this.retryDelayMs();
      if (performance.now() + wait > deadline) break;
      await sleep(wait);
    }
    const unwritten = this.queue.length;
    this.state = 'closed';
    let releaseError: unknown = null;
    await this.release().catch((error: unknown) => {
      releaseError = error;
    });
    if (releaseError !== null && unwritten === 0) {
      throw new CardwatchError(
        'LOG_UNAVAILABLE',
        `cannot close the prediction log: ${describeError(releaseError)}`,
        {
          cause: releaseError,
        },
      );
    }
    if (unwritten > 0) {
      throw new CardwatchError(
        'LOG_UNAVAILABLE',
        `closed the prediction log with ${unwritten} predictions unwritten after ${this.settings.closeTimeoutMs} ms of retries: ${lastFailure?.message ?? 'unknown error'}`,
        { cause: lastFailure, details: { unwritten } },
      );
    }
  }
}
