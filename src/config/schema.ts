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

/** The supervised models' default inputs: the PCA components plus the two raw columns they transform. */
export const CLASSIFIER_FEATURES = [...KAGGLE_FEATURES, 'Amount', 'Time'];

function featureList(defaults: readonly string[]) {
  return z
    .array(featureName)
    .min(1)
    .default(() => [...defaults])
    .refine((list) => new Set(list).size === list.length, 'features must not repeat');
}

/** The autoencoder's knobs, shared by the `autoencoder` model and the hybrid's `autoencoder` block. */
const autoencoderShape = {
  /** Input columns of the model, in order (raw values; the scaler lives inside the exported graph). */
  features: featureList(KAGGLE_FEATURES),
  hidden_dim: z.number().int().positive().default(32),
  latent_dim: z.number().int().positive().default(16),
  dropout: z.number().min(0).lt(1).default(0.1),
};

const autoencoderSchema = z.strictObject({ type: z.literal('autoencoder'), ...autoencoderShape });

/**
 * The supervised network's knobs, shared by `classifier` and `hybrid`. Defaults are deliberately modest (a
 * small network, some dropout, a moderate class weight): the real data has ~490 frauds, so capacity beyond
 * this mostly buys variance, and the choice is not tuned to the synthetic generator.
 */
const classifierShape = {
  /**
   * Raw input columns, in order. Inside the graph `Amount` becomes log1p(Amount) and `Time` the time of day
   * as sin/cos of (Time mod 86400)/86400·2π; V columns pass as they are. Then the scaler.
   */
  features: featureList(CLASSIFIER_FEATURES),
  /** Widths of the hidden ReLU layers, input side first; the output is one logit. */
  hidden_dims: z
    .array(z.number().int().positive())
    .min(1)
    .max(8)
    .default(() => [32, 16]),
  /** Dropout after each hidden layer (training only). */
  dropout: z.number().min(0).lt(1).default(0.1),
  /**
   * Weight of the fraud term of the binary cross-entropy: a number, `balanced` (normals/frauds of the
   * training rows, ≈ 580 on the Kaggle data) or `sqrt_balanced` (its square root, ≈ 24: enough for the few
   * frauds to steer the gradient without the noisy, over-confident fit full balancing gives). The score is
   * recalibrated on validation data either way.
   */
  pos_weight: z
    .union([z.enum(['balanced', 'sqrt_balanced']), z.number().positive()], {
      error: 'must be a number > 0, balanced or sqrt_balanced',
    })
    .default('sqrt_balanced'),
  /**
   * `platt`: the score is sigmoid(a·logit + b) with a, b fitted on the validation rows, so it is a fraud
   * probability despite the class weight; `none`: sigmoid(logit) of the weighted fit (over-states the odds).
   */
  calibration: z.enum(['platt', 'none']).default('platt'),
};

const classifierSchema = z.strictObject({ type: z.literal('classifier'), ...classifierShape });

const hybridSchema = z
  .strictObject({
    type: z.literal('hybrid'),
    ...classifierShape,
    /** The autoencoder (trained first, on normal training rows) whose log score is an extra classifier input. */
    autoencoder: z.strictObject(autoencoderShape).prefault({}),
  })
  .superRefine((model, ctx) => {
    // The bundle graph has one input: the autoencoder reads its columns from the classifier's.
    const missing = model.autoencoder.features.filter((name) => !model.features.includes(name));
    if (missing.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['features'],
        message: `must include every model.autoencoder.features column (missing ${missing.join(', ')})`,
      });
    }
  });

/** A tagged union on `type`: `autoencoder` (the default, needs no labels), `classifier` and `hybrid`. */
export const modelSchema = z.discriminatedUnion('type', [autoencoderSchema, classifierSchema, hybridSchema]);

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
      /**
       * Daily alert budget K: the report gives precision, recall and fraud amount of the top-K scores of
       * each day (Time // 86400), pro-rated to the share of that day's transactions a split holds.
       */
      alerts_per_day: z.number().int().positive().default(100),
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
      /**
       * The prediction store (every answered prediction is written there): a SQLite file, or a PostgreSQL URL
       * (`postgres://user@host:5432/db`) shared by several serve/stream processes. `--store` and the
       * `CARDWATCH_STORE` environment variable override it.
       */
      prediction_log: z.string().min(1).default('data/predictions.sqlite'),
      /**
       * Replicas: re-read the served model alias this often (ms) and reload when it names another bundle, so a
       * promotion reaches every replica; 0 = off (reload with POST /admin/reload).
       */
      model_watch_ms: z.number().int().min(0).default(0),
      /**
       * SQLite: write the prediction log's batches on a worker thread, off the request thread (~10 µs per
       * prediction). On by default: it raised /predict throughput even on 2 vCPUs shared with the load
       * generator (bench:api, interleaved runs); turn it off on a single-core machine.
       */
      prediction_log_thread: z.boolean().default(true),
      /**
       * Most predictions waiting to be written; past it `/predict` answers 503 (LOG_BACKPRESSURE) rather than
       * drop a record. Exported as cardwatch_prediction_log_queue_capacity (the queue alerts use it).
       */
      prediction_log_queue: z.number().int().min(1).max(10_000_000).default(50_000),
      /**
       * Threads ONNX Runtime uses inside one model run; 0 = its default (one per core). The default suits the
       * service: under load a run holds many requests' rows, and ORT's second thread takes part of it off the
       * request thread (bench:api, interleaved: 14.7k–15.2k req/s with 0 against 11.1k–12.0k with 1). 1 spends
       * less CPU on a lone row (32 against 84 µs: an idle ORT worker spin-waits), e.g. beside other busy processes.
       */
      onnx_threads: z.number().int().min(0).max(256).default(0),
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
  stream: z
    .strictObject({
      /**
       * `cardwatch stream`'s Prometheus endpoint (GET /metrics, GET /health) on this port; 0 = off. Each process
       * needs its own port (`--metrics-port` overrides it).
       */
      metrics_port: z.number().int().min(0).max(65535).default(0),
      /** Interface the stream's metrics endpoint binds (`--metrics-host` overrides it). */
      metrics_host: z.string().min(1).default('127.0.0.1'),
    })
    .prefault({}),
  monitoring: z
    .strictObject({
      /** Where `cardwatch monitor drift` writes drift.json and drift.html (overwritten each run, for cron). */
      reports_dir: z.string().min(1).default('data/monitoring'),
      /** Newest logged predictions compared with the reference (CLI default and the service's schedule). */
      drift_window: z.number().int().min(1).max(1_000_000).default(10_000),
      /** Dataset drift when at least this share of the monitored columns drift. */
      drift_share: z.number().gt(0).max(1).default(0.5),
      /** Reference size up to which the KS test is used; above it, Wasserstein distance (Evidently's rule). */
      ks_max_reference_rows: z.number().int().min(1).default(1000),
      /** Seconds between the service's drift and quality recomputations; 0 = only on request. */
      interval_s: z.number().int().min(0).default(300),
      /** Newest logged predictions over which live quality (precision, recall, AUPRC, alert rate) is computed. */
      quality_window: z.number().int().min(1).max(1_000_000).default(10_000),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type ModelType = ModelConfig['type'];
export type ThresholdConfig = z.infer<typeof thresholdSchema>;
