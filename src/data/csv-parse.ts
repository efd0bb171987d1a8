/**
 * `parseKaggleCsv`: header check, row parse, and the assembly of parsed ranges into one `ParsedCsv`
 * (absolute line numbers, column names, messages). The async reader assembles worker results with the same
 * `assembleParsed`, so its output is identical to the sync one.
 */
import { CardwatchError } from '../util/errors.js';
import { INPUT_COLUMNS, KAGGLE_COLUMNS } from './columns.js';
import { type BodyResult, parseBody } from './csv-body.js';
import { type CsvHeader, parseHeader, trimTrailingNewlines } from './csv-header.js';
import type { CsvOptions, CsvRowError, ParsedCsv } from './types.js';

const WIDTH = INPUT_COLUMNS.length;
/** The header is line 1, so the first data line is line 2. */
const FIRST_DATA_LINE = 2;

/**
 * Parses and validates a Kaggle-schema CSV held in memory.
 * @throws CardwatchError CSV_HEADER for a wrong header; CSV_ROW for the first bad row unless
 *   `onBadRow: 'skip'`, which instead lists every bad row in `errors` (in file order) and leaves it out.
 * @example
 * parseKaggleCsv('Time,V1,…,Amount,Class\n0,-1.36,…,149.62,0\n').dataset.rows // → 1
 */
export function parseKaggleCsv(input: string | Uint8Array, options: CsvOptions = {}): ParsedCsv {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const header = parseHeader(bytes, options.classColumn ?? 'required');
  const bodyEnd = trimTrailingNewlines(bytes, header.bodyStart, bytes.length);
  const body = parseBody(bytes, header.bodyStart, bodyEnd, {
    fields: header.fields,
    stopAtFirstError: (options.onBadRow ?? 'error') === 'error',
  });
  return assembleParsed(header, [body], options);
}

/** Joins the results of consecutive line ranges (in file order) into one `ParsedCsv`. */
export function assembleParsed(
  header: CsvHeader,
  parts: readonly BodyResult[],
  options: CsvOptions,
): ParsedCsv {
  const names = KAGGLE_COLUMNS.slice(0, header.fields);
  const errors: CsvRowError[] = [];
  let rows = 0;
  let firstLine = FIRST_DATA_LINE;
  for (const part of parts) {
    for (const raw of part.errors) {
      const line = firstLine + raw.line;
      const column = raw.column >= 0 ? names[raw.column]! : null;
      const where = column === null ? `line ${line}` : `line ${line}, column ${column}`;
      errors.push({ line, column, message: `${where}: ${raw.detail}` });
    }
    rows += part.rows;
    firstLine += part.lineCount;
  }
  if ((options.onBadRow ?? 'error') === 'error' && errors.length > 0) {
    const first = errors[0]!;
    throw new CardwatchError('CSV_ROW', first.message, { details: first });
  }
  // The parts are ours: turn their relative line indices into file line numbers in place.
  firstLine = FIRST_DATA_LINE;
  for (const part of parts) {
    for (let i = 0; i < part.rows; i++) part.lines[i] = firstLine + part.lines[i]!;
    firstLine += part.lineCount;
  }
  const single = parts.length === 1 ? parts[0]! : null;
  if (single !== null && single.x.length === rows * WIDTH) {
    // One range with no bad rows: its arrays are exactly full, hand them over without a copy.
    const dataset = { columns: INPUT_COLUMNS, rows, x: single.x, y: single.y };
    return { dataset, lines: single.lines, errors, hasClass: header.hasClass };
  }
  const x = new Float32Array(rows * WIDTH);
  const y = header.hasClass ? new Uint8Array(rows) : null;
  const lines = new Uint32Array(rows);
  let row = 0;
  for (const part of parts) {
    x.set(part.x.subarray(0, part.rows * WIDTH), row * WIDTH);
    if (y !== null) y.set(part.y!.subarray(0, part.rows), row);
    lines.set(part.lines.subarray(0, part.rows), row);
    row += part.rows;
  }
  return { dataset: { columns: INPUT_COLUMNS, rows, x, y }, lines, errors, hasClass: header.hasClass };
}
