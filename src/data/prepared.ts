/**
 * Prepared datasets: a validated CSV stored as raw arrays under `<preparedDir>/<sha256 of the CSV>/`
 * (`x.f32` little-endian float32 rows × 30, `y.u8` labels, `meta.json`), so training loads in milliseconds
 * and every run can name the exact data it saw. `<preparedDir>/CURRENT` holds the fingerprint of the
 * dataset commands use by default. Folders are immutable once written: they are built in a temporary
 * folder and renamed into place, so a crash never leaves a half-written dataset behind.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { statSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CardwatchError, describeError, isCardwatchError } from '../util/errors.js';
import { INPUT_COLUMNS } from './columns.js';
import { readKaggleCsvFileAsync } from './csv-read.js';
import { fingerprintFile } from './fingerprint.js';
import { datasetSummary } from './summary.js';
import type { CsvRowError, Dataset } from './types.js';

export const PREPARED_FORMAT_VERSION = 1;
const META_FILE = 'meta.json';
const X_FILE = 'x.f32';
const Y_FILE = 'y.u8';
const CURRENT_FILE = 'CURRENT';
/** How many skipped rows meta.json lists as examples. */
const MAX_SKIPPED_EXAMPLES = 20;
const PREPARE_HINT = 'run `cardwatch data prepare --input FILE`';

const fingerprintSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest');
const csvRowErrorSchema = z.object({
  line: z.number().int().positive(),
  column: z.string().nullable(),
  message: z.string(),
});

export const preparedMetaSchema = z.object({
  format_version: z.literal(PREPARED_FORMAT_VERSION),
  fingerprint: fingerprintSchema,
  /** The input path as given to `prepare`. */
  source: z.string(),
  source_bytes: z.number().int().nonnegative(),
  columns: z
    .array(z.string())
    .refine(
      (columns) =>
        columns.length === INPUT_COLUMNS.length && columns.every((name, i) => name === INPUT_COLUMNS[i]),
      `columns must be ${INPUT_COLUMNS.join(',')}`,
    ),
  rows: z.number().int().positive(),
  frauds: z.number().int().positive(),
  class_balance: z.object({
    normal: z.number().int().positive(),
    fraud: z.number().int().positive(),
    fraud_rate: z.number().gt(0).lt(1),
  }),
  skipped_rows: z.number().int().nonnegative(),
  skipped_examples: z.array(csvRowErrorSchema).max(MAX_SKIPPED_EXAMPLES),
  time_range: z.tuple([z.number(), z.number()]),
  amount: z.object({ mean: z.number(), median: z.number(), max: z.number() }),
  files: z.object({ x: z.literal(X_FILE), y: z.literal(Y_FILE) }),
  created_at: z.iso.datetime(),
});

export type PreparedMeta = z.infer<typeof preparedMetaSchema>;

export interface PreparedDataset {
  fingerprint: string;
  dir: string;
  dataset: Dataset;
  meta: PreparedMeta;
}

export type PrepareStage = 'fingerprint' | 'parse' | 'write';

export interface PrepareOptions {
  input: string;
  preparedDir: string;
  /** Leave bad rows out (each is counted, the first 20 listed in meta.json) instead of refusing the file. */
  skipBadRows?: boolean;
  /** `fingerprint` and `parse` count bytes of the input; `write` counts rows. */
  onProgress?: (stage: PrepareStage, done: number, total: number) => void;
}

function checkFingerprint(fingerprint: string): void {
  if (!fingerprintSchema.safeParse(fingerprint).success) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `not a dataset fingerprint (sha256 hex): ${JSON.stringify(fingerprint)}`,
    );
  }
}

/** The arrays are stored little-endian whatever the machine; on a big-endian one the bytes are swapped. */
function littleEndianBytes(x: Float32Array): Uint8Array {
  const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (endianness() === 'LE') return bytes;
  const swapped = Buffer.from(bytes);
  swapped.swap32();
  return swapped;
}

function corrupt(path: string, problem: string): CardwatchError {
  return new CardwatchError(
    'DATA_INVALID',
    `corrupt prepared dataset file ${path}: ${problem}; ${PREPARE_HINT} again`,
  );
}

/** Reads a file of exactly `expected` bytes into `target`. */
function readExact(path: string, target: Uint8Array, expected: number): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw corrupt(path, 'the file is missing');
  }
  if (size !== expected) throw corrupt(path, `${size} bytes, expected ${expected}`);
  const fd = openSync(path, 'r');
  try {
    let offset = 0;
    while (offset < expected) {
      const read = readSync(fd, target, offset, expected - offset, offset);
      if (read === 0) throw corrupt(path, `ended after ${offset} bytes, expected ${expected}`);
      offset += read;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads a prepared dataset by fingerprint, checking it against its meta.json.
 * @throws CardwatchError DATA_NOT_FOUND when there is no such dataset; DATA_INVALID naming the damaged file.
 */
export function loadPreparedDataset(preparedDir: string, fingerprint: string): PreparedDataset {
  checkFingerprint(fingerprint);
  const dir = join(preparedDir, fingerprint);
  const metaPath = join(dir, META_FILE);
  if (!existsSync(metaPath)) {
    throw new CardwatchError(
      'DATA_NOT_FOUND',
      `no prepared dataset ${fingerprint.slice(0, 12)} under ${preparedDir}; ${PREPARE_HINT}`,
    );
  }
  let meta: PreparedMeta;
  try {
    const parsed = preparedMetaSchema.safeParse(JSON.parse(readFileSync(metaPath, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw corrupt(metaPath, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    meta = parsed.data;
  } catch (error) {
    if (isCardwatchError(error)) throw error;
    throw corrupt(metaPath, describeError(error));
  }
  if (meta.fingerprint !== fingerprint) throw corrupt(metaPath, `it describes dataset ${meta.fingerprint}`);
  const width = INPUT_COLUMNS.length;
  const x = new Float32Array(meta.rows * width);
  const xPath = join(dir, X_FILE);
  readExact(xPath, new Uint8Array(x.buffer), x.byteLength);
  if (endianness() !== 'LE') Buffer.from(x.buffer).swap32();
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!))
      throw corrupt(xPath, `value ${i} (row ${Math.floor(i / width)}) is not finite`);
  }
  const y = new Uint8Array(meta.rows);
  const yPath = join(dir, Y_FILE);
  readExact(yPath, y, y.byteLength);
  let frauds = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i]! > 1) throw corrupt(yPath, `label ${y[i]} at row ${i} is not 0 or 1`);
    frauds += y[i]!;
  }
  if (frauds !== meta.frauds) throw corrupt(yPath, `${frauds} frauds, meta.json says ${meta.frauds}`);
  return { fingerprint, dir, dataset: { columns: INPUT_COLUMNS, rows: meta.rows, x, y }, meta };
}

/** The current dataset's fingerprint, or null when there is none (no CURRENT, or its dataset is gone). */
export function currentPreparedFingerprint(preparedDir: string): string | null {
  let text: string;
  try {
    text = readFileSync(join(preparedDir, CURRENT_FILE), 'utf8').trim();
  } catch {
    return null;
  }
  if (!fingerprintSchema.safeParse(text).success) return null;
  return existsSync(join(preparedDir, text, META_FILE)) ? text : null;
}

/**
 * Makes a prepared dataset the current one (atomic: write beside, then rename).
 * @throws CardwatchError DATA_NOT_FOUND when that dataset does not exist.
 */
export function setCurrentPrepared(preparedDir: string, fingerprint: string): void {
  checkFingerprint(fingerprint);
  if (!existsSync(join(preparedDir, fingerprint, META_FILE))) {
    throw new CardwatchError(
      'DATA_NOT_FOUND',
      `no prepared dataset ${fingerprint.slice(0, 12)} under ${preparedDir}; ${PREPARE_HINT}`,
    );
  }
  const path = join(preparedDir, CURRENT_FILE);
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, `${fingerprint}\n`);
  renameSync(temporary, path);
}

/** Writes the dataset folder under a temporary name, then renames it into place. */
function writePrepared(preparedDir: string, meta: PreparedMeta, dataset: Dataset): void {
  mkdirSync(preparedDir, { recursive: true });
  const dir = join(preparedDir, meta.fingerprint);
  const temporary = join(preparedDir, `.tmp-${meta.fingerprint.slice(0, 12)}-${process.pid}-${Date.now()}`);
  mkdirSync(temporary);
  try {
    writeFileSync(join(temporary, X_FILE), littleEndianBytes(dataset.x));
    writeFileSync(join(temporary, Y_FILE), dataset.y!);
    writeFileSync(join(temporary, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    renameSync(temporary, dir);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    // Another process prepared the same file meanwhile: its folder is as good as ours.
    if (existsSync(join(dir, META_FILE))) return;
    throw new CardwatchError(
      'INTERNAL',
      `cannot write the prepared dataset to ${dir}: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Validates a Kaggle-schema CSV (labels required), stores it as a prepared dataset named by its sha256
 * and makes it current. A file prepared before is loaded instead (`reused: true`); a damaged earlier
 * preparation is rebuilt.
 * @throws CardwatchError DATA_NOT_FOUND (no input), CSV_HEADER / CSV_ROW (invalid CSV, bad rows without
 *   `skipBadRows`), DATA_INVALID (no rows, or not both classes).
 */
export async function prepareDataset(
  options: PrepareOptions,
): Promise<PreparedDataset & { reused: boolean; skipped: number }> {
  const { input, preparedDir, onProgress } = options;
  const skipBadRows = options.skipBadRows ?? false;
  let bytes: number;
  try {
    bytes = (await stat(input)).size;
  } catch {
    throw new CardwatchError('DATA_NOT_FOUND', `no such file: ${input}`);
  }
  onProgress?.('fingerprint', 0, bytes);
  const fingerprint = await fingerprintFile(input, (done) => onProgress?.('fingerprint', done, bytes));
  const dir = join(preparedDir, fingerprint);
  if (existsSync(join(dir, META_FILE))) {
    try {
      const prepared = loadPreparedDataset(preparedDir, fingerprint);
      const first = prepared.meta.skipped_examples[0];
      if (!skipBadRows && first !== undefined) {
        // Same answer as parsing again: without skipping, the first bad row refuses the file.
        throw new CardwatchError('CSV_ROW', first.message, { details: first });
      }
      setCurrentPrepared(preparedDir, fingerprint);
      return { ...prepared, reused: true, skipped: prepared.meta.skipped_rows };
    } catch (error) {
      if (!isCardwatchError(error) || error.code !== 'DATA_INVALID') throw error;
      rmSync(dir, { recursive: true, force: true });
    }
  }
  onProgress?.('parse', 0, bytes);
  const parsed = await readKaggleCsvFileAsync(input, {
    classColumn: 'required',
    onBadRow: skipBadRows ? 'skip' : 'error',
  });
  onProgress?.('parse', bytes, bytes);
  const dataset = parsed.dataset;
  const summary = datasetSummary(dataset);
  const frauds = summary.frauds ?? 0;
  if (dataset.rows === 0 || summary.time_range === null || summary.amount === null) {
    const skipped = parsed.errors.length > 0 ? ` (all ${parsed.errors.length} rows were bad)` : '';
    throw new CardwatchError('DATA_INVALID', `${input} has no data rows${skipped}`);
  }
  if (frauds === 0 || frauds === dataset.rows) {
    throw new CardwatchError(
      'DATA_INVALID',
      `${input} has only ${frauds === 0 ? 'normal rows (Class 0)' : 'frauds (Class 1)'}; ` +
        'training and evaluation need both classes',
    );
  }
  const meta: PreparedMeta = {
    format_version: PREPARED_FORMAT_VERSION,
    fingerprint,
    source: input,
    source_bytes: bytes,
    columns: [...INPUT_COLUMNS],
    rows: dataset.rows,
    frauds,
    class_balance: { normal: dataset.rows - frauds, fraud: frauds, fraud_rate: frauds / dataset.rows },
    skipped_rows: parsed.errors.length,
    skipped_examples: parsed.errors.slice(0, MAX_SKIPPED_EXAMPLES) satisfies CsvRowError[],
    time_range: summary.time_range,
    amount: summary.amount,
    files: { x: X_FILE, y: Y_FILE },
    created_at: new Date().toISOString(),
  };
  onProgress?.('write', 0, dataset.rows);
  writePrepared(preparedDir, meta, dataset);
  onProgress?.('write', dataset.rows, dataset.rows);
  setCurrentPrepared(preparedDir, fingerprint);
  return { fingerprint, dir, dataset, meta, reused: false, skipped: parsed.errors.length };
}
