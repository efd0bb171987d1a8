import { describe, expect, it } from 'vitest';
import { confusionAt } from './metrics.js';
import { chooseThreshold, float32Below, percentileLinear } from './threshold.js';

// Six validation rows used by the max_f1 and target_precision cases. Cutting from the top (flag score >= s):
//   s=0.6: tp1 fp0  P=1    F1=2/(1+0+3)=0.5
//   s=0.5: tp2 fp0  P=1    F1=4/(2+0+3)=0.8
//   s=0.4: tp2 fp1  P=2/3  F1=4/6=0.667
//   s=0.3: tp3 fp1  P=3/4  F1=6/7=0.857   <- best F1
//   s=0.2: tp3 fp2  P=3/5  F1=6/8=0.75
//   s=0.1: tp3 fp3  P=1/2  F1=6/9=0.667
// With `score > t`, "flag >= 0.3" is t = 0.2 (the next lower score).
const scores = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
const labels = [0, 0, 1, 0, 1, 1];

describe('percentileLinear (numpy default)', () => {
  it('matches np.percentile values worked by hand', () => {
    // np.percentile([1,2,3,4,5], 95): position 4·0.95 = 3.8 -> 4 + 0.8·(5 − 4) = 4.8
    expect(percentileLinear([1, 2, 3, 4, 5], 95)).toBeCloseTo(4.8, 14);
    expect(percentileLinear([1, 2, 3, 4, 5], 50)).toBe(3);
    // np.percentile([0,10,20,30], 25): position 0.75 -> 0 + 0.75·10 = 7.5
    expect(percentileLinear([0, 10, 20, 30], 25)).toBe(7.5);
    expect(percentileLinear([42], 99)).toBe(42);
  });
});

describe('chooseThreshold', () => {
  it('normal_percentile takes the percentile of the normal rows only', () => {
    // Normals (label 0) are 10, 0, 20, 30 -> sorted [0,10,20,30], 25th percentile 7.5; the frauds
    // (-5 and 1000) must not move it.
    const result = chooseThreshold(
      { strategy: 'normal_percentile', percentile: 25 },
      [10, -5, 0, 20, 1000, 30],
      [0, 1, 0, 0, 1, 0],
    );
    expect(result).toEqual({ value: 7.5, strategy: 'normal_percentile(25) on validation' });
  });

  it('normal_percentile works with no frauds but needs normals', () => {
    expect(
      chooseThreshold({ strategy: 'normal_percentile', percentile: 50 }, [1, 2, 3], [0, 0, 0]).value,
    ).toBe(2);
    expect(() => chooseThreshold({ strategy: 'normal_percentile', percentile: 50 }, [1, 2], [1, 1])).toThrow(
      expect.objectContaining({ code: 'DATA_INVALID', message: expect.stringMatching(/no normal/) }),
    );
  });

  it('max_f1 picks the threshold whose decision set is the best cut', () => {
    const result = chooseThreshold({ strategy: 'max_f1' }, scores, labels);
    expect(result).toEqual({ value: 0.2, strategy: 'max_f1 on validation' });
    expect(confusionAt(scores, labels, result.value)).toEqual({ tn: 2, fp: 1, fn: 0, tp: 3 });
  });

  it('max_f1 can flag every row, with a float32 threshold just below the minimum', () => {
    // [0.5, 0.6, 0.7] / [1, 1, 0]: flag {0.7} F1 0, {0.7, 0.6} F1 0.5, all F1 0.8 -> flag all.
    const result = chooseThreshold({ strategy: 'max_f1' }, [0.5, 0.6, 0.7], [1, 1, 0]);
    expect(result.value).toBeLessThan(0.5);
    expect(result.value).toBeGreaterThan(0.4999);
    expect(Math.fround(result.value)).toBe(result.value);
    expect(confusionAt([0.5, 0.6, 0.7], [1, 1, 0], result.value).tn).toBe(0);
  });

  it('target_precision takes the lowest threshold reaching the target (most recall)', () => {
    // P >= 0.75 holds at s=0.6, 0.5 and 0.3; the lowest is 0.3 -> t = 0.2 (recall 1).
    expect(chooseThreshold({ strategy: 'target_precision', precision: 0.75 }, scores, labels)).toEqual({
      value: 0.2,
      strategy: 'target_precision(0.75) on validation',
    });
    // P >= 0.9 only at s=0.6 and 0.5 -> flag >= 0.5, t = 0.4.
    expect(chooseThreshold({ strategy: 'target_precision', precision: 0.9 }, scores, labels).value).toBe(0.4);
    expect(chooseThreshold({ strategy: 'target_precision', precision: 1 }, scores, labels).value).toBe(0.4);
  });

  it('target_precision keeps tied rows together', () => {
    // [0.2, 0.5, 0.5, 0.9] / [0, 0, 1, 1]: flag {0.9} P=1; flag >= 0.5 takes both tied rows, P=2/3.
    // For 0.7 only the first cut qualifies -> t = 0.5 flags only 0.9.
    const result = chooseThreshold(
      { strategy: 'target_precision', precision: 0.7 },
      [0.2, 0.5, 0.5, 0.9],
      [0, 0, 1, 1],
    );
    expect(result.value).toBe(0.5);
    expect(confusionAt([0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1], result.value)).toEqual({
      tn: 2,
      fp: 0,
      fn: 1,
      tp: 1,
    });
  });

  it('target_precision falls back to max_f1 with a warning when unreachable', () => {
    // [0.9, 0.8, 0.1] / [0, 1, 0]: precisions 0, 1/2, 1/3 never reach 0.6. Max F1: flag {0.9, 0.8}
    // F1 = 2/(1+1+1) = 0.667 -> t = 0.1.
    const result = chooseThreshold(
      { strategy: 'target_precision', precision: 0.6 },
      [0.9, 0.8, 0.1],
      [0, 1, 0],
    );
    expect(result.value).toBe(0.1);
    expect(result.strategy).toBe('max_f1 on validation (fallback from target_precision(0.6))');
    expect(result.warning).toMatch(/No validation threshold reaches precision 0.6 \(the best is 0.5\)/);
  });

  it('max_f1 and target_precision need both classes', () => {
    expect(() => chooseThreshold({ strategy: 'max_f1' }, [1, 2], [0, 0])).toThrow(/no fraud/);
    expect(() => chooseThreshold({ strategy: 'target_precision', precision: 0.9 }, [1, 2], [1, 1])).toThrow(
      /no normal/,
    );
  });

  it('rejects bad validation inputs', () => {
    expect(() =>
      chooseThreshold({ strategy: 'normal_percentile', percentile: 95 }, [1, NaN], [0, 0]),
    ).toThrow(/row 1 is NaN/);
  });
});

describe('float32Below', () => {
  it('returns the next float32 down, for positive, negative, zero and non-float32 inputs', () => {
    expect(float32Below(1)).toBe(1 - 2 ** -24);
    expect(float32Below(-1)).toBe(-(1 + 2 ** -23));
    expect(float32Below(0)).toBeLessThan(0);
    const v = float32Below(0.1);
    expect(v).toBeLessThan(0.1);
    expect(Math.fround(v)).toBe(v);
  });
});
