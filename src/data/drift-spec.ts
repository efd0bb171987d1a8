/**
 * `--drift SPEC` of `cardwatch data generate` and `cardwatch simulate`: how to distort the synthetic data so
 * drift monitoring has something to find.
 *
 * Grammar (items separated by commas, no spaces needed):
 *   SPEC  := ITEM ("," ITEM)*
 *   ITEM  := COLUMN ":" OP "=" NUMBER        e.g. V1:shift=2   V4:scale=1.5   Amount:scale=3
 *          | "fraud_rate" "=" NUMBER         e.g. fraud_rate=0.01
 *   COLUMN := V1..V28 | Amount;  OP := shift | scale
 * A column's value becomes `value × scale + shift` (scale defaults to 1, shift to 0; both ops may be given
 * for one column in two items). `fraud_rate` replaces the Kaggle rate (0.17%) with this share of rows.
 */
import { z } from 'zod';
import { CardwatchError } from '../util/errors.js';

export const DRIFT_COLUMNS = [...Array.from({ length: 28 }, (_, i) => `V${i + 1}`), 'Amount'] as const;
export type DriftColumn = (typeof DRIFT_COLUMNS)[number];

const transformSchema = z.strictObject({
  shift: z.number().finite().default(0),
  scale: z.number().finite().positive({ error: 'scale must be > 0' }).default(1),
});

export const driftSpecSchema = z.strictObject({
  columns: z.partialRecord(z.enum(DRIFT_COLUMNS), transformSchema).default({}),
  fraud_rate: z
    .number()
    .min(0, { error: 'fraud_rate must be in [0, 1]' })
    .max(1, { error: 'fraud_rate must be in [0, 1]' })
    .optional(),
});

export type DriftSpec = z.output<typeof driftSpecSchema>;
export type ColumnTransform = z.output<typeof transformSchema>;

const GRAMMAR =
  'expected items like V1:shift=2, V4:scale=1.5, Amount:scale=3 or fraud_rate=0.01, separated by commas';

function invalid(spec: string, message: string): CardwatchError {
  return new CardwatchError('INVALID_INPUT', `--drift ${JSON.stringify(spec)}: ${message}`);
}

function parseNumber(spec: string, item: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw invalid(spec, `in "${item}", "${text}" is not a number`);
  }
  return value;
}

/**
 * Parses and validates a drift spec; every mistake is INVALID_INPUT naming the item.
 * @example parseDriftSpec('V1:shift=2,fraud_rate=0.01') // { columns: { V1: { shift: 2, scale: 1 } }, fraud_rate: 0.01 }
 */
export function parseDriftSpec(spec: string): DriftSpec {
  const raw: { columns: Record<string, Record<string, number>>; fraud_rate?: number } = { columns: {} };
  const items = spec.split(',').map((item) => item.trim());
  if (spec.trim() === '' || items.some((item) => item === ''))
    throw invalid(spec, `an item is empty; ${GRAMMAR}`);
  for (const item of items) {
    const rate = /^fraud_rate=(.*)$/.exec(item);
    if (rate !== null) {
      if (raw.fraud_rate !== undefined) throw invalid(spec, 'fraud_rate is given twice');
      raw.fraud_rate = parseNumber(spec, item, rate[1]!);
      continue;
    }
    const match = /^([^:=]+):([^=]+)=(.*)$/.exec(item);
    if (match === null) throw invalid(spec, `"${item}" is not an item; ${GRAMMAR}`);
    const [, column, op, value] = match as unknown as [string, string, string, string];
    if (!(DRIFT_COLUMNS as readonly string[]).includes(column)) {
      throw invalid(spec, `unknown column "${column}" in "${item}"; columns are V1..V28 and Amount`);
    }
    if (op !== 'shift' && op !== 'scale') {
      throw invalid(spec, `unknown operation "${op}" in "${item}"; use shift or scale`);
    }
    const transform = (raw.columns[column] ??= {});
    if (transform[op] !== undefined) throw invalid(spec, `${column}:${op} is given twice`);
    transform[op] = parseNumber(spec, item, value);
  }
  const parsed = driftSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.filter((part) => part !== 'columns').join(':');
    throw invalid(spec, `${where === '' ? '' : `${where}: `}${issue.message}`);
  }
  return parsed.data;
}

/** The spec's transforms as dense per-column arrays over V1..V28, Amount (index 0..28), for the generator. */
export function driftTransforms(spec: DriftSpec): { shift: Float64Array; scale: Float64Array } {
  const shift = new Float64Array(DRIFT_COLUMNS.length);
  const scale = new Float64Array(DRIFT_COLUMNS.length).fill(1);
  DRIFT_COLUMNS.forEach((column, index) => {
    const transform = spec.columns[column];
    if (transform === undefined) return;
    shift[index] = transform.shift;
    scale[index] = transform.scale;
  });
  return { shift, scale };
}

/** The spec written back in its grammar, for messages and file names. */
export function formatDriftSpec(spec: DriftSpec): string {
  const items: string[] = [];
  for (const column of DRIFT_COLUMNS) {
    const transform = spec.columns[column];
    if (transform === undefined) continue;
    if (transform.shift !== 0) items.push(`${column}:shift=${transform.shift}`);
    if (transform.scale !== 1) items.push(`${column}:scale=${transform.scale}`);
  }
  if (spec.fraud_rate !== undefined) items.push(`fraud_rate=${spec.fraud_rate}`);
  return items.join(',');
}
