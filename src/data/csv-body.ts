/**
 * The row parser: one pass over the bytes of a run of whole CSV lines, straight into float32 rows. The main
 * thread runs it on the whole body (sync reader) and worker threads run it on slices (async reader), so both
 * readers give the same result by construction.
 *
 * A row takes the fast path (`parseDecimal` per field, no strings) unless something about it is unusual
 * (a long mantissa, a bad value, a wrong field count, an empty line); then the one line is decoded and
 * re-read field by field by `slowRow`, which either recovers exact values or says what is wrong.
 * Line numbers and column names are attached later by the caller (a worker does not know where its slice
 * starts in the file), so errors here carry a line index relative to `start` and a column index.
 *
 * Imports stay light: worker threads load this file.
 */
import { decimalEnd, parseDecimal, parseFieldText } from './float-parse.js';

/** Number of values of `Dataset.x` per row (Time, V1..V28, Amount). */
const WIDTH = 30;

export interface BodyLayout {
  /** Values per CSV row: 31 with Class, 30 without. */
  readonly fields: number;
  /** Stop at the first bad row (the sync caller throws it) instead of collecting every one. */
  readonly stopAtFirstError: boolean;
}

export interface RawRowError {
  /** 0-based line index from the start of the parsed range. */
  readonly line: number;
  /** 0-based column index, or -1 for a problem with the whole row. */
  readonly column: number;
  /** What is wrong, e.g. `"abc" is not a number` or `expected 31 values, found 30`. */
  readonly detail: string;
}

export interface BodyResult {
  rows: number;
  /** Physical lines in the range (valid, bad and blank). */
  lineCount: number;
  /** At least `rows × 30` long (its buffer is sized for every line; callers use the first `rows × 30`). */
  x: Float32Array<ArrayBuffer>;
  y: Uint8Array<ArrayBuffer> | null;
  /** Relative line index of each row. */
  lines: Uint32Array<ArrayBuffer>;
  errors: RawRowError[];
}

/** Physical lines in `[start, end)`: newlines, plus one for a last line without its newline. */
export function countLines(bytes: Uint8Array, start: number, end: number): number {
  let count = 0;
  let p = bytes.indexOf(10, start);
  while (p !== -1 && p < end) {
    count++;
    p = bytes.indexOf(10, p + 1);
  }
  if (end > start && bytes[end - 1] !== 10) count++;
  return count;
}

export function parseBody(bytes: Uint8Array, start: number, end: number, layout: BodyLayout): BodyResult {
  const capacity = countLines(bytes, start, end);
  const hasClass = layout.fields > WIDTH;
  const x = new Float32Array(capacity * WIDTH);
  const y = hasClass ? new Uint8Array(capacity) : null;
  const lines = new Uint32Array(capacity);
  const errors: RawRowError[] = [];
  // Comma-terminated fields on the fast path: all but the last one of the row.
  const commaFields = layout.fields - 1;
  let rows = 0;
  let line = 0;
  let p = start;
  while (p < end) {
    const rowStart = p;
    const base = rows * WIDTH;
    let fast = true;
    for (let c = 0; c < commaFields; c++) {
      const value = parseDecimal(bytes, p);
      // NaN: not a fast-path number (NaN never equals itself).
      if (value !== value || bytes[decimalEnd.pos] !== 44) {
        fast = false;
        break;
      }
      x[base + c] = value;
      p = decimalEnd.pos + 1;
    }
    if (fast) {
      const value = parseDecimal(bytes, p);
      if (value !== value) {
        fast = false;
      } else {
        if (hasClass) {
          if (value === 0 || value === 1) y![rows] = value;
          else fast = false;
        } else {
          x[base + WIDTH - 1] = value;
        }
        p = decimalEnd.pos;
        // The row must end here: at the end of the range, or at LF or CRLF.
        if (p >= end) {
          // Last line without a newline.
        } else if (bytes[p] === 10) {
          p++;
        } else if (bytes[p] === 13 && bytes[p + 1] === 10) {
          p += 2;
        } else {
          fast = false;
        }
      }
    }
    if (!fast) {
      let lineEnd = bytes.indexOf(10, rowStart);
      if (lineEnd === -1 || lineEnd > end) lineEnd = end;
      const error = slowRow(bytes, rowStart, lineEnd, layout.fields, x, base, y, rows);
      p = lineEnd + 1;
      if (error !== null) {
        errors.push({ line, column: error.column, detail: error.detail });
        line++;
        if (layout.stopAtFirstError) break;
        continue;
      }
    }
    lines[rows] = line;
    rows++;
    line++;
  }
  return { rows, lineCount: capacity, x, y, lines, errors };
}

const decoder = new TextDecoder();

/** Longest field text quoted back in an error message. */
const MAX_SHOWN = 40;

function show(text: string): string {
  return JSON.stringify(text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text);
}

/**
 * Splits one line (without its newline) into field texts: a field that starts with a double quote runs to
 * the closing quote (`""` inside is a quote), anything after that up to the comma is kept as written. A
 * quoted field never spans lines: the readers split files at newlines.
 */
export function splitLine(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text.charCodeAt(i) === 34) {
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close === -1) {
          field += text.slice(i);
          i = text.length;
          break;
        }
        field += text.slice(i, close);
        i = close + 1;
        if (text.charCodeAt(i) !== 34) break;
        field += '"';
        i++;
      }
    }
    const comma = text.indexOf(',', i);
    field += text.slice(i, comma === -1 ? text.length : comma);
    fields.push(field);
    if (comma === -1) return fields;
    i = comma + 1;
  }
}

/**
 * Re-reads one line that left the fast path. Writes its values and returns null when it is valid after all
 * (e.g. 17 significant digits), else returns the first problem: the field count, then each field in order.
 */
function slowRow(
  bytes: Uint8Array,
  start: number,
  lineEnd: number,
  fields: number,
  x: Float32Array,
  base: number,
  y: Uint8Array | null,
  row: number,
): { column: number; detail: string } | null {
  let contentEnd = lineEnd;
  if (contentEnd > start && bytes[contentEnd - 1] === 13) contentEnd--;
  if (contentEnd === start) return { column: -1, detail: `expected ${fields} values, found an empty line` };
  const texts = splitLine(decoder.decode(bytes.subarray(start, contentEnd)));
  if (texts.length !== fields) {
    return { column: -1, detail: `expected ${fields} values, found ${texts.length}` };
  }
  for (let c = 0; c < fields; c++) {
    const text = texts[c]!;
    const parsed = parseFieldText(text);
    if (!parsed.ok) return { column: c, detail: `${show(text)} ${parsed.reason}` };
    if (c < WIDTH) {
      x[base + c] = parsed.value;
    } else if (parsed.value === 0 || parsed.value === 1) {
      y![row] = parsed.value;
    } else {
      return { column: c, detail: `${show(text)} must be 0 or 1` };
    }
  }
  return null;
}
