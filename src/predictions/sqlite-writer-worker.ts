/**
 * The SQLite writer thread: its own connection to the log (WAL: the service's connection keeps reading and
 * storing feedback beside it), the same batch writer the in-process log uses, one batch at a time in order.
 * Each batch is written straight from its packed columns (`packedRows`), not rebuilt as objects first.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../util/errors.js';
import { createRowsWriter } from './batch-writer.js';
import { openWritableDatabase } from './database.js';
import {
  packedRows,
  type WriterOpen,
  type WriterReply,
  type WriterRequest,
} from './writer-thread-protocol.js';

const open = workerData as WriterOpen;
const db = openWritableDatabase(open.path, { busyTimeoutMs: open.busyTimeoutMs });
const writeRows = createRowsWriter(db);

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
    const result = writeRows(packedRows(request.batch));
    reply({
      id: request.id,
      written: result.written,
      rejected: result.rejected.map((r) => ({ predictionId: r.predictionId, message: r.error.message })),
    });
  } catch (error) {
    reply({ id: request.id, error: describeError(error) });
  }
});
