/**
 * The shapes monitoring hands out: `drift.json` / `GET /drift` ({@link driftReportSchema}) and
 * `GET /quality` / `cardwatch monitor quality --json` ({@link qualityReportSchema}). The web app reads these;
 * change them only additively (new optional fields), and bump `version` otherwise.
 *
 * drift report (version 1), keys in snake_case like the rest of the API:
 *   { kind: 'drift', version: 1, generated_at: ISO, model_version,
 *     reference: { source, rows }, current: { source, rows, since?, until? },
 *     options: { drift_share, ks_max_reference_rows, bins? },
 *     dataset: { drift: bool, drift_share: 0..1, drifted_features, features, threshold },
 *     features: [ { name, kind: 'feature'|'prediction', method: 'ks'|'wasserstein', score, threshold,
 *                   drift, severity, psi, jensen_shannon, reference: stats, current: stats,
 *                   histogram: { edges[n+1], reference[n], current[n] } } ],  // by severity, highest first
 *     skipped: [ { name, reason } ] }   where stats = { rows, mean, std, min, max }; severity ≥ 1 means past the threshold.
 *
 * quality report (version 1):
 *   { kind: 'quality', version: 1, generated_at, window: { predictions, labelled, since?, until?, limit },
 *     alert_rate, expected_alert_rate|null, threshold|null, labels: { fraud, legit },
 *     precision|null, recall|null, f1|null, auprc|null, prevalence|null }
 *   A metric is null when the window cannot define it (no labels, or one class only for AUPRC).
 */
import { z } from 'zod';

export const DRIFT_REPORT_VERSION = 1;
export const QUALITY_REPORT_VERSION = 1;

const finiteOrNull = z.number().nullable();

export const columnStatsSchema = z.object({
  rows: z.number().int().min(0),
  mean: finiteOrNull,
  std: finiteOrNull,
  min: finiteOrNull,
  max: finiteOrNull,
});

/**
 * For display: 20 equal bins over the central 99% of both samples (0.5% and 99.5% quantiles), values beyond
 * counted in the end bins. PSI and Jensen-Shannon are computed on their own bins (Sturges, full range).
 */
export const histogramSchema = z.object({
  /** Shared bin edges (bins + 1, ascending). */
  edges: z.array(z.number()),
  /** Share of each side's rows per bin (0..1; each side sums to 1). */
  reference: z.array(z.number()),
  current: z.array(z.number()),
});

export const featureDriftSchema = z.object({
  name: z.string(),
  /** `prediction`: the model's score (prediction drift); `feature`: an input column. */
  kind: z.enum(['feature', 'prediction']),
  method: z.enum(['ks', 'wasserstein', 'psi', 'jensenshannon']),
  /** The drift test's score: a p-value for ks, a distance otherwise. */
  score: z.number(),
  threshold: z.number(),
  drift: z.boolean(),
  /** How far past the threshold (1 = at it); comparable across methods, the sort key. */
  severity: z.number(),
  psi: z.number(),
  jensen_shannon: z.number(),
  reference: columnStatsSchema,
  current: columnStatsSchema,
  histogram: histogramSchema,
});

export const driftReportSchema = z.object({
  kind: z.literal('drift'),
  version: z.literal(DRIFT_REPORT_VERSION),
  generated_at: z.string(),
  model_version: z.string().nullable(),
  reference: z.object({ source: z.string(), rows: z.number().int().min(0) }),
  current: z.object({
    source: z.string(),
    rows: z.number().int().min(0),
    since: z.string().optional(),
    until: z.string().optional(),
  }),
  options: z.object({
    drift_share: z.number(),
    ks_max_reference_rows: z.number().int(),
  }),
  dataset: z.object({
    drift: z.boolean(),
    drift_share: z.number(),
    drifted_features: z.number().int().min(0),
    features: z.number().int().min(0),
    /** Dataset drift when drift_share ≥ threshold. */
    threshold: z.number(),
  }),
  features: z.array(featureDriftSchema),
  /** Monitored columns that could not be compared (e.g. Amount when the model does not log it). */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
});

export const qualityReportSchema = z.object({
  kind: z.literal('quality'),
  version: z.literal(QUALITY_REPORT_VERSION),
  generated_at: z.string(),
  model_version: z.string().nullable(),
  window: z.object({
    /** Predictions in the window. */
    predictions: z.number().int().min(0),
    /** Of those, how many have a feedback label. */
    labelled: z.number().int().min(0),
    limit: z.number().int().min(1),
    since: z.string().optional(),
  }),
  /** Share of the window's predictions flagged as fraud. */
  alert_rate: finiteOrNull,
  /** The alert rate on the model's validation split (from its manifest), when known. */
  expected_alert_rate: finiteOrNull,
  labels: z.object({ fraud: z.number().int().min(0), legit: z.number().int().min(0) }),
  /** Of the labelled predictions, at each prediction's own threshold (the decision the client got). */
  precision: finiteOrNull,
  recall: finiteOrNull,
  f1: finiteOrNull,
  /** Average precision of the scores against the labels (needs both classes). */
  auprc: finiteOrNull,
  /** Share of labelled predictions that are fraud: the AUPRC of a random model. */
  prevalence: finiteOrNull,
});

export type ColumnStats = z.infer<typeof columnStatsSchema>;
export type FeatureDrift = z.infer<typeof featureDriftSchema>;
export type DriftReport = z.infer<typeof driftReportSchema>;
export type QualityReport = z.infer<typeof qualityReportSchema>;
