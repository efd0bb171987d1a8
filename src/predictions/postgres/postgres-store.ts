/**
 * The PostgreSQL prediction store: many `cardwatch serve` / `cardwatch stream` processes, one database.
 * Opening connects, migrates (serialised across processes) and starts the flusher; a database that cannot be
 * reached or migrated is LOG_UNAVAILABLE naming the URL (without its password).
 */
import { CardwatchError, describeError, isCardwatchError } from '../../util/errors.js';
import { exportCsv } from '../csv-export.js';
import type { PredictionLogEvent } from '../prediction-log.js';
import { parsePredictionLogOptions, type PredictionLogSettingsInput } from '../options.js';
import type { PredictionStore } from '../store.js';
import type { Feedback, FeedbackLabel } from '../types.js';
import { recordQueuedFeedback } from '../queued-feedback.js';
import { AsyncBatchLog } from '../async-batch-log.js';
import { createPool, redactUrl } from './pg-connection.js';
import { migratePostgres } from './pg-migrations.js';
import { createPgReads, recordPgFeedback } from './pg-reads.js';
import { decisionsFor, logDecisions, writeApiBatch } from './pg-writes.js';

export interface PostgresStoreOptions extends Omit<PredictionLogSettingsInput, 'path' | 'busyTimeoutMs'> {
  readonly url: string;
  /** Connections of this process (default 4: one writer, the rest for reads, feedback and stream batches). */
  readonly maxConnections?: number;
  readonly onError?: (event: PredictionLogEvent) => void;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<PredictionStore> {
  const { url, maxConnections = 4, onError, ...rest } = options;
  // The path is SQLite's; parse the shared options with a placeholder so both stores check them alike.
  const {
    path: _path,
    busyTimeoutMs: _busy,
    ...settings
  } = parsePredictionLogOptions({ ...rest, path: url });
  const location = redactUrl(url);
  const label = `the prediction store ${location}`;
  const pool = createPool({
    url,
    maxConnections,
    // A dropped idle connection is not a failed write (nothing was lost: the pool reconnects on next use),
    // but it is worth the same log line, so it goes through the same channel.
    onIdleError: (error) =>
      onError?.({
        kind: 'write-failed',
        error,
        batchSize: 0,
        queueDepth: 0,
        consecutiveFailures: 0,
        retryInMs: 0,
      }),
  });
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, label);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (isCardwatchError(error)) throw error;
    throw new CardwatchError('LOG_UNAVAILABLE', `cannot open ${label}: ${describeError(error)}`, {
      cause: error,
    });
  }

  const log = new AsyncBatchLog(
    settings,
    (batch) => writeApiBatch(pool, batch),
    onError,
    () => pool.end(),
  );
  const reads = createPgReads(pool);

  /** Wraps a database call: use after close is LOG_CLOSED, a database failure LOG_UNAVAILABLE. */
  async function run<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (log.isClosed()) throw new CardwatchError('LOG_CLOSED', `${label} is closed`);
    try {
      return await work();
    } catch (error) {
      if (isCardwatchError(error) || error instanceof TypeError || error instanceof RangeError) throw error;
      throw new CardwatchError('LOG_UNAVAILABLE', `${label} (${what}): ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  function recordFeedback(
    predictionId: string,
    label: FeedbackLabel,
    labelledAt: number = Date.now(),
  ): Promise<Feedback> {
    return recordQueuedFeedback(
      log,
      async (id, value, at) => {
        const stored = await run('feedback', () => recordPgFeedback(pool, id, value, at));
        return stored === null
          ? null
          : { predictionId: id, label: stored.label, labelledAt: stored.labelled_at };
      },
      predictionId,
      label,
      labelledAt,
    );
  }

  return {
    kind: 'postgres',
    location,
    append: (record) => log.append(record),
    hasCapacity: (count) => log.hasCapacity(count),
    queueDepth: () => log.queueDepth(),
    queueCapacity: () => log.queueCapacity(),
    healthy: () => log.healthy(),
    stats: () => log.stats(),
    flush: () => log.flush(),
    close: () => log.close(),
    recordFeedback,
    get: (id) => run('get', () => reads.get(id)),
    countSince: (since) => run('countSince', () => reads.countSince(since)),
    recent: (limit) => run('recent', () => reads.recent(limit)),
    window: (query) => run('window', () => reads.window(query)),
    labelled: (query) => run('labelled', () => reads.labelled(query)),
    exportCsv: (range, out) =>
      exportCsv(
        (after, until, limit) => run('export', () => reads.page(after, until, limit)),
        () => run('export', () => reads.latestTime()),
        range,
        out,
      ),
    logDecisions: (records) => run('logDecisions', () => logDecisions(pool, records)),
    decisionsFor: (ids) => run('decisionsFor', () => decisionsFor(pool, ids)),
    countDecisions: () => run('countDecisions', () => reads.countDecisions()),
  };
}
