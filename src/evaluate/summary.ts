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

/** The alert-budget and fraud-amount rows, when the report has them (reports from before do not). */
function operationalRows(val: SplitMetrics, test: SplitMetrics): string[] {
  const lines: string[] = [];
  const [a, b] = [val.alert_budget, test.alert_budget];
  if (a !== undefined && b !== undefined) {
    const k = a.per_day;
    lines.push(
      row(`precision@${k}/day`, fixed(a.precision), fixed(b.precision), `top ${k} scores a day (pro-rated)`),
      row(`recall@${k}/day`, fixed(a.recall), fixed(b.recall)),
      row(`  alerts`, count(a.alerts), count(b.alerts), `over ${a.days} / ${b.days} day(s)`),
      row(
        `fraud amount@${k}/day`,
        fixed(a.amount_share),
        fixed(b.amount_share),
        'share of fraud Amount alerted',
      ),
    );
  }
  const [c, d] = [val.fraud_amount, test.fraud_amount];
  if (c !== undefined && d !== undefined) {
    lines.push(
      row('fraud amount caught', fixed(c.share), fixed(d.share), 'share of fraud Amount at the threshold'),
    );
  }
  return lines;
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
    ...operationalRows(val, test),
    `threshold ${Number(report.threshold.value.toPrecision(6))}: ${report.threshold.strategy} (is_fraud = score > threshold)`,
  ];
  if (report.threshold.warning !== undefined) lines.push(`warning: ${report.threshold.warning}`);
  return lines.join('\n');
}
