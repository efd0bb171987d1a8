/**
 * Network specifications and their compiled form (the "plan"): validated layer list, parameter layout and
 * buffer sizes. Everything else in `nn` works from a plan, so a spec is validated once, here.
 */
import { CardwatchError } from '../util/errors.js';

export type LayerSpec =
  | { kind: 'dense'; units: number }
  | { kind: 'relu' }
  | { kind: 'sigmoid' }
  | { kind: 'dropout'; rate: number };

export interface NetworkSpec {
  inputDim: number;
  layers: readonly LayerSpec[];
}

export type LossKind = 'mse' | 'bce';

/** The activation applied to a dense layer's output (fused into the dense op when it directly follows it). */
export type Activation = 'relu' | 'sigmoid' | 'none';

/** One executable step of a network. A relu/sigmoid that directly follows a dense layer is fused into it. */
export type Op =
  | {
      readonly kind: 'dense';
      readonly inDim: number;
      readonly outDim: number;
      /** Offsets into the flat parameter vector: weight [outDim][inDim] row-major, then bias [outDim]. */
      readonly weightOffset: number;
      readonly biasOffset: number;
      readonly activation: Activation;
    }
  | { readonly kind: 'activation'; readonly fn: 'relu' | 'sigmoid'; readonly dim: number }
  | { readonly kind: 'dropout'; readonly rate: number; readonly dim: number };

export type DenseOp = Extract<Op, { kind: 'dense' }>;

export interface Plan {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly ops: readonly Op[];
  readonly parameterCount: number;
  /** The widest activation (input included), for sizing scratch buffers. */
  readonly maxDim: number;
  /** The last op produces a sigmoid, so BCE can be computed from its logits. */
  readonly endsWithSigmoid: boolean;
  readonly hasDropout: boolean;
}

const LAYER_KINDS = ['dense', 'relu', 'sigmoid', 'dropout'] as const;

function invalid(message: string): CardwatchError {
  return new CardwatchError('INVALID_INPUT', message);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

const planCache = new WeakMap<NetworkSpec, Plan>();

/**
 * Validates a spec and compiles it into a plan (cached per spec object, so hot paths such as `predict`
 * pay for validation once).
 * @throws CardwatchError INVALID_INPUT naming the offending layer and value.
 */
export function compilePlan(spec: NetworkSpec): Plan {
  const cached = planCache.get(spec);
  if (cached !== undefined) return cached;
  if (spec === null || typeof spec !== 'object') throw invalid('network spec must be an object');
  if (!isPositiveInteger(spec.inputDim)) {
    throw invalid(`spec.inputDim must be a positive integer, got ${describe(spec.inputDim)}`);
  }
  if (!Array.isArray(spec.layers)) throw invalid('spec.layers must be an array of layer specs');

  const ops: Op[] = [];
  let dim = spec.inputDim;
  let maxDim = dim;
  let offset = 0;
  let hasDense = false;
  let hasDropout = false;
  spec.layers.forEach((layer: LayerSpec, index: number) => {
    const where = `spec.layers[${index}]`;
    const kind: unknown = (layer as { kind?: unknown } | null)?.kind;
    if (!(LAYER_KINDS as readonly unknown[]).includes(kind)) {
      throw invalid(`${where}.kind must be one of ${LAYER_KINDS.join(', ')}, got ${describe(kind)}`);
    }
    const previous = ops[ops.length - 1];
    switch (layer.kind) {
      case 'dense': {
        if (!isPositiveInteger(layer.units)) {
          throw invalid(`${where} (dense).units must be a positive integer, got ${describe(layer.units)}`);
        }
        const weightOffset = offset;
        const biasOffset = weightOffset + dim * layer.units;
        offset = biasOffset + layer.units;
        ops.push({
          kind: 'dense',
          inDim: dim,
          outDim: layer.units,
          weightOffset,
          biasOffset,
          activation: 'none',
        });
        dim = layer.units;
        maxDim = Math.max(maxDim, dim);
        hasDense = true;
        return;
      }
      case 'relu':
      case 'sigmoid':
        if (previous?.kind === 'dense' && previous.activation === 'none') {
          ops[ops.length - 1] = { ...previous, activation: layer.kind };
        } else {
          ops.push({ kind: 'activation', fn: layer.kind, dim });
        }
        return;
      case 'dropout': {
        const rate: unknown = layer.rate;
        if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
          throw invalid(`${where} (dropout).rate must be a number in [0, 1), got ${describe(rate)}`);
        }
        ops.push({ kind: 'dropout', rate, dim });
        hasDropout ||= rate > 0;
        return;
      }
    }
  });
  if (!hasDense) throw invalid('spec.layers must contain at least one dense layer');

  const last = ops[ops.length - 1]!;
  const endsWithSigmoid =
    (last.kind === 'dense' && last.activation === 'sigmoid') ||
    (last.kind === 'activation' && last.fn === 'sigmoid');
  const plan: Plan = {
    inputDim: spec.inputDim,
    outputDim: dim,
    ops,
    parameterCount: offset,
    maxDim,
    endsWithSigmoid,
    hasDropout,
  };
  planCache.set(spec, plan);
  return plan;
}

/**
 * Number of trainable parameters (weights and biases of every dense layer).
 * @example parameterCount({ inputDim: 28, layers: [{ kind: 'dense', units: 32 }] }) // 928
 */
export function parameterCount(spec: NetworkSpec): number {
  return compilePlan(spec).parameterCount;
}

/** Width of the network's output (the units of the last dense layer). */
export function outputDim(spec: NetworkSpec): number {
  return compilePlan(spec).outputDim;
}

/** The dense ops of a plan, in order. */
export function denseOps(plan: Plan): DenseOp[] {
  return plan.ops.filter((op): op is DenseOp => op.kind === 'dense');
}

/** Throws SHAPE_MISMATCH unless `params` has exactly the plan's parameter count. */
export function checkParameters(plan: Plan, params: Float32Array, what = 'parameters'): void {
  if (!(params instanceof Float32Array)) {
    throw new CardwatchError('SHAPE_MISMATCH', `${what} must be a Float32Array`);
  }
  if (params.length !== plan.parameterCount) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `${what} has ${params.length} values but the network has ${plan.parameterCount} parameters`,
    );
  }
}
