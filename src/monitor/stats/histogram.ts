/**
 * Shared bins for the binned statistics (PSI, Jensen–Shannon) and the report's histograms, as Evidently's
 * `get_binned_data`: `np.histogram_bin_edges(reference ∪ current, bins='sturges')`, then each side's share
 * per bin, with empty bins set to 0.0001 so logarithms stay finite.
 */
import { requireNonEmpty, type SortedSample } from './sample.js';

/** Share given to an empty bin (Evidently's `feel_zeroes`). */
export const EMPTY_BIN_SHARE = 0.0001;

export interface BinnedPair {
  /** bins + 1 ascending edges; the last bin includes its right edge (numpy's convention). */
  readonly edges: Float64Array;
  readonly referenceCounts: Uint32Array;
  readonly currentCounts: Uint32Array;
}

/** Sturges' rule on the combined size: ⌈log2(n) + 1⌉ bins. */
export function sturgesBins(n: number): number {
  return Math.max(1, Math.ceil(Math.log2(n) + 1));
}

/** Counts per bin of a sorted sample, by walking the edges once. */
function countSorted(sorted: Float64Array, edges: Float64Array): Uint32Array {
  const bins = edges.length - 1;
  const counts = new Uint32Array(bins);
  let bin = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    while (bin < bins - 1 && v >= edges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  return counts;
}

/** Equal-width bins over the combined range of both samples, and each side's counts. */
export function binPair(reference: SortedSample, current: SortedSample, bins?: number): BinnedPair {
  requireNonEmpty(reference, current, 'binning');
  const r = reference.sorted;
  const c = current.sorted;
  const n = bins ?? sturgesBins(r.length + c.length);
  let low = Math.min(r[0]!, c[0]!);
  let high = Math.max(r[r.length - 1]!, c[c.length - 1]!);
  // numpy widens a zero-width range to ±0.5 so a constant column still has one proper bin.
  if (low === high) {
    low -= 0.5;
    high += 0.5;
  }
  const edges = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) edges[k] = low + ((high - low) * k) / n;
  edges[n] = high;
  return { edges, referenceCounts: countSorted(r, edges), currentCounts: countSorted(c, edges) };
}

/** Shares per bin, empty bins replaced by {@link EMPTY_BIN_SHARE}. */
export function binShares(counts: Uint32Array): Float64Array {
  let total = 0;
  for (const count of counts) total += count;
  const shares = new Float64Array(counts.length);
  for (let k = 0; k < counts.length; k++) {
    const share = total === 0 ? 0 : counts[k]! / total;
    shares[k] = share === 0 ? EMPTY_BIN_SHARE : share;
  }
  return shares;
}
