import { describe, expect, it } from 'vitest';
import { Prng } from '../util/prng.js';
import { decimalEnd, parseDecimal, parseFieldText } from './float-parse.js';

const encoder = new TextEncoder();

/** What the parser must reproduce for every field. */
function reference(text: string): number {
  return Math.fround(parseFloat(text.replace(/^"|"$/g, '')));
}

/** The fast path's answer as float32, or null when it defers to the slow path. */
function fast(text: string): number | null {
  const value = parseDecimal(encoder.encode(`${text},`), 0);
  return Number.isNaN(value) ? null : Math.fround(value);
}

function randomDigits(prng: Prng, count: number): string {
  let digits = '';
  for (let i = 0; i < count; i++) digits += String(prng.int(10));
  return digits;
}

/** Many number spellings: plain, fixed, exponent forms, long mantissas, leading/trailing zeros, signs. */
function randomNumberTexts(count: number, seed: number): string[] {
  const prng = new Prng(seed);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const magnitude = 10 ** (prng.int(40) - 20);
    const value = (prng.next() - 0.5) * 2 * magnitude;
    switch (i % 8) {
      case 0:
        texts.push(String(value));
        break;
      case 1:
        texts.push(value.toPrecision(1 + prng.int(17)));
        break;
      case 2:
        texts.push(value.toExponential(prng.int(16)));
        break;
      case 3:
        texts.push(value.toFixed(prng.int(12)));
        break;
      case 4: {
        // Raw digits with a decimal point anywhere, up to 18 digits (past the fast path's 15).
        const digits = randomDigits(prng, 1 + prng.int(18));
        const point = prng.int(digits.length + 1);
        texts.push(
          `${prng.next() < 0.5 ? '-' : '+'}${digits.slice(0, point)}.${digits.slice(point)}`.replace(
            /^([+-])\.$/,
            '$10',
          ),
        );
        break;
      }
      case 5: {
        const exponent = prng.int(60) - 30;
        texts.push(`${randomDigits(prng, 1 + prng.int(15))}e${exponent}`);
        break;
      }
      case 6:
        // Kaggle style: 15 significant digits.
        texts.push(value.toPrecision(15));
        break;
      default:
        texts.push(Math.fround(value).toString());
    }
  }
  return texts;
}

describe('parseDecimal (fast path)', () => {
  it('gives exactly Math.fround(parseFloat(field)) whenever it answers', () => {
    const texts = randomNumberTexts(200_000, 11);
    let answered = 0;
    for (const text of texts) {
      const value = fast(text);
      if (value === null) continue;
      answered++;
      if (!Object.is(value, reference(text)))
        expect.fail(`${text}: fast ${value}, parseFloat ${reference(text)}`);
    }
    // The fast path must carry the bulk of the work, not defer everything.
    expect(answered / texts.length).toBeGreaterThan(0.6);
  });

  it('handles every value with at most 15 significant digits and a small exponent', () => {
    const prng = new Prng(5);
    for (let i = 0; i < 50_000; i++) {
      const digits = randomDigits(prng, 1 + prng.int(15));
      const scale = prng.int(10);
      const cut = Math.max(0, digits.length - scale);
      const text = `${i % 2 === 0 ? '-' : ''}${digits.slice(0, cut) || '0'}.${digits.slice(cut)}`;
      const value = fast(text);
      expect(value, text).not.toBeNull();
      expect(Object.is(value, reference(text)), text).toBe(true);
    }
  });

  it('reads the Kaggle file forms: quoted labels, signs, bare points, exponents', () => {
    const cases: [string, number][] = [
      ['"0"', 0],
      ['"1"', 1],
      ['-1.3598071336738', Math.fround(-1.3598071336738)],
      ['149.62', Math.fround(149.62)],
      ['+5', 5],
      ['.5', 0.5],
      ['5.', 5],
      ['1E3', 1000],
      ['2.5e-3', Math.fround(0.0025)],
      ['0000.0001', Math.fround(0.0001)],
    ];
    for (const [text, expected] of cases) expect(fast(text), text).toBe(expected);
    expect(Object.is(fast('-0'), -0)).toBe(true);
  });

  it('stops after the number (and its closing quote)', () => {
    const bytes = encoder.encode('"12.5",7');
    expect(parseDecimal(bytes, 0)).toBe(12.5);
    expect(decimalEnd.pos).toBe(6);
    expect(parseDecimal(bytes, 7)).toBe(7);
    expect(decimalEnd.pos).toBe(8);
  });

  it('defers what it cannot do exactly or is not a number', () => {
    for (const text of [
      '',
      '-',
      '.',
      'abc',
      '1e',
      '1e+',
      '"1',
      '12345678901234567',
      '1e23',
      '1e-30',
      'NaN',
      'Infinity',
    ]) {
      expect(fast(text), text).toBeNull();
    }
  });
});

describe('parseFieldText (slow path)', () => {
  it('matches parseFloat exactly on long mantissas and large exponents', () => {
    for (const text of [
      '0.12345678901234567890',
      '-1.3598071336738012345',
      '9.999999e37',
      '1.5e-40',
      '123456789012345678',
    ]) {
      const parsed = parseFieldText(text);
      expect(parsed.ok && Object.is(parsed.value, reference(text)), text).toBe(true);
    }
  });

  it('refuses text, non-finite values and float32 overflow with a reason', () => {
    expect(parseFieldText('abc')).toEqual({ ok: false, reason: 'is not a number' });
    expect(parseFieldText('12abc')).toEqual({ ok: false, reason: 'is not a number' });
    expect(parseFieldText(' 1')).toEqual({ ok: false, reason: 'is not a number' });
    expect(parseFieldText('0x10')).toEqual({ ok: false, reason: 'is not a number' });
    expect(parseFieldText('')).toEqual({ ok: false, reason: 'is not a number' });
    for (const text of ['NaN', 'Infinity', '-Infinity', 'inf', '1e999', '-1e400']) {
      expect(parseFieldText(text), text).toEqual({ ok: false, reason: 'is not a finite number' });
    }
    expect(parseFieldText('1e39')).toEqual({ ok: false, reason: 'is out of the float32 range' });
  });
});
