/**
 * Score page: one transaction through the form (or a sample row of the served model), with the verdict card
 * beside it; below, a CSV upload scored as a batch.
 */
import { api, ApiError, describeFailure } from '../api.js';
import { verdictCard, type VerdictCard } from '../components/verdict-card.js';
import { card, h, notice, replace } from '../dom.js';
import type { Page } from '../page.js';
import type { ExamplesResponse, ModelResponse, PredictResponse } from '../types.js';
import { batchSection } from './score-batch.js';
import { fieldOfMessage, scoreForm } from './score-form.js';

type SampleKind = 'normal' | 'fraud';

export function scorePage(root: HTMLElement): Page {
  let verdict: VerdictCard | null = null;
  let examples: Promise<ExamplesResponse> | null = null;
  const next = { normal: 0, fraud: 0 };
  // The live region exists from the start (a region added with its content is not announced).
  const result = h(
    'div',
    { class: 'verdict-slot', 'aria-live': 'polite' },
    notice('empty', 'No verdict yet', 'Fill in the form or use a sample, then score.'),
  );
  const busy = h('span', { class: 'muted small', 'aria-live': 'polite' });

  const scoreButton = h('button', { type: 'submit', class: 'primary' }, 'Score transaction');
  const sample = (kind: SampleKind) =>
    h(
      'button',
      { type: 'button', onclick: () => void useSample(kind) },
      kind === 'normal' ? 'Sample normal' : 'Sample fraud',
    );
  const actions = h(
    'div',
    { class: 'actions' },
    scoreButton,
    sample('normal'),
    sample('fraud'),
    h('button', { type: 'button', class: 'quiet', onclick: () => form.clear() }, 'Clear'),
    busy,
  );

  // Amount/Time are optional unless the served model reads them; ask once, the form works either way.
  const needs = new Set<string>();
  const form = scoreForm(needs, actions);
  void api<ModelResponse>('/model')
    .then((model) => {
      for (const column of ['Amount', 'Time']) {
        if (!model.input_columns.includes(column)) continue;
        needs.add(column);
        const hint = form.fields.get(column)?.input.labels?.[0]?.querySelector('.hint');
        if (hint) hint.textContent = ' (required by this model)';
      }
    })
    .catch(() => undefined); // no model: the first score explains it

  function show(answer: PredictResponse): void {
    verdict?.destroy();
    verdict = verdictCard(answer);
    replace(result, verdict.element);
  }

  async function submit(): Promise<void> {
    const row = form.read();
    if (row === null) return;
    scoreButton.disabled = true;
    busy.textContent = 'Scoring…';
    try {
      show(await api<PredictResponse>('/predict', { json: row }));
      busy.textContent = '';
    } catch (error) {
      busy.textContent = '';
      // A validation answer names the field; anything else (no model, server down) goes above the buttons.
      const field = error instanceof ApiError && error.status === 400 ? fieldOfMessage(error.message) : null;
      form.showError(field, describeFailure(error));
    } finally {
      scoreButton.disabled = false;
    }
  }

  async function useSample(kind: SampleKind): Promise<void> {
    busy.textContent = 'Loading a sample…';
    try {
      examples ??= api<ExamplesResponse>('/api/examples');
      const data = await examples;
      const rows = data[kind];
      if (rows.length === 0) {
        form.showError(null, `The model ${data.model_version} has no ${kind} example rows.`);
        busy.textContent = '';
        return;
      }
      // Cycle through the rows, so pressing again shows another transaction.
      const values = rows[next[kind] % rows.length] ?? [];
      next[kind] += 1;
      form.fill(new Map(data.columns.map((column, i) => [column, values[i] ?? Number.NaN])));
      await submit();
    } catch (error) {
      examples = null;
      busy.textContent = '';
      form.showError(null, `Cannot load sample rows: ${describeFailure(error)}`);
    }
  }

  form.element.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });

  const batch = batchSection();
  replace(
    root,
    h('h1', {}, 'Score transactions'),
    h('div', { class: 'score-layout' }, card('One transaction', form.element), card('Verdict', result)),
    batch.element,
  );
  return {
    title: 'Score',
    dispose() {
      verdict?.destroy();
      batch.dispose();
    },
  };
}
