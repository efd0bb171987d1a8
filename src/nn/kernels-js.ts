/**
 * The plain-JS backend of the kernels (interface and arithmetic contract in kernels.ts): the reference
 * semantics the WebAssembly SIMD backend reproduces bit for bit, and the fallback where it is unavailable
 * (e.g. `node --jitless`). It is not on the default path and is slow: about 4 s per 200k-row epoch of the
 * reference autoencoder, against 1.3 s for the former float64 JS kernels and 0.2 s for SIMD; exact float32
 * semantics (results that never depend on the runtime) were preferred to a faster approximation.
 * `Math.fround` after every operation is exactly float32 arithmetic: a float32 product or sum computed in
 * double and rounded once is the correctly rounded float32 result.
 */
import type { KernelBackend, Kernels, Vec } from './kernels.js';
import { lossSum } from './loss.js';

const fround = Math.fround;
const TWO_POW_32 = 4294967296;

/**
 * C[i][j] = act(bias[j] + Σ_t P(i,t)·Q(t,j)) for i < m, j < n, t < k, with P(i,t) = p[i·pI + t·pT] and
 * Q(t,j) = q[t·qT + j]; c is [m][n]. The strides let one kernel serve the three products of a dense layer:
 * x·Wᵀ (forward, Q = Wᵀ), dzᵀ·x (weight gradient, P = dzᵀ) and dz·W (input gradient). The float32 rounding
 * of every step (`fround`) is the arithmetic contract, what the SIMD backend's f32x4 lanes compute.
 *
 * Blocks of 4×4 outputs share their loads (8 per 16 products: V8 does not vectorise, registers are what
 * make scalar JS fast; about 2.5× the plain triple loop here); the fringe is computed element by element.
 * Every element is accumulated over t in the same order either way.
 */
function gemm(
  c: Vec,
  p: Vec,
  pI: number,
  pT: number,
  q: Vec,
  qT: number,
  m: number,
  k: number,
  n: number,
  bias: Vec | null,
  relu: boolean,
): void {
  const m4 = m & ~3;
  const n4 = n & ~3;
  for (let i = 0; i < m4; i += 4) {
    const p0 = i * pI;
    const p1 = p0 + pI;
    const p2 = p1 + pI;
    const p3 = p2 + pI;
    for (let j = 0; j < n4; j += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0; // prettier-ignore
      let s10 = 0, s11 = 0, s12 = 0, s13 = 0; // prettier-ignore
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0; // prettier-ignore
      let s30 = 0, s31 = 0, s32 = 0, s33 = 0; // prettier-ignore
      for (let t = 0, pa = 0, qa = j; t < k; t++, pa += pT, qa += qT) {
        const x0 = p[p0 + pa]!;
        const x1 = p[p1 + pa]!;
        const x2 = p[p2 + pa]!;
        const x3 = p[p3 + pa]!;
        const w0 = q[qa]!;
        const w1 = q[qa + 1]!;
        const w2 = q[qa + 2]!;
        const w3 = q[qa + 3]!;
        s00 = fround(s00 + fround(x0 * w0));
        s01 = fround(s01 + fround(x0 * w1));
        s02 = fround(s02 + fround(x0 * w2));
        s03 = fround(s03 + fround(x0 * w3));
        s10 = fround(s10 + fround(x1 * w0));
        s11 = fround(s11 + fround(x1 * w1));
        s12 = fround(s12 + fround(x1 * w2));
        s13 = fround(s13 + fround(x1 * w3));
        s20 = fround(s20 + fround(x2 * w0));
        s21 = fround(s21 + fround(x2 * w1));
        s22 = fround(s22 + fround(x2 * w2));
        s23 = fround(s23 + fround(x2 * w3));
        s30 = fround(s30 + fround(x3 * w0));
        s31 = fround(s31 + fround(x3 * w1));
        s32 = fround(s32 + fround(x3 * w2));
        s33 = fround(s33 + fround(x3 * w3));
      }
      store(c, (i + 0) * n + j, s00, s01, s02, s03, bias, j, relu);
      store(c, (i + 1) * n + j, s10, s11, s12, s13, bias, j, relu);
      store(c, (i + 2) * n + j, s20, s21, s22, s23, bias, j, relu);
      store(c, (i + 3) * n + j, s30, s31, s32, s33, bias, j, relu);
    }
  }
  // The fringe: rows beyond the last block of 4, and columns beyond it in the blocked rows.
  for (let i = 0; i < m; i++) {
    for (let j = i < m4 ? n4 : 0; j < n; j++) {
      let sum = 0;
      for (let t = 0, pa = i * pI, qa = j; t < k; t++, pa += pT, qa += qT) {
        sum = fround(sum + fround(p[pa]! * q[qa]!));
      }
      c[i * n + j] = finish(sum, bias, j, relu);
    }
  }
}

/** bias, then relu: `v < 0 ? 0 : v` (not Math.max), so NaN stays visible like the SIMD lanes' pmax. */
function finish(sum: number, bias: Vec | null, j: number, relu: boolean): number {
  const v = bias === null ? sum : fround(sum + bias[j]!);
  return relu && v < 0 ? 0 : v;
}

function store(
  c: Vec,
  at: number,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
  bias: Vec | null,
  j: number,
  relu: boolean,
): void {
  c[at] = finish(s0, bias, j, relu);
  c[at + 1] = finish(s1, bias, j + 1, relu);
  c[at + 2] = finish(s2, bias, j + 2, relu);
  c[at + 3] = finish(s3, bias, j + 3, relu);
}

/** out[i] = 1/(1+e^(−x[i])), computed in double and rounded once (the same code serves both backends). */
export function sigmoidForward(x: Vec, n: number, out: Vec): void {
  for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]!));
}

/** delta[i] *= y[i]·(1 − y[i]), the sigmoid's derivative from its output (shared by both backends). */
export function sigmoidBackward(y: Vec, delta: Vec, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    delta[i] = delta[i]! * v * (1 - v);
  }
}

/** The plain-JS kernels: the reference semantics, and the fallback without WebAssembly SIMD. */
export const createJsKernels: KernelBackend = (lengths) => {
  const kernels: Kernels = {
    denseForward(x, rows, inDim, weightT, bias, outDim, activation, out) {
      gemm(out, x, inDim, 1, weightT, outDim, rows, inDim, outDim, bias, activation === 'relu');
      if (activation === 'sigmoid') sigmoidForward(out, rows * outDim, out);
    },

    denseBackward(x, rows, inDim, weight, outDim, dz, weightGrad, biasGrad, dx) {
      for (let o = 0; o < outDim; o++) {
        let sum = 0;
        for (let r = 0; r < rows; r++) sum = fround(sum + dz[r * outDim + o]!);
        biasGrad[o] = sum;
      }
      // weightGrad[o][i] = Σ_r dz[r][o]·x[r][i]
      gemm(weightGrad, dz, 1, outDim, x, inDim, outDim, rows, inDim, null, false);
      // dx[r][i] = Σ_o dz[r][o]·weight[o][i]
      if (dx !== null) gemm(dx, dz, outDim, 1, weight, inDim, rows, outDim, inDim, null, false);
    },

    activationForward(fn, x, n, out) {
      if (fn === 'relu') {
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          out[i] = v < 0 ? 0 : v;
        }
      } else {
        sigmoidForward(x, n, out);
      }
    },

    activationBackward(fn, y, delta, n) {
      if (fn === 'relu') {
        for (let i = 0; i < n; i++) if (!(y[i]! > 0)) delta[i] = 0;
      } else {
        sigmoidBackward(y, delta, n);
      }
    },

    multiply(a, b, n, out) {
      for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
    },

    dropoutMask(mask, n, rate, prng) {
      // Four sfc32 generators taken in turn, their state in uint32 arrays (which wrap like the `>>> 0` of
      // util/prng); inlined here because calling the PRNG object per element cost a tenth of an epoch.
      const a = new Uint32Array(4);
      const b = new Uint32Array(4);
      const c = new Uint32Array(4);
      const d = new Uint32Array(4);
      for (let lane = 0; lane < 4; lane++) {
        a[lane] = prng.nextUint32();
        b[lane] = prng.nextUint32();
        c[lane] = prng.nextUint32();
        d[lane] = prng.nextUint32();
      }
      const threshold = rate * TWO_POW_32;
      const scale = Math.fround(1 / (1 - rate));
      for (let i = 0; i < n; i++) {
        const lane = i & 3;
        const al = a[lane]!;
        const bl = b[lane]!;
        const cl = c[lane]!;
        const dl = d[lane]!;
        const t = (((al + bl) >>> 0) + dl) >>> 0;
        d[lane] = dl + 1;
        a[lane] = bl ^ (bl >>> 9);
        b[lane] = cl + (cl << 3);
        c[lane] = ((cl << 21) | (cl >>> 11)) + t;
        mask[i] = t >= threshold ? scale : 0;
      }
    },

    mseLoss(output, target, n, grad) {
      return lossSum('mse', false, output, target, n, grad);
    },
  };
  return { kernels, buffers: lengths.map((length) => new Float32Array(length)) };
};
