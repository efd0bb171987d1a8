/**
 * Validation of the rows of a JSON batch, one by one, so a bad row gets its own error instead of failing the
 * batch. The schema is `predictRowSchema` (the body of `POST /predict`), so both routes accept and word the same
 * things. A hand-written check runs first: it accepts only rows the schema accepts, in a fraction of the time
 * (10,000 rows through zod block the event loop for ~60 ms); anything it does not accept goes to zod, which
 * either accepts it after all or says what is wrong.
 */
import type { z } from 'zod';
import {
  FLOAT32_MAX,
  predictRowSchema,
  TRANSACTION_ID_MAX,
  type PredictRow,
} from './routes/predict-schemas.js';
import { describeValidationIssues } from './validation-message.js';

/** A validated row, or the message naming what is wrong with it (e.g. `features[3] must be …`). */
export type RowCheck = { readonly row: PredictRow; readonly error?: undefined } | { readonly error: string };

function isOptionalValue(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === 'number' && Math.abs(value) <= FLOAT32_MAX)
  );
}

/**
 * True only for rows `predictRowSchema` accepts unchanged (a subset: borderline values such as a number that
 * rounds to the largest float32 are left to zod).
 */
export function isPlainValidRow(value: unknown): value is PredictRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) {
    if (key !== 'features' && key !== 'amount' && key !== 'time' && key !== 'transaction_id') return false;
  }
  const row = value as Record<string, unknown>;
  const features = row.features;
  if (!Array.isArray(features)) return false;
  for (let i = 0; i < features.length; i++) {
    const v: unknown = features[i];
    // NaN fails the comparison too.
    if (typeof v !== 'number' || !(Math.abs(v) <= FLOAT32_MAX)) return false;
  }
  if (!isOptionalValue(row.amount) || !isOptionalValue(row.time)) return false;
  const id = row.transaction_id;
  return (
    id === undefined ||
    id === null ||
    (typeof id === 'string' && id.length >= 1 && id.length <= TRANSACTION_ID_MAX)
  );
}

function issuesOf(error: z.ZodError): { instancePath: string; message: string }[] {
  return error.issues.map((issue) => ({
    instancePath: `/${issue.path.map(String).join('/')}`,
    message: issue.message,
  }));
}

/**
 * Checks one batch row; `context` names the row in messages about the row as a whole.
 * @example checkRow({ features: [1, 'x'] }, 'row').error // 'features[1] must be a finite number, got a string ("x")'
 */
export function checkRow(value: unknown, context = 'row'): RowCheck {
  if (isPlainValidRow(value)) return { row: value };
  const parsed = predictRowSchema.safeParse(value);
  if (parsed.success) return { row: parsed.data };
  return { error: describeValidationIssues(issuesOf(parsed.error), context) };
}

/** The client's transaction id of a row that failed validation, when it is a usable one (to echo it back). */
export function transactionIdOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as Record<string, unknown>).transaction_id;
  return typeof id === 'string' && id.length >= 1 && id.length <= TRANSACTION_ID_MAX ? id : null;
}
