import { describe, expect, it } from 'vitest';
import { gateVerdict } from './gate.js';

const baseline = { roc_auc: 0.95, average_precision: 0.7 };

describe('gateVerdict', () => {
  it('passes a candidate within the margin and fails one beyond it', () => {
    expect(
      gateVerdict({ roc_auc: 0.95, average_precision: 0.695 }, baseline, 'average_precision', 0.01),
    ).toMatchObject({
      passed: true,
    });
    const failed = gateVerdict(
      { roc_auc: 0.99, average_precision: 0.68 },
      baseline,
      'average_precision',
      0.01,
    );
    expect(failed.passed).toBe(false);
    expect(failed.drop).toBeCloseTo(0.02, 12);
  });

  it('judges the chosen metric only', () => {
    const candidate = { roc_auc: 0.9, average_precision: 0.75 };
    expect(gateVerdict(candidate, baseline, 'average_precision', 0).passed).toBe(true);
    expect(gateVerdict(candidate, baseline, 'roc_auc', 0).passed).toBe(false);
  });

  it('lets a drop of exactly the margin through ("not worse by more than")', () => {
    expect(gateVerdict({ roc_auc: 0.94, average_precision: 0.7 }, baseline, 'roc_auc', 0.01).passed).toBe(
      true,
    );
  });

  it('refuses a margin outside [0, 1)', () => {
    for (const margin of [-0.01, 1, Number.NaN]) {
      expect(() => gateVerdict(baseline, baseline, 'roc_auc', margin)).toThrow(
        /--max-drop must be a number in \[0, 1\)/,
      );
    }
  });
});
