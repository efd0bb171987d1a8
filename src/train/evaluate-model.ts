/**
 * Scores the validation and test splits with a fitted model and evaluates them: the threshold is chosen on
 * validation scores only, then applied unchanged to the test split.
 */
import { writeFileSync } from 'node:fs';
import type { ThresholdConfig } from '../config/index.js';
import { selectColumns, type Dataset, type SplitIndices } from '../data/index.js';
import {
  DEFAULT_ALERTS_PER_DAY,
  evaluateSplits,
  type EvaluationReport,
  lossCurveSvg,
  prCurveSvg,
  rocCurveSvg,
  rowsPerDay,
  scoreHistogramSvg,
} from '../evaluate/index.js';
import { type FittedModel, scoreModel } from '../models/index.js';
import type { RunDir } from '../runs/index.js';
import type { EpochRecord } from './fit-types.js';

export interface ScoredSplit {
  scores: Float32Array;
  labels: Uint8Array;
  /** `Amount` and `Time` of each row, for the alert-budget and fraud-amount metrics. */
  amounts: Float32Array;
  times: Float32Array;
}

export function scoreSplit(model: FittedModel, dataset: Dataset, indices: Uint32Array): ScoredSplit {
  const x = selectColumns(dataset, model.features, indices);
  const { scores } = scoreModel(model, x, indices.length, { contributions: false });
  const labels = new Uint8Array(indices.length);
  const y = dataset.y;
  if (y) for (let i = 0; i < indices.length; i++) labels[i] = y[indices[i]!]!;
  const amountTime = selectColumns(dataset, ['Amount', 'Time'], indices);
  const amounts = new Float32Array(indices.length);
  const times = new Float32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    amounts[i] = amountTime[2 * i]!;
    times[i] = amountTime[2 * i + 1]!;
  }
  return { scores, labels, amounts, times };
}

export interface ModelEvaluation {
  report: EvaluationReport;
  validation: ScoredSplit;
  test: ScoredSplit;
}

export interface EvaluateModelOptions {
  /** The daily alert budget K (`evaluation.alerts_per_day`, default 100). */
  alertsPerDay?: number;
}

export function evaluateModel(
  model: FittedModel,
  dataset: Dataset,
  splits: SplitIndices,
  threshold: ThresholdConfig,
  options: EvaluateModelOptions = {},
): ModelEvaluation {
  const validation = scoreSplit(model, dataset, splits.val);
  const test = scoreSplit(model, dataset, splits.test);
  // The budget is per day of all transactions, so each split gets the share of each day's budget that
  // matches its share of that day's rows.
  const dayRows = rowsPerDay(selectColumns(dataset, ['Time']));
  const report = evaluateSplits({
    validation,
    test,
    threshold,
    alertBudget: { perDay: options.alertsPerDay ?? DEFAULT_ALERTS_PER_DAY, dayRows },
  });
  return { report, validation, test };
}

function normalAndFraud(split: ScoredSplit): { normal: Float32Array; fraud: Float32Array } {
  const normal: number[] = [];
  const fraud: number[] = [];
  for (let i = 0; i < split.scores.length; i++) (split.labels[i] ? fraud : normal).push(split.scores[i]!);
  return { normal: Float32Array.from(normal), fraud: Float32Array.from(fraud) };
}

/** Writes evaluation.json, the raw split scores and the SVG plots into a run folder. */
export function writeEvaluation(
  run: RunDir,
  evaluation: ModelEvaluation,
  history?: readonly EpochRecord[],
): void {
  const { report } = evaluation;
  run.writeJson('evaluation.json', report);
  for (const [name, split] of [
    ['validation', evaluation.validation],
    ['test', evaluation.test],
  ] as const) {
    // Raw scores are kept (binary, exact) so later model selection and comparisons never re-score.
    writeFileSync(run.path(`scores/${name}.scores.f32`), new Uint8Array(split.scores.buffer));
    writeFileSync(run.path(`scores/${name}.labels.u8`), split.labels);
  }
  run.writeText(
    'plots/roc.svg',
    rocCurveSvg([
      { label: 'validation', roc: report.curves.validation.roc },
      { label: 'test', roc: report.curves.test.roc },
    ]),
  );
  run.writeText(
    'plots/pr.svg',
    prCurveSvg([
      {
        label: 'validation',
        pr: report.curves.validation.pr,
        baseline: report.baselines.validation.prevalence_ap,
      },
      { label: 'test', pr: report.curves.test.pr, baseline: report.baselines.test.prevalence_ap },
    ]),
  );
  run.writeText(
    'plots/scores.svg',
    scoreHistogramSvg({ ...normalAndFraud(evaluation.test), threshold: report.threshold.value }),
  );
  if (history && history.length > 0) {
    const best = history.reduce((a, b) => (b.val_loss < a.val_loss ? b : a));
    run.writeText('plots/loss.svg', lossCurveSvg(history, best.epoch));
  }
}
