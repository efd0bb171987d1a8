/**
 * The first Wasserstein (earth mover's) distance between two 1-D samples, as
 * `scipy.stats.wasserstein_distance(u, v)`: ∫ |F_u(x) − F_v(x)| dx, computed exactly by one merge of the
 * sorted samples (the CDFs are step functions, so the integral is a sum over the merged breakpoints).
 */
import { requireNonEmpty, type SortedSample } from './sample.js';

/** Smallest reference std used to norm the distance, as Evidently: a constant column would divide by 0. */
export const MIN_NORM_STD = 0.001;

/** W1 between two sorted samples. */
export function wassersteinSorted(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let previous = Math.min(a[0]!, b[0]!);
  let total = 0;
  while (i < n || j < m) {
    const x = j >= m || (i < n && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    total += Math.abs(i / n - j / m) * (x - previous);
    previous = x;
    while (i < n && a[i]! <= x) i++;
    while (j < m && b[j]! <= x) j++;
  }
  return total;
}

/**
 * W1 of the samples.
 * @example wassersteinDistance(sortedSample([0, 1, 3]), sortedSample([5, 6, 8])) // 5
 */
export function wassersteinDistance(reference: SortedSample, current: SortedSample): number {
  requireNonEmpty(reference, current, 'the Wasserstein distance');
  return wassersteinSorted(reference.sorted, current.sorted);
}

/**
 * W1 divided by the reference's standard deviation (Evidently's `wasserstein` drift score), so one threshold
 * (0.1 = a tenth of a standard deviation of mass moved) fits every column whatever its units.
 */
export function normedWasserstein(reference: SortedSample, current: SortedSample): number {
  return wassersteinDistance(reference, current) / Math.max(reference.std, MIN_NORM_STD);
}
