/**
 * The answer for one transaction: FRAUD or LEGITIMATE, the risk level, score vs threshold on a gauge and the
 * features that pushed the score up (the API's `top_features`) as a bar chart.
 */
import { api, describeFailure } from '../api.js';
import { barChart, COLORS } from '../charts.js';
import { h } from '../dom.js';
import { num, pct } from '../format.js';
import type { FeedbackBody, FeedbackResponse, PredictResponse } from '../types.js';
import { scoreGauge } from './score-gauge.js';

export interface VerdictCard {
  readonly element: HTMLElement;
  destroy(): void;
}

const RISK_TEXT = {
  low: 'Low risk: below half the threshold',
  moderate: 'Moderate risk: close to the threshold',
  high: 'High risk: above the threshold',
} as const;

/**
 * "Was it fraud?": the analyst's answer goes to `POST /feedback`, which is what live quality (precision, recall)
 * is measured from.
 */
function feedbackButtons(predictionId: string): HTMLElement {
  const status = h('span', { class: 'muted small', role: 'status' });
  const send = async (label: 0 | 1): Promise<void> => {
    status.textContent = 'Saving…';
    try {
      const body: FeedbackBody = { prediction_id: predictionId, label };
      const stored = await api<FeedbackResponse>('/feedback', { json: body });
      status.textContent = `Recorded: ${stored.label === 1 ? 'fraud' : 'legitimate'}.`;
    } catch (error) {
      status.textContent = `Not recorded: ${describeFailure(error)}`;
    }
  };
  return h(
    'div',
    { class: 'feedback' },
    h('span', { class: 'small' }, 'Known outcome?'),
    h('button', { type: 'button', onclick: () => void send(1) }, 'It was fraud'),
    h('button', { type: 'button', onclick: () => void send(0) }, 'It was legitimate'),
    status,
  );
}

export function verdictCard(verdict: PredictResponse): VerdictCard {
  const fraud = verdict.is_fraud;
  const features = verdict.top_features;
  const chart =
    features.length === 0
      ? null
      : barChart({
          title: 'Top contributing features',
          summary: features.map((f) => `${f.feature} ${pct(f.share)}`).join(', '),
          labels: features.map((f) => f.feature),
          values: features.map((f) => f.contribution),
          color: fraud ? COLORS.red : COLORS.blue,
          yLabel: 'contribution',
          height: 200,
        });
  const element = h(
    'article',
    {
      class: `verdict ${fraud ? 'verdict-fraud' : 'verdict-legit'}`,
      'data-testid': 'verdict',
    },
    h(
      'div',
      { class: 'verdict-head' },
      h('p', { class: 'verdict-label' }, fraud ? 'FRAUD' : 'LEGITIMATE'),
      h(
        'span',
        { class: `risk risk-${verdict.risk}`, title: RISK_TEXT[verdict.risk] },
        `${verdict.risk} risk`,
      ),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'score'),
      h('dd', {}, num(verdict.score)),
      h('dt', {}, 'threshold'),
      h('dd', {}, num(verdict.threshold)),
      h('dt', {}, 'model'),
      h('dd', { class: 'mono' }, `${verdict.model_version} (${verdict.engine})`),
      h('dt', {}, 'prediction id'),
      h('dd', { class: 'mono' }, verdict.prediction_id),
    ),
    scoreGauge(verdict.score, verdict.threshold),
    chart?.element ??
      h('p', { class: 'muted' }, 'The server lists no contributing features (serve.top_features = 0).'),
    features.length > 0
      ? h(
          'p',
          { class: 'muted small' },
          'Contribution: how much each feature pushes the score up; the share is its part of the total.',
        )
      : null,
    feedbackButtons(verdict.prediction_id),
  );
  return { element, destroy: () => chart?.destroy() };
}
