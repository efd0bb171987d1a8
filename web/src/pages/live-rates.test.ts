import { describe, expect, it } from 'vitest';
import type { MetricsSummary } from '../types.js';
import { bucketLabels, pointBetween } from './live-rates.js';

function summary(scoring: number, total: number, fraud: number): MetricsSummary {
  return {
    collected_at: '2026-11-27T00:00:00.000Z',
    uptime_seconds: 10,
    model: null,
    requests: { total: scoring + 3, scoring, scoring_errors: 0, by_route: [] },
    latency_ms: { count: scoring, p50: 1, p90: 2, p99: 5 },
    predictions: { total, fraud, legit: total - fraud },
    scores: {
      count: total,
      buckets: [
        { le: 0.5, count: 1 },
        { le: 1, count: 2 },
        { le: null, count: 3 },
      ],
    },
  };
}

describe('pointBetween', () => {
  it('turns two readings into a request rate and the alert rate of the new predictions', () => {
    const point = pointBetween(
      { t: 100, summary: summary(10, 10, 1) },
      { t: 102, summary: summary(30, 30, 6) },
    );
    expect(point.requestRate).toBe(10);
    expect(point.alertRate).toBe(0.25);
    expect(point.p99).toBe(5);
  });

  it('has no alert rate without new predictions, and never a negative rate (a restarted server)', () => {
    const point = pointBetween(
      { t: 100, summary: summary(50, 50, 5) },
      { t: 102, summary: summary(0, 50, 5) },
    );
    expect(point.requestRate).toBe(0);
    expect(point.alertRate).toBeNull();
  });
});

describe('bucketLabels', () => {
  it('labels each bucket by its upper bound, the last one by the bound before it', () => {
    expect(bucketLabels(summary(0, 0, 0))).toEqual(['≤0.5', '≤1', '>1']);
  });
});
