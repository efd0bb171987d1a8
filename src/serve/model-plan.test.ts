import { describe, expect, it } from 'vitest';
import { buildPlan, planFor } from './model-plan.js';
import { FakeScorer, V1_TO_V28 } from './__fixtures__/fake-scorer.js';

const features = V1_TO_V28.map((_, i) => i + 1);

describe('buildPlan', () => {
  it('maps V columns by name, and Amount/Time to the request fields', () => {
    const plan = buildPlan('m', ['Time', 'V3', 'V1', 'Amount']);
    const out = new Float32Array(6).fill(-1);
    expect(plan.fill({ features, amount: 9, time: 4 }, out, 2)).toBeNull();
    expect(Array.from(out)).toEqual([-1, -1, 4, 3, 1, 9]);
    expect([plan.needsAmount, plan.needsTime, plan.width]).toEqual([true, true, 4]);
  });

  it('returns (does not throw) the error for a wrong count or a missing field', () => {
    const plan = buildPlan('ae-7', [...V1_TO_V28, 'Amount']);
    const out = new Float32Array(29);
    expect(plan.fill({ features: [1] }, out, 0)?.message).toBe('expected 28 features (V1..V28), got 1');
    expect(plan.fill({ features, amount: null }, out, 0)?.message).toBe(
      'model ae-7 also takes "amount" (Amount): send it with the features',
    );
  });

  it('refuses a model column the API cannot supply', () => {
    expect(() => buildPlan('m', ['V1', 'V29'])).toThrow(/takes input column "V29"/);
    expect(() => buildPlan('m', ['Class'])).toThrow(/"Class"/);
  });
});

describe('planFor', () => {
  it('builds the plan once per scorer', () => {
    const scorer = new FakeScorer();
    expect(planFor(scorer)).toBe(planFor(scorer));
    expect(planFor(new FakeScorer())).not.toBe(planFor(scorer));
  });
});

describe('RowPool', () => {
  it('hands rows back out and keeps at most its limit', () => {
    const { rows } = buildPlan('m', ['V1', 'V2']);
    const a = rows.take();
    const b = rows.take();
    expect(a).not.toBe(b);
    rows.give(a);
    expect(rows.take()).toBe(a);
    rows.give(new Float32Array(5)); // wrong width: not kept
    expect(rows.idle).toBe(0);
  });
});
