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

  it('weighted BCE from logits: w·t·softplus(−z) + (1−t)·softplus(z), gradient σ(w·t + 1 − t) − w·t', () => {
    const z = [2, -1, 0.5, 30];
    const t = [1, 0, 1, 0];
    const w = 4;
    const grad = allocVec(4);
    const sum = lossSum('bce', true, f32(z), f32(t), 4, grad, w);
    const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
    let expected = 0;
    z.forEach((zi, i) => {
      const zz = Math.fround(zi);
      const ti = t[i]!;
      // −log σ(z) = log(1 + e^−z) and −log(1 − σ(z)) = log(1 + e^z): exact enough for these logits.
      expected += w * ti * Math.log1p(Math.exp(-zz)) + (1 - ti) * Math.log1p(Math.exp(zz));
      expect(grad[i]).toBeCloseTo(w * ti * (sigmoid(zz) - 1) + (1 - ti) * sigmoid(zz), 6);
    });
    expect(sum).toBeCloseTo(expected, 5);
  });

  it('weight 1 is exactly the unweighted loss and gradient, on both BCE paths', () => {
    const z = f32([1.5, -0.3, 4]);
    const t = f32([1, 0, 0.25]);
    const [g1, g2] = [allocVec(3), allocVec(3)];
    expect(lossSum('bce', true, z, t, 3, g1, 1)).toBe(lossSum('bce', true, z, t, 3, g2));
    expect([...g1]).toEqual([...g2]);
    const p = f32([0.2, 0.7, 0.9]);
    expect(lossSum('bce', false, p, t, 3, g1, 1)).toBe(lossSum('bce', false, p, t, 3, g2));
    expect([...g1]).toEqual([...g2]);
  });

  it('weighted BCE on probabilities weighs only the positive term', () => {
    const grad = allocVec(2);
    // p = 0.25, t = 1, w = 3: −3·log 0.25; gradient −3/p = −12. p = 0.25, t = 0: −log 0.75, 1/(1 − p).
    const sum = lossSum('bce', false, f32([0.25, 0.25]), f32([1, 0]), 2, grad, 3);
    expect(sum).toBeCloseTo(-3 * Math.log(0.25) - Math.log(0.75), 10);
    expect(grad[0]).toBeCloseTo(-12, 5);
    expect(grad[1]).toBeCloseTo(1 / 0.75, 5);
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
