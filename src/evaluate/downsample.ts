/**
 * Thin a curve to a few hundred points for plots and stored reports. A ROC or PR curve over 300k rows has up
 * to 300k points, almost all of them invisible sub-pixel steps.
 */
import { CardwatchError } from '../util/errors.js';
import type { PrCurve, RocCurve } from './metrics.js';

export const DEFAULT_CURVE_POINTS = 500;

/**
 * Indices of at most `maxPoints` points of the polyline (xs[i], ys[i]) that keep its shape: points are taken
 * by arc length, and a point is kept whenever skipping it would leave a gap longer than one step along the
 * curve. So the thinned line never strays more than half a step (≈ 0.4% of the unit square at 500 points)
 * from the original, the corners before and after long straight runs survive, and wiggly parts (the
 * low-recall end of a PR curve) get more points than straight ones. First and last points are always kept.
 */
export function downsampleIndices(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  maxPoints = DEFAULT_CURVE_POINTS,
): number[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 8) {
    throw new CardwatchError('INVALID_INPUT', `maxPoints must be an integer >= 8, got ${maxPoints}.`);
  }
  const n = Math.min(xs.length, ys.length);
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const cumulative = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const dx = xs[i]! - xs[i - 1]!;
    const dy = ys[i]! - ys[i - 1]!;
    cumulative[i] = cumulative[i - 1]! + (Number.isFinite(dx + dy) ? Math.hypot(dx, dy) : 0);
  }
  const total = cumulative[n - 1]!;
  if (total === 0) return [0, n - 1];
  // Every two kept interior points advance more than one step, hence at most 2·total/step + 4 points.
  const step = (2 * total) / (maxPoints - 4);
  const kept = [0];
  let last = 0;
  for (let i = 1; i < n - 1; i++) {
    if (cumulative[i + 1]! - cumulative[last]! > step) {
      kept.push(i);
      last = i;
    }
  }
  kept.push(n - 1);
  return kept;
}

function pick(values: readonly number[], indices: readonly number[]): number[] {
  const out: number[] = [];
  for (const i of indices) if (i < values.length) out.push(values[i]!);
  return out;
}

/**
 * A copy of a ROC or PR curve with at most `maxPoints` points (see `downsampleIndices`); thresholds stay
 * aligned with their points (the PR curve's final threshold-less point stays threshold-less).
 */
export function downsampleCurve(curve: RocCurve, maxPoints?: number): RocCurve;
export function downsampleCurve(curve: PrCurve, maxPoints?: number): PrCurve;
export function downsampleCurve(
  curve: RocCurve | PrCurve,
  maxPoints = DEFAULT_CURVE_POINTS,
): RocCurve | PrCurve {
  if ('fpr' in curve) {
    const indices = downsampleIndices(curve.fpr, curve.tpr, maxPoints);
    return {
      fpr: pick(curve.fpr, indices),
      tpr: pick(curve.tpr, indices),
      thresholds: pick(curve.thresholds, indices),
    };
  }
  const indices = downsampleIndices(curve.recall, curve.precision, maxPoints);
  return {
    precision: pick(curve.precision, indices),
    recall: pick(curve.recall, indices),
    thresholds: pick(curve.thresholds, indices),
  };
}
