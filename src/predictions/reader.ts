/**
 * The read API of the log (lookups, counts, windows, CSV export), shared by the service's writable log and
 * a read-only reader the CLI opens on the same file while the service is writing (WAL allows both).
 */
import type { Writable } from 'node:stream';
import { CardwatchError, describeError, isCardwatchError } from '../util/errors.js';
import { exportCsv, type ExportResult } from './csv-export.js';
import { openReadonlyDatabase } from './database.js';
import { createQueries, type Queries } from './queries.js';
import type { PredictionRow, TimeRange, WindowQuery } from './types.js';

export interface PredictionReader {
  /** One prediction with its latest label, or null. */
  get(predictionId: string): PredictionRow | null;
  /** Predictions with `created_at >= since`. */
  countSince(since: Date | number): number;
  /** The newest predictions, newest first (default 10,000, at most 1,000,000). */
  recent(limit?: number): PredictionRow[];
  /** Predictions with `since <= created_at < until`, oldest first, at most `limit` (default 10,000). */
  window(query?: WindowQuery): PredictionRow[];
  /**
   * Streams `since <= created_at < until` as CSV (header `prediction_id,created_at,…,V1..V28,amount,time`) to
   * `out`, honouring backpressure; does not end `out`. Resolves with the row count.
   */
  exportCsv(range: TimeRange, out: Writable): Promise<ExportResult>;
}

/** A reader with its own connection, for processes other than the service. */
export interface PredictionLogReader extends PredictionReader {
  close(): void;
}

/** Wraps the queries so a database failure is LOG_UNAVAILABLE and use after close is LOG_CLOSED. */
export function createReaderApi(queries: Queries, assertOpen: () => void): PredictionReader {
  function run<T>(what: string, read: () => T): T {
    assertOpen();
    try {
      return read();
    } catch (error) {
      if (isCardwatchError(error)) throw error;
      throw new CardwatchError(
        'LOG_UNAVAILABLE',
        `cannot read the prediction log (${what}): ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  return {
    get: (predictionId) => run('get', () => queries.get(predictionId)),
    countSince: (since) => run('countSince', () => queries.countSince(since)),
    recent: (limit) => run('recent', () => queries.recent(limit)),
    window: (query) => run('window', () => queries.window(query)),
    async exportCsv(range, out) {
      // Each page is read inside run(); the writes to `out` happen in between, outside it.
      const page: Queries['page'] = (after, until, limit) =>
        run('export', () => queries.page(after, until, limit));
      return exportCsv(page, () => run('export', () => queries.latestTime()), range, out);
    },
  };
}

/**
 * Opens an existing log read-only (e.g. for `cardwatch predictions export`).
 * @example
 * const reader = openPredictionReader('data/predictions.sqlite');
 * await reader.exportCsv({ since: parseSince('24h') }, process.stdout); // { rows: 1296000 }
 * reader.close();
 */
export function openPredictionReader(
  path: string,
  options: { readonly busyTimeoutMs?: number } = {},
): PredictionLogReader {
  const db = openReadonlyDatabase(path, { busyTimeoutMs: options.busyTimeoutMs ?? 1_000 });
  let open = true;
  const api = createReaderApi(createQueries(db), () => {
    if (!open) throw new CardwatchError('LOG_CLOSED', `the prediction log reader of ${path} is closed`);
  });
  return {
    ...api,
    close() {
      if (!open) return;
      open = false;
      db.close();
    },
  };
}
