/** Two runs side by side: PR and ROC curves (test split) on shared axes, metrics with B − A, config differences. */
import { COLORS, lineChart, type Chart } from '../charts.js';
import { alignCurves, prCurve } from '../curves.js';
import { card, h } from '../dom.js';
import { num } from '../format.js';
import type { RunDetail } from '../types.js';

type Split = 'validation' | 'test';
type MetricKey = 'roc_auc' | 'average_precision' | 'precision' | 'recall' | 'f1';

const METRICS: { key: MetricKey; label: string }[] = [
  { key: 'roc_auc', label: 'ROC AUC' },
  { key: 'average_precision', label: 'AUPRC' },
  { key: 'precision', label: 'precision @ threshold' },
  { key: 'recall', label: 'recall @ threshold' },
  { key: 'f1', label: 'F1 @ threshold' },
];

function delta(a: number | undefined, b: number | undefined): HTMLElement {
  if (a === undefined || b === undefined) return h('td', { class: 'num' }, '—');
  const d = b - a;
  return h(
    'td',
    { class: `num ${d > 0 ? 'better' : d < 0 ? 'worse' : ''}` },
    `${d > 0 ? '+' : ''}${num(d, 3)}`,
  );
}

function metricsTable(a: RunDetail, b: RunDetail): HTMLElement {
  const rows: HTMLElement[] = [];
  for (const split of ['validation', 'test'] as Split[]) {
    for (const { key, label } of METRICS) {
      const va = a.evaluation?.[split][key];
      const vb = b.evaluation?.[split][key];
      rows.push(
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, `${split} ${label}`),
          h('td', { class: 'num' }, num(va)),
          h('td', { class: 'num' }, num(vb)),
          delta(va, vb),
        ),
      );
    }
  }
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data compact', 'data-testid': 'compare-metrics' },
      h('caption', { class: 'visually-hidden' }, 'Metrics of run A and run B with the difference'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'metric'),
          h('th', { scope: 'col' }, 'A'),
          h('th', { scope: 'col' }, 'B'),
          h('th', { scope: 'col' }, 'B − A'),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}

/** Keys where the two runs' configs differ (each run's changes are relative to the same default). */
function configTable(a: RunDetail, b: RunDetail): HTMLElement {
  const keys = [...new Set([...a.changes.map((c) => c.key), ...b.changes.map((c) => c.key)])];
  const value = (run: RunDetail, key: string): string => {
    const change = run.changes.find((c) => c.key === key);
    if (change) return change.value;
    const other = (run === a ? b : a).changes.find((c) => c.key === key);
    return other ? other.default : '—';
  };
  const differing = keys.filter((key) => value(a, key) !== value(b, key));
  if (differing.length === 0)
    return h('p', { class: 'muted' }, 'Same configuration (in the sections that shape results).');
  return h(
    'table',
    { class: 'data compact' },
    h('caption', { class: 'visually-hidden' }, 'Config differences'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'key'),
        h('th', { scope: 'col' }, 'A'),
        h('th', { scope: 'col' }, 'B'),
      ),
    ),
    h(
      'tbody',
      {},
      ...differing.map((key) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, h('code', {}, key)),
          h('td', {}, value(a, key)),
          h('td', {}, value(b, key)),
        ),
      ),
    ),
  );
}

export function compareRuns(a: RunDetail, b: RunDetail): { element: HTMLElement; charts: Chart[] } {
  const charts: Chart[] = [];
  const ea = a.evaluation;
  const eb = b.evaluation;
  if (ea && eb) {
    const pr = alignCurves([prCurve(ea.curves.test.pr), prCurve(eb.curves.test.pr)]);
    charts.push(
      lineChart({
        title: 'Precision–recall, test split',
        summary: `Run A ${a.id} AUPRC ${num(ea.test.average_precision)}; run B ${b.id} AUPRC ${num(eb.test.average_precision)}.`,
        x: pr.x,
        series: [
          { label: `A ${a.id}`, values: pr.ys[0] ?? [], color: COLORS.blue },
          { label: `B ${b.id}`, values: pr.ys[1] ?? [], color: COLORS.orange, dash: [6, 4] },
        ],
        xLabel: 'recall',
        yLabel: 'precision',
        xRange: [0, 1],
        yRange: [0, 1],
        height: 260,
      }),
    );
    const roc = alignCurves([
      { x: ea.curves.test.roc.fpr, y: ea.curves.test.roc.tpr },
      { x: eb.curves.test.roc.fpr, y: eb.curves.test.roc.tpr },
    ]);
    charts.push(
      lineChart({
        title: 'ROC, test split',
        summary: `Run A ROC AUC ${num(ea.test.roc_auc)}; run B ROC AUC ${num(eb.test.roc_auc)}.`,
        x: roc.x,
        series: [
          { label: `A ${a.id}`, values: roc.ys[0] ?? [], color: COLORS.blue },
          { label: `B ${b.id}`, values: roc.ys[1] ?? [], color: COLORS.orange, dash: [6, 4] },
        ],
        xLabel: 'false positive rate',
        yLabel: 'true positive rate',
        xRange: [0, 1],
        yRange: [0, 1],
        height: 260,
      }),
    );
  }
  const loss = alignCurves(
    [a, b].map((run) => {
      const points = run.epochs.filter((e) => e.val_loss !== null);
      return { x: points.map((e) => e.epoch), y: points.map((e) => e.val_loss as number) };
    }),
  );
  if (loss.x.length > 0) {
    charts.push(
      lineChart({
        title: 'Validation loss per epoch',
        summary: `Run A over ${a.epochs.length} epochs, run B over ${b.epochs.length} epochs.`,
        x: loss.x,
        series: [
          { label: `A ${a.id}`, values: loss.ys[0] ?? [], color: COLORS.blue, points: true },
          { label: `B ${b.id}`, values: loss.ys[1] ?? [], color: COLORS.orange, dash: [6, 4], points: true },
        ],
        xLabel: 'epoch',
        yLabel: 'validation loss',
        xIntegers: true,
        height: 260,
      }),
    );
  }
  const element = card(
    'Comparison',
    h('p', {}, h('strong', {}, 'A '), h('code', {}, a.id), h('strong', {}, '  B '), h('code', {}, b.id)),
    charts.length > 0
      ? h('div', { class: 'chart-grid', 'data-testid': 'compare-charts' }, ...charts.map((c) => c.element))
      : h('p', { class: 'muted' }, 'Curves need an evaluation of both runs.'),
    h(
      'div',
      { class: 'compare-tables' },
      h('div', {}, h('h3', {}, 'Metrics'), metricsTable(a, b)),
      h('div', {}, h('h3', {}, 'Config differences'), configTable(a, b)),
    ),
  );
  return { element, charts };
}
