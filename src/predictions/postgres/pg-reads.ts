/**
 * Reads of the PostgreSQL store, returning the same `StoredRow` shape as SQLite's so the row decoding and the
 * CSV export are shared. Open range ends (±Infinity) become the largest safe integers: BIGINT has no infinity,
 * and comparing the BIGINT column with a float would keep PostgreSQL off the time index.
 */
import type pg from 'pg';
import { checkLimit, toPredictionRow, type PageQuery, type StoredRow } from '../queries.js';
import { resolveRange, toEpochMs } from '../time-range.js';
import type { PredictionRow, WindowQuery } from '../types.js';

const SELECT_ROWS = `
  SELECT p.prediction_id, p.created_at, p.transaction_id, p.model_version, p.engine, p.score, p.threshold,
         p.is_fraud::int AS is_fraud, p.latency_ms, p.features, p.amount, p.time, p.top_features,
         f.label::int AS label, f.labelled_at
  FROM predictions p LEFT JOIN feedback f ON f.prediction_id = p.prediction_id`;

function clamp(ms: number): number {
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, ms));
}

export interface PgReads {
  get(predictionId: string): Promise<PredictionRow | null>;
  countSince(since: Date | number): Promise<number>;
  recent(limit?: number): Promise<PredictionRow[]>;
  window(query?: WindowQuery): Promise<PredictionRow[]>;
  labelled(query?: WindowQuery): Promise<PredictionRow[]>;
  page(after: { at: number; id: string }, until: number, limit: number): Promise<StoredRow[]>;
  latestTime(): Promise<number | null>;
  countDecisions(): Promise<number>;
}

export function createPgReads(pool: pg.Pool): PgReads {
  const page = async (after: { at: number; id: string }, until: number, limit: number) =>
    (
      await pool.query<StoredRow>(
        `${SELECT_ROWS} WHERE (p.created_at, p.prediction_id) > ($1::bigint, $2::text) AND p.created_at < $3::bigint
         ORDER BY p.created_at, p.prediction_id LIMIT $4`,
        [clamp(after.at), after.id, clamp(until), limit],
      )
    ).rows;
  return {
    async get(predictionId) {
      const result = await pool.query<StoredRow>(`${SELECT_ROWS} WHERE p.prediction_id = $1`, [predictionId]);
      const row = result.rows[0];
      return row === undefined ? null : toPredictionRow(row);
    },
    async countSince(since) {
      const result = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM predictions WHERE created_at >= $1::bigint',
        [clamp(toEpochMs(since, 'since'))],
      );
      return result.rows[0]?.n ?? 0;
    },
    async recent(limit) {
      const result = await pool.query<StoredRow>(
        `${SELECT_ROWS} ORDER BY p.created_at DESC, p.prediction_id DESC LIMIT $1`,
        [checkLimit(limit)],
      );
      return result.rows.map(toPredictionRow);
    },
    async window(query = {}) {
      const { since, until } = resolveRange(query);
      const rows = await page({ at: since, id: '' }, until, checkLimit(query.limit));
      return rows.map(toPredictionRow);
    },
    async labelled(query = {}) {
      const { since, until } = resolveRange(query);
      const result = await pool.query<StoredRow>(
        `${SELECT_ROWS} WHERE f.labelled_at >= $1::bigint AND f.labelled_at < $2::bigint
         ORDER BY f.labelled_at, p.prediction_id LIMIT $3`,
        [clamp(since), clamp(until), checkLimit(query.limit)],
      );
      return result.rows.map(toPredictionRow);
    },
    page: page satisfies (...args: Parameters<PageQuery>) => Promise<StoredRow[]>,
    async latestTime() {
      const result = await pool.query<{ latest: number | null }>(
        'SELECT max(created_at) AS latest FROM predictions',
      );
      return result.rows[0]?.latest ?? null;
    },
    async countDecisions() {
      const result = await pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM predictions WHERE source = 'stream'",
      );
      return result.rows[0]?.n ?? 0;
    },
  };
}

/** Stores a label (the latest `labelledAt` wins) and returns the one in force, or null for an unknown id. */
export async function recordPgFeedback(
  pool: pg.Pool,
  predictionId: string,
  label: 0 | 1,
  labelledAt: number,
): Promise<{ label: 0 | 1; labelled_at: number } | null> {
  // One statement: the insert only if the prediction exists, then the label now in force (the new one, or
  // the newer one already there when this label is older).
  const result = await pool.query<{ label: 0 | 1; labelled_at: number }>(
    `WITH target AS (SELECT prediction_id FROM predictions WHERE prediction_id = $1),
          upserted AS (
            INSERT INTO feedback (prediction_id, label, labelled_at)
            SELECT prediction_id, $2, $3 FROM target
            ON CONFLICT (prediction_id) DO UPDATE SET label = excluded.label, labelled_at = excluded.labelled_at
              WHERE excluded.labelled_at >= feedback.labelled_at
            RETURNING label, labelled_at)
     SELECT label::int AS label, labelled_at FROM upserted
     UNION ALL
     SELECT f.label::int, f.labelled_at FROM feedback f
       WHERE f.prediction_id = $1 AND NOT EXISTS (SELECT 1 FROM upserted)`,
    [predictionId, label, labelledAt],
  );
  return result.rows[0] ?? null;
}
