import { describe, it, expect } from 'vitest';
import { describeColumns, predictOne } from './predict.js';
import { FakeScorer } from '../__fixtures__/fake-scorer.js';

describe('describeColumns', () => {
  it.each([
    [['V1', 'V2', 'V3'], 'V1..V3'],
    [['Amount'], 'Amount'],
    [['Time', 'Amount'], 'Time, Amount'],
  ])('%j → %s', (columns, text) => {
    expect(describeColumns(columns)).toBe(text);
  });
});

describe('predictOne', () => {
  it('scores a row with the fake model: (1² + 2² + 2²) / 3 = 3 > 2.5 → fraud', async () => {
    const scorer = new FakeScorer({ inputColumns: ['a', 'b', 'c'], threshold: 2.5, id: 'm1' });
    const result = await predictOne(scorer, [1, 2, -2]);
    expect(result).toMatchObject({ is_fraud: true, score: 3, threshold: 2.5, model_version: 'm1' });
  });

  it('rejects a wrong width before calling the model', async () => {
    const scorer = new FakeScorer({ inputColumns: ['a', 'b', 'c'] });
    await expect(predictOne(scorer, [1, 2])).rejects.toThrow('expected 3 features (a..c), got 2');
    expect(scorer.calls).toHaveLength(0);
  });
});
