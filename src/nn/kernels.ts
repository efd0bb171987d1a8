/**
 * The numeric kernels of the engine, behind one narrow interface (`Kernels`), with two interchangeable
 * backends: WebAssembly SIMD (kernels-wasm.ts, the default) and plain JS (below, the reference and the
 * fallback where WebAssembly SIMD is missing). The workspace and the trainer only see this interface.
 *
 * Layout: every matrix is row-major; a batch of activations is [rows][dim]; a weight is [out][in] (PyTorch),
 * and the forward pass reads its transpose [in][out] so that the output columns are contiguous (the SIMD
 * backend computes four outputs per instruction).
 *
 * Arithmetic contract, which both backends follow exactly so that they agree bit for bit (kernels.test.ts
 * checks it): buffers are float32; every product and every partial sum is rounded to float32 (no fused
 * multiply-add); a dot product is accumulated from 0 in order over the summed index, then the bias is added.
 * A value therefore never depends on how many rows are processed together (predict chunking is bit-exact)
 * nor on the backend. Float32 like PyTorch: the parity test bounds the difference to its trajectory.
 */
import type { Activation } from './spec.js';
import { createWasmKernels, wasmKernelsSupported } from './kernels-wasm.js';

/** The buffer type of the kernels. */
export type Vec = Float32Array;

export interface Kernels {
  /** Which backend this is ('wasm-simd' or 'js'), for reports and tests. */
  readonly backend: string;
  /** out[r][o] = act(bias[o] + Σ_i x[r][i]·weightT[i][o]) for r < rows; weightT is the weight transposed. */
  denseForward(
    x: Vec,
    rows: number,
    inDim: number,
    weightT: Vec,
    bias: Vec,
    outDim: number,
    activation: Activation,
    out: Vec,
  ): void;
  /**
   * Given dz = ∂L/∂(pre-activation) [rows][outDim]: weightGrad = dzᵀ·x ([outDim][inDim]), biasGrad = Σ_r dz[r]
   * (both overwritten), and, when `dx` is not null, dx = dz·weight ([rows][inDim], overwritten).
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

/**
 * Creates a backend's kernels together with every buffer they will work on (zeroed, of the given lengths,
 * 16-byte aligned). All buffers are requested at once because the WebAssembly backend keeps them in its own
 * linear memory, which it sizes once: growing it later would detach the views already handed out.
 * Kernels must only be given buffers that came from the same call.
 */
export type KernelBackend = (lengths: readonly number[]) => { kernels: Kernels; buffers: Vec[] };

const fround = Math.fround;

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
  };
  return { kernels, buffers: lengths.map((length) => new Float32Array(length)) };
};

/**
 * The backend to use: WebAssembly SIMD when this runtime supports it (Node ≥ 20 on x64 and arm64 does),
 * else plain JS. CARDWATCH_NN_KERNELS=js|wasm forces one (benchmarks, debugging); forcing wasm where it is
 * unsupported fails when the kernels are created.
 */
export function defaultKernelBackend(): KernelBackend {
  const forced = process.env.CARDWATCH_NN_KERNELS;
  if (forced === 'js') return createJsKernels;
  if (forced === 'wasm') return createWasmKernels;
  return wasmKernelsSupported() ? createWasmKernels : createJsKernels;
}
