/**
 * The model bundle: ONNX export with the scaler inside the graph (float32, plus an int8 variant), verification
 * against the training engine, imports of externally trained autoencoders, the registry of bundles and aliases,
 * and the scoring front door over ONNX Runtime.
 */
export {
  BUNDLE_FORMAT_VERSION,
  MIN_INT8_RANK_CORRELATION,
  SCORING_ENGINES,
  bundleEngines,
  manifestSchema,
  parseManifest,
  type BundleManifest,
  type TrainedBundleManifest,
  type ImportedBundleManifest,
  type Int8Variant,
  type ScoringEngine,
  type SplitMetrics,
} from './manifest.js';
export type { Scorer, ScoreBatch, ScoreOptions } from './scorer-types.js';
export {
  buildDenseOnnxModel,
  ONNX_OPSET,
  ONNX_IR_VERSION,
  GRAPH_INPUT,
  SCORE_OUTPUT,
  CONTRIBUTIONS_OUTPUT,
  type Activation,
  type DenseLayer,
  type DenseGraphSpec,
  type ReconstructionGraphSpec,
  type ProbabilityGraphSpec,
  type AnomalyGraphSpec,
  type GraphFeature,
  type FeatureTransform,
  type GraphOutputKind,
} from './onnx-graph.js';
export { buildInt8OnnxModel, type Int8Model } from './onnx-int8.js';
export { INT8_SCHEMES, type Int8Options, type Int8Scheme } from './quantize.js';
export { compareScores, spearman, type ScoreAgreement } from './score-agreement.js';
export {
  openOnnxSession,
  type OnnxSession,
  type OnnxSessionOptions,
  type FloatTensor,
} from './onnx-runtime.js';
export {
  exportBundle,
  PARITY_TOLERANCE,
  type ExportInput,
  type ExportedBundle,
  type ParityRows,
} from './export.js';
export { importOnnxBundle, IMPORT_VERIFY_ROWS, type ImportOnnxInput } from './import-bundle.js';
export {
  listBundles,
  resolveBundle,
  promoteBundle,
  readManifest,
  readAliases,
  type BundleSummary,
  type ResolvedBundle,
  type PromoteResult,
  type Aliases,
} from './registry.js';
export {
  loadScorer,
  openScorerFromDir,
  parseEngine,
  requireEngine,
  scorerEngines,
  engineNotAvailable,
  DEFAULT_CHUNK_ROWS,
  type ScorerOptions,
} from './scorer.js';
export { readDenseLayersFromOnnx, importDenseAutoencoder, type ImportedDenseStack } from './import-onnx.js';
export { readReferenceSample, type ReferenceSample } from './reference-sample.js';
export { readExamples, type BundleExamples } from './examples.js';
export { computeContentHash } from './content-hash.js';
export {
  MANIFEST_FILE,
  MODEL_FILE,
  INT8_MODEL_FILE,
  REFERENCE_FILE,
  EXAMPLES_FILE,
  ALIASES_FILE,
} from './layout.js';
