/**
 * Data-parallel mini-batch training with Adam. Each batch is split into contiguous slices, one per worker;
 * every worker leaves Σ gradient over its slice in its own buffer; the main thread adds the buffers in
 * worker order (a fixed order, so the same seed, data and worker count give bit-identical weights), divides
 * by the batch's element count, and applies Adam. Worker 0's slice is always computed on the main thread;
 * workers 1 … W−1 are threads.
 */
import { CardwatchError } from '../util/errors.js';
import { Adam } from './adam.js';
import { checkFinite, checkMatrix, checkUnitInterval } from './checks.js';
import type { StepBuffers } from './gradient-step.js';
import { GradientStep } from './gradient-step.js';
import type { WorkerInit } from './pool-protocol.js';
import { controlLength } from './pool-protocol.js';
import type { LossKind, NetworkSpec, Plan } from './spec.js';
import { checkParameters, compilePlan } from './spec.js';
import { shufflePrng } from './streams.js';
import { WorkerPool } from './worker-pool.js';

export interface TrainerOptions {
  spec: NetworkSpec;
  loss: LossKind;
  lr: number;
  weightDecay: number;
  /** Adam's (β1, β2); default (0.9, 0.999) like PyTorch. */
  betas?: [number, number];
  /** Default 1e-8 like PyTorch. */
  eps?: number;
  batchSize: number;
  workers: number;
  seed: number;
  /** Default true: a seeded permutation per epoch; false = rows in order. */
  shuffle?: boolean;
  /**
   * BCE only: weight of the positive (target 1) term, as PyTorch's `pos_weight` (default 1 = unweighted).
   * Class weighting for rare positives without repeating rows.
   */
  posWeight?: number;
}

/** Training rows; `target` is rows × outputDim (for an autoencoder pass target = x). */
export interface TrainingData {
  x: Float32Array;
  target: Float32Array;
  rows: number;
}

export interface EpochResult {
  /** Mean training loss over the epoch's batches, weighted by batch rows. */
  loss: number;
  rows: number;
  seconds: number;
  /** The mean loss of each batch, before its update (what PyTorch's `loss.item()` reports). */
  stepLosses: number[];
}

export interface Trainer {
  /** One pass over the data. Rejects (never hangs) if a worker fails; the trainer is then unusable. */
  epoch(onProgress?: (rowsDone: number, total: number) => void): Promise<EpochResult>;
  /** A copy of the current parameters. */
  parameters(): Float32Array;
  /** Replaces the parameters (Adam's moments and step count are kept). */
  setParameters(params: Float32Array): void;
  /** Terminates the workers; idempotent. */
  close(): Promise<void>;
}

/** What computes the per-worker gradient sums of a step: the main thread alone, or with worker threads. */
interface StepBackend {
  run(epoch: number, step: number, batchStart: number, batchRows: number): Promise<void>;
  setActive(active: boolean): void;
  close(): Promise<void>;
}

/** Longest stretch of an epoch without yielding to the event loop. */
const YIELD_MS = 20;

function invalid(message: string): CardwatchError {
  return new CardwatchError('INVALID_INPUT', message);
}

function checkOptions(options: TrainerOptions): Required<TrainerOptions> {
  const { lr, weightDecay, batchSize, workers, seed, loss } = options;
  const betas = options.betas ?? [0.9, 0.999];
  const eps = options.eps ?? 1e-8;
  const shuffle = options.shuffle ?? true;
  const posWeight = options.posWeight ?? 1;
  if (loss !== 'mse' && loss !== 'bce') throw invalid(`loss must be "mse" or "bce", got ${String(loss)}`);
  if (!(Number.isFinite(posWeight) && posWeight > 0)) {
    throw invalid(`posWeight must be a finite number > 0, got ${posWeight}`);
  }
  if (loss === 'mse' && posWeight !== 1) {
    throw invalid(`posWeight weighs the positive class of binary cross-entropy; loss "mse" takes none`);
  }
  if (!(Number.isFinite(lr) && lr > 0)) throw invalid(`lr must be a finite number > 0, got ${lr}`);
  if (!(Number.isFinite(weightDecay) && weightDecay >= 0)) {
    throw invalid(`weightDecay must be a finite number >= 0, got ${weightDecay}`);
  }
  if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => b >= 0 && b < 1)) {
    throw invalid(`betas must be two numbers in [0, 1), got ${JSON.stringify(betas)}`);
  }
  if (!(Number.isFinite(eps) && eps > 0)) throw invalid(`eps must be a finite number > 0, got ${eps}`);
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw invalid(`batchSize must be a positive integer, got ${batchSize}`);
  }
  if (!(Number.isInteger(workers) && workers > 0)) {
    throw invalid(`workers must be a positive integer, got ${workers}`);
  }
  if (!Number.isInteger(seed)) throw invalid(`seed must be an integer, got ${seed}`);
  if (typeof shuffle !== 'boolean') throw invalid(`shuffle must be a boolean, got ${String(shuffle)}`);
  return { ...options, betas, eps, shuffle, posWeight };
}

function checkData(plan: Plan, loss: LossKind, data: TrainingData): void {
  if (!(Number.isInteger(data.rows) && data.rows > 0)) {
    throw new CardwatchError('DATA_INVALID', `training data needs at least one row, got ${data.rows}`);
  }
  checkMatrix(data.x, data.rows, plan.inputDim, 'training x');
  checkMatrix(data.target, data.rows, plan.outputDim, 'training target');
  checkFinite(data.x, plan.inputDim, 'training x');
  if (data.target !== data.x) checkFinite(data.target, plan.outputDim, 'training target');
  if (loss === 'bce') checkUnitInterval(data.target, plan.outputDim, 'training target');
}

/** A copy of `values` in shared memory, or `values` itself when it already lives there. */
function shared(values: Float32Array): Float32Array {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const copy = new Float32Array(new SharedArrayBuffer(values.byteLength));
  copy.set(values);
  return copy;
}

class InlineBackend implements StepBackend {
  private readonly step: GradientStep;

  constructor(step: GradientStep) {
    this.step = step;
  }

  async run(epoch: number, step: number, batchStart: number, batchRows: number): Promise<void> {
    this.step.run(epoch, step, batchStart, batchRows);
  }

  setActive(): void {}

  async close(): Promise<void> {}
}

class DataParallelTrainer implements Trainer {
  private readonly options: Required<TrainerOptions>;
  private readonly plan: Plan;
  private readonly rows: number;
  private readonly buffers: StepBuffers;
  private readonly backend: StepBackend;
  private readonly adam: Adam;
  private readonly meanGrad: Float64Array;
  private epochIndex = 0;
  private running = false;
  private closed = false;
  private failure: unknown = null;

  constructor(
    options: Required<TrainerOptions>,
    plan: Plan,
    rows: number,
    buffers: StepBuffers,
    backend: StepBackend,
  ) {
    this.options = options;
    this.plan = plan;
    this.rows = rows;
    this.buffers = buffers;
    this.backend = backend;
    this.adam = new Adam(plan.parameterCount, {
      lr: options.lr,
      betas: options.betas,
      eps: options.eps,
      weightDecay: options.weightDecay,
    });
    this.meanGrad = new Float64Array(plan.parameterCount);
  }

  async epoch(onProgress?: (rowsDone: number, total: number) => void): Promise<EpochResult> {
    if (this.closed) throw invalid('the trainer is closed');
    if (this.failure !== null) throw this.failure;
    if (this.running) throw invalid('an epoch is already running on this trainer');
    this.running = true;
    this.backend.setActive(true);
    try {
      return await this.runEpoch(onProgress);
    } catch (error) {
      if (!this.closed) this.failure = error;
      throw error;
    } finally {
      this.running = false;
      this.backend.setActive(false);
    }
  }

  private async runEpoch(onProgress?: (rowsDone: number, total: number) => void): Promise<EpochResult> {
    const started = performance.now();
    const { batchSize, workers, shuffle, seed } = this.options;
    const { perm, grads, losses, params } = this.buffers;
    const size = this.plan.parameterCount;
    const epoch = this.epochIndex;
    for (let i = 0; i < this.rows; i++) perm[i] = i;
    if (shuffle) shufflePrng(seed, epoch).shuffle(perm);

    const stepLosses: number[] = [];
    let weighted = 0;
    let yielded = performance.now();
    const steps = Math.ceil(this.rows / batchSize);
    for (let step = 0; step < steps; step++) {
      const batchStart = step * batchSize;
      const batchRows = Math.min(batchSize, this.rows - batchStart);
      await this.backend.run(epoch, step, batchStart, batchRows);
      // Fixed-order reduction: worker 0's sum, then worker 1's, … (never in completion order). One pass:
      // the workers wait while the main thread reduces and updates.
      const elements = batchRows * this.plan.outputDim;
      const meanGrad = this.meanGrad;
      for (let j = 0; j < size; j++) {
        let sum = grads[j]!;
        for (let w = 1; w < workers; w++) sum += grads[w * size + j]!;
        meanGrad[j] = sum / elements;
      }
      let lossSum = 0;
      for (let w = 0; w < workers; w++) lossSum += losses[w]!;
      const loss = lossSum / elements;
      this.adam.update(params, meanGrad);
      stepLosses.push(loss);
      weighted += loss * batchRows;
      onProgress?.(batchStart + batchRows, this.rows);
      // Steps run on the main thread (worker 0's slice) and may settle without ever leaving the microtask
      // queue: yield now and then so that timers, progress output and signals are served during a long
      // epoch. Not at every step: a yield costs about as much as a small step's reduction and update.
      if (performance.now() - yielded >= YIELD_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        yielded = performance.now();
      }
    }
    this.epochIndex += 1;
    return {
      loss: weighted / this.rows,
      rows: this.rows,
      seconds: (performance.now() - started) / 1000,
      stepLosses,
    };
  }

  parameters(): Float32Array {
    return this.buffers.params.slice();
  }

  setParameters(params: Float32Array): void {
    if (this.running) throw invalid('cannot set parameters while an epoch is running');
    checkParameters(this.plan, params);
    checkFinite(params, params.length, 'parameters');
    this.buffers.params.set(params);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.backend.close();
  }
}

/**
 * Creates a trainer starting from `initial` parameters. The main thread computes one worker's share of
 * each step; with `workers` > 1 it starts `workers` − 1 threads for the others (call `close()` when done)
 * and copies the data into shared memory unless it already lives in a SharedArrayBuffer; with one worker it
 * reads `data` in place (do not modify it while training). Either way an epoch keeps the main thread busy,
 * yielding to the event loop every few tens of milliseconds.
 * @throws CardwatchError INVALID_INPUT (options), SHAPE_MISMATCH / DATA_INVALID (data or parameters).
 * @example
 * const trainer = await createTrainer({ spec, loss: 'mse', lr: 1e-3, weightDecay: 1e-5, batchSize: 1024,
 *   workers: 2, seed: 42 }, { x, target: x, rows }, initParameters(spec, 42));
 * const { loss } = await trainer.epoch(); await trainer.close();
 */
export async function createTrainer(
  options: TrainerOptions,
  data: TrainingData,
  initial: Float32Array,
): Promise<Trainer> {
  const plan = compilePlan(options.spec);
  const checked = checkOptions(options);
  checkData(plan, checked.loss, data);
  checkParameters(plan, initial, 'initial parameters');
  checkFinite(initial, initial.length, 'initial parameters');
  const { workers } = checked;
  const size = plan.parameterCount;

  if (workers === 1) {
    const buffers: StepBuffers = {
      x: data.x,
      target: data.target,
      perm: new Uint32Array(data.rows),
      params: initial.slice(),
      grads: new Float64Array(size),
      losses: new Float64Array(1),
    };
    const step = new GradientStep({ ...checked, worker: 0 }, buffers);
    return new DataParallelTrainer(checked, plan, data.rows, buffers, new InlineBackend(step));
  }

  const x = shared(data.x);
  const target = data.target === data.x ? x : shared(data.target);
  const params = new Float32Array(new SharedArrayBuffer(size * 4));
  params.set(initial);
  const buffers: StepBuffers = {
    x,
    target,
    perm: new Uint32Array(new SharedArrayBuffer(data.rows * 4)),
    params,
    grads: new Float64Array(new SharedArrayBuffer(workers * size * 8)),
    losses: new Float64Array(new SharedArrayBuffer(workers * 8)),
  };
  const control = new Int32Array(new SharedArrayBuffer(controlLength(workers) * 4));
  // Worker 0's slice runs on the main thread (see worker-pool.ts); threads compute workers 1 … W−1.
  const inline = new GradientStep(
    { ...checked, worker: 0 },
    { ...buffers, grads: buffers.grads.subarray(0, size) },
  );
  const inits: WorkerInit[] = Array.from({ length: workers - 1 }, (_, thread) => ({
    spec: checked.spec,
    loss: checked.loss,
    seed: checked.seed,
    workers,
    worker: thread + 1,
    batchSize: checked.batchSize,
    posWeight: checked.posWeight,
    x,
    target,
    perm: buffers.perm,
    params,
    grads: buffers.grads,
    losses: buffers.losses,
    control,
  }));
  const pool = await WorkerPool.start(inits, inline, control);
  return new DataParallelTrainer(checked, plan, data.rows, buffers, pool);
}
