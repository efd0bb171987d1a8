/**
 * CSV upload: the file goes to `POST /predict/batch` as is (the server parses the Kaggle schema and answers
 * one result per data row); the browser only splits lines to show each bad row's original text next to the
 * server's reason.
 */
import { api, describeFailure } from '../api.js';
import { resultsTable, type ResultLine } from '../components/results-table.js';
import { verdictCard, type VerdictCard } from '../components/verdict-card.js';
import { card, h, notice, replace, uid } from '../dom.js';
import { num } from '../format.js';
import type { BatchResponse, PredictResponse } from '../types.js';

/** Most bytes sent in one upload (the server's default batch limit is 16 MiB). */
const MAX_UPLOAD_BYTES = 16 * 1024 * 1024;

/** The data lines of a CSV text (header dropped, a final empty line ignored). */
export function dataLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(1);
}

export function batchSection(): { element: HTMLElement; dispose(): void } {
  const inputId = uid('csv');
  const input = h('input', {
    id: inputId,
    type: 'file',
    accept: '.csv,text/csv',
    'aria-describedby': `${inputId}-hint`,
  });
  const output = h('div', { class: 'batch-output', 'aria-live': 'polite' });
  const explainSlot = h('div', { class: 'explain-slot', 'aria-live': 'polite' });
  let explained: VerdictCard | null = null;

  /** A scored row as the verdict card shows it: the batch answer carries the model, engine and threshold once. */
  function explain(answer: BatchResponse, line: ResultLine): void {
    const r = line.result;
    if (r.status !== 'ok') return;
    const verdict: PredictResponse = {
      prediction_id: r.prediction_id,
      transaction_id: r.transaction_id,
      is_fraud: r.is_fraud,
      score: r.score,
      threshold: answer.threshold,
      risk: r.risk,
      model_version: answer.model_version,
      engine: answer.engine,
      top_features: r.top_features,
    };
    explained?.destroy();
    explained = verdictCard(verdict);
    const close = h(
      'button',
      {
        type: 'button',
        class: 'quiet small',
        onclick: () => {
          explained?.destroy();
          explained = null;
          replace(explainSlot);
        },
      },
      'Close',
    );
    replace(
      explainSlot,
      h('div', { class: 'explain-head' }, h('h3', {}, `Row ${line.row}`), close),
      explained.element,
    );
    explainSlot.scrollIntoView({ block: 'nearest' });
  }

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    if (file.size > MAX_UPLOAD_BYTES) {
      replace(
        output,
        notice(
          'error',
          'File too large',
          `${file.name} is ${(file.size / 1048576).toFixed(1)} MB; one upload takes at most 16 MB. Split it and upload the parts.`,
        ),
      );
      return;
    }
    explained?.destroy();
    explained = null;
    replace(explainSlot);
    replace(output, h('p', { class: 'muted' }, `Scoring ${file.name}…`));
    const text = await file.text();
    try {
      const answer = await api<BatchResponse>('/predict/batch', { text, contentType: 'text/csv' });
      const sources = dataLines(text);
      const lines: ResultLine[] = answer.results.map((result) => ({
        row: result.row + 1,
        source: sources[result.row] ?? '',
        result,
      }));
      replace(
        output,
        h(
          'p',
          { class: 'muted small' },
          `Model ${answer.model_version} (${answer.engine}), threshold ${num(answer.threshold)}.`,
        ),
        explainSlot,
        resultsTable(lines, file.name, { onExplain: (line) => explain(answer, line) }),
      );
    } catch (error) {
      replace(output, notice('error', `${file.name} could not be scored`, describeFailure(error)));
    }
  });

  const element = card(
    'Score a CSV file',
    h(
      'div',
      { class: 'upload' },
      h('label', { for: inputId }, 'CSV file in the Kaggle schema'),
      input,
      h(
        'p',
        { id: `${inputId}-hint`, class: 'muted small' },
        'Header Time,V1,…,V28,Amount (Class optional), up to 10,000 rows. Rows that cannot be scored are listed with the reason.',
      ),
    ),
    output,
  );
  return { element, dispose: () => explained?.destroy() };
}
