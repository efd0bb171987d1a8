/**
 * The hybrid detector: the classifier with the autoencoder's opinion as one more input. The autoencoder is
 * trained first on normal training rows (as the `autoencoder` model is); log(its score + 1e-6) is appended to
 * the classifier's derived features; the classifier is then trained on all labelled training rows and
 * calibrated on validation, like the plain classifier.
 *
 * Why stacking and not a blend of the two scores: a blend's weight would be chosen on the ~50 validation frauds
 * the real data has, and a weighted sum of two differently scaled scores is a crude combiner; as an input, the
 * anomaly score is weighed by the network per region of feature space, from the ~300 training frauds, and the
 * validation rows stay free for early stopping, calibration and the threshold. The log tames the score's heavy
 * right tail (frauds reach hundreds of times the normal error).
 *
 * The exported graph holds both networks (bundle/onnx-graph.ts: `anomaly`), so a served hybrid is one model.
 */
import type { ModelConfig } from '../config/index.js';
import { type FittedAutoencoder, scoreRaw } from './autoencoder.js';
import {
  attributionsToRaw,
  classifierDerived,
  derivedAttributions,
  scoreDerived,
  type SupervisedHead,
  type SupervisedScores,
} from './classifier.js';
import { type DerivedFeature, transformRows } from './features.js';
import { CardwatchError } from '../util/errors.js';

export type HybridConfig = Extract<ModelConfig, { type: 'hybrid' }>;

/** Added to the autoencoder score before the log, so a perfectly reconstructed row stays finite. */
export const ANOMALY_SCORE_FLOOR = 1e-6;
/** Name of the extra derived column (the last one of the hybrid's scaler). */
export const ANOMALY_FEATURE = 'log(autoencoder score)';

export interface FittedHybrid extends SupervisedHead {
  type: 'hybrid';
  /** Raw input columns, in order (the graph's input); the autoencoder's features are among them. */
  features: readonly string[];
  autoencoder: FittedAutoencoder;
}

/** Where each autoencoder input sits among the hybrid's raw columns. */
export function anomalySources(model: Pick<FittedHybrid, 'features' | 'autoencoder'>): number[] {
  return model.autoencoder.features.map((name) => {
    const index = model.features.indexOf(name);
    if (index < 0) {
      throw new CardwatchError(
        'MODEL_CORRUPT',
        `hybrid model: autoencoder input ${name} is not among its features (${model.features.join(', ')})`,
      );
    }
    return index;
  });
}

/** log(score + floor), in the graph's float32 steps (Add, then Log). */
export function anomalyFeature(score: number): number {
  return Math.fround(Math.log(Math.fround(score + Math.fround(ANOMALY_SCORE_FLOOR))));
}

interface HybridInputs {
  derived: readonly DerivedFeature[];
  /** rows × (derived.length + 1): the derived features, then the log autoencoder score. */
  inputs: Float32Array;
  /** The autoencoder's per-feature squared errors [rows × autoencoder features]. */
  anomalyErrors: Float32Array;
}

/**
 * The hybrid network's unscaled inputs for raw rows [rows × features]: the classifier's derived features and
 * the log autoencoder score. Used for training (fit-hybrid.ts) and scoring.
 */
export function hybridInputs(
  model: Pick<FittedHybrid, 'features' | 'autoencoder'>,
  x: Float32Array,
  rows: number,
): HybridInputs {
  const derived = classifierDerived(model.features);
  const rawWidth = model.features.length;
  const base = transformRows(x, rows, rawWidth, derived);
  const sources = anomalySources(model);
  const aeX = new Float32Array(rows * sources.length);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < sources.length; j++) aeX[r * sources.length + j] = x[r * rawWidth + sources[j]!]!;
  }
  const { scores, contributions } = scoreRaw(model.autoencoder, aeX, rows);
  const width = derived.length + 1;
  const inputs = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    inputs.set(base.subarray(r * derived.length, (r + 1) * derived.length), r * width);
    inputs[r * width + derived.length] = anomalyFeature(scores[r]!);
  }
  return { derived, inputs, anomalyErrors: contributions };
}

export interface HybridScores extends SupervisedScores {
  /**
   * Positive part of gradient × input per raw column [rows × features]; the autoencoder input's share is
   * split over the autoencoder's columns in proportion to their squared reconstruction errors.
   */
  contributions: Float32Array;
}

/** Scores raw rows [rows × features] in the model's column order. */
export function scoreHybrid(
  model: FittedHybrid,
  x: Float32Array,
  rows: number,
  options: { contributions?: boolean } = {},
): HybridScores {
  const { derived, inputs, anomalyErrors } = hybridInputs(model, x, rows);
  const scored = scoreDerived(model, inputs, rows);
  if (options.contributions === false) return { ...scored, contributions: new Float32Array(0) };
  const attributions = derivedAttributions(model, inputs, rows);
  const width = derived.length + 1;
  const sources = anomalySources(model);
  const k = sources.length;
  const contributions = attributionsToRaw(attributions, rows, derived, model.features.length, (r, raw) => {
    const anomaly = attributions[r * width + derived.length]!;
    let total = 0;
    for (let j = 0; j < k; j++) total += anomalyErrors[r * k + j]!;
    // The graph divides by (total + 1e-30): a row reconstructed exactly gives every column 0, not NaN.
    const denominator = total + 1e-30;
    for (let j = 0; j < k; j++) {
      raw[sources[j]!] = raw[sources[j]!]! + (anomaly * anomalyErrors[r * k + j]!) / denominator;
    }
  });
  return { ...scored, contributions };
}
