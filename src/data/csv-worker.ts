/**
 * Entry point of a CSV parse worker: parses one line range of the shared file bytes and posts the result
 * back, transferring its arrays (no copy). One request per worker; the reader terminates it afterwards.
 */
import { parentPort } from 'node:worker_threads';
import { type BodyResult, parseBody } from './csv-body.js';
import type { CsvWorkerRequest } from './csv-worker-protocol.js';

parentPort?.once('message', (request: CsvWorkerRequest) => {
  const result: BodyResult = parseBody(request.bytes, request.start, request.end, request.layout);
  const transfer: ArrayBuffer[] = [result.x.buffer, result.lines.buffer];
  if (result.y !== null) transfer.push(result.y.buffer);
  parentPort?.postMessage(result, transfer);
});
