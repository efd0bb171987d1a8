/**
 * Preallocated buffers and the forward/backward pass of one network for up to `maxRows` rows. A workspace
 * is created once per worker (and once per network for predictions) and reused for every batch, so a
 * training step allocates nothing.
 */
import type { Prng } from '../util/prng.js';
import type { KernelBackend, Kernels, Vec } from './kernels.js';
import { defaultKernelBackend } from './kernels.js';
import { lossSum } from './loss.js';
import type { LossKind, Op, Plan } from './spec.js';

/** The buffers of one op; those it does not use are empty. */
const OP_BUFFERS = [
  'weight',
  /** The weight transposed ([in][out]), which the forward kernel reads. */
  'weightT',
  'bias',
  'weightGrad',
  'biasGrad',
  /** The op's output (dense and activation ops; dropout writes `dropped`). */
  'output',
  /** Pre-activation of a dense op followed by a sigmoid (the logits BCE needs). */
  'logits',
  'mask',
  'dropped',
] as const;
type OpBuffers = Record<(typeof OP_BUFFERS)[number], Vec>;

function opBufferLengths(op: Op, maxRows: number): Record<(typeof OP_BUFFERS)[number], number> {
  const dense = op.kind === 'dense';
  const weights = dense ? op.inDim * op.outDim : 0;
  const dropout = op.kind === 'dropout' && op.rate > 0 ? maxRows * op.dim : 0;
  return {
    weight: weights,
    weightT: weights,
    bias: dense ? op.outDim : 0,
    weightGrad: weights,
    biasGrad: dense ? op.outDim : 0,
    output: dense ? maxRows * op.outDim : op.kind === 'activation' ? maxRows * op.dim : 0,
    logits: dense && op.activation === 'sigmoid' ? maxRows * op.outDim : 0,
    mask: dropout,
    dropped: dropout,
  };
}

export class Workspace {
  readonly plan: Plan;
  readonly maxRows: number;
  /** Rows to process are written here ([maxRows][inputDim]) before `forward`. */
  readonly input: Vec;
  /** Targets for `backward`/`loss` ([maxRows][outputDim]); unused when `targetIsInput`. */
  readonly target: Vec;
  /** Autoencoders: the targets are the inputs, so they need not be copied twice. */
  targetIsInput = false;
  private readonly kernels: Kernels;
  private readonly ops: OpBuffers[];
  /** Input buffer of each op during the last forward pass (references, no copies). */
  private readonly opInputs: Vec[];
  private readonly dropoutApplied: boolean[];
  private readonly firstDense: number;
  private deltaA: Vec;
  private deltaB: Vec;
  private output: Vec;
  private rows = 0;

  /** `backend` defaults to the fastest one this runtime supports (see kernels.ts). */
  constructor(plan: Plan, maxRows: number, backend: KernelBackend = defaultKernelBackend()) {
    this.plan = plan;
    this.maxRows = maxRows;
    // Every buffer is requested in one call (the backend may place them all in one memory), in this order:
    // input, target, the two deltas, then each op's OP_BUFFERS.
    const perOp = plan.ops.map((op) => opBufferLengths(op, maxRows));
    const lengths = [
      maxRows * plan.inputDim,
      maxRows * plan.outputDim,
      maxRows * plan.maxDim,
      maxRows * plan.maxDim,
      ...perOp.flatMap((op) => OP_BUFFERS.map((name) => op[name])),
    ];
    const { kernels, buffers } = backend(lengths);
    let next = 0;
    const take = (): Vec => buffers[next++]!;
    this.kernels = kernels;
    this.input = take();
    this.target = take();
    this.deltaA = take();
    this.deltaB = take();
    this.ops = perOp.map(() => {
      // Same keys in the same order for every op: one object shape, monomorphic property loads.
      const op = {} as OpBuffers;
      for (const name of OP_BUFFERS) op[name] = take();
      return op;
    });
    this.output = this.input;
    this.opInputs = plan.ops.map(() => this.input);
    this.dropoutApplied = plan.ops.map(() => false);
    this.firstDense = plan.ops.findIndex((op) => op.kind === 'dense');
  }

  /** Copies the flat parameter vector into the kernel buffers (each weight also transposed). */
  loadParameters(params: Float32Array): void {
    const ops = this.plan.ops;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.kind !== 'dense') continue;
      const { weight, weightT, bias } = this.ops[i]!;
      const { inDim, outDim, weightOffset, biasOffset } = op;
      for (let o = 0; o < outDim; o++) {
        for (let j = 0; j < inDim; j++) {
          const w = params[weightOffset + o * inDim + j]!;
          weight[o * inDim + j] = w;
          weightT[j * outDim + o] = w;
        }
      }
      for (let o = 0; o < outDim; o++) bias[o] = params[biasOffset + o]!;
    }
  }

  /**
   * Runs the network on the first `rows` rows of `input`. With a PRNG, dropout is applied (training mode:
   * inverted dropout, masks drawn from `dropout`); without one, dropout is the identity.
   * Returns the output buffer ([rows][outputDim] valid), owned by the workspace.
   */
  forward(rows: number, dropout: Prng | null): Vec {
    if (rows > this.maxRows) throw new RangeError(`workspace holds ${this.maxRows} rows, got ${rows}`);
    const { kernels } = this;
    let current = this.input;
    const ops = this.plan.ops;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const buffers = this.ops[i]!;
      this.opInputs[i] = current;
      if (op.kind === 'dense') {
        const out = buffers.output;
        if (op.activation === 'sigmoid') {
          const z = buffers.logits;
          kernels.denseForward(current, rows, op.inDim, buffers.weightT, buffers.bias, op.outDim, 'none', z);
          kernels.activationForward('sigmoid', z, rows * op.outDim, out);
        } else {
          kernels.denseForward(
            current,
            rows,
            op.inDim,
            buffers.weightT,
            buffers.bias,
            op.outDim,
            op.activation,
            out,
          );
        }
        current = out;
      } else if (op.kind === 'activation') {
        const out = buffers.output;
        kernels.activationForward(op.fn, current, rows * op.dim, out);
        current = out;
      } else {
        const apply = dropout !== null && op.rate > 0;
        this.dropoutApplied[i] = apply;
        if (apply) {
          const n = rows * op.dim;
          kernels.dropoutMask(buffers.mask, n, op.rate, dropout);
          kernels.multiply(current, buffers.mask, n, buffers.dropped);
          current = buffers.dropped;
        }
      }
    }
    this.output = current;
    this.rows = rows;
    return current;
  }

  /** Σ loss of the last forward pass against `target` (no gradients); `posWeight` as in `lossSum` (BCE). */
  loss(kind: LossKind, posWeight = 1): number {
    const fused = kind === 'bce' && this.plan.endsWithSigmoid;
    const n = this.rows * this.plan.outputDim;
    if (kind === 'mse') return this.kernels.mseLoss(this.output, this.targets(), n, null);
    return lossSum(kind, fused, fused ? this.finalLogits() : this.output, this.targets(), n, null, posWeight);
  }

  /**
   * Back-propagates Σ loss of the last forward pass (the gradients are sums over rows, not means) into
   * the workspace's gradient buffers, which it overwrites. Returns Σ loss. `posWeight` as in `lossSum` (BCE).
   */
  backward(kind: LossKind, posWeight = 1): number {
    const { kernels, plan, rows } = this;
    const ops = plan.ops;
    const fused = kind === 'bce' && plan.endsWithSigmoid;
    let delta = this.deltaA;
    let spare = this.deltaB;
    let last = ops.length - 1;
    const n = rows * plan.outputDim;
    const sum =
      kind === 'mse'
        ? kernels.mseLoss(this.output, this.targets(), n, delta)
        : lossSum(kind, fused, fused ? this.finalLogits() : this.output, this.targets(), n, delta, posWeight);
    // With BCE fused onto a final sigmoid, delta is already ∂L/∂logits: skip the sigmoid's derivative.
    let skipActivation = false;
    if (fused) {
      if (ops[last]!.kind === 'activation') last -= 1;
      else skipActivation = true;
    }

    for (let i = last; i >= 0; i--) {
      const op = ops[i]!;
      const buffers = this.ops[i]!;
      if (op.kind === 'dense') {
        if (op.activation !== 'none' && !(skipActivation && i === last)) {
          kernels.activationBackward(op.activation, buffers.output, delta, rows * op.outDim);
        }
        const needInputGradient = i > this.firstDense;
        kernels.denseBackward(
          this.opInputs[i]!,
          rows,
          op.inDim,
          buffers.weight,
          op.outDim,
          delta,
          buffers.weightGrad,
          buffers.biasGrad,
          needInputGradient ? spare : null,
        );
        if (!needInputGradient) break;
        const swap = delta;
        delta = spare;
        spare = swap;
      } else if (op.kind === 'activation') {
        kernels.activationBackward(op.fn, buffers.output, delta, rows * op.dim);
      } else if (this.dropoutApplied[i]) {
        kernels.multiply(delta, buffers.mask, rows * op.dim, delta);
      }
    }
    return sum;
  }

  /** Copies the gradients of the last `backward` into a flat vector laid out like the parameters. */
  writeGradients(dest: Float64Array): void {
    const ops = this.plan.ops;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.kind !== 'dense') continue;
      dest.set(this.ops[i]!.weightGrad, op.weightOffset);
      dest.set(this.ops[i]!.biasGrad, op.biasOffset);
    }
  }

  /** The dropout masks of the last forward pass (for tests): the multiplier per element, 0 or 1/(1−rate). */
  dropoutMask(opIndex: number): Vec | null {
    return this.dropoutApplied[opIndex] ? this.ops[opIndex]!.mask : null;
  }

  private targets(): Vec {
    return this.targetIsInput ? this.input : this.target;
  }

  private finalLogits(): Vec {
    const last = this.plan.ops.length - 1;
    const op = this.plan.ops[last]!;
    return op.kind === 'dense' ? this.ops[last]!.logits : this.opInputs[last]!;
  }
}
