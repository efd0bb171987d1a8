/**
 * Writes of the PostgreSQL store. A batch goes in as one INSERT … SELECT FROM unnest(column arrays): one
 * round trip and one statement per batch, whatever its size (a multi-row VALUES list would need 13 bound
 * parameters per row and a new statement text per batch size).
 */
import type pg from 'pg';
import { encodeFeatures } from '../features.js';
import { toQueuedPrediction, type QueuedPrediction } from '../queued-prediction.js';
import type { BatchResult, RejectedPrediction } from '../batch-writer.js';
import {
  DECISION_COLUMNS,
  requireTransactionId,
  toStoredDecision,
  type DecisionRow,
} from '../decision-row.js';
import type { DecisionLogResult, StoredDecision } from '../store.js';
import type { PredictionRecord } from '../types.js';

const COLUMNS = `prediction_id, created_at, transaction_id, model_version, engine, score, threshold, is_fraud,
  latency_ms, features, amount, time, top_features, source`;

const UNNEST = `unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[],
  $8::bool[], $9::float8[], $10::bytea[], $11::float8[], $12::float8[], $13::text[], $14::text[])`;

function columnArrays(batch: readonly QueuedPrediction[], source: 'api' | 'stream'): unknown[] {
  const n = batch.length;
  const cols = Array.from({ length: 14 }, () => new Array<unknown>(n));
  for (let i = 0; i < n; i++) {
    const p = batch[i] as QueuedPrediction;
    cols[0]![i] = p.predictionId;
    cols[1]![i] = p.createdAt;
    cols[2]![i] = p.transactionId;
    cols[3]![i] = p.modelVersion;
    cols[4]![i] = p.engine;
    cols[5]![i] = p.score;
    cols[6]![i] = p.threshold;
    cols[7]![i] = p.isFraud === 1;
    cols[8]![i] = p.latencyMs;
    cols[9]![i] = encodeFeatures(p.features);
    cols[10]![i] = p.amount;
    cols[11]![i] = p.time;
    cols[12]![i] = p.topFeaturesJson;
    cols[13]![i] = source;
  }
  return cols;
}

/**
 * Writes one batch of the service's log. A duplicate prediction id is skipped and reported (as SQLite's
 * constraint error is), so one bad record neither blocks the batch nor is retried forever; any other failure
 * rejects and nothing of the batch is committed (one statement).
 */
export async function writeApiBatch(pool: pg.Pool, batch: readonly QueuedPrediction[]): Promise<BatchResult> {
  const result = await pool.query<{ prediction_id: string }>(
    `INSERT INTO predictions (${COLUMNS}) SELECT * FROM ${UNNEST}
     ON CONFLICT (prediction_id) DO NOTHING RETURNING prediction_id`,
    columnArrays(batch, 'api'),
  );
  const written = result.rowCount ?? result.rows.length;
  if (written === batch.length) return { written, rejected: [] };
  const stored = new Set(result.rows.map((row) => row.prediction_id));
  const rejected: RejectedPrediction[] = [];
  const seen = new Set<string>();
  for (const p of batch) {
    if (stored.has(p.predictionId) && !seen.has(p.predictionId)) {
      seen.add(p.predictionId);
      continue;
    }
    rejected.push({
      predictionId: p.predictionId,
      error: new Error(`duplicate prediction id ${JSON.stringify(p.predictionId)}: not written again`),
    });
  }
  return { written, rejected };
}

export async function decisionsFor(
  pool: pg.Pool | pg.PoolClient,
  ids: readonly string[],
): Promise<Map<string, StoredDecision>> {
  const found = new Map<string, StoredDecision>();
  if (ids.length === 0) return found;
  const result = await pool.query<DecisionRow>(
    `SELECT ${DECISION_COLUMNS} FROM predictions WHERE source = 'stream' AND transaction_id = ANY($1::text[])`,
    [ids],
  );
  for (const row of result.rows) found.set(row.transaction_id, toStoredDecision(row));
  return found;
}

/**
 * The stream's idempotent write: rows of transactions already logged (by any process) are skipped by the
 * partial unique index; two processes racing on one transaction id are serialised by it (the second waits
 * for the first to commit, then skips). The decisions in force are read back after the insert committed.
 */
export async function logDecisions(
  pool: pg.Pool,
  records: readonly PredictionRecord[],
): Promise<DecisionLogResult> {
  const ids: string[] = [];
  const batch = records.map((record) => {
    ids.push(requireTransactionId(record));
    return toQueuedPrediction(record);
  });
  const result = await pool.query(
    `INSERT INTO predictions (${COLUMNS}) SELECT * FROM ${UNNEST}
     ON CONFLICT (transaction_id) WHERE source = 'stream' DO NOTHING`,
    columnArrays(batch, 'stream'),
  );
  const decisions = await decisionsFor(pool, [...new Set(ids)]);
  return { inserted: result.rowCount ?? 0, decisions };
}
