/**
 * The gradient workers of one trainer: worker 0's slice runs on the main thread, workers 1 … W−1 are
 * threads. The main thread computes a slice rather than sleeping while W threads compute: on a W-core
 * machine that is W busy threads instead of W + 1 (the main thread also reduces and updates between
 * steps), one isolate less (about 9 MB of RSS with 2 workers), and a synchronous wait for the others
 * (measured: a 17 µs round trip, against 25 µs through Atomics.waitAsync and the event loop).
 *
 * Steps are dispatched through a shared control block (Atomics.notify wakes the threads; no structured-clone
 * message per step). After its own slice the main thread waits for the others with Atomics.wait, bounded in
 * time, then with Atomics.waitAsync so that its event loop runs and a crashed thread is noticed. Any worker
 * failure rejects the running step with a clear error and tears the pool down; nothing hangs.
 */
import type { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../util/errors.js';
import { CardwatchError, ERROR_CODES, describeError } from '../util/errors.js';
import { spawnWorkerBeside } from '../util/spawn-worker.js';
import type { GradientStep } from './gradient-step.js';
import type { WorkerInit, WorkerMessage } from './pool-protocol.js';
import { COMMAND_STEP, COMMAND_STOP, CONTROL } from './pool-protocol.js';

/**
 * How long the main thread waits synchronously for the other workers after its own slice. A step's slices
 * take about the same time, so the others are normally a fraction of a millisecond behind. Past this bound
 * (a thread that died without signalling, or a very large step) the wait continues asynchronously, where
 * a failure is noticed and the event loop runs.
 */
const SYNC_WAIT_MS = 50;

type WaitAsyncResult = { async: false; value: string } | { async: true; value: Promise<string> };
type WaitAsync = (array: Int32Array, index: number, value: number) => WaitAsyncResult;

/** Atomics.waitAsync (Node ≥ 16) is ES2024, newer than the project's `lib`. */
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

function toCode(code: string): ErrorCode {
  return Object.hasOwn(ERROR_CODES, code) ? (code as ErrorCode) : 'INTERNAL';
}

export class WorkerPool {
  private readonly workers: Worker[];
  /** Worker 0's slice, computed on the main thread. */
  private readonly inline: GradientStep;
  /** The worker index of each thread (its status slot in the control block). */
  private readonly indices: number[];
  private readonly control: Int32Array;
  private readonly failed: Promise<never>;
  private rejectFailed: (error: Error) => void = () => {};
  private failure: Error | null = null;
  private stopping = false;
  private terminated: Promise<void> | null = null;

  private constructor(inits: readonly WorkerInit[], inline: GradientStep, control: Int32Array) {
    if (waitAsync === undefined) {
      throw new CardwatchError('INTERNAL', 'Atomics.waitAsync is missing: Node >= 20 is required');
    }
    this.inline = inline;
    this.indices = inits.map((init) => init.worker);
    this.control = control;
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    // Nobody may be awaiting when a worker dies between epochs; the failure is re-thrown on next use.
    this.failed.catch(() => {});
    this.workers = inits.map((init) => spawnWorkerBeside(import.meta.url, 'gradient-worker', init));
  }

  /**
   * Starts one thread per init (workers 1 … W−1; `inline` is worker 0, run on the main thread) and resolves
   * when all have built their workspaces. `control` is the control block the inits share.
   * @throws CardwatchError when a worker fails to start (the others are terminated).
   */
  static async start(
    inits: readonly WorkerInit[],
    inline: GradientStep,
    control: Int32Array,
  ): Promise<WorkerPool> {
    const pool = new WorkerPool(inits, inline, control);
    const ready = pool.workers.map(
      (worker, slot) =>
        new Promise<void>((resolve) => {
          worker.on('message', (message: WorkerMessage) => {
            if (message.type === 'ready') resolve();
            else pool.fail(new CardwatchError(toCode(message.code), message.message));
          });
          worker.on('error', (error: Error) => {
            pool.fail(
              new CardwatchError(
                'INTERNAL',
                `nn worker ${inits[slot]!.worker} crashed: ${describeError(error)}`,
                { cause: error },
              ),
            );
          });
          worker.on('exit', (code: number) => {
            if (pool.stopping) return;
            // Let an error message posted just before the exit arrive first: it says more.
            setImmediate(() =>
              pool.fail(
                new CardwatchError(
                  'INTERNAL',
                  `nn worker ${inits[slot]!.worker} exited unexpectedly (exit code ${code})`,
                ),
              ),
            );
          });
        }),
    );
    try {
      await Promise.race([Promise.all(ready), pool.failed]);
    } catch (error) {
      await pool.close();
      throw error;
    }
    pool.setActive(false);
    return pool;
  }

  /** Keeps the process alive while a step may be in flight (idle workers must not block process exit). */
  setActive(active: boolean): void {
    for (const worker of this.workers) {
      if (active) worker.ref();
      else worker.unref();
    }
  }

  /** Runs one step on every worker and resolves when all have written their gradient and loss sums. */
  async run(epoch: number, step: number, batchStart: number, batchRows: number): Promise<void> {
    if (this.failure !== null) throw this.failure;
    const control = this.control;
    control[CONTROL.EPOCH] = epoch;
    control[CONTROL.STEP] = step;
    control[CONTROL.BATCH_START] = batchStart;
    control[CONTROL.BATCH_ROWS] = batchRows;
    Atomics.store(control, CONTROL.COMMAND, COMMAND_STEP);
    Atomics.store(control, CONTROL.PENDING, this.workers.length);
    // The atomic bump publishes the plain writes above to the workers that observe it.
    Atomics.add(control, CONTROL.GENERATION, 1);
    Atomics.notify(control, CONTROL.GENERATION);
    let inlineError: unknown = null;
    try {
      this.inline.run(epoch, step, batchStart, batchRows);
    } catch (error) {
      inlineError = error;
    }
    // Even when the main thread's slice failed, wait for the threads: nobody must be writing the shared
    // buffers once the step has settled.
    const deadline = performance.now() + SYNC_WAIT_MS;
    for (;;) {
      const pending = Atomics.load(control, CONTROL.PENDING);
      if (pending === 0) break;
      const left = deadline - performance.now();
      if (left > 0) {
        Atomics.wait(control, CONTROL.PENDING, pending, left);
        continue;
      }
      const waited = waitAsync!(control, CONTROL.PENDING, pending);
      if (waited.async) await Promise.race([waited.value, this.failed]);
    }
    for (const worker of this.indices) {
      // A failed worker has posted its error: wait for it (the `failed` promise rejects with it).
      if (Atomics.load(control, CONTROL.STATUS + worker) !== 0) await this.failed;
    }
    if (inlineError !== null) {
      const error = inlineError instanceof Error ? inlineError : new Error(String(inlineError));
      this.fail(error);
      throw error;
    }
  }

  /** Stops and terminates the workers; idempotent. A step still running rejects. */
  close(): Promise<void> {
    this.fail(new CardwatchError('INVALID_INPUT', 'the trainer was closed'));
    return this.terminate();
  }

  private fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.rejectFailed(error);
    void this.terminate();
  }

  private terminate(): Promise<void> {
    if (this.terminated === null) {
      this.stopping = true;
      Atomics.store(this.control, CONTROL.COMMAND, COMMAND_STOP);
      Atomics.add(this.control, CONTROL.GENERATION, 1);
      Atomics.notify(this.control, CONTROL.GENERATION);
      this.terminated = Promise.all(this.workers.map((worker) => worker.terminate())).then(() => undefined);
    }
    return this.terminated;
  }
}
