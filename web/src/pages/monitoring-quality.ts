/** The live quality panel: alert rate and, once feedback labels arrive, precision / recall / AUPRC (`GET /quality`). */
import { api, describeFailure, isNotYetAvailable } from '../api.js';
import { h, notice } from '../dom.js';
import { date, num, pct } from '../format.js';
import type { QualityReport } from '../types.js';

function metric(label: string, value: string, note = ''): HTMLElement {
  return h(
    'div',
    { class: 'tile' },
    h('p', { class: 'tile-label' }, label),
    h('p', { class: 'tile-value' }, value),
    h('p', { class: 'tile-note' }, note),
  );
}

export async function qualityPanel(): Promise<HTMLElement> {
  let report: QualityReport;
  try {
    report = await api<QualityReport>('/quality');
  } catch (error) {
    if (isNotYetAvailable(error)) {
      return notice(
        'empty',
        'No quality figures yet',
        'Quality needs logged predictions, and feedback labels for precision and recall (POST /feedback with the ' +
          'prediction id and the true label). The server says:',
        h('p', { class: 'muted small' }, describeFailure(error)),
      );
    }
    return notice('error', 'Cannot load quality', describeFailure(error));
  }
  const w = report.window;
  return h(
    'div',
    { 'data-testid': 'quality-report' },
    h(
      'div',
      { class: 'tiles' },
      metric(
        'Alert rate',
        pct(report.alert_rate),
        report.expected_alert_rate === null ? '' : `expected ${pct(report.expected_alert_rate)} (validation)`,
      ),
      metric(
        'Labelled',
        `${w.labelled} / ${w.predictions}`,
        `${report.labels.fraud} fraud, ${report.labels.legit} legitimate`,
      ),
      metric(
        'Precision / recall',
        `${num(report.precision, 3)} / ${num(report.recall, 3)}`,
        `F1 ${num(report.f1, 3)}`,
      ),
      metric(
        'AUPRC',
        num(report.auprc, 3),
        report.prevalence === null ? '' : `random model: ${num(report.prevalence, 3)}`,
      ),
    ),
    h(
      'p',
      { class: 'muted small' },
      `Last ${w.predictions} predictions (up to ${w.limit}); generated ${date(report.generated_at)}. A metric shows — until the labels define it.`,
    ),
  );
}
