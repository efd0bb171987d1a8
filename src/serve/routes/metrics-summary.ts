/**
 * `GET /metrics/summary`: the figures the web app's monitoring page shows, read from this app's own Prometheus
 * registry (so they always agree with `GET /metrics`): request and prediction totals since start, latency
 * percentiles of the scoring routes estimated from the histogram buckets, and the score histogram.
 *
 * Totals, not rates: a rate needs two readings, and the page polls; keeping the server stateless means several
 * open pages never disturb each other's windows.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { ServeMetrics } from '../metrics.js';
import type { ModelProvider } from '../model-provider.js';

export interface MetricsSummaryRoutesOptions {
  readonly metrics: ServeMetrics;
  readonly models: ModelProvider;
}

/** Routes whose requests are scoring traffic (the rest is health checks, docs and this page's own polling). */
export const SCORING_ROUTES: readonly string[] = ['/predict', '/predict/batch'];

const bucketSchema = z.object({
  le: z.number().nullable().describe('Upper bound of the bucket; null = +Inf'),
  count: z.int().describe('Observations in this bucket alone (not cumulative)'),
});

export const metricsSummarySchema = z.object({
  collected_at: z.string().describe('When these figures were read (ISO 8601, UTC)'),
  uptime_seconds: z.number().describe('Seconds since this app started'),
  model: z.object({ version: z.string(), threshold: z.number() }).nullable(),
  requests: z.object({
    total: z.int().describe('Every answered request, any route'),
    scoring: z.int().describe('Requests to POST /predict and POST /predict/batch'),
    scoring_errors: z.int().describe('Scoring requests answered with a 4xx or 5xx status'),
    by_route: z.array(
      z.object({ method: z.string(), route: z.string(), status_code: z.string(), count: z.int() }),
    ),
  }),
  latency_ms: z
    .object({
      count: z.int(),
      p50: z.number().nullable(),
      p90: z.number().nullable(),
      p99: z.number().nullable(),
    })
    .describe('Scoring routes, estimated from histogram buckets (linear within a bucket); null without data'),
  predictions: z.object({
    total: z.int(),
    fraud: z.int().describe('Predictions above the threshold (alerts)'),
    legit: z.int(),
  }),
  scores: z.object({
    count: z.int(),
    buckets: z.array(bucketSchema).describe('Histogram of logged scores, every engine together'),
  }),
});
export type MetricsSummary = z.infer<typeof metricsSummarySchema>;

/** Histogram values carry the series name (`…_bucket`, `…_sum`, `…_count`); prom-client does not export that type. */
type Values = (MetricValue<string> & { metricName?: string })[];

async function valuesOf(metrics: ServeMetrics, name: string): Promise<Values> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) return [];
  const read = (await metric.get()) as MetricObjectWithValues<MetricValue<string>>;
  return read.values as Values;
}

/** Cumulative `_bucket` values summed over label sets, by upper bound (Infinity for +Inf), ascending. */
export function cumulativeBuckets(values: Values, keep: (labels: MetricValue<string>['labels']) => boolean) {
  const byBound = new Map<number, number>();
  for (const value of values) {
    if (!value.metricName?.endsWith('_bucket') || !keep(value.labels)) continue;
    const le = value.labels.le;
    const bound = le === '+Inf' ? Infinity : Number(le);
    byBound.set(bound, (byBound.get(bound) ?? 0) + value.value);
  }
  return [...byBound.entries()].sort(([a], [b]) => a - b).map(([le, count]) => ({ le, count }));
}

/**
 * The q-quantile of a cumulative histogram, interpolating linearly inside the bucket it falls in (Prometheus'
 * `histogram_quantile`); in the +Inf bucket it is the last finite bound. Null when the histogram is empty.
 * @example quantileFromBuckets([{ le: 1, count: 5 }, { le: 2, count: 10 }, { le: Infinity, count: 10 }], 0.75) // 1.5
 */
export function quantileFromBuckets(
  buckets: readonly { le: number; count: number }[],
  q: number,
): number | null {
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const { le, count } of buckets) {
    if (count >= rank) {
      if (le === Infinity) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket === 0 ? le : lowerBound + ((le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}

function sum(values: Values, keep: (labels: MetricValue<string>['labels']) => boolean): number {
  return values.reduce((total, value) => (keep(value.labels) ? total + value.value : total), 0);
}

/** Reads the registry into the summary. */
export async function summarizeMetrics(
  metrics: ServeMetrics,
  models: ModelProvider,
  startedAt: number,
): Promise<MetricsSummary> {
  const [requests, durations, predictions, scores] = await Promise.all([
    valuesOf(metrics, 'cardwatch_http_requests_total'),
    valuesOf(metrics, 'cardwatch_http_request_duration_seconds'),
    valuesOf(metrics, 'cardwatch_predictions_total'),
    valuesOf(metrics, 'cardwatch_prediction_score'),
  ]);
  const isScoring = (labels: MetricValue<string>['labels']): boolean =>
    SCORING_ROUTES.includes(String(labels.route));
  const latency = cumulativeBuckets(durations, isScoring);
  const toMs = (seconds: number | null): number | null =>
    seconds === null ? null : Number((seconds * 1000).toFixed(3));
  const scoreBuckets = cumulativeBuckets(scores, () => true);
  const scorer = models.current();
  return {
    collected_at: new Date().toISOString(),
    uptime_seconds: Number(((Date.now() - startedAt) / 1000).toFixed(3)),
    model: scorer === null ? null : { version: scorer.manifest.id, threshold: scorer.threshold },
    requests: {
      total: sum(requests, () => true),
      scoring: sum(requests, isScoring),
      scoring_errors: sum(requests, (labels) => isScoring(labels) && Number(labels.status_code) >= 400),
      by_route: requests.map((value) => ({
        method: String(value.labels.method),
        route: String(value.labels.route),
        status_code: String(value.labels.status_code),
        count: value.value,
      })),
    },
    latency_ms: {
      count: latency.at(-1)?.count ?? 0,
      p50: toMs(quantileFromBuckets(latency, 0.5)),
      p90: toMs(quantileFromBuckets(latency, 0.9)),
      p99: toMs(quantileFromBuckets(latency, 0.99)),
    },
    predictions: {
      total: sum(predictions, () => true),
      fraud: sum(predictions, (labels) => labels.decision === 'fraud'),
      legit: sum(predictions, (labels) => labels.decision === 'legit'),
    },
    scores: {
      count: scoreBuckets.at(-1)?.count ?? 0,
      buckets: scoreBuckets.map(({ le, count }, i) => ({
        le: le === Infinity ? null : le,
        count: count - (scoreBuckets[i - 1]?.count ?? 0),
      })),
    },
  };
}

/** Registers `GET /metrics/summary`. */
export const metricsSummaryRoutes: FastifyPluginAsyncZod<MetricsSummaryRoutesOptions> =
  async function metricsSummaryRoutes(app, options) {
    const startedAt = Date.now();
    app.get(
      '/metrics/summary',
      {
        schema: {
          summary:
            'The metrics as JSON for the web app: totals, scoring latency percentiles, score histogram',
          tags: ['service'],
          response: { 200: metricsSummarySchema },
        },
      },
      async function metricsSummary() {
        return summarizeMetrics(options.metrics, options.models, startedAt);
      },
    );
  };
