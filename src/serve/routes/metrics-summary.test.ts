import { afterEach, describe, expect, it } from 'vitest';
import { closeHarnesses, harness, zeros } from '../__fixtures__/harness.js';
import { quantileFromBuckets, type MetricsSummary } from './metrics-summary.js';

afterEach(closeHarnesses);

describe('quantileFromBuckets', () => {
  const buckets = [
    { le: 1, count: 5 },
    { le: 2, count: 10 },
    { le: Infinity, count: 10 },
  ];
  it('interpolates inside the bucket the rank falls in', () => {
    expect(quantileFromBuckets(buckets, 0.75)).toBe(1.5);
    expect(quantileFromBuckets(buckets, 0.5)).toBe(1);
    expect(quantileFromBuckets(buckets, 0.25)).toBe(0.5);
  });
  it('gives the last finite bound in the +Inf bucket, and null without data', () => {
    expect(
      quantileFromBuckets(
        [
          { le: 1, count: 1 },
          { le: Infinity, count: 4 },
        ],
        0.9,
      ),
    ).toBe(1);
    expect(
      quantileFromBuckets(
        [
          { le: 1, count: 0 },
          { le: Infinity, count: 0 },
        ],
        0.5,
      ),
    ).toBeNull();
  });
});

describe('GET /metrics/summary', () => {
  it('counts scoring requests, verdicts and scores, and estimates latency percentiles', async () => {
    // The fake scorer scores the sum of the features: 0 is legit, 10 is above the threshold of 0.75.
    const { app } = await harness({ scorer: { threshold: 0.75 } });
    const predict = (value: number) =>
      app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(27).concat([value]) } });
    for (let i = 0; i < 3; i++) expect((await predict(0)).statusCode).toBe(200);
    expect((await predict(10)).statusCode).toBe(200);
    await app.inject({ method: 'POST', url: '/predict', payload: { features: [1] } }); // 400
    await app.inject({ method: 'GET', url: '/health' });

    const res = await app.inject({ method: 'GET', url: '/metrics/summary' });
    expect(res.statusCode).toBe(200);
    const summary = res.json<MetricsSummary>();
    expect(summary.requests.scoring).toBe(5);
    expect(summary.requests.scoring_errors).toBe(1);
    expect(summary.requests.total).toBeGreaterThanOrEqual(6);
    expect(summary.predictions).toEqual({ total: 4, fraud: 1, legit: 3 });
    expect(summary.scores.count).toBe(4);
    expect(summary.scores.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(4);
    expect(summary.scores.buckets.at(-1)?.le).toBeNull();
    expect(summary.latency_ms.count).toBe(5);
    expect(summary.latency_ms.p50).toBeGreaterThan(0);
    expect(summary.latency_ms.p99).toBeGreaterThanOrEqual(summary.latency_ms.p50 ?? Infinity);
    expect(summary.model?.threshold).toBe(0.75);
  });
});
