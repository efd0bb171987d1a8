/**
 * The rows of `POST /predict/batch`, from JSON or from a Kaggle CSV, turned into one model input matrix plus the
 * per-row errors. Bad rows keep their place (by index) and never fail the batch; only the valid ones are scored.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { INPUT_COLUMNS, parseKaggleCsv, selectColumns, type ParsedCsv } from '../data/index.js';
import { CardwatchError, type ErrorCode } from '../util/errors.js';
import type { ModelPlan } from './model-plan.js';
import { checkRow, transactionIdOf } from './row-validation.js';
import type { PredictRow } from './routes/predict-schemas.js';

/** Rows handled between two yields to the event loop, so a big batch does not stall single predictions. */
export const ROWS_PER_SLICE = 1000;

/** Longest per-row message (a CSV cell is echoed in it; a 60 KB cell must not come back 10,000 times). */
const MAX_ROW_MESSAGE = 300;

export interface BatchRowError {
  /** 0-based index of the row in the request. */
  readonly row: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly transactionId: string | null;
}

/** The rows to score (`count` of them, row-major in `x`) and the rows that could not be. */
export interface BatchInput {
  /** Rows received. */
  readonly total: number;
  /** Valid rows, `count × plan.width`, in model column order. */
  readonly x: Float32Array;
  readonly count: number;
  /** Request index of valid row i. */
  rowOf(i: number): number;
  /** Bad rows, by ascending index. */
  readonly errors: readonly BatchRowError[];
  /** What the log stores of valid row i: V1..V28 as sent, Amount, Time, the client's id. */
  features(i: number): ArrayLike<number>;
  amount(i: number): number | null;
  time(i: number): number | null;
  transactionId(i: number): string | null;
}

function cut(message: string): string {
  return message.length > MAX_ROW_MESSAGE ? `${message.slice(0, MAX_ROW_MESSAGE)}…` : message;
}

/** Validates JSON rows one by one (yielding every {@link ROWS_PER_SLICE} rows) and fills the model matrix. */
export async function jsonBatchInput(rows: readonly unknown[], plan: ModelPlan): Promise<BatchInput> {
  const width = plan.width;
  const x = new Float32Array(rows.length * width);
  const valid: PredictRow[] = [];
  const rowOf = new Uint32Array(rows.length);
  const errors: BatchRowError[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && i % ROWS_PER_SLICE === 0) await yieldToEventLoop();
    const raw = rows[i];
    const checked = checkRow(raw);
    if (checked.error !== undefined) {
      errors.push({
        row: i,
        code: 'INVALID_INPUT',
        message: cut(checked.error),
        transactionId: transactionIdOf(raw),
      });
      continue;
    }
    const problem = plan.fill(checked.row, x, valid.length * width);
    if (problem !== null) {
      errors.push({
        row: i,
        code: problem.code,
        message: problem.message,
        transactionId: transactionIdOf(raw),
      });
      continue;
    }
    rowOf[valid.length] = i;
    valid.push(checked.row);
  }
  return {
    total: rows.length,
    x: x.subarray(0, valid.length * width),
    count: valid.length,
    rowOf: (i) => rowOf[i] as number,
    errors,
    features: (i) => (valid[i] as PredictRow).features,
    amount: (i) => (valid[i] as PredictRow).amount ?? null,
    time: (i) => (valid[i] as PredictRow).time ?? null,
    transactionId: (i) => (valid[i] as PredictRow).transaction_id ?? null,
  };
}

/** The data lines of a CSV are numbered from 2 (line 1 is the header); row indices from 0. */
const FIRST_DATA_LINE = 2;
const TIME_AT = INPUT_COLUMNS.indexOf('Time');
const AMOUNT_AT = INPUT_COLUMNS.indexOf('Amount');
const V1_AT = INPUT_COLUMNS.indexOf('V1');

/**
 * Parses a Kaggle-schema CSV (with or without `Class`, which is ignored); bad lines become row errors
 * (`CSV_ROW`, naming line and column). A bad header fails the request (`CSV_HEADER`, 400), as does a file with
 * no rows or more than `maxRows`.
 */
export function csvBatchInput(bytes: Uint8Array, plan: ModelPlan, maxRows: number): BatchInput {
  const parsed: ParsedCsv = parseKaggleCsv(bytes, { classColumn: 'optional', onBadRow: 'skip' });
  const { dataset, lines } = parsed;
  const total = dataset.rows + parsed.errors.length;
  if (total === 0) {
    throw new CardwatchError('INVALID_INPUT', 'the CSV has a header but no data lines: nothing to score');
  }
  if (total > maxRows) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `the CSV has ${total} data lines; one batch takes at most ${maxRows} (serve.batch_max_rows)`,
    );
  }
  const width = dataset.columns.length;
  const v = (i: number): number => i * width;
  return {
    total,
    // The data module maps its columns onto the model's (the same names: Time, V1..V28, Amount).
    x: selectColumns(dataset, plan.columns),
    count: dataset.rows,
    rowOf: (i) => (lines[i] as number) - FIRST_DATA_LINE,
    errors: parsed.errors.map((error) => ({
      row: error.line - FIRST_DATA_LINE,
      code: 'CSV_ROW',
      message: cut(error.message),
      transactionId: null,
    })),
    features: (i) => dataset.x.subarray(v(i) + V1_AT, v(i) + V1_AT + 28),
    amount: (i) => dataset.x[v(i) + AMOUNT_AT] as number,
    time: (i) => dataset.x[v(i) + TIME_AT] as number,
    transactionId: () => null,
  };
}
