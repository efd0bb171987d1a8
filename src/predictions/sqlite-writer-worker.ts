/**
 * The SQLite writer thread: its own connection to the log (WAL: the service's connection keeps reading and
 * storing feedback beside it), the same batch writer the in-process log uses, one batch at a time in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../util/errors.js';
import { createBatchWriter } from './batch-writer.js';
import { openWritableDatabase } from './database.js';
import {
  unpackBatch,
  type WriterOpen,
  type WriterReply,
  type WriterRequest,
} from './writer-thread-protocol.js';

const open = workerData as WriterOpen;
const db = openWritableDatabase(open.path, { busyTimeoutMs: open.busyTimeoutMs });
const writeBatch = createBatchWriter(db);

function reply(message: WriterReply): void {
  parentPort?.postMessage(message);
}

parentPort?.on('message', (request: WriterRequest) => {
  if ('close' in request) {
    db.close();
    reply({ id: request.id, closed: true });
    parentPort?.close();
    return;
  }
  try {
    const result = writeBatch(unpackBatch(request.batch));
    reply({
      id: request.id,
      written: result.written,
      rejected: result.rejected.map((r) => ({ predictionId: r.predictionId, message: r.error.message })),
    });
  } catch (error) {
    reply({ id: request.id, error: describeError(error) });
  }
});
