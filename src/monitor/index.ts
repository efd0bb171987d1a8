/**
 * Monitoring: data and prediction drift (Evidently's metrics → preset → report split, in TypeScript) and live
 * model quality from feedback labels. Statistics live in `stats/`, rendering in `render/`; the snapshot
 * shapes the web app reads are the zod schemas of `report-schema.ts`.
 */
export {
  driftReportSchema,
  qualityReportSchema,
  featureDriftSchema,
  DRIFT_REPORT_VERSION,
  QUALITY_REPORT_VERSION,
  type DriftReport,
  type QualityReport,
  type FeatureDrift,
} from './report-schema.js';
export { computeDrift, runDriftReport, type DriftInput } from './report.js';
export { driftPreset, parseDriftOptions, DEFAULT_DRIFT_FEATURES, type DriftOptionsInput } from './preset.js';
export type { MetricSpec, ValueDriftSpec, DatasetDriftSpec } from './metrics.js';
export { computeQuality, qualityForModel, validationAlertRate } from './quality.js';
export { driftForBundle, type DriftCurrent, type BundleDriftInput } from './run-drift.js';
export { saveDriftReport, DRIFT_JSON, DRIFT_HTML } from './snapshot.js';
export { renderDriftHtml } from './render/drift-html.js';
export { formatDriftSummary, formatQualitySummary } from './render/summary.js';
export { createMonitorService, type MonitorService, type MonitorSettings } from './service.js';
export { SCORE_COLUMN, type MonitorTable } from './table.js';
