/**
 * Entry point of a gradient worker thread. It builds its workspace once, reports `ready`, then serves steps
 * dispatched through the shared control block until told to stop. A failure is posted as a message (with
 * its error code) and flagged in the control block before the worker leaves, so the epoch fails fast.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isCardwatchError, describeError } from '../util/errors.js';
import { GradientStep } from './gradient-step.js';
import type { WorkerInit, WorkerMessage } from './pool-protocol.js';
import { COMMAND_STOP, CONTROL } from './pool-protocol.js';
import { compilePlan } from './spec.js';

function post(message: WorkerMessage): void {
  parentPort?.postMessage(message);
}

function serve(init: WorkerInit): void {
  const size = compilePlan(init.spec).parameterCount;
  const step = new GradientStep(init, {
    x: init.x,
    target: init.target,
    perm: init.perm,
    params: init.params,
    grads: init.grads.subarray(init.worker * size, (init.worker + 1) * size),
    losses: init.losses,
  });
  const control = init.control;
  let seen = Atomics.load(control, CONTROL.GENERATION);
  post({ type: 'ready' });
  for (;;) {
    Atomics.wait(control, CONTROL.GENERATION, seen);
    const generation = Atomics.load(control, CONTROL.GENERATION);
    if (generation === seen) continue;
    seen = generation;
    if (Atomics.load(control, CONTROL.COMMAND) === COMMAND_STOP) return;
    let failed = false;
    try {
      step.run(
        control[CONTROL.EPOCH]!,
        control[CONTROL.STEP]!,
        control[CONTROL.BATCH_START]!,
        control[CONTROL.BATCH_ROWS]!,
      );
    } catch (error) {
      failed = true;
      post({
        type: 'error',
        code: isCardwatchError(error) ? error.code : 'INTERNAL',
        message: describeError(error),
      });
      Atomics.store(control, CONTROL.STATUS + init.worker, 1);
    }
    if (Atomics.sub(control, CONTROL.PENDING, 1) === 1) Atomics.notify(control, CONTROL.PENDING);
    if (failed) return;
  }
}

serve(workerData as WorkerInit);
