/** Small hand-made Kaggle-schema CSVs for the data tests. */
import { KAGGLE_COLUMNS } from '../columns.js';

export const HEADER = KAGGLE_COLUMNS.join(',');
export const HEADER_NO_CLASS = KAGGLE_COLUMNS.slice(0, 30).join(',');
/** The Kaggle download's quoted header. */
export const QUOTED_HEADER = KAGGLE_COLUMNS.map((name) => `"${name}"`).join(',');

/** The 30 input values of test row `i` (distinct per row and column, a few decimals). */
export function rowValues(i: number): number[] {
  return Array.from({ length: 30 }, (_, c) =>
    c === 0 ? i * 7 : Number(((i + 1) * (c - 14.5) * 0.137).toFixed(4)),
  );
}

/** One data line: 30 values then the label (`label: null` leaves Class out). */
export function row(i: number, label: string | null = String(i % 5 === 0 ? 1 : 0)): string {
  const values = rowValues(i).map(String);
  return label === null ? values.join(',') : `${values.join(',')},${label}`;
}

/** A CSV of `rows` valid rows, with the given header and line ending. */
export function csv(
  rows: number,
  options: { header?: string; eol?: string; trailing?: boolean } = {},
): string {
  const eol = options.eol ?? '\n';
  const lines = [options.header ?? HEADER, ...Array.from({ length: rows }, (_, i) => row(i))];
  return lines.join(eol) + (options.trailing === false ? '' : eol);
}
