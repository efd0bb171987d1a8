/**
 * Probability calibration of a classifier's logit on held-out (validation) rows: Platt scaling,
 * p = σ(a·logit + b). Two parameters are all ~50 validation frauds can support (isotonic regression would
 * overfit them), and the map is monotone, so it changes no ranking metric; it undoes the shift the class
 * weight puts into the logits, so the score reads as a fraud probability. In the ONNX graph it is one Mul, one
 * Add and the Sigmoid.
 */
import { CardwatchError } from '../util/errors.js';

export interface Calibration {
  /** `platt`: fitted on validation rows; `none`: the identity (a = 1, b = 0). */
  readonly method: 'platt' | 'none';
  readonly a: number;
  readonly b: number;
}

export const IDENTITY_CALIBRATION: Calibration = { method: 'none', a: 1, b: 0 };

/** log(1 + e^v) without overflow. */
function softplus(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

/**
 * Fits Platt's a and b by Newton's method with backtracking (Lin, Lin & Weng, "A note on Platt's probabilistic
 * outputs for support vector machines", 2007), on Platt's smoothed targets (N₊+1)/(N₊+2) and 1/(N₋+2), which
 * keep a perfectly separated validation split from driving a to infinity.
 * @throws CardwatchError DATA_INVALID without both classes, INVALID_INPUT for a non-finite logit.
 * @example fitPlatt(Float32Array.of(-2, -1, 1, 2), Uint8Array.of(0, 0, 1, 1)) // { method: 'platt', a ≈ 1.1, b ≈ 0 }
 */
export function fitPlatt(logits: ArrayLike<number>, labels: ArrayLike<number>): Calibration {
  const n = logits.length;
  if (labels.length !== n) {
    throw new CardwatchError('SHAPE_MISMATCH', `${n} logits but ${labels.length} labels`);
  }
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(logits[i]!)) {
      throw new CardwatchError('INVALID_INPUT', `calibration: logit ${i} is ${logits[i]}`);
    }
    if (labels[i] === 1) positives++;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) {
    throw new CardwatchError(
      'DATA_INVALID',
      `calibration needs frauds and normal rows in the validation split (it has ${positives} and ${negatives})`,
    );
  }
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const target = (i: number): number => (labels[i] === 1 ? hi : lo);
  // Negative log-likelihood of σ(a·z + b) against the smoothed targets: Σ softplus(f) − t·f with f = a·z + b.
  const objective = (a: number, b: number): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const f = a * logits[i]! + b;
      sum += softplus(f) - target(i) * f;
    }
    return sum;
  };
  let a = 1;
  // Start from the prior log-odds, as Platt does.
  let b = Math.log((positives + 1) / (negatives + 1));
  let value = objective(a, b);
  const SIGMA = 1e-12;
  for (let iteration = 0; iteration < 100; iteration++) {
    // Gradient and Hessian (the latter with a small ridge so it stays positive definite).
    let h11 = SIGMA;
    let h22 = SIGMA;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const z = logits[i]!;
      const p = 1 / (1 + Math.exp(-(a * z + b)));
      const d1 = p - target(i);
      const d2 = p * (1 - p);
      h11 += z * z * d2;
      h22 += d2;
      h21 += z * d2;
      g1 += z * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < 1e-7 * n && Math.abs(g2) < 1e-7 * n) break;
    const det = h11 * h22 - h21 * h21;
    const da = -(h22 * g1 - h21 * g2) / det;
    const db = -(-h21 * g1 + h11 * g2) / det;
    const descent = g1 * da + g2 * db;
    let step = 1;
    let moved = false;
    while (step >= 1e-10) {
      const next = objective(a + step * da, b + step * db);
      if (next < value + 1e-4 * step * descent) {
        a += step * da;
        b += step * db;
        value = next;
        moved = true;
        break;
      }
      step /= 2;
    }
    if (!moved) break;
  }
  return { method: 'platt', a, b };
}

/**
 * The calibrated probability of a logit, in the graph's float32 steps: fround(fround(z·a) + b), then the
 * sigmoid.
 */
export function calibratedProbability(logit: number, calibration: Calibration): number {
  const f = Math.fround(Math.fround(logit * Math.fround(calibration.a)) + Math.fround(calibration.b));
  return Math.fround(1 / (1 + Math.exp(-f)));
}
