import { describe, expect, it } from 'vitest';
import { Prng } from '../util/prng.js';
import { evaluateSplits } from './evaluate.js';
import { averagePrecision, rocAuc } from './metrics.js';
import { evaluationReportSchema } from './report-schema.js';

function split(scores: number[], labels: number[]) {
  return { scores: Float32Array.from(scores), labels: Uint8Array.from(labels) };
}

function randomSplit(seed: number, n: number) {
  const prng = new Prng(seed);
  const scores = new Float32Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = prng.next() < 0.02 ? 1 : 0;
    scores[i] = Math.exp(prng.normal() + labels[i]! * 2);
  }
  return { scores, labels };
}

describe('evaluateSplits', () => {
  // Validation: normals 1..9 (label 0) and frauds 8, 20. normal_percentile(50) of the normals is 5.
  const validation = split([1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 20], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  // Test: at threshold 5 -> flagged 6 (N), 30 (F), 7 (F); not flagged 1, 2 (N), 4 (F).
  const test = split([1, 2, 6, 30, 7, 4], [0, 0, 0, 1, 1, 1]);

  it('chooses the threshold on validation and measures both splits at it', () => {
    const report = evaluateSplits({
      validation,
      test,
      threshold: { strategy: 'normal_percentile', percentile: 50 },
    });
    expect(report.threshold).toEqual({
      value: 5,
      strategy: 'normal_percentile(50) on validation',
      chosen_on: 'validation',
    });
    // Validation at 5: flagged normals 6,7,8,9 (fp 4), frauds 8,20 (tp 2); tn 5, fn 0.
    expect(report.validation.confusion).toEqual([
      [5, 4],
      [0, 2],
    ]);
    expect(report.validation.precision).toBeCloseTo(2 / 6, 15);
    expect(report.validation.recall).toBe(1);
    expect(report.validation.f1).toBeCloseTo(4 / (4 + 4), 15);
    expect(report.test.confusion).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expect(report.test.rows).toBe(6);
    expect(report.test.frauds).toBe(3);
    expect(report.test.roc_auc).toBe(rocAuc(test.scores, test.labels));
    expect(report.test.average_precision).toBe(averagePrecision(test.scores, test.labels));
    expect(report.baselines.validation).toEqual({ prevalence_ap: 2 / 11, roc_auc: 0.5 });
    expect(report.baselines.test.prevalence_ap).toBe(0.5);
  });

  it('never looks at the test split to choose the threshold', () => {
    const base = evaluateSplits({ validation, test, threshold: { strategy: 'max_f1' } });
    const shifted = evaluateSplits({
      validation,
      test: split([100, 200, 300, 0, 0, 0], [0, 0, 0, 1, 1, 1]),
      threshold: { strategy: 'max_f1' },
    });
    expect(shifted.threshold).toEqual(base.threshold);
    expect(shifted.validation).toEqual(base.validation);
  });

  it('passes a target_precision fallback warning through', () => {
    const report = evaluateSplits({
      validation: split([0.9, 0.8, 0.1], [0, 1, 0]),
      test,
      threshold: { strategy: 'target_precision', precision: 0.99 },
    });
    expect(report.threshold.warning).toMatch(/No validation threshold reaches precision 0.99/);
  });

  it('produces a JSON-safe report that its schema reads back, with small curves', () => {
    const report = evaluateSplits({
      validation: randomSplit(1, 20000),
      test: randomSplit(2, 30000),
      threshold: { strategy: 'normal_percentile', percentile: 95 },
    });
    for (const name of ['validation', 'test'] as const) {
      expect(report.curves[name].roc.fpr.length).toBeLessThanOrEqual(500);
      expect(report.curves[name].pr.precision.length).toBeLessThanOrEqual(500);
      expect(report.curves[name].roc.thresholds[0]).toBeNull();
    }
    const roundTrip = evaluationReportSchema.parse(JSON.parse(JSON.stringify(report)));
    expect(roundTrip).toEqual(report);
    // About 5% of validation normals sit above their own 95th percentile.
    const [[tn, fp]] = report.validation.confusion;
    expect(fp / (tn + fp)).toBeCloseTo(0.05, 2);
  });

  it('names the split that cannot be evaluated', () => {
    expect(() =>
      evaluateSplits({ validation, test: split([1, 2], [0, 0]), threshold: { strategy: 'max_f1' } }),
    ).toThrow(
      expect.objectContaining({
        code: 'DATA_INVALID',
        message: expect.stringMatching(/^test split: .*no fraud/),
      }),
    );
    expect(() =>
      evaluateSplits({
        validation: split([1, NaN], [0, 1]),
        test,
        threshold: { strategy: 'max_f1' },
      }),
    ).toThrow(/^validation split: score at row 1 is NaN/);
  });
});
