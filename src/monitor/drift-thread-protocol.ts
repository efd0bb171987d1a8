/**
 * The messages between the monitoring service and its drift worker (drift-thread.ts ↔ drift-worker.ts).
 *
 * Tables travel column-wise, one Float64Array per column, always in the transfer list: the current window's
 * arrays are moved as they are (the caller gives them up), the cached reference's are copied once first (the
 * service keeps its own), so nothing is cloned twice and no view drags a larger buffer along. The reference
 * travels only when the worker does not hold it yet (once per model and worker). Errors come back as plain
 * data and are rebuilt on the request thread: a CardwatchError keeps its code, message and status.
 */
import { CardwatchError, ERROR_CODES, type ErrorCode } from '../util/errors.js';
import type { DriftOptionsInput } from './preset.js';
import type { DriftInput } from './report.js';
import type { DriftReport } from './report-schema.js';
import type { MonitorTable } from './table.js';

/** A MonitorTable as it travels: names and arrays in the same order. */
export interface PackedTable {
  readonly rows: number;
  readonly names: readonly string[];
  readonly columns: readonly Float64Array[];
}

/**
 * One drift report to compute: `computeDrift` of the reference cached under `referenceKey` and `current`. The
 * rest of `DriftInput` travels as it is; the tables travel packed.
 */
export interface DriftRequest extends Omit<DriftInput, 'reference' | 'current'> {
  readonly id: number;
  /** The reference's cache key in the worker (the served model's id). */
  readonly referenceKey: string;
  /** The reference table itself, when this worker has not been sent it yet. */
  readonly reference?: PackedTable;
  readonly current: PackedTable;
  readonly options: DriftOptionsInput;
}

/** A thrown value as plain data: enough to rebuild the same error on the other side. */
export interface SerialisedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** Set when the value was a CardwatchError. */
  readonly code?: ErrorCode;
  readonly statusCode?: number;
  readonly details?: unknown;
}

export type DriftReply =
  | { readonly id: number; readonly report: DriftReport }
  | { readonly id: number; readonly error: SerialisedError };

/**
 * Packs `table` for postMessage, pushing the buffers to transfer onto `transfer`. `owned`: the caller gives the
 * arrays up (they are detached once posted) and whole-buffer arrays move without a copy; otherwise each column
 * is copied first, so the caller's arrays stay usable.
 */
export function packTable(table: MonitorTable, owned: boolean, transfer: ArrayBuffer[]): PackedTable {
  const names: string[] = [];
  const columns: Float64Array[] = [];
  const moved = new Set<ArrayBufferLike>(transfer);
  for (const [name, values] of table.columns) {
    const { buffer } = values;
    const whole =
      buffer instanceof ArrayBuffer && values.byteOffset === 0 && values.byteLength === buffer.byteLength;
    // A column repeated under two names moves once; a view on part of a buffer is copied to its own.
    const column = owned && whole ? values : values.slice();
    if (!moved.has(column.buffer)) {
      moved.add(column.buffer);
      transfer.push(column.buffer as ArrayBuffer);
    }
    names.push(name);
    columns.push(column);
  }
  return { rows: table.rows, names, columns };
}

export function unpackTable(packed: PackedTable): MonitorTable {
  const columns = new Map<string, Float64Array>();
  packed.names.forEach((name, i) => columns.set(name, packed.columns[i]!));
  return { rows: packed.rows, columns };
}

export function serialiseError(error: unknown): SerialisedError {
  if (error instanceof CardwatchError) {
    return {
      name: error.name,
      message: error.message,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
      code: error.code,
      statusCode: error.statusCode,
      details: error.details,
    };
  }
  if (error instanceof Error) {
    return {
      name: error.name,
      message: error.message,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** The error `serialiseError` described, rebuilt: same class (CardwatchError or Error), code, message, status. */
export function reviveError(error: SerialisedError): Error {
  let revived: Error;
  if (error.code !== undefined && error.code in ERROR_CODES) {
    revived = new CardwatchError(error.code, error.message, {
      details: error.details,
      ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
    });
  } else {
    revived = new Error(error.message);
    revived.name = error.name;
  }
  // The worker's stack says where it failed; the request thread's own would only show the message handler.
  if (error.stack !== undefined) revived.stack = error.stack;
  return revived;
}
