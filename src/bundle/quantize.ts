/**
 * Weight compression for the int8 variant of a bundle: optional L1 unstructured magnitude pruning, then symmetric
 * per-output-channel int8 quantization. Pure functions over PyTorch-layout ([out][in]) weights; the ONNX forms
 * that use them live in onnx-int8.ts.
 */
import { CardwatchError } from '../util/errors.js';
import type { DenseLayer } from './onnx-graph.js';

/**
 * How the int8 weights run in ONNX Runtime:
 * - `weight-only`: DequantizeLinear(int8 weights) → Gemm. Activations stay float32 and each row's score is
 *   independent of the rest of the batch; ORT dequantizes once at load, so compute is float32 (the win is size).
 * - `dynamic`: DynamicQuantizeLinear + MatMulInteger (ORT fuses them into DynamicQuantizeMatMul, an int8 GEMM).
 *   Faster for wide layers, but activations are quantized with ONE range per call, so a row's score depends on
 *   the other rows scored with it (a batch holding an outlier coarsens everyone's scores).
 */
export type Int8Scheme = 'weight-only' | 'dynamic';
export const INT8_SCHEMES: readonly Int8Scheme[] = ['weight-only', 'dynamic'];

export interface Int8Options {
  /**
   * Fraction of each dense layer's weights, the smallest by |w|, set to 0 before quantization (default 0).
   * In [0, 1). Biases are never pruned.
   */
  readonly prune?: number;
  /** Default `weight-only`, see {@link Int8Scheme}. */
  readonly scheme?: Int8Scheme;
}

/** Largest magnitude of a symmetric int8 code; −128 is left out so that q and −q are both representable. */
export const INT8_MAX = 127;

/** A dense layer with int8 weights: w[o][i] ≈ weight[o][i] · scale[o]. */
export interface QuantizedLayer {
  readonly inDim: number;
  readonly outDim: number;
  /** [outDim][inDim] row-major int8 codes (PyTorch layout). */
  readonly weight: Int8Array;
  /** [outDim] float32 scale per output channel (> 0). */
  readonly scale: Float32Array;
  readonly bias: Float32Array;
  readonly activation: DenseLayer['activation'];
}

/** Checks and defaults the int8 options; a bad value → `INVALID_INPUT` naming it. */
export function resolveInt8Options(options: Int8Options): Required<Int8Options> {
  const prune = options.prune ?? 0;
  if (!Number.isFinite(prune) || prune < 0 || prune >= 1) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `int8 prune must be a fraction in [0, 1), e.g. 0.2 for the 20% smallest weights; got ${prune}`,
    );
  }
  const scheme = options.scheme ?? 'weight-only';
  if (!INT8_SCHEMES.includes(scheme)) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `int8 scheme must be one of ${INT8_SCHEMES.join(', ')}; got ${String(scheme)}`,
    );
  }
  return { prune, scheme };
}

/**
 * A copy of `weight` with its `floor(fraction · length)` smallest-|w| entries set to 0 (L1 unstructured
 * magnitude pruning). Ties are broken by position, so the result is deterministic.
 *
 * @example
 * pruneWeights(new Float32Array([0.5, -0.1, 0.3, 0.05]), 0.5) // → [0.5, 0, 0.3, 0]
 */
export function pruneWeights(weight: Float32Array, fraction: number): Float32Array {
  const out = weight.slice();
  const count = Math.floor(fraction * weight.length);
  if (count <= 0) return out;
  const order = Array.from(weight.keys()).sort(
    (a, b) => Math.abs(weight[a] as number) - Math.abs(weight[b] as number) || a - b,
  );
  for (let k = 0; k < count; k++) out[order[k] as number] = 0;
  return out;
}

/**
 * Symmetric per-output-channel int8 quantization of a [outDim][inDim] weight: scale[o] = max|w[o][·]| / 127 and
 * q = round(w / scale), so the largest weight of every channel is exact and no zero point is needed. A channel
 * of zeros (e.g. fully pruned) gets scale 1 and codes 0.
 *
 * @example
 * quantizePerChannel(new Float32Array([1, -0.25, 0.4, 0.1]), 2, 2)
 * // → { weight: [127, -32, 127, 32], scale: [1/127, 0.4/127] } (float32)
 */
export function quantizePerChannel(
  weight: Float32Array,
  outDim: number,
  inDim: number,
): { weight: Int8Array; scale: Float32Array } {
  if (weight.length !== outDim * inDim) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `cannot quantize: the weight has ${weight.length} values, expected ${outDim}×${inDim}`,
    );
  }
  const codes = new Int8Array(weight.length);
  const scale = new Float32Array(outDim);
  for (let o = 0; o < outDim; o++) {
    let max = 0;
    for (let i = 0; i < inDim; i++) max = Math.max(max, Math.abs(weight[o * inDim + i] as number));
    // The float32 value is what DequantizeLinear multiplies by, so the codes are computed against it.
    const s = max > 0 ? Math.fround(max / INT8_MAX) : 1;
    scale[o] = s;
    for (let i = 0; i < inDim; i++) {
      const v = (weight[o * inDim + i] as number) / s;
      // Halves round away from zero, so w and −w always get opposite codes (Math.round alone would not).
      const q = Math.sign(v) * Math.round(Math.abs(v));
      codes[o * inDim + i] = Math.max(-INT8_MAX, Math.min(INT8_MAX, q));
    }
  }
  return { weight: codes, scale };
}

/** Prunes (by `prune`) then quantizes one dense layer. */
export function quantizeLayer(layer: DenseLayer, prune: number): QuantizedLayer {
  const { weight, scale } = quantizePerChannel(pruneWeights(layer.weight, prune), layer.outDim, layer.inDim);
  return {
    inDim: layer.inDim,
    outDim: layer.outDim,
    weight,
    scale,
    bias: layer.bias,
    activation: layer.activation,
  };
}

/** The float32 weights an int8 layer stands for (what DequantizeLinear computes): for tests and error reports. */
export function dequantize(layer: QuantizedLayer): Float32Array {
  const out = new Float32Array(layer.weight.length);
  for (let o = 0; o < layer.outDim; o++) {
    for (let i = 0; i < layer.inDim; i++) {
      out[o * layer.inDim + i] = Math.fround(
        (layer.weight[o * layer.inDim + i] as number) * (layer.scale[o] as number),
      );
    }
  }
  return out;
}
