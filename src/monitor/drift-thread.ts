/**
 * Drift reports computed on a worker thread, so the thread that answers requests stays free: a 10,000-row
 * window takes ~100 ms of statistics, a 100,000-row one several hundred, and in-process every request waits
 * that long. The request thread only packs the tables (no copy of the current window: its arrays are
 * transferred) and unpacks the finished report, a few kB.
 *
 * One long-lived worker, started on the first report. While idle it is unref'd (it never keeps the process
 * alive); while a report is being computed it is ref'd, like any pending I/O, so an awaited report is not cut
 * short by the process exiting under it. A worker that dies (crash, out of memory) fails the reports in
 * flight and is replaced by the next one; `close()` ends it.
 */
import type { Worker } from 'node:worker_threads';
import { spawnWorkerBeside } from '../util/spawn-worker.js';
import { CardwatchError, describeError } from '../util/errors.js';
import { packTable, reviveError, type DriftReply, type DriftRequest } from './drift-thread-protocol.js';
import type { DriftOptionsInput } from './preset.js';
import type { DriftInput } from './report.js';
import type { DriftReport } from './report-schema.js';

/** `computeDrift`'s input, with the key the worker caches the reference under. */
export interface DriftThreadInput extends DriftInput {
  /**
   * Names `reference` in the worker's cache (the model id): the table is sent the first time a worker sees the
   * key, and the worker keeps the latest one. The same key must always name the same table.
   */
  readonly referenceKey: string;
  /**
   * Copy the current table's arrays instead of moving them (default false: they are transferred, and the
   * caller's arrays are detached, length 0, once `compute` returns).
   */
  readonly keepCurrent?: boolean;
}

export interface DriftThread {
  /** `computeDrift(input, options)` on the worker; rejects with the error computeDrift would have thrown. */
  compute(input: DriftThreadInput, options?: DriftOptionsInput): Promise<DriftReport>;
  /** Ends the worker (if one runs); reports in flight reject with SHUTTING_DOWN. A later `compute` starts anew. */
  close(): Promise<void>;
}

export interface DriftThreadOptions {
  /** Starts a worker (tests inject one to watch or kill it); default: drift-worker beside this module. */
  readonly spawn?: () => Worker;
}

interface Running {
  readonly worker: Worker;
  /** The reference key this worker was last sent (its cache). */
  referenceKey: string | null;
  /** Set by close(): its exit is then expected, not a failure. */
  closing: boolean;
}

interface Pending {
  readonly running: Running;
  resolve(report: DriftReport): void;
  reject(error: Error): void;
}

export function startDriftThread(options: DriftThreadOptions = {}): DriftThread {
  const spawn = options.spawn ?? (() => spawnWorkerBeside(import.meta.url, 'drift-worker'));
  let running: Running | null = null;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  /** Rejects the reports in flight on `of`, and lets the process exit once nothing else waits. */
  function failAll(of: Running, error: Error): void {
    for (const [id, waiter] of pending) {
      if (waiter.running !== of) continue;
      pending.delete(id);
      waiter.reject(error);
    }
    settleRef(of);
  }

  /** Ref'd while it has reports in flight, unref'd while idle. */
  function settleRef(of: Running): void {
    for (const waiter of pending.values()) {
      if (waiter.running === of) {
        of.worker.ref();
        return;
      }
    }
    of.worker.unref();
  }

  function current(): Running {
    if (running !== null) return running;
    const worker = spawn();
    worker.unref();
    const started: Running = { worker, referenceKey: null, closing: false };
    worker.on('message', (reply: DriftReply) => {
      const waiter = pending.get(reply.id);
      if (waiter === undefined) return;
      pending.delete(reply.id);
      settleRef(started);
      if ('error' in reply) waiter.reject(reviveError(reply.error));
      else waiter.resolve(reply.report);
    });
    worker.on('error', (error) => {
      if (running === started) running = null;
      failAll(
        started,
        new CardwatchError('INTERNAL', `the drift worker thread failed: ${describeError(error)}`, {
          cause: error,
        }),
      );
    });
    worker.on('exit', (code) => {
      if (running === started) running = null;
      failAll(
        started,
        started.closing
          ? shuttingDown()
          : new CardwatchError(
              'INTERNAL',
              `the drift worker thread exited (code ${code}) before finishing the drift report; the next report starts a new one`,
            ),
      );
    });
    running = started;
    return started;
  }

  return {
    compute(input, driftOptions = {}) {
      return new Promise<DriftReport>((resolve, reject) => {
        const target = current();
        const id = nextId++;
        const transfer: ArrayBuffer[] = [];
        const { reference, current: window, referenceKey, keepCurrent, ...rest } = input;
        const sendReference = target.referenceKey !== referenceKey;
        const request: DriftRequest = {
          // The rest of DriftInput (sources, model version, window bounds) travels as it is.
          ...rest,
          id,
          referenceKey,
          // The service keeps its reference table: the worker gets a copy, once.
          ...(sendReference ? { reference: packTable(reference, false, transfer) } : {}),
          current: packTable(window, keepCurrent !== true, transfer),
          options: driftOptions,
        };
        pending.set(id, { running: target, resolve, reject });
        try {
          target.worker.postMessage(request, transfer);
        } catch (error) {
          pending.delete(id);
          settleRef(target);
          reject(
            new CardwatchError(
              'INTERNAL',
              `cannot send the drift inputs to its worker thread: ${describeError(error)}`,
              { cause: error },
            ),
          );
          return;
        }
        // Messages are handled in order, so the requests after this one find the reference cached.
        if (sendReference) target.referenceKey = referenceKey;
        target.worker.ref();
      });
    },
    async close() {
      const closing = running;
      if (closing === null) return;
      running = null;
      closing.closing = true;
      failAll(closing, shuttingDown());
      await closing.worker.terminate();
    },
  };
}

function shuttingDown(): CardwatchError {
  return new CardwatchError(
    'SHUTTING_DOWN',
    'the monitoring service stopped before the drift report was finished',
  );
}
