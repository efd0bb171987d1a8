/**
 * Each statistic against values computed independently: scipy's documented examples, published tables of
 * the Kolmogorov distribution, and hand calculations written out beside the case.
 */
import { describe, expect, it } from 'vitest';
import { binPair, binShares, EMPTY_BIN_SHARE, sturgesBins } from './histogram.js';
import { jensenShannonDistance } from './jensen-shannon.js';
import { kolmogorovSurvival, ksStatistic, ksTwoSample } from './ks.js';
import { psiFromShares } from './psi.js';
import { driftSeverity, isDrift, statTest } from './registry.js';
import { sortedSample } from './sample.js';
import { normedWasserstein, wassersteinDistance } from './wasserstein.js';

const f64 = (values: number[]) => new Float64Array(values);

describe('kolmogorovSurvival (scipy kstwobign.sf)', () => {
  // scipy.stats.kstwobign.sf(x); the same values are tabulated in DolphinDB's cdfKolmogorov documentation.
  it.each([
    [0.1, 1],
    [0.3, 0.999991],
    [0.5, 0.9639452436648751],
    [0.7, 0.711235],
    [0.9, 0.392731],
    [1, 0.26999967167735456],
    [2, 0.0006709252557796953],
    [3, 3.045996e-8],
  ])('Q(%d) = %d', (x, expected) => {
    expect(kolmogorovSurvival(x)).toBeCloseTo(expected, 6);
    expect(kolmogorovSurvival(x) / expected).toBeCloseTo(1, 5);
  });

  it('is 1 at 0 and the 5% critical value is 1.3581', () => {
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 4);
  });

  it('the two series agree where they meet', () => {
    // Q has slope ≈ −1.07 at 1, so a step of 1e-6 moves it by about 1e-6.
    expect(kolmogorovSurvival(1 - 1e-9)).toBeCloseTo(kolmogorovSurvival(1), 8);
  });
});

describe('two-sample KS', () => {
  it('statistic by hand: [1,2,3] vs [2,3,4,5] → max gap 0.5 at x = 3', () => {
    // F_a(3) = 3/3, F_b(3) = 2/4.
    expect(ksStatistic(f64([1, 2, 3]), f64([2, 3, 4, 5]))).toBeCloseTo(0.5, 12);
  });

  it('ties advance both samples together', () => {
    expect(ksStatistic(f64([1, 1, 2, 2]), f64([1, 2]))).toBe(0);
  });

  it('disjoint samples: D = 1, p = Q(√(16/8))', () => {
    const result = ksTwoSample(sortedSample([1, 2, 3, 4]), sortedSample([5, 6, 7, 8]));
    expect(result.statistic).toBe(1);
    // 2·(e^{-4} − e^{-16} + …) = 0.0366313
    expect(result.pValue).toBeCloseTo(0.0366313, 6);
  });

  it('identical samples are p = 1', () => {
    const s = sortedSample([0.3, 1.2, -4, 7]);
    expect(ksTwoSample(s, s)).toEqual({ statistic: 0, pValue: 1 });
  });

  it('refuses an empty side with a clear error', () => {
    expect(() => ksTwoSample(sortedSample([]), sortedSample([1]))).toThrow(/needs values on both sides/);
  });
});

describe('Wasserstein distance (scipy.stats.wasserstein_distance)', () => {
  it('scipy documentation example: [0, 1, 3] vs [5, 6, 8] = 5', () => {
    expect(wassersteinDistance(sortedSample([0, 1, 3]), sortedSample([5, 6, 8]))).toBeCloseTo(5, 12);
  });

  it('unequal sizes by hand: [0, 1] vs [0] = 0.5 (half the mass moves by 1)', () => {
    expect(wassersteinDistance(sortedSample([0, 1]), sortedSample([0]))).toBeCloseTo(0.5, 12);
  });

  it('a shift by c of the same sample is c, and normed by the std it is c / std', () => {
    const base = [-2, -1, 0, 1, 2];
    const reference = sortedSample(base);
    const current = sortedSample(base.map((v) => v + 0.7));
    expect(wassersteinDistance(reference, current)).toBeCloseTo(0.7, 12);
    expect(normedWasserstein(reference, current)).toBeCloseTo(0.7 / Math.sqrt(2), 12);
  });

  it('unsorted input with NaN (not logged) values: NaN is ignored', () => {
    expect(wassersteinDistance(sortedSample([3, Number.NaN, 0, 1]), sortedSample([8, 5, 6]))).toBeCloseTo(
      5,
      12,
    );
  });
});

describe('bins, PSI and Jensen-Shannon', () => {
  it('Sturges edges as numpy: 0..9 → 5 bins of width 1.8, two values each', () => {
    expect(sturgesBins(10)).toBe(5);
    const pair = binPair(sortedSample([0, 1, 2, 3, 4]), sortedSample([5, 6, 7, 8, 9]));
    expect(Array.from(pair.edges)).toEqual([0, 1.8, 3.6, 5.4, 7.2, 9]);
    // np.histogram([0..4], edges) = [2, 2, 1, 0, 0]; the last bin includes 9.
    expect(Array.from(pair.referenceCounts)).toEqual([2, 2, 1, 0, 0]);
    expect(Array.from(pair.currentCounts)).toEqual([0, 0, 1, 2, 2]);
    expect(binShares(pair.referenceCounts)[4]).toBe(EMPTY_BIN_SHARE);
  });

  it('PSI by hand: [0.5, 0.5] vs [0.25, 0.75] = 0.25·ln 2 + 0.25·ln 1.5', () => {
    expect(psiFromShares(f64([0.5, 0.5]), f64([0.25, 0.75]))).toBeCloseTo(
      0.25 * Math.log(2) + 0.25 * Math.log(1.5),
      12,
    );
    expect(psiFromShares(f64([0.2, 0.8]), f64([0.2, 0.8]))).toBe(0);
  });

  it('Jensen-Shannon distance: scipy documentation examples (natural log)', () => {
    // jensenshannon([1.0, 0.0], [0.5, 0.5]) = 0.46450140402245893
    expect(jensenShannonDistance(f64([1, 0]), f64([0.5, 0.5]))).toBeCloseTo(0.46450140402245893, 12);
    // Disjoint supports: √ln 2 (scipy gives 1.0 with base=2).
    expect(jensenShannonDistance(f64([1, 0, 0]), f64([0, 1, 0]))).toBeCloseTo(Math.sqrt(Math.log(2)), 12);
    // Unnormalised input is normalised first, as scipy does.
    expect(jensenShannonDistance(f64([2, 2]), f64([1, 1]))).toBe(0);
  });
});

describe('the registry', () => {
  it('p-values drift below the threshold, distances above it', () => {
    expect(isDrift(statTest('ks'), 0.01, 0.05)).toBe(true);
    expect(isDrift(statTest('ks'), 0.2, 0.05)).toBe(false);
    expect(isDrift(statTest('wasserstein'), 0.2, 0.1)).toBe(true);
    expect(driftSeverity(statTest('ks'), 0.0025, 0.05)).toBeCloseTo(2, 12);
    expect(driftSeverity(statTest('psi'), 0.3, 0.1)).toBeCloseTo(3, 12);
  });

  it('an unknown test names the known ones', () => {
    expect(() => statTest('chi2')).toThrow(/unknown drift test "chi2"; known tests: ks, wasserstein/);
  });
});
