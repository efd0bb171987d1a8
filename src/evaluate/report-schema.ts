/**
 * The evaluation report as data: what training stores in `runs/<id>/evaluation.json` and copies into the
 * bundle manifest. Types come from these schemas so a stored report can be read back and checked.
 */
import { z } from 'zod';

/** Metrics of one split at the chosen threshold; `bundle/manifest.ts` uses this same shape. */
export const splitMetricsSchema = z.object({
  roc_auc: z.number(),
  average_precision: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  /** [[tn, fp], [fn, tp]] at the threshold. */
  confusion: z.tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])]),
  rows: z.number().int(),
  frauds: z.number().int(),
  /**
   * The top-K scores of each day (K = evaluation.alerts_per_day, pro-rated to the split's share of the day):
   * precision, recall and fraud amount within that budget. Absent in reports written before it existed.
   */
  alert_budget: z
    .object({
      per_day: z.number().int(),
      days: z.number().int(),
      alerts: z.number().int(),
      frauds_caught: z.number().int(),
      precision: z.number(),
      recall: z.number(),
      amount_share: z.number(),
    })
    .optional(),
  /** Fraud `Amount` flagged at the threshold: total, caught and their ratio. Absent in older reports. */
  fraud_amount: z.object({ total: z.number(), caught: z.number(), share: z.number() }).optional(),
});
export type SplitMetrics = z.infer<typeof splitMetricsSchema>;

/** The per-split metrics reports show side by side (run comparisons, reproduction checks), with their labels. */
export const COMPARED_METRICS = [
  ['ROC AUC', 'roc_auc'],
  ['AUPRC', 'average_precision'],
  ['precision', 'precision'],
  ['recall', 'recall'],
  ['F1', 'f1'],
] as const satisfies readonly (readonly [string, keyof SplitMetrics])[];

/** What a model that ranks at random would score on the same split (Evidently's "dummy" metrics idea). */
export const baselineSchema = z.object({
  /** A random ranking's expected AUPRC is the fraud prevalence. */
  prevalence_ap: z.number(),
  /** A random ranking's ROC AUC. */
  roc_auc: z.literal(0.5),
});
export type Baseline = z.infer<typeof baselineSchema>;

/** A downsampled ROC curve; JSON has no Infinity, so the first ("flag nothing") threshold is null. */
export const storedRocCurveSchema = z.object({
  fpr: z.array(z.number()),
  tpr: z.array(z.number()),
  thresholds: z.array(z.number().nullable()),
});
export type StoredRocCurve = z.infer<typeof storedRocCurveSchema>;

/** A downsampled PR curve (sklearn layout: the last point has no threshold). */
export const storedPrCurveSchema = z.object({
  precision: z.array(z.number()),
  recall: z.array(z.number()),
  thresholds: z.array(z.number()),
});
export type StoredPrCurve = z.infer<typeof storedPrCurveSchema>;

const splitCurvesSchema = z.object({ roc: storedRocCurveSchema, pr: storedPrCurveSchema });

export const reportThresholdSchema = z.object({
  value: z.number(),
  /** How it was chosen, e.g. `normal_percentile(95) on validation`. */
  strategy: z.string(),
  chosen_on: z.literal('validation'),
  warning: z.string().optional(),
});

export const evaluationReportSchema = z.object({
  threshold: reportThresholdSchema,
  validation: splitMetricsSchema,
  test: splitMetricsSchema,
  baselines: z.object({ validation: baselineSchema, test: baselineSchema }),
  curves: z.object({ validation: splitCurvesSchema, test: splitCurvesSchema }),
});
export type EvaluationReport = z.infer<typeof evaluationReportSchema>;
