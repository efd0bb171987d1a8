import type { BundleManifest, ScoringEngine } from './manifest.js';

export type { ScoringEngine };

/** Scores of N rows: higher = more suspicious. What they measure is the manifest's `score.name`. */
export interface ScoreBatch {
  /**
   * [N]: `reconstruction_error` (autoencoder): mean squared reconstruction error in standardized units;
   * `fraud_probability` (classifier, hybrid): the calibrated probability of fraud, 0..1.
   */
  readonly scores: Float32Array;
  /**
   * [N × F] per input column (row-major), ≥ 0, for explanations; empty when not requested. Autoencoder: the
   * squared reconstruction error of the column (they average to the score). Classifier/hybrid: the positive
   * part of gradient × input of the calibrated log-odds, i.e. how far the column pushes the row towards fraud
   * (0 for columns that argue for normal).
   */
  readonly contributions: Float32Array;
}

export interface ScoreOptions {
  /**
   * Return the per-feature contributions (default true). Bulk scoring that only needs scores passes false and
   * skips writing N × F floats (at 28 features, 112 MB per million rows).
   */
  readonly contributions?: boolean;
  /**
   * Which model variant scores this call (default: the scorer's default engine, normally `float32`). An engine
   * the bundle lacks → `ENGINE_NOT_AVAILABLE` (HTTP 404) with a hint to re-export.
   */
  readonly engine?: ScoringEngine;
}

/**
 * The front door to a model bundle (the transformers.js pipeline idea): load once, call `score` with raw
 * feature rows in the manifest's `input_columns` order, `dispose` when swapping models.
 */
export interface Scorer {
  readonly manifest: BundleManifest;
  readonly inputColumns: readonly string[];
  readonly threshold: number;
  /**
   * Engines this scorer can run, all loaded at open (`['float32']` or `['float32', 'int8']`). Optional so
   * scorers written before int8 (test doubles) still fit; absent means float32 only, see `scorerEngines`.
   */
  readonly engines?: readonly ScoringEngine[];
  /** `x` is rows × inputColumns.length raw values, row-major. */
  score(x: Float32Array, rows: number, options?: ScoreOptions): Promise<ScoreBatch>;
  dispose(): Promise<void>;
}
