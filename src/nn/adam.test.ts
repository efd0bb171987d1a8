import { describe, expect, it } from 'vitest';
import { Adam } from './adam.js';

describe('Adam (PyTorch arithmetic, L2 weight decay in the gradient)', () => {
  it('matches two hand-computed steps', () => {
    // w = 1, raw gradient 0.5 both steps, lr 0.1, wd 0.01, betas (0.9, 0.999), eps 1e-8.
    // Step 1: g = 0.5 + 0.01·1 = 0.51; m = 0.051; v = 0.001·0.51² = 2.601e-4;
    //   m̂ = 0.51, sqrt(v̂) = 0.51 → w = 1 − 0.1·0.51/(0.51 + 1e-8) = 0.9000000019607843.
    // Step 2: g = 0.5 + 0.009 = 0.509; m = 0.9·0.051 + 0.1·0.509 = 0.0968;
    //   v = 0.999·2.601e-4 + 0.001·0.509² = 5.189209e-4;
    //   w = 0.9 − (0.1/0.19)·0.0968/(sqrt(5.189209e-4)/sqrt(0.001999) + 1e-8) = 0.8000051680063568.
    const adam = new Adam(1, { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
    const w = new Float32Array([1]);
    adam.update(w, new Float64Array([0.5]));
    expect(w[0]).toBeCloseTo(0.9000000019607843, 6);
    adam.update(w, new Float64Array([0.5]));
    expect(w[0]).toBeCloseTo(0.8000051680063568, 6);
    expect(adam.steps).toBe(2);
  });

  it('is Adam, not AdamW: with a zero gradient, decay enters through the moments', () => {
    // g = wd·w = 0.5 → the first step moves w by lr (sign of g), not by lr·wd·w as AdamW would.
    const adam = new Adam(1, { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.5 });
    const w = new Float32Array([1]);
    adam.update(w, new Float64Array([0]));
    expect(w[0]).toBeCloseTo(0.99, 6);
  });
});
