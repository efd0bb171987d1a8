/**
 * Per-feature explanations of a classifier's score: gradient × input of its logit with respect to the
 * standardized features. For a ReLU network the logit is piecewise linear, so on a row's own linear piece
 * logit = Σ_j g_j·z_j + c: g_j·z_j is how much feature j, measured from the training mean (z = 0), moves the
 * fraud log-odds. It needs one backward pass through the weights (a few MatMuls in the ONNX graph, see
 * bundle/onnx-graph.ts), far cheaper than SHAP, and it is exact for the network it explains.
 *
 * This file is the reference implementation (float64) that the graph's output is tested against.
 */
import type { DenseView } from '../nn/index.js';
import { CardwatchError } from '../util/errors.js';

/**
 * ∂(output)/∂(input) × input for a network of dense layers with one output unit, per row: `z` is rows ×
 * inputDim (the standardized features), the result rows × inputDim. The last layer must have one unit; its
 * activation is ignored (the gradient is of the pre-activation, the logit). `scale` multiplies every value
 * (Platt's a: the attribution is then in calibrated log-odds).
 */
export function gradientTimesInput(
  layers: readonly DenseView[],
  z: Float32Array,
  rows: number,
  scale = 1,
): Float64Array {
  if (layers.length === 0) throw new CardwatchError('INVALID_INPUT', 'the network has no dense layer');
  const last = layers[layers.length - 1]!;
  if (last.outDim !== 1) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `attribution needs one output unit, the network has ${last.outDim}`,
    );
  }
  const inputDim = layers[0]!.inDim;
  if (z.length !== rows * inputDim) {
    throw new CardwatchError('SHAPE_MISMATCH', `expected ${rows} × ${inputDim} inputs, got ${z.length}`);
  }
  const out = new Float64Array(rows * inputDim);
  // Activations of each layer for one row, kept for the backward pass.
  const outputs: Float64Array[] = layers.map((layer) => new Float64Array(layer.outDim));
  for (let r = 0; r < rows; r++) {
    let input: ArrayLike<number> = z.subarray(r * inputDim, (r + 1) * inputDim);
    layers.forEach((layer, i) => {
      const y = outputs[i]!;
      for (let o = 0; o < layer.outDim; o++) {
        let sum = layer.bias[o]!;
        for (let j = 0; j < layer.inDim; j++) sum += layer.weight[o * layer.inDim + j]! * input[j]!;
        y[o] = activate(layer.activation, sum, i === layers.length - 1);
      }
      input = y;
    });
    // Backward from d(logit)/d(logit) = scale.
    let grad = new Float64Array([scale]);
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!;
      if (i < layers.length - 1) {
        const y = outputs[i]!;
        for (let o = 0; o < layer.outDim; o++) grad[o] = grad[o]! * derivative(layer.activation, y[o]!);
      }
      const next = new Float64Array(layer.inDim);
      for (let o = 0; o < layer.outDim; o++) {
        const g = grad[o]!;
        if (g === 0) continue;
        for (let j = 0; j < layer.inDim; j++) next[j] = next[j]! + g * layer.weight[o * layer.inDim + j]!;
      }
      grad = next;
    }
    for (let j = 0; j < inputDim; j++) out[r * inputDim + j] = grad[j]! * z[r * inputDim + j]!;
  }
  return out;
}

function activate(activation: DenseView['activation'], value: number, isLast: boolean): number {
  if (isLast) return value;
  if (activation === 'relu') return Math.max(value, 0);
  if (activation === 'sigmoid') return 1 / (1 + Math.exp(-value));
  return value;
}

/** The activation's derivative from its output y (ReLU'(0) = 0, as the graph's Sign gives). */
function derivative(activation: DenseView['activation'], y: number): number {
  if (activation === 'relu') return y > 0 ? 1 : 0;
  if (activation === 'sigmoid') return y * (1 - y);
  return 1;
}
