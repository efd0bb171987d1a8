/**
 * The built-in synthetic dataset: the exact Kaggle schema and its published statistics (see
 * synthetic-model.ts), seeded and byte-identical for the same rows and seed. Written compactly (7
 * significant digits for V columns, about float32 precision; cents for Amount) rather than Kaggle's 15
 * digits, because file size and generation speed matter more than digits the model cannot use.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CardwatchError } from '../util/errors.js';
import { Prng } from '../util/prng.js';
import { KAGGLE_COLUMNS } from './columns.js';
import { CsvBytes } from './csv-bytes.js';
import { driftTransforms, type DriftSpec } from './drift-spec.js';
import { drawFraudRows, drawTimes, drawTransaction } from './synthetic-model.js';

export interface SyntheticOptions {
  rows: number;
  seed: number;
  /** Distortions for drift demos and tests (`--drift`); absent = the reference distribution, byte-identical. */
  drift?: DriftSpec;
}

/** Significant digits written for V1..V28. */
const V_DIGITS = 7;
/** Rows per chunk: progress advances per chunk, and a chunk buffer stays small (~2 MB). */
const CHUNK_ROWS = 8192;
/** Upper bound of one row's bytes (31 fields of at most ~20 bytes). */
const MAX_ROW_BYTES = 31 * 24;

/** Independent PRNG streams per part, so each part's draws do not depend on the others. */
const STREAM = { time: 0, fraud: 1, features: 2 } as const;

function checkOptions(options: SyntheticOptions): void {
  const { rows, seed } = options;
  if (!Number.isSafeInteger(rows) || rows < 0) {
    throw new CardwatchError('INVALID_INPUT', `rows must be an integer ≥ 0, got ${rows}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new CardwatchError('INVALID_INPUT', `seed must be an integer ≥ 0, got ${seed}`);
  }
}

/** Exactly round(rows × rate) fraud rows, uniformly placed: `fraud_rate` of a drift spec. */
function drawFraudRowsAtRate(prng: Prng, rows: number, rate: number): Uint8Array {
  const flags = new Uint8Array(rows);
  const wanted = Math.round(rows * rate);
  // A partial Fisher-Yates shuffle of the row indices: exact count, no rejection loop at high rates.
  const order = Uint32Array.from({ length: rows }, (_, i) => i);
  for (let k = 0; k < wanted; k++) {
    const pick = k + prng.int(rows - k);
    const row = order[pick]!;
    order[pick] = order[k]!;
    order[k] = row;
    flags[row] = 1;
  }
  return flags;
}

/** Applies a drift spec's `value × scale + shift` to one drawn row (V1..V28, Amount) in place. */
function applyDrift(values: Float64Array, transforms: { shift: Float64Array; scale: Float64Array }): void {
  for (let j = 0; j < 29; j++) values[j] = values[j]! * transforms.scale[j]! + transforms.shift[j]!;
  // Amounts stay in cents and never go negative, as in the real data.
  values[28] = Math.max(0, Math.round(values[28]! * 100) / 100);
}

/**
 * The CSV as successive byte chunks (header first). Each yielded array is a view of a reused buffer:
 * consume it before asking for the next. `rowsDone` is the number of rows written so far.
 */
function* syntheticChunks(options: SyntheticOptions): Generator<{ bytes: Uint8Array; rowsDone: number }> {
  checkOptions(options);
  const { rows, seed } = options;
  const times = drawTimes(new Prng(seed, STREAM.time), rows);
  const fraudRate = options.drift?.fraud_rate;
  const frauds =
    fraudRate === undefined
      ? drawFraudRows(new Prng(seed, STREAM.fraud), times)
      : drawFraudRowsAtRate(new Prng(seed, STREAM.fraud), rows, fraudRate);
  const transforms = options.drift === undefined ? null : driftTransforms(options.drift);
  const prng = new Prng(seed, STREAM.features);
  const values = new Float64Array(29);
  const out = new CsvBytes(Math.min(rows, CHUNK_ROWS) * MAX_ROW_BYTES + 1024);
  out.ascii(`${KAGGLE_COLUMNS.join(',')}\n`);
  for (let start = 0; start < rows || start === 0; start += CHUNK_ROWS) {
    const end = Math.min(rows, start + CHUNK_ROWS);
    for (let row = start; row < end; row++) {
      const fraud = frauds[row] === 1;
      drawTransaction(prng, fraud, values);
      if (transforms !== null) applyDrift(values, transforms);
      out.reserve(MAX_ROW_BYTES);
      out.uint(times[row]!);
      for (let j = 0; j < 28; j++) {
        out.byte(44);
        out.decimal(values[j]!, V_DIGITS, 12);
      }
      out.byte(44);
      out.decimal(values[28]!, 15, 2);
      out.byte(44);
      out.byte(fraud ? 49 : 48);
      out.byte(10);
    }
    yield { bytes: out.buffer.subarray(0, out.length), rowsDone: end };
    out.length = 0;
    if (end >= rows) break;
  }
}

/**
 * The synthetic dataset as one CSV string.
 * @example
 * generateSyntheticCsv({ rows: 2, seed: 1 }).split('\n')[0] // → 'Time,V1,V2,…,V28,Amount,Class'
 */
export function generateSyntheticCsv(options: SyntheticOptions): string {
  const parts: string[] = [];
  for (const chunk of syntheticChunks(options)) parts.push(Buffer.from(chunk.bytes).toString('latin1'));
  return parts.join('');
}

/**
 * Writes the synthetic dataset to `path` (parent folders created) in chunks, calling `onProgress` with the
 * rows written so far. Atomic: it is written to a temporary file beside `path`, then renamed.
 */
export async function writeSyntheticCsv(
  path: string,
  options: SyntheticOptions & { onProgress?: (rowsDone: number) => void },
): Promise<void> {
  checkOptions(options);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const handle = await open(temporary, 'w');
  try {
    for (const chunk of syntheticChunks(options)) {
      let written = 0;
      while (written < chunk.bytes.length) {
        written += (await handle.write(chunk.bytes, written, chunk.bytes.length - written)).bytesWritten;
      }
      options.onProgress?.(chunk.rowsDone);
    }
    await handle.close();
    await rename(temporary, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}
