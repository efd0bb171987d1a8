/**
 * Reading a Kaggle-schema CSV file: in the calling thread (`readKaggleCsvFile`), or split at line boundaries
 * and parsed by worker threads (`readKaggleCsvFileAsync`). Both assemble with `assembleParsed`, so they give
 * identical results (values, labels, line numbers, errors).
 */
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CardwatchError, describeError } from '../util/errors.js';
import type { BodyLayout, BodyResult } from './csv-body.js';
import { parseHeader } from './csv-header.js';
import { assembleParsed, parseKaggleCsv } from './csv-parse.js';
import type { CsvWorkerRequest } from './csv-worker-protocol.js';
import { spawnDataWorker } from './spawn-worker.js';
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

/** Turns a file-system error into the user-facing one. */
function readError(path: string, error: unknown): CardwatchError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return new CardwatchError('DATA_NOT_FOUND', `no such file: ${path}`, { cause: error });
  return new CardwatchError('INVALID_INPUT', `cannot read ${path}: ${describeError(error)}`, { cause: error });
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

/** Reads a whole file into a SharedArrayBuffer, so worker threads can see it without a copy. */
async function readShared(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw readError(path, error);
  }
  try {
    const { size } = await handle.stat();
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    // A file that shrank while being read: parse what was there.
    return offset === size ? bytes : bytes.subarray(0, offset);
  } catch (error) {
    throw readError(path, error);
  } finally {
    await handle.close();
  }
}

/** Cuts `[start, end)` into up to `parts` ranges of whole lines (each but the last ends after a newline). */
export function splitRanges(bytes: Uint8Array, start: number, end: number, parts: number): [number, number][] {
  const ranges: [number, number][] = [];
  let from = start;
  for (let i = 1; i < parts && from < end; i++) {
    const target = start + Math.floor(((end - start) * i) / parts);
    if (target <= from) continue;
    const newline = bytes.indexOf(10, target);
    if (newline === -1 || newline + 1 >= end) break;
    ranges.push([from, newline + 1]);
    from = newline + 1;
  }
  if (from < end || ranges.length === 0) ranges.push([from, end]);
  return ranges;
}

/** Runs one parse request on a worker and resolves with its result. */
function runWorker(worker: Worker, request: CsvWorkerRequest): Promise<BodyResult> {
  return new Promise<BodyResult>((resolve, reject) => {
    worker.once('message', (result: BodyResult) => resolve(result));
    worker.once('error', (error: Error) =>
      reject(new CardwatchError('INTERNAL', `CSV parse worker failed: ${describeError(error)}`, { cause: error })),
    );
    worker.once('exit', (code: number) =>
      reject(new CardwatchError('INTERNAL', `CSV parse worker exited unexpectedly (exit code ${code})`)),
    );
    worker.postMessage(request);
  });
}

/**
 * Reads and validates a CSV file with worker threads: the bytes go into shared memory, each worker parses
 * a range of whole lines, and the parts are joined in file order. Identical to `readKaggleCsvFile`.
 * @throws CardwatchError as `readKaggleCsvFile`.
 */
export async function readKaggleCsvFileAsync(path: string, options: AsyncCsvOptions = {}): Promise<ParsedCsv> {
  const threads = Math.max(1, Math.floor(options.threads ?? Math.min(2, availableParallelism())));
  const threshold = options.workerThresholdBytes ?? DEFAULT_WORKER_THRESHOLD;
  let size: number;
  try {
    const handle = await open(path, 'r');
    size = (await handle.stat()).size;
    await handle.close();
  } catch (error) {
    throw readError(path, error);
  }
  if (threads === 1 || size < threshold) {
    return parseKaggleCsv(await readShared(path), options);
  }
  // Workers start loading while the file is read.
  const workers = Array.from({ length: threads }, () => spawnDataWorker('csv-worker'));
  try {
    const bytes = await readShared(path);
    const header = parseHeader(bytes, options.classColumn ?? 'required');
    const layout: BodyLayout = {
      fields: header.fields,
      stopAtFirstError: (options.onBadRow ?? 'error') === 'error',
    };
    const ranges = splitRanges(bytes, header.bodyStart, header.bodyEnd, threads);
    const parts = await Promise.all(
      ranges.map(([start, end], i) => runWorker(workers[i]!, { bytes, start, end, layout })),
    );
    return assembleParsed(header, parts, options);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
