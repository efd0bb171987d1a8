/**
 * A small byte writer for CSV output: numbers are formatted straight into bytes (no string per value),
 * which is what lets the generator write the full 284,807-row table in a second or two.
 */

const POW10 = Array.from({ length: 16 }, (_, i) => Number(`1e${i}`));

export class CsvBytes {
  buffer: Uint8Array;
  length = 0;
  private readonly digits = new Uint8Array(24);

  constructor(capacity: number) {
    this.buffer = new Uint8Array(capacity);
  }

  /** Makes room for `bytes` more (a row is bounded, so callers reserve once per row). */
  reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bytes));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  /** One byte; the caller has reserved room (the row loop reserves once per row). */
  byte(value: number): void {
    this.buffer[this.length++] = value;
  }

  ascii(text: string): void {
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) this.buffer[this.length++] = text.charCodeAt(i);
  }

  /** A non-negative integer below 2^53. */
  uint(value: number): void {
    this.reserve(16);
    let n = value;
    let count = 0;
    do {
      const next = Math.floor(n / 10);
      this.digits[count++] = 48 + (n - next * 10);
      n = next;
    } while (n > 0);
    while (count > 0) this.buffer[this.length++] = this.digits[--count]!;
  }

  /**
   * `value` rounded to at most `significant` significant digits and `maxDecimals` decimals, without
   * trailing zeros or exponent (e.g. -1.35981, 0.0123457, 149.62, 0).
   */
  decimal(value: number, significant: number, maxDecimals: number): void {
    this.reserve(40);
    const magnitude = Math.abs(value);
    if (!(magnitude > 0) || !Number.isFinite(magnitude)) {
      this.byte(48);
      return;
    }
    let decimals = Math.min(maxDecimals, Math.max(0, significant - 1 - Math.floor(Math.log10(magnitude))));
    let scaled = Math.round(magnitude * POW10[decimals]!);
    if (scaled === 0) {
      this.byte(48);
      return;
    }
    while (decimals > 0 && scaled % 10 === 0) {
      scaled /= 10;
      decimals--;
    }
    if (value < 0) this.byte(45);
    const unit = POW10[decimals]!;
    const whole = Math.floor(scaled / unit);
    this.uint(whole);
    if (decimals === 0) return;
    this.byte(46);
    let fraction = scaled - whole * unit;
    for (let i = decimals - 1; i >= 0; i--) {
      const next = Math.floor(fraction / 10);
      this.buffer[this.length + i] = 48 + (fraction - next * 10);
      fraction = next;
    }
    this.length += decimals;
  }
}
