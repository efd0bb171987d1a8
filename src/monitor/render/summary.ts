/** Plain-text summaries of monitoring snapshots for the CLI. */
import type { DriftReport, QualityReport } from '../report-schema.js';

function num(value: number | null, digits = 4): string {
  if (value === null) return '-';
  if (value !== 0 && Math.abs(value) < 10 ** -digits) return value.toExponential(2);
  return value.toFixed(digits);
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
}

/** The verdict, then the `top` most drifted columns. */
export function formatDriftSummary(report: DriftReport, top = 10): string {
  const d = report.dataset;
  const lines = [
    `${d.drift ? 'DATASET DRIFT' : 'no dataset drift'}: ${d.drifted_features} of ${d.features} columns drifted ` +
      `(${(d.drift_share * 100).toFixed(1)}%, threshold ${(d.threshold * 100).toFixed(0)}%)`,
    `  model ${report.model_version ?? 'unknown'}; reference ${report.reference.rows} rows (${report.reference.source}); ` +
      `current ${report.current.rows} rows (${report.current.source})`,
  ];
  const header = ['column', 'drift', 'test', 'score', 'threshold', 'PSI', 'JS'];
  const rows = report.features
    .slice(0, top)
    .map((f) => [
      f.kind === 'prediction' ? `${f.name} (prediction)` : f.name,
      f.drift ? 'yes' : 'no',
      f.method,
      num(f.score),
      num(f.threshold, 2),
      num(f.psi),
      num(f.jensen_shannon),
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  lines.push('', pad(header, widths), ...rows.map((row) => pad(row, widths)));
  if (report.features.length > top)
    lines.push(`  … ${report.features.length - top} more columns in the report`);
  for (const skipped of report.skipped) lines.push(`  not compared: ${skipped.name} (${skipped.reason})`);
  return lines.join('\n');
}

export function formatQualitySummary(report: QualityReport): string {
  const w = report.window;
  const rate = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(2)}%`);
  return [
    `live quality of ${report.model_version ?? 'the logged predictions'} over ${w.predictions} predictions` +
      `${w.since === undefined ? '' : ` since ${w.since}`} (${w.labelled} with feedback: ${report.labels.fraud} fraud, ${report.labels.legit} legit)`,
    `  alert rate ${rate(report.alert_rate)} (validation ${rate(report.expected_alert_rate)})`,
    `  precision ${num(report.precision)}  recall ${num(report.recall)}  F1 ${num(report.f1)}  ` +
      `AUPRC ${num(report.auprc)} (random: ${num(report.prevalence)})`,
  ].join('\n');
}
