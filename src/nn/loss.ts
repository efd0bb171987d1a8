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
 * @throws CardwatchError INVALID_INPUT when `bce` gets outputs outside [0, 1] (no final sigmoid).
 */
export function lossSum(
  kind: LossKind,
  fromLogits: boolean,
  output: Vec,
  target: Vec,
  n: number,
  grad: Vec | null,
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
  if (fromLogits) {
    for (let i = 0; i < n; i++) {
      const z = output[i]!;
      const t = target[i]!;
      sum += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
      if (grad !== null) grad[i] = 1 / (1 + Math.exp(-z)) - t;
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
    sum -= t * logP + (1 - t) * log1mP;
    if (grad !== null) grad[i] = (p - t) / Math.max(p * (1 - p), BCE_GRAD_EPSILON);
  }
  return sum;
}
