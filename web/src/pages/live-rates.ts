/**
 * The live figures of the monitoring page from two readings of `GET /metrics/summary`: the server keeps
 * totals, the page turns two of them into rates.
 */
import { num } from '../format.js';
import type { MetricsSummary } from '../types.js';

export interface Reading {
  /** Unix seconds. */
  readonly t: number;
  readonly summary: MetricsSummary;
}

export interface Point {
  readonly t: number;
  readonly requestRate: number;
  readonly alertRate: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

/** Rates between two readings; alert rate = new fraud verdicts / new predictions (null when none). */
export function pointBetween(before: Reading, after: Reading): Point {
  const dt = Math.max(after.t - before.t, 1e-3);
  const predictions = after.summary.predictions.total - before.summary.predictions.total;
  const frauds = after.summary.predictions.fraud - before.summary.predictions.fraud;
  return {
    t: after.t,
    requestRate: Math.max(0, after.summary.requests.scoring - before.summary.requests.scoring) / dt,
    alertRate: predictions > 0 ? frauds / predictions : null,
    p50: after.summary.latency_ms.p50,
    p90: after.summary.latency_ms.p90,
    p99: after.summary.latency_ms.p99,
  };
}

/** Bucket labels of the score histogram: `≤0.5`, …, `>1000` for the +Inf bucket. */
export function bucketLabels(summary: MetricsSummary): string[] {
  return summary.scores.buckets.map((bucket, i) => {
    const previous = summary.scores.buckets[i - 1]?.le;
    if (bucket.le === null) return `>${num(previous ?? 0)}`;
    return `≤${num(bucket.le)}`;
  });
}
