/**
 * Where every answered prediction goes before its answer leaves: the durable prediction log, then the
 * Prometheus counters. The order is the contract of the log: a prediction the client receives is one the log
 * holds (`append` throws LOG_BACKPRESSURE / LOG_CLOSED, a 503, instead of dropping it).
 */
import type { ScoringEngine } from '../bundle/manifest.js';
import type { PredictionLog, TopFeature } from '../predictions/index.js';
import { newPredictionId } from '../predictions/index.js';
import { CardwatchError } from '../util/errors.js';
import type { FeatureContribution } from './explain.js';
import type { ServeMetrics } from './metrics.js';

export interface PredictionSink {
  /** Null when the app runs without a log (tests, embedding): predictions are then answered, not stored. */
  readonly log: PredictionLog | null;
  readonly metrics: ServeMetrics;
}

/** What one scored row leaves behind. */
export interface ScoredRow {
  readonly modelVersion: string;
  readonly engine: ScoringEngine;
  readonly score: number;
  readonly threshold: number;
  readonly isFraud: boolean;
  /** Milliseconds from receiving the request to logging this row. */
  readonly latencyMs: number;
  /** V1..V28 as the client sent them (all 28, whether or not the model reads each one). */
  readonly features: ArrayLike<number>;
  readonly amount: number | null;
  readonly time: number | null;
  readonly transactionId: string | null;
  readonly topFeatures: readonly FeatureContribution[];
  /** `topFeatures` in the log's JSON form, when the caller has written it already (predict-json.ts). */
  readonly topFeaturesJson?: string;
}

/**
 * Refuses work the log could not take: checked before scoring, so a backlogged log costs no CPU. The answer is a
 * 503 the client may retry; nothing is scored, so nothing is lost.
 */
export function ensureLogCapacity(log: PredictionLog | null, rows: number): void {
  if (log === null || log.hasCapacity(rows)) return;
  throw new CardwatchError(
    'LOG_BACKPRESSURE',
    `the prediction log is behind (${log.queueDepth()} predictions waiting to be written); retry shortly`,
  );
}

/**
 * A score safe to answer and store. NaN means the model failed (a 500, never a silent "not fraud"); +Infinity
 * comes from finite but extreme inputs (float32 overflow inside the model) and is the most suspicious score
 * there is, so it is answered as the largest finite number rather than failing a valid request.
 */
export function finiteScore(value: number, modelVersion: string): number {
  if (Number.isNaN(value)) throw new Error(`model ${modelVersion} returned a non-finite score (NaN)`);
  if (value === Number.POSITIVE_INFINITY) return Number.MAX_VALUE;
  if (value === Number.NEGATIVE_INFINITY)
    throw new Error(`model ${modelVersion} returned a score of -Infinity`);
  return value;
}

function toLoggedTopFeatures(top: readonly FeatureContribution[]): TopFeature[] | null {
  if (top.length === 0) return null;
  return top.map((item) => ({ name: item.feature, contribution: item.contribution }));
}

/** Logs one scored row and counts it; returns its new prediction id. Throws (503) when the log refuses it. */
export function recordPrediction(sink: PredictionSink, row: ScoredRow): string {
  const now = Date.now();
  const predictionId = newPredictionId(now);
  const written = row.topFeatures.length > 0 ? row.topFeaturesJson : undefined;
  sink.log?.append({
    predictionId,
    createdAt: now,
    transactionId: row.transactionId,
    modelVersion: row.modelVersion,
    engine: row.engine,
    score: row.score,
    threshold: row.threshold,
    isFraud: row.isFraud,
    latencyMs: row.latencyMs,
    features: row.features,
    amount: row.amount,
    time: row.time,
    // No explanation is stored as NULL, not "[]".
    topFeatures: written === undefined ? toLoggedTopFeatures(row.topFeatures) : null,
    topFeaturesJson: written ?? null,
  });
  sink.metrics.countPrediction(row.engine, row.isFraud, row.score);
  return predictionId;
}
