/**
 * Every detector behind one call: `scoreModel` takes raw rows in the model's column order and returns a score
 * per row (higher = more suspicious) and per-feature contributions, as the exported graph does.
 */
import { type FittedAutoencoder, scoreRaw } from './autoencoder.js';
import { type FittedClassifier, scoreClassifier } from './classifier.js';
import { type FittedHybrid, scoreHybrid } from './hybrid.js';

/** A trained detector of any type (the `model.type` of the config that trained it). */
export type FittedModel = FittedAutoencoder | FittedClassifier | FittedHybrid;

export interface ModelScores {
  /**
   * [rows]: the autoencoder's mean squared reconstruction error, or the classifier's and hybrid's calibrated
   * fraud probability.
   */
  scores: Float32Array;
  /**
   * [rows × features]: the autoencoder's squared error per feature, or the supervised models' positive
   * gradient × input per raw column (empty with `contributions: false`).
   */
  contributions: Float32Array;
}

/**
 * Scores raw (unscaled, untransformed) rows [rows × model.features.length] in the model's column order.
 * `contributions: false` skips the explanation pass where it costs extra (the supervised models' backward).
 */
export function scoreModel(
  model: FittedModel,
  x: Float32Array,
  rows: number,
  options: { contributions?: boolean } = {},
): ModelScores {
  switch (model.type) {
    case 'autoencoder':
      return scoreRaw(model, x, rows);
    case 'classifier':
      return scoreClassifier(model, x, rows, options);
    case 'hybrid':
      return scoreHybrid(model, x, rows, options);
  }
}
