/**
 * One worker's share of a training step: gather its contiguous slice of the batch, run forward and
 * backward, and leave Σ gradient and Σ loss over the slice in its own output slots. Used by the worker
 * threads and, with one worker, directly on the main thread.
 */
import type { Prng } from '../util/prng.js';
import { createJsKernels } from './kernels.js';
import type { LossKind, NetworkSpec } from './spec.js';
import { compilePlan } from './spec.js';
import { dropoutPrng } from './streams.js';
import { Workspace } from './workspace.js';

/** Memory a step reads and writes; in multi-worker training these are views of SharedArrayBuffers. */
export interface StepBuffers {
  /** Training inputs [rows][inputDim]. */
  readonly x: Float32Array;
  /** Training targets [rows][outputDim]. */
  readonly target: Float32Array;
  /** Row order of the current epoch: batch b holds perm[b·batchSize …]. */
  readonly perm: Uint32Array;
  readonly params: Float32Array;
  /** This worker's gradient sum, laid out like the parameters. */
  readonly grads: Float64Array;
  /** One Σ loss slot per worker. */
  readonly losses: Float64Array;
}

export interface StepConfig {
  readonly spec: NetworkSpec;
  readonly loss: LossKind;
  readonly seed: number;
  readonly workers: number;
  readonly worker: number;
  readonly batchSize: number;
}

/** Rows [start, end) of a batch of `batchRows` that worker `worker` of `workers` handles (contiguous slices). */
export function sliceBounds(batchRows: number, worker: number, workers: number): [number, number] {
  return [Math.floor((worker * batchRows) / workers), Math.floor(((worker + 1) * batchRows) / workers)];
}

/** Whether two arrays view the same memory (identity survives structured cloning into a worker). */
function sameView(a: Float32Array, b: Float32Array): boolean {
  return a === b || (a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length);
}

export class GradientStep {
  private readonly config: StepConfig;
  private readonly buffers: StepBuffers;
  private readonly workspace: Workspace;
  private readonly hasDropout: boolean;

  constructor(config: StepConfig, buffers: StepBuffers) {
    const plan = compilePlan(config.spec);
    this.config = config;
    this.buffers = buffers;
    this.hasDropout = plan.hasDropout;
    this.workspace = new Workspace(plan, Math.ceil(config.batchSize / config.workers), createJsKernels());
    this.workspace.targetIsInput = sameView(buffers.x, buffers.target);
  }

  /** Computes this worker's slice of the batch starting at `batchStart` in the epoch's row order. */
  run(epoch: number, step: number, batchStart: number, batchRows: number): void {
    const { config, buffers, workspace } = this;
    const [start, end] = sliceBounds(batchRows, config.worker, config.workers);
    const rows = end - start;
    if (rows === 0) {
      buffers.grads.fill(0);
      buffers.losses[config.worker] = 0;
      return;
    }
    const { inputDim, outputDim } = workspace.plan;
    const { x, target, perm } = buffers;
    const input = workspace.input;
    const goal = workspace.target;
    // Element loops rather than `set(subarray())`: no view objects allocated per row.
    for (let r = 0; r < rows; r++) {
      const row = perm[batchStart + start + r]!;
      const from = row * inputDim;
      const to = r * inputDim;
      for (let c = 0; c < inputDim; c++) input[to + c] = x[from + c]!;
      if (workspace.targetIsInput) continue;
      const fromT = row * outputDim;
      const toT = r * outputDim;
      for (let c = 0; c < outputDim; c++) goal[toT + c] = target[fromT + c]!;
    }
    workspace.loadParameters(buffers.params);
    const prng: Prng | null = this.hasDropout ? dropoutPrng(config.seed, epoch, step, config.worker) : null;
    workspace.forward(rows, prng);
    buffers.losses[config.worker] = workspace.backward(config.loss);
    workspace.writeGradients(buffers.grads);
  }
}
