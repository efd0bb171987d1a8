/**
 * The model bundle manifest: the contract between training (or an import) and everything after it (serve,
 * monitor, web). A bundle is an immutable folder `models/<id>/` holding `manifest.json`, `model.onnx`, from
 * format_version 2 usually `model.int8.onnx`, and for trained bundles the reference sample and example rows.
 * `format_version` tells readers what the folder holds:
 *
 * - 1: `model.onnx` only; always a trained bundle.
 * - 2: adds `source` (`training` | `import`), `variants` (float32 and, when exported, int8 with its measured
 *   agreement with float32) and `parity.reference`. An imported bundle has no run: its `metrics`, `config`,
 *   `data_fingerprint`, `run_id` and data files are null, and `import` says where the network came from.
 *
 * Reading never rejects an older bundle: a manifest without the version-2 fields reads as what every version 1
 * bundle is (a trained bundle with only its float32 variant, checked against the training engine).
 */
import { z } from 'zod';
import { splitMetricsSchema, type SplitMetrics } from '../evaluate/report-schema.js';
import { CardwatchError } from '../util/errors.js';
import { INT8_SCHEMES, type Int8Scheme } from './quantize.js';

export const BUNDLE_FORMAT_VERSION = 2;

/** The engines a bundle can score with, i.e. its model variants. */
export type ScoringEngine = 'float32' | 'int8';
export const SCORING_ENGINES: readonly ScoringEngine[] = ['float32', 'int8'];

/** Export fails when the int8 variant ranks the parity rows worse than this against float32 (Spearman). */
export const MIN_INT8_RANK_CORRELATION = 0.99;

/** A file inside the bundle folder: a bare name, so a manifest can never point outside its folder. */
const bundleFileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a plain file name inside the bundle folder');
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex sha256');

export type { SplitMetrics };

const rankMetricsSchema = z.object({ roc_auc: z.number(), average_precision: z.number() });

const float32VariantSchema = z.object({
  file: bundleFileName,
  /** Size and sha256 of the file; null for a format_version 1 bundle, which did not record them. */
  bytes: z.number().int().positive().nullable(),
  sha256: sha256Hex.nullable(),
});

const int8VariantSchema = z.object({
  file: bundleFileName,
  bytes: z.number().int().positive(),
  sha256: sha256Hex,
  opset: z.number().int(),
  /** How the int8 weights run; `dynamic` scores depend on the batch (see quantize.ts). */
  scheme: z.enum(INT8_SCHEMES as [Int8Scheme, ...Int8Scheme[]]),
  /** True when a row's score does not depend on the other rows scored in the same call. */
  batch_independent: z.boolean(),
  /** Fraction of each layer's smallest-|w| weights zeroed before quantization. */
  prune: z.number().min(0).lt(1),
  /** Fraction of all int8 weight codes that are 0 (pruned or rounded to 0). */
  zero_weight_fraction: z.number().min(0).max(1),
  /** Agreement with the float32 variant's ONNX Runtime scores on the parity rows (score-agreement.ts). */
  rows: z.number().int().positive(),
  max_abs_diff: z.number().min(0),
  mean_abs_diff: z.number().min(0),
  max_rel_diff: z.number().min(0),
  mean_rel_diff: z.number().min(0),
  rank_correlation: z.number().min(-1).max(1),
  /** The bound the export enforced on `rank_correlation`. */
  min_rank_correlation: z.number(),
  flag_agreement: z.number().min(0).max(1),
  /**
   * ROC AUC and AUPRC of both variants on the labelled parity rows; null when the rows had no labels or one
   * class. Parity rows over-sample frauds, so compare the two variants, not these values with `metrics.test`.
   */
  metrics: z
    .object({
      rows: z.number().int().positive(),
      frauds: z.number().int().positive(),
      float32: rankMetricsSchema,
      int8: rankMetricsSchema,
    })
    .nullable(),
});
export type Int8Variant = z.infer<typeof int8VariantSchema>;

const baseShape = {
  format_version: z.number().int().positive(),
  /** Bundle id, also the model version reported by the API (e.g. `ae-20261126-164812-3f9a`). */
  id: z.string().min(1),
  model_type: z.string().min(1),
  created_at: z.iso.datetime(),
  /** Raw input columns of every variant, in order; the scaler is inside the graphs. */
  input_columns: z.array(z.string()).min(1),
  /** The float32 graph; the int8 variant has the same input and output names. */
  onnx: z.object({
    file: bundleFileName,
    input: z.string(),
    /** Output names: `score` [N] and `contributions` [N, F]. */
    score_output: z.string(),
    contributions_output: z.string(),
    opset: z.number().int(),
  }),
  variants: z.object({ float32: float32VariantSchema, int8: int8VariantSchema.optional() }),
  /** Higher score = more suspicious. */
  score: z.object({ name: z.string(), higher_is_riskier: z.literal(true) }),
  git_commit: z.string().nullable(),
  /** sha256 over the bundle's other files (name + content), for integrity checks. */
  content_hash: sha256Hex,
  /**
   * ONNX Runtime's float32 scores vs the reference at export: rows compared and the largest |difference|. The
   * reference is the training engine, or for an import the source network run by ONNX Runtime.
   */
  parity: z.object({
    rows: z.number().int().positive(),
    max_abs_diff: z.number().min(0),
    reference: z.enum(['training_engine', 'source_onnx']),
  }),
};

const trainingManifestSchema = z.object({
  ...baseShape,
  source: z.literal('training'),
  threshold: z.object({
    value: z.number(),
    /** How it was chosen, e.g. `normal_percentile(95) on validation`. */
    strategy: z.string(),
    chosen_on: z.literal('validation'),
  }),
  metrics: z.object({ validation: splitMetricsSchema, test: splitMetricsSchema }),
  config: z.record(z.string(), z.unknown()),
  data_fingerprint: z.string(),
  run_id: z.string(),
  files: z.object({ reference_sample: bundleFileName, examples: bundleFileName }),
});

const importManifestSchema = z.object({
  ...baseShape,
  source: z.literal('import'),
  threshold: z.object({
    value: z.number(),
    strategy: z.string(),
    /** Given by whoever imported the model; cardwatch had no validation data to choose it on. */
    chosen_on: z.literal('user'),
  }),
  metrics: z.null(),
  config: z.null(),
  data_fingerprint: z.null(),
  run_id: z.null(),
  /** No training data came with the network, so there is nothing to monitor drift against or show. */
  files: z.object({ reference_sample: z.null(), examples: z.null() }),
  import: z.object({
    /** The files as named at import (base names) and their sha256. */
    onnx_file: z.string(),
    onnx_sha256: sha256Hex,
    scaler_file: z.string(),
    scaler_sha256: sha256Hex,
    /** The source network's input and output names and its layers (`28→32 relu`, …). */
    source_input: z.string(),
    source_output: z.string(),
    layers: z.array(z.string()).min(1),
  }),
});

/** Fills the version-2 fields a manifest lacks with what a version 1 bundle means (see the file comment). */
function withVersion1Defaults(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = { ...value };
  if (!('source' in out)) out.source = 'training';
  if (!('variants' in out) && isRecord(out.onnx) && typeof out.onnx.file === 'string') {
    out.variants = { float32: { file: out.onnx.file, bytes: null, sha256: null } };
  }
  if (isRecord(out.parity) && !('reference' in out.parity)) {
    out.parity = { ...out.parity, reference: 'training_engine' };
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const manifestSchema = z.preprocess(
  withVersion1Defaults,
  z
    .discriminatedUnion('source', [trainingManifestSchema, importManifestSchema])
    .superRefine((manifest, ctx) => {
      if (manifest.variants.float32.file !== manifest.onnx.file) {
        ctx.addIssue({
          code: 'custom',
          path: ['variants', 'float32', 'file'],
          message: `must name the same file as onnx.file (${manifest.onnx.file})`,
        });
      }
      const int8 = manifest.variants.int8;
      if (int8 !== undefined && int8.file === manifest.onnx.file) {
        ctx.addIssue({
          code: 'custom',
          path: ['variants', 'int8', 'file'],
          message: 'must differ from the float32 file',
        });
      }
    }),
);
export type BundleManifest = z.infer<typeof manifestSchema>;
export type TrainedBundleManifest = Extract<BundleManifest, { source: 'training' }>;
export type ImportedBundleManifest = Extract<BundleManifest, { source: 'import' }>;

/** The engines a bundle can score with: float32 always, int8 when the bundle has that variant. */
export function bundleEngines(manifest: BundleManifest): ScoringEngine[] {
  return manifest.variants.int8 === undefined ? ['float32'] : ['float32', 'int8'];
}

/** The model file of `engine`, or null when the bundle has no such variant. */
export function variantFile(manifest: BundleManifest, engine: ScoringEngine): string | null {
  return engine === 'float32' ? manifest.onnx.file : (manifest.variants.int8?.file ?? null);
}

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
