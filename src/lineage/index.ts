/**
 * Data lineage: which datasets exist, which runs and bundles used them, whether production matches the current
 * data (`cardwatch data status`), and the evaluation gate of a promotion (`cardwatch models gate`).
 */
export { listPreparedDatasets, type KnownDataset } from './datasets.js';
export { bundlesUsingData, runsUsingData, type BundleUse, type RunUse } from './usage.js';
export {
  dataStatus,
  type CurrentData,
  type DataStatus,
  type DatasetStatus,
  type ProductionData,
  type SourceState,
  type StatusPaths,
  type Verdict,
} from './status.js';
export {
  gateVerdict,
  runGate,
  GATE_METRICS,
  type GateInput,
  type GateMetric,
  type GateResult,
  type GatedBundle,
  type GateVerdict,
  type RankMetrics,
  type SplitSettings,
} from './gate.js';
export { formatDataStatus, formatGateResult } from './format.js';
