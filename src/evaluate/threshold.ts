/**
 * Turning scores into decisions: pick the threshold of `is_fraud = score > threshold` on VALIDATION data.
 * Choosing it on the test split (the reference system's fault) would make the test metrics optimistic.
 */
import type { ThresholdConfig } from '../config/schema.js';
import { CardwatchError } from '../util/errors.js';
import { checkBinaryInputs, rankCounts, requireBothClasses, type RankCounts } from './ranking.js';

export interface ChosenThreshold {
  value: number;
  /** How it was chosen, e.g. `normal_percentile(95) on validation`. */
  strategy: string;
  /** Set when the configured strategy could not be honoured and a fallback was used. */
  warning?: string;
}

/**
 * `np.percentile(values, p)` with numpy's default ("linear") method, including numpy's two-sided lerp so
 * results match to the last bit. `sorted` must be ascending and non-empty.
 */
export function percentileLinear(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  // numpy divides first: q = p / 100, then (n - 1) * q.
  const position = (n - 1) * (p / 100);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, n - 1);
  const t = position - lower;
  const a = sorted[lower]!;
  const b = sorted[upper]!;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The largest float32 strictly below `value`. Used for a "flag every row" threshold: being a float32 it
 * keeps the same meaning whether `score > t` is evaluated in float32 (ONNX) or float64 (JS).
 */
export function float32Below(value: number): number {
  const rounded = Math.fround(value);
  if (rounded < value) return rounded;
  if (rounded === 0) return -1.401298464324817e-45; // the smallest negative subnormal
  f32[0] = rounded;
  if (rounded > 0) u32[0] = u32[0]! - 1;
  else u32[0] = u32[0]! + 1;
  return f32[0]!;
}

/**
 * The threshold whose decision `score > t` flags exactly the rows with score >= thresholds[k]: the next lower
 * distinct score (itself a validation score, so exact in float32), or just below the minimum for the last cut.
 */
function thresholdForCut(counts: RankCounts, k: number): number {
  const next = counts.thresholds[k + 1];
  return next !== undefined ? next : float32Below(counts.thresholds[k]!);
}

/** Index of the cut with the highest F1; ties go to the higher threshold (fewer alerts). */
function bestF1Cut(counts: RankCounts): { k: number; f1: number } {
  let best = { k: 0, f1: -1 };
  for (let k = 0; k < counts.tps.length; k++) {
    const tp = counts.tps[k]!;
    const f1 = (2 * tp) / (tp + counts.fps[k]! + counts.positives);
    if (f1 > best.f1) best = { k, f1 };
  }
  return best;
}

function formatNumber(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function chooseMaxF1(counts: RankCounts): ChosenThreshold {
  requireBothClasses(counts, 'max_f1 threshold on validation');
  const { k } = bestF1Cut(counts);
  return { value: thresholdForCut(counts, k), strategy: 'max_f1 on validation' };
}

function chooseTargetPrecision(counts: RankCounts, target: number): ChosenThreshold {
  requireBothClasses(counts, 'target_precision threshold on validation');
  // Precision is not monotone in the threshold, so scan every cut and keep the lowest one that qualifies
  // (the largest k, i.e. the most recall).
  let chosen = -1;
  let bestPrecision = 0;
  for (let k = 0; k < counts.tps.length; k++) {
    const precision = counts.tps[k]! / (counts.tps[k]! + counts.fps[k]!);
    if (precision >= target) chosen = k;
    if (precision > bestPrecision) bestPrecision = precision;
  }
  const label = `target_precision(${formatNumber(target)})`;
  if (chosen >= 0) return { value: thresholdForCut(counts, chosen), strategy: `${label} on validation` };
  const fallback = chooseMaxF1(counts);
  return {
    value: fallback.value,
    strategy: `max_f1 on validation (fallback from ${label})`,
    warning:
      `No validation threshold reaches precision ${formatNumber(target)} (the best is ` +
      `${formatNumber(bestPrecision)}); used the max-F1 threshold instead.`,
  };
}

function chooseNormalPercentile(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  percentile: number,
): ChosenThreshold {
  let normals = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 0) normals++;
  if (normals === 0) {
    throw new CardwatchError(
      'DATA_INVALID',
      'normal_percentile threshold: the validation split has no normal (label 0) rows to take a percentile of.',
    );
  }
  const sorted = new Float64Array(normals);
  let j = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 0) sorted[j++] = scores[i]!;
  sorted.sort();
  return {
    value: percentileLinear(sorted, percentile),
    strategy: `normal_percentile(${formatNumber(percentile)}) on validation`,
  };
}

/**
 * Choose the decision threshold from validation scores and labels (never pass test data here).
 *
 * - `normal_percentile(p)`: the p-th percentile (numpy linear) of the normal rows' scores, so about
 *   (100 − p)% of normal traffic is flagged.
 * - `max_f1`: the threshold whose decision set maximises validation F1.
 * - `target_precision(q)`: the lowest threshold with validation precision >= q (the most recall at that
 *   precision); if none reaches q, falls back to `max_f1` and says so in `warning`.
 *
 * @example chooseThreshold({ strategy: 'normal_percentile', percentile: 50 }, [1, 2, 3, 9], [0, 0, 0, 1])
 *   // { value: 2, strategy: 'normal_percentile(50) on validation' }
 */
export function chooseThreshold(
  config: ThresholdConfig,
  valScores: ArrayLike<number>,
  valLabels: ArrayLike<number>,
): ChosenThreshold {
  switch (config.strategy) {
    case 'normal_percentile':
      checkBinaryInputs(valScores, valLabels, 'normal_percentile threshold on validation');
      return chooseNormalPercentile(valScores, valLabels, config.percentile);
    case 'max_f1':
      return chooseMaxF1(rankCounts(valScores, valLabels, 'max_f1 threshold on validation'));
    case 'target_precision':
      return chooseTargetPrecision(
        rankCounts(valScores, valLabels, 'target_precision threshold on validation'),
        config.precision,
      );
  }
}

/** The same choice from counts already computed for the validation split (used by `evaluateSplits`). */
export function chooseThresholdFromCounts(
  config: ThresholdConfig,
  counts: RankCounts,
  valScores: ArrayLike<number>,
  valLabels: ArrayLike<number>,
): ChosenThreshold {
  switch (config.strategy) {
    case 'normal_percentile':
      return chooseNormalPercentile(valScores, valLabels, config.percentile);
    case 'max_f1':
      return chooseMaxF1(counts);
    case 'target_precision':
      return chooseTargetPrecision(counts, config.precision);
  }
}
