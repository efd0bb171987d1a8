import { describe, expect, it } from 'vitest';
import { parseSince } from './parse-since.js';

const NOW = Date.UTC(2024, 4, 10, 12, 0, 0);

describe('parseSince', () => {
  it.each([
    ['90s', NOW - 90_000],
    ['30m', NOW - 1_800_000],
    ['24h', NOW - 86_400_000],
    ['7d', NOW - 7 * 86_400_000],
    ['2w', NOW - 14 * 86_400_000],
    [' 24h ', NOW - 86_400_000],
    ['2024-05-01', Date.UTC(2024, 4, 1)],
    ['2024-05-01T08:30Z', Date.UTC(2024, 4, 1, 8, 30)],
    ['2024-05-01T08:30:15.250Z', Date.UTC(2024, 4, 1, 8, 30, 15, 250)],
    ['2024-05-01T10:30:00+02:00', Date.UTC(2024, 4, 1, 8, 30)],
    ['2024-05-01 03:30-0500', Date.UTC(2024, 4, 1, 8, 30)],
  ])('%j → its time', (text, expected) => {
    expect(parseSince(text, NOW)).toBe(expected);
  });

  it('accepts a Date as now', () => {
    expect(parseSince('1h', new Date(NOW))).toBe(NOW - 3_600_000);
  });

  it.each([
    ['', /empty; expected a duration/],
    ['yesterday', /expected a duration back from now \(30m, 24h, 7d, 2w/],
    ['24x', /unknown unit "x"; use s, m, h, d or w/],
    ['3M', /unknown unit "M"/],
    ['1.5h', /expected a duration/],
    ['0h', /greater than zero/],
    ['-2h', /expected a duration/],
    ['2024-02-30', /not a valid calendar date/],
    ['2024-13-01', /not a valid calendar date/],
    ['2024-05-01T25:00Z', /not a valid calendar date or time/],
    ['2024-05-01T12:00', /needs a time zone: add Z for UTC/],
    ['2024-05-01T12:00+24:00', /bad time zone offset/],
    ['2024-06-01', /is in the future \(now is 2024-05-10T12:00:00.000Z\)/],
  ])('%j is refused: %s', (text, message) => {
    expect(() => parseSince(text, NOW)).toThrow(message);
    expect(() => parseSince(text, NOW)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('names the value in the message', () => {
    expect(() => parseSince('24x', NOW)).toThrow('since "24x": ');
  });
});
