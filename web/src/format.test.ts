import { describe, expect, it } from 'vitest';
import { float32Text, num, pct, seconds } from './format.js';

describe('format', () => {
  it('prints scores with 4 significant digits, exponents when tiny or huge, — for nothing', () => {
    expect(num(1.5035087764263153)).toBe('1.504');
    expect(num(0.00001234)).toBe('1.23e-5');
    expect(num(null)).toBe('—');
    expect(num(Number.NaN)).toBe('—');
    expect(pct(0.2587)).toBe('25.9%');
    expect(seconds(125)).toBe('2 min 5 s');
  });

  it('gives the shortest text with the same float32 value', () => {
    expect(float32Text(0.10000000149011612)).toBe('0.1');
    expect(float32Text(-3.0433828830718994)).toBe('-3.043383');
    for (const value of [-3.0433828830718994, 56.2412, 1e-7, 2762]) {
      expect(Math.fround(Number(float32Text(value)))).toBe(Math.fround(value));
    }
  });
});
