/** Evaluation: ranking metrics, threshold choice on validation, the evaluation report, its text and charts. */
export {
  rocAuc,
  averagePrecision,
  rocCurve,
  prCurve,
  confusionAt,
  precisionRecallF1,
  rocAucFromCounts,
  averagePrecisionFromCounts,
  rocCurveFromCounts,
  prCurveFromCounts,
} from './metrics.js';
export type { RocCurve, PrCurve, Confusion, PrecisionRecallF1 } from './metrics.js';
export { rankCounts } from './ranking.js';
export type { RankCounts } from './ranking.js';
export { downsampleCurve, downsampleIndices, DEFAULT_CURVE_POINTS } from './downsample.js';
export { chooseThreshold, percentileLinear } from './threshold.js';
export type { ChosenThreshold } from './threshold.js';
export { evaluateSplits, DEFAULT_ALERTS_PER_DAY } from './evaluate.js';
export { alertBudget, dayOf, fraudAmountCaught, rowsPerDay, SECONDS_PER_DAY } from './operational.js';
export type { AlertBudgetMetrics, AlertBudgetOptions, FraudAmountMetrics } from './operational.js';
export type { EvaluateInput, ScoredSplit } from './evaluate.js';
export {
  splitMetricsSchema,
  baselineSchema,
  storedRocCurveSchema,
  storedPrCurveSchema,
  reportThresholdSchema,
  evaluationReportSchema,
} from './report-schema.js';
export type {
  SplitMetrics,
  Baseline,
  StoredRocCurve,
  StoredPrCurve,
  EvaluationReport,
} from './report-schema.js';
export { formatEvaluationSummary } from './summary.js';
export { rocCurveSvg, prCurveSvg, scoreHistogramSvg, lossCurveSvg } from './plots.js';
export type { PlotOptions, RocPoints, PrPoints, EpochLoss } from './plots.js';
