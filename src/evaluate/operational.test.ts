import { describe, expect, it } from 'vitest';
import { evaluateSplits } from './evaluate.js';
import { alertBudget, dayOf, fraudAmountCaught, rowsPerDay } from './operational.js';
import { evaluationReportSchema } from './report-schema.js';
import { formatEvaluationSummary } from './summary.js';

const f32 = (values: number[]): Float32Array => Float32Array.from(values);

describe('dayOf / rowsPerDay', () => {
  it('counts days from Time // 86400', () => {
    expect([0, 86_399, 86_400, 172_792].map(dayOf)).toEqual([0, 0, 1, 1]);
    expect([...rowsPerDay([0, 10, 90_000])]).toEqual([
      [0, 2],
      [1, 1],
    ]);
  });
});

describe('alertBudget', () => {
  // Day 0: scores 0.9 F(10), 0.5 N, 0.4 F(5), 0.1 N. Day 1: 0.8 N, 0.7 F(30), 0.2 N.
  const scores = f32([0.9, 0.5, 0.4, 0.1, 0.8, 0.7, 0.2]);
  const labels = Uint8Array.from([1, 0, 1, 0, 0, 1, 0]);
  const amounts = f32([10, 1, 5, 1, 1, 30, 1]);
  const times = f32([0, 100, 200, 300, 90_000, 90_100, 90_200]);

  it('takes the top K scores of each day', () => {
    const one = alertBudget(scores, labels, amounts, times, { perDay: 1 });
    // Day 0 alerts 0.9 (fraud), day 1 alerts 0.8 (normal).
    expect(one).toEqual({
      per_day: 1,
      days: 2,
      alerts: 2,
      frauds_caught: 1,
      precision: 0.5,
      recall: 1 / 3,
      amount_share: 10 / 45,
    });
    const two = alertBudget(scores, labels, amounts, times, { perDay: 2 });
    // Day 0: 0.9 F, 0.5 N; day 1: 0.8 N, 0.7 F.
    expect(two).toMatchObject({ alerts: 4, frauds_caught: 2, precision: 0.5, amount_share: 40 / 45 });
    // A budget larger than a day alerts every row of it.
    expect(alertBudget(scores, labels, amounts, times, { perDay: 10 })).toMatchObject({
      alerts: 7,
      recall: 1,
    });
  });

  it('pro-rates the budget to the share of each day the split holds', () => {
    // The split holds 4 of day 0's 40 rows and 3 of day 1's 10: budgets round(20·0.1) = 2 and round(20·0.3) = 6 → 3.
    const dayRows = new Map([
      [0, 40],
      [1, 10],
    ]);
    expect(alertBudget(scores, labels, amounts, times, { perDay: 20, dayRows })).toMatchObject({
      alerts: 5,
      frauds_caught: 2,
      recall: 2 / 3,
    });
  });

  it('breaks ties by row order, so the result is deterministic', () => {
    const tied = alertBudget(f32([1, 1, 1]), Uint8Array.from([0, 1, 1]), f32([1, 2, 3]), f32([0, 0, 0]), {
      perDay: 1,
    });
    expect(tied.frauds_caught).toBe(0);
  });

  it('refuses a bad budget and mismatched lengths', () => {
    expect(() => alertBudget(scores, labels, amounts, times, { perDay: 0 })).toThrow(/positive integer/);
    expect(() => alertBudget(scores, labels, f32([1]), times, { perDay: 1 })).toThrow(/differ in length/);
  });
});

describe('fraudAmountCaught', () => {
  it('sums the Amount of the frauds flagged at the threshold', () => {
    const out = fraudAmountCaught(
      f32([0.9, 0.2, 0.6, 0.7]),
      Uint8Array.from([1, 1, 0, 1]),
      f32([10, 30, 99, 60]),
      0.5,
    );
    expect(out).toEqual({ total: 100, caught: 70, share: 0.7 });
    expect(fraudAmountCaught(f32([1]), Uint8Array.from([0]), f32([5]), 0).share).toBe(0);
  });
});

describe('the evaluation report with amounts and times', () => {
  const validation = {
    scores: f32([1, 2, 3, 9, 8]),
    labels: Uint8Array.from([0, 0, 0, 1, 1]),
    amounts: f32([5, 5, 5, 100, 50]),
    times: f32([0, 10, 90_000, 20, 90_010]),
  };
  const test = {
    scores: f32([1, 5, 2, 8, 0.5]),
    labels: Uint8Array.from([0, 0, 1, 1, 0]),
    amounts: f32([1, 1, 40, 60, 1]),
    times: f32([0, 1, 2, 90_000, 90_001]),
  };
  const report = evaluateSplits({
    validation,
    test,
    threshold: { strategy: 'normal_percentile', percentile: 50 },
    alertBudget: { perDay: 1 },
  });

  it('adds the alert budget and the fraud amount caught to both splits', () => {
    expect(report.validation.alert_budget).toMatchObject({
      per_day: 1,
      alerts: 2,
      frauds_caught: 2,
      precision: 1,
    });
    // Test at threshold 2: 5 (N), 8 (F, 60) flagged; 2 (F, 40) is not (score > threshold).
    expect(report.test.fraud_amount).toEqual({ total: 100, caught: 60, share: 0.6 });
    expect(evaluationReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });

  it('prints them in the summary', () => {
    const text = formatEvaluationSummary(report);
    expect(text).toMatch(/^precision@1\/day\s+1\.0000\s+0\.5000\s+top 1 scores a day/m);
    expect(text).toMatch(/^fraud amount caught\s+\S+\s+0\.6000/m);
  });

  it('leaves them out without amounts (and reads reports written before them)', () => {
    const plain = evaluateSplits({
      validation: { scores: validation.scores, labels: validation.labels },
      test: { scores: test.scores, labels: test.labels },
      threshold: { strategy: 'max_f1' },
    });
    expect(plain.test.alert_budget).toBeUndefined();
    expect(plain.test.fraud_amount).toBeUndefined();
    expect(formatEvaluationSummary(plain)).not.toContain('/day');
  });
});
