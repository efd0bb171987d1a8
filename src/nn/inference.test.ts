import { describe, expect, it } from 'vitest';
import { isCardwatchError } from '../util/errors.js';
import { Prng } from '../util/prng.js';
import type { NetworkSpec } from './index.js';
import { denseViews, initParameters, lossValue, predict, rowSquaredErrors } from './index.js';
import { predictInChunks } from './inference.js';

const spec: NetworkSpec = {
  inputDim: 6,
  layers: [
    { kind: 'dense', units: 9 },
    { kind: 'relu' },
    { kind: 'dropout', rate: 0.5 },
    { kind: 'dense', units: 5 },
  ],
};

function rows(count: number, dim: number, seed: number): Float32Array {
  const prng = new Prng(seed);
  return Float32Array.from({ length: count * dim }, () => prng.normal());
}

/** Float64 reference forward pass (dropout off) written from the layer definitions. */
function reference(params: Float32Array, x: Float32Array, count: number): number[] {
  const [first, second] = denseViews(spec, params);
  const out: number[] = [];
  for (let r = 0; r < count; r++) {
    const hidden = Array.from({ length: 9 }, (_, o) => {
      let s = first!.bias[o]!;
      for (let i = 0; i < 6; i++) s += first!.weight[o * 6 + i]! * x[r * 6 + i]!;
      return Math.max(s, 0);
    });
    for (let o = 0; o < 5; o++) {
      let s = second!.bias[o]!;
      for (let i = 0; i < 9; i++) s += second!.weight[o * 9 + i]! * hidden[i]!;
      out.push(s);
    }
  }
  return out;
}

describe('predict', () => {
  const params = initParameters(spec, 5);
  const x = rows(103, 6, 9);

  it('computes the network (dropout off) like a float64 reference', () => {
    const output = predict(spec, params, x, 103);
    expect(output).toHaveLength(103 * 5);
    reference(params, x, 103).forEach((v, i) => expect(output[i]).toBeCloseTo(v, 5));
  });

  it('gives bit-identical results whatever the chunk size', () => {
    const whole = predict(spec, params, x, 103);
    for (const chunk of [1, 3, 4, 7, 64, 1000])
      expect(predictInChunks(spec, params, x, 103, chunk)).toEqual(whole);
  });

  it('handles zero rows and rejects bad shapes and non-finite inputs', () => {
    expect(predict(spec, params, new Float32Array(0), 0)).toHaveLength(0);
    const codeOf = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        if (isCardwatchError(error)) return `${error.code}: ${error.message}`;
      }
      return 'no error';
    };
    expect(codeOf(() => predict(spec, params, x, 104))).toMatch(
      /SHAPE_MISMATCH: x has 618 values but 104 rows × 6/,
    );
    expect(codeOf(() => predict(spec, params.subarray(1), x, 103))).toMatch(/SHAPE_MISMATCH/);
    const bad = x.slice();
    bad[2 * 6 + 4] = NaN;
    expect(codeOf(() => predict(spec, params, bad, 103))).toMatch(
      /DATA_INVALID: x has a non-finite value \(NaN\) at row 2, column 4/,
    );
  });
});

describe('lossValue and rowSquaredErrors', () => {
  it('rowSquaredErrors: per-feature squares and their mean per row', () => {
    // Row 0: errors (1, 2) → (1, 4), mean 2.5; row 1: (0, −3) → (0, 9), mean 4.5.
    const { perRow, perFeature } = rowSquaredErrors(
      new Float32Array([1, 2, 5, 2]),
      new Float32Array([0, 0, 5, 5]),
      2,
      2,
    );
    expect([...perFeature]).toEqual([1, 4, 0, 9]);
    expect([...perRow]).toEqual([2.5, 4.5]);
  });

  it('MSE lossValue is the mean of the per-feature squared errors (dropout off)', () => {
    const params = initParameters(spec, 8);
    const x = rows(50, 6, 1);
    const target = rows(50, 5, 2);
    const { perFeature } = rowSquaredErrors(predict(spec, params, x, 50), target, 50, 5);
    const mean = perFeature.reduce((s, v) => s + v, 0) / perFeature.length;
    expect(lossValue(spec, params, x, target, 50, 'mse')).toBeCloseTo(mean, 5);
  });

  it('BCE lossValue of a sigmoid network is computed from the logits', () => {
    // One dense unit with zero weights and bias 40: logit 40, σ = 1 in float32; target 0 gives −log(1 − σ(40)) ≈ 40,
    // where the clamped probability form would give 100.
    const sigmoidSpec: NetworkSpec = {
      inputDim: 1,
      layers: [{ kind: 'dense', units: 1 }, { kind: 'sigmoid' }],
    };
    const params = new Float32Array([0, 40]);
    expect(
      lossValue(sigmoidSpec, params, new Float32Array([3]), new Float32Array([0]), 1, 'bce'),
    ).toBeCloseTo(40, 6);
  });
});
