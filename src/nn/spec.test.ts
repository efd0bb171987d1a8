import { describe, expect, it } from 'vitest';
import { isCardwatchError } from '../util/errors.js';
import type { NetworkSpec } from './index.js';
import { denseViews, initParameters, outputDim, parameterCount } from './index.js';
import { compilePlan } from './spec.js';

/** The reference autoencoder of the project. */
const autoencoder: NetworkSpec = {
  inputDim: 28,
  layers: [
    { kind: 'dense', units: 32 },
    { kind: 'relu' },
    { kind: 'dropout', rate: 0.1 },
    { kind: 'dense', units: 16 },
    { kind: 'relu' },
    { kind: 'dense', units: 32 },
    { kind: 'relu' },
    { kind: 'dense', units: 28 },
  ],
};

function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isCardwatchError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a CardwatchError');
}

describe('network spec', () => {
  it('counts parameters and output width', () => {
    // (28·32+32) + (32·16+16) + (16·32+32) + (32·28+28) = 928 + 528 + 544 + 924
    expect(parameterCount(autoencoder)).toBe(2924);
    expect(outputDim(autoencoder)).toBe(28);
    expect(outputDim({ inputDim: 3, layers: [{ kind: 'dense', units: 1 }, { kind: 'sigmoid' }] })).toBe(1);
  });

  it('fuses an activation into the dense layer it follows, and only that one', () => {
    const plan = compilePlan({
      inputDim: 2,
      layers: [{ kind: 'relu' }, { kind: 'dense', units: 3 }, { kind: 'sigmoid' }, { kind: 'relu' }],
    });
    expect(plan.ops.map((op) => (op.kind === 'dense' ? `dense:${op.activation}` : op.kind))).toEqual([
      'activation',
      'dense:sigmoid',
      'activation',
    ]);
    expect(plan.endsWithSigmoid).toBe(false);
  });

  it.each([
    [
      { inputDim: 0, layers: [{ kind: 'dense', units: 1 }] },
      /spec.inputDim must be a positive integer, got 0/,
    ],
    [{ inputDim: 2, layers: [] }, /at least one dense layer/],
    [{ inputDim: 2, layers: [{ kind: 'dense', units: 1.5 }] }, /spec.layers\[0\] \(dense\).units .* got 1.5/],
    [
      {
        inputDim: 2,
        layers: [
          { kind: 'dense', units: 2 },
          { kind: 'dropout', rate: 1 },
        ],
      },
      /spec.layers\[1\] \(dropout\).rate must be a number in \[0, 1\), got 1/,
    ],
    [{ inputDim: 2, layers: [{ kind: 'tanh' }] }, /spec.layers\[0\].kind must be one of .* got "tanh"/],
  ])('rejects a bad spec: %j', (spec, message) => {
    const error = errorOf(() => parameterCount(spec as unknown as NetworkSpec));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(message);
  });
});

describe('parameters', () => {
  it('draws every weight and bias uniformly within ±1/sqrt(fan_in), reproducibly', () => {
    const params = initParameters(autoencoder, 42);
    expect(params).toEqual(initParameters(autoencoder, 42));
    expect(params).not.toEqual(initParameters(autoencoder, 43));
    for (const view of denseViews(autoencoder, params)) {
      const bound = 1 / Math.sqrt(view.inDim);
      for (const v of [...view.weight, ...view.bias]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    }
  });

  it('has the moments of U(-b, b) on a wide layer (mean 0, variance b²/3)', () => {
    const spec: NetworkSpec = { inputDim: 400, layers: [{ kind: 'dense', units: 250 }] };
    const [view] = denseViews(spec, initParameters(spec, 1));
    const w = view!.weight;
    const bound = 1 / 20;
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
    // 100,000 draws: the sample mean's standard error is b/sqrt(3·1e5) ≈ 0.0018·b.
    expect(Math.abs(mean)).toBeLessThan(0.01 * bound);
    expect(variance / (bound ** 2 / 3)).toBeCloseTo(1, 1);
  });

  it('exposes dense layers as [out][in] views into the flat vector, in order', () => {
    const params = new Float32Array(parameterCount(autoencoder));
    const views = denseViews(autoencoder, params);
    expect(views.map((v) => [v.inDim, v.outDim, v.activation])).toEqual([
      [28, 32, 'relu'],
      [32, 16, 'relu'],
      [16, 32, 'relu'],
      [32, 28, 'none'],
    ]);
    views[1]!.weight[3 * 32 + 5] = 7; // W1[3][5]
    views[1]!.bias[2] = 9;
    expect(params[928 + 3 * 32 + 5]).toBe(7);
    expect(params[928 + 512 + 2]).toBe(9);
  });

  it('rejects a parameter vector of the wrong length', () => {
    const error = errorOf(() => denseViews(autoencoder, new Float32Array(10)));
    expect(error.code).toBe('SHAPE_MISMATCH');
    expect(error.message).toMatch(/10 values but the network has 2924 parameters/);
  });
});
