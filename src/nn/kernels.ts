/**
 * The numeric kernels of the engine, behind one narrow interface (`Kernels`), with two interchangeable
 * backends: WebAssembly SIMD (kernels-wasm.ts, the default) and plain JS (kernels-js.ts, the reference and
 * the fallback where WebAssembly SIMD is missing). The workspace and the trainer only see this module.
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
import { CardwatchError } from '../util/errors.js';
import type { Prng } from '../util/prng.js';
import type { Activation } from './spec.js';
import { createJsKernels } from './kernels-js.js';
import { createWasmKernels, wasmKernelsSupported } from './kernels-wasm.js';

/** The buffer type of the kernels. */
export type Vec = Float32Array;

export interface Kernels {
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
  /**
   * Inverted dropout masks: mask[i] = 1/(1−rate) (as float32) with probability 1−rate, else 0, for i < n.
   * One 32-bit draw per element from four sfc32 generators (the algorithm of util/prng) taken in turn,
   * element i from generator i mod 4, so that a SIMD backend runs them in parallel lanes; generator l is
   * seeded with draws 4l … 4l+3 of `prng` as its (a, b, c, d). May write up to the next multiple of 4.
   */
  dropoutMask(mask: Vec, n: number, rate: number, prng: Prng): void;
  /** Σ_i (output[i] − target[i])² in float64, summed in order; with `grad`, grad[i] = 2(output[i] − target[i]). */
  mseLoss(output: Vec, target: Vec, n: number, grad: Vec | null): number;
}

/**
 * Creates a backend's kernels together with every buffer they will work on (zeroed, of the given lengths,
 * 16-byte aligned). All buffers are requested at once because the WebAssembly backend keeps them in its own
 * linear memory, which it sizes once: growing it later would detach the views already handed out.
 * Kernels must only be given buffers that came from the same call.
 */
export type KernelBackend = (lengths: readonly number[]) => { kernels: Kernels; buffers: Vec[] };

/**
 * The backend to use: WebAssembly SIMD when this runtime supports it (Node ≥ 20 on x64 and arm64 does),
 * else plain JS. CARDWATCH_NN_KERNELS=js|wasm forces one (benchmarks, debugging); forcing wasm where it is
 * unsupported fails when the kernels are created.
 */
export function defaultKernelBackend(): KernelBackend {
  const forced = process.env.CARDWATCH_NN_KERNELS;
  if (forced === 'js') return createJsKernels;
  if (forced === 'wasm') return createWasmKernels;
  if (forced !== undefined && forced !== '') {
    throw new CardwatchError('INVALID_INPUT', `CARDWATCH_NN_KERNELS must be "js" or "wasm", got "${forced}"`);
  }
  return wasmKernelsSupported() ? createWasmKernels : createJsKernels;
}

export { createJsKernels, createWasmKernels };
