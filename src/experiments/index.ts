/**
 * Experiments over training runs: sweeps (grid or seeded random search, trials in parallel processes) and
 * reproduction of a finished run. Sits above train and runs; the CLI renders what it returns.
 */
export {
  loadSweepFile,
  overrideValueText,
  parseSweepFile,
  planMultirun,
  planSweepFile,
  sweepFileSchema,
} from './sweep-spec.js';
export type { SweepFile, SweepPlan, TrialPlan } from './sweep-spec.js';
export {
  bestTrial,
  listSweeps,
  sweepDir,
  sweepSummarySchema,
  trialResultSchema,
  writeSweepSummary,
} from './sweep-summary.js';
export type { SplitScores, SweepSummary, TrialResult } from './sweep-summary.js';
export { CLI_LAUNCHER, runSweep } from './run-sweep.js';
export type { RunSweepOptions } from './run-sweep.js';
export { compareReproduction, prepareReproduction } from './reproduce.js';
export type { Reproduction, ReproductionCheck, ReproductionVerdict } from './reproduce.js';
