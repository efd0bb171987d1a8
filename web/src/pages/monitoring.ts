/**
 * Monitoring page: live traffic from `GET /metrics/summary` (polled; rates are differences between two
 * readings), the latest drift report (`GET /drift`) with per-feature histograms, and live quality from
 * feedback labels (`GET /quality`). Drift and quality come from the monitoring module; until it has produced
 * a report, their panels say so instead of failing.
 */
import { api, describeFailure } from '../api.js';
import { barChart, COLORS, lineChart, type BarChart, type Chart } from '../charts.js';
import { card, h, notice, replace } from '../dom.js';
import { num, pct } from '../format.js';
import type { Page } from '../page.js';
import type { MetricsSummary } from '../types.js';
import { bucketLabels, pointBetween, type Point, type Reading } from './live-rates.js';
import { driftPanel } from './monitoring-drift.js';
import { qualityPanel } from './monitoring-quality.js';

/** How often the page reads the metrics, and how much history the live charts keep. */
const POLL_MS = 2000;
const HISTORY = 150;

function tile(label: string, value: HTMLElement, note: HTMLElement | string): HTMLElement {
  return h(
    'div',
    { class: 'tile' },
    h('p', { class: 'tile-label' }, label),
    value,
    h('p', { class: 'tile-note' }, note),
  );
}

export function monitoringPage(root: HTMLElement): Page {
  const readings: Reading[] = [];
  const points: Point[] = [];
  const charts: (Chart | BarChart)[] = [];
  const values = {
    rate: h('p', { class: 'tile-value', 'data-testid': 'request-rate' }, '—'),
    latency: h('p', { class: 'tile-value' }, '—'),
    alerts: h('p', { class: 'tile-value' }, '—'),
    total: h('p', { class: 'tile-value' }, '—'),
  };
  const notes = { alerts: h('span'), total: h('span') };
  const liveError = h('div', { 'aria-live': 'polite' });
  const waiting = h(
    'p',
    { class: 'muted small' },
    `The live charts start with the second reading (the page reads the metrics every ${POLL_MS / 1000} s).`,
  );

  const rateChart = lineChart({
    title: 'Scoring requests per second',
    summary: 'Requests to /predict and /predict/batch per second over the last minutes.',
    x: [],
    series: [{ label: 'requests/s', values: [], color: COLORS.blue, points: true }],
    xLabel: 'time',
    yLabel: 'req/s',
    time: true,
    height: 200,
  });
  const latencyChart = lineChart({
    title: 'Scoring latency percentiles (ms, since start)',
    summary: 'p50, p90 and p99 latency of scoring requests, estimated from the histogram buckets.',
    x: [],
    series: [
      { label: 'p50', values: [], color: COLORS.green },
      { label: 'p90', values: [], color: COLORS.orange },
      { label: 'p99', values: [], color: COLORS.red },
    ],
    xLabel: 'time',
    yLabel: 'ms',
    time: true,
    height: 200,
  });
  const alertChart = lineChart({
    title: 'Fraud-alert rate',
    summary: 'Share of new predictions flagged as fraud between two readings.',
    x: [],
    series: [{ label: 'alert rate', values: [], color: COLORS.red, points: true }],
    xLabel: 'time',
    yLabel: 'share',
    time: true,
    yRange: [0, 1],
    height: 200,
  });
  const scoreChart = barChart({
    title: 'Score distribution (predictions since start)',
    summary: 'How many logged predictions fell in each score bucket.',
    labels: [],
    values: [],
    color: COLORS.purple,
    yLabel: 'predictions',
    longLabels: true,
    height: 220,
  });
  charts.push(rateChart, latencyChart, alertChart, scoreChart);

  const drift = h('div', {}, h('p', { class: 'muted' }, 'Loading the drift report…'));
  const quality = h('div', {}, h('p', { class: 'muted' }, 'Loading quality…'));

  function redraw(): void {
    const latest = readings.at(-1)?.summary;
    if (!latest) return;
    const last = points.at(-1);
    values.rate.textContent = last ? `${last.requestRate.toFixed(1)} /s` : '—';
    const { p50, p90, p99 } = latest.latency_ms;
    values.latency.textContent = p50 === null ? '—' : `${num(p50, 3)} / ${num(p90, 3)} / ${num(p99, 3)} ms`;
    const recent = points.slice(-30).filter((p) => p.alertRate !== null);
    const total = latest.predictions.total;
    values.alerts.textContent = total === 0 ? '—' : pct(latest.predictions.fraud / total);
    notes.alerts.textContent =
      recent.length > 0
        ? `last minute: ${pct(recent.at(-1)?.alertRate ?? null)}`
        : 'no predictions in the last minute';
    values.total.textContent = String(total);
    notes.total.textContent = `${latest.requests.scoring_errors} scoring errors · model ${latest.model?.version ?? 'none'}`;
    const x = points.map((p) => p.t);
    rateChart.setData(x, [points.map((p) => p.requestRate)]);
    latencyChart.setData(x, [points.map((p) => p.p50), points.map((p) => p.p90), points.map((p) => p.p99)]);
    alertChart.setData(x, [points.map((p) => p.alertRate)]);
    scoreChart.setBars(
      bucketLabels(latest),
      latest.scores.buckets.map((b) => b.count),
    );
  }

  async function poll(): Promise<void> {
    try {
      const summary = await api<MetricsSummary>('/metrics/summary');
      const reading = { t: Date.now() / 1000, summary };
      const previous = readings.at(-1);
      readings.push(reading);
      if (readings.length > 2) readings.shift();
      if (previous) {
        points.push(pointBetween(previous, reading));
        if (points.length > HISTORY) points.shift();
      }
      replace(liveError);
      waiting.hidden = points.length > 0;
      redraw();
    } catch (error) {
      replace(liveError, notice('error', 'Live metrics unavailable', describeFailure(error)));
    }
  }

  async function loadReports(): Promise<void> {
    replace(drift, await driftPanel(charts));
    replace(quality, await qualityPanel());
  }

  const refresh = h('button', { type: 'button', onclick: () => void loadReports() }, 'Refresh reports');
  replace(
    root,
    h('h1', {}, 'Monitoring'),
    liveError,
    h(
      'div',
      { class: 'tiles' },
      tile('Request rate', values.rate, 'scoring requests per second'),
      tile('Latency p50 / p90 / p99', values.latency, 'scoring routes, since start'),
      tile('Fraud-alert rate', values.alerts, notes.alerts),
      tile('Predictions', values.total, notes.total),
    ),
    waiting,
    h('div', { class: 'chart-grid' }, rateChart.element, latencyChart.element, alertChart.element),
    // Sixteen buckets need the width to keep their labels apart.
    h('div', { class: 'chart-grid' }, scoreChart.element),
    h('div', { class: 'toolbar' }, refresh),
    card('Data drift', drift),
    card('Live quality (from feedback)', quality),
  );

  void poll();
  const timer = window.setInterval(() => void poll(), POLL_MS);
  void loadReports();
  return {
    title: 'Monitoring',
    dispose() {
      window.clearInterval(timer);
      for (const chart of charts) chart.destroy();
    },
  };
}
