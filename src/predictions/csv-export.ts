/**
 * Streams logged predictions as CSV, oldest first, page by page (keyset paging on (created_at, id)): memory
 * stays flat for any range, and no SQLite cursor stays open across an `await`, which on the service's one
 * connection would make the flusher's next write fail with "connection is busy".
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { PageQuery, StoredRow } from './queries.js';
import { decodeFeatures } from './features.js';
import { resolveRange } from './time-range.js';
import { LOGGED_FEATURE_COUNT, type TimeRange } from './types.js';

export const CSV_COLUMNS: readonly string[] = [
  'prediction_id',
  'created_at',
  'transaction_id',
  'model_version',
  'engine',
  'score',
  'threshold',
  'is_fraud',
  'latency_ms',
  'label',
  ...Array.from({ length: LOGGED_FEATURE_COUNT }, (_, i) => `V${i + 1}`),
  'amount',
  'time',
];

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\n`;

/** Rows per query and per write; big enough to amortise the query, small enough to keep pauses short. */
export const EXPORT_PAGE_ROWS = 2_000;

export interface ExportResult {
  readonly rows: number;
}

/** RFC 4180 quoting, only when needed (ids and model versions are client- or operator-supplied text). */
export function csvText(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The shortest decimal that reads back as the same float32: `0.1` rather than the `0.10000000149011612` that
 * printing the widened double gives. Empty for NaN (a column the model did not take).
 * @example formatFloat32(Math.fround(0.1)) // '0.1'
 */
export function formatFloat32(value: number): string {
  if (Number.isNaN(value)) return '';
  if (!Number.isFinite(value) || value === 0) return String(value);
  for (let digits = 6; digits < 9; digits++) {
    const text = Number(value.toPrecision(digits));
    if (Math.fround(text) === value) return String(text);
  }
  return String(Number(value.toPrecision(9)));
}

function formatNumber(value: number | null): string {
  return value === null ? '' : String(value);
}

export function csvLine(row: StoredRow): string {
  const features = decodeFeatures(row.features);
  let line =
    `${csvText(row.prediction_id)},${new Date(row.created_at).toISOString()},${csvText(row.transaction_id)},` +
    `${csvText(row.model_version)},${row.engine},${row.score},${row.threshold},${row.is_fraud},` +
    `${row.latency_ms},${formatNumber(row.label)}`;
  for (let i = 0; i < LOGGED_FEATURE_COUNT; i++) line += `,${formatFloat32(features[i])}`;
  return `${line},${formatNumber(row.amount)},${formatNumber(row.time)}\n`;
}

/**
 * Writes the header and every row with `since <= created_at < until` to `out`, waiting for 'drain' when the
 * stream is full. `out` is not ended (it may be stdout). Without `until`, the export stops at the newest row
 * present when it started (`latestTime`), so it ends even while the service keeps writing.
 */
export async function exportCsv(
  page: PageQuery | ((...args: Parameters<PageQuery>) => Promise<StoredRow[]>),
  latestTime: () => number | null | Promise<number | null>,
  range: TimeRange,
  out: Writable,
  pageRows: number = EXPORT_PAGE_ROWS,
): Promise<ExportResult> {
  const resolved = resolveRange(range);
  // An empty log gives -Infinity: no row qualifies.
  const until = range.until === undefined ? ((await latestTime()) ?? -Infinity) + 1 : resolved.until;
  let after = { at: resolved.since, id: '' };
  let rows = 0;
  await write(out, CSV_HEADER);
  for (;;) {
    const batch = await page(after, until, pageRows);
    if (batch.length === 0) break;
    let chunk = '';
    for (const row of batch) chunk += csvLine(row);
    rows += batch.length;
    const last = batch[batch.length - 1];
    after = { at: last.created_at, id: last.prediction_id };
    await write(out, chunk);
    if (batch.length < pageRows) break;
  }
  return { rows };
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}
