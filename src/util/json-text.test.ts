import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonNullableString, jsonNumber, jsonString } from './json-text.js';

describe('json-text', () => {
  it('writes any string exactly as JSON.stringify does (quotes, escapes, controls, lone surrogates, unicode)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        expect(jsonString(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 5000 },
    );
    for (const value of ['', 'V14', 'a"b', 'a\\b', '\n', '\u007f', 'é', '\ud800', '</script>']) {
      expect(jsonString(value)).toBe(JSON.stringify(value));
    }
  });

  it('writes null and strings as JSON.stringify does', () => {
    expect(jsonNullableString(null)).toBe('null');
    expect(jsonNullableString('tx-1')).toBe('"tx-1"');
  });

  it('writes any number exactly as JSON.stringify does (NaN and ±Infinity → null, -0 → 0)', () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        expect(jsonNumber(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 5000 },
    );
    for (const value of [0, -0, NaN, Infinity, -Infinity, Number.MAX_VALUE, 5e-324, 1e21, 0.1 + 0.2]) {
      expect(jsonNumber(value)).toBe(JSON.stringify(value));
    }
  });

  it('writes numbers with at most 6 decimals (its integer fast path) exactly as JSON.stringify does', () => {
    // Every scale of the grid: micro-units up to just below the 1e9 limit, both signs, and round numbers.
    const micros = fc.oneof(
      fc.integer({ min: -999_999, max: 999_999 }),
      fc.integer({ min: -2_147_483_647, max: 2_147_483_647 }),
      fc.double({ min: -(1e15 - 1), max: 1e15 - 1, noNaN: true }).map(Math.trunc),
      fc.integer({ min: -999_999_999, max: 999_999_999 }).map((n) => n * 1e6),
    );
    fc.assert(
      fc.property(micros, (n) => {
        const value = n / 1e6;
        expect(jsonNumber(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 20_000 },
    );
    const edges = [
      1e-6,
      -1e-6,
      0.5,
      -0.5,
      0.000_01,
      0.1,
      0.100_001,
      1.000_001,
      999_999_999.999_999,
      1e9 - 1e-6,
    ];
    for (const value of [...edges, 1e9, -1e9, 5e-7, 0.123_456_7, 1 / 3, 0.517_622_802_609_160_6]) {
      expect(jsonNumber(value)).toBe(JSON.stringify(value));
    }
  });
});
