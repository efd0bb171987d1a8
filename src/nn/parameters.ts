/** The flat parameter vector: PyTorch-default initialisation and per-layer views into it. */
import { Prng } from '../util/prng.js';
import { CardwatchError } from '../util/errors.js';
import type { Activation, NetworkSpec } from './spec.js';
import { checkParameters, compilePlan, denseOps } from './spec.js';

/** One dense layer's parameters as views into the flat parameter vector; weight is [out][in] row-major (PyTorch layout). */
export interface DenseView {
  inDim: number;
  outDim: number;
  weight: Float32Array;
  bias: Float32Array;
  /** The activation following it, if any. */
  activation: Activation;
}

/** PRNG stream reserved for initialisation (shuffling and dropout use streams derived in `streams.ts`). */
const INIT_STREAM = 0x1417;

/**
 * Fresh parameters with PyTorch's default `nn.Linear` initialisation: every weight and bias uniform in
 * ±1/sqrt(fan_in) (that is `kaiming_uniform_(a=√5)` for weights), drawn from the seeded PRNG layer by
 * layer, weights (row-major [out][in]) before biases, so the same seed always gives the same network.
 * @example initParameters({ inputDim: 4, layers: [{ kind: 'dense', units: 2 }] }, 42).length // 10
 */
export function initParameters(spec: NetworkSpec, seed: number): Float32Array {
  if (!Number.isInteger(seed)) {
    throw new CardwatchError('INVALID_INPUT', `seed must be an integer, got ${String(seed)}`);
  }
  const plan = compilePlan(spec);
  const params = new Float32Array(plan.parameterCount);
  const prng = new Prng(seed, INIT_STREAM);
  for (const op of denseOps(plan)) {
    const bound = 1 / Math.sqrt(op.inDim);
    for (let i = 0; i < op.inDim * op.outDim; i++) params[op.weightOffset + i] = prng.uniform(-bound, bound);
    for (let o = 0; o < op.outDim; o++) params[op.biasOffset + o] = prng.uniform(-bound, bound);
  }
  return params;
}

/**
 * The dense layers of a network as views into `params` (writes through the views change `params`).
 * @throws CardwatchError SHAPE_MISMATCH when `params` does not fit the spec.
 */
export function denseViews(spec: NetworkSpec, params: Float32Array): DenseView[] {
  const plan = compilePlan(spec);
  checkParameters(plan, params);
  return denseOps(plan).map((op) => ({
    inDim: op.inDim,
    outDim: op.outDim,
    weight: params.subarray(op.weightOffset, op.weightOffset + op.inDim * op.outDim),
    bias: params.subarray(op.biasOffset, op.biasOffset + op.outDim),
    activation: op.activation,
  }));
}
