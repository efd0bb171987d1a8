/**
 * How closely a variant's scores follow the reference scores on the same rows. Quantization moves every score a
 * little, so the int8 check is about what a fraud scorer needs: the ORDER of the rows (rank correlation) and the
 * flag decisions at the bundle's threshold, with the size of the moves reported alongside.
 */
import { averagePrecision, rocAuc } from '../evaluate/metrics.js';

/** Floor of the relative-difference denominator, so a reference score of exactly 0 cannot divide by zero. */
const REL_FLOOR = 1e-12;

export interface ScoreAgreement {
  readonly rows: number;
  readonly max_abs_diff: number;
  readonly mean_abs_diff: number;
  /** |candidate − reference| / max(|reference|, 1e-12), largest and mean over the rows. */
  readonly max_rel_diff: number;
  readonly mean_rel_diff: number;
  /** Spearman rank correlation (ties get their average rank). */
  readonly rank_correlation: number;
  /** Fraction of rows flagged identically (score > threshold) by both. */
  readonly flag_agreement: number;
}

/**
 * Compares `candidate` with `reference` scores of the same rows. Both must be finite (callers check first).
 *
 * @example
 * compareScores(Float32Array.of(0.1, 0.5, 0.9), Float32Array.of(0.11, 0.5, 0.8), 0.6)
 * // → { rows: 3, max_abs_diff: ≈0.1, rank_correlation: 1, flag_agreement: 1, … }
 */
export function compareScores(
  reference: Float32Array,
  candidate: Float32Array,
  threshold: number,
): ScoreAgreement {
  const rows = reference.length;
  let maxAbs = 0;
  let sumAbs = 0;
  let maxRel = 0;
  let sumRel = 0;
  let agree = 0;
  for (let r = 0; r < rows; r++) {
    const ref = reference[r] as number;
    const cand = candidate[r] as number;
    const abs = Math.abs(cand - ref);
    const rel = abs / Math.max(Math.abs(ref), REL_FLOOR);
    maxAbs = Math.max(maxAbs, abs);
    sumAbs += abs;
    maxRel = Math.max(maxRel, rel);
    sumRel += rel;
    if (ref > threshold === cand > threshold) agree++;
  }
  return {
    rows,
    max_abs_diff: maxAbs,
    mean_abs_diff: rows === 0 ? 0 : sumAbs / rows,
    max_rel_diff: maxRel,
    mean_rel_diff: rows === 0 ? 0 : sumRel / rows,
    rank_correlation: spearman(reference, candidate),
    flag_agreement: rows === 0 ? 1 : agree / rows,
  };
}

/**
 * Spearman's rank correlation: Pearson's correlation of the average ranks. Fewer than two rows, or two
 * constant sequences, cannot disagree on order → 1; exactly one constant sequence → 0.
 *
 * @example spearman([1, 2, 3], [10, 20, 15]) // 0.5
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length) throw new RangeError(`spearman needs equal lengths, got ${n} and ${b.length}`);
  if (n < 2) return 1;
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const mean = (n + 1) / 2; // both rank vectors sum to n(n+1)/2, ties included
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (ra[i] as number) - mean;
    const db = (rb[i] as number) - mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return saa === sbb ? 1 : 0;
  // Clamped: rounding can push a perfect correlation a hair past 1.
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

/** 1-based ranks, ties sharing the average of the ranks they span. */
function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => (values[i] as number) - (values[j] as number),
  );
  const ranks = new Float64Array(n);
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && values[order[end + 1] as number] === values[order[start] as number]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k] as number] = rank;
    start = end + 1;
  }
  return ranks;
}

export interface RankMetrics {
  readonly roc_auc: number;
  readonly average_precision: number;
}

/** ROC AUC and AUPRC of `scores` against `labels` (1 = fraud); null unless both classes are present. */
export function rankMetrics(scores: Float32Array, labels: ArrayLike<number>): RankMetrics | null {
  let frauds = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) frauds++;
  if (frauds === 0 || frauds === labels.length) return null;
  return { roc_auc: rocAuc(scores, labels), average_precision: averagePrecision(scores, labels) };
}
