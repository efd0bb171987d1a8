/**
 * The reference autoencoder: F → hidden (ReLU) → dropout → latent (ReLU) → hidden (ReLU) → F, trained with
 * MSE on standardized normal transactions. Its fraud score is the mean squared reconstruction error of a
 * row, in standardized units; the per-feature squared errors explain it.
 */
import type { ModelConfig } from '../config/index.js';
import { applyScaler, type StandardScaler } from '../data/index.js';
import { type NetworkSpec, predict, rowSquaredErrors } from '../nn/index.js';

export type AutoencoderConfig = Extract<ModelConfig, { type: 'autoencoder' }>;

export function autoencoderSpec(
  model: Pick<AutoencoderConfig, 'features' | 'hidden_dim' | 'latent_dim' | 'dropout'>,
): NetworkSpec {
  const width = model.features.length;
  return {
    inputDim: width,
    layers: [
      { kind: 'dense', units: model.hidden_dim },
      { kind: 'relu' },
      { kind: 'dropout', rate: model.dropout },
      { kind: 'dense', units: model.latent_dim },
      { kind: 'relu' },
      { kind: 'dense', units: model.hidden_dim },
      { kind: 'relu' },
      { kind: 'dense', units: width },
    ],
  };
}

/** A trained autoencoder: everything needed to score raw rows and to export the ONNX graph. */
export interface FittedAutoencoder {
  type: 'autoencoder';
  /** Raw input columns, in order. */
  features: readonly string[];
  spec: NetworkSpec;
  /** Fitted on the training split; applied before the network (and baked into the exported graph). */
  scaler: StandardScaler;
  parameters: Float32Array;
}

export interface AutoencoderScores {
  /** Mean squared reconstruction error per row [rows]. */
  scores: Float32Array;
  /** Squared error per row and feature [rows × F]. */
  contributions: Float32Array;
}

/** Scores raw (unscaled) rows [rows × F] in the model's feature order. */
export function scoreRaw(model: FittedAutoencoder, x: Float32Array, rows: number): AutoencoderScores {
  const scaled = applyScaler(x, rows, model.scaler);
  const reconstruction = predict(model.spec, model.parameters, scaled, rows);
  const { perRow, perFeature } = rowSquaredErrors(reconstruction, scaled, rows, model.features.length);
  return { scores: perRow, contributions: perFeature };
}
