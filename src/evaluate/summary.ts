/** A compact text table of an evaluation report, for the CLI and logs. Returns text; never prints. */
import type { EvaluationReport, SplitMetrics } from './report-schema.js';

function fixed(value: number): string {
  return value.toFixed(4);
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function row(label: string, validation: string, test: string, note = ''): string {
  const line = `${label.padEnd(20)}${validation.padStart(12)}${test.padStart(12)}`;
  return note === '' ? line : `${line}   ${note}`;
}

function confusionCell(metrics: SplitMetrics, which: 'tp' | 'fp' | 'fn' | 'tn'): string {
  const [[tn, fp], [fn, tp]] = metrics.confusion;
  return count({ tn, fp, fn, tp }[which]);
}

/**
 * Format a report as an aligned table with validation and test columns.
 * @example
 * formatEvaluationSummary(report)
 * // metric                validation        test
 * // ROC AUC                   0.9512      0.9433   random 0.5
 * // AUPRC                     0.7012      0.6801   random = prevalence
 * // …
 */
export function formatEvaluationSummary(report: EvaluationReport): string {
  const { validation: val, test, baselines } = report;
  const lines = [
    row('metric', 'validation', 'test'),
    row('ROC AUC', fixed(val.roc_auc), fixed(test.roc_auc), 'random 0.5'),
    row('AUPRC', fixed(val.average_precision), fixed(test.average_precision), 'random = prevalence'),
    row('  prevalence', fixed(baselines.validation.prevalence_ap), fixed(baselines.test.prevalence_ap)),
    row('precision', fixed(val.precision), fixed(test.precision), 'at the threshold'),
    row('recall', fixed(val.recall), fixed(test.recall)),
    row('F1', fixed(val.f1), fixed(test.f1)),
    row('TP', confusionCell(val, 'tp'), confusionCell(test, 'tp'), 'frauds flagged'),
    row('FP', confusionCell(val, 'fp'), confusionCell(test, 'fp'), 'false alarms'),
    row('FN', confusionCell(val, 'fn'), confusionCell(test, 'fn'), 'frauds missed'),
    row('TN', confusionCell(val, 'tn'), confusionCell(test, 'tn')),
    row('rows', count(val.rows), count(test.rows)),
    row('frauds', count(val.frauds), count(test.frauds)),
    `threshold ${Number(report.threshold.value.toPrecision(6))}: ${report.threshold.strategy} (is_fraud = score > threshold)`,
  ];
  if (report.threshold.warning !== undefined) lines.push(`warning: ${report.threshold.warning}`);
  return lines.join('\n');
}
