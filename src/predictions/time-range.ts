/** Turning the `Date | number` times of the public API into checked ms-since-epoch numbers. */
import { CardwatchError } from '../util/errors.js';

/** ms since the epoch of a Date or number; a non-finite value is the caller's mistake (INVALID_INPUT). */
export function toEpochMs(value: Date | number, name: string): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `${name} must be a valid date or ms since the epoch, got ${String(value)}`,
    );
  }
  return ms;
}

/** A checked `[since, until)` range; open ends become ∓Infinity, which SQLite compares correctly. */
export function resolveRange(range: { since?: Date | number; until?: Date | number }): {
  since: number;
  until: number;
} {
  const since = range.since === undefined ? -Infinity : toEpochMs(range.since, 'since');
  const until = range.until === undefined ? Infinity : toEpochMs(range.until, 'until');
  if (since > until) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `since (${new Date(since).toISOString()}) is after until (${new Date(until).toISOString()})`,
    );
  }
  return { since, until };
}
