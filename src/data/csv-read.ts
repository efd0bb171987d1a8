/**
 * Reading a Kaggle-schema CSV file: in the calling thread (`readKaggleCsvFile`), or by worker threads that
 * each read and parse a share of the lines (`readKaggleCsvFileAsync`). Both assemble with `assembleParsed`,
 * so they give identical results (values, labels, line numbers, errors).
 */
import { readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CardwatchError, describeError } from '../util/errors.js';
import type { BodyLayout, BodyResult } from './csv-body.js';
import { type CsvHeader, parseHeader, trimTrailingNewlines } from './csv-header.js';
import { assembleParsed, parseKaggleCsv } from './csv-parse.js';
import type { CsvWorkerRequest } from './csv-worker-protocol.js';
import { spawnWorkerBeside } from '../util/spawn-worker.js';
import type { CsvOptions, ParsedCsv } from './types.js';

export interface AsyncCsvOptions extends CsvOptions {
  /** Parse threads; default min(2, available cores). 1 parses in the calling thread. */
  threads?: number;
  /**
   * Files smaller than this parse in the calling thread: starting workers costs more than it saves.
   * Default 8 MB; tests set 0 to exercise the workers on small files.
   */
  workerThresholdBytes?: number;
}

const DEFAULT_WORKER_THRESHOLD = 8 * 1024 * 1024;
/** Smallest share of bytes worth a worker: a tiny body gets fewer workers (an empty one, a single one). */
const MIN_SHARE_BYTES = 1024;

/** Turns a file-system error into the user-facing one. */
function readError(path: string, error: unknown): CardwatchError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT')
    return new CardwatchError('DATA_NOT_FOUND', `no such file: ${path}`, { cause: error });
  return new CardwatchError('INVALID_INPUT', `cannot read ${path}: ${describeError(error)}`, {
    cause: error,
  });
}

/**
 * Reads and validates a CSV file in the calling thread.
 * @throws CardwatchError DATA_NOT_FOUND for a missing file, else as `parseKaggleCsv`.
 */
export function readKaggleCsvFile(path: string, options: CsvOptions = {}): ParsedCsv {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw readError(path, error);
  }
  return parseKaggleCsv(bytes, options);
}

/** How much of the file's head and tail the main thread reads to find the header and the end of data. */
const PEEK = 64 * 1024;

/**
 * The header (from the file's head) and where the data ends (from its tail), without reading the rest:
 * the workers read that themselves.
 */
async function peekFile(
  path: string,
  classColumn: 'required' | 'optional',
): Promise<{ header: CsvHeader; size: number; bodyEnd: number }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw readError(path, error);
  }
  try {
    const size = (await handle.stat()).size;
    // The head: enough to hold the header line (read on while it has no newline yet).
    let head = new Uint8Array(Math.min(size, PEEK));
    let headLength = (await handle.read(head, 0, head.length, 0)).bytesRead;
    while (head.indexOf(10) === -1 && headLength < size) {
      const grown = new Uint8Array(Math.min(size, head.length * 2));
      grown.set(head.subarray(0, headLength));
      const { bytesRead } = await handle.read(grown, headLength, grown.length - headLength, headLength);
      head = grown;
      headLength += bytesRead;
      if (bytesRead === 0) break;
    }
    const header = parseHeader(head.subarray(0, headLength), classColumn);
    // The tail: step back over trailing newlines (blank final lines are not rows).
    let bodyEnd = size;
    const tail = new Uint8Array(PEEK);
    while (bodyEnd > header.bodyStart) {
      const from = Math.max(header.bodyStart, bodyEnd - PEEK);
      const { bytesRead } = await handle.read(tail, 0, bodyEnd - from, from);
      const trimmed = from + trimTrailingNewlines(tail, 0, bytesRead);
      if (trimmed > from || bytesRead === 0) {
        bodyEnd = trimmed;
        break;
      }
      bodyEnd = from;
    }
    return { header, size, bodyEnd };
  } catch (error) {
    if (error instanceof CardwatchError) throw error;
    throw readError(path, error);
  } finally {
    await handle.close();
  }
}

/** Runs one parse request on a worker and resolves with its result. */
function runWorker(worker: Worker, request: CsvWorkerRequest): Promise<BodyResult> {
  return new Promise<BodyResult>((resolve, reject) => {
    worker.once('message', (result: BodyResult) => resolve(result));
    worker.once('error', (error: Error) =>
      reject(
        new CardwatchError('INTERNAL', `CSV parse worker failed: ${describeError(error)}`, { cause: error }),
      ),
    );
    worker.once('exit', (code: number) =>
      reject(new CardwatchError('INTERNAL', `CSV parse worker exited unexpectedly (exit code ${code})`)),
    );
    worker.postMessage(request);
  });
}

/**
 * Reads and validates a CSV file with worker threads: the main thread reads the header, each worker reads
 * and parses a share of the lines, and the parts are joined in file order. Identical to `readKaggleCsvFile`.
 * @throws CardwatchError as `readKaggleCsvFile`.
 */
export async function readKaggleCsvFileAsync(
  path: string,
  options: AsyncCsvOptions = {},
): Promise<ParsedCsv> {
  const threads = Math.max(1, Math.floor(options.threads ?? Math.min(2, availableParallelism())));
  const threshold = options.workerThresholdBytes ?? DEFAULT_WORKER_THRESHOLD;
  const classColumn = options.classColumn ?? 'required';
  const { header, size, bodyEnd } = await peekFile(path, classColumn);
  if (threads === 1 || size < threshold) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw readError(path, error);
    }
    return parseKaggleCsv(bytes, options);
  }
  const layout: BodyLayout = {
    fields: header.fields,
    stopAtFirstError: (options.onBadRow ?? 'error') === 'error',
  };
  const shares = Math.max(1, Math.min(threads, Math.ceil((bodyEnd - header.bodyStart) / MIN_SHARE_BYTES)));
  const workers = Array.from({ length: shares }, () => spawnWorkerBeside(import.meta.url, 'csv-worker'));
  try {
    const parts = await Promise.all(
      workers.map((worker, i) => {
        const span = bodyEnd - header.bodyStart;
        const from = header.bodyStart + Math.floor((span * i) / shares);
        const to = header.bodyStart + Math.floor((span * (i + 1)) / shares);
        return runWorker(worker, { path, from, to, bodyStart: header.bodyStart, bodyEnd, layout });
      }),
    );
    return assembleParsed(header, parts, options);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
