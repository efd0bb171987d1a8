/** Plain-text tables for the CLI: columns padded to their widest cell, numbers right-aligned. */

export interface Column {
  header: string;
  /** Right-align (numbers); default left. */
  right?: boolean;
}

/**
 * @example formatTable([{ header: 'id' }, { header: 'AUPRC', right: true }], [['run-a', '0.7012']])
 * // → 'id     AUPRC\nrun-a 0.7012'
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => [...(row[i] ?? '')].length)),
  );
  const line = (cells: readonly string[]): string =>
    columns
      .map((column, i) => {
        const cell = cells[i] ?? '';
        const pad = ' '.repeat(widths[i]! - [...cell].length);
        return column.right ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join('\n');
}

/** A metric with four decimals, or `-` when there is none. */
export function metric(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : value.toFixed(4);
}

/** A duration for tables: `8.4 s`, `3 min 12 s`, `1 h 04 min`. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600)
    return `${Math.floor(seconds / 60)} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} min`;
}
