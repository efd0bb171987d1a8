/**
 * Ranking and threshold metrics with scikit-learn's definitions, so numbers here can be checked against
 * `roc_auc_score`, `average_precision_score`, `roc_curve` and `precision_recall_curve`.
 * Scores: higher = more suspicious. Labels: 1 = fraud (positive), 0 = normal.
 */
import { CardwatchError } from '../util/errors.js';
import { checkBinaryInputs, rankCounts, requireBothClasses, type RankCounts } from './ranking.js';

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Decreasing; the first is +Infinity (the "flag nothing" point at (0, 0)), as in sklearn >= 1.3. */
  thresholds: number[];
}

export interface PrCurve {
  /** Points ordered by decreasing recall; the last point is (recall 0, precision 1) and has no threshold. */
  precision: number[];
  recall: number[];
  /** Increasing; one fewer than the points. */
  thresholds: number[];
}

export interface Confusion {
  tn: number;
  fp: number;
  fn: number;
  tp: number;
}

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

/** ROC AUC from grouped counts: trapezoids between distinct thresholds (a tie group is one diagonal step). */
export function rocAucFromCounts(counts: RankCounts, what = 'rocAuc'): number {
  requireBothClasses(counts, what);
  const { tps, fps } = counts;
  // Twice the area in count units: integers, so exact until the one final division.
  let doubleArea = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let k = 0; k < tps.length; k++) {
    doubleArea += (fps[k]! - prevFp) * (tps[k]! + prevTp);
    prevTp = tps[k]!;
    prevFp = fps[k]!;
  }
  return doubleArea / (2 * counts.positives * counts.negatives);
}

/** Average precision from grouped counts: Σ (R_k − R_{k−1}) · P_k over distinct thresholds. */
export function averagePrecisionFromCounts(counts: RankCounts, what = 'averagePrecision'): number {
  requireBothClasses(counts, what);
  const { tps, fps } = counts;
  let sum = 0;
  let prevTp = 0;
  for (let k = 0; k < tps.length; k++) {
    const tp = tps[k]!;
    if (tp !== prevTp) sum += (tp - prevTp) * (tp / (tp + fps[k]!));
    prevTp = tp;
  }
  return sum / counts.positives;
}

/**
 * ROC curve points from grouped counts, as sklearn's `roc_curve`. With `dropIntermediate` (sklearn's
 * default) points on a straight segment are dropped; the area is unchanged.
 */
export function rocCurveFromCounts(counts: RankCounts, dropIntermediate = true, what = 'rocCurve'): RocCurve {
  requireBothClasses(counts, what);
  const { tps, fps, thresholds } = counts;
  const n = tps.length;
  const fpr: number[] = [0];
  const tpr: number[] = [0];
  const kept: number[] = [Infinity];
  for (let k = 0; k < n; k++) {
    // sklearn keeps index k when the second difference of fps or tps is non-zero there (a corner).
    if (dropIntermediate && n > 2 && k > 0 && k < n - 1) {
      const secondFp = fps[k + 1]! - 2 * fps[k]! + fps[k - 1]!;
      const secondTp = tps[k + 1]! - 2 * tps[k]! + tps[k - 1]!;
      if (secondFp === 0 && secondTp === 0) continue;
    }
    fpr.push(fps[k]! / counts.negatives);
    tpr.push(tps[k]! / counts.positives);
    kept.push(thresholds[k]!);
  }
  return { fpr, tpr, thresholds: kept };
}

/** Precision–recall points from grouped counts, as sklearn's `precision_recall_curve` (no dropping). */
export function prCurveFromCounts(counts: RankCounts, what = 'prCurve'): PrCurve {
  requireBothClasses(counts, what);
  const { tps, fps, thresholds } = counts;
  const n = tps.length;
  const precision: number[] = new Array<number>(n + 1);
  const recall: number[] = new Array<number>(n + 1);
  const ascending: number[] = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const out = n - 1 - k;
    const flagged = tps[k]! + fps[k]!;
    precision[out] = flagged === 0 ? 0 : tps[k]! / flagged;
    recall[out] = tps[k]! / counts.positives;
    ascending[out] = thresholds[k]!;
  }
  precision[n] = 1;
  recall[n] = 0;
  return { precision, recall, thresholds: ascending };
}

/**
 * Area under the ROC curve, exactly as `sklearn.metrics.roc_auc_score` (tied scores count half, i.e. the
 * Mann–Whitney statistic with average ranks). Throws DATA_INVALID unless both classes are present.
 * @example rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) // 0.75
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  return rocAucFromCounts(rankCounts(scores, labels, 'rocAuc'));
}

/**
 * Average precision (area under the PR curve without interpolation), as `average_precision_score`.
 * Throws DATA_INVALID unless both classes are present.
 * @example averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) // 0.8333…
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  return averagePrecisionFromCounts(rankCounts(scores, labels, 'averagePrecision'));
}

/** ROC curve points, as `sklearn.metrics.roc_curve(y, s, drop_intermediate=True)` by default. */
export function rocCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: { dropIntermediate?: boolean } = {},
): RocCurve {
  return rocCurveFromCounts(rankCounts(scores, labels, 'rocCurve'), options.dropIntermediate ?? true);
}

/** Precision–recall points, as `sklearn.metrics.precision_recall_curve(y, s)`. */
export function prCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): PrCurve {
  return prCurveFromCounts(rankCounts(scores, labels, 'prCurve'));
}

/** Confusion counts of the decision `is_fraud = score > threshold`. */
export function confusionAt(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): Confusion {
  if (Number.isNaN(threshold))
    throw new CardwatchError('INVALID_INPUT', 'confusionAt: the threshold is NaN.');
  checkBinaryInputs(scores, labels, 'confusionAt');
  const confusion: Confusion = { tn: 0, fp: 0, fn: 0, tp: 0 };
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i]! > threshold;
    if (labels[i] === 1) {
      if (flagged) confusion.tp++;
      else confusion.fn++;
    } else if (flagged) confusion.fp++;
    else confusion.tn++;
  }
  return confusion;
}

/** Precision, recall and F1 of a confusion; each is 0 (never NaN) when its denominator is 0. */
export function precisionRecallF1(confusion: Confusion): PrecisionRecallF1 {
  const { tp, fp, fn } = confusion;
  return {
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
  };
}
