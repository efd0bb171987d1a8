/**
 * The header check of a Kaggle-schema CSV: exactly `Time,V1..V28,Amount,Class` in order (Class may be
 * missing when the caller allows it), with the Kaggle download's quoting, a UTF-8 BOM and CRLF accepted.
 */
import { CardwatchError } from '../util/errors.js';
import { KAGGLE_COLUMNS } from './columns.js';
import { splitLine } from './csv-body.js';

export interface CsvHeader {
  /** Values per row: 31 with Class, 30 without. */
  fields: number;
  hasClass: boolean;
  /** Byte offset of the first data line (`bytes.length` when there is none). */
  bodyStart: number;
}

/** The header line is found within the first line of `bytes`; callers may pass just the file's head. */

const decoder = new TextDecoder();

export function parseHeader(bytes: Uint8Array, classColumn: 'required' | 'optional'): CsvHeader {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const newline = bytes.indexOf(10, bom);
  const headerEnd = newline === -1 ? bytes.length : newline;
  const text = decoder.decode(bytes.subarray(bom, headerEnd)).replace(/\r$/, '');
  const expected = classColumn === 'required' ? `${KAGGLE_COLUMNS.length}` : `30 or ${KAGGLE_COLUMNS.length}`;
  if (text.trim() === '') {
    throw new CardwatchError(
      'CSV_HEADER',
      `CSV header: the first line is empty; expected ${expected} columns ${KAGGLE_COLUMNS.join(',')}`,
    );
  }
  const found = splitLine(text).map((name) => name.trim());
  const allowed = classColumn === 'required' ? [KAGGLE_COLUMNS.length] : [30, KAGGLE_COLUMNS.length];
  const mismatch = firstMismatch(found);
  if (!allowed.includes(found.length)) {
    const where = mismatch === null ? '' : ` (${mismatch})`;
    throw new CardwatchError(
      'CSV_HEADER',
      `CSV header: expected ${expected} columns, found ${found.length}${where}`,
    );
  }
  if (mismatch !== null) throw new CardwatchError('CSV_HEADER', `CSV header: ${mismatch}`);
  const hasClass = found.length === KAGGLE_COLUMNS.length;
  return { fields: found.length, hasClass, bodyStart: Math.min(headerEnd + 1, bytes.length) };
}

/**
 * The end of the data: `end` less any trailing CR/LF bytes, so a final newline (or several blank final
 * lines) is not a row, while a blank line in the middle of the file still is one (and is reported).
 */
export function trimTrailingNewlines(bytes: Uint8Array, start: number, end: number): number {
  let trimmed = end;
  while (trimmed > start && (bytes[trimmed - 1] === 10 || bytes[trimmed - 1] === 13)) trimmed--;
  return trimmed;
}

/** The first column that is not the expected one, as `column 5: expected "V4", found "V5"`. */
function firstMismatch(found: readonly string[]): string | null {
  for (let i = 0; i < found.length; i++) {
    const want = KAGGLE_COLUMNS[i];
    if (want === undefined) return `column ${i + 1}: unexpected extra column ${JSON.stringify(found[i])}`;
    if (found[i] !== want)
      return `column ${i + 1}: expected ${JSON.stringify(want)}, found ${JSON.stringify(found[i])}`;
  }
  if (found.length < 30) {
    const missing = KAGGLE_COLUMNS.slice(found.length, 30);
    const list =
      missing.length > 4
        ? `${missing[0]} … ${missing.at(-1)} (${missing.length} columns)`
        : missing.join(',');
    return `missing ${list}`;
  }
  return null;
}
