/**
 * The end-of-training evaluation: choose the threshold on validation, then measure both splits at it.
 * Returns data only (no printing, no files): the CLI, the run folder and the bundle decide what to do with it.
 */
import type { ThresholdConfig } from '../config/schema.js';
import { CardwatchError } from '../util/errors.js';
import { DEFAULT_CURVE_POINTS, downsampleCurve } from './downsample.js';
import {
  averagePrecisionFromCounts,
  confusionAt,
  precisionRecallF1,
  prCurveFromCounts,
  rocAucFromCounts,
  rocCurveFromCounts,
} from './metrics.js';
import { rankCounts, requireBothClasses, type RankCounts } from './ranking.js';
import type { EvaluationReport, SplitMetrics, StoredPrCurve, StoredRocCurve } from './report-schema.js';
import { chooseThresholdFromCounts } from './threshold.js';
import { alertBudget, type AlertBudgetOptions, fraudAmountCaught } from './operational.js';

/** The alert budget when none is given: the top 100 scores a day. */
export const DEFAULT_ALERTS_PER_DAY = 100;

export interface ScoredSplit {
  /** One score per row; higher = more suspicious. */
  scores: Float32Array;
  /** 0 normal, 1 fraud. */
  labels: Uint8Array;
  /** `Amount` per row: with `times`, the report adds the alert budget and fraud amount metrics. */
  amounts?: Float32Array;
  /** `Time` per row (seconds; day = Time // 86400). */
  times?: Float32Array;
}

export interface EvaluateInput {
  validation: ScoredSplit;
  test: ScoredSplit;
  threshold: ThresholdConfig;
  /** Points kept per stored curve (default 500). */
  curvePoints?: number;
  /** The daily alert budget (default 100 a day, not pro-rated); used when the splits carry amounts and times. */
  alertBudget?: AlertBudgetOptions;
}

function splitMetrics(
  split: ScoredSplit,
  counts: RankCounts,
  threshold: number,
  what: string,
  budget: AlertBudgetOptions,
): SplitMetrics {
  const confusion = confusionAt(split.scores, split.labels, threshold);
  const { precision, recall, f1 } = precisionRecallF1(confusion);
  const { amounts, times } = split;
  const operational =
    amounts === undefined
      ? {}
      : {
          ...(times === undefined
            ? {}
            : { alert_budget: alertBudget(split.scores, split.labels, amounts, times, budget) }),
          fraud_amount: fraudAmountCaught(split.scores, split.labels, amounts, threshold),
        };
  return {
    roc_auc: rocAucFromCounts(counts, what),
    average_precision: averagePrecisionFromCounts(counts, what),
    precision,
    recall,
    f1,
    confusion: [
      [confusion.tn, confusion.fp],
      [confusion.fn, confusion.tp],
    ],
    rows: split.scores.length,
    frauds: counts.positives,
    ...operational,
  };
}

function storedCurves(
  counts: RankCounts,
  points: number,
  what: string,
): { roc: StoredRocCurve; pr: StoredPrCurve } {
  const roc = downsampleCurve(rocCurveFromCounts(counts, true, what), points);
  const pr = downsampleCurve(prCurveFromCounts(counts, what), points);
  return {
    roc: { ...roc, thresholds: roc.thresholds.map((t) => (Number.isFinite(t) ? t : null)) },
    pr,
  };
}

function rank(split: ScoredSplit, what: string): RankCounts {
  if (!(split.scores instanceof Float32Array) || !(split.labels instanceof Uint8Array)) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `${what}: scores must be a Float32Array and labels a Uint8Array.`,
    );
  }
  const counts = rankCounts(split.scores, split.labels, what);
  requireBothClasses(counts, what);
  return counts;
}

/**
 * Choose the threshold on the validation split (as configured) and report ranking metrics, metrics at the
 * threshold, random-model baselines and downsampled curves for both splits. Each split is sorted once.
 * Throws DATA_INVALID (naming the split) if a split is empty, has non-finite scores, or lacks a class.
 */
export function evaluateSplits(input: EvaluateInput): EvaluationReport {
  const points = input.curvePoints ?? DEFAULT_CURVE_POINTS;
  const valCounts = rank(input.validation, 'validation split');
  const testCounts = rank(input.test, 'test split');
  const chosen = chooseThresholdFromCounts(
    input.threshold,
    valCounts,
    input.validation.scores,
    input.validation.labels,
  );
  const budget = input.alertBudget ?? { perDay: DEFAULT_ALERTS_PER_DAY };
  const validation = splitMetrics(input.validation, valCounts, chosen.value, 'validation split', budget);
  const test = splitMetrics(input.test, testCounts, chosen.value, 'test split', budget);
  return {
    threshold: {
      value: chosen.value,
      strategy: chosen.strategy,
      chosen_on: 'validation',
      ...(chosen.warning === undefined ? {} : { warning: chosen.warning }),
    },
    validation,
    test,
    baselines: {
      validation: { prevalence_ap: validation.frauds / validation.rows, roc_auc: 0.5 },
      test: { prevalence_ap: test.frauds / test.rows, roc_auc: 0.5 },
    },
    curves: {
      validation: storedCurves(valCounts, points, 'validation split'),
      test: storedCurves(testCounts, points, 'test split'),
    },
  };
}
