/**
 * Writes the SQLite log's batches on a worker thread. Inserting costs the service ~10 µs of its one request
 * thread per prediction (binding 13 values, two B-trees, the WAL), i.e. most of the log's share of a
 * `/predict`; on a thread of its own that time overlaps the requests instead. The request thread only packs
 * each batch column-wise and transfers it (writer-thread-protocol.ts).
 *
 * A worker that dies (its database failed to open, say) is replaced on the next batch; the batch in flight
 * fails and the log retries it like any failed write, so nothing is dropped.
 */
import type { Worker } from 'node:worker_threads';
import { spawnWorkerBeside } from '../util/spawn-worker.js';
import type { BatchResult } from './batch-writer.js';
import type { QueuedPrediction } from './queued-prediction.js';
import {
  packBatch,
  transferables,
  type WriterOpen,
  type WriterReply,
  type WriterRequest,
} from './writer-thread-protocol.js';

export interface SqliteWriterThread {
  writeBatch(batch: readonly QueuedPrediction[]): Promise<BatchResult>;
  /** Closes the thread's connection and ends it (after the batch in flight, if any). */
  close(): Promise<void>;
}

interface Pending {
  resolve(reply: WriterReply): void;
  reject(error: Error): void;
}

export function startSqliteWriterThread(open: WriterOpen): SqliteWriterThread {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  function failAll(error: Error): void {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  }

  function current(): Worker {
    if (worker !== null) return worker;
    const started = spawnWorkerBeside(import.meta.url, 'sqlite-writer-worker', open);
    started.on('message', (reply: WriterReply) => {
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      waiter?.resolve(reply);
    });
    started.on('error', (error) => {
      failAll(new Error(`the prediction log's writer thread failed: ${error.message}`));
    });
    started.on('exit', (code) => {
      if (worker === started) worker = null;
      failAll(new Error(`the prediction log's writer thread exited (code ${code})`));
    });
    worker = started;
    return started;
  }

  function request(build: (id: number) => WriterRequest, transfer: ArrayBuffer[] = []): Promise<WriterReply> {
    const id = nextId++;
    const target = current();
    return new Promise<WriterReply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      target.postMessage(build(id), transfer);
    });
  }

  return {
    async writeBatch(batch) {
      const packed = packBatch(batch);
      const reply = await request((id) => ({ id, batch: packed }), transferables(packed));
      if ('error' in reply) throw new Error(reply.error);
      if (!('written' in reply)) throw new Error('the prediction log writer answered out of turn');
      return {
        written: reply.written,
        rejected: reply.rejected.map((r) => ({ predictionId: r.predictionId, error: new Error(r.message) })),
      };
    },
    async close() {
      if (worker === null) return;
      const closing = worker;
      await request((id) => ({ id, close: true })).catch(() => undefined);
      await closing.terminate();
      worker = null;
    },
  };
}
