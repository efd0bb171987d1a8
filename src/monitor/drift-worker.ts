/**
 * The drift worker: runs the same `computeDrift` the service would run in-process, one request at a time in
 * the order they came, and keeps the last reference table it was sent (the served model's), so a model's
 * reference crosses the thread boundary once, not on every run.
 */
import { parentPort } from 'node:worker_threads';
import { serialiseError, unpackTable, type DriftReply, type DriftRequest } from './drift-thread-protocol.js';
import { computeDrift } from './report.js';
import type { MonitorTable } from './table.js';

let reference: { key: string; table: MonitorTable } | null = null;

function referenceFor(request: DriftRequest): MonitorTable {
  if (request.reference !== undefined) {
    reference = { key: request.referenceKey, table: unpackTable(request.reference) };
  }
  if (reference?.key !== request.referenceKey) {
    throw new Error(
      `the drift worker was not sent the reference table of ${request.referenceKey} ` +
        `(it holds ${reference === null ? 'none' : reference.key})`,
    );
  }
  return reference.table;
}

function answer(request: DriftRequest): DriftReply {
  try {
    // What is not the protocol's own (id, the packed tables, options) is DriftInput as the service gave it.
    const { id: _id, referenceKey: _key, reference: _reference, current, options, ...rest } = request;
    const report = computeDrift(
      { ...rest, reference: referenceFor(request), current: unpackTable(current) },
      options,
    );
    return { id: request.id, report };
  } catch (error) {
    return { id: request.id, error: serialiseError(error) };
  }
}

parentPort?.on('message', (request: DriftRequest) => {
  const reply = answer(request);
  try {
    parentPort?.postMessage(reply);
  } catch (error) {
    // An error whose details cannot be cloned: send it without them rather than leave the request unanswered.
    const fallback = 'error' in reply ? { ...reply.error, details: undefined } : serialiseError(error);
    parentPort?.postMessage({ id: request.id, error: fallback } satisfies DriftReply);
  }
});
