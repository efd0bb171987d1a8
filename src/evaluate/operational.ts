/**
 * Metrics in an analyst's terms rather than a curve's: what a fixed daily alert budget catches (the top-K
 * scores of each day go to review) and how much of the fraud money a decision rule stops. Both need the
 * rows' `Time` (days are Time // 86400, as in the Kaggle data's two days) and `Amount`.
 */
import { CardwatchError } from '../util/errors.js';

export const SECONDS_PER_DAY = 86_400;

/** The day a row falls in: 0 for Time in [0, 86400), 1 for the next day, … */
export function dayOf(time: number): number {
  return Math.floor(time / SECONDS_PER_DAY);
}

/** How many rows of each day the whole dataset has (to pro-rate a budget for a split that holds a sample). */
export function rowsPerDay(times: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < times.length; i++) {
    const day = dayOf(times[i]!);
    counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  return counts;
}

export interface AlertBudgetMetrics {
  /** The budget K: alerts per day of the full transaction stream. */
  per_day: number;
  /** Days with at least one row in the split. */
  days: number;
  /** Alerts raised (Σ over days of the day's pro-rated budget, at most its rows). */
  alerts: number;
  /** Frauds among them. */
  frauds_caught: number;
  /** frauds_caught / alerts (0 with no alert). */
  precision: number;
  /** frauds_caught / frauds of the split. */
  recall: number;
  /** Amount of the frauds caught / Amount of all frauds of the split (0 when fraud amounts sum to 0). */
  amount_share: number;
}

export interface FraudAmountMetrics {
  /** Σ Amount of the split's frauds. */
  total: number;
  /** Σ Amount of the frauds flagged at the threshold (score > threshold). */
  caught: number;
  /** caught / total (0 when total is 0). */
  share: number;
}

export interface AlertBudgetOptions {
  /** K, the alerts a day of the full stream may raise. */
  perDay: number;
  /**
   * Rows per day of the whole dataset. A split holding only part of a day's rows (a stratified split's 30%,
   * a time split's partial last day) then gets that part of the day's budget, round(K · rows_in_split /
   * rows_of_day), so validation and test precision mean the same thing: precision at K alerts per day of
   * traffic. Without it every day gets all K.
   */
  dayRows?: ReadonlyMap<number, number>;
}

function checkLengths(what: string, lengths: number[]): void {
  if (lengths.some((length) => length !== lengths[0])) {
    throw new CardwatchError('SHAPE_MISMATCH', `${what}: scores, labels, amounts and times differ in length`);
  }
}

/**
 * Precision, recall and fraud amount of the top-scoring rows of each day within the budget. Ties at a day's
 * cut are broken by row order (stable), so the result is deterministic.
 * @example
 * alertBudget(Float32Array.of(0.9, 0.1, 0.8, 0.7), Uint8Array.of(1, 0, 0, 1), Float32Array.of(10, 5, 1, 30),
 *   Float32Array.of(0, 10, 90_000, 90_001), { perDay: 1 })
 * // day 0 alerts row 0 (fraud), day 1 alerts row 2 (normal): precision 0.5, recall 0.5, amount_share 0.25
 */
export function alertBudget(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  amounts: ArrayLike<number>,
  times: ArrayLike<number>,
  options: AlertBudgetOptions,
): AlertBudgetMetrics {
  checkLengths('alertBudget', [scores.length, labels.length, amounts.length, times.length]);
  if (!(Number.isInteger(options.perDay) && options.perDay > 0)) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `the alert budget must be a positive integer, got ${options.perDay}`,
    );
  }
  const byDay = new Map<number, number[]>();
  let frauds = 0;
  let fraudAmount = 0;
  for (let i = 0; i < scores.length; i++) {
    const day = dayOf(times[i]!);
    let rows = byDay.get(day);
    if (rows === undefined) byDay.set(day, (rows = []));
    rows.push(i);
    if (labels[i] === 1) {
      frauds++;
      fraudAmount += amounts[i]!;
    }
  }
  let alerts = 0;
  let caught = 0;
  let caughtAmount = 0;
  for (const [day, rows] of byDay) {
    const ofDay = options.dayRows?.get(day);
    const budget =
      ofDay === undefined
        ? options.perDay
        : Math.round((options.perDay * rows.length) / Math.max(ofDay, rows.length));
    const take = Math.min(budget, rows.length);
    if (take === 0) continue;
    // Highest score first; equal scores keep row order.
    rows.sort((a, b) => scores[b]! - scores[a]! || a - b);
    for (let k = 0; k < take; k++) {
      const i = rows[k]!;
      if (labels[i] === 1) {
        caught++;
        caughtAmount += amounts[i]!;
      }
    }
    alerts += take;
  }
  return {
    per_day: options.perDay,
    days: byDay.size,
    alerts,
    frauds_caught: caught,
    precision: alerts === 0 ? 0 : caught / alerts,
    recall: frauds === 0 ? 0 : caught / frauds,
    amount_share: fraudAmount > 0 ? caughtAmount / fraudAmount : 0,
  };
}

/** The fraud money flagged by `score > threshold`, and its share of all fraud money in the split. */
export function fraudAmountCaught(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  amounts: ArrayLike<number>,
  threshold: number,
): FraudAmountMetrics {
  checkLengths('fraudAmountCaught', [scores.length, labels.length, amounts.length]);
  let total = 0;
  let caught = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    total += amounts[i]!;
    if (scores[i]! > threshold) caught += amounts[i]!;
  }
  return { total, caught, share: total > 0 ? caught / total : 0 };
}
