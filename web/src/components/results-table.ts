/**
 * The verdicts of a CSV upload, one line per data row: sortable by any column (header buttons, keyboard
 * reachable, `aria-sort`), filtered by verdict, and downloadable as CSV. Rows the server could not score stay
 * in the table with the server's reason next to them and their original line, so nothing is lost.
 */
import { h, replace, uid } from '../dom.js';
import { num } from '../format.js';
import type { BatchResult } from '../types.js';

export interface ResultLine {
  /** 1-based data row (the CSV's line number minus the header). */
  readonly row: number;
  readonly source: string;
  readonly result: BatchResult;
}

type Verdict = 'fraud' | 'legit' | 'error';
type Column = 'row' | 'verdict' | 'risk' | 'score' | 'features' | 'error';
type Filter = 'all' | Verdict;

/** Rows drawn at once; the download always has all of them. */
export const MAX_SHOWN = 500;

function verdictOf(result: BatchResult): Verdict {
  if (result.status === 'error') return 'error';
  return result.is_fraud ? 'fraud' : 'legit';
}

const RISK_ORDER = { low: 0, moderate: 1, high: 2 } as const;

function sortKey(line: ResultLine, column: Column): number | string {
  const r = line.result;
  switch (column) {
    case 'row':
      return line.row;
    case 'verdict':
      return verdictOf(r);
    case 'risk':
      return r.status === 'ok' ? RISK_ORDER[r.risk] : -1;
    case 'score':
      return r.status === 'ok' ? r.score : -Infinity;
    case 'features':
      return r.status === 'ok' ? (r.top_features[0]?.feature ?? '') : '';
    case 'error':
      return r.status === 'error' ? r.error.message : '';
  }
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The results as CSV: one line per data row, in upload order. */
export function resultsCsv(lines: readonly ResultLine[]): string {
  const header = 'row,status,is_fraud,score,risk,top_features,error_code,error';
  const body = lines.map(({ row, result: r }) =>
    r.status === 'ok'
      ? [
          row,
          'ok',
          r.is_fraud ? '1' : '0',
          String(r.score),
          r.risk,
          r.top_features.map((f) => f.feature).join(' '),
          '',
          '',
        ]
          .map((cell) => csvCell(String(cell)))
          .join(',')
      : [row, 'error', '', '', '', '', r.error.code, r.error.message]
          .map((cell) => csvCell(String(cell)))
          .join(','),
  );
  return `${[header, ...body].join('\n')}\n`;
}

const COLUMNS: { key: Column; label: string }[] = [
  { key: 'row', label: 'Row' },
  { key: 'verdict', label: 'Verdict' },
  { key: 'risk', label: 'Risk' },
  { key: 'score', label: 'Score' },
  { key: 'features', label: 'Top features' },
  { key: 'error', label: 'Problem' },
];

export interface ResultsTableOptions {
  /** Called with a scored row when the user asks why (the row's "Explain" button). */
  readonly onExplain?: (line: ResultLine) => void;
}

export function resultsTable(
  lines: readonly ResultLine[],
  fileName: string,
  options: ResultsTableOptions = {},
): HTMLElement {
  let sortBy: Column = 'row';
  let descending = false;
  let filter: Filter = 'all';
  const counts = { fraud: 0, legit: 0, error: 0 };
  for (const line of lines) counts[verdictOf(line.result)] += 1;

  const tbody = h('tbody');
  const headRow = h('tr');
  const status = h('p', { class: 'muted small', 'aria-live': 'polite' });
  const filterId = uid('filter');
  const select = h(
    'select',
    { id: filterId },
    h('option', { value: 'all' }, `All rows (${lines.length})`),
    h('option', { value: 'fraud' }, `Fraud (${counts.fraud})`),
    h('option', { value: 'legit' }, `Legitimate (${counts.legit})`),
    h('option', { value: 'error' }, `Not scored (${counts.error})`),
  );
  select.addEventListener('change', () => {
    filter = select.value as Filter;
    draw();
  });
  const download = h(
    'a',
    {
      class: 'button',
      download: fileName.replace(/(\.csv)?$/i, '-verdicts.csv'),
      href: URL.createObjectURL(new Blob([resultsCsv(lines)], { type: 'text/csv' })),
    },
    'Download results (CSV)',
  );

  function drawHead(): void {
    replace(
      headRow,
      ...COLUMNS.map(({ key, label }) => {
        const active = key === sortBy;
        return h(
          'th',
          { scope: 'col', 'aria-sort': active ? (descending ? 'descending' : 'ascending') : 'none' },
          h(
            'button',
            {
              type: 'button',
              class: 'sort',
              onclick: () => {
                descending = key === sortBy ? !descending : key === 'score' || key === 'risk';
                sortBy = key;
                draw();
              },
            },
            label,
            h('span', { 'aria-hidden': 'true' }, active ? (descending ? ' ▼' : ' ▲') : ''),
          ),
        );
      }),
    );
  }

  function draw(): void {
    drawHead();
    const shown = lines
      .filter((line) => filter === 'all' || verdictOf(line.result) === filter)
      .sort((a, b) => {
        const ka = sortKey(a, sortBy);
        const kb = sortKey(b, sortBy);
        const order = ka < kb ? -1 : ka > kb ? 1 : a.row - b.row;
        return descending ? -order : order;
      });
    replace(
      tbody,
      ...shown.slice(0, MAX_SHOWN).map((line) => {
        const { row, source, result: r } = line;
        const verdict = verdictOf(r);
        const explain =
          r.status === 'ok' && options.onExplain
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'quiet small',
                  'aria-label': `Explain row ${row}`,
                  onclick: () => options.onExplain?.(line),
                },
                'Explain',
              )
            : null;
        return h(
          'tr',
          { class: `row-${verdict}`, 'data-row': row },
          h('td', { class: 'num' }, row),
          h(
            'td',
            {},
            h(
              'span',
              { class: `pill pill-${verdict}` },
              verdict === 'fraud' ? 'FRAUD' : verdict === 'legit' ? 'legitimate' : 'not scored',
            ),
          ),
          h('td', {}, r.status === 'ok' ? r.risk : ''),
          h('td', { class: 'num' }, r.status === 'ok' ? num(r.score) : ''),
          h(
            'td',
            {},
            r.status === 'ok'
              ? `${r.top_features
                  .slice(0, 3)
                  .map((f) => f.feature)
                  .join(', ')} `
              : '',
            explain,
          ),
          h(
            'td',
            { class: 'problem' },
            r.status === 'error'
              ? h(
                  'div',
                  {},
                  h('span', { class: 'error-text' }, `${r.error.code}: ${r.error.message}`),
                  h(
                    'code',
                    { class: 'source-line', title: source },
                    source.length > 90 ? `${source.slice(0, 90)}…` : source,
                  ),
                )
              : '',
          ),
        );
      }),
    );
    status.textContent =
      shown.length > MAX_SHOWN
        ? `Showing the first ${MAX_SHOWN} of ${shown.length} rows; the download has every row.`
        : `Showing ${shown.length} of ${lines.length} rows.`;
  }
  draw();

  return h(
    'div',
    { class: 'results' },
    h(
      'p',
      { class: 'summary-line' },
      h('strong', {}, `${lines.length} rows: `),
      h('span', { class: 'pill pill-fraud' }, `${counts.fraud} fraud`),
      ' ',
      h('span', { class: 'pill pill-legit' }, `${counts.legit} legitimate`),
      ' ',
      h('span', { class: 'pill pill-error' }, `${counts.error} not scored`),
    ),
    h('div', { class: 'toolbar' }, h('label', { for: filterId }, 'Show '), select, download),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data' },
        h('caption', { class: 'visually-hidden' }, `Verdicts for ${fileName}`),
        h('thead', {}, headRow),
        tbody,
      ),
    ),
    status,
  );
}
