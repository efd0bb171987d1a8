import { describe, expect, it } from 'vitest';
import { Prng } from '../util/prng.js';
import { downsampleCurve, downsampleIndices } from './downsample.js';
import { prCurve, rocAuc, rocCurve } from './metrics.js';

function bigRandom(n: number) {
  const prng = new Prng(11);
  const scores = new Float32Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = prng.next() < 0.05 ? 1 : 0;
    scores[i] = prng.normal() + labels[i]! * 1.5;
  }
  return { scores, labels };
}

describe('downsampleIndices', () => {
  it('keeps short curves whole', () => {
    expect(downsampleIndices([0, 0.5, 1], [0, 0.5, 1], 10)).toEqual([0, 1, 2]);
  });

  it('keeps the corner before a long straight run', () => {
    // 10 000 tiny steps up the y axis to (0, 1), then one jump to (1, 1): the corner (index 10 000) must
    // survive or the thinned line would cut diagonally across the square.
    const xs = [...Array.from({ length: 10001 }, () => 0), 1];
    const ys = [...Array.from({ length: 10001 }, (_, i) => i / 10000), 1];
    const kept = downsampleIndices(xs, ys, 50);
    expect(kept.length).toBeLessThanOrEqual(50);
    expect(kept).toContain(10000);
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(10001);
  });

  it('rejects a silly maxPoints', () => {
    expect(() => downsampleIndices([0], [0], 2)).toThrow(/maxPoints/);
  });
});

describe('downsampleCurve', () => {
  const { scores, labels } = bigRandom(60000);

  it('thins a ROC curve to <= maxPoints without changing its area noticeably', () => {
    const roc = rocCurve(scores, labels);
    expect(roc.fpr.length).toBeGreaterThan(2000);
    const small = downsampleCurve(roc, 500);
    expect(small.fpr.length).toBeLessThanOrEqual(500);
    expect(small.thresholds.length).toBe(small.fpr.length);
    expect(small.thresholds[0]).toBe(Infinity);
    let area = 0;
    for (let i = 1; i < small.fpr.length; i++) {
      area += ((small.fpr[i]! - small.fpr[i - 1]!) * (small.tpr[i]! + small.tpr[i - 1]!)) / 2;
    }
    expect(Math.abs(area - rocAuc(scores, labels))).toBeLessThan(0.002);
  });

  it('keeps PR thresholds aligned and the final threshold-less point', () => {
    const pr = prCurve(scores, labels);
    const small = downsampleCurve(pr, 300);
    expect(small.precision.length).toBeLessThanOrEqual(300);
    expect(small.thresholds.length).toBe(small.precision.length - 1);
    expect(small.recall[small.recall.length - 1]).toBe(0);
    expect(small.precision[small.precision.length - 1]).toBe(1);
    expect(small.recall[0]).toBe(1);
    // Every kept threshold is the original one of the same point.
    const index = new Map(pr.thresholds.map((t, i) => [t, i]));
    small.thresholds.forEach((t, i) => {
      const original = index.get(t)!;
      expect(pr.precision[original]).toBe(small.precision[i]);
    });
  });
});
