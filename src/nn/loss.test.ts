import { describe, expect, it } from 'vitest';
import { isCardwatchError } from '../util/errors.js';
import type { Vec } from './kernels.js';
import { lossSum } from './loss.js';

const f32 = (values: number[]): Vec => Float32Array.from(values);
const allocVec = (length: number): Vec => new Float32Array(length);

describe('lossSum', () => {
  it('MSE: Σ(y−t)² with gradient 2(y−t)', () => {
    const grad = allocVec(2);
    expect(lossSum('mse', false, f32([1, -2]), f32([0, 1]), 2, grad)).toBe(10);
    expect([...grad]).toEqual([2, -6]);
  });

  it('BCE from logits is exact where the naive form overflows', () => {
    // z = 50, t = 0: −log(1 − σ(50)) = 50 + log1p(e^−50) ≈ 50; z = −50, t = 1: likewise 50.
    // z = 0: log 2 whatever t.
    const grad = allocVec(3);
    const sum = lossSum('bce', true, f32([50, -50, 0]), f32([0, 1, 0.5]), 3, grad);
    expect(sum).toBeCloseTo(100 + Math.LN2, 10);
    expect([...grad].map((g) => Number(g.toFixed(6)))).toEqual([1, -1, 0]);
  });

  it('BCE on probabilities clamps each log at −100 like PyTorch', () => {
    // p = 0 with t = 1 and p = 1 with t = 0: both logs are −∞ → clamped → 100 each. p = 0.5: log 2.
    const sum = lossSum('bce', false, f32([0, 1, 0.5]), f32([1, 0, 1]), 3, null);
    expect(sum).toBeCloseTo(200 + Math.LN2, 10);
    const grad = allocVec(1);
    lossSum('bce', false, f32([0.25]), f32([1]), 1, grad);
    // (p − t)/(p(1 − p)) = −0.75/0.1875 = −4
    expect(grad[0]).toBe(-4);
  });

  it('BCE on probabilities rejects outputs outside [0, 1] with a clear message', () => {
    try {
      lossSum('bce', false, f32([1.5]), f32([1]), 1, null);
      expect.unreachable();
    } catch (error) {
      expect(isCardwatchError(error) && error.code).toBe('INVALID_INPUT');
      expect(String(error)).toMatch(
        /needs network outputs in \[0, 1\], got 1.5; end the network with a sigmoid/,
      );
    }
  });
});
