/**
 * The model bundle: ONNX export with the scaler inside the graph, verification against the training engine,
 * the registry of bundles and aliases, and the scoring front door over ONNX Runtime.
 */
export {
  BUNDLE_FORMAT_VERSION,
  manifestSchema,
  parseManifest,
  type BundleManifest,
  type SplitMetrics,
} from './manifest.js';
export type { Scorer, ScoreBatch } from './scorer-types.js';
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
  type GraphOutputKind,
} from './onnx-graph.js';
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
export { loadScorer, openScorerFromDir, DEFAULT_CHUNK_ROWS, type ScorerOptions } from './scorer.js';
export { readDenseLayersFromOnnx, importDenseAutoencoder, type ImportedDenseStack } from './import-onnx.js';
export { readReferenceSample, type ReferenceSample } from './reference-sample.js';
export { readExamples, type BundleExamples } from './examples.js';
export { computeContentHash } from './content-hash.js';
export { MANIFEST_FILE, MODEL_FILE, REFERENCE_FILE, EXAMPLES_FILE, ALIASES_FILE } from './layout.js';
