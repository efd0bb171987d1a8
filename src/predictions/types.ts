/**
 * The records the prediction log stores and the rows it returns. Times are milliseconds since the Unix epoch
 * (UTC) everywhere: cheap to take (`Date.now()`), cheap to compare, and stored as one SQLite INTEGER.
 */

/** Number of V columns of the Kaggle schema; the features BLOB holds exactly this many float32 values. */
export const LOGGED_FEATURE_COUNT = 28;

/** The inference engine that produced a score. */
export type Engine = 'float32' | 'int8';
export const ENGINES: readonly Engine[] = ['float32', 'int8'];

/** A ground-truth label sent back by an analyst or a chargeback feed: 1 = fraud, 0 = legitimate. */
export type FeedbackLabel = 0 | 1;

/** One feature's share of a score, for explanations (e.g. the largest per-feature reconstruction errors). */
export interface TopFeature {
  readonly name: string;
  readonly contribution: number;
}

/** What the scoring service hands to `append` for every answered prediction. */
export interface PredictionRecord {
  /** Unique id returned to the client; `newPredictionId()` makes a time-sortable one. Must not be empty. */
  readonly predictionId: string;
  /** When the prediction was made, ms since the epoch. */
  readonly createdAt: number;
  /** The client's own transaction id, when it sent one. */
  readonly transactionId?: string | null;
  /** Id of the model bundle that produced the score. */
  readonly modelVersion: string;
  readonly engine: Engine;
  /** Anomaly score (higher = more suspicious); must be finite. */
  readonly score: number;
  /** The threshold the decision used. */
  readonly threshold: number;
  /** The decision sent to the client (`score > threshold`). */
  readonly isFraud: boolean;
  /** Time spent scoring (or serving) this request, in ms. */
  readonly latencyMs: number;
  /**
   * V1..V28 in that order, exactly 28 values; NaN for a V column the model did not take (see
   * `createFeatureMapper`). Copied on append, so the caller may reuse its array.
   */
  readonly features: ArrayLike<number>;
  /** Raw `Amount`, when known; null/undefined/NaN are stored as NULL. */
  readonly amount?: number | null;
  /** Raw `Time` (seconds since the first transaction of the dataset), when known. */
  readonly time?: number | null;
  /** Optional explanation, stored as JSON. */
  readonly topFeatures?: readonly TopFeature[] | null;
  /**
   * The same explanation already written as `JSON.stringify(topFeatures)` by a caller that writes it anyway
   * (the service, for its answer); stored as given instead of `topFeatures`.
   */
  readonly topFeaturesJson?: string | null;
}

/** One logged prediction as read back, with its latest feedback label if any. */
export interface PredictionRow {
  readonly predictionId: string;
  readonly createdAt: number;
  readonly transactionId: string | null;
  readonly modelVersion: string;
  readonly engine: Engine;
  readonly score: number;
  readonly threshold: number;
  readonly isFraud: boolean;
  readonly latencyMs: number;
  /** V1..V28 as stored (float32). */
  readonly features: Float32Array;
  readonly amount: number | null;
  readonly time: number | null;
  readonly topFeatures: readonly TopFeature[] | null;
  /** The latest feedback label, or null when none arrived. */
  readonly label: FeedbackLabel | null;
  /** When that label was given (ms since the epoch), or null. */
  readonly labelledAt: number | null;
}

/** The feedback stored for a prediction after `recordFeedback`. */
export interface Feedback {
  readonly predictionId: string;
  readonly label: FeedbackLabel;
  readonly labelledAt: number;
}

/** A time range; `since` is inclusive, `until` exclusive. Either may be a Date or ms since the epoch. */
export interface TimeRange {
  readonly since?: Date | number;
  readonly until?: Date | number;
}

export interface WindowQuery extends TimeRange {
  /** Most rows to return (default 10,000). */
  readonly limit?: number;
}
