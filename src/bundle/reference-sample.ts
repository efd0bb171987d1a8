/**
 * `reference.csv` of a bundle: the rows drift monitoring compares live traffic with (input columns, `Class` and
 * the model's `score`), written so that every float32 value reads back bit for bit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CardwatchError, describeError } from '../util/errors.js';
import { REFERENCE_FILE } from './layout.js';

/** A row-major float32 table with named columns. */
export interface ReferenceSample {
  readonly columns: readonly string[];
  /** count × columns.length, row-major. */
  readonly rows: Float32Array;
  readonly count: number;
}

/**
 * Shortest decimal text that reads back to the same float32: `0.1f` prints as `0.1`, not `0.10000000149011612`.
 * Keeps reference.csv small and exact.
 */
export function formatFloat32(value: number): string {
  const target = Math.fround(value);
  for (let digits = 1; digits < 9; digits++) {
    const text = target.toPrecision(digits);
    if (Math.fround(Number(text)) === target) return String(Number(text));
  }
  return String(Number(target.toPrecision(9)));
}

/** CSV text (header + one line per row) of a reference sample; rejects a table whose size or values are off. */
export function formatReferenceCsv(sample: ReferenceSample): string {
  const width = sample.columns.length;
  if (width === 0) throw new CardwatchError('INVALID_INPUT', 'the reference sample has no columns');
  if (!Number.isInteger(sample.count) || sample.count < 0) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `the reference sample count must be an integer ≥ 0, got ${sample.count}`,
    );
  }
  if (sample.rows.length !== sample.count * width) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `the reference sample has ${sample.rows.length} values, expected ${sample.count} rows × ${width} columns = ${sample.count * width}`,
    );
  }
  for (const name of sample.columns) {
    if (name.length === 0 || /[",\r\n]/.test(name)) {
      throw new CardwatchError(
        'INVALID_INPUT',
        `reference column name ${JSON.stringify(name)} cannot be a CSV header`,
      );
    }
  }
  const lines: string[] = [sample.columns.join(',')];
  const cells: string[] = new Array<string>(width);
  for (let r = 0; r < sample.count; r++) {
    for (let c = 0; c < width; c++) {
      const value = sample.rows[r * width + c] as number;
      if (!Number.isFinite(value)) {
        throw new CardwatchError(
          'INVALID_INPUT',
          `reference sample row ${r}, column ${sample.columns[c]} is ${value}; values must be finite`,
        );
      }
      cells[c] = formatFloat32(value);
    }
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Parses the text written by {@link formatReferenceCsv}; `source` names the file in errors. */
export function parseReferenceCsv(text: string, source: string): ReferenceSample {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = lines[0];
  if (header === undefined || header.length === 0) {
    throw new CardwatchError('MODEL_CORRUPT', `${source} is empty (no header line)`);
  }
  const columns = header.split(',');
  const width = columns.length;
  const count = lines.length - 1;
  const rows = new Float32Array(count * width);
  for (let r = 0; r < count; r++) {
    const cells = (lines[r + 1] as string).split(',');
    if (cells.length !== width) {
      throw new CardwatchError(
        'MODEL_CORRUPT',
        `${source} line ${r + 2} has ${cells.length} values, the header has ${width}`,
      );
    }
    for (let c = 0; c < width; c++) {
      const value = Number(cells[c]);
      if (cells[c] === '' || !Number.isFinite(value)) {
        throw new CardwatchError(
          'MODEL_CORRUPT',
          `${source} line ${r + 2}, column ${columns[c]}: ${JSON.stringify(cells[c])} is not a finite number`,
        );
      }
      rows[r * width + c] = value;
    }
  }
  return { columns, rows, count };
}

/** Reads the reference sample of the bundle in `dir`. */
export function readReferenceSample(dir: string, file = REFERENCE_FILE): ReferenceSample {
  const path = join(dir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CardwatchError(
      'MODEL_CORRUPT',
      `cannot read the reference sample ${path}: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
  return parseReferenceCsv(text, path);
}
