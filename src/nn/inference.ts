/** Inference (dropout off): predictions, mean loss and per-row reconstruction errors, in bounded memory. */
import { CardwatchError } from '../util/errors.js';
import { checkFinite, checkMatrix } from './checks.js';
import type { Vec } from './kernels.js';
import type { LossKind, NetworkSpec, Plan } from './spec.js';
import { checkParameters, compilePlan } from './spec.js';
import { Workspace } from './workspace.js';

/** Rows per forward pass: bounds the activation buffers (a few MB) whatever the input size. */
export const PREDICT_CHUNK_ROWS = 4096;

function prepare(spec: NetworkSpec, params: Float32Array, x: Float32Array, rows: number): Plan {
  const plan = compilePlan(spec);
  checkParameters(plan, params);
  checkMatrix(x, rows, plan.inputDim, 'x');
  checkFinite(x, plan.inputDim, 'x');
  return plan;
}

/**
 * One workspace per plan and thread, reused across calls: creating one (with the WebAssembly kernels, an
 * instance and its memory) costs several hundred microseconds, far more than predicting a few rows. The
 * calls are synchronous, so a workspace is never in use twice at once. It holds at most PREDICT_CHUNK_ROWS
 * rows (a few MB) and lives as long as the spec object.
 */
const workspaces = new WeakMap<Plan, Workspace>();

/** A workspace of `plan` for at least `rows` rows (≤ PREDICT_CHUNK_ROWS), loaded with `params`. */
function workspaceFor(plan: Plan, rows: number, params: Float32Array): Workspace {
  let workspace = workspaces.get(plan);
  if (workspace === undefined || workspace.maxRows < rows) {
    // Sizes in powers of two, so that slowly growing requests do not rebuild it each time.
    workspace = new Workspace(plan, Math.min(PREDICT_CHUNK_ROWS, 2 ** Math.ceil(Math.log2(rows))));
    workspaces.set(plan, workspace);
  }
  workspace.loadParameters(params);
  return workspace;
}

/**
 * Runs the network over `rows` rows of x in chunks of `chunkRows`, calling `visit` with each chunk's first
 * row, size and output (valid until the next chunk).
 */
function forEachChunk(
  workspace: Workspace,
  chunkRows: number,
  x: Float32Array,
  rows: number,
  visit: (first: number, count: number, output: Vec) => void,
): void {
  const inputDim = workspace.plan.inputDim;
  for (let first = 0; first < rows; first += chunkRows) {
    const count = Math.min(chunkRows, rows - first);
    workspace.input.set(x.subarray(first * inputDim, (first + count) * inputDim));
    visit(first, count, workspace.forward(count, null));
  }
}

/** `predict` with an explicit chunk size (exported for the chunking test). */
export function predictInChunks(
  spec: NetworkSpec,
  params: Float32Array,
  x: Float32Array,
  rows: number,
  chunkRows: number,
): Float32Array {
  const plan = prepare(spec, params, x, rows);
  const result = new Float32Array(rows * plan.outputDim);
  const chunk = Math.max(1, Math.min(chunkRows, rows, PREDICT_CHUNK_ROWS));
  const workspace = workspaceFor(plan, chunk, params);
  const dim = plan.outputDim;
  forEachChunk(workspace, chunk, x, rows, (first, count, output) => {
    result.set(output.subarray(0, count * dim), first * dim);
  });
  return result;
}

/**
 * The network's output for `rows` rows of `x` (row-major, rows × inputDim), in inference mode (dropout
 * off): rows × outputDim. Processes PREDICT_CHUNK_ROWS rows at a time to bound memory.
 * @throws CardwatchError SHAPE_MISMATCH (wrong lengths), DATA_INVALID (non-finite input).
 */
export function predict(
  spec: NetworkSpec,
  params: Float32Array,
  x: Float32Array,
  rows: number,
): Float32Array {
  return predictInChunks(spec, params, x, rows, PREDICT_CHUNK_ROWS);
}

/**
 * Mean loss over all rows × outputDim elements in inference mode (dropout off), computed like training
 * (BCE from logits when the network ends with a sigmoid; `posWeight` weighs BCE's positive term).
 */
export function lossValue(
  spec: NetworkSpec,
  params: Float32Array,
  x: Float32Array,
  target: Float32Array,
  rows: number,
  loss: LossKind,
  posWeight = 1,
): number {
  const plan = prepare(spec, params, x, rows);
  checkMatrix(target, rows, plan.outputDim, 'target');
  checkFinite(target, plan.outputDim, 'target');
  if (loss !== 'mse' && loss !== 'bce') {
    throw new CardwatchError('INVALID_INPUT', `loss must be "mse" or "bce", got ${String(loss)}`);
  }
  if (rows === 0) throw new CardwatchError('DATA_INVALID', 'cannot compute a mean loss over zero rows');
  const chunk = Math.min(PREDICT_CHUNK_ROWS, rows);
  const workspace = workspaceFor(plan, chunk, params);
  const dim = plan.outputDim;
  let sum = 0;
  forEachChunk(workspace, chunk, x, rows, (first, count) => {
    workspace.target.set(target.subarray(first * dim, (first + count) * dim));
    sum += workspace.loss(loss, posWeight);
  });
  return sum / (rows * dim);
}

/**
 * Squared errors of outputs against targets: per element ([rows × dim]) and their mean per row ([rows]),
 * the autoencoder's anomaly score and its per-feature explanation.
 * @example rowSquaredErrors(new Float32Array([1, 2]), new Float32Array([0, 0]), 1, 2)
 * // { perRow: [2.5], perFeature: [1, 4] }
 */
export function rowSquaredErrors(
  output: Float32Array,
  target: Float32Array,
  rows: number,
  dim: number,
): { perRow: Float32Array; perFeature: Float32Array } {
  if (!(Number.isInteger(dim) && dim > 0)) {
    throw new CardwatchError('SHAPE_MISMATCH', `dim must be a positive integer, got ${String(dim)}`);
  }
  checkMatrix(output, rows, dim, 'output');
  checkMatrix(target, rows, dim, 'target');
  const perFeature = new Float32Array(rows * dim);
  const perRow = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < dim; c++) {
      const i = r * dim + c;
      const d = output[i]! - target[i]!;
      perFeature[i] = d * d;
      sum += d * d;
    }
    perRow[r] = sum / dim;
  }
  return { perRow, perFeature };
}
