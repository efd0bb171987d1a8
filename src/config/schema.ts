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
      /** Bundle id or alias served at start and by `POST /admin/reload`. */
      model: z.string().default('production'),
      /** SQLite file of the prediction log (every answered prediction is written there). */
      prediction_log: z.string().min(1).default('data/predictions.sqlite'),
      /** Body limit of every route but the batch one; a `/predict` body is under 1 KB. */
      body_limit_bytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024),
      /** Most rows one `POST /predict/batch` may carry (JSON rows or CSV data lines). */
      batch_max_rows: z.number().int().min(1).max(1_000_000).default(10_000),
      /** Body limit of `POST /predict/batch` (10,000 JSON rows are about 6 MB). */
      batch_body_limit_bytes: z
        .number()
        .int()
        .positive()
        .default(16 * 1024 * 1024),
      /** Explanations per prediction: the features with the largest reconstruction error (0 = none). */
      top_features: z.number().int().min(0).max(30).default(5),
      /** Longest a client may take to send one whole request (slow clients get a 408). */
      request_timeout_ms: z.number().int().min(1).default(30_000),
      /** On SIGTERM/SIGINT, how long in-flight requests may run before their connections are cut. */
      shutdown_timeout_ms: z.number().int().min(0).default(10_000),
      /** Browser origins allowed by CORS, e.g. [https://ops.example.com] or ['*']; empty = CORS off. */
      cors_origins: z.array(z.string().min(1)).default(() => []),
      log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
      /** One log line per request (at info level, so also set log_level: info). */
      log_requests: z.boolean().default(false),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type ThresholdConfig = z.infer<typeof thresholdSchema>;
