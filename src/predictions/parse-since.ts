/**
 * `--since` for `cardwatch predictions export` (and any API filter): an ISO date or a duration back from now.
 */
import { CardwatchError } from '../util/errors.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

const DURATION = /^(\d+)([a-zA-Z]+)$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

const EXPECTED =
  'expected a duration back from now (30m, 24h, 7d, 2w; units s, m, h, d, w) or an ISO date ' +
  '(2024-05-01, 2024-05-01T12:00:00Z, 2024-05-01T14:00+02:00)';

function invalid(text: string, reason: string): CardwatchError {
  return new CardwatchError('INVALID_INPUT', `since ${JSON.stringify(text)}: ${reason}`);
}

function isUnit(unit: string): unit is Unit {
  return Object.hasOwn(UNIT_MS, unit);
}

function parseDuration(text: string, match: RegExpExecArray, now: number): number {
  const amount = Number(match[1]);
  const unit = match[2];
  if (!isUnit(unit)) {
    throw invalid(text, `unknown unit "${unit}"; use s, m, h, d or w (months and years vary in length)`);
  }
  if (amount === 0) throw invalid(text, 'a duration must be greater than zero');
  return now - amount * UNIT_MS[unit];
}

function parseIso(text: string, match: RegExpExecArray): number {
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  // A date-time without a zone would silently depend on the machine's time zone; a bare date is a calendar
  // day, taken as UTC like the `created_at` column.
  if (h !== undefined && zone === undefined) {
    throw invalid(text, 'a date with a time needs a time zone: add Z for UTC or an offset like +02:00');
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, Number((frac ?? '0').padEnd(3, '0')));
  const check = new Date(utc);
  // Date.UTC rolls 2024-02-30 over to March 1st; refuse instead of guessing.
  if (
    month < 1 ||
    month > 12 ||
    check.getUTCDate() !== day ||
    check.getUTCMonth() !== month - 1 ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw invalid(text, 'not a valid calendar date or time');
  }
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = Number(digits.slice(2));
    if (offsetHours > 23 || offsetMins > 59) throw invalid(text, `bad time zone offset ${zone}`);
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return utc - offsetMinutes * 60_000;
}

/**
 * The start time (ms since the epoch) named by `text`: a duration back from `now` (`24h`, `7d`) or an ISO
 * date (a bare date is midnight UTC; a time needs `Z` or an offset). Refuses, with the accepted forms,
 * anything else, an impossible date, and a time in the future (the export would be empty, which is more
 * likely a typo than a wish). Errors are `INVALID_INPUT`.
 * @example parseSince('24h', Date.UTC(2024, 4, 2)) // Date.UTC(2024, 4, 1)
 * @example parseSince('2024-05-01T12:00:00+02:00') // Date.UTC(2024, 4, 1, 10)
 */
export function parseSince(text: string, now: Date | number = Date.now()): number {
  const nowMs = now instanceof Date ? now.getTime() : now;
  const trimmed = text.trim();
  if (trimmed === '') throw invalid(text, `empty; ${EXPECTED}`);
  const duration = DURATION.exec(trimmed);
  const iso = duration === null ? ISO.exec(trimmed) : null;
  if (duration === null && iso === null) throw invalid(text, EXPECTED);
  const since =
    duration !== null ? parseDuration(text, duration, nowMs) : parseIso(text, iso as RegExpExecArray);
  if (since > nowMs) {
    throw invalid(text, `is in the future (now is ${new Date(nowMs).toISOString()})`);
  }
  return since;
}
