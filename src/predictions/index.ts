/**
 * The durable prediction log of the scoring service (SQLite, WAL, batched writes off the request path),
 * its feedback labels, and the reads used by monitoring and `cardwatch predictions export`.
 *
 * Scaling out: `openPredictionStore(target)` opens the same log behind the `PredictionStore` interface on
 * SQLite (a path) or PostgreSQL (a `postgres://` URL, shared by many `serve`/`stream` processes), with async
 * reads and the stream's idempotent `logDecisions`; see docs/scaling.md.
 *
 * Wiring into src/serve (a sketch; names other than this module's are the service's own):
 * - startup: `const log = openPredictionLog({ path: 'data/predictions.sqlite', onError: (e) =>
 *   app.log.error({ err: e.error, ...e }, 'prediction log') })`; it throws LOG_UNAVAILABLE when the file
 *   cannot be opened or migrated. Build `createFeatureMapper(scorer.inputColumns)` once per loaded model.
 * - POST /predict: `if (!log.hasCapacity()) throw new CardwatchError('LOG_BACKPRESSURE', …)` before scoring;
 *   after scoring, `log.append({ predictionId: newPredictionId(), createdAt, ...split(features), score,
 *   threshold, isFraud, modelVersion, engine: 'float32', latencyMs, transactionId })`, then answer. If
 *   `append` throws, the answer is that error (503): a prediction is never answered without being logged.
 * - POST /predictions/:id/feedback: `await log.recordFeedback(id, label)` (404 PREDICTION_NOT_FOUND).
 * - /ready: `log.healthy() && log.hasCapacity()`. /metrics: gauges collecting `log.queueDepth()` and
 *   `log.queueCapacity()`, counters from `log.stats()` (written, refused, rejected, failedBatches, totalBatchMs).
 * - SIGTERM: `app.close()` waits for in-flight requests; an `onClose` hook then runs `await log.close()`
 *   (flushes everything, rejects with details.unwritten if the database stayed down for closeTimeoutMs).
 */
export {
  openPredictionLog,
  type PredictionLog,
  type PredictionLogEvent,
  type PredictionLogOptions,
  type PredictionLogStats,
} from './prediction-log.js';
export { openPredictionReader, type PredictionLogReader, type PredictionReader } from './reader.js';
export { predictionLogOptionsSchema } from './options.js';
export { newPredictionId, predictionIdTime } from './prediction-id.js';
export { createFeatureMapper, type LoggedFeatures } from './features.js';
export { parseSince } from './parse-since.js';
export { CSV_COLUMNS, type ExportResult } from './csv-export.js';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';
export {
  ENGINES,
  LOGGED_FEATURE_COUNT,
  type Engine,
  type Feedback,
  type FeedbackLabel,
  type PredictionRecord,
  type PredictionRow,
  type TimeRange,
  type TopFeature,
  type WindowQuery,
} from './types.js';
export type { SqlitePredictionLog } from './prediction-log.js';
export {
  openPredictionStore,
  resolveStoreTarget,
  isPostgresTarget,
  STORE_ENV,
  type OpenStoreOptions,
} from './open-store.js';
export type { DecisionLogResult, PredictionStore, StoreKind, StoreReads, StoredDecision } from './store.js';
export { redactUrl } from './postgres/pg-connection.js';
