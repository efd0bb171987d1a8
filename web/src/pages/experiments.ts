/**
 * Experiments page: every training run (`GET /api/runs`) with what it changed from the default config and
 * its validation / test ROC AUC and AUPRC; a run's loss curves; two runs side by side (PR curves, metrics
 * with deltas, config differences).
 */
import { api, describeFailure, isMissing } from '../api.js';
import { COLORS, lineChart, type Chart } from '../charts.js';
import { card, h, notice, replace } from '../dom.js';
import { date, num, seconds } from '../format.js';
import type { Page } from '../page.js';
import type { RunDetail, RunList, RunListItem } from '../types.js';
import { compareRuns } from './experiments-compare.js';

function changes(run: RunListItem): HTMLElement | string {
  if (run.changes.length === 0) return h('span', { class: 'muted' }, 'defaults');
  return h(
    'ul',
    { class: 'changes' },
    ...run.changes.map((c) =>
      h('li', { title: `default: ${c.default}` }, h('code', {}, `${c.key}=${c.value}`)),
    ),
  );
}

export function lossChart(run: RunDetail): Chart {
  const epochs = run.epochs;
  return lineChart({
    title: `Loss per epoch — ${run.id}`,
    summary: `Training and validation loss over ${epochs.length} epochs.`,
    x: epochs.map((e) => e.epoch),
    series: [
      { label: 'train loss', values: epochs.map((e) => e.train_loss), color: COLORS.blue, points: true },
      { label: 'validation loss', values: epochs.map((e) => e.val_loss), color: COLORS.orange, points: true },
    ],
    xLabel: 'epoch',
    yLabel: 'loss',
    xIntegers: true,
    height: 220,
  });
}

export function experimentsPage(root: HTMLElement): Page {
  const charts: Chart[] = [];
  const selected: string[] = [];
  const table = h('div', {}, h('p', { class: 'muted' }, 'Loading runs…'));
  const detail = h('div', { 'aria-live': 'polite' });
  const comparison = h('div', { 'aria-live': 'polite' });
  const compareButton = h(
    'button',
    { type: 'button', class: 'primary', disabled: true },
    'Compare the two selected runs',
  );
  const selection = h('span', { class: 'muted small' }, 'Select two runs to compare them.');

  function freeCharts(): void {
    for (const chart of charts.splice(0)) chart.destroy();
  }

  function updateSelection(): void {
    compareButton.disabled = selected.length !== 2;
    selection.textContent =
      selected.length === 2
        ? `A = ${selected[0]}, B = ${selected[1]}`
        : `Select ${2 - selected.length} more run${selected.length === 1 ? '' : 's'} to compare.`;
  }

  async function showRun(id: string): Promise<void> {
    replace(detail, h('p', { class: 'muted' }, `Loading ${id}…`));
    try {
      const run = await api<RunDetail>(`/api/runs/${encodeURIComponent(id)}`);
      const chart = lossChart(run);
      charts.push(chart);
      const ev = run.evaluation;
      replace(
        detail,
        card(
          `Run ${run.id}`,
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'status'),
            h('dd', {}, run.status ?? 'unreadable'),
            h('dt', {}, 'model'),
            h('dd', {}, run.model_type ?? '—'),
            h('dt', {}, 'epochs'),
            h(
              'dd',
              {},
              `${run.record?.epochs_run ?? '—'} (best ${run.record?.best_epoch ?? '—'}${run.record?.stopped_early ? ', stopped early' : ''})`,
            ),
            h('dt', {}, 'threshold'),
            h('dd', {}, ev ? `${num(ev.threshold.value)} — ${ev.threshold.strategy}` : '—'),
          ),
          run.epochs.length > 0 ? chart.element : notice('empty', 'No epochs recorded'),
          run.problems.length > 0 ? notice('error', 'Unreadable files', run.problems.join('; ')) : null,
        ),
      );
    } catch (error) {
      replace(detail, notice('error', `Cannot load run ${id}`, describeFailure(error)));
    }
  }

  compareButton.addEventListener('click', async () => {
    const [a, b] = selected;
    if (a === undefined || b === undefined) return;
    replace(comparison, h('p', { class: 'muted' }, 'Loading both runs…'));
    try {
      const [runA, runB] = await Promise.all([
        api<RunDetail>(`/api/runs/${encodeURIComponent(a)}`),
        api<RunDetail>(`/api/runs/${encodeURIComponent(b)}`),
      ]);
      const view = compareRuns(runA, runB);
      charts.push(...view.charts);
      replace(comparison, view.element);
    } catch (error) {
      replace(comparison, notice('error', 'Cannot compare the runs', describeFailure(error)));
    }
  });

  function drawTable(runs: readonly RunListItem[]): HTMLElement {
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data', 'data-testid': 'runs-table' },
        h('caption', { class: 'visually-hidden' }, 'Training runs, newest first'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Compare')),
            ...[
              'Run',
              'Date (UTC)',
              'Status',
              'Changes from default',
              'Val ROC AUC',
              'Val AUPRC',
              'Test ROC AUC',
              'Test AUPRC',
              'Duration',
            ].map((label) => h('th', { scope: 'col' }, label)),
          ),
        ),
        h(
          'tbody',
          {},
          ...runs.map((run) => {
            const box = h('input', { type: 'checkbox', 'aria-label': `Compare ${run.id}`, value: run.id });
            box.addEventListener('change', () => {
              const at = selected.indexOf(run.id);
              if (box.checked && at < 0) selected.push(run.id);
              if (!box.checked && at >= 0) selected.splice(at, 1);
              // At most two: the oldest choice is dropped.
              while (selected.length > 2) {
                const dropped = selected.shift();
                const other = table.querySelector<HTMLInputElement>(
                  `input[value="${CSS.escape(dropped ?? '')}"]`,
                );
                if (other) other.checked = false;
              }
              updateSelection();
            });
            return h(
              'tr',
              {},
              h('td', {}, box),
              h(
                'th',
                { scope: 'row' },
                h('button', { type: 'button', class: 'link', onclick: () => void showRun(run.id) }, run.id),
              ),
              h('td', { class: 'nowrap' }, date(run.created_at)),
              h('td', {}, run.status ?? 'unreadable'),
              h('td', {}, changes(run)),
              h('td', { class: 'num' }, num(run.validation?.roc_auc)),
              h('td', { class: 'num' }, num(run.validation?.average_precision)),
              h('td', { class: 'num' }, num(run.test?.roc_auc)),
              h('td', { class: 'num' }, num(run.test?.average_precision)),
              h('td', { class: 'num' }, seconds(run.duration_seconds)),
            );
          }),
        ),
      ),
    );
  }

  async function load(): Promise<void> {
    try {
      const { runs } = await api<RunList>('/api/runs');
      if (runs.length === 0) {
        replace(table, notice('empty', 'No runs yet', 'Train one with `cardwatch train`; it appears here.'));
        return;
      }
      replace(table, drawTable(runs));
      const latest = runs[0];
      if (latest) void showRun(latest.id);
    } catch (error) {
      replace(
        table,
        isMissing(error)
          ? notice(
              'info',
              'Runs are not available',
              'This server was started without a runs folder (cardwatch serve sets it from paths.runs).',
            )
          : notice('error', 'Cannot list the runs', describeFailure(error)),
      );
    }
  }

  replace(
    root,
    h('h1', {}, 'Experiments'),
    card('Training runs', table, h('div', { class: 'toolbar' }, compareButton, selection)),
    comparison,
    detail,
  );
  void load();
  return { title: 'Experiments', dispose: freeCharts };
}
