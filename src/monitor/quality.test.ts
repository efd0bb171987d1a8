import { describe, expect, it } from 'vitest';
import type { MonitorWindow } from '../predictions/monitor-queries.js';
import { computeQuality } from './quality.js';

/** A window of n predictions from scores, decisions and labels (-1 = no feedback). */
function window(scores: number[], flagged: number[], labels: number[]): MonitorWindow {
  const n = scores.length;
  return {
    rows: n,
    features: new Float32Array(n * 28),
    amount: new Float64Array(n),
    score: Float64Array.from(scores),
    threshold: new Float64Array(n).fill(0.5),
    isFraud: Uint8Array.from(flagged),
    label: Int8Array.from(labels),
    modelVersion: new Array<string>(n).fill('m'),
    createdAt: new Float64Array(n),
  };
}

describe('computeQuality', () => {
  it('by hand: confusion of the logged decisions on labelled rows, AUPRC of the scores', () => {
    // Labelled: (0.9, flagged, fraud) tp, (0.8, flagged, legit) fp, (0.3, not, fraud) fn, (0.1, not, legit) tn.
    // Unlabelled: (0.7, flagged), (0.2, not). Alert rate 3/6.
    const report = computeQuality({
      window: window([0.9, 0.8, 0.3, 0.1, 0.7, 0.2], [1, 1, 0, 0, 1, 0], [1, 0, 1, 0, -1, -1]),
      limit: 100,
      modelVersion: 'm',
      expectedAlertRate: 0.05,
      now: new Date(0),
    });
    expect(report.alert_rate).toBe(0.5);
    expect(report.window).toEqual({ predictions: 6, labelled: 4, limit: 100 });
    expect(report.labels).toEqual({ fraud: 2, legit: 2 });
    expect(report.precision).toBe(0.5);
    expect(report.recall).toBe(0.5);
    expect(report.f1).toBe(0.5);
    // Ranking 0.9 F, 0.8 L, 0.3 F, 0.1 L: AP = ½·(1/1) + ½·(2/3) = 0.8333 (sklearn average_precision_score).
    expect(report.auprc).toBeCloseTo(5 / 6, 12);
    expect(report.prevalence).toBe(0.5);
    expect(report.expected_alert_rate).toBe(0.05);
  });

  it('undefined metrics are null, not 0: no labels, one class, nothing flagged', () => {
    const none = computeQuality({
      window: window([0.1, 0.2], [0, 0], [-1, -1]),
      limit: 10,
      modelVersion: null,
      expectedAlertRate: null,
    });
    expect(none).toMatchObject({
      alert_rate: 0,
      precision: null,
      recall: null,
      f1: null,
      auprc: null,
      prevalence: null,
    });
    const legitOnly = computeQuality({
      window: window([0.1, 0.9], [0, 1], [0, 0]),
      limit: 10,
      modelVersion: null,
      expectedAlertRate: null,
    });
    expect(legitOnly).toMatchObject({ precision: 0, recall: null, auprc: null, prevalence: 0 });
    const empty = computeQuality({
      window: window([], [], []),
      limit: 10,
      modelVersion: null,
      expectedAlertRate: null,
    });
    expect(empty.alert_rate).toBeNull();
  });
});
