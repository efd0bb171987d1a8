/**
 * The plain-JS backend of the kernels (interface and arithmetic contract in kernels.ts): the reference
 * semantics the WebAssembly SIMD backend reproduces bit for bit, and the fallback where it is unavailable.
 * It is written for clarity over speed (it is not on the default path): `Math.fround` after every operation
 * is exactly float32 arithmetic, because a float32 product or sum computed in double and rounded once is
 * the correctly rounded float32 result.
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
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0, pa = i * pI, qa = j; t < k; t++, pa += pT, qa += qT) {
        sum = fround(sum + fround(p[pa]! * q[qa]!));
      }
      if (bias !== null) sum = fround(sum + bias[j]!);
      // `sum < 0 ? 0 : sum` (not Math.max): NaN stays visible, a diverged network is not silently clamped.
      if (relu && sum < 0) sum = 0;
      c[i * n + j] = sum;
    }
  }
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
    backend: 'js',

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
      // Four sfc32 generators with their state in local variables (calling the PRNG object per element
      // cost about a tenth of an epoch), taken in turn.
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

