/**
 * The supervised detector: derived features (features.ts) → standardization → dense ReLU layers with dropout
 * → one logit, trained with class-weighted binary cross-entropy on the labelled training rows; its score is
 * the Platt-calibrated fraud probability σ(a·logit + b), a and b fitted on the validation rows.
 *
 * The hybrid (hybrid.ts) is this same network with one more input, the autoencoder's log score; both share
 * the scoring code here through {@link SupervisedHead}.
 */
import type { ModelConfig } from '../config/index.js';
import { applyScaler, type StandardScaler } from '../data/index.js';
import { denseViews, type NetworkSpec, predict } from '../nn/index.js';
import { gradientTimesInput } from './attribution.js';
import { type Calibration, calibratedProbability } from './calibration.js';
import { derivedFeatures, type DerivedFeature, transformRows } from './features.js';

export type ClassifierConfig = Extract<ModelConfig, { type: 'classifier' }>;

/**
 * `inputDim` → hidden ReLU layers (each followed by dropout) → 1 unit → sigmoid. The sigmoid is there for
 * training (the engine fuses it with BCE on the logits); scoring drops it and calibrates the logit instead.
 */
export function classifierSpec(
  inputDim: number,
  model: Pick<ClassifierConfig, 'hidden_dims' | 'dropout'>,
): NetworkSpec {
  return {
    inputDim,
    layers: [
      ...model.hidden_dims.flatMap((units) => [
        { kind: 'dense' as const, units },
        { kind: 'relu' as const },
        { kind: 'dropout' as const, rate: model.dropout },
      ]),
      { kind: 'dense', units: 1 },
      { kind: 'sigmoid' },
    ],
  };
}

const logitSpecs = new WeakMap<NetworkSpec, NetworkSpec>();

/** The same network without its final sigmoid: outputs the logit (same parameters; cached per spec). */
export function logitSpec(spec: NetworkSpec): NetworkSpec {
  let logits = logitSpecs.get(spec);
  if (logits === undefined) {
    const layers = [...spec.layers];
    while (layers.length > 0 && layers[layers.length - 1]!.kind === 'sigmoid') layers.pop();
    logits = { inputDim: spec.inputDim, layers };
    logitSpecs.set(spec, logits);
  }
  return logits;
}

/** The supervised part shared by the classifier and the hybrid: scaler, network and calibration. */
export interface SupervisedHead {
  /** The training spec (ends with a sigmoid). */
  spec: NetworkSpec;
  /** Fitted on the training rows' derived features (plus, for the hybrid, the log autoencoder score). */
  scaler: StandardScaler;
  parameters: Float32Array;
  calibration: Calibration;
}

/** A trained classifier: everything needed to score raw rows and to export the ONNX graph. */
export interface FittedClassifier extends SupervisedHead {
  type: 'classifier';
  /** Raw input columns, in order (the graph's input). */
  features: readonly string[];
}

export interface SupervisedScores {
  /** Calibrated fraud probability per row [rows]; higher = more suspicious. */
  scores: Float32Array;
  /** The uncalibrated logit per row [rows] (what Platt scaling is fitted on). */
  logits: Float32Array;
}

/** The derived columns of a classifier over `features` (its scaler's columns, in order). */
export function classifierDerived(features: readonly string[]): DerivedFeature[] {
  return derivedFeatures(features);
}

/** Scores network inputs that are already derived but not yet standardized ([rows × scaler width]). */
export function scoreDerived(head: SupervisedHead, derived: Float32Array, rows: number): SupervisedScores {
  const scaled = applyScaler(derived, rows, head.scaler);
  const logits = predict(logitSpec(head.spec), head.parameters, scaled, rows);
  const scores = new Float32Array(rows);
  for (let r = 0; r < rows; r++) scores[r] = calibratedProbability(logits[r]!, head.calibration);
  return { scores, logits };
}

/**
 * Gradient × input of the calibrated log-odds over the standardized derived features ([rows × scaler width],
 * float64): what the graph's contributions are built from.
 */
export function derivedAttributions(head: SupervisedHead, derived: Float32Array, rows: number): Float64Array {
  const scaled = applyScaler(derived, rows, head.scaler);
  return gradientTimesInput(
    denseViews(logitSpec(head.spec), head.parameters),
    scaled,
    rows,
    head.calibration.a,
  );
}

/**
 * Adds each derived column's attribution into its raw source column and keeps the positive part: the result
 * says how much each raw input pushes this row towards fraud (log-odds units; features that argue for
 * "normal" get 0), so the API's top features are the reasons a row is suspicious.
 */
export function attributionsToRaw(
  attributions: Float64Array,
  rows: number,
  derived: readonly DerivedFeature[],
  rawWidth: number,
  extra?: (row: number, raw: Float64Array) => void,
): Float32Array {
  const width = attributions.length / Math.max(rows, 1);
  const out = new Float32Array(rows * rawWidth);
  const raw = new Float64Array(rawWidth);
  for (let r = 0; r < rows; r++) {
    raw.fill(0);
    derived.forEach((feature, c) => {
      raw[feature.source] = raw[feature.source]! + attributions[r * width + c]!;
    });
    extra?.(r, raw);
    for (let j = 0; j < rawWidth; j++) out[r * rawWidth + j] = Math.max(raw[j]!, 0);
  }
  return out;
}

export interface ClassifierScores extends SupervisedScores {
  /** Positive part of gradient × input per raw column [rows × features] (see {@link attributionsToRaw}). */
  contributions: Float32Array;
}

/** Scores raw rows [rows × features] in the model's column order. */
export function scoreClassifier(
  model: FittedClassifier,
  x: Float32Array,
  rows: number,
  options: { contributions?: boolean } = {},
): ClassifierScores {
  const derived = classifierDerived(model.features);
  const width = model.features.length;
  const inputs = transformRows(x, rows, width, derived);
  const scored = scoreDerived(model, inputs, rows);
  if (options.contributions === false) return { ...scored, contributions: new Float32Array(0) };
  const attributions = derivedAttributions(model, inputs, rows);
  return { ...scored, contributions: attributionsToRaw(attributions, rows, derived, width) };
}
