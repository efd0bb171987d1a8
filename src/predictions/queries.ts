/**
 * The read side of the log: prepared statements for lookups, counts and time windows, shared by the writer
 * (the service) and the read-only reader (the CLI). Reads see committed records only; a caller that needs
 * its own latest appends calls `flush()` first.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { CardwatchError } from '../util/errors.js';
import { decodeFeatures } from './features.js';
import { resolveRange, toEpochMs } from './time-range.js';
import type { Engine, FeedbackLabel, PredictionRow, TopFeature, WindowQuery } from './types.js';

/** Default and largest row count of `window` and `recent`: rows are materialised in memory at once. */
export const DEFAULT_WINDOW_LIMIT = 10_000;
export const MAX_WINDOW_LIMIT = 1_000_000;

/** A row as SQLite returns it. */
export interface StoredRow {
  prediction_id: string;
  created_at: number;
  transaction_id: string | null;
  model_version: string;
  engine: Engine;
  score: number;
  threshold: number;
  is_fraud: 0 | 1;
  latency_ms: number;
  features: Buffer;
  amount: number | null;
  time: number | null;
  top_features: string | null;
  label: FeedbackLabel | null;
  labelled_at: number | null;
}

export const SELECT_ROWS = `
  SELECT p.prediction_id, p.created_at, p.transaction_id, p.model_version, p.engine, p.score, p.threshold,
         p.is_fraud, p.latency_ms, p.features, p.amount, p.time, p.top_features, f.label, f.labelled_at
  FROM predictions p LEFT JOIN feedback f ON f.prediction_id = p.prediction_id`;

export function toPredictionRow(row: StoredRow): PredictionRow {
  return {
    predictionId: row.prediction_id,
    createdAt: row.created_at,
    transactionId: row.transaction_id,
    modelVersion: row.model_version,
    engine: row.engine,
    score: row.score,
    threshold: row.threshold,
    isFraud: row.is_fraud === 1,
    latencyMs: row.latency_ms,
    features: decodeFeatures(row.features),
    amount: row.amount,
    time: row.time,
    topFeatures: row.top_features === null ? null : (JSON.parse(row.top_features) as TopFeature[]),
    label: row.label,
    labelledAt: row.labelled_at,
  };
}

const limitSchema = z
  .int({ error: (issue) => `limit must be an integer, got ${String(issue.input)}` })
  .min(1, { error: 'limit must be at least 1' })
  .max(MAX_WINDOW_LIMIT, { error: `limit must be at most ${MAX_WINDOW_LIMIT}` });

export function checkLimit(limit: number | undefined): number {
  const parsed = limitSchema.safeParse(limit ?? DEFAULT_WINDOW_LIMIT);
  if (!parsed.success) {
    throw new CardwatchError('INVALID_INPUT', parsed.error.issues.map((issue) => issue.message).join('; '));
  }
  return parsed.data;
}

/** A page of rows after a (created_at, prediction_id) cursor, oldest first: keyset paging, no OFFSET. */
export type PageQuery = (after: { at: number; id: string }, until: number, limit: number) => StoredRow[];

export interface Queries {
  get(predictionId: string): PredictionRow | null;
  countSince(since: Date | number): number;
  recent(limit?: number): PredictionRow[];
  window(query?: WindowQuery): PredictionRow[];
  page: PageQuery;
  /** Newest `created_at`, or null for an empty log. */
  latestTime(): number | null;
}

export function createQueries(db: Database): Queries {
  const byId = db.prepare<[string], StoredRow>(`${SELECT_ROWS} WHERE p.prediction_id = ?`);
  // (created_at, id) > (since, '') is created_at >= since, because ids are never empty.
  const pageStatement = db.prepare<[number, string, number, number], StoredRow>(
    `${SELECT_ROWS} WHERE (p.created_at, p.prediction_id) > (?, ?) AND p.created_at < ?
     ORDER BY p.created_at, p.prediction_id LIMIT ?`,
  );
  const newest = db.prepare<[number], StoredRow>(
    `${SELECT_ROWS} ORDER BY p.created_at DESC, p.prediction_id DESC LIMIT ?`,
  );
  const countStatement = db
    .prepare<[number], number>('SELECT count(*) FROM predictions WHERE created_at >= ?')
    .pluck();
  const latestStatement = db.prepare<[], number | null>('SELECT max(created_at) FROM predictions').pluck();

  const page: PageQuery = (after, until, limit) => pageStatement.all(after.at, after.id, until, limit);

  return {
    get(predictionId) {
      const row = byId.get(predictionId);
      return row === undefined ? null : toPredictionRow(row);
    },
    countSince(since) {
      return countStatement.get(toEpochMs(since, 'since')) ?? 0;
    },
    recent(limit) {
      return newest.all(checkLimit(limit)).map(toPredictionRow);
    },
    window(query = {}) {
      const { since, until } = resolveRange(query);
      return page({ at: since, id: '' }, until, checkLimit(query.limit)).map(toPredictionRow);
    },
    page,
    latestTime() {
      return latestStatement.get() ?? null;
    },
  };
}
