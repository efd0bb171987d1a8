export { createRunDir, latestRunId, listRuns, loadRun, newRunId, removeRunDir } from './run-dir.js';
export type { CreateRunOptions, RunDir } from './run-dir.js';
export { collectProvenance, provenanceSchema } from './provenance.js';
export type { Provenance } from './provenance.js';
export { runRecordSchema } from './run-record.js';
export type { RunRecord } from './run-record.js';
export { runWeightsSha256, weightsSha256 } from './weights-hash.js';
export { epochLineSchema, readRunSummaries, readRunSummary } from './run-summary.js';
export type { EpochLine, RunSummary } from './run-summary.js';
export {
  configDiff,
  flattenConfig,
  formatConfigValue,
  formatDifferences,
  RESULT_SECTIONS,
} from './config-diff.js';
export type { ConfigDifference } from './config-diff.js';
export { sparkline } from './sparkline.js';
