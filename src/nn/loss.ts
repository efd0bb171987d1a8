/**
 * Loss functions as sums over elements (callers divide by the element count: PyTorch's default `mean`
 * reduction). Data-parallel workers return sums so the main thread can add them in a fixed order.
 */
import { CardwatchError } from '../util/errors.js';
import type { LossKind } from './spec.js';
import type { Vec } from './kernels.js';

/** PyTorch's BCELoss clamps each log term at -100 so a saturated output gives a finite loss. */
const BCE_LOG_FLOOR = -100;
/** PyTorch's BCELoss backward divides by max(p(1-p), 1e-12). */
const BCE_GRAD_EPSILON = 1e-12;

/**
 * Σ loss over n elements of `output` against `target`. With `grad`, also writes ∂(Σ loss)/∂output into it.
 * For `bce` with `fromLogits`, `output` holds the logits z of a final sigmoid and the loss is computed in the
 * stable form max(z,0) − z·t + log1p(exp(−|z|)) (PyTorch's BCEWithLogits); `grad` is then w.r.t. z.
 *
 * `posWeight` (BCE only, default 1) multiplies the positive term, as PyTorch's `pos_weight`:
 * −[w·t·log p + (1−t)·log(1−p)]. A rare positive class (0.17% frauds) then weighs as much as w copies of each
 * positive row would, without repeating rows; the sum is still divided by the element count (PyTorch's mean).
 * @throws CardwatchError INVALID_INPUT when `bce` gets outputs outside [0, 1] (no final sigmoid).
 */
export function lossSum(
  kind: LossKind,
  fromLogits: boolean,
  output: Vec,
  target: Vec,
  n: number,
  grad: Vec | null,
  posWeight = 1,
): number {
  let sum = 0;
  if (kind === 'mse') {
    for (let i = 0; i < n; i++) {
      const d = output[i]! - target[i]!;
      sum += d * d;
      if (grad !== null) grad[i] = 2 * d;
    }
    return sum;
  }
  if (fromLogits && posWeight === 1) {
    for (let i = 0; i < n; i++) {
      const z = output[i]!;
      const t = target[i]!;
      sum += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
      if (grad !== null) grad[i] = 1 / (1 + Math.exp(-z)) - t;
    }
    return sum;
  }
  if (fromLogits) {
    // −log σ(z) = softplus(−z) = softplus(z) − z and −log(1 − σ(z)) = softplus(z), with the stable
    // softplus(z) = max(z, 0) + log1p(exp(−|z|)); kept apart from the unweighted loop above so that w = 1
    // stays bit-identical to it.
    for (let i = 0; i < n; i++) {
      const z = output[i]!;
      const t = target[i]!;
      const softplus = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
      const wt = posWeight * t;
      sum += wt * (softplus - z) + (1 - t) * softplus;
      // ∂/∂z = w·t·(σ − 1) + (1 − t)·σ = σ·(w·t + 1 − t) − w·t.
      if (grad !== null) grad[i] = (1 / (1 + Math.exp(-z))) * (wt + 1 - t) - wt;
    }
    return sum;
  }
  for (let i = 0; i < n; i++) {
    const p = output[i]!;
    const t = target[i]!;
    if (!(p >= 0 && p <= 1)) {
      throw new CardwatchError(
        'INVALID_INPUT',
        `binary cross-entropy needs network outputs in [0, 1], got ${p}; end the network with a sigmoid layer`,
      );
    }
    const logP = Math.max(Math.log(p), BCE_LOG_FLOOR);
    const log1mP = Math.max(Math.log(1 - p), BCE_LOG_FLOOR);
    sum -= posWeight * t * logP + (1 - t) * log1mP;
    // ∂/∂p = (−w·t·(1 − p) + (1 − t)·p) / (p(1 − p)); with w = 1 that is (p − t) / (p(1 − p)).
    if (grad !== null) {
      const numerator = posWeight === 1 ? p - t : p * (1 - t) - posWeight * t * (1 - p);
      grad[i] = numerator / Math.max(p * (1 - p), BCE_GRAD_EPSILON);
    }
  }
  return sum;
}
