/**
 * Preallocated buffers and the forward/backward pass of one network for up to `maxRows` rows. A workspace
 * is created once per worker (or per predict call) and reused for every batch, so a training step
 * allocates nothing.
 */
import type { Prng } from '../util/prng.js';
import type { Kernels, Vec } from './kernels.js';
import { allocVec } from './kernels.js';
import { lossSum } from './loss.js';
import type { LossKind, Plan } from './spec.js';

const EMPTY = allocVec(0);
const TWO_POW_32 = 4294967296;

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
  private readonly weights: Vec[];
  private readonly biases: Vec[];
  private readonly weightGrads: Vec[];
  private readonly biasGrads: Vec[];
  /** Output of each op (EMPTY for dropout ops, whose output is allocated separately in `dropped`). */
  private readonly outputs: Vec[];
  /** Pre-activation of dense ops followed by a sigmoid (the logits BCE needs). */
  private readonly logits: Vec[];
  private readonly masks: Vec[];
  private readonly dropped: Vec[];
  /** Input buffer of each op during the last forward pass (references, no copies). */
  private readonly opInputs: Vec[];
  private readonly dropoutApplied: boolean[];
  private readonly firstDense: number;
  private deltaA: Vec;
  private deltaB: Vec;
  private output: Vec = EMPTY;
  private rows = 0;

  constructor(plan: Plan, maxRows: number, kernels: Kernels) {
    this.plan = plan;
    this.maxRows = maxRows;
    this.kernels = kernels;
    this.input = allocVec(maxRows * plan.inputDim);
    this.target = allocVec(maxRows * plan.outputDim);
    const sized = (dim: number): Vec => allocVec(maxRows * dim);
    this.weights = [];
    this.biases = [];
    this.weightGrads = [];
    this.biasGrads = [];
    this.outputs = [];
    this.logits = [];
    this.masks = [];
    this.dropped = [];
    this.opInputs = [];
    this.dropoutApplied = [];
    for (const op of plan.ops) {
      const dense = op.kind === 'dense';
      this.weights.push(dense ? allocVec(op.inDim * op.outDim) : EMPTY);
      this.biases.push(dense ? allocVec(op.outDim) : EMPTY);
      this.weightGrads.push(dense ? allocVec(op.inDim * op.outDim) : EMPTY);
      this.biasGrads.push(dense ? allocVec(op.outDim) : EMPTY);
      this.outputs.push(dense ? sized(op.outDim) : op.kind === 'activation' ? sized(op.dim) : EMPTY);
      this.logits.push(dense && op.activation === 'sigmoid' ? sized(op.outDim) : EMPTY);
      const dropout = op.kind === 'dropout' && op.rate > 0;
      this.masks.push(dropout ? sized(op.dim) : EMPTY);
      this.dropped.push(dropout ? sized(op.dim) : EMPTY);
      this.opInputs.push(EMPTY);
      this.dropoutApplied.push(false);
    }
    this.firstDense = plan.ops.findIndex((op) => op.kind === 'dense');
    this.deltaA = sized(plan.maxDim);
    this.deltaB = sized(plan.maxDim);
  }

  /** Copies the flat parameter vector into the kernel buffers. */
  loadParameters(params: Float32Array): void {
    const ops = this.plan.ops;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.kind !== 'dense') continue;
      const weight = this.weights[i]!;
      const bias = this.biases[i]!;
      for (let j = 0; j < weight.length; j++) weight[j] = params[op.weightOffset + j]!;
      for (let j = 0; j < bias.length; j++) bias[j] = params[op.biasOffset + j]!;
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
      this.opInputs[i] = current;
      if (op.kind === 'dense') {
        const out = this.outputs[i]!;
        if (op.activation === 'sigmoid') {
          const z = this.logits[i]!;
          kernels.denseForward(
            current,
            rows,
            op.inDim,
            this.weights[i]!,
            this.biases[i]!,
            op.outDim,
            'none',
            z,
          );
          kernels.activationForward('sigmoid', z, rows * op.outDim, out);
        } else {
          kernels.denseForward(
            current,
            rows,
            op.inDim,
            this.weights[i]!,
            this.biases[i]!,
            op.outDim,
            op.activation,
            out,
          );
        }
        current = out;
      } else if (op.kind === 'activation') {
        const out = this.outputs[i]!;
        kernels.activationForward(op.fn, current, rows * op.dim, out);
        current = out;
      } else {
        const apply = dropout !== null && op.rate > 0;
        this.dropoutApplied[i] = apply;
        if (apply) {
          const n = rows * op.dim;
          fillDropoutMask(this.masks[i]!, n, op.rate, dropout);
          const out = this.dropped[i]!;
          kernels.multiply(current, this.masks[i]!, n, out);
          current = out;
        }
      }
    }
    this.output = current;
    this.rows = rows;
    return current;
  }

  /** Σ loss of the last forward pass against `target` (no gradients). */
  loss(kind: LossKind): number {
    const fused = kind === 'bce' && this.plan.endsWithSigmoid;
    const n = this.rows * this.plan.outputDim;
    return lossSum(kind, fused, fused ? this.finalLogits() : this.output, this.targets(), n, null);
  }

  /**
   * Back-propagates Σ loss of the last forward pass (the gradients are sums over rows, not means) into
   * the workspace's gradient buffers, which it overwrites. Returns Σ loss.
   */
  backward(kind: LossKind): number {
    const { kernels, plan, rows } = this;
    const ops = plan.ops;
    const fused = kind === 'bce' && plan.endsWithSigmoid;
    let delta = this.deltaA;
    let spare = this.deltaB;
    let last = ops.length - 1;
    const n = rows * plan.outputDim;
    const sum = lossSum(kind, fused, fused ? this.finalLogits() : this.output, this.targets(), n, delta);
    // With BCE fused onto a final sigmoid, delta is already ∂L/∂logits: skip the sigmoid's derivative.
    let skipActivation = false;
    if (fused) {
      if (ops[last]!.kind === 'activation') last -= 1;
      else skipActivation = true;
    }
    for (const g of this.weightGrads) g.fill(0);
    for (const g of this.biasGrads) g.fill(0);

    for (let i = last; i >= 0; i--) {
      const op = ops[i]!;
      if (op.kind === 'dense') {
        if (op.activation !== 'none' && !(skipActivation && i === last)) {
          kernels.activationBackward(op.activation, this.outputs[i]!, delta, rows * op.outDim);
        }
        const needInputGradient = i > this.firstDense;
        kernels.denseBackward(
          this.opInputs[i]!,
          rows,
          op.inDim,
          this.weights[i]!,
          op.outDim,
          delta,
          this.weightGrads[i]!,
          this.biasGrads[i]!,
          needInputGradient ? spare : null,
        );
        if (!needInputGradient) break;
        const swap = delta;
        delta = spare;
        spare = swap;
      } else if (op.kind === 'activation') {
        kernels.activationBackward(op.fn, this.outputs[i]!, delta, rows * op.dim);
      } else if (this.dropoutApplied[i]) {
        kernels.multiply(delta, this.masks[i]!, rows * op.dim, delta);
      }
    }
    return sum;
  }

  /** Copies the gradients of the last `backward` into a flat vector laid out like the parameters. */
  writeGradients(dest: Float64Array): void {
    this.plan.ops.forEach((op, i) => {
      if (op.kind !== 'dense') return;
      dest.set(this.weightGrads[i]!, op.weightOffset);
      dest.set(this.biasGrads[i]!, op.biasOffset);
    });
  }

  /** The dropout masks of the last forward pass (for tests): the multiplier per element, 0 or 1/(1−rate). */
  dropoutMask(opIndex: number): Vec | null {
    return this.dropoutApplied[opIndex] ? this.masks[opIndex]! : null;
  }

  private targets(): Vec {
    return this.targetIsInput ? this.input : this.target;
  }

  private finalLogits(): Vec {
    const last = this.plan.ops.length - 1;
    const op = this.plan.ops[last]!;
    return op.kind === 'dense' ? this.logits[last]! : this.opInputs[last]!;
  }
}

/**
 * Inverted dropout: keep with probability 1−rate (one 32-bit draw per element), scale kept values by
 * 1/(1−rate). The draws are sfc32 (the algorithm of util/prng) seeded from `prng`, run here with its state
 * in local variables: calling the PRNG object per element cost about a tenth of an epoch.
 */
function fillDropoutMask(mask: Vec, n: number, rate: number, prng: Prng): void {
  const threshold = rate * TWO_POW_32;
  const scale = Math.fround(1 / (1 - rate));
  let a = prng.nextUint32();
  let b = prng.nextUint32();
  let c = prng.nextUint32();
  let d = prng.nextUint32();
  for (let i = 0; i < n; i++) {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    mask[i] = t >= threshold ? scale : 0;
  }
}
