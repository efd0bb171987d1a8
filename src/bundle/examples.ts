/**
 * `examples.json` of a bundle: a few raw rows of each class from the test split, for the API docs, the web demo
 * and smoke tests ("does this bundle flag a known fraud?").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { INPUT_COLUMNS } from '../data/columns.js';
import { CardwatchError, describeError } from '../util/errors.js';
import { EXAMPLES_FILE } from './layout.js';

const rowSchema = z.array(z.number());

export const examplesSchema = z
  .object({
    /** Column names of every row (the 30 Kaggle input columns). */
    columns: z.array(z.string()).min(1),
    normal: z.array(rowSchema),
    fraud: z.array(rowSchema),
  })
  .superRefine((value, ctx) => {
    for (const kind of ['normal', 'fraud'] as const) {
      value[kind].forEach((row, i) => {
        if (row.length !== value.columns.length) {
          ctx.addIssue({
            code: 'custom',
            path: [kind, i],
            message: `has ${row.length} values, expected ${value.columns.length}`,
          });
        }
      });
    }
  });
export type BundleExamples = z.infer<typeof examplesSchema>;

/** Raw example rows as exportBundle receives them: each row holds the 30 input columns in Kaggle order. */
export interface ExampleRows {
  readonly normal: ReadonlyArray<readonly number[]>;
  readonly fraud: ReadonlyArray<readonly number[]>;
}

/** Checks example rows (width, finite values) and gives them their column names. */
export function buildExamples(rows: ExampleRows): BundleExamples {
  const columns = [...INPUT_COLUMNS];
  for (const kind of ['normal', 'fraud'] as const) {
    rows[kind].forEach((row, i) => {
      if (row.length !== columns.length) {
        throw new CardwatchError(
          'SHAPE_MISMATCH',
          `examples.${kind}[${i}] has ${row.length} values, expected the ${columns.length} input columns`,
        );
      }
      row.forEach((value, c) => {
        if (!Number.isFinite(value)) {
          throw new CardwatchError(
            'INVALID_INPUT',
            `examples.${kind}[${i}] column ${columns[c]} is ${value}`,
          );
        }
      });
    });
  }
  return { columns, normal: rows.normal.map((row) => [...row]), fraud: rows.fraud.map((row) => [...row]) };
}

/** Reads and validates `examples.json` of the bundle in `dir`. */
export function readExamples(dir: string, file = EXAMPLES_FILE): BundleExamples {
  const path = join(dir, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CardwatchError('MODEL_CORRUPT', `cannot read ${path}: ${describeError(error)}`, {
      cause: error,
    });
  }
  const result = examplesSchema.safeParse(parsed);
  if (!result.success) {
    throw new CardwatchError(
      'MODEL_CORRUPT',
      `${path} is not a valid examples file: ${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}
