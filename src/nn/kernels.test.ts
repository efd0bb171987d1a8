import { describe, expect, it } from 'vitest';
import { Prng } from '../util/prng.js';
import type { Vec } from './kernels.js';
import { allocVec, createJsKernels, gemm } from './kernels.js';

/** A kernel buffer holding `values`. */
function vec(values: ArrayLike<number> | number): Vec {
  if (typeof values === 'number') return allocVec(values);
  const v = allocVec(values.length);
  v.set(values);
  return v;
}

function random(length: number, prng: Prng): Vec {
  return vec(Array.from({ length }, () => prng.normal()));
}

describe('gemm', () => {
  // Shapes with and without a fringe beyond the 4×4 blocks.
  it.each([
    [8, 12, 5],
    [7, 5, 9],
    [1, 3, 2],
    [13, 4, 1],
  ])('matches the naive triple loop for x·Wᵀ, dzᵀ·x and dz·W (m=%i n=%i k=%i)', (m, n, k) => {
    const prng = new Prng(m * 100 + n * 10 + k);
    const a = random(m * k, prng); // [m][k]
    const b = random(n * k, prng); // [n][k]
    const bt = random(k * n, prng); // [k][n]
    const at = random(k * m, prng); // [k][m]
    const check = (actual: Vec, expected: (i: number, j: number) => number): void => {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) expect(actual[i * n + j]).toBeCloseTo(expected(i, j), 4);
      }
    };
    const sum = (f: (t: number) => number): number => {
      let s = 0;
      for (let t = 0; t < k; t++) s += f(t);
      return s;
    };
    const c = vec(m * n);
    gemm(m, n, k, a, k, 1, b, k, 1, c, false);
    check(c, (i, j) => sum((t) => a[i * k + t]! * b[j * k + t]!));
    gemm(m, n, k, at, 1, m, bt, 1, n, c, false);
    check(c, (i, j) => sum((t) => at[t * m + i]! * bt[t * n + j]!));
    const before = c.slice();
    gemm(m, n, k, a, k, 1, bt, 1, n, c, true);
    check(c, (i, j) => before[i * n + j]! + sum((t) => a[i * k + t]! * bt[t * n + j]!));
  });
});

describe('js kernels', () => {
  const kernels = createJsKernels();

  it('denseForward adds the bias and applies the fused activation', () => {
    // x = [[1, 2]], W = [[1, 0], [0, -1], [1, 1]], b = [0.5, 0.5, -3]
    const x = vec([1, 2]);
    const w = vec([1, 0, 0, -1, 1, 1]);
    const b = vec([0.5, 0.5, -3]);
    const out = vec(3);
    kernels.denseForward(x, 1, 2, w, b, 3, 'none', out);
    expect([...out]).toEqual([1.5, -1.5, 0]);
    kernels.denseForward(x, 1, 2, w, b, 3, 'relu', out);
    expect([...out]).toEqual([1.5, 0, 0]);
    kernels.denseForward(x, 1, 2, w, b, 3, 'sigmoid', out);
    expect(out[2]).toBeCloseTo(0.5, 7);
    expect(out[0]).toBeCloseTo(1 / (1 + Math.exp(-1.5)), 6);
  });

  it('denseBackward accumulates dW = dzᵀx and db = Σdz, and writes dx = dz·W', () => {
    // rows 2, in 2, out 1: x = [[1, 2], [3, 4]], W = [[0.5, -1]], dz = [[1], [2]]
    const x = vec([1, 2, 3, 4]);
    const w = vec([0.5, -1]);
    const dz = vec([1, 2]);
    const dw = vec([10, 10]);
    const db = vec([1]);
    const dx = vec(4);
    kernels.denseBackward(x, 2, 2, w, 1, dz, dw, db, dx);
    expect([...dw]).toEqual([10 + 1 + 6, 10 + 2 + 8]);
    expect([...db]).toEqual([4]);
    expect([...dx]).toEqual([0.5, -1, 1, -2]);
  });

  it('relu and sigmoid backward scale the incoming gradient by the derivative', () => {
    const delta = vec([1, 1, 1]);
    kernels.activationBackward('relu', vec([2, 0, -1]), delta, 3);
    expect([...delta]).toEqual([1, 0, 0]);
    const d2 = vec([2, 2]);
    kernels.activationBackward('sigmoid', vec([0.5, 0.25]), d2, 2);
    expect([...d2]).toEqual([0.5, 0.375]);
  });

  it('relu keeps NaN visible', () => {
    const out = vec(2);
    kernels.activationForward('relu', vec([NaN, -1]), 2, out);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBe(0);
  });
});
