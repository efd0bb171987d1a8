/**
 * The model bundle manifest: the contract between training and everything after it (serve, monitor, web).
 * A bundle is an immutable folder `models/<id>/` holding `manifest.json`, `model.onnx`, the reference sample
 * and example rows. `format_version` tells readers what the folder holds.
 */
import { z } from 'zod';

export const BUNDLE_FORMAT_VERSION = 1;

const metricsSchema = z.object({
  roc_auc: z.number(),
  average_precision: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  /** [[tn, fp], [fn, tp]] at the threshold. */
  confusion: z.tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])]),
  rows: z.number().int(),
  frauds: z.number().int(),
});
export type SplitMetrics = z.infer<typeof metricsSchema>;

export const manifestSchema = z.object({
  format_version: z.number().int().positive(),
  /** Bundle id, also the model version reported by the API (e.g. `ae-20261126-164812-3f9a`). */
  id: z.string().min(1),
  model_type: z.string().min(1),
  created_at: z.string(),
  /** Raw input columns of `model.onnx`, in order; the scaler is inside the graph. */
  input_columns: z.array(z.string()).min(1),
  onnx: z.object({
    file: z.string(),
    input: z.string(),
    /** Output names: `score` [N] and `contributions` [N, F]. */
    score_output: z.string(),
    contributions_output: z.string(),
    opset: z.number().int(),
  }),
  threshold: z.object({
    value: z.number(),
    /** How it was chosen, e.g. `normal_percentile(95) on validation`. */
    strategy: z.string(),
    chosen_on: z.literal('validation'),
  }),
  /** Higher score = more suspicious. */
  score: z.object({ name: z.string(), higher_is_riskier: z.literal(true) }),
  metrics: z.object({ validation: metricsSchema, test: metricsSchema }),
  config: z.record(z.string(), z.unknown()),
  data_fingerprint: z.string(),
  run_id: z.string(),
  git_commit: z.string().nullable(),
  /** sha256 over the bundle's other files (name + content), for integrity checks. */
  content_hash: z.string(),
  files: z.object({
    reference_sample: z.string(),
    examples: z.string(),
  }),
  parity: z.object({ rows: z.number().int(), max_abs_diff: z.number() }),
});
export type BundleManifest = z.infer<typeof manifestSchema>;
