/**
 * The numeric kernels of the engine, behind one narrow interface (`Kernels`) so that a faster backend
 * (e.g. WebAssembly SIMD) can replace this plain-JS one without touching the workspace or the trainer.
 *
 * Layout: every matrix is row-major; a batch of activations is [rows][dim]; a weight is [out][in] (PyTorch).
 * All products go through one register-blocked kernel, `gemm`: V8 does not vectorise, so a 4×4 block of
 * accumulators held in registers (8 loads per 16 multiply-adds) is what makes scalar JS fast; strided
 * operands let the same kernel compute x·Wᵀ, dzᵀ·x and dz·W without transposing anything.
 * Each output element is accumulated over k in order whatever block it falls in, so a row's result never
 * depends on how many rows are processed together (predict chunking is bit-exact).
 *
 * Buffers are Float64Array although data and parameters are float32: V8 loads a float32 element with a
 * conversion to double, and measured here a training step ran about 12% faster on float64 buffers (the data is
 * converted once, when a batch is gathered). A float32 WebAssembly backend would change `Vec` to
 * Float32Array; nothing outside this module depends on which it is.
 */
import type { Activation } from './spec.js';

/** The buffer type of the kernels. */
export type Vec = Float64Array;

/** Allocates a zeroed kernel buffer. */
export function allocVec(length: number): Vec {
  return new Float64Array(length);
}

export interface Kernels {
  /** out[r][o] = act(bias[o] + Σ_i x[r][i]·weight[o][i]) for r < rows. */
  denseForward(
    x: Vec,
    rows: number,
    inDim: number,
    weight: Vec,
    bias: Vec,
    outDim: number,
    activation: Activation,
    out: Vec,
  ): void;
  /**
   * Given dz = ∂L/∂(pre-activation) [rows][outDim]: weightGrad += dzᵀ·x, biasGrad += Σ_r dz[r], and, when
   * `dx` is not null, dx = dz·weight ([rows][inDim], overwritten).
   */
  denseBackward(
    x: Vec,
    rows: number,
    inDim: number,
    weight: Vec,
    outDim: number,
    dz: Vec,
    weightGrad: Vec,
    biasGrad: Vec,
    dx: Vec | null,
  ): void;
  /** out[i] = f(x[i]) for i < n (out may be x). */
  activationForward(fn: 'relu' | 'sigmoid', x: Vec, n: number, out: Vec): void;
  /** delta[i] *= f'(·), given the activation's output y (in place). */
  activationBackward(fn: 'relu' | 'sigmoid', y: Vec, delta: Vec, n: number): void;
  /** out[i] = a[i]·b[i] for i < n (out may be a). Dropout's forward and backward. */
  multiply(a: Vec, b: Vec, n: number, out: Vec): void;
}

/** `v > 0 || v !== v`: ReLU that keeps NaN visible instead of silently clamping a diverged network to 0. */
function relu(v: number): number {
  return v > 0 || v !== v ? v : 0;
}

/**
 * c[i][j] (=|+=) Σ_t A(i,t)·B(j,t) for i < m, j < n, t < k, where A(i,t) = a[i·aRow + t·aStep] and
 * B(j,t) = b[j·bRow + t·bStep]; c is [m][n] row-major. The strides let one kernel serve all three products
 * of a dense layer without transposing anything: x·Wᵀ (forward), dzᵀ·x (weight gradient), dz·W (input
 * gradient).
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: Vec,
  aRow: number,
  aStep: number,
  b: Vec,
  bRow: number,
  bStep: number,
  c: Vec,
  accumulate: boolean,
): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = i * aRow;
    const a1 = a0 + aRow;
    const a2 = a1 + aRow;
    const a3 = a2 + aRow;
    const c0 = i * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * bRow;
      const b1 = b0 + bRow;
      const b2 = b1 + bRow;
      const b3 = b2 + bRow;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0;
      let s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      let s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0;
      let s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let t = 0, pa = 0, pb = 0; t < k; t++, pa += aStep, pb += bStep) {
        const x0 = a[a0 + pa]!;
        const x1 = a[a1 + pa]!;
        const x2 = a[a2 + pa]!;
        const x3 = a[a3 + pa]!;
        const w0 = b[b0 + pb]!;
        const w1 = b[b1 + pb]!;
        const w2 = b[b2 + pb]!;
        const w3 = b[b3 + pb]!;
        s00 += x0 * w0;
        s01 += x0 * w1;
        s02 += x0 * w2;
        s03 += x0 * w3;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s12 += x1 * w2;
        s13 += x1 * w3;
        s20 += x2 * w0;
        s21 += x2 * w1;
        s22 += x2 * w2;
        s23 += x2 * w3;
        s30 += x3 * w0;
        s31 += x3 * w1;
        s32 += x3 * w2;
        s33 += x3 * w3;
      }
      if (accumulate) {
        c[c0 + j] += s00;
        c[c0 + j + 1] += s01;
        c[c0 + j + 2] += s02;
        c[c0 + j + 3] += s03;
        c[c1 + j] += s10;
        c[c1 + j + 1] += s11;
        c[c1 + j + 2] += s12;
        c[c1 + j + 3] += s13;
        c[c2 + j] += s20;
        c[c2 + j + 1] += s21;
        c[c2 + j + 2] += s22;
        c[c2 + j + 3] += s23;
        c[c3 + j] += s30;
        c[c3 + j + 1] += s31;
        c[c3 + j + 2] += s32;
        c[c3 + j + 3] += s33;
      } else {
        c[c0 + j] = s00;
        c[c0 + j + 1] = s01;
        c[c0 + j + 2] = s02;
        c[c0 + j + 3] = s03;
        c[c1 + j] = s10;
        c[c1 + j + 1] = s11;
        c[c1 + j + 2] = s12;
        c[c1 + j + 3] = s13;
        c[c2 + j] = s20;
        c[c2 + j + 1] = s21;
        c[c2 + j + 2] = s22;
        c[c2 + j + 3] = s23;
        c[c3 + j] = s30;
        c[c3 + j + 1] = s31;
        c[c3 + j + 2] = s32;
        c[c3 + j + 3] = s33;
      }
    }
  }
  // The fringe (rows or columns beyond the last full block of 4), one element at a time in the same
  // t order, so a value never depends on which block it fell into.
  for (let i = 0; i < m; i++) {
    for (let j = i < m4 ? n4 : 0; j < n; j++) {
      let sum = 0;
      for (let t = 0, pa = i * aRow, pb = j * bRow; t < k; t++, pa += aStep, pb += bStep)
        sum += a[pa]! * b[pb]!;
      if (accumulate) c[i * n + j] += sum;
      else c[i * n + j] = sum;
    }
  }
}

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/** The plain-JS kernels (stateless: all buffers belong to the caller, so a step allocates nothing). */
export function createJsKernels(): Kernels {
  return {
    denseForward(x, rows, inDim, weight, bias, outDim, activation, out) {
      gemm(rows, outDim, inDim, x, inDim, 1, weight, inDim, 1, out, false);
      // Bias and activation in a second pass: fusing them into gemm's stores measured slower (a branch per
      // store in the hot loop).
      for (let r = 0; r < rows; r++) {
        const o0 = r * outDim;
        if (activation === 'relu') {
          for (let o = 0; o < outDim; o++) out[o0 + o] = relu(out[o0 + o]! + bias[o]!);
        } else if (activation === 'sigmoid') {
          for (let o = 0; o < outDim; o++) out[o0 + o] = sigmoid(out[o0 + o]! + bias[o]!);
        } else {
          for (let o = 0; o < outDim; o++) out[o0 + o] = out[o0 + o]! + bias[o]!;
        }
      }
    },

    denseBackward(x, rows, inDim, weight, outDim, dz, weightGrad, biasGrad, dx) {
      for (let r = 0; r < rows; r++) {
        const z0 = r * outDim;
        for (let o = 0; o < outDim; o++) biasGrad[o] += dz[z0 + o]!;
      }
      // weightGrad[o][i] += Σ_r dz[r][o]·x[r][i]
      gemm(outDim, inDim, rows, dz, 1, outDim, x, 1, inDim, weightGrad, true);
      // dx[r][i] = Σ_o dz[r][o]·weight[o][i]
      if (dx !== null) gemm(rows, inDim, outDim, dz, outDim, 1, weight, 1, inDim, dx, false);
    },

    activationForward(fn, x, n, out) {
      if (fn === 'relu') {
        for (let i = 0; i < n; i++) out[i] = relu(x[i]!);
      } else {
        for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]!);
      }
    },

    activationBackward(fn, y, delta, n) {
      if (fn === 'relu') {
        for (let i = 0; i < n; i++) if (!(y[i]! > 0)) delta[i] = 0;
      } else {
        for (let i = 0; i < n; i++) {
          const v = y[i]!;
          delta[i] = delta[i]! * v * (1 - v);
        }
      }
    },

    multiply(a, b, n, out) {
      for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
    },
  };
}
