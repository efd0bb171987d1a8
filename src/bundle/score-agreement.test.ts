import { describe, expect, it } from 'vitest';
import { compareScores, rankMetrics, spearman } from './score-agreement.js';

describe('spearman', () => {
  it('matches hand-computed values, with average ranks for ties', () => {
    expect(spearman([1, 2, 3], [10, 20, 15])).toBeCloseTo(0.5, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3, 4], [1, 20, 300, 4000])).toBe(1); // any monotone map
    // scipy.stats.spearmanr([1, 2, 2, 3], [1, 3, 2, 4]) → 0.9486832980505138
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(0.9486832980505138, 12);
  });

  it('handles the degenerate cases', () => {
    expect(spearman([], [])).toBe(1);
    expect(spearman([5], [7])).toBe(1);
    expect(spearman([2, 2, 2], [1, 1, 1])).toBe(1);
    expect(spearman([2, 2, 2], [1, 2, 3])).toBe(0);
    expect(() => spearman([1, 2], [1])).toThrow(/equal lengths/);
  });
});

describe('compareScores', () => {
  it('reports absolute and relative moves, rank correlation and flag agreement', () => {
    const reference = Float32Array.of(0.1, 0.5, 0.9, 2);
    const candidate = Float32Array.of(0.1, 0.55, 0.7, 2.2);
    const a = compareScores(reference, candidate, 0.6);
    expect(a.rows).toBe(4);
    expect(a.max_abs_diff).toBeCloseTo(0.2, 6);
    expect(a.mean_abs_diff).toBeCloseTo((0 + 0.05 + 0.2 + 0.2) / 4, 6);
    expect(a.max_rel_diff).toBeCloseTo(0.2 / 0.9, 6);
    expect(a.mean_rel_diff).toBeCloseTo((0 + 0.1 + 0.2 / 0.9 + 0.1) / 4, 6);
    expect(a.rank_correlation).toBe(1);
    expect(a.flag_agreement).toBe(1);
    // 0.5 → 0.65 crosses the threshold: one of four decisions flips.
    expect(compareScores(reference, Float32Array.of(0.1, 0.65, 0.9, 2), 0.6).flag_agreement).toBe(0.75);
  });
});

describe('rankMetrics', () => {
  it('gives ROC AUC and AUPRC, or null without both classes', () => {
    const scores = Float32Array.of(0.1, 0.4, 0.35, 0.8);
    expect(rankMetrics(scores, [0, 0, 1, 1])).toEqual({
      roc_auc: 0.75,
      average_precision: expect.closeTo(0.8333333, 6),
    });
    expect(rankMetrics(scores, [0, 0, 0, 0])).toBeNull();
    expect(rankMetrics(scores, [1, 1, 1, 1])).toBeNull();
  });
});
