export { autoencoderSpec, scoreRaw } from './autoencoder.js';
export type { AutoencoderConfig, AutoencoderScores, FittedAutoencoder } from './autoencoder.js';
export {
  attributionsToRaw,
  classifierDerived,
  classifierSpec,
  derivedAttributions,
  logitSpec,
  scoreClassifier,
  scoreDerived,
} from './classifier.js';
export type {
  ClassifierConfig,
  ClassifierScores,
  FittedClassifier,
  SupervisedHead,
  SupervisedScores,
} from './classifier.js';
export {
  ANOMALY_FEATURE,
  ANOMALY_SCORE_FLOOR,
  anomalyFeature,
  anomalySources,
  hybridInputs,
  scoreHybrid,
} from './hybrid.js';
export type { FittedHybrid, HybridConfig, HybridScores } from './hybrid.js';
export { calibratedProbability, fitPlatt, IDENTITY_CALIBRATION } from './calibration.js';
export type { Calibration } from './calibration.js';
export { derivedFeatures, transformRows, SECONDS_PER_DAY } from './features.js';
export type { DerivedFeature, FeatureTransform } from './features.js';
export { gradientTimesInput } from './attribution.js';
export { scoreModel } from './score.js';
export type { FittedModel, ModelScores } from './score.js';
export { fromModelFile, modelFileSchema, readModelFile, toModelFile } from './model-file.js';
export type { ModelFile } from './model-file.js';
