/**
 * Pieces of JSON text for the answers the service builds ~15,000 times a second (a `POST /predict` answer and
 * its log row's top features). `JSON.stringify` walks an object generically (~3.5 µs for a /predict answer
 * here); concatenating the known fields of a known shape with these pieces is ~1.5× faster and gives the very
 * same text (property tests in the callers hold them to `JSON.stringify`).
 */

/** Text `JSON.stringify` leaves as it is between its quotes: printable ASCII without `"` and `\`. */
const PLAIN_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `JSON.stringify(value)` for a string; skips the general escaper for plain text (ids, column names). */
export function jsonString(value: string): string {
  return PLAIN_TEXT.test(value) ? `"${value}"` : JSON.stringify(value);
}

/** `JSON.stringify(value)` for a string or null. */
export function jsonNullableString(value: string | null): string {
  return value === null ? 'null' : jsonString(value);
}

/** The digits of 0..999 with leading zeros ("007"), and the same without trailing zeros ("07", "" for 0). */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const THREE_DIGITS_TRIMMED = THREE_DIGITS.map((digits) => digits.replace(/0+$/, ''));

/** Below this magnitude a number on the 10⁻⁶ grid has at most 15 significant digits (see jsonNumber). */
const GRID_LIMIT = 1e9;

/**
 * `JSON.stringify(value)` for a number: JSON has no NaN or Infinity, so those are `null` as there.
 *
 * Numbers with at most 6 decimal places (`n / 1e6` for an integer n, |value| < 1e9: the explanations, which
 * explain.ts rounds so) are written from the integer n, ~3× faster than V8's shortest-round-trip conversion,
 * which measured ~0.5 µs per number under load, 10 numbers per /predict answer. The text is the same: such a
 * decimal has at most 15 significant digits, so it is the one shortest decimal that reads back as `value`,
 * which is what Number::toString writes (fixed notation from 1e-6 up). Any other number takes String().
 */
export function jsonNumber(value: number): string {
  if (value > -GRID_LIMIT && value < GRID_LIMIT) {
    const micros = Math.round(value * 1e6);
    if (micros / 1e6 === value) {
      const magnitude = micros < 0 ? -micros : micros;
      const whole = Math.floor(magnitude / 1e6);
      const fraction = magnitude - whole * 1e6;
      // -0 and 0 both write "0", as JSON.stringify does.
      if (fraction === 0) return micros < 0 ? `-${whole}` : whole === 0 ? '0' : `${whole}`;
      const head = micros < 0 ? `-${whole}.` : `${whole}.`;
      const high = Math.floor(fraction / 1000);
      const low = fraction - high * 1000;
      return low === 0
        ? head + (THREE_DIGITS_TRIMMED[high] as string)
        : head + (THREE_DIGITS[high] as string) + (THREE_DIGITS_TRIMMED[low] as string);
    }
  }
  // For finite numbers ECMAScript's JSON.stringify is Number::toString, i.e. String(value) (-0 → "0" in both).
  return Number.isFinite(value) ? String(value) : 'null';
}
