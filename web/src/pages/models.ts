/** Models page: the registry (`GET /api/models`): bundles, aliases, metrics, one manifest in full, promote. */
import { api, describeFailure, isMissing } from '../api.js';
import { promoteDialog } from '../components/promote-dialog.js';
import { card, h, notice, replace } from '../dom.js';
import { date, num } from '../format.js';
import type { Page } from '../page.js';
import { showServedModel } from '../served-model.js';
import type { BundleDetail, BundleListItem, ModelRegistry } from '../types.js';

function manifestView(detail: BundleDetail): HTMLElement {
  const m = detail.manifest;
  const rows: [string, string][] = [
    ['id', m.id],
    ['model type', m.model_type],
    ['source', m.source],
    ['created', date(m.created_at)],
    ['input columns', m.input_columns.join(', ')],
    ['threshold', `${num(m.threshold.value)} — ${m.threshold.strategy} (chosen on ${m.threshold.chosen_on})`],
    [
      'test ROC AUC / AUPRC',
      m.metrics ? `${num(m.metrics.test.roc_auc)} / ${num(m.metrics.test.average_precision)}` : '—',
    ],
    ['run', m.run_id ?? '—'],
    ['data fingerprint', m.data_fingerprint ?? '—'],
    ['git commit', m.git_commit ?? '—'],
    ['content hash', m.content_hash],
    [
      'int8 variant',
      m.variants.int8
        ? `${m.variants.int8.scheme}, rank correlation ${num(m.variants.int8.rank_correlation)}`
        : 'none',
    ],
  ];
  return card(
    `Manifest of ${detail.id}`,
    h(
      'dl',
      { class: 'facts wide' },
      ...rows.flatMap(([label, value]) => [h('dt', {}, label), h('dd', { class: 'mono' }, value)]),
    ),
    h(
      'details',
      {},
      h('summary', {}, 'manifest.json'),
      h('pre', { class: 'json' }, JSON.stringify(m, null, 2)),
    ),
  );
}

export function modelsPage(root: HTMLElement): Page {
  const registry = h('div', {}, h('p', { class: 'muted' }, 'Loading the registry…'));
  const detail = h('div', { 'aria-live': 'polite' });
  const message = h('div', { 'aria-live': 'polite' });

  async function showManifest(id: string): Promise<void> {
    try {
      replace(detail, manifestView(await api<BundleDetail>(`/api/models/${encodeURIComponent(id)}`)));
    } catch (error) {
      replace(detail, notice('error', `Cannot read ${id}`, describeFailure(error)));
    }
  }

  async function promote(bundle: BundleListItem): Promise<void> {
    const outcome = await promoteDialog(bundle.id);
    if (outcome === null) return;
    const { promoted, reloaded } = outcome;
    replace(
      message,
      notice(
        'info',
        `${promoted.alias} → ${promoted.id}`,
        promoted.previous ? `It pointed to ${promoted.previous} before. ` : '',
        reloaded
          ? `The server now scores with ${reloaded.model_version} (loaded in ${Math.round(reloaded.load_ms)} ms).`
          : 'The server keeps its current model until a reload.',
      ),
    );
    if (reloaded) void showServedModel();
    await load();
  }

  function row(bundle: BundleListItem): HTMLElement {
    return h(
      'tr',
      { class: bundle.served ? 'row-served' : '' },
      h(
        'th',
        { scope: 'row' },
        h(
          'button',
          { type: 'button', class: 'link', onclick: () => void showManifest(bundle.id) },
          bundle.id,
        ),
      ),
      h(
        'td',
        {},
        ...bundle.aliases.map((alias) => h('span', { class: 'pill pill-alias' }, alias)),
        bundle.served ? h('span', { class: 'pill pill-legit' }, 'served') : null,
      ),
      h('td', { class: 'nowrap' }, date(bundle.created_at)),
      h('td', {}, bundle.model_type ?? '—'),
      h('td', {}, bundle.engines.join(', ') || '—'),
      h('td', { class: 'num' }, num(bundle.test_roc_auc)),
      h('td', { class: 'num' }, num(bundle.test_average_precision)),
      h('td', { class: 'num' }, num(bundle.threshold)),
      h(
        'td',
        {},
        bundle.error
          ? h('span', { class: 'error-text' }, bundle.error)
          : h(
              'button',
              { type: 'button', onclick: () => void promote(bundle), 'aria-label': `Promote ${bundle.id}` },
              'Promote…',
            ),
      ),
    );
  }

  async function load(): Promise<void> {
    try {
      const data = await api<ModelRegistry>('/api/models');
      if (data.bundles.length === 0) {
        replace(
          registry,
          notice('empty', 'No model bundles yet', 'Export one with `cardwatch export RUN --promote`.'),
        );
        return;
      }
      replace(
        registry,
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'data', 'data-testid': 'models-table' },
            h('caption', { class: 'visually-hidden' }, 'Model bundles, newest first'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...[
                  'Bundle',
                  'Aliases',
                  'Created (UTC)',
                  'Type',
                  'Engines',
                  'Test ROC AUC',
                  'Test AUPRC',
                  'Threshold',
                  '',
                ].map((label) => h('th', { scope: 'col' }, label)),
              ),
            ),
            h('tbody', {}, ...data.bundles.map(row)),
          ),
        ),
        h(
          'p',
          { class: 'muted small' },
          `Aliases: ${
            Object.entries(data.aliases)
              .map(([alias, id]) => `${alias} → ${id}`)
              .join(', ') || 'none'
          }.`,
        ),
      );
      const served = data.bundles.find((b) => b.served) ?? data.bundles[0];
      if (served && detail.childElementCount === 0) void showManifest(served.id);
    } catch (error) {
      replace(
        registry,
        isMissing(error)
          ? notice(
              'info',
              'The registry is not available',
              'This server was started without a models folder (cardwatch serve sets it from paths.models).',
            )
          : notice('error', 'Cannot read the registry', describeFailure(error)),
      );
    }
  }

  replace(root, h('h1', {}, 'Models'), message, card('Registry', registry), detail);
  void load();
  return { title: 'Models', dispose: () => undefined };
}
