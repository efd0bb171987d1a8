import { describe, expect, it } from 'vitest';
import { riskLevel, topContributions } from './explain.js';

describe('riskLevel', () => {
  it.each([
    [0, 1, 'low'],
    [0.49, 1, 'low'],
    [0.5, 1, 'moderate'],
    [1, 1, 'moderate'],
    [1.01, 1, 'high'],
    [Number.MAX_VALUE, 1, 'high'],
  ])('score %d, threshold %d → %s', (score, threshold, risk) => {
    expect(riskLevel(score, threshold)).toBe(risk);
  });
});

describe('topContributions', () => {
  const columns = ['a', 'b', 'c', 'd', 'e'];

  it('returns the k largest, largest first, with shares of the total', () => {
    const top = topContributions(Float32Array.of(1, 3, 0, 4, 2), 0, 5, columns, 3);
    expect(top).toEqual([
      { feature: 'd', contribution: 4, share: 0.4 },
      { feature: 'b', contribution: 3, share: 0.3 },
      { feature: 'e', contribution: 2, share: 0.2 },
    ]);
  });

  it('reads the row at the offset, keeps column order on ties, and caps k at the width', () => {
    const values = Float32Array.of(9, 9, 9, 9, 9, 1, 1, 0, 1, 1);
    expect(topContributions(values, 5, 5, columns, 10).map((t) => t.feature)).toEqual([
      'a',
      'b',
      'd',
      'e',
      'c',
    ]);
  });

  it('agrees with a full sort on random rows', () => {
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const names = Array.from({ length: 28 }, (_, i) => `V${i + 1}`);
    for (let trial = 0; trial < 200; trial++) {
      const row = Float32Array.from({ length: 28 }, () => Math.floor(random() * 10));
      const expected = [...row.keys()]
        .sort((x, y) => (row[y] as number) - (row[x] as number) || x - y)
        .slice(0, 5);
      expect(topContributions(row, 0, 28, names, 5).map((t) => t.feature)).toEqual(
        expected.map((i) => names[i]),
      );
    }
  });

  it('rounds contributions and shares to 6 decimals, after choosing the top ones on the exact values', () => {
    const row = Float32Array.of(0.1234567, 0.1234566, 2.5e-7, 1 / 3);
    const top = topContributions(row, 0, 4, ['a', 'b', 'c', 'd'], 4);
    expect(top.map((t) => t.feature)).toEqual(['d', 'a', 'b', 'c']);
    expect(top.map((t) => t.contribution)).toEqual([0.333333, 0.123457, 0.123457, 0]);
    const total = row.reduce((sum, value) => sum + value, 0);
    for (const item of top) {
      const exact = (row[['a', 'b', 'c', 'd'].indexOf(item.feature)] as number) / total;
      expect(item.share).toBe(Math.round(exact * 1e6) / 1e6);
      expect(Math.abs(item.share - exact)).toBeLessThanOrEqual(5e-7);
    }
  });

  it('gives nothing for k = 0 or an empty contributions array (a model asked to skip them)', () => {
    expect(topContributions(Float32Array.of(1, 2), 0, 2, ['a', 'b'], 0)).toEqual([]);
    expect(topContributions(new Float32Array(0), 0, 2, ['a', 'b'], 5)).toEqual([]);
  });

  it('shares 0 for an all-zero row, and an overflowed contribution takes the whole share', () => {
    expect(topContributions(Float32Array.of(0, 0), 0, 2, ['a', 'b'], 2).map((t) => t.share)).toEqual([0, 0]);
    const top = topContributions(Float32Array.of(1, Number.POSITIVE_INFINITY), 0, 2, ['a', 'b'], 2);
    expect(top).toEqual([
      { feature: 'b', contribution: Number.MAX_VALUE, share: 1 },
      { feature: 'a', contribution: 1, share: 0 },
    ]);
  });
});
