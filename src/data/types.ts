/** The shapes the data module hands to the rest of cardwatch; downstream code never re-validates them. */

/** A validated table: row-major float32 inputs plus the labels when the file had them. */
export interface Dataset {
  /** The 30 `INPUT_COLUMNS` (Time, V1..V28, Amount), the column order of `x`. */
  columns: readonly string[];
  rows: number;
  /** Row-major, `rows × columns.length`. */
  x: Float32Array;
  /** `Class` per row (0 normal, 1 fraud); null when the file had no Class column. */
  y: Uint8Array | null;
}

/** Row indices of each split, sorted ascending, disjoint, together covering every row. */
export interface SplitIndices {
  train: Uint32Array;
  val: Uint32Array;
  test: Uint32Array;
}

/** One rejected CSV row. `line` is the 1-based physical line in the file (the header is line 1). */
export interface CsvRowError {
  line: number;
  /** The column at fault, or null when the whole row is (wrong value count, empty line). */
  column: string | null;
  /** The full message, e.g. `line 1042, column V7: "abc" is not a number`. */
  message: string;
}

export interface ParsedCsv {
  dataset: Dataset;
  /** File line number of each dataset row, in dataset order. */
  lines: Uint32Array;
  /** Rejected rows in file order (only ever non-empty with `onBadRow: 'skip'`). */
  errors: CsvRowError[];
  hasClass: boolean;
}

export interface CsvOptions {
  /** `required` (default): the header must end in Class; `optional`: Class may be absent (y is then null). */
  classColumn?: 'required' | 'optional';
  /** `error` (default): throw CSV_ROW at the first bad row; `skip`: leave bad rows out, report each one. */
  onBadRow?: 'error' | 'skip';
}
