/**
 * The reads monitoring needs from the prediction log, as plain functions over the log's read API, returning
 * column arrays rather than row objects so drift and quality statistics run over typed arrays. They take
 * anything with `recent`/`window` returning rows or promises of rows: the synchronous SQLite reader
 * (`openPredictionReader`, the service's SQLite log) and the asynchronous `StoreReads` of a prediction store.
 *
 * - `readMonitorWindow(reader, window)`: the newest `limit` predictions, or those in [since, until) (oldest
 *   `limit` of them), with features, amount, score, decision, model version and feedback label.
 * - `readMonitorWindowSql(db, window)`: the same window straight from a SQLite connection, one SELECT of only
 *   the columns monitoring uses, decoded into the arrays without row objects (several times faster; the CLI's
 *   path on big windows).
 *
 * Kept small on purpose, so a store interface with other backends can lift them as they are.
 */
import type { Database } from 'better-sqlite3';
import { resolveRange } from './time-range.js';
import type { PredictionRow, WindowQuery } from './types.js';
import { LOGGED_FEATURE_COUNT } from './types.js';

type MaybePromise<T> = T | Promise<T>;

/** The two reads monitoring uses, sync or async. */
export interface MonitorReads {
  /** The newest predictions, newest first. */
  recent(limit?: number): MaybePromise<PredictionRow[]>;
  /** Predictions in `[since, until)`, oldest first, at most `limit`. */
  window(query?: WindowQuery): MaybePromise<PredictionRow[]>;
}

/**
 * Whether a prediction log also offers the reads (the SQLite log and the stores do; a write-only log or a
 * test double may not). Checked structurally because the service is handed its log as the write interface.
 */
export function hasMonitorReads(log: object | null): log is MonitorReads {
  if (log === null) return false;
  const candidate = log as Partial<Record<keyof MonitorReads, unknown>>;
  return typeof candidate.recent === 'function' && typeof candidate.window === 'function';
}

export interface MonitorWindowQuery {
  /** Most predictions to read (the newest ones when no `since` is given). */
  readonly limit: number;
  /** Inclusive start (ms or Date): read the range instead of the newest rows. */
  readonly since?: Date | number;
  /** Exclusive end of the range (default: now). */
  readonly until?: Date | number;
}

/** A window of logged predictions, column-wise; row i is the same prediction in every array. */
export interface MonitorWindow {
  readonly rows: number;
  /** rows × 28, row-major V1..V28 as logged (NaN where the model did not take the column). */
  readonly features: Float32Array;
  /** Raw Amount (NaN when not logged). */
  readonly amount: Float64Array;
  readonly score: Float64Array;
  /** The threshold each decision used. */
  readonly threshold: Float64Array;
  /** 1 when the client was told fraud. */
  readonly isFraud: Uint8Array;
  /** Feedback label: 1 fraud, 0 legitimate, -1 none yet. */
  readonly label: Int8Array;
  readonly modelVersion: readonly string[];
  readonly createdAt: Float64Array;
}

interface WritableWindow {
  rows: number;
  features: Float32Array;
  amount: Float64Array;
  score: Float64Array;
  threshold: Float64Array;
  isFraud: Uint8Array;
  label: Int8Array;
  modelVersion: string[];
  createdAt: Float64Array;
}

function emptyWindow(n: number): WritableWindow {
  return {
    rows: n,
    features: new Float32Array(n * LOGGED_FEATURE_COUNT),
    amount: new Float64Array(n),
    score: new Float64Array(n),
    threshold: new Float64Array(n),
    isFraud: new Uint8Array(n),
    label: new Int8Array(n),
    modelVersion: new Array<string>(n),
    createdAt: new Float64Array(n),
  };
}

function toWindow(rows: readonly PredictionRow[]): MonitorWindow {
  const window = emptyWindow(rows.length);
  rows.forEach((row, i) => {
    window.features.set(row.features.subarray(0, LOGGED_FEATURE_COUNT), i * LOGGED_FEATURE_COUNT);
    window.amount[i] = row.amount ?? Number.NaN;
    window.score[i] = row.score;
    window.threshold[i] = row.threshold;
    window.isFraud[i] = row.isFraud ? 1 : 0;
    window.label[i] = row.label ?? -1;
    window.modelVersion[i] = row.modelVersion;
    window.createdAt[i] = row.createdAt;
  });
  return window;
}

/**
 * Reads a window of predictions with their labels.
 * @example (await readMonitorWindow(log, { limit: 10_000 })).rows // 10000 (or fewer in a young log)
 */
export async function readMonitorWindow(
  reader: MonitorReads,
  query: MonitorWindowQuery,
): Promise<MonitorWindow> {
  if (query.since === undefined) return toWindow(await reader.recent(query.limit));
  return toWindow(
    await reader.window({
      since: query.since,
      limit: query.limit,
      ...(query.until === undefined ? {} : { until: query.until }),
    }),
  );
}

/** The columns monitoring reads, in the order `raw()` returns them. */
type MonitorSqlRow = [
  createdAt: number,
  modelVersion: string,
  score: number,
  threshold: number,
  isFraud: 0 | 1,
  features: Buffer,
  amount: number | null,
  label: 0 | 1 | null,
];

const MONITOR_COLUMNS = `SELECT p.created_at, p.model_version, p.score, p.threshold, p.is_fraud, p.features, p.amount, f.label
  FROM predictions p LEFT JOIN feedback f ON f.prediction_id = p.prediction_id`;

/**
 * {@link readMonitorWindow} as one SQLite query: newest first without `since`, oldest first within
 * `[since, until)` with it. The connection may be read-only.
 * @example readMonitorWindowSql(db, { limit: 100_000 }).rows // 100000
 */
export function readMonitorWindowSql(db: Database, query: MonitorWindowQuery): MonitorWindow {
  let rows: MonitorSqlRow[];
  if (query.since === undefined) {
    rows = db
      .prepare<[number], MonitorSqlRow>(
        `${MONITOR_COLUMNS} ORDER BY p.created_at DESC, p.prediction_id DESC LIMIT ?`,
      )
      .raw()
      .all(query.limit);
  } else {
    const { since, until } = resolveRange(query);
    rows = db
      .prepare<[number, number, number], MonitorSqlRow>(
        `${MONITOR_COLUMNS} WHERE p.created_at >= ? AND p.created_at < ? ORDER BY p.created_at, p.prediction_id LIMIT ?`,
      )
      .raw()
      // An open end is bound as the largest safe integer: every stored time is below it.
      .all(since, Math.min(until, Number.MAX_SAFE_INTEGER), query.limit);
  }
  const window = emptyWindow(rows.length);
  const featureBytes = new Uint8Array(window.features.buffer);
  rows.forEach((row, i) => {
    const [createdAt, modelVersion, score, threshold, isFraud, features, amount, label] = row;
    window.createdAt[i] = createdAt;
    window.modelVersion[i] = modelVersion;
    window.score[i] = score;
    window.threshold[i] = threshold;
    window.isFraud[i] = isFraud;
    // The BLOB is V1..V28 as little-endian float32 (see features.ts): copy its bytes into place.
    featureBytes.set(features.subarray(0, LOGGED_FEATURE_COUNT * 4), i * LOGGED_FEATURE_COUNT * 4);
    window.amount[i] = amount ?? Number.NaN;
    window.label[i] = label ?? -1;
  });
  return window;
}
