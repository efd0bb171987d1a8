/**
 * Number parsing for the CSV hot path, straight from bytes (no string per field).
 *
 * `parseDecimal` is Clinger's fast path: when the digits form an integer below 2^53 (always so with at
 * most 15 significant digits) it is exact in a double, and 10^k is exact for |k| ≤ 22, so one IEEE
 * multiply or divide gives the correctly rounded double, i.e. exactly what `parseFloat` returns.
 * Anything outside that (more digits, a large exponent, or not a number at all) returns NaN and the
 * caller falls back to `parseFieldText`, which is `parseFloat` itself behind a strict syntax check. Both end in `Math.fround`, so every field
 * becomes exactly `Math.fround(parseFloat(field))`.
 *
 * This file must stay free of heavy imports: the CSV worker threads load it.
 */

const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** Where the last successful `parseDecimal` stopped (one past the number and its closing quote). */
export const decimalEnd = { pos: 0 };

/**
 * Parses `[+-]digits[.digits][(e|E)[+-]digits]`, optionally inside double quotes, starting at `start`.
 * Returns the value as a double and sets `decimalEnd.pos`, or NaN when the fast path cannot give the exact
 * answer (the caller then decides on the whole field). Never NaN for a valid fast-path value: NaN and
 * infinities are not numbers here.
 */
export function parseDecimal(bytes: Uint8Array, start: number): number {
  let p = start;
  let c = bytes[p]!;
  const quoted = c === 34;
  if (quoted) c = bytes[++p]!;
  const negative = c === 45;
  if (negative || c === 43) c = bytes[++p]!;
  let mantissa = 0;
  let digits = 0;
  let exponent = 0;
  // Past the end of the array `c` is undefined; `undefined >= 48` is false, so every loop stops there.
  while (c >= 48 && c <= 57) {
    mantissa = mantissa * 10 + (c - 48);
    digits++;
    c = bytes[++p]!;
  }
  if (c === 46) {
    c = bytes[++p]!;
    while (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      exponent--;
      c = bytes[++p]!;
    }
  }
  if (digits === 0) return NaN;
  if (c === 101 || c === 69) {
    c = bytes[++p]!;
    const negativeExponent = c === 45;
    if (negativeExponent || c === 43) c = bytes[++p]!;
    let value = 0;
    let exponentDigits = 0;
    while (c >= 48 && c <= 57) {
      if (value < 100000) value = value * 10 + (c - 48);
      exponentDigits++;
      c = bytes[++p]!;
    }
    if (exponentDigits === 0) return NaN;
    exponent += negativeExponent ? -value : value;
  }
  if (quoted) {
    if (c !== 34) return NaN;
    p++;
  }
  // Every partial mantissa is at most the final one, so a final one ≤ 2^53 − 1 means all were exact.
  if (mantissa > MAX_EXACT || exponent > 22 || exponent < -22) return NaN;
  decimalEnd.pos = p;
  const magnitude = exponent >= 0 ? mantissa * POW10[exponent]! : mantissa / POW10[-exponent]!;
  return negative ? -magnitude : magnitude;
}

const DECIMAL_SYNTAX = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_SYNTAX = /^[+-]?(?:nan|inf|infinity)$/i;

/** A field value as float32, or the reason it is refused (the text after `"<field>" `). */
export type FieldValue = { ok: true; value: number } | { ok: false; reason: string };

/**
 * The slow, exact path for one unquoted field text: the same syntax `parseDecimal` accepts (so the two
 * never disagree on what is a number), value from `parseFloat`, and finite both as a double and as float32.
 */
export function parseFieldText(text: string): FieldValue {
  if (!DECIMAL_SYNTAX.test(text)) {
    return NON_FINITE_SYNTAX.test(text)
      ? { ok: false, reason: 'is not a finite number' }
      : { ok: false, reason: 'is not a number' };
  }
  const double = parseFloat(text);
  if (!Number.isFinite(double)) return { ok: false, reason: 'is not a finite number' };
  const value = Math.fround(double);
  if (!Number.isFinite(value)) return { ok: false, reason: 'is out of the float32 range' };
  return { ok: true, value };
}
