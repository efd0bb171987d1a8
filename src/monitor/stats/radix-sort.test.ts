import { describe, expect, it } from 'vitest';
import { Prng } from '../../util/prng.js';
import { sortFloat64 } from './radix-sort.js';

describe('sortFloat64', () => {
  it('matches the built-in sort on large mixed arrays (negatives, ties, -0, extremes, subnormals)', () => {
    const prng = new Prng(5);
    const special = [0, -0, 1e-310, -1e-310, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1, 0.1, -0.1];
    const values = Float64Array.from({ length: 20_000 }, (_, i) =>
      i % 50 === 0
        ? special[(i / 50) % special.length]!
        : i % 7 === 0
          ? Math.round(prng.normal() * 3) // many ties
          : prng.normal() * 10 ** prng.int(8),
    );
    const expected = Float64Array.from(values).sort();
    const sorted = sortFloat64(Float64Array.from(values));
    expect(sorted).toEqual(expected);
    // -0 before +0, as the built-in sort orders them.
    const zeros = Array.from(
      sorted.filter((v) => v === 0),
      (v) => Object.is(v, -0),
    );
    expect(zeros.indexOf(false)).toBeGreaterThan(zeros.lastIndexOf(true));
  });

  it('sorts in place, subarrays included', () => {
    const backing = new Float64Array(10_002).fill(9);
    const view = backing.subarray(1, 10_001);
    for (let i = 0; i < view.length; i++) view[i] = view.length - i;
    expect(sortFloat64(view)).toBe(view);
    expect(view[0]).toBe(1);
    expect(view[view.length - 1]).toBe(10_000);
    expect(backing[0]).toBe(9);
    expect(backing[10_001]).toBe(9);
  });

  it('small arrays use the built-in sort', () => {
    expect(Array.from(sortFloat64(new Float64Array([3, -1, 2])))).toEqual([-1, 2, 3]);
  });
});
