/**
 * The Prometheus instruments of one app instance. Each app has its own `Registry` (never prom-client's global
 * one), so tests, benchmarks and several apps in one process do not clash over metric names.
 *
 * Request-path cost: label children are looked up once per (method, route, status) and cached, so recording a
 * request is a Map lookup plus two increments. Values owned by other objects (model, log queue) are read only
 * when Prometheus scrapes, through `collect`.
 */
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
} from 'prom-client';
import { scorerEngines } from '../bundle/scorer.js';
import type { PredictionLog, PredictionLogStats } from '../predictions/index.js';
import type { ModelProvider } from './model-provider.js';

/** Label of requests that matched no route: the raw URL would let any client create unbounded series. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Request latency buckets (seconds): the p99 target is 20 ms, so resolution is finest below it. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Score buckets: scores are mean squared errors in standardized units (normal rows ≈ 1, frauds ≫ 1). */
const SCORE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 25, 50, 100, 1000];

export interface ServeMetricsOptions {
  readonly models: ModelProvider;
  readonly predictionLog: PredictionLog | null;
  /** Process metrics (CPU, memory, event-loop lag, GC) via `collectDefaultMetrics`. Default true. */
  readonly processMetrics?: boolean;
}

export interface ServeMetrics {
  readonly registry: Registry;
  /** One answered request; `route` is the route pattern or {@link UNMATCHED_ROUTE}. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
  /** One error reply, by catalogue code. */
  countError(route: string, code: string): void;
  /** One logged prediction. */
  countPrediction(engine: string, isFraud: boolean, score: number): void;
  countReload(result: 'ok' | 'failed'): void;
  /** The exposition text and its content type. */
  expose(): Promise<{ contentType: string; text: string }>;
}

interface RequestSeries {
  readonly requests: Counter.Internal;
  readonly duration: Histogram.Internal<'method' | 'route' | 'status_code'>;
}

interface PredictionSeries {
  readonly predictions: Counter.Internal;
  readonly score: Histogram.Internal<'engine'>;
}

/** A counter mirroring a monotonic total of the prediction log's `stats()`, read at scrape time. */
function logStatCounter(
  registry: Registry,
  log: PredictionLog | null,
  name: string,
  help: string,
  read: (stats: PredictionLogStats) => number,
): void {
  const config: CounterConfiguration<never> = {
    name,
    help,
    registers: [registry],
    collect() {
      if (log === null) return;
      this.reset();
      this.inc(read(log.stats()));
    },
  };
  new Counter(config);
}

/** Creates the registry and every instrument of one app. */
export function createServeMetrics(options: ServeMetricsOptions): ServeMetrics {
  const registry = new Registry();
  const registers = [registry];
  const { models, predictionLog: log } = options;
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'cardwatch_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'cardwatch_http_request_duration_seconds',
    help: 'Time from receiving a request to answering it, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: 'cardwatch_http_errors_total',
    help: 'Error replies by route pattern and cardwatch error code (INVALID_INPUT, LOG_BACKPRESSURE, …)',
    labelNames: ['route', 'code'] as const,
    registers,
  });
  const predictions = new Counter({
    name: 'cardwatch_predictions_total',
    help: 'Logged predictions by decision (fraud / legit) and engine (float32 / int8)',
    labelNames: ['decision', 'engine'] as const,
    registers,
  });
  const scores = new Histogram({
    name: 'cardwatch_prediction_score',
    help: 'Anomaly scores of logged predictions (higher is more suspicious), by engine',
    labelNames: ['engine'] as const,
    buckets: SCORE_BUCKETS,
    registers,
  });
  const reloads = new Counter({
    name: 'cardwatch_model_reloads_total',
    help: 'Model reloads through POST /admin/reload, by result (ok / failed)',
    labelNames: ['result'] as const,
    registers,
  });
  new Gauge({
    name: 'cardwatch_model_info',
    help: 'The model being served (value 1), with its version, engines and threshold as labels',
    labelNames: ['model_version', 'engines', 'threshold'] as const,
    registers,
    collect() {
      this.reset();
      const scorer = models.current();
      if (scorer === null) return;
      this.set(
        {
          model_version: scorer.manifest.id,
          engines: scorerEngines(scorer).join(','),
          threshold: String(scorer.threshold),
        },
        1,
      );
    },
  });
  new Gauge({
    name: 'cardwatch_prediction_log_queue_depth',
    help: 'Predictions waiting to be written to the prediction log',
    registers,
    collect() {
      this.set(log?.queueDepth() ?? 0);
    },
  });
  new Gauge({
    name: 'cardwatch_prediction_log_healthy',
    help: '1 when the last write to the prediction log succeeded, 0 when it is failing or closed',
    registers,
    collect() {
      this.set(log?.healthy() ? 1 : 0);
    },
  });
  logStatCounter(
    registry,
    log,
    'cardwatch_prediction_log_written_total',
    'Predictions committed to the prediction log database',
    (s) => s.written,
  );
  logStatCounter(
    registry,
    log,
    'cardwatch_prediction_log_refused_total',
    'Predictions refused because the prediction log queue was full (answered 503)',
    (s) => s.refused,
  );
  logStatCounter(
    registry,
    log,
    'cardwatch_prediction_log_failed_batches_total',
    'Prediction log write transactions that failed (their records were kept and retried)',
    (s) => s.failedBatches,
  );

  const requestSeries = new Map<string, RequestSeries>();
  const predictionSeries = new Map<string, PredictionSeries>();

  return {
    registry,
    observeRequest(method, route, statusCode, seconds) {
      const key = `${method} ${statusCode} ${route}`;
      let series = requestSeries.get(key);
      if (series === undefined) {
        const labels = { method, route, status_code: String(statusCode) };
        series = { requests: requests.labels(labels), duration: duration.labels(labels) };
        requestSeries.set(key, series);
      }
      series.requests.inc();
      series.duration.observe(seconds);
    },
    countError(route, code) {
      errors.inc({ route, code });
    },
    countPrediction(engine, isFraud, score) {
      const key = isFraud ? `fraud ${engine}` : `legit ${engine}`;
      let series = predictionSeries.get(key);
      if (series === undefined) {
        series = {
          predictions: predictions.labels({ decision: isFraud ? 'fraud' : 'legit', engine }),
          score: scores.labels({ engine }),
        };
        predictionSeries.set(key, series);
      }
      series.predictions.inc();
      // A score beyond the last bucket still counts (+Inf); a non-finite one never reaches here.
      series.score.observe(score);
    },
    countReload(result) {
      reloads.inc({ result });
    },
    async expose() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
