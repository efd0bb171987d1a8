/**
 * Live model quality from feedback: the labelled predictions of a window, scored at the decision each client
 * got (`is_fraud` as logged), plus the alert rate of the whole window next to the validation alert rate of
 * the model. Metrics come from src/evaluate (sklearn definitions); a metric the window cannot define is null.
 */
import type { BundleManifest } from '../bundle/index.js';
import { averagePrecision, precisionRecallF1 } from '../evaluate/metrics.js';
import type { MonitorWindow } from '../predictions/monitor-queries.js';
import { QUALITY_REPORT_VERSION, type QualityReport } from './report-schema.js';

export interface QualityInput {
  readonly window: MonitorWindow;
  readonly limit: number;
  readonly since?: Date;
  readonly modelVersion: string | null;
  readonly expectedAlertRate: number | null;
  readonly now?: Date;
}

/** The share of validation rows the model flagged (from its manifest's confusion), or null if unknown. */
export function validationAlertRate(manifest: BundleManifest | null): number | null {
  if (manifest === null || manifest.metrics === null) return null;
  const [[tn, fp], [fn, tp]] = manifest.metrics.validation.confusion;
  const rows = tn + fp + fn + tp;
  return rows === 0 ? null : (fp + tp) / rows;
}

/** Quality of a window of the served model (`manifest`; null when none is known: no alert-rate comparison). */
export function qualityForModel(
  read: { readonly window: MonitorWindow; readonly limit: number; readonly since?: Date | undefined },
  manifest: BundleManifest | null,
): QualityReport {
  return computeQuality({
    window: read.window,
    limit: read.limit,
    ...(read.since === undefined ? {} : { since: read.since }),
    modelVersion: manifest?.id ?? null,
    expectedAlertRate: validationAlertRate(manifest),
  });
}

export function computeQuality(input: QualityInput): QualityReport {
  const { window } = input;
  let flagged = 0;
  const scores: number[] = [];
  const labels: number[] = [];
  const confusion = { tn: 0, fp: 0, fn: 0, tp: 0 };
  for (let r = 0; r < window.rows; r++) {
    const isFraud = window.isFraud[r] === 1;
    if (isFraud) flagged++;
    const label = window.label[r]!;
    if (label < 0) continue;
    scores.push(window.score[r]!);
    labels.push(label);
    if (label === 1) {
      if (isFraud) confusion.tp++;
      else confusion.fn++;
    } else if (isFraud) confusion.fp++;
    else confusion.tn++;
  }
  const labelled = labels.length;
  const frauds = confusion.tp + confusion.fn;
  const legit = confusion.tn + confusion.fp;
  const prf = precisionRecallF1(confusion);
  return {
    kind: 'quality',
    version: QUALITY_REPORT_VERSION,
    generated_at: (input.now ?? new Date()).toISOString(),
    model_version: input.modelVersion,
    window: {
      predictions: window.rows,
      labelled,
      limit: input.limit,
      ...(input.since === undefined ? {} : { since: input.since.toISOString() }),
    },
    alert_rate: window.rows === 0 ? null : flagged / window.rows,
    expected_alert_rate: input.expectedAlertRate,
    labels: { fraud: frauds, legit },
    // Precision needs flagged labelled rows, recall labelled frauds; 0/0 is "unknown", not 0.
    precision: confusion.tp + confusion.fp === 0 ? null : prf.precision,
    recall: frauds === 0 ? null : prf.recall,
    f1: labelled === 0 || (confusion.tp + confusion.fp === 0 && frauds === 0) ? null : prf.f1,
    auprc: frauds > 0 && legit > 0 ? averagePrecision(scores, labels) : null,
    prevalence: labelled === 0 ? null : frauds / labelled,
  };
}
