/**
 * The Prometheus instruments of one `cardwatch stream` process, in a registry of its own (never prom-client's
 * global one), so several streams in one process (tests) do not clash over metric names.
 *
 * Hot-path cost: nothing per message. The message counters mirror the worker's own totals (`stats()`) and
 * the in-flight gauge its level, both read only when Prometheus scrapes; a batch adds two histogram
 * observations and at most two counter increments on cached label children.
 *
 * Names follow `cardwatch serve` where the meaning is the same (`cardwatch_predictions_total`,
 * `cardwatch_model_info`, `cardwatch_model_validation_alert_rate`), so the alert-rate rules of
 * monitoring/alerts.yml apply to stream workers too; the rest is `cardwatch_stream_*`.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Scorer } from '../bundle/scorer-types.js';
import { registerModelGauges } from '../monitor/model-gauges.js';
import type { Engine } from '../predictions/index.js';
import type { BatchReport, StreamStats } from './stream-worker.js';

/** The `outcome` label of `cardwatch_stream_messages_total`, and the `StreamStats` total each one mirrors. */
export const MESSAGE_OUTCOMES = {
  /** Decision logged for the first time by this process, published, acknowledged. */
  scored: 'decided',
  /** Transaction already logged (a redelivery): its first decision was republished. */
  duplicate: 'duplicates',
  /** Could not be scored (not JSON, schema violation, row the model cannot take): sent to the dead-letter subject. */
  dead_letter: 'deadLettered',
  /** Nak'ed after a failure of the model, the store or NATS: JetStream redelivers it. */
  retried: 'retried',
} as const satisfies Record<string, keyof StreamStats>;

/** Messages per micro-batch: powers of two up to past the largest useful `--batch`. */
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];

/** Batch processing time (seconds): a batch of 256 takes a few ms when all is well, up to the ack wait when not. */
const BATCH_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30];

/** What the scrape-time instruments read: the worker, once it runs (before that, nothing has happened). */
export interface StreamMetricsSource {
  stats(): StreamStats;
  inFlight(): number;
}

export interface StreamMetricsOptions {
  /** The model the stream scores with (fixed for the life of the process). */
  readonly scorer: Scorer;
  /** The worker's totals and in-flight level; null until the worker has started. */
  readonly source: () => StreamMetricsSource | null;
  /** Process metrics (CPU, memory, event-loop lag, GC) via `collectDefaultMetrics`. Default true. */
  readonly processMetrics?: boolean;
}

export interface StreamMetrics {
  readonly registry: Registry;
  /** One settled micro-batch (the worker's `onBatch`). */
  observeBatch(report: BatchReport): void;
  /** The exposition text and its content type. */
  expose(): Promise<{ contentType: string; text: string }>;
}

export function createStreamMetrics(options: StreamMetricsOptions): StreamMetrics {
  const registry = new Registry();
  const registers = [registry];
  const { scorer, source } = options;
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  new Counter({
    name: 'cardwatch_stream_messages_total',
    help:
      'Transaction messages handled, by outcome: scored (decision first logged here), duplicate (redelivery, ' +
      "first decision republished), dead_letter, retried (nak'ed for redelivery)",
    labelNames: ['outcome'] as const,
    registers,
    collect() {
      const stats = source()?.stats();
      // Set from the worker's monotonic totals (reset + inc: prom-client counters have no set()); every
      // outcome is exposed, at 0 too, so rate() and absent() behave from the first scrape.
      this.reset();
      for (const [outcome, key] of Object.entries(MESSAGE_OUTCOMES)) this.inc({ outcome }, stats?.[key] ?? 0);
    },
  });
  new Counter({
    name: 'cardwatch_stream_failed_batches_total',
    help: "Micro-batches (or parts of one) that failed in the model, the store or NATS and were nak'ed",
    registers,
    collect() {
      this.reset();
      this.inc(source()?.stats().failedBatches ?? 0);
    },
  });
  new Gauge({
    name: 'cardwatch_stream_in_flight',
    help: "Messages in micro-batches being processed (received, not yet acknowledged or nak'ed)",
    registers,
    collect() {
      this.set(source()?.inFlight() ?? 0);
    },
  });
  const batchSize = new Histogram({
    name: 'cardwatch_stream_batch_rows',
    help: 'Messages per micro-batch (up to --batch; smaller when the stream keeps up)',
    buckets: BATCH_SIZE_BUCKETS,
    registers,
  });
  const batchSeconds = new Histogram({
    name: 'cardwatch_stream_batch_duration_seconds',
    help: 'Time to process a micro-batch: validate, score, log, publish the decisions, acknowledge',
    buckets: BATCH_SECONDS_BUCKETS,
    registers,
  });
  const predictions = new Counter({
    name: 'cardwatch_predictions_total',
    help: 'Logged predictions (decisions first logged by this process) by decision (fraud / legit) and engine',
    labelNames: ['decision', 'engine'] as const,
    registers,
  });
  registerModelGauges(registers, () => scorer);

  const decisionSeries = new Map<Engine, { fraud: Counter.Internal; legit: Counter.Internal }>();
  function seriesFor(engine: Engine): { fraud: Counter.Internal; legit: Counter.Internal } {
    let series = decisionSeries.get(engine);
    if (series === undefined) {
      series = {
        fraud: predictions.labels({ decision: 'fraud', engine }),
        legit: predictions.labels({ decision: 'legit', engine }),
      };
      // Both verdicts exposed from the first batch, at 0 too, so a fraud ratio is defined from then on.
      series.fraud.inc(0);
      series.legit.inc(0);
      decisionSeries.set(engine, series);
    }
    return series;
  }

  return {
    registry,
    observeBatch(report) {
      batchSize.observe(report.messages);
      batchSeconds.observe(report.seconds);
      if (report.engine === null) return;
      const series = seriesFor(report.engine);
      if (report.fraud > 0) series.fraud.inc(report.fraud);
      if (report.legit > 0) series.legit.inc(report.legit);
    },
    async expose() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
