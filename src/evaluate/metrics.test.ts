import { describe, expect, it } from 'vitest';
import { Prng } from '../util/prng.js';
import { averagePrecision, confusionAt, precisionRecallF1, prCurve, rocAuc, rocCurve } from './metrics.js';

/** Mann–Whitney by brute force: the share of (fraud, normal) pairs ranked correctly, ties counting half. */
function pairwiseAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      if (scores[i]! > scores[j]!) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

/** AP by its definition, one full scan per distinct threshold: Σ (R_k − R_{k−1}) P_k, highest threshold first. */
function bruteForceAp(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const distinct = [...new Set(Array.from(scores))].sort((a, b) => b - a);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]!;
  let sum = 0;
  let previousRecall = 0;
  for (const t of distinct) {
    let tp = 0;
    let flagged = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i]! >= t) {
        flagged++;
        tp += labels[i]!;
      }
    }
    const recall = tp / positives;
    sum += (recall - previousRecall) * (tp / flagged);
    previousRecall = recall;
  }
  return sum;
}

function randomData(seed: number, n: number, levels: number) {
  const prng = new Prng(seed);
  const scores = new Float32Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = prng.next() < 0.2 ? 1 : 0;
    // Few distinct levels force many ties across classes; frauds score a little higher on average.
    scores[i] = Math.floor((prng.next() + labels[i]! * 0.3) * levels) / levels;
  }
  return { scores, labels };
}

describe('rocAuc and averagePrecision by hand', () => {
  it('the sklearn docs example: scores [0.1, 0.4, 0.35, 0.8], labels [0, 0, 1, 1]', () => {
    // Pairs (fraud vs normal): 0.8>0.1, 0.8>0.4, 0.35>0.1 win, 0.35<0.4 loses -> 3/4.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 15);
    // Ranked: 0.8(F) P=1 R=.5 | 0.4(N) | 0.35(F) P=2/3 R=1 | 0.1(N). AP = .5·1 + .5·2/3 = 5/6.
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(5 / 6, 15);
  });

  it('all-tied scores rank nothing: AUC 0.5 and AP = prevalence', () => {
    // One threshold flags everyone: recall jumps 0 -> 1 at precision 2/4.
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(averagePrecision([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(averagePrecision([7, 7, 7, 7, 7], [0, 1, 0, 0, 0])).toBeCloseTo(0.2, 15);
  });

  it('a tie across classes counts half and is grouped for AP', () => {
    // scores [0.9, 0.5, 0.5, 0.1], labels [1, 1, 0, 0]: pairs 0.9>0.5, 0.9>0.1, 0.5=0.5 (half), 0.5>0.1
    // -> 3.5/4 = 0.875. AP: threshold 0.9 gives P=1 R=.5; threshold 0.5 flags the tied pair together,
    // P=2/3 R=1 -> .5·1 + .5·2/3 = 5/6 (not 1, which breaking the tie in the fraud's favour would give).
    expect(rocAuc([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])).toBeCloseTo(0.875, 15);
    expect(averagePrecision([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])).toBeCloseTo(5 / 6, 15);
  });

  it('a three-way tie: scores [3, 2, 2, 2, 1], labels [1, 0, 1, 1, 0]', () => {
    // Frauds {3, 2, 2}, normals {2, 1}: 3 beats both (2), each fraud 2 ties the normal 2 (2·0.5) and beats
    // the 1 (2) -> 5/6. AP: threshold 3 gives P=1 R=1/3; threshold 2 gives tp=3 fp=1, P=3/4 R=1
    // -> 1/3·1 + 2/3·3/4 = 5/6.
    expect(rocAuc([3, 2, 2, 2, 1], [1, 0, 1, 1, 0])).toBeCloseTo(5 / 6, 15);
    expect(averagePrecision([3, 2, 2, 2, 1], [1, 0, 1, 1, 0])).toBeCloseTo(5 / 6, 15);
  });

  it('perfect and inverted rankings', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(averagePrecision([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
    // Inverted: frauds found at ranks 3 and 4: P=1/3 at R=.5, P=2/4 at R=1 -> .5/3 + .5·.5 = 5/12.
    expect(averagePrecision([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBeCloseTo(5 / 12, 15);
  });

  it('treats -0 and +0 as one tied score', () => {
    expect(rocAuc([-0, 0], [1, 0])).toBe(0.5);
  });

  it('agrees with brute-force pairwise AUC and AP on random tied data', () => {
    for (const [seed, levels] of [
      [1, 5],
      [2, 50],
      [3, 100000],
    ] as const) {
      const { scores, labels } = randomData(seed, 1500, levels);
      expect(rocAuc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 12);
      expect(averagePrecision(scores, labels)).toBeCloseTo(bruteForceAp(scores, labels), 12);
    }
  });

  it('accepts plain arrays and typed arrays alike', () => {
    const { scores, labels } = randomData(9, 300, 20);
    expect(rocAuc(Array.from(scores), Array.from(labels))).toBe(rocAuc(scores, labels));
  });
});

describe('input errors', () => {
  it('rejects a single class with DATA_INVALID', () => {
    expect(() => rocAuc([0.1, 0.2], [0, 0])).toThrow(expect.objectContaining({ code: 'DATA_INVALID' }));
    expect(() => averagePrecision([0.1, 0.2], [1, 1])).toThrow(/no normal \(label 0\)/);
    expect(() => rocAuc([0.1, 0.2], [0, 0])).toThrow(/no fraud \(label 1\)/);
  });

  it('rejects mismatched lengths, empty input, NaN scores and labels other than 0/1', () => {
    expect(() => rocAuc([0.1, 0.2, 0.3], [0, 1])).toThrow(/3 scores but 2 labels/);
    expect(() => rocAuc([], [])).toThrow(/no rows/);
    expect(() => rocAuc([0.1, NaN], [0, 1])).toThrow(/row 1 is NaN/);
    expect(() => averagePrecision([0.1, Infinity], [0, 1])).toThrow(/row 1 is Infinity/);
    expect(() => rocAuc([0.1, 0.2], [0, 2])).toThrow(/label at row 1 is 2/);
  });
});

describe('rocCurve and prCurve', () => {
  it('matches the sklearn roc_curve docs example', () => {
    // sklearn: y=[1,1,2,2], scores=[0.1,0.4,0.35,0.8], pos_label=2
    // -> fpr [0, 0, .5, .5, 1], tpr [0, .5, .5, 1, 1], thresholds [inf, .8, .4, .35, .1]
    const roc = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(roc.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(roc.thresholds).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
  });

  it('drops collinear points like sklearn drop_intermediate and keeps them when asked', () => {
    // scores [4,3,2,1], labels [0,0,1,1]: cumulative fps [1,2,2,2], tps [0,0,1,2]. Index 2 (score 2) lies
    // on the vertical segment from (1,0) to (1,1) (second differences both 0) and is dropped.
    const dropped = rocCurve([4, 3, 2, 1], [0, 0, 1, 1]);
    expect(dropped).toEqual({ fpr: [0, 0.5, 1, 1], tpr: [0, 0, 0, 1], thresholds: [Infinity, 4, 3, 1] });
    const full = rocCurve([4, 3, 2, 1], [0, 0, 1, 1], { dropIntermediate: false });
    expect(full.thresholds).toEqual([Infinity, 4, 3, 2, 1]);
  });

  it('matches the sklearn precision_recall_curve docs example', () => {
    // sklearn: precision [.5, .667, .5, 1, 1], recall [1, 1, .5, .5, 0], thresholds [.1, .35, .4, .8]
    const pr = prCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(pr.precision.map((v) => Number(v.toFixed(6)))).toEqual([0.5, 0.666667, 0.5, 1, 1]);
    expect(pr.recall).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(pr.thresholds).toEqual([0.1, 0.35, 0.4, 0.8]);
  });

  it('groups ties into one PR point', () => {
    // [3,2,2,2,1] / [1,0,1,1,0]: thresholds 3 (P 1, R 1/3), 2 (P 3/4, R 1), 1 (P 3/5, R 1).
    const pr = prCurve([3, 2, 2, 2, 1], [1, 0, 1, 1, 0]);
    expect(pr.precision).toEqual([0.6, 0.75, 1, 1]);
    expect(pr.recall).toEqual([1, 1, 1 / 3, 0]);
    expect(pr.thresholds).toEqual([1, 2, 3]);
  });

  it('the trapezoid area of the ROC points equals rocAuc', () => {
    const { scores, labels } = randomData(4, 2000, 30);
    const roc = rocCurve(scores, labels);
    let area = 0;
    for (let i = 1; i < roc.fpr.length; i++) {
      area += ((roc.fpr[i]! - roc.fpr[i - 1]!) * (roc.tpr[i]! + roc.tpr[i - 1]!)) / 2;
    }
    expect(area).toBeCloseTo(rocAuc(scores, labels), 12);
  });
});

describe('confusionAt and precisionRecallF1', () => {
  it('uses score > threshold as the decision', () => {
    // Threshold 0.35: flagged 0.4 (normal) and 0.8 (fraud); 0.35 itself is not flagged.
    const confusion = confusionAt([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.35);
    expect(confusion).toEqual({ tn: 1, fp: 1, fn: 1, tp: 1 });
    expect(precisionRecallF1(confusion)).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
  });

  it('computes precision, recall and F1 from counts', () => {
    // tp 6, fp 2, fn 4: precision 6/8, recall 6/10, F1 = 12/(12+2+4) = 2/3.
    const result = precisionRecallF1({ tn: 100, fp: 2, fn: 4, tp: 6 });
    expect(result.precision).toBe(0.75);
    expect(result.recall).toBe(0.6);
    expect(result.f1).toBeCloseTo(2 / 3, 15);
  });

  it('returns 0, never NaN, when a ratio is undefined', () => {
    expect(precisionRecallF1({ tn: 10, fp: 0, fn: 0, tp: 0 })).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(precisionRecallF1({ tn: 0, fp: 3, fn: 0, tp: 0 })).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it('rejects a NaN threshold', () => {
    expect(() => confusionAt([1], [0], NaN)).toThrow(/threshold is NaN/);
  });
});
