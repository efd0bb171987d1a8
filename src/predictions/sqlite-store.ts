/**
 * The SQLite prediction store: the embedded log (`openPredictionLog`, unchanged) behind the `PredictionStore`
 * interface, or (`writerThread`) the same queue and batch writer with the writes on a worker thread. Reads are
 * synchronous underneath and resolve at once.
 */
import type { Writable } from 'node:stream';
import { CardwatchError, describeError, isCardwatchError } from '../util/errors.js';
import { checkLimit, SELECT_ROWS, toPredictionRow, type StoredRow } from './queries.js';
import { openSqliteLogWithDatabase, type PredictionLogOptions } from './prediction-log.js';
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

export function openSqliteStore(options: SqliteStoreOptions): PredictionStore {
  const { writerThread = false, ...logOptions } = options;
  const { log, db, isClosed } = openSqliteLogWithDatabase(logOptions, writerThread);
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
    queueCapacity: log.queueCapacity,
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
