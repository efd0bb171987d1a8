/**
 * How a request row becomes a model input row. Clients always send the Kaggle fields (`features` = V1..V28,
 * `amount`, `time`); a model takes some of them in its own column order (`scorer.inputColumns`: usually
 * V1..V28, possibly with Amount and Time). The plan is worked out once per loaded model and cached, so the
 * request path only copies numbers.
 */
import type { Scorer } from '../bundle/scorer-types.js';
import { CardwatchError } from '../util/errors.js';
import { RowPool } from './row-pool.js';

/** Number of V values every request row carries. */
export const REQUEST_FEATURE_COUNT = 28;

/** Where model column i comes from: 0..27 = features[k], or one of these. */
const FROM_AMOUNT = -1;
const FROM_TIME = -2;

/** The fields of one request row the plan reads (the JSON row after validation). */
export interface RequestRow {
  readonly features: readonly number[];
  readonly amount?: number | null;
  readonly time?: number | null;
}

export interface ModelPlan {
  /** The model's input columns, e.g. V1..V28 (also the names of the explanation's features). */
  readonly columns: readonly string[];
  readonly width: number;
  /** The request fields the model needs besides `features` (each must be present). */
  readonly needsAmount: boolean;
  readonly needsTime: boolean;
  /** Spare rows of `width` values for single-row scoring. */
  readonly rows: RowPool;
  /**
   * Writes the model row for `row` into `out` at `offset`, or returns why it cannot (a missing `amount` or
   * `time`, a wrong feature count) as a CardwatchError to throw or to report per row; never throws itself.
   */
  fill(row: RequestRow, out: Float32Array, offset: number): CardwatchError | null;
}

const plans = new WeakMap<Scorer, ModelPlan>();

/** The plan of `scorer`'s model, built on first use and cached for the scorer's lifetime. */
export function planFor(scorer: Scorer): ModelPlan {
  let plan = plans.get(scorer);
  if (plan === undefined) {
    plan = buildPlan(scorer.manifest.id, scorer.inputColumns);
    plans.set(scorer, plan);
  }
  return plan;
}

/**
 * Works out where each model column comes from. A column the API cannot supply (neither V1..V28, Amount nor
 * Time) means the bundle cannot be served through this API: `MODEL_CORRUPT` (a 500 with the details in the log).
 */
export function buildPlan(modelVersion: string, columns: readonly string[]): ModelPlan {
  const sources = new Int8Array(columns.length);
  columns.forEach((column, i) => {
    const match = /^V([1-9]\d?)$/.exec(column);
    const v = match === null ? 0 : Number(match[1]);
    if (v >= 1 && v <= REQUEST_FEATURE_COUNT) sources[i] = v - 1;
    else if (column === 'Amount') sources[i] = FROM_AMOUNT;
    else if (column === 'Time') sources[i] = FROM_TIME;
    else {
      throw new CardwatchError(
        'MODEL_CORRUPT',
        `model ${modelVersion} takes input column ${JSON.stringify(column)}, which the API cannot supply ` +
          '(requests carry V1..V28, amount and time)',
      );
    }
  });
  const needsAmount = sources.includes(FROM_AMOUNT);
  const needsTime = sources.includes(FROM_TIME);
  const width = columns.length;
  return {
    columns,
    width,
    needsAmount,
    needsTime,
    rows: new RowPool(width),
    fill(row, out, offset) {
      const { features } = row;
      if (features.length !== REQUEST_FEATURE_COUNT) {
        return new CardwatchError(
          'SHAPE_MISMATCH',
          `expected ${REQUEST_FEATURE_COUNT} features (V1..V${REQUEST_FEATURE_COUNT}), got ${features.length}`,
        );
      }
      const amount = row.amount ?? null;
      const time = row.time ?? null;
      if ((needsAmount && amount === null) || (needsTime && time === null)) {
        return missingFields(modelVersion, needsAmount && amount === null, needsTime && time === null);
      }
      for (let i = 0; i < width; i++) {
        const source = sources[i] as number;
        out[offset + i] =
          source >= 0
            ? (features[source] as number)
            : source === FROM_AMOUNT
              ? (amount as number)
              : (time as number);
      }
      return null;
    },
  };
}

function missingFields(modelVersion: string, amount: boolean, time: boolean): CardwatchError {
  const names = [amount ? '"amount" (Amount)' : null, time ? '"time" (Time)' : null].filter(
    (name): name is string => name !== null,
  );
  return new CardwatchError(
    'INVALID_INPUT',
    `model ${modelVersion} also takes ${names.join(' and ')}: send ${names.length === 1 ? 'it' : 'them'} ` +
      'with the features',
  );
}
