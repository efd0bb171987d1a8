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
});
