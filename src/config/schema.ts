/**
 * The one schema of cardwatch's configuration: types, defaults and validation all come from here.
 * `configs/default.yaml` spells out the same defaults for people to read; a test keeps the two equal.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';

export const KAGGLE_FEATURES = Array.from({ length: 28 }, (_, i) => `V${i + 1}`);
/** Columns a model may take as input (the Kaggle schema without `Class`). */
export const INPUT_COLUMNS = ['Time', ...KAGGLE_FEATURES, 'Amount'] as const;

const featureName = z.enum(INPUT_COLUMNS as unknown as [string, ...string[]]);

const autoencoderSchema = z.strictObject({
  type: z.literal('autoencoder'),
  /** Input columns of the model, in order (raw values; the scaler lives inside the exported graph). */
  features: z
    .array(featureName)
    .min(1)
    .default(() => [...KAGGLE_FEATURES])
    .refine((list) => new Set(list).size === list.length, 'features must not repeat'),
  hidden_dim: z.number().int().positive().default(32),
  latent_dim: z.number().int().positive().default(16),
  dropout: z.number().min(0).lt(1).default(0.1),
});

/** A tagged union: other detectors (classifier, hybrid) join it as further members. */
export const modelSchema = z.discriminatedUnion('type', [autoencoderSchema]);

export const thresholdSchema = z.discriminatedUnion('strategy', [
  z.strictObject({
    strategy: z.literal('normal_percentile'),
    percentile: z.number().gt(0).lt(100).default(95),
  }),
  z.strictObject({ strategy: z.literal('max_f1') }),
  z.strictObject({
    strategy: z.literal('target_precision'),
    precision: z.number().gt(0).max(1).default(0.9),
  }),
]);

export const configSchema = z.strictObject({
  seed: z.number().int().min(0).default(42),
  data: z
    .strictObject({
      /** Where `data generate` writes the built-in synthetic dataset. */
      synthetic_path: z.string().default('data/raw/synthetic.csv'),
      synthetic_rows: z.number().int().positive().default(284807),
      /** Prepared datasets live in `<prepared_dir>/<fingerprint>/`; `current` points at the active one. */
      prepared_dir: z.string().default('data/prepared'),
      split: z.enum(['stratified', 'time']).default('stratified'),
      test_fraction: z.number().gt(0).lt(1).default(0.3),
      val_fraction: z.number().gt(0).lt(1).default(0.15),
    })
    .prefault({}),
  model: modelSchema.prefault({ type: 'autoencoder' }),
  training: z
    .strictObject({
      batch_size: z.number().int().positive().default(1024),
      lr: z.number().positive().default(0.001),
      weight_decay: z.number().min(0).default(1e-5),
      epochs: z.number().int().positive().default(30),
      early_stopping_patience: z.number().int().min(1).default(5),
      /** Data-parallel worker threads; defaults to the core count. */
      workers: z
        .number()
        .int()
        .min(1)
        .default(() => availableParallelism()),
    })
    .prefault({}),
  evaluation: z
    .strictObject({
      threshold: thresholdSchema.prefault({ strategy: 'normal_percentile' }),
    })
    .prefault({}),
  paths: z
    .strictObject({
      runs: z.string().default('runs'),
      models: z.string().default('models'),
    })
    .prefault({}),
  serve: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8000),
      model: z.string().default('production'),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type ThresholdConfig = z.infer<typeof thresholdSchema>;
