/**
 * The bundle graph of a fitted model: where training's model types meet the bundle's graph contract (raw input
 * columns in; `score` and `contributions` out). It sits at the top floor because it joins models and bundle,
 * which do not know each other.
 */
import type { DenseGraphSpec, ProbabilityGraphSpec } from '../bundle/index.js';
import type { ModelConfig } from '../config/index.js';
import {
  ANOMALY_SCORE_FLOOR,
  anomalySources,
  classifierDerived,
  type FittedModel,
  logitSpec,
  type SupervisedHead,
} from '../models/index.js';
import { denseViews } from '../nn/index.js';

function scalerOf(head: Pick<SupervisedHead, 'scaler'>): { mean: number[]; std: number[] } {
  return { mean: [...head.scaler.mean], std: [...head.scaler.std] };
}

function probabilityGraph(features: readonly string[], head: SupervisedHead): ProbabilityGraphSpec {
  return {
    inputColumns: [...features],
    features: classifierDerived(features).map(({ source, transform }) => ({ source, transform })),
    scaler: scalerOf(head),
    // The logit network: the training spec's final sigmoid is replaced by the calibrated one of the head.
    layers: denseViews(logitSpec(head.spec), head.parameters),
    calibration: { a: head.calibration.a, b: head.calibration.b },
    output: 'fraud_probability',
  };
}

/** The ONNX graph spec of `model` (its input columns are `model.features`). */
export function modelGraph(model: FittedModel): DenseGraphSpec {
  switch (model.type) {
    case 'autoencoder':
      return {
        inputColumns: [...model.features],
        scaler: scalerOf(model),
        layers: denseViews(model.spec, model.parameters),
        output: 'reconstruction_error',
      };
    case 'classifier':
      return probabilityGraph(model.features, model);
    case 'hybrid':
      return {
        ...probabilityGraph(model.features, model),
        anomaly: {
          columns: anomalySources(model),
          scaler: scalerOf(model.autoencoder),
          layers: denseViews(model.autoencoder.spec, model.autoencoder.parameters),
          floor: ANOMALY_SCORE_FLOOR,
        },
      };
  }
}

/** One line on the network shape, for the `train` log. */
export function describeModel(model: ModelConfig): string {
  switch (model.type) {
    case 'autoencoder':
      return (
        `autoencoder ${model.features.length}→${model.hidden_dim}→${model.latent_dim}→${model.hidden_dim}` +
        `→${model.features.length}`
      );
    case 'classifier':
      return (
        `classifier ${model.features.length} columns→${model.hidden_dims.join('→')}→1, pos_weight ` +
        `${model.pos_weight}, calibration ${model.calibration}`
      );
    case 'hybrid': {
      const ae = model.autoencoder;
      return (
        `hybrid: autoencoder ${ae.features.length}→${ae.hidden_dim}→${ae.latent_dim}→${ae.hidden_dim}→` +
        `${ae.features.length}, then classifier ${model.features.length} columns + its log score→` +
        `${model.hidden_dims.join('→')}→1, pos_weight ${model.pos_weight}, calibration ${model.calibration}`
      );
    }
  }
}
