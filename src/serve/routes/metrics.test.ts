import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { predictionLogOptionsSchema } from '../../predictions/index.js';
import { closeHarnesses, harness, postRaw, zeros } from '../__fixtures__/harness.js';

afterEach(closeHarnesses);

/** The value of one series in a Prometheus exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('exposes requests, latency, errors, predictions, scores, model info and the log queue', async () => {
    const { app } = await harness({ withLog: true, scorer: { id: 'ae-metrics', threshold: 0.5 } });
    await app.inject({ method: 'POST', url: '/predict', payload: { features: new Array(28).fill(1) } });
    await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    await postRaw(app, '{"features":[1e999]}');
    await app.inject({ method: 'GET', url: `/random-${Math.random()}` });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(
      sample(text, 'cardwatch_http_requests_total{method="POST",route="/predict",status_code="200"}'),
    ).toBe(3);
    expect(
      sample(text, 'cardwatch_http_requests_total{method="POST",route="/predict",status_code="400"}'),
    ).toBe(1);
    // Unknown URLs share one label value: a client cannot create series at will.
    expect(
      sample(text, 'cardwatch_http_requests_total{method="GET",route="unmatched",status_code="404"}'),
    ).toBe(1);
    expect(text).not.toContain('random-');
    expect(
      sample(
        text,
        'cardwatch_http_request_duration_seconds_count{method="POST",route="/predict",status_code="200"}',
      ),
    ).toBe(3);
    expect(sample(text, 'cardwatch_http_errors_total{route="/predict",code="INVALID_INPUT"}')).toBe(1);
    expect(sample(text, 'cardwatch_http_errors_total{route="unmatched",code="ROUTE_NOT_FOUND"}')).toBe(1);
    expect(sample(text, 'cardwatch_predictions_total{decision="fraud",engine="float32"}')).toBe(1);
    expect(sample(text, 'cardwatch_predictions_total{decision="legit",engine="float32"}')).toBe(2);
    expect(sample(text, 'cardwatch_prediction_score_bucket{le="0.05",engine="float32"}')).toBe(2);
    expect(sample(text, 'cardwatch_prediction_score_count{engine="float32"}')).toBe(3);
    expect(
      sample(text, 'cardwatch_model_info{model_version="ae-metrics",engines="float32",threshold="0.5"}'),
    ).toBe(1);
    expect(sample(text, 'cardwatch_prediction_log_queue_depth')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'cardwatch_prediction_log_healthy')).toBe(1);
    expect(text).toContain('cardwatch_prediction_log_written_total');
  });

  // monitoring/alerts.yml compares the depth with this bound (CardwatchPredictionLogQueueNearFull at 80%).
  it('counts requests and predictions exactly across scrapes (tallies are added once, at collection)', async () => {
    const { app } = await harness({ scorer: { threshold: 0.5 } });
    const predict = () => app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    const scrape = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const requests = 'cardwatch_http_requests_total{method="POST",route="/predict",status_code="200"}';
    const legit = 'cardwatch_predictions_total{decision="legit",engine="float32"}';
    await predict();
    await predict();
    let text = await scrape();
    expect([sample(text, requests), sample(text, legit)]).toEqual([2, 2]);
    text = await scrape();
    expect([sample(text, requests), sample(text, legit)]).toEqual([2, 2]);
    await predict();
    text = await scrape();
    expect([sample(text, requests), sample(text, legit)]).toEqual([3, 3]);
    await predict();
    const summary = (await app.inject({ method: 'GET', url: '/metrics/summary' })).json<{
      predictions: { total: number; legit: number };
    }>();
    expect(summary.predictions).toMatchObject({ total: 4, legit: 4 });
  });

  it('exposes the prediction log queue bound: the configured maxQueue, else its default', async () => {
    const metrics = async (app: FastifyInstance) =>
      (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const configured = await harness({ withLog: true, logOptions: { maxQueue: 1000 } });
    const capacity = 'cardwatch_prediction_log_queue_capacity';
    expect(sample(await metrics(configured.app), capacity)).toBe(1000);
    expect(configured.log?.queueCapacity()).toBe(1000);

    const defaults = await harness({ withLog: true });
    const defaultMaxQueue = predictionLogOptionsSchema.parse({ path: 'unused' }).maxQueue;
    expect(defaultMaxQueue).toBe(50_000);
    expect(sample(await metrics(defaults.app), capacity)).toBe(defaultMaxQueue);

    // Without a log there is no queue: 0, and the alert's `depth > 0.8 * capacity` (0 > 0) stays quiet.
    const noLog = await harness();
    const text = await metrics(noLog.app);
    expect(sample(text, capacity)).toBe(0);
    expect(sample(text, 'cardwatch_prediction_log_queue_depth')).toBe(0);
  });

  it('adds process metrics when asked, and keeps each app’s registry apart', async () => {
    const a = await harness({ app: { processMetrics: true } });
    const b = await harness({ app: { processMetrics: true } });
    await a.app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    const textA = (await a.app.inject({ method: 'GET', url: '/metrics' })).body;
    const textB = (await b.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(textA).toContain('process_cpu_user_seconds_total');
    expect(textA).toContain('nodejs_eventloop_lag_seconds');
    expect(sample(textA, 'cardwatch_predictions_total{decision="legit",engine="float32"}')).toBe(1);
    expect(sample(textB, 'cardwatch_predictions_total{decision="legit",engine="float32"}')).toBeUndefined();
  });
});
