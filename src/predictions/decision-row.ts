/**
 * The stream decision as both databases return it, and the checks shared by both decision logs.
 */
import type { StoredDecision } from './store.js';
import type { PredictionRecord } from './types.js';

/** A decision row as both databases return it. */
export interface DecisionRow {
  transaction_id: string;
  prediction_id: string;
  created_at: number;
  model_version: string;
  score: number;
  threshold: number;
  is_fraud: number | boolean;
}

export const DECISION_COLUMNS =
  'transaction_id, prediction_id, created_at, model_version, score, threshold, is_fraud';

export function toStoredDecision(row: DecisionRow): StoredDecision {
  return {
    transactionId: row.transaction_id,
    predictionId: row.prediction_id,
    createdAt: Number(row.created_at),
    modelVersion: row.model_version,
    score: row.score,
    threshold: row.threshold,
    isFraud: row.is_fraud === true || row.is_fraud === 1,
  };
}

/** The transaction id of a stream record; a record without one is a bug of the caller. */
export function requireTransactionId(record: PredictionRecord): string {
  const id = record.transactionId;
  if (typeof id !== 'string' || id.length === 0) {
    throw new TypeError('prediction store: a stream decision needs a non-empty transactionId');
  }
  return id;
}
