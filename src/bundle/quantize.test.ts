import { describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { tinyGraph } from './__fixtures__/tiny-bundle.js';
import {
  dequantize,
  pruneWeights,
  quantizeLayer,
  quantizePerChannel,
  resolveInt8Options,
} from './quantize.js';

describe('pruneWeights', () => {
  it('zeroes the floor(fraction · n) smallest magnitudes, whatever their sign, and copies', () => {
    const weight = Float32Array.from([0.5, -0.1, 0.3, 0.05, -0.7, 0.2]);
    expect(Array.from(pruneWeights(weight, 0.5))).toEqual(
      Array.from(Float32Array.from([0.5, 0, 0.3, 0, -0.7, 0])),
    );
    // floor(0.2 · 6) = 1: only the smallest goes.
    expect(Array.from(pruneWeights(weight, 0.2))).toEqual(
      Array.from(Float32Array.from([0.5, -0.1, 0.3, 0, -0.7, 0.2])),
    );
    expect(Array.from(pruneWeights(weight, 0))).toEqual(Array.from(weight));
    expect(weight[3]).toBeCloseTo(0.05); // the input is not modified
  });

  it('breaks ties by position, so the count is exact and the result deterministic', () => {
    const weight = Float32Array.from([0.1, -0.1, 0.1, 0.1]);
    expect(Array.from(pruneWeights(weight, 0.5))).toEqual(Array.from(Float32Array.from([0, 0, 0.1, 0.1])));
  });
});

describe('quantizePerChannel', () => {
  it('keeps each channel maximum exact and every weight within half a step', () => {
    const { weight } = tinyGraph().layers[0]!; // 4 × 3
    const q = quantizePerChannel(weight, 4, 3);
    const back = dequantize({
      inDim: 3,
      outDim: 4,
      weight: q.weight,
      scale: q.scale,
      bias: new Float32Array(4),
      activation: 'none',
    });
    for (let o = 0; o < 4; o++) {
      const row = Array.from(weight.subarray(o * 3, o * 3 + 3));
      const max = Math.max(...row.map(Math.abs));
      expect(q.scale[o]).toBe(Math.fround(max / 127));
      expect(Math.max(...Array.from(q.weight.subarray(o * 3, o * 3 + 3), Math.abs))).toBe(127);
      for (let i = 0; i < 3; i++) {
        expect(Math.abs(back[o * 3 + i]! - row[i]!)).toBeLessThanOrEqual(q.scale[o]! / 2 + 1e-7);
      }
    }
  });

  it('is symmetric, rounds halves away from zero, and gives an all-zero channel scale 1', () => {
    const q = quantizePerChannel(Float32Array.from([1, -0.25, 0.4, 0.1, 0, 0]), 3, 2);
    expect(Array.from(q.weight)).toEqual([127, -32, 127, 32, 0, 0]);
    expect(q.scale[2]).toBe(1);
    const mirrored = quantizePerChannel(Float32Array.from([-1, 0.25, -0.4, -0.1]), 2, 2);
    expect(Array.from(mirrored.weight)).toEqual([-127, 32, -127, -32]);
  });

  it('rejects a weight of the wrong size', () => {
    expect(() => quantizePerChannel(new Float32Array(5), 2, 3)).toThrow(/5 values, expected 2×3/);
  });
});

describe('quantizeLayer and options', () => {
  it('prunes, then quantizes, keeping the bias and activation', () => {
    const layer = tinyGraph().layers[1]!; // 2 × 4
    const q = quantizeLayer(layer, 0.5);
    expect(q.weight.filter((v) => v === 0).length).toBeGreaterThanOrEqual(4);
    expect(q.bias).toBe(layer.bias);
    expect(q.activation).toBe(layer.activation);
  });

  it('defaults to weight-only without pruning and names a bad value', () => {
    expect(resolveInt8Options({})).toEqual({ prune: 0, scheme: 'weight-only' });
    expect(resolveInt8Options({ prune: 0.2, scheme: 'dynamic' })).toEqual({ prune: 0.2, scheme: 'dynamic' });
    for (const bad of [{ prune: 1 }, { prune: -0.01 }, { prune: Number.POSITIVE_INFINITY }]) {
      try {
        resolveInt8Options(bad);
        throw new Error('expected an error');
      } catch (error) {
        expect(error).toBeInstanceOf(CardwatchError);
        expect((error as CardwatchError).code).toBe('INVALID_INPUT');
        expect((error as CardwatchError).message).toContain(`got ${bad.prune}`);
      }
    }
  });
});
