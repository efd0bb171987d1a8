/**
 * The model bundle manifest: the contract between training and everything after it (serve, monitor, web).
 * A bundle is an immutable folder `models/<id>/` holding `manifest.json`, `model.onnx`, the reference sample
 * and example rows. `format_version` tells readers what the folder holds.
 */
import { z } from 'zod';
import { CardwatchError } from '../util/errors.js';

export const BUNDLE_FORMAT_VERSION = 1;

/** A file inside the bundle folder: a bare name, so a manifest can never point outside its folder. */
const bundleFileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a plain file name inside the bundle folder');

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
  created_at: z.iso.datetime(),
  /** Raw input columns of `model.onnx`, in order; the scaler is inside the graph. */
  input_columns: z.array(z.string()).min(1),
  onnx: z.object({
    file: bundleFileName,
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
  content_hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex sha256'),
  files: z.object({
    reference_sample: bundleFileName,
    examples: bundleFileName,
  }),
  /** ONNX Runtime vs the training engine at export: rows compared and the largest |score difference|. */
  parity: z.object({ rows: z.number().int().positive(), max_abs_diff: z.number().min(0) }),
});
export type BundleManifest = z.infer<typeof manifestSchema>;

/**
 * Validates a parsed `manifest.json`; `source` (the file path) is named in the `MODEL_CORRUPT` error, with every
 * schema problem as `path: message`.
 */
export function parseManifest(value: unknown, source: string): BundleManifest {
  const result = manifestSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new CardwatchError('MODEL_CORRUPT', `${source} is not a valid bundle manifest: ${problems}`);
  }
  if (result.data.format_version > BUNDLE_FORMAT_VERSION) {
    throw new CardwatchError(
      'MODEL_CORRUPT',
      `${source} has format_version ${result.data.format_version}; this cardwatch reads up to ${BUNDLE_FORMAT_VERSION} (upgrade cardwatch)`,
    );
  }
  return result.data;
}
