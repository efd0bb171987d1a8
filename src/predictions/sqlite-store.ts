/**
 * The SQLite prediction store: the embedded log (`openPredictionLog`, unchanged) behind the `PredictionStore`
 * interface, or (`writerThread`) the same queue and batch writer with the writes on a worker thread. Reads are
 * synchronous underneath and resolve at once.
 */
import type { Writable } from 'node:stream';
import { CardwatchError, describeError, isCardwatchError } from '../util/errors.js';
import { checkLimit, createQueries, SELECT_ROWS, toPredictionRow, type StoredRow } from './queries.js';
import type { Database } from 'better-sqlite3';
import { openWritableDatabase } from './database.js';
import { createFeedbackStore } from './feedback.js';
import { parsePredictionLogOptions } from './options.js';
import { AsyncBatchLog } from './postgres/async-batch-log.js';
import {
  openSqliteLogWithDatabase,
  type PredictionLog,
  type PredictionLogOptions,
} from './prediction-log.js';
import { recordQueuedFeedback } from './queued-feedback.js';
import { createReaderApi, type PredictionReader } from './reader.js';
import { startSqliteWriterThread } from './sqlite-writer-thread.js';
import { createSqliteDecisionLog } from './sqlite-decisions.js';
import type { PredictionStore } from './store.js';
import { resolveRange } from './time-range.js';
import type { TimeRange } from './types.js';

export type SqliteStoreOptions = PredictionLogOptions & {
  /**
   * Write the batches on a worker thread with its own connection (sqlite-writer-thread.ts), as the service
   * does; reads, feedback and stream decisions stay on this thread's connection. Default false.
   */
  readonly writerThread?: boolean;
};

/** The write side and the synchronous reads the store is made of, in-process or with a writer thread. */
interface SqliteParts {
  readonly log: PredictionLog & PredictionReader;
  readonly db: Database;
  readonly isClosed: () => boolean;
}

function withWriterThread(options: PredictionLogOptions): SqliteParts {
  const { onError, ...rest } = options;
  const settings = parsePredictionLogOptions(rest);
  const db = openWritableDatabase(settings.path, { busyTimeoutMs: settings.busyTimeoutMs });
  const thread = startSqliteWriterThread({ path: settings.path, busyTimeoutMs: settings.busyTimeoutMs });
  const queue = new AsyncBatchLog(
    settings,
    (batch) => thread.writeBatch(batch),
    onError,
    async () => {
      await thread.close();
      db.close();
    },
  );
  const assertOpen = () => {
    if (queue.isClosed()) throw new CardwatchError('LOG_CLOSED', 'the prediction log is closed');
  };
  const feedback = createFeedbackStore(db);
  const log: PredictionLog & PredictionReader = {
    append: (record) => queue.append(record),
    hasCapacity: (count) => queue.hasCapacity(count),
    queueDepth: () => queue.queueDepth(),
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
  return { log, db, isClosed: () => !db.open };
}

export function openSqliteStore(options: SqliteStoreOptions): PredictionStore {
  const { writerThread = false, ...logOptions } = options;
  const { log, db, isClosed } = writerThread
    ? withWriterThread(logOptions)
    : openSqliteLogWithDatabase(logOptions);
  const decisions = createSqliteDecisionLog(db);
  const labelledStatement = db.prepare<[number, number, number], StoredRow>(
    `${SELECT_ROWS} WHERE f.labelled_at >= ? AND f.labelled_at < ?
     ORDER BY f.labelled_at, p.prediction_id LIMIT ?`,
  );

  function run<T>(what: string, work: () => T): Promise<T> {
    if (isClosed()) {
      return Promise.reject(new CardwatchError('LOG_CLOSED', 'the prediction log is closed'));
    }
    try {
      return Promise.resolve(work());
    } catch (error) {
      if (isCardwatchError(error) || error instanceof TypeError || error instanceof RangeError) {
        return Promise.reject(error);
      }
      return Promise.reject(
        new CardwatchError('LOG_UNAVAILABLE', `prediction log (${what}): ${describeError(error)}`, {
          cause: error,
        }),
      );
    }
  }

  return {
    kind: 'sqlite',
    location: options.path,
    append: log.append,
    hasCapacity: log.hasCapacity,
    queueDepth: log.queueDepth,
    healthy: log.healthy,
    stats: log.stats,
    flush: log.flush,
    close: log.close,
    recordFeedback: log.recordFeedback,
    get: (predictionId) => run('get', () => log.get(predictionId)),
    countSince: (since) => run('countSince', () => log.countSince(since)),
    recent: (limit) => run('recent', () => log.recent(limit)),
    window: (query) => run('window', () => log.window(query)),
    exportCsv: (range: TimeRange, out: Writable) => log.exportCsv(range, out),
    labelled: (query = {}) =>
      run('labelled', () => {
        const { since, until } = resolveRange(query);
        return labelledStatement.all(since, until, checkLimit(query.limit)).map(toPredictionRow);
      }),
    // Written at once (not through the queue): the stream acknowledges a message only once it is durable.
    logDecisions: (records) => run('logDecisions', () => decisions.log(records)),
    decisionsFor: (ids) => run('decisionsFor', () => decisions.decisionsFor(ids)),
    countDecisions: () => run('countDecisions', () => decisions.count()),
  };
}
