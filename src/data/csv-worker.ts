/**
 * Entry point of a CSV parse worker: reads its share of the file itself, parses it and posts the result
 * back, transferring its arrays (no copy). One request per worker; the reader terminates it afterwards.
 */
import { parentPort } from 'node:worker_threads';
import { type BodyResult, parseBody } from './csv-body.js';
import { readOwnedLines } from './csv-range.js';
import type { CsvWorkerRequest } from './csv-worker-protocol.js';

parentPort?.once('message', (request: CsvWorkerRequest) => {
  const { bytes, start, end } = readOwnedLines(
    request.path,
    request.from,
    request.to,
    request.bodyStart,
    request.bodyEnd,
  );
  const result: BodyResult = parseBody(bytes, start, end, request.layout);
  const transfer: ArrayBuffer[] = [result.x.buffer, result.lines.buffer];
  if (result.y !== null) transfer.push(result.y.buffer);
  parentPort?.postMessage(result, transfer);
});
