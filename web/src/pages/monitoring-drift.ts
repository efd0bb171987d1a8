/**
 * The drift panel: the latest report of `GET /drift` (dataset verdict, features by severity, the reference
 * vs current histogram of the most drifted ones). No report yet → a panel saying so and how to get one.
 */
import { api, describeFailure, isNotYetAvailable } from '../api.js';
import { COLORS, lineChart, type BarChart, type Chart } from '../charts.js';
import { h, notice } from '../dom.js';
import { date, num, pct } from '../format.js';
import type { DriftReport, FeatureDrift } from '../types.js';

/** Features drawn as histograms (the most severe first); the table lists them all. */
const HISTOGRAMS = 4;

function histogram(feature: FeatureDrift): Chart {
  const { edges, reference, current } = feature.histogram;
  const centers = reference.map((_, i) => ((edges[i] ?? 0) + (edges[i + 1] ?? 0)) / 2);
  return lineChart({
    title: `${feature.name}${feature.drift ? ' — drifted' : ''}`,
    summary: `Share of rows per bin, reference vs current; ${feature.method} score ${num(feature.score)} against threshold ${num(feature.threshold)}.`,
    x: centers,
    series: [
      { label: 'reference', values: reference, color: COLORS.gray, points: true },
      { label: 'current', values: current, color: feature.drift ? COLORS.red : COLORS.blue, points: true },
    ],
    xLabel: feature.name,
    yLabel: 'share',
    height: 180,
  });
}

function featureTable(features: readonly FeatureDrift[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data compact' },
      h('caption', { class: 'visually-hidden' }, 'Drift per feature, most severe first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Feature', 'Method', 'Score', 'Threshold', 'Severity', 'PSI', 'Drift'].map((label) =>
            h('th', { scope: 'col' }, label),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        ...features.map((f) =>
          h(
            'tr',
            { class: f.drift ? 'row-fraud' : '' },
            h('th', { scope: 'row' }, f.name),
            h('td', {}, f.method),
            h('td', { class: 'num' }, num(f.score)),
            h('td', { class: 'num' }, num(f.threshold)),
            h('td', { class: 'num' }, num(f.severity, 3)),
            h('td', { class: 'num' }, num(f.psi, 3)),
            h(
              'td',
              {},
              h('span', { class: `pill ${f.drift ? 'pill-fraud' : 'pill-legit'}` }, f.drift ? 'drift' : 'ok'),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Builds the panel; charts it makes are pushed to `charts` so the page can free them. */
export async function driftPanel(charts: (Chart | BarChart)[]): Promise<HTMLElement> {
  let report: DriftReport;
  try {
    report = await api<DriftReport>('/drift');
  } catch (error) {
    if (isNotYetAvailable(error)) {
      return notice(
        'empty',
        'No drift report yet',
        'Drift compares the predictions logged recently with the model’s reference data, so it needs scored ' +
          'traffic first. The server says:',
        h('p', { class: 'muted small' }, describeFailure(error)),
      );
    }
    return notice('error', 'Cannot load the drift report', describeFailure(error));
  }
  if (report.features.length === 0) {
    return notice(
      'empty',
      'No drift report yet',
      'The report compares no columns yet (no recent predictions).',
    );
  }
  try {
    const ds = report.dataset;
    const drawn = report.features.slice(0, HISTOGRAMS).map(histogram);
    charts.push(...drawn);
    return h(
      'div',
      { 'data-testid': 'drift-report' },
      h(
        'p',
        {},
        h(
          'span',
          { class: `pill ${ds.drift ? 'pill-fraud' : 'pill-legit'}` },
          ds.drift ? 'dataset drift' : 'no dataset drift',
        ),
        ` ${ds.drifted_features} of ${ds.features} features drifted (${pct(ds.drift_share)}; dataset drift from ${pct(ds.threshold)}). `,
        h(
          'span',
          { class: 'muted' },
          `Reference: ${report.reference.rows} rows (${report.reference.source}); current: ${report.current.rows} rows (${report.current.source}); generated ${date(report.generated_at)} for model ${report.model_version ?? '—'}.`,
        ),
      ),
      h('div', { class: 'chart-grid' }, ...drawn.map((chart) => chart.element)),
      // Many features make a long table: past ten, it opens on request.
      report.features.length > 10
        ? h(
            'details',
            {},
            h('summary', {}, `Drift of all ${report.features.length} columns`),
            featureTable(report.features),
          )
        : featureTable(report.features),
      report.skipped.length > 0
        ? h(
            'p',
            { class: 'muted small' },
            `Not compared: ${report.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`,
          )
        : null,
    );
  } catch (error) {
    // A report in a shape this page does not know (a newer version) must not break the rest of the page.
    return notice('error', 'Cannot show this drift report', describeFailure(error));
  }
}
