/**
 * The contract between the worker pool (main thread) and the gradient workers: what a worker is started
 * with, the messages it may post, and the layout of the shared control block through which steps are
 * dispatched (Atomics.wait/notify on shared memory: no message per step).
 */
import type { LossKind, NetworkSpec } from './spec.js';

/** Indices into the shared Int32Array control block. */
export const CONTROL = {
  /** Bumped by the main thread to dispatch a command; workers wait on it. */
  GENERATION: 0,
  /** Workers still busy with the current step; the last one to finish notifies the main thread. */
  PENDING: 1,
  COMMAND: 2,
  EPOCH: 3,
  STEP: 4,
  BATCH_START: 5,
  BATCH_ROWS: 6,
  /** First of one status slot per worker: 0 fine, 1 failed (its error message follows by postMessage). */
  STATUS: 7,
} as const;

export const COMMAND_STEP = 1;
export const COMMAND_STOP = 2;

/** Length of the control block for `workers` workers. */
export function controlLength(workers: number): number {
  return CONTROL.STATUS + workers;
}

/** Everything a worker is started with; typed arrays here are views of SharedArrayBuffers. */
export interface WorkerInit {
  readonly spec: NetworkSpec;
  readonly loss: LossKind;
  readonly seed: number;
  readonly workers: number;
  readonly worker: number;
  readonly batchSize: number;
  /** BCE's positive-class weight (1 = unweighted). */
  readonly posWeight: number;
  readonly x: Float32Array;
  readonly target: Float32Array;
  readonly perm: Uint32Array;
  readonly params: Float32Array;
  /** All workers' gradient sums, [workers][parameterCount]; a worker writes only its own row. */
  readonly grads: Float64Array;
  readonly losses: Float64Array;
  readonly control: Int32Array;
}

export type WorkerMessage =
  { readonly type: 'ready' } | { readonly type: 'error'; readonly code: string; readonly message: string };
