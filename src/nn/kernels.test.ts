import { describe, expect, it } from 'vitest';
import { Prng } from '../util/prng.js';
import type { KernelBackend, Kernels, Vec } from './kernels.js';
import { createJsKernels, createWasmKernels, defaultKernelBackend } from './kernels.js';
import { wasmKernelsSupported } from './kernels-wasm.js';

const backends: [string, KernelBackend][] = [
  ['js', createJsKernels],
  ['wasm-simd', createWasmKernels],
];

/** Kernels with one buffer per entry of `contents` (a length, or values to copy in). */
function setup(backend: KernelBackend, contents: (number | ArrayLike<number>)[]): { k: Kernels; v: Vec[] } {
  const lengths = contents.map((c) => (typeof c === 'number' ? c : c.length));
  const { kernels, buffers } = backend(lengths);
  contents.forEach((c, i) => {
    if (typeof c !== 'number') buffers[i]!.set(c);
  });
  return { k: kernels, v: buffers };
}

/** Float32 round-off relative to the magnitude (sums here reach about 20). */
function expectClose(actual: number | undefined, expected: number): void {
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(expected)));
}

function normals(length: number, prng: Prng): Float32Array {
  return Float32Array.from({ length }, () => prng.normal());
}

/** Shapes (rows, in, out) with and without fringes beyond the kernels' tiles and vectors. */
const shapes: [number, number, number][] = [
  [8, 12, 5],
  [7, 5, 9],
  [1, 3, 2],
  [13, 4, 1],
  [9, 28, 32],
  [6, 32, 16],
];

it('the WebAssembly SIMD backend is supported here and is the default', () => {
  expect(wasmKernelsSupported()).toBe(true);
  expect(defaultKernelBackend()).toBe(createWasmKernels);
});

describe.each(backends)('%s kernels', (_, backend) => {
  it.each(shapes)(
    'denseForward and denseBackward match float64 references (rows %i, in %i, out %i)',
    (rows, inDim, outDim) => {
      const prng = new Prng(rows * 100 + inDim * 10 + outDim);
      const x = normals(rows * inDim, prng);
      const w = normals(outDim * inDim, prng); // [out][in]
      const wT = Float32Array.from({ length: inDim * outDim }, (_, idx) => {
        const i = Math.floor(idx / outDim);
        return w[(idx % outDim) * inDim + i]!;
      });
      const b = normals(outDim, prng);
      const dz = normals(rows * outDim, prng);
      const { k, v } = setup(backend, [x, w, wT, b, dz, rows * outDim, outDim * inDim, outDim, rows * inDim]);
      const [xv, wv, wTv, bv, dzv, out, dw, db, dx] = v;
      const pre = (r: number, o: number): number => {
        let s = b[o]!;
        for (let i = 0; i < inDim; i++) s += x[r * inDim + i]! * w[o * inDim + i]!;
        return s;
      };
      k.denseForward(xv, rows, inDim, wTv, bv, outDim, 'none', out);
      for (let r = 0; r < rows; r++)
        for (let o = 0; o < outDim; o++) expectClose(out[r * outDim + o], pre(r, o));
      k.denseForward(xv, rows, inDim, wTv, bv, outDim, 'relu', out);
      for (let r = 0; r < rows; r++) {
        for (let o = 0; o < outDim; o++) expectClose(out[r * outDim + o], Math.max(pre(r, o), 0));
      }
      k.denseForward(xv, rows, inDim, wTv, bv, outDim, 'sigmoid', out);
      for (let r = 0; r < rows; r++) {
        for (let o = 0; o < outDim; o++) expectClose(out[r * outDim + o], 1 / (1 + Math.exp(-pre(r, o))));
      }

      dw.fill(99); // overwritten, not accumulated
      k.denseBackward(xv, rows, inDim, wv, outDim, dzv, dw, db, dx);
      for (let o = 0; o < outDim; o++) {
        let sb = 0;
        for (let r = 0; r < rows; r++) sb += dz[r * outDim + o]!;
        expectClose(db[o], sb);
        for (let i = 0; i < inDim; i++) {
          let s = 0;
          for (let r = 0; r < rows; r++) s += dz[r * outDim + o]! * x[r * inDim + i]!;
          expectClose(dw[o * inDim + i], s);
        }
      }
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < inDim; i++) {
          let s = 0;
          for (let o = 0; o < outDim; o++) s += dz[r * outDim + o]! * w[o * inDim + i]!;
          expectClose(dx[r * inDim + i], s);
        }
      }
    },
  );

  it('denseForward adds the bias and applies the fused activation', () => {
    // x = [[1, 2]], W = [[1, 0], [0, -1], [1, 1]] so Wᵀ = [[1, 0, 1], [0, -1, 1]], b = [0.5, 0.5, -3]
    const { k, v } = setup(backend, [[1, 2], [1, 0, 1, 0, -1, 1], [0.5, 0.5, -3], 3]);
    const [x, wT, b, out] = v;
    k.denseForward(x, 1, 2, wT, b, 3, 'none', out);
    expect([...out]).toEqual([1.5, -1.5, 0]);
    k.denseForward(x, 1, 2, wT, b, 3, 'relu', out);
    expect([...out]).toEqual([1.5, 0, 0]);
    k.denseForward(x, 1, 2, wT, b, 3, 'sigmoid', out);
    expect(out[2]).toBeCloseTo(0.5, 7);
    expect(out[0]).toBeCloseTo(1 / (1 + Math.exp(-1.5)), 6);
  });

  it('denseBackward writes dW = dzᵀx, db = Σdz and dx = dz·W', () => {
    // rows 2, in 2, out 1: x = [[1, 2], [3, 4]], W = [[0.5, -1]], dz = [[1], [2]]
    const { k, v } = setup(backend, [[1, 2, 3, 4], [0.5, -1], [1, 2], [10, 10], [1], 4]);
    const [x, w, dz, dw, db, dx] = v;
    k.denseBackward(x, 2, 2, w, 1, dz, dw, db, dx);
    expect([...dw]).toEqual([1 + 6, 2 + 8]);
    expect([...db]).toEqual([3]);
    expect([...dx]).toEqual([0.5, -1, 1, -2]);
  });

  it('relu and sigmoid backward scale the incoming gradient by the derivative', () => {
    const { k, v } = setup(backend, [
      [2, 0, -1, NaN, 3],
      [1, 1, 1, 1, 1],
      [0.5, 0.25],
      [2, 2],
    ]);
    const [y, delta, ys, ds] = v;
    k.activationBackward('relu', y, delta, 5);
    expect([...delta]).toEqual([1, 0, 0, 0, 1]);
    k.activationBackward('sigmoid', ys, ds, 2);
    expect([...ds]).toEqual([0.5, 0.375]);
  });

  it('relu keeps NaN visible', () => {
    const { k, v } = setup(backend, [[NaN, -1, 2, -0.5, NaN], 5]);
    const [x, out] = v;
    k.activationForward('relu', x, 5, out);
    expect([...out]).toEqual([NaN, 0, 2, 0, NaN]);
  });

  it('mseLoss returns Σ(y−t)² and writes 2(y−t)', () => {
    const { k, v } = setup(backend, [[1, -2, 0.5, 3, 1], [0, 1, 0.5, 1, -1], 5]);
    const [y, t, grad] = v;
    expect(k.mseLoss(y, t, 5, null)).toBe(1 + 9 + 0 + 4 + 4);
    expect(k.mseLoss(y, t, 5, grad)).toBe(18);
    expect([...grad]).toEqual([2, -6, 0, 4, 4]);
  });

  it('dropoutMask keeps about 1−rate of the elements, scaled by 1/(1−rate), and nothing when rate ≈ 1', () => {
    const { k, v } = setup(backend, [10001]);
    const mask = v[0]!;
    k.dropoutMask(mask, 10001, 0.25, new Prng(3));
    const scale = Math.fround(1 / 0.75);
    expect(new Set(mask)).toEqual(new Set([0, scale]));
    const kept = mask.filter((m) => m !== 0).length / mask.length;
    expect(Math.abs(kept - 0.75)).toBeLessThan(0.02);
    k.dropoutMask(mask, 10001, 1 - 2 ** -40, new Prng(3));
    expect(mask.every((m) => m === 0)).toBe(true);
  });
});

describe('backends agree bit for bit (the arithmetic contract of kernels.ts)', () => {
  // Values, not bit patterns: toEqual tells −0 from +0, and NaN payloads are not part of the contract.
  const values = (v: ArrayLike<number>): number[] => Array.from(v);

  it.each(shapes)('on every kernel (rows %i, in %i, out %i)', (rows, inDim, outDim) => {
    const prng = new Prng(rows + inDim * 7 + outDim * 31);
    const x = normals(rows * inDim, prng);
    x[0] = NaN; // NaN must propagate the same way
    const wT = normals(inDim * outDim, prng);
    const w = normals(outDim * inDim, prng);
    const b = normals(outDim, prng);
    const dz = normals(rows * outDim, prng);
    const target = normals(rows * outDim, prng);
    const results = backends.map(([, backend]) => {
      const sizes = [x, wT, w, b, dz, target, rows * outDim, outDim * inDim, outDim, rows * inDim];
      const { k, v } = setup(backend, [...sizes, rows * inDim, rows * outDim, rows * outDim]);
      const [xv, wTv, wv, bv, dzv, tv, out, dw, db, dx, mask, grad, act] = v;
      const seen: number[][] = [];
      for (const activation of ['none', 'relu', 'sigmoid'] as const) {
        k.denseForward(xv, rows, inDim, wTv, bv, outDim, activation, out);
        seen.push(values(out));
      }
      k.denseBackward(xv, rows, inDim, wv, outDim, dzv, dw, db, dx);
      seen.push(values(dw), values(db), values(dx));
      k.denseBackward(xv, rows, inDim, wv, outDim, dzv, dw, db, null);
      seen.push(values(dw));
      for (const fn of ['relu', 'sigmoid'] as const) {
        k.activationForward(fn, dzv, rows * outDim, act);
        seen.push(values(act));
        act.set(target);
        k.activationBackward(fn, dzv, act, rows * outDim);
        seen.push(values(act));
      }
      k.dropoutMask(mask, rows * inDim, 0.3, new Prng(9));
      seen.push(values(mask.subarray(0, rows * inDim)));
      k.multiply(xv, mask, rows * inDim, mask);
      seen.push(values(mask.subarray(0, rows * inDim)));
      seen.push([k.mseLoss(dzv, tv, rows * outDim, grad)], values(grad));
      return seen;
    });
    expect(results[1]).toEqual(results[0]);
  });
});

describe('wasm kernels', () => {
  it('refuse a buffer that is not in their memory', () => {
    const { kernels } = createWasmKernels([4]);
    const foreign = new Float32Array(4);
    expect(() => kernels.multiply(foreign, foreign, 4, foreign)).toThrow(/another memory/);
  });
});
