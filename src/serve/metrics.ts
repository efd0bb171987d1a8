/**
 * The Prometheus instruments of one app instance. Each app has its own `Registry` (never prom-client's global
 * one), so tests, benchmarks and several apps in one process do not clash over metric names.
 *
 * Request-path cost: label children are looked up once per (method, route, status) and cached, so recording a
 * request is a Map lookup, an increment and a histogram tally (tallied-histogram.ts). Values owned by other objects (model, log queue) are read only
 * when Prometheus scrapes, through `collect`.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry, type CounterConfiguration } from 'prom-client';
import { registerModelGauges } from '../monitor/model-gauges.js';
import type { DriftReport, QualityReport } from '../monitor/report-schema.js';
import type { PredictionLog, PredictionLogStats } from '../predictions/index.js';
import type { ModelProvider } from './model-provider.js';
import { TalliedHistogram, type HistogramTally } from './tallied-histogram.js';

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
  /** The latest scheduled drift report (gauges cardwatch_drift_*, cardwatch_dataset_drift, cardwatch_feature_drift*). */
  observeDrift(report: DriftReport): void;
  /** The latest scheduled quality report (gauges cardwatch_quality_*, cardwatch_alert_rate). */
  observeQuality(report: QualityReport): void;
  /** The exposition text and its content type. */
  expose(): Promise<{ contentType: string; text: string }>;
}

/**
 * The hot counters (one increment per request and per prediction) are tallied in plain numbers and added to
 * prom-client when it collects, at scrape time: its `inc` validates and hashes the labels on every call, which
 * measured ~1.5 % of the request thread under load. Scrapes see exact totals all the same.
 */
interface RequestSeries {
  readonly requests: Counter.Internal;
  readonly duration: HistogramTally;
  /** Requests answered since the last collection. */
  pending: number;
}

interface PredictionSeries {
  readonly predictions: Counter.Internal;
  readonly score: HistogramTally;
  /** Predictions since the last collection. */
  pending: number;
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

/** NaN for a metric the window could not define: Prometheus keeps the series, and no comparison fires on it. */
function orNaN(value: number | null): number {
  return value ?? Number.NaN;
}

/** The gauges set from monitoring reports (drift and live quality), updated when a scheduled run finishes. */
function createMonitoringGauges(
  registers: Registry[],
): Pick<ServeMetrics, 'observeDrift' | 'observeQuality'> {
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers });
  const driftShare = gauge(
    'cardwatch_drift_share',
    'Share of monitored columns (features and score) that drift',
  );
  const datasetDrift = gauge(
    'cardwatch_dataset_drift',
    '1 when the drift share reaches the dataset threshold',
  );
  const driftedColumns = gauge('cardwatch_drift_columns_drifted', 'Monitored columns that drift');
  const driftRows = gauge('cardwatch_drift_window_rows', 'Logged predictions in the last drift window');
  const driftTime = gauge('cardwatch_drift_last_run_timestamp_seconds', 'When drift was last computed');
  const featureScore = new Gauge({
    name: 'cardwatch_feature_drift_score',
    help: 'Drift test score per column: a p-value for method ks (drift below threshold), a distance otherwise',
    labelNames: ['feature', 'method'] as const,
    registers,
  });
  const featureDrift = new Gauge({
    name: 'cardwatch_feature_drift',
    help: '1 when the column drifts (its test passed its threshold), per column',
    labelNames: ['feature'] as const,
    registers,
  });
  const precision = gauge(
    'cardwatch_quality_precision',
    'Precision of the decisions on labelled predictions of the quality window (NaN when undefined)',
  );
  const recall = gauge(
    'cardwatch_quality_recall',
    'Recall of the decisions on labelled predictions of the quality window (NaN when undefined)',
  );
  const auprc = gauge(
    'cardwatch_quality_auprc',
    'Average precision of scores vs feedback labels in the quality window (NaN when undefined)',
  );
  const alertRate = gauge('cardwatch_quality_alert_rate', 'Share of the quality window flagged as fraud');
  const labelled = gauge(
    'cardwatch_quality_labelled_predictions',
    'Predictions with a feedback label in the quality window',
  );
  const qualityTime = gauge('cardwatch_quality_last_run_timestamp_seconds', 'When quality was last computed');
  return {
    observeDrift(report) {
      driftShare.set(report.dataset.drift_share);
      datasetDrift.set(report.dataset.drift ? 1 : 0);
      driftedColumns.set(report.dataset.drifted_features);
      driftRows.set(report.current.rows);
      driftTime.set(Date.parse(report.generated_at) / 1000);
      // Columns can change with the model (Amount is logged only for models that take it): start afresh.
      featureScore.reset();
      featureDrift.reset();
      for (const feature of report.features) {
        featureScore.set({ feature: feature.name, method: feature.method }, feature.score);
        featureDrift.set({ feature: feature.name }, feature.drift ? 1 : 0);
      }
    },
    observeQuality(report) {
      precision.set(orNaN(report.precision));
      recall.set(orNaN(report.recall));
      auprc.set(orNaN(report.auprc));
      alertRate.set(orNaN(report.alert_rate));
      labelled.set(report.window.labelled);
      qualityTime.set(Date.parse(report.generated_at) / 1000);
    },
  };
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
    collect() {
      for (const series of requestSeries.values()) {
        series.requests.inc(series.pending);
        series.pending = 0;
      }
    },
  });
  const duration = new TalliedHistogram({
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
    collect() {
      for (const series of predictionSeries.values()) {
        series.predictions.inc(series.pending);
        series.pending = 0;
      }
    },
  });
  const scores = new TalliedHistogram({
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
  registerModelGauges(registers, () => models.current());
  new Gauge({
    name: 'cardwatch_prediction_log_queue_depth',
    help: 'Predictions waiting to be written to the prediction log',
    registers,
    collect() {
      this.set(log?.queueDepth() ?? 0);
    },
  });
  new Gauge({
    name: 'cardwatch_prediction_log_queue_capacity',
    help: 'Most predictions the prediction log queue holds (its maxQueue bound; 0 without a log): at this depth requests are refused',
    registers,
    collect() {
      this.set(log?.queueCapacity() ?? 0);
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

  new Gauge({
    name: 'cardwatch_model_loaded',
    help: '1 when a model is loaded and scoring, 0 when the service answers 503 for want of one',
    registers,
    collect() {
      this.set(models.current() === null ? 0 : 1);
    },
  });
  const monitoring = createMonitoringGauges(registers);

  const requestSeries = new Map<string, RequestSeries>();
  const predictionSeries = new Map<string, PredictionSeries>();

  return {
    registry,
    observeRequest(method, route, statusCode, seconds) {
      const key = `${method} ${statusCode} ${route}`;
      let series = requestSeries.get(key);
      if (series === undefined) {
        const labels = { method, route, status_code: String(statusCode) };
        series = { requests: requests.labels(labels), duration: duration.tally(labels), pending: 0 };
        requestSeries.set(key, series);
      }
      series.pending += 1;
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
          score: scores.tally({ engine }),
          pending: 0,
        };
        predictionSeries.set(key, series);
      }
      series.pending += 1;
      // A score beyond the last bucket still counts (+Inf); a non-finite one never reaches here.
      series.score.observe(score);
    },
    countReload(result) {
      reloads.inc({ result });
    },
    observeDrift: monitoring.observeDrift,
    observeQuality: monitoring.observeQuality,
    async expose() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
